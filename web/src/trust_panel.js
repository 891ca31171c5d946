// The flow view's trust panel: can the fit shown be trusted? Its figures come
// from FlowSession.diagnostics (vi/importance_diagnostics.hpp) on fresh
// samples of q at each redraw: log Z by importance sampling beside the
// target's own (by quadrature, or exact), the ESS as a share of the samples,
// and Pareto k̂ against its threshold, coloured by what it means.

const $ = (id) => document.getElementById(id);

// k̂ as text: a flat tail has k̂ = −∞, and NaN means too few weights to fit.
function kHatText(kHat) {
  if (kHat === -Infinity) return '−∞ (a flat tail)';
  return Number.isFinite(kHat) ? kHat.toFixed(2) : 'not estimated';
}

// d: the diagnostics object; steps: the steps of the flow shown.
export function showTrust(d, steps) {
  $('trust-samples').textContent = `from ${d.samples.toLocaleString('en')} fresh samples of q at step ${steps}`;
  $('trust-logz-is').textContent = Number.isFinite(d.logZIs) ? `${d.logZIs.toFixed(4)} ± ${d.logZIsSe.toFixed(4)}` : '–';
  $('trust-logz').textContent = d.logZQuadrature.toFixed(4);
  $('trust-ess').textContent = Number.isFinite(d.essFraction)
    ? `${(100 * d.essFraction).toPrecision(3)}% (${Math.round(d.ess).toLocaleString('en')})` : '–';
  // Few effective samples: a warning colour below 10%.
  $('trust-ess').className = d.essFraction < 0.1 ? 'warn' : '';
  // Above 0.5 the weights' variance is probably infinite, though below the threshold IS still works.
  const kHat = $('trust-khat');
  kHat.textContent = `${kHatText(d.kHat)} (threshold ${d.kHatThreshold.toFixed(2)})`;
  kHat.className = !d.reliable ? 'bad' : d.kHat > 0.5 ? 'warn' : 'good';
  kHat.closest('div').dataset.reliable = String(d.reliable);
  // The core's verdict, and the log Z disagreement when there is one.
  const verdict = $('trust-verdict');
  const text = d.warning ? `${d.verdict}. ${d.warning}` : d.verdict;
  if (verdict.textContent !== text) verdict.textContent = text;
  verdict.className = `trust-verdict ${!d.reliable || d.warning ? 'bad' : d.kHat > 0.5 ? 'warn' : 'good'}`;
}
