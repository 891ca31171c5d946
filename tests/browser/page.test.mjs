// Browser test of the web page (node --test): Debian's Chromium, headless,
// driven by playwright-core, against web/dist served on localhost.
//
// It trains U1 at the seed's settings until the page shows kl_true < 0.1,
// checks that the density canvases are drawn, that the URL hash restores the
// controls, that bad values and bad files get messages beside their
// controls, that a downloaded flow loads back, and that the console stays
// clean. It saves a screenshot (NFVI_SCREENSHOT, default
// build-wasm/browser-test/page.png) and prints the seconds to kl_true < 0.1.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { launchChromium, root, serveDist } from './browser.mjs';

const screenshot = process.env.NFVI_SCREENSHOT ?? path.join(root, 'build-wasm', 'browser-test', 'page.png');

let server;
let browser;
let page;
const consoleErrors = [];

const text = (selector) => page.textContent(selector);
const klTrueShown = async () => Number(await text('#stat-kl-true'));
const stepShown = async () => Number(await text('#stat-step'));

async function waitForSession(prefix) {
  await page.waitForFunction((p) => document.getElementById('status').textContent.startsWith(p), prefix,
    { timeout: 30000 });
}

// Distinct colours in a canvas: a blank (or one-colour) canvas has one.
function distinctColours(id) {
  return page.evaluate((canvasId) => {
    const canvas = document.getElementById(canvasId);
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const colours = new Set();
    for (let i = 0; i < data.length; i += 4) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return colours.size;
  }, id);
}

before(async () => {
  server = await serveDist();
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
});

after(async () => {
  await browser?.close();
  server?.stop();
});

test('U1 at K=50, N=1000 trains live to kl_true < 0.1', async () => {
  await page.goto(`${server.url}#energy=U1&layers=50&samples=1000&lr=0.002&seed=1`);
  await waitForSession('U1: K = 50, N = 1000');
  const start = Date.now();
  await page.click('#run');
  await page.waitForFunction(() => Number(document.getElementById('stat-kl-true').textContent) < 0.1, null,
    { timeout: 120000 });
  const seconds = (Date.now() - start) / 1000;
  console.log(`kl_true < 0.1 after ${seconds.toFixed(1)} s of training (step ${await stepShown()}, ` +
    `${await text('#stat-speed')} steps/s)`);
  await page.waitForTimeout(1500); // a few more redraws of the live views
  await page.click('#run'); // pause
  assert.equal(await text('#run'), 'Run');
  await page.waitForFunction(() => document.body.dataset.running === 'false');
  const paused = await stepShown();
  await page.waitForTimeout(500);
  assert.equal(await stepShown(), paused, 'training went on after Pause');
  assert.ok(await klTrueShown() < 0.1);

  mkdirSync(path.dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot: ${screenshot}`);
});

test('the density and layer canvases are not blank', async () => {
  for (const id of ['true-canvas', 'learned-canvas', 'layer-canvas']) {
    const colours = await distinctColours(id);
    assert.ok(colours > 20, `${id} has only ${colours} colours`);
  }
  // The slider redraws the layer view: layer 0 is the Gaussian base.
  await page.fill('#layer-k', '0');
  await page.dispatchEvent('#layer-k', 'input');
  assert.match(await text('#layer-k-value'), /k = 0 of 50/);
  assert.ok(await distinctColours('layer-canvas') > 20);
});

test('Step takes one step', async () => {
  const before = await stepShown();
  await page.click('#step');
  await page.waitForFunction((b) => Number(document.getElementById('stat-step').textContent) === b + 1, before);
});

test('a downloaded flow loads back', async () => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
  const file = await download.path();
  const model = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(model.format, 'nfvi-flow');
  assert.ok(model.kl_true < 0.1);
  const sessions = Number(await page.getAttribute('body', 'data-sessions'));
  await page.setInputFiles('#load', file);
  await page.waitForFunction((n) => Number(document.body.dataset.sessions) === n + 1, sessions);
  assert.match(await text('#source'), /^loaded from /);
  // A loaded flow has no training history: kl_true comes from 10^5 fresh samples.
  assert.equal(await stepShown(), 0);
  assert.ok(await klTrueShown() < 0.1, `kl_true of the loaded flow: ${await text('#stat-kl-true')}`);
});

test('a bad model file gets a message beside the Load control and the flow is kept', async () => {
  const bad = path.join(root, 'build-wasm', 'browser-test', 'not-a-model.json');
  writeFileSync(bad, '{"format": "nfvi-flow", "version": 1, "potential": "U7"}');
  const steps = await stepShown();
  await page.setInputFiles('#load', bad);
  await page.waitForFunction(() => document.getElementById('load-error').textContent.length > 0);
  assert.match(await text('#load-error'), /model file|potential|U7/);
  assert.equal(await stepShown(), steps);
});

test('changing the URL hash restores the controls', async () => {
  await page.evaluate(() => { window.location.hash = '#energy=U4&layers=20&samples=500&lr=0.01&seed=7'; });
  await waitForSession('U4: K = 20, N = 500, lr = 0.01, seed 7');
  assert.equal(await page.inputValue('#energy'), 'U4');
  assert.equal(await page.inputValue('#layers'), '20');
  assert.equal(await page.inputValue('#samples'), '500');
  assert.equal(await page.inputValue('#lr'), '0.01');
  assert.equal(await page.inputValue('#seed'), '7');
  assert.equal(await stepShown(), 0);
  // And the controls write the hash.
  await page.fill('#seed', '8');
  await page.dispatchEvent('#seed', 'change');
  await waitForSession('U4: K = 20, N = 500, lr = 0.01, seed 8');
  assert.match(page.url(), /seed=8/);
});

test('a bad value shows an error beside its control and disables Run', async () => {
  for (const [id, value, pattern] of [['layers', 'abc', /whole number/], ['lr', '-1', /learning rate/],
    ['seed', '1.5', /whole number/], ['samples', '0', /whole number/]]) {
    const good = await page.inputValue(`#${id}`);
    await page.fill(`#${id}`, value);
    await page.dispatchEvent(`#${id}`, 'change');
    assert.match(await text(`#${id}-error`), pattern);
    assert.equal(await page.isDisabled('#run'), true);
    await page.fill(`#${id}`, good);
    await page.dispatchEvent(`#${id}`, 'change');
    assert.equal(await text(`#${id}-error`), '');
    assert.equal(await page.isDisabled('#run'), false);
  }
  // A bad value in a link shows the same message.
  await page.evaluate(() => { window.location.hash = '#energy=U1&layers=0&samples=1000&lr=0.002&seed=1'; });
  await page.waitForFunction(() => document.getElementById('layers-error').textContent.length > 0);
});

test('conditional view: trains live, and the angle slider redraws q(z|angle) beside p(z|angle)', async () => {
  await page.evaluate(() => { window.location.hash = '#view=conditional&angle=0.5'; });
  await page.waitForFunction(() => document.body.dataset.conditionalSessions === '1', null, { timeout: 30000 });
  assert.equal(await page.isHidden('#flow-view'), true);
  assert.equal(await page.inputValue('#c-hidden'), '64');
  await page.click('#c-run');
  await page.waitForFunction(() => Number(document.getElementById('c-stat-kl-true').textContent) < 0.5, null,
    { timeout: 120000 });
  // Slider moves while training runs, then while paused.
  const redrawMs = [];
  for (const phase of ['running', 'paused']) {
    if (phase === 'paused') {
      await page.click('#c-run');
      await page.waitForFunction(() => document.body.dataset.conditionalRunning === 'false');
    }
    for (const angle of [-2.5, -1.2, 0.3, 1.7, 2.9]) {
      await page.fill('#c-angle', String(angle));
      await page.dispatchEvent('#c-angle', 'input');
      await page.waitForFunction((a) => document.body.dataset.conditionalDrawnAngle === a.toFixed(2), angle);
      redrawMs.push(Number(await page.getAttribute('body', 'data-conditional-redraw-ms')));
    }
  }
  redrawMs.sort((a, b) => a - b);
  console.log(`conditional slider: redraw median ${redrawMs[5].toFixed(0)} ms, max ${redrawMs.at(-1).toFixed(0)} ms ` +
    `(10 moves, half of them while training)`);
  for (const id of ['c-true-canvas', 'c-learned-canvas']) {
    const colours = await distinctColours(id);
    assert.ok(colours > 20, `${id} has only ${colours} colours`);
  }
  assert.equal(await text('#c-extrapolation'), '');
  await page.fill('#c-angle', '4');
  await page.dispatchEvent('#c-angle', 'change');
  await page.waitForFunction(() => document.body.dataset.conditionalDrawnAngle === '4.00');
  assert.match(await text('#c-extrapolation'), /extrapolation/);
  assert.match(page.url(), /view=conditional.*angle=4\.00/);
  await page.fill('#c-angle', '0.8');
  await page.dispatchEvent('#c-angle', 'change');
  await page.waitForFunction(() => document.body.dataset.conditionalDrawnAngle === '0.80');
  await page.waitForFunction(() => document.getElementById('c-stat-kl-angle').textContent !== '–');
  await page.screenshot({ path: screenshot.replace(/\.png$/, '-conditional.png'), fullPage: true });
});

test('conditional view: a downloaded network loads back, and bad values get messages', async () => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#c-save')]);
  const model = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(model.format, 'nfvi-conditional-flow');
  const sessions = Number(await page.getAttribute('body', 'data-conditional-sessions'));
  await page.setInputFiles('#c-load', await download.path());
  await page.waitForFunction((n) => Number(document.body.dataset.conditionalSessions) === n + 1, sessions);
  assert.match(await text('#c-source'), /^loaded from /);
  await page.fill('#c-hidden', '0');
  await page.dispatchEvent('#c-hidden', 'change');
  assert.match(await text('#c-hidden-error'), /hidden units/);
  assert.equal(await page.isDisabled('#c-run'), true);
  await page.fill('#c-hidden', '64');
  await page.dispatchEvent('#c-hidden', 'change');
  assert.equal(await text('#c-hidden-error'), '');
});

test('VAE view: trains live, the ELBO rises, and the pictures and the posterior are drawn', async () => {
  await page.goto(`${server.url}#view=vae&digit=3`);
  await page.waitForFunction(() => document.body.dataset.vaeSessions === '1', null, { timeout: 60000 });
  assert.equal(await page.isHidden('#conditional-view'), true);
  assert.equal(await page.inputValue('#v-latent'), '2');
  assert.equal(await page.inputValue('#v-digit'), '3');
  assert.match(await text('#v-status'), /2000 train \/ 200 test digits of 10000/);
  const start = Date.now();
  await page.click('#v-run');
  // The test ELBO starts near -543 (784 log 2): wait until it has risen above -185 nats.
  await page.waitForFunction(() => Number(document.body.dataset.vaeTestElbo) > -185, null, { timeout: 180000 });
  const seconds = (Date.now() - start) / 1000;
  console.log(`VAE: test ELBO ${Number(await page.getAttribute('body', 'data-vae-test-elbo')).toFixed(1)} after ` +
    `${seconds.toFixed(1)} s (batch ${await text('#v-stat-step')}, ${await text('#v-stat-speed')} batches/s, ` +
    `train ELBO ${await text('#v-stat-train')})`);
  await page.waitForTimeout(3000);
  await page.click('#v-run'); // pause
  await page.waitForFunction(() => document.body.dataset.vaeRunning === 'false');
  for (const id of ['v-samples-canvas', 'v-recon-canvas', 'v-posterior-canvas']) {
    const colours = await distinctColours(id);
    assert.ok(colours > 20, `${id} has only ${colours} colours`);
  }
  // The posterior canvas shows both colours of samples.
  const [blue, red] = await page.evaluate(() => {
    const canvas = document.getElementById('v-posterior-canvas');
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let b = 0;
    let r = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 2] > data[i] + 60) b += 1;
      if (data[i] > data[i + 2] + 60 && data[i] > data[i + 1] + 60) r += 1;
    }
    return [b, r];
  });
  assert.ok(blue > 50 && red > 50, `posterior pixels: ${blue} blue, ${red} red`);
  assert.equal(await page.getAttribute('body', 'data-vae-posterior-digit'), '3');
  await page.click('#v-next');
  await page.waitForFunction(() => document.body.dataset.vaePosteriorDigit === '4');
  assert.match(page.url(), /view=vae.*digit=4/);
  await page.screenshot({ path: screenshot.replace(/\.png$/, '-vae.png'), fullPage: true });
});

test('VAE view: bad values get messages beside their controls, and latent 3 hides the posterior', async () => {
  for (const [id, value, pattern] of [['latent', '0', /latent dimension/], ['flows', 'x', /flows K/],
    ['lr', '2', /learning rate/], ['batch', '0', /batch size/], ['samples', '100', null]]) {
    const good = await page.inputValue(`#v-${id}`);
    await page.fill(`#v-${id}`, value);
    await page.dispatchEvent(`#v-${id}`, 'change');
    if (pattern !== null) {
      assert.match(await text(`#v-${id}-error`), pattern);
    } else {
      // hidden 128 x samples 100 x batch 100 is over the page's limit: the message sits beside batch.
      assert.match(await text('#v-batch-error'), /at most/);
    }
    assert.equal(await page.isDisabled('#v-run'), true);
    await page.fill(`#v-${id}`, good);
    await page.dispatchEvent(`#v-${id}`, 'change');
    assert.equal(await text(`#v-${id}-error`), '');
    assert.equal(await page.isDisabled('#v-run'), false);
  }
  await page.fill('#v-digit', '200');
  await page.dispatchEvent('#v-digit', 'change');
  assert.match(await text('#v-digit-error'), /digit must be a whole number from 0 to 199/);
  await page.fill('#v-digit', '5');
  await page.dispatchEvent('#v-digit', 'change');
  assert.equal(await text('#v-digit-error'), '');
  await page.fill('#v-latent', '3');
  await page.dispatchEvent('#v-latent', 'change');
  await page.waitForFunction(() => document.getElementById('v-status').textContent.startsWith('VAE: D = 3,'));
  assert.equal(await page.isHidden('#v-posterior-figure'), true);
  assert.equal(await page.isVisible('#v-posterior-off'), true);
  assert.match(page.url(), /latent=3/);
});

test('no console errors', () => {
  assert.deepEqual(consoleErrors, []);
});
