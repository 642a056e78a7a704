// A Gantt view of a run: one row per worker, one bar per task or chunk, from its
// start to its end. Gaps are idle time; ragged right ends are load imbalance.
import { ms } from './dom.js';

const PALETTE = ['#2f6fdd', '#5b8def', '#23824a', '#4caf73', '#d9822b', '#e9a15a'];

/**
 * Draws `spans` ({worker, startMs, endMs, items}) for `workers` rows on `canvas`;
 * returns per-worker busy time and the run's span, for the caption.
 */
export function drawTimeline(canvas, spans, workers) {
  const rowH = Math.max(2, Math.min(18, Math.floor(260 / workers)));
  const labelW = workers > 32 ? 0 : 64;
  const cssW = canvas.parentElement.clientWidth || 900;
  const cssH = rowH * workers + 24;
  const dpr = devicePixelRatio || 1;
  canvas.width = cssW * dpr;
  canvas.height = cssH * dpr;
  canvas.style.width = `${cssW}px`;
  canvas.style.height = `${cssH}px`;
  const ctx = canvas.getContext('2d');
  ctx.scale(dpr, dpr);
  ctx.clearRect(0, 0, cssW, cssH);
  const end = Math.max(1e-3, ...spans.map((s) => s.endMs));
  const plotW = cssW - labelW - 8;
  const x = (t) => labelW + (t / end) * plotW;

  // Time axis.
  ctx.fillStyle = '#5f6b76';
  ctx.font = '11px system-ui';
  for (let i = 0; i <= 4; i++) {
    const t = (end * i) / 4;
    ctx.fillText(ms(t), Math.min(x(t), cssW - 40), cssH - 6);
  }
  const busy = new Array(workers).fill(0);
  const tasks = new Array(workers).fill(0);
  for (let w = 0; w < workers; w++) {
    if (rowH >= 10) {
      ctx.fillStyle = '#f1f2ee';
      ctx.fillRect(labelW, w * rowH, plotW, rowH - 1);
    }
  }
  for (const s of spans) {
    if (s.worker >= workers) continue;
    ctx.fillStyle = PALETTE[(tasks[s.worker]++ % 2) + 2 * (s.worker % 3)];
    const x0 = x(s.startMs);
    ctx.fillRect(x0, s.worker * rowH, Math.max(1, x(s.endMs) - x0), rowH - 1);
    busy[s.worker] += s.endMs - s.startMs;
  }
  if (labelW) {
    ctx.fillStyle = '#1d232a';
    for (let w = 0; w < workers; w++) {
      ctx.fillText(`w${w} ${Math.round((100 * busy[w]) / end)}%`, 2, w * rowH + Math.min(rowH - 3, 12));
    }
  }
  return { busy, endMs: end, tasks: spans.length };
}

/** One line under a timeline: tasks, and how evenly the workers were kept busy. */
export function timelineCaption({ busy, endMs, tasks }, what) {
  const shares = busy.map((b) => b / endMs);
  const min = Math.min(...shares);
  const max = Math.max(...shares);
  return `${tasks} ${what} over ${ms(endMs)}; each worker busy ${(100 * min).toFixed(0)}–${(100 * max).toFixed(0)}% of the run.`;
}
