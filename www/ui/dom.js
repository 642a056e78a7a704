// Small DOM and number-formatting helpers shared by the panels.
// Text always goes in through textContent: fetched or typed text is never HTML.

/**
 * The element `sel` matches under `root`; the page's own markup always has it.
 * @param {string} sel
 * @param {ParentNode} [root]
 * @returns {any}
 */
export const $ = (sel, root = document) => root.querySelector(sel);

/**
 * el('td.num', {title}, child, 'text', ...)
 * @param {string} spec
 * @param {Record<string, any>} [attrs]
 * @param {...(Node | string | number | boolean | null | undefined)} children
 * @returns {any}
 */
export function el(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split('.');
  const node = document.createElement(tag);
  if (classes.length) node.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k in node && typeof v !== 'string') /** @type {any} */ (node)[k] = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

/** @param {number | null | undefined} v */
export function ms(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (v >= 10_000) return `${(v / 1000).toFixed(1)} s`;
  if (v >= 1000) return `${(v / 1000).toFixed(2)} s`;
  return `${v.toFixed(v < 10 ? 1 : 0)} ms`;
}

/** @param {number | string} n */
export function count(n) {
  return Number(n).toLocaleString('en-US');
}

/** @param {number} perSecond */
export function rate(perSecond) {
  if (!Number.isFinite(perSecond)) return '–';
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k/s`;
  return `${perSecond.toFixed(0)} /s`;
}

/** @param {number | null | undefined} n */
export function bytes(n) {
  if (n === null || n === undefined) return '–';
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

/**
 * Shows an error under a panel; the panel stays usable.
 * @param {HTMLElement} node
 * @param {any} err
 */
export function showError(node, err) {
  node.textContent = err ? String(err.message ?? err) : '';
  node.hidden = !err;
}

/**
 * Runs a panel's job with its Run buttons disabled and Stop enabled, and shows its
 * error under the panel instead of throwing; the panel stays usable either way.
 * `also` lists further buttons that must wait while the job runs.
 * @template T
 * @param {{run: HTMLButtonElement, stop: HTMLButtonElement, error: HTMLElement, summary?: HTMLElement, also?: HTMLButtonElement[]}} f
 * @param {() => Promise<T>} job
 * @returns {Promise<T | undefined>}
 */
export async function runGuarded({ run, stop, error, summary, also = [] }, job) {
  showError(error, null);
  for (const b of [run, ...also]) b.disabled = true;
  stop.disabled = false;
  try {
    return await job();
  } catch (e) {
    showError(error, e);
    if (summary) summary.textContent = '';
    return undefined;
  } finally {
    for (const b of [run, ...also]) b.disabled = false;
    stop.disabled = true;
  }
}

/**
 * Binds a range input to its <output>.
 * @param {HTMLInputElement} input
 */
export function bindRange(input) {
  const out = input.parentElement?.querySelector('output');
  const show = () => { if (out) out.textContent = input.value; };
  input.addEventListener('input', show);
  show();
}

/**
 * Empty text means "not given" so the API's default applies.
 * @param {HTMLInputElement} input
 */
export function optional(input) {
  const v = input.value.trim();
  return v === '' ? undefined : v;
}

/**
 * Points a download link at `text`, freeing the file it pointed at before.
 * @param {HTMLAnchorElement} a
 * @param {string} name
 * @param {string} text
 * @param {string} type
 */
export function download(a, name, text, type) {
  if (a.href.startsWith('blob:')) URL.revokeObjectURL(a.href);
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.hidden = false;
}

/**
 * Copies text, falling back to selecting it where the clipboard is not allowed.
 * @param {string} text
 * @param {HTMLElement} node
 */
export async function copy(text, node) {
  try {
    await navigator.clipboard.writeText(text);
    node?.classList.add('copied');
    setTimeout(() => node?.classList.remove('copied'), 800);
  } catch {
    const range = document.createRange();
    range.selectNodeContents(node);
    getSelection()?.removeAllRanges();
    getSelection()?.addRange(range);
  }
}
