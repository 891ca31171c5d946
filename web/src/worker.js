// The Web Worker that owns the WebAssembly module and the training session.
// Training runs here in chunks of about CHUNK_MS, so the page never freezes;
// between chunks the worker reads its messages (pause, step, reset, ...).
//
// Messages in:  init {settings} | run | pause | step {steps} | load {text, settings} | save
// Messages out: ready | session {...} | progress {...} | paused {steps} | views {...} | model {json} |
//               failure {where, message}
import createNfviModule from '../nfvi.mjs';

const CHUNK_MS = 40;          // time per training chunk before the worker looks at its messages
const VIEW_INTERVAL_MS = 400; // how often the learned density and layer samples are redrawn while running
const DENSITY_BINS = 100;
const DENSITY_SAMPLES = 100000;
const LAYER_SAMPLES = 2000;
const FRESH_SAMPLES = 100000; // kl_true of a new or loaded flow, before it has training history

let nfvi = null;
let session = null;
let running = false;
let chunkSteps = 10;
let lastViews = 0;
const pending = [];

function post(type, body = {}, transfer = []) {
  self.postMessage({ type, ...body }, transfer);
}

function fail(where, error) {
  running = false;
  post('failure', { where, message: error instanceof Error ? error.message : String(error) });
}

function describeSession() {
  const trueDensity = session.trueDensity(DENSITY_BINS);
  post('session', {
    energy: session.potential(),
    layers: session.layers(),
    samples: session.samples(),
    lr: session.learningRate(),
    seed: session.seed(),
    logZ: session.logZ(),
    steps: session.stepsTaken(),
    history: session.klHistory(),
    klTrueFresh: session.klTrueFresh(FRESH_SAMPLES),
    bins: DENSITY_BINS,
    trueDensity,
  }, [trueDensity.buffer]);
}

function sendViews() {
  const learnedDensity = session.learnedDensity(DENSITY_BINS, DENSITY_SAMPLES);
  const layerSamples = session.layerSamples(LAYER_SAMPLES);
  post('views', { bins: DENSITY_BINS, learnedDensity, layers: session.layers(), points: LAYER_SAMPLES, layerSamples },
    [learnedDensity.buffer, layerSamples.buffer]);
  lastViews = performance.now();
}

function train(steps) {
  const start = performance.now();
  const { estimates, error } = session.train(steps);
  const seconds = (performance.now() - start) / 1000;
  post('progress', {
    estimates,
    steps: session.stepsTaken(),
    klEstimate: session.klEstimate(),
    klTrue: session.klTrue(),
    stepsPerSecond: estimates.length > 0 && seconds > 0 ? estimates.length / seconds : null,
    running: running && error === null,
  }, [estimates.buffer]);
  if (error !== null) {
    // The session kept its last good state; show that state and stop.
    running = false;
    post('failure', { where: 'training', message: `${error}. Training stopped; the last good state is kept.` });
    sendViews();
    return false;
  }
  return true;
}

function newSession(make) {
  running = false;
  const next = make();
  if (session !== null) session.delete();
  session = next;
  chunkSteps = 10;
  describeSession();
  sendViews();
}

async function runLoop() {
  while (running) {
    const start = performance.now();
    if (!train(chunkSteps)) break;
    const elapsed = performance.now() - start;
    // Aim the next chunk at CHUNK_MS, growing or shrinking by at most 2x.
    chunkSteps = Math.max(1, Math.min(chunkSteps * 2, Math.round(chunkSteps * CHUNK_MS / Math.max(elapsed, 1))));
    if (performance.now() - lastViews > VIEW_INTERVAL_MS) sendViews();
    await new Promise((resolve) => setTimeout(resolve, 0)); // let messages in
    while (pending.length > 0) handle(pending.shift());
  }
  while (pending.length > 0) handle(pending.shift());
}

function settingsArgs(s) {
  return [s.samples, s.lr, s.seed];
}

function handle(message) {
  try {
    switch (message.type) {
      case 'init':
        newSession(() => new nfvi.FlowSession(message.settings.energy, message.settings.layers,
          ...settingsArgs(message.settings)));
        break;
      case 'load':
        newSession(() => nfvi.FlowSession.fromJson(message.text, ...settingsArgs(message.settings)));
        break;
      case 'run':
        if (!running && session !== null) {
          running = true;
          runLoop();
        }
        break;
      case 'pause':
        running = false;
        post('paused', { steps: session === null ? 0 : session.stepsTaken() });
        break;
      case 'step':
        running = false;
        if (train(message.steps ?? 1)) sendViews();
        break;
      case 'save':
        post('model', { json: session.toJson(), energy: session.potential(), layers: session.layers(),
          seed: session.seed(), steps: session.stepsTaken() });
        break;
      default:
        throw new Error(`unknown message '${message.type}'`);
    }
  } catch (error) {
    fail(message.type, error);
  }
}

self.onmessage = (event) => {
  if (running) pending.push(event.data); // picked up between chunks
  else if (nfvi === null) pending.push(event.data);
  else handle(event.data);
};

createNfviModule().then((module) => {
  nfvi = module;
  post('ready', { energies: nfvi.energyNames() });
  while (pending.length > 0) handle(pending.shift());
}, (error) => fail('loading the WebAssembly module', error));
