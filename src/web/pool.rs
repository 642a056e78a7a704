//! rayon pools on Web Workers that share this module's memory, and the workers kept
//! from one pool to the next.
//!
//! The design is wasm-bindgen-rayon's (a channel of rayon `ThreadBuilder`s, one taken
//! by each worker, which then runs it), with the JavaScript side our own
//! (`www/pool.js`, which runs each worker on one `blob:` script holding the glue):
//! wasm-bindgen-rayon's `startWorkers` has each worker load its script, then the glue,
//! and reports nothing of where a start goes, and the lab measures and shows exactly
//! that (issue 12: a pool start's breakdown in the benchmark and the resources view).
//!
//! Unlike wasm-bindgen-rayon, which builds rayon's *global* pool (once per instance,
//! so a pool of another size needs a fresh instance and fresh workers), the engine
//! builds a local `ThreadPool` per size and runs every job in it ([`install`]). A
//! worker whose rayon thread ends (its pool dropped for one of another size) waits on
//! the channel for the next pool's thread, so a learner who moves the workers slider
//! pays only for the workers the new pool has beyond those already started (issue 12:
//! "a learner pays it on every change of the slider").
//!
//! The engine calls `startWorkers(compiledModule(), memory, workerPool(), n)` itself,
//! rather than this module importing `pool.js` as a wasm-bindgen snippet: a snippet is
//! a file that every worker importing the glue must fetch too, and without one the
//! glue has no imports at all, so its text runs as it is inside the workers' one script.

use crossbeam_channel::{Receiver, Sender, unbounded};
use js_sys::JsString;
use rayon::{ThreadBuilder, ThreadPool, ThreadPoolBuilder};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use wasm_bindgen::prelude::*;

/// The pool every job runs in, once the engine has built one.
static CURRENT: Mutex<Option<Arc<ThreadPool>>> = Mutex::new(None);

/// How far the last build got: rayon threads taken by workers, and threads running
/// rayon's loop. The page reads them from the shared memory when a build does not end
/// (`buildProgressPointer`), to say where it stopped.
#[repr(C)]
struct BuildProgress {
    taken: AtomicU32,
    running: AtomicU32,
    /// Workers that have reached the channel, over the engine's life.
    waiting: AtomicU32,
}

static BUILD: BuildProgress =
    BuildProgress { taken: AtomicU32::new(0), running: AtomicU32::new(0), waiting: AtomicU32::new(0) };

/// Byte address of the last build's progress: three u32, threads taken and running,
/// and workers that have reached the channel.
#[wasm_bindgen(js_name = buildProgressPointer)]
pub fn build_progress_pointer() -> usize {
    &BUILD as *const BuildProgress as usize
}

/// Runs `work` in the engine's current pool (on the calling thread, which blocks, when
/// there is none: the link worker's calls use no pool).
pub fn install<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    let pool = CURRENT.lock().unwrap_or_else(PoisonError::into_inner).clone();
    match pool {
        Some(pool) => pool.install(work),
        None => work(),
    }
}

/// The engine's workers: one per instance, kept for every pool the engine builds.
#[wasm_bindgen(js_name = workerPool)]
pub fn worker_pool() -> WorkerPool {
    let (sender, receiver) = unbounded();
    WorkerPool { sender, receiver, started: 0 }
}

/// Hands rayon's threads to the engine's Web Workers: `startWorkers` (`www/pool.js`)
/// starts the workers a pool lacks ([`WorkerPool::to_start`]) with `receiver()`, then
/// calls `build(n)`.
#[wasm_bindgen]
pub struct WorkerPool {
    sender: Sender<ThreadBuilder>,
    receiver: Receiver<ThreadBuilder>,
    started: usize,
}

#[wasm_bindgen]
impl WorkerPool {
    /// How many more workers a pool of `threads` needs started (those started for
    /// earlier pools run it too).
    #[wasm_bindgen(js_name = toStart)]
    pub fn to_start(&self, threads: usize) -> Result<usize, JsError> {
        if threads == 0 {
            return Err(JsError::new("workers: a pool needs at least 1 worker (got 0)"));
        }
        Ok(threads.saturating_sub(self.started))
    }

    /// Workers started so far, each waiting for a rayon thread or running one.
    pub fn started(&self) -> usize {
        self.started
    }

    /// Counts `count` more workers as started, once each has instantiated the module
    /// and waits at [`start_pool_worker`].
    #[wasm_bindgen(js_name = addStarted)]
    pub fn add_started(&mut self, count: usize) {
        self.started += count;
    }

    /// The URL of the module's glue, whose text each worker's script holds.
    #[wasm_bindgen(js_name = mainJS)]
    pub fn main_js(&self) -> JsString {
        #[wasm_bindgen]
        extern "C" {
            #[wasm_bindgen(thread_local_v2, js_namespace = ["import", "meta"], js_name = url)]
            static URL: JsString;
        }
        URL.with(Clone::clone)
    }

    /// The address each worker passes to [`start_pool_worker`]; valid while this
    /// object lives (the engine keeps it for good).
    pub fn receiver(&self) -> usize {
        &self.receiver as *const Receiver<ThreadBuilder> as usize
    }

    /// Ends the current pool and builds one of `threads` on the started workers;
    /// returns once every one of its threads runs rayon's loop, so the pool is whole
    /// before a job is timed on it.
    pub fn build(&mut self, threads: usize) -> Result<(), JsError> {
        if threads == 0 || threads > self.started {
            return Err(JsError::new(&format!(
                "pool: {threads} threads asked for on {} started workers",
                self.started
            )));
        }
        // Dropping the old pool ends its threads' loops; each of their workers then
        // takes one of the new pool's threads from the channel.
        drop(CURRENT.lock().unwrap_or_else(PoisonError::into_inner).take());
        BUILD.taken.store(0, Ordering::Relaxed);
        BUILD.running.store(0, Ordering::Relaxed);
        let sender = self.sender.clone();
        let pool = ThreadPoolBuilder::new()
            .num_threads(threads)
            .start_handler(|_| {
                BUILD.running.fetch_add(1, Ordering::Relaxed);
            })
            .spawn_handler(move |thread| {
                sender.send(thread).map_err(|_| std::io::Error::other("the pool's workers are gone"))
            })
            .build()
            .map_err(|e| JsError::new(&format!("pool: {e}")))?;
        // A local pool's build does not wait for its threads (the global one does):
        // a job that every thread takes part in does.
        pool.broadcast(|_| ());
        *CURRENT.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(pool));
        Ok(())
    }
}

/// Runs in a pool worker once its module instance is up: takes a rayon thread from the
/// channel at `receiver` and runs it (rayon's loop, which ends with its pool), then
/// waits for the next pool's; returns only if the engine's [`WorkerPool`] is gone.
#[wasm_bindgen(js_name = startPoolWorker)]
pub fn start_pool_worker(receiver: usize) {
    // SAFETY: `receiver` comes from `WorkerPool::receiver` of the pool the engine
    // keeps alive, in the memory this instance shares; crossbeam's Receiver is Sync.
    let receiver = unsafe { &*(receiver as *const Receiver<ThreadBuilder>) };
    BUILD.waiting.fetch_add(1, Ordering::Relaxed);
    while let Ok(thread) = receiver.recv() {
        BUILD.taken.fetch_add(1, Ordering::Relaxed);
        thread.run();
    }
}
