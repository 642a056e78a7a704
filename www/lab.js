// window.lab: the scriptable API. The page uses it and the tests drive it.
// Contract (extend, don't rename); the types of every option and result are in
// www/types.js, checked by `make lint`:
//   await lab.ready
//   lab.contract  -> limits, defaults, layouts and lists, all from Rust (src/contract.rs)
//   lab.info()    -> {crossOriginIsolated, hardwareConcurrency, threads}
//   lab.mine({workers, mode, start, count, coins, timeBudgetMs})
//   lab.primes({workers, numbers, chunksize, algorithm})
//   lab.links({urls, concurrency, timeoutMs, mode, retries, perHost, method, onResult})
//   lab.parseLinks(text) -> {urls, rejected: [{line, text, reason}], blankLines}
//   lab.census({pages, live, mode, concurrency, timeoutMs, onResult})
//   lab.progress(), lab.stop(kind), lab.verifyCoin(text), lab.labLinks(listId), lab.startPool(n)
//   lab.pageModule() -> the module's compile and warm-up at page load, once for every pool
// The compute runs in workers; nothing here blocks the page.
import * as Comlink from './vendor/comlink.mjs';
import { census } from './census.js';
import { chooseBuild, glueUrl, threadsSupported, workerUrl } from './build.js';
import { poolScript, spawnAhead } from './pool.js';
import { labEndpoints } from './isolation.js';

export { threadsSupported };

/** Why this page runs the single-thread build, in words a student can act on. */
function noThreadsReason() {
  return self.crossOriginIsolated
    ? 'this browser cannot share WebAssembly memory between workers'
    : 'the page is not cross-origin isolated, so the browser gives it no SharedArrayBuffer (the host sends no ' +
      'Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy headers, and no service worker could add them); ' +
      'open it from the lab server (make serve) or a host that sends them';
}

/**
 * The pool size the page starts; the core checks the pool it runs on once more.
 * @param {unknown} workers
 * @param {number} max  contract.maxWorkers
 */
function checkWorkers(workers, max) {
  const n = typeof workers === 'string' && /^\s*\d+\s*$/.test(workers) ? Number(workers) : workers;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > max) {
    throw new Error(`workers: must be an integer from 1 to ${max} (got ${workers === undefined ? 'nothing' : String(workers)})`);
  }
  return n;
}

/**
 * A pool of N gets this plus 100 ms per worker to start, warm-up included (128
 * workers take 3–6 s on 2 cores), and START_ATTEMPTS tries.
 */
const START_DEADLINE_MS = 8_000;
const START_ATTEMPTS = 3;

/** An engine crashed or stood still: it is replaced, unlike after a bad option. */
class EngineFailure extends Error {}

/**
 * A worker's failure, for racing its calls against. A call is rejected when the
 * worker fails (its script does not load, it crashes) or is ended on purpose, instead
 * of hanging. No reference to a call is kept once it has settled: a `Promise.race`
 * against one long-lived promise would keep one reaction per call for the worker's
 * whole life (the soak test found it: a few hundred bytes of heap per run).
 */
class Failure {
  /** @param {Worker} worker */
  constructor(worker) {
    /** @type {Error | null} */
    this.error = null;
    /** @type {Set<(e: Error) => void>} */
    this.waiting = new Set();
    /** How a failure reads: an engine adds the fault its hooks left in the shared memory. @type {(e: Error) => Error} */
    this.explain = (e) => e;
    worker.addEventListener('error', (ev) => {
      this.fail(this.explain(new Error(`a worker failed: ${ev.message || 'script error (is pkg/ built? run make build)'}`)));
    });
  }

  /** @param {Error} error */
  fail(error) {
    if (this.error) return;
    this.error = error;
    for (const reject of this.waiting) reject(error);
    this.waiting.clear();
  }

  /**
   * `call`, or the worker's failure, whichever comes first.
   * @template T
   * @param {Promise<T>} call
   * @returns {Promise<T>}
   */
  guard(call) {
    if (this.error) return Promise.reject(this.error);
    return new Promise((resolve, reject) => {
      this.waiting.add(reject);
      call.then(resolve, reject).finally(() => this.waiting.delete(reject));
    });
  }
}

/**
 * Ends a pool start that never ends, so it cannot hang the page: past the deadline
 * the engine fails, and the caller ends it. Seen in Firefox ESR 153, a few times in a
 * hundred starts: every pool worker reports ready, yet one never enters rayon's
 * loop, so the pool's build (which waits for every thread) blocks the engine worker
 * for good. A fresh engine then starts normally.
 * @param {Failure} failure
 * @param {number} workers
 * @param {() => string} [where]  how far the start got, for the message
 */
function deadline(failure, workers, where = () => '') {
  const ms = START_DEADLINE_MS + 100 * workers;
  return setTimeout(() => failure.fail(new EngineFailure(`the pool of ${workers} did not start within ${ms / 1000} s${where()}`)), ms);
}

/**
 * How far a pool build got, from the counters the core keeps in the shared memory
 * (src/web/pool.rs, `BuildProgress`), for a stalled start's message.
 * @param {WebAssembly.Memory} memory
 * @param {number} pointer
 * @param {number} workers
 */
function buildProgress(memory, pointer, workers) {
  const c = new Uint32Array(memory.buffer, pointer, 3);
  return ` (of its ${workers} threads, ${Atomics.load(c, 0)} taken by a worker and ${Atomics.load(c, 1)} running; ${Atomics.load(c, 2)} workers reached the channel)`;
}

/**
 * A CPU engine: one module instance with a pool of `workers` Web Workers, rebuilt in
 * place for another size on the workers it has (see `resize`).
 */
class Engine {
  /**
   * @param {number} workers
   * @param {import('./types.js').Layout} layout
   * @param {import('./build.js').BuildName} build
   * @param {WebAssembly.Module | null} compiled  the module the page compiled at load (null: the engine compiles its own)
   * @param {boolean} warmUp  warm the code up in the start (not needed for a module the page has warmed up)
   * @param {string | null} aheadScript  the pool workers' script (www/pool.js), to start them beside the engine worker (null: the engine starts them)
   */
  static async start(workers, layout, build, compiled, warmUp, aheadScript) {
    const worker = new Worker(workerUrl('./engine-worker.js', build), { type: 'module', name: 'engine' });
    // The pool's workers start now too, on the page's copy of their script, so that
    // their threads and scripts start while the engine worker starts and instantiates
    // the module (www/pool.js, spawnAhead); the engine hands them the module and
    // memory once it has them.
    const ahead = spawnAhead(aheadScript, aheadScript ? workers : 0);
    const failure = new Failure(worker);
    const remote = Comlink.wrap(worker);
    // The engine's shared memory, sent before its workers start (engine-worker.js), so
    // that a start that stalls says how far its build got.
    /** @type {{memory: WebAssembly.Memory, buildPointer: number} | null} */
    let early = null;
    worker.addEventListener('message', function onMemory({ data }) {
      if (data?.type !== 'engine_memory') return;
      worker.removeEventListener('message', onMemory);
      early = data;
    });
    const timer = deadline(failure, workers, () => (early ? buildProgress(early.memory, early.buildPointer, workers) : ' (before its module was instantiated)'));
    try {
      const given = Comlink.transfer(ahead.ahead, ahead.ahead.map((a) => a.port));
      const s = await failure.guard(remote.start(workers, compiled, warmUp, given));
      return new Engine(worker, remote, failure, workers, s, layout, ahead.workers);
    } catch (e) {
      worker.terminate();
      for (const w of ahead.workers) w.terminate();
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Builds a pool of `workers` on this engine in place of its current one: on the
   * workers it has, plus those the new pool lacks. On failure the engine is ended.
   * @param {number} workers
   */
  async resize(workers) {
    const timer = deadline(this.failure, workers, () => this.buildProgress(workers));
    try {
      // The workers the new pool lacks are the engine's to start: started by the page,
      // as a fresh engine's are, growths stalled as often or more in Firefox (README,
      // What works where).
      this.adopt(workers, await this.failure.guard(this.remote.build(workers, false)));
      this.moduleMs = 0;
    } catch (e) {
      this.terminate();
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * How far a pool build got, from the counters the core keeps in the shared memory.
   * @param {number} workers
   */
  buildProgress(workers) {
    if (!this.memory || !this.buildPointer) return '';
    return buildProgress(this.memory, this.buildPointer, workers);
  }

  /**
   * @param {Worker} worker
   * @param {any} remote  the engine worker's Comlink proxy
   * @param {Failure} failure
   * @param {number} workers
   * @param {{memory: WebAssembly.Memory | null, pointer: number, buildPointer: number, moduleMs: number, poolMs: number, phases: import('./types.js').PoolPhases | null, warmUpMs: number, warmUpRuns: number, wasmBytes: number}} s
   * @param {import('./types.js').Layout} layout
   * @param {Worker[]} poolWorkers  the pool's workers the page started, which end with the engine
   */
  constructor(worker, remote, failure, workers, s, layout, poolWorkers) {
    this.worker = worker;
    // Kept referenced, too, for Firefox (www/pool.js, bug 1702191).
    this.poolWorkers = poolWorkers;
    this.remote = remote;
    this.dead = false;
    this.layout = layout;
    // A crashed engine (out of memory, say) fails its call and is never reused; the
    // message its hooks left in the shared memory says why.
    this.failure = failure;
    failure.explain = (e) => {
      this.dead = true;
      const fault = this.fault();
      return new EngineFailure(fault ? `a worker crashed: ${fault}` : e.message);
    };
    // Null in the single-thread build: its memory is not shared, so there are no live
    // counters, and a Stop can only end the engine (see `kill`).
    this.memory = s.memory;
    this.pointer = s.pointer;
    this.buildPointer = s.buildPointer;
    this.moduleMs = s.moduleMs;
    this.adopt(workers, s);
  }

  /**
   * The workers the engine has started over its life, as its core counts them (the last
   * build's pool and those idle beside it, src/web/pool.rs): a pool up to this size is
   * rebuilt on them without starting any.
   */
  get started() {
    return this.phases ? this.phases.workers + this.phases.idle : this.workers;
  }

  /**
   * Takes on a pool just built (at the start, or by `resize`) and what it cost.
   * @param {number} workers
   * @param {{phases: import('./types.js').PoolPhases | null, poolMs: number, warmUpMs: number, warmUpRuns: number, wasmBytes: number}} s
   */
  adopt(workers, s) {
    this.workers = workers;
    this.phases = s.phases;
    this.poolMs = s.poolMs;
    this.warmUpMs = s.warmUpMs;
    this.warmUpRuns = s.warmUpRuns;
    this.wasmBytes = s.wasmBytes;
  }

  /**
   * Ends the engine; the call in flight rejects with `message`.
   * @param {string} message
   */
  kill(message) {
    this.terminate();
    this.failure.fail(new EngineFailure(message));
  }

  /** Live views of the counters in the shared memory; rebuilt per read since memory can grow. */
  views() {
    if (!this.memory) throw new Error('the single-thread build has no shared counters');
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

  /**
   * Coins `from`.. published so far in the shared slots, at the offsets the core gives.
   * @param {number} from
   * @param {number} upto
   * @returns {import('./types.js').Coin[]}
   */
  coins(from, upto) {
    if (!this.memory) return [];
    const buf = this.memory.buffer;
    const { pointer: p, layout: l } = this;
    const out = [];
    for (let i = from; i < Math.min(upto, l.coinSlotCount); i++) {
      // TextDecoder refuses views of shared memory: copy the slot out first.
      const slot = new Uint8Array(buf, p + l.coinSlots + i * l.coinSlotBytes, l.coinSlotBytes).slice();
      const view = new DataView(slot.buffer);
      out.push({
        text: new TextDecoder().decode(slot.subarray(0, l.coinTextLen)),
        md5: Array.from(slot.subarray(l.coinMd5, l.coinMd5 + 16), (b) => b.toString(16).padStart(2, '0')).join(''),
        worker: view.getUint32(l.coinWorker, true),
        index: view.getBigUint64(l.coinIndex, true).toString(),
        nonce: null,
      });
    }
    return out;
  }

  /**
   * Asks run `runId` to stop; it holds even if that run has not begun yet.
   * @param {number} runId
   */
  raiseStop(runId) {
    if (!this.memory) {
      this.kill('stopped: the single-thread build cannot be interrupted mid-run (its memory is not shared with the page), so its engine was ended; the next run starts a fresh one');
      return;
    }
    Atomics.store(this.views().u32, this.layout.stop / 4, runId);
  }

  /** The first panic or failed allocation of this engine, once its message is complete. */
  fault() {
    if (!this.memory) return null;
    const buf = this.memory.buffer;
    const { pointer: p, layout: l } = this;
    if (Atomics.load(new Uint32Array(buf, p + l.faultState, 1), 0) !== 2) return null;
    const len = new Uint32Array(buf, p + l.faultLen, 1)[0];
    return new TextDecoder().decode(new Uint8Array(buf, p + l.faultText, len).slice());
  }

  /** Everything that moves while a run is alive: the pulse and the work counters. */
  signature() {
    const v = this.views();
    const sum = (/** @type {BigUint64Array} */ a) => a.reduce((x, y) => x + y, 0n);
    return `${Atomics.load(new Uint32Array(this.memory.buffer, this.pointer + this.layout.pulse, 1), 0)}:${sum(v.hashes)}:${sum(v.items)}`;
  }

  /**
   * Rejects once this engine has crashed or stands still while a run is going on: a
   * fault message in the shared memory (a panic or failed allocation in any thread),
   * or a pulse and counters that have not moved for `stallMs`. Call the returned
   * `stop()` when the run ends.
   * @param {string} kind
   * @param {number} stallMs
   */
  watch(kind, stallMs) {
    // Without shared counters there is nothing to watch: a trap still rejects the
    // call (EngineCrash), and a Stop ends the engine (`kill`).
    if (!this.memory) return { failed: /** @type {Promise<never>} */ (new Promise(() => {})), stop: () => {} };
    /** @type {ReturnType<typeof setInterval> | undefined} */
    let timer;
    const failed = new Promise((_, reject) => {
      let last = this.signature();
      let still = performance.now();
      timer = setInterval(() => {
        const fault = this.fault();
        if (fault) {
          reject(new EngineFailure(`${kind}: a worker crashed: ${fault}. The engine was replaced; the next run starts a fresh pool.`));
          return;
        }
        const now = performance.now();
        const sig = this.signature();
        if (sig !== last) {
          last = sig;
          still = now;
        } else if (now - still >= stallMs) {
          reject(new EngineFailure(`${kind}: no worker made progress for ${Math.round((now - still) / 1000)} s, so a worker died or is stuck. ` +
            'The run was ended and the engine replaced; the next run starts a fresh pool.'));
        }
      }, Math.min(250, stallMs / 4));
    });
    return { failed: /** @type {Promise<never>} */ (failed), stop: () => clearInterval(timer) };
  }

  terminate() {
    // Terminating the engine ends the workers it started (nested in it); those the page
    // started are the page's to end.
    this.dead = true;
    this.worker.terminate();
    for (const w of this.poolWorkers) w.terminate();
  }
}

/**
 * Runs calls one after another: a pool does one job at a time.
 * @returns {<T>(fn: () => Promise<T>) => Promise<T>}
 */
function serial() {
  /** @type {Promise<unknown>} */
  let tail = Promise.resolve();
  return (fn) => {
    const run = tail.then(fn);
    tail = run.catch(() => {});
    return run;
  };
}

/** @type {import('./isolation.js').LabEndpoints} */
const SERVER = { kind: 'server', base: '/lab/', note: '' };

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|.+\.localhost)$/;

/**
 * A lab list (from the contract) as URLs on this server, its lab paths spread over
 * *.localhost hosts when the page is on loopback.
 * @param {import('./types.js').LabList} list
 * @param {Pick<Location, 'port' | 'hostname' | 'protocol' | 'origin'>} [loc]
 * @param {import('./isolation.js').LabEndpoints} [endpoints]  where the lab's endpoints are (the lab server by default)
 */
export function labLinks(list, loc = location, endpoints = SERVER) {
  if (endpoints.kind === 'simulated') {
    // The service worker answers under its own scope, on this origin only.
    return list.entries.map((e) => (e.startsWith('/lab/') ? `${endpoints.base}${e.slice(5)}` : e.replaceAll('{protocol}', loc.protocol)));
  }
  const port = loc.port ? `:${loc.port}` : '';
  const spread = LOOPBACK.test(loc.hostname);
  const hosts = ['a', 'b', 'c', 'd', 'e', 'f'];
  /** @param {number} i */
  const at = (i) => (spread ? `${loc.protocol}//${hosts[i % hosts.length]}.localhost${port}` : loc.origin);
  return list.entries.map((e, i) => (e.startsWith('/lab/') ? `${at(i)}${e}` : e.replaceAll('{protocol}', loc.protocol)));
}

export function createLab() {
  /** @type {Engine | null} */
  let engine = null;
  // The page's compiled module, which every engine instantiates: the link worker
  // compiles it at load (it needs its own instance anyway), so no pool start compiles.
  // Right after, the link worker runs the mining kernel until its rate settles, which
  // makes the browser optimise it (V8 and SpiderMonkey keep the optimised code with the
  // module, which every instance shares), so no pool start waits for the optimising
  // compiler either: an engine's own warm-up then ends after two short runs. (The rate
  // can settle on the baseline code while V8's optimising compile, 50-70 ms on a
  // background thread here, is finishing: a running wasm call keeps the code it began
  // on. An engine's warm-up comes later and runs on the optimised code; see the
  // README, Benchmark.) Both are reported apart from the pools' starts
  // (`lab.pageModule()`); a pool asked for before the warm-up has ended waits for it,
  // in its start (`pageWarmUpWaitMs`).
  /** @type {WebAssembly.Module | null} */
  let compiled = null;
  /** How long the link worker took to load the module at page load, in ms. */
  let moduleLoadMs = 0;
  let runSeq = 0;
  /** @typedef {{kind: string, runId: number, t0: number, cancelled: boolean, computeT0?: number}} Run */
  /** @type {Run | null} */
  let active = null;
  /** Runs asked for but not begun (waiting for the module, the queue or the pool): a Stop reaches them too. @type {Set<Run>} */
  const pending = new Set();
  /** @type {AbortController | null} the census's paging, stopped with the links */
  let census_ = null;
  const cpu = serial();
  const io = serial();

  const build = chooseBuild(location.href, threadsSupported());
  const linksWorker = new Worker(workerUrl('./links-worker.js', build), { type: 'module', name: 'links' });
  const linksFailure = new Failure(linksWorker);
  /** @type {any} */
  const links = Comlink.wrap(linksWorker);
  /** @type {import('./types.js').Contract | null} */
  let contract = null;
  // Ready once the link worker's module has loaded and handed over the contract.
  /** @type {import('./isolation.js').LabEndpoints} */
  let endpoints = { kind: 'none', base: '', note: 'not looked for yet' };
  // Ready once the link worker's module has loaded and handed over the contract, and
  // the page knows where the lab's endpoints are (the lab server, the service
  // worker's simulation, or nowhere).
  const ready = Promise.all([linksFailure.guard(links.contract()), labEndpoints(), linksFailure.guard(links.module())]).then(([c, ep, m]) => {
    contract = c;
    endpoints = ep;
    compiled = m.module;
    moduleLoadMs = m.loadMs;
  });
  /** @type {Promise<import('./types.js').WarmUp | null>} the page's warm-up, on the link worker, once ready */
  const pageWarmUp = ready.then(() => linksFailure.guard(links.warmUp())).catch(() => null);

  /** What the loop lab puts before `/lab/…`: the server's origin, or the simulation's scope. */
  function labOrigin() {
    return endpoints.kind === 'simulated' ? endpoints.base.replace(/\/lab\/$/, '') : location.origin;
  }

  /** The contract, once `ready` has resolved. */
  function terms() {
    if (!contract) throw new Error('lab: not ready yet (await lab.ready)');
    return contract;
  }

  // Whether a pool larger than its engine's workers is built on that engine, which
  // starts the workers it lacks (else on a fresh engine, whose workers the page starts).
  // In Firefox ESR 153 such a growth stalled more often than not (README, What works
  // where: 1 → 10 → 100, 9 of 12 stalled) where a fresh engine's start did not: once
  // one has stalled on this page, larger pools start fresh. Smaller ones are still
  // rebuilt in place (they stalled in none of 28).
  let growInPlace = true;

  /**
   * The engine with a pool of `workers`: the current one as it is, the current one
   * rebuilt for another size, or (`cold`, or none alive) a fresh engine.
   * @param {number} workers
   * @param {boolean} [cold]  a fresh engine even where the current one would do
   */
  async function engineFor(workers, cold = false) {
    if (build === 'single' && workers > 1) {
      throw new Error(`workers: this page cannot run threads, so it runs the single-thread build on 1 worker (asked for ${workers}): ${noThreadsReason()}`);
    }
    if (!cold && engine?.workers === workers && !engine.dead) return { engine, poolStartMs: 0, poolReused: true, moduleReused: true, pageWarmUpWaitMs: 0, cold: false, failedStarts: [] };
    // What the learner waits for, failed attempts included (a rebuild or start that
    // hung and was replaced by a fresh engine).
    const tStart = performance.now();
    /** What each attempt that failed said (a stall's message says how far it got). @type {string[]} */
    const failedStarts = [];
    // Another size on the same engine: its workers stay, and only those the new pool
    // lacks start (src/web/pool.rs). The single-thread build has no pool to rebuild.
    if (!cold && engine && !engine.dead && engine.memory && (growInPlace || workers <= engine.started)) {
      const e = engine;
      const grows = workers > e.started;
      try {
        await e.resize(workers);
        return { engine: e, poolStartMs: performance.now() - tStart, poolReused: false, moduleReused: true, pageWarmUpWaitMs: 0, cold: false, failedStarts };
      } catch (err) {
        // A rebuild that failed or hung ended its engine: a fresh one is started below.
        if (!(err instanceof EngineFailure)) throw err;
        if (grows) growInPlace = false;
        failedStarts.push(err.message);
      }
    }
    engine?.terminate();
    engine = null;
    // A pool started while the page's warm-up still runs would share the cores with
    // it: it waits for the warm-up, and the wait counts in its start (not waiting was
    // measured no faster, at 10 and 100 workers: README, Benchmark, Pool start).
    const t0 = performance.now();
    // The pool workers' script, made once per page (the glue from the browser's cache),
    // while the warm-up ends. Without it (a failed load) the engine starts its workers.
    const script = build === 'single' ? Promise.resolve(null) : poolScript(glueUrl(workerUrl('./engine-worker.js', build).href)).catch(() => null);
    const warmed = await pageWarmUp;
    const pageWarmUpWaitMs = performance.now() - t0;
    const aheadScript = await script;
    // The page's module, warmed up at load, has its optimised code already; a module of
    // the engine's own, or one whose warm-up failed, is warmed up in the start.
    const warmUp = compiled === null || warmed === null;
    for (let attempt = 1; ; attempt++) {
      try {
        engine = await Engine.start(workers, terms().layout, build, compiled, warmUp, aheadScript);
        break;
      } catch (e) {
        // A start that hung or crashed is tried again on a fresh engine (and memory).
        // The compiled module is kept: it is immutable code, and the stalls seen came
        // with fresh compiles as well.
        if (!(e instanceof EngineFailure) || attempt >= START_ATTEMPTS) throw e;
        failedStarts.push(e.message);
      }
    }
    const moduleReused = compiled !== null;
    return { engine, poolStartMs: performance.now() - tStart, poolReused: false, moduleReused, pageWarmUpWaitMs, cold: true, failedStarts };
  }

  /**
   * What a pool's start cost, for a result: the workers it started and kept.
   * @param {{engine: Engine, poolStartMs: number, poolReused: boolean, moduleReused: boolean, failedStarts: string[]}} s
   */
  function poolCost({ engine: e, poolStartMs, poolReused, moduleReused, failedStarts }) {
    const started = poolReused ? 0 : (e.phases?.started ?? e.workers);
    return { poolStartMs, poolReused, moduleReused, warmUpMs: poolReused ? 0 : e.warmUpMs, workersStarted: started, workersKept: poolReused ? e.workers : e.workers - started, failedStarts };
  }

  /**
   * Runs one CPU job on a pool of the asked size; pool start is timed apart. The
   * pool's size is the page's to choose and is not sent on: the core asks the pool.
   * @template T
   * @param {string} kind
   * @param {Record<string, any>} opts
   * @param {(remote: any, opts: Record<string, any>) => Promise<T>} call
   * @returns {Promise<T & import('./types.js').PoolCost>}
   */
  async function onPool(kind, opts, call) {
    // Registered before the first await, so a Stop pressed right after Run is not lost.
    const run = { kind, runId: ++runSeq, t0: performance.now(), cancelled: false };
    pending.add(run);
    try {
      await ready;
    } catch (e) {
      pending.delete(run);
      throw e;
    }
    const { workers: asked, ...rest } = opts ?? {};
    let workers;
    try {
      workers = checkWorkers(asked, terms().maxWorkers);
    } catch (e) {
      pending.delete(run);
      throw e;
    }
    return cpu(async () => {
      pending.delete(run);
      active = run;
      try {
        const started = await engineFor(workers);
        const e = started.engine;
        run.computeT0 = performance.now();
        const cost = poolCost(started);
        if (run.cancelled) return /** @type {any} */ ({ cancelled: true, ...cost });
        // The watchdog: a crashed or stuck engine ends the run with an Error and is
        // replaced, so nothing waits for a worker that died.
        const watchdog = e.watch(kind, terms().stallMs);
        try {
          const result = await e.failure.guard(Promise.race([call(e.remote, { ...rest, runId: run.runId }), watchdog.failed]));
          return /** @type {any} */ ({ ...result, ...cost });
        } catch (err) {
          if (err instanceof EngineFailure || (err instanceof Error && err.name === 'EngineCrash') || e.dead || e.fault()) {
            e.terminate();
            if (engine === e) engine = null;
          }
          throw err;
        } finally {
          watchdog.stop();
        }
      } finally {
        active = null;
      }
    });
  }

  // Closing or reloading the page mid-run leaves nothing running: the pool's workers
  // end with the engine, and the link worker's fetches are aborted with it. A page
  // restored from the back/forward cache would find its workers gone, so it reloads.
  self.addEventListener('pagehide', () => {
    lab.stop();
    engine?.terminate();
    engine = null;
    linksWorker.terminate();
  });
  self.addEventListener('pageshow', (e) => {
    if (/** @type {PageTransitionEvent} */ (e).persisted) location.reload();
  });

  const lab = {
    ready,

    /** Limits, defaults, layouts and lists, from Rust. Read after `await lab.ready`. */
    get contract() {
      return terms();
    },

    /** Where the lab's endpoints are: {kind: 'server' | 'simulated' | 'none', base, note}. Read after `await lab.ready`. */
    get endpoints() {
      return endpoints;
    },

    /** The largest pool (kept for scripts written against the first contract). */
    get MAX_WORKERS() {
      return terms().maxWorkers;
    },

    /** @returns {import('./types.js').Info} */
    info() {
      return {
        crossOriginIsolated: self.crossOriginIsolated === true,
        hardwareConcurrency: navigator.hardwareConcurrency || 1,
        threads: build !== 'single',
        build,
        ...(build === 'single' ? { noThreads: noThreadsReason() } : {}),
      };
    },

    /**
     * @param {import('./types.js').MineOptions} opts
     * @returns {Promise<import('./types.js').MineResult>}
     */
    mine(opts) {
      return onPool('mine', opts, (remote, o) => remote.mine(o));
    },

    /**
     * @param {import('./types.js').PrimesOptions} opts
     * @returns {Promise<import('./types.js').PrimesResult>}
     */
    primes(opts) {
      return onPool('primes', opts, (remote, o) => remote.primes(o));
    },

    /**
     * @param {import('./types.js').LinksOptions} [opts]
     * @returns {Promise<import('./types.js').LinksResult>}
     */
    async links(opts = {}) {
      await ready;
      const { onResult, ...rest } = opts;
      /** @type {Record<string, any>} */
      const o = rest;
      if (o.urls === undefined) o.urls = lab.labLinks();
      else if (!Array.isArray(o.urls)) throw new Error(`urls: must be a list of URL strings (got ${typeof o.urls})`);
      else o.urls = o.urls.map((u) => (typeof u === 'string' ? u : String(u)));
      if (onResult !== undefined && typeof onResult !== 'function') throw new Error('onResult: must be a function');
      if (!onResult) return io(() => linksFailure.guard(links.check(o, undefined)));
      // Each result reaches onResult exactly once, and all of them before the promise
      // resolves: the callback travels on its own message channel, so its last calls
      // can arrive after the check's answer; those are delivered from the answer.
      const seen = new Set();
      const once = (/** @type {import('./types.js').LinkResult} */ r) => {
        if (seen.has(r.index)) return;
        seen.add(r.index);
        onResult(r);
      };
      return io(async () => {
        /** @type {import('./types.js').LinksResult} */
        const r = await linksFailure.guard(links.check(o, Comlink.proxy(once)));
        for (const x of r.results) once(x);
        return r;
      });
    },

    /**
     * The GIL lesson: the course's countdown on a small bytecode interpreter, run by
     * `threads` threads of the pool under one GIL (mode 'gil'), none ('free'), as
     * processes, as coroutines on one thread ('async') or as the hybrid. Rust says how
     * large a pool the options need; it is started (or reused) and reported apart.
     * @param {import('./types.js').GilOptions} opts
     * @returns {Promise<import('./types.js').GilResult>}
     */
    async gil(opts) {
      await ready;
      const workers = await linksFailure.guard(links.gilPoolNeeded(opts));
      return onPool('gil', { ...opts, workers }, (remote, o) => remote.gil(o));
    },

    /**
     * A concurrent.futures program on real pool threads: `submit`, nested submits and
     * `result(timeout)`; a watchdog reading the wait-for state ends a deadlock within a
     * second and names the cycle. Give `{preset}` (lab.contract.models.executor.presets)
     * or a description `{maxWorkers, submit, tasks}`. The pool is maxWorkers + 1 (the
     * main program's thread).
     * @param {import('./types.js').ExecutorOptions} opts
     * @returns {Promise<import('./types.js').ExecutorResult>}
     */
    async executor(opts) {
      await ready;
      const workers = await linksFailure.guard(links.executorPoolNeeded(opts));
      return onPool('executor', { ...opts, workers }, (remote, o) => remote.executor(o));
    },

    /**
     * One experiment on the link worker's event loop (the course's asyncio lessons):
     * gather vs sequential await, aiohttp, an async generator, a blocked loop vs the
     * hybrid with the pool, and the order of microtasks and tasks.
     * @param {import('./types.js').LoopOptions} opts
     * @returns {Promise<import('./types.js').LoopResult>}
     */
    async loop(opts) {
      await ready;
      if (opts === null || typeof opts !== 'object') throw new Error('options: expected an object of named options');
      // run_in_executor: the loop hands the CPU step to the pool and awaits it; the
      // pool is the one running now, or one worker.
      const executor = async (/** @type {number} */ count) => {
        const r = await lab.mine({ workers: engine && !engine.dead ? engine.workers : 1, count });
        if (r.cancelled || r.ended === 'stopped') throw new Error('the CPU step was stopped');
      };
      return io(() => linksFailure.guard(links.loop(opts, labOrigin(), Comlink.proxy(executor))));
    },

    /**
     * A pasted or uploaded list, checked line by line (in a worker).
     * @param {string} text
     * @returns {Promise<import('./types.js').ParsedList>}
     */
    async parseLinks(text) {
      if (typeof text !== 'string') throw new Error('text: must be a string');
      return links.parseList(text);
    },

    /**
     * The course's census: random Wikipedia pages (or the offline fixture), their links, checked.
     * Stop ('links') stops its paging too.
     * @param {import('./types.js').CensusOptions} [opts]
     * @returns {Promise<import('./types.js').CensusResult>}
     */
    async census(opts = {}) {
      census_?.abort();
      const own = new AbortController();
      census_ = own;
      try {
        return await census(lab, { ...opts, signal: opts.signal ? AbortSignal.any([opts.signal, own.signal]) : own.signal });
      } finally {
        if (census_ === own) census_ = null;
      }
    },

    /**
     * md5 of any text and whether it is a coin (computed in a worker).
     * @param {string} text
     * @returns {Promise<import('./types.js').Verdict>}
     */
    verifyCoin(text) {
      return links.verifyCoin(String(text));
    },

    /**
     * A lab list from the contract ('lab', the default, or 'errors') as URLs on this server.
     * @param {string} [id]
     */
    labLinks(id) {
      const lists = terms().links.labLists;
      const list = id === undefined ? lists[0] : lists.find((l) => l.id === id);
      if (!list) throw new Error(`list: must be one of ${lists.map((l) => `"${l.id}"`).join(', ')} (got "${id}")`);
      if (endpoints.kind === 'none') throw new Error(`list: the lab's endpoints are not on this host (${endpoints.note})`);
      return labLinks(list, location, endpoints);
    },

    /**
     * What the running (or last) CPU job has done so far, read from shared memory.
     * Cheap enough to call every frame.
     * @param {{coinsFrom?: number}} [opts]
     * @returns {import('./types.js').Progress | null}
     */
    progress({ coinsFrom } = {}) {
      if (!engine?.memory) return null;
      const v = engine.views();
      const l = engine.layout;
      const runId = Atomics.load(v.u32, l.runId / 4);
      const current = active && runId === active.runId;
      /** @param {BigUint64Array} arr */
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
        // Coins found so far, from index `coinsFrom` on (the first slots of a run).
        newCoins: coinsFrom === undefined || !current ? [] : engine.coins(coinsFrom, Atomics.load(v.u32, l.coins / 4)),
        // Since the run reached the engine: the pool's start is not part of it.
        elapsedMs: active?.computeT0 ? performance.now() - active.computeT0 : 0,
      };
    },

    /**
     * A crash on purpose, for the fault tests: one pool thread panics ('panic'), runs
     * out of memory ('oom'), spins without a sign of life ('stall') or traps with no
     * message ('trap'). Only the test build (pkg-faults/, page URL `?build=faults`)
     * has the entry point; elsewhere this rejects saying so.
     * @param {{workers: number | string, kind?: 'panic' | 'oom' | 'stall' | 'trap'}} opts
     * @returns {Promise<void>}
     */
    fault(opts) {
      return onPool('fault', opts, (remote, o) => remote.fault(o));
    },

    /**
     * Starts (or reuses) a pool of `workers` and reports what it costs: start time
     * and the wasm memory (each worker adds its own stack and TLS to it). A pool of
     * another size is built on the workers the page's engine has, starting only those
     * it lacks; `{cold: true}` starts a fresh engine with every worker, as on a fresh
     * page (what the resources view and make bench measure).
     * @param {number} workers
     * @param {{cold?: boolean}} [opts]
     * @returns {Promise<import('./types.js').PoolStart>}
     */
    async startPool(workers, opts) {
      await ready;
      const n = checkWorkers(workers, terms().maxWorkers);
      if (opts !== undefined && (typeof opts !== 'object' || opts === null || Array.isArray(opts))) {
        throw new Error(`startPool: options must be an object such as {cold: true} (got ${JSON.stringify(opts)})`);
      }
      const { cold = false, ...unknown } = opts ?? {};
      const extra = Object.keys(unknown);
      if (extra.length) throw new Error(`startPool: unknown option ${JSON.stringify(extra[0])} (the one option is cold)`);
      if (typeof cold !== 'boolean') throw new Error(`cold: expected true or false (got ${JSON.stringify(cold)})`);
      return cpu(async () => {
        const started = await engineFor(n, cold);
        const e = started.engine;
        const { workersStarted, workersKept, failedStarts } = poolCost(started);
        return {
          workers: n, poolStartMs: started.poolStartMs, poolReused: started.poolReused, moduleReused: started.moduleReused, cold: started.cold,
          workersStarted, workersKept, failedStarts, pageWarmUpWaitMs: started.pageWarmUpWaitMs,
          moduleMs: started.cold ? e.moduleMs : 0, poolMs: started.poolReused ? 0 : e.poolMs, phases: started.poolReused ? null : e.phases,
          warmUpMs: started.poolReused ? 0 : e.warmUpMs, wasmBytes: e.memory?.buffer.byteLength ?? e.wasmBytes,
        };
      });
    },

    /**
     * What the page did once, at load, for every pool: compiled the module (on the link
     * worker) and warmed its code up; resolves once the warm-up is over.
     * @returns {Promise<import('./types.js').PageModule>}
     */
    async pageModule() {
      await ready;
      return { loadMs: moduleLoadMs, warmUp: await pageWarmUp };
    },

    /**
     * Stops the running job of that kind ('mine', 'primes', 'gil', 'executor', 'links',
     * 'loop'), or all. A stopped loop experiment rejects with "loop: stopped".
     * @param {string} [kind]
     */
    stop(kind) {
      for (const run of pending) if (kind === undefined || kind === run.kind) run.cancelled = true;
      if (active && (kind === undefined || kind === active.kind)) {
        active.cancelled = true;
        engine?.raiseStop(active.runId);
      }
      if (kind === undefined || kind === 'links') {
        census_?.abort();
        links.stop();
      }
      if (kind === undefined || kind === 'loop') links.stopLoop();
    },
  };
  return lab;
}
