// The flow view's Web Worker: a FlowSession (one flow of any spec, one
// 2-D target: a library energy, or one the user typed). The Compare panel
// runs a second instance of it. It also answers 'check' {flow}: the core
// parser's verdict on a flow spec, and 'checkTarget' {expression, box}: the
// expression compiler's, so that a field can show its message before Run.
import {
  boxNumbers, checkSettings, CUSTOM_ENERGY, FIELDS, modelFileFacts, settingsForLoad, wrongViewMessage,
} from './model.js';
import { startTrainingWorker } from './training_worker.js';

const DENSITY_BINS = 100;
const DENSITY_SAMPLES = 100000; // the histogram's samples
const LAYER_SAMPLES = 2000;
const FRESH_SAMPLES = 100000; // kl_true of a new or loaded flow, before it has training history
const TRUST_SAMPLES = 10000; // the trust panel's fresh samples, at each redraw

let ignoredSettings = []; // the last loaded file's settings that the page could not use

// The learning-rate schedule and beta-annealing of the settings (cosine and
// anneal steps, 0 = off), as `nfvi fit --lr-schedule cosine --steps T
// --anneal A` has them, counted from the session's first step. A loaded
// model trains on with the page's schedule (its file's was for its own run).
function withSchedule(session, s) {
  try {
    session.setSchedule(s.cosine ?? 0, s.anneal ?? 0);
    session.setGradient(s.gradient ?? 'standard');
  } catch (error) {
    session.delete();
    throw error;
  }
  return session;
}

// A new session on the settings' target: a library energy by name, or the typed one over its box.
function newSession(nfvi, s) {
  if (s.energy !== CUSTOM_ENERGY) return new nfvi.FlowSession(s.energy, s.flow, s.samples, s.lr, s.seed);
  const [xmin, xmax, ymin, ymax] = boxNumbers(s.box);
  return nfvi.FlowSession.fromExpression(s.expression, xmin, xmax, ymin, ymax, s.flow, s.samples, s.lr, s.seed);
}

startTrainingWorker({
  create: (nfvi, s) => withSchedule(newSession(nfvi, s), s),
  // A loaded flow trains on the file's own samples per step, learning rate
  // and seed (where it names them and the page can use them); the 'session'
  // message says which they are, and the page shows them in its fields.
  load(nfvi, text, pageSettings) {
    const facts = modelFileFacts(text);
    const wrong = wrongViewMessage(facts.kind, 'flow');
    if (wrong !== null) throw new Error(wrong);
    // Only the file's settings are judged here (its target comes with it).
    const check = (texts) => checkSettings(texts, (spec) => ({ flow: spec, layers: 1 }), FIELDS, () => ({}));
    const { settings: s, ignored } = settingsForLoad(pageSettings, facts.settings, check);
    ignoredSettings = ignored;
    return withSchedule(nfvi.FlowSession.fromJson(text, s.samples, s.lr, s.seed), s);
  },
  ready: (nfvi) => ({ flowSpecHelp: nfvi.flowSpecHelp() }),
  answers: {
    check: (nfvi, message) => ({ type: 'checked', body: { spec: message.flow, verdict: nfvi.checkFlowSpec(message.flow) } }),
    checkTarget(nfvi, { key, expression, box }) {
      const [xmin, xmax, ymin, ymax] = boxNumbers(box);
      return { type: 'checkedTarget', body: { key, verdict: nfvi.checkTargetExpression(expression, xmin, xmax, ymin, ymax) } };
    },
  },
  describe(session) {
    const trueDensity = session.trueDensity(DENSITY_BINS);
    return {
      body: {
        energy: session.potential(),
        expression: session.expression(),
        box: Array.from(session.box()),
        logZMethod: session.logZMethod(),
        logZWarning: session.logZWarning(),
        gradient: session.gradient(),
        flow: session.flow(),
        layers: session.layers(),
        samples: session.samples(),
        lr: session.learningRate(),
        cosine: session.cosineSteps(),
        anneal: session.annealSteps(),
        seed: session.seed(),
        logZ: session.logZ(),
        steps: session.stepsTaken(),
        history: session.klHistory(),
        klTrueFresh: session.klTrueFresh(FRESH_SAMPLES),
        ignoredSettings: ignoredSettings.splice(0),
        bins: DENSITY_BINS,
        trueDensity,
      },
      transfer: [trueDensity.buffer],
    };
  },
  // A 'view' request {density, layerSamples} says which learned density to
  // draw, 'exact' (q on the grid, by the flow's inverse; the default) or
  // 'histogram' (of DENSITY_SAMPLES samples), and whether to send the layer
  // view's samples (the Compare panel draws none).
  views(session, request) {
    const density = request.density === 'histogram' ? 'histogram' : 'exact';
    const learnedDensity = density === 'histogram'
      ? session.learnedDensity(DENSITY_BINS, DENSITY_SAMPLES) : session.exactDensity(DENSITY_BINS);
    const body = { bins: DENSITY_BINS, density, learnedDensity, flow: session.flow(), layers: session.layers(),
      box: Array.from(session.box()), steps: session.stepsTaken() };
    // The trust panel, from fresh samples of the flow shown (the Compare panel has its own).
    if (request.diagnostics !== false) body.diagnostics = session.diagnostics(TRUST_SAMPLES);
    const transfer = [learnedDensity.buffer];
    if (request.layerSamples !== false) {
      body.layerSamples = session.layerSamples(LAYER_SAMPLES);
      body.points = LAYER_SAMPLES;
      transfer.push(body.layerSamples.buffer);
    }
    return { body, transfer };
  },
  save(session) {
    const flow = session.flow().replace(/[^A-Za-z0-9]+/g, '-');
    return { json: session.toJson(), name: `nfvi-${session.potential()}-${flow}-seed${session.seed()}-step${session.stepsTaken()}.json` };
  },
});
