// Browser tests of what the page offers beyond training (node --test): the
// charts' log axis and window, the density plots' axes and colour bar, the
// three layouts (phone, laptop, wide screen; screenshotted into
// NFVI_SCREENSHOT_DIR, default tests/browser/screenshots/), keyboard use and
// accessible names, the explanations, the presets, the PNG and CSV exports,
// and the learning-rate warnings.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { root, startTestPage } from './browser.mjs';

const screenshotDir = process.env.NFVI_SCREENSHOT_DIR ?? path.join(root, 'tests', 'browser', 'screenshots');

let server;
let browser;
let page;
const consoleErrors = [];

const text = (selector) => page.textContent(selector);

async function open(hash, key = 'sessions') {
  await page.goto('about:blank');
  await page.goto(`${server.url}${hash}`);
  await page.waitForFunction((k) => Number(document.body.dataset[k] ?? 0) >= 1, key, { timeout: 60000 });
}

before(async () => {
  ({ server, browser, page } = await startTestPage(consoleErrors));
});

after(async () => {
  await browser?.close();
  server?.stop();
});

const chartState = (id) => page.evaluate((i) => {
  const chart = Chart.getChart(document.getElementById(i));
  return {
    scale: chart.options.scales.y.type,
    min: chart.scales.x.min,
    max: chart.scales.x.max,
    shown: chart.data.datasets.filter((d) => !d.hidden).map((d) => d.label),
    legend: chart.legend.legendItems.map((item) => ({ text: item.text, dash: item.lineDash ?? [] })),
  };
}, id);

test('the KL chart: a dashed legend line, log scale once kl_true < 1, a window of the last N steps, CSV and PNG', async () => {
  await open('#energy=U1&flow=planar%3A16&samples=300&lr=0.005&seed=1');
  let state = await chartState('kl-chart');
  assert.equal(state.scale, 'linear');
  const floor = state.legend.find((item) => item.text.startsWith('−log Z'));
  assert.ok(floor.dash.length > 0, 'the legend draws −log Z without its dash');
  await page.click('#run');
  await page.waitForFunction(() => Number(document.getElementById('stat-kl-true').textContent) < 1 &&
    Number(document.getElementById('stat-step').textContent) > 700, null, { timeout: 120000 });
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.running === 'false');
  await page.waitForTimeout(400); // the chart's next redraw
  state = await chartState('kl-chart');
  assert.equal(state.scale, 'logarithmic', 'auto is log once kl_true is below 1');
  assert.deepEqual(state.shown, ['kl_true (nats)']);
  await page.selectOption('.chart-tools .scale', 'linear');
  assert.equal((await chartState('kl-chart')).scale, 'linear');
  await page.selectOption('.chart-tools .window', '500');
  state = await chartState('kl-chart');
  const steps = Number(await text('#stat-step'));
  assert.ok(Math.abs(state.min - (steps - 500)) <= 1 && state.max >= steps - 1, JSON.stringify(state));
  await page.selectOption('.chart-tools .window', 'all');
  assert.equal((await chartState('kl-chart')).min, 0);

  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#flow-view .chart-tools .csv')]);
  const lines = readFileSync(await csv.path(), 'utf8').trim().split('\n');
  assert.match(lines[0], /^step,KL estimate {2}E\[log q \+ U\],kl_true \(nats\),−log Z/);
  assert.ok(lines.length >= steps, `${lines.length} CSV lines for ${steps} steps`);
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('#flow-view .chart-tools .png')]);
  assert.equal(readFileSync(await png.path()).subarray(1, 4).toString(), 'PNG');
  const [pictures] = await Promise.all([page.waitForEvent('download'),
    page.click('#flow-view .chart-tools .figures-png')]);
  assert.match(pictures.suggestedFilename(), /pictures\.png$/);
});

test('the density plots have axes with the view\'s range and a colour bar', async () => {
  // The plot's corners: a white margin with dark tick labels left of and under the plot.
  const probe = await page.evaluate(() => {
    const canvas = document.getElementById('true-canvas');
    const ctx = canvas.getContext('2d');
    const dark = (x, y, w, h) => {
      const d = ctx.getImageData(x, y, w, h).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] < 120 && d[i + 1] < 120 && d[i + 2] < 120) n += 1;
      return n;
    };
    return { yLabels: dark(0, 0, 28, 250), xLabels: dark(20, 254, 250, 24) };
  });
  assert.ok(probe.yLabels > 20 && probe.xLabels > 20, `axis labels: ${JSON.stringify(probe)}`);
  const bar = await page.evaluate(() => {
    const ctx = document.getElementById('learned-canvas').getContext('2d');
    const top = ctx.getImageData(289, 8, 1, 1).data;
    const bottom = ctx.getImageData(289, 248, 1, 1).data;
    return [[...top.slice(0, 3)], [...bottom.slice(0, 3)]];
  });
  // jet: dark red at the top, dark blue at the bottom.
  assert.ok(bar[0][0] > 100 && bar[0][2] < 60 && bar[1][2] > 100 && bar[1][0] < 60, JSON.stringify(bar));
});

test('explanations: the energy\'s formula, the layer colours, what the numbers mean, an about', async () => {
  assert.match(await text('#energy-formula'), /^U1: U\(z\) = ½\(\(‖z‖ − 2\)\/0\.4\)²/);
  assert.match(await text('.layer-key'), /distance from the centre/);
  assert.match(await text('#flow-view .explain'), /kl_true.*KL estimate.*log Z/s);
  assert.match(await text('header .about'), /Rezende/);
  assert.equal(await page.getAttribute('header .about a', 'href'), 'https://arxiv.org/abs/1505.05770');
});

test('presets in every view, and learning-rate warnings that are not errors', async () => {
  await open('#energy=U1&flow=planar%3A16&samples=300&lr=0.005&seed=1');
  await page.click('#view-presets button:has-text("hard target")');
  await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('U4: spline:4'));
  await page.fill('#lr', '0.0000001');
  await page.dispatchEvent('#lr', 'input');
  assert.match(await text('#lr-error'), /barely moves/);
  assert.equal(await page.getAttribute('#lr', 'aria-invalid'), 'false');
  assert.equal(await page.isDisabled('#run'), false, 'a warning is not an error');
  await page.fill('#lr', '0.5');
  await page.dispatchEvent('#lr', 'input');
  assert.match(await text('#lr-error'), /diverges/);
  await page.fill('#lr', '0.003');
  await page.dispatchEvent('#lr', 'input');
  assert.equal(await text('#lr-error'), '');
  await open('#view=conditional', 'conditionalSessions');
  await page.click('#c-view-presets button:has-text("fast")');
  await page.waitForFunction(() => /K = 8 planar/.test(document.getElementById('c-status').textContent));
  assert.equal(await page.inputValue('#c-hidden'), '32');
});

test('keyboard: the tabs are a tablist with arrow keys, and Tab reaches every control, Load included', async () => {
  await open('#energy=U1&flow=planar%3A16&samples=300&lr=0.005&seed=1');
  await page.focus('#tab-flow');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.body.dataset.conditionalSessions === '1', null, { timeout: 60000 });
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-conditional');
  assert.equal(await page.getAttribute('#tab-conditional', 'aria-selected'), 'true');
  assert.equal(await page.getAttribute('#tab-conditional', 'tabindex'), '0');
  assert.equal(await page.getAttribute('#tab-flow', 'tabindex'), '-1');
  assert.equal(await page.isHidden('#flow-view'), true);
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction(() => !document.getElementById('flow-view').hidden);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-flow');
  // Tab through the flow view: each control is reached.
  const reached = new Set();
  for (let i = 0; i < 60; ++i) {
    await page.keyboard.press('Tab');
    reached.add(await page.evaluate(() => document.activeElement.id || document.activeElement.textContent.trim()));
  }
  for (const id of ['energy', 'flow', 'samples', 'lr', 'seed', 'run', 'step', 'reset', 'compare', 'save', 'load']) {
    assert.ok(reached.has(id), `Tab never reached #${id}`);
  }
  // Run by keyboard.
  await page.focus('#run');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.body.dataset.running === 'true');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.body.dataset.running === 'false');
});

test('accessible names, and messages announced once', async () => {
  const unnamed = await page.evaluate(() => [...document.querySelectorAll('canvas')]
    .filter((c) => !c.getAttribute('aria-label') || c.getAttribute('role') !== 'img').map((c) => c.id));
  assert.deepEqual(unnamed, []);
  assert.ok(await page.locator('[role="alert"]').count() <= 4, 'an alert per field');
  await page.fill('#samples', '0');
  await page.dispatchEvent('#samples', 'input');
  assert.equal(await page.getAttribute('#samples', 'aria-describedby'), 'samples-error');
  assert.match(await text('#announce'), /samples per step/);
  await page.fill('#samples', '00');
  await page.dispatchEvent('#samples', 'input');
  await page.fill('#seed', 'x');
  await page.dispatchEvent('#seed', 'input');
  // Only the new message is announced; the samples' one was said already.
  assert.match(await text('#announce'), /^seed must be/);
});

test('layouts: no horizontal scrolling on a phone, the chart in view on a laptop, two columns on a wide screen', async () => {
  mkdirSync(screenshotDir, { recursive: true });
  await open('#energy=U1&flow=planar%3A50&samples=1000&lr=0.002&seed=1');
  await page.click('#run');
  await page.waitForTimeout(3000);
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.running === 'false');
  for (const [name, width, height] of [['phone', 390, 844], ['laptop', 1280, 800], ['wide', 1920, 1080]]) {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(500); // the chart's resize
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than a ${width} px window`);
    const chart = await page.evaluate(() => document.getElementById('kl-chart').getBoundingClientRect().toJSON());
    const views = await page.evaluate(() => document.querySelector('#flow-view .views').getBoundingClientRect().toJSON());
    const controls = await page.evaluate(() => document.querySelector('#flow-view .controls').getBoundingClientRect().toJSON());
    if (name === 'laptop' || name === 'wide') {
      assert.ok(chart.bottom <= height, `the chart ends at ${chart.bottom} px, below the ${height} px window`);
      assert.ok(chart.left >= controls.right, 'the chart is not beside the settings');
    }
    if (name === 'wide') assert.ok(views.left >= chart.right - 1, 'the pictures are not in a column of their own');
    const file = path.join(screenshotDir, `layout-${name}.png`);
    await page.screenshot({ path: file, fullPage: name === 'phone' });
    console.log(`screenshot: ${file}`);
  }
  // Every view at laptop size, and the phone's for the other two.
  for (const [view, key] of [['conditional', 'conditionalSessions'], ['vae', 'vaeSessions']]) {
    await page.setViewportSize({ width: 1280, height: 800 });
    await open(`#view=${view}`, key);
    await page.waitForTimeout(800);
    for (const [name, width, height] of [['laptop', 1280, 800], ['phone', 390, 844]]) {
      await page.setViewportSize({ width, height });
      await page.waitForTimeout(400);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the ${view} view is ${overflow} px wider than a ${width} px window`);
      const file = path.join(screenshotDir, `${view}-${name}.png`);
      await page.screenshot({ path: file, fullPage: name === 'phone' });
      console.log(`screenshot: ${file}`);
    }
  }
  await page.setViewportSize({ width: 1280, height: 1000 });
});

test('no console errors', () => {
  assert.deepEqual(consoleErrors, []);
});

test('the schedule fields: checked, in the hash and back, applied on Reset after training; the spline 4 preset trains with cosine decay', async () => {
  await open('#energy=U1&flow=planar%3A16&samples=300&lr=0.005&seed=1');
  assert.equal(await page.inputValue('#cosine'), '0');
  assert.equal(await page.inputValue('#anneal'), '0');
  assert.match(await text('#schedule-help'), /--lr-schedule cosine --steps T --anneal/);
  // Bad values get their message beside the field and hold Run.
  for (const [id, bad, pattern] of [['cosine', '2.5', /cosine decay steps T must be a whole number from 0 to 100000000/],
    ['cosine', '100000001', /from 0 to 100000000/], ['anneal', '-3', /annealing steps A must be a whole number/]]) {
    await page.fill(`#${id}`, bad);
    await page.dispatchEvent(`#${id}`, 'input');
    assert.match(await text(`#${id}-error`), pattern);
    assert.equal(await page.getAttribute(`#${id}`, 'aria-invalid'), 'true');
    assert.equal(await page.isDisabled('#run'), true);
    await page.fill(`#${id}`, '0');
    await page.dispatchEvent(`#${id}`, 'input');
    assert.equal(await text(`#${id}-error`), '');
  }
  assert.equal(await page.isDisabled('#run'), false);
  // A new flow follows the fields at once, and the hash names them (not while 0).
  assert.doesNotMatch(page.url(), /cosine|anneal/);
  await page.fill('#cosine', '400');
  await page.dispatchEvent('#cosine', 'change');
  await page.waitForFunction(() => document.body.dataset.cosineSteps === '400');
  await page.fill('#anneal', '50');
  await page.dispatchEvent('#anneal', 'change');
  await page.waitForFunction(() => document.body.dataset.annealSteps === '50');
  assert.match(page.url(), /&lr=0\.005&cosine=400&anneal=50&seed=1$/);
  assert.match(await text('#status'), /cosine over 400 steps, anneal over 50 steps/);
  // And back: a link sets the fields and the session.
  await open('#energy=U1&flow=planar%3A16&samples=300&lr=0.005&cosine=700&anneal=20&seed=1');
  assert.equal(await page.inputValue('#cosine'), '700');
  assert.equal(await page.inputValue('#anneal'), '20');
  assert.equal(await page.getAttribute('body', 'data-cosine-steps'), '700');
  assert.equal(await page.getAttribute('body', 'data-anneal-steps'), '20');
  // After training, a change waits for Reset (the note and Undo).
  await page.click('#step');
  await page.waitForFunction(() => Number(document.getElementById('stat-step').textContent) >= 1);
  await page.fill('#cosine', '900');
  await page.dispatchEvent('#cosine', 'change');
  assert.equal(await page.isVisible('#pending'), true);
  assert.match(await text('#pending'), /cosine decay over T steps 700 → 900.*Reset applies/);
  await page.click('#pending .undo');
  assert.equal(await page.inputValue('#cosine'), '700');
  await page.fill('#cosine', '900');
  await page.dispatchEvent('#cosine', 'change');
  await page.click('#reset');
  await page.waitForFunction(() => document.body.dataset.cosineSteps === '900');
  assert.match(page.url(), /cosine=900&anneal=20/);

  // The spline 4 preset: its spec, N, lr and cosine 800, no annealing; it trains.
  await page.click('#reset');
  await page.click('#presets button[data-flow="spline:4:bins=12:bound=6:depth=1"]');
  await page.waitForFunction(() => document.body.dataset.cosineSteps === '800' &&
    document.body.dataset.annealSteps === '0');
  assert.equal(await page.getAttribute('#presets button[data-flow="spline:4:bins=12:bound=6:depth=1"]', 'aria-pressed'), 'true');
  assert.match(page.url(), /flow=spline%3A4%3Abins%3D12%3Abound%3D6%3Adepth%3D1&samples=500&lr=0\.005&cosine=800&seed=1$/);
  await page.click('#run');
  await page.waitForFunction(() => Number(document.getElementById('stat-step').textContent) > 100 &&
    Number(document.getElementById('stat-kl-true').textContent) < 1, null, { timeout: 120000 });
  await page.click('#run');
  await page.waitForFunction(() => document.body.dataset.running === 'false');
  // Without cosine it is not the preset any more.
  await page.fill('#cosine', '0');
  await page.dispatchEvent('#cosine', 'change');
  await page.click('#reset');
  await page.waitForFunction(() => document.body.dataset.cosineSteps === '0');
  assert.equal(await page.getAttribute('#presets button[data-flow="spline:4:bins=12:bound=6:depth=1"]', 'aria-pressed'), 'false');
  assert.deepEqual(consoleErrors, []);
});
