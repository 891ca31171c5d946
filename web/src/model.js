// The page's state: the training settings, their checks, and their place in
// the URL hash. Pure functions only, no DOM, so the worker, the controller and
// the tests can share them.

export const ENERGIES = ['U1', 'U2', 'U3', 'U4', 'U8'];

// A fresh page: the seed study's settings (planar K = 50, N = 1000, lr 2e-3).
export const DEFAULTS = Object.freeze({ energy: 'U1', flow: 'planar:50', samples: 1000, lr: 0.002, seed: 1 });

// The flow presets, one row each: the flow spec (core/flows/flow_spec.hpp),
// and the learning rate and samples per step it trains with. The flow view
// and its Compare panel draw one button per row; change them here only.
export const PRESETS = Object.freeze([
  { name: 'planar 50', flow: 'planar:50', lr: 0.002, samples: 1000 },
  { name: 'radial 30', flow: 'radial:30', lr: 0.005, samples: 1000 },
  { name: 'affine 8', flow: 'affine:8', lr: 0.003, samples: 500 },
  { name: 'spline 4', flow: 'spline:4', lr: 0.003, samples: 500 },
].map((preset) => Object.freeze(preset)));

// The Compare panel opens with this preset (or, when the flow view already
// trains its flow, with the first other one), at the flow view's seed.
export const COMPARE_PRESET = 'spline 4';

export function compareDefaults(mainSettings) {
  const named = PRESETS.find((p) => p.name === COMPARE_PRESET) ?? PRESETS[0];
  const preset = named.flow !== mainSettings.flow ? named : PRESETS.find((p) => p.flow !== mainSettings.flow);
  return { flow: preset.flow, samples: preset.samples, lr: preset.lr, seed: mainSettings.seed };
}

// The preset whose flow, learning rate and samples the settings have, or null.
export function presetOf(settings) {
  return PRESETS.find((p) => p.flow === settings.flow && p.lr === settings.lr && p.samples === settings.samples)
    ?? null;
}

const MAX_SEED = 2 ** 53 - 1;
const MAX_LAYER_SAMPLES = 5e6; // the wasm session's own limit (cached points per step)
const MAX_SPEC_LENGTH = 10000; // the flow spec parser's own limit

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
  flow: flowSpecText,
  samples: (text) => wholeNumber(text, 'samples per step', 1, 100000),
  lr: (text) => positiveNumber('learning rate', 1, 0.002)(text),
  seed: (text) => wholeNumber(text, 'seed', 0, MAX_SEED),
};

// The Compare panel's fields: a second flow on the flow view's energy.
export const COMPARE_FIELDS = {
  flow: flowSpecText,
  samples: FIELDS.samples,
  lr: FIELDS.lr,
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
export function checkSettings(texts, verdictOf, fields = FIELDS) {
  const { state, errors } = parseFields(fields, texts);
  if (!errors.flow) {
    const verdict = verdictOf(state.flow);
    if (verdict === null) errors.flow = '';
    else if (verdict.error) errors.flow = verdict.error;
    else if (!errors.samples && (verdict.layers + 1) * state.samples > MAX_LAYER_SAMPLES) {
      errors.samples = `(layers + 1) x samples must be at most ${MAX_LAYER_SAMPLES.toLocaleString('en')} in the ` +
        `browser (this flow has ${verdict.layers} layers)`;
    }
  }
  return { state, errors };
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
  for (const name of Object.keys(fields)) params.set(name, String(state[name]));
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
// with compare_samples, compare_lr and compare_seed beside it.
const COMPARE_KEY = 'compare';
const compareKey = (name) => (name === 'flow' ? COMPARE_KEY : `${COMPARE_KEY}_${name}`);

export function compareToHashEntries(state) {
  return Object.fromEntries(Object.keys(COMPARE_FIELDS).map((name) => [compareKey(name), state[name]]));
}

// The Compare panel's field texts, or null when the hash does not open it;
// fields it does not name come from `defaults`.
export function compareTextsFromHash(hash, defaults) {
  const params = new URLSearchParams(String(hash).replace(/^#/, ''));
  if (!params.has(COMPARE_KEY)) return null;
  const texts = {};
  for (const name of Object.keys(COMPARE_FIELDS)) {
    const key = compareKey(name);
    texts[name] = params.has(key) ? params.get(key) : String(defaults[name]);
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
