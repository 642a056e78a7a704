//! The `md-5` crate natively, in the course's loop shape: for each nonce, build the
//! 50-digit string, hash it, hex-encode the digest and test the hex for the `00000`
//! suffix, one candidate after another on one thread, as the course's Python loop
//! does (`md5(s.encode('utf8')).hexdigest().endswith("00000")`). `make bench` sets it
//! beside the lab's own kernel, on the same nonces, and checks the coins agree.
//!
//!     cargo run --release --example md5_crate -- --start 0 --count 8388608 --reps 3
//!
//! Prints one JSON line: `{"start", "count", "ms": [one per timed run], "coins": [nonces]}`.

use clap::Parser;
use md5::{Digest, Md5};
use std::time::Instant;

#[derive(Parser)]
struct Cli {
    /// The first nonce.
    #[arg(long, default_value_t = 0)]
    start: u64,
    /// Nonces per run.
    #[arg(long, default_value_t = 1 << 22)]
    count: u64,
    /// Timed runs (after one warm-up).
    #[arg(long, default_value_t = 3)]
    reps: usize,
}

/// Lower-case hex of a digest into a new string, as Python's `hexdigest()` returns one.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

/// The course's loop over `start..start + count`: the coins' nonces, in order.
fn mine(start: u64, count: u64) -> Vec<u64> {
    let mut coins = Vec::new();
    for n in start..start + count {
        let s = format!("{n:050}");
        let h = hex(&Md5::digest(s.as_bytes()));
        if h.ends_with("00000") {
            coins.push(n);
        }
    }
    coins
}

fn main() {
    let cli = Cli::parse();
    let mut runs = Vec::new();
    let mut coins = Vec::new();
    for rep in 0..=cli.reps {
        let started = Instant::now();
        coins = std::hint::black_box(mine(cli.start, cli.count));
        if rep > 0 {
            runs.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    println!("{{\"start\":{},\"count\":{},\"ms\":{:?},\"coins\":{:?}}}", cli.start, cli.count, runs, coins);
}
