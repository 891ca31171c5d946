// The flow view's Web Worker: a FlowSession (one planar flow, one energy).
import { startTrainingWorker } from './training_worker.js';

const DENSITY_BINS = 100;
const DENSITY_SAMPLES = 100000;
const LAYER_SAMPLES = 2000;
const FRESH_SAMPLES = 100000; // kl_true of a new or loaded flow, before it has training history

startTrainingWorker({
  create: (nfvi, s) => new nfvi.FlowSession(s.energy, `planar:${s.layers}`, s.samples, s.lr, s.seed),
  load: (nfvi, text, s) => nfvi.FlowSession.fromJson(text, s.samples, s.lr, s.seed),
  describe(session) {
    const trueDensity = session.trueDensity(DENSITY_BINS);
    return {
      body: {
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
      },
      transfer: [trueDensity.buffer],
    };
  },
  views(session) {
    const learnedDensity = session.learnedDensity(DENSITY_BINS, DENSITY_SAMPLES);
    const layerSamples = session.layerSamples(LAYER_SAMPLES);
    return {
      body: { bins: DENSITY_BINS, learnedDensity, layers: session.layers(), points: LAYER_SAMPLES, layerSamples },
      transfer: [learnedDensity.buffer, layerSamples.buffer],
    };
  },
  save: (session) => ({ json: session.toJson(), name: `nfvi-${session.potential()}-K${session.layers()}-seed${session.seed()}-step${session.stepsTaken()}.json` }),
});
