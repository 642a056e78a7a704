// Primes panel: map a primality test over a list on the pool, with a chunk size,
// and show which worker ran each number, and when.
import { $, el, ms, showError, bindRange, optional } from './dom.js';

export const COURSE_LIST = ['112272535095293', '112582705942171', '112272535095293', '115280095190773', '115797848077099', '1099726899285419'];

/** Numbers from free text: one per line, or separated by commas or blanks. */
export function parseList(text) {
  return text.split(/[\s,;]+/).filter(Boolean);
}

export function primesPanel(lab, root) {
  const f = {
    workers: $('#primes-workers', root), numbers: $('#primes-numbers', root), chunksize: $('#primes-chunksize', root),
    algorithm: $('#primes-algorithm', root), run: $('#primes-run', root), stop: $('#primes-stop', root),
    error: $('#primes-error', root), table: $('#primes-results tbody', root), summary: $('#primes-summary', root),
    stats: $('#primes-stats', root),
  };
  f.workers.value = Math.min(navigator.hardwareConcurrency || 2, 128);
  f.numbers.value = COURSE_LIST.join('\n');
  bindRange(f.workers);
  let live = null;

  async function run() {
    showError(f.error, null);
    f.run.disabled = true;
    f.stop.disabled = false;
    f.summary.textContent = 'starting the pool…';
    const numbers = parseList(f.numbers.value);
    live = { t0: performance.now(), total: numbers.length };
    try {
      const r = await lab.primes({ workers: Number(f.workers.value), numbers, chunksize: optional(f.chunksize), algorithm: f.algorithm.value });
      if (r.cancelled) {
        f.summary.textContent = 'stopped before the run began';
        return r;
      }
      f.table.replaceChildren(...r.results.map((x) => el('tr', { className: x.prime ? 'prime' : '' },
        el('td.num', {}, x.n),
        el('td', {}, x.prime === null ? 'not decided (stopped)' : x.prime ? 'prime' : 'composite'),
        el('td.num', {}, x.worker ?? '–'), el('td.num', {}, ms(x.startMs)), el('td.num', {}, ms(x.endMs)),
        el('td.num', {}, ms(x.endMs - x.startMs)))));
      const primes = r.results.filter((x) => x.prime).length;
      f.summary.replaceChildren(
        el('b', {}, `${r.results.length} numbers in ${ms(r.elapsedMs)}`),
        ` on ${r.workers} worker${r.workers > 1 ? 's' : ''}, chunk size ${r.chunksize}, ${r.algorithm}: ${primes} prime. `,
        r.stopped ? 'Stopped. ' : '',
        r.poolReused ? 'Pool reused.' : `Pool start: ${ms(r.poolStartMs)}, not counted.`,
      );
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

  function frame(p) {
    if (!live || !p || p.kind !== 'primes') return;
    f.stats.textContent = p.starting
      ? `starting ${f.workers.value} workers… ${ms(performance.now() - live.t0)}`
      : `${p.items} of ${live.total} tested · ${ms(performance.now() - live.t0)}`;
  }

  f.run.addEventListener('click', run);
  f.stop.addEventListener('click', () => lab.stop('primes'));
  return { frame, run };
}
