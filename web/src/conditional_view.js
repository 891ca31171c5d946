// The conditional view: one network maps an angle to a planar flow, trained
// live over the rotated-ring family. An angle slider redraws q(z|angle)
// beside p(z|angle) from the current network; a network trained by
// `nfvi cond` can be loaded from its summary.json and swept.
import { download, drawDensity, KlChart } from './charts.js';
import {
  checkConditionalSettings, CONDITIONAL_DEFAULTS, CONDITIONAL_FIELDS, hashParam, RecentMean, settingsToHash,
  textsFromHash,
} from './model.js';
import { formatStat, throttledUpdate, ViewControls } from './view_controls.js';

const controls = new ViewControls({ prefix: 'c-', fields: CONDITIONAL_FIELDS, check: checkConditionalSettings });
const { $ } = controls;

let chart = null;
let chartChanged = null; // marks the chart for its next redraw
let settings = { ...CONDITIONAL_DEFAULTS };
let logZ = 0;
let recent = new RecentMean(100);
let sessions = 0;
let angleRequests = 0;    // slider requests sent
let angleRequestedAt = 0; // when the last one was sent (performance.now())
let trainedRange = [-Math.PI, Math.PI];

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
  controls.worker.postMessage({ type: 'view', request: { angle: a, id: angleRequests, withKl } });
}

function applyControls({ fromHash = false } = {}) {
  const state = controls.settingsToApply({ fromHash });
  if (state === null) return;
  settings = state;
  if (!fromHash) writeHash();
  controls.showFailure('');
  controls.setRunning(false);
  $('source').textContent = `a new network from seed ${settings.seed}`;
  controls.worker.postMessage({ type: 'view', request: { angle: angle(), id: ++angleRequests } });
  controls.worker.postMessage({ type: 'init', settings });
}

function applyHash() {
  controls.setFields(textsFromHash(window.location.hash, CONDITIONAL_FIELDS, CONDITIONAL_DEFAULTS));
  const a = Number(hashParam(window.location.hash, 'angle'));
  if (Number.isFinite(a) && a >= Number($('angle').min) && a <= Number($('angle').max)) $('angle').value = String(a);
  if (controls.ready) applyControls({ fromHash: true });
}

export function showConditionalView() {
  if (controls.worker === null) start();
  applyHash();
}

export function hideConditionalView() {
  controls.pause();
}

function onMessage({ data }) {
  switch (data.type) {
    case 'ready':
      controls.ready = true;
      $('status').textContent = 'WebAssembly module ready';
      applyControls({ fromHash: true });
      break;
    case 'session': {
      logZ = data.logZ;
      recent = new RecentMean(100);
      trainedRange = [data.angleMin, data.angleMax];
      chart.reset(logZ, data.history, (e) => recent.push(e) + logZ);
      const klEstimate = data.history.length ? recent.mean() : NaN;
      controls.showKlStats({ steps: data.steps, klEstimate, klTrue: klEstimate + logZ, stepsPerSecond: null }, logZ);
      if (data.layers !== settings.layers || data.hidden !== settings.hidden) {
        settings = { ...settings, layers: data.layers, hidden: data.hidden };
        controls.setFields(settings);
        controls.settingsShown(settings);
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
      chartChanged();
      controls.showKlStats(data, logZ);
      if (!data.running && controls.running) controls.setRunning(false);
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
        $('stat-kl-angle').textContent = formatStat(data.klTrueAtAngle);
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
      controls.showWorkerFailure(data, 'the previous network is kept');
      break;
    default:
      break;
  }
}

function start() {
  controls.startWorker(new URL('./conditional_worker.js', import.meta.url), onMessage);
  chart = new KlChart($('kl-chart'));
  chartChanged = throttledUpdate(chart);

  controls.wireButtons(applyControls);
  // While dragging, redraw p and q only; kl_true at the angle when it settles.
  $('angle').addEventListener('input', () => requestAngle({ withKl: false }));
  $('angle').addEventListener('change', () => {
    requestAngle();
    writeHash();
  });
  controls.wireFiles({ maxBytes: 200e6, settings: () => settings });
}
