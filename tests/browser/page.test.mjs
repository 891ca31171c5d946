// Browser test of the web page (node --test): Debian's Chromium, headless,
// driven by playwright-core, against web/dist served on localhost.
//
// It trains U1 at the seed's settings until the page shows kl_true < 0.1,
// checks that the density canvases are drawn, that the URL hash restores the
// controls (an old link's layers=K too), that bad values, bad flow specs and
// bad files get messages beside their controls, that a downloaded flow loads
// back, that a preset switches the flow family (spline 4 trains), that the
// learned density is exact with a toggle to the histogram, that Compare
// trains a second flow beside the first, and that the console stays clean.
// It saves screenshots (NFVI_SCREENSHOT, default
// build-wasm/browser-test/page.png, and the flow view with Compare open at
// desktop and phone sizes in NFVI_SCREENSHOT_DIR, default
// tests/browser/screenshots/) and prints the seconds to kl_true < 0.1, and
// those of the spline 4 preset to kl_true < 0.01 (a benchmark: it is
// reported, not checked).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { root, startTestPage } from './browser.mjs';

const screenshot = process.env.NFVI_SCREENSHOT ?? path.join(root, 'build-wasm', 'browser-test', 'page.png');
const screenshotDir = process.env.NFVI_SCREENSHOT_DIR ?? path.join(root, 'tests', 'browser', 'screenshots');

let server;
let browser;
let page;
const consoleErrors = [];

const text = (selector) => page.textContent(selector);
const klTrueShown = async () => Number(await text('#stat-kl-true'));
const stepShown = async () => Number(await text('#stat-step'));

async function waitForSession(prefix, id = 'status') {
  await page.waitForFunction(([p, i]) => document.getElementById(i).textContent.startsWith(p), [prefix, id],
    { timeout: 30000 });
}

// Waits until an element shows this text (the views follow their session's message).
async function waitForText(id, expected) {
  await page.waitForFunction(([i, t]) => document.getElementById(i).textContent === t, [id, expected]);
}

const sessionsShown = async (key = 'sessions') => Number(await page.evaluate((k) => document.body.dataset[k], key));

// The number of points of the KL chart's dataset whose label is `label`.
function chartPoints(label) {
  return page.evaluate((l) => {
    const dataset = Chart.getChart(document.getElementById('kl-chart')).data.datasets.find((d) => d.label === l);
    return dataset === undefined || dataset.hidden ? 0 : dataset.data.length;
  }, label);
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
  ({ server, browser, page } = await startTestPage(consoleErrors, { timeout: null }));
});

after(async () => {
  await browser?.close();
  server?.stop();
});

test('U1 at K=50, N=1000 trains live to kl_true < 0.1', async () => {
  await page.goto(`${server.url}#energy=U1&flow=planar%3A50&samples=1000&lr=0.002&seed=1`);
  await waitForSession('U1: planar:50 (K = 50), N = 1000');
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
  // The worker's answer, not the 'loading …' line shown while it reads the file.
  await page.waitForFunction(() => !/^(|loading .*)$/.test(document.getElementById('load-error').textContent));
  assert.match(await text('#load-error'), /model file|potential|U7/);
  assert.equal(await stepShown(), steps);
});

test('changing the URL hash restores the controls; an old link\'s layers=20 is planar:20', async () => {
  await page.evaluate(() => { window.location.hash = '#energy=U4&layers=20&samples=500&lr=0.01&seed=7'; });
  await waitForSession('U4: planar:20 (K = 20), N = 500, lr = 0.01, seed 7');
  assert.equal(await page.inputValue('#energy'), 'U4');
  assert.equal(await page.inputValue('#flow'), 'planar:20');
  await waitForText('layer-k-value', 'k = 20 of 20');
  assert.equal(await page.inputValue('#samples'), '500');
  assert.equal(await page.inputValue('#lr'), '0.01');
  assert.equal(await page.inputValue('#seed'), '7');
  assert.equal(await stepShown(), 0);
  // And the controls write the hash.
  await page.fill('#seed', '8');
  await page.dispatchEvent('#seed', 'change');
  await waitForSession('U4: planar:20 (K = 20), N = 500, lr = 0.01, seed 8');
  assert.match(page.url(), /#energy=U4&flow=planar%3A20&samples=500&lr=0.01&seed=8$/);
  // A link with a flow spec.
  await page.evaluate(() => { window.location.hash = '#energy=U2&flow=spline%3A2%2Cradial%3A3&samples=300&lr=0.004&seed=2'; });
  await waitForSession('U2: spline:2,radial:3 (K = 5), N = 300, lr = 0.004, seed 2');
  assert.equal(await page.inputValue('#flow'), 'spline:2,radial:3');
  await waitForText('layer-k-value', 'k = 5 of 5');
});

test('a bad value shows an error beside its control and disables Run', async () => {
  for (const [id, value, pattern] of [['flow', 'planar:abc', /flow spec 'planar:abc': 'abc' is not a layer count/],
    ['lr', '-1', /learning rate/], ['seed', '1.5', /whole number/], ['samples', '0', /whole number/]]) {
    const good = await page.inputValue(`#${id}`);
    await page.fill(`#${id}`, value);
    await page.dispatchEvent(`#${id}`, 'change');
    // A flow spec's verdict comes from the worker, a moment later.
    await page.waitForFunction((i) => document.getElementById(`${i}-error`).textContent !== '', id);
    assert.match(await text(`#${id}-error`), pattern);
    assert.equal(await page.isDisabled('#run'), true);
    await page.fill(`#${id}`, good);
    await page.dispatchEvent(`#${id}`, 'change');
    assert.equal(await text(`#${id}-error`), '');
    assert.equal(await page.isDisabled('#run'), false);
  }
  // A bad value in a link shows the same message (an old link's layers=0 too).
  await page.evaluate(() => { window.location.hash = '#energy=U1&layers=0&samples=1000&lr=0.002&seed=1'; });
  await page.waitForFunction(() => document.getElementById('flow-error').textContent.length > 0);
  assert.match(await text('#flow-error'), /flow spec 'planar:0'/);
  assert.equal(await page.isDisabled('#run'), true);
});

test('a bad flow spec gets the parser\'s message as it is typed, and Run stays disabled until it is fixed', async () => {
  await page.evaluate(() => { window.location.hash = '#energy=U1&flow=planar%3A10&samples=200&lr=0.002&seed=1'; });
  await waitForSession('U1: planar:10 (K = 10), N = 200');
  const sessions = await sessionsShown();
  for (const [spec, pattern] of [['spline:4:bins=1', /^flow spec 'spline:4:bins=1': bins must be a whole number from 2 to 64/],
    ['spline:2,wavy:3', /unknown layer kind 'wavy' \(known: planar, radial, affine, spline\)/],
    ['spline:1000:hidden=1024', /parameters; at most 2000000/], ['', /flow spec is empty/]]) {
    await page.fill('#flow', spec);
    await page.dispatchEvent('#flow', 'input'); // typing, no change yet
    await page.waitForFunction(() => document.getElementById('flow-error').textContent !== '');
    assert.match(await text('#flow-error'), pattern);
    assert.equal(await page.getAttribute('#flow', 'aria-invalid'), 'true');
    assert.equal(await page.isDisabled('#run'), true);
    assert.equal(await page.isDisabled('#step'), true);
    await page.dispatchEvent('#flow', 'change'); // a bad spec starts nothing
  }
  await page.fill('#flow', 'radial:3');
  await page.dispatchEvent('#flow', 'input');
  await page.waitForFunction(() => !document.getElementById('run').disabled);
  assert.equal(await text('#flow-error'), '');
  assert.equal(await sessionsShown(), sessions);
  await page.dispatchEvent('#flow', 'change');
  await waitForSession('U1: radial:3 (K = 3), N = 200');
  assert.match(page.url(), /flow=radial%3A3&/);
});

test('a family switch: the spline 4 preset trains to kl_true < 0.05 (seconds to < 0.01 reported), and its model loads back', async () => {
  await page.goto(server.url); // a fresh page: planar:50 on U1, as before the flow families
  await waitForSession('U1: planar:50 (K = 50), N = 1000, lr = 0.002, seed 1');
  assert.equal(page.url(), `${server.url}#energy=U1&flow=planar%3A50&samples=1000&lr=0.002&seed=1`);
  assert.equal(await page.inputValue('#flow'), 'planar:50');
  assert.equal(await page.getAttribute('#presets button[data-flow="planar:50"]', 'aria-pressed'), 'true');
  await page.click('#presets button[data-flow="spline:4:bins=12:bound=6:depth=1"]');
  await waitForSession('U1: spline:4:bins=12:bound=6:depth=1 (K = 4), N = 500, lr = 0.005, cosine over 800 steps, seed 1');
  assert.equal(await page.inputValue('#flow'), 'spline:4:bins=12:bound=6:depth=1');
  assert.equal(await page.inputValue('#cosine'), '800');
  assert.equal(await page.inputValue('#anneal'), '0');
  assert.equal(await page.inputValue('#samples'), '500');
  assert.equal(await page.inputValue('#lr'), '0.005');
  assert.match(page.url(), /#energy=U1&flow=spline%3A4%3Abins%3D12%3Abound%3D6%3Adepth%3D1&samples=500&lr=0.005&cosine=800&seed=1$/);
  assert.equal(await page.getAttribute('#presets button[data-flow="spline:4:bins=12:bound=6:depth=1"]', 'aria-pressed'), 'true');
  assert.equal(await page.getAttribute('#presets button[data-flow="planar:50"]', 'aria-pressed'), 'false');

  const start = Date.now();
  await page.click('#run');
  const seconds = () => (Date.now() - start) / 1000;
  let below01 = null;
  let below001 = null;
  let best = Infinity;
  while (seconds() < 60) {
    const kl = await klTrueShown();
    if (Number.isFinite(kl)) best = Math.min(best, kl);
    if (below01 === null && kl < 0.1) below01 = seconds();
    if (kl < 0.01) {
      below001 = seconds();
      break;
    }
    await page.waitForTimeout(100);
  }
  const speed = await text('#stat-speed');
  await page.click('#run'); // pause
  await page.waitForFunction(() => document.body.dataset.running === 'false');
  console.log(`spline 4 on U1: kl_true < 0.1 after ${below01?.toFixed(1) ?? '(not reached)'} s; ` +
    (below001 !== null ? `kl_true < 0.01 after ${below001.toFixed(1)} s` : `kl_true < 0.01 not reached in 60 s (best ${best.toFixed(4)})`) +
    ` (step ${await stepShown()}, ${speed} steps/s)`);
  assert.ok(best < 0.05, `the spline flow's kl_true only reached ${best}`);
  assert.ok(await distinctColours('learned-canvas') > 20);
  await waitForText('layer-k-value', 'k = 4 of 4');
  assert.ok(await distinctColours('layer-canvas') > 20);

  // Its model file (version 2) loads back, and the field shows its spec.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
  assert.match(download.suggestedFilename(), /^nfvi-U1-spline-4-bins-12-bound-6-depth-1-seed1-step\d+\.json$/);
  const file = await download.path();
  const model = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(model.version, 2);
  assert.equal(model.flow, 'spline:4:bins=12:bound=6:depth=1');
  await page.click('#presets button[data-flow="radial:30"]'); // the trained flow is kept until Reset
  await page.click('#reset');
  await waitForSession('U1: radial:30 (K = 30)');
  let sessions = await sessionsShown();
  await page.setInputFiles('#load', file);
  await page.waitForFunction((n) => Number(document.body.dataset.sessions) === n + 1, sessions);
  assert.equal(await page.inputValue('#flow'), 'spline:4:bins=12:bound=6:depth=1');
  assert.match(await text('#status'), /^U1: spline:4:bins=12:bound=6:depth=1 \(K = 4\)/);
  assert.match(page.url(), /flow=spline%3A4%3Abins%3D12%3Abound%3D6%3Adepth%3D1&/);
  assert.ok(await klTrueShown() < 1, `kl_true of the loaded flow: ${await text('#stat-kl-true')}`);
  // So does a version 1 file (a planar flow, before the flow families).
  sessions = await sessionsShown();
  await page.setInputFiles('#load', path.join(root, 'tests', 'data', 'planar_v1_summary.json'));
  await page.waitForFunction((n) => Number(document.body.dataset.sessions) === n + 1, sessions);
  assert.equal(await page.inputValue('#flow'), 'planar:4');
  await waitForText('layer-k-value', 'k = 4 of 4');
  assert.match(await text('#status'), /^U1: planar:4 \(K = 4\)/);
});

test('the learned density is the exact q, and the toggle switches to the histogram and back', async () => {
  assert.equal(await page.getAttribute('body', 'data-learned-density'), 'exact');
  assert.match(await text('#learned-caption'), /exact/);
  assert.equal(await page.isChecked('input[name="density"][value="exact"]'), true);
  const exact = await distinctColours('learned-canvas');
  await page.check('input[name="density"][value="histogram"]');
  await page.waitForFunction(() => document.body.dataset.learnedDensity === 'histogram');
  assert.match(await text('#learned-caption'), /histogram of 10⁵ samples/);
  assert.ok(await distinctColours('learned-canvas') > 20);
  await page.check('input[name="density"][value="exact"]');
  await page.waitForFunction(() => document.body.dataset.learnedDensity === 'exact');
  assert.equal(await distinctColours('learned-canvas'), exact, 'the exact density is the same picture again');
});

test('Compare: a second flow trains beside the first, both on one chart, both densities drawn; closing stops it', async () => {
  await page.goto(`${server.url}#energy=U1&flow=planar%3A50&samples=1000&lr=0.002&seed=1`);
  await waitForSession('U1: planar:50 (K = 50)');
  assert.equal(await page.isHidden('#cmp-panel'), true);
  await page.click('#compare');
  assert.equal(await page.getAttribute('#compare', 'aria-expanded'), 'true');
  await page.waitForFunction(() => document.body.dataset.compareSessions === '1', null, { timeout: 30000 });
  // It opens with the spline 4 preset at the flow view's seed, on its energy.
  await waitForSession('U1: spline:4:bins=12:bound=6:depth=1 (K = 4), N = 500, lr = 0.005, cosine over 800 steps, seed 1',
    'cmp-status');
  assert.equal(await page.inputValue('#cmp-flow'), 'spline:4:bins=12:bound=6:depth=1');
  assert.equal(await page.inputValue('#cmp-cosine'), '800');
  assert.match(page.url(),
    /&compare=spline%3A4%3Abins%3D12%3Abound%3D6%3Adepth%3D1&compare_samples=500&compare_lr=0.005&compare_cosine=800&compare_seed=1$/);

  // A bad spec in the panel holds Run too.
  await page.fill('#cmp-flow', 'spline:4:depth=9');
  await page.dispatchEvent('#cmp-flow', 'input');
  await page.waitForFunction(() => document.getElementById('cmp-flow-error').textContent !== '');
  assert.match(await text('#cmp-flow-error'), /depth must be a whole number from 1 to 8/);
  assert.equal(await page.isDisabled('#run'), true);
  await page.click('#cmp-presets button[data-flow="radial:30"]');
  await waitForSession('U1: radial:30 (K = 30), N = 1000, lr = 0.005', 'cmp-status');
  assert.equal(await page.isDisabled('#run'), false);

  await page.click('#run');
  await page.waitForFunction(() => Number(document.getElementById('stat-step').textContent) > 300 &&
    Number(document.getElementById('cmp-stat-step').textContent) > 300, null, { timeout: 120000 });
  await page.waitForTimeout(1000); // redraws of both densities while training
  await page.click('#run'); // pauses both
  await page.waitForFunction(() => document.body.dataset.running === 'false' && document.body.dataset.compareRunning === 'false');
  const steps = [await stepShown(), Number(await text('#cmp-stat-step'))];
  await page.waitForTimeout(500);
  assert.deepEqual([await stepShown(), Number(await text('#cmp-stat-step'))], steps, 'training went on after Pause');
  await page.waitForTimeout(300); // the chart's next redraw
  assert.ok(await chartPoints('kl_true, planar:50') > 10, 'the first flow\'s kl_true curve is empty');
  assert.ok(await chartPoints('kl_true, radial:30') > 10, 'the second flow\'s kl_true curve is empty');
  const legend = await page.evaluate(() => Chart.getChart(document.getElementById('kl-chart')).legend.legendItems
    .map((item) => item.text));
  assert.ok(legend.includes('kl_true, planar:50') && legend.includes('kl_true, radial:30'), legend.join(' | '));
  for (const id of ['learned-canvas', 'cmp-learned-canvas']) {
    const colours = await distinctColours(id);
    assert.ok(colours > 20, `${id} has only ${colours} colours`);
  }
  assert.ok(Number.isFinite(Number(await text('#cmp-stat-kl-true'))));
  // The density toggle draws both as histograms.
  await page.check('input[name="density"][value="histogram"]');
  await page.waitForFunction(() => document.body.dataset.compareDensity === 'histogram');
  await page.check('input[name="density"][value="exact"]');
  await page.waitForFunction(() => document.body.dataset.compareDensity === 'exact');
  // Step steps both.
  await page.click('#step');
  await page.waitForFunction(([a, b]) => Number(document.getElementById('stat-step').textContent) === a + 1 &&
    Number(document.getElementById('cmp-stat-step').textContent) === b + 1, steps);

  mkdirSync(screenshotDir, { recursive: true });
  for (const [name, width, height] of [['desktop', 1280, 800], ['phone', 390, 844]]) {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(500); // the chart's resize
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than a ${width} px window`);
    const file = path.join(screenshotDir, `flow-compare-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`screenshot: ${file}`);
  }
  await page.setViewportSize({ width: 1280, height: 1000 });

  // Closing stops the second flow: its panel, figure, stats and curve go, and so do its hash entries.
  await page.click('#compare');
  assert.equal(await page.getAttribute('body', 'data-compare-open'), 'false');
  for (const id of ['#cmp-panel', '#cmp-figure', '#cmp-stats']) assert.equal(await page.isHidden(id), true, id);
  assert.equal(await chartPoints('kl_true, radial:30'), 0);
  assert.doesNotMatch(page.url(), /compare/);
  const before = await stepShown();
  await page.click('#run');
  await page.waitForFunction((b) => Number(document.getElementById('stat-step').textContent) > b + 20, before);
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.running === 'false');
});

test('Compare from a link: the hash opens it with its settings', async () => {
  await page.evaluate(() => {
    window.location.hash = '#energy=U2&flow=planar%3A8&samples=200&lr=0.002&seed=3&compare=affine%3A2&compare_samples=100&compare_lr=0.004&compare_seed=5';
  });
  await waitForSession('U2: affine:2 (K = 2), N = 100, lr = 0.004, seed 5', 'cmp-status');
  await waitForSession('U2: planar:8 (K = 8), N = 200, lr = 0.002, seed 3');
  assert.equal(await page.inputValue('#cmp-seed'), '5');
  // A link without compare= closes it.
  await page.evaluate(() => { window.location.hash = '#energy=U2&flow=planar%3A8&samples=200&lr=0.002&seed=3'; });
  await page.waitForFunction(() => document.body.dataset.compareOpen === 'false');
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
  assert.match(await text('#v-digit-error'), /test image's index must be a whole number from 0 to 199/);
  await page.fill('#v-digit', '5');
  await page.dispatchEvent('#v-digit', 'change');
  assert.equal(await text('#v-digit-error'), '');
  await page.fill('#v-latent', '3');
  await page.dispatchEvent('#v-latent', 'change'); // the trained VAE is kept until Reset
  assert.match(await text('#v-pending'), /latent dimension D 2 → 3/);
  await page.click('#v-reset');
  await page.waitForFunction(() => document.getElementById('v-status').textContent.startsWith('VAE: D = 3,'));
  assert.equal(await page.isHidden('#v-posterior-figure'), true);
  assert.equal(await page.isVisible('#v-posterior-off'), true);
  assert.match(page.url(), /latent=3/);
});

test('no console errors', () => {
  assert.deepEqual(consoleErrors, []);
});
