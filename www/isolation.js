// Cross-origin isolation wherever the page is opened, and where its lab endpoints are.
//
// wasm threads need SharedArrayBuffer, which a browser gives only to a cross-origin
// isolated page: one served with Cross-Origin-Opener-Policy and -Embedder-Policy. The
// lab server sends them. A plain static host (a course site, GitHub Pages,
// `python3 -m http.server`) does not, so there the page registers ../sw.js, a service
// worker that adds them to every answer in the page's directory, and reloads once
// under it. The same worker simulates the lab's /lab/ endpoints (see sw.js).

/**
 * How the page got (or did not get) cross-origin isolation, and a sentence for the student.
 * @typedef {{mode: 'headers' | 'service-worker' | 'unavailable', note: string}} Isolation
 */

/**
 * Where the link lab's endpoints are: the lab server's /lab/, the service worker's
 * simulation under the page's directory, or nowhere. `base` ends in 'lab/' ('' for none).
 * @typedef {{kind: 'server' | 'simulated' | 'none', base: string, note: string}} LabEndpoints
 */

/** The service worker, beside index.html: its scope is that directory. */
const SW_URL = new URL('../sw.js', import.meta.url);
const SW_SCOPE = new URL('./', SW_URL);
/** Set just before the one reload; a second load that finds it set and is still not isolated gives up. */
const RELOADED = 'concurrency-lab:isolation-reloaded';
/** How long a new service worker may take to install and activate. */
const ACTIVATE_MS = 15_000;

/** Every note on a missing isolation starts so; the page's warning says what it costs. */
const NO_HEADERS = 'not isolated: this host sends no COOP/COEP headers';

/** Whether our service worker (any version) controls this page. */
function ourWorkerControls() {
  const controller = navigator.serviceWorker?.controller;
  if (!controller) return false;
  const url = new URL(controller.scriptURL);
  return url.origin + url.pathname === SW_URL.origin + SW_URL.pathname;
}

/** sessionStorage, or null where the browser refuses it (some private modes, blocked storage). */
function session() {
  try {
    const s = self.sessionStorage;
    s.getItem(RELOADED);
    return s;
  } catch {
    return null;
  }
}

/**
 * Resolves once `registration` has an activated worker.
 * @param {ServiceWorkerRegistration} registration
 */
function activated(registration) {
  const worker = registration.installing || registration.waiting || registration.active;
  if (!worker) return Promise.reject(new Error('the browser registered no worker'));
  if (worker.state === 'activated') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`it did not start within ${ACTIVATE_MS / 1000} s`)), ACTIVATE_MS);
    worker.addEventListener('statechange', () => {
      if (worker.state === 'activated') {
        clearTimeout(timer);
        resolve(undefined);
      } else if (worker.state === 'redundant') {
        clearTimeout(timer);
        reject(new Error('the browser discarded it while installing'));
      }
    });
  });
}

/**
 * Makes the page cross-origin isolated if it can. On a host that sends no COOP/COEP it
 * registers the service worker and reloads the page once; the promise then never
 * resolves (the page is going away). It never rejects.
 * @returns {Promise<Isolation>}
 */
export async function isolate() {
  const storage = session();
  if (self.crossOriginIsolated) {
    storage?.removeItem(RELOADED);
    // On the lab server the headers come from the host and no service worker is registered.
    if (ourWorkerControls()) {
      return { mode: 'service-worker', note: 'isolated by a service worker: this host sends no COOP/COEP headers, so sw.js adds them to every file of the page' };
    }
    return { mode: 'headers', note: 'isolated by this host\'s own COOP/COEP headers' };
  }
  if (!self.isSecureContext) {
    return {
      mode: 'unavailable',
      note: `${NO_HEADERS}, and browsers run the service worker that would add them only on https:// pages or on localhost, not on ${location.protocol}//${location.host}`,
    };
  }
  if (!('serviceWorker' in navigator)) {
    return {
      mode: 'unavailable',
      note: `${NO_HEADERS}, and this browser offers no service worker to add them (some browsers turn service workers off in private windows)`,
    };
  }
  if (storage?.getItem(RELOADED)) {
    // Reloaded once already under the worker and still not isolated: do not loop. The
    // mark goes, so reloading by hand tries once more.
    storage.removeItem(RELOADED);
    const why = ourWorkerControls()
      ? 'the service worker that adds them is running, but this browser did not isolate the page with them'
      : 'the service worker that adds them was installed, but the browser did not let it take charge of the page (a hard reload, Shift+Reload, bypasses it: reload normally)';
    return { mode: 'unavailable', note: `${NO_HEADERS}; ${why}` };
  }
  if (!storage) {
    // Without somewhere to remember the reload, one could follow another for ever.
    return {
      mode: 'unavailable',
      note: `${NO_HEADERS}, and the browser blocks this page's storage, which the page needs to reload itself once, safely, under the service worker that adds them`,
    };
  }
  try {
    const registration = await navigator.serviceWorker.register(SW_URL, { scope: SW_SCOPE.href });
    if (!registration) throw new Error('it registered nothing');
    await activated(registration);
  } catch (e) {
    return {
      mode: 'unavailable',
      note: `${NO_HEADERS}, and the browser refused the service worker that would add them (private windows, some settings and some policies forbid service workers; the browser said: ${e?.message || e})`,
    };
  }
  // The page itself came without the headers: only a fresh load through the worker gets them.
  storage.setItem(RELOADED, '1');
  location.reload();
  return new Promise(() => {});
}

/**
 * Asks `url` for lab stats: the parsed JSON object, or null for anything else.
 * @param {URL} url
 * @returns {Promise<Record<string, unknown> | null>}
 */
async function statsAt(url) {
  try {
    const res = await fetch(url, { cache: 'no-store', signal: AbortSignal.timeout(5000) });
    if (!res.ok) return null;
    const body = await res.json();
    return body && typeof body === 'object' && !Array.isArray(body) ? body : null;
  } catch {
    return null;
  }
}

/**
 * Finds the lab's endpoints: `lab/stats` beside the page (the service worker's
 * simulation, or a lab server serving the page at its root), then, for a page under a
 * sub-path, `/lab/stats` at the origin's root, where the lab server serves it.
 * @returns {Promise<LabEndpoints>}
 */
export async function labEndpoints() {
  const dir = new URL('./', location.href);
  const candidates = [new URL('lab/stats', dir)];
  if (dir.pathname !== '/') candidates.push(new URL('/lab/stats', location.origin));
  const answers = await Promise.all(candidates.map(statsAt));
  for (const body of answers) {
    if (!body) continue;
    if (body.simulated === true) {
      return {
        kind: 'simulated',
        base: new URL('lab/', dir).href,
        note: 'lab endpoints simulated by the service worker in this browser: no network, and no per-host connection cap',
      };
    }
    return { kind: 'server', base: `${location.origin}/lab/`, note: 'lab endpoints served by the lab server' };
  }
  return {
    kind: 'none',
    base: '',
    note: 'no lab endpoints here: this host runs no lab server and no service worker simulates one (other sites can still be checked)',
  };
}
