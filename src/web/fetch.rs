//! The link checker's I/O: fetch promises on one thread, at most C in flight.
//!
//! A [`Scheduler`] decides which entry starts next (C in flight, and at most so many
//! per host), a `FuturesUnordered` holds the requests in flight, and each result is
//! handed to the page as it completes (`as_completed`). A timeout per request and the
//! user's Stop both reach the browser through one `AbortSignal`, so an abandoned
//! request is really cancelled, not just ignored.

use super::clock::now_ms;
use super::output::to_js;
use crate::{
    FetchMode, LinkError, LinkResult, LinksJob, Method, Outcome, Scheduler, classify, fetchable, host_key,
    retry_wait_ms,
};
use futures::stream::{FuturesUnordered, StreamExt};
use js_sys::{Array, Function, Reflect};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, AbortSignal, ReadableStreamDefaultReader, RequestCache, RequestInit, RequestMode, RequestRedirect,
    Response, ResponseType,
};

use super::js::{fetch_with_init, sleep};

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
    let targets: Vec<Option<url::Url>> = job.urls.iter().map(|u| fetchable(u)).collect();
    let hosts: Vec<Option<String>> = targets.iter().map(|t| t.as_ref().map(host_key)).collect();
    let mut scheduler = Scheduler::new(&hosts, job.concurrency, job.per_host);
    let emit = |r: &LinkResult| {
        if let (Some(f), Ok(js)) = (&on_result, to_js(r)) {
            let _ = f.call1(&JsValue::NULL, &js);
        }
    };

    let mut results: Vec<LinkResult> = Vec::with_capacity(job.urls.len());
    // Entries that are not web URLs are answered at once and never fetched.
    for (index, url) in job.urls.iter().enumerate() {
        if targets[index].is_none() {
            let r = LinkResult::failed(url.clone(), index, LinkError::InvalidUrl, 0.0);
            emit(&r);
            results.push(r);
        }
    }
    let mut running = FuturesUnordered::new();
    loop {
        while let Some(i) = scheduler.start_next() {
            let target = targets[i].clone().expect("the scheduler only starts fetchable entries");
            running.push(check_one(i, job.urls[i].clone(), target, &job, &signal));
        }
        let Some(r) = running.next().await else { break };
        scheduler.done(r.index);
        emit(&r);
        results.push(r);
    }
    STOP.with(|s| s.replace(None));
    results.sort_by_key(|r| r.index);
    results
}

/// One entry: its attempts, with back-off between them.
async fn check_one(index: usize, url: String, target: url::Url, job: &LinksJob, stop: &AbortSignal) -> LinkResult {
    let t0 = now_ms();
    let mut attempt = 1;
    let mut waited = 0.0;
    loop {
        let mut r = match job.method {
            Method::Get => request(&url, index, &target, "GET", job, stop).await,
            Method::HeadThenGet => {
                let head = request(&url, index, &target, "HEAD", job, stop).await;
                let refused = head.outcome.error().is_some() || matches!(head.outcome.status(), Some(405 | 501));
                if refused && !stop.aborted() { request(&url, index, &target, "GET", job, stop).await } else { head }
            }
        };
        r.attempts = attempt;
        r.waited_ms = waited;
        r.ms = now_ms() - t0;
        if attempt > job.retries || !r.outcome.retryable() || stop.aborted() {
            return r;
        }
        // The back-off, or the server's Retry-After if longer (bounded).
        let w0 = now_ms();
        sleep(retry_wait_ms(attempt, r.outcome.retry_after_s())).await;
        waited += now_ms() - w0;
        if stop.aborted() {
            return LinkResult {
                attempts: attempt,
                waited_ms: waited,
                ..LinkResult::failed(url, index, LinkError::Aborted, now_ms() - t0)
            };
        }
        attempt += 1;
    }
}

/// One request, its body read to the end (a link that sends headers and then stalls
/// is not alive).
async fn request(
    url: &str,
    index: usize,
    target: &url::Url,
    method: &str,
    job: &LinksJob,
    stop: &AbortSignal,
) -> LinkResult {
    let url = url.to_owned();
    if stop.aborted() {
        return LinkResult::failed(url, index, LinkError::Aborted, 0.0);
    }
    let timeout = AbortSignal::timeout_with_u32(job.timeout_ms);
    let signal = AbortSignal::any(&Array::of2(&timeout, stop));
    let init = RequestInit::new();
    init.set_method(method);
    init.set_signal(Some(&signal));
    init.set_mode(match job.mode {
        FetchMode::Cors => RequestMode::Cors,
        FetchMode::NoCors => RequestMode::NoCors,
    });
    init.set_redirect(RequestRedirect::Follow);
    init.set_cache(RequestCache::NoStore);
    let t0 = now_ms();
    let answer = async {
        let response: Response = JsFuture::from(fetch_with_init(target.as_str(), &init)).await?.unchecked_into();
        let bytes = body_length(&response).await?;
        Ok::<_, JsValue>((response, bytes))
    }
    .await;
    let ms = now_ms() - t0;
    match answer {
        Ok((response, _)) if response.type_() == ResponseType::Opaque => {
            LinkResult::new(url, index, Outcome::Opaque, ms)
        }
        Ok((response, bytes)) => {
            let bytes = if method == "HEAD" { content_length(&response).unwrap_or(0) } else { bytes };
            let retry_after_s = header(&response, "retry-after").and_then(|v| v.trim().parse().ok());
            let outcome = Outcome::Answered {
                status: response.status(),
                bytes,
                redirected: response.redirected(),
                retry_after_s,
            };
            LinkResult::new(url, index, outcome, ms)
        }
        Err(e) => {
            let name = Reflect::get(&e, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_default();
            let mut error = classify(&name, timeout.aborted(), stop.aborted());
            if error == LinkError::Network && redirects_first(target, job, &signal).await {
                error = LinkError::Redirects;
            }
            LinkResult::failed(url, index, error, ms)
        }
    }
}

/// Whether the URL's first answer is a redirect. A fetch that follows redirects
/// fails with the same TypeError for a refused connection as for a redirect loop
/// (Chromium's ERR_TOO_MANY_REDIRECTS is not shown to script), so after such a failure
/// one request that does not follow tells the two apart: an `opaqueredirect` answer
/// means the server answered and the trouble lies in its redirects.
async fn redirects_first(target: &url::Url, job: &LinksJob, signal: &AbortSignal) -> bool {
    if signal.aborted() {
        return false;
    }
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_signal(Some(signal));
    init.set_mode(match job.mode {
        FetchMode::Cors => RequestMode::Cors,
        FetchMode::NoCors => RequestMode::NoCors,
    });
    init.set_redirect(RequestRedirect::Manual);
    init.set_cache(RequestCache::NoStore);
    match JsFuture::from(fetch_with_init(target.as_str(), &init)).await {
        Ok(r) => r.unchecked_into::<Response>().type_() == ResponseType::Opaqueredirect,
        Err(_) => false,
    }
}

fn content_length(response: &Response) -> Option<u64> {
    header(response, "content-length")?.parse().ok()
}

fn header(response: &Response, name: &str) -> Option<String> {
    response.headers().get(name).ok().flatten()
}

/// Reads a body to its end, counting its bytes chunk by chunk: a 64 MiB body is never
/// held whole, so a thousand of them cost no more memory than one. The request's
/// signal (timeout, Stop) also ends a read that stalls.
async fn body_length(response: &Response) -> Result<u64, JsValue> {
    let Some(body) = response.body() else { return Ok(0) };
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut total = 0u64;
    loop {
        let chunk = JsFuture::from(reader.read()).await?;
        if Reflect::get(&chunk, &"done".into())?.as_bool().unwrap_or(true) {
            return Ok(total);
        }
        let value = Reflect::get(&chunk, &"value".into())?;
        total += value.unchecked_into::<js_sys::Uint8Array>().length() as u64;
    }
}
