// Starts the real lab server and headless Chromium (Debian's, through playwright-core).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

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

export async function launch() {
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
  await page.evaluate(() => window.lab.ready);
  return page;
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
