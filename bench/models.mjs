// The models part of make bench: the GIL table (T = 1, 2, 4 threads × gil, free,
// processes, async; cpu and io), the event loop's gather and lag figures, and the
// course's own scripts in CPython in the same run, so the page's numbers sit beside
// Python's.
import { execFileSync } from 'node:child_process';
import { median } from '../www/ui/sweep-math.js';

const THREADS = [1, 2, 4];
/** @type {import('../www/types.js').GilOptions['mode'][]} */
const MODES = ['gil', 'free', 'processes', 'async'];
/** @type {import('../www/types.js').GilOptions['workload'][]} */
const WORKLOADS = ['cpu', 'io'];
/** @type {import('../www/types.js').LoopOptions['scenario'][]} */
const SCENARIOS = ['gather', 'sequential', 'aiohttp', 'aiohttp-sequential', 'blocking', 'hybrid'];

/**
 * @param {import('playwright-core').Page} page
 * @param {(...a: unknown[]) => void} log
 * @param {number} reps
 * @param {string} root
 * @param {number} cores
 */
export async function modelsBench(page, log, reps, root, cores) {
  const { gil: g } = await page.evaluate(() => lab.contract.models);
  /** @type {{workload: string, mode: string, threads: number, ms: number, runs: number[], handovers: number, overOne?: number}[]} */
  const rows = [];
  for (const workload of WORKLOADS) {
    for (const mode of MODES) {
      for (const threads of THREADS) {
        log(`models: ${workload}, ${mode}, ${threads} threads`);
        const runs = [];
        let handovers = 0;
        for (let i = 0; i <= reps; i++) {
          const r = await page.evaluate((o) => lab.gil(o), { threads, mode, workload });
          if (i > 0) runs.push(r.elapsedMs); // the first run warms the pool and the code
          handovers = r.handovers;
        }
        rows.push({ workload, mode, threads, ms: median(runs), runs, handovers });
      }
    }
  }
  for (const r of rows) r.overOne = r.ms / rows.find((x) => x.workload === r.workload && x.mode === r.mode && x.threads === 1).ms;

  log('models: event loop');
  /** @type {Record<string, {elapsedMs: number, maxLagMs: number, cpuMs?: number, sumMs: number, maxMs: number}>} */
  const loop = {};
  for (const scenario of SCENARIOS) {
    const runs = [];
    for (let i = 0; i < reps; i++) runs.push(await page.evaluate((s) => lab.loop({ scenario: s }), scenario));
    const pick = (/** @type {string} */ k) => median(runs.map((r) => /** @type {any} */ (r)[k] ?? 0));
    loop[scenario] = { elapsedMs: pick('elapsedMs'), maxLagMs: pick('maxLagMs'), cpuMs: pick('cpuMs'), sumMs: pick('sumMs'), maxMs: pick('maxMs') };
  }

  log('models: the course in CPython');
  // The same countdown length as the page's default, and the page's default scale.
  const python = JSON.parse(execFileSync('python3', [`${root}bench/course_models.py`, '--n', String(g.defaultN), '--scale', '0.2'], { encoding: 'utf8' }));

  const at = (/** @type {string} */ w, /** @type {string} */ m, /** @type {number} */ t) => rows.find((r) => r.workload === w && r.mode === m && r.threads === t);
  const shape = THREADS.filter((t) => t > 1).map((t) => ({
    threads: t,
    gilOverOne: at('cpu', 'gil', t).overOne,
    gilTarget: 0.9 * t,
    processesOverOne: at('cpu', 'processes', t).overOne,
    freeOverOne: at('cpu', 'free', t).overOne,
    expectedParallel: Math.ceil(t / cores),
  }));
  const f2 = (/** @type {number} */ x) => x.toFixed(2);
  const markdown = [
    '## Models: the GIL, the event loop, and the course in CPython',
    '',
    `The course's countdown (n = ${g.defaultN.toLocaleString('en-US')} per thread, ${g.opsPerIteration} bytecode instructions an iteration) on the lab's interpreter; io: ${g.defaultSleeps} × ${g.defaultSleepMs} ms of blocking sleep per thread. Median of ${reps} runs after one warm-up; "× one" is the time over the same mode with one thread.`,
    '',
    '| workload | mode | threads | wall | × one | hand-overs |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.workload} | ${r.mode} | ${r.threads} | ${Math.round(r.ms)} ms | ${f2(r.overOne)} | ${r.handovers} |`),
    '',
    'Expected shape on this machine: gil cpu ≥ 0.9 × T × one thread; free and processes about one thread × ⌈T / cores⌉:',
    ...shape.map((s) => `- T = ${s.threads}: gil ${f2(s.gilOverOne)}× (≥ ${f2(s.gilTarget)}: ${s.gilOverOne >= s.gilTarget ? 'met' : 'not met'}); processes ${f2(s.processesOverOne)}×, free ${f2(s.freeOverOne)}× (expected about ${s.expectedParallel}×)`),
    '',
    '| loop scenario | wall | sum of tasks | longest task | largest loop lag | CPU step |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...Object.entries(loop).map(([s, r]) => `| ${s} | ${Math.round(r.elapsedMs)} ms | ${Math.round(r.sumMs)} ms | ${Math.round(r.maxMs)} ms | ${Math.round(r.maxLagMs)} ms | ${r.cpuMs ? `${Math.round(r.cpuMs)} ms` : '–'} |`),
    '',
    `CPython (the course's scripts, same n): one thread ${Math.round(python.one_thread_ms)} ms, two threads ${Math.round(python.two_threads_ms)} ms (${f2(python.two_threads_ms / python.one_thread_ms)}× one), two processes ${Math.round(python.two_processes_ms)} ms (${f2(python.two_processes_ms / python.one_thread_ms)}× one); asyncio.gather of the three workers at scale 0.2 ${Math.round(python.gather_ms)} ms, in turn ${Math.round(python.sequential_ms)} ms.`,
  ];
  return { json: { gil: rows, shape, loop, python }, markdown };
}
