// The page's state: the training settings, their checks, and their place in
// the URL hash. Pure functions only, no DOM, so the worker, the controller and
// the tests can share them.

// The flow view's energies: the library's 2-D targets (the wasm module's
// targetNames(), which the Node test holds to this list) and 'custom', an
// energy the user types over z1, z2 with its box.
export const LIBRARY_ENERGIES = ['U1', 'U2', 'U3', 'U4', 'U8', 'gmm40', 'banana', 'two-moons', 'rings'];
export const CUSTOM_ENERGY = 'custom';
export const ENERGIES = [...LIBRARY_ENERGIES, CUSTOM_ENERGY];

// The typed U1: what the custom energy's field holds until the user types.
export const U1_EXPRESSION =
  '0.5*((sqrt(z1^2+z2^2)-2)/0.4)^2 - log(exp(-0.5*((z1-2)/0.6)^2)+exp(-0.5*((z1+2)/0.6)^2))';

// A typed target of our own, for the 'typed smiley' preset: two eyes (Gaussian
// blobs) and a mouth (the lower arc of a ring), as one expression.
export const SMILEY_EXPRESSION = 'eyes = logsumexp(-0.5*((z1 + 1)^2 + (z2 - 1)^2)/0.3^2, ' +
  '-0.5*((z1 - 1)^2 + (z2 - 1)^2)/0.3^2); r = sqrt(z1^2 + (z2 - 0.5)^2); ' +
  'mouth = -0.5*((r - 2)/0.2)^2 - softplus(6*(z2 + 0.5)); -logsumexp(eyes, mouth)';

// A fresh page: the seed study's settings (planar K = 50, N = 1000, lr 2e-3),
// the standard gradient, and (for 'custom') the typed U1 over [-6, 6]^2.
export const DEFAULTS = Object.freeze({
  energy: 'U1', expression: U1_EXPRESSION, box: '-6,6,-6,6', flow: 'planar:50', samples: 1000, lr: 0.002, cosine: 0,
  anneal: 0, gradient: 'standard', seed: 1,
});

// The gradient's estimators (FlowSession.setGradient): their values and labels.
export const GRADIENTS = Object.freeze({ standard: 'standard', stl: 'path derivative (STL)' });

// The flow presets, one row each: the flow spec (core/flows/flow_spec.hpp),
// and the learning rate, samples per step and schedule it trains with
// (cosine: cosine decay of the learning rate over that many steps, 0 =
// constant; anneal: beta-annealing over that many steps, 0 = off). The flow
// view and its Compare panel draw one button per row; change them here only.
export const PRESETS = Object.freeze([
  { name: 'planar 50', flow: 'planar:50', lr: 0.002, samples: 1000, cosine: 0, anneal: 0 },
  { name: 'radial 30', flow: 'radial:30', lr: 0.005, samples: 1000, cosine: 0, anneal: 0 },
  { name: 'affine 8', flow: 'affine:8', lr: 0.003, samples: 500, cosine: 0, anneal: 0 },
  // One hidden layer per conditioner, a quarter cheaper per step than two:
  // natively, kl_true 0.0061 on U1 after its 800 steps (below 0.01 from about step 750).
  { name: 'spline 4', flow: 'spline:4:bins=12:bound=6:depth=1', lr: 0.005, samples: 500, cosine: 800, anneal: 0 },
].map((preset) => Object.freeze(preset)));

// The Compare panel opens with this preset (or, when the flow view already
// trains its flow, with the first other one), at the flow view's seed.
export const COMPARE_PRESET = 'spline 4';

export function compareDefaults(mainSettings) {
  const named = PRESETS.find((p) => p.name === COMPARE_PRESET) ?? PRESETS[0];
  const preset = named.flow !== mainSettings.flow ? named : PRESETS.find((p) => p.flow !== mainSettings.flow);
  return { flow: preset.flow, samples: preset.samples, lr: preset.lr, cosine: preset.cosine, anneal: preset.anneal,
    seed: mainSettings.seed };
}

// The preset whose flow, learning rate, samples and schedule the settings
// have, or null (settings without a schedule have none: 0 and 0).
export function presetOf(settings) {
  return PRESETS.find((p) => p.flow === settings.flow && p.lr === settings.lr && p.samples === settings.samples &&
    p.cosine === (settings.cosine ?? 0) && p.anneal === (settings.anneal ?? 0)) ?? null;
}

// The settings a preset sets (a preset button's press).
export function presetSettings(preset) {
  return { flow: preset.flow, lr: preset.lr, samples: preset.samples, cosine: preset.cosine, anneal: preset.anneal };
}

const MAX_SEED = 2 ** 53 - 1;
const MAX_LAYER_SAMPLES = 5e6; // the wasm session's own limit (cached points per step)
const MAX_SPEC_LENGTH = 10000; // the flow spec parser's own limit
const MAX_SCHEDULE_STEPS = 1e8; // the wasm session's own limit (FlowSession::set_schedule)
const MAX_EXPRESSION_LENGTH = 10000; // the expression compiler's own limit (kMaxExpressionLength)

// The schedule's fields, left out of the hash while 0 (off), so that a link
// from before them, or one with a constant learning rate, stays as it was.
const OFF_WHEN_ZERO = new Set(['cosine', 'anneal']);

// Whether a flow-view field is left out of the hash: the schedule while off,
// the standard gradient, and the typed energy and its box unless the energy is custom.
function leftOutOfHash(name, state) {
  if (OFF_WHEN_ZERO.has(name)) return String(state[name]) === '0';
  if (name === 'gradient') return state.gradient === 'standard';
  if (name === 'expression' || name === 'box') return state.energy !== CUSTOM_ENERGY;
  return false;
}

// The box of a typed energy, "xmin,xmax,ymin,ymax" as `nfvi fit --box` takes
// it: its value is the same text with the numbers in their shortest form.
function boxText(text) {
  const parts = String(text).split(',').map((p) => p.trim());
  const values = parts.map(Number);
  const error = 'box must be xmin,xmax,ymin,ymax with xmin < xmax and ymin < ymax, e.g. -6,6,-6,6';
  if (parts.length !== 4 || parts.some((p) => p === '') || !values.every(Number.isFinite)) return { error };
  if (!(values[0] < values[1] && values[2] < values[3])) return { error };
  return { value: values.join(',') };
}

// The box's four numbers, from its text (a value of boxText).
export function boxNumbers(box) {
  return String(box).split(',').map(Number);
}

// A typed energy as typed: only its length is checked here; the compiler in
// the worker gives the verdict (checkSettings asks for it).
function expressionText(text) {
  const s = String(text).trim();
  if (s === '') return { error: 'type an energy U(z) over z1, z2, e.g. 0.5*(z1^2 + z2^2)' };
  if (s.length > MAX_EXPRESSION_LENGTH) return { error: `the energy is longer than ${MAX_EXPRESSION_LENGTH} characters` };
  return { value: s };
}

// The key of a typed energy's verdict (its text and box).
export function targetKey(expression, box) {
  return JSON.stringify([expression, box]);
}

function wholeNumber(text, name, lo, hi) {
  const s = String(text).trim();
  if (!/^\d+$/.test(s)) return { error: `${name} must be a whole number from ${lo} to ${hi}` };
  const value = Number(s);
  if (!Number.isSafeInteger(value) || value < lo || value > hi) {
    return { error: `${name} must be a whole number from ${lo} to ${hi}` };
  }
  return { value };
}

// A flow spec as typed: only its length is checked here. What it means is
// the core parser's to say (checkSettings asks for its verdict).
function flowSpecText(text) {
  const s = String(text).trim();
  if (s === '') return { error: 'flow spec is empty (e.g. planar:50 or spline:4)' };
  if (s.length > MAX_SPEC_LENGTH) return { error: `flow spec is longer than ${MAX_SPEC_LENGTH} characters` };
  return { value: s };
}

// Each field: parse(text) -> { value } or { error }.
// The flow view's fields.
export const FIELDS = {
  energy: (text) => (ENERGIES.includes(String(text))
    ? { value: String(text) } : { error: `energy must be one of ${ENERGIES.join(', ')}` }),
  expression: expressionText,
  box: boxText,
  flow: flowSpecText,
  samples: (text) => wholeNumber(text, 'samples per step', 1, 100000),
  lr: (text) => positiveNumber('learning rate', 1, 0.002)(text),
  cosine: (text) => wholeNumber(text, 'cosine decay steps T', 0, MAX_SCHEDULE_STEPS),
  anneal: (text) => wholeNumber(text, 'annealing steps A', 0, MAX_SCHEDULE_STEPS),
  gradient: (text) => (String(text) in GRADIENTS
    ? { value: String(text) } : { error: `gradient must be one of ${Object.keys(GRADIENTS).join(', ')}` }),
  seed: (text) => wholeNumber(text, 'seed', 0, MAX_SEED),
};

// The Compare panel's fields: a second flow on the flow view's energy.
export const COMPARE_FIELDS = {
  flow: flowSpecText,
  samples: FIELDS.samples,
  lr: FIELDS.lr,
  cosine: FIELDS.cosine,
  anneal: FIELDS.anneal,
  seed: FIELDS.seed,
};

function positiveNumber(name, hi, example) {
  return (text) => {
    const s = String(text).trim();
    const value = Number(s);
    if (s === '' || !Number.isFinite(value) || value <= 0 || value > hi) {
      return { error: `${name} must be a number in (0, ${hi}], e.g. ${example}` };
    }
    return { value };
  };
}

// The conditional view's fields: a small network, so that it trains in a minute.
export const CONDITIONAL_FIELDS = {
  layers: (text) => wholeNumber(text, 'layers', 1, 200),
  hidden: (text) => wholeNumber(text, 'hidden units', 1, 1024),
  angles: (text) => wholeNumber(text, 'angles per step', 1, 1024),
  samples: (text) => wholeNumber(text, 'samples per angle', 1, 10000),
  lr: positiveNumber('learning rate', 1, 0.003),
  seed: (text) => wholeNumber(text, 'seed', 0, MAX_SEED),
};

export const CONDITIONAL_DEFAULTS = Object.freeze({ layers: 16, hidden: 64, angles: 16, samples: 100, lr: 0.003, seed: 1 });

// Each field's text through its parser: { state: name -> value, errors: name -> message }.
function parseFields(fields, texts) {
  const state = {};
  const errors = {};
  for (const [name, parse] of Object.entries(fields)) {
    const result = parse(texts[name] ?? '');
    if ('error' in result) errors[name] = result.error;
    else state[name] = result.value;
  }
  return { state, errors };
}

// Checks every field and the combination; returns { state, errors } where
// errors maps a field name to its message (empty when all is well).
export function checkConditionalSettings(texts) {
  const { state, errors } = parseFields(CONDITIONAL_FIELDS, texts);
  if (Object.keys(errors).length === 0 && state.layers * state.angles * state.samples > MAX_LAYER_SAMPLES) {
    errors.samples = `layers x angles x samples must be at most ${MAX_LAYER_SAMPLES.toLocaleString('en')} in the browser`;
  }
  return { state, errors };
}

// The flow view's check (and the Compare panel's, with COMPARE_FIELDS).
// verdictOf(spec) is the core parser's verdict on a flow spec, { flow, layers }
// or { error }, or null while it is not known yet (it comes from the worker):
// then the flow's message is '' (no message, but Run waits for the verdict).
// targetVerdictOf(expression, box), the same for a typed energy ({ error,
// column, warning }, or null), is asked only when the energy is custom; its
// warning (a box that cuts off mass) comes back in `warnings`, which do not
// hold the buttons. Returns { state, errors, warnings }.
export function checkSettings(texts, verdictOf, fields = FIELDS, targetVerdictOf = () => null) {
  const { state, errors } = parseFields(fields, texts);
  const warnings = {};
  if ('expression' in fields && state.energy === CUSTOM_ENERGY) {
    if (!errors.expression && !errors.box) {
      const verdict = targetVerdictOf(state.expression, state.box);
      if (verdict === null) errors.expression = '';
      else if (verdict.error) errors.expression = verdict.error;
      else if (verdict.warning) warnings.expression = `warning: ${verdict.warning}`;
    }
  } else {
    // Hidden while the energy is not custom: their text waits, unjudged.
    delete errors.expression;
    delete errors.box;
  }
  if (!errors.flow) {
    const verdict = verdictOf(state.flow);
    if (verdict === null) errors.flow = '';
    else if (verdict.error) errors.flow = verdict.error;
    else if (!errors.samples && (verdict.layers + 1) * state.samples > MAX_LAYER_SAMPLES) {
      errors.samples = `(layers + 1) x samples must be at most ${MAX_LAYER_SAMPLES.toLocaleString('en')} in the ` +
        `browser (this flow has ${verdict.layers} layers)`;
    }
  }
  return { state, errors, warnings };
}

// The VAE view's fields: a small VAE that learns visibly in about a minute.
export const VAE_FIELDS = {
  latent: (text) => wholeNumber(text, 'latent dimension', 1, 64),
  flows: (text) => wholeNumber(text, 'flows K', 0, 64),
  hidden: (text) => wholeNumber(text, 'hidden units', 1, 1024),
  samples: (text) => wholeNumber(text, 'samples per image', 1, 100),
  batch: (text) => wholeNumber(text, 'batch size', 1, 1000),
  lr: positiveNumber('learning rate', 1, 0.001),
  seed: (text) => wholeNumber(text, 'seed', 0, MAX_SEED),
};

export const VAE_DEFAULTS = Object.freeze({ latent: 2, flows: 4, hidden: 128, samples: 1, batch: 100, lr: 0.001, seed: 1 });

// The page trains on the first 2,000 training and 200 test digits of
// `nfvi vae --data digits`'s own split (9,000 / 1,000), to keep the page light.
export const VAE_IMAGES = Object.freeze({ train: 2000, test: 200 });

const MAX_VAE_SAMPLES = 10000; // samples x batch: the wasm session's own limit (memory)
const MAX_VAE_WORK = 2e5; // hidden x samples x batch: keeps one batch well under a second in the browser

export function checkVaeSettings(texts) {
  const { state, errors } = parseFields(VAE_FIELDS, texts);
  if (!errors.hidden && !errors.samples && !errors.batch) {
    if (state.samples * state.batch > MAX_VAE_SAMPLES) {
      errors.batch = `samples x batch must be at most ${MAX_VAE_SAMPLES.toLocaleString('en')} in the browser`;
    } else if (state.hidden * state.samples * state.batch > MAX_VAE_WORK) {
      errors.batch = `hidden x samples x batch must be at most ${MAX_VAE_WORK.toLocaleString('en')} in the browser`;
    }
  }
  return { state, errors };
}

// The view a hash shows: "flow" (default), "conditional" or "vae".
export const VIEWS = ['flow', 'conditional', 'vae'];
export function viewFromHash(hash) {
  const view = new URLSearchParams(String(hash).replace(/^#/, '')).get('view');
  return VIEWS.includes(view) ? view : 'flow';
}

// "#energy=U1&flow=planar%3A50&samples=1000&lr=0.002&seed=1" (the flow view), or
// "#view=conditional&layers=16&...&angle=0.5". `extra` adds keys (the angle).
export function settingsToHash(state, fields = FIELDS, view = 'flow', extra = {}) {
  const params = new URLSearchParams();
  if (view !== 'flow') params.set('view', view);
  for (const name of Object.keys(fields)) {
    if (view === 'flow' && leftOutOfHash(name, state)) continue;
    params.set(name, String(state[name]));
  }
  for (const [name, value] of Object.entries(extra)) params.set(name, String(value));
  return `#${params.toString()}`;
}

// The field texts a hash asks for; fields it does not name keep their defaults.
export function textsFromHash(hash, fields = FIELDS, defaults = DEFAULTS) {
  const params = new URLSearchParams(String(hash).replace(/^#/, ''));
  const texts = {};
  for (const name of Object.keys(fields)) texts[name] = params.has(name) ? params.get(name) : String(defaults[name]);
  return texts;
}

// The flow view's field texts from its hash. A link from before the flow
// families says layers=K and no flow: that is planar:K.
export function flowTextsFromHash(hash) {
  const texts = textsFromHash(hash);
  const params = new URLSearchParams(String(hash).replace(/^#/, ''));
  if (!params.has('flow') && params.has('layers')) texts.flow = `planar:${params.get('layers')}`;
  return texts;
}

// The Compare panel's place in the flow view's hash: compare=SPEC opens it,
// with compare_samples, compare_lr, compare_seed (and compare_cosine and
// compare_anneal when they are not 0) beside it.
const COMPARE_KEY = 'compare';
const compareKey = (name) => (name === 'flow' ? COMPARE_KEY : `${COMPARE_KEY}_${name}`);

export function compareToHashEntries(state) {
  return Object.fromEntries(Object.keys(COMPARE_FIELDS)
    .filter((name) => !(OFF_WHEN_ZERO.has(name) && String(state[name]) === '0'))
    .map((name) => [compareKey(name), state[name]]));
}

// The Compare panel's field texts, or null when the hash does not open it;
// fields it does not name come from `defaults` (the schedule's: 0).
export function compareTextsFromHash(hash, defaults) {
  const params = new URLSearchParams(String(hash).replace(/^#/, ''));
  if (!params.has(COMPARE_KEY)) return null;
  const texts = {};
  for (const name of Object.keys(COMPARE_FIELDS)) {
    const key = compareKey(name);
    // The hash leaves out a schedule of 0, so a missing one is 0, not the default preset's.
    const missing = OFF_WHEN_ZERO.has(name) ? '0' : String(defaults[name]);
    texts[name] = params.has(key) ? params.get(key) : missing;
  }
  return texts;
}

// The kind of each layer of a canonical flow spec ("spline:2,planar:3" ->
// spline, spline, planar, planar, planar), for the layer view's labels.
export function layerKinds(canonicalSpec) {
  const kinds = [];
  for (const item of String(canonicalSpec).split(',')) {
    const [kind, count] = item.split(':');
    for (let i = 0; i < Number(count); ++i) kinds.push(kind);
  }
  return kinds;
}

export function hashParam(hash, name) {
  return new URLSearchParams(String(hash).replace(/^#/, '')).get(name);
}

// kl_true as `nfvi fit` reports it: the mean of the last `window` KL
// estimates plus log Z. Kept incrementally, one estimate at a time.
export class RecentMean {
  constructor(window = 100) {
    this.window = window;
    this.values = [];
    this.sum = 0;
  }

  push(value) {
    this.values.push(value);
    this.sum += value;
    if (this.values.length > this.window) this.sum -= this.values.shift();
    return this.mean();
  }

  mean() {
    return this.values.length ? this.sum / this.values.length : NaN;
  }
}

// Steps per second as a person sees them: the steps shown over the wall time
// they took (training, drawing and messages included), over the last
// `windowMs`, from the moments the progress messages arrive. reset() when
// training stops, add(now, stepsSoFar) at Run and at each progress message;
// rate() is null until the window holds `minMs` of training.
export class RateMeter {
  constructor(windowMs = 3000, minMs = 300) {
    this.windowMs = windowMs;
    this.minMs = minMs;
    this.points = [];
  }

  reset() {
    this.points = [];
  }

  add(t, steps) {
    this.points.push({ t, steps });
    while (this.points.length > 2 && t - this.points[1].t >= this.windowMs) this.points.shift();
    return this.rate();
  }

  rate() {
    if (this.points.length < 2) return null;
    const a = this.points[0];
    const b = this.points.at(-1);
    const ms = b.t - a.t;
    return ms >= this.minMs ? (1000 * (b.steps - a.steps)) / ms : null;
  }
}

// A rate as the stats show it: three significant digits at most, a dash for none.
export function formatRate(rate) {
  if (rate === null || !Number.isFinite(rate)) return '–';
  if (rate >= 100) return rate.toFixed(0);
  if (rate >= 10) return rate.toFixed(1);
  return rate.toFixed(2);
}

// ---- model files --------------------------------------------------------

// The model files a view can load, by their "format": which view opens them.
const FORMATS = {
  'nfvi-flow': { kind: 'flow', what: 'a flow model (nfvi fit or this page\'s flow view)', view: 'the Flow view' },
  'nfvi-conditional-flow': {
    kind: 'conditional', what: 'a conditional model (nfvi cond or this page\'s Conditional view)',
    view: 'the Conditional view',
  },
};
const VAE_CHECKPOINT = { kind: 'vae', what: 'a VAE model (checkpoint.bin of nfvi vae or this page\'s VAE view)',
  view: 'the VAE view' };
const VAE_SUMMARY = { kind: 'vae-summary', what: 'the summary.json of nfvi vae', view: null };

const number = (x) => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);

// What a model file's text says of itself before the WebAssembly reader
// checks it: { kind, settings } with kind 'flow', 'conditional', 'vae' or
// null (not JSON, or no known format), and the training settings it names
// (field name -> value; only those it has). The flow file of `nfvi fit`
// says samples, lr and seed; the page's says learning_rate. A conditional
// file says them under "training" (its last phase's samples and lr).
export function modelFileFacts(text) {
  if (String(text).startsWith('NFVIVAE')) return { kind: 'vae', settings: {} };
  let doc;
  try {
    doc = JSON.parse(text);
  } catch {
    return { kind: null, settings: {} };
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return { kind: null, settings: {} };
  if (doc.format === 'nfvi-vae') return { kind: VAE_SUMMARY.kind, settings: {} };
  const format = FORMATS[doc.format];
  const kind = format ? format.kind : null;
  const settings = {};
  if (kind === 'flow') {
    settings.samples = number(doc.samples);
    settings.lr = number(doc.lr) ?? number(doc.learning_rate);
    settings.seed = number(doc.seed);
    if (typeof doc.gradient === 'string') settings.gradient = doc.gradient;
  } else if (kind === 'conditional' && doc.training && typeof doc.training === 'object') {
    const t = doc.training;
    const phase2 = t.phase2 && typeof t.phase2 === 'object' && number(t.phase2.steps) > 0 ? t.phase2 : null;
    const phase = phase2 ?? (t.phase1 && typeof t.phase1 === 'object' ? t.phase1 : {});
    settings.angles = number(t.angles_per_step);
    settings.samples = number(phase.samples_per_angle);
    settings.lr = number(phase.lr);
    settings.seed = number(t.seed);
  }
  for (const key of Object.keys(settings)) if (settings[key] === undefined) delete settings[key];
  return { kind, settings, dim: number(doc.dim) };
}

// Why a view cannot open a file of this kind, or null when it can.
// view: 'flow', 'conditional' or 'vae'.
export function wrongViewMessage(kind, view) {
  if (kind === null || kind === view) return null;
  const format = [...Object.values(FORMATS), VAE_CHECKPOINT, VAE_SUMMARY].find((f) => f.kind === kind);
  if (format.kind === 'vae-summary') return `this is ${format.what}: load the checkpoint.bin beside it in the VAE view`;
  if (format.view === null) return `this is ${format.what}; the page cannot open it`;
  return `this is ${format.what}: open it in ${format.view}`;
}

// The settings a loaded model trains on: the file's own where it names them
// and they pass the view's check, the page's otherwise. check: texts ->
// { state, errors } (the view's); fileSettings and pageSettings: name -> value.
// Returns { settings, ignored } where ignored lists the file's values that
// the page cannot use ("samples 20000").
export function settingsForLoad(pageSettings, fileSettings, check) {
  const merged = { ...pageSettings };
  for (const [name, value] of Object.entries(fileSettings)) if (name in merged) merged[name] = value;
  const texts = Object.fromEntries(Object.entries(merged).map(([k, v]) => [k, String(v)]));
  const { errors } = check(texts);
  const ignored = [];
  for (const name of Object.keys(errors)) {
    if (name in fileSettings && errors[name] !== '') {
      ignored.push(`${name} ${fileSettings[name]}`);
      merged[name] = pageSettings[name];
    }
  }
  return { settings: merged, ignored };
}

// A reader's message as a person can read it: no library codes, no "between
// 2 and 2", and what an empty or cut-short file is.
export function humanLoadMessage(message) {
  let m = String(message).replace(/\[json\.exception\.[a-z_]+\.\d+\]\s*/g, '');
  if (/number overflow parsing/.test(m)) return 'a number in the file is too large (beyond about 1.8e308)';
  m = m.replace(/must be between (-?\d+) and \1\b/g, 'must be $1');
  m = m.replace(/^not valid JSON \(truncated or malformed\) at byte (\d+)$/,
    'this is not a JSON file, or it is cut short (it stops making sense at byte $1)');
  if (/"dim" must be 2$/.test(m)) return 'the page shows 2-D flows only, and this file\'s "dim" is not 2';
  return m;
}

// The line beside Load when a file is too large.
export function tooLargeMessage(name, bytes, maxBytes) {
  const mb = (x) => `${(x / 1e6).toLocaleString('en', { maximumFractionDigits: 1 })} MB`;
  return `${name} is ${mb(bytes)}; the page loads model files of up to ${mb(maxBytes)}`;
}

// kl_true beyond this (or not finite) means a flow far from any trained one.
export const ABSURD_KL_TRUE = 1000;

// A warning for a loaded model whose kl_true is absurd, or null.
export function absurdModelWarning(klTrue) {
  if (Number.isFinite(klTrue) && klTrue <= ABSURD_KL_TRUE) return null;
  const shown = Number.isFinite(klTrue) ? `${klTrue.toExponential(1)} nats` : 'not a finite number';
  return `warning: this model's kl_true is ${shown}. Its parameters are far from those of any trained model ` +
    '(a damaged or hand-made file?): its density may not be drawable, and training it will probably fail.';
}

// A learning rate that trains nothing: a warning (not an error), or ''.
export function learningRateWarning(lr, { low = 1e-5, high = 0.05 } = {}) {
  if (!Number.isFinite(lr) || lr <= 0) return '';
  if (lr < low) return `a learning rate below ${low} barely moves the model: a run of thousands of steps changes little`;
  if (lr > high) return `a learning rate above ${high} usually diverges within a few steps`;
  return '';
}

// Each energy's formula, in plain text, as core/targets/energies.cpp computes
// it (U1-U4 of Rezende & Mohamed 2015 with the seed's constants; U2-U4 also
// carry the taper softplus(10(max(|z1|, |z2|) - 5)) that makes them normalisable).
export const ENERGY_FORMULAS = Object.freeze({
  U1: 'U(z) = ½((‖z‖ − 2)/0.4)² − log(e^(−½((z₁ − 2)/0.6)²) + e^(−½((z₁ + 2)/0.6)²))',
  U2: 'U(z) = ½((z₂ − w₁(z))/0.4)²,  w₁ = sin(πz₁/2)',
  U3: 'U(z) = −log(e^(−½((z₂ − w₁)/0.35)²) + e^(−½((z₂ − w₁ + w₂)/0.35)²)),  w₁ = sin(πz₁/2), ' +
    'w₂ = 3e^(−½((z₁ − 1)/0.5)²)',
  U4: 'U(z) = −log(e^(−½((z₂ − w₁)/0.34)²) + e^(−½((z₂ − w₁ + w₃)/0.35)²)),  w₁ = sin(πz₁/2), ' +
    'w₃ = 3σ((z₁ − 1)/0.3)',
  U8: 'U(z) = Σ over four angles a = 0, π/4, π/2, 3π/4 of ½((‖z‖ − 3)/0.4)² − log(e^(−½((x_a − 3)/0.6)²) + ' +
    'e^(−½((x_a + 3)/0.6)²) + 10⁻⁵),  x_a = z₁cos a − z₂sin a: eight modes on a ring',
  gmm40: 'FAB\'s 40-mode Gaussian mixture (Midgley et al. 2023): equal weights, each N(μₖ, s²I) with s = ' +
    'softplus(1) = 1.3133; log Z = 0 exactly',
  banana: 'Haario\'s banana: z₁ ~ N(0, 10²), z₂ | z₁ ~ N(0.03(z₁² − 100), 1); log Z = 0 exactly',
  'two-moons': 'normflows\' two moons: U(z) = ½((‖z‖ − 2)/0.2)² − log(e^(−½((z₁ − 2)/0.3)²) + e^(−½((z₁ + 2)/0.3)²))',
  rings: 'normflows\' ring mixture: U(z) = −log Σᵢ₌₁,₂ e^(−(‖z‖ − i)²/(2s²)),  s = 1/8',
});
export const TAPER_NOTE = 'plus the taper softplus(10(max(|z₁|, |z₂|) − 5)), which makes it normalisable';

// One-click settings per view, as in the Playground: each sets some fields
// (the others keep theirs) and applies them as a change of those fields does.
export const VIEW_PRESETS = Object.freeze({
  flow: [
    { name: 'seed study', title: 'U1, planar:50, N 1000, lr 0.002, seed 1: the seed study\'s settings',
      settings: { energy: 'U1', flow: 'planar:50', samples: 1000, lr: 0.002, cosine: 0, anneal: 0, seed: 1 } },
    { name: 'fast', title: 'U1, planar:16, N 300, lr 0.005: a rough fit in a few seconds',
      settings: { energy: 'U1', flow: 'planar:16', samples: 300, lr: 0.005, cosine: 0, anneal: 0 } },
    { name: 'hard target',
      title: 'U4, spline:4:bins=12:bound=6, N 500, lr 0.003, cosine decay over 1500 steps: two waves that planar ' +
        'flows find hard',
      settings: { energy: 'U4', flow: 'spline:4:bins=12:bound=6', samples: 500, lr: 0.003, cosine: 1500, anneal: 0 } },
    { name: 'eight modes', title: 'U8, affine:8, N 1000, lr 0.003: a ring of eight modes',
      settings: { energy: 'U8', flow: 'affine:8', samples: 1000, lr: 0.003, cosine: 0, anneal: 0 } },
    { name: 'typed smiley',
      title: 'a typed energy (two eyes and a mouth) over [-3, 3]^2, spline:4:bins=12:bound=6, N 500, lr 0.003, ' +
        'cosine decay over 3000 steps, annealing over 500',
      settings: { energy: 'custom', expression: SMILEY_EXPRESSION, box: '-3,3,-3,3', flow: 'spline:4:bins=12:bound=6',
        samples: 500, lr: 0.003, cosine: 3000, anneal: 500 } },
  ],
  conditional: [
    { name: 'fast', title: 'K 8, H 32: a small network that learns the family in seconds',
      settings: { layers: 8, hidden: 32, angles: 16, samples: 100, lr: 0.003 } },
    { name: 'default', title: 'K 16, H 64, 16 angles x 100 samples, lr 0.003',
      settings: { layers: 16, hidden: 64, angles: 16, samples: 100, lr: 0.003 } },
    { name: 'seed study', title: 'the same network from seeds 1, 2, 3 ...: change the seed and Reset',
      settings: { layers: 16, hidden: 64, angles: 16, samples: 100, lr: 0.003, seed: 2 } },
  ],
  vae: [
    { name: 'fast', title: 'H 64, batch 50: quick batches', settings: { hidden: 64, batch: 50, lr: 0.002 } },
    { name: 'default', title: 'D 2, K 4, H 128, batch 100, lr 0.001',
      settings: { latent: 2, flows: 4, hidden: 128, samples: 1, batch: 100, lr: 0.001 } },
    { name: 'no flows', title: 'K 0: a plain Gaussian posterior, to compare with the flows',
      settings: { flows: 0 } },
    { name: 'more flows', title: 'K 16 planar flows in the posterior', settings: { flows: 16 } },
  ],
});
