// Sweep charts with uPlot: x is the pool size on a log2 axis, the cores are marked.
// Each chart is an image (role="img") named by a summary sentence, with a <details>
// table of the figures it draws beside it; it takes its container's width and follows
// it when the page is resized. Its legend shows the last measured point's values, and
// the hovered point's while the pointer is over the plot.
import uPlot from '../vendor/uPlot.esm.js';
import { el, ms } from './dom.js';

const COLORS = ['#2f6fdd', '#d9822b', '#23824a', '#8e44ad', '#7f8c8d'];
const MARK = '#b3372f';
/** Widest a chart is drawn: wider lines of a few points read no better. */
const MAX_WIDTH = 720;
const HEIGHT = 260;

/** The chart drawn in a node, so a redraw frees the last one and its observer. */
const drawn = new WeakMap();

/**
 * Draws a dashed vertical line at x = `at`, labelled inside the plot at its top: right
 * of the line, or left of it where the label would leave the plot; on a white ground so
 * lines under it do not cross the text, and clear of the axes' tick labels.
 * @param {number | undefined} at
 * @param {string} label
 */
function markPlugin(at, label) {
  return {
    hooks: {
      draw: (/** @type {uPlot} */ u) => {
        if (at === undefined || at === null) return;
        const [lo, hi] = [u.scales.x.min, u.scales.x.max];
        if (!(at >= lo && at <= hi)) return;
        const dpr = devicePixelRatio || 1;
        const x = Math.round(u.valToPos(at, 'x', true));
        const { ctx, bbox } = u;
        ctx.save();
        ctx.strokeStyle = MARK;
        ctx.lineWidth = dpr;
        ctx.setLineDash([4 * dpr, 4 * dpr]);
        ctx.beginPath();
        ctx.moveTo(x, bbox.top);
        ctx.lineTo(x, bbox.top + bbox.height);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.font = `${11 * dpr}px system-ui, sans-serif`;
        ctx.textBaseline = 'top';
        ctx.textAlign = 'left';
        const w = ctx.measureText(label).width;
        const pad = 3 * dpr;
        const right = bbox.left + bbox.width;
        const tx = x + pad + w + pad <= right ? x + pad : Math.max(bbox.left + pad, x - pad - w);
        const ty = bbox.top + pad;
        ctx.fillStyle = 'rgba(255,255,255,0.85)';
        ctx.fillRect(tx - 2 * dpr, ty - dpr, w + 4 * dpr, 13 * dpr);
        ctx.fillStyle = MARK;
        ctx.fillText(label, tx, ty);
        ctx.restore();
      },
    },
  };
}

/**
 * Min–max whiskers on the series that carry them: a vertical bar with caps at each
 * measured point, in the series' colour.
 * @param {Series[]} series
 */
function whiskerPlugin(series) {
  return {
    hooks: {
      draw: (/** @type {uPlot} */ u) => {
        const dpr = devicePixelRatio || 1;
        const { ctx, bbox } = u;
        ctx.save();
        ctx.beginPath();
        ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
        ctx.clip();
        series.forEach((s, i) => {
          if (!s.whiskers) return;
          ctx.strokeStyle = s.color ?? COLORS[i % COLORS.length];
          ctx.lineWidth = 1.5 * dpr;
          u.data[0].forEach((xv, j) => {
            const lo = s.whiskers.lo[j];
            const hi = s.whiskers.hi[j];
            if (lo === null || hi === null || lo === undefined || hi === undefined) return;
            const x = u.valToPos(xv, 'x', true);
            const y0 = u.valToPos(lo, 'y', true);
            const y1 = u.valToPos(hi, 'y', true);
            const cap = 4 * dpr;
            ctx.beginPath();
            ctx.moveTo(x, y0);
            ctx.lineTo(x, y1);
            ctx.moveTo(x - cap, y0);
            ctx.lineTo(x + cap, y0);
            ctx.moveTo(x - cap, y1);
            ctx.lineTo(x + cap, y1);
            ctx.stroke();
          });
        });
        ctx.restore();
      },
    },
  };
}

/**
 * Frees the chart drawn in `node` (its plot and its resize observer), if any.
 * @param {HTMLElement} node
 */
export function dropChart(node) {
  drawn.get(node)?.destroy();
  drawn.delete(node);
}

/**
 * @typedef {object} Series
 * @property {string} label
 * @property {(number | null)[]} values  aligned with `xs`; null where the series has no value
 * @property {number[]} [dash]
 * @property {boolean} [points]  false for a model line (drawn, but not measured): it does
 *   not set the y axis and its values are given only at measured x in the table
 * @property {string} [color]
 * @property {{lo: (number | null)[], hi: (number | null)[]}} [whiskers]  min and max of the
 *   runs behind each value, drawn as a bar through the point
 */

/**
 * The symbol of the x quantity in an axis label: "workers (N)" → "N".
 * @param {string} xLabel
 */
function xSymbol(xLabel) {
  return /\(([^)]+)\)\s*$/.exec(xLabel)?.[1] ?? 'x';
}

/**
 * The indices of `xs` at which a measured (non-model) series has a value; all of them
 * if no series is measured.
 * @param {number[]} xs
 * @param {Series[]} series
 */
function measuredIndices(xs, series) {
  const measured = series.filter((s) => s.points !== false);
  const idx = xs.map((_, i) => i).filter((i) => measured.some((s) => s.values[i] !== null && s.values[i] !== undefined));
  return idx.length ? idx : xs.map((_, i) => i);
}

/**
 * The default summary sentence: each measured series from its first value to its last.
 * @param {string} title
 * @param {number[]} xs
 * @param {Series[]} series
 * @param {string} sym
 * @param {(v: number) => string} fmt
 */
function autoSummary(title, xs, series, sym, fmt) {
  const parts = series.filter((s) => s.points !== false).map((s) => {
    const at = s.values.map((v, i) => [v, i]).filter(([v]) => v !== null && v !== undefined);
    if (!at.length) return `${s.label}: no values`;
    const [v0, i0] = at[0];
    const [v1, i1] = at[at.length - 1];
    return at.length === 1 ? `${s.label} ${fmt(v0)} at ${sym} = ${xs[i0]}` : `${s.label} from ${fmt(v0)} at ${sym} = ${xs[i0]} to ${fmt(v1)} at ${sym} = ${xs[i1]}`;
  });
  return `${title}: ${parts.join('; ')}.`;
}

/**
 * A line chart against pool size (or concurrency), in `node`: the chart as an image
 * named by `summary` (or a sentence made from the measured series) and a table of its
 * figures. `mark` draws a labelled vertical line, by default at the cores. The y axis
 * starts at 0 and ends a little above the measured series and their whiskers (or at
 * `yMax`): model lines that run higher leave the plot at its top.
 * @param {HTMLElement} node
 * @param {{title: string, xs: number[], series: Series[], yLabel: string, xLabel?: string, cores?: number,
 *   mark?: {at: number, label: string}, width?: number, yMax?: number, summary?: string,
 *   format?: (v: number) => string, yTick?: (v: number) => string}} opts  format: a value in the
 *   legend and the table; yTick: a tick label of the y axis
 */
export function sweepChart(node, { title, xs, series, yLabel, xLabel = 'workers (N)', cores, mark, width, yMax, summary, format, yTick }) {
  mark ??= { at: cores, label: `hardwareConcurrency = ${cores}` };
  const fmt = format ?? (yLabel === 'ms' ? ms : (/** @type {number} */ v) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2)));
  const sym = xSymbol(xLabel);
  const rows = measuredIndices(xs, series);
  const last = rows[rows.length - 1];
  // The cursor snaps to the nearest measured x (the grid between them carries only the
  // model lines), so the legend always reads one measured point.
  const snap = xs.map((x) => rows.reduce((best, i) => (Math.abs(Math.log2(xs[i] / x)) < Math.abs(Math.log2(xs[best] / x)) ? i : best), rows[0]));
  /** @param {number | null | undefined} v */
  const show = (v) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : fmt(v));
  const top = yMax ?? (() => {
    const vals = series.filter((s) => s.points !== false).flatMap((s) => [...s.values, ...(s.whiskers?.hi ?? [])]);
    const max = Math.max(0, ...vals.filter((v) => Number.isFinite(v)));
    return max > 0 ? max * 1.1 : 1;
  })();

  dropChart(node);
  const figure = el('div.chart-figure', { role: 'img', 'aria-label': summary ?? autoSummary(title, xs, series, sym, fmt) });
  const table = el('table.results.data', {},
    el('caption', {}, `${title}${series.some((s) => s.whiskers) ? ' (min and max of the runs in brackets)' : ''}`),
    el('thead', {}, el('tr', {}, el('th.num', { scope: 'col' }, sym), ...series.map((s) => el('th.num', { scope: 'col' }, s.label)))),
    el('tbody', {}, ...rows.map((i) => el('tr', {}, el('td.num', {}, xs[i]), ...series.map((s) => {
      const w = s.whiskers && s.whiskers.lo[i] !== null && s.whiskers.lo[i] !== undefined ? ` (${show(s.whiskers.lo[i])}–${show(s.whiskers.hi[i])})` : '';
      return el('td.num', {}, `${show(s.values[i])}${w}`);
    })))));
  const details = el('details.chart-data', {}, el('summary', {}, `${title}, as a table`), el('div.chart-tables', { tabindex: 0, role: 'group', 'aria-label': `${title}, as a table` }, table));
  node.style.minWidth = '0';
  node.replaceChildren(figure, details);
  const widthNow = () => Math.max(200, Math.min(width ?? MAX_WIDTH, node.clientWidth || 520, MAX_WIDTH));

  /** @type {uPlot.Options} */
  const opts = {
    title,
    width: widthNow(),
    height: HEIGHT,
    scales: { x: { distr: 3, log: 2, time: false }, y: { range: () => [0, top] } },
    axes: [{ label: xLabel }, { label: yLabel, size: 56, ...(yTick ? { values: (/** @type {uPlot} */ _u, /** @type {number[]} */ ticks) => ticks.map(yTick) } : {}) }],
    series: [
      { label: sym, value: (_u, v, _s, idx) => (idx === null ? String(xs[last]) : String(v)) },
      ...series.map((s, i) => ({
        label: s.label,
        stroke: s.color ?? COLORS[i % COLORS.length],
        dash: s.dash,
        width: 2,
        spanGaps: true,
        points: { show: s.points ?? true, size: 6 },
        // With no point hovered the legend shows the last measured point's values.
        value: (/** @type {uPlot} */ _u, /** @type {number | null} */ v, /** @type {number} */ _s, /** @type {number | null} */ idx) => show(idx === null ? s.values[last] : v),
      })),
    ],
    cursor: { dataIdx: (_u, _s, idx) => snap[idx] ?? idx },
    plugins: [whiskerPlugin(series), markPlugin(mark.at, mark.label)],
    legend: { live: true },
  };
  const u = new uPlot(opts, /** @type {uPlot.AlignedData} */ ([xs, ...series.map((s) => s.values)]), figure);
  u.setLegend({ idx: null });
  let w = opts.width;
  const resize = new ResizeObserver(() => {
    const now = widthNow();
    if (node.isConnected && now !== w) {
      w = now;
      u.setSize({ width: now, height: HEIGHT });
    }
  });
  resize.observe(node);
  drawn.set(node, { destroy: () => { resize.disconnect(); u.destroy(); } });
  return u;
}
