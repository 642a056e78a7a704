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
 * Adds speed-up and efficiency to sweep points {workers, ms, ...}, relative to the
 * 1-worker point (or, failing one, to the smallest pool scaled as if it were ideal).
 * @template {{workers: number, ms: number}} P
 * @param {P[]} points
 * @returns {(P & {speedup: number, efficiency: number})[]}
 */
export function withSpeedup(points) {
  const sorted = [...points].sort((a, b) => a.workers - b.workers);
  const base = sorted[0];
  const t1 = base.ms * base.workers;
  return sorted.map((p) => {
    const speedup = t1 / p.ms;
    return { ...p, speedup, efficiency: speedup / p.workers };
  });
}

/**
 * Fits Amdahl's law, S(N) = 1 / (s + (1 − s) / n), to the points by least squares on
 * T(N)/T(1), with n = min(N, cores): past the cores, more workers add no hardware.
 * Returns the serial fraction s in [0, 1] and the model.
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
