// The page: creates window.lab, wires the panels to it, and reads the shared-memory
// counters once per frame. Nothing here computes; the work runs in workers.
import { createLab } from './lab.js';
import { $, el } from './ui/dom.js';
import { minePanel } from './ui/mine-panel.js';
import { primesPanel } from './ui/primes-panel.js';
import { linksPanel } from './ui/links-panel.js';
import { modelsPanel } from './ui/models-panel.js';
import { labNavigation, returnToFragment } from './ui/nav.js';

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
    el('span', {}, `wasm threads: ${yes(info.threads)}`),
    el('span', {}, `hardwareConcurrency: ${info.hardwareConcurrency}`),
  );
  const warn = $('#no-threads');
  warn.hidden = info.threads;
  if (!info.threads) {
    warn.textContent = info.crossOriginIsolated
      ? 'This browser has no shared WebAssembly memory, so the CPU panels cannot run a worker pool. Try a current Chromium, Firefox or Safari.'
      : 'This page is not cross-origin isolated, so the browser withholds SharedArrayBuffer and the CPU panels cannot run a worker pool. ' +
        'Open it from the lab server (make serve), which sends the Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy headers. The link check still works.';
    for (const b of document.querySelectorAll('#mine-run, #primes-run')) /** @type {HTMLButtonElement} */ (b).disabled = true;
  }
}

/** @type {{frame?: (p: import('./types.js').Progress | null) => void, run?: Function}[]} */
let panels = [];

// About twelve updates a second at 60 frames a second: enough to read, and cheap enough not to steal a core
// from the workers: on a 2-core machine every main-thread frame competes with them.
const FRAME_MS = 80;
let lastFrame = 0;

/** @param {number} now */
function tick(now) {
  if (now - lastFrame >= FRAME_MS) {
    lastFrame = now;
    const p = lab.progress();
    for (const panel of panels) panel.frame?.(p);
  }
  requestAnimationFrame(tick);
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
  (e) => { $('#no-threads').hidden = false; $('#no-threads').textContent = `The wasm module did not load: ${e.message}`; },
);
