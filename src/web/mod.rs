//! The wasm-bindgen facade: converts arguments and results, and nothing more.
//!
//! The engine worker calls [`mine`] and [`primes`] once `startWorkers` (`www/pool.js`)
//! has started the pool; the link worker calls [`check_links`] on its own module
//! instance, outside the pool.
//! Both run off the page's main thread: a rayon call there would busy-wait.

// The threads build's allocator (sleeps on contention; std's spins).
#[cfg(target_feature = "atomics")]
mod alloc;
mod clock;
mod event_loop;
mod fault;
mod fetch;
mod js;
mod output;
#[cfg(feature = "threads")]
mod pool;

use crate::{ArgError, ExecutorArgs, LinksArgs, LoopArgs, MineArgs, PrimesArgs, Progress};
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

pub use fault::{fault_message, install_fault_hooks};
#[cfg(feature = "threads")]
pub use pool::{WorkerPool, build_progress_pointer, start_pool_worker, worker_pool};

/// Runs `work` on the engine's current pool, as every CPU entry point here does (the
/// core's parallel code runs on whatever pool it is called in); on the calling thread
/// where no pool has been built.
#[cfg(feature = "threads")]
pub use pool::install as in_pool;
#[cfg(not(feature = "threads"))]
pub fn in_pool<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    work()
}

/// The counters the page reads from shared memory while a run goes on.
static PROGRESS: Progress = Progress::new();

fn arg_error(e: ArgError) -> JsError {
    JsError::new(&e.to_string())
}

/// Reads an options object; a field of the wrong type, or an unknown one, is named
/// in the error. The object goes through a JSON value first because
/// serde-wasm-bindgen reads only the fields a struct knows, so a misspelt option
/// would otherwise be ignored without a word.
fn options<T: DeserializeOwned + Default>(opts: JsValue) -> Result<T, JsError> {
    if opts.is_undefined() || opts.is_null() {
        return Ok(T::default());
    }
    if !opts.is_object() || js_sys::Array::is_array(&opts) {
        return Err(JsError::new("options: expected an object of named options"));
    }
    let value: serde_json::Value =
        serde_wasm_bindgen::from_value(opts).map_err(|e| JsError::new(&format!("options: {e}")))?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { "options".to_owned() } else { path };
        JsError::new(&format!("{path}: {}", e.inner()))
    })
}

/// Byte address of the progress counters in the shared wasm memory.
#[wasm_bindgen(js_name = progressPointer)]
pub fn progress_pointer() -> usize {
    &PROGRESS as *const Progress as usize
}

/// Every limit, default, layout and list the page shows or checks (`lab.contract`).
#[wasm_bindgen]
pub fn contract() -> Result<JsValue, JsError> {
    output::to_js(&crate::contract())
}

/// Warms the module's code up on the calling thread: the link worker's, once per page
/// right after load, and each engine's once its pool has started (see
/// `mining::warm_up`).
#[wasm_bindgen(js_name = warmUp)]
pub fn warm_up() -> Result<JsValue, JsError> {
    output::to_js(&crate::warm_up(&PROGRESS, &clock::now_ms))
}

/// This instance's compiled `WebAssembly.Module`. The page keeps the link worker's and
/// hands it to every engine, which then neither compiles the module again nor warms
/// its code up again: the optimised code is kept with the module.
#[wasm_bindgen(js_name = compiledModule)]
pub fn compiled_module() -> JsValue {
    wasm_bindgen::module()
}

/// Threads in the engine's pool (once `startWorkers` has built it).
#[wasm_bindgen(js_name = poolSize)]
pub fn pool_size() -> usize {
    in_pool(rayon::current_num_threads)
}

/// Runs `work` on the engine's pool as run `run_id` on the shared counters (zeroed
/// first, marked finished after) and returns its result with its compute time in ms.
fn run<T: Send>(run_id: Option<u32>, work: impl FnOnce() -> T + Send) -> (T, f64) {
    PROGRESS.begin(run_id.unwrap_or(0));
    let t0 = clock::now_ms();
    let result = in_pool(work);
    let elapsed = clock::now_ms() - t0;
    PROGRESS.finish();
    (result, elapsed)
}

/// `lab.mine`: mines on the pool; blocks the calling worker until the run ends.
#[wasm_bindgen]
pub fn mine(opts: JsValue) -> Result<JsValue, JsError> {
    let args: MineArgs = options(opts)?;
    let job = args.check().map_err(arg_error)?;
    let (report, elapsed) = run(args.run_id, || crate::mine(&job, &PROGRESS, &clock::now_ms));
    output::to_js(&output::Mined::new(&job, &report.map_err(arg_error)?, elapsed))
}

/// `lab.primes`: maps the primality test over the numbers on the pool.
#[wasm_bindgen]
pub fn primes(opts: JsValue) -> Result<JsValue, JsError> {
    let args: PrimesArgs = options(opts)?;
    let job = args.check().map_err(arg_error)?;
    let (report, elapsed) = run(args.run_id, || crate::map_primes(&job, &PROGRESS, &clock::now_ms));
    output::to_js(&output::Primes::new(&job, &report.map_err(arg_error)?, elapsed))
}

/// Takes the page's run id off an options object whose type knows no such field.
fn take_run_id(opts: &JsValue) -> Option<u32> {
    if !opts.is_object() {
        return None;
    }
    let id = js_sys::Reflect::get(opts, &"runId".into()).ok()?.as_f64().map(|v| v as u32);
    let _ = js_sys::Reflect::delete_property(opts.unchecked_ref::<js_sys::Object>(), &"runId".into());
    id
}

/// The pool `lab.gil` needs for these options (threads, or one for the loop's thread
/// in async mode): the page starts it before calling [`gil`].
#[wasm_bindgen(js_name = gilPoolNeeded)]
pub fn gil_pool_needed(opts: JsValue) -> Result<usize, JsError> {
    let job: crate::GilJob = options(opts)?;
    Ok(job.check().map_err(arg_error)?.pool_needed())
}

/// `lab.gil`: the course's countdown on a small bytecode interpreter, run by threads
/// of the pool under one GIL (or none, or as processes, or as coroutines); blocks the
/// calling worker until the run ends. Live counts go to the shared counters (items per
/// thread); a Stop through shared memory ends it.
#[wasm_bindgen]
pub fn gil(opts: JsValue) -> Result<JsValue, JsError> {
    let run_id = take_run_id(&opts);
    let job: crate::GilJob = options(opts)?;
    let (report, _) = run(run_id, || {
        crate::run_gil(&job, &clock::now_ms, &|| PROGRESS.stop_requested(), &|t, n| PROGRESS.add_items(t, n))
    });
    output::to_js(&report.map_err(arg_error)?)
}

/// The pool `lab.executor` needs: its workers and the main program's thread.
#[wasm_bindgen(js_name = executorPoolNeeded)]
pub fn executor_pool_needed(opts: JsValue) -> Result<usize, JsError> {
    let args: ExecutorArgs = options(opts)?;
    Ok(args.check().map_err(arg_error)?.pool_needed())
}

/// `lab.executor`: a concurrent.futures program on real pool threads (pool thread 0
/// is the main program and the watchdog); blocks the calling worker until it ends:
/// done, a deadlock the watchdog caught, a timeout, or a stop.
#[wasm_bindgen]
pub fn executor(opts: JsValue) -> Result<JsValue, JsError> {
    let run_id = take_run_id(&opts);
    let args: ExecutorArgs = options(opts)?;
    let job = args.check().map_err(arg_error)?;
    let (report, _) = run(run_id, || crate::run_executor(&job, &clock::now_ms, &|| PROGRESS.stop_requested()));
    output::to_js(&report.map_err(arg_error)?)
}

/// md5 of any text, and whether it is a coin.
#[wasm_bindgen(js_name = verifyCoin)]
pub fn verify_coin(text: &str) -> Result<JsValue, JsError> {
    output::to_js(&crate::verify(text))
}

/// `lab.links`: checks the URLs with at most `concurrency` requests in flight,
/// calling `on_result` with each result as it completes.
#[wasm_bindgen(js_name = checkLinks)]
pub async fn check_links(opts: JsValue, on_result: Option<js_sys::Function>) -> Result<JsValue, JsError> {
    let args: LinksArgs = options(opts)?;
    let job = args.check().map_err(arg_error)?;
    let t0 = clock::now_ms();
    let results = fetch::check(job, on_result).await;
    output::to_js(&output::Links { elapsed_ms: clock::now_ms() - t0, results })
}

/// Reads a pasted or uploaded list: the URLs to check, and each line left out with
/// its number and why.
#[wasm_bindgen(js_name = parseLinkList)]
pub fn parse_link_list(text: &str) -> Result<JsValue, JsError> {
    output::to_js(&crate::parse_list(text))
}

/// `lab.loop`: one experiment on this worker's event loop. `base` is the lab
/// server's origin; `executor(count)` mines `count` nonces on the pool (the hybrid's
/// `run_in_executor`) and resolves when done.
#[wasm_bindgen(js_name = runLoop)]
pub async fn run_loop(opts: JsValue, base: String, executor: Option<js_sys::Function>) -> Result<JsValue, JsError> {
    let args: LoopArgs = options(opts)?;
    let job = args.check().map_err(arg_error)?;
    let report = event_loop::run(job, &base, executor).await.map_err(|e| {
        let msg = js_sys::Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string());
        JsError::new(&format!("loop: {}", msg.unwrap_or_else(|| format!("{e:?}"))))
    })?;
    output::to_js(&report)
}

/// Stops the running event-loop experiment: its promise rejects with "loop: stopped".
#[wasm_bindgen(js_name = stopLoop)]
pub fn stop_loop() {
    event_loop::stop();
}

/// Aborts every request of the running link check at once.
#[wasm_bindgen(js_name = stopLinks)]
pub fn stop_links() {
    fetch::stop();
}
