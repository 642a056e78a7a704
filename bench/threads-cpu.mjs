// CPU time of every thread of the browser, from Linux's /proc, so the benchmark can say
// where a run's CPU went besides the pool's workers: the page's main thread, the
// engine worker, the compositor, the browser and GPU processes (issue 12: where
// N = cores loses to N × one worker).
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** @typedef {{name: string, process: string, ms: number, waitMs: number, slices: number}} ThreadTime */

/**
 * CPU time of every thread of every process whose command line starts with `exe`, in
 * ms, keyed by "pid/tid", with the thread's name and its process's type; and, where the
 * kernel keeps them (/proc/…/schedstat, in ns), the time the thread waited runnable for
 * a core and the time slices it ran (else the CPU time from /proc/…/stat, in clock
 * ticks of 10 ms, and no wait).
 * @param {string} exe  the browser's executable path (its processes' argv[0] start with it)
 * @returns {Map<string, ThreadTime>}
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
        const sched = schedstat(`/proc/${pid}/task/${tid}/schedstat`);
        out.set(`${pid}/${tid}`, sched ? { name, process: type, ...sched } : { name, process: type, ms: (1000 * ticks) / TICKS_PER_S, waitMs: 0, slices: 0 });
      } catch {
        // The thread ended between the listing and the read.
      }
    }
  }
  return out;
}

/**
 * A thread's time on a CPU and waiting runnable for one, in ms, and its time slices;
 * null where the kernel keeps no such counts (they read 0).
 * @param {string} path
 */
function schedstat(path) {
  try {
    const [run, wait, slices] = readFileSync(path, 'utf8').trim().split(' ').map(Number);
    return run > 0 ? { ms: run / 1e6, waitMs: wait / 1e6, slices } : null;
  } catch {
    return null;
  }
}

/**
 * Where CPU went between two snapshots: the `pool` busiest worker threads (the pool's
 * workers) apart, and every other thread grouped by process type and thread name.
 * @param {Map<string, ThreadTime>} before
 * @param {Map<string, ThreadTime>} after
 * @param {number} pool  how many worker threads the pool has
 */
export function cpuBetween(before, after, pool) {
  const used = [...after].map(([k, t]) => {
    const b = before.get(k);
    return { ...t, ms: t.ms - (b?.ms ?? 0), waitMs: t.waitMs - (b?.waitMs ?? 0), slices: t.slices - (b?.slices ?? 0) };
  }).filter((t) => t.ms > 0);
  const workers = used.filter((t) => t.name.startsWith('DedicatedWorker')).sort((a, b) => b.ms - a.ms);
  const poolThreads = workers.slice(0, pool);
  const others = used.filter((t) => !poolThreads.includes(t));
  /** @type {Record<string, number>} */
  const groups = {};
  for (const t of others) {
    const key = `${t.process}: ${t.name.startsWith('DedicatedWorker') ? 'other worker threads (engine, links)' : t.name}`;
    groups[key] = (groups[key] ?? 0) + t.ms;
  }
  const sum = (/** @type {ThreadTime[]} */ xs, /** @type {'ms' | 'waitMs' | 'slices'} */ k = 'ms') => xs.reduce((a, t) => a + t[k], 0);
  return {
    poolMs: sum(poolThreads),
    poolPerThreadMs: poolThreads.map((t) => t.ms),
    // Time the pool's threads were runnable but waited for a core, and slices they ran.
    poolWaitMs: sum(poolThreads, 'waitMs'),
    poolSlices: sum(poolThreads, 'slices'),
    othersMs: sum(others),
    // The busiest groups first; the tail of tiny ones is summed into the total only.
    others: Object.entries(groups).sort((a, b) => b[1] - a[1]).map(([group, ms]) => ({ group, ms })),
  };
}
