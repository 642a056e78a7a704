//! The page and its files, with the headers wasm threads need and a policy that
//! lets only the page's own scripts run.
//!
//! `SharedArrayBuffer` (and so a wasm memory shared with workers) exists only on a
//! cross-origin isolated page: COOP `same-origin` plus COEP `require-corp` or
//! `credentialless`. Only `index.html`, `sw.js`, `www/` and the wasm builds (`pkg/`,
//! `pkg-st/` without threads, and the test build `pkg-faults/` where built) are served; `ServeDir`
//! refuses `..` in any form, encoded or not, [`confine`](crate::confine) refuses
//! symlinks that lead out of a folder, and a folder itself is never listed nor
//! stands for an `index.html` in it: asked for, it is 404.

use crate::{Config, confine};
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use std::path::Path;
use std::sync::Arc;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// The page's Content-Security-Policy, sent with every file of the site: with the
/// page, and with each worker's script, which gives a worker its own policy.
///
/// - `script-src 'self'`: the page's modules only; no inline script, no `eval`, no
///   script from another origin. `'wasm-unsafe-eval'` lets `WebAssembly.instantiate`
///   compile the page's own wasm (it allows nothing for JavaScript).
/// - `worker-src 'self' blob:`: `www/` starts module workers from its own URLs; the
///   pool's workers run one `blob:` script that `www/pool.js` makes of the glue;
///   wasm-bindgen's `Atomics.waitAsync` stand-in starts a worker from a `blob:` URL
///   where the browser lacks that function, and the benchmark times bare `blob:`
///   workers. A `blob:` URL can only be made by script already running on the page.
/// - `connect-src 'self' http: https: blob:`: the link checker's worker fetches any
///   URL it is given, `*.localhost` lab hosts and the live MediaWiki API included;
///   `blob:` lets script read back the page's own exports (its download links).
/// - `style-src 'self' 'unsafe-inline'`: style only (uPlot sets element styles).
/// - `img-src 'self' data:`: the favicon is a `data:` URL.
/// - `object-src`, `base-uri`, `frame-ancestors` `'none'`: no plugins, no `<base>`
///   rewriting the page's relative URLs, no framing (nor clickjacking) of the page.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     worker-src 'self' blob:; connect-src 'self' http: https: blob:; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// A folder's files, with no listings and no way out through a symlink.
fn folder(dir: &Path) -> Router {
    Router::new()
        .fallback_service(ServeDir::new(dir).append_index_html_on_directories(false))
        .layer(middleware::from_fn_with_state(Arc::new(dir.to_path_buf()), confine::guard))
}

/// `Cache-Control` for a file named by a page load (`?v=`, see `www/build.js`).
pub const CACHE_NAMED: &str = "max-age=31536000, immutable";
/// `Cache-Control` for every other file.
pub const CACHE_OTHER: &str = "no-cache";

/// Whether a query names a page load: has a non-empty `v` parameter.
fn names_a_load(query: Option<&str>) -> bool {
    query.is_some_and(|q| q.split('&').any(|kv| kv.strip_prefix("v=").is_some_and(|v| !v.is_empty())))
}

/// A rebuilt package must reach the page on its next load, so a file is revalidated
/// each time it is asked for (`no-cache`), except under a page load's name (`?v=`),
/// which the page puts on the files its workers import: the N workers of a pool then
/// load the module's glue and the pool's script from the browser's cache rather than
/// each asking the server whether they changed (2N requests at a pool's start: issue
/// 12). The next page load names itself anew, so it still gets a rebuild. Only a
/// successful answer is kept.
async fn cache_policy(request: Request, next: Next) -> Response {
    let named = names_a_load(request.uri().query());
    let mut response = next.run(request).await;
    let policy = if named && response.status().is_success() { CACHE_NAMED } else { CACHE_OTHER };
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    response
}

pub fn router(config: &Config) -> Router {
    let index = ServeFile::new(config.root.join("index.html"));
    let site = Router::new()
        .route_service("/", index.clone())
        .route_service("/index.html", index)
        .nest_service("/www", folder(&config.root.join("www")))
        .route_service("/sw.js", ServeFile::new(config.root.join("sw.js")))
        .nest_service("/pkg", folder(&config.root.join("pkg")))
        .nest_service("/pkg-st", folder(&config.root.join("pkg-st")))
        .nest_service("/pkg-faults", folder(&config.root.join("pkg-faults")))
        .layer(middleware::from_fn(cache_policy))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ));
    let Some(coep) = config.coep.header_value() else {
        return site;
    };
    site.layer(SetResponseHeaderLayer::overriding(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    ))
    .layer(SetResponseHeaderLayer::overriding(
        HeaderName::from_static("cross-origin-embedder-policy"),
        HeaderValue::from_static(coep),
    ))
}
