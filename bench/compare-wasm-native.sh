#!/usr/bin/env bash
# Step time of the WebAssembly module (Node) against the native program, side
# by side in one run: alternates the two ROUNDS times on U1 (K=50, N=1000) and
# prints both medians and their ratio (wasm / native). Machines here are
# shared and noisy, so only the medians and the ratio are meaningful.
#
#   bash bench/compare-wasm-native.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"
[ -x build/bench/nfvi_bench_step ] || bash scripts/build.sh >/dev/null
[ -f build-wasm/wasm/nfvi.wasm ] || bash scripts/build-wasm.sh >/dev/null

native_ms=()
wasm_ms=()
for r in $(seq "$rounds"); do
  ms=$(./build/bench/nfvi_bench_step --benchmark_filter='U1/50/1000' --benchmark_format=csv 2>/dev/null |
         awk -F, '/U1\/50\/1000\/repeats:[0-9]+_median/ {print $3}')
  native_ms+=("$ms")
  ms=$(node --no-experimental-fetch bench/wasm_step.mjs U1 50 1000 | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p')
  wasm_ms+=("$ms")
  echo "round $r: native ${native_ms[-1]} ms/step, wasm ${wasm_ms[-1]} ms/step"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
n=$(median "${native_ms[@]}")
w=$(median "${wasm_ms[@]}")
awk -v n="$n" -v w="$w" 'BEGIN {printf "median: native %.3f ms/step, wasm %.3f ms/step, ratio wasm/native %.2fx\n", n, w, w / n}'
