//! A task queue over the current rayon pool, like `Executor.map` with a chunk size.
//!
//! Every pool thread takes part (`rayon::broadcast`), so N workers really means N busy
//! workers. Worker w starts with task w, as a process pool whose N idle workers each
//! take one of the first N chunks; after that every worker takes the next task number
//! from one shared counter until the tasks run out or a task says stop. Without the
//! first round, a worker that starts a moment late can find the queue empty: two
//! chunks on two workers could both run on worker 0.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

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
    rayon::broadcast(|ctx| {
        let worker = ctx.index();
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
