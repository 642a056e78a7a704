// The soak: many runs of mining, primes and link checks, interleaved, while the pool
// size changes among 1, 2, 7, 64 and 128. Every result is verified; after each change
// of pool the live workers (Chromium's worker targets, over the DevTools protocol)
// are the link worker, the engine and as many pool workers as the largest pool so far
// (the engine keeps its workers for later pools: none lost, none doubled); the JS heap
// and the wasm memory stay flat (under 10% growth between the first measure, once
// every size has been started and after a tenth of the runs, and the last).
//
//   node tests/soak/soak.mjs [--runs 1000]      make soak (minutes)
//   node tests/soak/soak.mjs --runs 40          the short version make test runs
//
// Prints its figures; exits non-zero on the first wrong result or out-of-bound figure.
import { parseArgs } from 'node:util';
import { startServer, launch, openLab, call, md5, workerCounter } from '../e2e/harness.mjs';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '1000' } } });
const RUNS = Number(values.runs);
if (!Number.isInteger(RUNS) || RUNS < 20) {
  console.error(`--runs: expected an integer of at least 20 (every pool size once, then runs to measure), got ${values.runs}`);
  process.exit(2);
}
const POOLS = [1, 2, 7, 64, 128];
// A pool size lasts this many runs, so that each size is visited at least twice.
const PER_POOL = Math.max(3, Math.floor(RUNS / (POOLS.length * 4)));
const MINE_COUNT = 2 ** 20;
// The first memory measure: after a tenth of the runs (run 100 of 1,000), and never
// before every pool size has been started once (the memory holds the stacks of the
// largest pool's workers from then on).
const FIRST_MEASURE = Math.max(Math.floor(RUNS / 10), PER_POOL * POOLS.length);
// Known answers: primes and composites (561 is a Carmichael number; 2^61−1 a Mersenne prime).
const NUMBERS = [['2305843009213693951', true], ['561', false], ['1000000007', true], ['1000000008', false],
  ['18446744073709551557', true], ['4294967297', false], ['97', true], ['1', false]];

function fail(msg) {
  console.error(`soak: FAILED: ${msg}`);
  process.exitCode = 1;
  throw new Error(msg);
}

const server = await startServer();
const browser = await launch();
const t0 = Date.now();
try {
  const page = await openLab(browser, server.url);
  const pageCdp = await page.context().newCDPSession(page);
  const workers = await workerCounter(browser);
  // After a settled GC: Comlink releases its proxies through a FinalizationRegistry,
  // whose callbacks run only after a collection, so a second one frees what they let go.
  async function heapBytes() {
    await pageCdp.send('HeapProfiler.collectGarbage');
    await new Promise((r) => setTimeout(r, 200));
    await pageCdp.send('HeapProfiler.collectGarbage');
    return (await pageCdp.send('Runtime.getHeapUsage')).usedSize;
  }
  const labUrls = await page.evaluate(() => lab.labLinks('lab'));
  /** @type {Map<number, string>} coins of each mining range, as first found */
  const coinsOf = new Map();
  /** wasm memory per pool size: first measure after a tenth of the runs, and the last */
  const wasmFirst = new Map();
  const wasmLast = new Map();
  let heapFirst = 0;
  let heapLast = 0;
  let changes = 0;
  let checks = 0;
  let pool = 0;
  let largest = 0;

  for (let run = 0; run < RUNS; run++) {
    const size = POOLS[Math.floor(run / PER_POOL) % POOLS.length];
    const kind = ['mine', 'primes', 'links'][run % 3];
    if (kind === 'links') {
      const r = await call(page, 'links', { urls: labUrls, timeoutMs: 5000, concurrency: 20 });
      if (r.error) fail(`run ${run}: links: ${r.error}`);
      const idx = r.value.results.map((x) => x.index);
      if (idx.length !== labUrls.length || new Set(idx).size !== labUrls.length || idx.some((i, k) => i !== k)) fail(`run ${run}: links: results lost, doubled or out of order`);
      const bad = r.value.results.filter((x) => !['ok', 'redirect', 'broken'].includes(x.verdict));
      if (bad.length) fail(`run ${run}: links: ${bad.map((x) => `${x.url} ${x.verdict} ${x.error}`).join(', ')}`);
      checks += labUrls.length;
    } else if (kind === 'mine') {
      const start = ((run / 3) % 8 | 0) * MINE_COUNT;
      const r = await call(page, 'mine', { workers: size, start, count: MINE_COUNT });
      if (r.error) fail(`run ${run}: mine on ${size}: ${r.error}`);
      if (r.value.hashes !== MINE_COUNT) fail(`run ${run}: mine: ${r.value.hashes} hashes, not ${MINE_COUNT}`);
      if (r.value.perWorkerHashes.length !== size) fail(`run ${run}: mine: ${r.value.perWorkerHashes.length} threads counted on a pool of ${size}`);
      for (const c of r.value.coins) if (md5(c.text) !== c.md5 || !c.md5.endsWith('00000')) fail(`run ${run}: ${c.text} is not a coin`);
      const texts = r.value.coins.map((c) => c.text).sort().join(',');
      if (!coinsOf.has(start)) coinsOf.set(start, texts);
      else if (coinsOf.get(start) !== texts) fail(`run ${run}: the coins of ${start}.. differ on ${size} workers`);
      checks += r.value.coins.length;
    } else {
      const r = await call(page, 'primes', { workers: size, numbers: NUMBERS.map(([n]) => n), algorithm: 'miller-rabin' });
      if (r.error) fail(`run ${run}: primes on ${size}: ${r.error}`);
      r.value.results.forEach((x, i) => { if (x.prime !== NUMBERS[i][1] || x.n !== NUMBERS[i][0]) fail(`run ${run}: ${x.n} prime=${x.prime}`); });
      checks += NUMBERS.length;
    }
    if (kind !== 'links' && size !== pool) {
      // A changed pool, on the same engine: the workers it lacked were started, and
      // the others wait for a later pool.
      changes++;
      pool = size;
      largest = Math.max(largest, size);
      const want = 1 + 1 + largest; // the link worker, the engine, the workers it started
      const n = await workers.settleAt(want, 10000);
      if (n !== want) fail(`run ${run}: ${n} live workers after the change to ${size}, expected ${want}`);
    }
    const progress = await page.evaluate(() => lab.progress());
    if (run >= FIRST_MEASURE) {
      if (!wasmFirst.has(pool)) wasmFirst.set(pool, progress.memoryBytes);
      wasmLast.set(pool, progress.memoryBytes);
      if (!heapFirst) heapFirst = await heapBytes();
    }
    if ((run + 1) % 50 === 0) console.log(`soak: ${run + 1} runs, ${changes} pool changes, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  heapLast = await heapBytes();
  const mb = (b) => (b / 2 ** 20).toFixed(1);
  console.log(`soak: ${RUNS} runs (mining, primes, link checks) in ${((Date.now() - t0) / 1000).toFixed(0)} s; ${changes} pool changes among ${POOLS.join(', ')}; ${checks} results verified`);
  console.log(`soak: JS heap after GC ${(heapFirst / 1024).toFixed(0)} KiB at run ${FIRST_MEASURE}, ${(heapLast / 1024).toFixed(0)} KiB at the end (${(100 * (heapLast / heapFirst - 1)).toFixed(1)}%)`);
  const growth = [];
  for (const [size, first] of wasmFirst) {
    const last = wasmLast.get(size);
    console.log(`soak: wasm memory with ${size} worker${size === 1 ? '' : 's'}: ${mb(first)} MiB, then ${mb(last)} MiB`);
    growth.push([size, last / first]);
  }
  if (heapLast > heapFirst * 1.1) fail(`the JS heap grew ${(100 * (heapLast / heapFirst - 1)).toFixed(0)}% (bound 10%)`);
  for (const [size, g] of growth) if (g > 1.1) fail(`wasm memory with a pool of ${size} grew ${(100 * (g - 1)).toFixed(0)}% (bound 10%)`);
  console.log('soak: passed');
} finally {
  await browser.close();
  await server.stop();
}
