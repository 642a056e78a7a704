// The pool's workers: the engine worker imports this file for `startWorkers`, and it
// is also each pool worker's script (it spawns workers on its own URL).
// wasm-bindgen-rayon's helper, which this replaces, fetched its own script into a new
// `blob:` once per worker and reported nothing of where a start went; this one starts
// every worker on one same-origin URL and returns, per phase, how long the workers
// took (issue 12: the breakdown of a pool's start).
//
// A pool worker fetches two files: this script and the module's glue (which imports
// nothing: src/web/pool.rs). Both carry the page's `?v=` (www/build.js), which the lab
// server lets the browser cache for good, so N workers make no N requests to the
// server: the first worker's fetch, or the engine's, serves them all.

/** Wall-clock ms, comparable between workers (each has its own timeOrigin). */
const now = () => performance.timeOrigin + performance.now();
const scriptAt = now();

/**
 * Resolves with the first message of that type on `target`.
 * @param {any} target
 * @param {string} type
 * @returns {Promise<any>}
 */
function message(target, type) {
  return new Promise((resolve) => {
    target.addEventListener('message', function onMessage(/** @type {MessageEvent} */ { data }) {
      if (data == null || data.type !== type) return;
      target.removeEventListener('message', onMessage);
      resolve(data);
    });
  });
}

// As a pool worker: instantiate the module on the shared memory, say so, then run the
// rayon threads handed over, one pool after another (src/web/pool.rs). The type check
// matters where this file is merely imported (the engine worker), whose other messages
// pass by.
message(self, 'pool_worker_init').then(async (data) => {
  const initAt = now();
  const glue = await import(data.mainJS);
  const importedAt = now();
  await glue.default({ module_or_path: data.module, memory: data.memory });
  const instantiatedAt = now();
  postMessage({ type: 'pool_worker_ready', times: { scriptAt, initAt, importedAt, instantiatedAt } });
  glue.startPoolWorker(data.receiver);
});

// Firefox collects workers that share a wasm memory but have no live `Worker` object
// (https://bugzilla.mozilla.org/show_bug.cgi?id=1702191): keep them referenced.
/** @type {Worker[]} */
const workers = [];

/** @param {number[]} xs */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1] : 0;
};

/**
 * Builds a pool of `threads` on the engine's workers: starts, all at once, the workers
 * it needs beyond those started for earlier pools (each instantiating `module` on
 * `memory`), then builds rayon's pool on them. Resolves with where the time went: for
 * each phase of the workers started now, the median and the slowest, in ms (null
 * phases where none was started).
 * @param {WebAssembly.Module} module
 * @param {WebAssembly.Memory} memory
 * @param {any} pool  the Rust WorkerPool, one per engine
 * @param {number} threads
 * @returns {Promise<import('./types.js').PoolPhases>}
 */
export async function startWorkers(module, memory, pool, threads) {
  const t0 = now();
  const count = pool.toStart(threads);
  const init = { type: 'pool_worker_init', module, memory, receiver: pool.receiver(), mainJS: pool.mainJS() };
  // This script under the glue's own `?v=`, so that it too comes from the cache.
  const url = new URL(import.meta.url);
  url.search = new URL(init.mainJS).search;
  const first = pool.started();
  const started = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const spawnAt = now();
      const worker = new Worker(url, { type: 'module', name: `pool-${first + i}` });
      worker.postMessage(init);
      const { times } = await message(worker, 'pool_worker_ready');
      return { worker, times: { spawnAt, ...times, readyAt: now() } };
    }),
  );
  workers.push(...started.map((s) => s.worker));
  pool.addStarted(count);
  const builtFrom = now();
  pool.build(threads);
  const end = now();
  const t = started.map((s) => s.times);
  /** @param {(x: typeof t[number]) => number} f */
  const phase = (f) => {
    if (!t.length) return null;
    const ms = t.map(f);
    return { median: median(ms), max: Math.max(...ms) };
  };
  return {
    workers: threads,
    started: count,
    kept: threads - count,
    idle: pool.started() - threads,
    totalMs: end - t0,
    // From `new Worker` to its script running: thread, JS engine and script load.
    script: phase((x) => x.scriptAt - x.spawnAt),
    // Importing the module's glue (JavaScript) in the worker.
    glue: phase((x) => x.importedAt - x.initAt),
    // Instantiating the compiled module on the shared memory, with the thread's own
    // stack and thread-locals (wasm-bindgen's start function).
    instantiate: phase((x) => x.instantiatedAt - x.importedAt),
    // The last worker started now ready, from the first spawned (0 if none was).
    allReadyMs: t.length ? Math.max(...t.map((x) => x.readyAt)) - t0 : 0,
    // rayon's pool: the previous one ended, this one built and each of its threads
    // running (the workers kept from earlier pools take theirs here).
    registryMs: end - builtFrom,
  };
}
