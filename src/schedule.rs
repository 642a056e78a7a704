//! A task queue over the current rayon pool, like `Executor.map` with a chunk size.
//!
//! Every pool thread takes part (`rayon::broadcast`), so N workers really means N busy
//! workers. Worker w starts with task w, as a process pool whose N idle workers each
//! take one of the first N chunks; after that every worker takes the next task number
//! from one shared counter until the tasks run out or a task says stop. Without the
//! first round, a worker that starts a moment late can find the queue empty: two
//! chunks on two workers could both run on worker 0.
//!
//! No worker takes a task before every worker is awake (the start line). rayon wakes
//! a broadcast's threads one after another from one thread; when the pool has more
//! threads than the machine has cores, the threads already woken and computing share
//! the cores with that waker, which reaches the next one only when the scheduler comes
//! back to it. Measured on 2 cores in Chromium, a 2^25-nonce run on 100 workers:
//! without the line, half the workers took their first task after 212 ms of a 247 ms
//! run and the last at 245 ms, and the run ended only once every worker had woken;
//! with it, alternating the two builds, 100 workers mined 0.959-0.975 of 2 workers'
//! rate against 0.904-0.939 (run medians 241-243 ms against 248-258; 2 workers
//! unchanged). The workers still take their first tasks spread over the run (the ones
//! asleep at the line are woken one after another too), so the line does not remove
//! the wake-ups' cost, it stops the computing threads from slowing rayon's waker
//! (issue 12: N = 100 against N = 2).

use std::sync::atomic::{
    AtomicBool, AtomicU32, AtomicU64,
    Ordering::{AcqRel, Acquire, Relaxed},
};

use crate::futex;

/// What a task tells the queue after it ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// No further task is started, on any worker.
    Stop,
}

/// Runs `task(index, worker)` for every index in `0..tasks` on the current pool.
/// `worker` is the pool thread's index, 0 to N−1. A task that says [`Flow::Stop`]
/// ends the queue; the caller learns why from its own state (stop flag, cut-off).
pub fn for_each_task<F>(tasks: u64, task: F)
where
    F: Fn(u64, usize) -> Flow + Sync,
{
    let next = AtomicU64::new(0);
    let halted = AtomicBool::new(false);
    let awake = AtomicU32::new(0);
    rayon::broadcast(|ctx| {
        let worker = ctx.index();
        start_line(&awake, ctx.num_threads() as u32);
        let first_round = ctx.num_threads() as u64;
        // A task handed out always runs, so every task below the one that said stop
        // has run (the miner's coin limit counts on it); the check comes before taking.
        let mut i = worker as u64;
        while i < tasks {
            if task(i, worker) == Flow::Stop {
                halted.store(true, Relaxed);
            }
            if halted.load(Relaxed) {
                break;
            }
            i = first_round + next.fetch_add(1, Relaxed);
        }
    });
}

/// Returns once all `threads` have called it: the last to arrive wakes the others.
fn start_line(awake: &AtomicU32, threads: u32) {
    let mut seen = awake.fetch_add(1, AcqRel) + 1;
    if seen == threads {
        futex::wake_all(awake);
        return;
    }
    while seen < threads {
        futex::wait(awake, seen);
        seen = awake.load(Acquire);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn pool(n: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap()
    }

    #[test]
    fn runs_every_task_once_on_all_workers() {
        let seen = Mutex::new(Vec::new());
        let workers = Mutex::new(std::collections::HashSet::new());
        pool(4).install(|| {
            for_each_task(1000, |i, w| {
                assert!(w < 4);
                seen.lock().unwrap().push(i);
                workers.lock().unwrap().insert(w);
                Flow::Continue
            })
        });
        assert!(!workers.into_inner().unwrap().is_empty());
        let mut seen = seen.into_inner().unwrap();
        seen.sort();
        assert_eq!(seen, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn the_first_tasks_go_one_to_each_worker() {
        for (workers, tasks) in [(2, 2), (4, 4), (4, 3), (3, 7)] {
            let ran = Mutex::new(Vec::new());
            pool(workers).install(|| {
                for_each_task(tasks, |i, w| {
                    ran.lock().unwrap().push((i, w));
                    Flow::Continue
                })
            });
            let ran = ran.into_inner().unwrap();
            assert_eq!(ran.len(), tasks as usize);
            for (i, w) in ran {
                if i < workers as u64 {
                    assert_eq!(i, w as u64, "task {i} of the first round ran on worker {w}");
                }
            }
        }
    }

    #[test]
    fn no_thread_leaves_the_start_line_before_the_last_arrives() {
        let awake = AtomicU32::new(0);
        let t0 = std::time::Instant::now();
        let left: Vec<(std::time::Duration, std::time::Duration)> = std::thread::scope(|s| {
            let threads: Vec<_> = (0..4u64)
                .map(|i| {
                    let awake = &awake;
                    s.spawn(move || {
                        std::thread::sleep(std::time::Duration::from_millis(30 * i));
                        let arrived = t0.elapsed();
                        start_line(awake, 4);
                        (arrived, t0.elapsed())
                    })
                })
                .collect();
            threads.into_iter().map(|t| t.join().unwrap()).collect()
        });
        let last_arrival = left.iter().map(|(a, _)| *a).max().unwrap();
        for (arrived, out) in left {
            assert!(
                out >= last_arrival,
                "a thread arrived at {arrived:?} and left at {out:?}, before the last arrival at {last_arrival:?}"
            );
        }
    }

    #[test]
    fn stop_halts_the_queue() {
        let ran = AtomicU64::new(0);
        pool(2).install(|| {
            for_each_task(1_000_000, |i, _| {
                ran.fetch_add(1, Relaxed);
                if i == 10 { Flow::Stop } else { Flow::Continue }
            })
        });
        let ran = ran.load(Relaxed);
        assert!((11..1000).contains(&ran), "ran {ran}: task 10 ran, and the queue stopped soon after");
    }
}
