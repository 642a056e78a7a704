// The visible page, driven as a user would: sliders, Run, Stop, the result tables.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { startServer, openLab, md5, useLab, onlyChromium } from './harness.mjs';

const session = useLab();
let server, browser, page;
const shots = new URL('../../test-results/', import.meta.url).pathname;

before(async () => {
  mkdirSync(shots, { recursive: true });
  await session.ready;
  ({ server, browser, page } = session);
});

test('the environment line says the page is isolated', onlyChromium('reads the page through Playwright locators'), async () => {
  const env = await page.locator('#env').innerText();
  assert.match(env, /cross-origin isolated: yes/);
  assert.match(env, /wasm threads: yes/);
  assert.equal(await page.locator('#no-threads').isVisible(), false);
});

test('mining panel: slider, Run, coins with their md5', onlyChromium('drives the page through Playwright locators and takes a screenshot'), async () => {
  await page.locator('#mine-workers').fill('2');
  assert.equal(await page.locator('#mine-workers + input[type=number]').inputValue(), '2', 'the number box follows the slider');
  await page.locator('#mine-workers + input[type=number]').fill('5');
  assert.equal(await page.locator('#mine-workers').inputValue(), '5', 'and the slider follows the box');
  await page.locator('#mine-workers').fill('2');
  await page.locator('#mine-count').fill('2500000');
  await page.locator('#mine-run').click();
  await page.locator('#mine-summary', { hasText: 'hashes in' }).waitFor();
  const summary = await page.locator('#mine-summary').innerText();
  assert.match(summary, /2,500,000 hashes in/);
  assert.match(summary, /on 2 workers/);
  const rows = page.locator('#mine-coins-list tbody tr');
  assert.equal(await rows.count(), 4, 'nonces 0..2.5M hold four coins');
  for (let i = 0; i < 4; i++) {
    const [nonce, text, hash] = await rows.nth(i).locator('td').allInnerTexts();
    assert.equal(md5(text), hash);
    assert.equal(text, nonce.padStart(50, '0'));
  }
  await page.screenshot({ path: `${shots}mining.png`, fullPage: true });
});

test('mining panel: runs repeated at the same settings state their median and range; other settings start anew', onlyChromium('drives the page through Playwright locators'), async () => {
  await page.locator('#mine-workers').fill('2');
  await page.locator('#mine-count').fill('3000000');
  const summary = page.locator('#mine-summary');
  /** The rate the summary gives for the run it describes. */
  const rateOf = async () => (await summary.innerText()).match(/= ([\d.]+) M hashes\/s on/)?.[1];
  await page.locator('#mine-run').click();
  await summary.filter({ hasText: /3,000,000 hashes in[\s\S]*One run: press Run again/ }).waitFor();
  const rates = [await rateOf()];
  for (const k of [2, 3]) {
    await page.locator('#mine-run').click();
    await summary.filter({ hasText: `${k} runs at these settings` }).waitFor();
    rates.push(await rateOf());
  }
  const sorted = rates.map(Number).sort((a, b) => a - b);
  const text = await summary.innerText();
  const m = text.match(/3 runs at these settings on this page: median rate ([\d.]+) M hashes\/s \(([\d.]+)–([\d.]+), ±(\d+)%\)/);
  assert.ok(m, text);
  assert.deepEqual(m.slice(1, 4).map(Number), [sorted[1], sorted[0], sorted[2]], `median, min, max of ${rates}`);
  const pm = (100 * Math.max(sorted[2] - sorted[1], sorted[1] - sorted[0])) / sorted[1];
  assert.ok(Math.abs(Number(m[4]) - pm) <= 1, `±${m[4]}% against ${pm.toFixed(1)}% from the three rates`);
  // Another pool size is another measurement: its runs are counted from one.
  await page.locator('#mine-workers').fill('1');
  await page.locator('#mine-run').click();
  await summary.filter({ hasText: /on 1 worker [\s\S]*One run: press Run again/ }).waitFor();
});

test('mining panel: a run with more coins than the table lists shows the first ones, and its CSV has every coin', onlyChromium('drives the page through Playwright locators'), async () => {
  const listed = await page.evaluate(() => lab.contract.layout.coinSlotCount);
  await page.locator('#mine-workers').fill('2');
  await page.locator('#mine-count').fill('400000000');
  await page.locator('#mine-run').click();
  const summary = page.locator('#mine-summary');
  await summary.filter({ hasText: '400,000,000 hashes in' }).waitFor({ timeout: 180000 });
  const said = (await summary.innerText()).match(/(\d+) coins \(the table lists the first (\d+); Coins \(CSV\) has them all\)/);
  assert.ok(said, await summary.innerText());
  const coins = Number(said[1]);
  assert.equal(Number(said[2]), listed);
  assert.ok(coins > listed, `nonces 0..4e8 hold more than ${listed} coins (${coins})`);
  const rows = page.locator('#mine-coins-list tbody tr');
  assert.equal(await rows.count(), listed, 'the table holds what the live view can');
  const csvLink = page.locator('#mine-coins-csv:not([hidden])');
  await csvLink.waitFor();
  assert.match(await csvLink.getAttribute('download') ?? '', /^coins-2-workers\.csv$/);
  const csv = await csvLink.evaluate((a) => fetch(/** @type {HTMLAnchorElement} */ (a).href).then((r) => r.text()));
  const [header, ...lines] = csv.trim().split('\n');
  assert.equal(header, 'nonce,text,md5,worker');
  assert.equal(lines.length, coins, 'every coin of the run, not only those listed');
  let previous = -1;
  for (const line of lines) {
    const [nonce, text, hash, worker] = line.split(',');
    assert.equal(md5(text), hash, line);
    assert.ok(hash.endsWith('00000'), line);
    assert.equal(text, nonce.padStart(50, '0'));
    assert.ok(Number(nonce) > previous && Number(nonce) < 400_000_000, 'in nonce order, in the range');
    assert.ok(worker === '0' || worker === '1');
    previous = Number(nonce);
  }
  const [firstNonce, firstText] = await rows.nth(0).locator('td').allInnerTexts();
  assert.deepEqual([firstNonce, firstText], lines[0].split(',').slice(0, 2), 'the table starts where the CSV does');
});

test('mining panel: Stop ends a long run', onlyChromium('drives the page through Playwright locators'), async () => {
  await page.locator('#mine-count').fill('100000000000');
  await page.locator('#mine-run').click();
  // The live line (not the last run's totals): the run is under way.
  await page.locator('#mine-stats', { hasText: 'next coin in' }).waitFor();
  assert.equal(await page.locator('#mine-stop').isEnabled(), true);
  await page.locator('#mine-stop').click();
  await page.locator('#mine-summary', { hasText: 'Ended: stopped' }).waitFor({ timeout: 5000 });
  assert.doesNotMatch(await page.locator('#mine-summary').innerText(), /^0 hashes/, 'it was stopped mid-run, not before');
  assert.equal(await page.locator('#mine-run').isEnabled(), true);
});


// Every update that changes the page costs the browser a frame's work, taken from the
// workers on a small machine: the live line and the worker bars are updated in place,
// and only what changed is written (www/ui/dom.js setParts; README, Benchmark).
test('the live mining view updates in place: its parts are made once, only changed text is written', onlyChromium('drives the page through Playwright locators'), async () => {
  await page.locator('#mine-workers').fill('2');
  await page.locator('#mine-count').fill('100000000000');
  const watch = page.evaluate(() => {
    const stats = /** @type {HTMLElement} */ (document.querySelector('#mine-stats'));
    const bars = /** @type {HTMLElement} */ (document.querySelector('#mine-per-worker'));
    const seen = { statsRebuilt: 0, barsRebuilt: 0, texts: 0, sameText: 0 };
    const last = new Map();
    const mo = new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === 'childList' && r.target === stats) seen.statsRebuilt++;
        else if (r.type === 'childList' && r.target === bars) seen.barsRebuilt++;
        else if (r.type === 'childList' && stats.contains(r.target)) {
          seen.texts++;
          if (last.get(r.target) === r.target.textContent) seen.sameText++;
          last.set(r.target, r.target.textContent);
        }
      }
    });
    mo.observe(stats, { childList: true, subtree: true });
    mo.observe(bars, { childList: true });
    return new Promise((resolve) => setTimeout(() => { mo.disconnect(); resolve(seen); }, 2500));
  });
  await page.locator('#mine-run').click();
  const seen = await watch;
  await page.locator('#mine-stop').click();
  await page.locator('#mine-summary', { hasText: 'Ended: stopped' }).waitFor({ timeout: 5000 });
  // The line is a text while the pool starts, then its spans, made once.
  assert.ok(seen.statsRebuilt <= 3, `the live line was rebuilt ${seen.statsRebuilt} times in 2.5 s`);
  assert.ok(seen.barsRebuilt <= 1, `the worker bars were rebuilt ${seen.barsRebuilt} times`);
  assert.ok(seen.texts >= 5, `the live line's texts changed ${seen.texts} times: it updates`);
  assert.equal(seen.sameText, 0, 'no span was written with the text it already had');
});
test('primes panel: the course list with the worker that ran each number', onlyChromium('drives the page through Playwright locators'), async () => {
  await page.locator('#primes-run').click();
  await page.locator('#primes-summary', { hasText: 'numbers in' }).waitFor();
  const rows = page.locator('#primes-results tbody tr');
  assert.equal(await rows.count(), 6);
  const answers = await rows.locator('td:nth-child(2)').allInnerTexts();
  assert.deepEqual(answers, ['prime', 'prime', 'prime', 'prime', 'prime', 'composite']);
  const workers = await rows.locator('td:nth-child(3)').allInnerTexts();
  assert.ok(workers.every((w) => /^\d+$/.test(w)));
});

test('primes panel: a second run of the same list states the median of the two', onlyChromium('drives the page through Playwright locators'), async () => {
  const summary = page.locator('#primes-summary');
  await page.locator('#primes-algorithm').selectOption('miller-rabin');
  await page.locator('#primes-run').click();
  await summary.filter({ hasText: /miller-rabin[\s\S]*One run: press Run again/ }).waitFor();
  const first = await summary.innerText();
  await page.locator('#primes-run').click();
  await summary.filter({ hasText: '2 runs at these settings' }).waitFor();
  const text = await summary.innerText();
  const m = text.match(/median time ([\d.]+) ms \(([\d.]+)–([\d.]+), ±\d+%\)/);
  assert.ok(m, text);
  const [med, lo, hi] = m.slice(1, 4).map(Number);
  assert.ok(lo <= med && med <= hi, text);
  // The median of two is their mean, up to the rounding of the three figures shown.
  assert.ok(Math.abs(med - (lo + hi) / 2) <= (med < 10 ? 0.1 : 1) + 1e-9, text);
  assert.notEqual(text, first);
  await page.locator('#primes-algorithm').selectOption('trial');
});

test('primes panel: a bad number shows an error and the panel stays usable', onlyChromium('drives the page through Playwright locators'), async () => {
  await page.locator('#primes-numbers').fill('7\nseven');
  await page.locator('#primes-run').click();
  await page.locator('#primes-error', { hasText: 'numbers[1]' }).waitFor();
  await page.locator('#primes-numbers').fill('7\n9');
  await page.locator('#primes-run').click();
  await page.locator('#primes-summary', { hasText: '2 numbers in' }).waitFor();
  assert.equal(await page.locator('#primes-error').isVisible(), false);
});

test('link panel: the error-classes list runs and URLs are shown as text', onlyChromium('drives the page through Playwright locators and takes a screenshot'), async () => {
  await page.locator('#links-source').selectOption('errors');
  await page.locator('#links-timeout').fill('1200');
  const hostile = `http://a.localhost:${server.port}/lab/status/200?q=<img src=x onerror="window.pwned=1">`;
  const list = await page.locator('#links-urls').inputValue();
  await page.locator('#links-urls').fill(`${list}\n${hostile}`);
  await page.locator('#links-run').click();
  await page.locator('#links-summary', { hasText: 'links in' }).waitFor({ timeout: 15000 });
  // The list's ftp line is reported and left out; every other line is checked.
  const n = list.split('\n').length;
  assert.equal(await page.locator('#links-results tbody tr').count(), n);
  assert.match(await page.locator('#links-report').innerText(), /ftp: URLs are not fetched/);
  assert.match(await page.locator('#links-summary').innerText(), new RegExp(`${n} links in`));
  assert.equal(await page.locator('#links-results img').count(), 0, 'no markup from a URL');
  assert.equal(await page.locator('#links-results td.url', { hasText: '<img src=x' }).count(), 1);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  const totals = await page.locator('#links-totals').innerText();
  assert.match(totals, /^ok 2 · redirect 1 · broken 4 \(redirects that never arrive 2\) · unreachable 3 \(timeouts 2, network errors 1\)$/);
  await page.screenshot({ path: `${shots}links.png`, fullPage: true });
  assert.deepEqual(page.errors, []);
});

test('without isolation (service workers blocked) the page runs the single-thread build, says why, and the link check still works', onlyChromium('uses a Playwright browser context and locators'), async () => {
  const plain = await startServer({ coep: 'off' });
  // With no headers the page would isolate itself through its service worker; blocked,
  // it cannot, which is the case this test is about.
  const context = await browser.newContext({ serviceWorkers: 'block' });
  try {
    const p = await context.newPage();
    await p.goto(plain.url);
    await p.waitForFunction(() => typeof window.lab === 'object');
    await p.evaluate(() => window.lab.ready);
    const warning = p.locator('#no-threads');
    await warning.waitFor();
    assert.match(await warning.innerText(), /single-thread build: the page is not cross-origin isolated.*make serve/s);
    assert.equal(await p.locator('#mine-run').isDisabled(), false, 'one worker still mines');
    assert.equal(await p.locator('#mine-workers').isDisabled(), true);
    const err = await p.evaluate(() => lab.mine({ workers: 2 }).then(() => null, (e) => e.message));
    assert.match(err, /cannot run threads.*not cross-origin isolated/);
    const r = await p.evaluate((port) => lab.links({ urls: [`http://a.localhost:${port}/lab/status/200`] }), plain.port);
    assert.equal(r.results[0].ok, true);
    await p.close();
  } finally {
    await context.close();
    await plain.stop();
  }
});
