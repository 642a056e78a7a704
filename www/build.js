// Which wasm build the page's workers load. There is one per directory beside www/:
//   pkg/         wasm threads (atomics, shared memory): needs a cross-origin isolated page
//   pkg-st/      one thread, no shared memory: for pages that cannot be isolated
//   pkg-faults/  the threads build with a test-only entry point that crashes a pool thread
// The page picks one at start, by feature detection, and names it in each worker's
// URL (`?build=`), so the engine and the link worker always load the same one.
//
// Each worker's URL also carries the page load's own name (`?v=`), which the workers
// put on the module's glue: the lab server lets the browser keep a file so named for
// good (lab-server/src/site.rs), so the workers load it from the browser's cache
// instead of asking the server each time whether it changed (the pool's workers do
// not load it at all: www/pool.js), and a rebuilt package still reaches the next page
// load, which names itself anew. Static hosts ignore the query.

/** @typedef {'threads' | 'single' | 'faults'} BuildName */

/** @type {Record<BuildName, string>} */
const DIRS = { threads: '../pkg/', single: '../pkg-st/', faults: '../pkg-faults/' };

/**
 * Whether this page can run wasm threads: cross-origin isolated (else the browser
 * withholds SharedArrayBuffer) and able to make a shared WebAssembly.Memory.
 */
export function threadsSupported() {
  if (!self.crossOriginIsolated || typeof SharedArrayBuffer !== 'function') return false;
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * The build for this page: threads where the browser allows them, else the
 * single-thread build; the test build only when the URL says `?build=faults` and
 * threads can run.
 * @param {string} pageUrl
 * @param {boolean} threads  threadsSupported()
 * @returns {BuildName}
 */
export function chooseBuild(pageUrl, threads) {
  if (!threads) return 'single';
  return new URL(pageUrl).searchParams.get('build') === 'faults' ? 'faults' : 'threads';
}

/** This page load's name: its time origin, in ms. */
const LOAD = Math.round(performance.timeOrigin).toString(36);

/**
 * A worker's script URL naming the build it loads and the page load.
 * @param {string} script  e.g. './engine-worker.js'
 * @param {BuildName} build
 */
export function workerUrl(script, build) {
  const url = new URL(script, import.meta.url);
  url.searchParams.set('build', build);
  url.searchParams.set('v', LOAD);
  return url;
}

/**
 * The URL of the glue of the build named in a worker's URL (an unknown name: the
 * default), under the page load's name where the URL has one.
 * @param {string} workerHref
 */
export function glueUrl(workerHref) {
  const params = new URL(workerHref).searchParams;
  const name = /** @type {BuildName} */ (params.get('build'));
  const glue = new URL(`${DIRS[name] ?? DIRS.threads}concurrency_lab.js`, import.meta.url);
  const load = params.get('v');
  if (load) glue.searchParams.set('v', load);
  return glue.href;
}

/**
 * Loads the build named in a worker's own URL (glueUrl).
 * @param {string} workerHref
 * @returns {Promise<typeof import('../pkg/concurrency_lab.js')>}
 */
export function loadBuild(workerHref) {
  return import(glueUrl(workerHref));
}
