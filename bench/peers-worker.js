// A module worker for make bench: a JavaScript md5 library mining nonces in the
// course's loop shape (build the 50-digit string, hash it, hex, test the suffix), so
// its rate sits beside the lab's wasm kernel per worker on the same candidates.
// bench/peers.mjs serves this file and the libraries' browser builds on an origin it
// fulfils itself (route), beside this file under lib/; see there.
//
// Message in: {lib: 'spark-md5' | 'hash-wasm', start, count}.
// Message out: {lib, start, count, ms, coins: [nonce, ...]} or {lib, error}.
import { createMD5 } from './lib/hash-wasm.js';
import './lib/spark-md5.js'; // a UMD build: in a worker it sets self.SparkMD5

const SparkMD5 = /** @type {any} */ (self).SparkMD5;
// hash-wasm's synchronous hasher (init, update, digest), the library's way to hash
// many small inputs; its one-shot md5() returns a promise per input.
const hasher = await createMD5();

/** @type {Record<string, (s: string) => string>} */
const hex = {
  'spark-md5': (s) => SparkMD5.hash(s),
  'hash-wasm': (s) => {
    hasher.init();
    hasher.update(s);
    return /** @type {string} */ (hasher.digest('hex'));
  },
};

self.onmessage = ({ data: { lib, start, count } }) => {
  try {
    const md5 = hex[lib];
    if (!md5) throw new Error(`unknown library ${lib}`);
    const coins = [];
    const t0 = performance.now();
    for (let n = start; n < start + count; n++) {
      const s = String(n).padStart(50, '0');
      const h = md5(s);
      if (h.endsWith('00000')) coins.push(n);
    }
    const ms = performance.now() - t0;
    self.postMessage({ lib, start, count, ms, coins });
  } catch (e) {
    self.postMessage({ lib, error: String(e?.stack || e) });
  }
};
self.postMessage({ ready: true });
