//! The lab server: serves the page cross-origin isolated (so wasm threads work) and
//! the link-lab endpoints the link checker is tried against, all on this machine.

pub mod bodies;
pub mod census;
pub mod confine;
pub mod connections;
pub mod exposure;
pub mod fd_limit;
pub mod lab;
pub mod site;

pub use connections::Limits;

use axum::Router;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use tokio::net::{TcpListener, TcpSocket};

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
    /// What one client may hold: header timeout, connections at once.
    pub limits: Limits,
}

/// The whole server: the site and the lab under `/lab`.
pub fn app(config: &Config) -> Router {
    Router::new().nest("/lab", lab::router()).merge(site::router(config))
}

/// Connections the kernel holds for us while all our places are taken (it caps
/// this at `net.core.somaxconn`); tokio's default is 1024.
pub const BACKLOG: u32 = 4096;

/// Listens on `addr` with a deep accept backlog, so that clients beyond the
/// connection bound wait there rather than being refused.
pub fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

/// Serves the app on `listener` until `shutdown` resolves, within `config.limits`
/// (see [`connections`]).
pub async fn serve(
    listener: TcpListener,
    config: &Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    connections::serve(listener, app(config), config.limits, shutdown).await
}
