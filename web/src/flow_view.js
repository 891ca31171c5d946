// The flow view: wires its controls, the URL hash, its worker and its
// views together. The worker starts when the view is first shown.
import { download, drawDensity, drawLayer, KlChart } from './charts.js';
import { checkSettings, DEFAULTS, FIELDS, RecentMean, settingsToHash, textsFromHash } from './model.js';
import { throttledUpdate, ViewControls } from './view_controls.js';

const controls = new ViewControls({ prefix: '', fields: FIELDS, check: checkSettings });
const { $ } = controls;
let chart = null;
let chartChanged = null; // marks the chart for its next redraw

let settings = { ...DEFAULTS };
let logZ = 0;
let recent = new RecentMean(100);
let layerView = null; // { samples, layers, n }
let sessions = 0; // sessions shown so far (the browser test waits on it)

// ---- controls -------------------------------------------------------------

// Applies the controls' values: a new session from the seed, and the URL hash
// updated so that a copied link reproduces the run.
function applyControls({ fromHash = false } = {}) {
  const state = controls.settingsToApply({ fromHash });
  if (state === null) return;
  settings = state;
  const hash = settingsToHash(settings);
  if (!fromHash && window.location.hash !== hash) history.replaceState(null, '', hash);
  controls.showFailure('');
  controls.setRunning(false);
  $('source').textContent = `a new flow from seed ${settings.seed}`;
  controls.worker.postMessage({ type: 'init', settings });
}

function applyHash() {
  controls.setFields(textsFromHash(window.location.hash));
  if (controls.ready) applyControls({ fromHash: true });
}

// Shows the view for this hash; the first call starts the worker.
export function showFlowView() {
  if (controls.worker === null) start();
  applyHash();
}

// Leaving the view pauses its training.
export function hideFlowView() {
  controls.pause();
}

controls.wireButtons(applyControls);
controls.wireFiles({ maxBytes: 50e6, settings: () => settings });
$('layer-k').addEventListener('input', () => drawLayerView());

// ---- views ----------------------------------------------------------------

function klTrueOf(estimate) {
  return recent.push(estimate) + logZ;
}

function drawLayerView() {
  if (layerView === null) return;
  const k = Math.min(Number($('layer-k').value), layerView.layers);
  $('layer-k-value').textContent = `k = ${k} of ${layerView.layers}`;
  drawLayer($('layer-canvas'), layerView.samples, layerView.layers, layerView.n, k);
}

function start() {
  chart = new KlChart($('kl-chart'));
  chartChanged = throttledUpdate(chart);
  controls.startWorker(new URL('./flow_worker.js', import.meta.url), onMessage);
}

function onMessage({ data }) {
  switch (data.type) {
    case 'ready':
      $('status').textContent = 'WebAssembly module ready';
      controls.ready = true;
      applyControls({ fromHash: true });
      break;
    case 'session': {
      logZ = data.logZ;
      recent = new RecentMean(100);
      chart.reset(logZ, data.history, klTrueOf);
      drawDensity($('true-canvas'), data.trueDensity, data.bins);
      $('layer-k').max = String(data.layers);
      $('layer-k').value = String(data.layers);
      // A loaded model brings its own energy and number of layers.
      if (data.energy !== settings.energy || data.layers !== settings.layers) {
        settings = { ...settings, energy: data.energy, layers: data.layers };
        controls.setFields(settings);
        history.replaceState(null, '', settingsToHash(settings));
        controls.settingsShown(settings);
      }
      const klEstimate = data.history.length ? recent.mean() : NaN;
      const klTrue = data.history.length ? klEstimate + logZ : data.klTrueFresh;
      controls.showKlStats({ steps: data.steps, klEstimate, klTrue, stepsPerSecond: null }, logZ);
      sessions += 1;
      document.body.dataset.sessions = String(sessions);
      $('status').textContent = `${data.energy}: K = ${data.layers}, N = ${data.samples}, lr = ${data.lr}, seed ${data.seed}`;
      break;
    }
    case 'progress': {
      const first = data.steps - data.estimates.length + 1;
      data.estimates.forEach((e, i) => chart.add(first + i, e, klTrueOf(e)));
      chartChanged();
      controls.showKlStats(data, logZ);
      if (!data.running && controls.running) controls.setRunning(false);
      document.body.dataset.running = String(data.running);
      break;
    }
    case 'paused':
      document.body.dataset.running = 'false';
      break;
    case 'views':
      drawDensity($('learned-canvas'), data.learnedDensity, data.bins);
      layerView = { samples: data.layerSamples, layers: data.layers, n: data.points };
      drawLayerView();
      break;
    case 'model':
      download(data.json, data.name);
      break;
    case 'failure':
      controls.showWorkerFailure(data, 'the previous flow is kept');
      break;
    default:
      break;
  }
}
