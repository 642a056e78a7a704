// The CPU engine: one wasm instance and its rayon pool of N Web Workers.
// It runs in a dedicated worker because a rayon call made on the page's main
// thread busy-waits (Atomics.wait is not allowed there) and freezes the page.
// A pool of another size is built on the same instance, on the workers already
// started plus the ones it lacks (`resize`, src/web/pool.rs). The single-thread build
// (pkg-st/) has no pool: rayon runs every job on this worker's own thread.
import * as Comlink from './vendor/comlink.mjs';
import { loadBuild } from './build.js';
import { startWorkers } from './pool.js';

/** @type {WebAssembly.Memory | null} */
let memory = null;
/** The build this worker's URL names (see build.js), loaded once `start` is called. */
const module_ = loadBuild(self.location.href);
/** @type {Awaited<typeof module_>} */
let wasm;
/** The instance's workers, kept for every pool it builds (null: single-thread build). */
let pool = /** @type {any} */ (null);

/**
 * Runs one call into the module. A trap (a panic: the build aborts on panic) leaves
 * the instance unusable; in the single-thread build the page cannot read the fault
 * from shared memory, so the message the hook kept is read here and the Error is
 * named `EngineCrash`, which tells the page to replace this engine.
 * @template T
 * @param {() => T} call
 */
function guarded(call) {
  try {
    return call();
  } catch (e) {
    if (!(e instanceof WebAssembly.RuntimeError)) throw e;
    const crash = new Error(`a worker crashed: ${wasm.faultMessage() ?? e.message}`);
    crash.name = 'EngineCrash';
    throw crash;
  }
}

const engine = {
  /**
   * Instantiates the module (compiling it, unless the page passes the one it has
   * compiled), starts the pool and, if asked, warms the compiled code up; returns how
   * long each took. The warm-up (short mining runs until the rate stops climbing) is
   * part of the pool's start, so the first timed run is as fast as the second. The page
   * asks for it only when it has no warm module to pass: the optimised code stays with
   * the module, which the page warmed up at load (www/links-worker.js), so a second
   * warm-up here would only run two short runs (13-33 ms of every cold start).
   * @param {number} workers
   * @param {WebAssembly.Module | null} [compiled]  the page's compiled module, to instantiate without compiling
   * @param {boolean} [warmUp]  warm the code up once the pool is built
   * @param {import('./pool.js').AheadWorker[]} [ahead]  pool workers the page started while this one started (www/lab.js)
   */
  async start(workers, compiled = null, warmUp = true, ahead = []) {
    const t0 = performance.now();
    wasm = await module_;
    ({ memory } = await wasm.default(compiled ? { module_or_path: compiled } : undefined));
    // A panic or a failed allocation is written to the shared counters before the
    // thread traps, where the page's watchdog finds it (src/web/fault.rs).
    wasm.installFaultHooks();
    const t1 = performance.now();
    const shared = typeof SharedArrayBuffer === 'function' && memory.buffer instanceof SharedArrayBuffer;
    const workerPool = /** @type {any} */ (wasm).workerPool;
    if (shared && typeof workerPool === 'function') pool = workerPool();
    else if (workers !== 1) throw new Error(`workers: the single-thread build runs on 1 worker (asked for ${workers})`);
    // The page gets the shared memory before the pool starts, so that a start that
    // stalls can say how far its build got (lab.js, `deadline`): once the build waits
    // for its threads, this worker answers nothing.
    if (pool) postMessage({ type: 'engine_memory', memory, buildPointer: wasm.buildProgressPointer() });
    return {
      moduleMs: t1 - t0,
      ...(await engine.build(workers, warmUp, ahead)),
      // The page reads the live counters straight from this shared memory, at the
      // offsets of contract.layout (and a stalled build's progress, at buildPointer). A
      // memory that is not shared cannot be sent (nor read while this worker computes):
      // the single-thread build has no live counters.
      memory: shared ? memory : null,
      pointer: wasm.progressPointer(),
      buildPointer: pool ? wasm.buildProgressPointer() : 0,
    };
  },
  /**
   * A pool of another size on this instance: the workers the last pool had stay, the
   * ones it lacks start (none, when it is smaller), then, if asked, the code is warmed
   * up (the page does not ask for a rebuild: this instance's code is warm already).
   * (The warm-up cannot run on this thread while the workers start: Chromium starts a
   * worker's script only once the thread that made it is free, measured at 10
   * workers: the slowest script 100 ms later.)
   * @param {number} workers
   * @param {boolean} [warmUp]
   * @param {import('./pool.js').AheadWorker[]} [ahead]  workers the page started ahead, for the first of those the pool lacks
   */
  async build(workers, warmUp = true, ahead = []) {
    if (!memory) throw new Error('engine: start it first');
    const t1 = performance.now();
    // Where the pool's start went, phase by phase (www/pool.js); none without a pool.
    const phases = pool ? await startWorkers(wasm.compiledModule(), memory, pool, workers, ahead) : null;
    const t2 = performance.now();
    const warm = warmUp ? guarded(() => wasm.warmUp()) : { runs: 0 };
    const t3 = performance.now();
    return {
      poolMs: t2 - t1,
      phases,
      warmUpMs: warmUp ? t3 - t2 : 0,
      warmUpRuns: warm.runs,
      wasmBytes: memory.buffer.byteLength,
    };
  },
  /** @param {object} opts */
  mine: (opts) => guarded(() => wasm.mine(opts)),
  /** @param {object} opts */
  primes: (opts) => guarded(() => wasm.primes(opts)),
  /** @param {object} opts */
  gil: (opts) => guarded(() => wasm.gil(opts)),
  /** @param {object} opts */
  executor: (opts) => guarded(() => wasm.executor(opts)),
  /**
   * A fault on purpose, in test builds only (pkg-faults/, built with the
   * fault-injection feature); other builds have no such entry point.
   * @param {object} opts
   */
  fault: (opts) => {
    const inject = /** @type {any} */ (wasm).injectFault;
    if (typeof inject !== 'function') throw new Error('fault: this build has no fault entry point (only the test build pkg-faults/ has)');
    return guarded(() => inject(opts));
  },
};

Comlink.expose(engine);
