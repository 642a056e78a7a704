// Link check panel: fetch promises on one thread, at most C in flight, results as
// they complete. URLs are shown as text, never as HTML.
import { $, el, ms, bytes, showError, bindRange, optional } from './dom.js';

export function linksPanel(lab, root) {
  const f = {
    concurrency: $('#links-concurrency', root), timeout: $('#links-timeout', root), urls: $('#links-urls', root),
    run: $('#links-run', root), stop: $('#links-stop', root), error: $('#links-error', root),
    table: $('#links-results tbody', root), summary: $('#links-summary', root), totals: $('#links-totals', root),
    reset: $('#links-default', root),
  };
  bindRange(f.concurrency);
  f.urls.value = lab.labLinks().join('\n');
  f.reset.addEventListener('click', () => { f.urls.value = lab.labLinks().join('\n'); });

  function outcome(r) {
    if (r.error) return r.error;
    return `${r.status}${r.redirected ? ' (redirected)' : ''}`;
  }

  async function run() {
    showError(f.error, null);
    f.run.disabled = true;
    f.stop.disabled = false;
    f.table.replaceChildren();
    f.summary.textContent = '';
    const urls = f.urls.value.split('\n').map((l) => l.trim()).filter(Boolean);
    const tally = { ok: 0, broken: 0, timeout: 0, network: 0, 'invalid-url': 0, aborted: 0 };
    const t0 = performance.now();
    const onResult = (r) => {
      if (r.ok) tally.ok++;
      else if (r.error) tally[r.error]++;
      else tally.broken++;
      f.table.append(el('tr', { className: r.ok ? 'ok' : 'bad' },
        el('td.num', {}, f.table.children.length + 1), el('td.url', {}, r.url), el('td', {}, outcome(r)),
        el('td.num', {}, bytes(r.bytes)), el('td.num', {}, ms(r.ms)), el('td.num', {}, ms(performance.now() - t0))));
      f.totals.textContent = Object.entries(tally).filter(([, n]) => n).map(([k, n]) => `${k} ${n}`).join(' · ');
    };
    try {
      const r = await lab.links({ urls, concurrency: Number(f.concurrency.value), timeoutMs: optional(f.timeout), onResult });
      f.summary.replaceChildren(el('b', {}, `${r.results.length} links in ${ms(r.elapsedMs)}`), ` with at most ${f.concurrency.value} in flight.`);
      return r;
    } catch (e) {
      showError(f.error, e);
    } finally {
      f.run.disabled = false;
      f.stop.disabled = true;
    }
  }

  f.run.addEventListener('click', run);
  f.stop.addEventListener('click', () => lab.stop('links'));
  return { run };
}
