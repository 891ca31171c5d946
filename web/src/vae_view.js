// The VAE view: a small VAE with a planar-flow posterior, trained live on a
// subset of the digits. It shows the ELBO curve, decoded prior samples, test
// reconstructions and, for a 2-D latent space, one test digit's posterior
// q(z|x) with and without the flows over the prior.
import { chartToolbar, download, drawImageGrid, drawPosterior, ElboChart } from './charts.js';
import {
  checkVaeSettings, hashParam, RecentMean, settingsToHash, textsFromHash, VAE_DEFAULTS, VAE_FIELDS, VAE_IMAGES,
  VIEW_PRESETS,
} from './model.js';
import { formatStat, throttledUpdate, ViewControls } from './view_controls.js';

// The buttons wait for the worker, which loads the digits before it is ready.
const controls = new ViewControls({ prefix: 'v-', fields: VAE_FIELDS, check: checkVaeSettings, waitForWorker: true });
const { $ } = controls;
const SMOOTHING = 50;

let chart = null;
let chartChanged = null; // marks the chart for its next redraw
let settings = { ...VAE_DEFAULTS };
let recent = new RecentMean(SMOOTHING);
let sessions = 0;
let latent = VAE_DEFAULTS.latent;
let flows = VAE_DEFAULTS.flows;
let testImages = VAE_IMAGES.test;
let digitRequests = 0;
let stepsShown = 0;
let loadedFrom = null; // the file the VAE shown came from, or null
// A trained or loaded VAE is work a field change must not discard (it waits for Reset).
controls.hasWork = () => stepsShown > 0 || loadedFrom !== null;
// A checkpoint.bin of the page's largest network (D 64, K 64, H 1024) is about 490 MB; nfvi vae's default one 62 MB.
const MAX_MODEL_BYTES = 200e6;

// The picked test digit, or null (with a message beside the box) if the text is not one.
function pickedDigit() {
  const s = $('digit').value.trim();
  const value = Number(s);
  const ok = /^\d+$/.test(s) && value < testImages;
  $('digit-error').textContent = ok ? ''
    : `the test image's index must be a whole number from 0 to ${testImages - 1}`;
  $('digit').classList.toggle('invalid', !ok);
  return ok ? value : null;
}

function writeHash() {
  const digit = pickedDigit();
  history.replaceState(null, '', settingsToHash(settings, VAE_FIELDS, 'vae', digit === null ? {} : { digit }));
}

function requestViews() {
  const digit = pickedDigit();
  if (digit === null || controls.worker === null) return;
  controls.worker.postMessage({ type: 'view', request: { digit, id: ++digitRequests } });
}

function applyControls({ fromHash = false } = {}) {
  const state = controls.settingsToApply({ fromHash });
  if (state === null) return;
  settings = state;
  if (!fromHash) writeHash();
  controls.showFailure('');
  controls.setRunning(false);
  requestViews();
  controls.worker.postMessage({ type: 'init', settings: { ...settings, ...VAE_IMAGES } });
}

function applyHash() {
  controls.setFields(textsFromHash(window.location.hash, VAE_FIELDS, VAE_DEFAULTS));
  const digit = hashParam(window.location.hash, 'digit');
  if (digit !== null) $('digit').value = digit;
  if (controls.ready) applyControls({ fromHash: true });
  else controls.showFieldErrors();
}

export function showVaeView() {
  if (controls.worker === null) start();
  applyHash();
}

export function hideVaeView() {
  controls.pause();
}

const fmt = (x) => formatStat(x, 2);

function onMessage({ data }) {
  switch (data.type) {
    case 'ready':
      controls.ready = true;
      $('status').textContent = 'WebAssembly module and digits ready';
      applyControls({ fromHash: true });
      break;
    case 'session': {
      const latest = data.loadId === null || controls.isLatestLoad(data.loadId);
      recent = new RecentMean(SMOOTHING);
      stepsShown = data.steps;
      loadedFrom = data.loaded;
      controls.sessionShown({ latent: data.latent, flows: data.flows, hidden: data.hidden, samples: data.samples,
        batch: data.batch, lr: data.lr, seed: data.seed }, { loaded: data.loaded !== null });
      settings = { ...settings, latent: data.latent, flows: data.flows, hidden: data.hidden, samples: data.samples,
        batch: data.batch, lr: data.lr, seed: data.seed };
      writeHash();
      controls.stopRate({ clear: true });
      controls.showFailure('');
      if (data.loaded !== null) {
        const f = data.loadFacts ?? {};
        const what = f.origin === 'page' ? `saved by this page, ${data.adamSteps} batches`
          : `nfvi vae's, ${f.epochs} epoch${f.epochs === 1 ? '' : 's'} of its 9,000 digits` +
            (f.precision === 'float' ? ', trained in float (the page goes on in double)' : '');
        $('source').textContent = `loaded from ${data.loaded} (${what})` + (f.ignored?.length
          ? `; its ${f.ignored.join(', ')} cannot be used here, so the page's value trains it` : '');
        if (latest) $('load-error').textContent = '';
      } else {
        $('source').textContent = `a new VAE from seed ${data.seed}`;
      }
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
      chartChanged();
      $('stat-step').textContent = String(data.steps);
      $('stat-train').textContent = fmt(recent.mean());
      {
        const before = stepsShown;
        stepsShown = data.steps;
        controls.countSteps(data.steps);
        if (data.ok) controls.showFailure('');
        if (before === 0 && stepsShown > 0) controls.showPending();
      }
      if (!data.running && controls.running) controls.setRunning(false);
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
        chartChanged();
      }
      document.body.dataset.vaeTestElbo = String(data.testElbo);
      document.body.dataset.vaeViews = String(Number(document.body.dataset.vaeViews ?? 0) + 1);
      break;
    case 'model':
      download(data.json, data.name);
      break;
    case 'failure':
      if (data.where === 'load' && !controls.isLatestLoad(data.loadId)) break; // an older load's answer
      controls.showWorkerFailure(data, 'the VAE shown is kept');
      if (data.where === 'loading the data') $('status').textContent = 'the digits could not be loaded';
      break;
    default:
      break;
  }
}

function start() {
  controls.startWorker(new URL('./vae_worker.js', import.meta.url), onMessage);
  chart = new ElboChart($('elbo-chart'));
  chartChanged = throttledUpdate(chart);
  chartToolbar($('elbo-chart').closest('.chart'), chart, { name: 'nfvi-vae-elbo', unit: 'batches',
    figures: document.querySelector('#vae-view .views') });
  controls.presets(VIEW_PRESETS.vae, applyControls);

  controls.wireButtons(applyControls);
  controls.wireFiles({ maxBytes: MAX_MODEL_BYTES, settings: () => ({ ...settings, ...VAE_IMAGES }), binary: true });
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
