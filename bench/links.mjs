// The link part of make bench: wall time per C against the ideal ⌈N/C⌉ × delay, for a
// list spread over 16 *.localhost hosts and for one host, beside CPython's
// ThreadPoolExecutor checking the same URLs (the course's model).
import { execFileSync } from 'node:child_process';
import { median } from '../www/ui/sweep-math.js';

const N = 40;
const DELAY = 200;
const CS = [1, 5, 10, 100];
const HOSTS = 'abcdefghijklmnop'.split('');

export async function linkBench(page, server, log, reps) {
  const url = (host, i) => `http://${host}.localhost:${server.port}/lab/delay/${DELAY}?i=${i}`;
  const lists = {
    spread: Array.from({ length: N }, (_, i) => url(HOSTS[i % HOSTS.length], i)),
    oneHost: Array.from({ length: N }, (_, i) => url('a', i)),
  };
  await page.evaluate((urls) => lab.links({ urls: urls.slice(0, 16), concurrency: 16 }), lists.spread); // warm-up
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
      row[`${name}MaxInFlight`] = (await server.stats()).max_in_flight;
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
  const f = (x) => `${Math.round(x)} ms`;
  const markdown = [
    `## Link check: ${N} lab links of ${DELAY} ms each`,
    '',
    `Browser: fetch promises on one thread, at most C in flight (median of ${reps}); max in flight as the lab server counted it. CPython: ThreadPoolExecutor(max_workers=C) with urllib, the course's model, same URLs.`,
    '',
    '| C | ideal ⌈N/C⌉ × delay | browser, 16 hosts | in flight | browser, one host | in flight | CPython threads |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.c} | ${f(r.ideal)} | ${f(r.spread)} | ${r.spreadMaxInFlight} | ${f(r.oneHost)} | ${r.oneHostMaxInFlight} | ${f(r.python)} |`),
    '',
    `Target (C ≤ 6 × hosts: wall time within 15% of the ideal): ${targets.map((t) => `${t.list} C=${t.c} ${t.ratio.toFixed(2)}× ${t.met ? 'met' : 'missed'}`).join('; ')}.`,
  ];
  return { json: { n: N, delayMs: DELAY, rows, targets }, markdown };
}
