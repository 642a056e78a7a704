// The globals the page defines, for the type check (`make lint`): window.lab, which
// the tests also reach as a bare `lab` inside page.evaluate callbacks.
import type { createLab } from './lab.js';

declare global {
  interface Window {
    lab: ReturnType<typeof createLab>;
    /** Set only if injected markup ran: the tests check it never is. */
    pwned?: unknown;
  }
  var lab: ReturnType<typeof createLab>;
}

export {};
