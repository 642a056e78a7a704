//! Link-lab endpoints: answers of every kind a link checker meets, on demand, and
//! counters that show how many requests a client really had in flight. The census
//! fixture lives here too, uncounted.
//!
//! Every answer carries `Access-Control-Allow-Origin: *` (readable from a page on
//! any `*.localhost` origin) and `Cross-Origin-Resource-Policy: cross-origin`
//! (loadable in `no-cors` mode from an isolated page).

use axum::body::Body;
use axum::extract::{Path, Request, State};
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
pub const MAX_REDIRECTS: u32 = 100;
/// `/lab/hang` gives up by itself after this long, so nothing is held forever.
pub const HANG_LIMIT: Duration = Duration::from_secs(600);

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

async fn status(Path(code): Path<String>) -> Response {
    match code.parse::<u16>().ok().and_then(|c| StatusCode::from_u16(c).ok()).filter(|c| c.as_u16() >= 200) {
        Some(code) => (code, format!("status {}\n", code.as_u16())).into_response(),
        None => bad(format!("code: expected an HTTP status from 200 to 599, got {code:?}\n")),
    }
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

async fn bytes(Path(n): Path<String>) -> Response {
    match n.parse::<u64>().ok().filter(|n| *n <= MAX_BYTES) {
        Some(n) => {
            ([(header::CONTENT_TYPE, "application/octet-stream")], Body::from(vec![b'x'; n as usize])).into_response()
        }
        None => bad(format!("n: expected a byte count from 0 to {MAX_BYTES}, got {n:?}\n")),
    }
}

async fn redirect(Path(n): Path<String>) -> Response {
    match n.parse::<u32>().ok().filter(|n| *n <= MAX_REDIRECTS) {
        Some(0) => "arrived\n".into_response(),
        Some(n) => (StatusCode::FOUND, [(header::LOCATION, format!("/lab/redirect/{}", n - 1))]).into_response(),
        None => bad(format!("n: expected a hop count from 0 to {MAX_REDIRECTS}, got {n:?}\n")),
    }
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
        .route("/redirect/{n}", get(redirect))
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
        .layer(CorsLayer::permissive())
}
