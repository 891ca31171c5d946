// Seconds per conditional-VI training step of the WebAssembly module in
// Node, at the seed's settings: MLP 1-512-512-164, K = 32, 32 angles per
// step, 100 samples per angle (phase 1) and 1000 (phase 2). Prints, per
// phase, the median of 5 repetitions of `steps` steps each, after 3 warm-up
// steps. Compare with build/bench/nfvi_bench_conditional (native), run beside it.
//
//   node --no-experimental-fetch bench/wasm_cond_step.mjs [steps]
import { loadNfvi } from '../tests/wasm/load_module.mjs';

const steps = Number(process.argv[2] ?? '20');
const nfvi = await loadNfvi();
for (const [phase, samples] of [[1, 100], [2, 1000]]) {
  const session = new nfvi.ConditionalSession(32, 512, 32, samples, 1e-5, 1);
  session.train(3);
  const ms = [];
  for (let r = 0; r < 5; ++r) {
    const start = performance.now();
    session.train(steps);
    ms.push((performance.now() - start) / steps);
  }
  ms.sort((a, b) => a - b);
  console.log(`wasm conditional phase ${phase} (32 angles x ${samples} samples): median ${ms[2].toFixed(2)} ms/step ` +
              `(min ${ms[0].toFixed(2)}, max ${ms[4].toFixed(2)})`);
  session.delete();
}
