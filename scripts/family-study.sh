#!/usr/bin/env bash
# The flow families over U1-U4 and U8 and seeds 1-3: each family at the
# settings below (its flow spec, samples per step N, steps, learning rate and
# schedule), then one Markdown table of the true KL (the saved flow's, from
# 10^5 fresh samples: kl_true_fresh_100k) per family and energy, mean and
# worst over the seeds, with native seconds per step and seconds per fit,
# and the WebAssembly module's seconds per step (bench/wasm_step.mjs, U1).
# planar:50 runs at the seed study's settings, as the baseline.
#   bash scripts/family-study.sh [RUNS_DIR] [SEED ...]
# Runs go to RUNS_DIR/<family>/<energy>-seed<seed>/ (default runs/family-study);
# a run that is already there is not repeated.
set -uo pipefail
cd "$(dirname "$0")/.."
study="${1:-runs/family-study}"
shift || true
seeds=("$@")
[ ${#seeds[@]} -gt 0 ] || seeds=(1 2 3)
[ -x build/native/nfvi ] || bash scripts/build.sh
energies=(U1 U2 U3 U4 U8)

# name | flow spec | N | steps (0: the seed study's) | lr | schedule | anneal steps
families=(
  "planar 50|planar:50|1000|0|2e-3|constant|0"
  "radial 30|radial:30|1000|10000|5e-3|cosine|0"
  "affine 8|affine:8|500|5000|3e-3|cosine|500"
  "spline 4|spline:4:bins=12:bound=6|500|5000|3e-3|cosine|500"
)

for entry in "${families[@]}"; do
  IFS='|' read -r name flow samples steps lr schedule anneal <<<"$entry"
  dir="$study/${name// /-}"
  mkdir -p "$dir"
  for seed in "${seeds[@]}"; do
    for u in "${energies[@]}"; do
      out="$dir/${u,,}-seed$seed"
      [ -f "$out/summary.json" ] && continue
      step_flag=()
      [ "$steps" != 0 ] && step_flag=(--steps "$steps")
      ./build/native/nfvi fit --potential "$u" --flow "$flow" --samples "$samples" "${step_flag[@]}" --lr "$lr" \
        --lr-schedule "$schedule" --anneal "$anneal" --seed "$seed" --no-figures --out "$out" --overwrite \
        >/dev/null 2>"$out.log" || echo "family-study: $name on $u seed $seed failed: $(tail -1 "$out.log")" >&2
    done
  done
done

# WebAssembly seconds per step, one run of 200 steps per family on U1 (needs build-wasm/).
declare -A wasm_ms
if [ -f build-wasm/wasm/nfvi.mjs ]; then
  for entry in "${families[@]}"; do
    IFS='|' read -r name flow samples steps lr schedule anneal <<<"$entry"
    wasm_ms[$name]=$(node --no-experimental-fetch bench/wasm_step.mjs U1 "$flow" "$samples" 100 |
      sed -n 's/.*median \([0-9.]*\) ms\/step.*/\1/p')
  done
fi

for entry in "${families[@]}"; do
  IFS='|' read -r name flow samples steps lr schedule anneal <<<"$entry"
  echo "$name|$flow|$samples|$steps|$lr|$schedule|$anneal|${wasm_ms[$name]:-}"
done | node -e '
const fs = require("fs");
const [study, seedList] = process.argv.slice(1);
const seeds = seedList.split(" ");
const energies = ["U1", "U2", "U3", "U4", "U8"];
const lines = fs.readFileSync(0, "utf8").trim().split("\n");
console.log("| family (flow spec, N, steps, lr) | " + energies.join(" | ") + " | ms/step native | ms/step wasm | s per fit |");
console.log("|---".repeat(energies.length + 4) + "|");
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
for (const line of lines) {
  const [name, flow, samples, steps, lr, schedule, anneal, wasm] = line.split("|");
  const cells = [], ms = [], secs = [];
  for (const u of energies) {
    const kls = [];
    for (const seed of seeds) {
      const file = `${study}/${name.replace(/ /g, "-")}/${u.toLowerCase()}-seed${seed}/summary.json`;
      if (!fs.existsSync(file)) continue;
      const s = JSON.parse(fs.readFileSync(file, "utf8"));
      kls.push(s.kl_true_fresh_100k);
      ms.push(1000 * s.seconds_per_step);
      secs.push(s.seconds);
    }
    cells.push(kls.length ? `${(kls.reduce((a, b) => a + b, 0) / kls.length).toFixed(4)} (${Math.max(...kls).toFixed(4)})` : "-");
  }
  const settings = `${flow}, N ${samples}, ${steps === "0" ? "seed steps" : steps + " steps"}, lr ${lr}${schedule === "cosine" ? " cosine" : ""}${anneal !== "0" ? ", anneal " + anneal : ""}`;
  console.log(`| ${name} (${settings}) | ${cells.join(" | ")} | ${ms.length ? median(ms).toFixed(3) : "-"} | ${wasm || "-"} | ${secs.length ? median(secs).toFixed(1) : "-"} |`);
}
' "$study" "${seeds[*]}"
echo
echo "Cells: mean (worst) kl_true over seeds ${seeds[*]}, nats, of the saved flow from 10^5 fresh samples."
