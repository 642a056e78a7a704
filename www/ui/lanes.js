// Canvas drawings for the models lab:
//  - GIL lanes: one row per thread (or coroutine), coloured by what it was doing
//    (running, waiting for the lock, sleeping in a blocking call), on a time axis;
//  - span charts: rows of named spans (event-loop tasks, executor tasks per worker).
// Each canvas fills its container's CSS width at the device's pixel ratio, is an image
// (role="img") named by a summary sentence, and has a table of what it draws beside it.
import { el, ms } from './dom.js';

/** @typedef {'run' | 'wait' | 'sleep'} LaneState */

/** Colours of the lane states; the legend and the drawing use the same ones. */
export const STATE_COLORS = /** @type {Record<LaneState, string>} */ ({ run: '#2f6fdd', wait: '#e0892b', sleep: '#b3bcc6' });
/** @type {LaneState[]} */
export const STATES = ['run', 'wait', 'sleep'];

const INK = '#1d232a';
const MUTED = '#5f6b76';
const GRID = '#e2e5df';
const ROW_BG = '#f3f4f0';
const FONT = '12px system-ui, -apple-system, "Segoe UI", sans-serif';
const AXIS_H = 20;
/** Colours for span kinds the caller gives none for. */
const PALETTE = ['#2f6fdd', '#23824a', '#8a5cd1', '#d9822b', '#2a9bb0', '#b3372f'];

/**
 * A tick step near span/target, rounded to 1, 2 or 5 × 10^k.
 * @param {number} span
 * @param {number} target  ticks wanted
 */
export function niceStep(span, target) {
  const raw = span / Math.max(1, target);
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/**
 * A tick label: ms below 2 s, seconds above, with no more digits than the step needs.
 * @param {number} t
 * @param {number} step
 */
export function tickLabel(t, step) {
  if (step >= 500) {
    const digits = Math.max(0, -Math.floor(Math.log10(step / 1000) + 1e-9));
    return `${(t / 1000).toFixed(digits)} s`;
  }
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return `${t.toFixed(digits)} ms`;
}

/**
 * Sizes the canvas to its container's CSS width and `cssH`, at the device pixel ratio.
 * @param {HTMLCanvasElement} canvas
 * @param {number} cssH
 */
function setup(canvas, cssH) {
  const cssW = Math.max(160, Math.floor(canvas.parentElement?.clientWidth || 600));
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(cssW * dpr);
  canvas.height = Math.round(cssH * dpr);
  canvas.style.width = `${cssW}px`;
  canvas.style.height = `${cssH}px`;
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, cssW, cssH);
  ctx.font = FONT;
  ctx.textBaseline = 'middle';
  return { ctx, w: cssW };
}

/**
 * Row height and how often a row is labelled, for `n` rows: roomy up to 8, then
 * shrinking so that a hundred rows still fit in about 300 px.
 * @param {number} n
 */
function rows(n) {
  const rowH = n <= 8 ? 24 : n <= 16 ? 16 : Math.max(3, Math.floor(300 / n));
  return { rowH, gap: rowH >= 12 ? 3 : rowH >= 6 ? 1 : 0, labelEvery: Math.max(1, Math.ceil(13 / rowH)) };
}

/**
 * The time axis under the rows, with light grid lines through them.
 * @param {CanvasRenderingContext2D} ctx
 * @param {number} x0  left of the plot
 * @param {number} plotW
 * @param {number} top  grid lines start here
 * @param {number} y  the axis line
 * @param {number} end  ms at the right edge
 * @param {number} w  canvas width
 */
function axis(ctx, x0, plotW, top, y, end, w) {
  const step = niceStep(end, Math.max(2, Math.floor(plotW / 90)));
  ctx.strokeStyle = GRID;
  ctx.lineWidth = 1;
  ctx.fillStyle = MUTED;
  ctx.textBaseline = 'top';
  for (let t = 0; t <= end + step * 1e-9; t += step) {
    const x = Math.round(x0 + (t / end) * plotW) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, y + 4);
    ctx.stroke();
    const label = tickLabel(t, step);
    const tw = ctx.measureText(label).width;
    ctx.fillText(label, Math.min(Math.max(0, x - tw / 2), w - tw - 1), y + 5);
  }
  ctx.strokeStyle = MUTED;
  ctx.beginPath();
  ctx.moveTo(x0, y + 0.5);
  ctx.lineTo(x0 + plotW, y + 0.5);
  ctx.stroke();
  ctx.textBaseline = 'middle';
}

/**
 * The width of the label column: the widest label, within a third of the canvas.
 * @param {CanvasRenderingContext2D} ctx
 * @param {string[]} labels
 * @param {number} w
 */
function labelWidth(ctx, labels, w) {
  const widest = labels.reduce((m, l) => Math.max(m, ctx.measureText(l).width), 0);
  return Math.min(Math.ceil(widest) + 8, Math.floor(w / 3));
}

/**
 * Draws `text` at (x, y), cut with an ellipsis to `maxW`.
 * @param {CanvasRenderingContext2D} ctx
 * @param {string} text
 * @param {number} x
 * @param {number} y
 * @param {number} maxW
 */
function fitText(ctx, text, x, y, maxW) {
  if (ctx.measureText(text).width <= maxW) {
    ctx.fillText(text, x, y);
    return true;
  }
  let s = text;
  while (s.length > 1 && ctx.measureText(`${s}…`).width > maxW) s = s.slice(0, -1);
  if (s.length <= 1) return false;
  ctx.fillText(`${s}…`, x, y);
  return true;
}

/**
 * Time each thread spent in each state, from the lane.
 * @param {import('../types.js').LaneInterval[]} lane
 * @param {number} threads
 */
export function laneTotals(lane, threads) {
  const n = lane.reduce((m, i) => Math.max(m, i.thread + 1), threads);
  const totals = Array.from({ length: n }, () => ({ run: 0, wait: 0, sleep: 0, intervals: 0, endMs: 0 }));
  for (const i of lane) {
    const t = totals[i.thread];
    t[i.state] += i.endMs - i.startMs;
    t.intervals++;
    t.endMs = Math.max(t.endMs, i.endMs);
  }
  return totals;
}

/**
 * Draws GIL lanes: one row per thread, its intervals coloured by state. Each pixel
 * column shows the share of its time the thread spent in each state (running at the
 * bottom, then waiting, then sleeping), so intervals narrower than a pixel are neither
 * lost nor drawn over one another; blank is time the thread had not started or had
 * finished.
 * @param {HTMLCanvasElement} canvas
 * @param {import('../types.js').LaneInterval[]} lane
 * @param {{threads: number, labels?: string[], endMs?: number}} o
 */
export function drawLanes(canvas, lane, { threads, labels = [], endMs }) {
  const n = lane.reduce((m, i) => Math.max(m, i.thread + 1), Math.max(1, threads));
  const { rowH, gap, labelEvery } = rows(n);
  const cssH = n * rowH + AXIS_H + 4;
  const { ctx, w } = setup(canvas, cssH);
  const names = Array.from({ length: n }, (_, t) => labels[t] ?? `T${t}`);
  const labelW = labelWidth(ctx, names.filter((_, t) => t % labelEvery === 0), w);
  const x0 = labelW;
  const plotW = Math.max(10, w - x0 - 6);
  const end = lane.reduce((m, i) => Math.max(m, i.endMs), Math.max(1e-3, endMs ?? 0));
  const cols = Math.max(1, Math.floor(plotW));
  const colMs = end / cols;
  const axisY = n * rowH + 2;
  axis(ctx, x0, plotW, 0, axisY, end, w);

  // Time per state per pixel column, in column widths (0..1).
  const share = new Float32Array(n * cols * 3);
  for (const i of lane) {
    const a = Math.max(0, i.startMs / colMs);
    const b = Math.min(cols, i.endMs / colMs);
    const s = STATES.indexOf(i.state);
    if (b <= a || s < 0) continue;
    for (let c = Math.floor(a); c < Math.ceil(b) && c < cols; c++) {
      share[(i.thread * cols + c) * 3 + s] += Math.min(b, c + 1) - Math.max(a, c);
    }
  }
  const inner = rowH - gap;
  const colW = plotW / cols;
  for (let t = 0; t < n; t++) {
    const y = t * rowH;
    ctx.fillStyle = ROW_BG;
    ctx.fillRect(x0, y, plotW, inner);
    // Runs of columns wholly in one state are drawn as one bar; mixed columns stacked.
    let runState = -1;
    let runFrom = 0;
    const flush = (/** @type {number} */ to) => {
      if (runState >= 0) {
        ctx.fillStyle = STATE_COLORS[STATES[runState]];
        ctx.fillRect(x0 + runFrom * colW, y, (to - runFrom) * colW, inner);
      }
    };
    for (let c = 0; c < cols; c++) {
      const k = (t * cols + c) * 3;
      const f = [share[k], share[k + 1], share[k + 2]].map((v) => Math.min(1, v));
      const total = f[0] + f[1] + f[2];
      const whole = f.findIndex((v) => v >= 0.97);
      const state = total < 0.03 ? -2 : whole >= 0 ? whole : -3;
      if (state !== runState || state === -3) {
        flush(c);
        runState = state;
        runFrom = c;
      }
      if (state === -3) {
        let yy = y + inner;
        for (let s = 0; s < 3; s++) {
          const h = f[s] * inner;
          if (h <= 0) continue;
          ctx.fillStyle = STATE_COLORS[STATES[s]];
          ctx.fillRect(x0 + c * colW, yy - h, colW, h);
          yy -= h;
        }
        runState = -1;
      }
    }
    flush(cols);
    if (t % labelEvery === 0) {
      ctx.fillStyle = INK;
      fitText(ctx, names[t], 2, y + inner / 2, labelW - 6);
    }
  }
  return { endMs: end, totals: laneTotals(lane, n) };
}

/**
 * @typedef {object} SpanRow
 * @property {string} label
 * @property {{startMs: number, endMs: number, kind?: string, text?: string}[]} spans
 */

/**
 * Luminance-based ink for text on a bar of colour `hex` (#rrggbb).
 * @param {string} hex
 */
function inkOn(hex) {
  const v = parseInt(hex.slice(1), 16);
  const lum = 0.2126 * ((v >> 16) & 255) + 0.7152 * ((v >> 8) & 255) + 0.0722 * (v & 255);
  return lum > 150 ? INK : '#fff';
}

/**
 * Draws rows of spans on a shared time axis: bars coloured by kind, with their text
 * inside where it fits; `marks` are labelled vertical lines (e.g. the run's end).
 * @param {HTMLCanvasElement} canvas
 * @param {SpanRow[]} spanRows
 * @param {{endMs?: number, colors?: Record<string, string>, marks?: {atMs: number, label: string}[]}} [o]
 */
export function drawSpans(canvas, spanRows, { endMs, colors = {}, marks = [] } = {}) {
  const n = Math.max(1, spanRows.length);
  const { rowH, gap, labelEvery } = rows(n);
  const markH = marks.length ? 16 : 0;
  const cssH = markH + n * rowH + AXIS_H + 4;
  const { ctx, w } = setup(canvas, cssH);
  const labelW = labelWidth(ctx, spanRows.map((r) => r.label), w);
  const x0 = labelW;
  const plotW = Math.max(10, w - x0 - 6);
  const end = Math.max(1e-3, endMs ?? 0, ...spanRows.flatMap((r) => r.spans.map((s) => s.endMs)), ...marks.map((m) => m.atMs));
  const x = (/** @type {number} */ t) => x0 + (t / end) * plotW;
  const axisY = markH + n * rowH + 2;
  axis(ctx, x0, plotW, markH, axisY, end, w);
  /** @type {Record<string, string>} */
  const auto = {};
  const colorOf = (/** @type {string | undefined} */ kind) => {
    const k = kind ?? '';
    if (colors[k]) return colors[k];
    auto[k] ??= PALETTE[Object.keys(auto).length % PALETTE.length];
    return auto[k];
  };
  const inner = rowH - gap;
  spanRows.forEach((r, i) => {
    const y = markH + i * rowH;
    ctx.fillStyle = ROW_BG;
    ctx.fillRect(x0, y, plotW, inner);
    for (const s of r.spans) {
      const a = x(Math.max(0, s.startMs));
      const bw = Math.max(1.5, x(s.endMs) - a);
      const c = colorOf(s.kind);
      ctx.fillStyle = c;
      ctx.fillRect(a, y, bw, inner);
      if (s.text && inner >= 12 && bw > 24) {
        ctx.fillStyle = inkOn(c);
        fitText(ctx, s.text, a + 4, y + inner / 2, bw - 8);
      }
    }
    if (i % labelEvery === 0) {
      ctx.fillStyle = INK;
      fitText(ctx, r.label, 2, y + inner / 2, labelW - 6);
    }
  });
  ctx.setLineDash([4, 3]);
  ctx.lineWidth = 1.5;
  for (const m of marks) {
    const mx = Math.round(x(m.atMs)) + 0.5;
    ctx.strokeStyle = INK;
    ctx.beginPath();
    ctx.moveTo(mx, markH - 2);
    ctx.lineTo(mx, axisY);
    ctx.stroke();
    ctx.fillStyle = INK;
    const tw = ctx.measureText(m.label).width;
    ctx.fillText(m.label, Math.max(x0, Math.min(mx - tw / 2, w - tw - 2)), markH / 2);
  }
  ctx.setLineDash([]);
  return { endMs: end, colorOf };
}

/**
 * A legend: a swatch and a text per item.
 * @param {{color: string, label: string}[]} items
 */
export function legend(items) {
  return el('ul.legend', {}, ...items.map((i) => {
    const swatch = el('span.swatch', { 'aria-hidden': 'true' });
    swatch.style.background = i.color;
    return el('li', {}, swatch, i.label);
  }));
}

/**
 * A table of figures; rows past `limit` are left out and counted in the caption.
 * @param {string} caption
 * @param {string[]} headers
 * @param {(string | number | {num: string})[][]} body  numbers are times in ms; {num} is
 *   other right-aligned text (counts, ratios)
 * @param {number} [limit]
 */
export function dataTable(caption, headers, body, limit = Infinity) {
  const shown = body.slice(0, limit);
  const more = body.length - shown.length;
  return el('table.results.data', {},
    el('caption', {}, more > 0 ? `${caption} (the first ${shown.length} of ${body.length}; the trace file has all)` : caption),
    el('thead', {}, el('tr', {}, ...headers.map((h, i) => el(typeof body[0]?.[i] === 'string' ? 'th' : 'th.num', { scope: 'col' }, h)))),
    el('tbody', {}, ...shown.map((r) => el('tr', {}, ...r.map((c) => (typeof c === 'number' ? el('td.num', {}, ms(c)) : typeof c === 'object' ? el('td.num', {}, c.num) : el('td', {}, c)))))));
}

/**
 * A canvas chart in `parent`: the canvas (an image named by a summary sentence) and a
 * <details> with the table of what it draws. It redraws itself when its width changes.
 * @param {HTMLElement} parent
 * @param {string} [summary]  the <details> summary
 */
export function chartBox(parent, summary = 'The figures drawn, as a table') {
  const canvas = /** @type {HTMLCanvasElement} */ (el('canvas', { role: 'img', 'aria-label': 'nothing drawn yet' }));
  const frame = el('div.chart-canvas', {}, canvas);
  const tables = el('div.chart-tables');
  const details = el('details.chart-data', {}, el('summary', {}, summary), tables);
  parent.replaceChildren(frame, details);
  /** @type {(() => void) | null} */
  let redraw = null;
  let width = 0;
  new ResizeObserver(() => {
    const wNow = frame.clientWidth;
    if (redraw && wNow && wNow !== width) {
      width = wNow;
      redraw();
    }
  }).observe(frame);
  return {
    canvas,
    /**
     * @param {() => void} draw  draws on `canvas` at its container's current width
     * @param {string} label  the sentence that names the image
     * @param {...Node} alt  the tables of what it draws
     */
    show(draw, label, ...alt) {
      parent.hidden = false;
      redraw = draw;
      width = frame.clientWidth;
      draw();
      canvas.setAttribute('aria-label', label);
      tables.replaceChildren(...alt);
    },
    clear() {
      redraw = null;
      parent.hidden = true;
    },
  };
}
