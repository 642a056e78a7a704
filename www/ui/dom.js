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

/**
 * Shows `parts` as the spans of `host`, updated in place: a live line rewritten six
 * times a second costs the page a restyle and relayout of everything that changed, so
 * the spans are made once and a span's text or title is written only when it differs.
 * @param {HTMLElement} host
 * @param {(string | [string, string])[]} parts  each a text, or a text and its title
 */
export function setParts(host, parts) {
  if (host.childElementCount !== parts.length || host.childNodes.length !== parts.length) {
    host.replaceChildren(...parts.map(() => document.createElement('span')));
  }
  parts.forEach((part, i) => {
    const [text, title] = typeof part === 'string' ? [part, ''] : part;
    const span = /** @type {HTMLElement} */ (host.children[i]);
    if (span.textContent !== text) span.textContent = text;
    if (span.title !== title) span.title = title;
  });
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
 * Marks the input an error is about: an error names its argument first
 * (`count: must not be negative`), and `fields` maps argument names to inputs. The
 * input gets aria-invalid and points at the error with aria-describedby.
 * @param {HTMLElement} error
 * @param {Record<string, HTMLElement>} fields
 * @param {any} err  null clears every mark
 */
export function markInvalid(error, fields, err) {
  const arg = err ? String(err.message ?? err).match(/^([A-Za-z][A-Za-z ]*?)(\[\d+\])?:/)?.[1] : undefined;
  for (const [name, input] of Object.entries(fields)) {
    if (name === arg) {
      input.setAttribute('aria-invalid', 'true');
      if (error.id) input.setAttribute('aria-describedby', error.id);
    } else if (input.getAttribute('aria-invalid')) {
      input.removeAttribute('aria-invalid');
      if (input.getAttribute('aria-describedby') === error.id) input.removeAttribute('aria-describedby');
    }
  }
}

/**
 * Runs a panel's job with its Run buttons disabled and Stop enabled, and shows its
 * error under the panel instead of throwing; the panel stays usable either way.
 * `also` lists further buttons that must wait while the job runs; `fields` maps the
 * job's argument names to their inputs, so an error marks the input it is about.
 * Focus follows the buttons: a Run pressed from the keyboard hands focus to Stop
 * (Run is disabled, and focus on a disabled button would fall to the page), and
 * back to Run when the job ends.
 * @template T
 * @param {{run: HTMLButtonElement, stop: HTMLButtonElement, error: HTMLElement, summary?: HTMLElement, also?: HTMLButtonElement[], fields?: Record<string, HTMLElement>}} f
 * @param {() => Promise<T>} job
 * @returns {Promise<T | undefined>}
 */
export async function runGuarded({ run, stop, error, summary, also = [], fields = {} }, job) {
  showError(error, null);
  markInvalid(error, fields, null);
  const started = [run, ...also].find((b) => b === document.activeElement);
  for (const b of [run, ...also]) b.disabled = true;
  stop.disabled = false;
  if (started) stop.focus();
  try {
    return await job();
  } catch (e) {
    showError(error, e);
    markInvalid(error, fields, e);
    if (summary) summary.textContent = '';
    return undefined;
  } finally {
    const hadFocus = document.activeElement === stop || document.activeElement === document.body;
    for (const b of [run, ...also]) b.disabled = false;
    stop.disabled = true;
    if (started || hadFocus) (started ?? run).focus();
  }
}

/**
 * Puts a number box beside a range input (in place of its <output>), the two kept in
 * sync: a slider of 1 to 128 is too coarse to hit 5 or 10 by dragging. The box takes
 * the slider's label with "(number)" added, so each control has its own name.
 * Call it after setting the slider's min, max and value.
 * @param {HTMLInputElement} input
 * @returns {HTMLInputElement} the number box
 */
export function bindRange(input) {
  const label = input.closest('label');
  const out = label?.querySelector('output');
  const box = /** @type {HTMLInputElement} */ (el('input', { type: 'number', min: input.min, max: input.max, step: input.step || '1', value: input.value, className: 'range-box' }));
  const name = input.getAttribute('aria-label') ?? (label?.firstChild?.textContent ?? 'value').trim();
  box.setAttribute('aria-label', `${name} (number)`);
  if (out) out.replaceWith(box);
  else input.after(box);
  input.addEventListener('input', () => { box.value = input.value; });
  box.addEventListener('input', () => {
    const v = Number(box.value);
    if (Number.isFinite(v) && v >= Number(input.min) && v <= Number(input.max)) {
      input.value = String(v);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }
  });
  box.addEventListener('change', () => { box.value = input.value; });
  // Limits set later (from the contract) reach the box too.
  new MutationObserver(() => { box.min = input.min; box.max = input.max; }).observe(input, { attributes: true, attributeFilter: ['min', 'max'] });
  return box;
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
