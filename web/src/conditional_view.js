// The conditional view: one network maps an angle to a planar flow, trained
// live over the rotated-ring family. An angle slider redraws q(z|angle)
// beside p(z|angle) from the current network; a network trained by
// `nfvi cond` can be loaded from its summary.json and swept.
import { download, drawDensity, KlChart } from './charts.js';
import {
  checkConditionalSettings, CONDITIONAL_DEFAULTS, CONDITIONAL_FIELDS, hashParam, RecentMean, settingsToHash,
  textsFromHash,
} from './model.js';

const $ = (id) => document.getElementById(`c-${id}`);
const NAMES = Object.keys(CONDITIONAL_FIELDS);

let worker = null;
let workerReady = false;
let chart = null;
let chartDirty = false;
let settings = { ...CONDITIONAL_DEFAULTS };
let initedSettings = null;
let logZ = 0;
let recent = new RecentMean(100);
let running = false;
let sessions = 0;
let angleRequests = 0;    // slider requests sent
let angleRequestedAt = 0; // when the last one was sent (performance.now())
let trainedRange = [-Math.PI, Math.PI];

function fieldTexts() {
  return Object.fromEntries(NAMES.map((name) => [name, $(name).value]));
}

function showErrors(errors) {
  for (const name of NAMES) {
    const message = errors[name] ?? '';
    $(`${name}-error`).textContent = message;
    $(name).classList.toggle('invalid', message !== '');
    $(name).setAttribute('aria-invalid', message !== '' ? 'true' : 'false');
  }
  const ok = Object.keys(errors).length === 0;
  for (const id of ['run', 'step', 'reset']) $(id).disabled = !ok;
  return ok;
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

function angle() {
  return Number($('angle').value);
}

function writeHash() {
  history.replaceState(null, '', settingsToHash(settings, CONDITIONAL_FIELDS, 'conditional',
    { angle: angle().toFixed(2) }));
}

function describeAngle(a, extrapolation) {
  const degrees = (a * 180 / Math.PI).toFixed(0);
  const [lo, hi] = trainedRange;
  $('angle-value').textContent = `angle ${a.toFixed(2)} rad (${degrees}°)`;
  $('extrapolation').textContent = extrapolation
    ? `extrapolation: outside the trained range [${lo.toFixed(2)}, ${hi.toFixed(2)}]` : '';
}

// Asks the worker for p and q at the slider's angle.
function requestAngle({ withKl = true } = {}) {
  angleRequests += 1;
  angleRequestedAt = performance.now();
  const a = angle();
  describeAngle(a, a < trainedRange[0] || a > trainedRange[1]);
  worker.postMessage({ type: 'view', request: { angle: a, id: angleRequests, withKl } });
}

function applyControls({ fromHash = false } = {}) {
  const { state, errors } = checkConditionalSettings(fieldTexts());
  if (!showErrors(errors)) return;
  if (fromHash && workerReady && JSON.stringify(state) === initedSettings) return;
  settings = state;
  initedSettings = JSON.stringify(state);
  if (!fromHash) writeHash();
  showFailure('');
  setRunning(false);
  $('source').textContent = `a new network from seed ${settings.seed}`;
  worker.postMessage({ type: 'view', request: { angle: angle(), id: ++angleRequests } });
  worker.postMessage({ type: 'init', settings });
}

function applyHash() {
  const texts = textsFromHash(window.location.hash, CONDITIONAL_FIELDS, CONDITIONAL_DEFAULTS);
  for (const name of NAMES) $(name).value = texts[name];
  const a = Number(hashParam(window.location.hash, 'angle'));
  if (Number.isFinite(a) && a >= Number($('angle').min) && a <= Number($('angle').max)) $('angle').value = String(a);
  if (workerReady) applyControls({ fromHash: true });
}

export function showConditionalView() {
  if (worker === null) start();
  applyHash();
}

export function hideConditionalView() {
  if (worker !== null && running) {
    setRunning(false);
    worker.postMessage({ type: 'pause' });
  }
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

function onMessage({ data }) {
  switch (data.type) {
    case 'ready':
      workerReady = true;
      $('status').textContent = 'WebAssembly module ready';
      applyControls({ fromHash: true });
      break;
    case 'session': {
      logZ = data.logZ;
      recent = new RecentMean(100);
      trainedRange = [data.angleMin, data.angleMax];
      chart.reset(logZ, data.history, (e) => recent.push(e) + logZ);
      const klEstimate = data.history.length ? recent.mean() : NaN;
      showStats({ steps: data.steps, klEstimate, klTrue: klEstimate + logZ, stepsPerSecond: null });
      if (data.layers !== settings.layers || data.hidden !== settings.hidden) {
        settings = { ...settings, layers: data.layers, hidden: data.hidden };
        for (const name of NAMES) $(name).value = String(settings[name]);
        initedSettings = JSON.stringify(settings);
        writeHash();
      }
      $('status').textContent = `network 1 → ${data.hidden} → ${data.hidden} → flow of K = ${data.layers} planar ` +
        `layers; trained on angles in [${data.angleMin.toFixed(2)}, ${data.angleMax.toFixed(2)}]`;
      sessions += 1;
      document.body.dataset.conditionalSessions = String(sessions);
      break;
    }
    case 'progress': {
      const first = data.steps - data.estimates.length + 1;
      data.estimates.forEach((e, i) => chart.add(first + i, e, recent.push(e) + logZ));
      chartDirty = true;
      showStats(data);
      if (!data.running && running) setRunning(false);
      document.body.dataset.conditionalRunning = String(data.running);
      break;
    }
    case 'paused':
      document.body.dataset.conditionalRunning = 'false';
      break;
    case 'views':
      drawDensity($('true-canvas'), data.trueDensity, data.bins);
      drawDensity($('learned-canvas'), data.learnedDensity, data.bins);
      describeAngle(data.angle, data.extrapolation);
      if (data.klTrueAtAngle !== null) {
        $('stat-kl-angle').textContent = Number.isFinite(data.klTrueAtAngle) ? data.klTrueAtAngle.toFixed(4) : '–';
      }
      if (data.requestId === angleRequests) {
        // The slider's latest request is drawn: how long it took, for the user and the browser test.
        const ms = performance.now() - angleRequestedAt;
        $('redraw-ms').textContent = `redrawn in ${ms.toFixed(0)} ms`;
        document.body.dataset.conditionalDrawnAngle = data.angle.toFixed(2);
        document.body.dataset.conditionalRedrawMs = ms.toFixed(1);
      }
      break;
    case 'model':
      download(data.json, data.name);
      break;
    case 'failure':
      setRunning(false);
      if (data.where === 'load') {
        $('load-error').textContent = data.message;
        $('source').textContent = 'the previous network is kept';
      } else {
        showFailure(data.where === 'training' ? data.message : `${data.where}: ${data.message}`);
      }
      break;
    default:
      break;
  }
}

function start() {
  worker = new Worker(new URL('./conditional_worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = onMessage;
  worker.onerror = (event) => showFailure(`worker: ${event.message}`);
  chart = new KlChart($('kl-chart'));
  setInterval(() => {
    if (chartDirty) {
      chart.update();
      chartDirty = false;
    }
  }, 250);

  for (const name of NAMES) {
    $(name).addEventListener('change', () => applyControls());
    $(name).addEventListener('input', () => showErrors(checkConditionalSettings(fieldTexts()).errors));
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
  // While dragging, redraw p and q only; kl_true at the angle when it settles.
  $('angle').addEventListener('input', () => requestAngle({ withKl: false }));
  $('angle').addEventListener('change', () => {
    requestAngle();
    writeHash();
  });
  $('save').addEventListener('click', () => worker.postMessage({ type: 'save' }));
  $('load').addEventListener('change', async () => {
    const file = $('load').files[0];
    $('load-error').textContent = '';
    if (!file) return;
    if (file.size > 200e6) {
      $('load-error').textContent = `${file.name} is too large for a model file`;
      return;
    }
    setRunning(false);
    worker.postMessage({ type: 'load', text: await file.text(), settings, name: file.name });
    $('source').textContent = `loaded from ${file.name}`;
    $('load').value = '';
  });
}
