//! The event-loop lab's scenarios, as the course writes them (file 003), and the
//! arithmetic of their results. The loop itself is the link worker's real one
//! (`web::event_loop`): Rust futures on the browser's task and microtask queues.

use crate::error::ArgError;
use serde::Serialize;

/// One of the lab's experiments on the loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    /// `asyncio.gather` of the course's three workers (2, 1 and 3 s of `asyncio.sleep`).
    Gather,
    /// The same three awaited one after another.
    Sequential,
    /// The course's aiohttp example: three fetches of delay/1, delay/2, delay/1, gathered.
    Aiohttp,
    /// The same fetches awaited one after another.
    AiohttpSequential,
    /// An async generator: five values, 0.5 s apart, consumed with `async for`.
    Agen,
    /// The fetches while a CPU-bound step runs on the loop's own thread: the mistake.
    Blocking,
    /// The fetches while the CPU-bound step is awaited from the pool (`run_in_executor`).
    Hybrid,
    /// Promise callbacks (microtasks) against a timer (a task): the order they run in.
    Order,
}

/// A scenario for the page: its id, a title and the course's Python it re-creates.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ScenarioInfo {
    pub id: Scenario,
    pub title: &'static str,
    pub python: &'static str,
}

const GATHER_PY: &str = "async def worker(name, delay):\n    await asyncio.sleep(delay)\n    return f'Result from {name}'\n\nresults = await asyncio.gather(\n    worker('Task-1', 2), worker('Task-2', 1), worker('Task-3', 3))";
const SEQUENTIAL_PY: &str =
    "for name, delay in [('Task-1', 2), ('Task-2', 1), ('Task-3', 3)]:\n    await worker(name, delay)";
const AIOHTTP_PY: &str = "urls = ['…/delay/1', '…/delay/2', '…/delay/1']\nasync with aiohttp.ClientSession() as session:\n    results = await asyncio.gather(*[fetch_data(session, u) for u in urls])";
const AIOHTTP_SEQ_PY: &str =
    "async with aiohttp.ClientSession() as session:\n    for u in urls:\n        await fetch_data(session, u)";
const AGEN_PY: &str = "async def async_generator():\n    for i in range(5):\n        await asyncio.sleep(0.5)\n        yield i\n\nasync for value in async_generator():\n    print(value)";
const BLOCKING_PY: &str = "async def main():\n    fetches = asyncio.gather(*[fetch_data(session, u) for u in urls])\n    cpu_intensive_task(n)      # runs on the loop's thread: nothing else can\n    await fetches";
const HYBRID_PY: &str = "async def main():\n    loop = asyncio.get_running_loop()\n    with ProcessPoolExecutor() as pool:\n        fetches = asyncio.gather(*[fetch_data(session, u) for u in urls])\n        await loop.run_in_executor(pool, cpu_intensive_task, n)\n        await fetches";
const ORDER_PY: &str = "setTimeout(() => log('timer (a task)'), 0)\nPromise.resolve().then(() => log('promise 1 (a microtask)'))\n                 .then(() => log('promise 2 (a microtask)'))\nqueueMicrotask(() => log('queueMicrotask (a microtask)'))\nlog('end of the script')";

/// Every scenario, in the order the page offers them.
pub const SCENARIOS: [ScenarioInfo; 8] = [
    ScenarioInfo { id: Scenario::Gather, title: "asyncio.gather of three workers (2 s, 1 s, 3 s)", python: GATHER_PY },
    ScenarioInfo { id: Scenario::Sequential, title: "the same three awaited in turn", python: SEQUENTIAL_PY },
    ScenarioInfo {
        id: Scenario::Aiohttp,
        title: "aiohttp: three fetches gathered (delay 1, 2, 1 s)",
        python: AIOHTTP_PY,
    },
    ScenarioInfo { id: Scenario::AiohttpSequential, title: "the same fetches awaited in turn", python: AIOHTTP_SEQ_PY },
    ScenarioInfo { id: Scenario::Agen, title: "an async generator, consumed with async for", python: AGEN_PY },
    ScenarioInfo {
        id: Scenario::Blocking,
        title: "fetches while CPU work runs on the loop's thread (the mistake)",
        python: BLOCKING_PY,
    },
    ScenarioInfo {
        id: Scenario::Hybrid,
        title: "fetches while the CPU work runs in the pool (run_in_executor)",
        python: HYBRID_PY,
    },
    ScenarioInfo {
        id: Scenario::Order,
        title: "microtasks before tasks: the order callbacks run in",
        python: ORDER_PY,
    },
];

/// The course's three workers of `gather`: name and seconds of sleep.
pub const COURSE_WORKERS: [(&str, f64); 3] = [("Task-1", 2.0), ("Task-2", 1.0), ("Task-3", 3.0)];
/// The course's aiohttp URLs: httpbin's delay/1, delay/2, delay/1, in seconds.
pub const COURSE_FETCHES: [f64; 3] = [1.0, 2.0, 1.0];
/// The async generator: this many values, this many seconds apart.
pub const AGEN_VALUES: u32 = 5;
pub const AGEN_GAP_S: f64 = 0.5;
/// The factor on the course's seconds when `scale` is not given: the lessons in a
/// fifth of their time.
pub const DEFAULT_SCALE: f64 = 0.2;
pub const MAX_SCALE: f64 = 10.0;
/// The CPU-bound step of `blocking` and `hybrid` when `cpuMs` is not given.
pub const DEFAULT_CPU_MS: f64 = 500.0;
pub const MAX_CPU_MS: f64 = 10_000.0;
/// How often the heartbeat timer asks to run; its lateness is the loop's lag.
pub const HEARTBEAT_MS: u32 = 10;

impl Scenario {
    pub fn parse(s: &str) -> Result<Scenario, ArgError> {
        SCENARIOS.iter().map(|i| i.id).find(|id| id.name() == s).ok_or_else(|| {
            let all: Vec<String> = SCENARIOS.iter().map(|i| format!("\"{}\"", i.id.name())).collect();
            ArgError::new("scenario", format!("must be one of {} (got \"{s}\")", all.join(", ")))
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Scenario::Gather => "gather",
            Scenario::Sequential => "sequential",
            Scenario::Aiohttp => "aiohttp",
            Scenario::AiohttpSequential => "aiohttp-sequential",
            Scenario::Agen => "agen",
            Scenario::Blocking => "blocking",
            Scenario::Hybrid => "hybrid",
            Scenario::Order => "order",
        }
    }
}

/// A checked loop experiment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoopJob {
    pub scenario: Scenario,
    /// Multiplies the course's seconds.
    pub scale: f64,
    /// The CPU step's target length (blocking, hybrid).
    pub cpu_ms: f64,
}

impl LoopJob {
    pub fn new(scenario: &str, scale: Option<f64>, cpu_ms: Option<f64>) -> Result<LoopJob, ArgError> {
        let scenario = Scenario::parse(scenario)?;
        let scale = positive("scale", scale.unwrap_or(DEFAULT_SCALE), MAX_SCALE)?;
        let cpu_ms = positive("cpuMs", cpu_ms.unwrap_or(DEFAULT_CPU_MS), MAX_CPU_MS)?;
        Ok(LoopJob { scenario, scale, cpu_ms })
    }

    /// The course's seconds, scaled, in ms.
    pub fn ms(&self, seconds: f64) -> f64 {
        seconds * 1000.0 * self.scale
    }
}

fn positive(arg: &str, v: f64, max: f64) -> Result<f64, ArgError> {
    if v.is_finite() && v > 0.0 && v <= max {
        Ok(v)
    } else {
        Err(ArgError::new(arg, format!("must be a number above 0 and at most {max} (got {v})")))
    }
}

/// Nonces to mine for a CPU step of `target_ms`, given that `probe` nonces took
/// `probe_ms` on this thread (at least one probe's worth).
pub fn nonces_for(target_ms: f64, probe: u64, probe_ms: f64) -> u64 {
    let per_ms = probe as f64 / probe_ms.max(0.01);
    ((target_ms * per_ms) as u64).max(probe)
}

/// Nonces a probe mines when measuring this thread's rate.
pub const PROBE_NONCES: u64 = 1 << 16;
/// The rate counts as measured once two probes in a row agree within this fraction,
/// or after this long.
const PROBE_TOLERANCE: f64 = 0.1;
const PROBE_MAX_MS: f64 = 400.0;

/// Nonces for a CPU step of `target_ms` on the calling thread. Probes until the rate
/// settles: fresh wasm runs on a baseline compiler first and on optimised code later,
/// so one cold probe would undercount the rate and make the step too short.
pub fn calibrate_here(target_ms: f64, clock: &dyn Fn() -> f64) -> u64 {
    let probes = crate::settle::until_settled::<std::convert::Infallible>(
        clock,
        PROBE_TOLERANCE,
        PROBE_MAX_MS,
        &|| false,
        || {
            let s = clock();
            crate::mining::mine_here(0, PROBE_NONCES);
            Ok((clock() - s).max(0.01))
        },
    );
    // The fastest probe: two slow probes on baseline code can agree before the
    // optimised code arrives, and the step itself will run on the optimised code.
    let ms = probes.ok().and_then(|p| p.into_iter().reduce(f64::min)).unwrap_or(1.0);
    nonces_for(target_ms, PROBE_NONCES, ms)
}

/// One span on the loop's timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoopSpan {
    pub task: String,
    /// "sleep", "fetch", "cpu" or "value".
    pub kind: &'static str,
    pub start_ms: f64,
    pub end_ms: f64,
}

/// What a loop experiment measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoopReport {
    pub scenario: Scenario,
    pub elapsed_ms: f64,
    pub spans: Vec<LoopSpan>,
    /// The largest lateness of the heartbeat timer: how long the loop could not run a task.
    pub max_lag_ms: f64,
    /// The callbacks (order), or the values (agen), in the order they ran or arrived.
    pub order: Vec<String>,
    /// How long the CPU step took, where there was one.
    pub cpu_ms: Option<f64>,
    /// Sum and longest of the task spans (not the CPU step): gather ≈ the longest,
    /// sequential ≈ the sum.
    pub sum_ms: f64,
    pub max_ms: f64,
}

impl LoopReport {
    pub fn new(
        scenario: Scenario,
        elapsed_ms: f64,
        spans: Vec<LoopSpan>,
        max_lag_ms: f64,
        order: Vec<String>,
        cpu_ms: Option<f64>,
    ) -> Self {
        let tasks = spans.iter().filter(|s| s.kind != "cpu").map(|s| s.end_ms - s.start_ms);
        let (sum_ms, max_ms) = tasks.fold((0.0, 0.0f64), |(sum, max), d| (sum + d, max.max(d)));
        LoopReport { scenario, elapsed_ms, spans, max_lag_ms, order, cpu_ms, sum_ms, max_ms }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_parse_by_name_and_bad_ones_are_named() {
        for info in SCENARIOS {
            assert_eq!(Scenario::parse(info.id.name()), Ok(info.id));
            assert_eq!(serde_json::to_value(info.id).unwrap(), info.id.name());
        }
        let e = Scenario::parse("parallel").unwrap_err();
        assert_eq!(e.arg, "scenario");
        assert!(e.why.contains("\"gather\"") && e.why.ends_with("(got \"parallel\")"));
    }

    #[test]
    fn options_are_checked() {
        let j = LoopJob::new("gather", None, None).unwrap();
        assert_eq!((j.scale, j.cpu_ms), (DEFAULT_SCALE, DEFAULT_CPU_MS));
        assert_eq!(j.ms(2.0), 400.0);
        assert!(LoopJob::new("gather", Some(0.0), None).unwrap_err().to_string().starts_with("scale: "));
        assert!(LoopJob::new("gather", Some(f64::NAN), None).is_err());
        assert!(LoopJob::new("blocking", None, Some(1e9)).unwrap_err().to_string().starts_with("cpuMs: "));
    }

    #[test]
    fn calibrating_gives_a_step_near_its_target() {
        let t = std::time::Instant::now();
        let clock = move || t.elapsed().as_secs_f64() * 1000.0;
        let n = calibrate_here(50.0, &clock);
        let s = clock();
        crate::mining::mine_here(1 << 40, n);
        let took = clock() - s;
        assert!(took > 50.0 / 4.0 && took < 50.0 * 4.0, "asked 50 ms, took {took}");
    }

    #[test]
    fn calibration_scales_the_probe() {
        assert_eq!(nonces_for(500.0, 1000, 10.0), 50_000);
        assert_eq!(nonces_for(1.0, 1000, 10.0), 1000, "never less than the probe");
    }

    #[test]
    fn a_report_sums_the_tasks_and_leaves_the_cpu_step_out() {
        let span = |task: &str, kind, s, e| LoopSpan { task: task.into(), kind, start_ms: s, end_ms: e };
        let r = LoopReport::new(
            Scenario::Blocking,
            10.0,
            vec![span("a", "fetch", 0.0, 4.0), span("b", "fetch", 1.0, 3.0), span("cpu", "cpu", 0.0, 9.0)],
            8.0,
            vec![],
            Some(9.0),
        );
        assert_eq!((r.sum_ms, r.max_ms), (6.0, 4.0));
    }
}
