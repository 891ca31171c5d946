#!/usr/bin/env bash
# Builds the web page and serves it on localhost (default port 8080; pass
# another as the first argument). Ctrl-C stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${1:-8080}"
bash scripts/install-deps.sh
bash scripts/build-web.sh
echo "nfvi web page: http://127.0.0.1:${port}/"
exec node_modules/.bin/http-server web/dist -a 127.0.0.1 -p "$port" -c-1 --silent
