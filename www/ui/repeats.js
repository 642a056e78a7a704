// Runs repeated at the same settings: one run is one sample, so a panel states the median
// of the completed runs so far beside the last run's own figure, with their range and
// spread. The first run after a pool start is often the slowest (README, Benchmark: on a
// fresh page 0.70-0.90 of the second), which a single figure would not say.
import { spread } from './sweep-math.js';

/**
 * The completed runs at one set of settings; other settings start the count anew.
 * @returns {{add: (key: string, value: number) => number[]}}
 */
export function repeats() {
  let key = '';
  /** @type {number[]} */
  let values = [];
  return {
    add(k, value) {
      if (k !== key) {
        key = k;
        values = [];
      }
      values.push(value);
      return values.slice();
    },
  };
}

/**
 * What the runs at these settings say so far, as a sentence.
 * @param {number[] | null} values  null: the last run did not complete, so it is no sample
 * @param {(v: number) => string} show  a value as the panel writes it, without its unit
 * @param {string} unit  the values' unit ("M hashes/s", "ms")
 * @param {string} what  what the median is of ("rate", "time")
 */
export function repeatsText(values, show, unit, what) {
  if (!values) return '';
  if (values.length === 1) return 'One run: press Run again for a median of several (a first run after a pool start is often the slowest). ';
  const s = spread(values);
  return `${values.length} runs at these settings on this page: median ${what} ${show(s.median)} ${unit} ` +
    `(${show(s.min)}–${show(s.max)}, ±${(s.plusMinus * 100).toFixed(0)}%). `;
}
