// window.lab against the real lab server in headless Chromium.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { call, md5, useLab, onlyChromium } from './harness.mjs';

const session = useLab();
let server, page;

before(async () => {
  await session.ready;
  ({ server, page } = session);
});

test('the contract comes from Rust and the page uses it', onlyChromium('reads the form controls through Playwright locators'), async () => {
  const c = await page.evaluate(() => lab.contract);
  assert.equal(c.maxWorkers, 128);
  assert.equal(await page.evaluate(() => lab.MAX_WORKERS), c.maxWorkers);
  assert.equal(c.primes.courseList.length, 6);
  assert.equal(c.links.resultFields[0], 'index');
  assert.equal(await page.locator('#mine-workers').getAttribute('max'), String(c.maxWorkers));
  assert.equal(await page.locator('#primes-workers').getAttribute('max'), String(c.maxWorkers));
  assert.equal(await page.locator('#mine-count').inputValue(), String(c.mine.defaultCount));
  assert.equal(await page.locator('#primes-numbers').inputValue(), c.primes.courseList.join('\n'));
  assert.equal(await page.locator('#links-concurrency').inputValue(), String(c.links.defaultConcurrency));
  assert.deepEqual(await page.evaluate(() => lab.labLinks()), await page.evaluate(() => lab.labLinks('lab')));
  const bad = await page.evaluate(() => { try { lab.labLinks('nope'); return null; } catch (e) { return e.message; } });
  assert.match(bad ?? '', /^list: must be one of "lab", "errors"/);
});

test('the page is cross-origin isolated and has wasm threads', async () => {
  const info = await page.evaluate(() => lab.info());
  assert.equal(info.crossOriginIsolated, true);
  assert.equal(info.threads, true);
  assert.ok(info.hardwareConcurrency >= 1);
});

test('nonce-mode coins are real and identical for 1 and 4 workers', async () => {
  const range = { mode: 'nonce', start: '1000000', count: 4_000_000 };
  const one = (await call(page, 'mine', { ...range, workers: 1 })).value;
  const four = (await call(page, 'mine', { ...range, workers: 4 })).value;
  assert.equal(one.workers, 1);
  assert.equal(four.workers, 4);
  assert.equal(one.hashes, 4_000_000, 'a whole range hashes every nonce once');
  assert.equal(four.hashes, 4_000_000);
  assert.equal(four.perWorkerHashes.length, 4);
  assert.ok(four.coins.length > 0);
  assert.deepEqual(four.coins.map((c) => c.text), one.coins.map((c) => c.text));
  for (const c of four.coins) {
    assert.equal(md5(c.text), c.md5);
    assert.match(c.md5, /00000$/);
    assert.equal(c.text, c.nonce.padStart(50, '0'));
    assert.ok(BigInt(c.nonce) >= 1000000n && BigInt(c.nonce) < 5000000n);
  }
  assert.equal(four.poolReused, false);
  assert.ok(four.poolStartMs > 0, 'a new pool reports its start time');
  assert.ok(four.elapsedMs > 0);
  const again = (await call(page, 'mine', { ...range, workers: 4, count: 1000 })).value;
  assert.equal(again.poolReused, true);
  assert.equal(again.poolStartMs, 0);
});

test('random mode finds real 50-digit coins and honours the coin count', async () => {
  const r = (await call(page, 'mine', { workers: 2, mode: 'random', count: '18446744073709551615', coins: 1, timeBudgetMs: 60000 })).value;
  assert.equal(r.ended, 'coins');
  assert.equal(r.coins.length, 1);
  const [c] = r.coins;
  assert.match(c.text, /^\d{50}$/);
  assert.equal(md5(c.text), c.md5);
  assert.match(c.md5, /00000$/);
  assert.equal(c.nonce, null);
});

test('nonces past 2^53 are exact', async () => {
  const start = '18446744073709000000';
  const r = (await call(page, 'mine', { workers: 2, start, count: 100000 })).value;
  assert.equal(r.hashes, 100000);
  assert.equal(r.start, start);
  for (const c of r.coins) assert.equal(md5(c.text), c.md5);
});

test('the course prime list gives the right answers, in input order, with worker and times', async () => {
  const r = (await call(page, 'primes', { workers: 2 })).value;
  assert.equal(r.workers, 2);
  assert.deepEqual(r.results.map((x) => x.n), await page.evaluate(() => lab.contract.primes.courseList));
  assert.deepEqual(r.results.map((x) => x.prime), [true, true, true, true, true, false]);
  for (const x of r.results) {
    assert.ok(Number.isInteger(x.worker) && x.worker >= 0 && x.worker < 2);
    assert.ok(x.endMs >= x.startMs && x.startMs >= 0);
  }
  const big = (await call(page, 'primes', { workers: 2, numbers: ['18446744073709551557', 4294967291, '561'], algorithm: 'miller-rabin' })).value;
  assert.deepEqual(big.results.map((x) => x.prime), [true, true, false]);
});

test('each lab endpoint class gives its expected result, classed in Rust', async () => {
  const urls = await page.evaluate(() => [...lab.labLinks('lab'), ...lab.labLinks('errors')]);
  const r = (await call(page, 'links', { urls, timeoutMs: 1200, concurrency: 30 })).value;
  const by = Object.fromEntries(r.results.map((x) => [new URL(x.url).pathname + (x.url.startsWith('ftp') ? 'ftp' : ''), x]));
  for (const code of [200, 204]) {
    assert.deepEqual([by[`/lab/status/${code}`].ok, by[`/lab/status/${code}`].status, by[`/lab/status/${code}`].class, by[`/lab/status/${code}`].verdict], [true, code, '2xx', 'ok']);
  }
  for (const [code, verdict] of [[301, 'redirect'], [404, 'broken'], [410, 'broken'], [500, 'broken'], [503, 'broken']]) {
    const x = by[`/lab/status/${code}`];
    assert.equal(x.ok, false);
    assert.equal(x.status, code);
    assert.equal(x.error, null);
    assert.equal(x.class, `${String(code)[0]}xx`);
    assert.equal(x.verdict, verdict);
  }
  for (const path of ['/lab/redirect-loop', '/lab/redirect/25']) {
    const x = by[path];
    assert.deepEqual([x.ok, x.status, x.error, x.class, x.verdict], [false, null, 'redirects', 'redirects', 'broken'], path);
  }
  assert.equal(by['/lab/redirect/10'].redirected, true, 'a chain the browser follows arrives');
  assert.equal(by['/lab/delay/500'].status, 200);
  assert.ok(by['/lab/delay/500'].ms >= 500);
  assert.equal(by['/lab/delay/1500'].error, 'timeout', 'slower than the timeout');
  assert.equal(by['/lab/bytes/1048576'].bytes, 1048576);
  assert.equal(by['/lab/bytes/0'].bytes, 0);
  assert.deepEqual([by['/lab/redirect/3'].ok, by['/lab/redirect/3'].status, by['/lab/redirect/3'].redirected], [true, 200, true]);
  assert.equal(by['/lab/hang'].error, 'timeout');
  assert.equal(by['/lab/hang'].status, null);
  assert.equal(by['/lab/hang'].verdict, 'unreachable');
  assert.equal(by['/'].error, 'network', 'a refused connection');
  assert.equal(by['/'].class, 'network');
  const ftp = r.results.find((x) => x.url.startsWith('ftp:'));
  assert.deepEqual([ftp.error, ftp.class, ftp.verdict], ['invalid-url', 'invalid-url', 'skipped']);
  // Every result carries exactly the fields the contract lists.
  const fields = await page.evaluate(() => lab.contract.links.resultFields);
  for (const x of r.results) assert.deepEqual(Object.keys(x).sort(), [...fields].sort());
  // The timed-out requests were aborted, not abandoned: the server sees them go.
  let inFlight = -1;
  for (let i = 0; i < 50 && inFlight !== 0; i++) {
    inFlight = (await server.stats()).in_flight;
    await new Promise((res) => setTimeout(res, 20));
  }
  assert.equal(inFlight, 0);
});

test('in-flight requests never exceed C and reach C', async () => {
  for (const c of [1, 5, 12]) {
    await server.reset();
    const urls = Array.from({ length: 3 * c + 4 }, (_, i) => `http://h${i % 12}.localhost:${server.port}/lab/delay/150`);
    const r = (await call(page, 'links', { urls, concurrency: c })).value;
    assert.ok(r.results.every((x) => x.ok));
    const s = await server.stats();
    assert.equal(s.max_in_flight, c, `C=${c}`);
    assert.equal(s.served, urls.length);
  }
});

test('entries that are not http(s) URLs are reported, never fetched, and the rest are checked', async () => {
  await server.reset();
  const good = `http://a.localhost:${server.port}/lab/status/200`;
  const urls = ['javascript:alert(1)', 'data:text/html,<script>window.pwned=1</script>', 'file:///etc/passwd', 'ftp://x.org/f', 'not a url', good, 42];
  const r = (await call(page, 'links', { urls })).value;
  assert.equal(r.results.length, urls.length);
  assert.deepEqual(r.results.map((x) => x.error), ['invalid-url', 'invalid-url', 'invalid-url', 'invalid-url', 'invalid-url', null, 'invalid-url']);
  assert.equal(r.results[5].ok, true);
  assert.equal(r.results[6].url, '42');
  assert.equal((await server.stats()).served, 1, 'only the one web URL reached the server');
  assert.equal(await page.evaluate(() => window.pwned), undefined);
});

test('bad arguments reject with an Error naming the argument, and the page stays usable', async () => {
  /** @type {[string, object, RegExp][]} */
  const cases = [
    ['mine', { workers: 0 }, /^workers: /],
    ['mine', { workers: 1000 }, /^workers: must be an integer from 1 to 128 \(got 1000\)$/],
    ['mine', {}, /^workers: /],
    ['mine', { workers: 2, count: -5 }, /^count: must not be negative/],
    ['mine', { workers: 2, start: '12x' }, /^start: "12x" is not a decimal integer/],
    ['mine', { workers: 2, start: '18446744073709551616' }, /^start: .*exceeds 2\^64/],
    ['mine', { workers: 2, start: 2 ** 60 }, /^start: .*decimal string/],
    ['mine', { workers: 2, mode: 'fast' }, /^mode: /],
    ['mine', { workers: 2, cuont: 5 }, /cuont/],
    ['primes', { workers: 2, chunksize: 0 }, /^chunksize: /],
    ['primes', { workers: 2, numbers: ['7', 'seven'] }, /^numbers\[1\]: "seven" is not a decimal integer/],
    ['primes', { workers: 2, numbers: ['18446744073709551616'] }, /^numbers\[0\]: .*exceeds 2\^64/],
    ['primes', { workers: 2, numbers: '7' }, /^numbers: /],
    ['primes', { workers: 2, algorithm: 'aks' }, /^algorithm: /],
    ['links', { urls: [], concurrency: 0 }, /^concurrency: /],
    ['links', { urls: 'http://a.localhost/' }, /^urls: must be a list/],
    ['links', { urls: [], timeoutMs: 0 }, /^timeoutMs: /],
  ];
  for (const [method, opts, want] of cases) {
    const r = await call(page, method, opts);
    assert.ok(r.error, `${method}(${JSON.stringify(opts)}) should reject`);
    assert.equal(r.isError, true);
    assert.match(r.error, want);
  }
  const ok = (await call(page, 'mine', { workers: 2, count: 70000 })).value;
  assert.equal(ok.hashes, 70000);
  assert.deepEqual(page.errors, []);
});

test('counters read during a run only grow and end equal to the result', async () => {
  const samples = await page.evaluate(async () => {
    const seen = [];
    let done = false;
    const run = lab.mine({ workers: 2, count: 12_000_000 }).then((r) => { done = true; return r; });
    while (!done) {
      const p = lab.progress();
      if (p?.running) seen.push(p.hashes);
      await new Promise((r) => setTimeout(r, 20));
    }
    return { seen, result: await run, last: lab.progress().hashes };
  });
  assert.ok(samples.seen.length >= 3, 'sampled while running');
  for (let i = 1; i < samples.seen.length; i++) assert.ok(samples.seen[i] >= samples.seen[i - 1]);
  assert.equal(samples.last, samples.result.hashes);
});

test('Stop ends a mining run early, once it is under way', async () => {
  const r = await page.evaluate(async () => {
    const run = lab.mine({ workers: 2, mode: 'random', count: '100000000000' });
    // Stop only once the counters move: a stop during the pool's start is another case.
    while (!(lab.progress()?.running && lab.progress()?.hashes > 0)) await new Promise((res) => setTimeout(res, 10));
    lab.stop('mine');
    return run;
  });
  assert.equal(r.ended, 'stopped');
  assert.ok(r.hashes > 0 && r.hashes < 100000000000);
});

test('a stop asked for while the pool starts ends that run before it computes, and not the next', async () => {
  const r = await page.evaluate(async () => {
    const run = lab.mine({ workers: 3, count: 1_000_000 }); // a fresh pool: the run waits for it
    lab.stop('mine');
    const first = await run;
    const next = await lab.mine({ workers: 3, count: 100_000 });
    return { first, next };
  });
  assert.ok(r.first.cancelled || r.first.ended === 'stopped', 'the stopped run did no full work');
  assert.equal(r.next.ended, 'complete');
  assert.equal(r.next.hashes, 100_000);
});
