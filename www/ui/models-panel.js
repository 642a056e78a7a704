// The models lab: the course's lessons on threads and the GIL (001), the event loop
// (003) and executors (002), each re-created by window.lab and measured here, and a
// table of every model on one CPU-bound and one I/O-bound job ("which model when").
// Limits, defaults and lists come from lab.contract.models; every figure shown is
// measured in this browser and comes with what it means.
import { $, el, ms, count, runGuarded } from './dom.js';
import { poolStartText } from './pool-cost.js';
import { drawLanes, drawSpans, legend, dataTable, chartBox, laneTotals, STATE_COLORS, STATES } from './lanes.js';
import { traceFromLanes, traceFromLoop, traceFromTasks, traceDownload } from './trace.js';

/** @typedef {import('../types.js').GilTerms} GilTerms */
/** @typedef {import('../types.js').LoopTerms} LoopTerms */
/** @typedef {import('../types.js').ExecutorPreset} ExecutorPreset */
/** @typedef {import('../types.js').ExecutorTerms} ExecutorTerms */

/**
 * The part of window.lab this panel drives. `executor` may be missing from a build.
 * @typedef {object} ModelsLab
 * @property {import('../types.js').Contract} contract
 * @property {() => import('../types.js').Info} info
 * @property {(o: import('../types.js').GilOptions) => Promise<import('../types.js').GilResult>} gil
 * @property {(o: import('../types.js').LoopOptions) => Promise<import('../types.js').LoopResult>} loop
 * @property {(o: import('../types.js').ExecutorOptions) => Promise<import('../types.js').ExecutorResult>} [executor]
 * @property {(kind?: string) => void} stop
 */

/** How each mode is offered in the select; an id the page does not know shows as itself. */
const MODE_TEXT = {
  gil: 'threads under the GIL (CPython 3.2+)',
  free: 'threads without a GIL (free-threaded 3.13t)',
  processes: 'processes (ProcessPoolExecutor)',
  async: 'coroutines on one event loop (asyncio)',
  hybrid: 'asyncio with a process pool (run_in_executor)',
};
const WORKLOAD_TEXT = {
  cpu: 'CPU-bound: each counts down from n',
  io: 'I/O-bound: blocking calls (sleeps)',
  mixed: 'mixed: thread 0 counts down, the others do I/O',
};
/** [one, many, after] for sentences: "2 threads under the GIL". */
const WHO = {
  gil: ['thread', 'threads', ' under the GIL'],
  free: ['thread', 'threads', ' without a GIL'],
  processes: ['process', 'processes', ''],
  async: ['coroutine', 'coroutines', ' on one event loop'],
  hybrid: ['task', 'tasks', ' on asyncio with a process pool'],
};
/** The lane's labels per mode: prefix of a row, and what each state means. */
const LANE_TEXT = {
  gil: { prefix: 'T', run: 'running (holds the GIL)', wait: 'waiting for the GIL', sleep: 'in a blocking call (GIL released)' },
  free: { prefix: 'T', run: 'running', wait: 'waiting', sleep: 'in a blocking call' },
  processes: { prefix: 'P', run: 'running', wait: 'waiting', sleep: 'in a blocking call' },
  async: { prefix: 'task ', run: 'running on the loop', wait: 'ready, waiting for the loop', sleep: 'awaiting a timer' },
  hybrid: { prefix: 'task ', run: 'running (CPU tasks in the pool)', wait: 'ready, waiting for the loop', sleep: 'awaiting a timer' },
};
/** Speed-ups within these bounds count as "about as fast". */
const SAME_LOW = 0.83;
const SAME_HIGH = 1.2;

/**
 * @param {string} mode
 * @param {number} n
 */
function who(mode, n) {
  const w = WHO[mode] ?? [`${mode} thread`, `${mode} threads`, ''];
  return `${n} ${n === 1 ? w[0] : w[1]}${w[2]}`;
}

/** @param {number} speed */
function relation(speed) {
  return speed > SAME_HIGH ? 'faster' : speed < SAME_LOW ? 'slower' : 'same';
}
const RELATION_TEXT = { faster: 'faster', same: 'about as fast', slower: 'slower' };

/** @param {number} x */
const times = (x) => `${x >= 10 ? x.toFixed(1) : x.toFixed(2)}×`;
/** @param {number} x */
const pct = (x) => `${Math.round(100 * x)}%`;

/**
 * A number typed in a box; empty means the API's default. The error names the box.
 * @param {HTMLInputElement} input
 * @param {string} name
 * @returns {number | undefined}
 */
function numberIn(input, name) {
  const v = input.value.trim();
  if (v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`${name}: "${v}" is not a number`);
  return n;
}

/**
 * Switch intervals the slider stops at: 1, 1.5, 2, 3, 5, 7 per decade between the
 * contract's limits, with the limits and the default.
 * @param {number} min
 * @param {number} max
 * @param {number} def
 */
export function intervalSteps(min, max, def) {
  const out = new Set([min, max, def].filter(Number.isFinite));
  for (let d = 10 ** Math.floor(Math.log10(min)); d <= max; d *= 10) {
    for (const m of [1, 1.5, 2, 3, 5, 7]) {
      const v = Number((m * d).toPrecision(3));
      if (v >= min && v <= max) out.add(v);
    }
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * Runs `job` guarded (see runGuarded), then gives the focus back to Run if the run
 * took it away (Run was disabled, or Stop was pressed).
 * @template T
 * @param {{run: HTMLButtonElement, stop: HTMLButtonElement, error: HTMLElement, summary?: HTMLElement, also?: HTMLButtonElement[]}} f
 * @param {() => Promise<T>} job
 */
async function guarded(f, job) {
  try {
    return await runGuarded(f, job);
  } finally {
    const a = document.activeElement;
    if (!a || a === document.body || a === f.stop || a === f.run) f.run.focus();
  }
}

/**
 * @param {HTMLSelectElement} select
 * @param {[string, string][]} options  [value, text]
 * @param {string} [value]
 */
function fill(select, options, value) {
  select.replaceChildren(...options.map(([v, t]) => el('option', { value: v }, t)));
  if (value !== undefined && options.some(([v]) => v === value)) select.value = value;
}

/**
 * The "your guess" line: what was guessed beside what was measured.
 * @param {HTMLElement} node
 * @param {string} guessText  empty: no guess was made
 * @param {string} measuredText
 * @param {boolean} right
 * @param {string} [why]
 */
function verdict(node, guessText, measuredText, right, why = '') {
  node.hidden = !guessText;
  if (!guessText) return;
  node.className = `prediction ${right ? 'right' : 'wrong'}`;
  node.replaceChildren(
    el('b', {}, right ? 'Your guess was right. ' : 'Not what you guessed. '),
    `You expected: ${guessText}. Measured: ${measuredText}.${why ? ` ${why}` : ''}`,
  );
}

/**
 * The models lab.
 * @param {ModelsLab} lab
 * @param {HTMLElement} root
 */
export function modelsPanel(lab, root) {
  const models = /** @type {any} */ (lab.contract).models ?? {};
  /** @type {Set<string>} contract fields this build lacks */
  const missing = new Set();
  /**
   * @template T
   * @param {any} obj
   * @param {string} path
   * @param {T} fallback
   * @returns {T}
   */
  const need = (obj, path, fallback) => {
    const v = obj?.[path.split('.').at(-1) ?? ''];
    if (v === undefined || v === null) {
      missing.add(`models.${path}`);
      return fallback;
    }
    return v;
  };
  const info = lab.info();
  const gil = gilSection(lab, root, models.gil ?? {}, need, info);
  const loop = loopSection(lab, root, models.loop ?? {}, need);
  const executor = executorSection(lab, root, models.executor, need, info);
  const compare = compareSection(lab, root, models.gil ?? {}, need, info);
  gil.also.push(compare.f.run);
  compare.f.also.push(gil.f.run);

  const note = $('#models-missing', root);
  note.hidden = missing.size === 0;
  note.textContent = missing.size ? `This build's contract lacks ${[...missing].join(', ')}; the controls that need them use the API's defaults or are off.` : '';
  return { frame: gil.frame, gil, loop, executor, compare };
}

// ------------------------------------------------------------------------ the GIL

/**
 * @param {ModelsLab} lab
 * @param {HTMLElement} root
 * @param {Partial<GilTerms>} g
 * @param {<T>(obj: any, path: string, fallback: T) => T} need
 * @param {import('../types.js').Info} info
 */
function gilSection(lab, root, g, need, info) {
  const f = {
    threads: $('#gil-threads', root), threadsN: $('#gil-threads-n', root), mode: $('#gil-mode', root),
    workload: $('#gil-workload', root), interval: $('#gil-interval', root), intervalN: $('#gil-interval-n', root),
    intervalNote: $('#gil-interval-note', root), n: $('#gil-n', root), sleeps: $('#gil-sleeps', root),
    sleepMs: $('#gil-sleep-ms', root), yieldEvery: $('#gil-yield', root), predict: $('#gil-predict', root),
    run: $('#gil-run', root), stop: $('#gil-stop', root), error: $('#gil-error', root), stats: $('#gil-stats', root),
    summary: $('#gil-summary', root), verdict: $('#gil-verdict', root), table: $('#gil-table tbody', root),
    waitHead: $('#gil-wait-head', root), legend: $('#gil-legend', root), trace: $('#gil-trace', root),
    /** @type {HTMLButtonElement[]} */
    also: [],
  };
  const maxThreads = need(g, 'gil.maxThreads', lab.contract.maxWorkers);
  const defThreads = need(g, 'gil.defaultThreads', 1);
  for (const i of [f.threads, f.threadsN]) {
    i.max = String(maxThreads);
    i.value = String(defThreads);
  }
  f.threads.addEventListener('input', () => { f.threadsN.value = f.threads.value; });
  f.threadsN.addEventListener('input', () => { if (/^\d+$/.test(f.threadsN.value)) f.threads.value = f.threadsN.value; });

  fill(f.mode, need(g, 'gil.modes', ['gil']).map((m) => [m, MODE_TEXT[m] ?? m]));
  fill(f.workload, need(g, 'gil.workloads', ['cpu']).map((w) => [w, WORKLOAD_TEXT[w] ?? w]));

  // The switch interval: a log-ish slider over the contract's range and an exact box.
  const minSi = need(g, 'gil.minSwitchIntervalMs', NaN);
  const maxSi = need(g, 'gil.maxSwitchIntervalMs', NaN);
  const defSi = need(g, 'gil.defaultSwitchIntervalMs', NaN);
  const steps = Number.isFinite(minSi) && Number.isFinite(maxSi) ? intervalSteps(minSi, maxSi, defSi) : [defSi];
  f.interval.max = String(steps.length - 1);
  f.intervalN.min = String(minSi);
  f.intervalN.max = String(maxSi);
  const showInterval = (/** @type {number} */ v) => f.interval.setAttribute('aria-valuetext', `${v} ms`);
  const nearest = (/** @type {number} */ v) => steps.reduce((best, s, i) => (Math.abs(Math.log(s / v)) < Math.abs(Math.log(steps[best] / v)) ? i : best), 0);
  f.interval.value = String(Math.max(0, steps.indexOf(defSi)));
  f.intervalN.value = Number.isFinite(defSi) ? String(defSi) : '';
  showInterval(defSi);
  f.interval.addEventListener('input', () => {
    const v = steps[Number(f.interval.value)];
    f.intervalN.value = String(v);
    showInterval(v);
  });
  f.intervalN.addEventListener('input', () => {
    const v = Number(f.intervalN.value);
    if (v > 0) {
      f.interval.value = String(nearest(v));
      showInterval(v);
    }
  });

  f.n.value = String(need(g, 'gil.defaultN', ''));
  f.n.placeholder = 'default';
  f.sleeps.value = String(need(g, 'gil.defaultSleeps', ''));
  f.sleepMs.value = String(need(g, 'gil.defaultSleepMs', ''));
  f.yieldEvery.value = String(need(g, 'gil.defaultYieldEvery', ''));

  /** Shows the boxes the mode and workload use. */
  function relevant() {
    const w = f.workload.value;
    const m = f.mode.value;
    for (const l of root.querySelectorAll('#models-gil .for-cpu')) /** @type {HTMLElement} */ (l).hidden = w === 'io';
    for (const l of root.querySelectorAll('#models-gil .for-io')) /** @type {HTMLElement} */ (l).hidden = w === 'cpu';
    for (const l of root.querySelectorAll('#models-gil .for-async')) /** @type {HTMLElement} */ (l).hidden = m !== 'async' || w === 'io';
    const off = m !== 'gil';
    f.interval.disabled = off;
    f.intervalN.disabled = off;
    f.intervalNote.textContent = off ? 'only the GIL mode has a switch interval' : `CPython's default: ${defSi} ms`;
  }
  f.mode.addEventListener('change', relevant);
  f.workload.addEventListener('change', relevant);
  relevant();

  if (!info.threads) {
    f.run.disabled = true;
    f.run.title = 'needs wasm threads (see the note at the top)';
  }

  const lanes = chartBox($('#gil-lanes', root), 'The lanes as tables');

  /** @returns {import('../types.js').GilOptions} */
  function options() {
    const threads = Number(f.threadsN.value);
    /** @type {any} */
    const mode = f.mode.value;
    /** @type {any} */
    const workload = f.workload.value;
    const n = f.n.value.trim();
    if (n !== '' && !/^\d+$/.test(n)) throw new Error(`n: "${n}" is not a whole number`);
    return {
      threads, mode, workload,
      // A number: lab.gil's n is a u64 that refuses strings (maxN is far below 2^53).
      n: n === '' ? undefined : Number(n),
      switchIntervalMs: numberIn(f.intervalN, 'switchIntervalMs'),
      sleeps: numberIn(f.sleeps, 'sleeps'),
      sleepMs: numberIn(f.sleepMs, 'sleepMs'),
      yieldEvery: numberIn(f.yieldEvery, 'yieldEvery'),
    };
  }

  /** Baselines already measured, by their options: one thread doing the same work in turn. */
  /** @type {Map<string, {ms: number, parts: number[], estimated: boolean, at: number}>} */
  const baselines = new Map();

  /**
   * One thread (no lock) doing the work of all `threads` in turn: the countdowns, the
   * blocking calls, or both (mixed: one countdown, the others' calls). Where the total
   * passes the contract's limit, one job is timed and multiplied, and says so.
   * @param {import('../types.js').GilOptions} o
   */
  async function baseline(o) {
    const T = o.threads;
    const n = Number(o.n ?? need(g, 'gil.defaultN', 0));
    const sleeps = o.sleeps ?? need(g, 'gil.defaultSleeps', 0);
    const io = { sleepMs: o.sleepMs };
    const maxN = need(g, 'gil.maxN', Number.MAX_SAFE_INTEGER);
    const maxSleeps = g.maxSleeps ?? Infinity;
    const key = JSON.stringify({ w: o.workload, n, sleeps, sleepMs: o.sleepMs, T });
    const known = baselines.get(key);
    if (known) return { ...known, fresh: false };
    /** @type {{opts: import('../types.js').GilOptions, times: number}[]} */
    const jobs = [];
    const cpuJobs = o.workload === 'io' ? 0 : o.workload === 'mixed' ? 1 : T;
    const ioThreads = o.workload === 'cpu' ? 0 : o.workload === 'mixed' ? T - 1 : T;
    let estimated = false;
    if (cpuJobs) {
      const total = n * cpuJobs;
      const fits = total <= maxN;
      estimated ||= !fits;
      jobs.push({ opts: { threads: 1, mode: 'free', workload: 'cpu', n: fits ? total : n }, times: fits ? 1 : cpuJobs });
    }
    if (ioThreads) {
      const total = sleeps * ioThreads;
      const fits = total <= maxSleeps;
      estimated ||= !fits;
      jobs.push({ opts: { threads: 1, mode: 'free', workload: 'io', sleeps: fits ? total : sleeps, ...io }, times: fits ? 1 : ioThreads });
    }
    const parts = [];
    for (const j of jobs) {
      const r = await lab.gil(j.opts);
      if (r.stopped || /** @type {any} */ (r).cancelled) return null;
      parts.push(r.elapsedMs * j.times);
    }
    const b = { ms: parts.reduce((a, x) => a + x, 0), parts, estimated, at: Date.now() };
    baselines.set(key, b);
    return { ...b, fresh: true };
  }

  /** @type {{t0: number, phase: string, target: number} | null} */
  let live = null;

  const run = () => guarded(f, async () => {
    const o = options();
    const T = o.threads;
    const mode = o.mode;
    const workload = o.workload ?? 'cpu';
    const n = Number(o.n ?? need(g, 'gil.defaultN', 0));
    const cpuThreads = workload === 'cpu' ? T : workload === 'mixed' ? 1 : 0;
    f.summary.textContent = `Running ${who(mode, T)}…`;
    f.verdict.hidden = true;
    live = { t0: performance.now(), phase: who(mode, T), target: n * cpuThreads };
    /** @type {import('../types.js').GilResult} */
    let r;
    try {
      r = await lab.gil(o);
    } finally {
      live = null;
    }
    if (/** @type {any} */ (r).cancelled) {
      f.summary.textContent = 'Stopped before the run began.';
      f.stats.textContent = '';
      return r;
    }
    const text = LANE_TEXT[mode] ?? LANE_TEXT.gil;
    const does = (/** @type {number} */ i) => (workload === 'cpu' ? 'cpu' : workload === 'io' ? 'io' : i === 0 ? 'cpu' : 'io');
    const labels = r.threads.map((_, i) => `${text.prefix}${i} ${does(i)}`);
    showThreads(r, labels, text, does);
    showLanes(r, o, labels, text);
    const stats = () => f.stats.replaceChildren(
      el('span', {}, `wall time ${ms(r.elapsedMs)}`),
      el('span', {}, `hand-overs ${count(r.handovers)}`),
      el('span', {}, r.poolReused ? 'pool reused' : `pool start ${ms(r.poolStartMs)}${r.workersKept ? ` on ${r.workersKept} kept workers` : ''} (not counted)`),
    );
    stats();
    if (r.stopped) {
      f.summary.textContent = `Stopped after ${ms(r.elapsedMs)}; the lanes show what ran until then.`;
      return r;
    }
    f.summary.textContent = `${who(mode, T)}: ${ms(r.elapsedMs)}. Now timing one thread doing the same work in turn…`;
    live = { t0: performance.now(), phase: 'one thread, the same work in turn', target: n * cpuThreads };
    let base;
    try {
      base = await baseline(o);
    } finally {
      live = null;
    }
    stats();
    story(r, o, base, labels);
    return r;
  });

  /**
   * @param {import('../types.js').GilResult} r
   * @param {string[]} labels
   * @param {{wait: string}} text
   * @param {(i: number) => string} does
   */
  function showThreads(r, labels, text, does) {
    f.waitHead.textContent = text.wait;
    f.table.replaceChildren(...r.threads.map((t, i) => el('tr', {},
      el('td', { title: does(i) === 'cpu' ? 'counts down' : 'makes blocking calls' }, labels[i]),
      el('td.num', {}, ms(t.runMs)), el('td.num', {}, ms(t.waitMs)), el('td.num', {}, ms(t.sleepMs)),
      el('td.num', {}, pct(t.runMs / r.elapsedMs)))));
  }

  /**
   * @param {import('../types.js').GilResult} r
   * @param {import('../types.js').GilOptions} o
   * @param {string[]} labels
   * @param {Record<string, string>} text
   */
  function showLanes(r, o, labels, text) {
    f.legend.replaceChildren(legend(STATES.map((s) => ({ color: STATE_COLORS[s], label: text[s] }))));
    const T = r.threads.length;
    const totals = laneTotals(r.lane, T);
    const few = totals.slice(0, 8).map((t, i) => `${labels[i]} ${[['ran', t.run], ['waited', t.wait], ['slept', t.sleep]].filter(([, v]) => Number(v) > 0).map(([w, v]) => `${w} ${ms(Number(v))}`).join(', ') || 'did nothing'}`);
    const label = `Lanes of ${who(o.mode, T)} over ${ms(r.elapsedMs)}, one row per ${WHO[o.mode]?.[0] ?? 'thread'}: ${few.join('; ')}${T > 8 ? `; ${T - 8} more in the table` : ''}.`;
    const merged = r.laneMerged ? ` ${count(r.laneMerged)} short intervals were merged into coarser ones; the totals are exact.` : '';
    lanes.show(
      () => drawLanes(lanes.canvas, r.lane, { threads: T, labels, endMs: r.elapsedMs }),
      label + merged,
      dataTable('Time in each state', ['row', text.run, text.wait, text.sleep, 'intervals'],
        totals.map((t, i) => [labels[i], t.run, t.wait, t.sleep, { num: count(t.intervals) }])),
      dataTable('The intervals, in start order', ['row', 'state', 'from', 'to', 'length'],
        r.lane.map((i) => [labels[i.thread] ?? String(i.thread), text[i.state] ?? i.state, i.startMs, i.endMs, i.endMs - i.startMs]), 300),
    );
    traceDownload(f.trace, `gil-${o.mode}-${o.workload ?? 'cpu'}-${T}.json`,
      traceFromLanes(r.lane, { threads: T, labels, process: `${who(o.mode, T)}, ${o.workload ?? 'cpu'}` }));
  }

  /**
   * The sentences under a run: what was measured, against one thread in turn, and why.
   * @param {import('../types.js').GilResult} r
   * @param {import('../types.js').GilOptions} o
   * @param {{ms: number, parts: number[], estimated: boolean, fresh: boolean} | null} base
   * @param {string[]} labels
   */
  function story(r, o, base, labels) {
    const T = o.threads;
    const mode = o.mode;
    const workload = o.workload ?? 'cpu';
    const wall = r.elapsedMs;
    const cores = info.hardwareConcurrency;
    /** @type {(Node | string)[]} */
    const out = [el('b', {}, `${who(mode, T)}: ${ms(wall)}.`), ' '];
    let rel = '';
    let speed = NaN;
    if (base) {
      speed = base.ms / wall;
      rel = relation(speed);
      out.push(`One thread doing the same work in turn took ${ms(base.ms)}${base.estimated ? ' (one job timed, multiplied: the total passes the limit)' : ''}${base.fresh ? '' : ' (timed earlier)'}: `,
        el('b', {}, `${times(speed)}, ${RELATION_TEXT[rel]}`), '. ');
      if (workload !== 'mixed' && T > 1) out.push(`That is ${times(wall / (base.ms / T))} one thread's time for one job. `);
    } else {
      out.push('(The run in turn was stopped, so there is nothing to compare with.) ');
    }
    const sum = (/** @type {'runMs' | 'waitMs' | 'sleepMs'} */ k, from = 0) => r.threads.slice(from).reduce((a, t) => a + t[k], 0);
    const si = o.switchIntervalMs;
    if (mode === 'gil' && r.handovers > 0) {
      out.push(`The lock changed hands ${count(r.handovers)} times, about every ${ms(wall / r.handovers)} (switch interval ${si} ms). `);
    }
    if (workload === 'cpu') {
      if (mode === 'gil' && T > 1) out.push(`Each thread spent on average ${pct(sum('waitMs') / (T * wall))} of the run waiting for the lock: one runs at a time.`);
      else if ((mode === 'free' || mode === 'processes' || mode === 'hybrid') && T > 1) {
        const ideal = Math.min(T, cores);
        out.push(speed >= 0.7 * ideal
          ? `No shared lock: they ran at once on this machine's ${cores} cores.`
          : `No shared lock, yet under ${times(0.7 * ideal)}: ${T > cores ? `${T} of them share ${cores} cores` : `the ${cores} cores were shared with the page, the browser and other programs`}.`);
      } else if (mode === 'async' && T > 1) {
        out.push(o.yieldEvery === 0
          ? 'They never await, so each ran to its end before the next began.'
          : `They take turns on one thread at each await; the loop switched ${count(r.handovers)} times.`);
      }
    } else if (workload === 'io') {
      out.push(`They spent ${ms(sum('sleepMs'))} in blocking calls${mode === 'gil' ? ' with the lock released' : ''}, overlapping, and ${ms(sum('waitMs'))} in all waiting${mode === 'gil' ? ' for the lock' : ''}.`);
    } else {
      // Mixed: the convoy effect, read from the I/O threads' own figures.
      const calls = (o.sleeps ?? need(g, 'gil.defaultSleeps', 0)) * (T - 1);
      const wait = sum('waitMs', 1);
      const totals = laneTotals(r.lane, T);
      const ioDone = Math.max(...totals.slice(1).map((t) => t.endMs));
      const alone = base && base.parts.length > 1 ? base.parts[1] / (T - 1) : NaN;
      const holder = mode === 'gil' ? 'the lock' : mode === 'async' || mode === 'hybrid' ? 'the loop' : 'a core';
      out.push(el('br'), el('b', {}, `The I/O ${WHO[mode]?.[1] ?? 'threads'}: `),
        `${labels.slice(1).join(', ')} waited ${ms(wait)} in all for ${holder}, about ${ms(calls ? wait / calls : NaN)} after each of their ${count(calls)} blocking calls`,
        mode === 'gil' ? `, while the countdown held the GIL (up to a switch interval, ${si} ms, before it is asked to drop it). That is the convoy effect. ` : '. ',
        `They finished after ${ms(ioDone)}${Number.isFinite(alone) ? `; one alone takes ${ms(alone)}` : ''}.`);
    }
    f.summary.replaceChildren(...out);
    const guess = f.predict.value;
    if (base) verdict(f.verdict, guess ? RELATION_TEXT[guess] : '', `${RELATION_TEXT[rel]} (${times(speed)}; ${SAME_LOW}–${SAME_HIGH}× counts as about as fast)`, guess === rel);
  }

  /** @param {import('../types.js').Progress | null} p */
  function frame(p) {
    if (!live || !p || p.kind !== 'gil') return;
    const elapsed = performance.now() - live.t0;
    f.stats.textContent = p.starting
      ? `${live.phase}: starting the pool… ${ms(elapsed)}`
      : `${live.phase}: running ${ms(p.elapsedMs)}, ${count(p.items)}${live.target ? ` of ${count(live.target)}` : ''} countdown steps`;
  }

  f.run.addEventListener('click', run);
  f.stop.addEventListener('click', () => lab.stop('gil'));
  return { f, also: f.also, run, frame, baseline };
}

// ----------------------------------------------------------------- the event loop

/** Colours of the loop's span kinds, and what they mean. */
const LOOP_KINDS = {
  sleep: ['#7d9fe0', 'asyncio.sleep: a timer'],
  fetch: ['#2f6fdd', 'a fetch in flight'],
  value: ['#23824a', 'waiting for the next value'],
  cpu: ['#e0892b', 'the CPU step'],
};
const CPU_STEP_SCENARIOS = ['blocking', 'hybrid'];
const SCENARIO_NAME = {
  gather: 'gather', sequential: 'Awaiting in turn', aiohttp: 'aiohttp with gather', 'aiohttp-sequential': 'aiohttp awaited in turn',
  agen: 'The async generator', blocking: 'The blocked loop', hybrid: 'The hybrid', order: 'The order',
};

/**
 * The guesses offered for a scenario: [value, text].
 * @param {string} id
 * @returns {[string, string][]}
 */
function loopGuesses(id) {
  if (id === 'order') return [['microtasks', 'the promise callbacks run before the timer'], ['timer', 'the timer runs first (it was queued first)']];
  if (CPU_STEP_SCENARIOS.includes(id)) return [['blocked', 'the loop is stuck for about the CPU step'], ['free', 'the loop stays free (a small lag)']];
  return [['max', 'total ≈ the longest task'], ['sum', 'total ≈ the sum of the tasks']];
}

/**
 * @param {ModelsLab} lab
 * @param {HTMLElement} root
 * @param {Partial<LoopTerms>} l
 * @param {<T>(obj: any, path: string, fallback: T) => T} need
 */
function loopSection(lab, root, l, need) {
  const f = {
    scenario: $('#loop-scenario', root), python: $('#loop-python', root), scale: $('#loop-scale', root),
    cpu: $('#loop-cpu', root), predict: $('#loop-predict', root), run: $('#loop-run', root), stop: $('#loop-stop', root),
    error: $('#loop-error', root), summary: $('#loop-summary', root), verdict: $('#loop-verdict', root),
    order: $('#loop-order', root), legend: $('#loop-legend', root), trace: $('#loop-trace', root),
    heartbeat: $('#loop-heartbeat', root),
  };
  const scenarios = need(l, 'loop.scenarios', /** @type {{id: string, title: string, python: string}[]} */ ([]));
  fill(f.scenario, scenarios.map((s) => [s.id, s.title]));
  f.scale.value = String(need(l, 'loop.defaultScale', ''));
  f.scale.min = '0';
  if (l.maxScale) f.scale.max = String(l.maxScale);
  f.cpu.value = String(need(l, 'loop.defaultCpuMs', ''));
  f.cpu.min = '0';
  if (l.maxCpuMs) f.cpu.max = String(l.maxCpuMs);
  if (l.heartbeatMs) f.heartbeat.textContent = `${l.heartbeatMs} ms`;
  const chart = chartBox($('#loop-chart', root), 'The spans as a table');

  function relevant() {
    const s = scenarios.find((x) => x.id === f.scenario.value);
    f.python.textContent = s?.python ?? '';
    /** @type {HTMLElement} */ (f.cpu.parentElement).hidden = !CPU_STEP_SCENARIOS.includes(f.scenario.value);
    fill(f.predict, [['', '(no guess)'], ...loopGuesses(f.scenario.value)]);
  }
  f.scenario.addEventListener('change', relevant);
  relevant();

  const run = () => guarded(f, async () => {
    const scenario = /** @type {import('../types.js').LoopOptions['scenario']} */ (f.scenario.value);
    /** @type {import('../types.js').LoopOptions} */
    const o = { scenario, scale: numberIn(f.scale, 'scale') };
    if (CPU_STEP_SCENARIOS.includes(scenario)) o.cpuMs = numberIn(f.cpu, 'cpuMs');
    f.summary.textContent = `Running “${f.scenario.selectedOptions[0]?.textContent ?? scenario}”…`;
    f.verdict.hidden = true;
    const r = await lab.loop(o);
    show(r);
    return r;
  });

  /** @param {import('../types.js').LoopResult} r */
  function show(r) {
    const tasks = r.spans.filter((s) => s.kind !== 'cpu');
    const sum = tasks.reduce((a, s) => a + (s.endMs - s.startMs), 0);
    const max = tasks.reduce((a, s) => Math.max(a, s.endMs - s.startMs), 0);
    const name = SCENARIO_NAME[r.scenario] ?? r.scenario;
    const guess = f.predict.value;
    const guessText = guess ? loopGuesses(r.scenario).find(([v]) => v === guess)?.[1] ?? '' : '';
    /** @type {(Node | string)[]} */
    const out = [];
    f.order.hidden = true;
    if (r.scenario === 'order') {
      const timer = r.order.findIndex((x) => /timer|task\)/.test(x) && !/microtask/.test(x));
      const micro = r.order.map((x, i) => (/microtask/.test(x) ? i : -1)).filter((i) => i >= 0);
      const first = micro.length && timer >= 0 ? (micro.every((i) => i < timer) ? 'microtasks' : 'timer') : '';
      out.push(el('b', {}, `${r.order.length} callbacks ran, in this order:`), ' ');
      if (first === 'microtasks') out.push(`the timer, queued first, ran after all ${micro.length} microtasks: the microtask queue is drained before the next task.`);
      else if (first) out.push('the timer ran before some microtask.');
      f.order.replaceChildren(...r.order.map((x) => el('li', {}, x)));
      f.order.hidden = false;
      if (first) verdict(f.verdict, guessText, first === 'microtasks' ? 'the promise callbacks ran before the timer' : 'the timer ran first', guess === first);
    } else if (CPU_STEP_SCENARIOS.includes(r.scenario)) {
      const cpu = r.cpuMs ?? r.spans.filter((s) => s.kind === 'cpu').reduce((a, s) => a + (s.endMs - s.startMs), 0);
      const blocked = r.maxLagMs >= 0.5 * cpu;
      const cpuEnd = Math.max(0, ...r.spans.filter((s) => s.kind === 'cpu').map((s) => s.endMs));
      const held = tasks.filter((s) => s.endMs >= cpuEnd).length;
      out.push(el('b', {}, `${name}: the CPU step took ${ms(cpu)} ${r.scenario === 'blocking' ? "on the loop's own thread" : 'in the pool'}; the loop's largest lag was ${ms(r.maxLagMs)}`),
        ` (${pct(r.maxLagMs / cpu)} of the step). `,
        blocked
          ? `While the step ran, no timer or callback could run: ${held} of ${tasks.length} fetches ended only after it. `
          : 'The loop stayed free: timers and fetch callbacks ran while the step computed. ',
        `Total ${ms(r.elapsedMs)}; the fetches: longest ${ms(max)}, sum ${ms(sum)}.`);
      verdict(f.verdict, guessText, blocked ? `stuck: lag ${ms(r.maxLagMs)} for a ${ms(cpu)} step` : `free: lag ${ms(r.maxLagMs)} for a ${ms(cpu)} step`, guess === (blocked ? 'blocked' : 'free'));
    } else {
      const closer = Math.abs(r.elapsedMs - max) <= Math.abs(r.elapsedMs - sum) ? 'max' : 'sum';
      out.push(el('b', {}, `${name} took ${ms(r.elapsedMs)} ≈ ${closer === 'max' ? `the longest task (${ms(max)})` : `the sum of the tasks (${ms(sum)})`}`),
        closer === 'max' ? `; the sum is ${ms(sum)}: the ${tasks.length} tasks waited at once.` : `; the longest is ${ms(max)}: the ${tasks.length} ${r.scenario === 'agen' ? 'values came' : 'tasks ran'} one after another.`);
      if (r.scenario === 'agen' && r.order.length) out.push(` Values, in the order they arrived: ${r.order.join(', ')}.`);
      verdict(f.verdict, guessText, closer === 'max' ? 'about the longest task' : 'about the sum of the tasks', guess === closer);
    }
    if (r.scenario !== 'order' && !CPU_STEP_SCENARIOS.includes(r.scenario)) out.push(` The loop's largest lag: ${ms(r.maxLagMs)}.`);
    f.summary.replaceChildren(...out);

    if (!r.spans.length) {
      chart.clear();
      f.legend.replaceChildren();
      f.trace.hidden = true;
      return;
    }
    /** @type {Map<string, import('./lanes.js').SpanRow>} */
    const rows = new Map();
    for (const s of r.spans) {
      if (!rows.has(s.task)) rows.set(s.task, { label: s.task, spans: [] });
      rows.get(s.task)?.spans.push({ startMs: s.startMs, endMs: s.endMs, kind: s.kind, text: ms(s.endMs - s.startMs) });
    }
    const kinds = [...new Set(r.spans.map((s) => s.kind ?? 'task'))];
    /** @type {Record<string, string>} */
    const colors = Object.fromEntries(Object.entries(LOOP_KINDS).map(([k, [c]]) => [k, c]));
    f.legend.replaceChildren(legend(kinds.map((k) => ({ color: colors[k] ?? '#8a5cd1', label: LOOP_KINDS[k]?.[1] ?? k }))));
    const spans = r.spans.map((s) => [s.task, s.kind ?? '', s.startMs, s.endMs, s.endMs - s.startMs]);
    chart.show(
      () => drawSpans(chart.canvas, [...rows.values()], { endMs: r.elapsedMs, colors, marks: [{ atMs: r.elapsedMs, label: `all done, ${ms(r.elapsedMs)}` }] }),
      `Spans of ${name}, over ${ms(r.elapsedMs)}: ${r.spans.slice(0, 8).map((s) => `${s.task} from ${ms(s.startMs)} to ${ms(s.endMs)}`).join('; ')}${r.spans.length > 8 ? '; more in the table' : ''}.`,
      dataTable('The spans', ['task', 'kind', 'from', 'to', 'length'], spans),
    );
    traceDownload(f.trace, `loop-${r.scenario}.json`, traceFromLoop(r.spans, { process: `event loop: ${r.scenario}` }));
  }

  f.run.addEventListener('click', run);
  f.stop.addEventListener('click', () => lab.stop('loop'));
  return { f, run };
}

// ---------------------------------------------------------------------- executors

/** The executor's span kinds: a task working, blocked in result() (and it came back), blocked for good. */
const TASK_KINDS = {
  work: ['#2f6fdd', 'working'],
  wait: ['#e0892b', 'blocked in result(), which came back or raised'],
  blocked: ['#b3372f', 'blocked in result() when the run ended'],
};
/** How the wait-for graph's edges read. */
const EDGE_TEXT = { 'waits-for': 'waits for', 'queued-behind': 'is queued behind', 'submitted-by': 'is submitted by' };
/** How Python ends each way a run can end. */
const ENDED_TEXT = { done: 'every task finishes', deadlock: 'a deadlock: it hangs forever', timeout: 'a TimeoutError', stopped: 'stopped' };

/**
 * Where JSON.parse failed, as "line L, column C" when the message gives a position.
 * @param {string} text
 * @param {Error} e
 */
function jsonError(text, e) {
  const m = /position (\d+)/.exec(e.message);
  if (!m || /line \d+/.test(e.message)) return e.message;
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  return `${e.message} (line ${line}, column ${before.length - before.lastIndexOf('\n')})`;
}

/**
 * The wait-for graph as SVG: tasks as boxes on a circle, an arrow per edge, the
 * deadlock's cycle in red; and the same edges as a list (its text alternative).
 * @param {import('../types.js').ExecutorResult} r
 */
function waitGraph(r) {
  const NS = 'http://www.w3.org/2000/svg';
  /**
   * @param {string} tag
   * @param {Record<string, string | number>} attrs
   * @param {string} [text]
   */
  const svgEl = (tag, attrs, text) => {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const labelOf = new Map(r.tasks.map((t) => [t.name, t.label || t.name]));
  const stateOf = new Map(r.tasks.map((t) => [t.name, t.state]));
  const names = [...new Set([...r.graph.flatMap((e) => [e.from, e.to])])];
  // The deadlock's links, and every edge between two of them, are drawn in red.
  const cycleTasks = new Set(r.cycle.map((c) => c.task));
  const inCycle = new Set(r.graph.filter((e) => cycleTasks.has(e.from) && cycleTasks.has(e.to)).map((e) => `${e.from}→${e.to}`));
  const text = (/** @type {string} */ n) => (labelOf.get(n) && labelOf.get(n) !== n ? `${n} (${labelOf.get(n)})` : n);
  const edgeText = (/** @type {string} */ k) => EDGE_TEXT[k] ?? k;
  const list = el('ul.graph-list', {}, ...r.graph.map((e) => el('li', { className: inCycle.has(`${e.from}→${e.to}`) ? 'cycle' : '' },
    `${text(e.from)} ${edgeText(e.kind)} ${text(e.to)}${inCycle.has(`${e.from}→${e.to}`) ? ' (part of the deadlock)' : ''}`)));
  if (!names.length) return { svg: null, list: el('p.note', {}, 'Nothing was waiting when the run ended: no edges to draw.') };

  const boxW = Math.min(180, Math.max(...names.map((n) => text(n).length)) * 7.2 + 20);
  const boxH = 30;
  const W = Math.max(320, names.length <= 2 ? 2 * boxW + 160 : 560);
  const H = names.length <= 2 ? 120 : 300;
  const cx = W / 2;
  const cy = H / 2;
  const rx = Math.max(0, W / 2 - boxW / 2 - 6);
  const ry = Math.max(0, H / 2 - boxH / 2 - 14);
  /** @type {Map<string, {x: number, y: number}>} */
  const at = new Map(names.map((n, i) => {
    const a = names.length <= 2 ? Math.PI * (1 - i) : -Math.PI / 2 + (2 * Math.PI * i) / names.length;
    return [n, { x: cx + rx * Math.cos(a), y: cy + (names.length <= 2 ? 0 : ry * Math.sin(a)) }];
  }));
  const svg = svgEl('svg', { viewBox: `0 0 ${W} ${H}`, class: 'wait-graph', role: 'img', style: `max-width: ${W}px` });
  const cycleText = r.cycle.length ? ` A cycle: ${r.cycle.map((c) => text(c.task)).join(' → ')} → ${text(r.cycle[0].task)}.` : '';
  svg.setAttribute('aria-label', `Wait-for graph: ${names.length} tasks, ${r.graph.length} edges.${cycleText} The list below spells out every edge.`);
  const defs = svgEl('defs', {});
  for (const [id, color] of [['arrow', '#5f6b76'], ['arrow-cycle', '#b3372f']]) {
    const m = svgEl('marker', { id: `wg-${id}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    m.append(svgEl('path', { d: 'M0,0 L10,5 L0,10 z', fill: color }));
    defs.append(m);
  }
  svg.append(defs);
  /** Where the segment from the box centre `c` towards `p` leaves the box. */
  const edgeOf = (/** @type {{x: number, y: number}} */ c, /** @type {{x: number, y: number}} */ p) => {
    const dx = p.x - c.x;
    const dy = p.y - c.y;
    const s = Math.min(dx ? (boxW / 2 + 3) / Math.abs(dx) : Infinity, dy ? (boxH / 2 + 3) / Math.abs(dy) : Infinity);
    return { x: c.x + dx * s, y: c.y + dy * s };
  };
  const pairs = new Set(r.graph.map((e) => `${e.from}→${e.to}`));
  for (const e of r.graph) {
    const a = /** @type {{x: number, y: number}} */ (at.get(e.from));
    const b = /** @type {{x: number, y: number}} */ (at.get(e.to));
    const cyc = inCycle.has(`${e.from}→${e.to}`);
    const stroke = cyc ? '#b3372f' : '#5f6b76';
    const marker = `url(#wg-${cyc ? 'arrow-cycle' : 'arrow'})`;
    if (e.from === e.to) {
      const p = `M${a.x - 12},${a.y - boxH / 2} C${a.x - 30},${a.y - boxH * 2} ${a.x + 30},${a.y - boxH * 2} ${a.x + 12},${a.y - boxH / 2 - 2}`;
      svg.append(svgEl('path', { d: p, fill: 'none', stroke, 'stroke-width': cyc ? 2.5 : 1.5, 'marker-end': marker }));
      svg.append(svgEl('text', { x: a.x, y: a.y - boxH * 1.6, 'text-anchor': 'middle', class: 'edge-label' }, edgeText(e.kind)));
      continue;
    }
    // A pair of opposite edges bends apart so both show.
    const bend = pairs.has(`${e.to}→${e.from}`) ? 28 : 0;
    const mx = (a.x + b.x) / 2;
    const my = (a.y + b.y) / 2;
    const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
    const c = { x: mx - ((b.y - a.y) / len) * bend, y: my + ((b.x - a.x) / len) * bend };
    const p0 = edgeOf(a, bend ? c : b);
    const p1 = edgeOf(b, bend ? c : a);
    svg.append(svgEl('path', { d: `M${p0.x},${p0.y} Q${c.x},${c.y} ${p1.x},${p1.y}`, fill: 'none', stroke, 'stroke-width': cyc ? 2.5 : 1.5, 'marker-end': marker }));
    const lx = (p0.x + 2 * c.x + p1.x) / 4;
    const ly = (p0.y + 2 * c.y + p1.y) / 4;
    svg.append(svgEl('text', { x: lx, y: ly - 4, 'text-anchor': 'middle', class: 'edge-label' }, edgeText(e.kind)));
  }
  for (const n of names) {
    const p = /** @type {{x: number, y: number}} */ (at.get(n));
    const state = stateOf.get(n) ?? '';
    const g = svgEl('g', { class: `node ${cycleTasks.has(n) ? 'cycle' : ''} ${state === 'done' ? 'done' : ''}` });
    g.append(svgEl('rect', { x: p.x - boxW / 2, y: p.y - boxH / 2, width: boxW, height: boxH, rx: 5 }));
    g.append(svgEl('text', { x: p.x, y: p.y + 4, 'text-anchor': 'middle' }, text(n).length > 24 ? `${text(n).slice(0, 23)}…` : text(n)));
    g.append(svgEl('title', {}, `${text(n)}${state ? `: ${state}` : ''}`));
    svg.append(g);
  }
  return { svg, list };
}

/**
 * A task's bar on its worker's row, cut at its result() calls where the report has them
 * (`calls: [{future, atMs, endMs, outcome}]`): working, then blocked in each call.
 * @param {import('../types.js').ExecutorTaskOutcome} t
 * @param {number} runEnd
 * @param {string} label
 * @returns {{startMs: number, endMs: number, kind: string, text: string}[]}
 */
function segments(t, runEnd, label) {
  const start = /** @type {number} */ (t.startMs);
  const end = t.endMs ?? runEnd;
  const calls = (t.calls ?? []).filter((c) => Number.isFinite(c?.atMs));
  const out = [];
  let at = start;
  for (const c of calls) {
    if (c.atMs > at) out.push({ startMs: at, endMs: c.atMs, kind: 'work', text: label });
    const to = c.endMs ?? end;
    out.push({ startMs: c.atMs, endMs: to, kind: c.endMs === null ? 'blocked' : 'wait', text: `${label}: ${c.future}.result()` });
    at = to;
  }
  if (end > at || !out.length) out.push({ startMs: at, endMs: end, kind: t.endMs === null && t.state === 'waiting' ? 'blocked' : 'work', text: label });
  return out;
}

/**
 * @param {ModelsLab} lab
 * @param {HTMLElement} root
 * @param {Partial<ExecutorTerms> | undefined} x
 * @param {<T>(obj: any, path: string, fallback: T) => T} need
 * @param {import('../types.js').Info} info
 */
function executorSection(lab, root, x, need, info) {
  const f = {
    preset: $('#exec-preset', root), explanation: $('#exec-explanation', root), python: $('#exec-python', root),
    expected: $('#exec-expected', root), job: $('#exec-job', root), jobError: $('#exec-job-error', root),
    run: $('#exec-run', root), stop: $('#exec-stop', root), reset: $('#exec-reset', root), error: $('#exec-error', root),
    outcome: $('#exec-outcome', root), summary: $('#exec-outcome', root), graph: $('#exec-graph', root), legend: $('#exec-legend', root),
    trace: $('#exec-trace', root),
  };
  const presets = x ? need(x, 'executor.presets', /** @type {ExecutorPreset[]} */ ([])) : (need(undefined, 'executor', null), []);
  fill(f.preset, presets.map((p) => [p.id, p.title]));
  f.preset.disabled = presets.length === 0;
  const chart = chartBox($('#exec-chart', root), 'The tasks as a table');
  if (typeof lab.executor !== 'function' || !info.threads) {
    f.run.disabled = true;
    f.run.title = typeof lab.executor !== 'function' ? 'lab.executor is not in this build yet' : 'needs wasm threads (see the note at the top)';
    f.outcome.textContent = typeof lab.executor !== 'function' ? 'This build has no lab.executor yet: the patterns are shown, not run.' : '';
  }

  const current = () => presets.find((p) => p.id === f.preset.value);
  function showPreset() {
    const p = current();
    f.explanation.textContent = p?.explanation ?? '';
    f.python.textContent = p?.python ?? '';
    f.python.hidden = !p?.python;
    f.expected.textContent = p?.expected ? `How Python ends it: ${ENDED_TEXT[p.expected] ?? p.expected}.` : '';
    f.job.value = p?.job ? JSON.stringify(p.job, null, 2) : '';
    check();
  }

  /** The textarea's job, or null (the preset's own) when empty; marks parse errors. */
  function check() {
    const text = f.job.value.trim();
    try {
      const job = text === '' ? null : JSON.parse(text);
      if (job !== null && (typeof job !== 'object' || Array.isArray(job))) throw new Error('the job must be an object: {maxWorkers, submit, tasks}');
      f.job.removeAttribute('aria-invalid');
      f.jobError.textContent = '';
      return { ok: true, job };
    } catch (e) {
      f.job.setAttribute('aria-invalid', 'true');
      f.jobError.textContent = `JSON: ${e instanceof SyntaxError ? jsonError(text, e) : /** @type {Error} */ (e).message}`;
      return { ok: false, job: null };
    }
  }
  f.preset.addEventListener('change', showPreset);
  f.reset.addEventListener('click', showPreset);
  f.job.addEventListener('input', check);
  showPreset();

  const run = () => guarded(f, async () => {
    const c = check();
    if (!c.ok) {
      f.job.focus();
      throw new Error('The job is not valid JSON; see under the text box.');
    }
    const p = current();
    const unchanged = p && (c.job === null || JSON.stringify(c.job) === JSON.stringify(p.job));
    /** @type {import('../types.js').ExecutorOptions} */
    const o = unchanged && p ? { preset: p.id } : c.job ?? {};
    if (!lab.executor) throw new Error('lab.executor is not in this build yet');
    f.outcome.textContent = 'Running…';
    const r = await lab.executor(o);
    show(r, unchanged ? p : undefined, o);
    return r;
  });

  /**
   * @param {import('../types.js').ExecutorResult} r
   * @param {ExecutorPreset | undefined} p  the preset, when it ran unchanged
   * @param {import('../types.js').ExecutorOptions} o
   */
  function show(r, p, o) {
    const ran = r.tasks.filter((t) => t.worker !== null && t.startMs !== null);
    const never = r.tasks.filter((t) => !ran.includes(t));
    const name = (/** @type {{name: string, label: string | null}} */ t) => t.label || t.name;
    /** @type {(Node | string)[]} */
    const out = [];
    const pool = poolStartText(r, 'the wall time');
    const note = r.note ?? null;
    if (r.ended === 'done') {
      out.push(el('p', {}, el('b', {}, `Done: all ${r.tasks.length} tasks finished in ${ms(r.elapsedMs)}.`), ` ${pool}`));
    } else if (r.ended === 'deadlock') {
      const chain = r.cycleText ?? r.cycle.map((c) => `${c.task}${c.worker === null ? '' : ` on worker ${c.worker}`} ${c.waitsFor ? `waits for ${c.waitsFor}` : `is ${c.state}`}`).join('; ');
      const d = r.detectedAfterMs;
      const stuck = d === null ? '' : d < 0.5 ? ' the moment the last task got stuck' : ` ${ms(d)} after the last task got stuck`;
      out.push(el('div.deadlock', {},
        el('p', {}, el('b', {}, 'Deadlock.')),
        el('p.cycle', {}, chain),
        el('p', {}, `In Python this program would hang forever; the lab's watchdog ended it${stuck}, ${ms(r.elapsedMs)} into the run.`)));
      out.push(el('p.note', {}, pool));
    } else if (r.ended === 'timeout') {
      out.push(el('p', {}, el('b', {}, `A result(timeout) ran out; the run ended after ${ms(r.elapsedMs)}.`),
        ' In Python it raises TimeoutError, and the future it waited for keeps running. ', pool));
    } else {
      out.push(el('p', {}, el('b', {}, `Stopped after ${ms(r.elapsedMs)}.`)));
    }
    if (r.error) out.push(el('p.error-text', {}, r.error));
    if (note && r.ended !== 'deadlock') out.push(el('p.note', {}, note));
    if (never.length) out.push(el('p.note', {}, `Never reached a worker: ${never.map((t) => `${name(t)} (${t.state})`).join(', ')}.`));
    if (p?.expected) {
      const as = p.expected === r.ended;
      out.push(el('p.note', {}, `In Python: ${ENDED_TEXT[p.expected] ?? p.expected}. ${as ? 'The lab ended the same way.' : `The lab ended otherwise: ${r.ended}.`}`));
    }
    f.outcome.replaceChildren(...out);

    const g = waitGraph(r);
    f.graph.replaceChildren(el('h4', {}, 'Who waits for whom'), ...(g.svg ? [g.svg] : []), g.list);
    f.graph.hidden = false;

    const workers = Math.max(o.maxWorkers ?? p?.job?.maxWorkers ?? 0, ...ran.map((t) => /** @type {number} */ (t.worker) + 1));
    if (!ran.length) {
      chart.clear();
      f.legend.replaceChildren();
    } else {
      /** @type {import('./lanes.js').SpanRow[]} */
      const rows = Array.from({ length: workers }, (_, w) => ({ label: `worker ${w}`, spans: [] }));
      for (const t of ran) rows[/** @type {number} */ (t.worker)].spans.push(...segments(t, r.elapsedMs, name(t)));
      const kinds = new Set(rows.flatMap((row) => row.spans.map((s) => s.kind ?? 'work')));
      f.legend.replaceChildren(legend(Object.entries(TASK_KINDS).filter(([k]) => kinds.has(k)).map(([, [color, label]]) => ({ color, label }))));
      const marks = r.ended === 'deadlock' ? [{ atMs: r.elapsedMs, label: `watchdog ended it, ${ms(r.elapsedMs)}` }] : [];
      chart.show(
        () => drawSpans(chart.canvas, rows, { endMs: r.elapsedMs, colors: Object.fromEntries(Object.entries(TASK_KINDS).map(([k, [c]]) => [k, c])), marks }),
        `Tasks by worker over ${ms(r.elapsedMs)}: ${ran.map((t) => `${name(t)} on worker ${t.worker} from ${ms(t.startMs)}${t.endMs === null ? ', never finished' : ` to ${ms(t.endMs)}`}`).join('; ')}.`,
        dataTable('The tasks', ['task', 'state', 'worker', 'from', 'to'], r.tasks.map((t) => [
          name(t), t.state, t.worker === null ? '–' : String(t.worker), t.startMs ?? '–', t.endMs ?? (t.startMs === null ? '–' : 'never')])),
      );
    }
    traceDownload(f.trace, `executor-${p?.id ?? 'job'}.json`, traceFromTasks(r.tasks, { endMs: r.elapsedMs, process: `executor: ${p?.title ?? 'a job'}` }));
  }

  f.run.addEventListener('click', run);
  f.stop.addEventListener('click', () => lab.stop('executor'));
  return { f, run };
}

// --------------------------------------------------------------- which model when

/**
 * @typedef {object} ModelColumn
 * @property {string} id
 * @property {string} title
 * @property {(job: 'cpu' | 'io', T: number) => number} pool  workers it needs (to order runs)
 */

/** What each model should do with each job, by the course; and why. */
const EXPECT = {
  cpu: {
    gil: ['none', 'one thread runs at a time; the others wait for the lock'],
    free: ['parallel', 'no lock: the threads count down at once'],
    processes: ['parallel', 'each process has its own interpreter, so they count down at once'],
    async: ['none', 'coroutines take turns on one thread; nothing computes at once'],
    hybrid: ['parallel', 'the countdowns run in the process pool; the loop only awaits them'],
  },
  io: {
    gil: ['parallel', 'a blocking call releases the lock, so the waits overlap'],
    free: ['parallel', 'the blocking calls overlap'],
    processes: ['parallel', 'each process waits on its own'],
    async: ['parallel', 'the sleeps are timers on one loop: they all wait at once'],
    hybrid: ['parallel', 'the waits stay on the loop as timers and overlap'],
  },
};
const BAND_TEXT = { parallel: 'they ran at once', partial: 'they overlapped in part', none: 'no gain over doing them in turn', slower: 'slower than doing them in turn' };

/**
 * @param {ModelsLab} lab
 * @param {HTMLElement} root
 * @param {Partial<GilTerms>} g
 * @param {<T>(obj: any, path: string, fallback: T) => T} need
 * @param {import('../types.js').Info} info
 */
function compareSection(lab, root, g, need, info) {
  const f = {
    run: $('#cmp-run', root), stop: $('#cmp-stop', root), error: $('#cmp-error', root), bar: $('#cmp-bar', root),
    status: $('#cmp-status', root), summary: $('#cmp-summary', root), table: $('#cmp-table', root), caption: $('#cmp-caption', root),
    reasons: $('#cmp-reasons', root), about: $('#cmp-about', root),
    /** @type {HTMLButtonElement[]} */
    also: [],
  };
  const modes = need(g, 'gil.modes', /** @type {string[]} */ ([]));
  const cores = info.hardwareConcurrency;
  const T = Math.max(1, Math.min(4, Math.max(2, cores), g.maxThreads ?? 4));
  // Small jobs, so that the table fills in seconds: half the default countdown.
  const n = Math.max(1, Math.round(need(g, 'gil.defaultN', 0) / 2));
  const sleeps = need(g, 'gil.defaultSleeps', 0);
  const sleepMs = need(g, 'gil.defaultSleepMs', 0);
  const REPS = 2;
  /** @type {ModelColumn[]} */
  const columns = [
    { id: 'sequential', title: 'sequential', pool: () => 1 },
    ...['gil', 'free', 'processes', 'async', 'hybrid'].filter((m) => modes.includes(m)).map((m) => ({
      id: m,
      title: { gil: 'threads + GIL', free: 'threads, no GIL', processes: 'processes', async: 'async', hybrid: 'hybrid' }[m] ?? m,
      pool: (/** @type {'cpu' | 'io'} */ job, /** @type {number} */ t) => (m === 'async' || (m === 'hybrid' && job === 'io') ? 1 : t),
    })),
  ];
  const jobs = /** @type {const} */ ([
    ['cpu', 'CPU job', `countdown from ${count(n)} per thread`],
    ['io', 'I/O job', `${sleeps} blocking calls of ${sleepMs} ms per thread`],
  ]);
  /** Times within this share of the fastest count as a tie for the best. */
  const TIE = 0.03;
  /**
   * The fastest models of a job's row: every one within TIE of the fastest.
   * @param {Record<string, {ms: number}>} row
   */
  const fastest = (row) => {
    const done = columns.filter((c) => row[c.id]);
    const min = Math.min(...done.map((c) => row[c.id].ms));
    return done.filter((c) => row[c.id].ms <= min * (1 + TIE));
  };
  f.about.textContent = `The course's comparison, measured: one CPU-bound and one I/O-bound job under each model, with T = ${T} threads, processes or coroutines (this machine reports ${cores} cores; T is capped at 4). Sequential is one thread doing all ${T} jobs in turn; speed-ups are against it. Each time is the faster of ${REPS} runs (the first also warms the pool up); starting a pool is not counted.`;
  f.caption.textContent = `Wall time and speed-up against sequential, T = ${T}`;
  if (!info.threads) {
    f.run.disabled = true;
    f.run.title = 'needs wasm threads (see the note at the top)';
  }

  /**
   * @param {string} model
   * @param {'cpu' | 'io'} job
   * @returns {import('../types.js').GilOptions}
   */
  function options(model, job) {
    const work = job === 'cpu' ? { workload: /** @type {const} */ ('cpu'), n } : { workload: /** @type {const} */ ('io'), sleeps, sleepMs };
    if (model === 'sequential') {
      return job === 'cpu' ? { threads: 1, mode: 'free', workload: 'cpu', n: n * T } : { threads: 1, mode: 'free', workload: 'io', sleeps: sleeps * T, sleepMs };
    }
    return { threads: T, mode: /** @type {any} */ (model), ...work };
  }

  /** @type {Record<string, Record<string, {ms: number, r: import('../types.js').GilResult}>>} */
  let results = {};
  let stopped = false;

  function draw() {
    const thead = f.table.tHead;
    thead.replaceChildren(el('tr', {}, el('th', { scope: 'col' }, 'job'), ...columns.map((c) => el('th', { scope: 'col' }, c.title))));
    const body = f.table.tBodies[0];
    body.replaceChildren(...jobs.map(([job, title, detail]) => {
      const row = results[job] ?? {};
      const seq = row.sequential?.ms;
      const complete = columns.every((c) => row[c.id]);
      const best = complete ? fastest(row) : [];
      return el('tr', {}, el('th', { scope: 'row' }, title, el('small', {}, detail)), ...columns.map((c) => {
        const cell = row[c.id];
        if (!cell) return el('td.num', {}, '…');
        const isBest = best.includes(c);
        return el(isBest ? 'td.num.best' : 'td.num', {},
          el('span.t', {}, ms(cell.ms)),
          el('span.x', {}, seq ? times(seq / cell.ms) : '–'),
          isBest ? el('span.tag', {}, 'best') : '');
      }));
    }));
    reasons();
  }

  function reasons() {
    /** @type {HTMLElement[]} */
    const items = [];
    for (const [job, title] of jobs) {
      const row = results[job] ?? {};
      const seq = row.sequential?.ms;
      if (!seq) continue;
      /** @type {(Node | string)[]} */
      const lines = [];
      for (const c of columns.slice(1)) {
        const cell = row[c.id];
        if (!cell) continue;
        const speed = seq / cell.ms;
        const ideal = job === 'cpu' ? Math.min(T, cores) : T;
        const band = speed < SAME_LOW ? 'slower' : speed <= SAME_HIGH ? 'none' : speed >= 0.7 * ideal ? 'parallel' : 'partial';
        const [want, why] = EXPECT[job][c.id] ?? ['', ''];
        const fits = band === want || (want === 'none' && band === 'slower') || (want === 'parallel' && band === 'partial');
        // From the run's own lanes: how many ran at once on average, and how long each
        // job took against one job alone (sequential ÷ T).
        const busy = cell.r.threads.reduce((a, t) => a + t.runMs, 0) / cell.ms;
        const each = cell.r.threads.reduce((a, t) => a + t.runMs, 0) / cell.r.threads.length / (seq / T);
        const atOnce = job === 'cpu' && busy >= 1.4 && speed <= SAME_HIGH
          ? `they did run at once (${busy.toFixed(1)} at a time on average), but each took ${times(each)} as long as alone${each >= 1.6 ? ', as if only one core were free' : ''}`
          : '';
        let line = `${c.title}: ${times(speed)} — ${fits ? why : `${atOnce || BAND_TEXT[band]} (the course expects: ${why})`}`;
        if (job === 'cpu' && fits && c.id !== 'gil') line += ` (${busy.toFixed(1)} running at a time on average)`;
        if (c.id === 'gil' && cell.r.handovers) line += `; the lock changed hands ${count(cell.r.handovers)} times`;
        if (fits && band === 'partial') line += `, in part: ${T > ideal ? `${T} threads on ${cores} cores` : 'the cores were shared with other work'}`;
        if (fits && band === 'slower') line += '; each switch costs a little';
        lines.push(el('li', {}, line));
      }
      const best = fastest(row);
      const names = best.map((c) => `${c.title} (${ms(row[c.id].ms)}${c.id === 'sequential' ? '' : `, ${times(seq / row[c.id].ms)}`})`);
      items.push(el('li', {}, el('b', {}, `${title}: fastest ${names.join(', ')}${best.length > 1 ? `, within ${pct(TIE)} of one another` : ''}.`), el('ul', {}, ...lines)));
    }
    f.reasons.replaceChildren(...items);
  }

  const run = () => guarded(f, async () => {
    stopped = false;
    results = {};
    f.summary.textContent = 'Running every model…';
    draw();
    /** @type {{job: 'cpu' | 'io', model: ModelColumn}[]} */
    const plan = [];
    for (const [job] of jobs) {
      // Grouped by pool size, so the pool restarts as little as possible.
      const order = [...columns].sort((a, b) => a.pool(job, T) - b.pool(job, T));
      for (const model of order) plan.push({ job, model });
    }
    const total = plan.length * REPS;
    f.bar.hidden = false;
    f.bar.max = total;
    f.bar.value = 0;
    let done = 0;
    const t0 = performance.now();
    for (const { job, model } of plan) {
      let best = null;
      for (let i = 0; i < REPS; i++) {
        if (stopped) break;
        f.status.textContent = `${job === 'cpu' ? 'CPU' : 'I/O'} job, ${model.title}: run ${i + 1} of ${REPS} (${done + 1} of ${total})…`;
        const r = await lab.gil(options(model.id, job));
        if (r.stopped || /** @type {any} */ (r).cancelled) {
          stopped = true;
          break;
        }
        if (!best || r.elapsedMs < best.elapsedMs) best = r;
        f.bar.value = ++done;
      }
      if (stopped) break;
      if (best) {
        results[job] ??= {};
        results[job][model.id] = { ms: best.elapsedMs, r: best };
        draw();
      }
    }
    f.status.textContent = stopped
      ? `Stopped after ${done} of ${total} runs; the table keeps what was measured.`
      : `Done: ${total} runs in ${ms(performance.now() - t0)} (pool starts included in this total only).`;
    f.bar.hidden = true;
    const best = jobs.filter(([job]) => columns.every((c) => results[job]?.[c.id]))
      .map(([job, title]) => `${title}: fastest ${fastest(results[job]).map((c) => c.title).join(', ')}`);
    f.summary.textContent = `${f.status.textContent}${best.length ? ` ${best.join('. ')}.` : ''}`;
    f.status.textContent = '';
  });

  f.run.addEventListener('click', run);
  f.stop.addEventListener('click', () => {
    stopped = true;
    lab.stop('gil');
  });
  return { f, run };
}
