#!/usr/bin/env bash
# Standard, annealed and STL training of the default flow (planar:50 at the
# seed study's settings: N 1000, lr 2e-3, the target's default steps) over
# U1-U4, U8 and gmm40 (FAB's 40-mode mixture), then one Markdown table per
# target and training mode: the saved flow's true KL (kl_true, from 10^5
# fresh samples; every one of these targets has log Z known), mean and worst
# over the seeds; the mean ESS; the mean Pareto k-hat and how many seeds had
# it at or above its threshold (importance sampling not reliable); the mean
# IS log Z less the known log Z (far below 0: q misses mass); for gmm40
# the modes covered (at least 0.5% of 10^5 fresh samples nearest a mode's
# mean), mean and per seed; and the mean training seconds per fit.
#   bash scripts/diagnostics-study.sh [RUNS_DIR] [SEED ...]
# Runs go to RUNS_DIR/<mode>/<target>-seed<seed>/ (default
# runs/diagnostics-study, seeds 1 2 3); a run that is already there is not
# repeated. Seeds run in the outer loop, so a study cut short has every cell
# for its first seeds. NFVI names the program (default build/native/nfvi).
set -uo pipefail
cd "$(dirname "$0")/.."
study="${1:-runs/diagnostics-study}"
shift || true
seeds=("$@")
[ ${#seeds[@]} -gt 0 ] || seeds=(1 2 3)
NFVI="${NFVI:-build/native/nfvi}"
[ -x "$NFVI" ] || bash scripts/build.sh
targets=(U1 U2 U3 U4 U8 gmm40)
anneal_steps=2000

# name | flags
modes=(
  "standard|"
  "annealed|--anneal $anneal_steps"
  "stl|--gradient stl"
)

for seed in "${seeds[@]}"; do
  for t in "${targets[@]}"; do
    for entry in "${modes[@]}"; do
      IFS='|' read -r name flags <<<"$entry"
      out="$study/$name/${t,,}-seed$seed"
      [ -f "$out/summary.json" ] && continue
      mkdir -p "$study/$name"
      # shellcheck disable=SC2086  # flags is a list of words
      "$NFVI" fit --target "$t" $flags --seed "$seed" --no-figures --out "$out" --overwrite \
        >/dev/null 2>"$out.log" || echo "diagnostics-study: $name on $t seed $seed failed: $(tail -1 "$out.log")" >&2
    done
  done
done

node -e '
const fs = require("fs");
const [study, seedList, anneal] = process.argv.slice(1);
const seeds = seedList.split(" ");
const targets = ["U1", "U2", "U3", "U4", "U8", "gmm40"];
const modes = ["standard", "annealed", "stl"];
const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
console.log("| target | training | kl_true, mean (worst) | ESS, mean | k̂, mean (seeds at or above 0.7) | IS log Z − log Z, mean | modes covered of 40, mean (per seed) | s per fit | seeds |");
console.log("|---".repeat(9) + "|");
for (const t of targets) {
  for (const m of modes) {
    const runs = [];
    for (const seed of seeds) {
      const file = `${study}/${m}/${t.toLowerCase()}-seed${seed}/summary.json`;
      if (fs.existsSync(file)) runs.push(JSON.parse(fs.readFileSync(file, "utf8")));
    }
    const label = m === "annealed" ? `annealed (${anneal} steps)` : m;
    if (!runs.length) {
      console.log(`| ${t} | ${label} | - | - | - | - | - | - | 0 of ${seeds.length} |`);
      continue;
    }
    const kl = runs.map((s) => s.kl_true);
    const ess = runs.map((s) => 100 * s.diagnostics.ess_fraction);
    // k_hat is null for a flat tail (-inf) or when not estimated: left out of the mean.
    const khat = runs.map((s) => s.diagnostics.k_hat).filter((k) => k !== null);
    const above = runs.filter((s) => !s.diagnostics.reliable).length;
    const gap = mean(runs.map((s) => s.diagnostics.log_z_is - s.log_z));
    const modesCell = runs[0].modes_covered
      ? `${mean(runs.map((s) => s.modes_covered.count)).toFixed(1)} (${runs.map((s) => s.modes_covered.count).join(", ")})`
      : "";
    console.log(`| ${t} | ${label} | ${mean(kl).toFixed(4)} (${Math.max(...kl).toFixed(4)}) | ${mean(ess).toFixed(1)}% | ` +
      `${khat.length ? mean(khat).toFixed(2) : "-"} (${above}) | ${(Math.round(gap * 1e4) / 1e4 || 0).toFixed(4)} | ${modesCell} | ${mean(runs.map((s) => s.seconds)).toFixed(1)} | ` +
      `${runs.length} of ${seeds.length} |`);
  }
}
' "$study" "${seeds[*]}" "$anneal_steps"
echo
echo "kl_true: the saved flow's true KL in nats from 10^5 fresh samples, over seeds ${seeds[*]}. ESS: the effective"
echo "sample size as a share of those samples. k̂: Pareto k-hat of their importance weights (threshold 0.7)."
echo "IS log Z − log Z: the importance-sampled log Z from the same samples less the exact or quadrature log Z."
echo "Modes covered: gmm40's modes nearest to at least 0.5% of 10^5 fresh samples. s per fit: training seconds."
