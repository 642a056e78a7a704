//! Concurrency Lab's compute core.
//!
//! Everything outside [`web`] is plain Rust: it builds natively and is unit-tested
//! with `cargo test`. The `web` module is the thin wasm-bindgen facade the page's
//! engine and link workers load.
//!
//! Modules are private; this list is the crate's surface: what the facade, the
//! native benchmark and the integration tests need.

#![feature(portable_simd)]
// The facade's out-of-memory hook (src/web/fault.rs): without it a failed allocation
// in wasm aborts with no message.
#![cfg_attr(target_arch = "wasm32", feature(alloc_error_hook))]
#![cfg_attr(all(target_arch = "wasm32", target_feature = "atomics"), feature(stdarch_wasm_atomic_wait))]

mod args;
mod contract;
mod error;
mod event_loop;
mod executor;
mod futex;
mod gil;
mod links;
mod md5_lanes;
mod md5_nonce;
mod md5_random;
mod mining;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod parse_props;
mod pool;
mod primes;
mod progress;
mod schedule;
mod settle;
#[cfg(test)]
mod test_support;
// The kernels' lane-by-lane tests also run in wasm (`wasm-pack test`), where the
// kernels differ from the native build (md5_lanes::Interleave).
#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_dedicated_worker);
mod timeline;

pub use args::{ExecutorArgs, IntArg, LinksArgs, LoopArgs, MineArgs, PrimesArgs, parse_decimal_u64};
pub use contract::{Contract, contract};
pub use error::ArgError;
pub use event_loop::{LoopJob, LoopReport, LoopSpan, SCENARIOS, Scenario, ScenarioInfo, calibrate_here, nonces_for};
pub use executor::{ExecutorJob, ExecutorReport, Preset, TaskSpec, preset, presets, run as run_executor};
pub use gil::{Code, GilJob, GilMode, GilReport, LaneInterval, LaneState, ThreadTotals, Workload, countdown, run_gil};
pub use links::{
    FetchMode, LinkError, LinkResult, LinksJob, Method, Outcome, OutcomeClass, ParsedList, Scheduler, Verdict,
    classify, fetchable, host_key, parse_list, retry_delay_ms, retry_wait_ms,
};
pub use mining::{
    COIN_LEN, Coin, Ended, Kernel, MineJob, MineMode, MineReport, WarmUp, md5_hex, mine, mine_here, verify, warm_up,
};
pub use primes::{Algorithm, COURSE_PRIMES, PrimeResult, PrimesJob, PrimesReport, map_primes, miller_rabin};
pub use progress::{Layout, MAX_WORKERS, Progress, STALL_MS};
pub use timeline::Span;

#[cfg(target_arch = "wasm32")]
pub mod web;
