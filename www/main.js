// The page: creates window.lab, wires the panels to it, and reads the shared-memory
// counters once per frame. Nothing here computes; the work runs in workers.
import { createLab } from './lab.js';
import { $, el } from './ui/dom.js';
import { minePanel } from './ui/mine-panel.js';
import { primesPanel } from './ui/primes-panel.js';
import { linksPanel } from './ui/links-panel.js';

const lab = createLab();
window.lab = lab;

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
    for (const b of document.querySelectorAll('#mine-run, #primes-run')) b.disabled = true;
  }
}

const panels = [minePanel(lab, $('#mine')), primesPanel(lab, $('#primes')), linksPanel(lab, $('#links'))];

// About twelve updates a second at 60 frames a second: enough to read, and cheap enough not to steal a core
// from the workers: on a 2-core machine every main-thread frame competes with them.
const FRAME_MS = 80;
let lastFrame = 0;

function tick(now) {
  if (now - lastFrame >= FRAME_MS) {
    lastFrame = now;
    const p = lab.progress();
    for (const panel of panels) panel.frame?.(p);
  }
  requestAnimationFrame(tick);
}

showEnvironment();
lab.ready.then(
  () => document.body.classList.add('ready'),
  (e) => { $('#no-threads').hidden = false; $('#no-threads').textContent = `The wasm module did not load: ${e.message}`; },
);
requestAnimationFrame(tick);
