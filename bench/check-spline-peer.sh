#!/usr/bin/env bash
# Checks that bench/torch_spline_flow.py is the same flow as nfvi's spline:4:
#  1. the peer's self-test (inverse(forward(x)) = x, log-det against autograd);
#  2. nfvi's trained U1 flow (seed 1) loaded into the peer: log q at 2,000
#     points against `nfvi logq`, and the peer's true KL of that flow;
#  3. final true KL (100,000 fresh samples) of both, trained on U1 and U8 for
#     STEPS steps with the cosine schedule, over SEEDS. The random streams
#     differ, so the two agree only within the seed-to-seed spread.
#
#   bash bench/check-spline-peer.sh [STEPS] [SEEDS]     (default: 2000 "1 2 3")
# Needs the peer's python3-torch and ../shared/peer/torch_ref.py (or $NFVI_PEER_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
steps="${1:-2000}"
seeds="${2:-1 2 3}"
peer_dir="${NFVI_PEER_DIR:-../shared/peer}"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
[ -x build/native/nfvi ] || bash scripts/build.sh >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
peer() { /usr/bin/python3 bench/torch_spline_flow.py --peer-dir "$peer_dir" "$@"; }
field() { /usr/bin/python3 -c "import json, sys; print('%.4f' % json.load(open(sys.argv[1]))[sys.argv[2]])" "$@"; }

echo "== 1. self-test"
peer --self-test | tail -1

echo "== 2. nfvi's trained flow (U1, seed 1) in the peer"
./build/native/nfvi fit --potential U1 --flow spline:4 --steps "$steps" --lr-schedule cosine --seed 1 \
  --no-figures --out "$work/model" --overwrite >/dev/null 2>&1
/usr/bin/python3 -c "
import random
random.seed(3)
print('z1,z2')
for _ in range(2000):
    print('%r,%r' % (random.uniform(-7, 7), random.uniform(-7, 7)))" >"$work/points.csv"
./build/native/nfvi logq --model "$work/model/summary.json" --points "$work/points.csv" --out "$work/logq.csv" >/dev/null
peer --nfvi-model "$work/model/summary.json" --nfvi-logq "$work/logq.csv"

echo "== 3. final true KL (100,000 fresh samples), $steps steps, cosine, N = 1000"
printf '%-3s %-5s %-10s %-10s\n' U seed nfvi PyTorch
for U in U1 U8; do
  for s in $seeds; do
    ./build/native/nfvi fit --potential "$U" --flow spline:4 --steps "$steps" --lr-schedule cosine --seed "$s" \
      --no-figures --out "$work/$U-$s" --overwrite >/dev/null 2>&1
    n=$(field "$work/$U-$s/summary.json" kl_true_fresh_100k)
    t=$(peer "$U" "$steps" 4 1000 "$s" --cosine | sed -n 's/.* kl_true_fresh=\([-0-9.a-z]*\).*/\1/p')
    printf '%-3s %-5s %-10s %-10s\n' "$U" "$s" "$n" "$t"
  done
done
