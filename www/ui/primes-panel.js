// Primes panel: map a primality test over a list on the pool, with a chunk size,
// and show which worker ran each number, and when.
import { $, el, ms, count, runGuarded, bindRange, optional } from './dom.js';
import { poolStartText } from './pool-cost.js';
import { showTimeline } from './timeline.js';
import { spread } from './sweep-math.js';
import { repeats, repeatsText } from './repeats.js';
import { sweepPanel } from './sweep-panel.js';
import { traceFromSpans, traceDownload } from './trace.js';

const MAX_U64 = (1n << 64n) - 1n;
/** Rows drawn in the result table; the rest are summarised. */
const TABLE_ROWS = 500;

/**
 * Numbers from free text: one per line, or separated by commas or blanks.
 * @param {string} text
 */
export function parseList(text) {
  return text.split(/[\s,;]+/).filter(Boolean);
}

/**
 * `how` consecutive odd numbers from `start` (as decimal strings), within u64.
 * @param {string} start
 * @param {string} how
 * @param {number} max  contract.primes.maxNumbers
 */
export function oddRange(start, how, max) {
  if (!/^\s*\d+\s*$/.test(start)) throw new Error(`range start: "${start}" is not a decimal integer`);
  if (!/^\s*\d+\s*$/.test(how) || Number(how) < 1 || Number(how) > max) throw new Error(`range size: must be from 1 to ${max} (got ${how})`);
  let n = BigInt(start.trim());
  if (n % 2n === 0n) n += 1n;
  const out = [];
  for (let i = 0; i < Number(how) && n <= MAX_U64; i++, n += 2n) out.push(n.toString());
  return out;
}

/**
 * @param {ReturnType<typeof import('../lab.js').createLab>} lab
 * @param {HTMLElement} root
 */
export function primesPanel(lab, root) {
  const { maxWorkers, primes: terms } = lab.contract;
  const courseList = terms.courseList.join('\n');
  const f = {
    workers: $('#primes-workers', root), numbers: $('#primes-numbers', root), chunksize: $('#primes-chunksize', root),
    algorithm: $('#primes-algorithm', root), run: $('#primes-run', root), stop: $('#primes-stop', root),
    error: $('#primes-error', root), table: $('#primes-results tbody', root), summary: $('#primes-summary', root),
    stats: $('#primes-stats', root), source: $('#primes-source', root), rangeStart: $('#primes-range-start', root),
    rangeSize: $('#primes-range-size', root), timeline: $('#primes-timeline', root), caption: $('#primes-timeline-caption', root),
  };
  // Errors name their argument (numbers[3], chunksize, …); these are the inputs they can be about.
  f.fields = { workers: f.workers, numbers: f.numbers, chunksize: f.chunksize, algorithm: f.algorithm, 'range start': f.rangeStart, 'range size': f.rangeSize };
  f.workers.max = String(maxWorkers);
  f.workers.value = String(Math.min(navigator.hardwareConcurrency || 2, maxWorkers));
  f.chunksize.placeholder = String(terms.defaultChunksize);
  f.numbers.value = courseList;
  bindRange(f.workers);
  const showSource = () => {
    root.dataset.source = f.source.value;
    if (f.source.value === 'course') f.numbers.value = courseList;
  };
  f.source.addEventListener('change', showSource);
  showSource();
  /** @type {{t0: number, total: number, computing?: boolean} | null} */
  let live = null;
  // The times of the completed runs at the same settings, for their median.
  const runs = repeats();

  function numbers() {
    return f.source.value === 'range' ? oddRange(f.rangeStart.value, f.rangeSize.value, terms.maxNumbers) : parseList(f.numbers.value);
  }

  /** @returns {import('../types.js').PrimesOptions} */
  function options() {
    return { workers: Number(f.workers.value), numbers: numbers(), chunksize: optional(f.chunksize), algorithm: f.algorithm.value };
  }

  const run = () => runGuarded(f, async () => {
    // A new run, refused or not, clears the last one's results: nothing stale stays.
    f.table.replaceChildren();
    f.caption.textContent = '';
    f.stats.textContent = '';
    const ctx = f.timeline.getContext('2d');
    ctx?.clearRect(0, 0, f.timeline.width, f.timeline.height);
    f.summary.textContent = 'starting the pool…';
    try {
      const opts = options();
      live = { t0: performance.now(), total: opts.numbers.length };
      const r = await lab.primes(opts);
      if (r.cancelled) {
        f.summary.textContent = 'stopped before the run began';
        return r;
      }
      f.table.replaceChildren(...r.results.slice(0, TABLE_ROWS).map((x) => el('tr', { className: x.prime ? 'prime' : '' },
        el('td.num', {}, x.n),
        el('td', {}, x.prime === null ? 'not decided (stopped)' : x.prime ? 'prime' : 'composite'),
        el('td.num', {}, x.worker ?? '–'), el('td.num', {}, ms(x.startMs)), el('td.num', {}, ms(x.endMs)),
        el('td.num', {}, ms(x.endMs - x.startMs)))));
      const primes = r.results.filter((x) => x.prime).length;
      const times = r.stopped ? null : runs.add(`${r.workers}|${r.chunksize}|${r.algorithm}|${opts.numbers.join(',')}`, r.elapsedMs);
      const tested = r.results.filter((x) => x.prime !== null).length;
      f.stats.textContent = `${count(tested)} of ${count(r.results.length)} tested · ${ms(r.elapsedMs)} of compute`;
      f.summary.replaceChildren(
        el('b', {}, `${count(r.results.length)} numbers in ${ms(r.elapsedMs)}`),
        ` on ${r.workers} worker${r.workers > 1 ? 's' : ''}, chunk size ${r.chunksize}, ${r.algorithm}: ${count(primes)} prime. `,
        repeatsText(times, (v) => v.toFixed(v < 10 ? 1 : 0), 'ms', 'time'),
        r.results.length > TABLE_ROWS ? `The table shows the first ${TABLE_ROWS}. ` : '',
        r.stopped ? 'Stopped. ' : '',
        poolStartText(r, 'the time'),
      );
      const chunks = r.spans.length === 1 ? 'chunk' : 'chunks';
      const what = r.chunksize === 1 ? `${chunks} of one number` : `${chunks} of up to ${count(r.chunksize)} numbers`;
      showTimeline(f.timeline, f.caption, r.spans, r.workers, { name: 'Primes timeline', what, spanMs: r.elapsedMs });
      // In a task of its own: up to 20,000 spans make a trace of a few MB.
      setTimeout(() => traceDownload($('#primes-trace', root), `primes-${r.workers}-workers.json`, traceFromSpans(r.spans, 'chunk', { process: `primes, ${r.workers} workers, chunk size ${r.chunksize}` })), 0);
      return r;
    } finally {
      live = null;
    }
  });

  /** @param {import('../types.js').Progress | null} p */
  function frame(p) {
    if (!live || !p || p.kind !== 'primes') return;
    if (!p.starting && !live.computing) {
      // The pool is up: the summary no longer says it is starting.
      live.computing = true;
      f.summary.textContent = `testing on ${f.workers.value} worker${f.workers.value === '1' ? '' : 's'}…`;
    }
    f.stats.textContent = p.starting
      ? `starting ${f.workers.value} workers… ${ms(performance.now() - live.t0)}`
      : `${count(p.items)} of ${count(live.total)} tested · ${ms(performance.now() - live.t0)}`;
  }

  /** Timed runs per sweep point; the median is shown. */
  const SWEEP_REPS = 3;
  /** The options of the sweep under way, read as it begins and kept to its end. */
  /** @type {import('../types.js').PrimesOptions | null} */
  let sweepOptions = null;
  const sweep = sweepPanel($('#primes-sweep', root), { name: 'primes',
    title: `Worker sweep: these numbers, this chunk size and algorithm, at each N, median of ${SWEEP_REPS} runs`, unit: 'numbers/s', maxWorkers,
    repeats: SWEEP_REPS, columns: ['numbers', 'chunksize', 'algorithm'],
    describe: () => {
      sweepOptions = options();
      const o = sweepOptions;
      return `${count(o.numbers.length)} number${o.numbers.length === 1 ? '' : 's'}, chunk size ${o.chunksize ?? terms.defaultChunksize}, ${o.algorithm}`;
    },
    runAt: async (n) => {
      const opts = { ...(sweepOptions ?? options()), workers: n };
      // A cold pool start (a fresh engine and every worker, as on a fresh page), so
      // the end-to-end column counts what a pool of N costs; then a warm-up run.
      const start = await lab.startPool(n, { cold: true });
      const warm = await lab.primes(opts);
      if (warm.cancelled || warm.stopped) return null;
      const runs = [];
      for (let i = 0; i < SWEEP_REPS; i++) {
        const r = await lab.primes(opts);
        if (r.cancelled || r.stopped) return null;
        runs.push(r);
      }
      const s = spread(runs.map((r) => r.elapsedMs));
      const numbers = runs[0].results.length;
      return {
        ms: s.median, minMs: s.min, maxMs: s.max, runs: s.runs, poolStartMs: start.poolStartMs,
        numbers, chunksize: runs[0].chunksize, algorithm: runs[0].algorithm, rate: count(Math.round(numbers / (s.median / 1000))),
      };
    },
    stop: () => lab.stop('primes'),
  });

  f.run.addEventListener('click', run);
  f.stop.addEventListener('click', () => lab.stop('primes'));
  return { frame, run, sweep };
}
