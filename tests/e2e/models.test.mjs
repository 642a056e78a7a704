// The models lab: relations the course's lessons claim, read from recorded timelines.
// No test asserts a timing; each compares the run's own spans and lags.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { call, md5, useLab, onlyChromium } from './harness.mjs';

const session = useLab();
/** @type {import('playwright-core').Page} */
let page;

before(async () => {
  await session.ready;
  ({ page } = session);
});

/** @param {{startMs: number, endMs: number}} a @param {{startMs: number, endMs: number}} b */
const overlap = (a, b) => a.startMs < b.endMs && b.startMs < a.endMs;

test('gather runs the three workers at once; sequential await runs them in turn', async () => {
  const g = (await call(page, 'loop', { scenario: 'gather', scale: 0.1 })).value;
  const s = (await call(page, 'loop', { scenario: 'sequential', scale: 0.1 })).value;
  assert.equal(g.spans.length, 3);
  assert.ok(overlap(g.spans[0], g.spans[1]) && overlap(g.spans[1], g.spans[2]), 'gather spans overlap');
  for (let i = 1; i < 3; i++) assert.ok(s.spans[i].startMs >= s.spans[i - 1].endMs, 'sequential spans do not');
  assert.ok(g.elapsedMs < g.sumMs, 'gather takes less than the sum of its tasks');
  assert.ok(s.elapsedMs >= s.sumMs, 'sequential takes at least the sum');
});

test('the aiohttp example: real fetches gathered overlap, awaited in turn do not', async () => {
  const g = (await call(page, 'loop', { scenario: 'aiohttp', scale: 0.1 })).value;
  const s = (await call(page, 'loop', { scenario: 'aiohttp-sequential', scale: 0.1 })).value;
  assert.deepEqual(g.spans.map((x) => x.task), ['delay/100?i=0', 'delay/200?i=1', 'delay/100?i=2']);
  assert.ok(overlap(g.spans[0], g.spans[1]));
  assert.ok(s.spans[1].startMs >= s.spans[0].endMs && s.spans[2].startMs >= s.spans[1].endMs);
});

test('an async generator yields its values in order, one after another', async () => {
  const r = (await call(page, 'loop', { scenario: 'agen', scale: 0.05 })).value;
  assert.deepEqual(r.order, ['0', '1', '2', '3', '4']);
  for (let i = 1; i < 5; i++) assert.ok(r.spans[i].startMs >= r.spans[i - 1].endMs);
});

test('CPU work on the loop blocks it; the hybrid with the pool keeps it free', async () => {
  const blocked = (await call(page, 'loop', { scenario: 'blocking', scale: 0.1, cpuMs: 400 })).value;
  const hybrid = (await call(page, 'loop', { scenario: 'hybrid', scale: 0.1, cpuMs: 400 })).value;
  assert.ok(blocked.maxLagMs >= 0.8 * blocked.cpuMs, `blocked lag ${blocked.maxLagMs} vs CPU step ${blocked.cpuMs}`);
  assert.ok(hybrid.maxLagMs < 0.8 * hybrid.cpuMs, `hybrid lag ${hybrid.maxLagMs} vs CPU step ${hybrid.cpuMs}`);
  assert.ok(hybrid.maxLagMs < blocked.maxLagMs);
  // In the blocked loop no fetch could finish before the CPU step did.
  const cpu = blocked.spans.find((x) => x.kind === 'cpu');
  for (const f of blocked.spans.filter((x) => x.kind === 'fetch')) assert.ok(f.endMs >= cpu.endMs);
  // After the hybrid the pool mines as before.
  const after = (await call(page, 'mine', { workers: 2, start: '1963170', count: 3 })).value;
  assert.equal(after.coins.length, 1);
  assert.equal(md5(after.coins[0].text), after.coins[0].md5);
});

test('microtasks run before a timer queued earlier', async () => {
  const r = (await call(page, 'loop', { scenario: 'order' })).value;
  assert.equal(r.order[0], 'end of the script');
  assert.equal(r.order.at(-1), 'timer (a task)');
  assert.deepEqual(r.order.slice(1, -1).sort(), ['promise 1 (a microtask)', 'promise 2 (a microtask)', 'queueMicrotask (a microtask)'].sort());
});

test('a bad loop option is refused with its name', async () => {
  assert.match((await call(page, 'loop', { scenario: 'parallel' })).error, /^scenario: must be one of "gather"/);
  assert.match((await call(page, 'loop', { scenario: 'gather', scale: -1 })).error, /^scale: /);
  assert.match((await call(page, 'loop', { scenario: 'gather', speed: 2 })).error, /speed/);
});

/** @param {import('../../www/types.js').GilResult} r @param {number} t @param {string} state */
const lane = (r, t, state) => r.lane.filter((i) => i.thread === t && i.state === state);
/** @param {{startMs: number, endMs: number}[]} a @param {{startMs: number, endMs: number}[]} b */
const anyOverlap = (a, b) => a.some((x) => b.some((y) => overlap(x, y)));

test('under the GIL no two threads ever hold the lock at once, and it changes hands', async () => {
  const r = (await call(page, 'gil', { threads: 2, mode: 'gil', n: 5_000_000, switchIntervalMs: 1 })).value;
  assert.ok(r.handovers > 0);
  assert.ok(lane(r, 0, 'run').length > 0 && lane(r, 1, 'run').length > 0);
  assert.equal(anyOverlap(lane(r, 0, 'run'), lane(r, 1, 'run')), false);
  assert.equal(r.threads.length, 2);
  assert.ok(r.threads.every((t) => t.waitMs > 0), 'each thread waited for the lock');
});

test('free-threaded and process modes run the threads at once', async () => {
  for (const mode of ['free', 'processes']) {
    const r = (await call(page, 'gil', { threads: 2, mode, n: 5_000_000 })).value;
    assert.ok(anyOverlap(lane(r, 0, 'run'), lane(r, 1, 'run')), mode);
    assert.equal(r.handovers, 0, mode);
  }
});

test('IO threads under the GIL overlap their sleeps', async () => {
  const r = (await call(page, 'gil', { threads: 3, mode: 'gil', workload: 'io', sleeps: 4, sleepMs: 20 })).value;
  assert.ok(anyOverlap(lane(r, 0, 'sleep'), lane(r, 1, 'sleep')));
});

test('a bad GIL option is refused with its name, and mining still works after', async () => {
  assert.match((await call(page, 'gil', { threads: 2, mode: 'gil', switchIntervalMs: 1000 })).error, /^switchIntervalMs: /);
  assert.match((await call(page, 'gil', { threads: 0, mode: 'gil' })).error, /^threads: /);
  assert.match((await call(page, 'gil', { threads: 2, mode: 'fast' })).error, /^mode: /);
  const m = (await call(page, 'mine', { workers: 2, start: '1963170', count: 3 })).value;
  assert.equal(m.coins.length, 1);
});

test('each executor preset ends as Python would, and a deadlock names its tasks', async () => {
  /** @type {{id: string, expected: string}[]} */
  const presets = await page.evaluate(() => lab.contract.models.executor.presets);
  assert.ok(presets.length >= 5);
  for (const p of presets) {
    const r = (await call(page, 'executor', { preset: p.id })).value;
    assert.equal(r.ended, p.expected, p.id);
    if (r.ended === 'deadlock') {
      assert.ok(r.cycle.length >= 1 && r.cycleText, p.id);
      assert.ok(r.detectedAfterMs < 1000, `${p.id}: detected after ${r.detectedAfterMs} ms`);
    }
  }
  const pair = (await call(page, 'executor', { preset: 'deadlock-pair' })).value;
  assert.deepEqual(pair.cycle.map((c) => c.task).sort(), ['a', 'b']);
  assert.deepEqual(pair.cycle.map((c) => c.worker).sort(), [0, 1]);
  const nested = (await call(page, 'executor', { preset: 'deadlock-nested' })).value;
  assert.match(nested.cycleText, /wait_on_future.*pow.*queued/);
  const timeout = (await call(page, 'executor', { preset: 'pair-timeout' })).value;
  assert.match(timeout.error, /TimeoutError/);
});

test('a general wait-for cycle of three is caught; a chain that ends is not', async () => {
  const tasks = ['a', 'b', 'c'].map((name, i, all) => ({ name, workMs: 50, waitsFor: [all[(i + 1) % 3]] }));
  const cycle = (await call(page, 'executor', { maxWorkers: 3, submit: ['a', 'b', 'c'], tasks })).value;
  assert.equal(cycle.ended, 'deadlock');
  assert.deepEqual(cycle.cycle.map((c) => c.task).sort(), ['a', 'b', 'c']);
  const chain = (await call(page, 'executor', { maxWorkers: 2, submit: ['a', 'b'], tasks: [{ name: 'a', waitsFor: ['b'] }, { name: 'b', workMs: 50 }] })).value;
  assert.equal(chain.ended, 'done');
});

test('a bad executor description is refused with the name, and after a deadlock mining gives the right coins', async () => {
  const unknown = await call(page, 'executor', { maxWorkers: 1, submit: ['a'], tasks: [{ name: 'a', waitsFor: ['x'] }] });
  assert.match(unknown.error, /waitsFor.*"x"/);
  const noTask = await call(page, 'executor', { maxWorkers: 1, submit: ['zz'], tasks: [{ name: 'a' }] });
  assert.match(noTask.error, /^submit: .*"zz"/);
  assert.match((await call(page, 'executor', { preset: 'nope' })).error, /^preset: /);
  assert.equal((await call(page, 'executor', { preset: 'deadlock-pair' })).value.ended, 'deadlock');
  const m = (await call(page, 'mine', { workers: 2, count: 2_500_000 })).value;
  assert.deepEqual(m.coins.map((c) => c.nonce), ['1963172', '2151541', '2295942', '2483713']);
  for (const c of m.coins) assert.equal(md5(c.text), c.md5);
});

test('Stop ends an event-loop experiment at once, and the next one runs', async () => {
  const r = await page.evaluate(async () => {
    const t0 = performance.now();
    const run = lab.loop({ scenario: 'sequential', scale: 1 }).then(() => 'finished', (e) => e.message);
    await new Promise((res) => setTimeout(res, 200));
    lab.stop('loop');
    const outcome = await run;
    return { outcome, early: performance.now() - t0 < 3000 };
  });
  assert.deepEqual(r, { outcome: 'loop: stopped', early: true });
  assert.equal((await call(page, 'loop', { scenario: 'order' })).value.order.at(-1), 'timer (a task)');
});

test('the Models panel, driven from the page: GIL lanes with a text alternative, a trace export, and the which-model table', onlyChromium('drives the Models panel through Playwright locators'), async () => {
  await page.goto(`${session.server.url}#models`);
  await page.evaluate(() => window.lab.ready);
  await page.locator('#gil-threads-n').fill('2');
  await page.locator('#gil-run').click();
  await page.locator('#gil-run:disabled').waitFor();
  await page.locator('#gil-run:enabled').waitFor({ timeout: 60000 });
  assert.match(await page.locator('#gil-summary').innerText(), /under the GIL/);
  assert.equal(await page.locator('#gil-table tbody tr').count(), 2);
  const lanes = page.locator('#gil-lanes canvas, canvas#gil-lanes').first();
  assert.equal(await lanes.getAttribute('role'), 'img');
  assert.match((await lanes.getAttribute('aria-label')) ?? '', /\w+/);
  const trace = await page.locator('#gil-trace').evaluate((a) => fetch(/** @type {HTMLAnchorElement} */ (a).href).then((r) => r.json()));
  assert.ok(trace.traceEvents.some((e) => e.ph === 'X' && e.dur > 0), 'complete events with durations');
  assert.ok(trace.traceEvents.some((e) => e.ph === 'M' && e.name === 'thread_name'));
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'gil-run', 'focus back on Run');

  await page.locator('#cmp-run').click();
  await page.locator('#cmp-run:enabled').waitFor({ timeout: 120000 });
  const rows = await page.locator('#cmp-table tbody tr').count();
  assert.equal(rows, 2, 'a CPU job and an I/O job');
  assert.ok(await page.locator('#cmp-table tbody td', { hasText: 'best' }).count() >= 2, 'a best model marked per row');
  assert.ok(await page.locator('#cmp-reasons li').count() >= 2);
  assert.deepEqual(/** @type {any} */ (page).errors, []);
});
