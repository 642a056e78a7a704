import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, defaultWorkerList, parseWorkerList, withSpeedup, fitAmdahl, toCSV } from '../../www/ui/sweep-math.js';

test('median', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

test('the default list holds the course numbers and the cores', () => {
  assert.deepEqual(defaultWorkerList(2), [1, 2, 4, 5, 10, 100]);
  assert.deepEqual(defaultWorkerList(8), [1, 2, 4, 5, 8, 10, 16, 100]);
  assert.deepEqual(defaultWorkerList(96), [1, 2, 4, 5, 10, 96, 100]);
});

test('worker lists are parsed or refused with the bad entry named', () => {
  assert.deepEqual(parseWorkerList('4, 1 2,2'), [1, 2, 4]);
  assert.throws(() => parseWorkerList('1, 0'), /"0"/);
  assert.throws(() => parseWorkerList('1, 129'), /"129"/);
  assert.throws(() => parseWorkerList('two'), /"two"/);
  assert.throws(() => parseWorkerList(' '), /at least one/);
});

test('speed-up and efficiency are relative to one worker', () => {
  const pts = withSpeedup([{ workers: 4, ms: 30 }, { workers: 1, ms: 100 }, { workers: 2, ms: 50 }]);
  assert.deepEqual(pts.map((p) => p.workers), [1, 2, 4]);
  assert.deepEqual(pts.map((p) => p.speedup), [1, 2, 100 / 30]);
  assert.equal(pts[1].efficiency, 1);
});

test("Amdahl's fit recovers a known serial fraction and caps at the cores", () => {
  const s = 0.1;
  const model = (n) => 100 * (s + (1 - s) / Math.min(n, 4));
  const fit = fitAmdahl([1, 2, 4, 8, 16].map((w) => ({ workers: w, ms: model(w) })), 4);
  assert.ok(Math.abs(fit.serial - s) < 1e-9, `serial ${fit.serial}`);
  assert.ok(Math.abs(fit.speedup(16) - fit.speedup(4)) < 1e-12, 'no gain past the cores');
  const perfect = fitAmdahl([{ workers: 1, ms: 10 }, { workers: 2, ms: 5 }], 2);
  assert.ok(Math.abs(perfect.serial) < 1e-12);
});

test('CSV has a header and one row per point', () => {
  const csv = toCSV([{ workers: 1, ms: 10, hashes: 5 }]);
  assert.equal(csv, 'workers,ms,poolStartMs,hashes,mhs,speedup,efficiency\n1,10,,5,,,\n');
});
