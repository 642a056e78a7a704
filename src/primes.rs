//! Primality: the course's trial division, deterministic Miller–Rabin, and the
//! parallel map over the pool that runs either with a chunk size.

use crate::error::ArgError;
use crate::pool;
use crate::progress::Progress;
use crate::schedule::{Flow, for_each_task};
use crate::timeline::{Span, Timeline};
use std::sync::OnceLock;

/// Which primality test to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Algorithm {
    /// Odd trial divisors up to ⌊√n⌋, as in the course.
    Trial,
    /// Deterministic Miller–Rabin for every u64.
    MillerRabin,
}

/// The course's list, with its repeated number.
pub const COURSE_PRIMES: [u64; 6] =
    [112272535095293, 112582705942171, 112272535095293, 115280095190773, 115797848077099, 1099726899285419];

/// At most this many numbers in one call.
pub const MAX_NUMBERS: usize = 1_000_000;
/// Numbers per task when no chunk size is given, as `Executor.map`'s default.
pub const DEFAULT_CHUNKSIZE: usize = 1;

/// A checked primes job.
#[derive(Debug, Clone, PartialEq)]
pub struct PrimesJob {
    pub numbers: Vec<u64>,
    pub chunksize: usize,
    pub algorithm: Algorithm,
}

/// Trial divisors tried between two looks at the stop flag.
const STOP_CHECK: u64 = 1 << 16;

/// The course's `is_prime`: odd divisors from 3 to ⌊√n⌋.
/// `None` when `stop` said so before an answer was reached.
pub fn trial_division(n: u64, stop: &dyn Fn() -> bool) -> Option<bool> {
    if n < 2 {
        return Some(false);
    }
    if n == 2 {
        return Some(true);
    }
    if n.is_multiple_of(2) {
        return Some(false);
    }
    let root = n.isqrt();
    let mut i = 3;
    while i <= root {
        let end = root.min(i.saturating_add(2 * STOP_CHECK));
        while i <= end {
            if n.is_multiple_of(i) {
                return Some(false);
            }
            i += 2;
        }
        if stop() {
            return None;
        }
    }
    Some(true)
}

fn mul_mod(a: u64, b: u64, m: u64) -> u64 {
    ((a as u128 * b as u128) % m as u128) as u64
}

fn pow_mod(mut base: u64, mut exp: u64, m: u64) -> u64 {
    let mut acc = 1;
    base %= m;
    while exp > 0 {
        if exp & 1 == 1 {
            acc = mul_mod(acc, base, m);
        }
        base = mul_mod(base, base, m);
        exp >>= 1;
    }
    acc
}

/// Miller–Rabin with the first twelve primes as bases: exact for every n < 2^64
/// (Sorenson and Webster, 2015: these bases suffice below 3.3·10^24).
pub fn miller_rabin(n: u64) -> bool {
    const BASES: [u64; 12] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37];
    if n < 2 {
        return false;
    }
    for p in BASES {
        if n.is_multiple_of(p) {
            return n == p;
        }
    }
    let s = (n - 1).trailing_zeros();
    let d = (n - 1) >> s;
    'bases: for a in BASES {
        let mut x = pow_mod(a, d, n);
        if x == 1 || x == n - 1 {
            continue;
        }
        for _ in 1..s {
            x = mul_mod(x, x, n);
            if x == n - 1 {
                continue 'bases;
            }
        }
        return false;
    }
    true
}

/// One number's answer, and who computed it when.
#[derive(Debug, Clone, PartialEq)]
pub struct PrimeResult {
    pub n: u64,
    /// `None` when the run was stopped before this number was decided.
    pub prime: Option<bool>,
    /// Pool thread index, 0 to N−1; `None` if no worker reached it.
    pub worker: Option<usize>,
    pub start_ms: f64,
    pub end_ms: f64,
}

#[derive(Debug, Clone)]
pub struct PrimesReport {
    /// The pool's size, as [`pool::checked_size`] found it.
    pub workers: usize,
    /// In input order, as `Executor.map` returns them.
    pub results: Vec<PrimeResult>,
    pub stopped: bool,
    /// One bar per chunk.
    pub spans: Vec<Span>,
}

/// Maps the test over `job.numbers` on the current rayon pool, `job.chunksize`
/// numbers per task, as `executor.map(is_prime, numbers, chunksize=…)` does.
pub fn map_primes(
    job: &PrimesJob,
    progress: &Progress,
    clock: &(dyn Fn() -> f64 + Sync),
) -> Result<PrimesReport, ArgError> {
    let workers = pool::checked_size()?;
    let t0 = clock();
    let slots: Vec<OnceLock<PrimeResult>> = job.numbers.iter().map(|_| OnceLock::new()).collect();
    let timeline = Timeline::default();
    let stop = || progress.stop_requested();
    let tasks = job.numbers.len().div_ceil(job.chunksize) as u64;

    for_each_task(tasks, |task, worker| {
        if stop() {
            return Flow::Stop;
        }
        let first = task as usize * job.chunksize;
        let chunk = &job.numbers[first..(first + job.chunksize).min(job.numbers.len())];
        let chunk_start = clock();
        let mut tested = 0;
        for (i, &n) in chunk.iter().enumerate() {
            let start = clock();
            let prime = match job.algorithm {
                Algorithm::Trial => trial_division(n, &stop),
                Algorithm::MillerRabin => Some(miller_rabin(n)),
            };
            let end = clock();
            let _ = slots[first + i].set(PrimeResult {
                n,
                prime,
                worker: Some(worker),
                start_ms: start - t0,
                end_ms: end - t0,
            });
            if prime.is_none() {
                break;
            }
            tested += 1;
            progress.add_items(worker, 1);
        }
        let chunk_end = clock();
        progress.add_busy(worker, chunk_end - chunk_start);
        timeline.push(Span { worker, start_ms: chunk_start - t0, end_ms: chunk_end - t0, items: tested });
        Flow::Continue
    });

    let results = slots
        .into_iter()
        .zip(&job.numbers)
        .map(|(slot, &n)| {
            slot.into_inner().unwrap_or(PrimeResult { n, prime: None, worker: None, start_ms: 0.0, end_ms: 0.0 })
        })
        .collect::<Vec<_>>();
    let stopped = results.iter().any(|r| r.prime.is_none());
    let (spans, _) = timeline.into_parts();
    Ok(PrimesReport { workers, results, stopped, spans })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn never() -> bool {
        false
    }

    /// Primes below 100, for an exhaustive check of small n.
    const SMALL: [u64; 25] =
        [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97];

    #[test]
    fn small_numbers_by_both_tests() {
        for n in 0..100 {
            let want = SMALL.contains(&n);
            assert_eq!(trial_division(n, &never), Some(want), "trial {n}");
            assert_eq!(miller_rabin(n), want, "miller-rabin {n}");
        }
    }

    #[test]
    fn the_course_list() {
        // The course's program prints False for 1099726899285419 only.
        let want = [true, true, true, true, true, false];
        for (n, want) in COURSE_PRIMES.iter().zip(want) {
            assert_eq!(trial_division(*n, &never), Some(want), "{n}");
            assert_eq!(miller_rabin(*n), want, "{n}");
        }
    }

    #[test]
    fn hard_cases_for_miller_rabin() {
        // Carmichael numbers and strong pseudoprimes to small bases.
        for n in [561, 1105, 1729, 2465, 2821, 6601, 8911, 3215031751, 3825123056546413051] {
            assert!(!miller_rabin(n), "{n} is composite");
        }
        // Squares of primes, the largest primes below 2^32 and 2^64, and their neighbours.
        assert!(!miller_rabin(4294967291 * 4294967291));
        assert!(!miller_rabin(65521 * 65521));
        assert!(miller_rabin(4294967291));
        assert!(!miller_rabin(4294967295));
        assert!(miller_rabin(18446744073709551557));
        assert!(!miller_rabin(u64::MAX));
        assert!(!miller_rabin(18446744073709551559));
    }

    #[test]
    fn trial_division_agrees_on_larger_cases() {
        for n in [4294967291, 4294967291 - 2, 65521 * 65521, 1000000007, 999999999989] {
            assert_eq!(trial_division(n, &never), Some(miller_rabin(n)), "{n}");
        }
    }

    #[test]
    fn a_stop_leaves_the_answer_open() {
        assert_eq!(trial_division(18446744073709551557, &|| true), None);
    }

    #[test]
    fn the_map_keeps_input_order_and_uses_every_worker() {
        let t = Instant::now();
        let clock = move || t.elapsed().as_secs_f64() * 1000.0;
        let numbers: Vec<u64> = (1_000_000_000_000u64..).step_by(2).take(200).collect();
        let job = PrimesJob { numbers: numbers.clone(), chunksize: 7, algorithm: Algorithm::Trial };
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        let report = pool.install(|| map_primes(&job, &Progress::new(), &clock)).unwrap();
        assert_eq!(report.workers, 3);
        assert!(!report.stopped);
        assert_eq!(report.results.iter().map(|r| r.n).collect::<Vec<_>>(), numbers);
        for r in &report.results {
            assert_eq!(r.prime, Some(miller_rabin(r.n)));
            assert!(r.worker.unwrap() < 3);
            assert!(r.start_ms <= r.end_ms);
        }
        assert_eq!(report.spans.len(), 200usize.div_ceil(7));
        // A chunk's numbers run on one worker, back to back.
        for chunk in report.results.chunks(7) {
            assert!(chunk.iter().all(|r| r.worker == chunk[0].worker));
        }
    }
}
