#!/usr/bin/env bash
# kill -9 during `nfvi vae`, then --resume: the result must be the
# uninterrupted run's, elbo.csv and the weights included, every time.
#   kill_resume.sh NFVI [TRIALS]     (ctest runs a few; the study ran 30)
# Each trial kills a fresh run at a random moment of its whole length (from
# start-up to the last figure), then resumes it (or starts it again, when the
# kill came before the first checkpoint) and compares with the reference.
set -u
nfvi=$(realpath "$1")
trials="${2:-5}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
failures=0

{ printf '\x00\x00\x08\x03\x00\x00\x01\x90\x00\x00\x00\x1c\x00\x00\x00\x1c'; head -c 313600 /dev/urandom; } >images.idx
vae=(vae --data images.idx --latent 2 --flows 2 --samples 2 --hidden 32 --batch 16 --is-samples 20 --eval-every 1
  --threads 1 --seed 3 --epochs 8)
comparable() { # DIR: what must be identical (not the timing columns)
  cut -d, -f1-4 "$1/elbo.csv"
  sed 's/"seconds_per_batch":[^,]*,//' "$1/summary.json"
  md5sum <"$1/samples.png"
  md5sum <"$1/reconstructions.png"
  cat "$1/config.json"
}

start=$(date +%s%N)
"$nfvi" "${vae[@]}" --out reference >/dev/null 2>&1 || { echo "the reference run failed"; exit 1; }
length_ms=$((($(date +%s%N) - start) / 1000000))
comparable reference >reference.txt

kills_before_checkpoint=0
for trial in $(seq "$trials"); do
  rm -rf run
  "$nfvi" "${vae[@]}" --out run >/dev/null 2>&1 &
  pid=$!
  delay_ms=$((RANDOM % (length_ms + 1)))
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  if [ -e run/checkpoint.bin ]; then
    "$nfvi" "${vae[@]}" --out run --resume >/dev/null 2>resume.txt || { echo "trial $trial: resume failed: $(tail -1 resume.txt)"; failures=$((failures + 1)); continue; }
  else
    kills_before_checkpoint=$((kills_before_checkpoint + 1))
    "$nfvi" "${vae[@]}" --out run >/dev/null 2>resume.txt || { echo "trial $trial: restart failed: $(tail -1 resume.txt)"; failures=$((failures + 1)); continue; }
  fi
  if ! comparable run | cmp -s - reference.txt; then
    echo "trial $trial (killed after ${delay_ms} ms): the resumed run differs from the uninterrupted one"
    failures=$((failures + 1))
  fi
  left=$(find run -name '*.nfvi-*' -o -name '.nfvi-staging-*')
  [ -z "$left" ] || { echo "trial $trial: left $left"; failures=$((failures + 1)); }
done
echo "kill -9 and resume: $trials trials over a ${length_ms} ms run ($kills_before_checkpoint before the first checkpoint), $failures failures"
exit $((failures > 0))
