// The peers part of make bench: the same md5 coin search, on the same nonces (from 0),
// done by others, beside the lab's wasm kernel per worker:
// - the lab's core natively, one thread: the default target (SSE2, the sweep's native
//   column), AVX2 alone, and built for this machine's widest vectors (-C
//   target-cpu=native), each with its own target dir so the normal build's cache stays
//   valid;
// - the md-5 crate natively in the course's loop shape (examples/md5_crate.rs);
// - spark-md5 and hash-wasm in a Web Worker in the same Chromium (bench/peers-worker.js);
// - the course's miner in CPython, one process and a ProcessPoolExecutor of 2
//   (bench/course_mining.py);
// - the lab's own one-thread wasm build in Node.js (bench/node-wasm.mjs): the same
//   module under another version of V8.
// Each peer that builds its own strings runs a count scaled to take about TARGET_MS
// here (a short probe run measures its rate first) and its coins must equal the lab's
// on that range. A range of 2^20 from 0 holds no coin at all (a coin is 1 in 2^20 and
// the first is at 1,963,172), so each also mines a short window around the lab's first
// coin, untimed, and must find exactly the lab's coins there too.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { median } from '../www/ui/sweep-math.js';

const TARGET_MS = 2000;
const MIN_COUNT = 2 ** 20;
/** The peers' counts stay within the range the lab's reference coins cover. */
export const MAX_COUNT = 2 ** 26;
/** The half-width of the window around the lab's first coin. */
const WINDOW = 2 ** 12;

/**
 * The untimed check range: a window around the lab's first coin.
 * @param {number[]} ours
 */
export const checkRange = (ours) => ({ start: Math.max(0, ours[0] - WINDOW), count: 2 * WINDOW });

/** @typedef {{start: number, count: number, ms: number, coins: number[]}} PeerRun */
/**
 * @typedef {object} Peer
 * @property {string} key     the summary's name for it
 * @property {string} name
 * @property {string} where
 * @property {number} count   candidates per timed run
 * @property {number[]} runs  ms per timed run
 * @property {number} mhs     M hashes/s, from the median run
 * @property {number} [workers]  for a pool: its size (mhs is then the pool's, not per worker)
 * @property {boolean | null} coinsMatch  null where the peer reports no coins (the lab's own kernels)
 */

/**
 * A power-of-two count that takes about TARGET_MS at `hashes` in `ms`.
 * @param {number} hashes @param {number} ms @param {number} [max]
 */
export function scaledCount(hashes, ms, max = MAX_COUNT) {
  const want = (hashes / Math.max(ms, 1e-3)) * TARGET_MS;
  return Math.min(max, Math.max(MIN_COUNT, 2 ** Math.round(Math.log2(want))));
}

/**
 * Do the peer's coins on [start, start + count) equal the lab's there?
 * @param {number[]} coins
 * @param {number[]} ours  the lab's coins' nonces on [0, MAX_COUNT), ascending
 * @param {number} start
 * @param {number} count
 */
export function sameCoins(coins, ours, start, count) {
  const want = ours.filter((n) => n >= start && n < start + count);
  const got = [...coins].sort((a, b) => a - b);
  return got.length === want.length && got.every((n, i) => n === want[i]);
}

/**
 * @param {string} key @param {string} name @param {string} where
 * @param {PeerRun[]} runs  timed runs, all of one count
 * @param {PeerRun} check  the untimed run on checkRange(ours)
 * @param {number[]} ours
 * @param {number} [workers]
 * @returns {Peer}
 */
function peer(key, name, where, runs, check, ours, workers) {
  const { count } = runs[0];
  const ms = median(runs.map((r) => r.ms));
  for (const r of [...runs, check]) {
    if (!sameCoins(r.coins, ours, r.start, r.count)) {
      throw new Error(`bench: ${name} found coins ${JSON.stringify(r.coins)} in [${r.start}, ${r.start + r.count}), the lab ${JSON.stringify(ours.filter((n) => n >= r.start && n < r.start + r.count))}`);
    }
  }
  const coinsMatch = true;
  return { key, name, where, count, runs: runs.map((r) => r.ms), mhs: count / ms / 1000, coinsMatch, ...(workers ? { workers } : {}) };
}

// ---------------------------------------------------------------- JavaScript in a worker

// The peer worker and the libraries' browser builds are served on an origin the bench
// fulfils itself with Playwright's context.route: http://peers.localhost/ never reaches
// the network, and no server (nor temp folder) is started or left behind. The lab
// server would not do: it serves only the page, sw.js, www/ and pkg*/, and its page
// allows only its own scripts. A separate browser context keeps this page and its
// worker apart from the lab's page (no service worker, no isolation needed: the
// libraries use no shared memory), in the same Chromium.
const ORIGIN = 'http://peers.localhost';

/**
 * @param {import('playwright-core').Browser} browser
 * @param {(...a: unknown[]) => void} log
 * @param {number} reps
 * @param {string} root  the repo, ending in /
 * @param {number[]} ours
 * @returns {Promise<Peer[]>}
 */
export async function jsPeers(browser, log, reps, root, ours) {
  /** @type {Record<string, string>} */
  const files = {
    '/peers-worker.js': `${root}bench/peers-worker.js`,
    '/lib/hash-wasm.js': `${root}node_modules/hash-wasm/dist/index.esm.min.js`,
    '/lib/spark-md5.js': `${root}node_modules/spark-md5/spark-md5.min.js`,
  };
  const context = await browser.newContext({ serviceWorkers: 'block' });
  await context.route(`${ORIGIN}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/') return route.fulfill({ contentType: 'text/html', body: '<!doctype html><meta charset="utf-8"><title>md5 peers</title>' });
    if (files[path]) return route.fulfill({ contentType: 'text/javascript', body: readFileSync(files[path]) });
    return route.fulfill({ status: 404, body: 'not found' });
  });
  const page = await context.newPage();
  await page.goto(`${ORIGIN}/`);
  /** @type {Peer[]} */
  const out = [];
  for (const lib of ['hash-wasm', 'spark-md5']) {
    log(`peers: ${lib} in a worker`);
    /** @type {{error?: string, runs: PeerRun[], check?: PeerRun}} */
    const r = await page.evaluate(async ({ lib, reps, minCount, maxCount, targetMs, check }) => {
      const worker = new Worker('/peers-worker.js', { type: 'module' });
      /** @type {(msg: object) => Promise<any>} */
      let ask;
      try {
        const msgs = [];
        const waiting = [];
        worker.onmessage = (e) => (waiting.length ? waiting.shift()(e.data) : msgs.push(e.data));
        worker.onerror = (e) => (waiting.length ? waiting.shift()({ error: e.message || 'worker failed to load' }) : msgs.push({ error: e.message }));
        const next = () => new Promise((resolve) => (msgs.length ? resolve(msgs.shift()) : waiting.push(resolve)));
        ask = async (msg) => {
          worker.postMessage(msg);
          const a = await next();
          if (a.error) throw new Error(a.error);
          return a;
        };
        const hello = await next();
        if (hello.error) throw new Error(hello.error);
        // The probe: warms the JIT up and measures the rate the count is scaled by.
        const probe = await ask({ lib, start: 0, count: 2 ** 16 });
        const count = Math.min(maxCount, Math.max(minCount, 2 ** Math.round(Math.log2((probe.count / probe.ms) * targetMs))));
        const runs = [];
        for (let i = 0; i < reps; i++) runs.push(await ask({ lib, start: 0, count }));
        return { runs, check: await ask({ lib, ...check }) };
      } catch (e) {
        return { error: String(e?.message || e), runs: [] };
      } finally {
        worker.terminate();
      }
    }, { lib, reps, minCount: MIN_COUNT, maxCount: MAX_COUNT, targetMs: TARGET_MS, check: checkRange(ours) });
    if (r.error) throw new Error(`bench: ${lib} in a worker: ${r.error}`);
    out.push(peer(lib === 'hash-wasm' ? 'hash_wasm' : 'spark_md5', lib, 'JS in a Web Worker, Chromium', r.runs, r.check, ours));
  }
  await context.close();
  return out;
}

// ---------------------------------------------------------------- native

/**
 * The native builds of mine_native and the md5_crate example, before anything is
 * timed. Each build with its own flags has its own target dir: RUSTFLAGS would
 * otherwise make cargo rebuild the normal release build (and the next normal build it).
 * @param {string} root
 * @param {(...a: unknown[]) => void} log
 */
export function buildNativePeers(root, log) {
  log('building mine_native for the widest vectors (and AVX2 alone, where the CPU has it), and md5_crate');
  execFileSync('cargo', ['build', '--quiet', '--release', '--example', 'mine_native', '--example', 'md5_crate'], { cwd: root, stdio: 'inherit' });
  for (const { dir, flags } of NATIVE_BUILDS.slice(1)) {
    execFileSync('cargo', ['build', '--quiet', '--release', '--example', 'mine_native'], {
      cwd: root, stdio: 'inherit', env: { ...process.env, CARGO_TARGET_DIR: `${root}${dir}`, RUSTFLAGS: flags },
    });
  }
}

/**
 * The native builds of the lab's core, narrowest first: the default target (SSE2,
 * wasm's width), AVX2 alone (256-bit vectors, twice the lanes, with SSE2's instructions
 * otherwise: no rotate, no three-input logic) where the CPU has it, and the machine's
 * widest (-C target-cpu=native: on an AVX-512 CPU the same 256-bit vectors plus
 * AVX-512VL's one-instruction rotate and three-input logic). Between them they split
 * the distance from wasm to the widest build into lanes and instructions.
 * @type {{key: string, dir: string, flags: string, name: string}[]}
 */
const NATIVE_BUILDS = (() => {
  let flags = '';
  try {
    flags = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1] ?? '';
  } catch {
    // not Linux: the AVX2 build is left out
  }
  return [
    { key: 'native_same_width', dir: 'target', flags: '', name: 'lab core, default target (SSE2)' },
    ...(/\bavx2\b/.test(flags) ? [{ key: 'native_avx2', dir: 'target/native-avx2', flags: '-C target-feature=+avx2', name: 'lab core, AVX2 alone (-C target-feature=+avx2)' }] : []),
    { key: 'native_widest', dir: 'target/native-widest', flags: '-C target-cpu=native', name: 'lab core, -C target-cpu=native' },
  ];
})();

/**
 * The lab's core natively, one thread, in each of NATIVE_BUILDS, all on one range
 * scaled to the widest build's rate; and the md-5
 * crate in the course's loop shape on a range scaled to its own. mine_native reports
 * no coins: the lab's own kernel, tested against the plain one in the crate's tests.
 * @param {string} root
 * @param {(...a: unknown[]) => void} log
 * @param {number} reps
 * @param {number} probeCount  nonces for the probe run
 * @param {number[]} ours
 * @returns {Peer[]}
 */
export function nativePeers(root, log, reps, probeCount, ours) {
  const core = (/** @type {string} */ dir, /** @type {number} */ count, /** @type {number} */ r) => JSON.parse(execFileSync(
    `${root}${dir}/release/examples/mine_native`, ['--workers', '1', '--count', String(count), '--reps', String(r)], { encoding: 'utf8' }).trim());
  const probe = core('target/native-widest', probeCount, 1);
  const count = scaledCount(probeCount, probe.ms[0], 2 ** 32);
  /** @type {Peer[]} */
  const cores = [];
  for (const { key, dir, name } of NATIVE_BUILDS) {
    log(`peers: ${name}, natively, 1 thread`);
    const ms = core(dir, count, reps).ms;
    cores.push({ key, name, where: 'native, 1 thread', count, runs: ms, mhs: count / median(ms) / 1000, coinsMatch: null });
  }
  log('peers: the md-5 crate natively, the course\'s loop');
  const crate = (/** @type {number} */ start, /** @type {number} */ n, /** @type {number} */ r) => JSON.parse(execFileSync(`${root}target/release/examples/md5_crate`,
    ['--start', String(start), '--count', String(n), '--reps', String(r)], { encoding: 'utf8' }).trim());
  const crateProbe = crate(0, 2 ** 18, 1);
  const c = crate(0, scaledCount(crateProbe.count, crateProbe.ms[0]), reps);
  const runs = c.ms.map((/** @type {number} */ ms) => ({ start: c.start, count: c.count, ms, coins: c.coins }));
  const { start, count: n } = checkRange(ours);
  const check = { ...crate(start, n, 0), ms: 0 };
  return [...cores, peer('md5_crate', 'md-5 crate, format + digest + hex', 'native, 1 thread', runs, check, ours)];
}

// ---------------------------------------------------------------- the same wasm in Node.js

/**
 * The lab's one-thread build (pkg-st/, the kernel of a pool worker) mined in this
 * Node.js, one thread, on the sweep's count: the same module under Node's V8.
 * @param {string} root
 * @param {(...a: unknown[]) => void} log
 * @param {number} reps
 * @param {number} count
 * @param {number[]} ours
 * @returns {Peer}
 */
export function nodeWasmPeer(root, log, reps, count, ours) {
  log(`peers: the lab's wasm in Node.js ${process.versions.node}`);
  const out = JSON.parse(execFileSync(process.execPath, [`${root}bench/node-wasm.mjs`, String(count), String(reps), JSON.stringify(checkRange(ours))], { encoding: 'utf8' }));
  return peer('wasm_node', 'lab core, wasm simd128 (the one-thread build)', `Node.js ${process.versions.node} (V8 ${process.versions.v8}), 1 thread`, out.runs, out.check, ours);
}

// ---------------------------------------------------------------- CPython

/**
 * The course's loop in CPython over a scaled range: one process, then a
 * ProcessPoolExecutor of 2 on the same range; and the course's random-digit loop as
 * written, for its rate alone (median of reps).
 * @param {string} root
 * @param {(...a: unknown[]) => void} log
 * @param {number} reps
 * @param {number[]} ours
 * @returns {{peers: Peer[], courseRandomMhs: number}}
 */
export function pythonPeers(root, log, reps, ours) {
  const py = (/** @type {string[]} */ args) => execFileSync('python3', [`${root}bench/course_mining.py`, ...args], { encoding: 'utf8' })
    .trim().split('\n').map((l) => JSON.parse(l));
  log('peers: CPython, the course\'s loop');
  const [probe] = py(['--count', String(2 ** 16), '--workers', '1']);
  const count = scaledCount(probe.count, probe.ms[0]);
  const rows = py(['--start', '0', '--count', String(count), '--workers', '1,2', '--reps', String(reps)]);
  const asRuns = (/** @type {any} */ r) => r.ms.map((/** @type {number} */ ms) => ({ start: r.start, count: r.count, ms, coins: r.coins }));
  const { start, count: n } = checkRange(ours);
  const [check] = py(['--start', String(start), '--count', String(n), '--workers', '1']);
  const checkRun = { start, count: n, ms: 0, coins: check.coins };
  const [checkPool] = py(['--start', String(start), '--count', String(n), '--workers', '2']);
  const checkPoolRun = { start, count: n, ms: 0, coins: checkPool.coins };
  const [random] = py(['--random', '--count', String(2 ** 16), '--reps', String(reps)]);
  return {
    peers: [
      peer('cpython', 'CPython hashlib, the course\'s loop', 'CPython, 1 process', asRuns(rows[0]), checkRun, ours),
      peer('cpython_pool2', 'CPython hashlib, ProcessPoolExecutor(2)', 'CPython, 2 processes', asRuns(rows[1]), checkPoolRun, ours, 2),
    ],
    courseRandomMhs: random.count / median(random.ms) / 1000,
  };
}
