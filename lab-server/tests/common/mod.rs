//! What the integration tests share: a site folder of their own, a server on a free
//! port, and clients that speak HTTP as plainly as needed.
#![allow(dead_code)] // each test file uses its own part of this

use lab_server::lab::StatsView;
use lab_server::{Coep, Config, Limits};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A site folder of our own, so the tests do not depend on a wasm build. Each call
/// makes a new one, so a test may add to it.
pub fn site() -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let root = std::env::temp_dir().join(format!(
        "lab-server-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("www")).unwrap();
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    std::fs::write(root.join("index.html"), "<!doctype html><title>lab</title>").unwrap();
    std::fs::write(root.join("www/app.js"), "export {};").unwrap();
    std::fs::write(root.join("pkg/m.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(root.join("secret.txt"), "not to be served").unwrap();
    root
}

/// Serves `root` on a free loopback port.
pub async fn serve_with(root: PathBuf, coep: Coep, limits: Limits) -> SocketAddr {
    let listener = lab_server::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = listener.local_addr().unwrap();
    let config = Config { root, coep, limits };
    tokio::spawn(async move { lab_server::serve(listener, &config, std::future::pending()).await.unwrap() });
    addr
}

pub async fn serve(coep: Coep) -> SocketAddr {
    serve_with(site(), coep, Limits::default()).await
}

pub async fn get(addr: SocketAddr, path: &str) -> reqwest::Response {
    reqwest::get(format!("http://{addr}{path}")).await.unwrap()
}

pub async fn stats(addr: SocketAddr) -> StatsView {
    serde_json::from_str(&get(addr, "/lab/stats").await.text().await.unwrap()).unwrap()
}

/// Sends a request line as written, so no client can normalise `..` away.
pub async fn raw_status(addr: SocketAddr, path: &str) -> u16 {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out.split_whitespace().nth(1).unwrap().parse().unwrap()
}
