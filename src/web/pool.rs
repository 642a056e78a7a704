//! rayon's global pool on Web Workers that share this module's memory.
//!
//! The design is wasm-bindgen-rayon's (a channel of rayon `ThreadBuilder`s, one taken
//! by each worker, which then runs it), with the JavaScript side our own
//! (`www/pool.js`, which is also each worker's script): wasm-bindgen-rayon's
//! `startWorkers` fetches its own script once per worker and reports nothing of where a
//! start goes, and the lab measures and shows exactly that (issue 12: a pool start's
//! breakdown in the benchmark and the resources view).
//!
//! The engine calls `startWorkers(compiledModule(), memory, poolBuilder(n))` itself,
//! rather than this module importing `pool.js` as a wasm-bindgen snippet: a snippet is
//! a file that every worker importing the glue must fetch too, and without one the
//! glue has no imports at all, so a pool worker fetches two files (its script and the
//! glue), both from the browser's cache (see `www/build.js`, `?v=`).

use crossbeam_channel::{Receiver, Sender, bounded};
use js_sys::JsString;
use rayon::{ThreadBuilder, ThreadPoolBuilder};
use wasm_bindgen::prelude::*;

/// A builder for a pool of `threads` workers, for `startWorkers` (`www/pool.js`),
/// which starts them on this module and memory and then builds rayon's global pool on
/// them (once per instance).
#[wasm_bindgen(js_name = poolBuilder)]
pub fn pool_builder(threads: usize) -> Result<PoolBuilder, JsError> {
    PoolBuilder::new(threads)
}

/// Hands rayon's threads to the pool's workers: the engine makes one, starts its
/// workers with `receiver()`, and calls `build()` once they are all ready.
#[wasm_bindgen]
pub struct PoolBuilder {
    threads: usize,
    sender: Sender<ThreadBuilder>,
    receiver: Receiver<ThreadBuilder>,
}

#[wasm_bindgen]
impl PoolBuilder {
    /// A builder for a pool of `threads` workers (at least 1).
    fn new(threads: usize) -> Result<PoolBuilder, JsError> {
        if threads == 0 {
            return Err(JsError::new("workers: a pool needs at least 1 worker (got 0)"));
        }
        let (sender, receiver) = bounded(threads);
        Ok(Self { threads, sender, receiver })
    }

    /// How many workers to start.
    #[wasm_bindgen(js_name = numThreads)]
    pub fn num_threads(&self) -> usize {
        self.threads
    }

    /// The URL of the module's glue, which each worker imports.
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
    /// builder lives (the engine keeps it, and the pool is global, for good).
    pub fn receiver(&self) -> usize {
        &self.receiver as *const Receiver<ThreadBuilder> as usize
    }

    /// Builds rayon's global pool: each of its threads is sent to a waiting worker.
    /// (`PoolBuilder::new` is not exported: JavaScript gets a builder only from
    /// [`pool_builder`].)
    pub fn build(&mut self) -> Result<(), JsError> {
        let sender = self.sender.clone();
        ThreadPoolBuilder::new()
            .num_threads(self.threads)
            .spawn_handler(move |thread| {
                sender.send(thread).map_err(|_| std::io::Error::other("the pool's workers are gone"))
            })
            .build_global()
            .map_err(|e| JsError::new(&format!("pool: {e}")))
    }
}

/// Runs in a pool worker once its module instance is up: waits for a rayon thread from
/// the builder at `receiver` and runs it (rayon's main loop; returns only if the pool
/// ends).
#[wasm_bindgen(js_name = startPoolWorker)]
pub fn start_pool_worker(receiver: usize) -> Result<(), JsError> {
    // SAFETY: `receiver` comes from `PoolBuilder::receiver` of a builder the engine
    // keeps alive, in the memory this instance shares; crossbeam's Receiver is Sync.
    let receiver = unsafe { &*(receiver as *const Receiver<ThreadBuilder>) };
    let thread =
        receiver.recv().map_err(|_| JsError::new("pool: the builder was dropped before this worker got a thread"))?;
    thread.run();
    Ok(())
}
