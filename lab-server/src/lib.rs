//! The lab server: serves the page cross-origin isolated (so wasm threads work) and
//! the link-lab endpoints the link checker is tried against, all on this machine.

pub mod census;
pub mod lab;
pub mod site;

use axum::Router;
use axum::serve::ListenerExt;
use std::future::Future;
use std::path::PathBuf;
use tokio::net::TcpListener;

/// How the page is isolated; the first two make `crossOriginIsolated` true.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Coep {
    /// Every cross-origin resource must opt in with CORS or CORP.
    RequireCorp,
    /// Cross-origin `no-cors` requests go through, without credentials (not in Safari).
    Credentialless,
    /// No COOP or COEP at all: shows what the page does when it is not isolated.
    Off,
}

impl Coep {
    /// The header value, or `None` when the page is served without isolation.
    pub fn header_value(self) -> Option<&'static str> {
        match self {
            Coep::RequireCorp => Some("require-corp"),
            Coep::Credentialless => Some("credentialless"),
            Coep::Off => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// The project folder: `index.html`, `www/` and `pkg/` are served from it.
    pub root: PathBuf,
    pub coep: Coep,
}

/// The whole server: the site and the lab under `/lab`.
pub fn app(config: &Config) -> Router {
    Router::new().nest("/lab", lab::router()).merge(site::router(config))
}

/// Serves the app on `listener` until `shutdown` resolves.
///
/// TCP_NODELAY: without it a small answer can wait on Nagle's algorithm and the
/// client's delayed ACK, which added tens of milliseconds to every lab request and
/// would be measured as link latency.
pub async fn serve(
    listener: TcpListener,
    config: &Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app(config)).with_graceful_shutdown(shutdown).await
}
