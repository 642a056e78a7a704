//! Timeline bars that both CPU jobs record: one bar per task on one worker.
//!
//! Mining and primes take these from here so neither borrows from the other.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Timeline bars kept per run; later ones are counted, not kept.
pub const MAX_SPANS: usize = 20_000;

/// One task on one worker, for the timeline.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Span {
    pub worker: usize,
    pub start_ms: f64,
    pub end_ms: f64,
    /// Candidates hashed, or numbers tested.
    pub items: u64,
}

/// Collects timeline bars from all workers, up to [`MAX_SPANS`].
#[derive(Default)]
pub struct Timeline {
    spans: Mutex<Vec<Span>>,
    dropped: AtomicU64,
}

impl Timeline {
    pub fn push(&self, span: Span) {
        let mut spans = self.spans.lock().unwrap_or_else(|e| e.into_inner());
        if spans.len() < MAX_SPANS {
            spans.push(span);
        } else {
            self.dropped.fetch_add(1, Relaxed);
        }
    }

    /// The bars in start order, and how many were not kept.
    pub fn into_parts(self) -> (Vec<Span>, u64) {
        let mut spans = self.spans.into_inner().unwrap_or_else(|e| e.into_inner());
        spans.sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
        (spans, self.dropped.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_past_the_cap_are_counted_not_kept() {
        let t = Timeline::default();
        for i in 0..MAX_SPANS + 3 {
            t.push(Span { worker: 0, start_ms: (MAX_SPANS + 3 - i) as f64, end_ms: 0.0, items: 1 });
        }
        let (spans, dropped) = t.into_parts();
        assert_eq!((spans.len(), dropped), (MAX_SPANS, 3));
        assert!(spans.windows(2).all(|w| w[0].start_ms <= w[1].start_ms), "sorted by start");
    }
}
