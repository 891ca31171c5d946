#!/usr/bin/env bash
# Step time of the WebAssembly module (Node) against the native program, side
# by side in one run: alternates them ROUNDS times on U1 (K=50, N=1000) and
# prints the medians and the ratios. Two native builds are timed:
#  - build/: the default, compiled for this machine (-march=native; AVX-512
#    here: 8 doubles per vector instruction, with FMA);
#  - build-portable/: plain x86-64 (SSE2: 2 doubles per vector instruction,
#    no FMA), the same vector width as wasm's simd128.
# Machines here are shared and noisy, so only medians and ratios mean much.
#
#   bash bench/compare-wasm-native.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"
[ -x build/bench/nfvi_bench_step ] || bash scripts/build.sh >/dev/null
if [ ! -x build-portable/bench/nfvi_bench_step ]; then
  cmake -S . -B build-portable -DCMAKE_BUILD_TYPE=Release -DNFVI_NATIVE_ARCH=OFF >/dev/null
  cmake --build build-portable --target nfvi_bench_step -j"$(nproc)" >/dev/null
fi
[ -f build-wasm/wasm/nfvi.wasm ] || bash scripts/build-wasm.sh >/dev/null

native_step() {
  "$1" --benchmark_filter='U1/50/1000' --benchmark_format=csv 2>/dev/null |
    awk -F, '/U1\/50\/1000\/repeats:[0-9]+_median/ {print $3}'
}
native_ms=()
portable_ms=()
wasm_ms=()
for r in $(seq "$rounds"); do
  native_ms+=("$(native_step ./build/bench/nfvi_bench_step)")
  portable_ms+=("$(native_step ./build-portable/bench/nfvi_bench_step)")
  wasm_ms+=("$(node --no-experimental-fetch bench/wasm_step.mjs U1 50 1000 | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p')")
  echo "round $r: native ${native_ms[-1]} ms/step, native-portable ${portable_ms[-1]} ms/step, wasm ${wasm_ms[-1]} ms/step"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
n=$(median "${native_ms[@]}")
p=$(median "${portable_ms[@]}")
w=$(median "${wasm_ms[@]}")
awk -v n="$n" -v p="$p" -v w="$w" 'BEGIN {
  printf "median: native %.3f ms/step, native-portable %.3f ms/step, wasm %.3f ms/step\n", n, p, w
  printf "ratio wasm/native %.2fx, wasm/native-portable %.2fx\n", w / n, w / p }'
