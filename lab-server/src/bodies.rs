//! Response bodies made on the fly, in constant memory whatever their length.
//!
//! Every body here is slices of one static 64 KiB chunk, handed to hyper one at a
//! time as the socket takes them: two hundred clients reading 64 MiB each cost the
//! server no more than two hundred chunk handles, not 12.5 GiB.

use axum::body::{Body, Bytes};
use futures_util::stream;
use std::convert::Infallible;
use std::time::Duration;
use tokio::time::Instant;

/// Size of the chunks a body is sent in.
pub const CHUNK_LEN: usize = 64 << 10;
static CHUNK: [u8; CHUNK_LEN] = [b'x'; CHUNK_LEN];
/// A drip sends at most one piece per tick, however many bytes it has.
pub const DRIP_TICK: Duration = Duration::from_millis(10);

fn chunk(len: usize) -> Bytes {
    Bytes::from_static(&CHUNK[..len])
}

/// `n` bytes of `x`, in full chunks and then the rest.
pub fn repeat(n: u64) -> Body {
    let full = (n / CHUNK_LEN as u64) as usize;
    let rest = (n % CHUNK_LEN as u64) as usize;
    let chunks = std::iter::repeat_n(chunk(CHUNK_LEN), full).chain((rest > 0).then(|| chunk(rest)));
    Body::from_stream(stream::iter(chunks.map(Ok::<_, Infallible>)))
}

/// How a drip of `bytes` over `over` is cut: `(pieces, size of piece i)`.
///
/// As many pieces as there are ticks in `over` (but no more than bytes), and never
/// a piece larger than a chunk. Piece `i` ends at `bytes * (i + 1) / pieces`, so
/// the sizes differ by at most one byte and add up to `bytes` exactly.
pub fn drip_plan(bytes: u64, over: Duration) -> u64 {
    let ticks = (over.as_millis() / DRIP_TICK.as_millis()) as u64;
    bytes.div_ceil(CHUNK_LEN as u64).max(ticks.min(bytes))
}

fn piece_end(bytes: u64, pieces: u64, i: u64) -> u64 {
    (u128::from(bytes) * u128::from(i + 1) / u128::from(pieces)) as u64
}

/// `bytes` bytes spread evenly over `over`: piece `i` of `n` leaves at
/// `over * (i + 1) / n` after the call, so the last byte leaves at `over` and the
/// whole body takes at least that long. With no bytes there is nothing to spread
/// (an empty body with a `Content-Length` is over as soon as the head is sent).
pub fn drip(bytes: u64, over: Duration) -> Body {
    let start = Instant::now();
    let pieces = drip_plan(bytes, over);
    let steps = stream::unfold(0u64, move |i| async move {
        if i == pieces {
            return None;
        }
        let at = over.as_nanos() * u128::from(i + 1) / u128::from(pieces);
        tokio::time::sleep_until(start + Duration::from_nanos(at as u64)).await;
        let from = if i == 0 { 0 } else { piece_end(bytes, pieces, i - 1) };
        let len = (piece_end(bytes, pieces, i) - from) as usize;
        Some((Ok::<_, Infallible>(chunk(len)), i + 1))
    });
    Body::from_stream(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drip_is_cut_in_ticks_and_chunks() {
        assert_eq!(drip_plan(0, Duration::from_secs(1)), 0);
        assert_eq!(drip_plan(5, Duration::from_secs(1)), 5, "one byte a piece");
        assert_eq!(drip_plan(1000, Duration::from_secs(1)), 100, "one piece a tick");
        assert_eq!(drip_plan(1000, Duration::ZERO), 1);
        assert_eq!(drip_plan(64 << 20, Duration::from_millis(10)), 1024, "no piece over a chunk");
        for (bytes, ms) in [(1000, 1000), (64 << 20, 600_000), (64 << 20, 10), (7, 30), (65_537, 0)] {
            let pieces = drip_plan(bytes, Duration::from_millis(ms));
            assert_eq!(piece_end(bytes, pieces, pieces - 1), bytes);
            let first = piece_end(bytes, pieces, 0);
            assert!(first <= CHUNK_LEN as u64);
            assert!((first as i64 - (bytes / pieces) as i64).abs() <= 1, "even pieces");
        }
    }
}
