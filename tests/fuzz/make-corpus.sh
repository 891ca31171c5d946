#!/usr/bin/env bash
# Writes the fuzzers' seed corpus (tests/fuzz/corpus/<harness>/) from real
# files that nfvi itself produced. Run once when a format changes:
#   bash tests/fuzz/make-corpus.sh build/native/nfvi
set -euo pipefail
nfvi=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p "$here"/corpus/{flow_model,conditional_model,vae_checkpoint,idx}

"$nfvi" fit --steps 30 --layers 3 --samples 50 --no-figures --out fit >/dev/null 2>&1
cp fit/summary.json "$here/corpus/flow_model/fit-summary.json"
printf '{"format": "nfvi-flow", "version": 1, "potential": "U8", "flow": "planar", "dim": 2, "layers": 1, "parameters": {"mu": [0.5, -1], "rho": [0.2, 0.3], "layers": [{"w": [1, 2], "u": [-3, 0.5], "b": 0.1}]}}' \
  >"$here/corpus/flow_model/hand-made.json"
# A version-2 file with a layer of every family, small enough to mutate well.
"$nfvi" fit --steps 5 --samples 20 --flow spline:1:bins=3:hidden=2:depth=1,radial:1,planar:1,affine:1:hidden=2:depth=1 \
  --no-figures --out families >/dev/null 2>&1
cp families/summary.json "$here/corpus/flow_model/families-summary.json"

"$nfvi" cond --steps 4 --phase1-steps 2 --layers 2 --hidden 3 --angles-per-step 2 --samples 5 --phase2-samples 5 \
  --kl-samples 100 --no-figures --out cond >/dev/null 2>&1
cp cond/summary.json "$here/corpus/conditional_model/cond-summary.json"

# 100 images of 4 x 4 (90 train, 10 test): the run that fuzz_vae_checkpoint.cpp expects.
{ printf '\x00\x00\x08\x03\x00\x00\x00\x64\x00\x00\x00\x04\x00\x00\x00\x04'; head -c 1600 /dev/urandom; } >tiny.idx
"$nfvi" vae --data tiny.idx --latent 2 --flows 1 --samples 1 --hidden 4 --batch 8 --lr 1e-4 --seed 1 \
  --eval-every 1 --is-samples 5 --epochs 2 --threads 1 --out vae >/dev/null 2>&1
cp vae/checkpoint.bin "$here/corpus/vae_checkpoint/tiny-run.bin"

{ printf '\x00\x00\x08\x03\x00\x00\x00\x03\x00\x00\x00\x04\x00\x00\x00\x04'; head -c 48 /dev/urandom; } >"$here/corpus/idx/images-3x4x4.idx"
gzip -c "$here/corpus/idx/images-3x4x4.idx" >"$here/corpus/idx/images-3x4x4.idx.gz"
printf '\x00\x00\x08\x01\x00\x00\x00\x05\x01\x02\x03\x04\x05' >"$here/corpus/idx/labels-5.idx"
# corpus/expression/ is written by hand: energy expressions, good and bad, each
# after one byte that picks the dimension (fuzz_expression.cpp).
echo "wrote the seed corpus in $here/corpus"
