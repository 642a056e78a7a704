//! md5 of several one-block messages at once, one message per 32-bit SIMD lane
//! (`std::simd`: simd128 in wasm, SSE2 natively). Mining only needs the last state
//! word to tell a coin, so that is all it returns; a hit is recomputed in full.

use std::simd::Simd;

/// Messages hashed at once: two 128-bit vectors, so that two independent chains of
/// dependent steps interleave and hide each other's latency.
pub const LANES: usize = 8;

type Lanes = Simd<u32, LANES>;

// The miner steps each lane on by LANES with a one-digit odometer add.
const _: () = assert!(LANES <= 9);

const INIT: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];

/// Per-step additive constants, ⌊|sin(i + 1)| · 2^32⌋.
const K: [u32; 64] = [
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
const S: [u32; 64] = [
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15,
    21,
];

#[inline(always)]
fn rotl(x: Lanes, s: u32) -> Lanes {
    (x << Lanes::splat(s)) | (x >> Lanes::splat(32 - s))
}

/// The message word each step reads.
const fn word_index(i: usize) -> usize {
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
    let [mut a, mut b, mut c, mut d] = INIT.map(Lanes::splat);
    for i in 0..64 {
        let f = match i / 16 {
            0 => (b & c) | (!b & d),
            1 => (d & b) | (!d & c),
            2 => b ^ c ^ d,
            _ => c ^ (b | !d),
        };
        let t = a + f + Lanes::splat(K[i]) + m[word_index(i)];
        a = d;
        d = c;
        c = b;
        b += rotl(t, S[i]);
    }
    (d + Lanes::splat(INIT[3])).to_array()
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

    #[test]
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
