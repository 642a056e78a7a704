//! The link checker's I/O: fetch promises on one thread, at most C in flight.
//!
//! `buffer_unordered(C)` is the pool: it keeps C request futures going and yields
//! each result as it completes (`as_completed`). A timeout per request and the
//! user's Stop both reach the browser through one `AbortSignal`, so an abandoned
//! request is really cancelled, not just ignored.

use super::clock::now_ms;
use super::output::to_js;
use crate::args::LinksJob;
use crate::links::{LinkError, LinkResult, classify, fetchable};
use futures::stream::{self, StreamExt};
use js_sys::{Array, Function, Promise, Reflect};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, RequestCache, RequestInit, RequestMode, RequestRedirect, Response};

#[wasm_bindgen]
extern "C" {
    // The global fetch, on a window or in a worker alike.
    #[wasm_bindgen(js_name = fetch)]
    fn fetch_with_init(input: &str, init: &RequestInit) -> Promise;
}

thread_local! {
    /// Aborts the check that is running now.
    static STOP: RefCell<Option<AbortController>> = const { RefCell::new(None) };
}

pub fn stop() {
    STOP.with(|s| {
        if let Some(c) = s.borrow().as_ref() {
            c.abort();
        }
    });
}

/// Checks every URL of the job; results come back in input order.
pub async fn check(job: LinksJob, on_result: Option<Function>) -> Vec<LinkResult> {
    let stop = AbortController::new().expect("AbortController exists wherever fetch does");
    let signal = stop.signal();
    STOP.with(|s| s.replace(Some(stop)));
    let timeout_ms = job.timeout_ms;
    let mut results: Vec<LinkResult> = stream::iter(job.urls.into_iter().enumerate())
        .map(|(index, url)| check_one(index, url, timeout_ms, &signal))
        .buffer_unordered(job.concurrency)
        .inspect(|r| {
            if let (Some(f), Ok(js)) = (&on_result, to_js(r)) {
                let _ = f.call1(&JsValue::NULL, &js);
            }
        })
        .collect()
        .await;
    STOP.with(|s| s.replace(None));
    results.sort_by_key(|r| r.index);
    results
}

async fn check_one(index: usize, url: String, timeout_ms: u32, stop: &AbortSignal) -> LinkResult {
    let Some(target) = fetchable(&url) else {
        return LinkResult::failed(url, index, LinkError::InvalidUrl, 0.0);
    };
    if stop.aborted() {
        return LinkResult::failed(url, index, LinkError::Aborted, 0.0);
    }
    let timeout = AbortSignal::timeout_with_u32(timeout_ms);
    let signal = AbortSignal::any(&Array::of2(&timeout, stop));
    let init = RequestInit::new();
    init.set_signal(Some(&signal));
    init.set_mode(RequestMode::Cors);
    init.set_redirect(RequestRedirect::Follow);
    init.set_cache(RequestCache::NoStore);
    let t0 = now_ms();
    let answer = async {
        let response: Response = JsFuture::from(fetch_with_init(target.as_str(), &init)).await?.unchecked_into();
        // The body is part of the check: a link that sends headers and then stalls is not alive.
        let body = JsFuture::from(response.array_buffer()?).await?;
        let bytes = body.unchecked_into::<js_sys::ArrayBuffer>().byte_length() as u64;
        Ok::<_, JsValue>((response.status(), bytes, response.redirected()))
    }
    .await;
    let ms = now_ms() - t0;
    match answer {
        Ok((status, bytes, redirected)) => LinkResult::answered(url, index, status, bytes, ms, redirected),
        Err(e) => {
            let name = Reflect::get(&e, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_default();
            LinkResult::failed(url, index, classify(&name, timeout.aborted(), stop.aborted()), ms)
        }
    }
}
