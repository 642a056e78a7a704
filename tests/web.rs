//! The compute core on a real rayon pool of Web Workers, in headless Chromium
//! (`wasm-pack test --headless --chrome`). The tests run in a dedicated worker,
//! as the page's engine does, because the pool cannot be driven from a main thread.
#![cfg(target_arch = "wasm32")]

use concurrency_lab::{
    Algorithm, COURSE_PRIMES, Ended, Kernel, MineJob, MineMode, PrimesJob, Progress, map_primes, md5_hex, miller_rabin,
    mine, web,
};
use js_sys::{Object, Reflect};
use std::sync::atomic::{AtomicBool, Ordering};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

const WORKERS: usize = 2;

// The page's own pool starter, as the engine worker calls it.
#[wasm_bindgen(module = "/www/pool.js")]
extern "C" {
    #[wasm_bindgen(js_name = startWorkers)]
    fn start_workers(module: JsValue, memory: JsValue, pool: &JsValue, threads: usize) -> js_sys::Promise;
}

/// The pool of WORKERS, built once per module instance as the engine does: the tests
/// run the core in it through `web::in_pool`.
async fn pool() {
    static STARTED: AtomicBool = AtomicBool::new(false);
    if !STARTED.swap(true, Ordering::SeqCst) {
        // The engine keeps its WorkerPool for good (its workers wait on its channel
        // between pools): so does this, by never dropping the JavaScript reference.
        let workers = JsValue::from(web::worker_pool());
        JsFuture::from(start_workers(wasm_bindgen::module(), wasm_bindgen::memory(), &workers, WORKERS)).await.unwrap();
        std::mem::forget(workers);
    }
    assert_eq!(web::in_pool(rayon::current_num_threads), WORKERS);
}

fn clock() -> f64 {
    js_sys::Date::now()
}

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap()
}

fn error_message(r: Result<JsValue, JsError>) -> String {
    let e: JsValue = r.unwrap_err().into();
    get(&e, "message").as_string().unwrap()
}

#[wasm_bindgen_test]
async fn pool_mining_finds_exactly_the_coins_a_plain_loop_finds() {
    pool().await;
    let count = 2_000_000;
    let expected: Vec<String> =
        (0..count).map(|n| format!("{n:050}")).filter(|s| md5_hex(s).ends_with("00000")).collect();
    let job = MineJob {
        mode: MineMode::Nonce,
        kernel: Kernel::default(),
        start: 0,
        count,
        coins: None,
        time_budget_ms: None,
    };
    let progress = Progress::new();
    let report = web::in_pool(|| mine(&job, &progress, &clock)).unwrap();
    assert_eq!(report.ended, Ended::Complete);
    assert_eq!(report.hashes, count);
    assert_eq!(report.coins.iter().map(|c| c.text.clone()).collect::<Vec<_>>(), expected);
    assert_eq!((report.workers, report.per_worker_hashes.len()), (WORKERS, WORKERS));
    assert!(report.per_worker_hashes.iter().all(|&h| h > 0), "both workers took part: {:?}", report.per_worker_hashes);
    assert_eq!(progress.total_hashes(), count, "the shared counters end equal to the result");
}

#[wasm_bindgen_test]
async fn the_facade_mines_and_names_bad_arguments() {
    pool().await;
    let r = web::mine(obj(&[("count", JsValue::from(2_500_000)), ("mode", "nonce".into())])).unwrap();
    assert_eq!(get(&r, "hashes").as_f64(), Some(2_500_000.0));
    let coins: js_sys::Array = get(&r, "coins").into();
    // The first coins of the nonce range: 1963172, 2151541, 2295942, 2483713.
    assert_eq!(coins.length(), 4);
    for c in coins.iter() {
        let text = get(&c, "text").as_string().unwrap();
        assert_eq!(md5_hex(&text), get(&c, "md5").as_string().unwrap());
        assert_eq!(format!("{:050}", get(&c, "nonce").as_string().unwrap().parse::<u64>().unwrap()), text);
    }
    assert_eq!(error_message(web::mine(obj(&[("count", JsValue::from(-5))]))), "count: must not be negative (got -5)");
    assert!(error_message(web::mine(obj(&[("start", "12x".into())]))).starts_with("start: "));
    assert!(error_message(web::mine(obj(&[("mode", JsValue::from(3))]))).starts_with("mode: "));
    assert!(error_message(web::mine(obj(&[("cnt", JsValue::from(3))]))).contains("cnt"));
    // The page starts the pool; `workers` is not the core's to read.
    assert!(error_message(web::mine(obj(&[("workers", JsValue::from(2))]))).contains("workers"));
}

#[wasm_bindgen_test]
async fn primes_on_the_pool_match_known_answers() {
    pool().await;
    let job = PrimesJob { numbers: COURSE_PRIMES.to_vec(), chunksize: 1, algorithm: Algorithm::Trial };
    let report = web::in_pool(|| map_primes(&job, &Progress::new(), &clock)).unwrap();
    assert_eq!(report.workers, WORKERS);
    let answers: Vec<Option<bool>> = report.results.iter().map(|r| r.prime).collect();
    assert_eq!(answers, [Some(true), Some(true), Some(true), Some(true), Some(true), Some(false)]);
    assert!(report.results.iter().all(|r| r.worker.is_some_and(|w| w < WORKERS)));

    let r = web::primes(obj(&[
        ("algorithm", "miller-rabin".into()),
        ("numbers", js_sys::Array::of2(&"18446744073709551557".into(), &JsValue::from(561)).into()),
    ]))
    .unwrap();
    let results: js_sys::Array = get(&r, "results").into();
    assert_eq!(get(&results.get(0), "prime").as_bool(), Some(miller_rabin(18446744073709551557)));
    assert_eq!(get(&results.get(0), "n").as_string().unwrap(), "18446744073709551557");
    assert_eq!(get(&results.get(1), "prime").as_bool(), Some(false));
    assert_eq!(
        error_message(web::primes(obj(&[("chunksize", JsValue::from(0))]))),
        "chunksize: must be from 1 to 1000000 (got 0)"
    );
    assert!(
        error_message(web::primes(obj(&[("numbers", js_sys::Array::of1(&"18446744073709551616".into()).into())])))
            .starts_with("numbers[0]: ")
    );
}

#[wasm_bindgen_test]
async fn a_stop_through_shared_memory_ends_a_long_run() {
    pool().await;
    let progress = Progress::new();
    progress.request_stop();
    let job = MineJob {
        mode: MineMode::Random,
        kernel: Kernel::default(),
        start: 0,
        count: u64::MAX,
        coins: None,
        time_budget_ms: None,
    };
    let report = web::in_pool(|| mine(&job, &progress, &clock)).unwrap();
    assert_eq!(report.ended, Ended::Stopped);
}

#[wasm_bindgen_test]
async fn links_that_are_not_web_urls_are_not_fetched() {
    let urls = js_sys::Array::new();
    for u in [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "ftp://example.org/x",
        "not a url",
    ] {
        urls.push(&u.into());
    }
    let r = web::check_links(obj(&[("urls", urls.into())]), None).await.unwrap();
    let results: js_sys::Array = get(&r, "results").into();
    assert_eq!(results.length(), 5);
    for r in results.iter() {
        assert_eq!(get(&r, "error").as_string().as_deref(), Some("invalid-url"));
        assert_eq!(get(&r, "ok").as_bool(), Some(false));
        assert_eq!(get(&r, "class").as_string().as_deref(), Some("invalid-url"));
        assert_eq!(get(&r, "verdict").as_string().as_deref(), Some("skipped"));
    }
    let bad =
        web::check_links(obj(&[("urls", js_sys::Array::new().into()), ("concurrency", JsValue::from(0))]), None).await;
    assert_eq!(error_message(bad), "concurrency: must be from 1 to 1000 (got 0)");
}

/// The threads build's allocator (src/web/alloc.rs) under contention: every pool
/// thread allocates, fills, frees and reallocates in a tight loop, so the lock is
/// taken and slept on; a block handed to two threads at once, or lost, shows up as a
/// pattern that is not its owner's (a wake-up lost would hang the test).
#[wasm_bindgen_test]
async fn the_allocator_keeps_every_threads_blocks_apart_under_contention() {
    use rayon::prelude::*;
    pool().await;
    let checked: usize = web::in_pool(|| {
        (0..64u64)
            .into_par_iter()
            .map(|task| {
                let mut kept: Vec<Vec<u64>> = Vec::new();
                for i in 0..2_000u64 {
                    let tag = task << 32 | i;
                    let mut v = vec![tag; 1 + (i as usize * 7 + task as usize) % 300];
                    if i % 3 == 0 {
                        v.resize(v.len() * 2, tag);
                    }
                    if i % 2 == 0 {
                        kept.push(v);
                    }
                    if kept.len() > 50 {
                        kept.swap_remove((i as usize) % kept.len());
                    }
                }
                for v in &kept {
                    let tag = v[0];
                    assert_eq!(tag >> 32, task, "a block of task {task} holds task {}'s data", tag >> 32);
                    assert!(v.iter().all(|&x| x == tag), "block {tag:#x} of task {task} was overwritten");
                }
                kept.len()
            })
            .sum()
    });
    assert_eq!(checked, 64 * 50, "every task keeps 50 blocks");
}
