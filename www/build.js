// Which wasm build the page's workers load. There is one per directory beside www/:
//   pkg/         wasm threads (atomics, shared memory): needs a cross-origin isolated page
//   pkg-faults/  the same with a test-only entry point that crashes a pool thread
// The page picks one and names it in each worker's URL (`?build=`), so the engine and
// the link worker always load the same one.

/** @typedef {'threads' | 'faults'} BuildName */

/** @type {Record<BuildName, string>} */
const DIRS = { threads: '../pkg/', faults: '../pkg-faults/' };

/**
 * The build a page asks for: the test build only when its URL says `?build=faults`.
 * @param {string} pageUrl
 * @returns {BuildName}
 */
export function chooseBuild(pageUrl) {
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
  const name = new URL(workerHref).searchParams.get('build');
  const dir = name === 'faults' ? DIRS.faults : DIRS.threads;
  return import(new URL(`${dir}concurrency_lab.js`, import.meta.url).href);
}
