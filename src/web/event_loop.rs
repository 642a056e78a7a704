//! The event-loop lab on the link worker's real loop: Rust futures driven by the
//! browser's task and microtask queues (wasm-bindgen-futures), timers for
//! `asyncio.sleep`, fetch for aiohttp, and a heartbeat timer whose lateness is the
//! loop's lag. A CPU step either runs here, on the loop's thread (the mistake), or is
//! handed to the pool through a callback the page gives (`run_in_executor`).

use super::clock::now_ms;
use super::js::{fetch_with_init, queue_microtask, set_timeout, sleep};
use crate::event_loop::{
    AGEN_GAP_S, AGEN_VALUES, COURSE_FETCHES, COURSE_WORKERS, HEARTBEAT_MS, LoopJob, LoopReport, LoopSpan, Scenario,
    calibrate_here,
};
use crate::mining::mine_here;
use futures::future::join_all;
use futures::stream::{self, StreamExt};
use js_sys::{Function, Promise};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{RequestCache, RequestInit};

thread_local! {
    /// Resolves the stop promise of the experiment that is running now.
    static STOP: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Stops the running experiment: its promise rejects with "stopped" at once (timers
/// and requests already started run out on their own; nothing waits for them).
pub fn stop() {
    if let Some(resolve) = STOP.with(|s| s.borrow_mut().take()) {
        let _ = resolve.call0(&JsValue::NULL);
    }
}

/// Runs one experiment, or ends it early when [`stop`] is called.
pub async fn run(job: LoopJob, base: &str, executor: Option<Function>) -> Result<LoopReport, JsValue> {
    let stopped = Promise::new(&mut |resolve, _| STOP.with(|s| *s.borrow_mut() = Some(resolve)));
    let experiment = Box::pin(experiment(job, base, executor));
    let outcome = futures::future::select(experiment, JsFuture::from(stopped)).await;
    STOP.with(|s| s.borrow_mut().take());
    match outcome {
        futures::future::Either::Left((report, _)) => report,
        futures::future::Either::Right(_) => Err(JsError::new("stopped").into()),
    }
}

/// One experiment. `base` is the lab server's origin (for `/lab/delay/…`);
/// `executor(count)` mines `count` nonces on the pool and resolves when done.
async fn experiment(job: LoopJob, base: &str, executor: Option<Function>) -> Result<LoopReport, JsValue> {
    let t0 = now_ms();
    let beat = Heartbeat::start();
    let at = |t: f64| t - t0;
    let span = |task: String, kind, s: f64, e: f64| LoopSpan { task, kind, start_ms: at(s), end_ms: at(e) };
    let mut spans = Vec::new();
    let mut order = Vec::new();
    let mut cpu_ms = None;
    match job.scenario {
        Scenario::Gather | Scenario::Sequential => {
            let worker = |name: &'static str, seconds: f64| async move {
                let s = now_ms();
                sleep(job.ms(seconds) as u32).await;
                (name, s, now_ms())
            };
            let done = if job.scenario == Scenario::Gather {
                join_all(COURSE_WORKERS.map(|(n, s)| worker(n, s))).await
            } else {
                let mut out = Vec::new();
                for (n, s) in COURSE_WORKERS {
                    out.push(worker(n, s).await);
                }
                out
            };
            spans.extend(done.into_iter().map(|(n, s, e)| span(n.into(), "sleep", s, e)));
        }
        Scenario::Aiohttp | Scenario::AiohttpSequential => {
            let urls = fetch_urls(&job, base);
            let done = if job.scenario == Scenario::Aiohttp {
                join_all(urls.iter().map(|u| timed_fetch(u))).await
            } else {
                let mut out = Vec::new();
                for u in &urls {
                    out.push(timed_fetch(u).await);
                }
                out
            };
            for (u, r) in urls.iter().zip(done) {
                let (s, e) = r?;
                spans.push(span(u.rsplit('/').next().map_or(u.clone(), |d| format!("delay/{d}")), "fetch", s, e));
            }
        }
        Scenario::Agen => {
            let gap = job.ms(AGEN_GAP_S) as u32;
            let values = stream::unfold(0u32, |i| async move {
                if i >= AGEN_VALUES {
                    return None;
                }
                let s = now_ms();
                sleep(gap).await;
                Some(((i, s), i + 1))
            });
            futures::pin_mut!(values);
            while let Some((i, s)) = values.next().await {
                order.push(i.to_string());
                spans.push(span(format!("value {i}"), "value", s, now_ms()));
            }
        }
        Scenario::Blocking | Scenario::Hybrid => {
            // Calibrate: how many nonces this thread mines in cpu_ms.
            let count = calibrate_here(job.cpu_ms, &now_ms);
            // Let the heartbeat arm its timer, then count only the lag from here on.
            sleep(2 * HEARTBEAT_MS).await;
            beat.reset();
            // The requests go out now; their answers wait for the loop.
            let urls = fetch_urls(&job, base);
            let sent: Vec<(f64, Promise)> = urls.iter().map(|u| send(u)).collect();
            let fetches = join_all(sent.into_iter().map(|(s, p)| read(s, p)));
            let cpu_start = now_ms();
            let (done, cpu_end) = if job.scenario == Scenario::Blocking {
                // The mistake: nothing else on this thread runs until this returns.
                mine_here(1 << 40, count);
                let cpu_end = now_ms();
                (fetches.await, cpu_end)
            } else {
                let executor = executor.as_ref().ok_or_else(|| JsError::new("executor: the hybrid needs the pool"))?;
                let handed = executor.call1(&JsValue::NULL, &JsValue::from(count as f64))?;
                let cpu = async {
                    let r = JsFuture::from(Promise::from(handed)).await;
                    (r, now_ms())
                };
                let (done, (r, cpu_end)) = futures::join!(fetches, cpu);
                r?;
                (done, cpu_end)
            };
            cpu_ms = Some(cpu_end - cpu_start);
            spans.push(span(format!("CPU step: {count} nonces"), "cpu", cpu_start, cpu_end));
            for (u, r) in urls.iter().zip(done) {
                let (s, e) = r?;
                spans.push(span(u.rsplit('/').next().map_or(u.clone(), |d| format!("delay/{d}")), "fetch", s, e));
            }
        }
        Scenario::Order => order = callback_order().await,
    }
    let elapsed = now_ms() - t0;
    let lag = beat.stop();
    Ok(LoopReport::new(job.scenario, elapsed, spans, lag, order, cpu_ms))
}

fn fetch_urls(job: &LoopJob, base: &str) -> Vec<String> {
    COURSE_FETCHES.iter().enumerate().map(|(i, s)| format!("{base}/lab/delay/{}?i={i}", job.ms(*s) as u64)).collect()
}

/// One GET, its body read: when it was sent and when it was done.
async fn timed_fetch(url: &str) -> Result<(f64, f64), JsValue> {
    let (s, p) = send(url);
    read(s, p).await
}

/// Sends a GET at once (not when first polled): when, and the answer to come.
fn send(url: &str) -> (f64, Promise) {
    let init = RequestInit::new();
    init.set_cache(RequestCache::NoStore);
    (now_ms(), fetch_with_init(url, &init))
}

/// Awaits an answer sent at `s` and reads its body.
async fn read(s: f64, answer: Promise) -> Result<(f64, f64), JsValue> {
    let response: web_sys::Response = JsFuture::from(answer).await?.unchecked_into();
    JsFuture::from(response.text()?).await?;
    Ok((s, now_ms()))
}

/// A timer that asks to run every HEARTBEAT_MS; how late it runs is the loop's lag.
struct Heartbeat {
    max_lag: Rc<Cell<f64>>,
    running: Rc<Cell<bool>>,
}

impl Heartbeat {
    fn start() -> Self {
        let max_lag = Rc::new(Cell::new(0.0f64));
        let running = Rc::new(Cell::new(true));
        let (lag, on) = (max_lag.clone(), running.clone());
        spawn_local(async move {
            while on.get() {
                let asked = now_ms();
                sleep(HEARTBEAT_MS).await;
                let late = now_ms() - asked - HEARTBEAT_MS as f64;
                lag.set(lag.get().max(late));
            }
        });
        Heartbeat { max_lag, running }
    }

    /// Forgets the lag seen so far (the calibration's own).
    fn reset(&self) {
        self.max_lag.set(0.0);
    }

    fn stop(self) -> f64 {
        self.running.set(false);
        self.max_lag.get()
    }
}

/// Schedules a timer, two chained promise callbacks and a queueMicrotask, then logs
/// the end of the script; returns the order they ran in.
async fn callback_order() -> Vec<String> {
    let log = Rc::new(RefCell::new(Vec::new()));
    let note = |text: &'static str| {
        let log = log.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |_| log.borrow_mut().push(text.to_owned()))
    };
    let timer = note("timer (a task)");
    let first = note("promise 1 (a microtask)");
    let second = note("promise 2 (a microtask)");
    let micro = note("queueMicrotask (a microtask)");
    set_timeout(timer.as_ref().unchecked_ref(), 0);
    let _chain = Promise::resolve(&JsValue::NULL).then(&first).then(&second);
    queue_microtask(micro.as_ref().unchecked_ref());
    log.borrow_mut().push("end of the script".to_owned());
    // Long enough for the timer; the closures live until then.
    sleep(50).await;
    let order = log.borrow().clone();
    drop((timer, first, second, micro));
    order
}
