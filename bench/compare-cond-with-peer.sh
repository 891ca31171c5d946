#!/usr/bin/env bash
# Step time of nfvi's conditional VI against the seed's PyTorch code, side by
# side in one run, at the seed's settings (MLP 1-512-512-164, K = 32, 32
# angles per step; phase 1: 100 samples per angle, phase 2: 1000). Alternates
# the two ROUNDS times, one thread each, and prints both medians per phase and
# their ratios. Machines here are shared and noisy: only medians and ratios
# mean something.
#
#   bash bench/compare-cond-with-peer.sh [PEER_DIR] [ROUNDS]
# PEER_DIR defaults to ../shared/peer (torch_cond_ref.py); it needs Debian's
# python3-torch and libopenblas0-pthread. nfvi does not depend on it.
set -euo pipefail
cd "$(dirname "$0")/.."
peer_dir="${1:-../shared/peer}"
rounds="${2:-3}"
[ -f "$peer_dir/torch_cond_ref.py" ] || { echo "compare-cond-with-peer: no $peer_dir/torch_cond_ref.py" >&2; exit 2; }
/usr/bin/python3 -c "import torch" 2>/dev/null ||
  { echo "compare-cond-with-peer: needs python3-torch (apt-get install python3-torch libopenblas0-pthread)" >&2; exit 2; }
[ -x build/bench/nfvi_bench_conditional ] || bash scripts/build.sh >/dev/null

p1=() p2=() t1=() t2=()
for r in $(seq "$rounds"); do
  csv=$(OMP_NUM_THREADS=1 ./build/bench/nfvi_bench_conditional --benchmark_format=csv 2>/dev/null)
  p1+=("$(echo "$csv" | awk -F, '/phase1.*_median/ {print $3}')")
  p2+=("$(echo "$csv" | awk -F, '/phase2.*_median/ {print $3}')")
  out=$(OMP_NUM_THREADS=1 /usr/bin/python3 "$peer_dir/torch_cond_ref.py" 50 50 1)
  t1+=("$(echo "$out" | sed -n 's/^phase 1:.*s_per_step=\([0-9.]*\).*/\1/p' | awk '{print $1 * 1000}')")
  t2+=("$(echo "$out" | sed -n 's/^phase 2:.*s_per_step=\([0-9.]*\).*/\1/p' | awk '{print $1 * 1000}')")
  echo "round $r: nfvi ${p1[-1]} / ${p2[-1]} ms/step, PyTorch ${t1[-1]} / ${t2[-1]} ms/step (phase 1 / phase 2)"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for phase in 1 2; do
  if [ "$phase" -eq 1 ]; then n=$(median "${p1[@]}"); t=$(median "${t1[@]}"); else n=$(median "${p2[@]}"); t=$(median "${t2[@]}"); fi
  awk -v p="$phase" -v n="$n" -v t="$t" \
    'BEGIN {printf "phase %d median: nfvi %.2f ms/step, PyTorch %.2f ms/step, ratio %.1fx\n", p, n, t, t / n}'
done
