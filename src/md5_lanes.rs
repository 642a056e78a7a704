//! md5 of several one-block messages at once, one message per 32-bit SIMD lane
//! (`std::simd`: simd128 in wasm, SSE2 natively). Mining only needs the last state
//! word to tell a coin, so that is all it returns; a hit is recomputed in full.
//!
//! This is the plain kernel (all 64 steps, from padded blocks); its constants and its
//! one step are shared with the kernels that skip steps (`md5_nonce`, `md5_random`),
//! so that every kernel runs the same arithmetic.

use std::simd::Simd;

/// Messages hashed at once: two 128-bit vectors, so that two independent chains of
/// dependent steps interleave and hide each other's latency.
pub const LANES: usize = 8;

type Lanes = Simd<u32, LANES>;

// The miner steps each lane on by LANES with a one-digit odometer add.
const _: () = assert!(LANES <= 9);

/// md5's initial state (a, b, c, d).
pub(crate) const INIT: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];

/// Per-step additive constants, ⌊|sin(i + 1)| · 2^32⌋.
pub(crate) const K: [u32; 64] = [
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501, 0x698098d8,
    0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340,
    0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87,
    0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
    0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039,
    0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92,
    0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
    0xeb86d391,
];

/// Left-rotation amounts per step.
pub(crate) const S: [u32; 64] = [
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15,
    21,
];

#[inline(always)]
fn rotl<const N: usize>(x: Simd<u32, N>, s: u32) -> Simd<u32, N> {
    (x << Simd::splat(s)) | (x >> Simd::splat(32 - s))
}

/// Steps between two of [`Interleave`]'s block ends. 2, 4 and 6 measure alike in
/// Chromium 156 (within the noise of these machines); 4 is one md5 round's pattern.
const STEPS_PER_BLOCK: usize = 4;

/// Keeps a kernel's independent chains of steps interleaved in wasm.
///
/// LLVM's WebAssembly backend emits each chain of dependent steps whole, one chain
/// after the other (each value's expression tree is gathered for the stack machine),
/// and V8's optimizing compiler in Chromium 156 keeps a module's order where V8 11
/// (Node 20) rescheduled it. A chain of 50 steps is over 500 instructions, more than
/// a CPU's reorder window holds, so the chains ran one at a time, at the latency of a
/// single chain: the skipping kernel mined 34 M hashes/s per worker in Chromium
/// against 60 to 70 for the very same module in Node 20. Every [`STEPS_PER_BLOCK`]
/// steps a branch on a value of every chain, never taken (the value is masked with a
/// zero the compiler cannot see through), ends the basic block: a chain's part of a
/// block is then a few steps and the chains overlap again. Natively LLVM schedules
/// for the CPU itself, and the check compiles to nothing.
pub(crate) struct Interleave<const N: usize>(Simd<u32, N>);

impl<const N: usize> Interleave<N> {
    #[inline(always)]
    pub(crate) fn new() -> Self {
        let zero = Simd::splat(0);
        Interleave(if cfg!(target_arch = "wasm32") { std::hint::black_box(zero) } else { zero })
    }

    /// Called after step `i` of every chain in `states`.
    #[inline(always)]
    pub(crate) fn after_step<const V: usize>(&self, i: usize, states: &[[Simd<u32, N>; 4]; V]) {
        if cfg!(target_arch = "wasm32") && i % STEPS_PER_BLOCK == STEPS_PER_BLOCK - 1 {
            // From a plain zero: (z | x) & z is z, and the branch would no longer read
            // the chains (LLVM hoists it and the chains run whole again).
            let any = states.iter().fold(Simd::splat(0), |acc, s| acc | s[1]);
            if (any & self.0) != Simd::splat(0) {
                std::process::abort();
            }
        }
    }
}

/// The message word each step reads.
pub(crate) const fn word_index(i: usize) -> usize {
    match i / 16 {
        0 => i,
        1 => (5 * i + 1) % 16,
        2 => (3 * i + 5) % 16,
        _ => (7 * i) % 16,
    }
}

/// The last md5 state word (digest bytes 12–15, little-endian) of each of
/// [`LANES`] padded blocks.
#[inline]
pub fn last_words(blocks: [&[u8; 64]; LANES]) -> [u32; LANES] {
    let word = |b: &[u8; 64], j: usize| u32::from_le_bytes([b[4 * j], b[4 * j + 1], b[4 * j + 2], b[4 * j + 3]]);
    let m: [Lanes; 16] = std::array::from_fn(|j| Lanes::from_array(blocks.map(|b| word(b, j))));
    let mut state = INIT.map(Lanes::splat);
    let interleave = Interleave::new();
    each_step!(I => {
        step(I, &mut state, Lanes::splat(K[I]) + m[word_index(I)]);
        interleave.after_step(I, std::array::from_ref(&state));
    });
    // The last word is final after step 61 and steps 62-63 only move it along, so the
    // compiler would drop them; this kernel is the full-compression reference.
    let state = std::hint::black_box(state);
    (state[3] + Lanes::splat(INIT[3])).to_array()
}

/// Expands `$body` once per md5 step, 0 to 63, with `$i` a constant: each step's
/// rotation, round function and message word are then known at compile time. As a
/// loop, the steps index their tables and branch on the round at run time, and
/// LLVM does not unroll 64 iterations: about three times the instructions.
/// A kernel that runs some steps only tests `$i` in the body; the test folds away.
macro_rules! each_step {
    ($i:ident => $body:block) => {
        $crate::md5_lanes::each_step!(@ $i $body 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63)
    };
    (@ $i:ident $body:block $($n:literal)*) => {
        $({
            const $i: usize = $n;
            $body
        })*
    };
}
pub(crate) use each_step;

/// md5 step `i` on a state `[a, b, c, d]` of N lanes, given `km` = K[i] plus the
/// message word the step reads (kernels that know a word ahead of time add it once).
/// After the step, `state[1]` (b) is the value it computed.
#[inline(always)]
pub(crate) fn step<const N: usize>(i: usize, state: &mut [Simd<u32, N>; 4], km: Simd<u32, N>) {
    let [a, b, c, d] = *state;
    let f = match i / 16 {
        0 => (b & c) | (!b & d),
        1 => (d & b) | (!d & c),
        2 => b ^ c ^ d,
        _ => c ^ (b | !d),
    };
    let t = a + f + km;
    *state = [d, b + rotl(t, S[i]), b, c];
}

#[cfg(test)]
mod tests {
    use super::*;
    use md5::block_api::compress;

    fn scalar_last_word(block: &[u8; 64]) -> u32 {
        let mut state = INIT;
        compress(&mut state, std::slice::from_ref(block));
        state[3]
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn each_lane_matches_the_scalar_compression() {
        let mut blocks = [[0u8; 64]; LANES];
        for (k, b) in blocks.iter_mut().enumerate() {
            for (i, byte) in b.iter_mut().enumerate() {
                *byte = (i * 31 + k * 7 + 3) as u8;
            }
        }
        let got = last_words(std::array::from_fn(|k| &blocks[k]));
        for k in 0..LANES {
            assert_eq!(got[k], scalar_last_word(&blocks[k]), "lane {k}");
        }
    }
}
