// Node test of the built WebAssembly module (node --test). It checks that the
// module runs the very same core as the native program: the first 10 KL
// estimates of a fixed-seed U1 run equal `nfvi fit`'s to 1e-6 relative, and a
// 2000-step U1 run ends with kl_true below 0.1 nats.
//
//   NFVI_NATIVE   the native program (default build/native/nfvi)
//   NFVI_WASM_DIR the directory with nfvi.mjs and nfvi.wasm (default build-wasm/wasm)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
function nativeRun(steps, seed) {
  const out = path.join(work, `native-${steps}-${seed}`);
  execFileSync(nativeProgram, ['fit', '--potential', 'U1', '--steps', String(steps), '--seed', String(seed),
    '--no-figures', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}

function readKlCsv(dir) {
  return readFileSync(path.join(dir, 'kl.csv'), 'utf8').trim().split('\n').slice(1)
    .map((line) => Number(line.split(',')[1]));
}

test('the first 10 KL estimates of a fixed-seed U1 run equal the native program\'s to 1e-6', () => {
  for (const seed of [1, 7]) {
    const native = readKlCsv(nativeRun(10, seed));
    const session = new nfvi.FlowSession('U1', 50, 1000, 2e-3, seed);
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

test('a 2000-step U1 run ends with kl_true below 0.1 nats', () => {
  const session = new nfvi.FlowSession('U1', 50, 1000, 2e-3, 1);
  const { error } = session.train(2000);
  assert.equal(error, null);
  assert.equal(session.stepsTaken(), 2000);
  const klTrue = session.klTrue();
  assert.ok(Number.isFinite(klTrue) && klTrue < 0.1, `kl_true ${klTrue}`);
  assert.ok(Math.abs(session.klTrue() - (session.klEstimate() + session.logZ())) < 1e-12);
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

test('bad input throws an Error with a one-line message', () => {
  const bad = [
    () => new nfvi.FlowSession('U9', 50, 1000, 2e-3, 1),
    () => new nfvi.FlowSession('U1', 0, 1000, 2e-3, 1),
    () => new nfvi.FlowSession('U1', 50, 0, 2e-3, 1),
    () => new nfvi.FlowSession('U1', 50, 1000, -1, 1),
    () => new nfvi.FlowSession('U1', 50, 1000, NaN, 1),
    () => new nfvi.FlowSession('U1', 50, 1000, 2e-3, 1.5),
    () => new nfvi.FlowSession('U1', 50, 1000, 2e-3, -1),
    () => nfvi.FlowSession.fromJson('{"format": "nfvi-flow"', 1000, 2e-3, 1),
    () => nfvi.FlowSession.fromJson('{"format": "something else"}', 1000, 2e-3, 1),
  ];
  for (const make of bad) {
    assert.throws(make, (e) => e instanceof Error && e.message.length > 0 && !e.message.includes('\n'));
  }
});

test('a blow-up reports its step and keeps the last good state', () => {
  // A flow whose base sits at 1e200: U overflows to Inf on the first step after these.
  const session = new nfvi.FlowSession('U1', 5, 100, 2e-3, 1);
  session.train(3);
  const model = JSON.parse(session.toJson());
  model.parameters.mu = [1e200, 1e200];
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
  const session = new nfvi.FlowSession('U8', 50, 1000, 2e-3, 1);
  const before = session.trueDensity(100);
  const copy = Array.from(before);
  session.learnedDensity(100, 2000000);  // grows the heap
  assert.equal(before.length, 10000);
  assert.deepEqual(Array.from(before), copy);
  const layers = session.layerSamples(500);
  assert.equal(layers.length, 51 * 2 * 500 + 500);
  session.delete();
});
