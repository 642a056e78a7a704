//! `concurrent.futures` executors on real threads: the course's two executor deadlocks
//! form for real, and a watchdog catches them and names the cycle.
//!
//! # What is modelled
//!
//! CPython's `ThreadPoolExecutor` (`Lib/concurrent/futures/thread.py`): `submit` wraps
//! the call in a `_WorkItem`, puts it on the executor's FIFO `_work_queue` and returns
//! its `Future` at once; at most `max_workers` worker threads (`_worker`) take items off
//! that queue in order and run them to the end, one at a time each. CPython starts the
//! threads lazily (`_adjust_thread_count`: a new one per submit while none is idle and
//! fewer than `max_workers` exist); here all `max_workers` exist from the start, which
//! schedules the same way. `Future.result(timeout)` (`Lib/concurrent/futures/_base.py`)
//! returns at once if the future is finished, else waits on the future's condition; if
//! `timeout` passes first it raises `TimeoutError` and the future keeps running; if the
//! call raised, `result()` raises the same exception in the caller.
//!
//! The documentation's `ThreadPoolExecutor` section warns: "Deadlocks can occur when the
//! callable associated with a Future waits on the results of another Future", with two
//! examples, which the course repeats and which are presets here ([`presets`]):
//! `wait_on_b` and `wait_on_a` submitted as futures `a` and `b` on two workers, each
//! calling `result()` on the other's future (a cycle); and `wait_on_future` on a
//! one-worker pool submitting `pow` and waiting for it (`pow` can never start, because the
//! only worker is the one waiting: starvation).
//!
//! # The model
//!
//! A job ([`ExecutorJob`]) is a set of tasks ([`TaskSpec`]); a future is named by its
//! task's name. The main program submits [`ExecutorJob::submit`] in order, then waits for
//! everything, as leaving the `with` block (`shutdown(wait=True)`) does. A task, when a
//! worker runs it: works `work_ms` (`time.sleep`, slept in short slices), then submits its
//! `submits` (queued behind whatever is queued already), then calls `result(timeout)` on
//! each of `waits_for` in order.
//!
//! Exceptions propagate as in the course's code, which catches nothing: a `result()`
//! that times out raises `TimeoutError` in the waiting task, which therefore fails; a
//! `result()` on a future that failed re-raises that future's exception, so the waiting
//! task fails too. A failed task stops at once (its later `result()` calls are not made).
//! The run then ends [`Ended::Timeout`], naming the first `result()` that timed out.
//!
//! # The threads
//!
//! Everything runs on the current rayon pool with `rayon::broadcast`: pool thread 0 is
//! the Python program's main thread (it submits, then is the watchdog), pool threads
//! `1..=max_workers` are the executor's workers `0..max_workers`, and any other pool
//! threads return at once. So the pool needs [`ExecutorJob::pool_needed`] threads.
//! The head of the queue goes to the lowest-numbered idle worker (in CPython whichever
//! idle thread wakes first takes it): the schedule is one CPython could take, and worker
//! numbers are the same from run to run, so the pair always runs `a` on worker 0.
//!
//! # The watchdog
//!
//! All run state sits in one `Mutex` with one `Condvar`, and every change of state
//! happens under that lock and notifies the condvar, so the watchdog (woken by every
//! change, and at least every [`WATCHDOG_POLL_MS`]) judges an exact snapshot. The run is
//! a deadlock when some task is unfinished and none can make progress: every unfinished
//! task either waits, with no timeout, on a future that is not finished, or is queued or
//! not yet submitted while no worker is idle. A working task, a `result()` with a
//! pending timeout, a `result()` on a future that has just finished, or an idle worker
//! with a non-empty queue all mean progress is possible. Since the state only changes
//! when some thread makes progress, the moment of the last change is the moment the run
//! got stuck, and the report gives the watchdog's latency from it. The cycle is then found by
//! following wait-for edges from a stuck running task until a task repeats (a cycle, of
//! any length, a task waiting on itself included) or a queued or unsubmitted task is
//! reached (starvation: every worker waits on work that needs a worker).
//!
//! In Python a deadlocked program hangs forever. The lab cannot leave threads of its
//! pool blocked, so after the watchdog's verdict it releases them: every blocking wait
//! here is a `Condvar::wait_timeout` slice, and every waiter re-checks the run's end
//! flag after each wake. The report says so ([`ExecutorReport::note`]).
//!
//! Built for wasm32 Web Workers as well as native: no `Instant` or `SystemTime`, no wait
//! that reads the clock inside std; all time comes from the caller's clock.

use crate::error::ArgError;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

// ---------------------------------------------------------------------------------
// Limits.
// ---------------------------------------------------------------------------------

/// Most workers an executor may have (`max_workers`); the pool needs one thread more.
pub const MAX_EXECUTOR_WORKERS: usize = 32;
/// Most tasks (futures) in a job.
pub const MAX_TASKS: usize = 64;
/// Most `result()` calls one task makes.
pub const MAX_WAITS_PER_TASK: usize = 64;
/// Largest `workMs` and `timeoutMs` accepted: a minute.
pub const MAX_TASK_MS: f64 = 60_000.0;
/// Longest task name, in characters.
pub const MAX_NAME_CHARS: usize = 40;
/// Longest task label, in characters.
pub const MAX_LABEL_CHARS: usize = 60;
/// The lab's hard limit on a run: past it the run ends [`Ended::Stopped`].
pub const MAX_RUN_MS: f64 = 120_000.0;
/// Longest the watchdog sleeps between two looks (it is also woken by every change).
pub const WATCHDOG_POLL_MS: f64 = 25.0;
/// Longest slice of a task's work (`time.sleep`) between two looks at the end flag.
const WORK_SLICE_MS: f64 = 5.0;
/// Longest slice of a blocked wait between two looks at the end flag.
const WAIT_SLICE_MS: f64 = 50.0;

// ---------------------------------------------------------------------------------
// The job.
// ---------------------------------------------------------------------------------

/// One callable submitted to the executor, and its future (named by `name`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaskSpec {
    /// The future's name, e.g. `a`; unique in the job.
    pub name: String,
    /// The Python function it runs, e.g. `wait_on_b`.
    #[serde(default)]
    pub label: Option<String>,
    /// Work before anything else (`time.sleep(work_ms / 1000)`), in ms.
    #[serde(default)]
    pub work_ms: f64,
    /// Tasks it submits after its work (nested `executor.submit`).
    #[serde(default)]
    pub submits: Vec<String>,
    /// Futures whose `result()` it calls, in order, after submitting.
    #[serde(default)]
    pub waits_for: Vec<String>,
    /// `result(timeout=…)` for each of those calls, in ms; `None` waits forever.
    #[serde(default)]
    pub timeout_ms: Option<f64>,
}

/// A `ThreadPoolExecutor(max_workers)` and what the program submits to it.
///
/// The default is the course's first deadlock (the `deadlock-pair` preset).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ExecutorJob {
    /// `ThreadPoolExecutor(max_workers=…)`: 1 to [`MAX_EXECUTOR_WORKERS`].
    pub max_workers: usize,
    /// Tasks the main program submits, in order.
    pub submit: Vec<String>,
    /// Every task of the job; each must be submitted exactly once (by the main program
    /// or by one task that itself gets to run).
    pub tasks: Vec<TaskSpec>,
}

impl Default for ExecutorJob {
    fn default() -> Self {
        pair_job(2, None)
    }
}

fn check_ms(arg: String, v: f64) -> Result<(), ArgError> {
    if v.is_finite() && (0.0..=MAX_TASK_MS).contains(&v) {
        Ok(())
    } else {
        Err(ArgError::new(arg, format!("must be a number of ms from 0 to {MAX_TASK_MS} (got {v})")))
    }
}

/// Who submits a task: the main program or another task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Submitter {
    Main,
    Task(usize),
}

impl ExecutorJob {
    /// Threads the rayon pool needs: the workers and the main program's thread.
    pub fn pool_needed(&self) -> usize {
        self.max_workers.saturating_add(1)
    }

    /// The job if it is valid; otherwise which argument is wrong (camelCase, with the
    /// task's index, e.g. `tasks[1].waitsFor`) and why, naming the offending task.
    pub fn check(self) -> Result<ExecutorJob, ArgError> {
        self.submitters().map(|_| self)
    }

    /// Validates, and returns who submits each task.
    fn submitters(&self) -> Result<Vec<Submitter>, ArgError> {
        let w = self.max_workers;
        if !(1..=MAX_EXECUTOR_WORKERS).contains(&w) {
            return Err(ArgError::new("maxWorkers", format!("must be from 1 to {MAX_EXECUTOR_WORKERS} (got {w})")));
        }
        let n = self.tasks.len();
        if n == 0 {
            return Err(ArgError::new("tasks", "must have at least one task"));
        }
        if n > MAX_TASKS {
            return Err(ArgError::new("tasks", format!("at most {MAX_TASKS} tasks (got {n})")));
        }
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (i, t) in self.tasks.iter().enumerate() {
            let arg = format!("tasks[{i}].name");
            if t.name.trim().is_empty() {
                return Err(ArgError::new(arg, "must not be empty"));
            }
            let chars = t.name.chars().count();
            if chars > MAX_NAME_CHARS {
                return Err(ArgError::new(arg, format!("at most {MAX_NAME_CHARS} characters (got {chars})")));
            }
            if let Some(j) = index.get(t.name.as_str()) {
                return Err(ArgError::new(arg, format!("\"{}\" is already the name of tasks[{j}]", t.name)));
            }
            index.insert(&t.name, i);
            if let Some(label) = &t.label {
                let chars = label.chars().count();
                if chars > MAX_LABEL_CHARS {
                    return Err(ArgError::new(
                        format!("tasks[{i}].label"),
                        format!("at most {MAX_LABEL_CHARS} characters (got {chars})"),
                    ));
                }
            }
            check_ms(format!("tasks[{i}].workMs"), t.work_ms)?;
            if let Some(ms) = t.timeout_ms {
                check_ms(format!("tasks[{i}].timeoutMs"), ms)?;
            }
            if t.waits_for.len() > MAX_WAITS_PER_TASK {
                return Err(ArgError::new(
                    format!("tasks[{i}].waitsFor"),
                    format!("at most {MAX_WAITS_PER_TASK} result() calls (got {})", t.waits_for.len()),
                ));
            }
        }
        let describe = |s: Submitter| match s {
            Submitter::Main => "the main program".to_owned(),
            Submitter::Task(j) => format!("tasks[{j}] (\"{}\")", self.tasks[j].name),
        };
        let twice = "a future is named by its task, so each task is submitted once";
        let mut by: Vec<Option<Submitter>> = vec![None; n];
        if self.submit.is_empty() {
            return Err(ArgError::new("submit", "must name at least one task for the main program to submit"));
        }
        for name in &self.submit {
            let Some(&j) = index.get(name.as_str()) else {
                return Err(ArgError::new("submit", format!("\"{name}\" is not a task")));
            };
            if by[j].is_some() {
                return Err(ArgError::new("submit", format!("\"{name}\" is submitted twice: {twice}")));
            }
            by[j] = Some(Submitter::Main);
        }
        for (i, t) in self.tasks.iter().enumerate() {
            let arg = format!("tasks[{i}].submits");
            for name in &t.submits {
                let Some(&j) = index.get(name.as_str()) else {
                    return Err(ArgError::new(arg, format!("\"{name}\" is not a task")));
                };
                if let Some(s) = by[j] {
                    return Err(ArgError::new(
                        arg,
                        format!("\"{name}\" is already submitted by {}: {twice}", describe(s)),
                    ));
                }
                by[j] = Some(Submitter::Task(i));
            }
        }
        for (i, t) in self.tasks.iter().enumerate() {
            let arg = format!("tasks[{i}].waitsFor");
            for name in &t.waits_for {
                let Some(&j) = index.get(name.as_str()) else {
                    return Err(ArgError::new(arg, format!("\"{name}\" is not a task")));
                };
                if by[j].is_none() {
                    return Err(ArgError::new(arg, format!("nobody submits \"{name}\"")));
                }
            }
        }
        let mut submitters = Vec::with_capacity(n);
        for (i, t) in self.tasks.iter().enumerate() {
            let Some(s) = by[i] else {
                return Err(ArgError::new(
                    format!("tasks[{i}].name"),
                    format!("nobody submits \"{}\": name it in submit or in a task's submits", t.name),
                ));
            };
            // Each task has one submitter, so following them either reaches the main
            // program or goes round a loop of tasks that only submit each other.
            let mut cur = s;
            let mut steps = 0;
            while let Submitter::Task(j) = cur {
                steps += 1;
                if steps > n {
                    return Err(ArgError::new(
                        format!("tasks[{i}].name"),
                        format!(
                            "\"{}\" never runs: it is submitted by {}, and tasks that only submit each other never start",
                            t.name,
                            describe(s)
                        ),
                    ));
                }
                cur = by[j].unwrap_or(Submitter::Main);
            }
            submitters.push(s);
        }
        Ok(submitters)
    }
}

// ---------------------------------------------------------------------------------
// Presets.
// ---------------------------------------------------------------------------------

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Ended {
    /// Every task finished without an exception.
    Done,
    /// No task could ever make progress again: Python would hang here forever.
    Deadlock,
    /// Every task finished, but a `result(timeout)` raised `TimeoutError`.
    Timeout,
    /// `stop()` became true, or the lab's [`MAX_RUN_MS`] limit passed.
    Stopped,
}

/// A named example: the course's code, the job that models it, and how Python ends it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preset {
    pub id: &'static str,
    pub title: &'static str,
    /// One or two sentences for the learner.
    pub explanation: &'static str,
    /// The Python program it models.
    pub python: &'static str,
    /// How the run ends, as it would in Python.
    pub expected: Ended,
    pub job: ExecutorJob,
}

fn task(
    name: &str,
    label: &str,
    work_ms: f64,
    submits: &[&str],
    waits_for: &[&str],
    timeout_ms: Option<f64>,
) -> TaskSpec {
    TaskSpec {
        name: name.to_owned(),
        label: Some(label.to_owned()),
        work_ms,
        submits: submits.iter().map(|s| (*s).to_owned()).collect(),
        waits_for: waits_for.iter().map(|s| (*s).to_owned()).collect(),
        timeout_ms,
    }
}

/// Work of each task of the pair (the course sleeps 5 s).
const PAIR_WORK_MS: f64 = 300.0;

fn pair_job(max_workers: usize, a_timeout_ms: Option<f64>) -> ExecutorJob {
    ExecutorJob {
        max_workers,
        submit: vec!["a".into(), "b".into()],
        tasks: vec![
            task("a", "wait_on_b", PAIR_WORK_MS, &[], &["b"], a_timeout_ms),
            task("b", "wait_on_a", PAIR_WORK_MS, &[], &["a"], None),
        ],
    }
}

fn nested_job(max_workers: usize) -> ExecutorJob {
    ExecutorJob {
        max_workers,
        submit: vec!["wait_on_future".into()],
        tasks: vec![
            task("wait_on_future", "wait_on_future", 0.0, &["pow"], &["pow"], None),
            // pow(5, 2) is instant; 50 ms lets it show on a timeline.
            task("pow", "pow", 50.0, &[], &[], None),
        ],
    }
}

const PAIR_PY: &str = r#"import time
import concurrent.futures

def wait_on_b():
    time.sleep(0.3)  # the course sleeps 5 s
    print(b.result())  # b will never complete because it is waiting on a.
    return 5

def wait_on_a():
    time.sleep(0.3)
    print(a.result())  # a will never complete because it is waiting on b.
    return 6


with concurrent.futures.ThreadPoolExecutor(max_workers=2) as executor:
    a = executor.submit(wait_on_b)
    b = executor.submit(wait_on_a)
"#;

const PAIR_MORE_PY: &str = r#"import time
import concurrent.futures

def wait_on_b():
    time.sleep(0.3)
    print(b.result())
    return 5

def wait_on_a():
    time.sleep(0.3)
    print(a.result())
    return 6


with concurrent.futures.ThreadPoolExecutor(max_workers=3) as executor:
    a = executor.submit(wait_on_b)
    b = executor.submit(wait_on_a)
"#;

const PAIR_TIMEOUT_PY: &str = r#"import time
import concurrent.futures

def wait_on_b():
    time.sleep(0.3)
    print(b.result(timeout=0.3))  # raises TimeoutError after 0.3 s
    return 5

def wait_on_a():
    time.sleep(0.3)
    print(a.result())  # re-raises a's TimeoutError
    return 6


with concurrent.futures.ThreadPoolExecutor(max_workers=2) as executor:
    a = executor.submit(wait_on_b)
    b = executor.submit(wait_on_a)
"#;

const NESTED_PY: &str = r#"import concurrent.futures

def wait_on_future():
    f = executor.submit(pow, 5, 2)
    # This will never complete because there is only one worker thread and
    # it is executing this function.
    print(f.result())

with concurrent.futures.ThreadPoolExecutor(max_workers=1) as executor:
    executor.submit(wait_on_future)
"#;

const NESTED_TWO_PY: &str = r#"import concurrent.futures

def wait_on_future():
    f = executor.submit(pow, 5, 2)
    print(f.result())  # a second worker runs pow

with concurrent.futures.ThreadPoolExecutor(max_workers=2) as executor:
    executor.submit(wait_on_future)
"#;

const NO_WAIT_PY: &str = r#"import time
import concurrent.futures

def five():
    time.sleep(0.3)
    return 5

def six():
    time.sleep(0.3)
    return 6


with concurrent.futures.ThreadPoolExecutor(max_workers=2) as executor:
    a = executor.submit(five)
    b = executor.submit(six)
    print(a.result(), b.result())  # only the main thread waits
"#;

/// The named examples, in the order the page lists them: the course's two deadlocks,
/// and their fixes.
pub fn presets() -> Vec<Preset> {
    vec![
        Preset {
            id: "deadlock-pair",
            title: "Two futures waiting on each other",
            explanation: "a runs wait_on_b, which waits for b's result; b runs wait_on_a, which waits for a's. \
                          Each worker waits for the other's future, so neither ever finishes (the course sleeps 5 s \
                          first; the lab 0.3 s).",
            python: PAIR_PY,
            expected: Ended::Deadlock,
            job: pair_job(2, None),
        },
        Preset {
            id: "pair-more-workers",
            title: "More workers do not break a cycle",
            explanation: "The same pair on three workers: the third worker stays idle, because a and b still wait \
                          on each other. A cycle of result() calls deadlocks however big the pool is.",
            python: PAIR_MORE_PY,
            expected: Ended::Deadlock,
            job: pair_job(3, None),
        },
        Preset {
            id: "pair-timeout",
            title: "A timeout turns the hang into an error",
            explanation: "wait_on_b calls b.result(timeout=0.3): after 0.3 s it raises TimeoutError, so a fails, \
                          and b's a.result() re-raises that exception. Both futures finish, with errors.",
            python: PAIR_TIMEOUT_PY,
            expected: Ended::Timeout,
            job: pair_job(2, Some(300.0)),
        },
        Preset {
            id: "deadlock-nested",
            title: "Waiting on a future with the only worker",
            explanation: "wait_on_future submits pow to the same one-worker pool and waits for it. pow stays queued \
                          forever: the only worker is the one waiting for it.",
            python: NESTED_PY,
            expected: Ended::Deadlock,
            job: nested_job(1),
        },
        Preset {
            id: "nested-two-workers",
            title: "A second worker for the nested future",
            explanation: "The same code with max_workers=2: a second worker runs pow while the first waits, so \
                          wait_on_future gets its result.",
            python: NESTED_TWO_PY,
            expected: Ended::Done,
            job: nested_job(2),
        },
        Preset {
            id: "no-wait-inside",
            title: "Only the main program waits",
            explanation: "The tasks just work and return; the main program collects both results. No worker waits \
                          on another future, so nothing can deadlock.",
            python: NO_WAIT_PY,
            expected: Ended::Done,
            job: ExecutorJob {
                max_workers: 2,
                submit: vec!["a".into(), "b".into()],
                tasks: vec![
                    task("a", "five", PAIR_WORK_MS, &[], &[], None),
                    task("b", "six", PAIR_WORK_MS, &[], &[], None),
                ],
            },
        },
    ]
}

/// The preset with this id.
pub fn preset(id: &str) -> Option<Preset> {
    presets().into_iter().find(|p| p.id == id)
}

// ---------------------------------------------------------------------------------
// The report.
// ---------------------------------------------------------------------------------

/// Where a task (its future) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaskState {
    /// Its submitter has not run its `submit` yet.
    NotSubmitted,
    /// Submitted; waiting in the executor's queue for a free worker.
    Queued,
    /// On a worker, working (sleeping) or between two steps.
    Working,
    /// On a worker, blocked in `result()` on another future.
    Waiting,
    /// Returned.
    Done,
    /// Raised (here always `TimeoutError`, its own or re-raised).
    Failed,
}

/// How a `result()` call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallOutcome {
    /// The future's result came back.
    Returned,
    /// The timeout passed first: `TimeoutError`.
    TimedOut,
    /// The future had failed: its exception was re-raised.
    Raised,
    /// Still blocked when the run ended.
    Blocked,
}

/// One `result()` call a task made.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultCall {
    /// The future waited on.
    pub future: String,
    pub at_ms: f64,
    /// When it returned or raised; `None` if still blocked at the end.
    pub end_ms: Option<f64>,
    pub timeout_ms: Option<f64>,
    pub outcome: CallOutcome,
}

/// A task as the run left it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskOutcome {
    pub name: String,
    pub label: Option<String>,
    pub state: TaskState,
    /// The worker that ran it (or runs it still).
    pub worker: Option<usize>,
    pub submitted_ms: Option<f64>,
    pub start_ms: Option<f64>,
    pub end_ms: Option<f64>,
    /// The future it is blocked on, if [`TaskState::Waiting`].
    pub waiting_for: Option<String>,
    /// Its exception, if [`TaskState::Failed`].
    pub error: Option<String>,
    pub calls: Vec<ResultCall>,
}

/// One step of the explanation of a deadlock.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CycleLink {
    pub task: String,
    pub label: Option<String>,
    /// The worker it holds, if it runs.
    pub worker: Option<usize>,
    /// The future whose `result()` it is blocked in.
    pub waits_for: Option<String>,
    pub state: TaskState,
}

/// What an edge of the wait-for graph means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeKind {
    /// `from` is blocked in `to.result()`.
    WaitsFor,
    /// `from` is queued and needs a worker, all of which are held, `to` holds one.
    QueuedBehind,
    /// `from` is not submitted yet; `to` submits it once it runs.
    SubmittedBy,
}

/// An edge of the wait-for graph, for drawing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
}

/// What a run did. Times are ms from the run's start.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutorReport {
    pub ended: Ended,
    /// For a deadlock: the cycle (each task waits for the next, the last for the first)
    /// or the starvation chain (ending at a queued task, or at an unsubmitted one and
    /// the tasks that would submit it).
    pub cycle: Vec<CycleLink>,
    /// The same in words, e.g. `a (wait_on_b) on worker 0 waits for b; b (wait_on_a) on
    /// worker 1 waits for a: a cycle, so neither can finish`.
    pub cycle_text: Option<String>,
    /// The wait-for graph when the run ended (empty when everything finished).
    pub graph: Vec<Edge>,
    /// Every task, in the job's order.
    pub tasks: Vec<TaskOutcome>,
    /// The task each worker held when the run ended (`None`: idle).
    pub workers: Vec<Option<String>>,
    /// The executor's queue when the run ended, first out first.
    pub queue: Vec<String>,
    /// The first exception, as Python would print it, e.g. `TimeoutError: a (wait_on_b)
    /// timed out after 300 ms waiting for b's result()`.
    pub error: Option<String>,
    /// What Python would do that the lab did not (a deadlock hangs forever), or why the
    /// run was stopped.
    pub note: Option<String>,
    /// For a deadlock: the watchdog's latency, from the last change of state (when the
    /// last task got stuck) to the verdict.
    pub detected_after_ms: Option<f64>,
    /// When the run ended (the watchdog's verdict).
    pub elapsed_ms: f64,
    /// When every thread had returned, released if it was stuck.
    pub released_ms: f64,
}

// ---------------------------------------------------------------------------------
// The run's shared state.
// ---------------------------------------------------------------------------------

/// A task as the threads see it, with indices for names.
struct Plan {
    name: String,
    label: Option<String>,
    work_ms: f64,
    timeout_ms: Option<f64>,
    submits: Vec<usize>,
    waits: Vec<usize>,
    /// The task that submits it; `None` for the main program.
    submitter: Option<usize>,
}

impl Plan {
    /// `name (label)`, or just the name when the label adds nothing.
    fn who(&self) -> String {
        match &self.label {
            Some(l) if !l.is_empty() && *l != self.name => format!("{} ({l})", self.name),
            _ => self.name.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    NotSubmitted,
    Queued,
    Working,
    Waiting { on: usize, deadline: Option<f64> },
    Done,
    Failed,
}

impl Phase {
    fn finished(self) -> bool {
        matches!(self, Phase::Done | Phase::Failed)
    }

    fn public(self) -> TaskState {
        match self {
            Phase::NotSubmitted => TaskState::NotSubmitted,
            Phase::Queued => TaskState::Queued,
            Phase::Working => TaskState::Working,
            Phase::Waiting { .. } => TaskState::Waiting,
            Phase::Done => TaskState::Done,
            Phase::Failed => TaskState::Failed,
        }
    }
}

struct Call {
    on: usize,
    at: f64,
    end: Option<f64>,
    timeout: Option<f64>,
    outcome: CallOutcome,
}

struct TaskRun {
    phase: Phase,
    worker: Option<usize>,
    submitted: Option<f64>,
    start: Option<f64>,
    end: Option<f64>,
    error: Option<String>,
    calls: Vec<Call>,
}

struct State {
    tasks: Vec<TaskRun>,
    /// The task each worker holds.
    workers: Vec<Option<usize>>,
    queue: VecDeque<usize>,
    /// Time of the last change of state: when a stuck run got stuck.
    last_change: f64,
    /// The first `TimeoutError`, as the report shows it.
    first_error: Option<String>,
    /// Set by the watchdog's verdict: everyone returns.
    over: bool,
}

impl State {
    fn changed(&mut self, now: f64) {
        self.last_change = self.last_change.max(now);
    }

    fn submit(&mut self, t: usize, now: f64) {
        if let Some(task) = self.tasks.get_mut(t)
            && task.phase == Phase::NotSubmitted
        {
            task.phase = Phase::Queued;
            task.submitted = Some(now);
            self.queue.push_back(t);
        }
        self.changed(now);
        self.dispatch(now);
    }

    /// Hands the head of the queue to the lowest-numbered idle worker, while both
    /// exist. (In CPython whichever idle thread wakes first takes it; fixing the choice
    /// keeps worker numbers stable from run to run.) The worker's thread, woken by the
    /// caller's notify, then runs it; the task counts as working from now.
    fn dispatch(&mut self, now: f64) {
        while let Some(w) = self.workers.iter().position(Option::is_none) {
            let Some(t) = self.queue.pop_front() else {
                break;
            };
            self.workers[w] = Some(t);
            let task = &mut self.tasks[t];
            task.phase = Phase::Working;
            task.worker = Some(w);
            task.start = Some(now);
            self.changed(now);
        }
    }

    fn finish(&mut self, t: usize, w: usize, error: Option<String>, now: f64) {
        let task = &mut self.tasks[t];
        task.phase = if error.is_some() { Phase::Failed } else { Phase::Done };
        task.end = Some(now);
        task.error = error;
        if let Some(slot) = self.workers.get_mut(w) {
            *slot = None;
        }
        self.changed(now);
        self.dispatch(now);
    }

    fn all_finished(&self) -> bool {
        self.tasks.iter().all(|t| t.phase.finished())
    }

    /// True if some thread can still change the state by itself: the watchdog's test.
    fn progress_possible(&self) -> bool {
        let idle = self.workers.iter().any(Option::is_none);
        if idle && !self.queue.is_empty() {
            return true;
        }
        self.tasks.iter().any(|t| match t.phase {
            Phase::Working => true,
            Phase::Waiting { on, deadline } => deadline.is_some() || self.tasks[on].phase.finished(),
            _ => false,
        })
    }

    fn stuck(&self) -> bool {
        !self.all_finished() && !self.progress_possible()
    }

    fn link(&self, plan: &[Plan], t: usize) -> CycleLink {
        let task = &self.tasks[t];
        CycleLink {
            task: plan[t].name.clone(),
            label: plan[t].label.clone(),
            worker: if task.phase.finished() { None } else { task.worker },
            waits_for: match task.phase {
                Phase::Waiting { on, .. } => Some(plan[on].name.clone()),
                _ => None,
            },
            state: task.phase.public(),
        }
    }

    /// The cycle (or starvation chain) of a stuck run, as links and in words.
    fn explain(&self, plan: &[Plan], max_workers: usize) -> (Vec<CycleLink>, Option<String>) {
        let waiting = |t: usize| if let Phase::Waiting { on, .. } = self.tasks[t].phase { Some(on) } else { None };
        // Stuck running tasks, by worker.
        let starts: Vec<usize> = self.workers.iter().flatten().copied().filter(|&t| waiting(t).is_some()).collect();
        let step = |t: usize| {
            let p = &plan[t];
            match waiting(t) {
                Some(on) => {
                    format!("{} on worker {} waits for {}", p.who(), self.tasks[t].worker.unwrap_or(0), plan[on].name)
                }
                None => String::new(),
            }
        };
        for &s in &starts {
            let mut path = vec![s];
            let mut cur = s;
            while let Some(on) = waiting(cur) {
                if let Some(pos) = path.iter().position(|&p| p == on) {
                    let mut cycle = path.split_off(pos);
                    let first = (0..cycle.len())
                        .min_by_key(|&k| self.tasks[cycle[k]].worker.unwrap_or(usize::MAX))
                        .unwrap_or(0);
                    cycle.rotate_left(first);
                    let steps: Vec<String> = cycle.iter().map(|&t| step(t)).collect();
                    let why = match cycle.len() {
                        1 => "it waits for its own result, so it can never finish",
                        2 => "a cycle, so neither can finish",
                        _ => "a cycle, so none of them can finish",
                    };
                    let text = format!("{}: {why}", steps.join("; "));
                    return (cycle.iter().map(|&t| self.link(plan, t)).collect(), Some(text));
                }
                if path.len() > plan.len() {
                    break;
                }
                path.push(on);
                cur = on;
            }
        }
        let Some(&s) = starts.first() else {
            return (Vec::new(), None);
        };
        // No cycle: a chain of waits that ends at work no worker is free to run.
        let mut chain = vec![s];
        let mut steps = Vec::new();
        let mut cur = s;
        let mut end = "no task can make progress".to_owned();
        for _ in 0..=2 * plan.len() {
            let p = &plan[cur];
            match self.tasks[cur].phase {
                Phase::Waiting { on, .. } => {
                    steps.push(step(cur));
                    cur = on;
                }
                Phase::NotSubmitted => match p.submitter {
                    Some(by) => {
                        steps.push(format!("{} is not submitted yet ({} submits it)", p.who(), plan[by].name));
                        cur = by;
                    }
                    None => break,
                },
                Phase::Queued => {
                    steps.push(format!("{} is queued", p.who()));
                    end = format!("all {max_workers} workers are waiting");
                    break;
                }
                _ => break,
            }
            if chain.contains(&cur) {
                break;
            }
            chain.push(cur);
        }
        let text = format!("{}: {end}", steps.join("; "));
        (chain.iter().map(|&t| self.link(plan, t)).collect(), Some(text))
    }

    /// The wait-for graph as it stands.
    fn graph(&self, plan: &[Plan]) -> Vec<Edge> {
        let idle = self.workers.iter().any(Option::is_none);
        let holders: Vec<usize> = self.workers.iter().flatten().copied().collect();
        let edge =
            |from: usize, to: usize, kind| Edge { from: plan[from].name.clone(), to: plan[to].name.clone(), kind };
        let mut edges = Vec::new();
        for (t, task) in self.tasks.iter().enumerate() {
            match task.phase {
                Phase::Waiting { on, .. } => edges.push(edge(t, on, EdgeKind::WaitsFor)),
                Phase::Queued if !idle => edges.extend(holders.iter().map(|&h| edge(t, h, EdgeKind::QueuedBehind))),
                Phase::NotSubmitted => {
                    if let Some(by) = plan[t].submitter
                        && !self.tasks[by].phase.finished()
                    {
                        edges.push(edge(t, by, EdgeKind::SubmittedBy));
                    }
                }
                _ => {}
            }
        }
        edges
    }

    fn outcomes(&self, plan: &[Plan]) -> Vec<TaskOutcome> {
        self.tasks
            .iter()
            .zip(plan)
            .map(|(t, p)| TaskOutcome {
                name: p.name.clone(),
                label: p.label.clone(),
                state: t.phase.public(),
                worker: t.worker,
                submitted_ms: t.submitted,
                start_ms: t.start,
                end_ms: t.end,
                waiting_for: match t.phase {
                    Phase::Waiting { on, .. } => Some(plan[on].name.clone()),
                    _ => None,
                },
                error: t.error.clone(),
                calls: t
                    .calls
                    .iter()
                    .map(|c| ResultCall {
                        future: plan[c.on].name.clone(),
                        at_ms: c.at,
                        end_ms: c.end,
                        timeout_ms: c.timeout,
                        outcome: c.outcome,
                    })
                    .collect(),
            })
            .collect()
    }
}

/// Why the watchdog ended the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Finished,
    Deadlock,
    Stopped,
    Limit,
}

struct Run<'a> {
    plan: &'a [Plan],
    max_workers: usize,
    clock: &'a (dyn Fn() -> f64 + Sync),
    t0: f64,
    state: Mutex<State>,
    cond: Condvar,
    /// Mirrors `State::over` for the work loop, which does not take the lock.
    over: AtomicBool,
}

fn duration_ms(ms: f64) -> Duration {
    // `as` saturates and maps NaN to 0: no panic whatever the value.
    Duration::from_micros((ms * 1000.0).clamp(0.0, 1e9) as u64)
}

impl Run<'_> {
    fn now(&self) -> f64 {
        let t = (self.clock)() - self.t0;
        if t.is_finite() { t.max(0.0) } else { 0.0 }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `Condvar::wait_timeout`, which reads no clock of its own on wasm32.
    fn wait<'g>(&self, guard: MutexGuard<'g, State>, ms: f64) -> MutexGuard<'g, State> {
        self.cond.wait_timeout(guard, duration_ms(ms)).unwrap_or_else(PoisonError::into_inner).0
    }

    /// `time.sleep(ms)`, in slices; false if the run ended meanwhile.
    fn work(&self, ms: f64) -> bool {
        let end = self.now() + ms;
        loop {
            if self.over.load(Ordering::Acquire) {
                return false;
            }
            let left = end - self.now();
            if left.is_nan() || left <= 0.0 {
                return true;
            }
            std::thread::sleep(duration_ms(left.min(WORK_SLICE_MS)));
        }
    }

    /// Executor worker `w`: runs the tasks [`State::dispatch`] hands it until the run
    /// ends. While this loop waits, `workers[w]` is only ever set by a new hand-over
    /// (the thread itself clears it when a task finishes).
    fn worker(&self, w: usize) {
        let mut st = self.lock();
        loop {
            if st.over {
                return;
            }
            if let Some(t) = st.workers.get(w).copied().flatten() {
                drop(st);
                self.run_task(w, t);
                st = self.lock();
            } else {
                st = self.wait(st, WAIT_SLICE_MS);
            }
        }
    }

    /// Task `t` on worker `w`: work, submit, then each `result()`. Returns early,
    /// leaving the state as it is, if the run ends meanwhile.
    fn run_task(&self, w: usize, t: usize) {
        let p = &self.plan[t];
        if !self.work(p.work_ms) {
            return;
        }
        let mut st = self.lock();
        if st.over {
            return;
        }
        let now = self.now();
        for &c in &p.submits {
            st.submit(c, now);
        }
        for &on in &p.waits {
            let at = self.now();
            let deadline = p.timeout_ms.map(|ms| at + ms);
            st.tasks[t].phase = Phase::Waiting { on, deadline };
            st.tasks[t].calls.push(Call { on, at, end: None, timeout: p.timeout_ms, outcome: CallOutcome::Blocked });
            st.changed(at);
            self.cond.notify_all();
            let failure = loop {
                if st.over {
                    return;
                }
                let now = self.now();
                match st.tasks[on].phase {
                    Phase::Done => break None,
                    Phase::Failed => {
                        let why =
                            format!("TimeoutError re-raised by {}.result(): {} fails too", self.plan[on].name, p.who());
                        break Some((CallOutcome::Raised, why));
                    }
                    _ => {}
                }
                if let Some(d) = deadline {
                    if now >= d {
                        let why = format!(
                            "TimeoutError: {} timed out after {} ms waiting for {}'s result()",
                            p.who(),
                            p.timeout_ms.unwrap_or(0.0),
                            self.plan[on].name
                        );
                        break Some((CallOutcome::TimedOut, why));
                    }
                    st = self.wait(st, (d - now).min(WAIT_SLICE_MS));
                } else {
                    st = self.wait(st, WAIT_SLICE_MS);
                }
            };
            let now = self.now();
            if let Some(call) = st.tasks[t].calls.last_mut() {
                call.end = Some(now);
                call.outcome = failure.as_ref().map_or(CallOutcome::Returned, |f| f.0);
            }
            if let Some((outcome, why)) = failure {
                if outcome == CallOutcome::TimedOut && st.first_error.is_none() {
                    st.first_error = Some(why.clone());
                }
                st.finish(t, w, Some(why), now);
                self.cond.notify_all();
                return;
            }
            st.tasks[t].phase = Phase::Working;
        }
        let now = self.now();
        st.finish(t, w, None, now);
        self.cond.notify_all();
    }

    /// The main program's thread: submits, then watches until the run ends.
    fn watchdog(&self, submit: &[usize], stop: &(dyn Fn() -> bool + Sync)) -> ExecutorReport {
        {
            let mut st = self.lock();
            let now = self.now();
            for &t in submit {
                st.submit(t, now);
            }
            self.cond.notify_all();
        }
        loop {
            let stopped = stop();
            let mut st = self.lock();
            let now = self.now();
            let verdict = if st.all_finished() {
                Some(Verdict::Finished)
            } else if st.stuck() {
                Some(Verdict::Deadlock)
            } else if stopped {
                Some(Verdict::Stopped)
            } else if now >= MAX_RUN_MS {
                Some(Verdict::Limit)
            } else {
                None
            };
            if let Some(v) = verdict {
                st.over = true;
                self.over.store(true, Ordering::Release);
                let report = self.report(&st, v, now);
                self.cond.notify_all();
                return report;
            }
            drop(self.wait(st, WATCHDOG_POLL_MS));
        }
    }

    fn report(&self, st: &State, verdict: Verdict, now: f64) -> ExecutorReport {
        let plan = self.plan;
        let failed = st.tasks.iter().any(|t| t.phase == Phase::Failed);
        let ended = match verdict {
            Verdict::Finished if failed => Ended::Timeout,
            Verdict::Finished => Ended::Done,
            Verdict::Deadlock => Ended::Deadlock,
            Verdict::Stopped | Verdict::Limit => Ended::Stopped,
        };
        let (cycle, cycle_text) =
            if verdict == Verdict::Deadlock { st.explain(plan, self.max_workers) } else { (Vec::new(), None) };
        let note = match (verdict, ended) {
            (Verdict::Deadlock, _) => Some(
                "In Python this program would hang forever: the stuck workers never return, and leaving the with \
                 block (shutdown(wait=True)) waits for them. The lab's watchdog released its threads instead."
                    .to_owned(),
            ),
            (_, Ended::Timeout) => Some(
                "result() raised TimeoutError instead of waiting forever, and every result() on a failed future \
                 re-raised it, so every task finished."
                    .to_owned(),
            ),
            (Verdict::Stopped, _) => Some("Stopped before the program finished.".to_owned()),
            (Verdict::Limit, _) => Some(format!("The lab's {} s limit ended the run.", MAX_RUN_MS / 1000.0)),
            _ => None,
        };
        ExecutorReport {
            ended,
            cycle,
            cycle_text,
            graph: st.graph(plan),
            tasks: st.outcomes(plan),
            workers: st.workers.iter().map(|w| w.map(|t| plan[t].name.clone())).collect(),
            queue: st.queue.iter().map(|&t| plan[t].name.clone()).collect(),
            error: st.first_error.clone(),
            note,
            detected_after_ms: (verdict == Verdict::Deadlock).then(|| (now - st.last_change).max(0.0)),
            elapsed_ms: now,
            released_ms: now,
        }
    }
}

// ---------------------------------------------------------------------------------
// The entry point.
// ---------------------------------------------------------------------------------

/// Runs `job` on the current rayon pool, on real threads, until every task finishes,
/// the watchdog finds a deadlock, `stop()` becomes true, or [`MAX_RUN_MS`] passes.
///
/// - `clock`: milliseconds on one timeline shared by all threads (any origin).
/// - `stop`: polled by the watchdog at least every [`WATCHDOG_POLL_MS`]; once true the
///   run ends [`Ended::Stopped`] and every thread is released.
///
/// The pool must have at least [`ExecutorJob::pool_needed`] threads (`max_workers + 1`),
/// else the error names `maxWorkers`. When this returns, no thread of the pool is left
/// blocked, deadlock or not.
pub fn run(
    job: &ExecutorJob,
    clock: &(dyn Fn() -> f64 + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<ExecutorReport, ArgError> {
    let submitters = job.submitters()?;
    let pool = rayon::current_num_threads();
    let need = job.pool_needed();
    if pool < need {
        return Err(ArgError::new(
            "maxWorkers",
            format!(
                "max_workers={} needs a pool of {need} threads ({} workers and the main program's thread), this one has {pool}",
                job.max_workers, job.max_workers
            ),
        ));
    }
    let index: HashMap<&str, usize> = job.tasks.iter().enumerate().map(|(i, t)| (t.name.as_str(), i)).collect();
    let lookup = |names: &[String]| names.iter().filter_map(|n| index.get(n.as_str()).copied()).collect::<Vec<_>>();
    let plan: Vec<Plan> = job
        .tasks
        .iter()
        .zip(&submitters)
        .map(|(t, s)| Plan {
            name: t.name.clone(),
            label: t.label.clone(),
            work_ms: t.work_ms,
            timeout_ms: t.timeout_ms,
            submits: lookup(&t.submits),
            waits: lookup(&t.waits_for),
            submitter: match s {
                Submitter::Main => None,
                Submitter::Task(j) => Some(*j),
            },
        })
        .collect();
    let submit = lookup(&job.submit);
    let w = job.max_workers;
    let run = Run {
        plan: &plan,
        max_workers: w,
        clock,
        t0: clock(),
        state: Mutex::new(State {
            tasks: plan
                .iter()
                .map(|_| TaskRun {
                    phase: Phase::NotSubmitted,
                    worker: None,
                    submitted: None,
                    start: None,
                    end: None,
                    error: None,
                    calls: Vec::new(),
                })
                .collect(),
            workers: vec![None; w],
            queue: VecDeque::new(),
            last_change: 0.0,
            first_error: None,
            over: false,
        }),
        cond: Condvar::new(),
        over: AtomicBool::new(false),
    };
    let reports: Vec<Option<ExecutorReport>> = rayon::broadcast(|ctx| match ctx.index() {
        0 => Some(run.watchdog(&submit, stop)),
        i if i <= w => {
            run.worker(i - 1);
            None
        }
        _ => None,
    });
    let released = run.now();
    let mut report = reports.into_iter().flatten().next().unwrap_or_else(|| {
        // Unreachable (pool thread 0 always runs the watchdog), but never panic.
        let st = run.lock();
        run.report(&st, Verdict::Stopped, released)
    });
    report.released_ms = released.max(report.elapsed_ms);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{clock, on_pool};

    fn go(job: &ExecutorJob) -> ExecutorReport {
        on_pool(job.pool_needed(), || run(job, &clock(), &|| false)).unwrap()
    }

    fn t(name: &str, work_ms: f64, submits: &[&str], waits_for: &[&str]) -> TaskSpec {
        TaskSpec {
            name: name.into(),
            label: None,
            work_ms,
            submits: submits.iter().map(|s| (*s).into()).collect(),
            waits_for: waits_for.iter().map(|s| (*s).into()).collect(),
            timeout_ms: None,
        }
    }

    fn job(max_workers: usize, submit: &[&str], tasks: Vec<TaskSpec>) -> ExecutorJob {
        ExecutorJob { max_workers, submit: submit.iter().map(|s| (*s).into()).collect(), tasks }
    }

    fn names(r: &ExecutorReport) -> Vec<&str> {
        r.cycle.iter().map(|l| l.task.as_str()).collect()
    }

    fn outcome<'a>(r: &'a ExecutorReport, name: &str) -> &'a TaskOutcome {
        r.tasks.iter().find(|t| t.name == name).unwrap()
    }

    fn assert_deadlock(r: &ExecutorReport) {
        assert_eq!(r.ended, Ended::Deadlock, "{r:#?}");
        let lat = r.detected_after_ms.unwrap();
        assert!((0.0..1000.0).contains(&lat), "detected after {lat} ms");
        assert!(r.note.as_deref().unwrap().contains("hang forever"));
        assert!(r.released_ms >= r.elapsed_ms);
        println!("{}: detected after {lat:.2} ms", r.cycle_text.as_deref().unwrap());
    }

    #[test]
    fn presets_end_as_python_would() {
        let all = presets();
        let ids: Vec<&str> = all.iter().map(|p| p.id).collect();
        for id in ["deadlock-pair", "deadlock-nested", "nested-two-workers", "pair-timeout", "no-wait-inside"] {
            assert!(ids.contains(&id), "{id} missing");
        }
        for p in &all {
            assert_eq!(p.job.clone().check(), Ok(p.job.clone()), "{}", p.id);
            let r = go(&p.job);
            assert_eq!(r.ended, p.expected, "{}: {r:#?}", p.id);
            if p.expected == Ended::Deadlock {
                assert_deadlock(&r);
            } else {
                assert!(r.cycle.is_empty() && r.cycle_text.is_none() && r.detected_after_ms.is_none());
                assert!(r.tasks.iter().all(|t| matches!(t.state, TaskState::Done | TaskState::Failed)));
            }
        }
        assert_eq!(preset("deadlock-pair").unwrap().job, ExecutorJob::default());
        assert!(preset("nope").is_none());
    }

    #[test]
    fn the_pair_deadlocks_in_a_cycle_of_a_and_b() {
        let r = go(&preset("deadlock-pair").unwrap().job);
        assert_deadlock(&r);
        let mut n = names(&r);
        n.sort();
        assert_eq!(n, ["a", "b"]);
        let mut workers: Vec<usize> = r.cycle.iter().map(|l| l.worker.unwrap()).collect();
        workers.sort();
        assert_eq!(workers, [0, 1]);
        assert!(r.cycle.iter().all(|l| l.state == TaskState::Waiting));
        let a = r.cycle.iter().find(|l| l.task == "a").unwrap();
        assert_eq!(a.waits_for.as_deref(), Some("b"));
        // Submitted first, a goes to worker 0 (the lowest idle one), and the cycle is
        // told from worker 0.
        assert_eq!(
            r.cycle_text.as_deref(),
            Some(
                "a (wait_on_b) on worker 0 waits for b; b (wait_on_a) on worker 1 waits for a: a cycle, so neither can finish"
            )
        );
        assert_eq!(r.graph.iter().filter(|e| e.kind == EdgeKind::WaitsFor).count(), 2);
        assert!(r.graph.contains(&Edge { from: "a".into(), to: "b".into(), kind: EdgeKind::WaitsFor }));
        // Each waited after its work: the deadlock formed after both had worked.
        for task in &r.tasks {
            let call = &task.calls[0];
            assert_eq!(call.outcome, CallOutcome::Blocked);
            assert!(call.at_ms >= task.start_ms.unwrap() + PAIR_WORK_MS - 1.0);
            assert!(r.elapsed_ms >= call.at_ms);
        }
    }

    #[test]
    fn the_nested_future_starves_on_one_worker() {
        let r = go(&preset("deadlock-nested").unwrap().job);
        assert_deadlock(&r);
        assert_eq!(names(&r), ["wait_on_future", "pow"]);
        assert_eq!(r.cycle[0].worker, Some(0));
        assert_eq!(r.cycle[0].waits_for.as_deref(), Some("pow"));
        assert_eq!(r.cycle[1].state, TaskState::Queued);
        assert_eq!(r.cycle[1].worker, None);
        assert_eq!(
            r.cycle_text.as_deref(),
            Some("wait_on_future on worker 0 waits for pow; pow is queued: all 1 workers are waiting")
        );
        assert_eq!(r.queue, ["pow"]);
        assert_eq!(r.workers, [Some("wait_on_future".to_owned())]);
        assert!(r.graph.contains(&Edge {
            from: "pow".into(),
            to: "wait_on_future".into(),
            kind: EdgeKind::QueuedBehind
        }));
        assert_eq!(outcome(&r, "pow").start_ms, None);
    }

    #[test]
    fn the_fixes_finish() {
        let r = go(&preset("nested-two-workers").unwrap().job);
        assert_eq!(r.ended, Ended::Done);
        let (w, p) = (outcome(&r, "wait_on_future"), outcome(&r, "pow"));
        assert_ne!(w.worker, p.worker);
        assert!(p.end_ms.unwrap() <= w.end_ms.unwrap());
        assert_eq!(w.calls[0].outcome, CallOutcome::Returned);

        let r = go(&preset("no-wait-inside").unwrap().job);
        assert_eq!(r.ended, Ended::Done);
        let (a, b) = (outcome(&r, "a"), outcome(&r, "b"));
        assert_ne!(a.worker, b.worker);
        // Both ran at once: each started before the other ended.
        assert!(a.start_ms.unwrap() < b.end_ms.unwrap() && b.start_ms.unwrap() < a.end_ms.unwrap());
        assert!(r.error.is_none() && r.graph.is_empty());
    }

    #[test]
    fn the_timeout_fails_a_then_b_like_python() {
        let r = go(&preset("pair-timeout").unwrap().job);
        assert_eq!(r.ended, Ended::Timeout, "{r:#?}");
        assert_eq!(
            r.error.as_deref(),
            Some("TimeoutError: a (wait_on_b) timed out after 300 ms waiting for b's result()")
        );
        let (a, b) = (outcome(&r, "a"), outcome(&r, "b"));
        assert_eq!((a.state, b.state), (TaskState::Failed, TaskState::Failed));
        assert_eq!(a.calls[0].outcome, CallOutcome::TimedOut);
        assert!(a.calls[0].end_ms.unwrap() - a.calls[0].at_ms >= 300.0);
        assert_eq!(b.calls[0].outcome, CallOutcome::Raised);
        assert!(b.error.as_deref().unwrap().contains("re-raised by a.result()"));
        assert!(b.end_ms.unwrap() >= a.end_ms.unwrap());
    }

    #[test]
    fn a_three_cycle_is_found_whole() {
        let j = job(
            3,
            &["a", "b", "c"],
            vec![t("a", 20.0, &[], &["b"]), t("b", 20.0, &[], &["c"]), t("c", 20.0, &[], &["a"])],
        );
        let r = go(&j);
        assert_deadlock(&r);
        let mut n = names(&r);
        assert_eq!(
            r.cycle_text.as_deref(),
            Some(
                "a on worker 0 waits for b; b on worker 1 waits for c; c on worker 2 waits for a: a cycle, so none of them can finish"
            )
        );
        // Each link waits for the next, the last for the first.
        for (k, l) in r.cycle.iter().enumerate() {
            assert_eq!(l.waits_for.as_deref(), Some(r.cycle[(k + 1) % 3].task.as_str()));
        }
        n.sort();
        assert_eq!(n, ["a", "b", "c"]);
    }

    #[test]
    fn a_task_waiting_on_its_own_future_deadlocks() {
        let r = go(&job(1, &["a"], vec![t("a", 10.0, &[], &["a"])]));
        assert_deadlock(&r);
        assert_eq!(names(&r), ["a"]);
        assert_eq!(r.cycle[0].waits_for.as_deref(), Some("a"));
        assert_eq!(
            r.cycle_text.as_deref(),
            Some("a on worker 0 waits for a: it waits for its own result, so it can never finish")
        );
    }

    #[test]
    fn a_chain_into_a_cycle_reports_the_cycle() {
        // x waits for a; a and b wait for each other: the cycle is a, b.
        let j = job(
            3,
            &["x", "a", "b"],
            vec![t("x", 0.0, &[], &["a"]), t("a", 20.0, &[], &["b"]), t("b", 20.0, &[], &["a"])],
        );
        let r = go(&j);
        assert_deadlock(&r);
        let mut n = names(&r);
        n.sort();
        assert_eq!(n, ["a", "b"]);
        assert_eq!(
            r.cycle_text.as_deref(),
            Some("a on worker 1 waits for b; b on worker 2 waits for a: a cycle, so neither can finish")
        );
        assert_eq!(r.graph.iter().filter(|e| e.kind == EdgeKind::WaitsFor).count(), 3);
    }

    #[test]
    fn two_workers_starve_waiting_on_their_children() {
        let j = job(
            2,
            &["p1", "p2"],
            vec![
                t("p1", 20.0, &["c1"], &["c1"]),
                t("p2", 20.0, &["c2"], &["c2"]),
                t("c1", 5.0, &[], &[]),
                t("c2", 5.0, &[], &[]),
            ],
        );
        let r = go(&j);
        assert_deadlock(&r);
        assert_eq!(r.cycle.len(), 2);
        assert_eq!(r.cycle[0].worker, Some(0));
        assert_eq!(r.cycle[1].state, TaskState::Queued);
        assert_eq!(r.cycle[0].waits_for.as_deref(), Some(r.cycle[1].task.as_str()));
        assert_eq!(
            r.cycle_text.as_deref(),
            Some("p1 on worker 0 waits for c1; c1 is queued: all 2 workers are waiting")
        );
        let mut q = r.queue.clone();
        q.sort();
        assert_eq!(q, ["c1", "c2"]);
        assert_eq!(r.graph.iter().filter(|e| e.kind == EdgeKind::QueuedBehind).count(), 4);
    }

    #[test]
    fn an_unsubmitted_future_starves_behind_its_queued_submitter() {
        // One worker: x waits for z, which y submits, but y is queued behind x.
        let j = job(1, &["x", "y"], vec![t("x", 0.0, &[], &["z"]), t("y", 0.0, &["z"], &[]), t("z", 0.0, &[], &[])]);
        let r = go(&j);
        assert_deadlock(&r);
        assert_eq!(names(&r), ["x", "z", "y"]);
        assert_eq!(r.cycle[1].state, TaskState::NotSubmitted);
        assert_eq!(
            r.cycle_text.as_deref(),
            Some(
                "x on worker 0 waits for z; z is not submitted yet (y submits it); y is queued: all 1 workers are waiting"
            )
        );
        assert!(r.graph.contains(&Edge { from: "z".into(), to: "y".into(), kind: EdgeKind::SubmittedBy }));
    }

    #[test]
    fn chains_that_can_finish_do() {
        let r = go(&job(2, &["a", "b"], vec![t("a", 0.0, &[], &["b"]), t("b", 30.0, &[], &[])]));
        assert_eq!(r.ended, Ended::Done, "{r:#?}");
        assert!(outcome(&r, "a").end_ms.unwrap() >= outcome(&r, "b").end_ms.unwrap());
        // The same wait on one worker is fine when b comes first: FIFO.
        let r = go(&job(1, &["b", "a"], vec![t("a", 0.0, &[], &["b"]), t("b", 10.0, &[], &[])]));
        assert_eq!(r.ended, Ended::Done);
        // ... and a deadlock when a comes first.
        let r = go(&job(1, &["a", "b"], vec![t("a", 0.0, &[], &["b"]), t("b", 10.0, &[], &[])]));
        assert_deadlock(&r);
        assert_eq!(r.cycle_text.as_deref(), Some("a on worker 0 waits for b; b is queued: all 1 workers are waiting"));
        // Nested submits three deep, each waiting on its child, on enough workers.
        let r =
            go(&job(3, &["a"], vec![t("a", 0.0, &["b"], &["b"]), t("b", 0.0, &["c"], &["c"]), t("c", 10.0, &[], &[])]));
        assert_eq!(r.ended, Ended::Done);
    }

    #[test]
    fn after_a_deadlock_the_same_pool_runs_again() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        let c = clock();
        for _ in 0..2 {
            let r = pool.install(|| run(&preset("deadlock-pair").unwrap().job, &c, &|| false)).unwrap();
            assert_deadlock(&r);
            let r = pool.install(|| run(&preset("nested-two-workers").unwrap().job, &c, &|| false)).unwrap();
            assert_eq!(r.ended, Ended::Done);
        }
        // A bigger pool than needed: the extra threads just return.
        let big = rayon::ThreadPoolBuilder::new().num_threads(5).build().unwrap();
        let r = big.install(|| run(&preset("deadlock-nested").unwrap().job, &c, &|| false)).unwrap();
        assert_deadlock(&r);
    }

    #[test]
    fn stop_ends_a_long_job_promptly() {
        let j = job(2, &["a", "b"], vec![t("a", 20_000.0, &[], &[]), t("b", 20_000.0, &[], &[])]);
        let c = clock();
        let stop = || c() > 100.0;
        let r = on_pool(3, || run(&j, &c, &stop)).unwrap();
        assert_eq!(r.ended, Ended::Stopped);
        assert!(r.elapsed_ms < 1000.0 && r.released_ms < 1000.0, "{r:#?}");
        assert!(r.tasks.iter().all(|t| t.state == TaskState::Working));
        assert!(r.note.is_some() && r.detected_after_ms.is_none());
        // A stuck wait with a long timeout is released too.
        let mut slow = preset("pair-timeout").unwrap().job;
        slow.tasks[0].timeout_ms = Some(30_000.0);
        slow.tasks[0].work_ms = 0.0;
        slow.tasks[1].work_ms = 0.0;
        let c = clock();
        let stop = || c() > 100.0;
        let r = on_pool(3, || run(&slow, &c, &stop)).unwrap();
        assert_eq!(r.ended, Ended::Stopped);
        assert!(r.released_ms < 1000.0);
        assert!(r.graph.contains(&Edge { from: "a".into(), to: "b".into(), kind: EdgeKind::WaitsFor }));
    }

    #[test]
    fn a_pool_too_small_is_refused_naming_max_workers() {
        let e = on_pool(2, || run(&ExecutorJob::default(), &clock(), &|| false)).unwrap_err();
        assert_eq!(e.arg, "maxWorkers");
        assert!(e.why.contains("needs a pool of 3 threads"), "{e}");
        let e = on_pool(4, || run(&job(0, &["a"], vec![t("a", 0.0, &[], &[])]), &clock(), &|| false)).unwrap_err();
        assert_eq!(e.arg, "maxWorkers");
    }

    fn err(j: ExecutorJob) -> String {
        j.check().unwrap_err().to_string()
    }

    #[test]
    fn validation_names_the_argument_and_the_task() {
        let ok = || {
            job(2, &["a", "b"], vec![t("a", 10.0, &["c"], &["b"]), t("b", 10.0, &[], &["c"]), t("c", 0.0, &[], &[])])
        };
        assert!(ok().check().is_ok());
        let mut j = ok();
        j.max_workers = 0;
        assert_eq!(err(j), "maxWorkers: must be from 1 to 32 (got 0)");
        let mut j = ok();
        j.max_workers = 33;
        assert!(err(j).starts_with("maxWorkers:"));
        let mut j = ok();
        j.submit.clear();
        assert!(err(j).starts_with("submit: must name"));
        let mut j = ok();
        j.submit.push("zz".into());
        assert_eq!(err(j), "submit: \"zz\" is not a task");
        let mut j = ok();
        j.submit.push("a".into());
        assert!(err(j).starts_with("submit: \"a\" is submitted twice"));
        let mut j = ok();
        j.tasks[1].submits.push("a".into());
        assert!(err(j).starts_with("tasks[1].submits: \"a\" is already submitted by the main program"));
        let mut j = ok();
        j.tasks[1].submits.push("c".into());
        assert!(err(j).starts_with("tasks[1].submits: \"c\" is already submitted by tasks[0] (\"a\")"));
        let mut j = ok();
        j.tasks[1].submits.push("x".into());
        assert_eq!(err(j), "tasks[1].submits: \"x\" is not a task");
        let mut j = ok();
        j.tasks[1].waits_for.push("x".into());
        assert_eq!(err(j), "tasks[1].waitsFor: \"x\" is not a task");
        let mut j = ok();
        j.tasks[0].submits.clear();
        assert_eq!(err(j), "tasks[1].waitsFor: nobody submits \"c\"");
        let mut j = ok();
        j.tasks[0].submits.clear();
        j.tasks[0].waits_for.clear();
        j.tasks[1].waits_for.clear();
        assert!(err(j).starts_with("tasks[2].name: nobody submits \"c\""));
        let mut j = ok();
        j.tasks[2].name = "a".into();
        assert!(err(j).starts_with("tasks[2].name: \"a\" is already the name of tasks[0]"));
        let mut j = ok();
        j.tasks[1].name = " ".into();
        assert_eq!(err(j), "tasks[1].name: must not be empty");
        for bad in [-1.0, f64::NAN, f64::INFINITY, 60_001.0] {
            let mut j = ok();
            j.tasks[1].work_ms = bad;
            assert!(err(j).starts_with("tasks[1].workMs: must be a number of ms from 0 to 60000"));
            let mut j = ok();
            j.tasks[0].timeout_ms = Some(bad);
            assert!(err(j).starts_with("tasks[0].timeoutMs:"));
        }
        let mut j = ok();
        j.tasks.clear();
        assert!(err(j).starts_with("tasks:"));
        let mut j = ok();
        j.tasks = (0..=MAX_TASKS).map(|i| t(&format!("t{i}"), 0.0, &[], &[])).collect();
        assert!(err(j).starts_with("tasks: at most 64"));
        // Tasks that only submit each other never run.
        let j = job(1, &["a"], vec![t("a", 0.0, &[], &[]), t("x", 0.0, &["y"], &[]), t("y", 0.0, &["x"], &[])]);
        let e = err(j);
        assert!(e.starts_with("tasks[1].name: \"x\" never runs"), "{e}");
        // A task submitting itself is submitted twice.
        let j = job(1, &["a"], vec![t("a", 0.0, &["a"], &[])]);
        assert!(err(j).starts_with("tasks[0].submits: \"a\" is already submitted by the main program"));
        // The run checks too.
        let mut j = ok();
        j.tasks[0].work_ms = -5.0;
        let e = on_pool(3, || run(&j, &clock(), &|| false)).unwrap_err();
        assert_eq!(e.arg, "tasks[0].workMs");
    }

    #[test]
    fn reports_and_jobs_speak_camel_case_json() {
        let r = go(&preset("deadlock-nested").unwrap().job);
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["ended"], "deadlock");
        assert!(v["cycleText"].is_string() && v["detectedAfterMs"].is_number());
        assert_eq!(v["cycle"][1]["state"], "queued");
        assert_eq!(v["cycle"][0]["waitsFor"], "pow");
        assert_eq!(v["graph"][0]["kind"], "waits-for");
        assert_eq!(v["graph"][1]["kind"], "queued-behind");
        assert_eq!(v["tasks"][0]["calls"][0]["outcome"], "blocked");
        let p = serde_json::to_value(presets()).unwrap();
        assert_eq!(p[0]["job"]["maxWorkers"], 2);
        assert_eq!(p[0]["expected"], "deadlock");
        assert_eq!(p[0]["job"]["tasks"][0]["waitsFor"][0], "b");
        let j: ExecutorJob = serde_json::from_value(serde_json::json!({
            "maxWorkers": 1, "submit": ["a"], "tasks": [{"name": "a", "workMs": 5}]
        }))
        .unwrap();
        assert_eq!(j.tasks[0].timeout_ms, None);
        assert!(serde_json::from_value::<ExecutorJob>(serde_json::json!({"maxWorker": 1})).is_err());
        let d: ExecutorJob = serde_json::from_value(serde_json::json!({})).unwrap();
        assert_eq!(d, ExecutorJob::default());
    }
}
