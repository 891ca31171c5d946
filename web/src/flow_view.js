// The flow view: wires its controls, the URL hash, its worker and its
// views together. The worker starts when the view is first shown. The flow
// is any flow spec (a field with preset buttons); the Compare panel
// (compare.js) trains a second flow beside it.
import { chartToolbar, download, drawDensity, drawLayer, KlChart } from './charts.js';
import { Compare } from './compare.js';
import { presetButtons, SpecVerdicts } from './flow_spec_field.js';
import {
  absurdModelWarning, checkSettings, compareDefaults, compareTextsFromHash, CUSTOM_ENERGY, DEFAULTS, ENERGY_FORMULAS,
  FIELDS, flowTextsFromHash, layerKinds, presetSettings, RecentMean, settingsToHash, TAPER_NOTE, targetKey,
  VIEW_PRESETS,
} from './model.js';
import { showTrust } from './trust_panel.js';
import { throttledUpdate, ViewControls } from './view_controls.js';

const verdicts = new SpecVerdicts((spec) => {
  if (controls.worker === null) return false;
  controls.worker.postMessage({ type: 'check', flow: spec });
  return true;
});
// The expression compiler's verdicts on typed energies, keyed by targetKey(expression, box).
const targetVerdicts = new SpecVerdicts((key) => {
  if (controls.worker === null) return false;
  const [expression, box] = JSON.parse(key);
  controls.worker.postMessage({ type: 'checkTarget', key, expression, box });
  return true;
});
const controls = new ViewControls({
  prefix: '',
  fields: FIELDS,
  check: (texts) => checkSettings(texts, (spec) => verdicts.verdict(spec), FIELDS,
    (expression, box) => targetVerdicts.verdict(targetKey(expression, box))),
});
const { $ } = controls;
let chart = null;
let chartChanged = null; // marks the chart for its next redraw

let settings = { ...DEFAULTS };
let logZ = 0;
let recent = new RecentMean(100);
let layerView = null; // { samples, layers, n, kinds }
let sessions = 0; // sessions shown so far (the browser test waits on it)
let deferredApply = null; // an apply that waits for the flow spec's verdict
let density = 'exact'; // the learned density drawn: 'exact' or 'histogram'
let stepsShown = 0; // the steps of the flow shown
let loadedFrom = null; // the file the flow shown came from, or null
let box = [-6, 6, -6, 6]; // the target's box, which every picture shows
// A flow trained or loaded is work a field change must not discard (it waits for Reset).
controls.hasWork = () => stepsShown > 0 || loadedFrom !== null;

// A new session of either flow pauses both, so that Run starts them together.
function pauseAll() {
  controls.setRunning(false);
  controls.broadcast({ type: 'pause' });
}

const compare = new Compare({
  verdicts,
  chart: () => chart,
  host: {
    settings: () => settings,
    running: () => controls.running,
    pauseAll,
    changed: ({ hash }) => {
      if (hash) writeHash();
      controls.showFieldErrors();
    },
    chartChanged: () => chartChanged(),
    density: () => density,
  },
});
controls.holdButtons = () => compare.holdsRun();
controls.companions = () => compare.workers();

// ---- controls -------------------------------------------------------------

function writeHash() {
  const hash = settingsToHash(settings, FIELDS, 'flow', compare.hashEntries());
  if (window.location.hash !== hash) history.replaceState(null, '', hash);
}

// Whether the flow field's spec still waits for its verdict from the worker.
function verdictPending() {
  const texts = controls.fieldTexts();
  const spec = FIELDS.flow(texts.flow);
  if ('value' in spec && verdicts.verdict(spec.value) === null) return true;
  if (texts.energy !== CUSTOM_ENERGY) return false;
  const expression = FIELDS.expression(texts.expression);
  const boxText = FIELDS.box(texts.box);
  return 'value' in expression && 'value' in boxText &&
    targetVerdicts.verdict(targetKey(expression.value, boxText.value)) === null;
}

// The typed energy's fields show only while the energy is custom.
function showCustomFields() {
  const custom = $('energy').value === CUSTOM_ENERGY;
  for (const element of document.querySelectorAll('#flow-view .custom-energy')) element.hidden = !custom;
}

// Applies the controls' values: a new session from the seed, and the URL hash
// updated so that a copied link reproduces the run.
function applyControls({ fromHash = false } = {}) {
  if (verdictPending()) {
    deferredApply = { fromHash };
    controls.showFieldErrors();
    return;
  }
  deferredApply = null;
  const state = controls.settingsToApply({ fromHash });
  if (state === null) return;
  const energyChanged = state.energy !== settings.energy || state.expression !== settings.expression ||
    state.box !== settings.box;
  settings = state;
  if (!fromHash) writeHash();
  controls.showFailure('');
  pauseAll();
  controls.worker.postMessage({ type: 'init', settings });
  if (energyChanged) compare.energyChanged();
}

// Reset: new flows from the seeds (the second one too, with Compare open).
function reset() {
  applyControls();
  compare.reset();
}

function applyHash() {
  const { hash } = window.location;
  const texts = flowTextsFromHash(hash);
  controls.setFields(texts);
  showCustomFields();
  if (controls.ready) applyControls({ fromHash: true });
  compare.fromHash(compareTextsFromHash(hash, compareDefaults({ flow: texts.flow, seed: texts.seed })));
}

// Shows the view for this hash; the first call starts the worker.
export function showFlowView() {
  if (controls.worker === null) start();
  applyHash();
}

// Leaving the view pauses its training (both flows).
export function hideFlowView() {
  controls.pause();
}

controls.wireButtons(applyControls, reset);
controls.presets(VIEW_PRESETS.flow, applyControls);
$('view-presets').addEventListener('click', showCustomFields); // after the preset's button has set the energy
controls.wireFiles({ maxBytes: 50e6, settings: () => settings });
$('layer-k').addEventListener('input', () => drawLayerView());
$('energy').addEventListener('input', showCustomFields);
// A typed energy applies a moment after typing stops (its 'change' waits for
// the field to lose focus), so that the true density follows the text.
{
  let timer = null;
  for (const id of ['expression', 'box']) {
    $(id).addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => controls.fieldsChanged(applyControls), 500);
    });
  }
  // Run, Step and Reset come after the field's 'change' (it lost focus), which
  // applied the text already: a late timer must not replace the flow they start.
  for (const id of ['run', 'step', 'reset']) {
    for (const event of ['pointerdown', 'keydown']) $(id).addEventListener(event, () => clearTimeout(timer));
  }
}

const markPreset = presetButtons($('presets'), (preset) => {
  controls.setFields({ ...controls.fieldTexts(), ...presetSettings(preset) });
  controls.fieldsChanged(applyControls);
});

for (const radio of document.querySelectorAll('input[name="density"]')) {
  radio.addEventListener('change', () => {
    if (!radio.checked) return;
    density = radio.value;
    requestViews();
  });
}

function requestViews() {
  controls.worker.postMessage({ type: 'view', request: { density } });
  compare.requestViews();
}

for (const list of [verdicts, targetVerdicts]) {
  list.onVerdict(() => {
    compare.verdictArrived();
    controls.showFieldErrors();
    if (deferredApply !== null) applyControls(deferredApply);
  });
}

// ---- views ----------------------------------------------------------------

// The status line's schedule: ", cosine over 1500 steps, anneal over 200 steps" ('' when off).
function scheduleText({ cosine, anneal }) {
  return (cosine > 0 ? `, cosine over ${cosine} steps` : '') + (anneal > 0 ? `, anneal over ${anneal} steps` : '');
}

function klTrueOf(estimate) {
  return recent.push(estimate) + logZ;
}

function drawLayerView() {
  if (layerView === null) return;
  const k = Math.min(Number($('layer-k').value), layerView.layers);
  $('layer-k-value').textContent = `k = ${k} of ${layerView.layers}`;
  drawLayer($('layer-canvas'), layerView.samples, layerView.layers, layerView.n, k, layerView.kinds[k - 1] ?? '', box);
}

function start() {
  chart = new KlChart($('kl-chart'));
  chartChanged = throttledUpdate(chart);
  chartToolbar($('kl-chart').closest('.chart'), chart, { name: 'nfvi-flow-kl', log: true,
    figures: document.querySelector('#flow-view .views') });
  controls.startWorker(new URL('./flow_worker.js', import.meta.url), onMessage);
  requestViews();
}

function onMessage({ data }) {
  switch (data.type) {
    case 'ready':
      $('status').textContent = 'WebAssembly module ready';
      $('flow-help').textContent = data.flowSpecHelp;
      controls.ready = true;
      applyControls({ fromHash: true });
      break;
    case 'checked':
      verdicts.answer(data);
      break;
    case 'checkedTarget':
      targetVerdicts.answer({ spec: data.key, verdict: data.verdict });
      break;
    case 'session': {
      const latest = data.loadId === null || controls.isLatestLoad(data.loadId);
      logZ = data.logZ;
      stepsShown = data.steps;
      loadedFrom = data.loaded;
      recent = new RecentMean(100);
      verdicts.remember(data.flow, { flow: data.flow, layers: data.layers });
      chart.reset(logZ, data.history, klTrueOf);
      box = data.box;
      drawDensity($('true-canvas'), data.trueDensity, data.bins, '', box);
      {
        const where = `over [${box[0]}, ${box[1]}] × [${box[2]}, ${box[3]}]`;
        $('true-canvas').setAttribute('aria-label', `the true density exp(−U) of ${data.energy} ${where}`);
        $('learned-canvas').setAttribute('aria-label', `the flow's learned density q ${where}`);
      }
      $('layer-k').max = String(data.layers);
      $('layer-k').value = String(data.layers);
      // The fields, the hash and the status say the session's settings: a
      // loaded model brings its own energy, flow, N, learning rate and seed,
      // and a spec takes its canonical form (spline:4 for spline:4:bins=8).
      // The typed energy's fields keep their text unless the session is custom.
      {
        const custom = data.energy === CUSTOM_ENERGY;
        const energyChanged = data.energy !== settings.energy ||
          (custom && (data.expression !== settings.expression || data.box.join(',') !== settings.box));
        const shown = { ...data, expression: custom ? data.expression : settings.expression,
          box: custom ? data.box.join(',') : settings.box };
        settings = Object.fromEntries(Object.keys(FIELDS).map((name) => [name, shown[name]]));
        controls.sessionShown(settings, { loaded: data.loaded !== null });
        showCustomFields();
        writeHash();
        if (energyChanged) compare.energyChanged();
      }
      controls.stopRate({ clear: true });
      controls.showFailure('');
      if (data.loaded !== null) {
        $('source').textContent = `loaded from ${data.loaded}` + (data.ignoredSettings.length
          ? `; its ${data.ignoredSettings.join(', ')} cannot be used here, so the page's value trains it` : '');
        if (latest) $('load-error').textContent = absurdModelWarning(data.klTrueFresh) ?? '';
      } else {
        $('source').textContent = `a new flow from seed ${data.seed}`;
      }
      chart.nameFlows(settings.flow, compare.flowShown());
      markPreset(settings);
      $('stat-flow').textContent = data.flow;
      $('energy-formula').textContent = data.energy === CUSTOM_ENERGY
        ? `custom: U(z) = ${data.expression} over [${data.box[0]}, ${data.box[1]}] × [${data.box[2]}, ${data.box[3]}]`
        : `${data.energy}: ${ENERGY_FORMULAS[data.energy]}` +
          (['U2', 'U3', 'U4'].includes(data.energy) ? `, ${TAPER_NOTE}` : '');
      $('trust-logz-name').textContent = `log Z, ${data.logZMethod}`;
      const klEstimate = data.history.length ? recent.mean() : NaN;
      controls.showKlStats({ steps: data.steps, klEstimate, klTrain: data.history.length ? klEstimate + logZ : NaN },
        logZ);
      controls.showFlowKl(data.klTrueFresh, NaN);
      sessions += 1;
      document.body.dataset.sessions = String(sessions);
      $('status').textContent = `${data.energy}: ${data.flow} (K = ${data.layers}), N = ${data.samples}, ` +
        `lr = ${data.lr}${scheduleText(data)}${data.gradient === 'stl' ? ', STL gradient' : ''}, seed ${data.seed}` +
        (data.logZWarning ? `. Warning: ${data.logZWarning}` : '');
      document.body.dataset.cosineSteps = String(data.cosine);
      document.body.dataset.annealSteps = String(data.anneal);
      break;
    }
    case 'progress': {
      const first = data.steps - data.estimates.length + 1;
      data.estimates.forEach((e, i) => chart.add(first + i, e, klTrueOf(e)));
      chartChanged();
      const before = stepsShown;
      stepsShown = data.steps;
      controls.showKlStats({ steps: data.steps, klEstimate: data.klEstimate, klTrain: data.klTrue }, logZ);
      controls.countSteps(data.steps);
      if (data.ok) controls.showFailure('');
      if (before === 0 && stepsShown > 0) controls.showPending();
      // The flow stopped by itself (a blow-up): both pause.
      if (!data.running && controls.running) pauseAll();
      document.body.dataset.running = String(data.running);
      break;
    }
    case 'paused':
      document.body.dataset.running = 'false';
      break;
    case 'views':
      drawDensity($('learned-canvas'), data.learnedDensity, data.bins, `${data.flow} · ${data.density}`, data.box);
      if (data.diagnostics) {
        controls.showFlowKl(data.diagnostics.klTrue, data.diagnostics.klTrueSe);
        showTrust(data.diagnostics, data.steps);
      }
      $('learned-caption').textContent = data.density === 'exact'
        ? 'learned q, exact (by the flow\'s inverse)' : 'learned q, histogram of 10⁵ samples';
      document.body.dataset.learnedDensity = data.density;
      layerView = { samples: data.layerSamples, layers: data.layers, n: data.points, kinds: layerKinds(data.flow) };
      drawLayerView();
      break;
    case 'model':
      download(data.json, data.name);
      break;
    case 'failure':
      if (data.where === 'load' && !controls.isLatestLoad(data.loadId)) break; // an older load's answer
      controls.showWorkerFailure(data, 'the flow shown is kept');
      pauseAll();
      break;
    default:
      break;
  }
}
