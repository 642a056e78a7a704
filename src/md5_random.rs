//! The random-mode kernel: candidates of 50 uniform random digits, made straight into
//! md5 message words in SIMD lanes, and the coin test on them.
//!
//! Making a candidate must not cost more than hashing it. A scalar generator that
//! writes 50 digit bytes into a block, which is then transposed into lanes, costs
//! about as much as the md5 steps; here each lane has its own xoshiro128++ stream in
//! a SIMD vector, and digits are peeled off its outputs with shifts and adds, four to
//! a message word, all lanes at once.
//!
//! No word of a random candidate is known ahead, so no midstate exists; what is
//! skipped is steps 62 and 63 (the coin test reads only the last state word, final
//! after step 61), or nothing for the plain kernel, which runs all 64 steps here too
//! so that the two kernels differ only in the steps.

use crate::md5_lanes::{INIT, Interleave, K, each_step, step, word_index};
use crate::mining::{COIN_LEN, COIN_MASK};
use rand_xoshiro::rand_core::Rng;
use std::simd::Simd;
use std::simd::cmp::SimdPartialEq;

/// Lanes per vector, as in the nonce kernel.
pub const WIDTH: usize = crate::md5_nonce::WIDTH;
type Vector = Simd<u32, WIDTH>;
/// Independent vectors hashed side by side, as in the nonce kernel.
pub const VECTORS: usize = crate::md5_nonce::VECTORS;
/// Candidates made and hashed at once.
pub const LANES: usize = WIDTH * VECTORS;

/// Message words that hold digits: 12 of four digits, then word 12 with two digits
/// and the pad byte.
const DIGIT_WORDS: usize = COIN_LEN.div_ceil(4);
/// The step after which the last state word is final.
const LAST_NEEDED: usize = 61;
/// md5 steps per candidate with the skipping kernel.
pub const STEPS_PER_CANDIDATE: f64 = (LAST_NEEDED + 1) as f64;

/// Bits of a random output that digits are peeled from: the top 28, so that ten
/// times any value still fits in 32 bits. Four digits from 28 uniform bits are
/// uniform to within 10^4 / 2^28 < 4·10^-5 of each value's probability.
const FRACTION_BITS: u32 = 28;

/// Steps of each message word a kernel may take: md5's fixed words 13..15 (zero, the
/// length in bits, zero) folded into their K once.
const fn fixed_word(j: usize) -> u32 {
    if j == 14 { (COIN_LEN * 8) as u32 } else { 0 }
}

/// One xoshiro128++ stream per lane: uniform 32-bit outputs, all lanes in one step.
pub struct Digits {
    s: [Vector; 4],
}

impl Digits {
    /// Streams seeded from `rng`; a lane whose state came out all zero (which
    /// xoshiro cannot leave) is given a one.
    pub fn new(rng: &mut impl Rng) -> Self {
        let mut s: [Vector; 4] = std::array::from_fn(|_| Vector::from_array(std::array::from_fn(|_| rng.next_u32())));
        for l in 0..WIDTH {
            if s.iter().all(|v| v[l] == 0) {
                s[0][l] = 1;
            }
        }
        Digits { s }
    }

    #[inline(always)]
    fn next(&mut self) -> Vector {
        let [s0, s1, s2, s3] = self.s;
        let sum = s0 + s3;
        let out = ((sum << Vector::splat(7)) | (sum >> Vector::splat(25))) + s0;
        let t = s1 << Vector::splat(9);
        let s2 = s2 ^ s0;
        let s3 = s3 ^ s1;
        let s1 = s1 ^ s2;
        let s0 = s0 ^ s3;
        let s2 = s2 ^ t;
        let s3 = (s3 << Vector::splat(11)) | (s3 >> Vector::splat(21));
        self.s = [s0, s1, s2, s3];
        out
    }

    /// A message word of `n` (1..=4) uniform ASCII digits per lane, the first digit in
    /// the lowest byte as md5 reads the string: the decimal expansion of a random
    /// 28-bit fraction, one digit per multiply by ten.
    #[inline(always)]
    fn word(&mut self, n: usize) -> Vector {
        let mut x = self.next() >> Vector::splat(32 - FRACTION_BITS);
        let mut w = Vector::splat(0);
        for k in 0..n {
            // x · 10 as two shifts and an add: SSE2 has no 32-bit multiply.
            x = (x << Vector::splat(3)) + (x << Vector::splat(1));
            w |= (x >> Vector::splat(FRACTION_BITS)) << Vector::splat(8 * k as u32);
            x &= Vector::splat((1 << FRACTION_BITS) - 1);
        }
        w | Vector::splat(u32::from_le_bytes([b'0'; 4]) >> (8 * (4 - n)))
    }

    /// The digit words of the next [`LANES`] candidates: `[word][vector]`.
    #[inline(always)]
    fn words<const V: usize>(&mut self) -> [[Vector; V]; DIGIT_WORDS] {
        std::array::from_fn(|j| {
            std::array::from_fn(|_| {
                if j + 1 < DIGIT_WORDS { self.word(4) } else { self.word(2) | Vector::splat(0x80 << 16) }
            })
        })
    }
}

/// The 50 digits of lane `lane` of `words`.
fn digits_of<const V: usize>(words: &[[Vector; V]; DIGIT_WORDS], lane: usize) -> [u8; COIN_LEN] {
    let mut block = [0u8; 4 * DIGIT_WORDS];
    for (j, w) in words.iter().enumerate() {
        block[4 * j..4 * j + 4].copy_from_slice(&w[lane / WIDTH][lane % WIDTH].to_le_bytes());
    }
    std::array::from_fn(|i| block[i])
}

/// Makes `count` random candidates from `digits` and calls `pass(i, &digits)` for
/// each (the i-th made, from 0) whose md5 passes the coin test. `STEPS` is 62 for the
/// skipping kernel, 64 for the plain one.
pub fn scan<const STEPS: usize>(digits: &mut Digits, count: u64, pass: impl FnMut(u64, &[u8; COIN_LEN])) {
    scan_masked::<STEPS>(digits, count, COIN_MASK, pass);
}

/// [`scan`] with any mask, for the tests (see `md5_nonce`).
fn scan_masked<const STEPS: usize>(
    digits: &mut Digits,
    count: u64,
    mask: u32,
    mut pass: impl FnMut(u64, &[u8; COIN_LEN]),
) {
    const { assert!(STEPS == LAST_NEEDED + 1 || STEPS == 64) };
    let zero = Vector::splat(0);
    let interleave = Interleave::new();
    let mut i = 0;
    while i < count {
        let m = digits.words::<VECTORS>();
        let mut state = [INIT.map(Vector::splat); VECTORS];
        each_step!(I => {
            if I < STEPS {
                let j = word_index(I);
                for (v, st) in state.iter_mut().enumerate() {
                    let km = if j < DIGIT_WORDS {
                        Vector::splat(K[I]) + m[j][v]
                    } else {
                        Vector::splat(K[I].wrapping_add(fixed_word(j)))
                    };
                    step(I, st, km);
                }
                interleave.after_step(I, &state);
            }
        });
        // The plain kernel is the full-compression reference: keep steps 62-63, which
        // the compiler would drop (their results are not read).
        let state = if STEPS == 64 { std::hint::black_box(state) } else { state };
        // The last state word less its initial value: b after step 61, or d after 63.
        let last = |st: &[Vector; 4]| if STEPS == 64 { st[3] } else { st[1] };
        let hits = state.map(|st| ((last(&st) + Vector::splat(INIT[3])) & Vector::splat(mask)).simd_eq(zero));
        if hits.iter().fold(false, |any, h| any | h.any()) {
            let live = (count - i).min(LANES as u64) as usize;
            for lane in 0..live {
                if hits[lane / WIDTH].test(lane % WIDTH) {
                    pass(i + lane as u64, &digits_of(&m, lane));
                }
            }
        }
        i += LANES as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use md5::{Digest, Md5};
    use rand_xoshiro::Xoshiro256PlusPlus;
    use rand_xoshiro::rand_core::SeedableRng;

    /// Every candidate `scan_masked` makes, with mask 0, and its last md5 word by the
    /// md5 crate.
    fn made<const STEPS: usize>(seed: u64, count: u64) -> Vec<(u64, [u8; COIN_LEN], u32)> {
        let mut digits = Digits::new(&mut Xoshiro256PlusPlus::seed_from_u64(seed));
        let mut all = Vec::new();
        scan_masked::<STEPS>(&mut digits, count, 0, |i, d| {
            let h = Md5::digest(d);
            all.push((i, *d, u32::from_le_bytes([h[12], h[13], h[14], h[15]])));
        });
        all
    }

    /// Same seed, same candidates: so with one-bit masks each candidate's every bit of
    /// the last word is checked against the md5 crate.
    fn check_every_bit<const STEPS: usize>(seed: u64, count: u64) {
        let all = made::<STEPS>(seed, count);
        assert_eq!(all.iter().map(|c| c.0).collect::<Vec<_>>(), (0..count).collect::<Vec<_>>());
        for bit in 0..32 {
            let mut digits = Digits::new(&mut Xoshiro256PlusPlus::seed_from_u64(seed));
            let mut got = Vec::new();
            scan_masked::<STEPS>(&mut digits, count, 1 << bit, |i, _| got.push(i));
            let want: Vec<u64> = all.iter().filter(|c| c.2 & (1 << bit) == 0).map(|c| c.0).collect();
            assert_eq!(got, want, "bit {bit}");
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn every_lane_matches_the_md5_crate() {
        for count in [1, 3, LANES as u64, LANES as u64 + 1, 200] {
            check_every_bit::<62>(count, count);
            check_every_bit::<64>(count, count);
        }
    }

    #[test]
    fn candidates_are_fifty_uniform_digits() {
        let all = made::<62>(7, 20_000);
        assert!(all.iter().all(|c| c.1.iter().all(u8::is_ascii_digit)));
        // Each position's digit counts within 5 sigma of 2000 (sigma ≈ 42).
        for pos in 0..COIN_LEN {
            let mut n = [0u32; 10];
            for c in &all {
                n[(c.1[pos] - b'0') as usize] += 1;
            }
            assert!(n.iter().all(|&k| k.abs_diff(2000) < 210), "position {pos}: {n:?}");
        }
        let mut texts: Vec<_> = all.iter().map(|c| c.1).collect();
        texts.sort_unstable();
        texts.dedup();
        assert_eq!(texts.len(), all.len(), "no candidate repeats");
    }
}
