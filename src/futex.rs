//! Sleeping on an atomic word until another thread changes it: the wait and wake-all
//! under [`crate::schedule`]'s start line, and the wait and wake-one under the threads
//! build's allocator lock (`src/web/alloc.rs`). In wasm it is `memory.atomic.wait32` /
//! `notify` on the shared memory (pool threads are Web Workers, where waiting is
//! allowed); natively the OS's futex (or its equivalent), through `atomic-wait`.

use std::sync::atomic::AtomicU32;

/// Sleeps while `word` holds `expected`; may return early (spuriously), so callers
/// check their condition again.
pub(crate) fn wait(word: &AtomicU32, expected: u32) {
    imp::wait(word, expected);
}

/// Wakes every thread sleeping in [`wait`] on `word`.
pub(crate) fn wake_all(word: &AtomicU32) {
    imp::wake_all(word);
}

/// Wakes at most one thread sleeping in [`wait`] on `word`.
// Only the threads build's allocator calls it.
#[cfg_attr(not(target_feature = "atomics"), allow(dead_code))]
pub(crate) fn wake_one(word: &AtomicU32) {
    imp::wake_one(word);
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use std::sync::atomic::AtomicU32;
    pub fn wait(word: &AtomicU32, expected: u32) {
        atomic_wait::wait(word, expected);
    }
    pub fn wake_all(word: &AtomicU32) {
        atomic_wait::wake_all(word);
    }
    pub fn wake_one(word: &AtomicU32) {
        atomic_wait::wake_one(word);
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
mod imp {
    use core::arch::wasm32::{memory_atomic_notify, memory_atomic_wait32};
    use std::sync::atomic::AtomicU32;
    pub fn wait(word: &AtomicU32, expected: u32) {
        // SAFETY: the pointer is to a live, aligned u32; -1 waits without a timeout.
        // Only Web Workers wait (the pool's, and the engine and link workers in the
        // allocator): the threads build is never instantiated on a page's main thread.
        unsafe { memory_atomic_wait32(word.as_ptr().cast(), expected as i32, -1) };
    }
    pub fn wake_all(word: &AtomicU32) {
        // SAFETY: as above; u32::MAX wakes every waiter.
        unsafe { memory_atomic_notify(word.as_ptr().cast(), u32::MAX) };
    }
    pub fn wake_one(word: &AtomicU32) {
        // SAFETY: as above.
        unsafe { memory_atomic_notify(word.as_ptr().cast(), 1) };
    }
}

// The one-thread build (pkg-st/) has no atomics and a single thread: nothing ever
// waits for another thread, so a wait only spins until the word moves.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
mod imp {
    use std::sync::atomic::{AtomicU32, Ordering::Acquire};
    pub fn wait(word: &AtomicU32, expected: u32) {
        while word.load(Acquire) == expected {
            std::hint::spin_loop();
        }
    }
    pub fn wake_all(_: &AtomicU32) {}
    pub fn wake_one(_: &AtomicU32) {}
}
