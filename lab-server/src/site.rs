//! The page and its files, with the headers wasm threads need.
//!
//! `SharedArrayBuffer` (and so a wasm memory shared with workers) exists only on a
//! cross-origin isolated page: COOP `same-origin` plus COEP `require-corp` or
//! `credentialless`. Only `index.html`, `www/` and `pkg/` are served; `ServeDir`
//! refuses `..` in any form, encoded or not.

use crate::Config;
use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

pub fn router(config: &Config) -> Router {
    let index = ServeFile::new(config.root.join("index.html"));
    let site = Router::new()
        .route_service("/", index.clone())
        .route_service("/index.html", index)
        .nest_service("/www", ServeDir::new(config.root.join("www")))
        .nest_service("/pkg", ServeDir::new(config.root.join("pkg")))
        // A rebuilt package must reach the page on the next load.
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")));
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
