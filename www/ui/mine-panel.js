// Coin mining panel: run the miner on a pool, watch its counters live, list coins as
// they are found, see each worker's tasks on a timeline, sweep the pool size.
import { $, el, ms, count, rate, runGuarded, bindRange, optional, copy } from './dom.js';
import { drawTimeline, timelineCaption } from './timeline.js';
import { sweepPanel } from './sweep-panel.js';
import { resourcesPanel } from './resources.js';
import { median } from './sweep-math.js';
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
  f.workers.max = String(maxWorkers);
  f.workers.value = String(Math.min(navigator.hardwareConcurrency || 2, maxWorkers));
  f.count.value = String(terms.defaultCount);
  bindRange(f.workers);
  f.mode.addEventListener('change', () => { f.start.disabled = f.mode.value === 'random'; });

  /** @type {any} */
  let live = null;

  /** @returns {import('../types.js').MineOptions} */
  function options() {
    return {
      workers: Number(f.workers.value), mode: f.mode.value, start: optional(f.start),
      count: optional(f.count), coins: optional(f.coins), timeBudgetMs: optional(f.budget),
    };
  }

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
      f.coinList.replaceChildren(...r.coins.map(coinRow));
      const mhs = r.hashes / r.elapsedMs / 1000;
      // The live line ends on the run's own totals, not the last sample.
      f.stats.replaceChildren(
        el('span', {}, `${count(r.hashes)} hashes`),
        el('span', {}, rate(r.hashes / (r.elapsedMs / 1000))),
        el('span', {}, `${r.coins.length} coin${r.coins.length === 1 ? '' : 's'}`),
        el('span', {}, `${ms(r.elapsedMs)} of compute`),
      );
      f.summary.replaceChildren(
        el('b', {}, `${count(r.hashes)} hashes in ${ms(r.elapsedMs)}`),
        ` = ${mhs.toFixed(2)} M hashes/s on ${r.workers} worker${r.workers > 1 ? 's' : ''} (${(mhs / r.workers).toFixed(2)} per worker). `,
        `${r.coins.length} coin${r.coins.length === 1 ? '' : 's'}. Ended: ${r.ended}. `,
        r.poolReused ? 'Pool reused (already running).' : `Pool start: ${ms(r.poolStartMs)}, not counted in the time above.`,
      );
      if (r.ended === 'complete') f.bar.value = 1;
      const t = drawTimeline(f.timeline, r.spans, r.workers);
      f.caption.textContent = `${timelineCaption(t, `tasks of ${count(terms.taskCandidates)} candidates`)}${r.spansDropped ? ` (${count(r.spansDropped)} later tasks not drawn)` : ''}`;
      traceDownload($('#mine-trace', root), `mining-${r.workers}-workers.json`, traceFromSpans(r.spans, 'task', { process: `mining, ${r.workers} workers` }));
      return r;
    } finally {
      live = null;
    }
  });

  /** @param {import('../types.js').Coin} c */
  function coinRow(c) {
    const text = el('code.coin', { title: 'click to copy' }, c.text);
    text.addEventListener('click', () => copy(c.text, text));
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
      f.stats.textContent = `starting ${f.workers.value} workers… ${ms(now - live.t0)}`;
      return;
    }
    if (!live.last) live.last = { t: now, hashes: p.hashes, perWorker: p.perWorkerHashes, started: now };
    const dt = (now - live.last.t) / 1000;
    if (dt >= 0.25) {
      const inst = (p.hashes - live.last.hashes) / dt;
      live.rate = live.rate ? 0.5 * live.rate + 0.5 * inst : inst;
      live.perWorker = p.perWorkerHashes.map((h, /** @type {number} */ i) => (h - (live.last.perWorker[i] ?? 0)) / dt);
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
    f.stats.replaceChildren(
      el('span', {}, `${count(p.hashes)} hashes`),
      el('span', {}, rate(live.rate)),
      el('span', {}, `${p.coins} coin${p.coins === 1 ? '' : 's'}`),
      el('span', { title: `a candidate is a coin with probability 1/${count(terms.coinOdds)}` }, `next coin in ~${ms(nextCoin)} at this rate`),
      el('span', {}, `${ms(now - live.last.started)} elapsed`),
    );
    drawWorkers(live.perWorker, live.rate);
  }

  /**
   * @param {number[]} rates
   * @param {number} total
   */
  function drawWorkers(rates, total) {
    const max = Math.max(...rates, 1);
    if (f.perWorker.children.length !== rates.length) {
      f.perWorker.replaceChildren(...rates.map((_, i) => el('div.wbar', { title: `worker ${i}` }, el('span'))));
    }
    rates.forEach((r, i) => {
      const bar = f.perWorker.children[i];
      bar.firstChild.style.height = `${(100 * r) / max}%`;
      bar.title = `worker ${i}: ${rate(r)} (${total ? ((100 * r) / total).toFixed(0) : 0}% of the total)`;
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

  /**
   * Sweep point: a warm-up run so the module is tiered up, then the median of
   * SWEEP_REPS timed runs, with their spread.
   * @param {number} workers
   */
  async function sweepPoint(workers) {
    const warm = await lab.mine({ workers, count: SWEEP_COUNT / 8 });
    if (warm.ended !== 'complete') return null;
    const runs = [];
    for (let i = 0; i < SWEEP_REPS; i++) {
      const r = await lab.mine({ workers, count: SWEEP_COUNT });
      if (r.ended !== 'complete') return null;
      runs.push(r);
    }
    const t = median(runs.map((r) => r.elapsedMs));
    const times = runs.map((r) => r.elapsedMs);
    return {
      ms: t, poolStartMs: warm.poolStartMs, hashes: SWEEP_COUNT, mhs: SWEEP_COUNT / t / 1000, runs: SWEEP_REPS,
      minMs: Math.min(...times), maxMs: Math.max(...times), rate: `${(SWEEP_COUNT / t / 1000).toFixed(2)} M/s`,
    };
  }

  const sweep = sweepPanel($('#mine-sweep', root), {
    title: `Worker sweep: ${count(SWEEP_COUNT)} nonces at each N, median of ${SWEEP_REPS} runs`, unit: 'hash rate', maxWorkers,
    columns: ['hashes', 'mhs', 'runs', 'minMs', 'maxMs'],
    runAt: (n) => sweepPoint(n), stop: () => lab.stop('mine'),
  });
  const resources = resourcesPanel(lab, $('#mine-resources', root), maxWorkers);

  f.run.addEventListener('click', run);
  f.stop.addEventListener('click', () => lab.stop('mine'));
  f.verify.addEventListener('input', verify);
  return { frame, run, sweep };
}
