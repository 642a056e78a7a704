//! Slow, idle and too many clients: each is cut off or made to wait, and nobody else
//! notices.

mod common;

use common::{get, serve_with, site};
use lab_server::{Coep, Limits};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

const SHORT: Limits = Limits { header_timeout: Duration::from_millis(300), max_connections: 64 };

/// Reads until the server closes; the time it took and what came.
async fn until_closed(s: &mut TcpStream) -> (Duration, String) {
    let t = Instant::now();
    let mut out = Vec::new();
    let read = timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
    assert!(read.is_ok(), "the server never closed the connection");
    (t.elapsed(), String::from_utf8_lossy(&out).into_owned())
}

#[tokio::test]
async fn half_a_request_line_is_cut_off_at_the_header_timeout() {
    let addr = serve_with(site(), Coep::RequireCorp, SHORT).await;
    let mut slow = TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /lab/sta").await.unwrap();
    let (took, said) = until_closed(&mut slow).await;
    assert!(took >= Duration::from_millis(250) && took < Duration::from_secs(2), "closed after {took:?}");
    assert!(said.is_empty() || said.starts_with("HTTP/1.1 408"), "{said}");
    // Meanwhile and afterwards the server answers as usual.
    assert_eq!(get(addr, "/lab/status/200").await.status(), 200);
}

#[tokio::test]
async fn a_silent_connection_and_an_idle_kept_alive_one_are_closed() {
    let addr = serve_with(site(), Coep::RequireCorp, SHORT).await;
    let mut silent = TcpStream::connect(addr).await.unwrap();
    let (took, said) = until_closed(&mut silent).await;
    assert!(took < Duration::from_secs(2) && said.is_empty(), "{took:?} {said:?}");

    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /lab/status/204 HTTP/1.1\r\nHost: localhost\r\n\r\n").await.unwrap();
    let (took, said) = until_closed(&mut idle).await;
    assert!(said.starts_with("HTTP/1.1 204"), "answered first: {said}");
    assert!(took >= Duration::from_millis(250) && took < Duration::from_secs(2), "closed after {took:?}");
}

#[tokio::test]
async fn the_header_timeout_does_not_cut_a_slow_answer() {
    let addr = serve_with(site(), Coep::RequireCorp, SHORT).await;
    let t = Instant::now();
    assert_eq!(get(addr, "/lab/delay/800").await.status(), 200);
    let r = get(addr, "/lab/drip/100/800").await;
    assert_eq!(r.bytes().await.unwrap().len(), 100);
    assert!(t.elapsed() >= Duration::from_millis(1600));
}

#[tokio::test]
async fn connections_past_the_bound_wait_and_are_then_served() {
    let limits = Limits { header_timeout: Duration::from_secs(30), max_connections: 2 };
    let addr = serve_with(site(), Coep::RequireCorp, limits).await;
    let first = TcpStream::connect(addr).await.unwrap();
    let _second = TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;

    let mut third = TcpStream::connect(addr).await.unwrap(); // in the accept backlog
    third.write_all(b"GET /lab/status/200 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut answer = Vec::new();
    let early = timeout(Duration::from_millis(300), third.read_to_end(&mut answer)).await;
    assert!(early.is_err() && answer.is_empty(), "a third connection was served while two held the places");

    drop(first);
    let (took, said) = until_closed(&mut third).await;
    assert!(said.starts_with("HTTP/1.1 200"), "{said}");
    assert!(took < Duration::from_secs(1), "served {took:?} after a place came free");
}
