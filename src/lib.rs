//! Concurrency Lab's compute core.
//!
//! Everything outside [`web`] is plain Rust: it builds natively and is unit-tested
//! with `cargo test`. The [`web`] module is the thin wasm-bindgen facade the page's
//! engine and link workers load.

#![feature(portable_simd)]

pub mod args;
pub mod links;
pub mod md5_lanes;
pub mod mining;
pub mod primes;
pub mod progress;
pub mod schedule;

#[cfg(target_arch = "wasm32")]
pub mod web;
