// A Gantt view of a run: one row per worker, one bar per task or chunk, from its
// start to its end. Gaps are idle time; ragged right ends are load imbalance.
// Above MAX_ROWS workers a row stands for a group of workers and its height at each
// moment shows how many of them were busy, so 100 workers still read as rows, not as
// a grey smear of 2-pixel lines. The canvas is an image (role="img") named by a summary
// sentence, with a table of each worker's figures in a <details> beside it, and it is
// drawn again when its container changes width.
import { el, ms, count } from './dom.js';

const PALETTE = ['#2f6fdd', '#5b8def', '#23824a', '#4caf73', '#d9822b', '#e9a15a'];
const INK = '#1d232a';
const MUTED = '#5f6b76';
const ROW_BG = '#f1f2ee';
const AXIS_H = 22;
/** Workers drawn one to a row; past this they are grouped. */
export const MAX_ROWS = 24;

/**
 * How the rows are laid out for `workers`: one worker a row up to MAX_ROWS, else
 * groups of `group` consecutive workers (the last may be smaller), about 20 rows.
 * @param {number} workers
 */
export function timelineRows(workers) {
  const group = workers <= MAX_ROWS ? 1 : Math.ceil(workers / 20);
  return { group, rows: Math.ceil(workers / group) };
}

/**
 * Busy time per worker over the run: the union of its spans (so overlapping spans are
 * not counted twice), clipped to [0, end], where end is the run's span: the later of
 * `spanMs` and the last span's end. Each busy[w] / endMs is in [0, 1].
 * @param {{worker: number, startMs: number, endMs: number}[]} spans
 * @param {number} workers
 * @param {number} [spanMs]  the run's own elapsed time, when known
 */
export function busyByWorker(spans, workers, spanMs = 0) {
  let end = Math.max(1e-3, Number.isFinite(spanMs) ? spanMs : 0);
  for (const s of spans) if (s.endMs > end) end = s.endMs;
  /** @type {[number, number][][]} */
  const per = Array.from({ length: workers }, () => []);
  const tasks = new Array(workers).fill(0);
  for (const s of spans) {
    if (!(s.worker >= 0 && s.worker < workers)) continue;
    tasks[s.worker]++;
    const a = Math.max(0, s.startMs);
    const b = Math.min(end, s.endMs);
    if (b > a) per[s.worker].push([a, b]);
  }
  const busy = per.map((iv) => {
    iv.sort((x, y) => x[0] - y[0]);
    let sum = 0;
    let [ca, cb] = [-Infinity, -Infinity];
    for (const [a, b] of iv) {
      if (a > cb) {
        if (cb > ca) sum += cb - ca;
        [ca, cb] = [a, b];
      } else if (b > cb) cb = b;
    }
    if (cb > ca) sum += cb - ca;
    return sum;
  });
  return { busy, endMs: end, tasks: tasks.reduce((a, b) => a + b, 0), perWorkerTasks: tasks };
}

/**
 * Adds a span's busy time, clipped to [0, end], to the bins of `row` it covers (each
 * `binMs` long).
 * @param {Float64Array} row
 * @param {{startMs: number, endMs: number}} span
 * @param {number} end
 * @param {number} binMs
 */
function addBusy(row, { startMs, endMs }, end, binMs) {
  const a = Math.max(0, startMs);
  const b = Math.min(end, endMs);
  for (let i = Math.floor(a / binMs); i < row.length && i * binMs < b; i++) {
    row[i] += Math.max(0, Math.min(b, (i + 1) * binMs) - Math.max(a, i * binMs));
  }
}

/**
 * Draws a row's bins of busy time (addBusy's) as columns standing on `base`, one
 * fillRect per bin, across `width` px from `left`: a bin busy for `fullMs` fills
 * `height`, and a busy bin is at least `minPx` tall.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Float64Array} row
 * @param {{left: number, width: number, base: number, height: number, fullMs: number, minPx: number}} at
 */
function drawBusy(ctx, row, { left, width, base, height, fullMs, minPx }) {
  const n = row.length;
  for (let i = 0; i < n; i++) {
    const share = Math.min(1, row[i] / fullMs);
    if (share <= 0) continue;
    const h = Math.max(minPx, share * height);
    ctx.fillRect(left + (i * width) / n, base - h, width / n + 0.5, h);
  }
}

/** The last drawing of each canvas, redrawn when its container's width changes. */
const shown = new WeakMap();

/**
 * Row height and CSS height of a timeline of `workers`: known without layout.
 * @param {number} workers
 */
function timelineHeight(workers) {
  const { rows } = timelineRows(workers);
  const rowH = Math.max(14, Math.min(24, Math.floor(320 / rows)));
  return { rowH, cssH: rowH * rows + AXIS_H };
}

/**
 * Draws `spans` ({worker, startMs, endMs, items}) for `workers` rows on `canvas`, at
 * its container's width; returns per-worker busy time and the run's span, for the
 * caption.
 * @param {HTMLCanvasElement} canvas
 * @param {import('../types.js').Span[]} spans
 * @param {number} workers
 * @param {{spanMs?: number, busy?: ReturnType<typeof busyByWorker>, width?: number}} [opts]
 *   spanMs: the run's elapsed time, the time axis's end; busy: busyByWorker's answer for
 *   these spans, when the caller has it; width: the container's CSS width, when known
 *   (else it is read, which lays the page out first if it has changed)
 */
export function drawTimeline(canvas, spans, workers, { spanMs, busy, width } = {}) {
  const t = busy ?? busyByWorker(spans, workers, spanMs);
  const { group, rows } = timelineRows(workers);
  const end = t.endMs;
  const { rowH, cssH } = timelineHeight(workers);
  const cssW = Math.max(240, width || canvas.parentElement?.clientWidth || 900);
  const dpr = devicePixelRatio || 1;
  canvas.width = Math.round(cssW * dpr);
  canvas.height = Math.round(cssH * dpr);
  canvas.style.width = `${cssW}px`;
  canvas.style.height = `${cssH}px`;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, cssW, cssH);
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';

  /** @param {number} r */
  const rowLabel = (r) => {
    const w0 = r * group;
    const w1 = Math.min(workers, w0 + group) - 1;
    let b = 0;
    for (let w = w0; w <= w1; w++) b += t.busy[w];
    const share = Math.round((100 * b) / ((w1 - w0 + 1) * end));
    return `${w1 > w0 ? `w${w0}–${w1}` : `w${w0}`} ${share}%`;
  };
  const labels = Array.from({ length: rows }, (_, r) => rowLabel(r));
  const labelW = Math.ceil(Math.max(...labels.map((l) => ctx.measureText(l).width))) + 10;
  const plotW = Math.max(40, cssW - labelW - 10);
  /** @param {number} ms_ */
  const x = (ms_) => labelW + (Math.min(end, Math.max(0, ms_)) / end) * plotW;

  // Rows, labels, and the time axis with its grid.
  for (let r = 0; r < rows; r++) {
    ctx.fillStyle = ROW_BG;
    ctx.fillRect(labelW, r * rowH, plotW, rowH - 2);
    ctx.fillStyle = INK;
    ctx.fillText(labels[r], 2, r * rowH + (rowH - 2) / 2);
  }
  ctx.textBaseline = 'alphabetic';
  for (let i = 0; i <= 4; i++) {
    const tx = x((end * i) / 4);
    ctx.fillStyle = '#d9dcd6';
    ctx.fillRect(Math.round(tx), 0, 1, rows * rowH);
    ctx.fillStyle = MUTED;
    const text = ms((end * i) / 4);
    const w = ctx.measureText(text).width;
    ctx.fillText(text, Math.min(Math.max(labelW, tx - w / 2), cssW - w - 2), cssH - 6);
  }

  if (group === 1) {
    // A bar at least NARROW px wide is drawn as itself, in alternating shades so that
    // neighbours read apart. Narrower ones (a 2^30-nonce run has 16,384 tasks on a few
    // hundred pixels) go into 1 px columns of busy time, drawn once per column as the
    // grouped rows are: one fillRect per pixel instead of per task (issue 12: 16,384
    // rects took 69 ms of a 143 ms long task at the end of such a run).
    const NARROW = 2;
    const columns = Math.max(1, Math.ceil(plotW));
    const colMs = end / columns;
    /** @type {(Float64Array | undefined)[]} */
    const occ = new Array(workers);
    const nth = new Array(workers).fill(0);
    for (const s of spans) {
      if (!(s.worker >= 0 && s.worker < workers)) continue;
      const x0 = x(s.startMs);
      const width = x(s.endMs) - x0;
      if (width >= NARROW) {
        ctx.fillStyle = PALETTE[(nth[s.worker]++ % 2) + 2 * (s.worker % 3)];
        ctx.fillRect(x0, s.worker * rowH, width, rowH - 2);
        continue;
      }
      addBusy((occ[s.worker] ??= new Float64Array(columns)), s, end, colMs);
    }
    occ.forEach((row, w) => {
      if (!row) return;
      ctx.fillStyle = PALETTE[2 * (w % 3)];
      // At least 1 px: a narrow task stays visible in its column.
      drawBusy(ctx, row, { left: labelW, width: plotW, base: w * rowH + rowH - 2, height: rowH - 2, fullMs: colMs, minPx: 1 });
    });
  } else {
    // Each row: how many of its workers were busy, in bins of 2 CSS pixels.
    const bins = Math.max(1, Math.floor(plotW / 2));
    const binMs = end / bins;
    const occ = Array.from({ length: rows }, () => new Float64Array(bins));
    for (const s of spans) {
      if (!(s.worker >= 0 && s.worker < workers)) continue;
      addBusy(occ[Math.floor(s.worker / group)], s, end, binMs);
    }
    for (let r = 0; r < rows; r++) {
      const size = Math.min(workers, (r + 1) * group) - r * group;
      ctx.fillStyle = PALETTE[2 * (r % 2)];
      drawBusy(ctx, occ[r], { left: labelW, width: plotW, base: r * rowH + rowH - 2, height: rowH - 2, fullMs: binMs * size, minPx: 0 });
    }
  }
  return { ...t, group, rows };
}

/**
 * One line under a timeline: tasks, and how evenly the workers were kept busy, as
 * shares of the run's span.
 * @param {{busy: number[], endMs: number, tasks: number, group?: number, perWorkerTasks?: number[]}} t
 * @param {string} what
 */
export function timelineCaption({ busy, endMs, tasks, group = 1, perWorkerTasks }, what) {
  const shares = busy.map((b) => Math.min(1, Math.max(0, b / endMs)));
  const min = Math.min(...shares);
  const max = Math.max(...shares);
  const mean = shares.reduce((a, b) => a + b, 0) / (shares.length || 1);
  const idle = perWorkerTasks ? perWorkerTasks.filter((n) => n === 0).length : 0;
  const range = shares.length === 1 ? `the worker was busy ${(100 * max).toFixed(0)}%` : `each worker busy ${(100 * min).toFixed(0)}–${(100 * max).toFixed(0)}% (mean ${(100 * mean).toFixed(0)}%)`;
  return `${count(tasks)} ${what} over ${ms(endMs)}; ${range} of the run.` +
    `${idle ? ` ${idle} of ${busy.length} workers got no task.` : ''}` +
    `${group > 1 ? ` Each row is ${group} workers; its height shows how many of them were busy.` : ''}`;
}

/**
 * Draws the run on `canvas` and names it: the caption line under it, the canvas's
 * aria-label, and a table of each worker's figures in a <details> after `caption`. It
 * is drawn again when its container's width changes.
 * @param {HTMLCanvasElement} canvas
 * @param {HTMLElement} caption
 * @param {import('../types.js').Span[]} spans
 * @param {number} workers
 * @param {{what: string, spanMs?: number, extra?: string, name?: string}} opts  what: "tasks of
 *   65,536 candidates"; extra: a sentence added to the caption; name: "Mining timeline"
 */
export function showTimeline(canvas, caption, spans, workers, { what, spanMs, extra = '', name = 'The timeline' }) {
  // The caption, the text alternative, the table and the canvas's height now; the bars
  // in a task of their own, at the width the container last had. A 2^32-nonce run has
  // 20,000 tasks to draw, and drawing them in the run's own task, after reading the
  // container's width (which laid out the whole page, rows just added), made one long
  // task of it all (issue 12: 60 ms at the end of such a run).
  const t = { ...busyByWorker(spans, workers, spanMs), ...timelineRows(workers) };
  const { cssH } = timelineHeight(workers);
  canvas.height = Math.round(cssH * (devicePixelRatio || 1));
  canvas.style.height = `${cssH}px`;
  const line = `${timelineCaption(t, what)}${extra}`;
  caption.textContent = line;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `${name} of ${workers} worker${workers === 1 ? '' : 's'}: ${line}`);

  let state = shown.get(canvas);
  if (!state) {
    const tables = el('div.chart-tables', { tabindex: 0, role: 'group', 'aria-label': `${name}, as a table` });
    const details = el('details.chart-data', {}, el('summary', {}, `${name}, as a table`), tables);
    caption.after(details);
    state = { tables, width: 0, redraw: () => {}, painting: {} };
    const box = canvas.parentElement;
    const s = state;
    new ResizeObserver(() => {
      const w = box.clientWidth;
      if (w && w !== s.width) {
        s.width = w;
        s.redraw();
      }
    }).observe(box);
    shown.set(canvas, state);
  }
  // The width is the ResizeObserver's to record (read here, it would lay the page out).
  const st = state;
  st.redraw = () => drawTimeline(canvas, spans, workers, { spanMs, busy: t, width: st.width });
  // Drawn in the next task, unless a later run's timeline has been asked for meanwhile.
  const painting = {};
  st.painting = painting;
  setTimeout(() => {
    if (st.painting === painting) st.redraw();
  }, 0);
  const first = new Array(workers).fill(Infinity);
  const last = new Array(workers).fill(0);
  for (const s of spans) {
    if (!(s.worker >= 0 && s.worker < workers)) continue;
    first[s.worker] = Math.min(first[s.worker], s.startMs);
    last[s.worker] = Math.max(last[s.worker], s.endMs);
  }
  state.tables.replaceChildren(el('table.results.data', {},
    el('caption', {}, `Each worker over the run's ${ms(t.endMs)}`),
    el('thead', {}, el('tr', {}, ...['worker', 'bars', 'busy', 'busy share', 'first start', 'last end'].map((h, i) => el(i ? 'th.num' : 'th', { scope: 'col' }, h)))),
    el('tbody', {}, ...t.busy.map((b, w) => el('tr', {},
      el('td', {}, `w${w}`), el('td.num', {}, t.perWorkerTasks[w]), el('td.num', {}, ms(b)),
      el('td.num', {}, `${((100 * b) / t.endMs).toFixed(0)}%`),
      el('td.num', {}, t.perWorkerTasks[w] ? ms(first[w]) : '–'), el('td.num', {}, t.perWorkerTasks[w] ? ms(last[w]) : '–'))))));
  return t;
}
