// The IO lab in depth: both modes, the in-flight bound, Stop, hostile lists, the census.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { call, useLab, onlyChromium } from './harness.mjs';

const session = useLab();
let server, page;
const at = (host, path) => `http://${host}.localhost:${server.port}/lab/${path}`;

before(async () => {
  await session.ready;
  ({ server, page } = session);
});

async function settled(field, want) {
  let s;
  for (let i = 0; i < 100; i++) {
    s = await server.stats();
    if (s[field] === want) return s;
    await new Promise((r) => setTimeout(r, 20));
  }
  return s;
}

test('every endpoint class in no-cors mode: reachable, with the answer hidden', async () => {
  const urls = [at('a', 'status/200'), at('b', 'status/404'), at('c', 'redirect/2'), at('d', 'bytes/1000'), at('e', 'hang'), 'http://refused.localhost:47/', 'ftp://x.org/'];
  const r = (await call(page, 'links', { urls, mode: 'no-cors', timeoutMs: 800 })).value;
  const [ok, notFound, redirect, body, hang, refused, ftp] = r.results;
  for (const x of [ok, notFound, redirect, body]) {
    assert.deepEqual([x.opaque, x.ok, x.status, x.bytes, x.error], [true, true, null, null, null], x.url);
  }
  assert.equal(hang.error, 'timeout');
  assert.equal(refused.error, 'network');
  assert.equal(ftp.error, 'invalid-url');
  assert.equal((await settled('in_flight', 0)).in_flight, 0);
});

test('a per-host limit holds on one host', async () => {
  await server.reset();
  const urls = Array.from({ length: 12 }, (_, i) => at('a', `delay/100?i=${i}`));
  const r = (await call(page, 'links', { urls, concurrency: 10, perHost: 3 })).value;
  assert.ok(r.results.every((x) => x.ok));
  assert.equal((await server.stats()).max_in_flight, 3);
});

test('retries back off on 503 and count their attempts; HEAD then GET makes one request', async () => {
  await server.reset();
  const r = (await call(page, 'links', { urls: [at('a', 'status/503')], retries: 2 })).value;
  assert.equal(r.results[0].attempts, 3);
  assert.equal(r.results[0].status, 503);
  assert.ok(r.results[0].ms >= 250 + 500, 'two back-offs were waited');
  assert.equal((await server.stats()).served, 3);
  await server.reset();
  const h = (await call(page, 'links', { urls: [at('b', 'bytes/4096')], method: 'head-then-get' })).value;
  assert.deepEqual([h.results[0].ok, h.results[0].bytes], [true, 4096]);
  assert.equal((await server.stats()).served, 1, 'HEAD sufficed');
});

test('Stop aborts every request in flight at once and leaves nothing in flight', async () => {
  await server.reset();
  const urls = Array.from({ length: 24 }, (_, i) => at('abcdef'[i % 6], `hang?i=${i}`));
  const result = page.evaluate((urls) => lab.links({ urls, concurrency: 24, timeoutMs: 60000 }), urls);
  const busy = await settled('in_flight', 24);
  assert.equal(busy.in_flight, 24, 'all 24 were in flight');
  await page.evaluate(() => lab.stop('links'));
  const r = await result;
  assert.ok(r.results.every((x) => x.error === 'aborted'));
  assert.equal((await settled('in_flight', 0)).in_flight, 0);
});

test('a hostile list is parsed line by line, and nothing outside http(s) is requested', onlyChromium('its second half drives the link panel through Playwright locators'), async () => {
  const lines = ['', `${at('a', 'status/200')}`, 'javascript:alert(1)', 'data:text/html,<script>window.pwned=1</script>',
    'file:///etc/passwd', 'ftp://example.org/x', `${at('b', 'status/200')}?q=<script>window.pwned=1</script>`, '   ', at('a', 'status/200'), 'not a url'];
  const many = Array.from({ length: 10_001 }, (_, i) => `http://h.localhost:1/${i}`);
  const p = await page.evaluate((t) => lab.parseLinks(t), [...lines, ...many].join('\n'));
  assert.equal(p.urls.length, 10_000, 'at most 10,000 kept');
  assert.equal(p.blankLines, 2);
  const reasons = Object.fromEntries(p.rejected.map((r) => [r.line, r.reason]));
  assert.match(reasons[3], /^javascript: URLs are not fetched/);
  assert.match(reasons[4], /^data: URLs are not fetched/);
  assert.match(reasons[5], /^file: URLs are not fetched/);
  assert.match(reasons[6], /^ftp: URLs are not fetched/);
  assert.equal(reasons[9], 'duplicate of line 2');
  assert.match(reasons[10], /not an absolute URL/);
  assert.match(p.rejected.at(-1).reason, /past the limit of 10000/);
  assert.equal(p.rejected.at(-1).line, lines.length + 10_001);
  const tooMany = await call(page, 'links', { urls: many });
  assert.match(tooMany.error, /^urls: at most 10000 entries \(got 10001\)/);

  // Through the page: the report names the lines, the URLs are text, nothing runs.
  await server.reset();
  await page.locator('#links-source').selectOption('own');
  await page.locator('#links-urls').fill(lines.join('\n'));
  await page.locator('#links-run').click();
  await page.locator('#links-summary', { hasText: '2 links in' }).waitFor();
  const report = await page.locator('#links-report li').allInnerTexts();
  assert.equal(report.length, 6);
  assert.match(report[0], /^line 3: javascript:alert\(1\) — javascript: URLs are not fetched/);
  assert.equal(await page.locator('#links-results td.url', { hasText: '<script>' }).count(), 1);
  assert.equal(await page.locator('#links-results script, #links-report script').count(), 0);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.equal((await server.stats()).served, 2, 'only the two http URLs reached a server');
});

test('the census fixture yields its known counts', async () => {
  const r = await page.evaluate(() => lab.census({ pages: 10, timeoutMs: 1000, concurrency: 20 }).then((c) => ({
    pages: c.pages.length, links: c.links, urls: c.list.urls.length, rejected: c.list.rejected.map((x) => x.reason),
    results: c.check.results.map((x) => [x.opaque, x.error]),
  })));
  assert.equal(r.pages, 10);
  assert.equal(r.links, 24);
  assert.equal(r.urls, 21);
  assert.deepEqual(r.rejected, ['duplicate of line 1', 'ftp: URLs are not fetched; only http and https are', 'duplicate of line 1']);
  const n = (f) => r.results.filter(f).length;
  assert.equal(n(([opaque]) => opaque), 18, 'reachable');
  assert.equal(n(([, e]) => e === 'timeout'), 2);
  assert.equal(n(([, e]) => e === 'network'), 1);
});

test('a link check runs while a mining run goes on', async () => {
  const r = await page.evaluate(async (urls) => {
    const mining = lab.mine({ workers: 2, mode: 'random', count: '1000000000000' });
    // The check starts once the pool computes: its start is not what this test is about.
    while (!lab.progress()?.running) await new Promise((res) => setTimeout(res, 10));
    const check = await lab.links({ urls });
    const stillMining = lab.progress().running;
    lab.stop('mine');
    const m = await mining;
    return { ok: check.results.every((x) => x.ok), stillMining, ended: m.ended };
  }, [at('a', 'delay/200'), at('b', 'status/200')]);
  assert.deepEqual(r, { ok: true, stillMining: true, ended: 'stopped' });
});

test('the results table sorts and exports, and the histograms fill', onlyChromium('drives the link panel through Playwright locators'), async () => {
  await page.locator('#links-source').selectOption('lab');
  await page.locator('#links-run').click();
  await page.locator('#links-summary', { hasText: 'links in' }).waitFor({ timeout: 20000 });
  await page.locator('#links-results th', { hasText: 'latency' }).click();
  const lat = await page.locator('#links-results tbody td:nth-child(6)').allInnerTexts();
  const msOf = (t) => (t.endsWith(' s') ? 1000 * parseFloat(t) : parseFloat(t));
  const values = lat.map(msOf);
  assert.deepEqual(values, [...values].sort((a, b) => a - b), 'ascending by latency');
  assert.ok(await page.locator('#links-histogram .hbar').count() >= 4);
  const csv = await page.locator('#links-csv').evaluate((a) => fetch(a.href).then((r) => r.text()));
  assert.equal(csv.split('\n')[0], (await page.evaluate(() => lab.contract.links.resultFields)).join(','));
  assert.equal(csv.trim().split('\n').length, 1 + lat.length);
  assert.deepEqual(page.errors, []);
});

test('the checker honours Retry-After, times out a body that drips too slowly, and counts big bodies exactly', async () => {
  await server.reset();
  const retry = (await call(page, 'links', { urls: [at('a', 'status/503?retryAfter=1')], retries: 1 })).value.results[0];
  assert.equal(retry.attempts, 2);
  assert.ok(retry.waitedMs >= 1000, `waited ${retry.waitedMs} ms for a Retry-After of 1 s`);
  const drip = (await call(page, 'links', { urls: [at('b', 'drip/1000/3000')], timeoutMs: 800 })).value.results[0];
  assert.equal(drip.error, 'timeout', 'headers came, the body did not in time');
  const big = Array.from({ length: 6 }, (_, i) => at('abcdef'[i], `bytes/67108864?i=${i}`));
  const r = (await call(page, 'links', { urls: big, concurrency: 3, timeoutMs: 60000 })).value;
  assert.deepEqual(r.results.map((x) => x.bytes), big.map(() => 67108864));
});

test('ten thousand URLs at C = 100: every one answered once, in input order', async () => {
  await server.reset();
  const urls = Array.from({ length: 10_000 }, (_, i) => at('abcdefghijklmnop'[i % 16], `status/200?i=${i}`));
  const r = await page.evaluate(async (urls) => {
    let calls = 0;
    const out = await lab.links({ urls, concurrency: 100, onResult: () => { calls++; } });
    return { n: out.results.length, calls, inOrder: out.results.every((x, i) => x.index === i && x.url === urls[i]), ok: out.results.filter((x) => x.ok).length };
  }, urls);
  assert.deepEqual(r, { n: 10_000, calls: 10_000, inOrder: true, ok: 10_000 });
  const s = await server.stats();
  assert.equal(s.served, 10_000, 'none lost, none doubled');
  assert.ok(s.max_in_flight <= 100);
});
