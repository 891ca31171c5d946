// Seconds per training step of the WebAssembly module in Node: the same
// session the web page runs (U1, K=50, N=1000 by default). Prints the median
// of 7 repetitions of `steps` steps each, after 20 warm-up steps.
//
//   node --no-experimental-fetch bench/wasm_step.mjs [energy] [flow] [samples] [steps]
// flow is a flow spec (planar:50, spline:4, ...) or a number K, for planar:K.
import { loadNfvi } from '../tests/wasm/load_module.mjs';

const [energy = 'U1', flowArg = 'planar:50', samples = '1000', steps = '200'] = process.argv.slice(2);
const flow = /^\d+$/.test(flowArg) ? `planar:${flowArg}` : flowArg;
const nfvi = await loadNfvi();
const session = new nfvi.FlowSession(energy, flow, Number(samples), 2e-3, 1);
session.train(20);
const ms = [];
for (let r = 0; r < 7; ++r) {
  const start = performance.now();
  session.train(Number(steps));
  ms.push((performance.now() - start) / Number(steps));
}
ms.sort((a, b) => a - b);
console.log(`wasm ${energy}/${flow}/${samples}: median ${ms[3].toFixed(3)} ms/step (min ${ms[0].toFixed(3)}, max ${ms[6].toFixed(3)})`);
session.delete();
