// The page under faults: a crash or a stall inside a CPU run ends that run with an
// Error that says why, the engine is replaced, and the next run is right; closing the
// page mid-run leaves nothing running. The crashes come from the test build
// (pkg-faults/, `?build=faults`), the only one with a fault entry point.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openLab, call, md5, workerCounter } from './harness.mjs';

let server, browser, page, workers;

before(async () => {
  server = await startServer();
  browser = await launch();
  page = await openLab(browser, `${server.url}?build=faults`);
  workers = await workerCounter(browser);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A mining run after a fault: the coins of 0..2^21 on 2 workers, each checked by md5. */
async function mineIsRight(p) {
  const r = await call(p, 'mine', { workers: 2, start: 0, count: 2 ** 21 });
  assert.equal(r.error, undefined, `the run after the fault failed: ${r.error}`);
  assert.equal(r.value.poolReused, false, 'a crashed engine is never reused');
  assert.ok(r.value.coins.length > 0);
  for (const c of r.value.coins) assert.ok(md5(c.text).endsWith('00000') && md5(c.text) === c.md5, c.text);
  return r.value.coins.map((c) => c.text);
}

let reference;

test('the test build reports itself and mines the same coins as any build', async () => {
  assert.equal((await page.evaluate(() => lab.info())).build, 'faults');
  reference = await mineIsRight(page);
});

test('a panic in a pool thread rejects the run with the panic message, and the next run is right', async () => {
  const r = await call(page, 'fault', { workers: 2, kind: 'panic' });
  assert.equal(r.isError, true);
  assert.match(r.error, /^fault: a worker crashed: panicked at src\/web\/fault\.rs:\d+:\d+:\ninjected fault: a pool thread panicked on purpose/);
  assert.match(r.error, /engine was replaced/);
  assert.deepEqual(await mineIsRight(page), reference);
});

test('running out of memory rejects the run saying so', async () => {
  const r = await call(page, 'fault', { workers: 2, kind: 'oom' });
  assert.match(r.error, /^fault: a worker crashed: out of memory: an allocation of \d+ bytes failed/);
  assert.deepEqual(await mineIsRight(page), reference);
});

test('a worker that hangs without a sign of life is ended by the watchdog in bounded time', async () => {
  const stallMs = await page.evaluate(() => lab.contract.stallMs);
  const t0 = Date.now();
  const r = await call(page, 'fault', { workers: 2, kind: 'stall' });
  const took = Date.now() - t0;
  assert.match(r.error, /^fault: no worker made progress for \d+ s, so a worker died or is stuck/);
  assert.ok(took >= stallMs && took < stallMs + 4000, `ended after ${took} ms (watchdog at ${stallMs} ms)`);
  assert.deepEqual(await mineIsRight(page), reference);
});

test('a trap with no panic message ends the run too', async () => {
  const r = await call(page, 'fault', { workers: 3, kind: 'trap' });
  assert.equal(r.isError, true);
  assert.match(r.error, /^fault: /);
  assert.deepEqual(await mineIsRight(page), reference);
  // The crashed engines are gone: the link worker, one engine and its two workers.
  assert.equal(await workers.settleAt(4), 4);
});

test('a long run that keeps looking at its stop flag is not taken for a stall', async () => {
  // One trial division of a 19-digit prime: seconds of work that move no counter but the pulse.
  const r = await call(page, 'primes', { workers: 1, numbers: ['1000000000000000003'], algorithm: 'trial' });
  assert.equal(r.error, undefined, r.error);
  assert.equal(r.value.results[0].prime, true);
});

test('the threads build has no fault entry point', async () => {
  const plain = await openLab(browser, server.url);
  try {
    assert.equal((await plain.evaluate(() => lab.info())).build, 'threads');
    const r = await call(plain, 'fault', { workers: 1, kind: 'panic' });
    assert.match(r.error, /this build has no fault entry point/);
  } finally {
    await plain.close();
  }
});

test('a pool of N has N Web Workers: a rebuild for another size keeps them and starts only those it lacks; a cold start begins afresh', async () => {
  const idle = (/** @type {number} */ n, /** @type {{cold?: boolean} | undefined} */ o = undefined) => page.evaluate(([n, o]) => lab.startPool(n, o).then((r) => r.phases.idle), [n, o]);
  assert.equal(await idle(3, { cold: true }), 0);
  assert.equal(await workers.settleAt(5), 5, 'link worker, engine and three pool workers');
  assert.equal(await idle(2), 1);
  assert.equal(await workers.settleAt(5), 5, 'a smaller pool starts no worker and ends none (one waits, idle)');
  assert.equal(await idle(6), 0);
  assert.equal(await workers.settleAt(8), 8, 'a larger one starts only the three it lacks');
  assert.equal(await idle(2, { cold: true }), 0);
  assert.equal(await workers.settleAt(4), 4, 'a cold start ends the old engine and its workers');
});

test('closing the page mid-run leaves nothing running: workers ended, requests aborted', async () => {
  await page.close();
  assert.equal(await workers.settleAt(0), 0, 'no worker is left from the earlier page');
  await server.reset();
  const p = await openLab(browser, server.url);
  await p.evaluate(() => {
    lab.mine({ workers: 2, count: 2 ** 34 }).catch(() => {});
    lab.links({ urls: [`${location.origin}/lab/hang`, `${location.origin}/lab/delay/20000`], timeoutMs: 60000 }).catch(() => {});
  });
  const end = Date.now() + 5000;
  while ((await server.stats()).in_flight < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  assert.equal((await server.stats()).in_flight, 2, 'both requests reached the server');
  assert.equal(await workers.settleAt(4), 4, 'link worker, engine and two pool workers');
  await p.goto('about:blank');
  assert.equal(await workers.settleAt(0), 0, 'every worker ended with the page');
  const end2 = Date.now() + 5000;
  while ((await server.stats()).in_flight > 0 && Date.now() < end2) await new Promise((r) => setTimeout(r, 100));
  assert.equal((await server.stats()).in_flight, 0, 'the server saw both requests end');
  await p.close();
});
