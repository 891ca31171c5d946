#!/usr/bin/env bash
# The nfvi program's command-line contract (run by ctest with the binary's path):
#  - bad flags: a one-line error naming the flag, exit code 2, no output directory;
#  - divergence: a message with the step, exit code 1, nothing written;
#  - bad model files for `nfvi sample`: a one-line error, exit code 2;
#  - same seed, same kl.csv; and a trained model reloads and samples.
set -u
nfvi="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_error CODE FLAG_TEXT ARGS... : runs nfvi, checks exit code, a one-line
# stderr that mentions FLAG_TEXT, and that $work/out was not created.
expect_error() {
  local code="$1" text="$2"
  shift 2
  rm -rf "$work/out"
  "$nfvi" "$@" >"$work/stdout" 2>"$work/stderr"
  local got=$?
  # A failed run may have drawn progress lines first; the error is the last line.
  local lines
  if [ "$code" -eq 1 ]; then lines=$(tail -1 "$work/stderr" | grep -c .); else lines=$(grep -c . "$work/stderr"); fi
  if [ "$got" -ne "$code" ]; then fail "nfvi $* exited $got, expected $code"; fi
  if [ "$lines" -ne 1 ]; then fail "nfvi $* printed $lines stderr lines, expected 1: $(cat "$work/stderr")"; fi
  if ! grep -q -- "$text" "$work/stderr"; then fail "nfvi $*: error does not mention '$text': $(cat "$work/stderr")"; fi
  if [ -e "$work/out" ]; then fail "nfvi $* left an output directory behind"; fi
}

fit=(fit --steps 20 --layers 4 --samples 50 --no-figures --out "$work/out")
expect_error 2 --potential "${fit[@]}" --potential U9
expect_error 2 --layers "${fit[@]}" --layers 0
expect_error 2 --layers "${fit[@]}" --layers abc
expect_error 2 --samples "${fit[@]}" --samples 0
expect_error 2 --samples "${fit[@]}" --samples -5
expect_error 2 --steps "${fit[@]}" --steps 0
expect_error 2 --steps "${fit[@]}" --steps 1.5
expect_error 2 --lr "${fit[@]}" --lr 0
expect_error 2 --lr "${fit[@]}" --lr -1e-3
expect_error 2 --lr "${fit[@]}" --lr nan
expect_error 2 --lr "${fit[@]}" --lr inf
expect_error 2 --lr "${fit[@]}" --lr fast
expect_error 2 --seed "${fit[@]}" --seed -3
expect_error 2 --seed "${fit[@]}" --seed 9007199254740992
expect_error 2 --nonsense "${fit[@]}" --nonsense 1
touch "$work/a-file"
expect_error 2 --out fit --steps 5 --layers 2 --no-figures --out "$work/a-file/sub"
expect_error 2 --out fit --steps 5 --layers 2 --no-figures --out /proc/nfvi-cannot-create-here
mkdir -p "$work/readonly"
chmod 555 "$work/readonly"
if [ "$(id -u)" -ne 0 ]; then  # root can write anywhere
  expect_error 2 --out fit --steps 5 --layers 2 --no-figures --out "$work/readonly/run"
fi
expect_error 2 subcommand
expect_error 2 --model sample --n 10 --out "$work/s.csv"
"$nfvi" --version | grep -q "^nfvi " || fail "--version"

# Divergence: a learning rate of 1e300 overflows on the second step.
expect_error 1 "diverged at step" "${fit[@]}" --lr 1e300

# Same seed, same kl.csv.
"$nfvi" "${fit[@]}" --seed 7 >/dev/null 2>&1 || fail "fit run 1 failed"
mv "$work/out" "$work/run1"
"$nfvi" "${fit[@]}" --seed 7 >/dev/null 2>&1 || fail "fit run 2 failed"
cmp -s "$work/run1/kl.csv" "$work/out/kl.csv" || fail "two runs with seed 7 wrote different kl.csv"
head -1 "$work/out/kl.csv" | grep -qx "step,kl_estimate" || fail "kl.csv header"
[ "$(wc -l <"$work/out/kl.csv")" -eq 21 ] || fail "kl.csv should have 20 rows"

# summary.json: the headline KL is the saved flow's, from 1e5 fresh samples,
# with its standard error; the training mean is apart; and the importance
# diagnostics. The progress line ends with ESS and k-hat.
"$nfvi" "${fit[@]}" --seed 7 --overwrite >/dev/null 2>"$work/stderr" || fail "fit run 3 failed"
for key in kl_true kl_true_se kl_true_fresh_100k kl_estimate kl_estimate_se kl_true_training_mean \
  kl_estimate_training_mean log_z diagnostics log_z_is log_z_is_se log_z_quadrature log_z_disagreement_se ess \
  ess_fraction k_hat k_hat_threshold k_hat_tail_size reliable verdict warning; do
  grep -q "^ *\"$key\": " "$work/out/summary.json" || fail "fit summary.json has no $key"
done
kl_true=$(grep -o '^  "kl_true": [^,]*' "$work/out/summary.json" | cut -d' ' -f4)
kl_fresh=$(grep -o '^  "kl_true_fresh_100k": [^,]*' "$work/out/summary.json" | cut -d' ' -f4)
[ -n "$kl_true" ] && [ "$kl_true" = "$kl_fresh" ] || fail "kl_true ($kl_true) is not the saved flow's ($kl_fresh)"
grep -q '"samples": 100000,' "$work/out/summary.json" || fail "fit diagnostics are not from 1e5 samples"
grep -q '"k_hat_threshold": 0.7,' "$work/out/summary.json" || fail "fit k_hat_threshold for 1e5 samples is 0.7"
grep -q '"k_hat_tail_size": 949,' "$work/out/summary.json" || fail "fit k_hat_tail_size for 1e5 samples is 949"
grep "took" "$work/stderr" | tail -1 | grep -q "ESS [0-9.]*%, k-hat " ||
  fail "the last progress line has no ESS and k-hat: $(grep took "$work/stderr")"
grep -q "(saved flow)" "$work/stderr" || fail "the last progress line does not give the saved flow's KL"
grep -q '"modes_covered"' "$work/out/summary.json" && fail "a U1 fit reports modes_covered (U1 has no mode centres)"

# gmm40 carries its 40 mode centres: the fit counts the modes its samples reach.
"$nfvi" fit --target gmm40 --steps 5 --seed 7 --no-figures --out "$work/gmm40" >/dev/null 2>"$work/stderr" ||
  fail "gmm40 fit failed: $(tail -1 "$work/stderr")"
grep -q '"modes_covered"' "$work/gmm40/summary.json" && grep -q '"of": 40,' "$work/gmm40/summary.json" ||
  fail "gmm40 summary.json has no modes_covered of 40"
grep -q '"threshold": 0.005' "$work/gmm40/summary.json" || fail "gmm40 modes_covered has no threshold 0.005"
grep "took" "$work/stderr" | tail -1 | grep -q "modes covered [0-9]* of 40" ||
  fail "the last gmm40 progress line has no modes covered: $(grep took "$work/stderr")"

# Reload: sample from the trained model.
"$nfvi" sample --model "$work/out/summary.json" --n 1000 --out "$work/s.csv" >/dev/null 2>&1 || fail "sample failed"
[ "$(wc -l <"$work/s.csv")" -eq 1001 ] || fail "s.csv should have 1000 rows"
head -1 "$work/s.csv" | grep -qx "z1,z2,log_q" || fail "s.csv header"

# A version 1 model file (planar, as nfvi wrote it before the flow families)
# samples exactly as that build did (tests/data/planar_v1_samples.csv).
data_dir="$(dirname "$0")/../data"
"$nfvi" sample --model "$data_dir/planar_v1_summary.json" --n 20 --seed 3 --out "$work/v1.csv" >/dev/null 2>&1 ||
  fail "sample of the version 1 file failed"
cmp -s "$work/v1.csv" "$data_dir/planar_v1_samples.csv" || fail "the version 1 file samples differently than before"

# Bad model files.
head -c 200 "$work/out/summary.json" >"$work/truncated.json"
echo '{"format": "nfvi-flow", "version": 1}' >"$work/incomplete.json"
echo 'not json at all' >"$work/garbage.json"
for bad in truncated incomplete garbage missing; do
  rm -f "$work/s2.csv"
  "$nfvi" sample --model "$work/$bad.json" --n 10 --out "$work/s2.csv" >"$work/stdout" 2>"$work/stderr"
  got=$?
  [ "$got" -eq 2 ] || fail "sample with $bad model exited $got, expected 2"
  [ "$(grep -c . "$work/stderr")" -eq 1 ] || fail "sample with $bad model: expected one error line: $(cat "$work/stderr")"
  grep -q -- "--model" "$work/stderr" || fail "sample with $bad model: error does not name --model"
  [ ! -e "$work/s2.csv" ] || fail "sample with $bad model wrote output"
done

# A model whose parameters are beyond the documented range (|value| <= 1e6),
# whose samples would overflow: refused as it loads, exit 2, no CSV.
cat >"$work/overflow.json" <<'JSON'
{"format": "nfvi-flow", "version": 1, "potential": "U1", "flow": "planar", "dim": 2, "layers": 1,
 "parameters": {"mu": [0, 0], "rho": [0, 0], "layers": [{"w": [1e308, 1e308], "u": [1e308, 1e308], "b": 0}]}}
JSON
rm -f "$work/s3.csv"
"$nfvi" sample --model "$work/overflow.json" --n 10 --out "$work/s3.csv" >/dev/null 2>"$work/stderr"
got=$?
[ "$got" -eq 2 ] || fail "sample of an overflowing model exited $got, expected 2"
grep -q "beyond the range of trained parameters" "$work/stderr" || fail "sample of an overflowing model: $(cat "$work/stderr")"
[ -z "$(ls "$work" | grep '^\.\?s3\.csv')" ] || fail "sample of an overflowing model left a CSV"

# A model within that range but far from any trained flow (u = 1e6 in every
# planar layer): it samples, with one warning line on stderr (the page warns
# of the same file); a trained model gets no warning.
cat >"$work/absurd.json" <<'JSON'
{"format": "nfvi-flow", "version": 1, "potential": "U1", "flow": "planar", "dim": 2, "layers": 2,
 "parameters": {"mu": [0, 0], "rho": [0, 0], "layers": [{"w": [1, 1], "u": [1e6, 1e6], "b": 0},
  {"w": [1, 1], "u": [1e6, 1e6], "b": 0}]}}
JSON
"$nfvi" sample --model "$work/absurd.json" --n 10 --out "$work/s4.csv" >/dev/null 2>"$work/stderr" ||
  fail "sample of an absurd model failed: $(cat "$work/stderr")"
[ "$(grep -c '^warning: --model .*absurd.json: its parameters are far from those of any trained flow' "$work/stderr")" -eq 1 ] ||
  fail "sample of an absurd model: expected one warning line: $(cat "$work/stderr")"
[ -s "$work/s4.csv" ] || fail "sample of an absurd model wrote no CSV"
"$nfvi" sample --model "$work/out/summary.json" --n 10 --out "$work/s5.csv" >/dev/null 2>"$work/stderr" ||
  fail "sample failed"
! grep -q warning "$work/stderr" || fail "sample of a trained model warned: $(cat "$work/stderr")"

# ---------------------------------------------------------------------------
# Flow families: --flow, the exact density (nfvi density, nfvi logq), and
# model files of every family.
family=(fit --steps 20 --samples 50 --no-figures --out "$work/out")
expect_error 2 "--flow: flow spec 'planer:3': unknown layer kind" "${family[@]}" --flow planer:3
expect_error 2 "--flow: flow spec 'spline:2:bins=1': bins must be a whole number from 2 to 64" "${family[@]}" --flow spline:2:bins=1
expect_error 2 "--flow: flow spec 'spline:4:colour=red': unknown option 'colour'" "${family[@]}" --flow spline:4:colour=red
expect_error 2 "--flow: flow spec is empty" "${family[@]}" --flow " "
expect_error 2 "--flow: must not be empty" "${family[@]}" --flow ""
expect_error 2 "--layers: give --flow or --layers, not both" "${fit[@]}" --flow radial:3
expect_error 2 --lr-schedule "${fit[@]}" --lr-schedule linear
expect_error 2 --gradient "${fit[@]}" --gradient reinforce
expect_error 2 --gradient "${fit[@]}" --gradient STL
expect_error 2 "--stl-from: needs --gradient stl" "${fit[@]}" --stl-from 10
expect_error 2 --stl-from "${fit[@]}" --gradient stl --stl-from 0
expect_error 2 --stl-from "${fit[@]}" --gradient stl --stl-from ten
# --gradient is recorded; standard is the default and the run of old.
"$nfvi" "${fit[@]}" --seed 5 >/dev/null 2>&1 || fail "fit with the default gradient failed"
grep -q '"gradient": "standard"' "$work/out/summary.json" || fail "summary.json does not record the default gradient"
mv "$work/out" "$work/default_gradient"
"$nfvi" "${fit[@]}" --seed 5 --gradient standard >/dev/null 2>&1 || fail "fit --gradient standard failed"
cmp -s "$work/default_gradient/kl.csv" "$work/out/kl.csv" || fail "--gradient standard differs from the default"
rm -rf "$work/out"
"$nfvi" "${fit[@]}" --seed 5 --gradient stl >/dev/null 2>&1 || fail "fit --gradient stl failed"
grep -q '"gradient": "stl"' "$work/out/summary.json" || fail "summary.json does not record --gradient stl"
cmp -s "$work/default_gradient/kl.csv" "$work/out/kl.csv" && fail "--gradient stl trained exactly as standard"
# --stl-from past the last step leaves the run standard; it is recorded.
rm -rf "$work/out"
"$nfvi" "${fit[@]}" --seed 5 --gradient stl --stl-from 21 >/dev/null 2>&1 || fail "fit --stl-from 21 failed"
grep -q '"stl_from": 21' "$work/out/summary.json" || fail "summary.json does not record --stl-from"
cmp -s "$work/default_gradient/kl.csv" "$work/out/kl.csv" || fail "--stl-from past the last step differs from standard"
rm -rf "$work/out" "$work/default_gradient"
for flow in radial:3 affine:2 spline:2 "spline:1:bins=4,radial:1,planar:2"; do
  rm -rf "$work/family"
  "$nfvi" fit --flow "$flow" --steps 20 --samples 50 --lr-schedule cosine --out "$work/family" >/dev/null 2>"$work/stderr" ||
    fail "fit --flow $flow failed: $(tail -1 "$work/stderr")"
  for f in learned_density.png learned_histogram.png layers.png summary.json; do
    [ -s "$work/family/$f" ] || fail "fit --flow $flow wrote no $f"
  done
  grep -q "\"flow\": \"$flow\"" "$work/family/summary.json" || fail "summary.json of $flow does not name its flow"
  "$nfvi" sample --model "$work/family/summary.json" --n 100 --out "$work/fs.csv" >/dev/null 2>&1 ||
    fail "sample of a $flow model failed"
  # log q by the inverse, at the flow's own samples, equals the samples' log q (to the CSV's 9 digits).
  "$nfvi" logq --model "$work/family/summary.json" --points "$work/fs.csv" --out "$work/fq.csv" >/dev/null 2>&1 ||
    fail "logq of a $flow model failed"
  paste -d, "$work/fs.csv" "$work/fq.csv" | awk -F, -v f="$flow" 'NR > 1 { d = $3 - $6; if (d < 0) d = -d;
    if (d > 1e-6 * (1 + ($3 < 0 ? -$3 : $3))) { print "FAIL: logq of " f " differs at line " NR ": " $3 " vs " $6; bad = 1 } }
    END { exit bad }' || failures=$((failures + 1))
  # The exact density on a fine grid over [-10, 10]^2 holds all the mass.
  "$nfvi" density --model "$work/family/summary.json" --grid 400 --box -10,10,-10,10 --out "$work/fd.csv" \
    >/dev/null 2>&1 || fail "density of a $flow model failed"
  awk -F, -v f="$flow" 'NR > 1 { m += exp($3) * 0.0025 } END { if (m < 0.999 || m > 1.001) { print "FAIL: the density of " f " integrates to " m; exit 1 } }' \
    "$work/fd.csv" || failures=$((failures + 1))
done
# Bad model files of a family: truncated, a layer of the wrong kind, too few parameters.
head -c 300 "$work/family/summary.json" >"$work/f_truncated.json"
sed 's/"layer": "radial"/"layer": "affine"/' "$work/family/summary.json" >"$work/f_kind.json"
sed 's/"flow": "spline:1:bins=4,radial:1,planar:2"/"flow": "spline:1,radial:1,planar:2"/' "$work/family/summary.json" >"$work/f_bins.json"
for bad in f_truncated f_kind f_bins; do
  "$nfvi" sample --model "$work/$bad.json" --n 10 --out "$work/fb.csv" >/dev/null 2>"$work/stderr"
  got=$?
  [ "$got" -eq 2 ] || fail "sample of $bad exited $got, expected 2"
  [ "$(grep -c . "$work/stderr")" -eq 1 ] && grep -q -- "--model" "$work/stderr" || fail "sample of $bad: $(cat "$work/stderr")"
done
grep -q 'parameters.layers\[1\].layer must be "radial"' <("$nfvi" sample --model "$work/f_kind.json" --n 1 --out "$work/fb.csv" 2>&1) ||
  fail "a layer of the wrong kind is not named"
grep -q 'parameters.layers\[0\].layer must be "spline", as "flow" says' <("$nfvi" sample --model "$work/f_bins.json" --n 1 --out "$work/fb.csv" 2>&1) ||
  fail "a layer whose options differ from the flow spec is not named"
# summary.json has one number a line: drop the first number of the first layer's parameters.
awk '!done && seen { done = 1; next } /"parameters": \[$/ { seen = 1 } { print }' "$work/family/summary.json" >"$work/f_count.json"
grep -q 'parameters must be an array of' <("$nfvi" sample --model "$work/f_count.json" --n 1 --out "$work/fb.csv" 2>&1) ||
  fail "a layer with the wrong number of parameters is not named"

# ---------------------------------------------------------------------------
# nfvi cond and nfvi cond-sample

cond=(cond --steps 6 --phase1-steps 3 --layers 3 --hidden 8 --angles-per-step 4 --samples 10 --phase2-samples 20
  --lr 1e-3 --phase2-lr 1e-3 --kl-samples 2000 --out "$work/out")
expect_error 2 --layers "${cond[@]}" --layers 0
expect_error 2 --hidden "${cond[@]}" --hidden 0
expect_error 2 --hidden-layers "${cond[@]}" --hidden-layers 0
expect_error 2 --steps "${cond[@]}" --steps 0
expect_error 2 --angles-per-step "${cond[@]}" --angles-per-step 0
expect_error 2 --samples "${cond[@]}" --samples 0
expect_error 2 --phase2-samples "${cond[@]}" --phase2-samples -1
expect_error 2 --phase1-steps "${cond[@]}" --phase1-steps -1
expect_error 2 --lr "${cond[@]}" --lr 0
expect_error 2 --phase2-lr "${cond[@]}" --phase2-lr nan
expect_error 2 --angle-min "${cond[@]}" --angle-min inf
expect_error 2 --angle-max "${cond[@]}" --angle-max abc
expect_error 2 --angle-max "${cond[@]}" --angle-min 1 --angle-max 1
expect_error 2 --init "${cond[@]}" --init xavier
expect_error 2 --seed "${cond[@]}" --seed -1
expect_error 2 --frames "${cond[@]}" --frames 1
expect_error 2 --samples "${cond[@]}" --angles-per-step 1000 --samples 1000000
expect_error 2 --out "${cond[@]}" --out "$work/a-file/sub"
expect_error 1 "diverged at step" "${cond[@]}" --lr 1e300 --no-figures

# A tiny run with every output: 26 frames, a looping GIF, kl.csv, kl.png, summary.json.
"$nfvi" "${cond[@]}" --frame-samples 2000 >/dev/null 2>"$work/stderr" || fail "cond run failed"
grep "took" "$work/stderr" | head -1 | grep -q "ESS worst [0-9.]*% at .*, k-hat worst " ||
  fail "the last cond progress line has no ESS and k-hat: $(grep took "$work/stderr")"
[ "$(ls "$work/out/frames" | grep -c '^frame_[0-9][0-9]\.png$')" -eq 26 ] || fail "cond should write 26 frames"
head -c 6 "$work/out/conditional.gif" | grep -q "GIF89a" || fail "conditional.gif is not a GIF89a"
grep -q "NETSCAPE2.0" "$work/out/conditional.gif" || fail "conditional.gif does not loop"
[ -s "$work/out/kl.png" ] || fail "cond kl.png"
[ "$(wc -l <"$work/out/kl.csv")" -eq 7 ] || fail "cond kl.csv should have 6 rows"
grep -q '"kl_true_mean"' "$work/out/summary.json" || fail "cond summary.json has no kl_true_mean"
[ "$(grep -o '"extrapolation"' "$work/out/summary.json" | wc -l)" -eq 26 ] || fail "cond summary.json: 26 angles"
# Per angle: kl_true's se and the importance diagnostics; the worst angles.
for key in kl_true_se log_z_is log_z_is_se log_z_disagreement_se ess_fraction k_hat reliable; do
  [ "$(grep -o "\"$key\":" "$work/out/summary.json" | wc -l)" -ge 26 ] || fail "cond summary.json: $key for every angle"
done
for key in diagnostics k_hat_worst ess_fraction_worst log_z_disagreement_worst angles_not_reliable k_hat_threshold; do
  grep -q "\"$key\":" "$work/out/summary.json" || fail "cond summary.json has no $key"
done
mv "$work/out" "$work/cond_run"
model="$work/cond_run/summary.json"

# Reload: inside and outside the trained range.
"$nfvi" cond-sample --model "$model" --angle 0.5 --n 500 --kl-samples 1000 --out "$work/c.csv" >"$work/stdout" 2>&1 ||
  fail "cond-sample failed: $(cat "$work/stdout")"
[ "$(wc -l <"$work/c.csv")" -eq 501 ] || fail "c.csv should have 500 rows"
head -1 "$work/c.csv" | grep -qx "z1,z2,log_q" || fail "c.csv header"
grep -q "inside the trained range" "$work/stdout" || fail "cond-sample at 0.5: $(cat "$work/stdout")"
grep -q "kl_true [0-9.]* +- [0-9.]* nats, ESS [0-9.]*%, k-hat " "$work/stdout" ||
  fail "cond-sample gives no se, ESS and k-hat: $(cat "$work/stdout")"
"$nfvi" cond-sample --model "$model" --angle 5 --n 100 --kl-samples 1000 --out "$work/c.csv" --frame "$work/f.png" \
  >"$work/stdout" 2>&1 || fail "cond-sample at angle 5 failed: $(cat "$work/stdout")"
grep -q "EXTRAPOLATION" "$work/stdout" || fail "cond-sample at 5 is not labelled extrapolation: $(cat "$work/stdout")"
[ -s "$work/f.png" ] || fail "cond-sample --frame wrote no PNG"

# Bad flags and bad model files for cond-sample: one line, exit 2, no CSV.
cond_sample_error() {
  local text="$1"
  shift
  rm -f "$work/c2.csv"
  "$nfvi" cond-sample "$@" --out "$work/c2.csv" >"$work/stdout" 2>"$work/stderr"
  local got=$?
  [ "$got" -eq 2 ] || fail "cond-sample $* exited $got, expected 2"
  [ "$(grep -c . "$work/stderr")" -eq 1 ] || fail "cond-sample $*: expected one error line: $(cat "$work/stderr")"
  grep -q -- "$text" "$work/stderr" || fail "cond-sample $*: error does not mention '$text': $(cat "$work/stderr")"
  [ ! -e "$work/c2.csv" ] && [ ! -e "$work/c2.csv.partial" ] || fail "cond-sample $* wrote output"
}
cond_sample_error --angle --model "$model" --angle nan
cond_sample_error --angle --model "$model" --angle abc
cond_sample_error --angle --model "$model"
cond_sample_error --n --model "$model" --angle 0 --n 0
head -c 300 "$model" >"$work/c_truncated.json"
echo '{"format": "nfvi-conditional-flow", "version": 1}' >"$work/c_incomplete.json"
sed 's/"hidden_activation": *"elu"/"hidden_activation": "relu"/' "$model" >"$work/c_relu.json"
sed 's/"sizes": *\[/"sizes": [2,/' "$model" >"$work/c_sizes.json"
for bad in c_truncated c_incomplete c_relu c_sizes garbage missing; do
  cond_sample_error --model --model "$work/$bad.json" --angle 0
done
# A model of `nfvi fit` is not a conditional model.
"$nfvi" "${fit[@]}" >/dev/null 2>&1 || fail "fit run for the wrong-format check failed"
cond_sample_error "nfvi cond" --model "$work/out/summary.json" --angle 0
# nfvi vae on a small IDX file of 100 random 28x28 images (split 90/10), tiny network.
{ printf '\x00\x00\x08\x03\x00\x00\x00\x64\x00\x00\x00\x1c\x00\x00\x00\x1c'; head -c 78400 /dev/urandom; } >"$work/images.idx"
vae=(vae --data "$work/images.idx" --latent 2 --flows 2 --samples 2 --hidden 8 --batch 16 --is-samples 30 --eval-every 1
  --threads 1 --out "$work/out")
expect_error 2 --data vae --data "$work/nothing" --out "$work/out"
head -c 1000 "$work/images.idx" >"$work/truncated.idx"
expect_error 2 truncated vae --data "$work/truncated.idx" --out "$work/out"
expect_error 2 --flows "${vae[@]}" --flows -1
expect_error 2 --samples "${vae[@]}" --samples 0
expect_error 2 --epochs "${vae[@]}" --epochs 0
expect_error 2 --lr "${vae[@]}" --lr nan
expect_error 2 --binarize "${vae[@]}" --binarize maybe
expect_error 2 --precision "${vae[@]}" --precision half
expect_error 2 --resume "${vae[@]}" --resume
expect_error 1 "diverged" "${vae[@]}" --epochs 1 --lr 1e300

# Three epochs in one go, and two then a resumed third, give the same results.
"$nfvi" "${vae[@]}" --epochs 3 --seed 5 >/dev/null 2>&1 || fail "vae run failed"
mv "$work/out" "$work/vae-full"
for f in elbo.csv samples.png reconstructions.png summary.json config.json checkpoint.bin; do
  [ -s "$work/vae-full/$f" ] || fail "vae did not write $f"
done
[ "$(wc -l <"$work/vae-full/elbo.csv")" -eq 4 ] || fail "vae elbo.csv should have 3 rows"
"$nfvi" "${vae[@]}" --epochs 2 --seed 5 >/dev/null 2>&1 || fail "vae run of 2 epochs failed"
"$nfvi" "${vae[@]}" --epochs 3 --seed 5 --resume >/dev/null 2>&1 || fail "vae --resume failed"
cmp -s <(cut -d, -f1-4 "$work/vae-full/elbo.csv") <(cut -d, -f1-4 "$work/out/elbo.csv") ||
  fail "a resumed run wrote a different elbo.csv"
cmp -s <(sed 's/"seconds_per_batch":[^,]*,//' "$work/vae-full/summary.json") \
  <(sed 's/"seconds_per_batch":[^,]*,//' "$work/out/summary.json") || fail "a resumed run has different weights"
# The k-hat of each test image's 30 importance weights: their mean and the
# share above the threshold min(1 - 1/log10(30), 0.7) = 0.323, also after a
# resume of a finished run (which evaluates the last epoch again).
grep -q '"test_nll_k_hat":{' "$work/vae-full/summary.json" || fail "vae summary.json has no test_nll_k_hat"
grep -q '"images_estimated":10,' "$work/vae-full/summary.json" || fail "vae: k-hat not estimated for the 10 test images"
grep -q '"mean":-\?[0-9]' "$work/vae-full/summary.json" || fail "vae: no mean k-hat"
grep -q '"share_above_threshold":[0-9]' "$work/vae-full/summary.json" || fail "vae: no share of images above the threshold"
grep -q '"threshold":0.323' "$work/vae-full/summary.json" || fail "vae: the k-hat threshold for 30 samples is 0.323"
cp "$work/out/summary.json" "$work/vae-resumed.json"
"$nfvi" "${vae[@]}" --epochs 3 --seed 5 --resume >"$work/stdout" 2>&1 || fail "vae --resume of a finished run failed"
grep -q "k-hat mean [-0-9.]*, [0-9.]*% of images >= 0.32" "$work/stdout" || fail "vae stdout has no k-hat: $(cat "$work/stdout")"
cmp -s <(sed 's/"seconds_per_batch":[^,]*,//' "$work/vae-resumed.json") \
  <(sed 's/"seconds_per_batch":[^,]*,//' "$work/out/summary.json") || fail "a resume of a finished run changed summary.json"
"$nfvi" "${vae[@]}" --epochs 3 --seed 6 --resume >/dev/null 2>"$work/stderr" && fail "resume with another seed worked"
grep -q -- "--seed" "$work/stderr" || fail "resume with another seed: error does not name --seed"

# plot-curves over the two runs (one configuration, two "seeds").
"$nfvi" plot-curves "$work/vae-full" "$work/out" --out "$work/curves.png" >/dev/null 2>&1 || fail "plot-curves failed"
[ -s "$work/curves.png" ] || fail "plot-curves wrote no PNG"
"$nfvi" plot-curves "$work" --out "$work/c2.png" >/dev/null 2>"$work/stderr"
[ $? -eq 2 ] || fail "plot-curves of a non-run directory should exit 2"

if [ "$failures" -eq 0 ]; then echo "cli contract: all checks passed"; fi
exit $((failures > 0))
