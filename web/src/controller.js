// Wires the controls, the URL hash, the worker and the views together.
import { drawDensity, drawLayer, KlChart } from './charts.js';
import { checkSettings, DEFAULTS, FIELDS, RecentMean, settingsToHash, textsFromHash } from './model.js';

const $ = (id) => document.getElementById(id);
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const chart = new KlChart($('kl-chart'));

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
  settings = state;
  const hash = settingsToHash(settings);
  if (!fromHash && window.location.hash !== hash) history.replaceState(null, '', hash);
  showFailure('');
  setRunning(false);
  $('source').textContent = `a new flow from seed ${settings.seed}`;
  worker.postMessage({ type: 'init', settings });
}

function applyHash() {
  setControls(textsFromHash(window.location.hash));
  applyControls({ fromHash: true });
}

for (const name of Object.keys(FIELDS)) {
  $(name).addEventListener('change', () => applyControls());
  $(name).addEventListener('input', () => showErrors(checkSettings(fieldTexts()).errors));
}
window.addEventListener('hashchange', applyHash);

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

function download(json, name) {
  const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

setInterval(() => {
  if (chartDirty) {
    chart.update();
    chartDirty = false;
  }
}, 250);

worker.onmessage = ({ data }) => {
  switch (data.type) {
    case 'ready':
      $('status').textContent = 'WebAssembly module ready';
      applyHash();
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
      download(data.json, `nfvi-${data.energy}-K${data.layers}-seed${data.seed}-step${data.steps}.json`);
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
};
worker.onerror = (event) => showFailure(`worker: ${event.message}`);
