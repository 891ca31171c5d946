// The flow view: wires its controls, the URL hash, its worker and its
// views together. The worker starts when the view is first shown.
import { download, drawDensity, drawLayer, KlChart } from './charts.js';
import { checkSettings, DEFAULTS, FIELDS, RecentMean, settingsToHash, textsFromHash } from './model.js';

const $ = (id) => document.getElementById(id);
let worker = null;
let chart = null;
let workerReady = false;
let initedSettings = null; // the settings of the session shown

let settings = { ...DEFAULTS };
let logZ = 0;
let recent = new RecentMean(100);
let running = false;
let layerView = null; // { samples, layers, n }
let chartDirty = false;
let sessions = 0; // sessions shown so far (the browser test waits on it)

// ---- controls -------------------------------------------------------------

function fieldTexts() {
  const texts = {};
  for (const name of Object.keys(FIELDS)) texts[name] = $(name).value;
  return texts;
}

function showErrors(errors) {
  for (const name of Object.keys(FIELDS)) {
    const message = errors[name] ?? '';
    $(`${name}-error`).textContent = message;
    $(name).classList.toggle('invalid', message !== '');
    $(name).setAttribute('aria-invalid', message !== '' ? 'true' : 'false');
  }
  const ok = Object.keys(errors).length === 0;
  for (const id of ['run', 'step', 'reset']) $(id).disabled = !ok;
  return ok;
}

function setControls(texts) {
  for (const name of Object.keys(FIELDS)) $(name).value = texts[name];
}

function setRunning(value) {
  running = value;
  $('run').textContent = running ? 'Pause' : 'Run';
  $('run').classList.toggle('running', running);
}

function showFailure(message) {
  $('failure').textContent = message;
  $('failure').hidden = message === '';
}

// Applies the controls' values: a new session from the seed, and the URL hash
// updated so that a copied link reproduces the run.
function applyControls({ fromHash = false } = {}) {
  const { state, errors } = checkSettings(fieldTexts());
  if (!showErrors(errors)) return;
  // Coming back to the view with the same settings keeps the run.
  if (fromHash && workerReady && JSON.stringify(state) === initedSettings) return;
  settings = state;
  initedSettings = JSON.stringify(state);
  const hash = settingsToHash(settings);
  if (!fromHash && window.location.hash !== hash) history.replaceState(null, '', hash);
  showFailure('');
  setRunning(false);
  $('source').textContent = `a new flow from seed ${settings.seed}`;
  worker.postMessage({ type: 'init', settings });
}

function applyHash() {
  setControls(textsFromHash(window.location.hash));
  if (workerReady) applyControls({ fromHash: true });
}

// Shows the view for this hash; the first call starts the worker.
export function showFlowView() {
  if (worker === null) start();
  applyHash();
}

// Leaving the view pauses its training.
export function hideFlowView() {
  if (worker !== null && running) {
    setRunning(false);
    worker.postMessage({ type: 'pause' });
  }
}

for (const name of Object.keys(FIELDS)) {
  $(name).addEventListener('change', () => applyControls());
  $(name).addEventListener('input', () => showErrors(checkSettings(fieldTexts()).errors));
}

$('run').addEventListener('click', () => {
  setRunning(!running);
  if (running) showFailure('');
  worker.postMessage({ type: running ? 'run' : 'pause' });
});
$('step').addEventListener('click', () => {
  setRunning(false);
  worker.postMessage({ type: 'step', steps: 1 });
});
$('reset').addEventListener('click', () => applyControls());
$('layer-k').addEventListener('input', () => drawLayerView());

$('save').addEventListener('click', () => worker.postMessage({ type: 'save' }));
$('load').addEventListener('change', async () => {
  const file = $('load').files[0];
  $('load-error').textContent = '';
  if (!file) return;
  if (file.size > 50e6) {
    $('load-error').textContent = `${file.name} is too large for a model file`;
    return;
  }
  setRunning(false);
  worker.postMessage({ type: 'load', text: await file.text(), settings, name: file.name });
  $('source').textContent = `loaded from ${file.name}`;
  $('load').value = '';
});

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

function showStats(stats) {
  const fmt = (x, digits = 4) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
  $('stat-step').textContent = String(stats.steps);
  $('stat-estimate').textContent = fmt(stats.klEstimate);
  $('stat-logz').textContent = fmt(logZ);
  $('stat-kl-true').textContent = fmt(stats.klTrue);
  if (stats.stepsPerSecond !== undefined) {
    $('stat-speed').textContent = stats.stepsPerSecond ? stats.stepsPerSecond.toFixed(0) : '–';
  }
}

function start() {
  worker = new Worker(new URL('./flow_worker.js', import.meta.url), { type: 'module' });
  chart = new KlChart($('kl-chart'));
  setInterval(() => {
    if (chartDirty) {
      chart.update();
      chartDirty = false;
    }
  }, 250);
  worker.onmessage = onMessage;
  worker.onerror = (event) => showFailure(`worker: ${event.message}`);
}

function onMessage({ data }) {
  switch (data.type) {
    case 'ready':
      $('status').textContent = 'WebAssembly module ready';
      workerReady = true;
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
        setControls(Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, String(v)])));
        history.replaceState(null, '', settingsToHash(settings));
        initedSettings = JSON.stringify(settings);
      }
      const klEstimate = data.history.length ? recent.mean() : NaN;
      const klTrue = data.history.length ? klEstimate + logZ : data.klTrueFresh;
      showStats({ steps: data.steps, klEstimate, klTrue, stepsPerSecond: null });
      sessions += 1;
      document.body.dataset.sessions = String(sessions);
      $('status').textContent = `${data.energy}: K = ${data.layers}, N = ${data.samples}, lr = ${data.lr}, seed ${data.seed}`;
      break;
    }
    case 'progress': {
      const first = data.steps - data.estimates.length + 1;
      data.estimates.forEach((e, i) => chart.add(first + i, e, klTrueOf(e)));
      chartDirty = true;
      showStats(data);
      if (!data.running && running) setRunning(false);
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
      setRunning(false);
      if (data.where === 'load') {
        $('load-error').textContent = data.message;
        $('source').textContent = 'the previous flow is kept';
      } else {
        showFailure(data.where === 'training' ? data.message : `${data.where}: ${data.message}`);
      }
      break;
    default:
      break;
  }
}
