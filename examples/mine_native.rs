//! The mining core compiled natively, on a rayon pool of N OS threads: the reference
//! `make bench` sets beside the browser's numbers.
//!
//!     cargo run --release --example mine_native -- --workers 1,2,4 --count 16777216 --reps 3
//!
//! `--kernel plain` and `--mode random` pick what `lab.mine` would run with those
//! options; `--reps 0` makes one untimed run, for counting instructions per
//! candidate under callgrind (two counts, the difference over the difference).

use clap::Parser;
use concurrency_lab::{IntArg, MineArgs, Progress, mine};
use std::time::Instant;

#[derive(Parser)]
struct Cli {
    /// Pool sizes to run, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,2")]
    workers: Vec<usize>,
    /// Nonces per run.
    #[arg(long, default_value_t = 1 << 24)]
    count: u64,
    /// Timed runs per pool size (after one warm-up).
    #[arg(long, default_value_t = 3)]
    reps: usize,
    /// "skip" or "plain", as `lab.mine`'s option.
    #[arg(long, default_value = "skip")]
    kernel: String,
    /// "nonce" or "random", as `lab.mine`'s option.
    #[arg(long, default_value = "nonce")]
    mode: String,
    /// The first nonce, in nonce mode.
    #[arg(long, default_value_t = 0)]
    start: u64,
}

fn main() {
    let cli = Cli::parse();
    let t0 = Instant::now();
    let clock = move || t0.elapsed().as_secs_f64() * 1000.0;
    let args = MineArgs {
        mode: Some(cli.mode.clone()),
        kernel: Some(cli.kernel.clone()),
        start: Some(IntArg::from(cli.start)),
        count: Some(IntArg::from(cli.count)),
        ..Default::default()
    };
    let job = args.check().unwrap_or_else(|e| panic!("{e}"));
    for &n in &cli.workers {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(n).build().expect("a thread pool");
        let mut runs = Vec::new();
        for rep in 0..=cli.reps {
            let started = clock();
            let report = pool.install(|| mine(&job, &Progress::new(), &clock)).expect("a pool within the limit");
            let ms = clock() - started;
            assert_eq!(report.hashes, cli.count);
            if rep > 0 {
                runs.push(ms);
            }
        }
        println!(
            "{{\"workers\":{n},\"kernel\":\"{}\",\"mode\":\"{}\",\"hashes\":{},\"ms\":{:?}}}",
            cli.kernel, cli.mode, cli.count, runs
        );
    }
}
