//! Load test of the lab server: starts one on 127.0.0.1 (a free port, a scratch
//! site folder), puts it under three loads in turn and prints what it measured.
//!
//! 1. *Many slow requests*: N concurrent `/lab/delay/1000`; all must be answered
//!    200, and `/lab/stats` must then say `served == N`, `in_flight == 0`.
//! 2. *Large bodies*: M concurrent `/lab/bytes/67108864`, each read to the end and
//!    counted; the server's resident memory (VmRSS, sampled every 10 ms) must stay
//!    under 100 MiB throughout, which it can only do by streaming.
//! 3. *Slow clients*: S connections that send half a request line and stall; while
//!    they are open, a normal request must be answered within 1 s. At full scale it
//!    then waits for the server to cut them off at its header timeout.
//!
//! Timings are printed, not judged, except the two bounds above (1 s, 100 MiB).
//! Any figure out of bounds makes the exit status 1. Every phase has a deadline, and
//! the server is killed when this program ends, however it ends.

use clap::{Parser, ValueEnum};
use lab_server::connections::HEADER_TIMEOUT;
use lab_server::fd_limit;
use lab_server::lab::StatsView;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio::time::timeout;

const MIB: u64 = 1 << 20;
/// The bound on the server's memory while it sends the large bodies.
const RSS_BOUND: u64 = 100 * MIB;
/// The bound on a normal request's answer among stalled clients.
const ANSWER_BOUND: Duration = Duration::from_secs(1);
const BIG_BODY: u64 = 64 * MIB;

#[derive(Clone, Copy, ValueEnum)]
enum Scale {
    /// 2,000 delays, 200 × 64 MiB, 1,000 slow clients, and their cut-off.
    Full,
    /// 200 delays, 20 × 64 MiB, 100 slow clients: a few seconds, for `make test`.
    Ci,
}

/// Load-tests the lab server on loopback.
#[derive(Parser)]
struct Cli {
    #[arg(long, value_enum, default_value = "full")]
    scale: Scale,
    /// The lab-server binary; by default the one beside this program.
    #[arg(long)]
    server: Option<PathBuf>,
}

struct Plan {
    delays: usize,
    bodies: usize,
    slow: usize,
    wait_for_cutoff: bool,
}

impl Plan {
    fn of(scale: Scale) -> Plan {
        match scale {
            Scale::Full => Plan { delays: 2000, bodies: 200, slow: 1000, wait_for_cutoff: true },
            Scale::Ci => Plan { delays: 200, bodies: 20, slow: 100, wait_for_cutoff: false },
        }
    }
}

/// Figures out of bounds, and the report as it goes.
#[derive(Default)]
struct Verdict {
    passed: usize,
    failures: Vec<String>,
}

impl Verdict {
    fn check(&mut self, ok: bool, what: String) {
        println!("  {} {what}", if ok { "ok  " } else { "FAIL" });
        if ok {
            self.passed += 1;
        } else {
            self.failures.push(what);
        }
    }
}

/// One HTTP/1.1 answer, read to the end: its status, the length it announced and
/// the body's bytes (kept only when asked; counted always).
struct Answer {
    status: u16,
    content_length: Option<u64>,
    body_len: u64,
    body: Vec<u8>,
}

/// GET `path` on a fresh connection (`Connection: close`), reading with a buffer of
/// `buf` bytes.
async fn request(addr: SocketAddr, path: &str, buf: usize, keep: bool) -> Result<Answer, String> {
    let mut s = TcpStream::connect(addr).await.map_err(|e| format!("connect: {e}"))?;
    s.set_nodelay(true).map_err(|e| e.to_string())?;
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .map_err(|e| format!("send: {e}"))?;
    let mut chunk = vec![0u8; buf];
    let mut head = Vec::new();
    let body_start = loop {
        let n = s.read(&mut chunk).await.map_err(|e| format!("read head: {e}"))?;
        if n == 0 {
            return Err("closed before the head ended".into());
        }
        head.extend_from_slice(&chunk[..n]);
        if let Some(at) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let text = String::from_utf8_lossy(&head[..body_start]).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or("no status")?;
    let content_length = text
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok());
    let mut body = if keep { head[body_start..].to_vec() } else { Vec::new() };
    let mut body_len = (head.len() - body_start) as u64;
    loop {
        let n = s.read(&mut chunk).await.map_err(|e| format!("read body: {e}"))?;
        if n == 0 {
            break;
        }
        body_len += n as u64;
        if keep {
            body.extend_from_slice(&chunk[..n]);
        }
    }
    Ok(Answer { status, content_length, body_len, body })
}

async fn stats(addr: SocketAddr, path: &str) -> Result<StatsView, String> {
    let a = request(addr, path, 4096, true).await?;
    serde_json::from_slice(&a.body).map_err(|e| format!("{path}: {e}"))
}

/// The resident memory of process `pid`, from `/proc/<pid>/status`.
fn vm_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
}

/// Samples the server's VmRSS every 10 ms; `take_peak` returns the highest since the
/// last call.
struct RssSampler {
    peak: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl RssSampler {
    fn start(pid: u32) -> Self {
        let peak = Arc::new(AtomicU64::new(0));
        let p = peak.clone();
        let task = tokio::spawn(async move {
            loop {
                if let Some(rss) = vm_rss(pid) {
                    p.fetch_max(rss, Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        });
        RssSampler { peak, task }
    }

    fn take_peak(&self, pid: u32) -> u64 {
        let now = vm_rss(pid).unwrap_or(0);
        self.peak.swap(now, Relaxed).max(now)
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / MIB as f64)
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 { format!("{ms:.1} ms") } else { format!("{ms:.0} ms") }
}

/// Percentile `p` (0–100) of sorted durations.
fn pct(sorted: &[Duration], p: usize) -> Duration {
    sorted.get((sorted.len().saturating_sub(1)) * p / 100).copied().unwrap_or_default()
}

/// A scratch site folder: the server wants an index.html to start.
fn scratch_site() -> std::io::Result<PathBuf> {
    let root = std::env::temp_dir().join(format!("lab-loadtest-{}", std::process::id()));
    std::fs::create_dir_all(root.join("www"))?;
    std::fs::create_dir_all(root.join("pkg"))?;
    std::fs::write(root.join("index.html"), "<!doctype html><title>load test</title>")?;
    Ok(root)
}

/// Starts the server on 127.0.0.1, port 0, and reads the port it printed.
async fn start_server(bin: &Path, root: &Path) -> Result<(Child, SocketAddr), String> {
    let mut child = Command::new(bin)
        .args(["--addr", "127.0.0.1", "--port", "0", "--root"])
        .arg(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    let mut lines = BufReader::new(child.stdout.take().expect("stdout is piped")).lines();
    let port = timeout(Duration::from_secs(10), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(rest) = line.split("http://localhost:").nth(1) {
                return rest.trim_end_matches('/').parse::<u16>().ok();
            }
        }
        None
    })
    .await
    .ok()
    .flatten()
    .ok_or("the server did not say its port")?;
    // Keep reading, so that a later line on its stdout never meets a closed pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok((child, SocketAddr::from(([127, 0, 0, 1], port))))
}

async fn delays(addr: SocketAddr, n: usize, rss: &RssSampler, pid: u32, v: &mut Verdict) -> Result<(), String> {
    println!("\n{n} concurrent GET /lab/delay/1000");
    stats(addr, "/lab/reset").await?;
    let t = Instant::now();
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            tokio::spawn(async move {
                let t = Instant::now();
                let a = request(addr, "/lab/delay/1000", 1024, false).await;
                (a, t.elapsed())
            })
        })
        .collect();
    let mut times = Vec::with_capacity(n);
    let mut errors = Vec::new();
    for task in tasks {
        match timeout(Duration::from_secs(60), task).await {
            Ok(Ok((Ok(a), took))) if a.status == 200 => times.push(took),
            Ok(Ok((Ok(a), _))) => errors.push(format!("status {}", a.status)),
            Ok(Ok((Err(e), _))) => errors.push(e),
            Ok(Err(e)) => errors.push(e.to_string()),
            Err(_) => errors.push("no answer in 60 s".into()),
        }
    }
    let wall = t.elapsed();
    times.sort();
    println!(
        "  wall {}, latency min {} / median {} / p99 {} / max {}, server peak RSS {}",
        ms(wall),
        ms(pct(&times, 0)),
        ms(pct(&times, 50)),
        ms(pct(&times, 99)),
        ms(pct(&times, 100)),
        mib(rss.take_peak(pid))
    );
    if let Some(e) = errors.first() {
        println!("  first error: {e}");
    }
    v.check(times.len() == n, format!("{} of {n} answered 200", times.len()));
    let s = stats(addr, "/lab/stats").await?;
    println!("  /lab/stats: served {}, in_flight {}, max_in_flight {}", s.served, s.in_flight, s.max_in_flight);
    v.check(
        s.served == n as u64 && s.in_flight == 0,
        format!("stats exact: served {} == {n}, in_flight {} == 0", s.served, s.in_flight),
    );
    Ok(())
}

async fn bodies(addr: SocketAddr, n: usize, rss: &RssSampler, pid: u32, v: &mut Verdict) -> Result<(), String> {
    println!("\n{n} concurrent GET /lab/bytes/{BIG_BODY}, read to the end");
    rss.take_peak(pid);
    let t = Instant::now();
    let path = format!("/lab/bytes/{BIG_BODY}");
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let path = path.clone();
            tokio::spawn(async move { request(addr, &path, 64 << 10, false).await })
        })
        .collect();
    let (mut whole, mut total) = (0, 0u64);
    let mut errors = Vec::new();
    for task in tasks {
        match timeout(Duration::from_secs(300), task).await {
            Ok(Ok(Ok(a))) => {
                total += a.body_len;
                if a.status == 200 && a.body_len == BIG_BODY && a.content_length == Some(BIG_BODY) {
                    whole += 1;
                } else {
                    errors.push(format!("status {}, {} bytes, length {:?}", a.status, a.body_len, a.content_length));
                }
            }
            Ok(Ok(Err(e))) => errors.push(e),
            Ok(Err(e)) => errors.push(e.to_string()),
            Err(_) => errors.push("not read in 300 s".into()),
        }
    }
    let wall = t.elapsed();
    let peak = rss.take_peak(pid);
    println!(
        "  wall {}, {:.2} GiB read at {:.2} GiB/s, server peak RSS {}",
        ms(wall),
        total as f64 / (1u64 << 30) as f64,
        total as f64 / (1u64 << 30) as f64 / wall.as_secs_f64(),
        mib(peak)
    );
    if let Some(e) = errors.first() {
        println!("  first error: {e}");
    }
    v.check(whole == n, format!("{whole} of {n} bodies complete ({BIG_BODY} bytes, Content-Length exact)"));
    v.check(peak < RSS_BOUND, format!("server peak RSS {} < {}", mib(peak), mib(RSS_BOUND)));
    Ok(())
}

async fn slow_clients(
    addr: SocketAddr,
    plan: &Plan,
    rss: &RssSampler,
    pid: u32,
    v: &mut Verdict,
) -> Result<(), String> {
    let n = plan.slow;
    println!("\n{n} slow clients (half a request line, then nothing) and a normal request among them");
    let mut stalled = Vec::with_capacity(n);
    for _ in 0..n {
        let mut s = TcpStream::connect(addr).await.map_err(|e| format!("slow client connect: {e}"))?;
        s.write_all(b"GET /lab/delay/1 HT").await.map_err(|e| format!("slow client send: {e}"))?;
        stalled.push(s);
    }
    let opened = Instant::now();
    // Let the server take them all in before the normal requests join.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut worst = Duration::ZERO;
    let mut answered = 0;
    for _ in 0..5 {
        let t = Instant::now();
        match timeout(Duration::from_secs(15), request(addr, "/lab/status/200", 1024, false)).await {
            Ok(Ok(a)) if a.status == 200 => answered += 1,
            Ok(Ok(a)) => println!("  answer: status {}", a.status),
            Ok(Err(e)) => println!("  error: {e}"),
            Err(_) => println!("  no answer in 15 s"),
        }
        worst = worst.max(t.elapsed());
    }
    println!("  5 normal requests, slowest {}, server RSS {}", ms(worst), mib(rss.take_peak(pid)));
    v.check(
        answered == 5 && worst < ANSWER_BOUND,
        format!("{answered} of 5 answered, slowest {} < {}", ms(worst), ms(ANSWER_BOUND)),
    );
    if !plan.wait_for_cutoff {
        return Ok(());
    }
    let cut: Vec<_> = stalled
        .into_iter()
        .map(|mut s| {
            tokio::spawn(async move {
                let mut rest = Vec::new();
                let closed = timeout(HEADER_TIMEOUT + Duration::from_secs(5), s.read_to_end(&mut rest)).await;
                closed.is_ok().then(|| (opened.elapsed(), rest.starts_with(b"HTTP/1.1 408")))
            })
        })
        .collect();
    let mut times = Vec::new();
    let mut with_408 = 0;
    for task in cut {
        if let Ok(Some((took, is_408))) = task.await {
            times.push(took);
            with_408 += usize::from(is_408);
        }
    }
    times.sort();
    println!(
        "  cut off by the server after {} to {} ({with_408} with 408 Request Timeout), header timeout {} s",
        ms(pct(&times, 0)),
        ms(pct(&times, 100)),
        HEADER_TIMEOUT.as_secs()
    );
    v.check(
        times.len() == n,
        format!("{} of {n} slow clients cut off within {} s", times.len(), HEADER_TIMEOUT.as_secs() + 5),
    );
    Ok(())
}

async fn run(cli: Cli, v: &mut Verdict) -> Result<(), String> {
    let plan = Plan::of(cli.scale);
    let need = (plan.delays.max(plan.slow + 5).max(plan.bodies) as u64) + 64;
    let nofile = fd_limit::raise().unwrap_or(0);
    if nofile < need {
        return Err(format!("this test needs {need} open files and the hard limit allows {nofile}"));
    }
    let bin = match cli.server {
        Some(p) => p,
        None => std::env::current_exe().map_err(|e| e.to_string())?.with_file_name("lab-server"),
    };
    let root = scratch_site().map_err(|e| format!("scratch site: {e}"))?;
    let (mut child, addr) = start_server(&bin, &root).await?;
    let pid = child.id().ok_or("the server has no pid")?;
    let rss = RssSampler::start(pid);
    println!("lab-server {} on {addr}, pid {pid}, at start RSS {}", bin.display(), mib(vm_rss(pid).unwrap_or(0)));
    let result = async {
        delays(addr, plan.delays, &rss, pid, v).await?;
        bodies(addr, plan.bodies, &rss, pid, v).await?;
        slow_clients(addr, &plan, &rss, pid, v).await
    }
    .await;
    rss.task.abort();
    let _ = child.kill().await;
    let _ = std::fs::remove_dir_all(&root);
    result
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut verdict = Verdict::default();
    let started = Instant::now();
    let outcome = timeout(Duration::from_secs(900), run(cli, &mut verdict)).await;
    let error = match outcome {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(e),
        Err(_) => Some("the load test ran past its 15 min deadline".to_owned()),
    };
    let ok = error.is_none() && verdict.failures.is_empty();
    println!("\nload test {} in {:.1} s", if ok { "passed" } else { "FAILED" }, started.elapsed().as_secs_f64());
    if let Some(e) = &error {
        println!("  error: {e}");
    }
    for f in &verdict.failures {
        println!("  out of bounds: {f}");
    }
    // A phase that could not run counts as one more failure.
    println!("loadtest: {} passed, {} failed", verdict.passed, verdict.failures.len() + usize::from(error.is_some()));
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
