// The link checker: its own module instance, outside the rayon pool, so a link
// check never waits behind a mining run. Fetches are promises on this one thread.
import * as Comlink from './vendor/comlink.mjs';
import init, * as wasm from '../pkg/concurrency_lab.js';

// Exposed at once so no message is lost while the module loads.
const ready = init();

Comlink.expose({
  /** Every limit, default and list of the page, from Rust: also the readiness signal. */
  async contract() {
    await ready;
    return wasm.contract();
  },
  /**
   * @param {object} opts
   * @param {((r: object) => void) | undefined} onResult
   */
  async check(opts, onResult) {
    await ready;
    return wasm.checkLinks(opts, onResult ? (r) => { onResult(r); } : undefined);
  },
  /**
   * @param {object} opts
   * @param {string} base  the lab server's origin
   * @param {(count: number) => Promise<void>} executor  mines on the pool
   */
  async loop(opts, base, executor) {
    await ready;
    return wasm.runLoop(opts, base, (/** @type {number} */ count) => executor(count));
  },
  /** @param {object} opts  lab.gil's options: the pool they need */
  async gilPoolNeeded(opts) {
    await ready;
    return wasm.gilPoolNeeded(opts);
  },
  /** @param {object} opts  lab.executor's options: the pool they need */
  async executorPoolNeeded(opts) {
    await ready;
    return wasm.executorPoolNeeded(opts);
  },
  /** @param {string} text */
  async parseList(text) {
    await ready;
    return wasm.parseLinkList(text);
  },
  /** @param {string} text */
  async verifyCoin(text) {
    await ready;
    return wasm.verifyCoin(text);
  },
  async stop() {
    await ready;
    wasm.stopLinks();
  },
  async stopLoop() {
    await ready;
    wasm.stopLoop();
  },
});
