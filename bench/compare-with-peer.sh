#!/usr/bin/env bash
# Step time of nfvi against the seed's PyTorch code, side by side in one run:
# alternates the two ROUNDS times on U1 (K=50, N=1000, one thread each) and
# prints both medians and their ratio. Machines here are shared and noisy, so
# only the medians and the ratio are meaningful.
#
#   bash bench/compare-with-peer.sh [PEER_DIR] [ROUNDS]
# PEER_DIR defaults to ../shared/peer (torch_ref.py); it needs Debian's
# python3-torch and libopenblas0-pthread. nfvi does not depend on it.
set -euo pipefail
cd "$(dirname "$0")/.."
peer_dir="${1:-../shared/peer}"
rounds="${2:-3}"
[ -f "$peer_dir/torch_ref.py" ] || { echo "compare-with-peer: no $peer_dir/torch_ref.py" >&2; exit 2; }
/usr/bin/python3 -c "import torch" 2>/dev/null ||
  { echo "compare-with-peer: needs python3-torch (apt-get install python3-torch libopenblas0-pthread)" >&2; exit 2; }
[ -x build/bench/nfvi_bench_step ] || bash scripts/build.sh >/dev/null

nfvi_ms=()
torch_ms=()
for r in $(seq "$rounds"); do
  ms=$(OMP_NUM_THREADS=1 ./build/bench/nfvi_bench_step --benchmark_filter='U1/50/1000' \
         --benchmark_format=csv 2>/dev/null | awk -F, '/U1\/50\/1000\/repeats:[0-9]+_median/ {print $3}')
  nfvi_ms+=("$ms")
  s=$(OMP_NUM_THREADS=1 /usr/bin/python3 "$peer_dir/torch_ref.py" U1 300 50 1000 1 | sed -n 's/.*s_per_step=\([0-9.]*\).*/\1/p')
  torch_ms+=("$(awk -v s="$s" 'BEGIN {print s * 1000}')")
  echo "round $r: nfvi ${nfvi_ms[-1]} ms/step, PyTorch ${torch_ms[-1]} ms/step"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
n=$(median "${nfvi_ms[@]}")
t=$(median "${torch_ms[@]}")
awk -v n="$n" -v t="$t" 'BEGIN {printf "median: nfvi %.3f ms/step, PyTorch %.2f ms/step, ratio %.1fx\n", n, t, t / n}'
