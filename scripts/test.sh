#!/usr/bin/env bash
# Every test: installs dependencies, builds, and runs the whole suite twice:
# once in the Release build, and once under AddressSanitizer and
# UndefinedBehaviorSanitizer (preset "debug-sanitize").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

bash scripts/build.sh
ctest --test-dir build --output-on-failure

cmake --preset debug-sanitize >/dev/null
cmake --build --preset debug-sanitize -j"$(nproc)"
ctest --preset debug-sanitize
