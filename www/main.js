// The page: creates window.lab, wires the panels to it, and reads the shared-memory
// counters once per frame. Nothing here computes; the work runs in workers.
import { createLab } from './lab.js';
import { $, el } from './ui/dom.js';
import { minePanel } from './ui/mine-panel.js';
import { primesPanel } from './ui/primes-panel.js';
import { linksPanel } from './ui/links-panel.js';
import { modelsPanel } from './ui/models-panel.js';
import { labNavigation, returnToFragment } from './ui/nav.js';
import { isolate } from './isolation.js';

// Opened from a file, boot.js has said why nothing can run and what works. Chromium
// stops at the module scripts; Firefox runs modules from the page's own folder but not
// its workers' wasm, so the page stops here rather than fail later with a worse message.
if (location.protocol === 'file:') await new Promise(() => {});

// On a host that sends no COOP/COEP headers this registers the service worker and
// reloads the page once (never resolving), so no worker starts before that.
const isolation = await isolate();
const lab = createLab();
labNavigation();
window.lab = lab;

/** Says what this browser allows on this page; turns the CPU panels off where threads cannot run. */
function showEnvironment() {
  const info = lab.info();
  const env = $('#env');
  const yes = (b) => (b ? 'yes' : 'no');
  env.replaceChildren(
    el('span', {}, `cross-origin isolated: ${yes(info.crossOriginIsolated)}`),
    el('span', {}, `wasm threads: ${yes(info.threads)} (${info.build === 'single' ? 'single-thread build' : 'threads build'})`),
    el('span', {}, `hardwareConcurrency: ${info.hardwareConcurrency}`),
    el('span.isolation', { 'data-mode': isolation.mode }, isolation.note),
  );
  const warn = $('#no-threads');
  warn.hidden = info.threads;
  if (!info.threads) singleThread(info.noThreads ?? '');
}

/**
 * The single-thread build: mining, primes and the one-thread models run on one worker
 * (off this thread); what needs a pool says why it is off.
 * @param {string} why  lab.info().noThreads
 */
function singleThread(why) {
  $('#no-threads').textContent = `This page runs the single-thread build: ${why}. ` +
    'Mining, primes and the one-thread models run on one worker, off the page\'s thread, with the same results; ' +
    'pools of 2 or more workers, live counters and stopping a run midway need threads (Stop ends the run\'s engine instead). ' +
    'The link check and the event-loop experiments work as everywhere.';
  for (const id of ['#mine-workers', '#primes-workers']) {
    const range = /** @type {HTMLInputElement} */ ($(id));
    range.max = '1';
    range.value = '1';
    range.dispatchEvent(new Event('input', { bubbles: true }));
    const box = range.closest('label')?.querySelector('input.range-box');
    for (const input of [range, box]) {
      if (!input) continue;
      /** @type {HTMLInputElement} */ (input).disabled = true;
      input.setAttribute('aria-describedby', 'no-threads');
    }
  }
  for (const id of ['#mine-sweep', '#primes-sweep', '#mine-resources']) {
    const host = document.querySelector(id);
    if (!host) continue;
    for (const b of host.querySelectorAll('button, input, textarea, select')) /** @type {HTMLButtonElement} */ (b).disabled = true;
    host.prepend(el('p.note', { id: `${host.id}-needs-threads` }, 'Needs threads (a pool of several workers): see the note at the top of the page.'));
  }
}

/** @type {{frame?: (p: import('./types.js').Progress | null) => void, run?: Function}[]} */
let panels = [];

// About six updates a second: enough to read, and cheap enough not to take much from
// the workers (on a 2-core machine every frame competes with them). Each update that
// changes the page costs its main thread, its compositor and the GPU process a frame's
// work (about 11 ms of CPU here): a 2^27-nonce run on 2 workers from the Run button took
// 1.058-1.071 times as long as the same run from lab.mine at twelve updates a second,
// and 1.029-1.034 times at six (medians of 6, issue 12). The next frame is asked for only
// when the next update is due, not on every display frame.
const FRAME_MS = 160;

function tick() {
  const p = lab.progress();
  for (const panel of panels) panel.frame?.(p);
  setTimeout(() => requestAnimationFrame(tick), FRAME_MS);
}

// The panels set their controls from the contract (limits, defaults, lists from
// Rust), so they are built once the module has handed it over.
lab.ready.then(
  () => {
    panels = [minePanel(lab, $('#mine')), primesPanel(lab, $('#primes')), linksPanel(lab, $('#links')), modelsPanel(lab, $('#models'))];
    showEnvironment();
    document.body.classList.add('ready');
    returnToFragment();
    requestAnimationFrame(tick);
  },
  (e) => {
    $('#boot').hidden = true;
    $('#no-threads').hidden = false;
    $('#no-threads').textContent = `The wasm module did not load: ${e.message}`;
  },
);
