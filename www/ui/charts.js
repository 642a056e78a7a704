// Sweep charts with uPlot: x is the pool size on a log2 axis, the cores are marked.
import uPlot from '../vendor/uPlot.esm.js';

const COLORS = ['#2f6fdd', '#d9822b', '#23824a', '#8e44ad', '#7f8c8d'];

/**
 * Draws a dashed vertical line at x = `at`, labelled.
 * @param {number | undefined} at
 * @param {string} label
 */
function markPlugin(at, label) {
  return {
    hooks: {
      draw: (/** @type {import('../vendor/uPlot.esm.js')} */ u) => {
        if (at === undefined) return;
        const x = u.valToPos(at, 'x', true);
        const { ctx } = u;
        ctx.save();
        ctx.strokeStyle = '#b3372f';
        ctx.setLineDash([4, 4]);
        ctx.beginPath();
        ctx.moveTo(x, u.bbox.top);
        ctx.lineTo(x, u.bbox.top + u.bbox.height);
        ctx.stroke();
        ctx.fillStyle = '#b3372f';
        ctx.font = `${11 * devicePixelRatio}px system-ui`;
        ctx.fillText(label, x + 4 * devicePixelRatio, u.bbox.top + 12 * devicePixelRatio);
        ctx.restore();
      },
    },
  };
}

/**
 * @typedef {object} Series
 * @property {string} label
 * @property {(number | null)[]} values  aligned with `xs`; null where the series has no value
 * @property {number[]} [dash]
 * @property {boolean} [points]
 * @property {string} [color]
 */

/**
 * A line chart against pool size (or concurrency). `mark` draws a labelled vertical
 * line, by default at the cores.
 * @param {HTMLElement} node
 * @param {{title: string, xs: number[], series: Series[], yLabel: string, xLabel?: string, cores?: number,
 *   mark?: {at: number, label: string}, width?: number}} opts
 */
export function sweepChart(node, { title, xs, series, yLabel, xLabel = 'workers (N)', cores, mark, width }) {
  mark ??= { at: cores, label: `hardwareConcurrency = ${cores}` };
  node.replaceChildren();
  /** @type {import('../vendor/uPlot.esm.js').Options} */
  const opts = {
    title,
    width: width ?? Math.min(node.clientWidth || 520, 520),
    height: 260,
    scales: { x: { distr: 3, log: 2, time: false }, y: { range: (_u, _min, max) => [0, max * 1.08 || 1] } },
    axes: [{ label: xLabel }, { label: yLabel }],
    series: [
      { label: 'N' },
      ...series.map((s, i) => ({
        label: s.label,
        stroke: s.color ?? COLORS[i % COLORS.length],
        dash: s.dash,
        width: 2,
        spanGaps: true,
        points: { show: s.points ?? true, size: 6 },
      })),
    ],
    plugins: [markPlugin(mark.at, mark.label)],
    legend: { live: true },
  };
  return new uPlot(opts, [xs, ...series.map((s) => s.values)], node);
}
