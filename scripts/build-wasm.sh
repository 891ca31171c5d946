#!/usr/bin/env bash
# Builds the WebAssembly module with Debian's Emscripten under emcmake:
# build-wasm/wasm/nfvi.mjs and nfvi.wasm. Assumes scripts/install-deps.sh ran.
set -euo pipefail
cd "$(dirname "$0")/.."
# Emscripten 3.1.6's JavaScript tools need Debian's node modules (acorn).
export NODE_PATH=/usr/share/nodejs
emcmake cmake --preset wasm >/dev/null
cmake --build build-wasm -j"$(nproc)"
echo "build-wasm: built build-wasm/wasm/nfvi.mjs"
