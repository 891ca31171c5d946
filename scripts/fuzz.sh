#!/usr/bin/env bash
# Builds the libFuzzer harnesses (preset "fuzz": clang, ASan, UBSan) and runs
# each for SECONDS (default 60), two at a time, from a copy of its seed
# corpus in tests/fuzz/corpus/ (the copy grows; the repository's does not).
# First, every regression case in tests/fuzz/regressions/<harness>/ runs once.
# A finding stops the script with the crash file's name: keep that file in
# tests/fuzz/regressions/<harness>/ once it is fixed.
#   bash scripts/fuzz.sh [SECONDS] [HARNESS...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(flow_model conditional_model vae_checkpoint idx expression)

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"$(nproc)" >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run_one() {
  local name="$1" binary="build-fuzz/tests/fuzz/fuzz_$1"
  mkdir -p "$work/$name/corpus" "$work/$name/crashes"
  cp tests/fuzz/corpus/"$name"/* "$work/$name/corpus/"
  if [ -d "tests/fuzz/regressions/$name" ] && [ -n "$(ls -A "tests/fuzz/regressions/$name")" ]; then
    "$binary" tests/fuzz/regressions/"$name"/* >"$work/$name/regressions.log" 2>&1 ||
      { echo "fuzz $name: a regression case fails again:"; tail -20 "$work/$name/regressions.log"; return 1; }
  fi
  # -rss_limit_mb: a reader that allocates what a header announces shows up as a finding.
  if ! "$binary" "$work/$name/corpus" -max_total_time="$seconds" -rss_limit_mb=1024 -max_len=65536 \
      -artifact_prefix="$work/$name/crashes/" -print_final_stats=1 >"$work/$name/log" 2>&1; then
    echo "fuzz $name: FOUND A PROBLEM"
    tail -30 "$work/$name/log"
    for f in "$work/$name/crashes/"*; do mkdir -p tests/fuzz/regressions/"$name"; cp "$f" tests/fuzz/regressions/"$name"/; echo "kept $(basename "$f") in tests/fuzz/regressions/$name/"; done
    return 1
  fi
  local execs cov
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name/log")
  cov=$(grep -o 'cov: [0-9]*' "$work/$name/log" | tail -1)
  echo "fuzz $name: ${seconds} s, $execs runs, $cov, corpus $(ls "$work/$name/corpus" | wc -l) inputs, no finding"
}

status=0
pids=()
for name in "${harnesses[@]}"; do
  run_one "$name" &
  pids+=($!)
  if [ ${#pids[@]} -ge "$(nproc)" ]; then wait "${pids[0]}" || status=1; pids=("${pids[@]:1}"); fi
done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
