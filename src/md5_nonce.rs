//! The nonce-mode kernel: the coin test on consecutive nonces, skipping every md5
//! step whose inputs do not change from one candidate to the next.
//!
//! Candidate n is n in decimal, zero-padded to 50 digits. Its md5 block is therefore
//! 48 digits of n / 100 (message words 0..11), the last two digits of n with the pad
//! byte 0x80 (word 12), and words 13..15 that are the same for every candidate (zero,
//! the bit length, zero). So:
//!
//! - Steps 0..11 read only words 0..11: the state after them (the *midstate*) is the
//!   same for the 100 nonces of one hundred, and is computed once per hundred.
//! - Every later step that reads a word other than 12 adds the same K + word for the
//!   whole hundred: that sum is made once per hundred too.
//! - The coin test reads only the last state word, and that word is final after step
//!   61 (steps 62 and 63 only move it along): steps 62 and 63 are not run.
//!
//! Layout: lane k of a group holds hundred `h + k`, and all lanes walk the same last
//! two digits 00..99 in lockstep. So word 12 is one scalar for every lane (a splat),
//! the per-lane words change only between groups, and no lane ever carries into its
//! higher digits mid-group: carries happen once per hundred, in the scalar odometer
//! that makes each lane's 48-digit prefix.

use crate::md5_lanes::{INIT, Interleave, K, each_step, step, word_index};
use crate::mining::{COIN_LEN, COIN_MASK};
use std::ops::Range;
use std::simd::Simd;
use std::simd::cmp::SimdPartialEq;

/// Lanes per vector: 128-bit vectors (simd128 in wasm, SSE2 natively), or 256-bit
/// ones where the native build may use AVX2.
pub const WIDTH: usize = if cfg!(target_feature = "avx2") { 8 } else { 4 };
type Vector = Simd<u32, WIDTH>;

/// Independent vectors hashed side by side: each md5 step depends on the one before,
/// so interleaving several chains hides each step's latency. Three chains of four
/// state vectors fill 12 of the 16 registers of SSE2 (and of simd128 as engines map
/// it to x86-64), leaving room for the temporaries. Measured natively on SSE2: two
/// chains take as many instructions but run about 15 % slower; four spill (8 % more
/// instructions, clearly slower). In wasm the chains stay interleaved only through
/// [`Interleave`]: LLVM emits them one after the other there.
pub const VECTORS: usize = 3;
/// Hundreds hashed at once: one per lane.
pub const LANES: usize = WIDTH * VECTORS;

/// Nonces per hundred: the candidates that share message words 0..11.
const HUNDRED: u64 = 100;
/// Digits of n / 100 in a candidate.
const PREFIX_LEN: usize = COIN_LEN - 2;
/// Message words made of those digits.
const PREFIX_WORDS: usize = PREFIX_LEN / 4;
/// The first step that reads word 12, which holds the last two digits.
const FIRST_VARYING: usize = 12;
/// The step after which the last state word is final.
const LAST_NEEDED: usize = 61;
/// Steps run per candidate.
const STEPS_RUN: usize = LAST_NEEDED + 1 - FIRST_VARYING;

/// md5 steps per candidate: steps 12..=61 for each, steps 0..11 once per hundred.
pub const STEPS_PER_CANDIDATE: f64 = STEPS_RUN as f64 + FIRST_VARYING as f64 / HUNDRED as f64;

const _: () = assert!(PREFIX_LEN.is_multiple_of(4) && PREFIX_WORDS == FIRST_VARYING);

/// Message word `j` (13..15) of every candidate: zero, the length in bits, zero.
const fn fixed_word(j: usize) -> u32 {
    if j == 14 { (COIN_LEN * 8) as u32 } else { 0 }
}

/// Word 12 of a candidate whose last two digits are `u` (0..99): the two ASCII
/// digits, then the pad byte.
fn last_word(u: u32) -> u32 {
    u32::from_le_bytes([b'0' + (u / 10) as u8, b'0' + (u % 10) as u8, 0x80, 0])
}

/// The 48 leading digits of a candidate (n / 100 in decimal), stepped on as an
/// odometer from one hundred to the next.
struct Prefix([u8; PREFIX_LEN]);

impl Prefix {
    fn new(hundred: u64) -> Self {
        let mut digits = [b'0'; PREFIX_LEN];
        let mut h = hundred;
        for d in digits.iter_mut().rev() {
            *d = b'0' + (h % 10) as u8;
            h /= 10;
        }
        Prefix(digits)
    }

    /// The next hundred: adds one, touching only the digits that change. A u64 has
    /// at most 18 digits above the last two, so the carry never runs off the front.
    fn advance(&mut self) {
        for d in self.0.iter_mut().rev() {
            if *d < b'9' {
                *d += 1;
                return;
            }
            *d = b'0';
        }
    }

    fn words(&self) -> [u32; PREFIX_WORDS] {
        std::array::from_fn(|j| {
            u32::from_le_bytes([self.0[4 * j], self.0[4 * j + 1], self.0[4 * j + 2], self.0[4 * j + 3]])
        })
    }
}

/// Calls `pass(n)` for every nonce n in `start..start + count` whose md5 passes the
/// coin test (`COIN_MASK` on the last state word), in no particular order within a
/// group of [`LANES`] hundreds. `start + count` may be 2^64 exactly.
pub fn scan(start: u64, count: u64, mut pass: impl FnMut(u64)) {
    scan_masked(start, count, COIN_MASK, &mut pass);
}

/// [`scan`] with any mask: the tests read every bit of every lane's last word through
/// it (mask 0 passes every candidate, mask 1 << b those whose bit b is clear).
///
/// One function for every caller (`pass` is dynamic, and it is called only for the
/// rare candidate that passes): the pool's mining, the event loop's CPU step and the
/// warm-up all run this same wasm function, so once the page's warm-up, on the link
/// worker, has got the browser to optimise it, a pool's first run has the optimised
/// code too (every instance shares the compiled module and its code).
#[inline(never)]
fn scan_masked(start: u64, count: u64, mask: u32, pass: &mut dyn FnMut(u64)) {
    let end = u128::from(start) + u128::from(count);
    let mut hundred = start / HUNDRED;
    let mut prefix = Prefix::new(hundred);
    let mut words = [[0u32; PREFIX_WORDS]; LANES];
    loop {
        let base = u128::from(hundred) * u128::from(HUNDRED);
        if base >= end {
            return;
        }
        // Hundreds this group holds: all lanes, or what is left of the range.
        let live = (end - base).div_ceil(HUNDRED.into()).min(LANES as u128) as usize;
        for (k, w) in words.iter_mut().enumerate() {
            // Lanes past the range repeat the last live hundred; their hits are dropped.
            *w = prefix.words();
            if k + 1 < live {
                prefix.advance();
            }
        }
        // All lanes walk the same last two digits. Only the first lane of the range can
        // start late, and only the last can end early; with one lane, both.
        let first_u = (u128::from(start).saturating_sub(base)) as u32;
        let last_end = (end - base - (live as u128 - 1) * 100).min(100) as u32;
        let digits = match live {
            1 => first_u..last_end,
            _ => 0..100,
        };
        let mut on_pass = |u: u32, lane: usize| {
            let n = base + lane as u128 * 100 + u128::from(u);
            if lane < live && (u128::from(start)..end).contains(&n) {
                pass(n as u64);
            }
        };
        match live.div_ceil(WIDTH) {
            1 => group::<1>(&words, digits, mask, &mut on_pass),
            2 => group::<2>(&words, digits, mask, &mut on_pass),
            _ => group::<VECTORS>(&words, digits, mask, &mut on_pass),
        }
        hundred += live as u64;
        prefix.advance();
    }
}

/// Hashes the hundreds of the first `V * WIDTH` lanes of `words` (their prefixes) for
/// the last two digits in `digits`, and calls `on_pass(digits, lane)` for each
/// candidate whose last state word has no bit of `mask` set.
#[inline(always)]
fn group<const V: usize>(
    words: &[[u32; PREFIX_WORDS]],
    digits: Range<u32>,
    mask: u32,
    on_pass: &mut impl FnMut(u32, usize),
) {
    let m: [[Vector; V]; PREFIX_WORDS] = std::array::from_fn(|j| {
        std::array::from_fn(|v| Vector::from_array(std::array::from_fn(|l| words[v * WIDTH + l][j])))
    });
    // The midstate: steps 0..11, once for the whole group.
    let mut mid: [[Vector; 4]; V] = [INIT.map(Vector::splat); V];
    for i in 0..FIRST_VARYING {
        for (v, state) in mid.iter_mut().enumerate() {
            step(i, state, Vector::splat(K[i]) + m[i][v]);
        }
    }
    // K + word for the later steps that read a prefix word or a fixed word; the steps
    // that read word 12 get K alone here and the word per candidate.
    let km: [[Vector; V]; STEPS_RUN] = std::array::from_fn(|s| {
        let i = FIRST_VARYING + s;
        std::array::from_fn(|v| match word_index(i) {
            j if j < PREFIX_WORDS => Vector::splat(K[i]) + m[j][v],
            FIRST_VARYING => Vector::splat(K[i]),
            j => Vector::splat(K[i].wrapping_add(fixed_word(j))),
        })
    });
    let zero = Vector::splat(0);
    let interleave = Interleave::new();
    for u in digits {
        let w12 = last_word(u);
        let mut state = mid;
        each_step!(I => {
            if (FIRST_VARYING..=LAST_NEEDED).contains(&I) {
                for (st, &k) in state.iter_mut().zip(&km[I.saturating_sub(FIRST_VARYING)]) {
                    let k = if word_index(I) == FIRST_VARYING { k + Vector::splat(w12) } else { k };
                    step(I, st, k);
                }
                interleave.after_step(I, &state);
            }
        });
        // After step 61, b is the last state word less its initial value.
        let hits = state.map(|st| ((st[1] + Vector::splat(INIT[3])) & Vector::splat(mask)).simd_eq(zero));
        if hits.iter().fold(false, |any, h| any | h.any()) {
            for (v, h) in hits.iter().enumerate() {
                for l in 0..WIDTH {
                    if h.test(l) {
                        on_pass(u, v * WIDTH + l);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use md5::{Digest, Md5};

    /// The last md5 word of each nonce of `start..start + count`, by the md5 crate.
    fn last_words(start: u64, count: u64) -> Vec<(u64, u32)> {
        (0..count)
            .map(|i| {
                let n = start + i;
                let d = Md5::digest(format!("{n:050}").as_bytes());
                (n, u32::from_le_bytes([d[12], d[13], d[14], d[15]]))
            })
            .collect()
    }

    /// The nonces among `words` whose last word has no bit of `mask` set, in order.
    fn passing(words: &[(u64, u32)], mask: u32) -> Vec<u64> {
        words.iter().filter(|(_, w)| w & mask == 0).map(|&(n, _)| n).collect()
    }

    fn reference(start: u64, count: u64, mask: u32) -> Vec<u64> {
        passing(&last_words(start, count), mask)
    }

    fn scanned(start: u64, count: u64, mask: u32) -> Vec<u64> {
        let mut got = Vec::new();
        scan_masked(start, count, mask, &mut |n| got.push(n));
        got.sort_unstable();
        got
    }

    /// Checks every bit of every candidate's last word: mask 0 must pass exactly the
    /// range, and each one-bit mask exactly the candidates with that bit clear.
    fn check_every_bit(start: u64, count: u64) {
        let words = last_words(start, count);
        assert_eq!(scanned(start, count, 0), passing(&words, 0), "range {start} + {count}");
        for bit in 0..32 {
            let mask = 1 << bit;
            assert_eq!(scanned(start, count, mask), passing(&words, mask), "range {start} + {count}, bit {bit}");
        }
    }

    /// Starts around carries into higher digits, and counts that cut lanes, vectors
    /// and hundreds short.
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn every_lane_matches_the_md5_crate_at_the_edges() {
        let starts = [0, 1, 37, 99, 100, 999_950, 999_999, 10u64.pow(12) - 57, 10u64.pow(19) - 1, u64::MAX - 300];
        let counts = [1, 2, 3, 99, 100, 101, 250, LANES as u64 * 100 + 7];
        for start in starts {
            for count in counts {
                let count = count.min((u64::MAX - start).saturating_add(1));
                check_every_bit(start, count);
            }
        }
        check_every_bit(u64::MAX, 1);
        check_every_bit(u64::MAX - 99, 100);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_coins_of_a_range_are_the_md5_crate_s() {
        // 1963172 is a coin; about 0.3 coins per million nonces otherwise.
        assert_eq!(scanned(1_963_100, 200, COIN_MASK), [1_963_172]);
        assert_eq!(scanned(1_900_000, 100_000, COIN_MASK), reference(1_900_000, 100_000, COIN_MASK));
    }

    // proptest is a native dev-dependency only (no entropy source in wasm32 without a
    // feature), and wasm-pack test builds these unit tests for wasm too.
    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;

        proptest::proptest! {
            #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
            #[test]
            fn any_range_matches_the_md5_crate(start in proptest::prelude::any::<u64>(), count in 0u64..3000) {
                let count = count.min(u64::MAX - start).max(1);
                check_every_bit(start, count);
            }
        }
    }

    #[test]
    fn the_prefix_odometer_counts_in_decimal() {
        let mut p = Prefix::new(1999);
        p.advance();
        assert_eq!(p.0, *format!("{:048}", 2000).as_bytes());
        let mut p = Prefix::new(u64::MAX / 100);
        p.advance();
        assert_eq!(p.0, *format!("{:048}", u64::MAX / 100 + 1).as_bytes());
    }

    #[test]
    fn the_steps_per_candidate_are_fifty_and_a_bit() {
        assert_eq!(STEPS_PER_CANDIDATE, 50.12);
    }
}
