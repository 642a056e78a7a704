// The pool's workers: the engine worker imports this file for `startWorkers`.
// wasm-bindgen-rayon's helper, which this replaces, starts each worker on a script that
// then imports the module's glue, and reports nothing of where a start went; this one
// starts every worker on one `blob:` script that holds the glue itself, and returns,
// per phase, how long the workers took (issue 12: the breakdown of a pool's start).
//
// Why one blob with the glue inlined: a worker that imports the glue waits for a second
// load (from the browser's cache, www/build.js `?v=`, but a load all the same, made from
// the worker's own thread once its script runs). Measured in Chromium, 100 workers
// spawned from a worker, medians of 6 runs: the pool's script importing the glue
// 986 ms, a blob of the glue with this file's worker code appended 737 ms, a bare blob
// that does nothing 738 ms. The engine fetches the glue's text once (the cache again)
// and makes the blob once for its whole life; every worker it starts runs that one.
// The glue imports nothing (src/web/pool.rs), so its text runs as it is.

/** Wall-clock ms, comparable between workers (each has its own timeOrigin). */
const now = () => performance.timeOrigin + performance.now();

/**
 * A pool worker's code, appended to the glue's text in the blob (so it must not close
 * over anything of this file): it gets the glue's own `initSync` and `startPoolWorker`,
 * instantiates the module on the shared memory once the engine's message comes, says
 * so, then runs the rayon threads handed over, one pool after another
 * (src/web/pool.rs).
 * @param {(init: { module: WebAssembly.Module, memory: WebAssembly.Memory }) => unknown} initSync
 * @param {(receiver: number) => void} startPoolWorker
 * @param {number} scriptAt  when the blob's first line ran
 */
function poolWorkerMain(initSync, startPoolWorker, scriptAt) {
  const glueAt = performance.timeOrigin + performance.now();
  /**
   * Waits on `target` for the engine's message, then instantiates and answers there.
   * @param {{addEventListener: Function, removeEventListener: Function, postMessage: Function}} target
   */
  const awaitInit = (target) => {
    target.addEventListener('message', function onInit(/** @type {MessageEvent} */ { data }) {
      if (data == null || data.type !== 'pool_worker_init') return;
      target.removeEventListener('message', onInit);
      const initAt = performance.timeOrigin + performance.now();
      initSync({ module: data.module, memory: data.memory });
      const instantiatedAt = performance.timeOrigin + performance.now();
      target.postMessage({ type: 'pool_worker_ready', times: { scriptAt, glueAt, initAt, instantiatedAt } });
      startPoolWorker(data.receiver);
    });
  };
  // A worker the engine started hears from it on its own scope; one the page started
  // ahead (`spawnAhead`) first gets the port of a channel to the engine.
  self.addEventListener('message', function onFirst(/** @type {MessageEvent} */ { data }) {
    if (data?.type === 'pool_worker_port') {
      self.removeEventListener('message', onFirst);
      data.port.start();
      awaitInit(data.port);
    }
  });
  awaitInit(self);
}

/**
 * The glue's text with each relative module specifier made absolute against `base`.
 * The page's glue imports nothing, but a build with snippets imports them by relative
 * URL (the wasm tests' build imports this very file: tests/web.rs), and a module in a
 * `blob:` has no base such a URL could resolve against.
 * @param {string} text
 * @param {string} base
 */
export function absoluteImports(text, base) {
  return text.replace(/(\bfrom\s*|\bimport\s*)(['"])(\.{1,2}\/[^'"]*)\2/g, (_, keyword, quote, specifier) => `${keyword}${quote}${new URL(specifier, base).href}${quote}`);
}

/** The engine's pool-worker script, made once: mainJS → its blob: URL. */
/** @type {Map<string, Promise<string>>} */
const scripts = new Map();

/**
 * The `blob:` URL of the pool workers' script: the glue at `mainJS`, then
 * `poolWorkerMain` called with the glue's bindings. Kept (never revoked) while the
 * engine lives: a pool of more workers starts later ones on it. The page makes its own,
 * for the workers it starts ahead of its engine.
 * @param {string} mainJS
 */
export function poolScript(mainJS) {
  let url = scripts.get(mainJS);
  if (!url) {
    url = fetch(mainJS).then(async (response) => {
      if (!response.ok) throw new Error(`pool: the module's glue ${mainJS} answered ${response.status}`);
      const glue = absoluteImports(await response.text(), mainJS);
      const text =
        'const __labScriptAt = performance.timeOrigin + performance.now();\n' +
        `${glue}\n;(${poolWorkerMain})(initSync, startPoolWorker, __labScriptAt);\n`;
      return URL.createObjectURL(new Blob([text], { type: 'text/javascript' }));
    });
    // A failed fetch is not kept: the next pool tries again.
    url.catch(() => scripts.delete(mainJS));
    scripts.set(mainJS, url);
  }
  return url;
}

/**
 * Resolves with the first message of that type on `target`.
 * @param {Worker | MessagePort} target
 * @param {string} type
 * @returns {Promise<any>}
 */
function message(target, type) {
  return new Promise((resolve) => {
    target.addEventListener('message', function onMessage(/** @type {any} */ { data }) {
      if (data == null || data.type !== type) return;
      target.removeEventListener('message', onMessage);
      resolve(data);
    });
    if (target instanceof MessagePort) target.start();
  });
}

// Firefox collects workers that share a wasm memory but have no live `Worker` object
// (https://bugzilla.mozilla.org/show_bug.cgi?id=1702191): keep them referenced.
/** @type {Worker[]} */
const workers = [];

// Its own median (the upper one, 0 for none) rather than www/ui/sweep-math.js's: this
// file imports nothing, since the wasm tests load it as a wasm-bindgen snippet, which
// may not import (tests/web.rs).
/** @param {number[]} xs */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1] : 0;
};

/**
 * A pool worker started ahead, by the page, while its engine worker starts: what the
 * engine gets of it (the worker itself stays with the page, which ends it).
 * @typedef {{ port: MessagePort, spawnAt: number }} AheadWorker
 */

/**
 * Starts `count` pool workers on `script` (poolScript) before their engine exists, so
 * that their threads start and their script runs while the engine worker starts and
 * instantiates the module: the page keeps `workers`, the engine gets `ahead` (transfer
 * the ports), and each waits on its port for the engine's `pool_worker_init`.
 * @param {string | null} script  (null: only with a count of 0)
 * @param {number} count
 * @returns {{ workers: Worker[], ahead: AheadWorker[] }}
 */
export function spawnAhead(script, count) {
  /** @type {Worker[]} */
  const started = [];
  /** @type {AheadWorker[]} */
  const ahead = [];
  for (let i = 0; i < count; i++) {
    const spawnAt = now();
    const worker = new Worker(/** @type {string} */ (script), { type: 'module', name: `pool-${i}` });
    const { port1, port2 } = new MessageChannel();
    worker.postMessage({ type: 'pool_worker_port', port: port2 }, [port2]);
    started.push(worker);
    ahead.push({ port: port1, spawnAt });
  }
  return { workers: started, ahead };
}

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
 * @param {AheadWorker[]} [ahead]  workers the page started ahead, for the first of those it needs
 * @returns {Promise<import('./types.js').PoolPhases>}
 */
export async function startWorkers(module, memory, pool, threads, ahead = []) {
  const t0 = now();
  const count = pool.toStart(threads);
  const init = { type: 'pool_worker_init', module, memory, receiver: pool.receiver() };
  const first = pool.started();
  // The workers the page started ahead are the first ones; those it did not are
  // started here, on the engine's own copy of the script.
  const given = ahead.slice(0, count);
  const script = count > given.length ? await poolScript(pool.mainJS()) : '';
  const started = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      if (i < given.length) {
        const { port, spawnAt } = given[i];
        port.postMessage(init);
        const { times } = await message(port, 'pool_worker_ready');
        port.close();
        return { worker: null, times: { spawnAt, ...times, readyAt: now() } };
      }
      const spawnAt = now();
      const worker = new Worker(script, { type: 'module', name: `pool-${first + i}` });
      worker.postMessage(init);
      const { times } = await message(worker, 'pool_worker_ready');
      return { worker, times: { spawnAt, ...times, readyAt: now() } };
    }),
  );
  // The first worker's spawn: t0, or earlier for workers the page started ahead.
  const origin = Math.min(t0, ...started.map((s) => s.times.spawnAt));
  for (const s of started) if (s.worker) workers.push(s.worker);
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
    // From the first worker spawned (or from the engine's call, if later) to the pool
    // built; of it, aheadMs came before the engine's call (workers the page started ahead).
    totalMs: end - origin,
    aheadMs: t0 - origin,
    // From `new Worker` to its script running: thread, JS engine and script load.
    script: phase((x) => x.scriptAt - x.spawnAt),
    // Evaluating the module's glue (JavaScript), which the script holds.
    glue: phase((x) => x.glueAt - x.scriptAt),
    // Instantiating the compiled module on the shared memory, with the thread's own
    // stack and thread-locals (wasm-bindgen's start function).
    instantiate: phase((x) => x.instantiatedAt - x.initAt),
    // The last worker started now ready, from the first spawned (0 if none was).
    allReadyMs: t.length ? Math.max(...t.map((x) => x.readyAt)) - origin : 0,
    // rayon's pool: the previous one ended, this one built and each of its threads
    // running (the workers kept from earlier pools take theirs here).
    registryMs: end - builtFrom,
  };
}
