// The flow view's Web Worker: a FlowSession (one flow of any spec, one
// energy). The Compare panel runs a second instance of it. It also answers
// 'check' {flow}: the core parser's verdict on a flow spec, so that a field
// can show its message before Run.
import { startTrainingWorker } from './training_worker.js';

const DENSITY_BINS = 100;
const DENSITY_SAMPLES = 100000; // the histogram's samples
const LAYER_SAMPLES = 2000;
const FRESH_SAMPLES = 100000; // kl_true of a new or loaded flow, before it has training history

startTrainingWorker({
  create: (nfvi, s) => new nfvi.FlowSession(s.energy, s.flow, s.samples, s.lr, s.seed),
  load: (nfvi, text, s) => nfvi.FlowSession.fromJson(text, s.samples, s.lr, s.seed),
  ready: (nfvi) => ({ flowSpecHelp: nfvi.flowSpecHelp() }),
  answers: {
    check: (nfvi, message) => ({ type: 'checked', body: { spec: message.flow, verdict: nfvi.checkFlowSpec(message.flow) } }),
  },
  describe(session) {
    const trueDensity = session.trueDensity(DENSITY_BINS);
    return {
      body: {
        energy: session.potential(),
        flow: session.flow(),
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
  // A 'view' request {density, layerSamples} says which learned density to
  // draw, 'exact' (q on the grid, by the flow's inverse; the default) or
  // 'histogram' (of DENSITY_SAMPLES samples), and whether to send the layer
  // view's samples (the Compare panel draws none).
  views(session, request) {
    const density = request.density === 'histogram' ? 'histogram' : 'exact';
    const learnedDensity = density === 'histogram'
      ? session.learnedDensity(DENSITY_BINS, DENSITY_SAMPLES) : session.exactDensity(DENSITY_BINS);
    const body = { bins: DENSITY_BINS, density, learnedDensity, flow: session.flow(), layers: session.layers() };
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
