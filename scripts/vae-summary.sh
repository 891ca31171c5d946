#!/usr/bin/env bash
# Summarises a VAE study (scripts/vae-study.sh): per configuration, the last
# finished epoch's test -log p(x) (200 importance samples), test ELBO and
# training ELBO as mean +- half the min-max spread over seeds, and seconds
# per batch; unfinished runs are reported at their last evaluated epoch.
# Also draws the learning curves (curves-*.png) with nfvi plot-curves.
#
#   scripts/vae-summary.sh [STUDY_DIR]     (default runs/vae-study)
set -uo pipefail
study="${1:-runs/vae-study}"
nfvi="$study/nfvi"
[ -x "$nfvi" ] || nfvi=build/native/nfvi

printf '| data | flows | samples | seeds | epochs | test -log p(x) | test ELBO | train ELBO | s/batch |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
for group in $(ls -d "$study"/*-seed* 2>/dev/null | grep -v '\.log$' | sed 's/-seed[0-9]*$//' | sort -u); do
  # The last row of each seed's elbo.csv that has a test -log p(x).
  for dir in "$group"-seed*; do
    [ -d "$dir" ] && [ -f "$dir/elbo.csv" ] || continue
    awk -F, 'NR > 1 && $4 != "" { last = $0 } NR > 1 { s += $5; n++ } END { if (last != "") print last "," (n ? s / n : 0) }' \
      "$dir/elbo.csv"
  done | awk -F, -v name="$(basename "$group")" '
    function fmt(sum, lo, hi, n) { return sprintf("%.2f ± %.2f", sum / n, (hi - lo) / 2) }
    { n++; ep = (n == 1 || $1 < ep) ? $1 : ep
      for (i = 2; i <= 4; i++) { v = $i; s[i] += v; if (n == 1 || v < lo[i]) lo[i] = v; if (n == 1 || v > hi[i]) hi[i] = v }
      secs += $6 }
    END {
      if (n == 0) exit
      split(name, p, "-"); sub("f", "", p[2]); sub("s", "", p[3])
      printf "| %s | %s | %s | %d | %d | %s | %s | %s | %.4f |\n", p[1], p[2], p[3], n, ep,
             fmt(-s[4] * -1, lo[4], hi[4], n), fmt(s[3], lo[3], hi[3], n), fmt(s[2], lo[2], hi[2], n), secs / n / 71 }'
done
echo
echo "(s/batch = mean epoch seconds / 71 batches; right for digits only: for Fashion-MNIST divide by 469/71.)"
runs=$(ls -d "$study"/digits-*-seed* 2>/dev/null | grep -v '\.log$')
if [ -n "$runs" ]; then
  for metric in train_elbo test_elbo test_nll; do
    "$nfvi" plot-curves $runs --metric "$metric" --out "$study/curves-$metric.png" >/dev/null || true
  done
  echo "curves: $study/curves-{train_elbo,test_elbo,test_nll}.png"
fi
