// Coin mining panel: run the miner on a pool, watch its counters live, list coins.
import { $, el, ms, count, rate, showError, bindRange, optional, copy } from './dom.js';

/** A candidate is a coin with probability 16^-5 = 2^-20. */
const COIN_ODDS = 2 ** 20;

export function minePanel(lab, root) {
  const f = {
    workers: $('#mine-workers', root), mode: $('#mine-mode', root), start: $('#mine-start', root),
    count: $('#mine-count', root), coins: $('#mine-coins', root), budget: $('#mine-budget', root),
    run: $('#mine-run', root), stop: $('#mine-stop', root), error: $('#mine-error', root),
    bar: $('#mine-bar', root), stats: $('#mine-stats', root), perWorker: $('#mine-per-worker', root),
    coinList: $('#mine-coins-list tbody', root), summary: $('#mine-summary', root),
  };
  f.workers.value = Math.min(navigator.hardwareConcurrency || 2, 128);
  bindRange(f.workers);
  f.mode.addEventListener('change', () => { f.start.disabled = f.mode.value === 'random'; });

  let live = null; // {t0, last: {t, hashes}, rate, shownCoins, count}

  function options() {
    return {
      workers: Number(f.workers.value), mode: f.mode.value, start: optional(f.start),
      count: optional(f.count), coins: optional(f.coins), timeBudgetMs: optional(f.budget),
    };
  }

  async function run() {
    showError(f.error, null);
    f.run.disabled = true;
    f.stop.disabled = false;
    f.coinList.replaceChildren();
    f.summary.textContent = 'starting the pool…';
    const opts = options();
    live = { t0: performance.now(), last: null, rate: 0, target: Number(opts.count ?? 2 ** 24), perWorker: [] };
    try {
      const r = await lab.mine(opts);
      if (r.cancelled) {
        f.summary.textContent = 'stopped before the run began';
        return r;
      }
      showCoins(r.coins);
      const mhs = r.hashes / r.elapsedMs / 1000;
      f.summary.replaceChildren(
        el('b', {}, `${count(r.hashes)} hashes in ${ms(r.elapsedMs)}`),
        ` = ${mhs.toFixed(2)} M hashes/s on ${r.workers} worker${r.workers > 1 ? 's' : ''} (${(mhs / r.workers).toFixed(2)} per worker). `,
        `${r.coins.length} coin${r.coins.length === 1 ? '' : 's'}. Ended: ${r.ended}. `,
        r.poolReused ? 'Pool reused (already running).' : `Pool start: ${ms(r.poolStartMs)}, not counted in the time above.`,
      );
      f.bar.value = r.ended === 'complete' ? 1 : f.bar.value;
      return r;
    } catch (e) {
      showError(f.error, e);
      f.summary.textContent = '';
    } finally {
      live = null;
      f.run.disabled = false;
      f.stop.disabled = true;
    }
  }

  function showCoins(coins) {
    f.coinList.replaceChildren(...coins.map((c) => coinRow(c)));
  }

  function coinRow(c) {
    const text = el('code.coin', { title: 'click to copy' }, c.text);
    text.addEventListener('click', () => copy(c.text, text));
    return el('tr', {}, el('td.num', {}, c.nonce ?? '–'), el('td', {}, text), el('td', {}, el('code', {}, c.md5)), el('td.num', {}, c.worker));
  }

  /** Called every frame with the shared-memory counters. */
  function frame(p) {
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
      live.perWorker = p.perWorkerHashes.map((h, i) => (h - (live.last.perWorker[i] ?? 0)) / dt);
      live.last = { ...live.last, t: now, hashes: p.hashes, perWorker: p.perWorkerHashes };
    }
    f.bar.value = Math.min(1, p.hashes / live.target);
    const nextCoin = live.rate > 0 ? (COIN_ODDS / live.rate) * 1000 : NaN;
    f.stats.replaceChildren(
      el('span', {}, `${count(p.hashes)} hashes`),
      el('span', {}, rate(live.rate)),
      el('span', {}, `${p.coins} coin${p.coins === 1 ? '' : 's'}`),
      el('span', { title: 'a candidate is a coin with probability 1/2^20' }, `next coin in ~${ms(nextCoin)} at this rate`),
      el('span', {}, `${ms(now - live.last.started)} elapsed`),
    );
    drawWorkers(live.perWorker, live.rate);
  }

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

  f.run.addEventListener('click', run);
  f.stop.addEventListener('click', () => lab.stop('mine'));
  return { frame, run };
}
