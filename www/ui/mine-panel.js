// Coin mining panel: run the miner on a pool, watch its counters live, list coins as
// they are found, see each worker's tasks on a timeline, sweep the pool size.
import { $, el, ms, count, rate, runGuarded, bindRange, optional, copy, setParts, download } from './dom.js';
import { toCSV } from './export.js';
import { poolStartText } from './pool-cost.js';
import { showTimeline } from './timeline.js';
import { sweepPanel } from './sweep-panel.js';
import { resourcesPanel } from './resources.js';
import { spread } from './sweep-math.js';
import { repeats, repeatsText } from './repeats.js';
import { traceFromSpans, traceDownload } from './trace.js';

/** Timed runs per sweep point; the median is shown. */
const SWEEP_REPS = 3;

/**
 * @param {ReturnType<typeof import('../lab.js').createLab>} lab
 * @param {HTMLElement} root
 */
export function minePanel(lab, root) {
  const { maxWorkers, mine: terms } = lab.contract;
  const SWEEP_COUNT = terms.defaultCount;
  const f = {
    workers: $('#mine-workers', root), mode: $('#mine-mode', root), start: $('#mine-start', root),
    count: $('#mine-count', root), coins: $('#mine-coins', root), budget: $('#mine-budget', root),
    run: $('#mine-run', root), stop: $('#mine-stop', root), error: $('#mine-error', root),
    bar: $('#mine-bar', root), stats: $('#mine-stats', root), perWorker: $('#mine-per-worker', root),
    coinList: $('#mine-coins-list tbody', root), summary: $('#mine-summary', root),
    timeline: $('#mine-timeline', root), caption: $('#mine-timeline-caption', root),
    verify: $('#verify-text', root), verdict: $('#verify-out', root),
  };
  // Errors name their argument; these are the inputs they can be about.
  f.fields = { workers: f.workers, mode: f.mode, start: f.start, count: f.count, coins: f.coins, timeBudgetMs: f.budget };
  f.workers.max = String(maxWorkers);
  f.workers.value = String(Math.min(navigator.hardwareConcurrency || 2, maxWorkers));
  f.count.value = String(terms.defaultCount);
  bindRange(f.workers);
  f.mode.addEventListener('change', () => { f.start.disabled = f.mode.value === 'random'; });

  /** @type {any} */
  let live = null;
  // The rates of the completed runs at the same settings, for their median.
  const runs = repeats();

  /** @returns {import('../types.js').MineOptions} */
  function options() {
    return {
      workers: Number(f.workers.value), mode: f.mode.value, start: optional(f.start),
      count: optional(f.count), coins: optional(f.coins), timeBudgetMs: optional(f.budget),
    };
  }

  // The table lists as many coins as the live view can show (the shared memory's coin
  // slots); a run with more (2^32 nonces hold about 4,096) puts all of them in the CSV.
  // Thousands of rows, each with a button, took 40-60 ms of style and layout per 1,000
  // at a run's end: a long task (issue 12).
  const LISTED = lab.contract.layout.coinSlotCount;
  // One listener for every coin's copy button, rather than one per row.
  f.coinList.addEventListener('click', (e) => {
    const button = /** @type {HTMLElement} */ (e.target).closest('button.coin');
    if (button) copy(button.textContent ?? '', /** @type {HTMLElement} */ (button));
  });

  const run = () => runGuarded(f, async () => {
    f.coinList.replaceChildren();
    f.summary.textContent = 'starting the pool…';
    const opts = options();
    const from = String(opts.start ?? '0');
    const start = opts.mode === 'nonce' ? BigInt(/^\d+$/.test(from) ? from : 0) : null;
    live = { t0: performance.now(), last: null, rate: 0, target: Number(opts.count ?? terms.defaultCount), perWorker: [], shown: 0, start };
    try {
      const r = await lab.mine(opts);
      if (r.cancelled) {
        f.summary.textContent = 'stopped before the run began';
        return r;
      }
      f.coinList.replaceChildren(...r.coins.slice(0, LISTED).map(coinRow));
      const mhs = r.hashes / r.elapsedMs / 1000;
      const rates = r.ended === 'complete' ? runs.add(`${r.workers}|${opts.mode}|${r.kernel}|${r.hashes}`, mhs) : null;
      // The live line ends on the run's own totals, not the last sample.
      f.stats.replaceChildren(
        el('span', {}, `${count(r.hashes)} hashes`),
        el('span', {}, rate(r.hashes / (r.elapsedMs / 1000))),
        el('span', {}, `${r.coins.length} coin${r.coins.length === 1 ? '' : 's'}`),
        el('span', {}, `${ms(r.elapsedMs)} of compute`),
      );
      f.summary.replaceChildren(
        el('b', {}, `${count(r.hashes)} hashes in ${ms(r.elapsedMs)}`),
        ` = ${mhs.toFixed(2)} M hashes/s on ${r.workers} worker${r.workers > 1 ? 's' : ''} (${(mhs / r.workers).toFixed(2)} M hashes/s per worker). `,
        repeatsText(rates, (v) => v.toFixed(2), 'M hashes/s', 'rate'),
        `${r.coins.length} coin${r.coins.length === 1 ? '' : 's'}${r.coins.length > LISTED ? ` (the table lists the first ${LISTED}; Coins (CSV) has them all)` : ''}. Ended: ${r.ended}. `,
        `Kernel: ${r.kernel}, ${r.stepsPerCandidate.toFixed(1)} of md5's 64 steps per candidate. `,
        poolStartText(r),
        r.poolReused ? '' : ' The page compiled the module once, at load; the resources view shows what a cold pool start costs.',
      );
      if (r.ended === 'complete') f.bar.value = 1;
      // The timeline in the next task: taking the result off the message (up to 20,000
      // spans and thousands of coins), its rows and the summary are this one's work.
      await new Promise((resolve) => setTimeout(resolve, 0));
      showTimeline(f.timeline, f.caption, r.spans, r.workers, {
        name: 'Mining timeline', what: `tasks of ${count(terms.taskCandidates)} candidates`, spanMs: r.elapsedMs,
        extra: r.spansDropped ? ` ${count(r.spansDropped)} later tasks are not drawn nor counted.` : '',
      });
      // Each in a task of its own: up to 20,000 spans make a trace of a few MB.
      setTimeout(() => traceDownload($('#mine-trace', root), `mining-${r.workers}-workers.json`, traceFromSpans(r.spans, 'task', { process: `mining, ${r.workers} workers` })), 0);
      const csv = /** @type {HTMLAnchorElement} */ ($('#mine-coins-csv', root));
      csv.hidden = true;
      if (r.coins.length) setTimeout(() => download(csv, `coins-${r.workers}-workers.csv`, toCSV(r.coins, ['nonce', 'text', 'md5', 'worker']), 'text/csv'), 0);
      return r;
    } finally {
      live = null;
    }
  });

  /**
   * A coin's row; the coin itself is a button that copies it (keyboard too).
   * @param {import('../types.js').Coin} c
   */
  function coinRow(c) {
    const text = el('button.coin', { type: 'button', title: 'copy this coin', 'aria-label': `copy coin ${c.text}` }, el('code', {}, c.text));
    return el('tr', {}, el('td.num', {}, c.nonce ?? '–'), el('td', {}, text), el('td', {}, el('code', {}, c.md5)), el('td.num', {}, c.worker));
  }

  /**
   * Called every frame with the shared-memory counters.
   * @param {import('../types.js').Progress | null} p
   */
  function frame(p) {
    resources.frame(p);
    if (!live || !p || p.kind !== 'mine') return;
    const now = performance.now();
    if (p.starting) {
      const n = Number(f.workers.value);
      f.stats.textContent = `starting ${n} worker${n > 1 ? 's' : ''}… ${ms(now - live.t0)}`;
      return;
    }
    if (!live.last) {
      live.last = { t: now, hashes: p.hashes, perWorker: p.perWorkerHashes, started: now };
      // The pool is up: the summary no longer says it is starting (it said so all run).
      const n = Number(f.workers.value);
      f.summary.textContent = `mining on ${n} worker${n > 1 ? 's' : ''}…`;
    }
    const dt = (now - live.last.t) / 1000;
    if (dt >= 0.25) {
      const inst = (p.hashes - live.last.hashes) / dt;
      live.rate = live.rate ? 0.5 * live.rate + 0.5 * inst : inst;
      // Each worker's rate smoothed as the total's is, so that the bars add up to it.
      live.perWorker = p.perWorkerHashes.map((h, /** @type {number} */ i) => {
        const w = (h - (live.last.perWorker[i] ?? 0)) / dt;
        return live.perWorker[i] ? 0.5 * live.perWorker[i] + 0.5 * w : w;
      });
      live.last = { ...live.last, t: now, hashes: p.hashes, perWorker: p.perWorkerHashes };
    }
    // Coins as they are found, straight from the shared slots; read only when the
    // counter says there are new ones, not a second full read every frame.
    const fresh = p.coins > live.shown ? lab.progress({ coinsFrom: live.shown }).newCoins : [];
    for (const c of fresh) {
      const nonce = live.start === null ? null : (live.start + BigInt(c.index)).toString();
      f.coinList.append(coinRow({ ...c, nonce }));
      live.shown++;
    }
    f.bar.value = Math.min(1, p.hashes / live.target);
    const nextCoin = live.rate > 0 ? (terms.coinOdds / live.rate) * 1000 : NaN;
    // Time left at this rate, for the candidates still to try (a coin limit or a time
    // budget may end the run sooner).
    const eta = live.rate > 0 ? (Math.max(0, live.target - p.hashes) / live.rate) * 1000 : NaN;
    setParts(f.stats, [
      `${count(p.hashes)} hashes`,
      rate(live.rate),
      `${p.coins} coin${p.coins === 1 ? '' : 's'}`,
      [`next coin in ~${ms(nextCoin)} at this rate`, `a candidate is a coin with probability 1/${count(terms.coinOdds)}`],
      `${ms(now - live.last.started)} elapsed`,
      Number.isFinite(eta) ? `about ${ms(eta)} left` : 'time left: measuring…',
    ]);
    drawWorkers(live.perWorker);
  }

  /**
   * Each worker's rate as a labelled bar: its number in M hashes/s and its share of
   * the sum of the workers' rates (so the shares add up to 100%).
   * @param {number[]} rates
   */
  function drawWorkers(rates) {
    const max = Math.max(...rates, 1);
    const sum = rates.reduce((a, b) => a + b, 0);
    if (f.perWorker.children.length !== rates.length) {
      f.perWorker.replaceChildren(...rates.map((_, i) => el('div.wbar', { role: 'img' }, el('span.fill'), el('span.wlabel', {}, `w${i}`), el('span.wrate'))));
    }
    // Written only when what is shown changes, and the bar scaled rather than resized:
    // a height set every frame lays the panel out again every frame (issue 12: the
    // live view took 8% of a 2-core machine's mining from the workers).
    rates.forEach((r, i) => {
      const bar = /** @type {HTMLElement} */ (f.perWorker.children[i]);
      const share = sum ? (100 * r) / sum : 0;
      const fill = /** @type {HTMLElement} */ (bar.firstElementChild);
      const scale = `scaleY(${(r / max).toFixed(3)})`;
      if (fill.style.transform !== scale) fill.style.transform = scale;
      const shown = (r / 1e6).toFixed(1);
      const label = /** @type {HTMLElement} */ (bar.lastElementChild);
      if (label.textContent !== shown) label.textContent = shown;
      const aria = `worker ${i}: ${shown} M hashes/s, ${share.toFixed(0)}% of the total`;
      if (bar.getAttribute('aria-label') !== aria) {
        bar.setAttribute('aria-label', aria);
        bar.title = `worker ${i}: ${rate(r)} (${share.toFixed(0)}% of the total)`;
      }
    });
  }

  async function verify() {
    const text = f.verify.value;
    if (!text) {
      f.verdict.textContent = '';
      return;
    }
    const v = await lab.verifyCoin(text);
    const why = v.coin ? 'a coin' : !v.fiftyDigits ? 'not a coin: a coin is exactly 50 digits 0–9' : 'not a coin: its md5 does not end in 00000';
    f.verdict.replaceChildren(el('code', {}, v.md5), ` — ${why}`);
    f.verdict.className = v.coin ? 'verdict ok' : 'verdict';
  }

  /** What the mining sweep measures in the selected mode, e.g. "16,777,216 random candidates". */
  const sweepWhat = () => `${count(SWEEP_COUNT)} ${f.mode.value === 'random' ? 'random candidates' : 'nonces'}`;
  /** The mode of the sweep under way: read from the select as it begins, kept to its end. */
  let sweepMode = /** @type {'nonce' | 'random'} */ ('nonce');

  /**
   * Sweep point, in the mode selected: a cold pool start (a fresh engine and every
   * worker, as on a fresh page: the end-to-end column counts what a pool of N costs
   * to start, not the few workers a rebuild would add), a warm-up run, then the
   * median of SWEEP_REPS timed runs, with their spread.
   * @param {number} workers
   */
  async function sweepPoint(workers) {
    const mode = sweepMode;
    const start = await lab.startPool(workers, { cold: true });
    const warm = await lab.mine({ workers, mode, count: SWEEP_COUNT / 8 });
    if (warm.ended !== 'complete') return null;
    const times = [];
    for (let i = 0; i < SWEEP_REPS; i++) {
      const r = await lab.mine({ workers, mode, count: SWEEP_COUNT });
      if (r.ended !== 'complete') return null;
      times.push(r.elapsedMs);
    }
    const s = spread(times);
    return {
      ms: s.median, minMs: s.min, maxMs: s.max, runs: s.runs, poolStartMs: start.poolStartMs,
      mode, hashes: SWEEP_COUNT, mhs: SWEEP_COUNT / s.median / 1000, rate: `${(SWEEP_COUNT / s.median / 1000).toFixed(2)} M/s`,
    };
  }

  const sweep = sweepPanel($('#mine-sweep', root), { name: 'mining',
    title: () => `Worker sweep: ${sweepWhat()} at each N, median of ${SWEEP_REPS} runs`,
    note: () => (f.mode.value === 'random'
      ? 'It runs the mode selected above: random, 50 freshly drawn digits per candidate, which is slower than nonce mode.'
      : 'It runs the mode selected above: nonce, a 50-digit counter stepped by one. Random mode draws 50 digits per candidate and runs slower.'),
    describe: () => {
      sweepMode = f.mode.value === 'random' ? 'random' : 'nonce';
      return sweepWhat();
    },
    watch: [f.mode], repeats: SWEEP_REPS, unit: 'hash rate', maxWorkers,
    columns: ['mode', 'hashes', 'mhs'],
    runAt: (n) => sweepPoint(n), stop: () => lab.stop('mine'),
  });
  const resources = resourcesPanel(lab, $('#mine-resources', root), maxWorkers);

  f.run.addEventListener('click', run);
  f.stop.addEventListener('click', () => lab.stop('mine'));
  f.verify.addEventListener('input', verify);
  return { frame, run, sweep };
}
