// Link check panel: fetch promises on one thread, at most C in flight, results as
// they complete. URLs are shown as text, never as HTML.
import { $, el, ms, bytes, count, showError, bindRange, optional, download, runGuarded } from './dom.js';
import { sweepChart } from './charts.js';
import { toCSV } from './export.js';
import { parseWorkerList } from './sweep-math.js';

/** @typedef {import('../types.js').LinkResult & {done: number, at: number}} Row */

/** Public endpoints known to answer with Access-Control-Allow-Origin: *. They need the internet. */
export const PUBLIC_LIST = [
  'https://httpbin.org/status/200',
  'https://httpbin.org/status/404',
  'https://httpbin.org/delay/1',
  'https://api.github.com/zen',
  'https://jsonplaceholder.typicode.com/todos/1',
  'https://dog.ceo/api/breeds/list/all',
  'https://en.wikipedia.org/w/api.php?action=query&meta=siteinfo&format=json&origin=*',
];

const LATENCY_BINS = [50, 100, 250, 500, 1000, 2000, 5000, Infinity];
/** Table columns and their sort keys; the outcome's class is Rust's (`r.class`). @type {[string, (r: Row) => number | string][]} */
const COLUMNS = [
  ['#', (r) => r.done], ['url', (r) => r.url], ['status', (r) => r.status ?? -1], ['outcome', (r) => r.class],
  ['bytes', (r) => r.bytes ?? -1], ['latency', (r) => r.ms], ['tries', (r) => r.attempts], ['done at', (r) => r.at],
];

/**
 * @param {HTMLElement} node
 * @param {[string, number][]} entries
 */
function bars(node, entries) {
  const max = Math.max(1, ...entries.map(([, n]) => n));
  node.replaceChildren(...entries.map(([label, n]) => el('div.hbar', {},
    el('span.label', {}, label), el('span.track', {}, el('span.fill', { style: `width:${(100 * n) / max}%` })), el('span.n', {}, n))));
}

/**
 * @param {ReturnType<typeof import('../lab.js').createLab>} lab
 * @param {HTMLElement} root
 */
export function linksPanel(lab, root) {
  const terms = lab.contract.links;
  const f = {
    concurrency: $('#links-concurrency', root), timeout: $('#links-timeout', root), urls: $('#links-urls', root),
    run: $('#links-run', root), stop: $('#links-stop', root), error: $('#links-error', root),
    table: $('#links-results tbody', root), head: $('#links-results thead tr', root), summary: $('#links-summary', root),
    totals: $('#links-totals', root), source: $('#links-source', root), file: $('#links-file', root),
    mode: $('#links-mode', root), retries: $('#links-retries', root), perHost: $('#links-per-host', root),
    method: $('#links-method', root), report: $('#links-report', root), histogram: $('#links-histogram', root),
    latency: $('#links-latency', root), csv: $('#links-csv', root), json: $('#links-json', root),
    censusRun: $('#census-run', root), censusPages: $('#census-pages', root), censusLive: $('#census-live', root),
    censusStatus: $('#census-status', root), urlsLabel: $('#links-urls-label', root),
  };
  f.timeout.placeholder = String(terms.defaultTimeoutMs);
  f.concurrency.value = String(terms.defaultConcurrency);
  f.retries.placeholder = '0';
  f.urlsLabel.firstChild.textContent = `URLs, one per line: only absolute http and https URLs are fetched, duplicates are folded, at most ${count(terms.maxUrls)} `;
  // The list choices: the lab's own lists (from the contract), then the public one and the user's.
  // Where the lab's endpoints are decides the default: the lab's list (served or
  // simulated, and said which), or the public list when this host has neither.
  const ep = lab.endpoints;
  const where = ep.kind === 'simulated' ? ' — simulated in this browser' : ep.kind === 'none' ? ' — needs the lab server' : '';
  f.source.prepend(...terms.labLists.map((l) => el('option', { value: l.id, disabled: ep.kind === 'none' }, `${l.title}${where}`)));
  f.source.value = ep.kind === 'none' ? 'public' : terms.labLists[0].id;
  const note = `${ep.note[0].toUpperCase()}${ep.note.slice(1)}.${ep.kind === 'simulated' ? ' The sweep\'s one-host and spread lists are the same here.' : ''}`;
  f.source.closest('label')?.after(el('p.note.endpoints', { id: 'links-endpoints', 'data-kind': ep.kind }, note));
  bindRange(f.concurrency);
  /** @type {Record<string, () => string>} */
  const lists = { public: () => PUBLIC_LIST.join('\n') };
  for (const l of terms.labLists) lists[l.id] = () => lab.labLinks(l.id).join('\n');
  const showSource = () => {
    root.dataset.source = f.source.value;
    if (lists[f.source.value]) f.urls.value = lists[f.source.value]();
  };
  f.source.addEventListener('change', showSource);
  showSource();
  f.file.addEventListener('change', async () => {
    const file = f.file.files?.[0];
    if (!file) return;
    f.urls.value = await file.text();
    f.source.value = 'own';
    root.dataset.source = 'own';
  });
  const showMode = () => { root.dataset.mode = f.mode.value; };
  f.mode.addEventListener('change', showMode);
  showMode();

  // The link check and the census each have their own results: a census never
  // writes over a link check's table, nor the other way round.
  const checkView = resultsView(terms, { table: f.table, head: f.head, totals: f.totals, histogram: f.histogram, latency: f.latency, csv: f.csv, json: f.json }, 'links');
  const censusView = resultsView(terms, { table: $('#census-results tbody', root), head: $('#census-results thead tr', root), totals: $('#census-totals', root), csv: $('#census-csv', root), json: $('#census-json', root) }, 'census');

  /** @param {import('../types.js').ParsedList} list */
  function reportList(list) {
    f.report.replaceChildren(...list.rejected.map((r) => el('li', {}, r.line ? `line ${r.line}: ` : '', el('code', {}, r.text), r.text ? ` — ${r.reason}` : r.reason)));
    f.report.hidden = !list.rejected.length;
  }

  /** @returns {{concurrency: number, timeoutMs?: string, mode: 'cors' | 'no-cors', retries?: string, perHost?: string, method: 'get' | 'head-then-get'}} */
  function options() {
    return {
      concurrency: Number(f.concurrency.value), timeoutMs: optional(f.timeout), mode: f.mode.value,
      retries: optional(f.retries), perHost: optional(f.perHost), method: f.method.value,
    };
  }

  // Errors name their argument; these are the inputs they can be about.
  const fields = { concurrency: f.concurrency, timeoutMs: f.timeout, retries: f.retries, perHost: f.perHost, urls: f.urls, mode: f.mode, method: f.method };

  /**
   * One guarded run of the panel (Run and Run census wait, Stop is live) into one of
   * the two results views; its table and exports end on what came back, even after an error.
   * @template T
   * @param {ReturnType<typeof resultsView>} view
   * @param {HTMLButtonElement} button  the Run button that started it
   * @param {(onResult: (r: import('../types.js').LinkResult) => void) => Promise<T>} job
   */
  const guarded = (view, button, job) => runGuarded({ ...f, run: button, also: [button === f.run ? f.censusRun : f.run], fields }, async () => {
    const onResult = view.begin();
    try {
      return await job(onResult);
    } finally {
      view.finish();
    }
  });

  const run = () => guarded(checkView, f.run, async (onResult) => {
    f.summary.textContent = '';
    const list = await lab.parseLinks(f.urls.value);
    reportList(list);
    const r = await lab.links({ urls: list.urls, onResult, ...options() });
    f.summary.replaceChildren(el('b', {}, `${count(r.results.length)} links in ${ms(r.elapsedMs)}`),
      ` with at most ${f.concurrency.value} in flight${list.rejected.length ? `; ${list.rejected.length} line${list.rejected.length > 1 ? 's' : ''} left out (see above)` : ''}.`);
    return r;
  });

  const runCensus = () => guarded(censusView, f.censusRun, async (onResult) => {
    const o = options();
    try {
      const r = await lab.census({ pages: Number(f.censusPages.value) || 10, live: f.censusLive.checked, mode: 'no-cors', concurrency: o.concurrency, timeoutMs: o.timeoutMs === undefined ? undefined : Number(o.timeoutMs), onResult, onStage: (s) => { f.censusStatus.textContent = s; } });
      reportList(r.list);
      const left = r.list.rejected.length;
      f.censusStatus.textContent = `${r.pages.length} pages, ${r.links} external links: ${r.list.urls.length} checked in no-cors mode with at most ${o.concurrency} in flight, in ${ms(r.check.elapsedMs)}${left ? `; ${left} left out (duplicates or not http(s))` : ''}.`;
      return r;
    } catch (e) {
      f.censusStatus.textContent = '';
      throw e;
    }
  });

  f.run.addEventListener('click', run);
  f.censusRun.addEventListener('click', runCensus);
  f.stop.addEventListener('click', () => lab.stop('links'));
  const sweep = concurrencySweep(lab, $('#links-sweep', root), terms.maxConcurrency);
  return { run, runCensus, sweep };
}

/**
 * A results area: a sortable table of results as they complete, the totals by Rust's
 * verdict, the histograms by Rust's class and by latency (where the area has them),
 * and CSV and JSON exports with the fields Rust serializes, in its order.
 * @param {import('../types.js').Contract['links']} terms
 * @param {{table: HTMLElement, head: HTMLElement, totals: HTMLElement, histogram?: HTMLElement, latency?: HTMLElement, csv: HTMLAnchorElement, json: HTMLAnchorElement}} v
 * @param {string} name  the exports' file name
 */
function resultsView(terms, v, name) {
  /** @type {Row[]} */
  let rows = [];
  /** @type {{label: string, key: (r: Row) => number | string, dir: number} | null} */
  let sortBy = null;

  /** @param {Row} r */
  function row(r) {
    return el('tr', { className: r.ok ? 'ok' : 'bad' },
      el('td.num', {}, r.done), el('td.url', {}, r.url), el('td.num', {}, r.status ?? '–'), el('td', {}, r.class + (r.redirected ? ' (redirected)' : '')),
      el('td.num', {}, bytes(r.bytes)), el('td.num', {}, ms(r.ms)), el('td.num', {}, r.attempts), el('td.num', {}, ms(r.at)));
  }

  function renderTable() {
    const by = sortBy;
    const sorted = by ? [...rows].sort((a, b) => {
      const [x, y] = [by.key(a), by.key(b)];
      return (x < y ? -1 : x > y ? 1 : 0) * by.dir;
    }) : rows;
    v.table.replaceChildren(...sorted.map(row));
  }

  // Sortable headers: a button in each, so click, Enter and Space all sort.
  v.head.replaceChildren(...COLUMNS.map(([label, key]) => {
    const button = el('button.sort', { type: 'button', title: `sort by ${label}`, 'aria-label': `Sort ${name === 'census' ? 'census' : 'link check'} results by ${label}` }, label);
    const th = el('th', { scope: 'col' }, button);
    button.addEventListener('click', () => {
      sortBy = { label, key, dir: sortBy?.label === label ? -sortBy.dir : 1 };
      for (const h of v.head.children) h.removeAttribute('aria-sort');
      th.setAttribute('aria-sort', sortBy.dir > 0 ? 'ascending' : 'descending');
      renderTable();
    });
    return th;
  }));

  /** Totals by Rust's verdict, the histogram by Rust's class: nothing re-derived here. */
  function summarise() {
    /** @type {Record<string, number>} */
    const classes = Object.fromEntries(terms.classes.map((c) => [c, 0]));
    /** @type {Record<string, number>} */
    const verdicts = Object.fromEntries(terms.verdicts.map((x) => [x, 0]));
    for (const r of rows) {
      classes[r.class]++;
      verdicts[r.verdict]++;
    }
    const errors = rows.filter((r) => r.error);
    const by = (/** @type {string} */ e) => errors.filter((r) => r.error === e).length;
    v.totals.textContent = terms.verdicts.filter((x) => verdicts[x] || x === 'ok' || x === 'broken')
      .map((x) => `${x} ${verdicts[x]}${x === 'unreachable' && verdicts[x] ? ` (timeouts ${by('timeout')}, network errors ${by('network')})` : ''}` +
        `${x === 'broken' && by('redirects') ? ` (redirects that never arrive ${by('redirects')})` : ''}`)
      .join(' · ');
    if (v.histogram) bars(v.histogram, terms.classes.filter((c) => classes[c]).map((c) => [c, classes[c]]));
    if (v.latency) {
      const timed = rows.filter((r) => r.status !== null || r.opaque);
      bars(v.latency, LATENCY_BINS.map((hi, i) => {
        const lo = i ? LATENCY_BINS[i - 1] : 0;
        return [hi === Infinity ? `≥ ${ms(lo)}` : `< ${ms(hi)}`, timed.filter((r) => r.ms >= lo && r.ms < hi).length];
      }));
    }
  }

  function exportRows() {
    const cols = terms.resultFields;
    /** @type {Record<string, unknown>[]} */
    const plain = rows.map((r) => Object.fromEntries(cols.map((c) => [c, /** @type {Record<string, unknown>} */ (r)[c]])));
    download(v.csv, `${name}.csv`, toCSV(plain, cols), 'text/csv');
    download(v.json, `${name}.json`, JSON.stringify(plain, null, 2), 'application/json');
  }

  return {
    /** Clears the results; returns the callback that shows each result as it completes. */
    begin() {
      rows = [];
      sortBy = null;
      v.table.replaceChildren();
      v.totals.textContent = '';
      const t0 = performance.now();
      /** @type {ReturnType<typeof setTimeout> | 0} */
      let frame = 0;
      return (/** @type {import('../types.js').LinkResult} */ r) => {
        rows.push({ ...r, done: rows.length + 1, at: performance.now() - t0 });
        if (!sortBy) v.table.append(row(rows.at(-1)));
        // Totals redrawn at most every 100 ms, so 10,000 results stay cheap.
        if (!frame) frame = setTimeout(() => { frame = 0; summarise(); }, 100);
      };
    },
    /** The totals and exports on the final results. */
    finish() {
      summarise();
      exportRows();
    },
  };
}

/**
 * Wall time against C for one host and for many: the browser's per-host cap, seen.
 * @param {ReturnType<typeof import('../lab.js').createLab>} lab
 * @param {HTMLElement} host
 * @param {number} maxConcurrency
 */
function concurrencySweep(lab, host, maxConcurrency) {
  const list = el('input', { value: '1, 5, 10, 100', size: 16, 'aria-label': 'concurrency values' });
  const n = el('input', { value: '60', size: 5, inputmode: 'numeric', 'aria-label': 'links' });
  const delay = el('input', { value: '100', size: 5, inputmode: 'numeric', 'aria-label': 'delay' });
  const run = el('button.run', { 'aria-label': 'Sweep concurrency' }, 'Sweep');
  const status = el('p.stats', { 'aria-live': 'polite' });
  const error = el('p.error', { hidden: true, role: 'alert' });
  const body = el('tbody');
  const table = el('table.results', {}, el('thead', {}, el('tr', {}, ...['C', 'one host', 'spread over 16 hosts', 'ideal ⌈N/C⌉ × delay'].map((h) => el('th', {}, h)))), body);
  const chart = el('div.chart');
  host.append(
    el('h3', {}, 'Concurrency sweep'),
    el('p.note', {}, 'The same list of slow lab links, checked at each C: once all on one host, once spread over a.localhost … p.localhost. Over HTTP/1.1 a browser opens at most 6 connections per host, so on one host the time stops falling at C = 6.'),
    el('div.controls', {}, el('label', {}, 'C values', list), el('label', {}, 'Links (N)', n), el('label', {}, 'Delay (ms)', delay), el('div.buttons', {}, run)),
    error, status, table, chart,
  );

  async function sweep() {
    showError(error, null);
    let cs;
    try {
      cs = parseWorkerList(list.value, { max: maxConcurrency, label: 'C values', what: 'concurrency' });
    } catch (e) {
      showError(error, e);
      return null;
    }
    const count_ = Math.max(1, Math.min(1000, Number(n.value) || 60));
    const d = Math.max(0, Math.min(10000, Number(delay.value) || 100));
    const port = location.port ? `:${location.port}` : '';
    const hosts = 'abcdefghijklmnop'.split('');
    const ep = lab.endpoints;
    // The lab server answers on every *.localhost host; the simulated lab only under
    // its own scope, and has no per-host cap to show, so both lists are the same there.
    const oneHost = ep.kind === 'server'
      ? Array.from({ length: count_ }, (_, i) => `${location.protocol}//a.localhost${port}/lab/delay/${d}?i=${i}`)
      : Array.from({ length: count_ }, (_, i) => `${ep.base}delay/${d}?i=${i}`);
    const spread = ep.kind === 'server' ? oneHost.map((u, i) => u.replace('//a.localhost', `//${hosts[i % hosts.length]}.localhost`)) : oneHost;
    run.disabled = true;
    body.replaceChildren();
    /** @type {{c: number, one: number, many: number, ideal: number}[]} */
    const points = [];
    try {
      for (const c of cs) {
        status.textContent = `C = ${c}…`;
        const one = await lab.links({ urls: oneHost, concurrency: c });
        const many = await lab.links({ urls: spread, concurrency: c });
        const ideal = Math.ceil(count_ / c) * d;
        points.push({ c, one: one.elapsedMs, many: many.elapsedMs, ideal });
        const capped = c > 6 && one.elapsedMs > 1.5 * ideal;
        body.append(el('tr', {}, el('td.num', {}, c), el('td.num', {}, `${ms(one.elapsedMs)}${capped ? ' — capped at 6 per host' : ''}`), el('td.num', {}, ms(many.elapsedMs)), el('td.num', {}, ms(ideal))));
      }
      status.textContent = `Done: ${count_} links of ${d} ms at each C.`;
      chart.replaceChildren();
      sweepChart(chart, {
        title: 'Wall time against C', xLabel: 'requests in flight (C)', yLabel: 'ms', xs: points.map((p) => p.c),
        mark: { at: 6, label: '6 connections per host' },
        series: [{ label: 'one host', values: points.map((p) => p.one) }, { label: 'spread', values: points.map((p) => p.many) },
          { label: 'ideal', values: points.map((p) => p.ideal), dash: [6, 4], color: '#7f8c8d' }],
      });
      return points;
    } catch (e) {
      showError(error, e);
      return null;
    } finally {
      run.disabled = false;
    }
  }
  run.addEventListener('click', sweep);
  return { sweep };
}
