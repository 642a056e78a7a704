// The link checker: its own module instance, outside the rayon pool, so a link
// check never waits behind a mining run. Fetches are promises on this one thread.
// The event-loop lab runs here too, and the page asks this instance for the contract
// and for the pool sizes the models need (no pool is needed to answer).
import * as Comlink from './vendor/comlink.mjs';
import { loadBuild } from './build.js';

/** @type {Awaited<ReturnType<typeof loadBuild>>} */
let wasm;
const t0 = performance.now();
/** How long loading the glue and compiling and instantiating the module took, in ms. */
let loadMs = 0;
// Exposed at once so no message is lost while the module loads.
const ready = loadBuild(self.location.href).then(async (m) => {
  wasm = m;
  await m.default();
  m.installFaultHooks();
  loadMs = performance.now() - t0;
});

/**
 * A call that waits for the module first.
 * @template {any[]} A
 * @template R
 * @param {(...args: A) => R} fn
 * @returns {(...args: A) => Promise<R>}
 */
const whenReady = (fn) => async (...args) => {
  await ready;
  return fn(...args);
};

Comlink.expose({
  /** Every limit, default and list of the page, from Rust: also the readiness signal. */
  contract: whenReady(() => wasm.contract()),
  /** The module this worker compiled at load, which every engine instantiates rather than compiling its own. */
  module: whenReady(() => ({ module: /** @type {WebAssembly.Module} */ (wasm.compiledModule()), loadMs })),
  /**
   * Warms the module's code up (src/mining.rs, warm_up), once per page: the optimised
   * code stays with the module, which every engine shares. It holds this thread once,
   * right after the page is ready, for 50–300 ms (2 cores, the page still loading).
   */
  warmUp: whenReady(() => wasm.warmUp()),
  /** Checks links; `onResult` (a Comlink proxy) is called with each result as it completes. */
  check: whenReady((/** @type {object} */ opts, /** @type {((r: object) => void) | undefined} */ onResult) =>
    wasm.checkLinks(opts, onResult ? (/** @type {object} */ r) => { onResult(r); } : undefined)),
  /** An event-loop experiment; `executor(count)` mines on the pool (the hybrid's run_in_executor). */
  loop: whenReady((/** @type {object} */ opts, /** @type {string} */ base, /** @type {(count: number) => Promise<void>} */ executor) =>
    wasm.runLoop(opts, base, (/** @type {number} */ count) => executor(count))),
  gilPoolNeeded: whenReady((/** @type {object} */ opts) => wasm.gilPoolNeeded(opts)),
  executorPoolNeeded: whenReady((/** @type {object} */ opts) => wasm.executorPoolNeeded(opts)),
  parseList: whenReady((/** @type {string} */ text) => wasm.parseLinkList(text)),
  verifyCoin: whenReady((/** @type {string} */ text) => wasm.verifyCoin(text)),
  stop: whenReady(() => wasm.stopLinks()),
  stopLoop: whenReady(() => wasm.stopLoop()),
});
