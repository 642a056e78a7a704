// Arithmetic of a worker sweep: speed-up, efficiency, Amdahl's law, exports.
// Pure functions, unit-tested in tests/js/.

/**
 * Median of a non-empty list.
 * @param {number[]} xs
 */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The default sweep: 1, 2, 4, cores, 2×cores and the course's 5, 10, 100, up to `max`.
 * @param {number} cores
 * @param {number} max  contract.maxWorkers
 */
export function defaultWorkerList(cores, max) {
  return [...new Set([1, 2, 4, cores, 2 * cores, 5, 10, 100])].filter((n) => n >= 1 && n <= max).sort((a, b) => a - b);
}

/**
 * Parses "1, 2, 4" into sorted unique whole numbers from 1 to `max`; throws naming
 * the list (`label`) and the bad entry, e.g. `workers list: "0" is not a pool size from 1 to 128`.
 * @param {string} text
 * @param {{max: number, label?: string, what?: string}} opts
 */
export function parseWorkerList(text, { max, label = 'workers list', what = 'pool size' }) {
  const out = new Set();
  for (const part of text.split(/[\s,;]+/).filter(Boolean)) {
    const n = Number(part);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${label}: "${part}" is not a ${what} from 1 to ${max}`);
    out.add(n);
  }
  if (!out.size) throw new Error(`${label}: give at least one ${what}`);
  return [...out].sort((a, b) => a - b);
}

/**
 * Adds to sweep points {workers, ms, poolStartMs?, ...}, relative to the 1-worker point
 * (or, failing one, to the smallest pool scaled as if it were ideal):
 *  - speedup, efficiency: compute only (`ms`), what the pool's workers did once running;
 *  - endToEndMs, endToEndSpeedup: pool start + compute against one worker's pool start
 *    + compute, what a user waits for; only where every point has a poolStartMs.
 * @template {{workers: number, ms: number, poolStartMs?: number}} P
 * @param {P[]} points
 * @returns {(P & {speedup: number, efficiency: number, endToEndMs?: number, endToEndSpeedup?: number})[]}
 */
export function withSpeedup(points) {
  const sorted = [...points].sort((a, b) => a.workers - b.workers);
  const base = sorted[0];
  const t1 = base.ms * base.workers;
  const endToEnd = sorted.every((p) => Number.isFinite(p.poolStartMs));
  const e1 = endToEnd ? (base.ms + base.poolStartMs) * base.workers : NaN;
  return sorted.map((p) => {
    const speedup = t1 / p.ms;
    const out = { ...p, speedup, efficiency: speedup / p.workers };
    if (!endToEnd) return out;
    const endToEndMs = p.ms + p.poolStartMs;
    return { ...out, endToEndMs, endToEndSpeedup: e1 / endToEndMs };
  });
}

/**
 * The spread of repeated timings of one thing: median, min, max, and `plusMinus`, the
 * largest distance of a run from the median as a fraction of the median (0.06 is
 * "412 ms ± 6%").
 * @param {number[]} times  non-empty
 */
export function spread(times) {
  const mid = median(times);
  const min = Math.min(...times);
  const max = Math.max(...times);
  return { median: mid, min, max, runs: times.length, plusMinus: mid > 0 ? Math.max(max - mid, mid - min) / mid : 0 };
}

/**
 * `plusMinus` of a sweep point that carries its runs' median (`ms`) and extremes.
 * @param {{ms: number, minMs?: number, maxMs?: number}} p
 */
export function pointSpread(p) {
  if (!Number.isFinite(p.minMs) || !Number.isFinite(p.maxMs) || !(p.ms > 0)) return 0;
  return Math.max(p.maxMs - p.ms, p.ms - p.minMs) / p.ms;
}

/**
 * The noise seen across a sweep: the largest ± between repeats at one N, and that N;
 * null when no point was run more than once.
 * @param {{workers: number, ms: number, runs?: number, minMs?: number, maxMs?: number}[]} points
 * @returns {{plusMinus: number, workers: number} | null}
 */
export function sweepNoise(points) {
  /** @type {{plusMinus: number, workers: number} | null} */
  let worst = null;
  for (const p of points) {
    if (!(p.runs > 1)) continue;
    const pm = pointSpread(p);
    if (!worst || pm > worst.plusMinus) worst = { plusMinus: pm, workers: p.workers };
  }
  return worst;
}

/**
 * The top of a linear y axis for measured values: a little above the largest, rounded
 * up to 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k; at least `floor`.
 * @param {(number | null | undefined)[]} values
 * @param {number} [floor]
 */
export function axisTop(values, floor = 0) {
  const max = Math.max(floor, ...values.filter((v) => Number.isFinite(v)).map(Number));
  if (!(max > 0)) return 1;
  const want = max * 1.1;
  const k = 10 ** Math.floor(Math.log10(want));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * k >= want - 1e-12 * k) return m * k;
  return 10 * k;
}

/**
 * Fits Amdahl's law, S(N) = 1 / (s + (1 − s) / n), to the points by least squares on
 * T(N)/T(1), with n = min(N, cores): past the cores, more workers add no hardware.
 * Returns the serial fraction s in [0, 1] and the model. The page fits on N <= cores
 * only (fitAmdahlOnCores, below): points past the cores say nothing of s.
 * @param {{workers: number, ms: number}[]} points
 * @param {number} cores
 */
export function fitAmdahl(points, cores) {
  const pts = withSpeedup(points);
  let num = 0;
  let den = 0;
  for (const p of pts) {
    const n = Math.min(p.workers, cores);
    const x = 1 - 1 / n; // T(N)/T(1) = 1 − p·x, with p = 1 − s
    num += x * (1 - 1 / p.speedup);
    den += x * x;
  }
  const parallel = den > 0 ? Math.min(1, Math.max(0, num / den)) : 1;
  const serial = 1 - parallel;
  return { serial, speedup: (/** @type {number} */ workers) => 1 / (serial + parallel / Math.min(workers, cores)) };
}

/**
 * Amdahl's law fitted only where it can be seen: on the points with 1 < N <= cores.
 * Past the cores more workers share the same hardware, so those points measure the
 * core limit, not a serial fraction, and are left out of the fit.
 *  - kind 'fit': two or more such points, least squares on T(N)/T(1);
 *  - kind 'one point': only N = 1 and one N <= cores (on a 2-core machine, N = 2): the
 *    serial fraction follows from that one ratio; it is not a fit;
 *  - kind 'none': no pool size from 2 to the cores was measured (serial is null).
 * The model, where there is one, levels off at the cores.
 * @param {{workers: number, ms: number}[]} points
 * @param {number} cores
 * @returns {{kind: 'fit' | 'one point' | 'none', serial: number | null, fittedOn: number[],
 *   speedup: ((workers: number) => number) | null}}
 */
export function fitAmdahlOnCores(points, cores) {
  const used = withSpeedup(points).filter((p) => p.workers > 1 && p.workers <= cores);
  if (!used.length) return { kind: 'none', serial: null, fittedOn: [], speedup: null };
  let num = 0;
  let den = 0;
  for (const p of used) {
    const x = 1 - 1 / p.workers; // T(N)/T(1) = 1 − p·x, with p = 1 − s
    num += x * (1 - 1 / p.speedup);
    den += x * x;
  }
  const parallel = Math.min(1, Math.max(0, num / den));
  const serial = 1 - parallel;
  return {
    kind: used.length >= 2 ? 'fit' : 'one point',
    serial,
    fittedOn: used.map((p) => p.workers),
    speedup: (workers) => 1 / (serial + parallel / Math.min(workers, cores)),
  };
}
