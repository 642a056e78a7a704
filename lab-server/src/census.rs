//! An offline stand-in for the MediaWiki API the course's census uses: random pages
//! with their external links (`action=query&generator=random&prop=extlinks`,
//! `formatversion=2`). The pages come in a fixed order, continued with `grncontinue`,
//! and their links point back at this server, so a census has known counts.

use axum::Json;
use axum::extract::Query;
use axum::http::{HeaderMap, header};
use serde::Deserialize;
use serde_json::{Value, json};

const FIXTURE: &str = include_str!("../../www/census-fixture.json");

#[derive(Deserialize)]
pub struct Params {
    grnlimit: Option<usize>,
    grncontinue: Option<usize>,
}

/// The port the page reached us on, so links point back here.
fn port(headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.rsplit_once(':'))
        .map(|(_, p)| p.to_owned())
        .unwrap_or_else(|| "80".to_owned())
}

fn expand(link: &str, port: &str) -> String {
    let mut out = link.replace("{port}", port);
    for host in ["a", "b", "c", "d", "e", "f"] {
        out = out.replace(&format!("{{{host}}}"), &format!("http://{host}.localhost:{port}"));
    }
    out
}

pub async fn api(headers: HeaderMap, Query(q): Query<Params>) -> Json<Value> {
    let fixture: Value = serde_json::from_str(FIXTURE).expect("the census fixture is valid JSON");
    let pages = fixture["pages"].as_array().cloned().unwrap_or_default();
    let port = port(&headers);
    let from = q.grncontinue.unwrap_or(0).min(pages.len());
    let to = (from + q.grnlimit.unwrap_or(10).clamp(1, 500)).min(pages.len());
    let batch: Vec<Value> = pages[from..to]
        .iter()
        .map(|p| {
            let links: Vec<Value> = p["links"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(|l| json!({ "url": expand(l, &port) }))
                .collect();
            let mut page = json!({ "pageid": p["pageid"], "ns": 0, "title": p["title"] });
            if !links.is_empty() {
                page["extlinks"] = Value::Array(links);
            }
            page
        })
        .collect();
    let mut answer = json!({ "batchcomplete": true, "query": { "pages": batch } });
    if to < pages.len() {
        answer["continue"] = json!({ "grncontinue": to.to_string(), "continue": "grncontinue||" });
    }
    Json(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_point_back_at_the_server() {
        assert_eq!(expand("{a}/lab/status/200", "8080"), "http://a.localhost:8080/lab/status/200");
        assert_eq!(expand("//e.localhost:{port}/x", "9"), "//e.localhost:9/x");
        assert_eq!(expand("ftp://ftp.example.org/f", "9"), "ftp://ftp.example.org/f");
    }
}
