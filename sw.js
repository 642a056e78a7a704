// Concurrency Lab's service worker, for hosts that send no special headers (a course
// site, GitHub Pages, `python3 -m http.server`), at the site's root or under a sub-path.
// The lab server never registers it: it sends the headers itself (see www/isolation.js).
//
// A classic script, not a module, so Firefox and Chromium both run it. Its scope is the
// directory that holds it (the page's), and it does two jobs there:
//
//  1. Isolation without header control (the coi-serviceworker approach): every GET in
//     the scope is fetched as usual and handed back with Cross-Origin-Opener-Policy and
//     Cross-Origin-Embedder-Policy added, so the page, reloaded once under this worker,
//     is cross-origin isolated and gets SharedArrayBuffer (wasm threads need it).
//  2. A simulated lab: `<scope>lab/...` is answered here, with no network at all, the way
//     the lab server's /lab/ endpoints answer (lab-server/src/lab.rs, census.rs).
//
// Changing this file makes browsers install the new version on the next visit: bump
// VERSION with every change. skipWaiting() and clients.claim() let the new version
// take over at once instead of after every tab of the page has been closed.
'use strict';

const VERSION = 1;

// The browser's engine decides COEP. `credentialless` lets the link checker's `no-cors`
// fetches of other sites through (sent without cookies): Chromium (96+) and Firefox
// (119+) support it. Under `require-corp` such a fetch fails unless the target sends
// Cross-Origin-Resource-Policy, which few sites do; but it is the only value Safari
// (WebKit, including every browser on iOS, whose user agents say CriOS/FxiOS) isolates
// with, so every other engine gets it.
const COEP = /(Chrome|Chromium|Firefox)\//.test(self.navigator.userAgent) ? 'credentialless' : 'require-corp';

// Bounds as the lab server has them (lab-server/src/lab.rs, bodies.rs).
const MAX_DELAY_MS = 600_000;
const MAX_BYTES = 64 * 1024 * 1024;
const MAX_RETRY_AFTER = 3600;
const MAX_REDIRECTS = 100;
const HANG_LIMIT_MS = 600_000;
const CHUNK_LEN = 64 * 1024;
const DRIP_TICK_MS = 10;
const LAB_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

/** The scope, ending in '/': `https://host/some/path/`. */
const scope = () => self.registration.scope;

self.addEventListener('fetch', (event) => {
  const request = event.request;
  // Outside the scope (other sites, or this origin above the page's directory, such as a
  // lab server's /lab/ at the root): not ours, the browser fetches it as usual.
  if (!request.url.startsWith(scope())) return;
  if (request.url.slice(scope().length).startsWith('lab/')) {
    event.respondWith(simulate(request));
    return;
  }
  if (request.method !== 'GET') return;
  // DevTools may ask for `only-if-cached` with a mode other than same-origin, which
  // fetch() refuses with a TypeError: leave such a request to the browser.
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  stats.passed_through += 1;
  event.respondWith(withIsolation(request));
});

/**
 * The network's answer with the isolation headers added.
 * @param {Request} request
 */
async function withIsolation(request) {
  const response = await fetch(request);
  // Opaque answers (status 0: `no-cors`, or a navigation's redirect) cannot be rebuilt.
  if (response.status === 0) return response;
  // A rebuilt answer loses the URL it was redirected to, which a module script's own
  // imports resolve against: send the page to that URL instead, through this worker.
  if (response.redirected && request.redirect === 'follow') return Response.redirect(response.url, 302);
  const headers = new Headers(response.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', COEP);
  headers.set('Cross-Origin-Resource-Policy', 'cross-origin');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

// ---------------------------------------------------------------------------------
// The simulated lab.
//
// NO NETWORK: every answer is made here, inside the browser. So there is no per-host
// connection cap either (Chromium's 6 connections per host, HTTP/1.1): 100 fetches in
// flight are 100 at once, which a real server would not see. The counters live in this
// worker and start again from zero whenever the browser stops an idle worker; the
// browser may also end a fetch event that lasts minutes (Chromium: 5), so a `hang` may
// end before HANG_LIMIT_MS with a network error.
// ---------------------------------------------------------------------------------

/** Counts like the lab server's /lab/stats (all of lab/ but stats, reset and census). */
const stats = { served: 0, in_flight: 0, max_in_flight: 0, hanging: 0, given_up: 0, passed_through: 0 };

/** 64 KiB of 'x': every body is slices of it, one chunk at a time. */
const X = new Uint8Array(CHUNK_LEN).fill(0x78);

/**
 * @param {number} status
 * @param {BodyInit | null} body
 * @param {Record<string, string>} [extra]
 */
function answer(status, body, extra = {}) {
  const headers = new Headers({
    'X-Lab-Simulated': '1',
    'Access-Control-Allow-Origin': '*',
    'Cross-Origin-Resource-Policy': 'cross-origin',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': LAB_CSP,
    'Content-Type': 'text/plain; charset=utf-8',
    ...extra,
  });
  // 204, 205 and 304 carry no body: Response refuses one.
  const nullBody = status === 204 || status === 205 || status === 304;
  return new Response(nullBody ? null : body, { status, headers });
}

/** @param {string} why */
const bad = (why) => answer(400, `${why}\n`);

/** @param {unknown} value */
const json = (value) => answer(200, JSON.stringify(value), { 'Content-Type': 'application/json' });

/**
 * A whole number from digits only, or null.
 * @param {string | null} text
 * @param {number} max
 */
function whole(text, max) {
  if (text === null || !/^\d{1,16}$/.test(text)) return null;
  const n = Number(text);
  return n <= max ? n : null;
}

/** Rust's `{:?}` of a string, near enough: quoted, escaped. @param {string} s */
const quoted = (s) => JSON.stringify(s);

/**
 * Resolves true after `ms`, or false as soon as the request is aborted (where the
 * browser passes the page's abort on to `request.signal`).
 * @param {number} ms
 * @param {AbortSignal | undefined} signal
 */
function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const stop = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', stop, { once: true });
  });
}

/** The answer to a request the page has aborted: it never sees it. */
function gaveUp() {
  stats.given_up += 1;
  return answer(499, 'the client gave up\n');
}

/**
 * `n` bytes of 'x', a chunk per pull: never built whole, whatever `n`.
 * @param {number} n
 */
function repeat(n) {
  let left = n;
  return new ReadableStream({
    pull(controller) {
      const len = Math.min(left, CHUNK_LEN);
      controller.enqueue(X.slice(0, len));
      left -= len;
      if (left === 0) controller.close();
    },
  });
}

/**
 * `n` (> 0) bytes spread over `ms`, cut as bodies.rs cuts them: as many pieces as
 * there are 10 ms ticks (no more than bytes, none over a chunk); piece i leaves at
 * ms * (i + 1) / pieces, so the last byte leaves at `ms`.
 * @param {number} n
 * @param {number} ms
 * @param {AbortSignal | undefined} signal
 */
function dripBody(n, ms, signal) {
  const pieces = Math.max(Math.ceil(n / CHUNK_LEN), Math.min(Math.floor(ms / DRIP_TICK_MS), n));
  const end = (/** @type {number} */ i) => Math.floor((n * (i + 1)) / pieces);
  const start = performance.now();
  let i = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  signal?.addEventListener('abort', () => clearTimeout(timer), { once: true });
  return new ReadableStream({
    pull(controller) {
      return new Promise((resolve) => {
        const at = start + (ms * (i + 1)) / pieces;
        timer = setTimeout(() => {
          const from = i === 0 ? 0 : end(i - 1);
          controller.enqueue(X.slice(0, end(i) - from));
          i += 1;
          if (i === pieces) controller.close();
          resolve(undefined);
        }, Math.max(0, at - performance.now()));
      });
    },
    cancel() {
      clearTimeout(timer);
      stats.given_up += 1;
    },
  });
}

/**
 * An octet-stream answer of `n` bytes, its length said up front.
 * @param {number} n
 * @param {ReadableStream | null} body
 */
const octets = (n, body) => answer(200, body, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(n) });

/**
 * The counted endpoints, by their first path segment.
 * @type {Record<string, (args: string[], url: URL, request: Request) => Response | Promise<Response>>}
 */
const endpoints = {
  status([code], url) {
    const n = whole(code, 599);
    if (n === null || n < 200) return bad(`code: expected an HTTP status from 200 to 599, got ${quoted(code)}`);
    /** @type {Record<string, string>} */
    const extra = {};
    const text = url.searchParams.get('retryAfter');
    if (text !== null) {
      const seconds = whole(text, MAX_RETRY_AFTER);
      if (seconds === null) return bad(`retryAfter: expected whole seconds from 0 to ${MAX_RETRY_AFTER}, got ${quoted(text)}`);
      extra['Retry-After'] = String(seconds);
    }
    return answer(n, `status ${n}\n`, extra);
  },

  async delay([text], _url, request) {
    const ms = whole(text, MAX_DELAY_MS);
    if (ms === null) return bad(`ms: expected milliseconds from 0 to ${MAX_DELAY_MS}, got ${quoted(text)}`);
    return (await sleep(ms, request.signal)) ? answer(200, `waited ${ms} ms\n`) : gaveUp();
  },

  bytes([text], _url, request) {
    const n = whole(text, MAX_BYTES);
    if (n === null) return bad(`n: expected a byte count from 0 to ${MAX_BYTES}, got ${quoted(text)}`);
    return octets(n, n === 0 || request.method === 'HEAD' ? null : repeat(n));
  },

  async drip([bytes, msText], _url, request) {
    const n = whole(bytes, MAX_BYTES);
    if (n === null) return bad(`bytes: expected a byte count from 0 to ${MAX_BYTES}, got ${quoted(bytes)}`);
    const ms = whole(msText, MAX_DELAY_MS);
    if (ms === null) return bad(`ms: expected milliseconds from 0 to ${MAX_DELAY_MS}, got ${quoted(msText)}`);
    // An empty body cannot arrive late: the whole answer waits instead.
    if (n === 0) return (await sleep(ms, request.signal)) ? octets(0, null) : gaveUp();
    return octets(n, request.method === 'HEAD' ? null : dripBody(n, ms, request.signal));
  },

  redirect([text]) {
    const n = whole(text, MAX_REDIRECTS);
    if (n === null) return bad(`n: expected a hop count from 0 to ${MAX_REDIRECTS}, got ${quoted(text)}`);
    if (n === 0) return answer(200, 'arrived\n');
    return answer(302, null, { Location: `${scope()}lab/redirect/${n - 1}` });
  },

  'redirect-loop'() {
    return answer(302, null, { Location: `${scope()}lab/redirect-loop` });
  },

  // Never answers until the page gives up (aborts the fetch), or HANG_LIMIT_MS passes.
  async hang(_args, _url, request) {
    stats.hanging += 1;
    try {
      return (await sleep(HANG_LIMIT_MS, request.signal)) ? answer(504, 'nobody gave up\n') : gaveUp();
    } finally {
      stats.hanging -= 1;
    }
  },
};

/**
 * Answers `<scope>lab/...` without the network.
 * @param {Request} request
 */
async function simulate(request) {
  const url = new URL(request.url);
  const path = url.pathname.slice(new URL(scope()).pathname.length + 'lab/'.length);
  let segments;
  try {
    segments = path.split('/').map(decodeURIComponent);
  } catch {
    return bad(`path: not valid percent-encoding: ${quoted(path)}`);
  }
  const [name, ...args] = segments;
  const method = request.method;

  if (path === 'stats' || path === 'reset') {
    if (method !== 'GET' && method !== 'HEAD' && !(path === 'reset' && method === 'POST')) return notAllowed();
    if (path === 'reset') {
      stats.served = 0;
      stats.max_in_flight = stats.in_flight;
    }
    return json({ simulated: true, version: VERSION, coep: COEP, ...stats });
  }
  if (method !== 'GET' && method !== 'HEAD') return notAllowed();
  if (path === 'census/api.php') return census(url);

  const handler = Object.hasOwn(endpoints, name) ? endpoints[name] : null;
  const arity = name === 'drip' ? 2 : name === 'hang' || name === 'redirect-loop' ? 0 : 1;
  if (!handler || args.length !== arity) return answer(404, `no such lab endpoint: ${quoted(path)}\n`);

  // Counted from the request until its head is ready, as the lab server counts.
  stats.in_flight += 1;
  stats.max_in_flight = Math.max(stats.max_in_flight, stats.in_flight);
  try {
    return await handler(args, url, request);
  } finally {
    stats.in_flight -= 1;
    stats.served += 1;
  }
}

const notAllowed = () => answer(405, 'method not allowed\n', { Allow: 'GET, HEAD' });

/** @type {Promise<{pages: {pageid: number, title: string, links: string[]}[]}> | null} */
let fixture = null;

/**
 * The census fixture (www/census-fixture.json, the one the lab server compiles in) in
 * the MediaWiki API's shape, paged with `grnlimit` and `grncontinue` as census.rs pages
 * it. `{a}`..`{f}` become the scope without its trailing slash, so the links point at
 * this simulated lab; `{port}` becomes the port the page was reached on.
 * @param {URL} url
 */
async function census(url) {
  /** @type {Record<string, number | null>} */
  const q = {};
  for (const name of ['grnlimit', 'grncontinue']) {
    const text = url.searchParams.get(name);
    q[name] = text === null ? null : whole(text, Number.MAX_SAFE_INTEGER);
    if (text !== null && q[name] === null) return bad(`${name}: expected a whole number, got ${quoted(text)}`);
  }
  const source = new URL('www/census-fixture.json', scope()).href;
  fixture ??= fetch(source).then((r) => {
    if (!r.ok) throw new Error(`${source} answered ${r.status}`);
    return r.json();
  });
  let pages;
  try {
    pages = (await fixture).pages;
  } catch (e) {
    fixture = null;
    return answer(502, `the census fixture could not be read: ${e.message}\n`);
  }
  const origin = new URL(scope());
  const port = origin.port || (origin.protocol === 'https:' ? '443' : '80');
  const prefix = scope().replace(/\/$/, '');
  /** @param {string} link */
  const expand = (link) => ['a', 'b', 'c', 'd', 'e', 'f'].reduce((out, h) => out.replaceAll(`{${h}}`, prefix), link.replaceAll('{port}', port));

  const from = Math.min(q.grncontinue ?? 0, pages.length);
  const to = Math.min(from + Math.min(Math.max(q.grnlimit ?? 10, 1), 500), pages.length);
  const batch = pages.slice(from, to).map((p) => {
    const links = (p.links ?? []).map((l) => ({ url: expand(l) }));
    return { pageid: p.pageid, ns: 0, title: p.title, ...(links.length ? { extlinks: links } : {}) };
  });
  /** @type {Record<string, unknown>} */
  const body = { batchcomplete: true, query: { pages: batch } };
  if (to < pages.length) body.continue = { grncontinue: String(to), continue: 'grncontinue||' };
  return json(body);
}
