// window.lab: the scriptable API. The page uses it and the tests drive it.
// Contract (extend, don't rename):
//   await lab.ready
//   lab.info()    -> {crossOriginIsolated, hardwareConcurrency, threads}
//   lab.mine({workers, mode, start, count, coins, timeBudgetMs})
//   lab.primes({workers, numbers, chunksize, algorithm})
//   lab.links({urls, concurrency, timeoutMs, mode, retries, perHost, method, onResult})
//   lab.parseLinks(text) -> {urls, rejected: [{line, text, reason}], blankLines}
//   lab.census({pages, live, mode, concurrency, timeoutMs, onResult})
//   lab.progress(), lab.stop(kind), lab.verifyCoin(text), lab.labLinks()
// The compute runs in workers; nothing here blocks the page.
import * as Comlink from './vendor/comlink.mjs';
import { census } from './census.js';

export const MAX_WORKERS = 128;

/** Whether this browser, on this page, can run wasm threads. */
export function threadsSupported() {
  if (!self.crossOriginIsolated || typeof SharedArrayBuffer !== 'function') return false;
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

const NOT_ISOLATED =
  'this page is not cross-origin isolated, so the browser gives it no SharedArrayBuffer and wasm threads cannot run: ' +
  'open it from the lab server (make serve), which sends Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy';

function checkWorkers(workers) {
  const n = typeof workers === 'string' && /^\s*\d+\s*$/.test(workers) ? Number(workers) : workers;
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) {
    throw new Error(`workers: must be an integer from 1 to ${MAX_WORKERS} (got ${workers === undefined ? 'nothing' : String(workers)})`);
  }
  return n;
}

/** Rejects when the worker fails to load, instead of leaving a call hanging. */
function failureOf(worker) {
  return new Promise((_, reject) => {
    worker.addEventListener('error', (e) => reject(new Error(`worker failed to start: ${e.message || 'script error (is pkg/ built? run make build)'}`)));
  });
}

/** A CPU engine: one module instance with a pool of `workers` Web Workers. */
class Engine {
  static async start(workers) {
    const worker = new Worker(new URL('./engine-worker.js', import.meta.url), { type: 'module', name: `engine-${workers}` });
    const failed = failureOf(worker);
    const remote = Comlink.wrap(worker);
    const t0 = performance.now();
    try {
      const s = await Promise.race([remote.start(workers), failed]);
      return new Engine(worker, remote, workers, s, performance.now() - t0);
    } catch (e) {
      worker.terminate();
      throw e;
    }
  }

  constructor(worker, remote, workers, s, startMs) {
    Object.assign(this, { worker, remote, workers, startMs, dead: false });
    // A crashed engine (out of memory, say) fails its call and is never reused.
    this.failed = failureOf(worker).catch((e) => {
      this.dead = true;
      throw e;
    });
    this.failed.catch(() => {});
    this.memory = s.memory;
    this.pointer = s.pointer;
    this.layout = s.layout;
    this.moduleMs = s.moduleMs;
    this.poolMs = s.poolMs;
  }

  /** Live views of the counters in the shared memory; rebuilt per read since memory can grow. */
  views() {
    const buf = this.memory.buffer;
    const { pointer: p, layout: l } = this;
    return {
      u32: new Uint32Array(buf, p, 4),
      hashes: new BigUint64Array(buf, p + l.hashes, this.workers),
      items: new BigUint64Array(buf, p + l.items, this.workers),
      busyUs: new BigUint64Array(buf, p + l.busyUs, this.workers),
      bytes: buf.byteLength,
    };
  }

  /** Coins `from`.. published so far in the shared slots. */
  coins(from, upto) {
    const buf = this.memory.buffer;
    const { pointer: p, layout: l } = this;
    const out = [];
    for (let i = from; i < Math.min(upto, l.coinSlotCount); i++) {
      // TextDecoder refuses views of shared memory: copy the slot out first.
      const slot = new Uint8Array(buf, p + l.coinSlots + i * l.coinSlotBytes, l.coinSlotBytes).slice();
      const view = new DataView(slot.buffer);
      out.push({
        text: new TextDecoder().decode(slot.subarray(0, 50)),
        md5: Array.from(slot.subarray(56, 72), (b) => b.toString(16).padStart(2, '0')).join(''),
        worker: view.getUint32(72, true),
        index: view.getBigUint64(80, true).toString(),
      });
    }
    return out;
  }

  /** Asks run `runId` to stop; it holds even if that run has not begun yet. */
  raiseStop(runId) {
    Atomics.store(this.views().u32, this.layout.stop / 4, runId);
  }

  terminate() {
    // Terminating the engine ends the pool's nested workers with it.
    this.worker.terminate();
  }
}

/** Runs calls one after another: a pool does one job at a time. */
function serial() {
  let tail = Promise.resolve();
  return (fn) => {
    const run = tail.then(fn);
    tail = run.catch(() => {});
    return run;
  };
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|.+\.localhost)$/;

/** The default link list: the lab server's own endpoints, spread over *.localhost hosts. */
export function labLinks(loc = location) {
  const port = loc.port ? `:${loc.port}` : '';
  const spread = LOOPBACK.test(loc.hostname);
  const hosts = ['a', 'b', 'c', 'd', 'e', 'f'];
  const at = (i) => (spread ? `${loc.protocol}//${hosts[i % hosts.length]}.localhost${port}` : loc.origin);
  const paths = [
    'status/200', 'status/204', 'status/301', 'status/404', 'status/410', 'status/500', 'status/503',
    'delay/100', 'delay/250', 'delay/500', 'delay/1000', 'delay/1500',
    'bytes/0', 'bytes/1024', 'bytes/65536', 'bytes/1048576',
    'redirect/1', 'redirect/3', 'redirect/10',
    'hang',
  ];
  return [
    ...paths.map((p, i) => `${at(i)}/lab/${p}`),
    // Nothing listens on port 47: the connection is refused.
    `${loc.protocol}//refused.localhost:47/`,
    'ftp://example.org/not-fetched.txt',
  ];
}

export function createLab() {
  let engine = null;
  let runSeq = 0;
  let active = null; // {kind, runId, t0, cancelled}
  const cpu = serial();
  const io = serial();

  const linksWorker = new Worker(new URL('./links-worker.js', import.meta.url), { type: 'module', name: 'links' });
  const linksFailed = failureOf(linksWorker);
  const links = Comlink.wrap(linksWorker);
  const ready = Promise.race([links.verifyCoin(''), linksFailed]).then(() => undefined);

  async function engineFor(workers) {
    if (!threadsSupported()) throw new Error(`workers: ${NOT_ISOLATED}`);
    if (engine?.workers === workers && !engine.dead) return { engine, poolStartMs: 0, poolReused: true };
    engine?.terminate();
    engine = null;
    engine = await Engine.start(workers);
    return { engine, poolStartMs: engine.startMs, poolReused: false };
  }

  /** Runs one CPU job on a pool of the asked size; pool start is timed apart. */
  async function onPool(kind, opts, call) {
    const workers = checkWorkers(opts?.workers);
    const run = { kind, runId: ++runSeq, t0: performance.now(), cancelled: false, workers };
    return cpu(async () => {
      active = run;
      try {
        const { engine: e, poolStartMs, poolReused } = await engineFor(workers);
        run.computeT0 = performance.now();
        const result = run.cancelled ? null : await Promise.race([call(e.remote, { ...opts, workers, runId: run.runId }), e.failed]);
        return { ...(result ?? { cancelled: true }), workers, poolStartMs, poolReused };
      } finally {
        active = null;
      }
    });
  }

  const lab = {
    ready,
    MAX_WORKERS,

    info() {
      return {
        crossOriginIsolated: self.crossOriginIsolated === true,
        hardwareConcurrency: navigator.hardwareConcurrency || 1,
        threads: threadsSupported(),
      };
    },

    mine(opts = {}) {
      return onPool('mine', opts, (remote, o) => remote.mine(o));
    },

    primes(opts = {}) {
      return onPool('primes', opts, (remote, o) => remote.primes(o));
    },

    links(opts = {}) {
      const { onResult, ...rest } = opts;
      if (rest.urls === undefined) rest.urls = labLinks();
      else if (!Array.isArray(rest.urls)) return Promise.reject(new Error(`urls: must be a list of URL strings (got ${typeof rest.urls})`));
      else rest.urls = rest.urls.map((u) => (typeof u === 'string' ? u : String(u)));
      if (onResult !== undefined && typeof onResult !== 'function') return Promise.reject(new Error('onResult: must be a function'));
      return io(() => Promise.race([links.check(rest, onResult ? Comlink.proxy(onResult) : undefined), linksFailed]));
    },

    /** A pasted or uploaded list, checked line by line (in a worker). */
    parseLinks(text) {
      if (typeof text !== 'string') return Promise.reject(new Error('text: must be a string'));
      return links.parseList(text);
    },

    /** The course's census: random Wikipedia pages (or the offline fixture), their links, checked. */
    census(opts = {}) {
      return census(lab, opts);
    },

    /** md5 of any text and whether it is a coin (computed in a worker). */
    verifyCoin(text) {
      return links.verifyCoin(String(text));
    },

    labLinks: () => labLinks(),

    /**
     * What the running (or last) CPU job has done so far, read from shared memory.
     * Cheap enough to call every frame.
     */
    progress({ coinsFrom } = {}) {
      if (!engine) return null;
      const v = engine.views();
      const l = engine.layout;
      const runId = Atomics.load(v.u32, l.runId / 4);
      const current = active && runId === active.runId;
      const read = (arr) => Array.from({ length: arr.length }, (_, i) => Number(Atomics.load(arr, i)));
      const perWorkerHashes = read(v.hashes);
      const perWorkerItems = read(v.items);
      return {
        runId,
        kind: active?.kind ?? null,
        running: Boolean(current) && Atomics.load(v.u32, l.finished / 4) === 0,
        starting: Boolean(active) && !current,
        workers: engine.workers,
        coins: Atomics.load(v.u32, l.coins / 4),
        hashes: perWorkerHashes.reduce((a, b) => a + b, 0),
        items: perWorkerItems.reduce((a, b) => a + b, 0),
        perWorkerHashes,
        perWorkerItems,
        perWorkerBusyMs: read(v.busyUs).map((us) => us / 1000),
        memoryBytes: v.bytes,
        // Coins found so far, from index `coinsFrom` on (the first 256 of a run).
        newCoins: coinsFrom === undefined || !current ? [] : engine.coins(coinsFrom, Atomics.load(v.u32, l.coins / 4)),
        // Since the run reached the engine: the pool's start is not part of it.
        elapsedMs: active?.computeT0 ? performance.now() - active.computeT0 : 0,
      };
    },

    /**
     * Starts (or reuses) a pool of `workers` and reports what it costs: start time
     * and the wasm memory (each worker adds its own stack and TLS to it).
     */
    async startPool(workers) {
      const n = checkWorkers(workers);
      return cpu(async () => {
        const { engine: e, poolStartMs, poolReused } = await engineFor(n);
        return { workers: n, poolStartMs, poolReused, moduleMs: e.moduleMs, poolMs: e.poolMs, wasmBytes: e.memory.buffer.byteLength };
      });
    },

    /** Stops the running job of that kind ('mine', 'primes', 'links'), or all. */
    stop(kind) {
      if (active && (kind === undefined || kind === active.kind)) {
        active.cancelled = true;
        engine?.raiseStop(active.runId);
      }
      if (kind === undefined || kind === 'links') links.stop();
    },
  };
  return lab;
}
