// What the course asks students to watch with OS tools, as far as the page can see it:
// how busy each worker is, the shared wasm memory, and what each extra worker costs.
import { el, ms, bytes } from './dom.js';

/**
 * Pool sizes whose memory is measured: a few small ones and the largest pool.
 * @param {number} maxWorkers
 */
export const memorySizes = (maxWorkers) => [...new Set([1, 2, 4, 16, 64, maxWorkers])].filter((n) => n <= maxWorkers);

/**
 * @param {ReturnType<typeof import('../lab.js').createLab>} lab
 * @param {HTMLElement} host
 * @param {number} maxWorkers
 */
export function resourcesPanel(lab, host, maxWorkers) {
  const live = el('p.stats');
  const shares = el('div.busy');
  const measure = el('button', {}, 'Measure memory per worker');
  const body = el('tbody');
  const table = el('table.results', {}, el('thead', {}, el('tr', {}, ...['N', 'pool start', 'wasm memory', 'per extra worker'].map((h) => el('th', {}, h)))), body);
  const note = el('p.note', {}, 'Each worker gets its own stack and thread-local storage inside the shared wasm memory, and its own JavaScript heap outside it, which the page cannot weigh cheaply.');
  host.append(el('h3', {}, 'Resources'), live, shares, el('div.controls', {}, measure), table, note);

  measure.addEventListener('click', async () => {
    measure.disabled = true;
    body.replaceChildren();
    try {
      /** @type {import('../types.js').PoolStart | null} */
      let base = null;
      for (const n of memorySizes(maxWorkers)) {
        const r = await lab.startPool(n);
        base ??= r;
        const extra = n > base.workers ? (r.wasmBytes - base.wasmBytes) / (n - base.workers) : null;
        body.append(el('tr', {}, el('td.num', {}, n), el('td.num', {}, ms(r.poolStartMs)), el('td.num', {}, bytes(r.wasmBytes)), el('td.num', {}, extra === null ? '–' : bytes(extra))));
      }
    } finally {
      measure.disabled = false;
    }
  });

  /**
   * Every frame: busy share per worker since the run began, and the memory.
   * @param {import('../types.js').Progress | null} p
   */
  function frame(p) {
    if (!p) return;
    const elapsed = Math.max(1, p.elapsedMs);
    const share = p.perWorkerBusyMs.map((b) => Math.min(1, b / elapsed));
    const text = `${p.workers} workers · wasm memory ${bytes(p.memoryBytes)}${p.running ? '' : ' · idle'}`;
    if (live.textContent !== text) live.textContent = text;
    if (!p.running) return;
    if (shares.children.length !== share.length) shares.replaceChildren(...share.map((_, i) => el('span', { title: `worker ${i}` })));
    share.forEach((s, i) => {
      const cell = shares.children[i];
      cell.style.setProperty('--busy', s.toFixed(3));
      cell.title = `worker ${i}: busy ${(100 * s).toFixed(0)}% of the run so far`;
    });
  }
  return { frame };
}
