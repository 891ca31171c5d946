// A benchmark, not a test: for each flow preset of the page, the seconds
// from pressing Run to kl_true < 0.1 and < 0.01 on U1 (seed 1), in Debian's
// Chromium, headless, one preset at a time. Build web/dist first
// (scripts/build-web.sh), then:
//
//   node tests/browser/preset_benchmark.mjs [seconds per preset, default 60] [preset name, e.g. "spline 4"]
//
// It prints one line per preset (or only the one named): the times (or "not
// reached"), the best kl_true seen, the steps taken in that time (with their
// mean rate), and the preset's schedule as the session reports it (cosine
// decay and annealing steps). The spline 4 preset's bar: kl_true < 0.01
// within 10 s of pressing Run.
import { launchChromium, serveDist } from './browser.mjs';

const budget = Number(process.argv[2] ?? 60);
const only = process.argv[3] ?? null;

const server = await serveDist();
const browser = await launchChromium();
try {
  const page = await browser.context.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => document.body.dataset.sessions === '1', null, { timeout: 60000 });
  const flows = await page.$$eval('#presets button', (buttons) => buttons.map((b) => [b.textContent, b.dataset.flow]));
  for (const [name, flow] of flows) {
    if (only !== null && name !== only) continue;
    const sessions = Number(await page.evaluate(() => document.body.dataset.sessions));
    await page.click(`#presets button[data-flow="${flow}"]`);
    // A trained flow is kept until Reset: the preset's fields wait for it.
    if (await page.isVisible('#pending')) await page.click('#reset');
    await page.waitForFunction((n) => Number(document.body.dataset.sessions) === n + 1, sessions);
    const start = Date.now();
    await page.click('#run');
    const seconds = () => (Date.now() - start) / 1000;
    const reached = { 0.1: null, 0.01: null };
    let best = Infinity;
    while (seconds() < budget && reached[0.01] === null) {
      const kl = Number(await page.textContent('#stat-kl-true'));
      if (Number.isFinite(kl)) best = Math.min(best, kl);
      for (const level of [0.1, 0.01]) if (reached[level] === null && kl < level) reached[level] = seconds();
      await page.waitForTimeout(100);
    }
    const steps = Number(await page.textContent('#stat-step'));
    const elapsed = seconds();
    await page.click('#run');
    await page.waitForFunction(() => document.body.dataset.running === 'false');
    const shown = (level) => (reached[level] === null ? `not reached in ${budget} s` : `${reached[level].toFixed(1)} s`);
    console.log(`${name} (${flow}, lr ${await page.inputValue('#lr')}, N ${await page.inputValue('#samples')}): ` +
      `kl_true < 0.1: ${shown(0.1)}; < 0.01: ${shown(0.01)}; best ${best.toFixed(4)}; ${steps} steps in ` +
      `${elapsed.toFixed(1)} s (${(steps / elapsed).toFixed(0)} steps/s); cosine ` +
      `${await page.evaluate(() => document.body.dataset.cosineSteps)}, anneal ` +
      `${await page.evaluate(() => document.body.dataset.annealSteps)}`);
  }
} finally {
  await browser.close();
  server.stop();
}
