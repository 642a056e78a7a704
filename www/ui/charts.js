// Sweep charts with uPlot: x is the pool size on a log2 axis, the cores are marked.
import uPlot from '../vendor/uPlot.esm.js';

const COLORS = ['#2f6fdd', '#d9822b', '#23824a', '#8e44ad', '#7f8c8d'];

/** Draws a dashed vertical line at x = `at`, labelled. */
function markPlugin(at, label) {
  return {
    hooks: {
      draw: (u) => {
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
 * A line chart against pool size (or concurrency). `series`: [{label, values, dash,
 * points}], values aligned with `xs` (null where a series has no value). `mark`
 * draws a labelled vertical line, by default at the cores.
 */
export function sweepChart(node, { title, xs, series, yLabel, xLabel = 'workers (N)', cores, mark, width }) {
  mark ??= { at: cores, label: `hardwareConcurrency = ${cores}` };
  node.replaceChildren();
  const opts = {
    title,
    width: width ?? Math.min(node.clientWidth || 520, 520),
    height: 260,
    scales: { x: { distr: 3, log: 2, time: false }, y: { range: (u, min, max) => [0, max * 1.08 || 1] } },
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
