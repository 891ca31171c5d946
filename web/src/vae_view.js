// The VAE view: a small VAE with a planar-flow posterior, trained live on a
// subset of the digits. It shows the ELBO curve, decoded prior samples, test
// reconstructions and, for a 2-D latent space, one test digit's posterior
// q(z|x) with and without the flows over the prior.
import { drawImageGrid, drawPosterior, ElboChart } from './charts.js';
import {
  checkVaeSettings, hashParam, RecentMean, settingsToHash, textsFromHash, VAE_DEFAULTS, VAE_FIELDS, VAE_IMAGES,
} from './model.js';

const $ = (id) => document.getElementById(`v-${id}`);
const NAMES = Object.keys(VAE_FIELDS);
const SMOOTHING = 50;

let worker = null;
let workerReady = false;
let chart = null;
let chartDirty = false;
let settings = { ...VAE_DEFAULTS };
let initedSettings = null;
let recent = new RecentMean(SMOOTHING);
let running = false;
let sessions = 0;
let latent = VAE_DEFAULTS.latent;
let flows = VAE_DEFAULTS.flows;
let testImages = VAE_IMAGES.test;
let digitRequests = 0;

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
  for (const id of ['run', 'step', 'reset']) $(id).disabled = !ok || !workerReady;
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

// The picked test digit, or null (with a message beside the box) if the text is not one.
function pickedDigit() {
  const s = $('digit').value.trim();
  const value = Number(s);
  const ok = /^\d+$/.test(s) && value < testImages;
  $('digit-error').textContent = ok ? '' : `digit must be a whole number from 0 to ${testImages - 1}`;
  $('digit').classList.toggle('invalid', !ok);
  return ok ? value : null;
}

function writeHash() {
  const digit = pickedDigit();
  history.replaceState(null, '', settingsToHash(settings, VAE_FIELDS, 'vae', digit === null ? {} : { digit }));
}

function requestViews() {
  const digit = pickedDigit();
  if (digit === null || worker === null) return;
  worker.postMessage({ type: 'view', request: { digit, id: ++digitRequests } });
}

function applyControls({ fromHash = false } = {}) {
  const { state, errors } = checkVaeSettings(fieldTexts());
  if (!showErrors(errors)) return;
  if (fromHash && workerReady && JSON.stringify(state) === initedSettings) return;
  settings = state;
  initedSettings = JSON.stringify(state);
  if (!fromHash) writeHash();
  showFailure('');
  setRunning(false);
  $('source').textContent = `a new VAE from seed ${settings.seed}`;
  requestViews();
  worker.postMessage({ type: 'init', settings: { ...settings, ...VAE_IMAGES } });
}

function applyHash() {
  const texts = textsFromHash(window.location.hash, VAE_FIELDS, VAE_DEFAULTS);
  for (const name of NAMES) $(name).value = texts[name];
  const digit = hashParam(window.location.hash, 'digit');
  if (digit !== null) $('digit').value = digit;
  if (workerReady) applyControls({ fromHash: true });
  else showErrors(checkVaeSettings(fieldTexts()).errors);
}

export function showVaeView() {
  if (worker === null) start();
  applyHash();
}

export function hideVaeView() {
  if (worker !== null && running) {
    setRunning(false);
    worker.postMessage({ type: 'pause' });
  }
}

const fmt = (x, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '–');

function onMessage({ data }) {
  switch (data.type) {
    case 'ready':
      workerReady = true;
      $('status').textContent = 'WebAssembly module and digits ready';
      applyControls({ fromHash: true });
      break;
    case 'session': {
      recent = new RecentMean(SMOOTHING);
      chart.reset();
      data.history.forEach((e, i) => chart.add(i + 1, e, recent.push(e)));
      chart.update();
      latent = data.latent;
      flows = data.flows;
      testImages = data.testImages;
      $('stat-step').textContent = String(data.steps);
      $('stat-epoch').textContent = '0';
      $('stat-train').textContent = fmt(recent.mean());
      $('stat-test').textContent = '–';
      $('posterior-figure').hidden = latent !== 2;
      $('posterior-off').hidden = latent === 2;
      $('status').textContent = `VAE: D = ${data.latent}, K = ${data.flows}, H = ${data.hidden}; ` +
        `${data.trainImages} train / ${data.testImages} test digits of ${data.allImages}`;
      sessions += 1;
      document.body.dataset.vaeSessions = String(sessions);
      break;
    }
    case 'progress': {
      const first = data.steps - data.estimates.length + 1;
      data.estimates.forEach((e, i) => chart.add(first + i, e, recent.push(e)));
      chartDirty = true;
      $('stat-step').textContent = String(data.steps);
      $('stat-train').textContent = fmt(recent.mean());
      if (data.stepsPerSecond) $('stat-speed').textContent = data.stepsPerSecond.toFixed(1);
      if (!data.running && running) setRunning(false);
      document.body.dataset.vaeRunning = String(data.running);
      document.body.dataset.vaeTrainElbo = String(recent.mean());
      break;
    }
    case 'paused':
      document.body.dataset.vaeRunning = 'false';
      break;
    case 'views':
      drawImageGrid($('samples-canvas'), data.samples, 8);
      drawImageGrid($('recon-canvas'), data.reconstructions, 8);
      if (data.posterior !== null) {
        drawPosterior($('posterior-canvas'), data.posterior, data.posteriorSamples, flows);
        document.body.dataset.vaePosteriorDigit = String(data.digit);
      }
      $('stat-epoch').textContent = String(data.epochs);
      $('stat-test').textContent = fmt(data.testElbo);
      if (data.steps > 0) {
        chart.addTest(data.steps, data.testElbo);
        chartDirty = true;
      }
      document.body.dataset.vaeTestElbo = String(data.testElbo);
      document.body.dataset.vaeViews = String(Number(document.body.dataset.vaeViews ?? 0) + 1);
      break;
    case 'failure':
      setRunning(false);
      showFailure(data.where === 'training' ? data.message : `${data.where}: ${data.message}`);
      if (data.where === 'loading the data') $('status').textContent = 'the digits could not be loaded';
      break;
    default:
      break;
  }
}

function start() {
  worker = new Worker(new URL('./vae_worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = onMessage;
  worker.onerror = (event) => showFailure(`worker: ${event.message}`);
  chart = new ElboChart($('elbo-chart'));
  setInterval(() => {
    if (chartDirty) {
      chart.update();
      chartDirty = false;
    }
  }, 250);

  for (const name of NAMES) {
    $(name).addEventListener('change', () => applyControls());
    $(name).addEventListener('input', () => showErrors(checkVaeSettings(fieldTexts()).errors));
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
  $('digit').addEventListener('change', () => {
    requestViews();
    writeHash();
  });
  $('digit').addEventListener('input', () => pickedDigit());
  $('next').addEventListener('click', () => {
    const digit = pickedDigit();
    $('digit').value = String(digit === null ? 0 : (digit + 1) % testImages);
    requestViews();
    writeHash();
  });
}
