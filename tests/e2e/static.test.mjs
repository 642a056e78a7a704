// The page from a plain static host (python3 -m http.server: no COOP/COEP, no lab
// server) under a sub-path, in headless Chromium or (ENGINE=firefox) Firefox: the
// service worker (sw.js) isolates the page and simulates the lab; with service workers
// blocked the page says why it is not isolated and runs the single-thread build; on the
// lab server no service worker is registered at all. The page is read through
// evaluate only, so the same tests run in both engines.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readdir, symlink, rm, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENGINE, launch, md5, startServer } from './harness.mjs';

const repo = fileURLToPath(new URL('../..', import.meta.url));
// What a teacher publishes: `make dist`'s folder (make test-e2e builds it first).
const root = join(repo, 'dist');
const SUB_PATH = '/course/concurrency-lab/';

/**
 * `python3 -m http.server` on a free loopback port, serving a temporary directory in
 * which `course/concurrency-lab` is a symlink to the repository: the page is then at
 * `http://127.0.0.1:PORT/course/concurrency-lab/`, with no special header at all.
 */
async function startStatic() {
  if (!existsSync(join(root, 'index.html'))) throw new Error('dist/ is not built: run make dist');
  const dir = await mkdtemp(join(tmpdir(), 'lab-static-'));
  await mkdir(join(dir, 'course'));
  await symlink(root, join(dir, 'course', 'concurrency-lab'), 'dir');
  // `broken/`: the same page (every file of the repository's root linked, so pkg/, the
  // single-thread build and whatever comes next are there) with a service worker that
  // adds no COEP, so it cannot isolate.
  await mkdir(join(dir, 'broken'));
  for (const f of await readdir(root)) if (f !== 'sw.js') await symlink(join(root, f), join(dir, 'broken', f));
  const sw = await readFile(join(root, 'sw.js'), 'utf8');
  const noCoep = sw.replace("headers.set('Cross-Origin-Embedder-Policy', COEP);", '');
  if (noCoep === sw) throw new Error('sw.js no longer sets COEP as this test expects: update the test');
  await writeFile(join(dir, 'broken', 'sw.js'), noCoep);
  const proc = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', dir], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  const port = await new Promise((resolve, reject) => {
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/port (\d+)/);
      if (m) resolve(Number(m[1]));
    });
    proc.on('exit', (code) => reject(new Error(`http.server exited with ${code} before listening: ${out}`)));
  });
  return {
    port,
    url: `http://127.0.0.1:${port}${SUB_PATH}`,
    async stop() {
      proc.kill('SIGTERM');
      await once(proc, 'exit');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Evaluates `fn` in the page until it returns something truthy, through reloads (an
 * evaluation cut short by a navigation is retried).
 * @template T
 * @param {import('playwright-core').Page} page
 * @param {() => T | Promise<T>} fn
 * @param {number} [timeoutMs]
 * @returns {Promise<T>}
 */
async function until(page, fn, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      const v = await page.evaluate(fn);
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${fn}${last ? `: ${last.message}` : ''}`);
}

/**
 * A new page in its own context that counts its main-frame loads and collects errors.
 * Blocked service workers are a context option in Playwright; Firefox has them as a
 * profile preference, so there the page opens in a second Firefox launched with it.
 * @param {import('playwright-core').Browser} browser
 * @param {{serviceWorkers?: 'allow' | 'block'}} [options]
 */
async function newPage(browser, { serviceWorkers = 'allow' } = {}) {
  const viewport = { width: 1280, height: 1000 };
  let page, close;
  if (ENGINE === 'firefox') {
    const b = serviceWorkers === 'block' ? await noServiceWorkers() : browser;
    page = await b.newPage({ viewport });
    close = () => page.close();
  } else {
    const context = await browser.newContext({ viewport, serviceWorkers });
    page = await context.newPage();
    close = () => context.close();
  }
  const loads = [];
  const errors = [];
  page.on('load', () => loads.push(page.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  return { context: { close }, page, loads, errors };
}

/** @type {Promise<import('playwright-core').Browser> | null} Firefox with service workers off, for the blocked cases. */
let blocked = null;
function noServiceWorkers() {
  blocked ??= launch({ firefoxPrefs: { 'dom.serviceWorkers.enabled': false } });
  return blocked;
}

/**
 * What the page shows of an element: its text, an attribute, a form value, whether it
 * is rendered, read in the page (no Playwright locators, so Firefox runs it too).
 * @param {import('playwright-core').Page} page
 * @param {string} selector
 */
function element(page, selector) {
  return page.evaluate((sel) => {
    const el = /** @type {HTMLElement & {value?: string, disabled?: boolean}} */ (document.querySelector(sel));
    if (!el) return null;
    const attrs = Object.fromEntries([...el.attributes].map((a) => [a.name, a.value]));
    return { text: el.textContent, innerText: el.innerText, attrs, value: el.value ?? null, disabled: el.disabled ?? null, visible: el.checkVisibility() };
  }, selector);
}

/** Waits for window.lab to exist and be ready (after any reload). */
async function labReady(page) {
  await until(page, () => typeof window.lab === 'object');
  await page.evaluate(() => window.lab.ready);
  // showEnvironment() runs once `ready` has resolved; wait for its note.
  await until(page, () => document.querySelector('#env .isolation') !== null);
}


let browser, site;

before(async () => {
  site = await startStatic();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await (await blocked)?.close();
  await site?.stop();
});

// ------------------------------------------------------------- isolated by the worker

/** @type {Promise<Awaited<ReturnType<typeof newPage>>> | null} */
let swPage = null;
/** The page on the static host, under the service worker: opened once, shared by the tests below. */
function underWorker() {
  swPage ??= (async () => {
    const p = await newPage(browser);
    await p.page.goto(site.url);
    await labReady(p.page);
    return p;
  })();
  return swPage;
}

test('(a) on a static host under a sub-path the service worker isolates the page after one reload', async () => {
  // The host itself sends no isolation header, and has no lab: it answers 404 there.
  const direct = await fetch(site.url);
  assert.equal(direct.status, 200);
  assert.equal(direct.headers.get('cross-origin-embedder-policy'), null);
  assert.equal((await fetch(`${site.url}lab/status/200`)).status, 404, 'the static host has no lab');

  const { page, loads, errors } = await underWorker();
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
  assert.equal(loads.length, 2, `one load, then exactly one reload: ${loads.join(', ')}`);
  assert.equal(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL), `${site.url}sw.js`);
  assert.equal(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.scope), site.url);

  const info = await page.evaluate(() => window.lab.info());
  assert.equal(info.crossOriginIsolated, true);
  assert.equal(info.threads, true);

  const span = await element(page, '#env .isolation');
  assert.equal(span.attrs['data-mode'], 'service-worker');
  assert.match(span.text, /isolated by a service worker: this host sends no COOP\/COEP headers/);
  assert.equal((await element(page, '#no-threads')).visible, false, 'no warning on an isolated page');

  // Files in the scope come back with the headers the host did not send.
  const h = await page.evaluate(async () => Object.fromEntries((await fetch('www/main.js')).headers));
  assert.equal(h['cross-origin-opener-policy'], 'same-origin');
  assert.equal(h['cross-origin-embedder-policy'], 'credentialless', 'Chromium and Firefox get credentialless');
  assert.equal(h['cross-origin-resource-policy'], 'cross-origin');

  // The isolation module says the same, and a plain reload stays isolated with no extra reload.
  assert.deepEqual(await page.evaluate(async (src) => (await import(src)).isolate(), `${site.url}www/isolation.js`), {
    mode: 'service-worker',
    note: span.text,
  });
  await page.reload();
  await labReady(page);
  assert.equal(loads.length, 3, 'a reload under the worker needs no second one');
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
  assert.deepEqual(errors, []);
});

test('(b) wasm threads run under the worker: 2-worker coins are real and equal the 1-worker run', async () => {
  const { page } = await underWorker();
  const range = { start: 0, count: 2097152 };
  const run = (workers) => page.evaluate((o) => window.lab.mine(o), { ...range, workers });
  const two = await run(2);
  const one = await run(1);
  assert.equal(two.workers, 2);
  assert.equal(two.hashes, 2097152, 'the whole range was hashed');
  assert.equal(one.hashes, 2097152);
  assert.ok(two.coins.length > 0, 'this range holds coins');
  for (const c of two.coins) {
    assert.equal(md5(c.text), c.md5, c.text);
    assert.match(c.md5, /00000$/);
  }
  assert.deepEqual(two.coins.map((c) => c.text).sort(), one.coins.map((c) => c.text).sort());
  threadsCoins = two.coins.map((c) => c.text).sort();
});

/** The coins of 0..2^21 in the threads build, for the single-thread build to match. */
let threadsCoins = null;

test('(e) with service workers blocked the single-thread build mines the same coins; workers: 2 is refused with the reason', async () => {
  const { context, page, errors } = await newPage(browser, { serviceWorkers: 'block' });
  try {
    await page.goto(site.url);
    await labReady(page);
    const info = await page.evaluate(() => window.lab.info());
    assert.deepEqual([info.build, info.threads, info.crossOriginIsolated], ['single', false, false]);
    const one = await page.evaluate(() => window.lab.mine({ workers: 1, start: 0, count: 2097152 }));
    assert.equal(one.hashes, 2097152);
    for (const c of one.coins) assert.equal(md5(c.text), c.md5);
    assert.ok(threadsCoins, 'test (b) ran first');
    assert.deepEqual(one.coins.map((c) => c.text).sort(), threadsCoins, 'the same coins as the threads build');
    const primes = await page.evaluate(() => window.lab.primes({ workers: 1, numbers: ['561', '1000000007', '18446744073709551557'] }));
    assert.deepEqual(primes.results.map((r) => r.prime), [false, true, true]);
    const refused = await page.evaluate(() => window.lab.mine({ workers: 2, count: 1024 }).then(() => 'ran', (e) => `${e instanceof Error}: ${e.message}`));
    assert.match(refused, /^true: workers: this page cannot run threads, so it runs the single-thread build on 1 worker \(asked for 2\): the page is not cross-origin isolated/);
    const slider = await element(page, '#mine-workers');
    assert.deepEqual([slider.value, slider.attrs.max, slider.disabled], ['1', '1', true]);
    assert.match((await element(page, '#no-threads')).innerText, /single-thread build/);
    // The GIL lesson's coroutines need one thread: they run here too.
    const coroutines = await page.evaluate(() => window.lab.gil({ mode: 'async', threads: 2, n: 100000 }));
    assert.equal(coroutines.threads.length, 2);
    assert.equal(coroutines.stopped, false);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('(f) opened from file:// the page explains why it cannot run and the two ways that work', async () => {
  const { context, page } = await newPage(browser);
  try {
    await page.goto(`file://${join(root, 'index.html')}`);
    await until(page, () => document.querySelector('#boot')?.textContent.includes('opened from a file'), 10000);
    const boot = await element(page, '#boot');
    assert.match(boot.innerText, /browsers do not load a page.s Web Workers or WebAssembly from files/);
    assert.match(boot.innerText, /make serve/);
    assert.match(boot.innerText, /make dist/);
    assert.equal(boot.visible, true);
  } finally {
    await context.close();
  }
});

// ------------------------------------------------------------------- the simulated lab

test('(c) the simulated lab answers every endpoint in the page, with no network', async () => {
  const { page } = await underWorker();
  const base = site.url;
  const r = await page.evaluate(async (b) => {
    const get = async (path, init) => {
      const t0 = performance.now();
      const res = await fetch(b + path, init);
      const body = init?.method === 'HEAD' ? '' : await res.text();
      return {
        status: res.status, body, bytes: body.length, ms: performance.now() - t0, redirected: res.redirected, url: res.url,
        simulated: res.headers.get('x-lab-simulated'), retryAfter: res.headers.get('retry-after'), length: res.headers.get('content-length'),
      };
    };
    return {
      ok: await get('lab/status/200'),
      missing: await get('lab/status/404'),
      none: await get('lab/status/204'),
      later: await get('lab/status/429?retryAfter=7'),
      delay: await get('lab/delay/300'),
      bytes: await get('lab/bytes/200000'),
      head: await get('lab/bytes/5000', { method: 'HEAD' }),
      empty: await get('lab/bytes/0'),
      drip: await get('lab/drip/3000/400'),
      redirect: await get('lab/redirect/2'),
      loop: await fetch(b + 'lab/redirect-loop').then(() => 'answered', (e) => e.name),
      badCode: await get('lab/status/abc'),
      badHigh: await get('lab/status/600'),
      badRetry: await get('lab/status/503?retryAfter=3601'),
      badDelay: await get('lab/delay/600001'),
      badBytes: await get('lab/bytes/67108865'),
      badDrip: await get('lab/drip/10/x'),
      badHops: await get('lab/redirect/101'),
      unknown: await get('lab/nope'),
      stats: await (await fetch(b + 'lab/stats')).json(),
    };
  }, base);

  for (const [name, x] of Object.entries(r)) if (x && typeof x === 'object' && 'simulated' in x && name !== 'stats') assert.equal(x.simulated, '1', name);
  assert.deepEqual([r.ok.status, r.ok.body], [200, 'status 200\n']);
  assert.equal(r.missing.status, 404);
  assert.deepEqual([r.none.status, r.none.body], [204, '']);
  assert.deepEqual([r.later.status, r.later.retryAfter], [429, '7']);
  assert.ok(r.delay.ms >= 300, `delay/300 took ${r.delay.ms} ms`);
  assert.equal(r.delay.body, 'waited 300 ms\n');
  assert.equal(r.bytes.bytes, 200000);
  assert.equal(r.bytes.body, 'x'.repeat(200000));
  assert.equal(r.bytes.length, '200000');
  assert.deepEqual([r.head.status, r.head.length], [200, '5000']);
  assert.deepEqual([r.empty.status, r.empty.bytes], [200, 0]);
  assert.equal(r.drip.bytes, 3000);
  assert.ok(r.drip.ms >= 400, `drip over 400 ms took ${r.drip.ms} ms`);
  assert.deepEqual([r.redirect.status, r.redirect.body, r.redirect.redirected, r.redirect.url], [200, 'arrived\n', true, `${base}lab/redirect/0`]);
  assert.equal(r.loop, 'TypeError', 'a redirect loop ends in a network error');
  const bad = { badCode: /^code: /, badHigh: /^code: /, badRetry: /^retryAfter: /, badDelay: /^ms: /, badBytes: /^n: /, badDrip: /^ms: /, badHops: /^n: / };
  for (const [name, re] of Object.entries(bad)) {
    assert.equal(r[name].status, 400, name);
    assert.match(r[name].body, re, name);
  }
  assert.equal(r.unknown.status, 404);
  assert.equal(r.stats.simulated, true);
  assert.ok(r.stats.served >= 18, `served ${r.stats.served}`);
  assert.equal(r.stats.in_flight, 0);
});

test('(c) lab.links against the simulated lab: each class gets its outcome', async () => {
  const { page } = await underWorker();
  const base = site.url;
  const paths = ['status/200', 'status/404', 'delay/300', 'bytes/100000', 'redirect/2', 'hang', 'status/429?retryAfter=1', 'drip/1000/3000', 'redirect-loop'];
  const urls = paths.map((p) => `${base}lab/${p}`);
  const t0 = Date.now();
  const { results } = await page.evaluate((o) => window.lab.links(o), { urls, timeoutMs: 500, retries: 1, concurrency: 10 });
  const took = Date.now() - t0;
  const [ok, missing, delay, bytes, redirect, hang, later, drip, loop] = results;
  assert.deepEqual([ok.class, ok.verdict, ok.status, ok.opaque, ok.error], ['2xx', 'ok', 200, false, null]);
  assert.deepEqual([missing.class, missing.verdict, missing.status], ['4xx', 'broken', 404]);
  assert.deepEqual([delay.class, delay.status], ['2xx', 200]);
  assert.ok(delay.ms >= 300, `delay/300 took ${delay.ms} ms`);
  assert.deepEqual([bytes.status, bytes.bytes], [200, 100000], 'the body is counted exactly');
  assert.deepEqual([redirect.status, redirect.redirected], [200, true]);
  assert.deepEqual([hang.class, hang.error, hang.status], ['timeout', 'timeout', null]);
  assert.equal(later.status, 429);
  assert.equal(later.attempts, 2);
  assert.ok(later.waitedMs >= 1000, `Retry-After: 1 was waited (${later.waitedMs} ms)`);
  assert.deepEqual([drip.class, drip.error], ['timeout', 'timeout'], 'a body slower than the timeout times out');
  assert.equal(loop.class, 'redirects', 'a redirect loop never arrives');
  assert.ok(took < 5000, `the whole check took ${took} ms: hang and drip were cut at the timeout`);
  // The hang and the drip were given up on. The drip's body was cancelled; the hangs
  // stay counted only where the browser does not pass the abort on to the worker
  // (Chromium 156 does not), and then nothing else may stay in flight.
  const stats = await until(page, async () => {
    const s = await (await fetch('lab/stats')).json();
    return s.in_flight === s.hanging && s;
  }, 5000);
  assert.ok([0, 2].includes(stats.hanging), `hangs still waiting: ${stats.hanging} (two attempts, or none)`);
  assert.ok(stats.given_up >= 2, `the timed-out drips were cancelled: given_up ${stats.given_up}`);
  assert.ok(stats.max_in_flight >= 2, 'requests ran at once');
});

test('(c) the simulated census pages the fixture, its links under the sub-path', async () => {
  const { page } = await underWorker();
  const base = site.url;
  const fixture = JSON.parse(await readFile(join(repo, 'www/census-fixture.json'), 'utf8'));
  const expand = (l) => ['a', 'b', 'c', 'd', 'e', 'f'].reduce((s, h) => s.replaceAll(`{${h}}`, base.slice(0, -1)), l.replaceAll('{port}', String(site.port)));
  const want = fixture.pages.map((p) => ({ pageid: p.pageid, ns: 0, title: p.title, ...(p.links.length ? { extlinks: p.links.map((url) => ({ url: expand(url) })) } : {}) }));
  const api = `${base}lab/census/api.php?action=query&generator=random&grnnamespace=0&prop=extlinks&ellimit=max&format=json&formatversion=2&origin=*`;
  const get = (q) => page.evaluate(async (u) => {
    const res = await fetch(u);
    return { status: res.status, simulated: res.headers.get('x-lab-simulated'), body: res.ok ? await res.json() : await res.text() };
  }, api + q);

  const first = await get('&grnlimit=3');
  assert.equal(first.status, 200);
  assert.equal(first.simulated, '1');
  assert.deepEqual(first.body.query.pages, want.slice(0, 3));
  assert.equal(first.body.continue.grncontinue, '3');
  assert.equal(first.body.query.pages[0].extlinks[0].url, `${base}lab/status/200`);
  const rest = await get(`&grnlimit=500&grncontinue=${first.body.continue.grncontinue}`);
  assert.deepEqual(rest.body.query.pages, want.slice(3));
  assert.equal(rest.body.continue, undefined, 'the last batch has no continue');
  assert.ok(rest.body.query.pages.some((p) => (p.extlinks ?? []).some((l) => l.url === `//e.localhost:${site.port}/lab/status/200`)), '{port} is the page\'s port');
  assert.equal((await get('')).body.query.pages.length, 10, 'ten pages by default');
  const bad = await get('&grnlimit=many');
  assert.equal(bad.status, 400);
  assert.match(bad.body, /^grnlimit: /);
  // And the links the census hands out are answered by the same simulated lab.
  const { results } = await page.evaluate((o) => window.lab.links(o), { urls: want[0].extlinks.map((l) => l.url), timeoutMs: 5000 });
  assert.deepEqual(results.map((x) => x.status), [200, 404, 200]);
});

test('(c) the page uses the simulated lab: its lists, the census and the loop lab, with no lab server', async () => {
  const { page } = await underWorker();
  const ep = await page.evaluate(() => window.lab.endpoints);
  assert.deepEqual([ep.kind, ep.base], ['simulated', `${site.url}lab/`]);
  const urls = await page.evaluate(() => [...window.lab.labLinks('lab'), ...window.lab.labLinks('errors')]);
  for (const u of urls) if (!u.startsWith('ftp:') && !u.includes(':47/')) assert.ok(u.startsWith(`${site.url}lab/`), u);
  const r = await page.evaluate((o) => window.lab.links(o), { urls, timeoutMs: 1500, concurrency: 30 });
  const by = Object.fromEntries(r.results.map((x) => [x.url.replace(site.url, ''), x]));
  assert.deepEqual([by['lab/status/200'].verdict, by['lab/status/404'].verdict, by['lab/status/301'].verdict], ['ok', 'broken', 'redirect']);
  assert.equal(by['lab/bytes/1048576'].bytes, 1048576);
  assert.equal(by['lab/redirect/10'].redirected, true);
  assert.equal(by['lab/hang'].error, 'timeout');
  assert.equal(by['lab/redirect-loop'].error, 'redirects');
  assert.equal(by['lab/redirect/25'].error, 'redirects');
  // The census over the simulated fixture: its pages and lists as on the lab server.
  const c = await page.evaluate(() => window.lab.census({ pages: 10, timeoutMs: 1000, concurrency: 20 }).then((x) => ({
    api: x.api, pages: x.pages.length, links: x.links, urls: x.list.urls.length, verdicts: x.check.results.map((y) => y.verdict),
  })));
  assert.equal(c.api, `${site.url}lab/census/api.php`);
  // The fixture's hosts a..f are one origin here, so more of its links fold as
  // duplicates than on the lab server (21 there).
  assert.deepEqual([c.pages, c.links, c.urls], [10, 24, 18]);
  assert.equal(c.verdicts.length, 18);
  assert.ok(c.verdicts.includes('ok') && c.verdicts.includes('broken'));
  // The event-loop lab's aiohttp-style fetches reach the simulated /lab/delay.
  const g = await page.evaluate(() => window.lab.loop({ scenario: 'aiohttp' }));
  assert.ok(g.spans.length > 1);
});

test('labEndpoints() finds the simulated lab beside the page', async () => {
  const e = await (await underWorker()).page.evaluate(async (src) => (await import(src)).labEndpoints(), `${site.url}www/isolation.js`);
  assert.equal(e.kind, 'simulated');
  assert.equal(e.base, `${site.url}lab/`);
  assert.match(e.note, /no network/);
});

test('screenshots of the note at 1280 and 390 px', { skip: !process.env.SCREENSHOTS || (ENGINE === 'firefox' && 'screenshots are taken in Chromium') }, async () => {
  const { page } = await underWorker();
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 700 });
    await page.screenshot({ path: join(process.env.SCREENSHOTS, `static-sw-${width}.png`) });
  }
  await page.setViewportSize({ width: 1280, height: 1000 });
});

// ---------------------------------------------------------------- when isolation fails

test('(a) a service worker that cannot isolate: one reload, then the page gives up and says why', async () => {
  const { context, page, loads, errors } = await newPage(browser);
  const url = `http://127.0.0.1:${site.port}/broken/`;
  try {
    await page.goto(url);
    await labReady(page);
    // Give a wrongly repeated reload the time to show itself.
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(loads.length, 2, `one reload and no more: ${loads.join(', ')}`);
    assert.equal(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL), `${url}sw.js`);
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
    const span = await element(page, '#env .isolation');
    assert.equal(span.attrs['data-mode'], 'unavailable');
    assert.match(span.text, /^not isolated: this host sends no COOP\/COEP headers; the service worker that adds them is running, but this browser did not isolate the page/);
    assert.equal((await page.evaluate(() => window.lab.info())).threads, false);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});


test('(d) with service workers blocked the page is not isolated and says why', async () => {
  const { context, page, loads, errors } = await newPage(browser, { serviceWorkers: 'block' });
  try {
    await page.goto(site.url);
    await labReady(page);
    const result = await page.evaluate(async (src) => (await import(src)).isolate(), `${site.url}www/isolation.js`);
    assert.equal(result.mode, 'unavailable');
    // Chromium (blocked per context) has the API and refuses the registration; Firefox
    // with service workers off in its preferences has no navigator.serviceWorker at all.
    const why = ENGINE === 'firefox'
      ? /^not isolated: this host sends no COOP\/COEP headers, and this browser offers no service worker to add them /
      : /^not isolated: this host sends no COOP\/COEP headers, and the browser refused the service worker that would add them \(private windows, /;
    assert.match(result.note, why);
    const span = await element(page, '#env .isolation');
    assert.equal(span.attrs['data-mode'], 'unavailable');
    assert.equal(span.text, result.note);
    const info = await page.evaluate(() => window.lab.info());
    assert.equal(info.crossOriginIsolated, false);
    assert.equal(info.threads, false);
    assert.equal((await element(page, '#no-threads')).visible, true, 'the CPU panels are marked off');
    assert.equal(await page.evaluate(() => navigator.serviceWorker?.controller ?? null), null);
    assert.equal(loads.length, 1, 'no reload was tried');
    const e = await page.evaluate(async (src) => (await import(src)).labEndpoints(), `${site.url}www/isolation.js`);
    assert.deepEqual([e.kind, e.base], ['none', '']);
    if (process.env.SCREENSHOTS && ENGINE === 'chromium') {
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 700 });
        await page.screenshot({ path: join(process.env.SCREENSHOTS, `static-blocked-${width}.png`) });
      }
    }
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

// ---------------------------------------------------------------------- the lab server

test('on the lab server the headers isolate the page and no service worker is registered', async () => {
  const server = await startServer();
  const { context, page, loads, errors } = await newPage(browser);
  try {
    await page.goto(server.url);
    await labReady(page);
    assert.equal((await element(page, '#env .isolation')).attrs['data-mode'], 'headers');
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
    assert.equal(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length), 0);
    assert.equal(await page.evaluate(() => navigator.serviceWorker.controller), null);
    assert.equal(loads.length, 1);
    const e = await page.evaluate(async (src) => (await import(src)).labEndpoints(), `${server.url}www/isolation.js`);
    assert.deepEqual([e.kind, e.base], ['server', `${new URL(server.url).origin}/lab/`]);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await server.stop();
  }
});
