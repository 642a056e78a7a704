//! The accept loop: HTTP/1.1 connections, each with a deadline for its request head
//! and a place under a bound, so that slow or idle clients cannot starve the others.
//!
//! axum's own `serve` has neither a header-read timeout nor a connection bound, so
//! this is a small copy of it on hyper's HTTP/1 connection builder:
//!
//! - *Header-read timeout*: a connection must send a complete request head within
//!   `header_timeout` of opening, and again within `header_timeout` of each answer
//!   (hyper starts the same clock when a kept-alive connection goes idle). So a
//!   client that sends half a request line and stalls, or keeps a connection open
//!   and says nothing, holds its place for that long at most. A handler's own time
//!   (`/lab/delay`, `/lab/hang`) and a slow body are not bounded by it.
//! - *Connection bound*: at most `max_connections` at once (a semaphore). The loop
//!   takes a place before it accepts, so excess clients wait in the kernel's accept
//!   backlog, not in the server, and it never runs out of descriptors.
//! - *Accept errors*: a failed `accept` (`EMFILE`, `ENFILE`, `ENOBUFS`, …) never ends
//!   the loop; it waits a little, longer each time up to a second, and tries again.

use crate::fd_limit;
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

/// What one client may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Time to send a request head, from the connection's start or its last answer.
    pub header_timeout: Duration,
    /// Connections served at once; the rest wait to be accepted.
    pub max_connections: usize,
}

/// Long enough for any real client on a slow link, short enough that a thousand
/// stalled ones are gone before anyone notices.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

impl Default for Limits {
    /// The header timeout above and a connection bound under this process's
    /// descriptor limit as it is now (raise it first with [`fd_limit::raise`]).
    fn default() -> Self {
        let nofile = fd_limit::get().map_or(1024, |(soft, _)| soft);
        Limits { header_timeout: HEADER_TIMEOUT, max_connections: fd_limit::connection_budget(nofile) }
    }
}

/// Errors that concern one connection only (it went away before we took it).
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    )
}

/// The wait after the `failures`-th accept error in a row: 10 ms doubling to 1 s.
fn backoff(failures: u32) -> Duration {
    Duration::from_millis(10u64.saturating_mul(1 << failures.min(7)).min(1000))
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets the connections
/// finish the requests they have (closing idle ones at once) and returns.
///
/// TCP_NODELAY: without it a small answer can wait on Nagle's algorithm and the
/// client's delayed ACK, which added tens of milliseconds to every lab request and
/// would be measured as link latency.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let places = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    // Dropping `stop_rx` tells every connection to finish up; each connection holds
    // a `done_rx`, and `done_tx.closed()` resolves when the last one has gone.
    let (stop_tx, stop_rx) = watch::channel(());
    let (done_tx, done_rx) = watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    let mut failures = 0;
    loop {
        let place = tokio::select! {
            place = places.clone().acquire_owned() => place.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let tcp = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => { failures = 0; tcp }
                Err(e) if is_connection_error(&e) => continue,
                Err(e) => {
                    eprintln!("lab-server: accept: {e}; trying again shortly");
                    tokio::time::sleep(backoff(failures)).await;
                    failures += 1;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = tcp.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let stop = stop_tx.clone();
        let done = done_rx.clone();
        tokio::spawn(async move {
            let conn = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .serve_connection(TokioIo::new(tcp), service);
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                () = stop.closed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
            drop((place, done));
        });
    }
    drop(listener);
    drop(stop_rx);
    drop(done_rx);
    done_tx.closed().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_errors_back_off_up_to_a_second() {
        assert_eq!(backoff(0), Duration::from_millis(10));
        assert_eq!(backoff(1), Duration::from_millis(20));
        assert_eq!(backoff(6), Duration::from_millis(640));
        assert_eq!(backoff(7), Duration::from_secs(1));
        assert_eq!(backoff(u32::MAX), Duration::from_secs(1));
    }

    #[test]
    fn running_out_of_descriptors_is_not_a_connection_error() {
        assert!(!is_connection_error(&io::Error::from_raw_os_error(libc::EMFILE)));
        assert!(is_connection_error(&io::Error::from(io::ErrorKind::ConnectionAborted)));
    }
}
