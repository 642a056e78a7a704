// The CPU engine: one wasm instance and its rayon pool of N Web Workers.
// It runs in a dedicated worker because a rayon call made on the page's main
// thread busy-waits (Atomics.wait is not allowed there) and freezes the page.
// A pool's size is fixed once built (rayon's global pool), so the page starts a
// fresh engine for a different N.
import * as Comlink from './vendor/comlink.mjs';
import init, * as wasm from '../pkg/concurrency_lab.js';

/** @type {WebAssembly.Memory | null} */
let memory = null;

const engine = {
  /**
   * Instantiates the module, starts the pool and warms the compiled code up; returns
   * how long each took. The warm-up (short mining runs until the rate stops climbing)
   * is part of the pool's start, so the first timed run is as fast as the second.
   * @param {number} workers
   */
  async start(workers) {
    const t0 = performance.now();
    ({ memory } = await init());
    const t1 = performance.now();
    await wasm.initThreadPool(workers);
    const t2 = performance.now();
    const warm = wasm.warmUp();
    const t3 = performance.now();
    return {
      moduleMs: t1 - t0,
      poolMs: t2 - t1,
      warmUpMs: t3 - t2,
      warmUpRuns: warm.runs,
      poolSize: wasm.poolSize(),
      // The page reads the live counters straight from this shared memory, at the
      // offsets of contract.layout.
      memory,
      pointer: wasm.progressPointer(),
    };
  },
  /** @param {object} opts */
  mine: (opts) => wasm.mine(opts),
  /** @param {object} opts */
  primes: (opts) => wasm.primes(opts),
  /** @param {object} opts */
  gil: (opts) => wasm.gil(opts),
  /** @param {object} opts */
  executor: (opts) => wasm.executor(opts),
};

Comlink.expose(engine);
