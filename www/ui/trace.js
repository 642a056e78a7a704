// Chrome trace-event JSON: the file format chrome://tracing and https://ui.perfetto.dev
// open. Each source becomes complete events (ph 'X': a start `ts` and a duration `dur`,
// both in microseconds) on numbered threads (`tid`), plus metadata events (ph 'M')
// that name the process and its threads. Pure functions, except `traceDownload`.
// Format: "Trace Event Format" (Google, 2016), the JSON object form.
import { download } from './dom.js';

/**
 * One trace event. `ts` and `dur` are in microseconds.
 * @typedef {object} TraceEvent
 * @property {string} name
 * @property {string} [cat]
 * @property {'X' | 'M' | 'i'} ph
 * @property {number} [ts]
 * @property {number} [dur]
 * @property {number} pid
 * @property {number} tid
 * @property {'t' | 'p' | 'g'} [s]  scope of an instant event
 * @property {Record<string, unknown>} [args]
 */

/** The thread id of the executor's queue: tasks that never reached a worker. */
export const QUEUE_TID = 9999;

/**
 * Milliseconds (the lab's unit) to microseconds (the trace's), kept to the nanosecond.
 * @param {number} msv
 */
export function us(msv) {
  return Math.round(msv * 1e6) / 1e3;
}

/**
 * The metadata events naming a process and its threads, sorted as given.
 * @param {number} pid
 * @param {string} process
 * @param {[number, string][]} threads  [tid, name]
 * @returns {TraceEvent[]}
 */
export function traceNames(pid, process, threads) {
  /** @type {TraceEvent[]} */
  const out = [{ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: process } }];
  threads.forEach(([tid, name], i) => {
    out.push({ name: 'thread_name', ph: 'M', pid, tid, args: { name } });
    out.push({ name: 'thread_sort_index', ph: 'M', pid, tid, args: { sort_index: i } });
  });
  return out;
}

/**
 * A complete event from `startMs` to `endMs` (never a negative duration).
 * @param {string} name
 * @param {string} cat
 * @param {number} pid
 * @param {number} tid
 * @param {number} startMs
 * @param {number} endMs
 * @param {Record<string, unknown>} args
 * @returns {TraceEvent}
 */
function complete(name, cat, pid, tid, startMs, endMs, args) {
  const ts = us(startMs);
  return { name, cat, ph: 'X', ts, dur: Math.max(0, Math.round((us(endMs) - ts) * 1e3) / 1e3), pid, tid, args };
}

/**
 * GIL lanes (lab.gil's `lane`): one thread per Python thread (or coroutine), one
 * event per interval, named by its state.
 * @param {import('../types.js').LaneInterval[]} lane
 * @param {{threads?: number, labels?: string[], process?: string, pid?: number}} [o]
 *   threads: how many to name (at least those in the lane); labels: their names
 * @returns {TraceEvent[]}
 */
export function traceFromLanes(lane, { threads = 0, labels = [], process = 'GIL lanes', pid = 1 } = {}) {
  const n = lane.reduce((m, i) => Math.max(m, i.thread + 1), threads);
  /** @type {[number, string][]} */
  const names = Array.from({ length: n }, (_, t) => [t, labels[t] ?? `thread ${t}`]);
  return [
    ...traceNames(pid, process, names),
    ...lane.map((i) => complete(i.state, 'gil', pid, i.thread, i.startMs, i.endMs, { thread: i.thread, state: i.state })),
  ];
}

/**
 * The pool's tasks of a mining or primes run (Span: {worker, startMs, endMs, items}):
 * one thread per worker, one event per task or chunk.
 * @param {import('../types.js').Span[]} spans
 * @param {string} name  what a span is: 'task', 'chunk'
 * @param {{process?: string, pid?: number}} [o]
 * @returns {TraceEvent[]}
 */
export function traceFromSpans(spans, name, { process = 'worker pool', pid = 1 } = {}) {
  const workers = [...new Set(spans.map((s) => s.worker))].sort((a, b) => a - b);
  return [
    ...traceNames(pid, process, workers.map((w) => [w, `worker ${w}`])),
    ...spans.map((s) => complete(name, name, pid, s.worker, s.startMs, s.endMs, { worker: s.worker, items: s.items })),
  ];
}

/**
 * An event-loop experiment's spans (lab.loop): one thread per task name, in order of
 * first appearance (gathered tasks overlap, so they cannot share one trace thread).
 * @param {{task: string, startMs: number, endMs: number, kind?: string}[]} spans
 * @param {{process?: string, pid?: number}} [o]
 * @returns {TraceEvent[]}
 */
export function traceFromLoop(spans, { process = 'event loop', pid = 1 } = {}) {
  /** @type {Map<string, number>} */
  const tids = new Map();
  for (const s of spans) if (!tids.has(s.task)) tids.set(s.task, tids.size);
  return [
    ...traceNames(pid, process, [...tids].map(([task, tid]) => [tid, task])),
    ...spans.map((s) => complete(s.task, s.kind ?? 'task', pid, tids.get(s.task) ?? 0, s.startMs, s.endMs, { kind: s.kind ?? null })),
  ];
}

/**
 * An executor run's tasks (lab.executor): one thread per worker. A task that started
 * and never ended (a deadlock ended by the watchdog) lasts until `endMs` and says so; a
 * task that never reached a worker is an instant event at `endMs` on a "queue" thread.
 * @param {{name: string, label?: string | null, state: string, worker: number | null, startMs: number | null, endMs: number | null}[]} tasks
 * @param {{endMs?: number, process?: string, pid?: number}} [o]  endMs: the run's end
 * @returns {TraceEvent[]}
 */
export function traceFromTasks(tasks, { endMs = 0, process = 'executor', pid = 1 } = {}) {
  const ran = tasks.filter((t) => t.worker !== null && t.startMs !== null);
  const queued = tasks.filter((t) => !ran.includes(t));
  const workers = [...new Set(ran.map((t) => /** @type {number} */ (t.worker)))].sort((a, b) => a - b);
  /** @type {[number, string][]} */
  const names = workers.map((w) => [w, `worker ${w}`]);
  if (queued.length) names.push([QUEUE_TID, 'queue (never ran)']);
  const end = ran.reduce((m, t) => Math.max(m, t.endMs ?? t.startMs ?? 0), endMs);
  return [
    ...traceNames(pid, process, names),
    ...ran.map((t) => complete(t.label || t.name, 'task', pid, /** @type {number} */ (t.worker), /** @type {number} */ (t.startMs), t.endMs ?? end, {
      task: t.name, state: t.state, finished: t.endMs !== null,
    })),
    ...queued.map((t) => /** @type {TraceEvent} */ ({
      name: t.label || t.name, cat: 'task', ph: 'i', s: 't', ts: us(end), pid, tid: QUEUE_TID, args: { task: t.name, state: t.state },
    })),
  ];
}

/**
 * The JSON object form of a trace, times shown in milliseconds.
 * @param {TraceEvent[]} events
 */
export function traceJSON(events) {
  return JSON.stringify({ traceEvents: events, displayTimeUnit: 'ms' });
}

/**
 * Points a download link at a trace file.
 * @param {HTMLAnchorElement} a
 * @param {string} name  file name, e.g. 'gil-trace.json'
 * @param {TraceEvent[]} events
 */
export function traceDownload(a, name, events) {
  download(a, name, traceJSON(events), 'application/json');
  a.title = `${events.filter((e) => e.ph !== 'M').length} events; open it in ui.perfetto.dev or chrome://tracing`;
}
