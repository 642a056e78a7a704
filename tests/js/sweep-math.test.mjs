import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, defaultWorkerList, parseWorkerList, withSpeedup, fitAmdahl, fitAmdahlOnCores, spread, pointSpread, sweepNoise, axisTop } from '../../www/ui/sweep-math.js';
import { busyByWorker, drawTimeline, timelineRows, timelineCaption, MAX_ROWS } from '../../www/ui/timeline.js';
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

test('the spread of repeated runs: median, extremes, and the largest distance from the median', () => {
  const s = spread([412, 400, 437]);
  assert.equal(s.median, 412);
  assert.equal(s.min, 400);
  assert.equal(s.max, 437);
  assert.equal(s.runs, 3);
  assert.ok(Math.abs(s.plusMinus - 25 / 412) < 1e-12, 'the far side, not the mean distance');
  assert.equal(spread([5]).plusMinus, 0);
  assert.equal(pointSpread({ ms: 100, minMs: 90, maxMs: 104 }), 0.1);
  assert.equal(pointSpread({ ms: 100 }), 0, 'one run, no spread');
});

test('the sweep noise is the worst point, and only points run more than once count', () => {
  const noise = sweepNoise([
    { workers: 1, ms: 1000, minMs: 990, maxMs: 1010, runs: 3 },
    { workers: 2, ms: 500, minMs: 440, maxMs: 505, runs: 3 },
    { workers: 4, ms: 300, minMs: 100, maxMs: 900, runs: 1 },
  ]);
  assert.deepEqual(noise, { plusMinus: 0.12, workers: 2 });
  assert.equal(sweepNoise([{ workers: 1, ms: 10, minMs: 10, maxMs: 10, runs: 1 }]), null);
});

test('end-to-end speed-up counts the pool start, against one worker\'s start + compute', () => {
  const pts = withSpeedup([
    { workers: 100, ms: 520, poolStartMs: 2000 },
    { workers: 1, ms: 1000, poolStartMs: 50 },
    { workers: 2, ms: 510, poolStartMs: 60 },
  ]);
  assert.deepEqual(pts.map((p) => p.endToEndMs), [1050, 570, 2520]);
  assert.ok(Math.abs(pts[2].speedup - 1000 / 520) < 1e-12, 'compute speed-up near 2× at N = 100');
  assert.ok(Math.abs(pts[2].endToEndSpeedup - 1050 / 2520) < 1e-12, 'end to end, 100 workers lose to one');
  assert.ok(pts[2].endToEndSpeedup < 1 && pts[2].speedup > 1.9);
  assert.equal(pts[0].endToEndSpeedup, 1);
  assert.equal(withSpeedup([{ workers: 1, ms: 10 }, { workers: 2, ms: 5 }])[1].endToEndSpeedup, undefined, 'no pool start, no end-to-end');
});

test('Amdahl is fitted on N <= cores only; past the cores the points are left out', () => {
  const s = 0.05;
  const amdahl = (n) => 1000 * (s + (1 - s) / n);
  // On 8 cores: the points past 8 are far worse than any serial fraction predicts
  // (oversubscription); a fit over all of them would blame a big serial fraction.
  const pts = [1, 2, 4, 8].map((w) => ({ workers: w, ms: amdahl(w) })).concat([{ workers: 16, ms: 400 }, { workers: 100, ms: 900 }]);
  const fit = fitAmdahlOnCores(pts, 8);
  assert.equal(fit.kind, 'fit');
  assert.deepEqual(fit.fittedOn, [2, 4, 8]);
  assert.ok(Math.abs(fit.serial - s) < 1e-9, `serial ${fit.serial}`);
  assert.ok(Math.abs(fit.speedup(100) - fit.speedup(8)) < 1e-12, 'the model levels off at the cores');
  assert.ok(fitAmdahl(pts, 8).serial > s + 0.01, 'the old fit over every point is pulled off by them');

  const two = fitAmdahlOnCores([{ workers: 1, ms: 1000 }, { workers: 2, ms: 550 }, { workers: 4, ms: 560 }, { workers: 100, ms: 700 }], 2);
  assert.equal(two.kind, 'one point', 'on 2 cores only N = 2 is past N = 1: one ratio, not a fit');
  assert.deepEqual(two.fittedOn, [2]);
  assert.ok(Math.abs(two.serial - 0.1) < 1e-9, '550 = 1000 × (s + (1 − s)/2) gives s = 0.1');

  const none = fitAmdahlOnCores([{ workers: 1, ms: 1000 }, { workers: 16, ms: 300 }], 8);
  assert.equal(none.kind, 'none');
  assert.equal(none.serial, null);
  assert.equal(none.speedup, null);
  assert.equal(fitAmdahlOnCores([{ workers: 1, ms: 100 }, { workers: 2, ms: 40 }], 2).serial, 0, 'superlinear is clamped to 0');
});

test('the y axis ends a little above the data, at a round number', () => {
  assert.equal(axisTop([1, 1.9, 0.4]), 2.5);
  assert.equal(axisTop([1, 1.9], 2.1), 2.5);
  assert.equal(axisTop([0.97, 0.6], 1.05), 1.2);
  assert.equal(axisTop([7800, null, NaN]), 10000);
  assert.equal(axisTop([]), 1);
  assert.ok(axisTop([1, 1.95, 100].slice(0, 2)) < 3, 'not the ideal 100×');
});

test('timeline rows: one per worker up to MAX_ROWS, then about 20 groups', () => {
  assert.deepEqual(timelineRows(2), { group: 1, rows: 2 });
  assert.deepEqual(timelineRows(MAX_ROWS), { group: 1, rows: MAX_ROWS });
  assert.deepEqual(timelineRows(25), { group: 2, rows: 13 });
  assert.deepEqual(timelineRows(100), { group: 5, rows: 20 });
  assert.deepEqual(timelineRows(128), { group: 7, rows: 19 });
  for (let n = 1; n <= 128; n++) {
    const { group, rows } = timelineRows(n);
    assert.ok(rows <= MAX_ROWS && rows * group >= n && (rows - 1) * group < n, `${n}`);
  }
});

test('busy shares are of the run\'s span, each from 0 to 100%', () => {
  const spans = [
    { worker: 0, startMs: 0, endMs: 60 }, { worker: 0, startMs: 50, endMs: 80 }, // overlapping: counted once
    { worker: 1, startMs: 10, endMs: 30 }, { worker: 1, startMs: 90, endMs: 140 }, // past the run's end: clipped
    { worker: 5, startMs: 0, endMs: 10 }, // no such worker: neither drawn nor counted
  ];
  const t = busyByWorker(spans, 3, 100);
  assert.equal(t.endMs, 140, 'the later of the run and its last bar');
  assert.deepEqual(t.busy, [80, 70, 0]);
  assert.deepEqual(t.perWorkerTasks, [2, 2, 0]);
  for (const b of t.busy) assert.ok(b >= 0 && b <= t.endMs);
  const line = timelineCaption(t, 'tasks');
  assert.match(line, /^4 tasks over 140 ms; each worker busy 0–57% \(mean 36%\) of the run\. 1 of 3 workers got no task\.$/);
  assert.match(timelineCaption({ ...busyByWorker([{ worker: 0, startMs: 0, endMs: 5 }], 100, 10), group: 5 }, 'tasks'), /Each row is 5 workers/);
});

/** A canvas that records what is drawn on it (the plot's bars: fillRect below the axis). */
function recordingCanvas(width = 900) {
  /** @type {{x: number, y: number, w: number, h: number, style: string}[]} */
  const rects = [];
  const ctx = {
    fillStyle: '', font: '', textBaseline: '',
    setTransform() {}, clearRect() {}, fillText() {},
    measureText: (/** @type {string} */ t) => ({ width: 6 * t.length }),
    fillRect(/** @type {number[]} */ ...[x, y, w, h]) { rects.push({ x, y, w, h, style: ctx.fillStyle }); },
  };
  const canvas = /** @type {any} */ ({ width: 0, height: 0, style: {}, parentElement: { clientWidth: width }, getContext: () => ctx });
  return { canvas, rects };
}

test('a timeline draws a bar per task where tasks are wide, and per pixel column where they are not', () => {
  /** @type {any} */ (globalThis).devicePixelRatio ??= 1;
  // Wide: 2 workers, 10 tasks each over 100 ms: every task its own bar, shades alternating.
  const wide = Array.from({ length: 20 }, (_, i) => ({ worker: i % 2, startMs: (i >> 1) * 10, endMs: (i >> 1) * 10 + 9.5, items: 1 }));
  const a = recordingCanvas();
  drawTimeline(a.canvas, wide, 2, { spanMs: 100 });
  const bars = (/** @type {typeof a.rects} */ rects) => rects.filter((r) => r.h > 0 && r.w > 0 && r.style !== '#f1f2ee' && r.style !== '#d9dcd6');
  const wideBars = bars(a.rects);
  assert.equal(wideBars.length, 20, 'one bar per task');
  assert.equal(new Set(wideBars.filter((r) => r.y === 0).map((r) => r.style)).size, 2, 'neighbours in two shades');
  // Narrow: 16,384 tasks (a 2^30-nonce run) on a few hundred pixels: one rect per pixel
  // column and worker at most, each full height where the worker was busy throughout.
  const narrow = Array.from({ length: 16384 }, (_, i) => ({ worker: i % 2, startMs: (i >> 1) * 0.9, endMs: ((i >> 1) + 1) * 0.9, items: 1 }));
  const b = recordingCanvas();
  drawTimeline(b.canvas, narrow, 2, { spanMs: 8192 * 0.9 });
  const narrowBars = bars(b.rects);
  assert.ok(narrowBars.length <= 2 * 900, `at most a rect per column and worker, not per task (${narrowBars.length})`);
  const rowH = Math.max(...narrowBars.map((r) => r.h));
  assert.ok(narrowBars.every((r) => Math.abs(r.h - rowH) < 1e-6), 'busy throughout: every column full height');
  for (const w of [0, 1]) {
    const row = narrowBars.filter((r) => Math.round(r.y / (rowH + 2)) === w);
    const covered = row.reduce((s, r) => s + r.w, 0);
    const span = Math.max(...row.map((r) => r.x + r.w)) - Math.min(...row.map((r) => r.x));
    assert.ok(covered >= span * 0.99, `worker ${w}: no gaps drawn where there were none`);
  }
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
