// The conditional view's Web Worker: a ConditionalSession (an MLP that maps
// an angle to a planar flow, over the rotated-ring family).
import { checkConditionalSettings, modelFileFacts, settingsForLoad, wrongViewMessage } from './model.js';
import { startTrainingWorker } from './training_worker.js';

const DENSITY_BINS = 100;
const DENSITY_SAMPLES = 20000; // q(z|angle) per redraw: about 20 ms, so the slider stays live
const KL_SAMPLES = 10000;      // kl_true at the shown angle, when the slider settles
const KL_SAMPLES_LIVE = 2000;  // ... and in the redraws while training runs

let current = null; // { settings, ignored }: the training settings of the session, and a file's unused ones

startTrainingWorker({
  chunkMs: 20, // the slider's redraw waits for the current chunk
  create(nfvi, s) {
    const session = new nfvi.ConditionalSession(s.layers, s.hidden, s.angles, s.samples, s.lr, s.seed);
    current = { settings: s, ignored: [] };
    return session;
  },
  // A loaded network trains on the file's own angles per step, samples per
  // angle, learning rate (its last phase's) and seed, where it names them
  // and the page can use them; the 'session' message says which they are.
  load(nfvi, text, pageSettings) {
    const facts = modelFileFacts(text);
    const wrong = wrongViewMessage(facts.kind, 'conditional');
    if (wrong !== null) throw new Error(wrong);
    // The file's layers and hidden units are the network's: checked with them.
    const check = (texts) => checkConditionalSettings({ ...texts, layers: '1', hidden: '1' });
    const { settings: s, ignored } = settingsForLoad(pageSettings, facts.settings, check);
    const session = nfvi.ConditionalSession.fromJson(text, s.angles, s.samples, s.lr, s.seed);
    current = { settings: s, ignored };
    return session;
  },
  describe: (session) => ({
    body: {
      layers: session.layers(),
      hidden: session.hidden(),
      logZ: session.logZ(),
      steps: session.stepsTaken(),
      history: session.klHistory(),
      angleMin: session.angleMin(),
      angleMax: session.angleMax(),
      angles: current.settings.angles,
      samples: current.settings.samples,
      lr: current.settings.lr,
      seed: current.settings.seed,
      ignoredSettings: current.ignored,
      klTrueFresh: session.klTrueAt(0, KL_SAMPLES_LIVE),
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
        requestId: periodic ? 0 : request.id ?? 0, // a periodic redraw answers no request
        slider: !periodic && request.slider === true,
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
