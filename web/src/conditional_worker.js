// The conditional view's Web Worker: a ConditionalSession (an MLP that maps
// an angle to a planar flow, over the rotated-ring family).
import { startTrainingWorker } from './training_worker.js';

const DENSITY_BINS = 100;
const DENSITY_SAMPLES = 20000; // q(z|angle) per redraw: about 20 ms, so the slider stays live
const KL_SAMPLES = 10000;      // kl_true at the shown angle, when the slider settles
const KL_SAMPLES_LIVE = 2000;  // ... and in the redraws while training runs

startTrainingWorker({
  chunkMs: 20, // the slider's redraw waits for the current chunk
  create: (nfvi, s) => new nfvi.ConditionalSession(s.layers, s.hidden, s.angles, s.samples, s.lr, s.seed),
  load: (nfvi, text, s) => nfvi.ConditionalSession.fromJson(text, s.angles, s.samples, s.lr, s.seed),
  describe: (session) => ({
    body: {
      layers: session.layers(),
      hidden: session.hidden(),
      logZ: session.logZ(),
      steps: session.stepsTaken(),
      history: session.klHistory(),
      angleMin: session.angleMin(),
      angleMax: session.angleMax(),
    },
    transfer: [],
  }),
  views(session, request, periodic) {
    const angle = Number.isFinite(request.angle) ? request.angle : 0;
    const trueDensity = session.trueDensity(angle, DENSITY_BINS);
    const learnedDensity = session.learnedDensity(angle, DENSITY_BINS, DENSITY_SAMPLES);
    return {
      body: {
        angle,
        requestId: request.id ?? 0,
        extrapolation: session.isExtrapolation(angle),
        klTrueAtAngle: request.withKl === false && !periodic ? null
          : session.klTrueAt(angle, periodic ? KL_SAMPLES_LIVE : KL_SAMPLES),
        bins: DENSITY_BINS,
        trueDensity,
        learnedDensity,
      },
      transfer: [trueDensity.buffer, learnedDensity.buffer],
    };
  },
  save: (session) => ({ json: session.toJson(), name: `nfvi-conditional-K${session.layers()}-H${session.hidden()}-step${session.stepsTaken()}.json` }),
});
