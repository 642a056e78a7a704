// The CPU engine: one wasm instance and its rayon pool of N Web Workers.
// It runs in a dedicated worker because a rayon call made on the page's main
// thread busy-waits (Atomics.wait is not allowed there) and freezes the page.
// A pool's size is fixed once built (rayon's global pool), so the page starts a
// fresh engine for a different N.
import * as Comlink from './vendor/comlink.mjs';
import { loadBuild } from './build.js';

/** @type {WebAssembly.Memory | null} */
let memory = null;
/** The build this worker's URL names (see build.js), loaded once `start` is called. */
const module_ = loadBuild(self.location.href);
/** @type {Awaited<typeof module_>} */
let wasm;

const engine = {
  /**
   * Instantiates the module, starts the pool and warms the compiled code up; returns
   * how long each took. The warm-up (short mining runs until the rate stops climbing)
   * is part of the pool's start, so the first timed run is as fast as the second.
   * @param {number} workers
   */
  async start(workers) {
    const t0 = performance.now();
    wasm = await module_;
    ({ memory } = await wasm.default());
    // A panic or a failed allocation is written to the shared counters before the
    // thread traps, where the page's watchdog finds it (src/web/fault.rs).
    wasm.installFaultHooks();
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
  /**
   * A fault on purpose, in test builds only (pkg-faults/, built with the
   * fault-injection feature); other builds have no such entry point.
   * @param {object} opts
   */
  fault: (opts) => {
    const inject = /** @type {any} */ (wasm).injectFault;
    if (typeof inject !== 'function') throw new Error('fault: this build has no fault entry point (only the test build pkg-faults/ has)');
    return inject(opts);
  },
};

Comlink.expose(engine);
