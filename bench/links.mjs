// The link part of make bench: wall time per C against the ideal ⌈N/C⌉ × delay, for a
// list spread over 16 *.localhost hosts and for one host, beside plain fetch from a
// bare module worker on the same page (the same URLs at the same C: what the lab's
// checker costs over the browser's own fetch) and CPython's ThreadPoolExecutor
// checking the same URLs (the course's model).
import { execFileSync } from 'node:child_process';
import { median } from '../www/ui/sweep-math.js';

const N = 40;
const DELAY = 200;
const CS = [1, 5, 10, 100];
const HOSTS = 'abcdefghijklmnop'.split('');
/** Issue #12's bound on the checker's wall time over plain fetch's, same URLs, same C. */
export const RAW_BOUND = 1.05;

// The bare worker: C loops, each fetching the next URL and reading its body, GET and
// no-store as the lab's checker fetches; started from a blob: URL, which the page's
// policy allows for workers (worker-src 'self' blob:), so it needs no file served.
const RAW_WORKER = `onmessage = async ({ data: { urls, c } }) => {
  let next = 0, ok = 0;
  const t0 = performance.now();
  const one = async () => {
    while (next < urls.length) {
      const r = await fetch(urls[next++], { cache: 'no-store' });
      await r.arrayBuffer();
      if (r.ok) ok++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(c, urls.length) }, one));
  postMessage({ ms: performance.now() - t0, ok });
};`;

export async function linkBench(page, server, log, reps) {
  const url = (host, i) => `http://${host}.localhost:${server.port}/lab/delay/${DELAY}?i=${i}`;
  const lists = {
    spread: Array.from({ length: N }, (_, i) => url(HOSTS[i % HOSTS.length], i)),
    oneHost: Array.from({ length: N }, (_, i) => url('a', i)),
  };
  await page.evaluate((urls) => lab.links({ urls: urls.slice(0, 16), concurrency: 16 }), lists.spread); // warm-up
  const raw = (urls, c) => page.evaluate(({ urls, c, src }) => {
    const w = /** @type {any} */ (window);
    w.benchRawFetch ??= new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })), { type: 'module', name: 'raw fetch' });
    return new Promise((resolve, reject) => {
      w.benchRawFetch.onmessage = (/** @type {MessageEvent} */ e) => resolve(e.data);
      w.benchRawFetch.onerror = (/** @type {ErrorEvent} */ e) => reject(new Error(e.message || 'the raw fetch worker failed'));
      w.benchRawFetch.postMessage({ urls, c });
    });
  }, { urls, c, src: RAW_WORKER });
  await raw(lists.spread.slice(0, 16), 16); // warm-up
  const rows = [];
  for (const c of CS) {
    const row = { c, ideal: Math.ceil(N / c) * DELAY };
    for (const [name, urls] of Object.entries(lists)) {
      log(`links, ${name}, C = ${c}`);
      const runs = [];
      for (let i = 0; i < reps; i++) {
        await server.reset();
        const r = await page.evaluate(({ urls, c }) => lab.links({ urls, concurrency: c }), { urls, c });
        if (!r.results.every((x) => x.ok)) throw new Error(`bench: a lab link failed at C = ${c}`);
        runs.push(r.elapsedMs);
      }
      row[name] = median(runs);
      row[`${name}Runs`] = runs;
      row[`${name}MaxInFlight`] = (await server.stats()).max_in_flight;
      log(`links, raw fetch from a bare worker, ${name}, C = ${c}`);
      const rawRuns = [];
      for (let i = 0; i < reps; i++) {
        await server.reset();
        const r = await raw(urls, c);
        if (r.ok !== urls.length) throw new Error(`bench: a raw fetch failed at C = ${c}`);
        rawRuns.push(r.ms);
      }
      row[`${name}Raw`] = median(rawRuns);
      row[`${name}RawRuns`] = rawRuns;
    }
    rows.push(row);
  }
  log('links, CPython ThreadPoolExecutor');
  const py = execFileSync('python3', [new URL('./course_threads.py', import.meta.url).pathname, '--base', `http://127.0.0.1:${server.port}`,
    '--n', String(N), '--delay', String(DELAY), '--workers', CS.join(','), '--reps', String(reps)], { encoding: 'utf8' });
  for (const line of py.trim().split('\n')) {
    const { workers, ms } = JSON.parse(line);
    rows.find((r) => r.c === workers).python = median(ms);
  }
  const within = (t, ideal) => t <= ideal * 1.15;
  const targets = rows.flatMap((r) => [
    ...(r.c <= 6 * HOSTS.length ? [{ list: 'spread', c: r.c, ratio: r.spread / r.ideal, met: within(r.spread, r.ideal) }] : []),
    ...(r.c <= 6 ? [{ list: 'one host', c: r.c, ratio: r.oneHost / r.ideal, met: within(r.oneHost, r.ideal) }] : []),
  ]);
  // Issue #12: the checker within 5% of plain fetch at every C, on either list.
  const overRaw = rows.flatMap((r) => [
    { list: '16 hosts', c: r.c, ratio: r.spread / r.spreadRaw },
    { list: 'one host', c: r.c, ratio: r.oneHost / r.oneHostRaw },
  ]).map((t) => ({ ...t, met: t.ratio <= RAW_BOUND }));
  const f = (x) => `${Math.round(x)} ms`;
  const markdown = [
    `## Link check: ${N} lab links of ${DELAY} ms each`,
    '',
    `Browser: the lab's checker, fetch promises on one thread, at most C in flight (median of ${reps}); max in flight as the lab server counted it. Raw fetch: plain fetch from a bare module worker on the same page, same URLs, same C. CPython: ThreadPoolExecutor(max_workers=C) with urllib, the course's model, same URLs.`,
    '',
    '| C | ideal ⌈N/C⌉ × delay | browser, 16 hosts | raw fetch, 16 hosts | in flight | browser, one host | raw fetch, one host | in flight | CPython threads |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.c} | ${f(r.ideal)} | ${f(r.spread)} | ${f(r.spreadRaw)} | ${r.spreadMaxInFlight} | ${f(r.oneHost)} | ${f(r.oneHostRaw)} | ${r.oneHostMaxInFlight} | ${f(r.python)} |`),
    '',
    `Target (C ≤ 6 × hosts: wall time within 15% of the ideal): ${targets.map((t) => `${t.list} C=${t.c} ${t.ratio.toFixed(2)}× ${t.met ? 'met' : 'missed'}`).join('; ')}.`,
    '',
    `The checker over raw fetch (issue #12: ≤ ${RAW_BOUND}× at every C, both lists; the medians, each run in the JSON): ${overRaw.map((t) => `${t.list} C=${t.c} ${t.ratio.toFixed(3)}×${t.met ? '' : ' (over)'}`).join('; ')}.`,
  ];
  return { json: { n: N, delayMs: DELAY, rows, targets, overRaw }, markdown };
}
