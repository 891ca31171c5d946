// Browser test of the VAE view's Download / Load (node --test): a VAE
// trained a few batches downloads as checkpoint.bin and loads back with the
// same test ELBO and its settings in the fields; a bad file gets its message
// beside Load while the trained VAE stays. Debian's Chromium, headless.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { root, startTestPage, waitForDatasetCount, writeScratchFile } from './browser.mjs';

const scratch = path.join(root, 'build-wasm', 'browser-test', 'vae-model');
const nativeProgram = process.env.NFVI_NATIVE ?? path.join(root, 'build', 'native', 'nfvi');

let server;
let browser;
let page;
const consoleErrors = [];

const text = (selector) => page.textContent(selector);
const body = (key) => page.evaluate((k) => document.body.dataset[k] ?? null, key);
const waitForCount = (key, count) => waitForDatasetCount(page, key, count);

const scratchFile = (name, contents) => writeScratchFile(scratch, name, contents);

before(async () => {
  ({ server, browser, page } = await startTestPage(consoleErrors));
});

after(async () => {
  await browser?.close();
  server?.stop();
});

// The views' test ELBO once the views after `steps` batches are drawn.
async function testElboAfter(steps) {
  await page.waitForFunction((n) => document.getElementById('v-stat-step').textContent === String(n), steps);
  const views = Number(await body('vaeViews'));
  await page.fill('#v-digit', '1');
  await page.dispatchEvent('#v-digit', 'change');
  await waitForCount('vaeViews', views + 1);
  return Number(await body('vaeTestElbo'));
}

test('VAE: a trained model downloads, loads back with the same test ELBO, and a bad file leaves it shown', async () => {
  await page.goto(`${server.url}#view=vae&hidden=32&flows=2&batch=50&seed=7`);
  await waitForCount('vaeSessions', 1);
  assert.equal(await page.isDisabled('#v-save'), false, 'a new VAE can be saved');
  for (let i = 0; i < 3; ++i) {
    await page.click('#v-step');
    await page.waitForFunction((n) => document.getElementById('v-stat-step').textContent === String(n), i + 1);
  }
  const trained = await testElboAfter(3);
  assert.ok(Number.isFinite(trained));

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#v-save')]);
  assert.match(download.suggestedFilename(), /^nfvi-vae-D2-K2-H32-seed7-batch3\.bin$/);
  const saved = path.join(scratch, 'saved.bin');
  mkdirSync(scratch, { recursive: true });
  await download.saveAs(saved);
  assert.equal(readFileSync(saved).subarray(0, 8).toString(), 'NFVIVAE2');

  // A new VAE with other fields (Reset), then the file: its settings come back.
  await page.fill('#v-hidden', '64');
  await page.fill('#v-seed', '2');
  await page.dispatchEvent('#v-seed', 'change');
  const sessions = Number(await body('vaeSessions'));
  await page.click('#v-reset');
  await waitForCount('vaeSessions', sessions + 1);
  await page.setInputFiles('#v-load', saved);
  await waitForCount('vaeSessions', sessions + 2);
  for (const [id, value] of [['v-hidden', '32'], ['v-flows', '2'], ['v-batch', '50'], ['v-seed', '7']]) {
    assert.equal(await page.inputValue(`#${id}`), value, id);
  }
  assert.match(await text('#v-source'), /^loaded from saved\.bin \(saved by this page, 3 batches\)$/);
  assert.equal(await text('#v-load-error'), '');
  assert.equal(await testElboAfter(3), trained, 'the same test ELBO');
  assert.match(page.url(), /hidden=32.*seed=7/);

  // A changed field does not discard the loaded model: it waits for Reset.
  await page.fill('#v-lr', '0.002');
  await page.dispatchEvent('#v-lr', 'change');
  assert.equal(Number(await body('vaeSessions')), sessions + 2);
  assert.equal(await page.isHidden('#v-pending'), false);

  // Bad files: a message beside Load, and the VAE shown stays.
  const bytes = readFileSync(saved);
  const flipped = Buffer.from(bytes);
  flipped[flipped.length - 100] ^= 1;
  const flow = JSON.stringify({ format: 'nfvi-flow', version: 1, potential: 'U1', flow: 'planar', dim: 2 });
  for (const [name, contents, pattern] of [
    ['flow.json', flow, /could not load flow\.json: this is a flow model .*: open it in the Flow view\. The VAE shown is kept\./],
    ['summary.json', '{"format": "nfvi-vae"}', /this is the summary\.json of nfvi vae: load the checkpoint\.bin beside it/],
    ['flipped.bin', flipped, /could not load flipped\.bin: damaged: its checksum does not match/],
    ['short.bin', bytes.subarray(0, 100), /could not load short\.bin: /],
    ['text.bin', 'hello', /could not load text\.bin: not an nfvi VAE checkpoint/],
  ]) {
    await page.setInputFiles('#v-load', scratchFile(name, contents));
    await page.waitForFunction((n) => document.getElementById('v-load-error').textContent.includes(`could not load ${n}`),
      name);
    const message = await text('#v-load-error');
    assert.match(message, pattern);
    assert.doesNotMatch(message, /\n|exception|Error:/);
  }
  assert.equal(Number(await body('vaeSessions')), sessions + 2, 'no new session');
  assert.match(await text('#v-source'), /^loaded from saved\.bin/);
  assert.equal(await page.inputValue('#v-hidden'), '32');
});

test('VAE: nfvi vae\'s checkpoint.bin loads, with its settings in the fields and a batch the page cannot train replaced',
  async () => {
    // One epoch of a tiny network with samples x batch = 12,800, beyond the page's 10,000.
    const out = path.join(scratch, 'native');
    execFileSync(nativeProgram, ['vae', '--data', 'digits', '--latent', '2', '--flows', '2', '--hidden', '16',
      '--samples', '100', '--batch', '128', '--lr', '0.002', '--seed', '9', '--epochs', '1', '--is-samples', '1',
      '--threads', '1', '--overwrite', '--out', out], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    await page.goto('about:blank');
    await page.goto(`${server.url}#view=vae`);
    await waitForCount('vaeSessions', 1);
    await page.setInputFiles('#v-load', path.join(out, 'checkpoint.bin'));
    await waitForCount('vaeSessions', 2);
    for (const [id, value] of [['v-hidden', '16'], ['v-flows', '2'], ['v-samples', '100'], ['v-batch', '100'],
      ['v-lr', '0.002'], ['v-seed', '9']]) {
      assert.equal(await page.inputValue(`#${id}`), value, id);
    }
    assert.equal(await text('#v-source'), 'loaded from checkpoint.bin (nfvi vae\'s, 1 epoch of its 9,000 digits, ' +
      'trained in float (the page goes on in double)); its batch 128 cannot be used here, so the page\'s value trains it');
    assert.equal(await text('#v-load-error'), '');
    assert.equal(await page.isDisabled('#v-save'), false);
    // A trained model's test ELBO, not a new one's (about -544 nats).
    const views = Number(await body('vaeViews'));
    await page.fill('#v-digit', '2');
    await page.dispatchEvent('#v-digit', 'change');
    await waitForCount('vaeViews', views + 1);
    assert.ok(Number(await body('vaeTestElbo')) > -300, await body('vaeTestElbo'));
    // A field change waits for Reset: the loaded model is not discarded.
    await page.fill('#v-seed', '3');
    await page.dispatchEvent('#v-seed', 'change');
    assert.equal(Number(await body('vaeSessions')), 2);
    assert.equal(await page.isHidden('#v-pending'), false);
    assert.deepEqual(consoleErrors, []);
  });
