#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: install dependencies, build
# the native program and the web page, and train the default energy (U1 at
# the seed study's settings), writing its figures, kl.csv and summary.json to
# runs/u1/. `bash scripts/serve-web.sh` then serves the page on localhost.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
bash scripts/build-web.sh
./build/native/nfvi fit --potential U1 --out runs/u1 --overwrite  # a re-run replaces the last one
echo "figures: runs/u1/true_density.png learned_density.png layers.png kl.png"
echo "web page: built in web/dist/; serve it with: bash scripts/serve-web.sh   (then open http://127.0.0.1:8080/)"
