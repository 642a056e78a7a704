// make bench: the lab's numbers on this machine, in one run.
// Mining sweep and primes sweep in headless Chromium (wasm + Web Workers), the same
// mining core natively with rayon at the same pool sizes, the md5 peers on the same
// nonces (bench/peers.mjs), cold pool starts, the link sweep beside raw fetch and
// CPython's ThreadPoolExecutor, one report: JSON + Markdown under bench/results/, with
// a `summary` object of the headline figures and the issue's targets.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { startServer, launch, openLab } from '../tests/e2e/harness.mjs';
import { median, defaultWorkerList, withSpeedup } from '../www/ui/sweep-math.js';
import { linkBench, RAW_BOUND } from './links.mjs';
import { modelsBench } from './models.mjs';
import { MAX_COUNT, buildNativePeers, jsPeers, nativePeers, nodeWasmPeer, pythonPeers } from './peers.mjs';
import { cpuBetween, threadTimes } from './threads-cpu.mjs';

const REPS = Number(process.env.BENCH_REPS || 3);
const COUNT = 2 ** 25;
const root = new URL('..', import.meta.url).pathname;
const log = (/** @type {unknown[]} */ ...a) => console.error('bench:', ...a);
const f2 = (/** @type {number} */ x) => x.toFixed(2);

// Built before anything is timed, so no compiler runs beside a measurement.
buildNativePeers(root, log);

const server = await startServer();
const browser = await launch();
const page = await openLab(browser, server.url);
const cores = await page.evaluate(() => navigator.hardwareConcurrency);
const contract = await page.evaluate(() => lab.contract);
const browserVersion = `Chromium ${browser.version()}`;
const sizes = defaultWorkerList(cores, contract.maxWorkers);

// ---------------------------------------------------------------- mining, wasm
// Rounds go through every pool size in turn, so a slow spell of the machine (a shared
// VM's neighbours, a clock boost ending) falls on all sizes alike instead of on one.
// Each timed run's tasks say where a run's time goes beside mining (src/schedule.rs):
// how long before the first task began (every thread awake at the start line), when
// the last thread took its first task, and how long the run went on after its last
// task ended (the threads returning, the result).
/** @typedef {{firstTaskMs: number, lastFirstTaskMs: number, afterLastTaskMs: number, threads: number}} TaskTimes */
/** @type {Record<number, {runs: number[], poolStartMs: number[], tasks: TaskTimes[]}>} */
const wasmRuns = Object.fromEntries(sizes.map((n) => [n, { runs: [], poolStartMs: [], tasks: [] }]));
/** md5 steps the kernel computes per candidate (of 64), as the runs report it. */
let stepsPerCandidate = NaN;
for (let round = 0; round < REPS; round++) {
  for (const n of sizes) {
    log(`mining, round ${round + 1} of ${REPS}, ${n} workers`);
    const r = await page.evaluate(async ({ n, count }) => {
      const warm = await lab.mine({ workers: n, count: count / 4 }); // a new pool, tiered up
      await lab.mine({ workers: n, count: count / 4 });
      const run = await lab.mine({ workers: n, count });
      if (run.spansDropped) throw new Error(`bench: a run of ${count} nonces dropped ${run.spansDropped} tasks from its timeline`);
      /** @type {Map<number, number>} */
      const first = new Map();
      for (const s of run.spans) first.set(s.worker, Math.min(first.get(s.worker) ?? Infinity, s.startMs));
      const tasks = {
        firstTaskMs: Math.min(...first.values()),
        lastFirstTaskMs: Math.max(...first.values()),
        afterLastTaskMs: run.elapsedMs - Math.max(...run.spans.map((s) => s.endMs)),
        threads: first.size,
      };
      return { poolStartMs: warm.poolStartMs, ms: run.elapsedMs, tasks, stepsPerCandidate: run.stepsPerCandidate };
    }, { n, count: COUNT });
    wasmRuns[n].runs.push(r.ms);
    wasmRuns[n].poolStartMs.push(r.poolStartMs);
    wasmRuns[n].tasks.push(r.tasks);
    stepsPerCandidate = r.stepsPerCandidate;
  }
}
const wasm = sizes.map((n) => {
  const t = (/** @type {keyof TaskTimes} */ k) => median(wasmRuns[n].tasks.map((x) => x[k]));
  return {
    workers: n, ms: median(wasmRuns[n].runs), runs: wasmRuns[n].runs, poolStartMs: median(wasmRuns[n].poolStartMs),
    tasks: { firstTaskMs: t('firstTaskMs'), lastFirstTaskMs: t('lastFirstTaskMs'), afterLastTaskMs: t('afterLastTaskMs'), threads: t('threads') },
  };
});

// ---------------------------------------------------------------- where the CPU goes during a run
// Every thread of the browser, from /proc, around warm runs at N = 1, at N = cores and
// at N = 100 (REPS of each, the one of median time kept): what the pool's workers got (CPU, time runnable but waiting for a
// core, time slices), and what the other threads (the page, the engine worker, the
// compositor, the browser and GPU processes) took beside them.
const CHROMIUM_EXE = process.env.CHROMIUM || '/usr/bin/chromium';
/** @type {Record<number, ReturnType<typeof cpuBetween> & {wallMs: number, runMs: number, poolShare?: number, othersCores?: number}>} */
const cpuByThread = {};
// REPS rounds through the sizes; each size keeps its run of median time.
/** @type {Record<number, (typeof cpuByThread)[number][]>} */
const cpuRuns = {};
const CPU_SIZES = [...new Set([1, cores, ...sizes.filter((x) => x === 100)])];
for (let round = 0; round < REPS; round++) {
  for (const n of CPU_SIZES) {
    log(`CPU by thread, ${n} workers, ${round + 1} of ${REPS}`);
    await page.evaluate(async ({ n, count }) => { await lab.mine({ workers: n, count: count / 4 }); await lab.mine({ workers: n, count: count / 4 }); }, { n, count: COUNT });
    const before = threadTimes(CHROMIUM_EXE);
    const t0 = performance.now();
    const runMs = await page.evaluate(async ({ n, count }) => (await lab.mine({ workers: n, count })).elapsedMs, { n, count: COUNT });
    const wallMs = performance.now() - t0;
    (cpuRuns[n] ??= []).push({ ...cpuBetween(before, threadTimes(CHROMIUM_EXE), n), wallMs, runMs });
  }
}
for (const n of CPU_SIZES) {
  const c = [...cpuRuns[n]].sort((a, b) => a.runMs - b.runMs)[cpuRuns[n].length >> 1];
  // The pool's CPU over the cores it could use (min(n, cores)) for the run's wall time,
  // and the other threads' CPU in cores.
  cpuByThread[n] = { ...c, poolShare: c.poolMs / c.wallMs / Math.min(n, cores), othersCores: c.othersMs / c.wallMs };
}

// ---------------------------------------------------------------- the lab's coins, the peers' reference
// Every coin on [0, MAX_COUNT): each peer's coins must equal these on its range.
log(`the lab's coins on [0, ${MAX_COUNT})`);
const ours = await page.evaluate(async (count) => (await lab.mine({ workers: navigator.hardwareConcurrency, start: 0, count })).coins.map((c) => Number(c.nonce)), MAX_COUNT);
ours.sort((a, b) => a - b);

// ---------------------------------------------------------------- bare workers
/**
 * Runs in a page: `reps` times, n module workers whose script only posts a message,
 * started at once; ms until every one has posted.
 * @param {{n: number, reps: number}} a
 */
async function bareWorkers({ n, reps }) {
  const url = URL.createObjectURL(new Blob(['postMessage(1)'], { type: 'text/javascript' }));
  const out = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const ws = await Promise.all(Array.from({ length: n }, () => new Promise((resolve) => {
      const w = new Worker(url, { type: 'module' });
      w.onmessage = () => resolve(w);
    })));
    out.push(performance.now() - t0);
    ws.forEach((w) => w.terminate());
    if (i + 1 < reps) await new Promise((r) => setTimeout(r, 300));
  }
  URL.revokeObjectURL(url);
  return out;
}

// ---------------------------------------------------------------- cold pool start
// A fresh page has no pool: lab.startPool(n), called as soon as the page is ready,
// waits for the page's warm-up at load (on the link worker) to end, starts an engine
// on the module the page compiled at load, starts n workers and warms the code up.
// What the page did once at load, for every pool (the module's compile, the page's
// warm-up), is reported beside it. Median of REPS fresh pages per size.
const COLD_SIZES = [...new Set([cores, 10, 100])].filter((n) => n <= contract.maxWorkers).sort((a, b) => a - b);
/** @type {Record<number, {poolStartMs: number, moduleMs: number, poolMs: number, warmUpMs: number, pageLoadMs: number, pageWarmUpMs: number, settledMs: number, freshFloorMs: number, waitMs: number, engineMs: number, phases: Record<string, number>, runs: import('../www/types.js').PoolStart[], pages: import('../www/types.js').PageModule[], settled: import('../www/types.js').PoolStart[]}>} */
const coldStarts = {};
for (const n of COLD_SIZES) {
  const runs = [];
  const pages = [];
  const settled = [];
  /** @type {number[]} */
  const freshFloors = [];
  for (let i = 0; i < REPS; i++) {
    log(`cold pool start, ${n} workers, ${i + 1} of ${REPS}`);
    const fresh = await openLab(browser, server.url);
    runs.push(await fresh.evaluate((n) => lab.startPool(n, { cold: true }), n));
    pages.push(await fresh.evaluate(() => lab.pageModule()));
    await fresh.close();
    // The same, once the page's load work is over, as when a learner reads the page
    // for a moment before pressing Run.
    const later = await openLab(browser, server.url);
    settled.push(await later.evaluate(async (n) => { await lab.pageModule(); return lab.startPool(n, { cold: true }); }, n));
    await later.close();
    // The browser's floor in the same state: n bare workers, the first on a fresh page
    // once its load work is over (a page's first workers start slower than later ones).
    const bare = await openLab(browser, server.url);
    await bare.evaluate(() => lab.pageModule());
    freshFloors.push(...await bare.evaluate(bareWorkers, { n, reps: 1 }));
    await bare.close();
  }
  if (runs.some((r) => !r.cold || r.workersStarted !== n)) throw new Error(`bench: a cold start of ${n} reused a pool or workers`);
  const pick = (/** @type {'poolStartMs' | 'moduleMs' | 'poolMs' | 'warmUpMs'} */ k) => median(runs.map((r) => r[k]));
  const phase = (/** @type {(p: import('../www/types.js').PoolPhases) => number} */ f) => median(runs.map((r) => (r.phases ? f(r.phases) : NaN)));
  coldStarts[n] = {
    poolStartMs: pick('poolStartMs'), moduleMs: pick('moduleMs'), poolMs: pick('poolMs'), warmUpMs: pick('warmUpMs'),
    pageLoadMs: median(pages.map((p) => p.loadMs)), pageWarmUpMs: median(pages.map((p) => p.warmUp?.ms ?? NaN)),
    settledMs: median(settled.map((r) => r.poolStartMs)),
    freshFloorMs: median(freshFloors),
    waitMs: median(runs.map((r) => r.pageWarmUpWaitMs)),
    // The engine worker starting and instantiating the module: the rest of the start.
    engineMs: median(runs.map((r) => r.poolStartMs - r.pageWarmUpWaitMs - r.poolMs - r.warmUpMs)),
    phases: {
      allReadyMs: phase((p) => p.allReadyMs), registryMs: phase((p) => p.registryMs),
      scriptMedianMs: phase((p) => p.script.median), scriptMaxMs: phase((p) => p.script.max),
      glueMedianMs: phase((p) => p.glue.median), glueMaxMs: phase((p) => p.glue.max),
      instantiateMedianMs: phase((p) => p.instantiate.median), instantiateMaxMs: phase((p) => p.instantiate.max),
    },
    runs,
    pages,
    settled,
  };
}

// ---------------------------------------------------------------- the browser's own floor
// N bare module workers (a script that only posts a message), started at once from the
// page: what this browser on this machine needs to give N threads a script to run,
// before any of the lab's code. A pool of N cannot start faster than this. Here on the
// page the bench has used all along; the cold starts above measure it on fresh pages
// too, where it is higher (a probe: 10 workers 65-81 ms on a fresh page once its load
// work was over, 47-51 on a used one).
/** @type {Record<number, number>} */
const workerFloorMs = {};
for (const n of COLD_SIZES) {
  log(`bare workers, ${n}`);
  workerFloorMs[n] = median(await page.evaluate(bareWorkers, { n, reps: REPS }));
}

// ---------------------------------------------------------------- a later pool on the same page
// What a learner waits for when moving the slider after the first run: the engine
// keeps its workers, so a pool of n after one of 1 starts n - 1 of them ("grow"), and
// a pool of n / 2 after it starts none ("shrink").
/** @type {Record<number, number>} */
const laterStarts = {};
/** @type {Record<number, number>} */
const shrinkStarts = {};
for (const n of COLD_SIZES) {
  const grow = [];
  const shrink = [];
  for (let i = 0; i < REPS; i++) {
    log(`a later pool on the same page, ${n} workers, ${i + 1} of ${REPS}`);
    const fresh = await openLab(browser, server.url);
    const [g, s] = await fresh.evaluate(async (n) => {
      await lab.startPool(n === 1 ? 2 : 1);
      return [await lab.startPool(n), await lab.startPool(Math.max(1, n >> 1))];
    }, n);
    if (g.cold || g.workersKept !== 1 || s.workersStarted !== 0) throw new Error(`bench: a later pool of ${n} was not built on the kept workers`);
    grow.push(g.poolStartMs);
    shrink.push(s.poolStartMs);
    await fresh.close();
  }
  laterStarts[n] = median(grow);
  shrinkStarts[n] = median(shrink);
}

// ---------------------------------------------------------------- the first run on a fresh page
// A fresh engine warms its compiled code up as part of the pool's start; the first
// timed run should then mine as fast as the second (target ≥ 0.85).
const firstRuns = [];
for (let i = 0; i < REPS; i++) {
  log(`first run on a fresh page, ${i + 1} of ${REPS}`);
  const fresh = await openLab(browser, server.url);
  firstRuns.push(await fresh.evaluate(async (count) => {
    const a = await lab.mine({ workers: 2, count });
    const b = await lab.mine({ workers: 2, count });
    return { ratio: (a.hashes / a.elapsedMs) / (b.hashes / b.elapsedMs), poolStartMs: a.poolStartMs, warmUpMs: a.warmUpMs };
  }, 2 ** 24));
  await fresh.close();
}
const firstRatio = median(firstRuns.map((r) => r.ratio));

// ---------------------------------------------------------------- stop latency
log('stop latency');
const stops = await page.evaluate(async () => {
  const out = [];
  for (let i = 0; i < 5; i++) {
    const run = lab.mine({ workers: 2, mode: 'random', count: '1000000000000' });
    await new Promise((r) => setTimeout(r, 400));
    const t = performance.now();
    lab.stop('mine');
    await run;
    out.push(performance.now() - t);
  }
  return out;
});

// ---------------------------------------------------------------- main thread during a run
// What the sections below read in the page, defined there once: the main thread's
// tasks over 50 ms from now until stop(), and a time the page writes as "N s" or "N ms".
await page.evaluate(() => {
  /** @type {any} */ (window).bench = {
    longTasks() {
      /** @type {{atMs: number, ms: number}[]} */
      const out = [];
      const t0 = performance.now();
      const observer = new PerformanceObserver((list) => out.push(...list.getEntries().map((e) => ({ atMs: e.startTime - t0, ms: e.duration }))));
      observer.observe({ type: 'longtask' });
      return { t0, stop: () => { observer.disconnect(); return out; } };
    },
    /** @param {RegExp} re  its groups: the number, then s or ms @param {string | null} text */
    ms(re, text) {
      const m = re.exec(text ?? '');
      return m ? Number(m[1]) * (m[2] === 's' ? 1000 : 1) : null;
    },
  };
});
// Five runs from the page's own Run button, each long enough (about a second here) to
// cover a run's start, its first second and its end; every task over 50 ms is kept.
const LONG_TASK_RUNS = 5;
const LONG_TASK_NONCES = 100_000_000;
/** @type {{run: number, atMs: number, ms: number}[]} */
const longTasks = [];
for (let run = 1; run <= LONG_TASK_RUNS; run++) {
  log(`main thread during a run from the page, ${run} of ${LONG_TASK_RUNS}`);
  const seen = await page.evaluate(async ({ workers, nonces }) => {
    const watch = /** @type {any} */ (window).bench.longTasks();
    /** @type {HTMLInputElement} */ (document.querySelector('#mine-workers')).value = String(workers);
    /** @type {HTMLInputElement} */ (document.querySelector('#mine-count')).value = String(nonces);
    const summary = /** @type {HTMLElement} */ (document.querySelector('#mine-summary'));
    summary.textContent = '';
    /** @type {HTMLButtonElement} */ (document.querySelector('#mine-run')).click();
    while (!/hashes in/.test(summary.textContent ?? '')) await new Promise((r) => setTimeout(r, 100));
    return watch.stop();
  }, { workers: cores, nonces: LONG_TASK_NONCES });
  longTasks.push(...seen.map((t) => ({ run, ...t })));
}

// ---------------------------------------------------------------- scale: 2^20 to 2^32 nonces
// Issue #12: the cost per candidate stays the same from 2^20 to 2^32 nonces (nothing is
// allocated per candidate, the wasm memory stays flat), and a 2^32-nonce run from the
// page's Run button shows live progress and a time left that holds. N = cores, on the
// pool the page has; the last size is the run from the button.
const SCALE_EXPONENTS = [20, 22, 24, 26, 28, 30];
/** @type {{exponent: number, runs: number[], ms: number, nsPerCandidate: number, memoryBefore: number, memoryAfter: number}[]} */
const scale = [];
for (const exponent of SCALE_EXPONENTS) {
  log(`scale, 2^${exponent} nonces on ${cores} workers`);
  const r = await page.evaluate(async ({ workers, count, reps }) => {
    await lab.mine({ workers, count: 2 ** 20 }); // the pool of this size, warm
    const memoryBefore = lab.progress()?.memoryBytes ?? 0;
    const runs = [];
    for (let i = 0; i < reps; i++) runs.push((await lab.mine({ workers, count: String(count) })).elapsedMs);
    return { runs, memoryBefore, memoryAfter: lab.progress()?.memoryBytes ?? 0 };
  }, { workers: cores, count: 2 ** exponent, reps: REPS });
  const ms = median(r.runs);
  scale.push({ exponent, ...r, ms, nsPerCandidate: (ms * 1e6 * cores) / 2 ** exponent });
}
log(`scale, 2^32 nonces on ${cores} workers from the Run button`);
const bigRun = await page.evaluate(async ({ workers }) => {
  const memoryBefore = lab.progress()?.memoryBytes ?? 0;
  const q = (/** @type {string} */ s) => /** @type {any} */ (document.querySelector(s));
  q('#mine-workers').value = String(workers);
  q('#mine-count').value = String(2 ** 32);
  q('#mine-start').value = '';
  q('#mine-coins').value = '';
  q('#mine-budget').value = '';
  q('#mine-summary').textContent = '';
  const { bench } = /** @type {any} */ (window);
  const samples = [];
  const watch = bench.longTasks();
  const t0 = watch.t0;
  q('#mine-run').click();
  // The live line once a second; the end looked for every 50 ms, so that the time a run
  // still took after a sample is measured to within that.
  let next = 1000;
  while (!/hashes in/.test(q('#mine-summary').textContent ?? '')) {
    await new Promise((r) => setTimeout(r, 50));
    const atMs = performance.now() - t0;
    if (atMs < next || /hashes in/.test(q('#mine-summary').textContent ?? '')) continue;
    next += 1000;
    samples.push({ atMs, done: Number(q('#mine-bar').value), etaMs: bench.ms(/about ([\d.]+) (s|ms) left/, q('#mine-stats').textContent) });
  }
  const endMs = performance.now() - t0;
  // The run's end: its result, rows, timeline and exports, each task timed too.
  await new Promise((r) => setTimeout(r, 1000));
  const longTasks = watch.stop();
  const p = lab.progress();
  return {
    samples, endMs, elapsedMs: bench.ms(/hashes in ([\d.]+) (s|ms)/, q('#mine-summary').textContent),
    hashes: p?.hashes ?? null, coins: p?.coins ?? null, memoryBefore, memoryAfter: p?.memoryBytes ?? 0, longTasks,
    summary: q('#mine-summary').textContent,
  };
}, { workers: cores });
{
  const ms = bigRun.elapsedMs ?? bigRun.endMs;
  scale.push({ exponent: 32, runs: [ms], ms, nsPerCandidate: (ms * 1e6 * cores) / 2 ** 32, memoryBefore: bigRun.memoryBefore, memoryAfter: bigRun.memoryAfter });
}
// The time left the page showed when a tenth, half and nine tenths of the run were done,
// against the time the run then still took.
const etaChecks = [0.1, 0.5, 0.9].map((at) => {
  const shown = bigRun.samples.filter((x) => x.etaMs !== null);
  if (!shown.length) return { at, done: null, shownMs: null, actualMs: null };
  const s = shown.reduce((a, b) => (Math.abs(b.done - at) < Math.abs(a.done - at) ? b : a));
  return { at, done: s.done, shownMs: s.etaMs, actualMs: bigRun.endMs - s.atMs };
});
// time = fixed + perCandidate × count, fitted with each size weighted by 1 / time²
// (least squares on relative errors): the small sizes then set the fixed part, what a
// run costs whatever its size (waking the pool, handing out the first tasks, the
// result), and the large ones what each candidate costs, where an unweighted fit would
// lose the few fixed milliseconds in the big runs' noise. Then how far each size's own
// cost per candidate, less the fixed part, is from the fit's.
const scaleFit = (() => {
  const pts = scale.map((p) => ({ x: 2 ** p.exponent, y: p.ms, w: 1 / p.ms ** 2 }));
  const sum = (/** @type {(p: typeof pts[number]) => number} */ f) => pts.reduce((a, p) => a + f(p), 0);
  const [sw, sx, sy, sxx, sxy] = [sum((p) => p.w), sum((p) => p.w * p.x), sum((p) => p.w * p.y), sum((p) => p.w * p.x * p.x), sum((p) => p.w * p.x * p.y)];
  const slope = (sw * sxy - sx * sy) / (sw * sxx - sx * sx);
  const fixedMs = (sy - slope * sx) / sw;
  const nsPerCandidate = slope * 1e6 * cores;
  const marginal = scale.map((p) => ((p.ms - fixedMs) * 1e6 * cores) / 2 ** p.exponent);
  return { fixedMs, nsPerCandidate, marginal, largestDeviation: Math.max(...marginal.map((m) => Math.abs(m / nsPerCandidate - 1))) };
})();
const memoryFlat = scale.every((p) => p.memoryAfter === p.memoryBefore);

// ---------------------------------------------------------------- primes, wasm
const COURSE = contract.primes.courseList;
const odd = Array.from({ length: 1000 }, (_, i) => (1000000000000001n + 2n * BigInt(i)).toString());
/** @type {{name: string, numbers: string[], algorithm: 'trial' | 'miller-rabin', chunksize: number}[]} */
const primeCases = [
  { name: 'course list, trial division, chunk 1', numbers: COURSE, algorithm: 'trial', chunksize: 1 },
  { name: 'course list, Miller–Rabin, chunk 1', numbers: COURSE, algorithm: 'miller-rabin', chunksize: 1 },
  { name: '1000 odd numbers from 10^15+1, trial, chunk 1', numbers: odd, algorithm: 'trial', chunksize: 1 },
  { name: '1000 odd numbers from 10^15+1, trial, chunk 50', numbers: odd, algorithm: 'trial', chunksize: 50 },
];
const primeSizes = [...new Set([1, 2, 4, cores, 6])].sort((a, b) => a - b);
const primes = [];
for (const c of primeCases) {
  for (const n of primeSizes) {
    log(`primes: ${c.name}, ${n} workers`);
    const runs = await page.evaluate(async ({ c, n, reps }) => {
      const opts = { workers: n, numbers: c.numbers, algorithm: c.algorithm, chunksize: c.chunksize };
      await lab.primes(opts);
      const out = [];
      for (let i = 0; i < reps; i++) out.push((await lab.primes(opts)).elapsedMs);
      return out;
    }, { c, n, reps: REPS });
    primes.push({ case: c.name, workers: n, ms: median(runs), runs });
  }
}

// ---------------------------------------------------------------- links
const links = await linkBench(page, server, log, REPS);

// ---------------------------------------------------------------- models
const models = await modelsBench(page, log, REPS, root, cores);

// ---------------------------------------------------------------- JS md5 peers, same Chromium
const peersJs = await jsPeers(browser, log, REPS, root, ours);

await browser.close();
await server.stop();

// ---------------------------------------------------------------- mining, native
log('mining, native');
const nativeOut = execFileSync('cargo', ['run', '--quiet', '--release', '--example', 'mine_native', '--',
  '--workers', sizes.join(','), '--count', String(COUNT), '--reps', String(REPS)], { cwd: root, encoding: 'utf8' });
const native = Object.fromEntries(nativeOut.trim().split('\n').map((l) => JSON.parse(l)).map((r) => [r.workers, median(r.ms)]));

// ---------------------------------------------------------------- native and CPython peers
const peersNative = nativePeers(root, log, REPS, COUNT, ours);
const peerNodeWasm = nodeWasmPeer(root, log, REPS, COUNT, ours);
const python = pythonPeers(root, log, REPS, ours);

// ---------------------------------------------------------------- report
const mhs = (/** @type {number} */ ms) => COUNT / ms / 1000;
// Speed-up and efficiency as the page computes them (www/ui/sweep-math.js).
const rows = withSpeedup(wasm).map((p) => ({
  workers: p.workers,
  mhs: mhs(p.ms),
  speedup: p.speedup,
  efficiency: p.efficiency,
  poolStartMs: p.poolStartMs,
  ms: p.ms,
  tasks: p.tasks,
  nativeMhs: mhs(native[p.workers]),
  wasmOverNative: native[p.workers] / p.ms,
}));
const at = (/** @type {number} */ n) => rows.find((r) => r.workers === n);
const targets = {
  efficiencyAtCores: { value: at(cores).efficiency, target: '>= 0.9', met: at(cores).efficiency >= 0.9 },
  hundredVsCores: at(100) && { value: at(100).mhs / at(cores).mhs, target: 'within 15% of N = cores', met: Math.abs(1 - at(100).mhs / at(cores).mhs) <= 0.15 },
};

// ---------------------------------------------------------------- peers and the issue's targets
const wasmPerWorker = at(1).mhs;
const byKey = Object.fromEntries([peerNodeWasm, ...peersNative, ...peersJs, ...python.peers].map((p) => [p.key, p]));
const peerRows = [
  { key: 'wasm', name: 'lab core, wasm simd128', where: 'Chromium, 1 worker (the sweep)', mhs: wasmPerWorker, count: COUNT },
  peerNodeWasm, ...peersNative, ...peersJs, ...python.peers,
  { key: 'cpython_course_random', name: 'CPython, the course\'s script as written (random digits)', where: 'CPython, 1 process', mhs: python.courseRandomMhs, count: 2 ** 16 },
].map((p) => ({ ...p, wasmOverIt: wasmPerWorker / p.mhs }));
const fastestJs = Math.max(byKey.hash_wasm.mhs, byKey.spark_md5.mhs);
const cold = (/** @type {number} */ n) => coldStarts[n]?.poolStartMs;
/** The distance to the widest native build, split into its measured factors. */
function widestWhy() {
  const sameWidth = wasmPerWorker / byKey.native_same_width.mhs;
  const head = `wasm SIMD has 128-bit vectors and no rotate or three-input logic instruction; at that width (SSE2) wasm mines ${f2(sameWidth)}× the native build`;
  const avx2 = byKey.native_avx2;
  if (!avx2) return head;
  const lanes = avx2.mhs / byKey.native_same_width.mhs;
  const instructions = byKey.native_widest.mhs / avx2.mhs;
  return `${head}; AVX2 alone (twice the lanes, the same instructions otherwise) mines ${f2(lanes)}× SSE2, and the widest build ${f2(instructions)}× AVX2 (on an AVX-512 CPU: the same 256-bit vectors with a one-instruction rotate and three-input logic); ${f2(sameWidth)} ÷ ${f2(lanes)} ÷ ${f2(instructions)} = ${f2(wasmPerWorker / byKey.native_widest.mhs)}`;
}
/** Where N = 100's run goes beyond N = cores', from the runs' own tasks. */
function hundredWhy() {
  const [a, b] = [at(cores), at(100)];
  const tasks = `of a ${Math.round(b.ms)} ms run against ${Math.round(a.ms)} ms, the first task began ${f2(b.tasks.firstTaskMs)} ms in (every thread awake at the start line; at N = ${cores}: ${f2(a.tasks.firstTaskMs)} ms), the last thread took its first at ${Math.round(b.tasks.lastFirstTaskMs)} ms, and the run ended ${f2(b.tasks.afterLastTaskMs)} ms after its last task (N = ${cores}: ${f2(a.tasks.afterLastTaskMs)} ms)`;
  const [ca, cb] = [cpuByThread[cores], cpuByThread[100]];
  if (!ca || !cb) return tasks;
  // time = CPU ÷ (cores × the share of them used): the two factors of N = 100's loss.
  return `${tasks}; from /proc, the runs of median time: the pool's threads used ${f2(cb.poolMs / ca.poolMs)}× N = ${cores}'s CPU for the same hashes (${cb.poolSlices} time slices against ${ca.poolSlices}) and kept ${f2(cb.poolShare ?? NaN)} of the cores busy against ${f2(ca.poolShare ?? NaN)}`;
}
/** @type {{target: string, value: number | null, bound: number, atLeast: boolean, why?: string}[]} */
const targetList = [
  { target: 'wasm per worker ≥ 4× md-5 crate natively', value: wasmPerWorker / byKey.md5_crate.mhs, bound: 4, atLeast: true },
  {
    target: 'wasm per worker ≥ 1.0× our core natively, widest vectors', value: wasmPerWorker / byKey.native_widest.mhs, bound: 1, atLeast: true,
    why: widestWhy(),
  },
  { target: 'wasm per worker ≥ 45× the fastest JS md5 in a worker', value: wasmPerWorker / fastestJs, bound: 45, atLeast: true },
  // The issue's reference (0.044 M/s, "about 680×") is the course's script as written.
  {
    target: 'wasm per worker ≥ 800× CPython per core (the course\'s script as written)', value: wasmPerWorker / python.courseRandomMhs, bound: 800, atLeast: true,
    why: `the course's script draws 50 random digits per candidate: CPython's own loop on nonces mines ${f2(byKey.cpython.mhs)} M hashes/s, ${Math.round(byKey.cpython.mhs / python.courseRandomMhs)}× the script, so ${Math.round(100 * (1 - python.courseRandomMhs / byKey.cpython.mhs))}% of the script's time is drawing digits, on this CPU; the wasm kernel computes ${f2(stepsPerCandidate)} of md5's 64 steps per candidate and runs at ${f2(wasmPerWorker / byKey.native_same_width.mhs)}× the same core built natively for the same width`,
  },
  {
    target: `efficiency ≥ 0.95 at N = hardwareConcurrency (${cores})`, value: at(cores).efficiency, bound: 0.95, atLeast: true,
    why: `in the run of median time at N = ${cores} the pool threads were on a core ${f2(cpuByThread[cores].poolShare ?? NaN)} of the run and the browser's other threads took ${f2(cpuByThread[cores].othersCores ?? NaN)} of a core`,
  },
  // Issue #12: "N = 100 within 5% of it" (the older target above allows 15%).
  ...(at(100) ? [{
    target: `N = 100 within 5% of N = ${cores}'s throughput`, value: at(100).mhs / at(cores).mhs, bound: 0.95, atLeast: true,
    why: `${hundredWhy()}; natively, 100 threads mine ${(at(100).nativeMhs / at(cores).nativeMhs).toFixed(2)} of ${cores}'s rate on the same cores`,
  }] : []),
  ...[100, 10].map((n) => ({
    target: `cold pool start, ${n} workers ≤ ${n === 100 ? 1000 : 150} ms`, value: cold(n) ?? null, bound: n === 100 ? 1000 : 150, atLeast: false,
    why: coldStarts[n] && `the browser's floor for ${n} bare workers: ${Math.round(coldStarts[n].freshFloorMs)} ms as a fresh page's first workers (${Math.round(workerFloorMs[n])} ms on a page used for a while), and the engine worker, which the pool's workers wait for; of the start, waiting for the page's warm-up ${Math.round(coldStarts[n].waitMs)} ms, the engine and module ${Math.round(coldStarts[n].engineMs)} ms, the workers ${Math.round(coldStarts[n].poolMs)} ms, the warm-up ${Math.round(coldStarts[n].warmUpMs)} ms; after the page's load work: ${Math.round(coldStarts[n].settledMs)} ms`,
  })),
  { target: 'main-thread long tasks over 50 ms = 0', value: longTasks.filter((t) => t.ms > 50).length, bound: 0, atLeast: false },
  (() => {
    const worst = links.json.overRaw.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    return {
      target: `link checker ≤ ${RAW_BOUND}× plain fetch at every C, one host and 16 hosts`, value: worst.ratio, bound: RAW_BOUND, atLeast: false,
      why: `the largest ratio, ${worst.list} at C = ${worst.c}`,
    };
  })(),
];
const issueTargets = targetList.map((t) => ({ ...t, met: t.value === null ? null : t.atLeast ? t.value >= t.bound : t.value <= t.bound }));

/** Figures keyed by C, for the 16-host list (and one host). */
const byC = (/** @type {string} */ k) => Object.fromEntries(links.json.rows.map((/** @type {any} */ r) => [r.c, r[k]]));
const summary = {
  wasm_mhs_per_worker: wasmPerWorker,
  wasm_node_mhs: byKey.wasm_node.mhs,
  native_same_width_mhs: byKey.native_same_width.mhs,
  native_widest_mhs: byKey.native_widest.mhs,
  native_avx2_mhs: byKey.native_avx2?.mhs ?? null,
  md5_crate_mhs: byKey.md5_crate.mhs,
  hash_wasm_mhs: byKey.hash_wasm.mhs,
  spark_md5_mhs: byKey.spark_md5.mhs,
  cpython_mhs: byKey.cpython.mhs,
  cpython_pool2_mhs: byKey.cpython_pool2.mhs,
  cpython_course_random_mhs: python.courseRandomMhs,
  cores,
  efficiency_at_cores: at(cores).efficiency,
  run_tasks_ms: Object.fromEntries(rows.map((r) => [r.workers, {
    run: r.ms, first_task: r.tasks.firstTaskMs, last_thread_first_task: r.tasks.lastFirstTaskMs, after_last_task: r.tasks.afterLastTaskMs,
  }])),
  pool_start_ms: Object.fromEntries(COLD_SIZES.map((n) => [n, coldStarts[n].poolStartMs])),
  pool_start_breakdown_ms: Object.fromEntries(COLD_SIZES.map((n) => [n, {
    module: coldStarts[n].moduleMs, pool: coldStarts[n].poolMs, warm_up: coldStarts[n].warmUpMs, page_warm_up_wait: coldStarts[n].waitMs,
    slowest_script: coldStarts[n].phases.scriptMaxMs, slowest_glue: coldStarts[n].phases.glueMaxMs,
    slowest_instantiate: coldStarts[n].phases.instantiateMaxMs, registry: coldStarts[n].phases.registryMs,
    page_compile_at_load: coldStarts[n].pageLoadMs, page_warm_up_at_load: coldStarts[n].pageWarmUpMs,
  }])),
  bare_workers_ms: workerFloorMs,
  bare_workers_fresh_page_ms: Object.fromEntries(COLD_SIZES.map((n) => [n, coldStarts[n].freshFloorMs])),
  pool_start_later_ms: laterStarts,
  pool_start_shrink_ms: shrinkStarts,
  other_threads_cpu_share_at_cores: cpuByThread[cores].othersCores,
  pool_cpu_share_at_cores: cpuByThread[cores].poolShare,
  links_checker_ms: byC('spread'),
  links_raw_fetch_ms: byC('spreadRaw'),
  links_checker_one_host_ms: byC('oneHost'),
  links_raw_fetch_one_host_ms: byC('oneHostRaw'),
  long_tasks_over_50ms: longTasks.filter((t) => t.ms > 50).length,
  scale_ns_per_candidate_one_core: Object.fromEntries(scale.map((p) => [`2^${p.exponent}`, p.nsPerCandidate])),
  scale_fit: { fixed_ms: scaleFit.fixedMs, ns_per_candidate_one_core: scaleFit.nsPerCandidate, largest_deviation: scaleFit.largestDeviation },
  scale_wasm_memory_flat: memoryFlat,
  run_2_32: { ms: bigRun.elapsedMs, coins: bigRun.coins, hashes: bigRun.hashes, live_samples: bigRun.samples.length, eta_checks: etaChecks, long_tasks_over_50ms: bigRun.longTasks.length },
  targets: issueTargets,
};

const date = new Date().toISOString().slice(0, 10);
const machine = `${os.cpus()[0]?.model?.trim() || 'unknown CPU'}, ${cores} cores (hardwareConcurrency), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}`;

const md = [
  `# Concurrency Lab benchmark, ${date}`,
  '',
  `Machine: ${machine}. Browser: ${browserVersion}. Each point: median of ${REPS} runs, each on a new pool of that size after two warm-up runs, the pool sizes taken in turn round by round (a new pool is built on the workers the page has and starts only those it lacks: the "pool start" column; cold starts are further down).`,
  '',
  `## Coin mining: ${COUNT.toLocaleString('en-US')} nonces per run`,
  '',
  '| workers | M hashes/s (wasm) | speed-up | efficiency | pool start, same page | M hashes/s (native) | wasm / native |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.workers} | ${f2(r.mhs)} | ${f2(r.speedup)}× | ${f2(r.efficiency)} | ${Math.round(r.poolStartMs)} ms | ${f2(r.nativeMhs)} | ${f2(r.wasmOverNative)} |`),
  '',
  `Where a run's time goes beside mining, from each timed run's tasks (median of ${REPS}): when the first task began (no thread takes one before every thread is awake at the start line), when the last thread took its first, and how long the run went on after its last task ended.`,
  '',
  '| workers | run | first task at | last thread\'s first task at | after the last task |',
  '| ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.workers} | ${Math.round(r.ms)} ms | ${f2(r.tasks.firstTaskMs)} ms | ${f2(r.tasks.lastFirstTaskMs)} ms | ${f2(r.tasks.afterLastTaskMs)} ms |`),
  '',
  `The CPU lab's first targets: efficiency at N = ${cores} is ${f2(targets.efficiencyAtCores.value)} (target ≥ 0.9: ${targets.efficiencyAtCores.met ? 'met' : 'missed'})` +
    (targets.hundredVsCores ? `; N = 100 gives ${f2(targets.hundredVsCores.value)} of N = ${cores}'s throughput (target within 15%: ${targets.hundredVsCores.met ? 'met' : 'missed'})` : '') +
    ". Issue #12's stricter ones (≥ 0.95; within 5%) are under \"Targets (issue #12)\" below.",
  '',
  `First run on a fresh page at N = 2, over the second: ${f2(firstRatio)} (median of ${REPS}; target ≥ 0.85: ${firstRatio >= 0.85 ? 'met' : 'not met'}); the pool's start, ${Math.round(median(firstRuns.map((r) => r.poolStartMs)))} ms, includes ${Math.round(median(firstRuns.map((r) => r.warmUpMs)))} ms of warm-up runs.`,
  '',
  `Stop: a mining run ends ${f2(median(stops))} ms (median of 5) after Stop is pressed.`,
  '',
  `Main thread in ${LONG_TASK_RUNS} runs from the page's Run button, each mining ${LONG_TASK_NONCES.toLocaleString('en-US')} nonces on ${cores} workers with live counters: ${longTasks.length} long tasks over 50 ms${longTasks.length ? ` (${longTasks.map((t) => `run ${t.run}: ${Math.round(t.ms)} ms at ${Math.round(t.atMs)} ms after Run`).join('; ')})` : ''}.`,
  '',
  `## md5 peers: the same nonces from 0`,
  '',
  `Each peer mines nonces 0 … count − 1 (a nonce zero-padded to 50 digits, as the lab's nonce mode), one thread unless said; the peers that build their strings themselves (the course's loop shape: build the string, hash, hex, test the "00000" suffix) run a count scaled to about 2 s here, and their coins equal the lab's on their range and on a window around the lab's first coin (${ours.length} lab coins on [0, ${MAX_COUNT.toLocaleString('en-US')})). Median of ${REPS} runs after a warm-up. The machine has ${cores} cores and other work runs on it: the figures are noisy.`,
  '',
  '| peer | where | nonces | M hashes/s | wasm per worker / it |',
  '| --- | --- | ---: | ---: | ---: |',
  ...peerRows.map((p) => `| ${p.name} | ${p.where} | ${p.count.toLocaleString('en-US')} | ${p.mhs.toFixed(p.mhs < 1 ? 3 : 2)} | ${p.wasmOverIt < 10 ? f2(p.wasmOverIt) : Math.round(p.wasmOverIt)}× |`),
  '',
  `Cold pool start, a fresh page, \`lab.startPool(n)\` (median of ${REPS}):`,
  '',
  '| workers | pool start | waiting for the page\'s warm-up | engine + module | workers + registry | warm-up | slowest worker: script / glue / instantiate | registry | bare workers (floor): a used page / a fresh one | slider 1 → n, same page | slider n → n/2 | once per page, at load: compile / warm-up | pool start after the load work |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...COLD_SIZES.map((n) => {
    const c = coldStarts[n];
    return `| ${n} | ${Math.round(c.poolStartMs)} ms | ${Math.round(c.waitMs)} ms | ${Math.round(c.engineMs)} ms | ${Math.round(c.poolMs)} ms | ${Math.round(c.warmUpMs)} ms | ` +
      `${Math.round(c.phases.scriptMaxMs)} / ${Math.round(c.phases.glueMaxMs)} / ${Math.round(c.phases.instantiateMaxMs)} ms | ${Math.round(c.phases.registryMs)} ms | ` +
      `${Math.round(workerFloorMs[n])} / ${Math.round(c.freshFloorMs)} ms | ${Math.round(laterStarts[n])} ms | ${Math.round(shrinkStarts[n])} ms | ${Math.round(c.pageLoadMs)} / ${Math.round(c.pageWarmUpMs)} ms | ${Math.round(c.settledMs)} ms |`;
  }),
  '',
  'All of a pool\'s workers start at once; "script" is from `new Worker` to its script running (a thread, a JavaScript engine, the script), "glue" the worker evaluating the module\'s JavaScript (held in the workers\' one `blob:` script, so not loaded again), "instantiate" the compiled module on the shared memory with the thread\'s stack and thread-locals. "Bare workers" starts the same number of workers whose script only posts a message: the browser\'s own cost, under which no pool can start: on the page the bench has used all along, and as the first workers of a fresh page once its load work is over, as a cold start\'s are. "Engine + module" is the engine worker starting and instantiating the module; the page compiled the module once at load, on the link worker, and warmed its code up there right after (the column "once per page"; a pool asked for before that warm-up ends waits for it, in its start), and the optimised code stays with the module, so a pool on it runs no warm-up of its own (the column warm-up: 0 ms). "Slider 1 → n" is a second pool on the same page, built on the engine\'s one worker plus n − 1 started for it; "slider n → n/2" a third, on workers it keeps (none started); "after the load work" a first pool on a fresh page whose compile and warm-up are over.',
  '',
  `Where the CPU went during a run (${COUNT.toLocaleString('en-US')} nonces, warm pool; of ${REPS} runs per size, the one of median time), from /proc, every thread of the browser:`,
  '',
  '| workers | run | pool threads\' CPU | of the cores they could use | waiting runnable for a core | time slices | other threads, in cores | the largest others |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ...Object.entries(cpuByThread).map(([n, c]) => `| ${n} | ${Math.round(c.runMs)} ms | ${Math.round(c.poolMs)} ms | ${f2(c.poolShare ?? NaN)} | ${Math.round(c.poolWaitMs)} ms | ${c.poolSlices} | ${f2(c.othersCores ?? NaN)} | ${c.others.slice(0, 4).map((o) => `${o.group} ${Math.round(o.ms)} ms`).join('; ')} |`),
  '',
  'CPU, wait and slices are the kernel\'s per-thread counts (/proc/…/schedstat) between the moment before the run was asked for and its end; "of the cores they could use" is the pool\'s CPU over the wall time × min(N, cores).',
  '',
  `Scale: ${cores} workers on the pool the page has, nonce mode; median of ${REPS} runs up to 2^30, then one run of 2^32 from the page's Run button with live counters. "Per candidate" is the time × ${cores} cores over the candidates; "beyond the fixed cost" takes off the fit's fixed part per run.`,
  '',
  '| nonces | time | M hashes/s | ns per candidate, one core | the same beyond the fixed cost | wasm memory before → after |',
  '| ---: | ---: | ---: | ---: | ---: | ---: |',
  ...scale.map((p, i) => `| 2^${p.exponent} | ${p.ms >= 10_000 ? `${(p.ms / 1000).toFixed(1)} s` : `${Math.round(p.ms)} ms`} | ${f2(2 ** p.exponent / p.ms / 1000)} | ${f2(p.nsPerCandidate)} | ${f2(scaleFit.marginal[i])} | ${(p.memoryBefore / 2 ** 20).toFixed(1)} → ${(p.memoryAfter / 2 ** 20).toFixed(1)} MiB |`),
  '',
  `Fit over the sizes: ${scaleFit.fixedMs < 0.5 ? `no fixed cost per run above the noise (${f2(scaleFit.fixedMs)} ms)` : `${f2(scaleFit.fixedMs)} ms per run whatever its size`}, and ${f2(scaleFit.nsPerCandidate)} ns per candidate on one core; beyond the fixed cost every size is within ${(100 * scaleFit.largestDeviation).toFixed(1)}% of it. The wasm memory ${memoryFlat ? 'stayed the same across every size' : 'changed (see the table: a result holds its coins and up to 20,000 timeline spans, so a larger one may grow the memory once)'}. ` +
    `The 2^32-nonce run from the Run button: ${bigRun.elapsedMs === null ? 'its time was not read' : `${(bigRun.elapsedMs / 1000).toFixed(1)} s`}, ${bigRun.coins} coins (2^32 / 2^20 = 4,096 expected), the live line read ${bigRun.samples.length} times (once a second); the time left it showed, against what the run then still took: ${etaChecks.map((c) => c.shownMs === null ? `${Math.round(100 * c.at)}%: none shown` : `at ${Math.round(100 * c.done)}% done ${(c.shownMs / 1000).toFixed(1)} s against ${(c.actualMs / 1000).toFixed(1)} s`).join('; ')}; ` +
    `main-thread tasks over 50 ms from Run to a second after its end: ${bigRun.longTasks.length}${bigRun.longTasks.length ? ` (${bigRun.longTasks.map((t) => `${Math.round(t.ms)} ms at ${(t.atMs / 1000).toFixed(1)} s`).join('; ')})` : ''}.`,
  '',
  'Targets (issue #12):',
  '',
  ...issueTargets.map((t) => `- ${t.target}: ${t.value === null ? 'not measured' : `${Number.isInteger(t.value) ? t.value : f2(t.value)}${t.target.includes('ms') && !t.target.includes('tasks') ? ' ms' : t.target.includes('efficiency') || t.target.includes('tasks') ? '' : '×'}`} — ${t.met === null ? 'not measured' : t.met ? 'met' : 'not met'}${t.why && !t.met ? ` (${t.why})` : ''}`),
  '',
  '## Primes',
  '',
  '| case | workers | time | speed-up |',
  '| --- | ---: | ---: | ---: |',
  ...primes.map((p) => {
    const base = primes.find((q) => q.case === p.case && q.workers === 1).ms;
    return `| ${p.case} | ${p.workers} | ${f2(p.ms)} ms | ${f2(base / p.ms)}× |`;
  }),
  '',
  ...links.markdown,
  '',
  ...models.markdown,
  '',
].join('\n');

mkdirSync(`${root}bench/results`, { recursive: true });
// BENCH_NAME names the report (default: the date), so a second run the same day can be
// kept beside the first.
const name = process.env.BENCH_NAME || date;
const base = `${root}bench/results/${name}`;
writeFileSync(`${base}.json`, JSON.stringify({ date, machine, browser: browserVersion, reps: REPS, count: COUNT, summary, mining: rows, miningRuns: wasm, cpuByThread, nativeMs: native, stopMs: stops, firstRuns, longTasksMs: longTasks, scale, run232: bigRun, peers: peerRows, coldStarts, workerFloorMs, laterStarts, shrinkStarts, primes, links: links.json, models: models.json, targets }, null, 2));
writeFileSync(`${base}.md`, md);
console.log(md);
console.log(`\nwritten: bench/results/${name}.json and .md`);
