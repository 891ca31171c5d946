#!/usr/bin/env bash
# Installs what nfvi needs to build and test on Debian 12, from Debian's
# packages only. Does nothing (and needs no network) when all are present.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git      # toolchain
  libeigen3-dev                             # core: linear algebra
  libcli11-dev nlohmann-json3-dev           # native: flags, JSON
  libplplot-dev plplot-driver-cairo         # native: figures (pngcairo)
  catch2 libbenchmark-dev                   # tests and benchmarks
  zlib1g-dev                                # data: gzipped IDX files
  libopenblas-dev                           # core (native): Eigen's matrix products through OpenBLAS
  dataset-fashion-mnist                     # data: Fashion-MNIST (IDX, /usr/share/datasets/fashion-mnist)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
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
echo "install-deps: done"
