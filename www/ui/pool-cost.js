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
  return `Pool start: ${ms(r.poolStartMs)} (${how}${warm}); not counted in ${after}.`;
}
