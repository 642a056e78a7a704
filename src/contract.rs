//! The contract between the core and the page: every limit, default, layout and
//! list that the page shows or checks, defined once here and read by the page at start
//! (`lab.contract`). The page re-derives none of them.

use crate::event_loop::{self, SCENARIOS, ScenarioInfo};
use crate::executor::{self, Preset};
use crate::gil::{self, GilMode, Workload};
use crate::links::{self, LAB_LISTS, LabList, OutcomeClass, Verdict};
use crate::mining::{self, COIN_LEN, COIN_ODDS, DEFAULT_MINE_COUNT, Kernel, MineMode};
use crate::primes::{COURSE_PRIMES, DEFAULT_CHUNKSIZE, MAX_NUMBERS};
use crate::progress::{Layout, MAX_WORKERS, Progress, STALL_MS};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Contract {
    /// Pool sizes run from 1 to this.
    pub max_workers: usize,
    /// Byte offsets of the shared counters.
    pub layout: Layout,
    /// The page's watchdog ends a CPU run whose pulse and counters stand still this long.
    pub stall_ms: u32,
    pub mine: MineContract,
    pub primes: PrimesContract,
    pub links: LinksContract,
    pub models: ModelsContract,
}

/// The models lab: its experiments' defaults, limits and presets.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelsContract {
    pub gil: GilContract,
    #[serde(rename = "loop")]
    pub event_loop: LoopContract,
    pub executor: ExecutorContract,
}

/// `lab.executor`: its limits and the course's presets (src/executor.rs).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutorContract {
    pub max_workers: usize,
    pub max_tasks: usize,
    pub max_task_ms: f64,
    pub watchdog_poll_ms: f64,
    pub presets: Vec<Preset>,
}

/// `lab.gil`: its modes, workloads, defaults and limits (src/gil.rs).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GilContract {
    pub modes: [GilMode; 5],
    pub workloads: [Workload; 3],
    pub default_threads: usize,
    pub max_threads: usize,
    pub default_n: u64,
    pub max_n: u64,
    pub default_switch_interval_ms: f64,
    pub min_switch_interval_ms: f64,
    pub max_switch_interval_ms: f64,
    pub default_sleeps: u32,
    pub max_sleeps: u32,
    pub default_sleep_ms: f64,
    pub max_sleep_ms: f64,
    pub default_yield_every: u64,
    /// Bytecode instructions per countdown iteration (`while n: n -= 1`).
    pub ops_per_iteration: u64,
    /// The countdown's bytecode, as `dis` would list it.
    pub bytecode: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoopContract {
    pub scenarios: [ScenarioInfo; 8],
    pub default_scale: f64,
    pub max_scale: f64,
    pub default_cpu_ms: f64,
    pub max_cpu_ms: f64,
    /// The heartbeat timer's period: its lateness is the loop's lag.
    pub heartbeat_ms: u32,
    /// The course's `gather` workers: name and seconds.
    pub course_workers: [(&'static str, f64); 3],
    /// The course's aiohttp delays, in seconds.
    pub course_fetches: [f64; 3],
    pub agen_values: u32,
    pub agen_gap_s: f64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MineContract {
    /// Candidates a run tries when `count` is not given.
    pub default_count: u64,
    /// Candidates per task handed to a worker (one timeline bar).
    pub task_candidates: u64,
    /// Digits in a coin.
    pub coin_len: usize,
    /// One candidate in this many is a coin, on average.
    pub coin_odds: u64,
    /// Modes, the default first.
    pub modes: [&'static str; 2],
    /// Kernels, the default first, with what each costs.
    pub kernels: [KernelInfo; 2],
}

/// A mining kernel as the page lists it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KernelInfo {
    /// The `kernel` option's value.
    pub id: &'static str,
    /// md5 steps per candidate (a full compression is 64), by mode.
    pub nonce_steps: f64,
    pub random_steps: f64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrimesContract {
    /// The course's list, as decimal strings (its numbers pass 2^53 in general use).
    pub course_list: Vec<String>,
    pub max_numbers: usize,
    pub default_chunksize: usize,
    /// Algorithms, the default first.
    pub algorithms: [&'static str; 2],
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinksContract {
    pub max_urls: usize,
    pub max_concurrency: usize,
    pub default_concurrency: usize,
    pub default_timeout_ms: u32,
    pub max_timeout_ms: u32,
    pub max_retries: u32,
    /// The longest `Retry-After` the checker honours.
    pub max_retry_after_ms: u32,
    /// The fields of each result, in table and export order.
    pub result_fields: [&'static str; 13],
    pub classes: [OutcomeClass; 11],
    pub verdicts: [Verdict; 6],
    /// Lists of the lab server's endpoints, the default first.
    pub lab_lists: [LabList; 2],
}

/// The contract, as the page reads it.
pub fn contract() -> Contract {
    Contract {
        max_workers: MAX_WORKERS,
        layout: Progress::LAYOUT,
        stall_ms: STALL_MS,
        mine: MineContract {
            default_count: DEFAULT_MINE_COUNT,
            task_candidates: mining::CHUNK,
            coin_len: COIN_LEN,
            coin_odds: COIN_ODDS,
            modes: ["nonce", "random"],
            kernels: Kernel::ALL.map(|k| KernelInfo {
                id: k.id(),
                nonce_steps: k.steps_per_candidate(MineMode::Nonce),
                random_steps: k.steps_per_candidate(MineMode::Random),
            }),
        },
        primes: PrimesContract {
            course_list: COURSE_PRIMES.iter().map(u64::to_string).collect(),
            max_numbers: MAX_NUMBERS,
            default_chunksize: DEFAULT_CHUNKSIZE,
            algorithms: ["trial", "miller-rabin"],
        },
        links: LinksContract {
            max_urls: links::MAX_URLS,
            max_concurrency: links::MAX_CONCURRENCY,
            default_concurrency: links::DEFAULT_CONCURRENCY,
            default_timeout_ms: links::DEFAULT_TIMEOUT_MS,
            max_timeout_ms: links::MAX_TIMEOUT_MS,
            max_retries: links::MAX_RETRIES,
            max_retry_after_ms: links::MAX_RETRY_AFTER_MS,
            result_fields: links::RESULT_FIELDS,
            classes: OutcomeClass::ALL,
            verdicts: Verdict::ALL,
            lab_lists: LAB_LISTS,
        },
        models: ModelsContract {
            gil: GilContract {
                modes: GilMode::ALL,
                workloads: Workload::ALL,
                default_threads: gil::DEFAULT_THREADS,
                max_threads: gil::MAX_THREADS,
                default_n: gil::DEFAULT_N,
                max_n: gil::MAX_N,
                default_switch_interval_ms: gil::DEFAULT_SWITCH_INTERVAL_MS,
                min_switch_interval_ms: gil::MIN_SWITCH_INTERVAL_MS,
                max_switch_interval_ms: gil::MAX_SWITCH_INTERVAL_MS,
                default_sleeps: gil::DEFAULT_SLEEPS,
                max_sleeps: gil::MAX_SLEEPS,
                default_sleep_ms: gil::DEFAULT_SLEEP_MS,
                max_sleep_ms: gil::MAX_SLEEP_MS,
                default_yield_every: gil::DEFAULT_YIELD_EVERY,
                ops_per_iteration: gil::OPS_PER_ITERATION,
                bytecode: gil::countdown().listing(),
            },
            event_loop: LoopContract {
                scenarios: SCENARIOS,
                default_scale: event_loop::DEFAULT_SCALE,
                max_scale: event_loop::MAX_SCALE,
                default_cpu_ms: event_loop::DEFAULT_CPU_MS,
                max_cpu_ms: event_loop::MAX_CPU_MS,
                heartbeat_ms: event_loop::HEARTBEAT_MS,
                course_workers: event_loop::COURSE_WORKERS,
                course_fetches: event_loop::COURSE_FETCHES,
                agen_values: event_loop::AGEN_VALUES,
                agen_gap_s: event_loop::AGEN_GAP_S,
            },
            executor: ExecutorContract {
                max_workers: executor::MAX_EXECUTOR_WORKERS,
                max_tasks: executor::MAX_TASKS,
                max_task_ms: executor::MAX_TASK_MS,
                watchdog_poll_ms: executor::WATCHDOG_POLL_MS,
                presets: executor::presets(),
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::{MineArgs, PrimesArgs};

    #[test]
    fn the_contract_says_what_the_checks_do() {
        let c = contract();
        assert_eq!(c.max_workers, 128);
        assert_eq!(MineArgs::default().check().unwrap().count, c.mine.default_count);
        assert_eq!(MineArgs::default().check().unwrap().kernel.id(), c.mine.kernels[0].id);
        let primes = PrimesArgs::default().check().unwrap();
        assert_eq!(primes.numbers.iter().map(u64::to_string).collect::<Vec<_>>(), c.primes.course_list);
        assert_eq!(primes.chunksize, c.primes.default_chunksize);
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(
            json["mine"]["kernels"][1],
            serde_json::json!({"id": "plain", "nonceSteps": 64.0, "randomSteps": 64.0})
        );
        assert_eq!(json["mine"]["kernels"][0]["nonceSteps"], 50.12);
        assert_eq!(json["links"]["classes"][1], "3xx");
        assert_eq!(json["links"]["verdicts"][1], "redirect");
        assert_eq!(json["layout"]["coinMd5"], 56);
        assert_eq!(json["links"]["labLists"][0]["id"], "lab");
        assert!(!json["links"]["labLists"][0]["entries"].as_array().unwrap().iter().any(|e| e == "/lab/hang"));
        assert_eq!(json["models"]["loop"]["scenarios"][0]["id"], "gather");
        assert_eq!(json["models"]["loop"]["courseWorkers"][2], serde_json::json!(["Task-3", 3.0]));
    }
}
