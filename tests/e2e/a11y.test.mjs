// Accessibility and small screens: axe-core (WCAG 2.2 A/AA and best practices) on load
// and after every lab has run, at desktop and phone widths; no sideways scroll at
// 390 px; a text alternative for every canvas; the keyboard alone runs and stops a
// mining run, and focus never falls to <body>.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useLab, openLab, onlyChromium } from './harness.mjs';

const AXE = readFileSync(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
const session = useLab();
/** @type {import('playwright-core').Page} */
let page;

before(async () => {
  await session.ready;
  // Its own page: axe is injected as a script, which the page's CSP would refuse.
  page = await openLab(session.browser, session.server.url, { bypassCSP: true });
});

/** axe's violations on the page as it is now: [{id, nodes: [selector…]}]. */
async function violations() {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    const r = await /** @type {any} */ (window).axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] });
    return r.violations.map((/** @type {any} */ v) => ({
      id: v.id,
      nodes: v.nodes.map((/** @type {any} */ n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n')[1]?.trim() ?? ''}`).slice(0, 5),
    }));
  });
}

/** Checks both widths: axe, sideways scroll, canvases. */
async function checkBothWidths(when) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    // From the top: the sticky navigation covers whatever is scrolled under it, which
    // axe would count as an obscured target (focus and jumps keep clear of it).
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(150); // charts re-size on the next frame
    assert.deepEqual(await violations(), [], `axe at ${width} px ${when}`);
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(sideways <= 0, `${sideways} px of sideways scroll at ${width} px ${when}`);
    const bare = await page.evaluate(() => [...document.querySelectorAll('canvas')].filter((c) => {
      const img = c.closest('[role="img"]');
      return c.offsetParent !== null && !(img && (img.getAttribute('aria-label') || img.getAttribute('aria-labelledby')));
    }).map((c) => c.id || c.className || c.parentElement?.id || 'canvas'));
    assert.deepEqual(bare, [], `every visible canvas has a text alternative ${when}`);
  }
  await page.setViewportSize({ width: 1280, height: 1000 });
}

test('no violations and no sideways scroll on load', onlyChromium('injects axe-core past the page\'s CSP (bypassCSP, addScriptTag) and resizes the viewport'), async () => {
  await checkBothWidths('on load');
});

test('the keyboard alone runs and stops a mining run; focus never falls to the page', onlyChromium('presses keys with Playwright\'s keyboard and waits on locators'), async () => {
  await page.locator('#mine-count').fill('100000000000');
  await page.locator('#mine-run').focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'mine-stop', 'Run hands focus to Stop');
  await page.locator('#mine-stats', { hasText: 'next coin in' }).waitFor();
  await page.keyboard.press('Space');
  await page.locator('#mine-summary', { hasText: 'Ended: stopped' }).waitFor({ timeout: 10000 });
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'mine-run', 'and gets it back when the run ends');
  await page.locator('#mine-count').fill('2500000');
});

test('no violations after every lab has run, at both widths', onlyChromium('drives every lab through Playwright locators, injects axe-core past the CSP and resizes the viewport'), async () => {
  await page.locator('#mine-count').fill('2500000');
  await page.locator('#mine-run').click();
  await page.locator('#mine-summary', { hasText: 'hashes in' }).waitFor({ timeout: 60000 });
  await page.locator('#primes-run').click();
  await page.locator('#primes-summary', { hasText: 'numbers in' }).waitFor({ timeout: 60000 });
  await page.locator('#links-run').click();
  await page.locator('#links-summary', { hasText: 'links in' }).waitFor({ timeout: 60000 });
  await page.locator('#census-run').click();
  await page.locator('#census-status', { hasText: 'pages,' }).waitFor({ timeout: 60000 });
  await page.locator('#mine-sweep input').first().fill('1, 2');
  await page.locator('#mine-sweep button.run').click();
  await page.locator('#mine-sweep p.stats', { hasText: 'Done' }).waitFor({ timeout: 120000 });
  for (const id of ['gil', 'loop', 'exec']) {
    await page.locator(`#${id}-run`).click();
    await page.locator(`#${id}-run:disabled`).waitFor();
    await page.locator(`#${id}-run:enabled`).waitFor({ timeout: 60000 });
  }
  await checkBothWidths('after every lab ran');
});

test('an input error is tied to its input', onlyChromium('drives the page through Playwright locators'), async () => {
  await page.locator('#mine-count').fill('-5');
  await page.locator('#mine-run').click();
  await page.locator('#mine-error', { hasText: 'count:' }).waitFor();
  assert.equal(await page.locator('#mine-count').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#mine-count').getAttribute('aria-describedby'), 'mine-error');
  await page.locator('#mine-count').fill('100000');
  await page.locator('#mine-run').click();
  await page.locator('#mine-summary', { hasText: '100,000 hashes in' }).waitFor();
  assert.equal(await page.locator('#mine-count').getAttribute('aria-invalid'), null, 'cleared on the next run');
});

test('every visible control has its own accessible name', async () => {
  const names = await page.evaluate(() => [...document.querySelectorAll('button, input, select, textarea, a[href]')]
    .filter((e) => /** @type {HTMLElement} */ (e).offsetParent !== null && e.getAttribute('type') !== 'hidden')
    .map((e) => {
      // The name as the page gives it: aria-label, else the label, else the text.
      const labels = /** @type {HTMLInputElement} */ (e).labels;
      const label = e.getAttribute('aria-label') || (labels && labels[0]?.textContent) || e.textContent;
      return { tag: e.tagName.toLowerCase(), name: (label ?? '').trim() };
    }));
  const seen = new Map();
  for (const { tag, name } of names) {
    if (tag === 'a') continue; // links to the same place may share a name
    assert.ok(name, `a ${tag} has a name`);
    seen.set(name, (seen.get(name) ?? 0) + 1);
  }
  const twice = [...seen].filter(([, n]) => n > 1).map(([name]) => name);
  assert.deepEqual(twice, [], 'names used by more than one control');
});
