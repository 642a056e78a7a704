// The lab's one-thread wasm build (pkg-st/: the same kernel a pool worker runs) mined
// in this Node.js, whose V8 is older than the browser's: the very same module under
// another optimising compiler (bench/peers.mjs, nodeWasmPeer). Prints one JSON object:
// the timed runs on [0, count) and one untimed run on the range given.
//   node bench/node-wasm.mjs <count> <reps> '{"start": s, "count": n}'
import { readFileSync } from 'node:fs';
import { initSync, mine } from '../pkg-st/concurrency_lab.js';

const [count, reps] = process.argv.slice(2, 4).map(Number);
const check = JSON.parse(process.argv[4]);
initSync({ module: readFileSync(new URL('../pkg-st/concurrency_lab_bg.wasm', import.meta.url)) });

/** @param {number} start @param {number} n */
function run(start, n) {
  const r = mine({ start, count: n, mode: 'nonce' });
  return { start, count: n, ms: r.elapsedMs, coins: r.coins.map((/** @type {{nonce: string}} */ c) => Number(c.nonce)) };
}

run(0, count); // warm-up: V8 tiers the kernel up on its first calls
const runs = Array.from({ length: reps }, () => run(0, count));
process.stdout.write(JSON.stringify({ runs, check: run(check.start, check.count) }));
