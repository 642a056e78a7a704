// Starts the real lab server and a headless browser: Chromium (Debian's, through
// playwright-core) by default, or Firefox (Debian's firefox-esr, through puppeteer-core over
// WebDriver BiDi) with ENGINE=firefox. Playwright cannot drive a stock Firefox, so the
// Firefox browser is a small stand-in for the part of Playwright's Browser and Page that
// the API-level tests use: newPage/close, and goto, reload, url, evaluate,
// waitForFunction, close, page errors and loads on a page. Tests that need more of
// Playwright (locators, the keyboard, viewport changes, injected scripts, screenshots)
// say so with onlyChromium(reason).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';

/** The browser engine the end-to-end tests run in: ENGINE=chromium (the default) or ENGINE=firefox. */
export const ENGINE = process.env.ENGINE || 'chromium';
if (!['chromium', 'firefox'].includes(ENGINE)) throw new Error(`ENGINE: must be "chromium" or "firefox" (got ${JSON.stringify(ENGINE)})`);

/**
 * Options for a test that needs Playwright's own API (locators, keyboard, viewport
 * changes, injected scripts, screenshots), which the Firefox stand-in does not offer:
 * the test is skipped in Firefox, with the reason given.
 * @param {string} reason why the test cannot run in the Firefox stand-in
 * @returns {{skip: string | false}}
 */
export function onlyChromium(reason) {
  return { skip: ENGINE === 'firefox' && `Chromium only: ${reason}` };
}

export const md5 = (text) => createHash('md5').update(text).digest('hex');

/** Runs target/release/lab-server on a free port; resolves to {url, port, stop()}. */
export async function startServer({ coep = 'require-corp' } = {}) {
  const proc = spawn(`${root}target/release/lab-server`, ['--root', root, '--coep', coep], {
    env: { ...process.env, PORT: '0', ADDR: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const url = await new Promise((resolve, reject) => {
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/http:\/\/localhost:(\d+)\//);
      if (m) resolve(m[0]);
    });
    proc.on('exit', (code) => reject(new Error(`lab-server exited with ${code} before listening`)));
  });
  const port = Number(new URL(url).port);
  return {
    url,
    port,
    async stats() {
      return (await fetch(`http://127.0.0.1:${port}/lab/stats`)).json();
    },
    async reset() {
      return (await fetch(`http://127.0.0.1:${port}/lab/reset`)).json();
    },
    async stop() {
      proc.kill('SIGTERM');
      await once(proc, 'exit');
    },
  };
}

/**
 * The browser for ENGINE. For Firefox, a stand-in with the subset of Playwright's
 * Browser described at the top of this file, typed as a Browser for the tests' sake.
 * `firefoxPrefs` are set in the Firefox profile (for what Playwright sets per context
 * in Chromium, such as blocked service workers); Chromium ignores them.
 * @param {{firefoxPrefs?: Record<string, unknown>}} [opts]
 * @returns {Promise<import('playwright-core').Browser>}
 */
export async function launch({ firefoxPrefs = {} } = {}) {
  if (ENGINE === 'firefox') return /** @type {any} */ (await launchFirefox(firefoxPrefs));
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/**
 * A fresh page on the lab, with window.lab ready. Page errors fail the test that reads
 * them. `bypassCSP` lets a test inject a checker (axe-core) past the page's own
 * Content-Security-Policy, which runs no inline script.
 * @param {import('playwright-core').Browser} browser
 * @param {string} url
 * @param {{bypassCSP?: boolean}} [opts]
 */
export async function openLab(browser, url, { bypassCSP = false } = {}) {
  const page = /** @type {import('playwright-core').Page & {errors: string[]}} */ (await browser.newPage({ viewport: { width: 1280, height: 1000 }, bypassCSP }));
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.goto(url);
  // puppeteer's goto can resolve before the page's module has set window.lab.
  if (ENGINE === 'firefox') await page.waitForFunction(() => typeof window.lab === 'object', null, { timeout: 30000 });
  await page.evaluate(() => window.lab.ready);
  return page;
}

/**
 * The dedicated workers alive in a Chromium browser (the link worker, the engine, its
 * pool), counted over the DevTools protocol, which only Chromium offers: `live()` now,
 * and `settleAt(want)`, which polls until the count is `want` (a terminated worker takes
 * a moment to go) or `ms` have passed, and returns the last count.
 * @param {import('playwright-core').Browser} browser
 */
export async function workerCounter(browser) {
  const cdp = await browser.newBrowserCDPSession();
  const live = async () => (await cdp.send('Target.getTargets')).targetInfos.filter((t) => t.type === 'worker').length;
  /** @param {number} want @param {number} [ms] */
  async function settleAt(want, ms = 8000) {
    const end = Date.now() + ms;
    let n;
    while ((n = await live()) !== want && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    return n;
  }
  return { live, settleAt };
}

/** Calls a lab method in the page; resolves to {value} or {error: message}. */
export function call(page, method, opts) {
  return page.evaluate(([m, o]) => window.lab[m](o).then((value) => ({ value }), (e) => ({ error: e.message, isError: e instanceof Error })), [method, opts]);
}

/**
 * One lab server, one browser and one page for a test file: registers the hooks and
 * returns an object whose fields are set once `ready` resolves.
 */
export function useLab() {
  let up;
  const ctx = { ready: new Promise((resolve) => { up = resolve; }) };
  before(async () => {
    ctx.server = await startServer();
    ctx.browser = await launch();
    ctx.page = await openLab(ctx.browser, ctx.server.url);
    up();
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.server?.stop();
  });
  return ctx;
}

/**
 * Firefox through puppeteer-core (WebDriver BiDi; no browser download). Each page gets
 * its own browser context, as Playwright's browser.newPage does, and closing the page
 * closes it.
 */
async function launchFirefox(prefs = {}) {
  const { default: puppeteer } = await import('puppeteer-core');
  // Evaluations may run for minutes (a sweep, 10,000 fetches): no 3-minute cut-off.
  const browser = await puppeteer.launch({
    browser: 'firefox', executablePath: FIREFOX, headless: true, protocolTimeout: 15 * 60_000, extraPrefsFirefox: prefs,
  });
  return {
    /** @param {{viewport?: {width: number, height: number}, bypassCSP?: boolean}} [opts] */
    async newPage({ viewport = { width: 1280, height: 720 }, bypassCSP = false } = {}) {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      await page.setViewport(viewport);
      // bypassCSP is a CDP command puppeteer does not offer over BiDi; tests that inject
      // scripts past the page's CSP are Chromium only. page.evaluate is not bound by it.
      void bypassCSP;
      return {
        /** @param {string} url */
        async goto(url) {
          return page.goto(url);
        },
        async reload() {
          return page.reload();
        },
        url: () => page.url(),
        /** Playwright's evaluate: one serialisable argument. @param {Function} fn @param {unknown} [arg] */
        evaluate(fn, arg) {
          return page.evaluate(/** @type {any} */ (fn), arg);
        },
        /**
         * Playwright's order (fn, arg, options); puppeteer's is (fn, options, ...args).
         * Resolves when fn returns a truthy value, or a promise of one.
         * @param {Function} fn @param {unknown} [arg] @param {{timeout?: number, polling?: number | 'raf'}} [opts]
         */
        waitForFunction(fn, arg, { timeout = 30000, polling = 50 } = {}) {
          return page.waitForFunction(/** @type {any} */ (fn), { timeout, polling }, arg);
        },
        /**
         * 'load' (the main frame's load event), or 'pageerror' (an uncaught error in the
         * page) with the Error's message as Playwright gives it.
         * @param {string} event @param {(e: any) => void} handler
         */
        on(event, handler) {
          if (event === 'load') {
            page.on('load', () => handler(undefined));
            return this;
          }
          if (event !== 'pageerror') throw new Error(`the Firefox stand-in has no '${event}' event`);
          page.on('pageerror', (/** @type {any} */ e) => {
            // Over BiDi puppeteer makes a plain Error whose message is the whole log line,
            // "TypeError: x is null"; Playwright's has name TypeError and message "x is null".
            const text = e instanceof Error ? e.message : String(e);
            const m = text.match(/^(\w*(?:Error|Exception)): ([^]*)$/);
            handler(Object.assign(new Error(m ? m[2] : text), { name: m ? m[1] : 'Error', stack: e?.stack }));
          });
          return this;
        },
        async close() {
          await context.close();
        },
      };
    },
    async close() {
      await browser.close();
    },
    version: () => browser.version(),
  };
}
