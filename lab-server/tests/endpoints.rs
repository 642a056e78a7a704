//! The lab server over real HTTP: page headers, static files, every lab endpoint
//! class, and the in-flight counters.

mod common;

use common::{get, raw_status, serve, stats};
use lab_server::Coep;
use lab_server::lab::StatsView;
use std::time::Duration;

#[tokio::test]
async fn the_page_is_cross_origin_isolated() {
    let addr = serve(Coep::RequireCorp).await;
    for path in ["/", "/index.html", "/www/app.js", "/pkg/m.wasm"] {
        let r = get(addr, path).await;
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["cross-origin-opener-policy"], "same-origin", "{path}");
        assert_eq!(r.headers()["cross-origin-embedder-policy"], "require-corp", "{path}");
    }
    assert_eq!(get(addr, "/pkg/m.wasm").await.headers()["content-type"], "application/wasm");
    assert!(get(addr, "/www/app.js").await.headers()["content-type"].to_str().unwrap().contains("javascript"));
}

#[tokio::test]
async fn credentialless_is_an_option() {
    let addr = serve(Coep::Credentialless).await;
    assert_eq!(get(addr, "/").await.headers()["cross-origin-embedder-policy"], "credentialless");
}

#[tokio::test]
async fn nothing_outside_the_served_folders() {
    let addr = serve(Coep::RequireCorp).await;
    for path in [
        "/secret.txt",
        "/www/../secret.txt",
        "/www/%2e%2e/secret.txt",
        "/www/..%2fsecret.txt",
        "/www/%2e%2e%2fsecret.txt",
        "/pkg/..%5csecret.txt",
        "/www//etc/passwd",
        "/www/%2fetc%2fpasswd",
    ] {
        let status = raw_status(addr, path).await;
        assert!(status == 404 || status == 400, "{path} gave {status}");
    }
}

#[tokio::test]
async fn each_endpoint_class_answers_as_documented() {
    let addr = serve(Coep::RequireCorp).await;
    for code in [200, 204, 301, 404, 500, 503] {
        let r = get(addr, &format!("/lab/status/{code}")).await;
        assert_eq!(r.status().as_u16(), code);
        assert_eq!(r.headers()["access-control-allow-origin"], "*");
        assert_eq!(r.headers()["cross-origin-resource-policy"], "cross-origin");
    }
    assert_eq!(get(addr, "/lab/status/99").await.status(), 400);
    assert_eq!(get(addr, "/lab/status/abc").await.status(), 400);

    let t = std::time::Instant::now();
    let r = get(addr, "/lab/delay/300").await;
    assert_eq!(r.status(), 200);
    assert!(t.elapsed() >= Duration::from_millis(300), "answered before the delay");
    assert_eq!(get(addr, "/lab/delay/9999999").await.status(), 400);

    for n in [0usize, 1, 1000, 1 << 20] {
        let body = get(addr, &format!("/lab/bytes/{n}")).await.bytes().await.unwrap();
        assert_eq!(body.len(), n);
    }
    assert_eq!(get(addr, &format!("/lab/bytes/{}", (64 << 20) + 1)).await.status(), 400);

    // reqwest follows redirects: five hops, then 200.
    let r = get(addr, "/lab/redirect/5").await;
    assert_eq!(r.status(), 200);
    assert!(r.url().path().ends_with("/lab/redirect/0"));
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let hop = client.get(format!("http://{addr}/lab/redirect/2")).send().await.unwrap();
    assert_eq!(hop.status(), 302);
    assert_eq!(hop.headers()["location"], "/lab/redirect/1");
    assert_eq!(hop.headers()["access-control-allow-origin"], "*", "redirects are readable cross-origin too");
}

#[tokio::test]
async fn hang_answers_nothing_and_frees_its_slot_when_the_client_gives_up() {
    let addr = serve(Coep::RequireCorp).await;
    let client = reqwest::Client::builder().timeout(Duration::from_millis(300)).build().unwrap();
    let err = client.get(format!("http://{addr}/lab/hang")).send().await.unwrap_err();
    assert!(err.is_timeout());
    // The server sees the connection close and drops the handler.
    let mut left = u64::MAX;
    for _ in 0..50 {
        left = stats(addr).await.in_flight;
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(left, 0);
}

#[tokio::test]
async fn stats_count_requests_in_flight() {
    let addr = serve(Coep::RequireCorp).await;
    let reset: StatsView = serde_json::from_str(&get(addr, "/lab/reset").await.text().await.unwrap()).unwrap();
    assert_eq!(reset, StatsView { served: 0, in_flight: 0, max_in_flight: 0 });

    let batch: Vec<_> = (0..7).map(|_| tokio::spawn(get(addr, "/lab/delay/400"))).collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let during = stats(addr).await;
    assert_eq!(during.in_flight, 7);
    for r in batch {
        assert_eq!(r.await.unwrap().status(), 200);
    }
    let after = stats(addr).await;
    assert_eq!(after, StatsView { served: 7, in_flight: 0, max_in_flight: 7 });

    get(addr, "/lab/reset").await;
    get(addr, "/lab/status/200").await;
    assert_eq!(stats(addr).await, StatsView { served: 1, in_flight: 0, max_in_flight: 1 });
}

#[tokio::test]
async fn the_census_fixture_pages_through_random_pages() {
    let addr = serve(Coep::RequireCorp).await;
    let first: serde_json::Value = get(addr, "/lab/census/api.php?action=query&generator=random&grnlimit=4&prop=extlinks&format=json&formatversion=2&origin=*")
        .await
        .text()
        .await
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    let pages = first["query"]["pages"].as_array().unwrap();
    assert_eq!(pages.len(), 4);
    assert_eq!(pages[0]["title"], "Anasimyia");
    assert_eq!(pages[0]["extlinks"][0]["url"], format!("http://a.localhost:{}/lab/status/200", addr.port()));
    assert_eq!(first["continue"]["grncontinue"], "4");
    let rest: serde_json::Value =
        serde_json::from_str(&get(addr, "/lab/census/api.php?grnlimit=50&grncontinue=4").await.text().await.unwrap())
            .unwrap();
    assert_eq!(rest["query"]["pages"].as_array().unwrap().len(), 6);
    assert!(rest.get("continue").is_none());
    assert_eq!(stats(addr).await.served, 0, "the fixture is not a lab request");
}

/// Reads a body chunk by chunk, counting, so a 64 MiB answer is never held whole.
async fn count_body(mut r: reqwest::Response) -> (u64, usize) {
    let (mut bytes, mut chunks) = (0, 0);
    while let Some(chunk) = r.chunk().await.unwrap() {
        assert!(chunk.iter().all(|b| *b == b'x'));
        bytes += chunk.len() as u64;
        chunks += 1;
    }
    (bytes, chunks)
}

#[tokio::test]
async fn bytes_are_streamed_to_the_exact_length() {
    let addr = serve(Coep::RequireCorp).await;
    for n in [0u64, 1, 65_535, 65_536, 65_537, 64 << 20] {
        let r = get(addr, &format!("/lab/bytes/{n}")).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-length"], n.to_string().as_str(), "said up front");
        assert!(r.headers().get("transfer-encoding").is_none());
        assert_eq!(count_body(r).await.0, n);
    }
}

#[tokio::test]
async fn drip_sends_its_bytes_over_the_time_asked() {
    let addr = serve(Coep::RequireCorp).await;
    for (n, ms) in [(1000u64, 500u64), (0, 300), (3, 200), (200_000, 100)] {
        let t = std::time::Instant::now();
        let r = get(addr, &format!("/lab/drip/{n}/{ms}")).await;
        assert_eq!(r.status(), 200);
        if n > 0 {
            assert!(t.elapsed() < Duration::from_millis(ms), "the head comes at once ({n} over {ms} ms)");
        }
        assert_eq!(r.headers()["content-length"], n.to_string().as_str());
        let (bytes, chunks) = count_body(r).await;
        assert_eq!(bytes, n);
        assert!(t.elapsed() >= Duration::from_millis(ms), "{n} bytes came before {ms} ms");
        if n == 1000 {
            assert!(chunks > 1, "in pieces, not at the end");
        }
    }
    for bad in ["/lab/drip/1/600001", &format!("/lab/drip/{}/1", (64 << 20) + 1), "/lab/drip/x/1", "/lab/drip/1/-1"] {
        let r = get(addr, bad).await;
        assert_eq!(r.status(), 400, "{bad}");
        let why = r.text().await.unwrap();
        assert!(why.starts_with("bytes:") || why.starts_with("ms:"), "{bad}: {why}");
    }
}

#[tokio::test]
async fn retry_after_is_sent_when_asked_and_bounded() {
    let addr = serve(Coep::RequireCorp).await;
    for (code, secs) in [(429, 0), (503, 120), (200, 3600)] {
        let r = get(addr, &format!("/lab/status/{code}?retryAfter={secs}")).await;
        assert_eq!(r.status().as_u16(), code);
        assert_eq!(r.headers()["retry-after"], secs.to_string().as_str());
        assert_eq!(r.headers()["access-control-allow-origin"], "*");
    }
    assert!(get(addr, "/lab/status/503").await.headers().get("retry-after").is_none(), "only when asked");
    for bad in ["3601", "-1", "soon", "1.5", "", "%2B5"] {
        let r = get(addr, &format!("/lab/status/429?retryAfter={bad}")).await;
        assert_eq!(r.status(), 400, "{bad:?}");
        assert!(r.text().await.unwrap().contains("retryAfter"), "{bad:?}: the reason names the parameter");
    }
}
