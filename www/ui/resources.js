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
  const measure = el('button', {}, 'Measure pool starts and memory');
  const body = el('tbody');
  const heads = [
    ['N', 'workers in the pool'],
    ['cold pool start', 'what a fresh page waits for: engine, module, every worker, warm-up'],
    ['workers ready', 'from the first worker spawned to the last one ready'],
    ['slowest script', 'slowest worker: from new Worker to its script running (thread, JavaScript engine, script load)'],
    ['slowest glue', "slowest worker: evaluating the module's JavaScript glue, which its script holds"],
    ['slowest instantiate', 'slowest worker: instantiating the compiled module on the shared memory, with its own stack and thread-locals'],
    ['wasm memory', 'the shared memory after the start'],
    ['per extra worker', 'memory each worker beyond the first row added'],
  ];
  const table = el('table.results', {}, el('thead', {}, el('tr', {}, ...heads.map(([h, title]) => el('th', { title }, h)))), body);
  const tableBox = el('div.scroll-x', { tabindex: 0, role: 'group', 'aria-label': 'pool starts, scrolls sideways on a narrow screen' }, table);
  const why = el('p.note');
  const rebuild = el('p.note');
  const note = el('p.note', {}, 'Each worker gets its own stack and thread-local storage inside the shared wasm memory, and its own JavaScript heap outside it, which the page cannot weigh cheaply. ' +
    'All workers start at once, so with more workers than cores their starts queue for the cores: a slow "script" column (the slowest worker\'s) is the browser creating threads and giving each the workers\' one script, not this lab computing.');
  host.append(el('h3', {}, 'Resources'), live, shares, el('div.controls', {}, measure), tableBox, why, rebuild, note);

  measure.addEventListener('click', async () => {
    measure.disabled = true;
    body.replaceChildren();
    why.textContent = '';
    rebuild.textContent = '';
    try {
      /** @type {import('../types.js').PoolStart | null} */
      let base = null;
      for (const n of memorySizes(maxWorkers)) {
        // Cold: a fresh engine and every worker, as on a fresh page.
        const r = await lab.startPool(n, { cold: true });
        base ??= r;
        const extra = n > base.workers ? (r.wasmBytes - base.wasmBytes) / (n - base.workers) : null;
        const p = r.phases;
        const cell = (/** @type {number | undefined} */ v) => el('td.num', {}, v === undefined ? '–' : ms(v));
        body.append(el('tr', {},
          el('td.num', {}, n), cell(r.poolStartMs), cell(p?.allReadyMs), cell(p?.script?.max), cell(p?.glue?.max), cell(p?.instantiate?.max),
          el('td.num', {}, bytes(r.wasmBytes)), el('td.num', {}, extra === null ? '–' : bytes(extra))));
        if (!why.textContent) {
          const page = await lab.pageModule();
          why.textContent = `Not in these starts: the page compiled the module once, at load, on the link worker (${ms(page.loadMs)}, with its JavaScript), ` +
            `and warmed its code up there right after (${page.warmUp ? ms(page.warmUp.ms) : 'failed'}); every pool instantiates that module, so no pool start compiles, ` +
            'and the optimised code stays with the module, so a pool needs no warm-up of its own. make bench reports cold starts on fresh pages beside it.';
        }
      }
      // What moving the slider costs once the page has workers: a pool of another
      // size is built on them, and only a larger one starts more.
      const sizes = memorySizes(maxWorkers);
      const small = sizes[Math.max(0, sizes.length - 2)];
      if (small < maxWorkers) {
        const r = await lab.startPool(small);
        rebuild.textContent = `Every row above is a cold start (a fresh engine and every worker). Moving the slider is cheaper: the page keeps its workers, ` +
          `so the pool of ${small} just built on ${r.workersKept} of the ${maxWorkers} workers started for the last row took ${ms(r.poolStartMs)} ` +
          `(${r.workersStarted} started${r.warmUpMs ? `, ${ms(r.warmUpMs)} of it warming up` : ''}); a pool larger than any before starts only the workers it lacks.`;
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
    // Written only when the whole percent shown changes: a style or title written
    // every frame makes the browser restyle and repaint the page every frame, work
    // that on a 2-core machine is taken from the workers (issue 12, scaling).
    share.forEach((s, i) => {
      const cell = /** @type {HTMLElement} */ (shares.children[i]);
      const pct = (100 * s).toFixed(0);
      if (cell.dataset.pct === pct) return;
      cell.dataset.pct = pct;
      cell.style.setProperty('--busy', (Number(pct) / 100).toFixed(2));
      cell.title = `worker ${i}: busy ${pct}% of the run so far`;
    });
  }
  return { frame };
}
