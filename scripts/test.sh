#!/usr/bin/env bash
# Every test: installs dependencies, builds, and runs the whole suite:
#  1. the native suite (Catch2 and the command-line contract) in Release;
#  2. the same suite under AddressSanitizer and UndefinedBehaviorSanitizer
#     (preset "debug-sanitize");
#  3. the WebAssembly module in Node (parity with the native program);
#  4. the web page in headless Chromium (tests/browser/*.test.mjs);
#  5. the libFuzzer harnesses of every reader (clang, ASan, UBSan), 60 s each
#     (FUZZ_SECONDS), two at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

bash scripts/build.sh
ctest --test-dir build --output-on-failure

cmake --preset debug-sanitize >/dev/null
cmake --build --preset debug-sanitize -j"$(nproc)"
ctest --preset debug-sanitize

bash scripts/build-web.sh
# --no-experimental-fetch: Emscripten 3.1.6's loader must not take Node's fetch().
NFVI_NATIVE=build/native/nfvi node --no-experimental-fetch --test tests/wasm/module.test.mjs
# Every browser test file (the page, its defects, its layouts and features), one file at a time:
# they train in the browser, and two at once would share the two cores.
node --test --test-concurrency=1 tests/browser/*.test.mjs

bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
echo "test: all suites passed"
