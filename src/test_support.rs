//! Helpers the native tests of several modules share.

use std::time::Instant;

/// A millisecond clock from now, as the facade's `clock::now_ms` is in the browser.
pub fn clock() -> impl Fn() -> f64 + Sync {
    let t = Instant::now();
    move || t.elapsed().as_secs_f64() * 1000.0
}

/// Runs `f` on a fresh rayon pool of `threads` threads.
pub fn on_pool<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool").install(f)
}
