//! Coin mining: a coin is a 50-digit string whose md5 hex digest ends in `00000`.
//!
//! A candidate is kept as the one 64-byte md5 block it hashes to (50 digits, the
//! 0x80 pad byte, the bit length), so each try is one call to md5's compression
//! function with no buffering, and nonce mode steps to the next candidate with an
//! odometer that touches only the digits that change.

use crate::error::ArgError;
use crate::md5_lanes::{self, LANES};
use crate::pool;
use crate::progress::Progress;
use crate::schedule::{Flow, for_each_task};
use crate::settle::until_settled;
use crate::timeline::{Span, Timeline};
use crate::{md5_nonce, md5_random};
use md5::block_api::compress;
use md5::{Digest, Md5};
use rand_xoshiro::Xoshiro256PlusPlus;
use rand_xoshiro::rand_core::SeedableRng;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// How candidates are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MineMode {
    /// Candidate n is n in decimal, zero-padded to 50 digits: deterministic.
    Nonce,
    /// 50 uniform random digits per candidate, as the course does.
    Random,
}

/// Which md5 kernel tests the candidates. Both find exactly the same coins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kernel {
    /// Skips what does not change: in nonce mode steps 0..11 run once per hundred
    /// nonces (`md5_nonce`); in both modes steps 62 and 63, which the coin test does
    /// not read, are not run.
    #[default]
    Skip,
    /// All 64 steps of every candidate, from its padded block (`md5_lanes`).
    Plain,
}

impl Kernel {
    /// Every kernel, the default first.
    pub const ALL: [Kernel; 2] = [Kernel::Skip, Kernel::Plain];

    /// The name options and results use.
    pub fn id(self) -> &'static str {
        match self {
            Kernel::Skip => "skip",
            Kernel::Plain => "plain",
        }
    }

    /// md5 steps (of 64 in a full compression) run per candidate in `mode`, a hit's
    /// full digest aside (one candidate in [`COIN_ODDS`]).
    pub fn steps_per_candidate(self, mode: MineMode) -> f64 {
        match (self, mode) {
            (Kernel::Plain, _) => 64.0,
            (Kernel::Skip, MineMode::Nonce) => md5_nonce::STEPS_PER_CANDIDATE,
            (Kernel::Skip, MineMode::Random) => md5_random::STEPS_PER_CANDIDATE,
        }
    }
}

/// A checked mining job.
#[derive(Debug, Clone, PartialEq)]
pub struct MineJob {
    pub mode: MineMode,
    pub kernel: Kernel,
    pub start: u64,
    pub count: u64,
    /// Stop once this many coins are found (the first ones in nonce order).
    pub coins: Option<u64>,
    pub time_budget_ms: Option<u64>,
}

/// Candidates a run tries when `count` is not given: 2^24, about 16 coins.
pub const DEFAULT_MINE_COUNT: u64 = 1 << 24;
/// A candidate is a coin with probability 16^-5 = 2^-20.
pub const COIN_ODDS: u64 = 1 << 20;

/// Digits in a coin.
pub const COIN_LEN: usize = 50;
/// Candidates per task handed to a worker: small enough for a live timeline and a
/// prompt stop, large enough that taking a task costs nothing measurable.
pub const CHUNK: u64 = 1 << 16;
/// Candidates between two looks at the stop flag, the clock and the counters.
const BLOCK: u64 = 4096;

const MD5_INIT: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
/// Hex ends in `00000` ⇔ digest bytes 14 and 15 are zero and byte 13's low nibble is.
/// Those are the top bytes of the last little-endian state word.
pub(crate) const COIN_MASK: u32 = 0xFFFF_0F00;

/// One candidate, as the padded md5 block of its 50 ASCII digits.
#[derive(Clone)]
pub struct Candidate {
    block: [u8; 64],
}

impl Candidate {
    pub fn from_digits(digits: &[u8; COIN_LEN]) -> Self {
        let mut block = [0u8; 64];
        block[..COIN_LEN].copy_from_slice(digits);
        block[COIN_LEN] = 0x80;
        block[56..].copy_from_slice(&((COIN_LEN as u64) * 8).to_le_bytes());
        Candidate { block }
    }

    /// Nonce n in decimal, zero-padded to 50 digits.
    pub fn nonce(n: u64) -> Self {
        let mut digits = [b'0'; COIN_LEN];
        let mut n = n;
        for d in digits.iter_mut().rev() {
            *d = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        Self::from_digits(&digits)
    }

    pub fn text(&self) -> &str {
        // Only ASCII digits are ever written to the first 50 bytes.
        std::str::from_utf8(&self.block[..COIN_LEN]).unwrap_or_default()
    }

    /// Moves to the next nonce: adds one to the decimal number, carrying as needed.
    #[inline]
    pub fn advance(&mut self) {
        self.advance_by(1);
    }

    /// Adds `step` (at most 9) to the decimal number: an odometer that touches only
    /// the digits that change.
    #[inline]
    pub fn advance_by(&mut self, step: u8) {
        let mut carry = step;
        for d in self.block[..COIN_LEN].iter_mut().rev() {
            let v = *d - b'0' + carry;
            if v < 10 {
                *d = b'0' + v;
                return;
            }
            *d = b'0' + v - 10;
            carry = 1;
        }
    }

    #[inline]
    fn state(&self) -> [u32; 4] {
        let mut state = MD5_INIT;
        compress(&mut state, std::slice::from_ref(&self.block));
        state
    }

    /// The scalar test, for checking the lanes against.
    #[cfg(test)]
    fn is_coin(&self) -> bool {
        self.state()[3] & COIN_MASK == 0
    }

    pub fn digest(&self) -> [u8; 16] {
        let s = self.state();
        std::array::from_fn(|i| s[i / 4].to_le_bytes()[i % 4])
    }

    #[cfg(test)]
    fn md5_hex(&self) -> String {
        hex(&self.digest())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// md5 of any text, as lowercase hex.
pub fn md5_hex(text: &str) -> String {
    hex(&Md5::digest(text.as_bytes()))
}

/// What the "verify a coin" box says of a string.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    pub md5: String,
    /// Exactly 50 characters, each a digit 0–9.
    pub fifty_digits: bool,
    /// The md5 hex digest ends in `00000`.
    pub suffix: bool,
    /// Both: a coin.
    pub coin: bool,
}

pub fn verify(text: &str) -> Verdict {
    let md5 = md5_hex(text);
    let fifty_digits = text.len() == COIN_LEN && text.bytes().all(|b| b.is_ascii_digit());
    let suffix = md5.ends_with("00000");
    Verdict { md5, fifty_digits, suffix, coin: fifty_digits && suffix }
}

/// A coin found in a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coin {
    pub text: String,
    pub md5: String,
    /// The nonce, in nonce mode.
    pub nonce: Option<u64>,
    /// Which candidate of the run it was, from 0.
    pub index: u64,
    pub worker: usize,
}

/// Why a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ended {
    /// Every candidate in the range was tried.
    Complete,
    /// The coins asked for were found.
    Coins,
    TimeBudget,
    Stopped,
}

#[derive(Debug, Clone)]
pub struct MineReport {
    /// The pool's size, as [`pool::checked_size`] found it.
    pub workers: usize,
    pub hashes: u64,
    pub coins: Vec<Coin>,
    pub ended: Ended,
    pub per_worker_hashes: Vec<u64>,
    pub spans: Vec<Span>,
    pub spans_dropped: u64,
}

/// Candidates per warm-up run, and when the warm-up is done: two runs in a row within
/// this fraction of each other, or this many ms at most.
pub const WARMUP_CANDIDATES: u64 = 1 << 19;
pub const WARMUP_TOLERANCE: f64 = 0.1;
pub const WARMUP_MAX_MS: f64 = 3000.0;

/// What warming up a fresh engine cost.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WarmUp {
    pub runs: u32,
    pub ms: f64,
    /// Hashes per ms of each run, in order: the climb the browser's tiering makes.
    pub rates: Vec<f64>,
}

/// Mines short runs on the calling thread until the rate stops climbing. A browser runs
/// fresh wasm first on a baseline compiler and swaps in optimised code later (V8's
/// Liftoff, then TurboFan), so without this the first timed run on a new page mines at
/// a fraction of the rate of the second. The runs go through the pool's own kernel
/// function (`md5_nonce::scan`) on one thread, so the page can warm its module up once,
/// at load, on the link worker, for every pool (the optimised code stays with the
/// module); each engine then runs this too once its pool is up, which ends after two
/// short runs when the code is already optimised. (It cannot run on the engine's thread
/// while the workers start: Chromium starts a worker only once the thread that made it
/// is free.) The page counts an engine's warm-up as part of the pool's start.
pub fn warm_up(progress: &Progress, clock: &dyn Fn() -> f64) -> WarmUp {
    let t0 = clock();
    let Ok(rates) = until_settled(clock, WARMUP_TOLERANCE, WARMUP_MAX_MS, &|| progress.stop_requested(), || {
        let s = clock();
        mine_here(0, WARMUP_CANDIDATES);
        Ok::<_, std::convert::Infallible>(WARMUP_CANDIDATES as f64 / (clock() - s).max(1e-3))
    });
    WarmUp { runs: rates.len() as u32, ms: clock() - t0, rates }
}

/// Nonces `start`, `start + 1`, … one per SIMD lane; each lane then steps on by LANES.
fn nonce_lanes(start: u64) -> [Candidate; LANES] {
    let mut next = Candidate::nonce(start);
    std::array::from_fn(|_| {
        let lane = next.clone();
        next.advance();
        lane
    })
}

/// Mines the nonces `start..start + count` on the calling thread alone, with no pool,
/// with the default (skipping) kernel: the CPU-bound step the event-loop lab runs on
/// the loop's own thread (or sends to the pool). Returns how many coins it found, so
/// the work cannot be optimised away.
pub fn mine_here(start: u64, count: u64) -> u64 {
    let mut coins = 0;
    md5_nonce::scan(start, count, |_| coins += 1);
    coins
}

/// A task's candidates, in the order of their indices, with the kernel that tests them.
// One per task, on its worker's stack and never moved: the plain variant's size costs nothing.
#[allow(clippy::large_enum_variant)]
enum Source {
    /// The plain kernel on nonces: [`LANES`] candidate blocks, each stepped on by
    /// LANES with the odometer.
    PlainNonces([Candidate; LANES]),
    /// The skipping kernel on nonces, from this nonce on.
    SkipNonces(u64),
    /// Random candidates made in SIMD lanes, tested with all 64 steps or 62.
    Random(md5_random::Digits, Kernel),
}

impl Source {
    fn new(job: &MineJob, first_nonce: u64, rng: &mut Xoshiro256PlusPlus) -> Self {
        match (job.mode, job.kernel) {
            (MineMode::Nonce, Kernel::Plain) => Source::PlainNonces(nonce_lanes(first_nonce)),
            (MineMode::Nonce, Kernel::Skip) => Source::SkipNonces(first_nonce),
            (MineMode::Random, kernel) => Source::Random(md5_random::Digits::new(rng), kernel),
        }
    }

    /// Candidates to test before the next look at the flags: [`BLOCK`] at most, and
    /// (for the skipping kernel on nonces) ending on a whole hundred, so that no
    /// hundred is split between blocks and its midstate is made once.
    fn block_len(&self, left: u64) -> u64 {
        let block = match *self {
            Source::SkipNonces(next) => {
                let end = (u128::from(next) + u128::from(BLOCK)) / 100 * 100;
                (end - u128::from(next)) as u64
            }
            _ => BLOCK,
        };
        block.min(left)
    }

    /// Tests the next `count` candidates and calls `coin(i, candidate)` for each coin,
    /// i counted from the first of them.
    fn mine(&mut self, count: u64, mut coin: impl FnMut(u64, &Candidate)) {
        match self {
            Source::PlainNonces(lanes) => {
                let mut i = 0;
                while i < count {
                    let words = md5_lanes::last_words(lanes.each_ref().map(|c| &c.block));
                    for (k, lane) in lanes.iter().enumerate().take((count - i) as usize) {
                        if words[k] & COIN_MASK == 0 {
                            coin(i + k as u64, lane);
                        }
                    }
                    for lane in lanes.iter_mut() {
                        lane.advance_by(LANES as u8);
                    }
                    i += LANES as u64;
                }
            }
            Source::SkipNonces(next) => {
                let from = *next;
                md5_nonce::scan(from, count, |n| coin(n - from, &Candidate::nonce(n)));
                // Past the last nonce only when the run is over.
                *next = from.saturating_add(count);
            }
            Source::Random(digits, Kernel::Skip) => {
                md5_random::scan::<62>(digits, count, |i, d| coin(i, &Candidate::from_digits(d)));
            }
            Source::Random(digits, Kernel::Plain) => {
                md5_random::scan::<64>(digits, count, |i, d| coin(i, &Candidate::from_digits(d)));
            }
        }
    }
}

/// Mines `job` on the current rayon pool.
///
/// `clock` gives milliseconds on one timeline shared by all workers. In nonce mode the
/// coins are the same for any pool size: with a coin limit K, the run only ends once
/// every candidate before the K-th coin has been tried. Refuses a pool larger than
/// the shared counters have slots for.
pub fn mine(job: &MineJob, progress: &Progress, clock: &(dyn Fn() -> f64 + Sync)) -> Result<MineReport, ArgError> {
    let workers = pool::checked_size()?;
    let t0 = clock();
    let deadline = job.time_budget_ms.map(|b| t0 + b as f64);
    let seed = match job.mode {
        MineMode::Random => getrandom::u64().unwrap_or_else(|_| t0.to_bits()),
        MineMode::Nonce => 0,
    };
    let found: Mutex<Vec<Coin>> = Mutex::new(Vec::new());
    // Candidates past this index cannot be among the first K coins.
    let cutoff = AtomicU64::new(u64::MAX);
    let timeline = Timeline::default();
    let tasks = job.count.div_ceil(CHUNK);
    let out_of_time = || deadline.is_some_and(|d| clock() >= d);

    let record = |coin: Coin, digest: [u8; 16]| {
        let mut coins = found.lock().unwrap_or_else(|e| e.into_inner());
        progress.publish_coin(coins.len(), coin.text.as_bytes(), &digest, coin.worker, coin.index);
        coins.push(coin);
        if let Some(k) = job.coins
            && coins.len() as u64 >= k
        {
            let mut idx: Vec<u64> = coins.iter().map(|c| c.index).collect();
            idx.sort_unstable();
            cutoff.fetch_min(idx[k as usize - 1], Relaxed);
        }
    };

    for_each_task(tasks, |task, worker| {
        let first = task * CHUNK;
        if first > cutoff.load(Relaxed) || progress.stop_requested() || out_of_time() {
            return Flow::Stop;
        }
        let started = clock();
        let len = CHUNK.min(job.count - first);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ task);
        let mut source = Source::new(job, job.start + first, &mut rng);
        let mut done = 0;
        let mut halt = false;
        while done < len {
            let block = source.block_len(len - done);
            source.mine(block, |at, lane| {
                let index = first + done + at;
                let nonce = (job.mode == MineMode::Nonce).then(|| job.start + index);
                let digest = lane.digest();
                let text = lane.text().to_owned();
                record(Coin { text, md5: hex(&digest), nonce, index, worker }, digest);
            });
            done += block;
            progress.add_hashes(worker, block);
            if first + done > cutoff.load(Relaxed) || progress.stop_requested() || out_of_time() {
                halt = true;
                break;
            }
        }
        let ended = clock();
        progress.add_items(worker, 1);
        progress.add_busy(worker, ended - started);
        timeline.push(Span { worker, start_ms: started - t0, end_ms: ended - t0, items: done });
        if halt { Flow::Stop } else { Flow::Continue }
    });

    let mut coins = found.into_inner().unwrap_or_else(|e| e.into_inner());
    coins.sort_by_key(|c| c.index);
    let limit_reached = job.coins.is_some_and(|k| coins.len() as u64 >= k);
    if let Some(k) = job.coins {
        coins.truncate(k as usize);
    }
    let per_worker_hashes = progress.hashes_per_worker(workers);
    let hashes = per_worker_hashes.iter().sum();
    let ended = if progress.stop_requested() {
        Ended::Stopped
    } else if limit_reached {
        Ended::Coins
    } else if hashes >= job.count {
        Ended::Complete
    } else {
        Ended::TimeBudget
    };
    let (spans, spans_dropped) = timeline.into_parts();
    Ok(MineReport { workers, hashes, coins, ended, per_worker_hashes, spans, spans_dropped })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::clock;

    /// Coins printed in the course text.
    const COURSE_COINS: [(&str, &str); 4] = [
        ("91625571520935147263403534421427761877088219542499", "8adaf58d5c51fc1216820c1201100000"),
        ("49262841446921579383645162499800846153508846372671", "974d52bc5430d4c8ed96963648e00000"),
        ("34359601233782192016006582448729953029075086207271", "0209b01867080f7eaf20f6c674000000"),
        ("02809251779741159345845523287375801745436182367614", "2fd27ad5f1d1efe1f000c3ee66f00000"),
    ];

    fn nonce_job(start: u64, count: u64, coins: Option<u64>) -> MineJob {
        MineJob { mode: MineMode::Nonce, kernel: Kernel::default(), start, count, coins, time_budget_ms: None }
    }

    fn on_pool<T: Send>(n: usize, f: impl FnOnce() -> Result<T, ArgError> + Send) -> T {
        crate::test_support::on_pool(n, f).unwrap()
    }

    #[test]
    fn the_course_coins_are_coins() {
        for (text, md5) in COURSE_COINS {
            let digits: [u8; 50] = text.as_bytes().try_into().unwrap();
            let cand = Candidate::from_digits(&digits);
            assert_eq!(cand.md5_hex(), md5);
            assert_eq!(md5_hex(text), md5);
            assert!(cand.is_coin());
            assert!(verify(text).coin);
        }
    }

    #[test]
    fn verify_tells_why_not() {
        let v = verify("hello");
        assert_eq!(v.md5, "5d41402abc4b2a76b9719d911017c592");
        assert!(!v.fifty_digits && !v.suffix && !v.coin);
        let v = verify(&"0".repeat(50));
        assert!(v.fifty_digits);
        assert_eq!(v.coin, v.md5.ends_with("00000"));
    }

    #[test]
    fn block_digest_matches_md5_crate() {
        for n in [0, 1, 9, 10, 99_999, u64::MAX] {
            let c = Candidate::nonce(n);
            assert_eq!(c.md5_hex(), md5_hex(c.text()));
            assert_eq!(c.is_coin(), md5_hex(c.text()).ends_with("00000"));
        }
    }

    #[test]
    fn nonce_digits_and_odometer() {
        let mut c = Candidate::nonce(1999);
        assert_eq!(c.text(), format!("{:050}", 1999));
        c.advance();
        assert_eq!(c.text(), format!("{:050}", 2000));
        let mut c = Candidate::nonce(u64::MAX);
        assert_eq!(c.text(), format!("{:050}", u64::MAX));
        c.advance();
        assert_eq!(c.text(), format!("{:050}", u64::MAX as u128 + 1));
    }

    #[test]
    fn advancing_by_several_carries() {
        for (n, step) in [(0u64, 4u8), (7, 4), (96, 4), (99_999, 9), (u64::MAX - 2, 4)] {
            let mut c = Candidate::nonce(n);
            c.advance_by(step);
            assert_eq!(c.text(), format!("{:050}", n as u128 + step as u128));
        }
    }

    #[test]
    fn ranges_not_a_multiple_of_four_are_hashed_exactly() {
        let clock = clock();
        for count in [1, 2, 3, 5, CHUNK + 3] {
            let r = on_pool(2, || mine(&nonce_job(1_963_170, count, None), &Progress::new(), &clock));
            assert_eq!(r.hashes, count);
            // 1963172 is a coin: found only when the range reaches it.
            assert_eq!(r.coins.len(), usize::from(count > 2), "count {count}");
        }
    }

    #[test]
    fn nonce_range_coins_are_real_and_the_same_for_any_pool() {
        let job = nonce_job(0, 3_000_000, None);
        let clock = clock();
        let one = on_pool(1, || mine(&job, &Progress::new(), &clock));
        let four = on_pool(4, || mine(&job, &Progress::new(), &clock));
        assert_eq!(one.hashes, job.count);
        assert_eq!(four.hashes, job.count);
        assert_eq!(one.ended, Ended::Complete);
        assert!(!one.coins.is_empty(), "3M candidates hold about three coins");
        let texts = |r: &MineReport| r.coins.iter().map(|c| c.text.clone()).collect::<Vec<_>>();
        assert_eq!(texts(&one), texts(&four));
        for c in &four.coins {
            assert_eq!(md5_hex(&c.text), c.md5);
            assert!(c.md5.ends_with("00000"));
            assert_eq!(c.text, format!("{:050}", c.nonce.unwrap()));
        }
        assert_eq!((four.workers, four.per_worker_hashes.len()), (4, 4));
        assert_eq!(four.spans.iter().map(|s| s.items).sum::<u64>(), job.count);
    }

    #[test]
    fn a_coin_limit_gives_the_first_coins_in_order() {
        let clock = clock();
        let all = on_pool(2, || mine(&nonce_job(0, 3_000_000, None), &Progress::new(), &clock));
        let two = on_pool(4, || mine(&nonce_job(0, 3_000_000, Some(2)), &Progress::new(), &clock));
        assert_eq!(two.ended, Ended::Coins);
        let nonces = |r: &MineReport| r.coins.iter().map(|c| c.nonce).collect::<Vec<_>>();
        assert_eq!(nonces(&two), nonces(&all)[..2]);
        assert!(two.hashes < 3_000_000);
    }

    #[test]
    fn mining_on_one_thread_finds_the_pool_s_coins() {
        let job = nonce_job(1_900_000, 700_000, None);
        let pooled = on_pool(2, || mine(&job, &Progress::new(), &clock()));
        assert_eq!(mine_here(job.start, job.count), pooled.coins.len() as u64);
        assert!(mine_here(1_963_170, 3) == 1 && mine_here(1_963_170, 2) == 0, "1963172 is a coin");
    }

    #[test]
    fn a_warm_up_runs_until_the_rate_settles() {
        let w = warm_up(&Progress::new(), &clock());
        assert!(w.runs >= 2 && w.rates.len() == w.runs as usize);
        let [.., a, b] = w.rates[..] else { unreachable!() };
        assert!((b - a).abs() <= WARMUP_TOLERANCE * a || w.ms >= WARMUP_MAX_MS);
    }

    #[test]
    fn a_raised_stop_flag_ends_the_run() {
        let p = Progress::new();
        p.request_stop();
        let r = on_pool(2, || mine(&nonce_job(0, 1 << 40, None), &p, &clock()));
        assert_eq!(r.ended, Ended::Stopped);
        assert_eq!(r.hashes, 0);
    }

    #[test]
    fn a_time_budget_ends_the_run() {
        for kernel in Kernel::ALL {
            let job = MineJob {
                mode: MineMode::Random,
                kernel,
                start: 0,
                count: u64::MAX,
                coins: None,
                time_budget_ms: Some(50),
            };
            let p = Progress::new();
            let r = on_pool(2, || mine(&job, &p, &clock()));
            assert_eq!(r.ended, Ended::TimeBudget);
            assert!(r.hashes > 0);
            assert_eq!(r.hashes, p.total_hashes());
            for c in &r.coins {
                assert_eq!(md5_hex(&c.text), c.md5);
                assert!(c.nonce.is_none());
            }
        }
    }

    #[test]
    fn random_coins_are_real_coins() {
        // 2^22 candidates hold about four coins.
        let job = MineJob {
            mode: MineMode::Random,
            kernel: Kernel::Skip,
            start: 0,
            count: 1 << 22,
            coins: Some(2),
            time_budget_ms: None,
        };
        let r = on_pool(2, || mine(&job, &Progress::new(), &clock()));
        for c in &r.coins {
            assert!(verify(&c.text).coin, "{}", c.text);
            assert_eq!(md5_hex(&c.text), c.md5);
        }
    }

    /// The coins of every nonce range around a carry (…99 → …00 at several digits), of
    /// lengths that are no multiple of the lanes, by the md5 crate.
    fn coins_by_md5(start: u64, count: u64) -> Vec<u64> {
        (start..=start + (count - 1)).filter(|n| md5_hex(&format!("{n:050}")).ends_with("00000")).collect()
    }

    #[test]
    fn kernels_and_pools_find_the_same_nonce_coins() {
        let clock = clock();
        // 1963172 is a coin; the others cross carries into higher digits (at 10^6,
        // 10^12, 10^19 and at the last u64) on task and block edges, coins or not.
        let ranges = [
            (1_963_100, 173),
            (1_963_172, 1),
            (999_999 - CHUNK - 5, 2 * CHUNK + 11),
            (10u64.pow(12) - 100_001, 200_003),
            (10u64.pow(19) - 100_000, 200_001),
            (u64::MAX - 150_000, 150_001),
        ];
        for (start, count) in ranges {
            let want = coins_by_md5(start, count);
            for kernel in Kernel::ALL {
                for threads in [1, 2, 3, 7] {
                    let job = MineJob { kernel, ..nonce_job(start, count, None) };
                    let r = on_pool(threads, || mine(&job, &Progress::new(), &clock));
                    assert_eq!(r.hashes, count);
                    let got: Vec<u64> = r.coins.iter().map(|c| c.nonce.unwrap()).collect();
                    assert_eq!(got, want, "{kernel:?} on {threads} threads, {start} + {count}");
                    for c in &r.coins {
                        assert_eq!(c.text, format!("{:050}", c.nonce.unwrap()));
                        assert_eq!(c.md5, md5_hex(&c.text));
                        assert_eq!(c.index, c.nonce.unwrap() - start);
                    }
                }
            }
        }
    }
}
