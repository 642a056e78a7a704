// A worker sweep: the same work at a list of pool sizes, charted against N with the
// ideal line, Amdahl's law fitted to the points, and hardwareConcurrency marked.
import { el, ms, showError, download } from './dom.js';
import { sweepChart } from './charts.js';
import { toCSV } from './export.js';
import { defaultWorkerList, parseWorkerList, withSpeedup, fitAmdahl } from './sweep-math.js';

/**
 * A column of the sweep's exports beyond the ones every sweep has (workers, ms,
 * poolStartMs, speedup, efficiency): its key in the point, as `runAt` returns it.
 * @typedef {{key: string}} SweepColumn
 */

/**
 * Builds the sweep block in `host`. `runAt(workers)` runs the work on a pool of that
 * size and resolves to {ms, poolStartMs, rate (shown), ...the keys of `columns`}, or
 * null if stopped.
 * @param {HTMLElement} host
 * @param {{title: string, unit: string, maxWorkers: number, columns: string[],
 *   runAt: (n: number) => Promise<({ms: number, poolStartMs: number, rate?: string} & Record<string, any>) | null>,
 *   stop: () => void}} opts
 */
export function sweepPanel(host, { title, unit, maxWorkers, columns, runAt, stop }) {
  const cores = navigator.hardwareConcurrency || 1;
  const exportColumns = ['workers', 'ms', 'poolStartMs', ...columns, 'speedup', 'efficiency'];
  const list = el('input', { value: defaultWorkerList(cores, maxWorkers).join(', '), size: 28, 'aria-label': 'pool sizes' });
  const run = el('button.run', {}, 'Sweep');
  const halt = el('button', { disabled: true }, 'Stop');
  const csv = el('a.export', { download: 'sweep.csv', hidden: true }, 'CSV');
  const json = el('a.export', { download: 'sweep.json', hidden: true }, 'JSON');
  const status = el('p.stats');
  const error = el('p.error', { hidden: true });
  const body = el('tbody');
  const table = el('table.results', {}, el('thead', {}, el('tr', {}, ...['N', 'compute', 'pool start', unit, 'speed-up', 'efficiency'].map((h) => el('th', {}, h)))), body);
  const charts = el('div.charts');
  host.append(
    el('h3', {}, title),
    el('div.controls', {}, el('label', {}, 'Pool sizes (N)', list), el('div.buttons', {}, run, halt, csv, json)),
    error, status, table, charts,
  );

  let stopped = false;
  /** @type {({workers: number, ms: number, poolStartMs: number, rate?: string} & Record<string, any>)[]} */
  let points = [];

  function render() {
    const pts = withSpeedup(points);
    body.replaceChildren(...pts.map((p) => el('tr', {},
      el('td.num', {}, p.workers), el('td.num', {}, ms(p.ms)), el('td.num', {}, ms(p.poolStartMs)),
      el('td.num', {}, p.rate ?? ''), el('td.num', {}, `${p.speedup.toFixed(2)}×`), el('td.num', {}, `${(100 * p.efficiency).toFixed(0)}%`))));
    if (pts.length < 2) return;
    const fit = fitAmdahl(pts, cores);
    const maxN = Math.max(...pts.map((p) => p.workers), cores);
    // A dense x grid for the model lines; measured series are null between points.
    const grid = new Set(pts.map((p) => p.workers));
    for (let n = 1; n <= maxN; n *= 2 ** 0.25) grid.add(Math.round(n * 100) / 100);
    grid.add(cores);
    const xs = [...grid].sort((a, b) => a - b);
    /** @param {string} key */
    const at = (key) => xs.map((x) => /** @type {Record<string, any> | undefined} */ (pts.find((p) => p.workers === x))?.[key] ?? null);
    const width = Math.min(520, Math.max(320, (charts.clientWidth - 24) / 2));
    charts.replaceChildren(...['time', 'speedup', 'efficiency'].map(() => el('div.chart')));
    sweepChart(charts.children[0], {
      title: 'Time against N', yLabel: 'ms', xs, cores, width,
      series: [{ label: 'compute', values: at('ms') }, { label: 'pool start', values: at('poolStartMs') }],
    });
    sweepChart(charts.children[1], {
      title: `Speed-up (Amdahl fit: serial fraction ${(100 * fit.serial).toFixed(1)}%)`, yLabel: '× one worker', xs, cores, width,
      series: [
        { label: 'measured', values: at('speedup') },
        { label: 'ideal (N)', values: xs.map((x) => x), dash: [6, 4], points: false, color: '#7f8c8d' },
        { label: 'ideal on the cores', values: xs.map((x) => Math.min(x, cores)), dash: [2, 3], points: false, color: '#b0b6bb' },
        { label: 'Amdahl fit', values: xs.map((x) => fit.speedup(x)), dash: [8, 3], points: false, color: '#23824a' },
      ],
    });
    sweepChart(charts.children[2], {
      title: 'Efficiency (speed-up ÷ N)', yLabel: 'efficiency', xs, cores, width,
      series: [{ label: 'measured', values: at('efficiency') }, { label: 'cores ÷ N', values: xs.map((x) => Math.min(1, cores / x)), dash: [2, 3], points: false, color: '#b0b6bb' }],
    });
    const data = pts.map((p) => Object.fromEntries(exportColumns.map((c) => [c, /** @type {Record<string, any>} */ (p)[c]])));
    download(csv, 'sweep.csv', toCSV(data, exportColumns), 'text/csv');
    download(json, 'sweep.json', JSON.stringify({ cores, userAgent: navigator.userAgent, date: new Date().toISOString(), amdahlSerial: fit.serial, points: data }, null, 2), 'application/json');
  }

  async function sweep() {
    showError(error, null);
    let sizes;
    try {
      sizes = parseWorkerList(list.value, { max: maxWorkers });
    } catch (e) {
      showError(error, e);
      return null;
    }
    if (!sizes.includes(1)) sizes.unshift(1); // speed-up is relative to one worker
    stopped = false;
    points = [];
    charts.replaceChildren();
    run.disabled = true;
    halt.disabled = false;
    try {
      for (const n of sizes) {
        if (stopped) break;
        status.textContent = `N = ${n}: starting ${n} worker${n > 1 ? 's' : ''}, warming up, then timing…`;
        const r = await runAt(n);
        if (!r || stopped) break;
        points.push({ workers: n, ...r });
        render();
      }
      status.textContent = stopped ? `Stopped after ${points.length} of ${sizes.length} pool sizes.` : `Done: ${points.length} pool sizes. Pool start is shown apart; it is not in the compute time.`;
      return withSpeedup(points);
    } catch (e) {
      showError(error, e);
      return null;
    } finally {
      run.disabled = false;
      halt.disabled = true;
    }
  }

  run.addEventListener('click', sweep);
  halt.addEventListener('click', () => { stopped = true; stop(); });
  return { sweep, list, points: () => withSpeedup(points) };
}
