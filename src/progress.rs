//! Live counters that workers publish and the page reads from shared memory.
//!
//! The wasm facade keeps one [`Progress`] in a static; the page gets its address and
//! reads it with `Atomics.load` every frame, and raises [`Progress::stop`] with
//! `Atomics.store`. No message is sent per hash. Native code and tests make their own.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Acquire, Ordering::Relaxed, Ordering::Release};

/// Upper bound on pool size; the page offers 1 to this many workers.
pub const MAX_WORKERS: usize = 128;

/// Coins published live per run; later coins reach the page with the result.
pub const COIN_SLOTS: usize = 256;
/// 32-bit words per published coin: 50 text bytes padded to 56, 16 digest bytes,
/// the worker, a pad word, and the candidate index as two words.
pub const COIN_SLOT_WORDS: usize = 24;
/// Byte offsets inside one coin slot; the page reads them from [`Layout`].
const COIN_TEXT_LEN: usize = crate::mining::COIN_LEN;
const COIN_MD5: usize = 56;
const COIN_WORKER: usize = 72;
const COIN_INDEX: usize = 80;

/// How long a CPU run's pulse and counters may stand still before the page's watchdog
/// ends the run: the core looks at the stop flag every few milliseconds on every
/// thread that works, so a second of silence already means something is wrong; the
/// margin covers a browser that starves a page's workers for a while (a background tab).
pub const STALL_MS: u32 = 5_000;

/// Bytes of a fault message kept for the page (longer ones are cut at a char boundary).
pub const FAULT_TEXT_BYTES: usize = 256;
/// [`Fault::state`] values.
const FAULT_NONE: u32 = 0;
const FAULT_WRITING: u32 = 1;
const FAULT_SET: u32 = 2;

/// A stop request for whatever run is going on now.
pub const STOP_ANY: u32 = u32::MAX;

/// `#[repr(C)]` so the byte offsets the page reads are fixed (see [`Layout`]).
#[repr(C)]
pub struct Progress {
    /// The run these counters belong to, set by the caller when a run starts.
    pub run_id: AtomicU32,
    /// The id of the run asked to stop, or [`STOP_ANY`]. A targeted id lets the page
    /// ask a run to stop before it has begun without the request being lost or
    /// leaking into the next run.
    pub stop: AtomicU32,
    /// Coins found so far in this run.
    pub coins: AtomicU32,
    /// 1 once the run has finished.
    pub finished: AtomicU32,
    /// Hashes done, per worker.
    pub hashes: [AtomicU64; MAX_WORKERS],
    /// Items (numbers tested, chunks done) per worker.
    pub items: [AtomicU64; MAX_WORKERS],
    /// Microseconds each worker spent inside tasks.
    pub busy_us: [AtomicU64; MAX_WORKERS],
    /// The first [`COIN_SLOTS`] coins of the run, as they are found; slot i is
    /// complete once `coins` > i.
    pub coin_slots: [[AtomicU32; COIN_SLOT_WORDS]; COIN_SLOTS],
    /// Bumped whenever a run looks at its stop flag: every long loop of the core does so
    /// at least every few milliseconds, so a pulse that stops moving while a run is not
    /// finished means a worker died or is stuck (the page's watchdog reads it).
    pub pulse: Pulse,
    /// The first panic or failed allocation of this module instance, for the page: a
    /// trap in a pool thread otherwise leaves only "unreachable" behind, or nothing.
    pub fault: Fault,
}

/// On a cache line of its own, so that bumping it does not slow down the threads that
/// read the stop flag and the counters.
#[repr(C, align(64))]
pub struct Pulse(pub AtomicU32);

/// A message written once by whichever thread faults first.
#[repr(C)]
pub struct Fault {
    /// 0 none, 1 being written, 2 complete: the page reads `text` only at 2.
    pub state: AtomicU32,
    pub len: AtomicU32,
    pub text: [AtomicU32; FAULT_TEXT_BYTES / 4],
}

/// Byte offsets of the fields of [`Progress`], for the page.
#[derive(Debug, Clone, Copy, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Layout {
    pub run_id: usize,
    pub stop: usize,
    pub coins: usize,
    pub finished: usize,
    pub hashes: usize,
    pub items: usize,
    pub busy_us: usize,
    pub coin_slots: usize,
    pub coin_slot_bytes: usize,
    pub coin_slot_count: usize,
    /// Inside a slot: the coin's text (from 0, this many bytes), its md5 (16 bytes),
    /// the worker (u32) and the candidate index (u64), all little-endian.
    pub coin_text_len: usize,
    pub coin_md5: usize,
    pub coin_worker: usize,
    pub coin_index: usize,
    /// The pulse (u32) the watchdog reads, and the fault: its state (u32, 2 once the
    /// message is complete), its length in bytes (u32) and its UTF-8 text.
    pub pulse: usize,
    pub fault_state: usize,
    pub fault_len: usize,
    pub fault_text: usize,
    pub max_workers: usize,
    pub size: usize,
}

impl Progress {
    pub const LAYOUT: Layout = Layout {
        run_id: std::mem::offset_of!(Progress, run_id),
        stop: std::mem::offset_of!(Progress, stop),
        coins: std::mem::offset_of!(Progress, coins),
        finished: std::mem::offset_of!(Progress, finished),
        hashes: std::mem::offset_of!(Progress, hashes),
        items: std::mem::offset_of!(Progress, items),
        busy_us: std::mem::offset_of!(Progress, busy_us),
        coin_slots: std::mem::offset_of!(Progress, coin_slots),
        coin_slot_bytes: COIN_SLOT_WORDS * 4,
        coin_slot_count: COIN_SLOTS,
        coin_text_len: COIN_TEXT_LEN,
        coin_md5: COIN_MD5,
        coin_worker: COIN_WORKER,
        coin_index: COIN_INDEX,
        pulse: std::mem::offset_of!(Progress, pulse),
        fault_state: std::mem::offset_of!(Progress, fault) + std::mem::offset_of!(Fault, state),
        fault_len: std::mem::offset_of!(Progress, fault) + std::mem::offset_of!(Fault, len),
        fault_text: std::mem::offset_of!(Progress, fault) + std::mem::offset_of!(Fault, text),
        max_workers: MAX_WORKERS,
        size: std::mem::size_of::<Progress>(),
    };

    pub const fn new() -> Self {
        Progress {
            run_id: AtomicU32::new(0),
            stop: AtomicU32::new(0),
            coins: AtomicU32::new(0),
            finished: AtomicU32::new(0),
            hashes: [const { AtomicU64::new(0) }; MAX_WORKERS],
            items: [const { AtomicU64::new(0) }; MAX_WORKERS],
            busy_us: [const { AtomicU64::new(0) }; MAX_WORKERS],
            coin_slots: [const { [const { AtomicU32::new(0) }; COIN_SLOT_WORDS] }; COIN_SLOTS],
            pulse: Pulse(AtomicU32::new(0)),
            fault: Fault {
                state: AtomicU32::new(FAULT_NONE),
                len: AtomicU32::new(0),
                text: [const { AtomicU32::new(0) }; FAULT_TEXT_BYTES / 4],
            },
        }
    }

    /// Zeroes the counters for a new run. A stop asked for an earlier run is cleared;
    /// one already asked for this run stays.
    pub fn begin(&self, run_id: u32) {
        self.finished.store(0, Relaxed);
        if self.stop.load(Relaxed) != run_id {
            self.stop.store(0, Relaxed);
        }
        self.coins.store(0, Relaxed);
        for i in 0..MAX_WORKERS {
            self.hashes[i].store(0, Relaxed);
            self.items[i].store(0, Relaxed);
            self.busy_us[i].store(0, Relaxed);
        }
        self.run_id.store(run_id, Relaxed);
    }

    /// Publishes coin number `n` of the run (from 0). Callers publish in order, one
    /// at a time (the miner holds its lock), so `coins` counts complete slots.
    pub fn publish_coin(&self, n: usize, text: &[u8], md5: &[u8; 16], worker: usize, index: u64) {
        if let Some(slot) = self.coin_slots.get(n) {
            let mut bytes = [0u8; COIN_SLOT_WORDS * 4];
            let len = text.len().min(COIN_MD5);
            bytes[..len].copy_from_slice(&text[..len]);
            bytes[COIN_MD5..COIN_MD5 + 16].copy_from_slice(md5);
            bytes[COIN_WORKER..COIN_WORKER + 4].copy_from_slice(&(worker as u32).to_le_bytes());
            bytes[COIN_INDEX..COIN_INDEX + 8].copy_from_slice(&index.to_le_bytes());
            for (word, chunk) in slot.iter().zip(bytes.chunks_exact(4)) {
                word.store(u32::from_le_bytes(chunk.try_into().unwrap_or_default()), Relaxed);
            }
        }
        self.coins.store(n as u32 + 1, Release);
    }

    pub fn finish(&self) {
        self.finished.store(1, Relaxed);
    }

    /// Whether the running job should stop. Every call is also a sign of life: see
    /// [`Progress::pulse`].
    pub fn stop_requested(&self) -> bool {
        self.pulse.0.fetch_add(1, Relaxed);
        let s = self.stop.load(Relaxed);
        s == STOP_ANY || (s != 0 && s == self.run_id.load(Relaxed))
    }

    pub fn request_stop(&self) {
        self.stop.store(STOP_ANY, Relaxed);
    }

    /// Keeps `message` as this instance's fault unless one is kept already (the first
    /// fault is the cause; what follows is usually its consequence). Lock-free and
    /// allocation-free, since it runs inside panic and out-of-memory hooks.
    pub fn record_fault(&self, message: &str) {
        if self.fault.state.compare_exchange(FAULT_NONE, FAULT_WRITING, Acquire, Relaxed).is_err() {
            return;
        }
        let mut len = message.len().min(FAULT_TEXT_BYTES);
        while !message.is_char_boundary(len) {
            len -= 1;
        }
        let bytes = &message.as_bytes()[..len];
        for (i, word) in self.fault.text.iter().enumerate() {
            let mut w = [0u8; 4];
            for (k, b) in w.iter_mut().enumerate() {
                *b = bytes.get(4 * i + k).copied().unwrap_or(0);
            }
            word.store(u32::from_le_bytes(w), Relaxed);
        }
        self.fault.len.store(len as u32, Relaxed);
        self.fault.state.store(FAULT_SET, Release);
    }

    /// The fault kept by [`Progress::record_fault`], once complete.
    pub fn fault_message(&self) -> Option<String> {
        if self.fault.state.load(Acquire) != FAULT_SET {
            return None;
        }
        let len = self.fault.len.load(Relaxed) as usize;
        let bytes: Vec<u8> = self.fault.text.iter().flat_map(|w| w.load(Relaxed).to_le_bytes()).take(len).collect();
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }

    // Jobs check the pool's size once (`pool::checked_size`), so `worker` is always in
    // range; the `get` keeps a slip from panicking inside a pool thread.

    pub fn add_hashes(&self, worker: usize, n: u64) {
        debug_assert!(worker < MAX_WORKERS);
        if let Some(h) = self.hashes.get(worker) {
            h.fetch_add(n, Relaxed);
        }
    }

    pub fn add_items(&self, worker: usize, n: u64) {
        debug_assert!(worker < MAX_WORKERS);
        if let Some(h) = self.items.get(worker) {
            h.fetch_add(n, Relaxed);
        }
    }

    pub fn add_busy(&self, worker: usize, ms: f64) {
        debug_assert!(worker < MAX_WORKERS);
        let us = (ms * 1000.0).max(0.0) as u64;
        if let Some(h) = self.busy_us.get(worker) {
            h.fetch_add(us, Relaxed);
        }
    }

    /// Hashes per worker for the first `workers` workers.
    pub fn hashes_per_worker(&self, workers: usize) -> Vec<u64> {
        self.hashes.iter().take(workers).map(|h| h.load(Relaxed)).collect()
    }

    pub fn total_hashes(&self) -> u64 {
        self.hashes.iter().map(|h| h.load(Relaxed)).sum()
    }

    pub fn total_items(&self) -> u64 {
        self.items.iter().map(|h| h.load(Relaxed)).sum()
    }
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_aligned_for_typed_arrays() {
        let l = Progress::LAYOUT;
        assert_eq!(l.run_id, 0);
        assert_eq!(l.hashes % 8, 0, "BigUint64Array needs 8-byte alignment");
        assert_eq!(l.items, l.hashes + 8 * MAX_WORKERS);
        assert_eq!(l.busy_us, l.items + 8 * MAX_WORKERS);
        assert_eq!(l.coin_slots, l.busy_us + 8 * MAX_WORKERS);
        let slots_end = l.coin_slots + l.coin_slot_bytes * COIN_SLOTS;
        assert!(l.pulse >= slots_end && l.pulse < slots_end + 64);
        assert_eq!(l.pulse % 64, 0, "the pulse has a cache line of its own");
        assert_eq!(l.fault_state, l.pulse + 64);
        assert_eq!((l.fault_len, l.fault_text), (l.fault_state + 4, l.fault_state + 8));
        assert!(l.fault_text + FAULT_TEXT_BYTES <= l.size);
        assert!(l.coin_text_len <= l.coin_md5 && l.coin_md5 + 16 <= l.coin_worker);
        assert!(l.coin_index.is_multiple_of(8) && l.coin_index + 8 <= l.coin_slot_bytes);
    }

    #[test]
    fn begin_clears_counters_and_stop() {
        let p = Progress::new();
        p.add_hashes(3, 10);
        p.add_items(127, 2);
        p.request_stop();
        assert_eq!(p.total_hashes(), 10);
        assert_eq!(p.total_items(), 2);
        p.begin(7);
        assert_eq!(p.total_hashes(), 0);
        assert_eq!(p.total_items(), 0);
        assert!(!p.stop_requested());
        assert_eq!(p.run_id.load(Relaxed), 7);
    }

    #[test]
    fn published_coins_are_laid_out_as_documented() {
        let p = Progress::new();
        let text = [b'7'; 50];
        let md5: [u8; 16] = std::array::from_fn(|i| i as u8);
        p.publish_coin(0, &text, &md5, 3, 0x1_0000_0002);
        assert_eq!(p.coins.load(Relaxed), 1);
        let bytes: Vec<u8> = p.coin_slots[0].iter().flat_map(|w| w.load(Relaxed).to_le_bytes()).collect();
        assert_eq!(&bytes[..50], &text);
        assert_eq!(&bytes[56..72], &md5);
        assert_eq!(u32::from_le_bytes(bytes[72..76].try_into().unwrap()), 3);
        assert_eq!(u64::from_le_bytes(bytes[80..88].try_into().unwrap()), 0x1_0000_0002);
        p.publish_coin(COIN_SLOTS + 5, &text, &md5, 0, 0); // past the slots: counted only
        assert_eq!(p.coins.load(Relaxed), COIN_SLOTS as u32 + 6);
    }

    #[test]
    fn the_first_fault_is_kept_whole_or_cut_at_a_char_boundary() {
        let p = Progress::new();
        assert_eq!(p.fault_message(), None);
        p.record_fault("panicked at src/x.rs:1:1:\nboom");
        p.record_fault("a later consequence");
        assert_eq!(p.fault_message().as_deref(), Some("panicked at src/x.rs:1:1:\nboom"));
        let q = Progress::new();
        let long = "é".repeat(FAULT_TEXT_BYTES); // 2 bytes each
        q.record_fault(&format!("x{long}"));
        let kept = q.fault_message().unwrap();
        assert!(kept.len() <= FAULT_TEXT_BYTES && kept.len() > FAULT_TEXT_BYTES - 4);
        assert!(kept.starts_with("xé") && !kept.contains('\u{fffd}'));
    }

    #[test]
    fn every_look_at_the_stop_flag_is_a_pulse() {
        let p = Progress::new();
        let before = p.pulse.0.load(Relaxed);
        for _ in 0..3 {
            p.stop_requested();
        }
        assert_eq!(p.pulse.0.load(Relaxed), before + 3);
    }

    #[test]
    fn a_stop_for_a_run_survives_its_begin_and_no_other() {
        let p = Progress::new();
        p.stop.store(5, Relaxed); // the page asks run 5 to stop before it began
        p.begin(5);
        assert!(p.stop_requested());
        p.begin(6);
        assert!(!p.stop_requested(), "a stop for run 5 does not stop run 6");
        p.stop.store(7, Relaxed);
        assert!(!p.stop_requested(), "nor does one for a later run");
    }
}
