// Browser tests of the page as a person meets it (node --test): one test per
// defect found when the page was tried as a new user would, each one failing
// on the page before its fix (NFVI_WEB_DIST=an older web/dist runs them
// there). Debian's Chromium, headless, through playwright-core.
//
// Fixtures: tests/data/cond_small_summary.json (nfvi cond --layers 8
// --hidden 16 --steps 400 --phase1-steps 300 --samples 50 --lr 3e-3
// --phase2-samples 60 --phase2-lr 3e-5 --angles-per-step 8 --seed 4) and
// tests/data/fit_seed3_summary.json (nfvi fit --potential U2 --flow planar:6
// --samples 300 --steps 300 --lr 0.004 --seed 3).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { root, startTestPage, waitForDatasetCount, writeScratchFile } from './browser.mjs';

const data = (name) => path.join(root, 'tests', 'data', name);
const COND = data('cond_small_summary.json');
const FIT3 = data('fit_seed3_summary.json');
const scratch = path.join(root, 'build-wasm', 'browser-test', 'defects');

let server;
let browser;
let page;
const consoleErrors = [];

const text = (selector) => page.textContent(selector);
const body = (key) => page.evaluate((k) => document.body.dataset[k] ?? null, key);

// A fresh page (not a hash change of the page shown), and its first session.
async function fresh(hash) {
  await page.goto('about:blank');
  await page.goto(`${server.url}${hash}`);
}

async function open(hash = '', key = 'sessions') {
  await fresh(hash);
  await page.waitForFunction((k) => Number(document.body.dataset[k] ?? 0) >= 1, key, { timeout: 60000 });
}

const waitForCount = (key, count) => waitForDatasetCount(page, key, count);

// Loads a file into a view's Load input and waits for its new session.
async function load(input, file, key) {
  const count = Number(await body(key));
  await page.setInputFiles(input, file);
  await waitForCount(key, count + 1);
}

const scratchFile = (name, contents) => writeScratchFile(scratch, name, contents);

before(async () => {
  ({ server, browser, page } = await startTestPage(consoleErrors));
});

after(async () => {
  await browser?.close();
  server?.stop();
});

test('1: a network loaded from nfvi cond keeps its learning rate and settings, shown in the controls', async () => {
  await open('#view=conditional', 'conditionalSessions');
  assert.equal(await page.inputValue('#c-lr'), '0.003');
  await load('#c-load', COND, 'conditionalSessions');
  // The file's last phase: lr 3e-5, 60 samples per angle; 8 angles per step, seed 4; K = 8, H = 16.
  for (const [id, value] of [['c-lr', '0.00003'], ['c-samples', '60'], ['c-angles', '8'], ['c-seed', '4'],
    ['c-layers', '8'], ['c-hidden', '16']]) {
    assert.equal(await page.inputValue(`#${id}`), value, id);
  }
  assert.match(await text('#c-source'), /loaded from cond_small_summary\.json: trains at learning rate 0\.00003/);
  assert.match(page.url(), /lr=0\.00003/);
  // Training goes on at the file's rate: a few steps keep kl_true near where it was.
  await page.click('#c-step');
  await page.waitForFunction(() => document.getElementById('c-stat-step').textContent === '1');
  assert.equal(await page.inputValue('#c-lr'), '0.00003');
});

test('2: a field changed after Load or training never discards the model; Reset applies it', async () => {
  await open();
  await load('#load', FIT3, 'sessions');
  const sessions = Number(await body('sessions'));
  await page.fill('#lr', '0.01');
  await page.dispatchEvent('#lr', 'change');
  await page.waitForTimeout(300);
  assert.equal(Number(await body('sessions')), sessions, 'the loaded flow was replaced');
  assert.match(await text('#source'), /^loaded from fit_seed3_summary\.json/);
  assert.equal(await page.isVisible('#pending'), true);
  assert.match(await text('#pending'), /learning rate 0\.004 → 0\.01.*Reset applies/);
  // Undo puts the session's settings back.
  await page.click('#pending .undo');
  assert.equal(await page.inputValue('#lr'), '0.004');
  assert.equal(await page.isHidden('#pending'), true);
  // A trained flow too: a preset or a seed waits for Reset.
  await page.click('#step');
  await page.waitForFunction(() => document.getElementById('stat-step').textContent === '1');
  await page.click('#presets button[data-flow="radial:30"]');
  await page.fill('#seed', '9');
  await page.dispatchEvent('#seed', 'change');
  await page.waitForTimeout(300);
  assert.equal(Number(await body('sessions')), sessions);
  assert.equal(await text('#stat-step'), '1');
  assert.match(await text('#pending'), /flow planar:6 → radial:30.*seed 3 → 9/);
  await page.click('#reset');
  await waitForCount('sessions', sessions + 1);
  assert.match(await text('#status'), /^U2: radial:30 \(K = 30\), N = 1000, lr = 0.005, seed 9/);
  assert.equal(await page.isHidden('#pending'), true);
  // A fresh flow (no steps, not loaded) still follows its fields at once.
  await page.fill('#seed', '10');
  await page.dispatchEvent('#seed', 'change');
  await waitForCount('sessions', sessions + 2);
  assert.match(await text('#status'), /seed 10$/);
});

test('2: the Compare panel keeps a trained second flow until Reset too', async () => {
  await open('#energy=U1&flow=planar%3A8&samples=200&lr=0.002&seed=1&compare=radial%3A4&compare_samples=200&compare_lr=0.005&compare_seed=1');
  await waitForCount('compareSessions', 1);
  await page.click('#step'); // steps both
  await page.waitForFunction(() => document.getElementById('cmp-stat-step').textContent === '1');
  const sessions = Number(await body('compareSessions'));
  await page.fill('#cmp-seed', '6');
  await page.dispatchEvent('#cmp-seed', 'change');
  await page.waitForTimeout(300);
  assert.equal(Number(await body('compareSessions')), sessions, 'the trained second flow was replaced');
  assert.match(await text('#cmp-pending'), /seed 1 → 6.*Reset applies/);
  await page.click('#reset');
  await waitForCount('compareSessions', sessions + 1);
  assert.match(await text('#cmp-status'), /seed 6$/);
  assert.equal(await page.isHidden('#cmp-pending'), true);
});

test('3: Pause works while a field is bad', async () => {
  await open('#energy=U1&flow=planar%3A10&samples=200&lr=0.002&seed=1');
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.running === 'true');
  await page.fill('#lr', 'abc');
  await page.dispatchEvent('#lr', 'input');
  assert.match(await text('#lr-error'), /learning rate/);
  assert.equal(await page.isDisabled('#run'), false, 'Pause is disabled');
  assert.equal(await text('#run'), 'Pause');
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.running === 'false');
  const steps = await text('#stat-step');
  await page.waitForTimeout(400);
  assert.equal(await text('#stat-step'), steps, 'training went on after Pause');
  // Paused, with a bad field, Run waits for it.
  assert.equal(await page.isDisabled('#run'), true);
});

test('4: the failure banner goes once a later action succeeds (a load)', async () => {
  await open('#view=conditional&lr=1', 'conditionalSessions');
  await page.click('#c-run');
  await page.waitForFunction(() => !document.getElementById('c-failure').hidden, null, { timeout: 30000 });
  assert.match(await text('#c-failure'), /diverged/);
  await load('#c-load', COND, 'conditionalSessions');
  assert.equal(await page.isHidden('#c-failure'), true, 'the failure banner stayed after a good load');
});

test('5: a stale field error from a bad link goes when a good Load sets the field', async () => {
  await open('#energy=U1&flow=planar%3A10&samples=200&lr=0.002&seed=1');
  await page.evaluate(() => { window.location.hash = '#energy=U1&flow=planar%3A10&samples=0&lr=0.002&seed=1'; });
  await page.waitForFunction(() => document.getElementById('samples-error').textContent !== '');
  assert.equal(await page.isDisabled('#run'), true);
  await load('#load', FIT3, 'sessions');
  assert.equal(await page.inputValue('#samples'), '300');
  assert.equal(await text('#samples-error'), '');
  assert.equal(await page.getAttribute('#samples', 'aria-invalid'), 'false');
  assert.equal(await page.isDisabled('#run'), false);
});

test('6: Download is disabled while there is no model', async () => {
  await fresh('#energy=U1&flow=planar%3A0&samples=1000&lr=0.002&seed=1');
  await page.waitForFunction(() => document.getElementById('flow-error').textContent !== '', null, { timeout: 30000 });
  assert.equal(await page.isDisabled('#save'), true);
  await fresh('#view=conditional&layers=0');
  await page.waitForFunction(() => document.getElementById('c-layers-error').textContent !== '', null, { timeout: 30000 });
  assert.equal(await page.isDisabled('#c-save'), true);
  // And a session enables it.
  await page.fill('#c-layers', '4');
  await page.dispatchEvent('#c-layers', 'change');
  await waitForCount('conditionalSessions', 1);
  assert.equal(await page.isDisabled('#c-save'), false);
});

test('7: absurd model files are refused or loaded with a warning', async () => {
  await open('#energy=U1&flow=planar%3A10&samples=200&lr=0.002&seed=1');
  const doc = JSON.parse(readFileSync(FIT3, 'utf8'));
  const huge = structuredClone(doc);
  for (const layer of huge.parameters.layers) layer.parameters[0] = 1e308; // w
  const sessions = Number(await body('sessions'));
  await page.setInputFiles('#load', scratchFile('w-1e308.json', JSON.stringify(huge)));
  await page.waitForFunction(() => /could not load/.test(document.getElementById('load-error').textContent));
  assert.match(await text('#load-error'), /beyond the range of trained parameters.*The flow shown is kept/);
  assert.equal(Number(await body('sessions')), sessions);
  const absurd = structuredClone(doc);
  for (const layer of absurd.parameters.layers) layer.parameters.splice(2, 2, 1e6, 1e6); // u
  await load('#load', scratchFile('u-1e6.json', JSON.stringify(absurd)), 'sessions');
  assert.match(await text('#load-error'), /^warning: this model's kl_true is [0-9.e+]+ nats\. Its parameters are far/);
});

test('8: after a VAE divergence the last good state is kept and shown', async () => {
  await open('#view=vae&lr=1&hidden=64', 'vaeSessions');
  const views = Number(await body('vaeViews'));
  await page.click('#v-run');
  await page.waitForFunction(() => !document.getElementById('v-failure').hidden, null, { timeout: 60000 });
  assert.match(await text('#v-failure'), /diverged.*last good state is kept/);
  await waitForCount('vaeViews', views + 1);
  await page.waitForFunction(() => document.body.dataset.vaeRunning === 'false');
  const elbo = Number(await text('#v-stat-test'));
  assert.ok(Number.isFinite(elbo) && elbo > -2000, `test ELBO shown: ${await text('#v-stat-test')}`);
  const [posterior, pictures] = await page.evaluate(() => ['v-posterior-canvas', 'v-samples-canvas'].map((id) => {
    const canvas = document.getElementById(id);
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let coloured = 0;
    let dark = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      if (Math.abs(pixels[i] - pixels[i + 2]) > 60) coloured += 1;
      if (pixels[i] < 128) dark += 1;
    }
    return id === 'v-posterior-canvas' ? coloured : dark / (pixels.length / 4);
  }));
  assert.ok(posterior > 50, `the posterior plot has ${posterior} coloured pixels`);
  assert.ok(pictures < 0.9, `the decoded samples are ${(100 * pictures).toFixed(0)}% dark`);
});

test('9: two quick loads do not mix their messages', async () => {
  await open('#energy=U1&flow=planar%3A10&samples=200&lr=0.002&seed=1');
  const bad = scratchFile('bad.json', '{"format": "nfvi-flow", "version": 2, "potential": "U7"}');
  const sessions = Number(await body('sessions'));
  // Both files chosen before the worker answers either.
  await page.evaluate(([badText, goodText]) => {
    const input = document.getElementById('load');
    for (const [name, contents] of [['bad.json', badText], ['fit_seed3_summary.json', goodText]]) {
      const files = new DataTransfer();
      files.items.add(new File([contents], name, { type: 'application/json' }));
      input.files = files.files;
      input.dispatchEvent(new Event('change'));
    }
  }, [readFileSync(bad, 'utf8'), readFileSync(FIT3, 'utf8')]);
  await waitForCount('sessions', sessions + 1);
  await page.waitForTimeout(500); // any late message of the first load
  assert.match(await text('#source'), /^loaded from fit_seed3_summary\.json/);
  assert.equal(await text('#load-error'), '', 'the good flow is shown under the bad file\'s message');
});

test('11: the VAE batches / s goes on Reset, and the test image is said to be an index', async () => {
  await open('#view=vae&hidden=32&batch=50', 'vaeSessions');
  await page.click('#v-run');
  await page.waitForFunction(() => document.getElementById('v-stat-speed').textContent !== '–', null,
    { timeout: 60000 });
  await page.click('#v-run');
  await page.waitForFunction(() => document.body.dataset.vaeRunning === 'false');
  const sessions = Number(await body('vaeSessions'));
  await page.click('#v-reset');
  await waitForCount('vaeSessions', sessions + 1);
  assert.equal(await text('#v-stat-speed'), '–');
  assert.match(await text('label[for="v-digit"]'), /image/);
  assert.match(await text('#v-posterior-figure figcaption'), /index.*not the digit's class/);
});

test('12: load messages are plain, name the right view, and state the size limit', async () => {
  await open('#energy=U1&flow=planar%3A10&samples=200&lr=0.002&seed=1');
  const cases = [
    ['empty.json', '', /could not load empty\.json: the file is empty\. The flow shown is kept\./],
    ['overflow.json', '{"format": "nfvi-flow", "version": 2, "dim": 1e400}', /too large|beyond the range of a double/],
    ['dim3.json', JSON.stringify({ ...JSON.parse(readFileSync(FIT3, 'utf8')), dim: 3 }), /2-D flows only/],
    ['cut.json', '{"format": "nfvi-flow", "ver', /not a JSON file, or it is cut short/],
  ];
  for (const [name, contents, pattern] of cases) {
    await page.setInputFiles('#load', scratchFile(name, contents));
    await page.waitForFunction((n) => document.getElementById('load-error').textContent.includes(`could not load ${n}`),
      name);
    const message = await text('#load-error');
    assert.match(message, pattern);
    assert.doesNotMatch(message, /json\.exception|between 2 and 2|\[/);
  }
  await page.setInputFiles('#load', COND);
  await page.waitForFunction(() => /could not load cond/.test(document.getElementById('load-error').textContent));
  assert.match(await text('#load-error'), /this is a conditional model .*: open it in the Conditional view/);
  const big = scratchFile('big.json', Buffer.alloc(51e6, 32));
  await page.setInputFiles('#load', big);
  await page.waitForFunction(() => /MB/.test(document.getElementById('load-error').textContent));
  assert.match(await text('#load-error'), /big\.json is 51 MB; the page loads model files of up to 50 MB/);
  await open('#view=conditional', 'conditionalSessions');
  await page.setInputFiles('#c-load', FIT3);
  await page.waitForFunction(() => /could not load/.test(document.getElementById('c-load-error').textContent));
  assert.match(await text('#c-load-error'), /this is a flow model .*: open it in the Flow view/);
});

test('13: the URL hash always says the state: a fresh page, and a loaded file\'s seed', async () => {
  await open();
  assert.match(page.url(), /#energy=U1&flow=planar%3A50&samples=1000&lr=0.002&seed=1$/);
  await load('#load', FIT3, 'sessions');
  assert.match(page.url(), /#energy=U2&flow=planar%3A6&samples=300&lr=0.004&seed=3$/);
  assert.match(await text('#status'), /^U2: planar:6 \(K = 6\), N = 300, lr = 0.004, seed 3$/);
  assert.equal(await page.inputValue('#seed'), '3');
  await open('#view=vae', 'vaeSessions');
  assert.match(page.url(), /#view=vae&latent=2&flows=4&hidden=128&samples=1&batch=100&lr=0.001&seed=1/);
});

test('14: the angle slider is answered at its latest angle, and "redrawn in" reports slider moves only', async () => {
  await open('#view=conditional&layers=8&hidden=32', 'conditionalSessions');
  await page.waitForTimeout(300);
  assert.equal(await text('#c-redraw-ms'), '', 'a redraw time shown before any slider move');
  await page.click('#c-run');
  await page.waitForFunction(() => Number(document.getElementById('c-stat-step').textContent) > 50);
  // Forty moves at once, as a fast drag makes them: the worker draws the latest, not a backlog.
  await page.evaluate(() => {
    const slider = document.getElementById('c-angle');
    for (let i = 0; i < 40; ++i) {
      slider.value = String(-2 + 0.1 * i);
      slider.dispatchEvent(new Event('input'));
    }
  });
  await page.waitForFunction(() => document.body.dataset.conditionalDrawnAngle === '1.90');
  const redraws = Number(await body('conditionalSliderRedraws'));
  assert.ok(redraws <= 3, `${redraws} slider redraws for one drag`);
  const label = await text('#c-redraw-ms');
  assert.match(label, /^redrawn in \d+ ms$/);
  // The periodic redraws while training do not rewrite it.
  await page.waitForTimeout(1500);
  assert.equal(await text('#c-redraw-ms'), label);
  await page.click('#c-run');
});

test('no console errors', () => {
  assert.deepEqual(consoleErrors, []);
});
