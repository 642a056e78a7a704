// How a result's pool came to be, in one sentence: the same pool reused, a pool of a
// new size on the workers the page already had, or a cold start (src/web/pool.rs).
import { ms } from './dom.js';

/**
 * @param {import('../types.js').PoolCost} r
 * @param {string} [after]  what the start is not counted in
 */
export function poolStartText(r, after = 'the time above') {
  if (r.poolReused) return 'Pool reused (already running).';
  const kept = r.workersKept ?? 0;
  const started = r.workersStarted ?? 0;
  const how = kept
    ? `${kept} worker${kept === 1 ? '' : 's'} kept from the last pool, ${started ? `${started} started` : 'none started'}`
    : `${started} worker${started === 1 ? '' : 's'} started`;
  const warm = r.warmUpMs ? `; ${ms(r.warmUpMs)} of it warming the compiled code up` : '';
  // A start that stalled and was replaced is part of the wait, and said so.
  const failed = r.failedStarts?.length ?? 0;
  const retried = failed ? `; ${failed === 1 ? 'a first attempt' : `${failed} attempts`} failed or stalled and ${failed === 1 ? 'was' : 'were'} replaced by a fresh engine` : '';
  return `Pool start: ${ms(r.poolStartMs)} (${how}${warm}${retried}); not counted in ${after}.`;
}
