// The link checker: its own module instance, outside the rayon pool, so a link
// check never waits behind a mining run. Fetches are promises on this one thread.
// The event-loop lab runs here too, and the page asks this instance for the contract
// and for the pool sizes the models need (no pool is needed to answer).
import * as Comlink from './vendor/comlink.mjs';
import { loadBuild } from './build.js';

/** @type {Awaited<ReturnType<typeof loadBuild>>} */
let wasm;
// Exposed at once so no message is lost while the module loads.
const ready = loadBuild(self.location.href).then(async (m) => {
  wasm = m;
  await m.default();
  m.installFaultHooks();
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
