#!/usr/bin/env bash
# Step time of nfvi's rational-quadratic spline coupling flow against its
# PyTorch peer (bench/torch_spline_flow.py, float64 like nfvi), side by side in
# one run: alternates the two ROUNDS times on U1 with spline:4 (8 bins on
# [-5, 5], a 1-32-32-23 conditioner per layer), N = 1000, THREADS threads each
# (1 by default), and prints both medians and the ratio nfvi/PyTorch (below 1:
# nfvi is faster). Wall time is what counts; CPU time is printed beside it
# because machines here are shared and noisy. Only medians are meaningful.
#
#   bash bench/compare-spline-with-peer.sh [THREADS] [ROUNDS]
# The peer needs Debian's python3-torch and libopenblas0-pthread, and the
# energies of ../shared/peer/torch_ref.py (or $NFVI_PEER_DIR). nfvi does not
# depend on it.
#   nfvi:    build/bench/nfvi_bench_step --benchmark_filter=U1_spline4/1000
#            (7 repetitions after 20 warm-up steps; the median row)
#   PyTorch: bench/torch_spline_flow.py U1 300 4 1000 1 (the median of 300 steps)
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${1:-1}"
rounds="${2:-3}"
peer_dir="${NFVI_PEER_DIR:-../shared/peer}"
[ -f "$peer_dir/torch_ref.py" ] || { echo "compare-spline-with-peer: no $peer_dir/torch_ref.py" >&2; exit 2; }
/usr/bin/python3 -c "import torch" 2>/dev/null ||
  { echo "compare-spline-with-peer: needs python3-torch (apt-get install python3-torch libopenblas0-pthread)" >&2; exit 2; }
[ -x build/bench/nfvi_bench_step ] || bash scripts/build.sh >/dev/null
./build/bench/nfvi_bench_step --benchmark_list_tests | grep -q 'U1_spline4/1000' ||
  { echo "compare-spline-with-peer: build/bench/nfvi_bench_step has no U1_spline4 case; rebuild (bash scripts/build.sh)" >&2; exit 2; }

echo "spline:4, U1, N = 1000, $threads thread(s), $rounds rounds; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
nfvi_ms=()
nfvi_cpu=()
torch_ms=()
torch_cpu=()
for r in $(seq "$rounds"); do
  # CSV columns: name, iterations, real_time, cpu_time, time_unit (ms), ...
  row=$(OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" ./build/bench/nfvi_bench_step \
          --benchmark_filter='U1_spline4/1000' --benchmark_format=csv 2>/dev/null |
        awk -F, '/U1_spline4\/1000\/repeats:[0-9]+_median/ {print $3, $4}')
  nfvi_ms+=("${row% *}")
  nfvi_cpu+=("${row#* }")
  line=$(OPENBLAS_NUM_THREADS="$threads" /usr/bin/python3 bench/torch_spline_flow.py U1 300 4 1000 1 \
           --threads "$threads" --peer-dir "$peer_dir" --no-fresh --no-logz)
  torch_ms+=("$(echo "$line" | sed -n 's/.* s_per_step=\([0-9.]*\).*/\1/p' | awk '{print $1 * 1000}')")
  torch_cpu+=("$(echo "$line" | sed -n 's/.* cpu_s_per_step=\([0-9.]*\).*/\1/p' | awk '{print $1 * 1000}')")
  echo "round $r: nfvi ${nfvi_ms[-1]} ms/step (CPU ${nfvi_cpu[-1]}), PyTorch ${torch_ms[-1]} ms/step (CPU ${torch_cpu[-1]})"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
n=$(median "${nfvi_ms[@]}")
t=$(median "${torch_ms[@]}")
nc=$(median "${nfvi_cpu[@]}")
tc=$(median "${torch_cpu[@]}")
awk -v n="$n" -v t="$t" -v nc="$nc" -v tc="$tc" 'BEGIN {
  printf "median: nfvi %.3f ms/step, PyTorch %.3f ms/step, ratio nfvi/PyTorch %.3f (PyTorch %.1fx slower)\n", n, t, n / t, t / n
  printf "median CPU: nfvi %.3f ms/step, PyTorch %.3f ms/step, ratio nfvi/PyTorch %.3f\n", nc, tc, nc / tc
}'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
