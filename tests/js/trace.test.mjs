import { test } from 'node:test';
import assert from 'node:assert/strict';
import { us, traceFromLanes, traceFromSpans, traceFromLoop, traceFromTasks, traceJSON, traceNames, QUEUE_TID } from '../../www/ui/trace.js';

/** @param {import('../../www/ui/trace.js').TraceEvent[]} ev */
const complete = (ev) => ev.filter((e) => e.ph === 'X');
/** @param {import('../../www/ui/trace.js').TraceEvent[]} ev */
const threadNames = (ev) => Object.fromEntries(ev.filter((e) => e.name === 'thread_name').map((e) => [e.tid, e.args?.name]));

test('milliseconds become microseconds, to the nanosecond', () => {
  assert.equal(us(1), 1000);
  assert.equal(us(1.5), 1500);
  assert.equal(us(0), 0);
  assert.equal(us(0.000_001), 0.001);
  assert.equal(us(2374.110107421875), 2374110.107);
  assert.equal(us(0.1 + 0.2), 300, 'no float noise in the output');
});

/** @type {import('../../www/types.js').LaneInterval[]} */
const lane = [
  { thread: 0, state: 'wait', startMs: 0.47, endMs: 0.615 },
  { thread: 0, state: 'run', startMs: 0.615, endMs: 6.085 },
  { thread: 1, state: 'wait', startMs: 0.915, endMs: 6.11 },
  { thread: 1, state: 'run', startMs: 6.11, endMs: 15.295 },
  { thread: 2, state: 'sleep', startMs: 1, endMs: 21 },
];

test('GIL lanes: one complete event per interval, on its thread, named by its state', () => {
  const ev = traceFromLanes(lane);
  const x = complete(ev);
  assert.equal(x.length, lane.length);
  x.forEach((e, i) => {
    assert.equal(e.tid, lane[i].thread);
    assert.equal(e.name, lane[i].state);
    assert.equal(e.ts, us(lane[i].startMs));
    assert.ok(Math.abs((e.dur ?? -1) - (lane[i].endMs - lane[i].startMs) * 1000) < 1e-6);
    assert.equal(e.dur, Math.round(e.dur * 1000) / 1000, 'kept to the nanosecond');
    assert.equal(e.pid, 1);
    assert.equal(e.cat, 'gil');
  });
  // Nothing lost: the time in each state adds up to the lane's.
  for (const state of ['run', 'wait', 'sleep']) {
    const want = lane.filter((i) => i.state === state).reduce((s, i) => s + (i.endMs - i.startMs) * 1000, 0);
    const got = x.filter((e) => e.name === state).reduce((s, e) => s + (e.dur ?? 0), 0);
    assert.ok(Math.abs(got - want) < 1e-6, `${state}: ${got} vs ${want}`);
  }
});

test('GIL lanes: every thread is named, idle ones too, with the labels given', () => {
  const ev = traceFromLanes(lane, { threads: 4, labels: ['T0 cpu', 'T1 io'], process: 'gil, 4 threads', pid: 7 });
  assert.deepEqual(threadNames(ev), { 0: 'T0 cpu', 1: 'T1 io', 2: 'thread 2', 3: 'thread 3' });
  const proc = ev.find((e) => e.name === 'process_name');
  assert.deepEqual(proc, { name: 'process_name', ph: 'M', pid: 7, tid: 0, args: { name: 'gil, 4 threads' } });
  assert.ok(ev.every((e) => e.pid === 7));
  const sort = ev.filter((e) => e.name === 'thread_sort_index').map((e) => [e.tid, e.args?.sort_index]);
  assert.deepEqual(sort, [[0, 0], [1, 1], [2, 2], [3, 3]]);
});

test('an empty lane gives the names only', () => {
  const ev = traceFromLanes([], { threads: 2 });
  assert.equal(complete(ev).length, 0);
  assert.equal(ev.filter((e) => e.ph === 'M' && e.name === 'thread_name').length, 2);
});

test('pool spans (mining, primes): tid is the worker, items kept in args', () => {
  const spans = [
    { worker: 1, startMs: 0, endMs: 10, items: 65536 },
    { worker: 0, startMs: 0.5, endMs: 9.5, items: 65536 },
    { worker: 1, startMs: 10, endMs: 20.25, items: 1000 },
  ];
  const ev = traceFromSpans(spans, 'task');
  const x = complete(ev);
  assert.equal(x.length, 3);
  assert.deepEqual(x.map((e) => [e.tid, e.ts, e.dur, e.args?.items]), [[1, 0, 10000, 65536], [0, 500, 9000, 65536], [1, 10000, 10250, 1000]]);
  assert.ok(x.every((e) => e.name === 'task'));
  assert.deepEqual(threadNames(ev), { 0: 'worker 0', 1: 'worker 1' });
});

test('loop spans: one thread per task name, so overlapping tasks never share one', () => {
  const spans = [
    { task: 'Task-1', kind: 'sleep', startMs: 0.1, endMs: 408.8 },
    { task: 'Task-2', kind: 'sleep', startMs: 1.3, endMs: 209.7 },
    { task: 'value', kind: 'value', startMs: 0, endMs: 100 },
    { task: 'value', kind: 'value', startMs: 100, endMs: 200 },
    { task: 'CPU step', startMs: 5, endMs: 50 },
  ];
  const ev = traceFromLoop(spans);
  const x = complete(ev);
  assert.equal(x.length, spans.length);
  assert.deepEqual(x.map((e) => e.tid), [0, 1, 2, 2, 3]);
  assert.deepEqual(threadNames(ev), { 0: 'Task-1', 1: 'Task-2', 2: 'value', 3: 'CPU step' });
  assert.equal(x[4].cat, 'task', 'a span without a kind is a task');
  // No two events on one thread overlap.
  for (const a of x) for (const b of x) {
    if (a !== b && a.tid === b.tid) assert.ok(a.ts + a.dur <= b.ts || b.ts + b.dur <= a.ts);
  }
});

test('executor tasks: tid is the worker; an unfinished task runs to the end; a queued one is an instant', () => {
  const tasks = [
    { name: 'a', label: 'wait_on_b', state: 'blocked', worker: 0, startMs: 0, endMs: null },
    { name: 'b', label: 'wait_on_a', state: 'blocked', worker: 1, startMs: 0.5, endMs: null },
    { name: 'c', label: null, state: 'done', worker: 1, startMs: 1, endMs: 2 },
    { name: 'd', label: 'pow', state: 'queued', worker: null, startMs: null, endMs: null },
  ];
  const ev = traceFromTasks(tasks, { endMs: 1500 });
  const x = complete(ev);
  assert.equal(x.length, 3);
  assert.deepEqual(x.map((e) => [e.name, e.tid, e.ts, e.dur, e.args?.finished]), [
    ['wait_on_b', 0, 0, 1_500_000, false], ['wait_on_a', 1, 500, 1_499_500, false], ['c', 1, 1000, 1000, true]]);
  const inst = ev.filter((e) => e.ph === 'i');
  assert.equal(inst.length, 1);
  assert.deepEqual([inst[0].name, inst[0].tid, inst[0].ts, inst[0].s], ['pow', QUEUE_TID, 1_500_000, 't']);
  assert.deepEqual(threadNames(ev), { 0: 'worker 0', 1: 'worker 1', [QUEUE_TID]: 'queue (never ran)' });
  // Every task is in the file exactly once.
  assert.deepEqual(ev.filter((e) => e.ph !== 'M').map((e) => e.args?.task).sort(), ['a', 'b', 'c', 'd']);
});

test('the file is the JSON object form with the times shown in ms', () => {
  const events = [...traceNames(1, 'p', [[0, 't']]), ...complete(traceFromLanes(lane))];
  const back = JSON.parse(traceJSON(events));
  assert.equal(back.displayTimeUnit, 'ms');
  assert.deepEqual(back.traceEvents, events);
  for (const e of back.traceEvents.filter((/** @type {any} */ e) => e.ph === 'X')) {
    for (const k of ['name', 'cat', 'ph', 'ts', 'dur', 'pid', 'tid', 'args']) assert.ok(k in e, k);
    assert.ok(e.dur >= 0);
  }
});
