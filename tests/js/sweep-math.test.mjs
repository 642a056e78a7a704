import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, defaultWorkerList, parseWorkerList, withSpeedup, fitAmdahl } from '../../www/ui/sweep-math.js';
import { toCSV, csvCell } from '../../www/ui/export.js';

test('median', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

test('the default list holds the course numbers and the cores', () => {
  assert.deepEqual(defaultWorkerList(2, 128), [1, 2, 4, 5, 10, 100]);
  assert.deepEqual(defaultWorkerList(8, 128), [1, 2, 4, 5, 8, 10, 16, 100]);
  assert.deepEqual(defaultWorkerList(96, 128), [1, 2, 4, 5, 10, 96, 100]);
  assert.deepEqual(defaultWorkerList(96, 64), [1, 2, 4, 5, 10], 'nothing past the limit');
});

test('worker lists are parsed or refused with the bad entry named', () => {
  const max = { max: 128 };
  assert.deepEqual(parseWorkerList('4, 1 2,2', max), [1, 2, 4]);
  assert.throws(() => parseWorkerList('1, 0', max), /^Error: workers list: "0" is not a pool size from 1 to 128$/);
  assert.throws(() => parseWorkerList('1, 129', max), /"129"/);
  assert.throws(() => parseWorkerList('two', max), /"two"/);
  assert.throws(() => parseWorkerList(' ', max), /at least one pool size/);
  assert.throws(() => parseWorkerList('5, 2000', { max: 1000, label: 'C values', what: 'concurrency' }), /^Error: C values: "2000" is not a concurrency from 1 to 1000$/);
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

test('CSV has a header and one row per object, in the columns given, quoted where needed', () => {
  const csv = toCSV([{ workers: 1, ms: 10, hashes: 5 }, { workers: 2, url: 'http://a/?q="x",y' }], ['workers', 'ms', 'url']);
  assert.equal(csv, 'workers,ms,url\n1,10,\n2,,"http://a/?q=""x"",y"\n');
  assert.equal(csvCell('a\nb'), '"a\nb"');
  assert.equal(csvCell(null), '');
  assert.equal(csvCell(false), 'false');
});

test('worker lists: any list of sizes round-trips, any other text is refused by name (randomized)', () => {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const seps = [',', ' ', ';', ', ', '\n', '\t'];
  for (let i = 0; i < 500; i++) {
    const sizes = Array.from({ length: 1 + Math.floor(rand() * 8) }, () => 1 + Math.floor(rand() * 128));
    const text = sizes.map((n) => `${n}${seps[Math.floor(rand() * seps.length)]}`).join('');
    assert.deepEqual(parseWorkerList(text, { max: 128 }), [...new Set(sizes)].sort((a, b) => a - b));
    const junk = Array.from({ length: Math.floor(rand() * 12) }, () => String.fromCharCode(32 + Math.floor(rand() * 95))).join('');
    try {
      const got = parseWorkerList(junk, { max: 128 });
      assert.ok(got.every((n) => Number.isInteger(n) && n >= 1 && n <= 128), junk);
    } catch (e) {
      assert.match(e.message, /^workers list: /, junk);
    }
  }
});
