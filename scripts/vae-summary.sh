#!/usr/bin/env bash
# Summarises a VAE study (scripts/vae-study.sh): per configuration, over the
# FINISHED seeds (summary.json present), the last epoch's test -log p(x)
# (importance sampling, 200 samples), test ELBO and training ELBO as
# mean ± half the min-max spread, and the mean seconds per training batch.
# Unfinished runs are listed with their last epoch. Also draws the learning
# curves of the finished digits runs (curves-*.png) with nfvi plot-curves.
#
#   scripts/vae-summary.sh [STUDY_DIR]     (default runs/vae-study)
set -uo pipefail
study="${1:-runs/vae-study}"
nfvi=build/native/nfvi
[ -x "$nfvi" ] || nfvi="$study/nfvi"

printf '| data | flows | samples | seeds | epochs | test -log p(x) | test ELBO | train ELBO | s/batch |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
unfinished=()
for group in $(ls -d "$study"/*-seed* 2>/dev/null | grep -v '\.log$' | sed 's/-seed[0-9]*$//' | sort -u); do
  for dir in "$group"-seed*; do
    [ -d "$dir" ] || continue
    if [ ! -f "$dir/summary.json" ]; then
      unfinished+=("$(basename "$dir") (epoch $(tail -1 "$dir/elbo.csv" 2>/dev/null | cut -d, -f1))")
      continue
    fi
    spb=$(grep -o '"seconds_per_batch":[0-9.e-]*' "$dir/summary.json" | cut -d: -f2)
    tail -1 "$dir/elbo.csv" | sed "s/\$/,$spb/"
  done | awk -F, -v name="$(basename "$group")" '
    function fmt(sum, lo, hi, n) { return sprintf("%.2f ± %.2f", sum / n, (hi - lo) / 2) }
    { n++; ep = $1
      for (i = 2; i <= 4; i++) { v = $i; s[i] += v; if (n == 1 || v < lo[i]) lo[i] = v; if (n == 1 || v > hi[i]) hi[i] = v }
      secs += $6 }
    END {
      if (n == 0) exit
      split(name, p, "-"); sub("f", "", p[2]); sub("s", "", p[3])
      printf "| %s | %s | %s | %d | %d | %s | %s | %s | %.4f |\n", p[1], p[2], p[3], n, ep,
             fmt(s[4], lo[4], hi[4], n), fmt(s[3], lo[3], hi[3], n), fmt(s[2], lo[2], hi[2], n), secs / n }'
done
echo
[ "${#unfinished[@]}" -gt 0 ] && echo "unfinished: ${unfinished[*]}"
runs=$(for d in "$study"/digits-*-seed*; do [ -f "$d/summary.json" ] && echo "$d"; done)
if [ -n "$runs" ]; then
  for metric in train_elbo test_elbo test_nll; do
    "$nfvi" plot-curves $runs --metric "$metric" --out "$study/curves-$metric.png" >/dev/null || true
  done
  echo "curves: $study/curves-{train_elbo,test_elbo,test_nll}.png"
fi
