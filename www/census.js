// The course's census: random Wikipedia pages, their external links, then a check of
// those links. Offline, the lab server's fixture answers in the MediaWiki API's shape.

export const LIVE_API = 'https://ru.wikipedia.org/w/api.php';

/**
 * Random pages with their external links, through the MediaWiki API (CORS via origin=*).
 * @param {string} api
 * @param {number} pages
 * @param {{signal?: AbortSignal}} [opts]
 * @returns {Promise<{title: string, links: string[]}[]>}
 */
export async function randomPages(api, pages, { signal } = {}) {
  /** @type {{title: string, links: string[]}[]} */
  const out = [];
  let cont = null;
  while (out.length < pages) {
    const q = new URLSearchParams({
      action: 'query', generator: 'random', grnnamespace: '0', grnlimit: String(Math.min(20, pages - out.length)),
      prop: 'extlinks', ellimit: 'max', format: 'json', formatversion: '2', origin: '*',
    });
    if (cont) q.set('grncontinue', cont);
    const res = await fetch(`${api}?${q}`, { signal });
    if (!res.ok) throw new Error(`census: the API answered ${res.status} at ${api}`);
    const body = await res.json();
    const batch = body?.query?.pages ?? [];
    if (!batch.length) break;
    out.push(...batch.map((/** @type {any} */ p) => ({ title: String(p.title), links: (p.extlinks ?? []).map((/** @type {any} */ l) => String(l.url ?? l['*'] ?? '')) })));
    cont = body?.continue?.grncontinue ?? null;
    if (!cont && api !== LIVE_API) break; // the fixture has run out of pages
  }
  return out.slice(0, pages);
}

/**
 * Protocol-relative links (`//host/path`), as MediaWiki gives them, made absolute.
 * @param {string} link
 * @param {string} protocol
 */
export function absolute(link, protocol) {
  return link.startsWith('//') ? `${protocol}${link}` : link;
}

/**
 * Runs a census: pages → links → a check in `mode` (no-cors by default: external
 * sites seldom send CORS headers). Returns the pages, the list report and the check.
 * `signal` stops the paging; the check itself is stopped with `lab.stop('links')`.
 * @param {{parseLinks: (text: string) => Promise<import('./types.js').ParsedList>, links: (o: import('./types.js').LinksOptions) => Promise<import('./types.js').LinksResult>, endpoints: import('./isolation.js').LabEndpoints}} lab
 * @param {import('./types.js').CensusOptions} [opts]
 * @returns {Promise<import('./types.js').CensusResult>}
 */
export async function census(lab, { pages = 10, live = false, mode = 'no-cors', concurrency = 10, timeoutMs = 5000, onResult, onStage, signal } = {}) {
  const ep = lab.endpoints;
  if (!live && ep.kind === 'none') throw new Error(`census: the offline fixture needs the lab's endpoints, and ${ep.note}; choose the live census (needs the internet)`);
  const api = live ? LIVE_API : `${ep.kind === 'simulated' ? ep.base : new URL('/lab/', location.href).href}census/api.php`;
  onStage?.(`fetching ${pages} random pages from ${live ? 'Wikipedia' : 'the offline fixture'}…`);
  const found = await randomPages(api, pages, { signal });
  signal?.throwIfAborted();
  const links = found.flatMap((p) => p.links.map((l) => absolute(l, live ? 'https:' : location.protocol)));
  const list = await lab.parseLinks(links.join('\n'));
  onStage?.(`checking ${list.urls.length} links from ${found.length} pages…`);
  const check = await lab.links({ urls: list.urls, mode, concurrency, timeoutMs, onResult });
  return { api, pages: found, links: links.length, list, check };
}
