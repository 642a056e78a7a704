//! Link-lab endpoints: answers of every kind a link checker meets, on demand, and
//! counters that show how many requests a client really had in flight. The census
//! fixture lives here too, uncounted.
//!
//! Every answer carries `Access-Control-Allow-Origin: *` (readable from a page on
//! any `*.localhost` origin) and `Cross-Origin-Resource-Policy: cross-origin`
//! (loadable in `no-cors` mode from an isolated page), and a Content-Security-Policy
//! that lets nothing load or run should one be opened as a page: they are data.

use crate::bodies;
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::time::Duration;
use tower_http::cors::CorsLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// Bounds that keep one request from tying up the server.
pub const MAX_DELAY_MS: u64 = 600_000;
pub const MAX_BYTES: u64 = 64 << 20;
/// `Retry-After` is for "later", not "never": an hour at most.
pub const MAX_RETRY_AFTER: u32 = 3600;
pub const MAX_REDIRECTS: u32 = 100;
/// `/lab/hang` gives up by itself after this long, so nothing is held forever.
pub const HANG_LIMIT: Duration = Duration::from_secs(600);
/// The lab's answers as a document: nothing in one may load, run or frame it.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// Counts of lab requests (all of `/lab` but `stats` and `reset`).
#[derive(Default)]
pub struct Stats {
    served: AtomicU64,
    in_flight: AtomicU64,
    max_in_flight: AtomicU64,
}

#[derive(Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct StatsView {
    pub served: u64,
    pub in_flight: u64,
    pub max_in_flight: u64,
}

impl Stats {
    pub fn view(&self) -> StatsView {
        StatsView {
            served: self.served.load(SeqCst),
            in_flight: self.in_flight.load(SeqCst),
            max_in_flight: self.max_in_flight.load(SeqCst),
        }
    }

    fn reset(&self) {
        self.served.store(0, SeqCst);
        self.max_in_flight.store(self.in_flight.load(SeqCst), SeqCst);
    }
}

/// Holds one in-flight slot; dropped when the handler answers or the client goes away.
struct InFlight(Arc<Stats>);

impl InFlight {
    fn enter(stats: Arc<Stats>) -> Self {
        let now = stats.in_flight.fetch_add(1, SeqCst) + 1;
        stats.max_in_flight.fetch_max(now, SeqCst);
        InFlight(stats)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, SeqCst);
    }
}

async fn count(State(stats): State<Arc<Stats>>, req: Request, next: Next) -> Response {
    let slot = InFlight::enter(stats.clone());
    let response = next.run(req).await;
    stats.served.fetch_add(1, SeqCst);
    drop(slot);
    response
}

fn bad(why: String) -> Response {
    (StatusCode::BAD_REQUEST, why).into_response()
}

#[derive(serde::Deserialize)]
struct StatusQuery {
    #[serde(rename = "retryAfter")]
    retry_after: Option<String>,
}

/// Whole seconds from 0 to [`MAX_RETRY_AFTER`], digits only, as `Retry-After` has them.
fn retry_after(text: &str) -> Option<u32> {
    let digits = !text.is_empty() && text.len() <= 10 && text.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| text.parse().ok()).flatten().filter(|s| *s <= MAX_RETRY_AFTER)
}

/// `?retryAfter=SECONDS` adds `Retry-After`, as a 429 or 503 that means "later" has.
async fn status(Path(code): Path<String>, Query(q): Query<StatusQuery>) -> Response {
    let Some(code) = code.parse::<u16>().ok().and_then(|c| StatusCode::from_u16(c).ok()).filter(|c| c.as_u16() >= 200)
    else {
        return bad(format!("code: expected an HTTP status from 200 to 599, got {code:?}\n"));
    };
    let mut response = (code, format!("status {}\n", code.as_u16())).into_response();
    if let Some(text) = q.retry_after {
        let Some(seconds) = retry_after(&text) else {
            return bad(format!("retryAfter: expected whole seconds from 0 to {MAX_RETRY_AFTER}, got {text:?}\n"));
        };
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

async fn delay(Path(ms): Path<String>) -> Response {
    match ms.parse::<u64>().ok().filter(|ms| *ms <= MAX_DELAY_MS) {
        Some(ms) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            format!("waited {ms} ms\n").into_response()
        }
        None => bad(format!("ms: expected milliseconds from 0 to {MAX_DELAY_MS}, got {ms:?}\n")),
    }
}

/// An octet-stream answer of `len` bytes, its length said up front.
fn octets(len: u64, body: Body) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream")),
            (header::CONTENT_LENGTH, len.into()),
        ],
        body,
    )
        .into_response()
}

async fn bytes(Path(n): Path<String>) -> Response {
    match n.parse::<u64>().ok().filter(|n| *n <= MAX_BYTES) {
        Some(n) => octets(n, bodies::repeat(n)),
        None => bad(format!("n: expected a byte count from 0 to {MAX_BYTES}, got {n:?}\n")),
    }
}

/// `bytes` bytes spread over `ms` milliseconds: the head at once, the body slowly,
/// for a checker's body handling and body timeouts. With no bytes the whole answer
/// waits `ms`, since an empty body cannot arrive late.
async fn drip(Path((bytes, ms)): Path<(String, String)>) -> Response {
    let Some(n) = bytes.parse::<u64>().ok().filter(|n| *n <= MAX_BYTES) else {
        return bad(format!("bytes: expected a byte count from 0 to {MAX_BYTES}, got {bytes:?}\n"));
    };
    let Some(ms) = ms.parse::<u64>().ok().filter(|ms| *ms <= MAX_DELAY_MS) else {
        return bad(format!("ms: expected milliseconds from 0 to {MAX_DELAY_MS}, got {ms:?}\n"));
    };
    if n == 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        return octets(0, Body::empty());
    }
    octets(n, bodies::drip(n, Duration::from_millis(ms)))
}

async fn redirect(Path(n): Path<String>) -> Response {
    match n.parse::<u32>().ok().filter(|n| *n <= MAX_REDIRECTS) {
        Some(0) => "arrived\n".into_response(),
        Some(n) => (StatusCode::FOUND, [(header::LOCATION, format!("/lab/redirect/{}", n - 1))]).into_response(),
        None => bad(format!("n: expected a hop count from 0 to {MAX_REDIRECTS}, got {n:?}\n")),
    }
}

/// A redirect to itself: a browser gives up after 20 hops.
async fn redirect_loop() -> Response {
    (StatusCode::FOUND, [(header::LOCATION, "/lab/redirect-loop")]).into_response()
}

async fn hang() -> Response {
    tokio::time::sleep(HANG_LIMIT).await;
    (StatusCode::GATEWAY_TIMEOUT, "nobody gave up\n").into_response()
}

async fn stats_view(State(stats): State<Arc<Stats>>) -> Json<StatsView> {
    Json(stats.view())
}

async fn reset(State(stats): State<Arc<Stats>>) -> Json<StatsView> {
    stats.reset();
    Json(stats.view())
}

pub fn router() -> Router {
    let stats = Arc::new(Stats::default());
    let counted = Router::new()
        .route("/status/{code}", get(status))
        .route("/delay/{ms}", get(delay))
        .route("/bytes/{n}", get(bytes))
        .route("/drip/{bytes}/{ms}", get(drip))
        .route("/redirect/{n}", get(redirect))
        .route("/redirect-loop", get(redirect_loop))
        .route("/hang", get(hang))
        .route_layer(middleware::from_fn_with_state(stats.clone(), count));
    Router::new()
        .route("/stats", get(stats_view))
        .route("/reset", get(reset).post(reset))
        .route("/census/api.php", get(crate::census::api))
        .with_state(stats)
        .merge(counted)
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-resource-policy"),
            HeaderValue::from_static("cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(CorsLayer::permissive())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_whole_seconds_within_an_hour() {
        assert_eq!(retry_after("0"), Some(0));
        assert_eq!(retry_after("120"), Some(120));
        assert_eq!(retry_after("3600"), Some(3600));
        for bad in ["", "3601", "-1", "+5", "1.5", "1e3", " 5", "99999999999999999999", "soon"] {
            assert_eq!(retry_after(bad), None, "{bad:?}");
        }
    }
}
