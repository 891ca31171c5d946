#!/usr/bin/env bash
# The hostile-input table of the nfvi program (run by ctest with the binary's
# path): for every defect that the hardening review found, at least one case
# that failed before the fix. Each case runs nfvi and checks its exit code,
# that stderr ends in one error line matching the expected text, and then
# what must hold of the files around it.
#
# Special files are only ever copies made here (mknod, mkfifo, ln -s), never
# the real /dev. The disk-full cases run in a private mount namespace on a
# small tmpfs (unshare -m, as root, as CI runs); write faults also come from
# RLIMIT_FSIZE (ulimit -f), which works anywhere.
set -u
nfvi=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
failures=0
cases=0
fail() { echo "FAIL [$current]: $*"; failures=$((failures + 1)); }

# hostile ID CODE REGEX ARGS... : runs nfvi ARGS (60 s at most) and checks the
# exit code and that the last stderr line is one "nfvi: error:" line matching REGEX.
hostile() {
  current="$1"
  local code="$2" regex="$3"
  shift 3
  cases=$((cases + 1))
  timeout 60 "$nfvi" "$@" >stdout.txt 2>stderr.txt
  local got=$?
  [ "$got" -eq "$code" ] || fail "nfvi $* exited $got, expected $code: $(tail -2 stderr.txt)"
  local last
  last=$(grep -v '^\s*$' stderr.txt | grep -v '\[[#.]*\]' | tail -1)
  if [ "$code" -ne 0 ]; then
    [ "$(grep -c '^nfvi: error:' stderr.txt)" -eq 1 ] || fail "expected one error line: $(cat stderr.txt)"
    echo "$last" | grep -Eq -- "$regex" || fail "error does not match '$regex': $last"
  fi
}
kind() { stat -c %F "$1" 2>/dev/null; }
digest() { (cd "$1" && find . -type f ! -name '.nfvi-lock' | sort | xargs md5sum); }
no_leftovers() { # DIR: no temporary or staging file of nfvi's in it
  local left
  left=$(find "$1" -name '*.nfvi-*' -o -name '.nfvi-staging-*' | head -3)
  [ -z "$left" ] || fail "left behind: $left"
}

fit=(fit --steps 20 --layers 4 --samples 50 --no-figures)
"$nfvi" "${fit[@]}" --out model >/dev/null 2>&1 || { echo "setup: fit failed"; exit 1; }
model=model/summary.json
cond=(cond --steps 4 --phase1-steps 2 --layers 2 --hidden 4 --angles-per-step 2 --samples 5 --phase2-samples 5
  --kl-samples 100 --no-figures)
"$nfvi" "${cond[@]}" --out cond >/dev/null 2>&1 || { echo "setup: cond failed"; exit 1; }
can_mknod=0
mknod devnull c 1 3 2>/dev/null && mknod devfull c 1 7 2>/dev/null && can_mknod=1
mkfifo fifo
ln -s /proc/self/fd/1 stdout-link
echo "keep me" >target.txt
ln -s target.txt link
mkdir adir

# --- 1. --out never replaces a device, a FIFO, a link or a directory
if [ "$can_mknod" -eq 1 ]; then
  hostile 1-devnull 2 "devnull is a character device" sample --model $model --n 10 --out devnull
  [ "$(kind devnull)" = "character special file" ] || fail "devnull is now $(kind devnull)"
  hostile 1-devfull 2 "devfull is a character device" sample --model $model --n 10 --out devfull
  [ "$(kind devfull)" = "character special file" ] || fail "devfull is now $(kind devfull)"
  hostile 1-cond-devnull 2 "is a character device" cond-sample --model cond/summary.json --angle 0 --out devnull
  # Standard output is a disk that is full: the error is said, and the exit code is not 0.
  current=1-stdout-full; cases=$((cases + 1))
  "$nfvi" sample --model $model --n 10 --out - >devfull 2>stderr.txt
  [ $? -eq 1 ] && grep -q "No space left" stderr.txt || fail "sample --out - to a full disk: $(cat stderr.txt)"
else
  echo "note: not allowed to mknod here; the device cases were skipped"
fi
hostile 1-fifo 2 "fifo is a FIFO" sample --model $model --n 10 --out fifo
[ "$(kind fifo)" = "fifo" ] || fail "fifo is now $(kind fifo)"
hostile 1-stdout-link 2 "stdout-link is a symbolic link" sample --model $model --n 10 --out stdout-link
[ "$(kind stdout-link)" = "symbolic link" ] || fail "stdout-link is now $(kind stdout-link)"
hostile 1-link 2 "link is a symbolic link" sample --model $model --n 10 --out link
[ "$(cat target.txt)" = "keep me" ] && [ -L link ] || fail "the link or its target changed"
hostile 1-dir 2 "adir is a directory" sample --model $model --n 10 --out adir
hostile 1-frame-fifo 2 "^nfvi: error: --frame: fifo is a FIFO" cond-sample --model cond/summary.json --angle 0 --out c.csv --frame fifo
[ ! -e c.csv ] || fail "cond-sample wrote its CSV although --frame was refused"
current=1-stdout; cases=$((cases + 1))
"$nfvi" sample --model $model --n 5 --out - >s.csv 2>/dev/null && [ "$(wc -l <s.csv)" -eq 6 ] || fail "--out - did not write 5 rows"

# --- 2. one run never deletes or overwrites another's output
# A slow run holds "shared"; a second run on it is refused, whatever it would do.
"$nfvi" fit --steps 100000000 --layers 4 --samples 50 --no-figures --out shared >/dev/null 2>slow.txt &
slow=$!
for _ in $(seq 100); do [ -e shared/.nfvi-lock ] && break; sleep 0.05; done
hostile 2-in-use 2 "shared is in use by another nfvi run" "${fit[@]}" --out shared
hostile 2-in-use-overwrite 2 "in use by another nfvi run" "${fit[@]}" --out shared --overwrite
# --- 11. SIGTERM: the slow run stops cleanly and removes the directory it created
kill -TERM $slow
wait $slow
current=11-sigterm; cases=$((cases + 1))
code=$?
grep -q "interrupted by SIGTERM" slow.txt || fail "SIGTERM: $(tail -1 slow.txt)"
[ ! -e shared ] || fail "SIGTERM left $(ls -A shared) in shared"
# The issue's race: a diverging run and a good one on the same new directory,
# 8 times. The good run either wins (and its results stay) or is refused.
for trial in 1 2 3 4 5 6 7 8; do
  current="2-race-$trial"; cases=$((cases + 1))
  rm -rf race
  "$nfvi" fit --steps 20 --seed 2 --samples 200000 --lr 1e6 --no-figures --out race >/dev/null 2>&1 &
  bad=$!
  "$nfvi" fit --steps 50 --seed 1 --no-figures --out race >/dev/null 2>race.txt
  good=$?
  wait $bad
  if [ "$good" -eq 0 ]; then
    [ -s race/summary.json ] && [ -s race/kl.csv ] || fail "the good run said it wrote race, which holds: $(ls -A race 2>&1)"
  else
    [ "$good" -eq 2 ] && grep -q "in use by another" race.txt || fail "the good run failed: $(tail -1 race.txt)"
  fi
done
# A finished run's results are refused to the next run unless it says --overwrite.
hostile 2-existing 2 "model already holds the results of a run.*--overwrite" "${fit[@]}" --out model
hostile 2-diverge-into-existing 1 "diverged at step" "${fit[@]}" --out model --overwrite --lr 1e300
[ -s model/summary.json ] && [ "$(wc -l <model/kl.csv)" -eq 21 ] || fail "a failed --overwrite run damaged model/"

# --- 3. nfvi vae never overwrites a run silently
{ printf '\x00\x00\x08\x03\x00\x00\x00\x64\x00\x00\x00\x1c\x00\x00\x00\x1c'; head -c 78400 /dev/urandom; } >images.idx
vae_unseeded=(vae --data images.idx --latent 2 --flows 2 --samples 2 --hidden 8 --batch 16 --is-samples 5 --eval-every 1
  --threads 1)
vae=("${vae_unseeded[@]}" --seed 5)
"$nfvi" "${vae[@]}" --epochs 2 --out v >/dev/null 2>&1 || fail "setup: vae failed"
before=$(digest v)
hostile 3-vae-existing 2 "v already holds the results of a run.*--resume.*--overwrite" "${vae[@]}" --epochs 2 --out v
hostile 3-vae-failing-overwrite 1 "diverged" "${vae[@]}" --epochs 2 --out v --overwrite --lr 1e300
[ "$(digest v)" = "$before" ] || fail "a failing --overwrite run changed the run in v (config.json included)"
hostile 3-vae-resume-and-overwrite 2 "--overwrite: give --resume or --overwrite, not both" "${vae[@]}" --out v --resume --overwrite

# --- 4. resume after a kill between the checkpoint and elbo.csv gives the uninterrupted run
"$nfvi" "${vae[@]}" --epochs 3 --out full >/dev/null 2>&1 || fail "setup: 3-epoch vae failed"
cp -r v cut && "$nfvi" "${vae[@]}" --epochs 3 --out cut --resume >/dev/null 2>&1
cp v/elbo.csv cut/elbo.csv && rm cut/summary.json  # as if killed right after checkpoint.bin's rename
current=4-heal; cases=$((cases + 1))
"$nfvi" "${vae[@]}" --epochs 3 --out cut --resume >/dev/null 2>&1 || fail "resume after the cut failed"
cmp -s <(cut -d, -f1-4 full/elbo.csv) <(cut -d, -f1-4 cut/elbo.csv) || fail "elbo.csv after the cut differs"
cmp -s <(sed 's/"seconds_per_batch":[^,]*,//' full/summary.json) <(sed 's/"seconds_per_batch":[^,]*,//' cut/summary.json) ||
  fail "summary.json after the cut differs"
hostile 4-fewer-epochs 2 "--epochs: the checkpoint already holds 3 epochs" "${vae[@]}" --epochs 2 --out cut --resume

# --- 5. a failure inside an existing --out leaves the old results whole, and no temporaries
"$nfvi" fit --steps 20 --layers 4 --samples 50 --out pictures >/dev/null 2>&1 || fail "setup: fit with figures failed"
echo "the user's" >pictures/kl.csv.partial
before=$(digest pictures)
current=5-write-fault; cases=$((cases + 1))
(trap '' XFSZ; ulimit -f 30; exec "$nfvi" fit --steps 20 --layers 4 --samples 50 --seed 9 --out pictures --overwrite) \
  >/dev/null 2>stderr.txt
[ $? -eq 1 ] || fail "a write fault did not exit 1: $(tail -1 stderr.txt)"
grep -q "pictures was left as it was" stderr.txt || fail "write fault: $(tail -1 stderr.txt)"
[ "$(digest pictures)" = "$before" ] || fail "a write fault changed pictures/"
no_leftovers pictures
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
  current=5-disk-full; cases=$((cases + 1))
  mkdir -p small
  # Room for a copy of the old results and 60 KB more: the new run's staged results do not fit.
  size=$(($(du -sk pictures | cut -f1) + 60))k
  unshare -m bash -c "mount -t tmpfs -o size=$size tmpfs small && cp -r pictures small/ &&
    \"$nfvi\" fit --steps 20 --layers 4 --samples 50 --seed 9 --out small/pictures --overwrite >/dev/null 2>disk.txt;
    echo \$? >disk-code.txt; (cd small/pictures && find . -type f ! -name .nfvi-lock | sort | xargs md5sum) >disk-digest.txt;
    find small -name '*.nfvi-*' -o -name '.nfvi-staging-*' >disk-left.txt"
  [ "$(cat disk-code.txt)" -eq 1 ] || fail "a full disk did not exit 1: $(tail -1 disk.txt)"
  grep -Eq "No space left on device|is the disk full" disk.txt || fail "a full disk: $(tail -1 disk.txt)"
  [ "$(cat disk-digest.txt)" = "$before" ] || fail "a full disk changed pictures/"
  [ ! -s disk-left.txt ] || fail "a full disk left $(cat disk-left.txt)"
else
  echo "note: no private mount namespace here; the disk-full case was skipped (the write-fault case covers it)"
fi

# --- 6. a damaged checkpoint is refused, never crashes or hangs
cp -r full damaged
printf 'X' | dd of=damaged/checkpoint.bin bs=1 seek=2000 conv=notrunc 2>/dev/null
hostile 6-checksum 2 "--resume: damaged/checkpoint.bin: damaged: its checksum does not match" "${vae[@]}" --epochs 4 --out damaged --resume
head -c 500 full/checkpoint.bin >damaged/checkpoint.bin
hostile 6-truncated 2 "--resume: damaged/checkpoint.bin: (truncated or )?damaged" "${vae[@]}" --epochs 4 --out damaged --resume
hostile 6-other-seed 2 "made with --seed 5, not 6" "${vae_unseeded[@]}" --seed 6 --epochs 4 --out full --resume

# --- 7. the IDX reader checks its header first
printf '\x00\x00\x08\x03\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x10' >wrap.idx
hostile 7-wrap 2 "--data: wrap.idx: not a valid IDX file: the header announces .* nfvi reads at most" vae --data wrap.idx --out w
{ printf '\x00\x00\x08\x03\x00\x00\x00\x64\x00\x00\x00\x1c\x00\x00\x00\x1c'; head -c 200M /dev/zero; } | gzip -1 >bomb.gz
if ldd "$nfvi" | grep -q libasan; then
  hostile 7-bomb 2 "bomb.gz: not a valid IDX file: wrong size: more than 1 MB beyond" vae --data bomb.gz --out w
else
  # 100 MB of address space is far less than the 200 MB the stream inflates to.
  current=7-bomb; cases=$((cases + 1))
  (ulimit -v 400000; exec "$nfvi" vae --data bomb.gz --out w) >/dev/null 2>stderr.txt
  [ $? -eq 2 ] && grep -q "more than 1 MB beyond" stderr.txt || fail "gzip bomb: $(tail -1 stderr.txt)"
fi
[ ! -e w ] || fail "a bad --data left an output directory"

# --- 8. model files are read within bounds
if [ "$can_mknod" -eq 1 ]; then
  mknod devzero c 1 5
  hostile 8-devzero 2 "--model: devzero is a character device, not a regular file" sample --model devzero --n 10 --out z.csv
fi
hostile 8-fifo 2 "--model: fifo is a FIFO, not a regular file" sample --model fifo --n 10 --out z.csv
head -c 70M /dev/zero | tr '\0' ' ' >huge.json
hostile 8-huge 2 "--model: huge.json is 73400320 bytes; files of this kind may be at most 64 MB" sample --model huge.json --n 10 --out z.csv
# 16 hidden layers of 8192 units (about 10^9 weights) announced in a small file.
sed -z 's/"sizes": *\[\s*1,\s*4,\s*4,/"sizes": [1, 8192, 8192, 8192, 8192, 8192, 8192, 8192, 8192, 8192, 8192, 8192, 8192, 8192, 8192, 8192, 8192,/' \
  cond/summary.json >wide.json
hostile 8-wide-cond 2 "--model: wide.json: network.(sizes|parameters)" cond-sample --model wide.json --angle 0 --out z.csv
[ ! -e z.csv ] || fail "a bad model wrote z.csv"

# --- 9. every error is one line, exit 2, and names the flag and the file
sed 's/^{/{"ignored": 1e309, /' $model >big-number.json
hostile 9-1e309 2 "--model: big-number.json: a number in the file is beyond the range of a double" sample --model big-number.json --out z.csv
mkdir -p runA && cp full/config.json runA/ && printf 'epoch,train_elbo,test_elbo,test_nll,seconds\n1,abc,2,3,4\n' >runA/elbo.csv
hostile 9-elbo-csv 2 "RUNS: runA/elbo.csv line 2: 'abc' is not a finite number" plot-curves runA --out curves.png
mkdir -p runB && cp full/elbo.csv runB/ && echo '{"flows": "sixteen"}' >runB/config.json
hostile 9-config-types 2 "RUNS: runB/config.json: \"flows\" must be a whole number" plot-curves runB --out curves.png
hostile 9-sample-out-dir 2 "--out: adir is a directory" sample --model $model --n 100000000 --out adir
hostile 9-sample-out-empty 2 "--out: must not be empty" sample --model $model --out ""
hostile 9-plot-out 2 "--out: cannot write no-such-dir/c.png" plot-curves full --out no-such-dir/c.png
[ ! -e curves.png ] || fail "a failed plot-curves wrote curves.png"

# --- 10. flags that cannot run are refused up front, naming the flags
hostile 10-cond-huge 2 "--hidden 8192 --hidden-layers 16 .*needs about .* GB of memory" cond --hidden 8192 --hidden-layers 16 --out h
hostile 10-vae-huge 2 "--latent 1024 --flows 256 --hidden 8192 .*needs about" vae --latent 1024 --flows 256 --hidden 8192 --out h
hostile 10-fit-out-empty 2 "--out: must not be empty" fit --out ""
hostile 10-vae-out-empty 2 "--out: must not be empty" vae --out ""
[ ! -e h ] && [ ! -e runs ] || fail "a refused run left a directory"
current=10-large-lr; cases=$((cases + 1))
"$nfvi" fit --steps 300 --layers 4 --samples 100 --lr 5 --no-figures --out large-lr >/dev/null 2>stderr.txt
grep -q "warning: kl_true is .* the flow has not fitted the target" stderr.txt || fail "no warning at --lr 5: $(tail -1 stderr.txt)"
grep -q '"warning": "kl_true is' large-lr/summary.json || fail "summary.json has no warning at --lr 5"
cat >far.json <<'JSON'
{"format": "nfvi-flow", "version": 1, "potential": "U1", "flow": "planar", "dim": 2, "layers": 1,
 "parameters": {"mu": [0, 0], "rho": [0, 0], "layers": [{"w": [1e300, 1e300], "u": [1, 1], "b": 0}]}}
JSON
hostile 10-far-parameters 2 "--model: far.json: parameters.layers\[0\].w\[0\] is 1e\+300, beyond the range of trained parameters" sample --model far.json --out z.csv

# --- 11. the smaller ones
hostile 11-plot-stdout 2 "--out: stdout-link is a symbolic link" plot-curves full --out stdout-link
printf '\xef\xbb\xbf' >bom.json && cat $model >>bom.json
hostile 11-bom 2 "byte-order mark" sample --model bom.json --out z.csv
{ cat $model; printf '\0garbage'; } >nul.json
hostile 11-nul 2 "a NUL byte at byte" sample --model nul.json --out z.csv
{ cat $model; echo 'garbage'; } >trailing.json
hostile 11-trailing 2 "not valid JSON" sample --model trailing.json --out z.csv
sed 's/^{/{"seed": 1, /' $model >duplicate.json
hostile 11-duplicate 2 "the key \"seed\" appears twice" sample --model duplicate.json --out z.csv

# --- 12. typed energies and the target library: one line, exit 2, no run directory left
expr_case() { # ID REGEX ARGS...: a refused target, and nothing written
  local id="$1" regex="$2"
  shift 2
  hostile "$id" 2 "$regex" fit --steps 5 --samples 10 --layers 2 --no-figures --out typed "$@"
  [ ! -e typed ] || fail "typed/ was left behind"
}
expr_case 12-unknown-name "--energy: unknown name 'x' at column 5 \(variables are z1..z2\)" --energy 'z1 +x'
expr_case 12-arity "--energy: log takes 1 argument, got 2 \(column 1\)" --energy 'log(z1, z2)'
expr_case 12-paren "--energy: '\)' expected at column 9" --energy '(z1 + z2'
expr_case 12-paren-17 "--energy: ',' or '\)' expected at column 18" --energy 'exp((z1 - 1)/0.4 z2)'
expr_case 12-empty "--energy: empty expression" --energy ' '
expr_case 12-variable-beyond-dim "--energy: z3 at column 4: the target has 2 dimensions \(z1..z2\)" --energy 'z1+z3'
expr_case 12-dim-given "--energy: z4 at column 1: the target has 3 dimensions \(z1..z3\)" --energy 'z4' --dim 3
expr_case 12-unicode-minus "--energy: unexpected Unicode minus sign at column 4" --energy $'z1 \xe2\x88\x92 z2'
expr_case 12-control-byte "--energy: unexpected byte 0x07 at column 4" --energy $'z1 \x07'
expr_case 12-definition-last "--energy: the text ends with the definition of 'w' \(column 1\)" --energy 'w = z1^2;'
expr_case 12-deep "--energy: expression nested deeper than 200 levels" --energy "$(printf '(%.0s' $(seq 300))z1$(printf ')%.0s' $(seq 300))"
expr_case 12-long "--energy: expression is longer than 10000 characters \(it has 20002\)" --energy "z1$(printf '+1%.0s' $(seq 10000))"
expr_case 12-nan-in-box "--energy: the energy is NaN at \(-6, -6\), inside the box, so log Z cannot be found" --energy 'log(z1) + z2^2'
expr_case 12-zero-density "--energy: the energy is \+inf \(the density 0\) everywhere in the box" --energy '1/0 + z1'
expr_case 12-bad-box "--box: give xmin,xmax,ymin,ymax with xmin < xmax and ymin < ymax" --energy 'z1^2+z2^2' --box 1,-1,0,1
expr_case 12-box-count "--box" --energy 'z1^2+z2^2' --box 1,2,3
expr_case 12-box-nan "--box" --energy 'z1^2+z2^2' --box nan,1,0,1
expr_case 12-box-with-target "--box: only with --energy" --target banana --box -1,1,-1,1
expr_case 12-two-targets "give one of --potential, --target and --energy" --target banana --energy 'z1^2'
expr_case 12-unknown-target "--target: unknown target 'U9' \(targets are U1, U2, U3, U4, U8, gmm40" --target U9
expr_case 12-fixed-dim "--dim: gmm40 has dimension 2, not 4" --target gmm40 --dim 4
expr_case 12-funnel-dim "--dim: funnel takes a dimension of 2 to 1000, got 1" --target funnel --dim 1
expr_case 12-dim-alone "--dim: only with --energy or --target" --dim 3
expr_case 12-dim-range "--dim" --energy 'z1^2' --dim 100000
# A model file whose typed target is damaged is refused by the reader.
"$nfvi" fit --steps 5 --samples 10 --layers 2 --no-figures --energy '0.5*(z1^2 + z2^2 + z3^2)' --dim 3 \
  --out typed-model >/dev/null 2>&1 || fail "setup: a fit of a typed energy failed"
sed 's/"expression": "0.5\*(z1^2 + z2^2 + z3^2)"/"expression": "0.5*(z1^2 + x)"/' typed-model/summary.json >bad-expr.json
hostile 12-model-expression 2 "--model: bad-expr.json: target.expression: unknown name 'x' at column 13" sample --model bad-expr.json --out z.csv
sed '0,/"dim": 3,/s//"dim": 4,/' typed-model/summary.json >bad-dim.json
hostile 12-model-dim 2 "--model: bad-dim.json: \"dim\" is 4 but the target has dimension 3" sample --model bad-dim.json --out z.csv
hostile 12-model-3d-density 2 "--model: a density grid needs a 2-D flow; this one has 3 dimensions" density --model typed-model/summary.json --out q.csv

echo "hostile input: $cases cases, $failures failures"
exit $((failures > 0))
