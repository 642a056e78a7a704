//! Options of `window.lab`'s calls as the page gives them, converted into the job
//! types of the domain modules before any work starts.
//!
//! Every error names the argument and says why, e.g. `count: must not be negative (got -5)`.
//! Integers that may pass 2^53 arrive as decimal strings or as JS numbers ([`IntArg`]).
//! `workers` is not among the options: the page starts the pool, and each job asks the
//! pool it runs on (`pool::checked_size`).

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use std::fmt;

use crate::error::ArgError;
use crate::event_loop::LoopJob;
use crate::executor::{ExecutorJob, TaskSpec};
use crate::links::{
    DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS, FetchMode, LinksJob, MAX_CONCURRENCY, MAX_RETRIES, MAX_TIMEOUT_MS,
    MAX_URLS, Method,
};
use crate::mining::{DEFAULT_MINE_COUNT, Kernel, MineJob, MineMode};
use crate::primes::{Algorithm, COURSE_PRIMES, DEFAULT_CHUNKSIZE, MAX_NUMBERS, PrimesJob};

/// The largest integer a JS number holds exactly.
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// An integer as the caller gave it: a JS number, a BigInt or a decimal string.
#[derive(Debug, Clone, PartialEq)]
pub enum IntArg {
    Number(f64),
    Exact(i128),
    Text(String),
}

impl From<u64> for IntArg {
    fn from(n: u64) -> Self {
        IntArg::Exact(n.into())
    }
}

impl From<&str> for IntArg {
    fn from(s: &str) -> Self {
        IntArg::Text(s.to_owned())
    }
}

impl<'de> Deserialize<'de> for IntArg {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = IntArg;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an integer, as a number or a decimal string")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<IntArg, E> {
                Ok(IntArg::Number(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<IntArg, E> {
                Ok(IntArg::Exact(v.into()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<IntArg, E> {
                Ok(IntArg::Exact(v.into()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<IntArg, E> {
                Ok(IntArg::Text(v.to_owned()))
            }
        }
        d.deserialize_any(V)
    }
}

impl IntArg {
    /// The value as a u64, or an error that names `arg`.
    pub fn to_u64(&self, arg: &str) -> Result<u64, ArgError> {
        let err = |why: String| Err(ArgError::new(arg, why));
        match self {
            IntArg::Number(v) => {
                if !v.is_finite() || v.fract() != 0.0 {
                    err(format!("must be an integer (got {v})"))
                } else if *v < 0.0 {
                    err(format!("must not be negative (got {v})"))
                } else if *v > MAX_SAFE {
                    err(format!("{v} is above 2^53 − 1, where a JS number loses digits; pass it as a decimal string"))
                } else {
                    Ok(*v as u64)
                }
            }
            IntArg::Exact(v) => {
                if *v < 0 {
                    err(format!("must not be negative (got {v})"))
                } else {
                    u64::try_from(*v).or_else(|_| err(format!("{v} exceeds 2^64 − 1")))
                }
            }
            IntArg::Text(s) => parse_decimal_u64(arg, s),
        }
    }
}

/// Parses a decimal string (surrounding blanks allowed) into a u64.
pub fn parse_decimal_u64(arg: &str, text: &str) -> Result<u64, ArgError> {
    let t = text.trim();
    let shown =
        if t.chars().count() > 40 { format!("{}…", t.chars().take(40).collect::<String>()) } else { t.to_owned() };
    if t.is_empty() {
        return Err(ArgError::new(arg, "is empty; expected a decimal integer"));
    }
    let digits = t.strip_prefix('+').unwrap_or(t);
    if let Some(rest) = t.strip_prefix('-')
        && !rest.is_empty()
        && rest.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(ArgError::new(arg, format!("must not be negative (got {shown})")));
    }
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ArgError::new(arg, format!("\"{shown}\" is not a decimal integer")));
    }
    digits.parse::<u64>().map_err(|_| ArgError::new(arg, format!("{shown} exceeds 2^64 − 1 = {}", u64::MAX)))
}

fn optional(arg: &str, v: &Option<IntArg>, default: u64) -> Result<u64, ArgError> {
    v.as_ref().map_or(Ok(default), |v| v.to_u64(arg))
}

fn in_range(arg: &str, v: u64, lo: u64, hi: u64) -> Result<u64, ArgError> {
    if (lo..=hi).contains(&v) { Ok(v) } else { Err(ArgError::new(arg, format!("must be from {lo} to {hi} (got {v})"))) }
}

// ---------------------------------------------------------------- mining

/// `lab.mine` options as given.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MineArgs {
    pub mode: Option<String>,
    /// `"skip"` (the default) or `"plain"`: see [`Kernel`].
    pub kernel: Option<String>,
    pub start: Option<IntArg>,
    pub count: Option<IntArg>,
    pub coins: Option<IntArg>,
    pub time_budget_ms: Option<IntArg>,
    pub run_id: Option<u32>,
}

impl MineArgs {
    pub fn check(&self) -> Result<MineJob, ArgError> {
        let mode = match self.mode.as_deref() {
            None | Some("nonce") => MineMode::Nonce,
            Some("random") => MineMode::Random,
            Some(other) => {
                return Err(ArgError::new("mode", format!("must be \"nonce\" or \"random\" (got \"{other}\")")));
            }
        };
        let kernel = match self.kernel.as_deref() {
            None => Kernel::default(),
            Some(name) => Kernel::ALL.into_iter().find(|k| k.id() == name).ok_or_else(|| {
                let ids: Vec<String> = Kernel::ALL.iter().map(|k| format!("\"{}\"", k.id())).collect();
                ArgError::new("kernel", format!("must be {} (got \"{name}\")", ids.join(" or ")))
            })?,
        };
        let start = optional("start", &self.start, 0)?;
        let count = optional("count", &self.count, DEFAULT_MINE_COUNT)?;
        if mode == MineMode::Nonce && count > 0 && start.checked_add(count - 1).is_none() {
            return Err(ArgError::new(
                "count",
                format!("start + count − 1 passes 2^64 − 1, the last nonce (start {start}, count {count})"),
            ));
        }
        let coins = match &self.coins {
            None => None,
            Some(c) => Some(in_range("coins", c.to_u64("coins")?, 1, u64::MAX)?),
        };
        let time_budget_ms = match &self.time_budget_ms {
            None => None,
            Some(t) => Some(in_range("timeBudgetMs", t.to_u64("timeBudgetMs")?, 1, 86_400_000)?),
        };
        Ok(MineJob { mode, kernel, start, count, coins, time_budget_ms })
    }
}

// ---------------------------------------------------------------- primes

/// `lab.primes` options as given.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrimesArgs {
    pub numbers: Option<Vec<IntArg>>,
    pub chunksize: Option<IntArg>,
    pub algorithm: Option<String>,
    pub run_id: Option<u32>,
}

impl PrimesArgs {
    pub fn check(&self) -> Result<PrimesJob, ArgError> {
        let numbers = match &self.numbers {
            None => COURSE_PRIMES.to_vec(),
            Some(list) if list.len() > MAX_NUMBERS => {
                return Err(ArgError::new("numbers", format!("at most {MAX_NUMBERS} numbers (got {})", list.len())));
            }
            Some(list) => {
                list.iter().enumerate().map(|(i, n)| n.to_u64(&format!("numbers[{i}]"))).collect::<Result<_, _>>()?
            }
        };
        let chunksize = in_range(
            "chunksize",
            optional("chunksize", &self.chunksize, DEFAULT_CHUNKSIZE as u64)?,
            1,
            MAX_NUMBERS as u64,
        )?;
        let algorithm = match self.algorithm.as_deref() {
            None | Some("trial") => Algorithm::Trial,
            Some("miller-rabin") => Algorithm::MillerRabin,
            Some(other) => {
                return Err(ArgError::new(
                    "algorithm",
                    format!("must be \"trial\" or \"miller-rabin\" (got \"{other}\")"),
                ));
            }
        };
        Ok(PrimesJob { numbers, chunksize: chunksize as usize, algorithm })
    }
}

// ---------------------------------------------------------------- links

/// `lab.links` options as given (the page fills in the default list).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LinksArgs {
    pub urls: Option<Vec<String>>,
    pub concurrency: Option<IntArg>,
    pub timeout_ms: Option<IntArg>,
    pub mode: Option<String>,
    pub retries: Option<IntArg>,
    pub per_host: Option<IntArg>,
    pub method: Option<String>,
}

impl LinksArgs {
    pub fn check(self) -> Result<LinksJob, ArgError> {
        let urls = self.urls.ok_or_else(|| ArgError::new("urls", "a list of URLs is required"))?;
        if urls.len() > MAX_URLS {
            return Err(ArgError::new("urls", format!("at most {MAX_URLS} entries (got {})", urls.len())));
        }
        let concurrency = in_range(
            "concurrency",
            optional("concurrency", &self.concurrency, DEFAULT_CONCURRENCY as u64)?,
            1,
            MAX_CONCURRENCY as u64,
        )?;
        let timeout_ms = in_range(
            "timeoutMs",
            optional("timeoutMs", &self.timeout_ms, DEFAULT_TIMEOUT_MS.into())?,
            1,
            MAX_TIMEOUT_MS.into(),
        )?;
        let mode = match self.mode.as_deref() {
            None | Some("cors") => FetchMode::Cors,
            Some("no-cors") => FetchMode::NoCors,
            Some(other) => {
                return Err(ArgError::new("mode", format!("must be \"cors\" or \"no-cors\" (got \"{other}\")")));
            }
        };
        let method = match self.method.as_deref() {
            None | Some("get") => Method::Get,
            Some("head-then-get") => Method::HeadThenGet,
            Some(other) => {
                return Err(ArgError::new("method", format!("must be \"get\" or \"head-then-get\" (got \"{other}\")")));
            }
        };
        let retries = in_range("retries", optional("retries", &self.retries, 0)?, 0, MAX_RETRIES.into())?;
        let per_host =
            in_range("perHost", optional("perHost", &self.per_host, concurrency)?, 1, MAX_CONCURRENCY as u64)?;
        Ok(LinksJob {
            urls,
            concurrency: concurrency as usize,
            timeout_ms: timeout_ms as u32,
            mode,
            retries: retries as u32,
            per_host: per_host as usize,
            method,
        })
    }
}

// ---------------------------------------------------------------- the event loop

/// `lab.loop` options as given.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoopArgs {
    pub scenario: Option<String>,
    pub scale: Option<f64>,
    pub cpu_ms: Option<f64>,
}

impl LoopArgs {
    pub fn check(&self) -> Result<LoopJob, ArgError> {
        let scenario = self.scenario.as_deref().ok_or_else(|| ArgError::new("scenario", "is required"))?;
        LoopJob::new(scenario, self.scale, self.cpu_ms)
    }
}

// ---------------------------------------------------------------- executors

/// `lab.executor` options as given: a preset's id, or a description of the program.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExecutorArgs {
    pub preset: Option<String>,
    pub max_workers: Option<usize>,
    pub submit: Option<Vec<String>>,
    pub tasks: Option<Vec<TaskSpec>>,
}

impl ExecutorArgs {
    pub fn check(self) -> Result<ExecutorJob, ArgError> {
        let described = self.max_workers.is_some() || self.submit.is_some() || self.tasks.is_some();
        let job = match (self.preset, described) {
            (Some(_), true) => {
                return Err(ArgError::new(
                    "preset",
                    "give a preset or a description (maxWorkers, submit, tasks), not both",
                ));
            }
            (Some(id), false) => crate::executor::preset(&id).map(|p| p.job).ok_or_else(|| {
                let ids: Vec<String> = crate::executor::presets().iter().map(|p| format!("\"{}\"", p.id)).collect();
                ArgError::new("preset", format!("must be one of {} (got \"{id}\")", ids.join(", ")))
            })?,
            (None, _) => ExecutorJob {
                max_workers: self.max_workers.ok_or_else(|| ArgError::new("maxWorkers", "is required"))?,
                submit: self.submit.unwrap_or_default(),
                tasks: self.tasks.unwrap_or_default(),
            },
        };
        job.check()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg<T: fmt::Debug>(r: Result<T, ArgError>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn integers_from_numbers_and_strings() {
        assert_eq!(IntArg::from("18446744073709551615").to_u64("n"), Ok(u64::MAX));
        assert_eq!(IntArg::from(" 42 ").to_u64("n"), Ok(42));
        assert_eq!(IntArg::Number(1e15).to_u64("n"), Ok(1_000_000_000_000_000));
        assert_eq!(IntArg::Exact(7).to_u64("n"), Ok(7));
    }

    #[test]
    fn bad_integers_name_the_argument() {
        assert_eq!(
            msg(IntArg::from("18446744073709551616").to_u64("n")),
            format!("n: 18446744073709551616 exceeds 2^64 − 1 = {}", u64::MAX)
        );
        assert_eq!(msg(IntArg::from("-5").to_u64("count")), "count: must not be negative (got -5)");
        assert_eq!(msg(IntArg::Number(-5.0).to_u64("count")), "count: must not be negative (got -5)");
        assert!(msg(IntArg::from("12x").to_u64("start")).starts_with("start: \"12x\" is not a decimal integer"));
        assert!(msg(IntArg::from("1e5").to_u64("start")).contains("not a decimal integer"));
        assert!(msg(IntArg::from("").to_u64("start")).starts_with("start: is empty"));
        assert!(msg(IntArg::Number(1.5).to_u64("start")).contains("must be an integer"));
        assert!(msg(IntArg::Number(f64::NAN).to_u64("start")).contains("must be an integer"));
        assert!(msg(IntArg::Number(2f64.powi(60)).to_u64("start")).contains("decimal string"));
    }

    #[test]
    fn mine_defaults_and_checks() {
        let job = MineArgs::default().check().unwrap();
        assert_eq!(
            job,
            MineJob {
                mode: MineMode::Nonce,
                kernel: Kernel::Skip,
                start: 0,
                count: DEFAULT_MINE_COUNT,
                coins: None,
                time_budget_ms: None
            }
        );
        let bad_mode = MineArgs { mode: Some("fast".into()), ..Default::default() };
        assert!(msg(bad_mode.check()).starts_with("mode: "));
        let plain = MineArgs { kernel: Some("plain".into()), ..Default::default() };
        assert_eq!(plain.check().unwrap().kernel, Kernel::Plain);
        let bad_kernel = MineArgs { kernel: Some("fast".into()), ..Default::default() };
        assert_eq!(msg(bad_kernel.check()), "kernel: must be \"skip\" or \"plain\" (got \"fast\")");
        let past_end =
            MineArgs { start: Some(IntArg::Exact(u64::MAX.into())), count: Some(2.into()), ..Default::default() };
        assert!(msg(past_end.check()).starts_with("count: "));
        let last =
            MineArgs { start: Some(IntArg::Exact(u64::MAX.into())), count: Some(1.into()), ..Default::default() };
        assert!(last.check().is_ok());
        let zero_coins = MineArgs { coins: Some(0.into()), ..Default::default() };
        assert!(msg(zero_coins.check()).starts_with("coins: must be from 1"));
        let random_huge = MineArgs {
            mode: Some("random".into()),
            start: Some(5.into()),
            count: Some(IntArg::Exact(u64::MAX.into())),
            ..Default::default()
        };
        assert!(random_huge.check().is_ok(), "random mode has no nonce range to overflow");
    }

    #[test]
    fn primes_defaults_and_checks() {
        let job = PrimesArgs::default().check().unwrap();
        assert_eq!(job.numbers, COURSE_PRIMES);
        assert_eq!(job.chunksize, 1);
        assert_eq!(job.algorithm, Algorithm::Trial);
        let zero = PrimesArgs { chunksize: Some(0.into()), ..Default::default() };
        assert_eq!(msg(zero.check()), "chunksize: must be from 1 to 1000000 (got 0)");
        let bad = PrimesArgs { numbers: Some(vec![7.into(), "abc".into()]), ..Default::default() };
        assert_eq!(msg(bad.check()), "numbers[1]: \"abc\" is not a decimal integer");
        let algo = PrimesArgs { algorithm: Some("aks".into()), ..Default::default() };
        assert!(msg(algo.check()).starts_with("algorithm: "));
    }

    #[test]
    fn links_checks() {
        let none = LinksArgs::default();
        assert!(msg(none.check()).starts_with("urls: "));
        let zero = LinksArgs { urls: Some(vec![]), concurrency: Some(0.into()), ..Default::default() };
        assert_eq!(msg(zero.check()), "concurrency: must be from 1 to 1000 (got 0)");
        let many = LinksArgs { urls: Some(vec![String::new(); MAX_URLS + 1]), ..Default::default() };
        assert!(msg(many.check()).starts_with("urls: at most 10000"));
        let defaults =
            LinksArgs { urls: Some(vec![]), concurrency: Some(7.into()), ..Default::default() }.check().unwrap();
        assert_eq!(
            (defaults.per_host, defaults.retries, defaults.mode, defaults.method),
            (7, 0, FetchMode::Cors, Method::Get)
        );
        let bad_mode = LinksArgs { urls: Some(vec![]), mode: Some("navigate".into()), ..Default::default() };
        assert!(msg(bad_mode.check()).starts_with("mode: "));
        let many_retries = LinksArgs { urls: Some(vec![]), retries: Some(9.into()), ..Default::default() };
        assert_eq!(msg(many_retries.check()), "retries: must be from 0 to 5 (got 9)");
        let zero_host = LinksArgs { urls: Some(vec![]), per_host: Some(0.into()), ..Default::default() };
        assert!(msg(zero_host.check()).starts_with("perHost: "));
    }
}
