// The page's pure logic (web/src/model.js), in Node without a browser
// (node --test): the steps-per-second meter, the model files' facts and
// messages, and the learning-rate warnings. model.js has no imports, so it
// is loaded as it is (web/ has no package.json marking it a module).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { root } from './browser.mjs';

const source = readFileSync(path.join(root, 'web', 'src', 'model.js'), 'utf8');
const model = await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`);

test('10: steps / s is the rate a person sees, smoothed over the last seconds', () => {
  const meter = new model.RateMeter(3000, 300);
  meter.add(0, 0); // Run
  assert.equal(meter.rate(), null, 'no rate before any progress');
  // Chunks of 40 steps trained in 20 ms, arriving every 100 ms (drawing and messages take the rest):
  // a chunk's own rate is 2000 steps/s, the rate a person sees is 400.
  for (let i = 1; i <= 50; ++i) meter.add(100 * i, 40 * i);
  assert.equal(meter.rate(), 400);
  // One slow chunk (a redraw of 900 ms) moves the shown rate a little, not to its own 44 steps/s.
  meter.add(5900, 2040);
  const rate = meter.rate();
  assert.ok(rate > 250 && rate < 400, `rate after one slow chunk: ${rate}`);
  // The window forgets: 3 s later at 400 steps/s again, it reads 400.
  for (let i = 1; i <= 30; ++i) meter.add(5900 + 100 * i, 2040 + 40 * i);
  assert.equal(meter.rate(), 400);
  meter.reset();
  assert.equal(meter.rate(), null);
  assert.equal(model.formatRate(null), '–');
  assert.equal(model.formatRate(1234.4), '1234');
  assert.equal(model.formatRate(12.34), '12.3');
  assert.equal(model.formatRate(1.234), '1.23');
});

test('a model file\'s facts: its kind and its training settings', () => {
  const fit = readFileSync(path.join(root, 'tests', 'data', 'fit_seed3_summary.json'), 'utf8');
  assert.deepEqual(model.modelFileFacts(fit), { kind: 'flow', settings: { samples: 300, lr: 0.004, seed: 3 }, dim: 2 });
  const cond = readFileSync(path.join(root, 'tests', 'data', 'cond_small_summary.json'), 'utf8');
  assert.deepEqual(model.modelFileFacts(cond).settings, { angles: 8, samples: 60, lr: 3e-5, seed: 4 });
  assert.equal(model.modelFileFacts('').kind, null);
  assert.equal(model.modelFileFacts('NFVIVAE2....').kind, 'vae');
  assert.match(model.wrongViewMessage('conditional', 'flow'), /conditional model .*: open it in the Conditional view/);
  assert.match(model.wrongViewMessage('flow', 'conditional'), /flow model .*: open it in the Flow view/);
  assert.equal(model.wrongViewMessage('flow', 'flow'), null);
  // A file's value the page cannot use keeps the page's, and is named.
  const check = (t) => model.checkConditionalSettings({ ...t, layers: '1', hidden: '1' });
  const page = { ...model.CONDITIONAL_DEFAULTS };
  const { settings, ignored } = model.settingsForLoad(page, { samples: 20000, lr: 3e-5 }, check);
  assert.equal(settings.samples, page.samples);
  assert.equal(settings.lr, 3e-5);
  assert.deepEqual(ignored, ['samples 20000']);
});

test('plain load messages', () => {
  assert.equal(model.humanLoadMessage('[json.exception.out_of_range.406] number overflow parsing \'1e400\''),
    'a number in the file is too large (beyond about 1.8e308)');
  assert.match(model.humanLoadMessage('"dim" must be between 2 and 2'), /2-D flows only/);
  assert.match(model.humanLoadMessage('"version" must be between 1 and 1000'), /between 1 and 1000/);
  assert.match(model.humanLoadMessage('not valid JSON (truncated or malformed) at byte 1'), /not a JSON file/);
  assert.equal(model.tooLargeMessage('a.json', 51e6, 50e6), 'a.json is 51 MB; the page loads model files of up to 50 MB');
  assert.equal(model.absurdModelWarning(0.05), null);
  assert.match(model.absurdModelWarning(5e14), /kl_true is 5\.0e\+14 nats/);
  assert.match(model.absurdModelWarning(NaN), /not a finite number/);
});

test('learning-rate warnings', () => {
  assert.equal(model.learningRateWarning(0.002), '');
  assert.match(model.learningRateWarning(1e-7), /barely moves/);
  assert.match(model.learningRateWarning(0.5), /diverges/);
});
