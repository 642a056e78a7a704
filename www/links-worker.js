// The link checker: its own module instance, outside the rayon pool, so a link
// check never waits behind a mining run. Fetches are promises on this one thread.
import * as Comlink from './vendor/comlink.mjs';
import init, * as wasm from '../pkg/concurrency_lab.js';

// Exposed at once so no message is lost while the module loads.
const ready = init();

Comlink.expose({
  async check(opts, onResult) {
    await ready;
    return wasm.checkLinks(opts, onResult ? (r) => { onResult(r); } : undefined);
  },
  async parseList(text) {
    await ready;
    return wasm.parseLinkList(text);
  },
  async verifyCoin(text) {
    await ready;
    return wasm.verifyCoin(text);
  },
  async stop() {
    await ready;
    wasm.stopLinks();
  },
});
