#!/usr/bin/env bash
# Reproduces the seed study's unconditional runs: the five energies at the
# seed's settings (K=50, N=1000, lr 2e-3, 5000 steps for U1/U2, 10000 for
# U3/U4/U8) for the given seeds (default 1 2 3), then prints the true KL of
# each as a Markdown table. Runs go to runs/<energy>-seed<seed>/.
#   bash scripts/seed-study.sh [SEED ...]
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=("${@:-1 2 3}")
read -r -a seeds <<<"${seeds[*]}"
[ -x build/native/nfvi ] || bash scripts/build.sh
energies=(U1 U2 U3 U4 U8)
for seed in "${seeds[@]}"; do
  for u in "${energies[@]}"; do
    ./build/native/nfvi fit --potential "$u" --seed "$seed" --out "runs/${u,,}-seed$seed" --overwrite 2>/dev/null
  done
done

python3 - "${seeds[@]}" <<'PY'
import json, statistics, sys
seeds = sys.argv[1:]
energies = ["U1", "U2", "U3", "U4", "U8"]
seed_study = {"U1": 0.023, "U2": 0.008, "U3": 0.016, "U4": 0.010, "U8": 0.039}
print("| energy | " + " | ".join(f"seed {s}" for s in seeds) + " | mean | seed study (PyTorch) | ms/step (median) |")
print("|---" * (len(seeds) + 4) + "|")
for u in energies:
    runs = [json.load(open(f"runs/{u.lower()}-seed{s}/summary.json")) for s in seeds]
    kls = [r["kl_true"] for r in runs]
    ms = statistics.median(1000 * r["seconds_per_step"] for r in runs)
    print(f"| {u} | " + " | ".join(f"{k:.4f}" for k in kls) +
          f" | {statistics.mean(kls):.4f} | {seed_study[u]:.3f} | {ms:.3f} |")
PY
