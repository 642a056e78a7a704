// CPU time of every thread of the browser, from Linux's /proc, so the benchmark can say
// where a run's CPU went besides the pool's workers: the page's main thread, the
// engine worker, the compositor, the browser and GPU processes (issue 12: where
// N = cores loses to N × one worker).
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/**
 * utime + stime of every thread of every process whose command line starts with
 * `exe`, in ms, keyed by "pid/tid", with the thread's name and its process's type.
 * @param {string} exe  the browser's executable path (its processes' argv[0] start with it)
 * @returns {Map<string, {name: string, process: string, ms: number}>}
 */
export function threadTimes(exe) {
  const out = new Map();
  const base = exe.replace(/\/[^/]*$/, '/');
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmdline;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    // Chromium rewrites its processes' titles, so the arguments may be joined by spaces
    // rather than NULs; Debian's /usr/bin/chromium is a script that execs
    // /usr/lib/chromium/chromium.
    const argv0 = cmdline.split(/[\0 ]/)[0];
    if (!(argv0 === exe || argv0.startsWith(base) || argv0.endsWith('/chromium/chromium'))) continue;
    const type = cmdline.match(/--type=([^\0 ]+)/)?.[1] ?? 'browser';
    let tids;
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        // The name is in parentheses and may hold spaces; the fields after it are fixed.
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
        out.set(`${pid}/${tid}`, { name, process: type, ms: (1000 * ticks) / TICKS_PER_S });
      } catch {
        // The thread ended between the listing and the read.
      }
    }
  }
  return out;
}

/**
 * Where CPU went between two snapshots: the `pool` busiest worker threads (the pool's
 * workers) apart, and every other thread grouped by process type and thread name.
 * @param {Map<string, {name: string, process: string, ms: number}>} before
 * @param {Map<string, {name: string, process: string, ms: number}>} after
 * @param {number} pool  how many worker threads the pool has
 */
export function cpuBetween(before, after, pool) {
  const used = [...after].map(([k, t]) => ({ ...t, ms: t.ms - (before.get(k)?.ms ?? 0) })).filter((t) => t.ms > 0);
  const workers = used.filter((t) => t.name.startsWith('DedicatedWorker')).sort((a, b) => b.ms - a.ms);
  const poolThreads = workers.slice(0, pool);
  const others = used.filter((t) => !poolThreads.includes(t));
  /** @type {Record<string, number>} */
  const groups = {};
  for (const t of others) {
    const key = `${t.process}: ${t.name.startsWith('DedicatedWorker') ? 'other worker threads (engine, links)' : t.name}`;
    groups[key] = (groups[key] ?? 0) + t.ms;
  }
  const sum = (/** @type {{ms: number}[]} */ xs) => xs.reduce((a, t) => a + t.ms, 0);
  return {
    poolMs: sum(poolThreads),
    poolPerThreadMs: poolThreads.map((t) => t.ms),
    othersMs: sum(others),
    // The busiest groups first; the tail of tiny ones is summed into the total only.
    others: Object.entries(groups).sort((a, b) => b[1] - a[1]).map(([group, ms]) => ({ group, ms })),
  };
}
