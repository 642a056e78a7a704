// Which wasm build the page's workers load. There is one per directory beside www/:
//   pkg/         wasm threads (atomics, shared memory): needs a cross-origin isolated page
//   pkg-st/      one thread, no shared memory: for pages that cannot be isolated
//   pkg-faults/  the threads build with a test-only entry point that crashes a pool thread
// The page picks one at start, by feature detection, and names it in each worker's
// URL (`?build=`), so the engine and the link worker always load the same one.

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

/**
 * A worker's script URL naming the build it loads.
 * @param {string} script  e.g. './engine-worker.js'
 * @param {BuildName} build
 */
export function workerUrl(script, build) {
  const url = new URL(script, import.meta.url);
  url.searchParams.set('build', build);
  return url;
}

/**
 * Loads the build named in a worker's own URL (an unknown name loads the default).
 * @param {string} workerHref
 * @returns {Promise<typeof import('../pkg/concurrency_lab.js')>}
 */
export function loadBuild(workerHref) {
  const name = /** @type {BuildName} */ (new URL(workerHref).searchParams.get('build'));
  return import(new URL(`${DIRS[name] ?? DIRS.threads}concurrency_lab.js`, import.meta.url).href);
}
