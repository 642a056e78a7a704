// A worker sweep: the same work at a list of pool sizes, each point the median of a few
// timed runs with their spread, charted against N with the ideal lines, Amdahl's law
// fitted to the points that can show it (N <= cores), and hardwareConcurrency marked.
// Speed-up is given twice: compute only, and end to end (pool start + compute).
import { el, ms, showError, download } from './dom.js';
import { sweepChart, dropChart } from './charts.js';
import { toCSV } from './export.js';
import { defaultWorkerList, parseWorkerList, withSpeedup, fitAmdahlOnCores, pointSpread, sweepNoise, axisTop } from './sweep-math.js';

/**
 * What `runAt(workers)` resolves to: the median compute time of `runs` timed runs and
 * their extremes, the pool's start, the rate shown, and the keys of `columns`.
 * @typedef {{ms: number, minMs: number, maxMs: number, runs: number, poolStartMs: number, rate?: string} & Record<string, any>} SweepResult
 */

/** @param {number} f  a fraction */
const pct = (f) => `${(100 * f).toFixed(Math.abs(f) < 0.1 ? 1 : 0)}%`;
/** @param {number} x */
const times = (x) => `${x.toFixed(x >= 10 ? 0 : 2)}×`;

/**
 * Builds the sweep block in `host`. `runAt(workers)` runs the work on a pool of that
 * size (a warm-up, then `repeats` timed runs) and resolves to a SweepResult, or null if
 * stopped. `title` and `note` may be functions, read again when an input of `watch`
 * changes. `describe()` is called once as a sweep begins (a panel fixes the settings
 * it sweeps there) and says what one point measures ("16,777,216 nonces"), for the
 * status line, the table's caption and the exports.
 * @param {HTMLElement} host
 * `name` names the sweep's controls for assistive technology ("mining" → "Sweep
 * mining pool sizes"), so no two controls on the page share a name.
 * @param {{name: string, title: string | (() => string), note?: string | (() => string), unit: string, maxWorkers: number,
 *   columns: string[], repeats: number, describe?: () => string, watch?: HTMLElement[],
 *   runAt: (n: number) => Promise<SweepResult | null>, stop: () => void}} opts
 */
export function sweepPanel(host, { name, title, note, unit, maxWorkers, columns, repeats, describe, watch = [], runAt, stop }) {
  const cores = navigator.hardwareConcurrency || 1;
  const exportColumns = ['workers', 'runs', 'ms', 'minMs', 'maxMs', 'spreadPct', 'poolStartMs', 'endToEndMs', ...columns,
    'computeSpeedup', 'endToEndSpeedup', 'efficiency'];
  const list = el('input', { value: defaultWorkerList(cores, maxWorkers).join(', '), size: 28, 'aria-label': `${name} sweep: pool sizes` });
  const run = el('button.run', { 'aria-label': `Sweep ${name} pool sizes` }, 'Sweep');
  const halt = el('button', { disabled: true, 'aria-label': `Stop the ${name} sweep` }, 'Stop');
  const csv = el('a.export', { download: 'sweep.csv', hidden: true, 'aria-label': `${name} sweep as CSV` }, 'CSV');
  const json = el('a.export', { download: 'sweep.json', hidden: true, 'aria-label': `${name} sweep as JSON` }, 'JSON');
  const status = el('p.stats', { 'aria-live': 'polite' });
  const error = el('p.error', { hidden: true, role: 'alert' });
  const body = el('tbody');
  const caption = el('caption');
  const table = el('table.results.sweep', {}, caption,
    el('thead', {}, el('tr', {}, ...[
      ['N', 'pool size'],
      [`compute, median of ${repeats}`, `median of ${repeats} timed runs after a warm-up; ± is the largest distance of a run from the median`],
      ['pool start', 'starting the workers (and warming the code up, where the page has not); not in the compute time'],
      ['pool start + compute', 'what a user waits for'],
      [unit, 'at the median compute time'],
      ['compute speed-up', 'one worker’s compute time ÷ this compute time'],
      ['end-to-end speed-up', 'one worker’s pool start + compute ÷ this pool start + compute'],
      ['efficiency', 'compute speed-up ÷ N'],
    ].map(([h, t]) => el('th', { scope: 'col', title: t }, h)))), body);
  const tableBox = el('div.scroll-x', { tabindex: 0, role: 'group', 'aria-label': 'sweep results, scrolls sideways on a narrow screen' }, table);
  const noise = el('p.note');
  const endToEnd = el('p.note');
  const amdahl = el('p.note');
  const charts = el('div.charts');
  const heading = el('h3');
  const about = el('p.note');
  host.append(
    heading, about,
    el('div.controls', {}, el('label', {}, 'Pool sizes (N)', list), el('div.buttons', {}, run, halt, csv, json)),
    error, status, tableBox, noise, endToEnd, amdahl, charts,
  );
  const retitle = () => {
    heading.textContent = typeof title === 'function' ? title() : title;
    const n = typeof note === 'function' ? note() : note;
    about.textContent = n ?? '';
    about.hidden = !n;
  };
  retitle();
  for (const w of watch) w.addEventListener('change', retitle);

  let stopped = false;
  /** @type {({workers: number} & SweepResult)[]} */
  let points = [];
  let measured = '';

  function render() {
    const pts = withSpeedup(points);
    body.replaceChildren(...pts.map((p) => el('tr', {},
      el('td.num', {}, p.workers),
      el('td.num', { title: `${p.runs} run${p.runs === 1 ? '' : 's'}: ${ms(p.minMs)} to ${ms(p.maxMs)}` }, p.runs > 1 ? `${ms(p.ms)} ± ${pct(pointSpread(p))}` : ms(p.ms)),
      el('td.num', {}, ms(p.poolStartMs)), el('td.num', {}, ms(p.endToEndMs)),
      el('td.num', {}, p.rate ?? ''), el('td.num', {}, times(p.speedup)), el('td.num', {}, times(p.endToEndSpeedup)),
      el('td.num', {}, pct(p.efficiency)))));
    caption.textContent = `${measured} at each N; compute is the median of ${repeats} timed runs.`;
    const worst = sweepNoise(pts);
    noise.textContent = worst
      ? `Each point is the median of ${repeats} runs after a warm-up. Runs varied by up to ±${pct(worst.plusMinus)} between repeats at the same N (the most at N = ${worst.workers}).`
      : '';
    const big = pts[pts.length - 1];
    endToEnd.textContent = pts.length < 2 ? '' : `End to end counts the pool's start too, against one worker's start + compute: at N = ${big.workers} starting the pool took ${ms(big.poolStartMs)}` +
      ` and the compute ${ms(big.ms)}, so the speed-up is ${times(big.speedup)} on compute but ${times(big.endToEndSpeedup)} end to end.`;
    const fit = fitAmdahlOnCores(pts, cores);
    amdahl.textContent = pts.length < 2 ? '' : amdahlText(fit, pts);
    if (pts.length < 2) return;
    drawCharts(pts, fit);
    const data = pts.map((p) => {
      /** @type {Record<string, any>} */
      const row = { ...p, spreadPct: +(100 * pointSpread(p)).toFixed(2), computeSpeedup: p.speedup, endToEndSpeedup: p.endToEndSpeedup };
      return Object.fromEntries(exportColumns.map((c) => [c, row[c]]));
    });
    download(csv, 'sweep.csv', toCSV(data, exportColumns), 'text/csv');
    download(json, 'sweep.json', JSON.stringify({
      cores, userAgent: navigator.userAgent, date: new Date().toISOString(), measured, repeats,
      noisePlusMinus: worst?.plusMinus ?? null,
      amdahl: { fittedOn: fit.fittedOn, kind: fit.kind, serial: fit.serial },
      amdahlSerial: fit.serial, points: data,
    }, null, 2), 'application/json');
  }

  /**
   * The Amdahl line under the table: what was fitted, on which points, and why only those.
   * @param {ReturnType<typeof fitAmdahlOnCores>} fit
   * @param {{workers: number}[]} pts
   */
  function amdahlText(fit, pts) {
    const past = pts.some((p) => p.workers > cores);
    const why = past ? ` Points past N = ${cores} (this machine's hardwareConcurrency) share the same ${cores} cores: they measure the core limit, not a serial fraction, and are left out.` : '';
    if (fit.kind === 'fit') return `Amdahl fit on N ≤ cores (N = ${fit.fittedOn.join(', ')}): serial fraction ${pct(fit.serial)}.${why}`;
    if (fit.kind === 'one point') {
      return `Amdahl on N ≤ cores: past N = 1 only N = ${fit.fittedOn[0]} was measured up to the ${cores} cores, so the serial fraction, ${pct(fit.serial)}, follows from that one ratio; it is not a fit.${why}`;
    }
    return `No Amdahl fit: no pool size from 2 to ${cores} (the cores) was measured.${why}`;
  }

  /**
   * @param {({workers: number, speedup: number, efficiency: number, endToEndMs?: number, endToEndSpeedup?: number} & SweepResult)[]} pts
   * @param {ReturnType<typeof fitAmdahlOnCores>} fit
   */
  function drawCharts(pts, fit) {
    const maxN = Math.max(...pts.map((p) => p.workers), cores);
    // A dense x grid for the model lines; measured series are null between points.
    const grid = new Set(pts.map((p) => p.workers));
    for (let n = 1; n <= maxN; n *= 2 ** 0.25) grid.add(Math.round(n * 100) / 100);
    grid.add(cores);
    const xs = [...grid].sort((a, b) => a - b);
    /** @param {string} key */
    const at = (key) => xs.map((x) => /** @type {Record<string, any> | undefined} */ (pts.find((p) => p.workers === x))?.[key] ?? null);
    if (charts.children.length !== 3) {
      charts.replaceChildren(...['time', 'speedup', 'efficiency'].map(() => el('div.chart')));
      for (const c of charts.children) /** @type {HTMLElement} */ (c).style.flex = '1 1 440px';
    }
    const first = pts[0];
    const big = pts[pts.length - 1];

    sweepChart(/** @type {HTMLElement} */ (charts.children[0]), {
      title: `Time against N (bars: min–max of ${repeats} runs)`, yLabel: 'ms', xs, cores,
      summary: `Time against N, ${measured} at each N. Compute, the median of ${repeats} runs: ${pts.map((p) => `${ms(p.ms)} at N = ${p.workers}`).join(', ')}.` +
        ` Pool start: ${ms(first.poolStartMs)} at N = ${first.workers}, ${ms(big.poolStartMs)} at N = ${big.workers}.`,
      series: [
        { label: 'compute (median)', values: at('ms'), whiskers: { lo: at('minMs'), hi: at('maxMs') } },
        { label: 'pool start', values: at('poolStartMs') },
        { label: 'start + compute', values: at('endToEndMs'), dash: [4, 3] },
      ],
    });

    // The y axis ends a little above the measured speed-ups (and the ideal on the
    // cores), not at the ideal N: a 100× ideal would flatten a measured 1.9× into the
    // floor. It stays linear so that 1.8× and 2× read as the ratios they are (a log axis
    // squeezes exactly the part a student compares); the ideal-N line leaves the plot
    // at its top, where it outruns anything this machine can do.
    const measuredSpeedups = [...pts.map((p) => p.speedup), ...pts.map((p) => p.endToEndSpeedup)];
    const fitLabel = fit.kind === 'fit' ? `Amdahl fit on N ≤ cores: serial fraction ${pct(fit.serial)}`
      : `Amdahl from N = ${fit.fittedOn[0]} alone: serial fraction ${pct(fit.serial)}`;
    sweepChart(/** @type {HTMLElement} */ (charts.children[1]), {
      title: 'Speed-up against N', yLabel: '× one worker', xs, cores,
      yMax: axisTop(measuredSpeedups, Math.min(maxN, cores) * 1.05),
      format: times, yTick: (v) => `${+v.toFixed(2)}×`,
      summary: `Speed-up against one worker. On compute: ${pts.map((p) => `${times(p.speedup)} at N = ${p.workers}`).join(', ')}.` +
        ` End to end, with the pool's start: ${pts.map((p) => `${times(p.endToEndSpeedup)} at N = ${p.workers}`).join(', ')}.` +
        ` The ideal on ${cores} cores is ${cores}×. ${fit.kind === 'none' ? 'No Amdahl fit.' : `${fitLabel}.`}`,
      series: [
        { label: 'compute', values: at('speedup') },
        { label: 'end to end', values: at('endToEndSpeedup') },
        { label: 'ideal (N)', values: xs.map((x) => x), dash: [6, 4], points: false, color: '#7f8c8d' },
        { label: `ideal on ${cores} cores`, values: xs.map((x) => Math.min(x, cores)), dash: [2, 3], points: false, color: '#8a939b' },
        ...(fit.speedup ? [{ label: fitLabel, values: xs.map((x) => fit.speedup(x)), dash: [8, 3], points: false, color: '#23824a' }] : []),
      ],
    });

    sweepChart(/** @type {HTMLElement} */ (charts.children[2]), {
      title: 'Compute efficiency (speed-up ÷ N)', yLabel: 'efficiency', xs, cores,
      yMax: axisTop(pts.map((p) => p.efficiency), 1.05),
      format: pct, yTick: (v) => `${Math.round(100 * v)}%`,
      summary: `Compute efficiency, speed-up divided by N: ${pts.map((p) => `${pct(p.efficiency)} at N = ${p.workers}`).join(', ')}; at best cores ÷ N past ${cores} workers.`,
      series: [
        { label: 'compute', values: at('efficiency') },
        { label: 'cores ÷ N', values: xs.map((x) => Math.min(1, cores / x)), dash: [2, 3], points: false, color: '#8a939b' },
      ],
    });
  }

  async function sweep() {
    showError(error, null);
    let sizes;
    try {
      sizes = parseWorkerList(list.value, { max: maxWorkers });
      measured = describe ? describe() : 'the same work';
    } catch (e) {
      showError(error, e);
      return null;
    }
    if (!sizes.includes(1)) sizes.unshift(1); // speed-up is relative to one worker
    retitle();
    stopped = false;
    points = [];
    body.replaceChildren();
    for (const p of [noise, endToEnd, amdahl]) p.textContent = '';
    for (const c of charts.children) dropChart(/** @type {HTMLElement} */ (c));
    charts.replaceChildren();
    run.disabled = true;
    halt.disabled = false;
    try {
      for (const n of sizes) {
        if (stopped) break;
        status.textContent = `N = ${n}: starting ${n} worker${n > 1 ? 's' : ''}, a warm-up run, then ${repeats} timed runs of ${measured}…`;
        const r = await runAt(n);
        if (!r || stopped) break;
        points.push({ workers: n, ...r });
        render();
      }
      status.textContent = stopped ? `Stopped after ${points.length} of ${sizes.length} pool sizes.`
        : `Done: ${points.length} pool sizes, ${measured} at each N. Compute time leaves the pool's start out; end to end counts it.`;
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
