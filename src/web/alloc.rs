//! The threads build's global allocator: std's own (dlmalloc, one heap for every
//! thread), behind a lock that puts a thread to sleep when another holds it, where
//! std's spins.
//!
//! Why: std's wasm allocator spins on contention, because a browser's main thread may
//! not block (its comment says what this costs: "Another thread with the lock may take
//! quite a long time to wake up ... evicted from the CPU for a timeslice like 10ms ...
//! our thread will 'helpfully' sit here and eat CPU time", library/std/src/sys/alloc/
//! wasm.rs). A pool of 100 workers on two cores is that case: each rayon thread
//! allocates as it starts, and when the OS takes a core from the thread holding the
//! lock, every thread waiting for it spins out its whole time slice before the holder
//! runs again. Measured on 15 cold 100-worker starts: 5 of them spent 0.5-3 s there,
//! threads that had taken their rayon thread within 13 ms reaching rayon's loop after
//! a median of 389 ms (the rest built in 23-69 ms).
//!
//! Sleeping is allowed here because this module never runs on a page's main thread:
//! it is instantiated only in workers (the engine, the link worker, the pool's
//! workers; the wasm tests run in a dedicated worker). On a main thread the wait would
//! trap, loudly, rather than freeze.

use crate::futex;
use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicU32, Ordering};

#[global_allocator]
static ALLOCATOR: SleepingDlmalloc =
    SleepingDlmalloc { state: AtomicU32::new(UNLOCKED), heap: UnsafeCell::new(dlmalloc::Dlmalloc::new()) };

const UNLOCKED: u32 = 0;
const LOCKED: u32 = 1;
/// Locked, and a thread may be asleep waiting: the unlock must wake one.
const CONTENDED: u32 = 2;
/// Tries before sleeping: a lock held for one malloc is usually free again within
/// these, and a thread that sleeps costs a notify and a wake-up.
const SPINS: u32 = 100;

struct SleepingDlmalloc {
    state: AtomicU32,
    heap: UnsafeCell<dlmalloc::Dlmalloc>,
}

// SAFETY: `heap` is only touched while `state` is held (see `with_heap`).
unsafe impl Sync for SleepingDlmalloc {}

impl SleepingDlmalloc {
    /// The three-state lock of Drepper's "Futexes Are Tricky" (mutex 2).
    fn lock(&self) {
        let s = &self.state;
        if s.compare_exchange(UNLOCKED, LOCKED, Ordering::Acquire, Ordering::Relaxed).is_ok() {
            return;
        }
        for _ in 0..SPINS {
            core::hint::spin_loop();
            if s.load(Ordering::Relaxed) == UNLOCKED
                && s.compare_exchange(UNLOCKED, LOCKED, Ordering::Acquire, Ordering::Relaxed).is_ok()
            {
                return;
            }
        }
        while s.swap(CONTENDED, Ordering::Acquire) != UNLOCKED {
            // Returns at once if the lock is no longer CONTENDED: no wake-up is missed.
            futex::wait(s, CONTENDED);
        }
    }

    fn unlock(&self) {
        if self.state.swap(UNLOCKED, Ordering::Release) == CONTENDED {
            futex::wake_one(&self.state);
        }
    }

    fn with_heap<R>(&self, f: impl FnOnce(&mut dlmalloc::Dlmalloc) -> R) -> R {
        self.lock();
        // SAFETY: the lock gives this thread sole access until `unlock`; dlmalloc never
        // allocates through the global allocator, so this cannot re-enter.
        let r = f(unsafe { &mut *self.heap.get() });
        self.unlock();
        r
    }
}

// SAFETY: dlmalloc's functions have the preconditions of GlobalAlloc's, as in std's
// wasm allocator, which this copies but for the lock.
unsafe impl GlobalAlloc for SleepingDlmalloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.with_heap(|h| unsafe { h.malloc(layout.size(), layout.align()) })
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        self.with_heap(|h| unsafe { h.calloc(layout.size(), layout.align()) })
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.with_heap(|h| unsafe { h.free(ptr, layout.size(), layout.align()) })
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        self.with_heap(|h| unsafe { h.realloc(ptr, layout.size(), layout.align(), new_size) })
    }
}
