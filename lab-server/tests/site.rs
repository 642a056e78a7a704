//! The site's files: no listings, no way out through a symlink, and the page's
//! Content-Security-Policy, and what the browser may cache.

mod common;

use common::{get, raw_status, serve, serve_with, site};
use lab_server::site::{CACHE_NAMED, CACHE_OTHER, CONTENT_SECURITY_POLICY};
use lab_server::{Coep, Limits, lab};

#[tokio::test]
async fn folders_are_never_listed() {
    let root = site();
    std::fs::create_dir_all(root.join("www/ui/empty")).unwrap();
    std::fs::write(root.join("www/ui/panel.js"), "export {};").unwrap();
    let addr = serve_with(root, Coep::RequireCorp, Limits::default()).await;
    assert_eq!(get(addr, "/www/ui/panel.js").await.status(), 200);
    for path in ["/www", "/www/", "/www/ui", "/www/ui/", "/www/ui/empty/", "/pkg", "/pkg/", "/www/%2e/"] {
        assert_eq!(raw_status(addr, path).await, 404, "{path}");
    }
}

#[tokio::test]
async fn no_symlink_leads_out_of_a_folder() {
    let root = site();
    std::os::unix::fs::symlink("/etc/passwd", root.join("www/passwd")).unwrap();
    std::os::unix::fs::symlink("/etc", root.join("www/etc")).unwrap();
    std::os::unix::fs::symlink("../secret.txt", root.join("pkg/secret.txt")).unwrap();
    std::os::unix::fs::symlink("../www", root.join("pkg/www")).unwrap();
    std::os::unix::fs::symlink("app.js", root.join("www/alias.js")).unwrap();
    std::os::unix::fs::symlink("/nowhere", root.join("www/dangling")).unwrap();
    let addr = serve_with(root, Coep::RequireCorp, Limits::default()).await;
    for path in [
        "/www/passwd",
        "/www/etc/passwd",
        "/www/etc/hostname",
        "/www/%65tc/passwd",
        "/pkg/secret.txt",
        "/pkg/www/app.js",
        "/www/dangling",
    ] {
        let status = raw_status(addr, path).await;
        assert!(status == 404 || status == 403, "{path} gave {status}");
    }
    let alias = get(addr, "/www/alias.js").await;
    assert_eq!(alias.status(), 200, "a symlink that stays inside is fine");
    assert_eq!(alias.text().await.unwrap(), "export {};");
}

#[tokio::test]
async fn the_page_has_a_policy_that_runs_only_its_own_scripts() {
    for coep in [Coep::RequireCorp, Coep::Off] {
        let addr = serve(coep).await;
        for path in ["/", "/index.html", "/www/app.js", "/pkg/m.wasm"] {
            let r = get(addr, path).await;
            assert_eq!(r.headers()["content-security-policy"], CONTENT_SECURITY_POLICY, "{path}");
        }
        for path in ["/lab/status/200", "/lab/status/404", "/lab/bytes/10", "/lab/stats", "/lab/redirect/1"] {
            let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
            let r = client.get(format!("http://{addr}{path}")).send().await.unwrap();
            assert_eq!(r.headers()["content-security-policy"], lab::CONTENT_SECURITY_POLICY, "{path}");
        }
    }
    let policy: Vec<&str> = CONTENT_SECURITY_POLICY.split("; ").collect();
    let script = policy.iter().find(|d| d.starts_with("script-src ")).unwrap();
    assert_eq!(*script, "script-src 'self' 'wasm-unsafe-eval'", "no inline script, no foreign script");
    assert!(!CONTENT_SECURITY_POLICY.contains("'unsafe-eval'"));
    assert!(policy.contains(&"connect-src 'self' http: https: blob:"), "the link checker fetches any http(s) URL");
    assert!(policy.contains(&"object-src 'none'") && policy.contains(&"base-uri 'none'"));
}

#[tokio::test]
async fn only_a_file_named_by_a_page_load_is_kept() {
    let addr = serve(Coep::RequireCorp).await;
    for path in ["/www/app.js?v=lsx1", "/www/app.js?build=threads&v=lsx1", "/pkg/m.wasm?v=2"] {
        let r = get(addr, path).await;
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["cache-control"], CACHE_NAMED, "{path}");
    }
    for path in
        ["/", "/www/app.js", "/www/app.js?v=", "/www/app.js?build=threads", "/www/app.js?vv=1", "/www/gone.js?v=lsx1"]
    {
        assert_eq!(get(addr, path).await.headers()["cache-control"], CACHE_OTHER, "{path}");
    }
}
