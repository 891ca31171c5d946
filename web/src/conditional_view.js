// The conditional view: one network maps an angle to a planar flow, trained
// live over the rotated-ring family. An angle slider redraws q(z|angle)
// beside p(z|angle) from the current network; a network trained by
// `nfvi cond` can be loaded from its summary.json and swept.
import { chartToolbar, download, drawDensity, KlChart } from './charts.js';
import {
  absurdModelWarning, checkConditionalSettings, CONDITIONAL_DEFAULTS, CONDITIONAL_FIELDS, hashParam, RecentMean,
  settingsToHash, textsFromHash, VIEW_PRESETS,
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
let angleRequests = 0;    // view requests sent (each has this count as its id)
let inFlight = null;      // the request the worker has not answered yet: { id, angle }
let wanted = null;        // moves made while one was in flight: { withKl, slider }
let movedAt = null;       // when the slider last moved (performance.now()), until that angle is drawn
let sliderRedraws = 0;    // slider moves drawn (the browser test counts them)
let trainedRange = [-Math.PI, Math.PI];
let stepsShown = 0;
let loadedFrom = null;
controls.hasWork = () => stepsShown > 0 || loadedFrom !== null;

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

// Asks the worker for p and q at the slider's angle. One request is in
// flight at a time: moves made meanwhile are drawn together, at the latest
// angle, when it is answered (so the worker never works through a backlog of
// angles the slider has left). "redrawn in N ms" is the time from the
// slider's last move to the picture of that angle.
function requestAngle({ withKl = true, slider = true } = {}) {
  const a = angle();
  describeAngle(a, a < trainedRange[0] || a > trainedRange[1]);
  if (slider) movedAt = performance.now();
  if (inFlight !== null) {
    wanted = { withKl: withKl || (wanted?.withKl ?? false), slider: slider || (wanted?.slider ?? false) };
    return;
  }
  angleRequests += 1;
  inFlight = { id: angleRequests, angle: a };
  controls.worker.postMessage({ type: 'view', request: { angle: a, id: angleRequests, withKl, slider } });
}

// The worker answered request `id`: send the moves that waited for it.
function answered(id) {
  if (inFlight === null || id !== inFlight.id) return;
  inFlight = null;
  if (wanted !== null) {
    const next = wanted;
    wanted = null;
    requestAngle({ ...next, slider: false });
  }
}

function applyControls({ fromHash = false } = {}) {
  const state = controls.settingsToApply({ fromHash });
  if (state === null) return;
  settings = state;
  if (!fromHash) writeHash();
  controls.showFailure('');
  controls.setRunning(false);
  controls.worker.postMessage({ type: 'view', request: { angle: angle(), id: 0 } });
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
      const latest = data.loadId === null || controls.isLatestLoad(data.loadId);
      logZ = data.logZ;
      stepsShown = data.steps;
      loadedFrom = data.loaded;
      recent = new RecentMean(100);
      trainedRange = [data.angleMin, data.angleMax];
      chart.reset(logZ, data.history, (e) => recent.push(e) + logZ);
      const klEstimate = data.history.length ? recent.mean() : NaN;
      controls.showKlStats({ steps: data.steps, klEstimate, klTrue: klEstimate + logZ }, logZ);
      controls.stopRate({ clear: true });
      controls.showFailure('');
      // The fields, the hash and the status say the session's settings: a
      // loaded network brings its own size, and its file's training settings.
      settings = { layers: data.layers, hidden: data.hidden, angles: data.angles, samples: data.samples, lr: data.lr,
        seed: data.seed };
      controls.sessionShown(settings, { loaded: data.loaded !== null });
      writeHash();
      if (data.loaded !== null) {
        $('source').textContent = `loaded from ${data.loaded}: trains at learning rate ${data.lr}, ${data.angles} ` +
          `angles x ${data.samples} samples per step` + (data.ignoredSettings.length
          ? `; its ${data.ignoredSettings.join(', ')} cannot be used here, so the page's value trains it` : '');
        if (latest) $('load-error').textContent = absurdModelWarning(data.klTrueFresh) ?? '';
      } else {
        $('source').textContent = `a new network from seed ${data.seed}`;
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
      const before = stepsShown;
      stepsShown = data.steps;
      controls.showKlStats({ steps: data.steps, klEstimate: data.klEstimate, klTrue: data.klTrue }, logZ);
      controls.countSteps(data.steps);
      if (data.ok) controls.showFailure('');
      if (before === 0 && stepsShown > 0) controls.showPending();
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
      if (data.requestId !== 0) {
        answered(data.requestId);
        // A slider move drawn at the slider's angle: the time since the last move.
        if (movedAt !== null && data.angle === angle() && inFlight === null) {
          const ms = performance.now() - movedAt;
          movedAt = null;
          sliderRedraws += 1;
          $('redraw-ms').textContent = `redrawn in ${ms.toFixed(0)} ms`;
          document.body.dataset.conditionalDrawnAngle = data.angle.toFixed(2);
          document.body.dataset.conditionalRedrawMs = ms.toFixed(1);
          document.body.dataset.conditionalSliderRedraws = String(sliderRedraws);
        }
      }
      break;
    case 'model':
      download(data.json, data.name);
      break;
    case 'failure':
      if (data.where === 'load' && !controls.isLatestLoad(data.loadId)) break; // an older load's answer
      if (data.where === 'view') inFlight = null;
      controls.showWorkerFailure(data, 'the network shown is kept');
      break;
    default:
      break;
  }
}

function start() {
  controls.startWorker(new URL('./conditional_worker.js', import.meta.url), onMessage);
  chart = new KlChart($('kl-chart'));
  chartChanged = throttledUpdate(chart);
  chartToolbar($('kl-chart').closest('.chart'), chart, { name: 'nfvi-conditional-kl', log: true,
    figures: document.querySelector('#conditional-view .views') });
  controls.presets(VIEW_PRESETS.conditional, applyControls);

  controls.wireButtons(applyControls);
  // While dragging, redraw p and q only; kl_true at the angle when it settles.
  $('angle').addEventListener('input', () => requestAngle({ withKl: false }));
  $('angle').addEventListener('change', () => {
    requestAngle();
    writeHash();
  });
  controls.wireFiles({ maxBytes: 200e6, settings: () => settings });
}
