//! The link checker's rules, apart from how requests are sent: which entries may be
//! fetched, how an outcome is classified, and the result each entry gets.

use serde::Serialize;
use std::collections::{HashMap, VecDeque};

/// Why a link did not give a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkError {
    /// No answer within the per-request timeout.
    Timeout,
    /// Refused, DNS, TLS or CORS: the browser does not say which.
    Network,
    /// Not an absolute http(s) URL; never fetched.
    InvalidUrl,
    /// Stopped by the user before it finished.
    Aborted,
}

/// The outcome of one entry of the list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkResult {
    /// The entry as given.
    pub url: String,
    /// Its place in the list, from 0.
    pub index: usize,
    /// A final 2xx status, after redirects.
    pub ok: bool,
    pub status: Option<u16>,
    /// Body size in bytes, when it was read.
    pub bytes: Option<u64>,
    /// From the request being sent to the body being read.
    pub ms: f64,
    pub error: Option<LinkError>,
    /// Redirects were followed to get here.
    pub redirected: bool,
    /// A `no-cors` answer: the server answered, but the browser hides its status and
    /// body, so `ok` and `status` are null.
    pub opaque: bool,
    /// Requests made for this entry (retries included; HEAD then GET counts as one).
    pub attempts: u32,
}

impl LinkResult {
    pub fn answered(url: String, index: usize, status: u16, bytes: u64, ms: f64, redirected: bool) -> Self {
        LinkResult {
            url,
            index,
            ok: (200..300).contains(&status),
            status: Some(status),
            bytes: Some(bytes),
            ms,
            error: None,
            redirected,
            opaque: false,
            attempts: 1,
        }
    }

    /// An opaque (`no-cors`) answer: reachable, status unknown.
    pub fn reached(url: String, index: usize, ms: f64) -> Self {
        LinkResult { opaque: true, status: None, bytes: None, ..Self::answered(url, index, 200, 0, ms, false) }
    }

    pub fn failed(url: String, index: usize, error: LinkError, ms: f64) -> Self {
        LinkResult {
            url,
            index,
            ok: false,
            status: None,
            bytes: None,
            ms,
            error: Some(error),
            redirected: false,
            opaque: false,
            attempts: 1,
        }
    }

    /// Worth another try: no answer, or an answer that says "later".
    pub fn retryable(&self) -> bool {
        matches!(self.error, Some(LinkError::Timeout | LinkError::Network))
            || matches!(self.status, Some(429 | 502 | 503 | 504))
    }
}

/// Milliseconds to wait before retry number `attempt` (from 1): 250, 500, 1000, … up to 4 s.
pub fn retry_delay_ms(attempt: u32) -> u32 {
    250u32.saturating_mul(1 << attempt.saturating_sub(1).min(4))
}

/// How a request is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FetchMode {
    /// Status codes and bodies; the target must send `Access-Control-Allow-Origin`.
    Cors,
    /// Reachability only: the answer is opaque.
    NoCors,
}

/// Which request comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    Get,
    /// HEAD, and GET only where HEAD fails or is refused (405, 501).
    HeadThenGet,
}

/// The key the browser's per-host connection limit is counted by.
pub fn host_key(url: &url::Url) -> String {
    format!("{}://{}:{}", url.scheme(), url.host_str().unwrap_or(""), url.port_or_known_default().unwrap_or(0))
}

/// Decides which waiting entry starts next: at most `total` requests in flight, at most
/// `per_host` to any one host, and otherwise in list order. Waiting entries do not
/// hold a slot, so one slow host never holds back the others.
pub struct Scheduler {
    queues: Vec<VecDeque<usize>>,
    host_of: Vec<usize>,
    busy: Vec<usize>,
    in_flight: usize,
    total: usize,
    per_host: usize,
}

impl Scheduler {
    /// `hosts[i]` is entry i's host key, or `None` for an entry that is not fetched.
    pub fn new(hosts: &[Option<String>], total: usize, per_host: usize) -> Self {
        let mut ids: HashMap<&str, usize> = HashMap::new();
        let mut queues: Vec<VecDeque<usize>> = Vec::new();
        let mut host_of = vec![usize::MAX; hosts.len()];
        for (i, h) in hosts.iter().enumerate() {
            if let Some(h) = h {
                let id = *ids.entry(h).or_insert_with(|| {
                    queues.push(VecDeque::new());
                    queues.len() - 1
                });
                queues[id].push_back(i);
                host_of[i] = id;
            }
        }
        let busy = vec![0; queues.len()];
        Scheduler { queues, host_of, busy, in_flight: 0, total: total.max(1), per_host: per_host.max(1) }
    }

    /// The next entry to start now, if a slot is free and some host has room.
    pub fn start_next(&mut self) -> Option<usize> {
        if self.in_flight >= self.total {
            return None;
        }
        let (_, host) = (0..self.queues.len())
            .filter(|&h| self.busy[h] < self.per_host)
            .filter_map(|h| self.queues[h].front().map(|&i| (i, h)))
            .min()?;
        let i = self.queues[host].pop_front()?;
        self.busy[host] += 1;
        self.in_flight += 1;
        Some(i)
    }

    /// Entry `i`, started earlier, has finished.
    pub fn done(&mut self, i: usize) {
        if let Some(&h) = self.host_of.get(i).filter(|&&h| h != usize::MAX) {
            self.busy[h] = self.busy[h].saturating_sub(1);
            self.in_flight = self.in_flight.saturating_sub(1);
        }
    }

    /// Entries not started yet.
    pub fn waiting(&self) -> usize {
        self.queues.iter().map(VecDeque::len).sum()
    }
}

/// A list as a person brings it, checked line by line.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParsedList {
    /// The URLs to check, in order, each once.
    pub urls: Vec<String>,
    /// Lines left out, with their line number (from 1) and why.
    pub rejected: Vec<Rejected>,
    pub blank_lines: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejected {
    pub line: usize,
    pub text: String,
    pub reason: String,
}

/// Rejected lines reported one by one; beyond this they are counted in one entry.
const MAX_REPORTED: usize = 1000;

/// Reads a pasted or uploaded list: one URL per line. Only absolute http(s) URLs are
/// kept; duplicates are folded into their first line; at most `MAX_URLS` are kept.
pub fn parse_list(text: &str) -> ParsedList {
    let mut urls = Vec::new();
    let mut rejected = Vec::new();
    let mut hidden = 0usize;
    let mut blank_lines = 0;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        let entry = raw.trim();
        if entry.is_empty() {
            blank_lines += 1;
            continue;
        }
        let reason = match fetchable(entry) {
            None => Some(why_not_fetchable(entry)),
            Some(url) => match seen.get(url.as_str()) {
                Some(first) => Some(format!("duplicate of line {first}")),
                None if urls.len() >= crate::args::MAX_URLS => {
                    Some(format!("past the limit of {} URLs", crate::args::MAX_URLS))
                }
                None => {
                    seen.insert(url.as_str().to_owned(), line);
                    urls.push(entry.to_owned());
                    None
                }
            },
        };
        if let Some(reason) = reason {
            if rejected.len() < MAX_REPORTED {
                let text: String = entry.chars().take(200).collect();
                rejected.push(Rejected { line, text, reason });
            } else {
                hidden += 1;
            }
        }
    }
    if hidden > 0 {
        rejected.push(Rejected { line: 0, text: String::new(), reason: format!("and {hidden} more lines left out") });
    }
    ParsedList { urls, rejected, blank_lines }
}

fn why_not_fetchable(entry: &str) -> String {
    match url::Url::parse(entry) {
        Err(url::ParseError::RelativeUrlWithoutBase) => "not an absolute URL (no scheme)".to_owned(),
        Err(e) => format!("not a URL: {e}"),
        Ok(u) if !matches!(u.scheme(), "http" | "https") => {
            format!("{}: URLs are not fetched; only http and https are", u.scheme())
        }
        Ok(_) => "no host".to_owned(),
    }
}

/// The entry as a URL that may be fetched, or `None`: only absolute http(s) URLs
/// with a host are; `javascript:`, `data:`, `file:`, `ftp:` and relative text are not.
pub fn fetchable(entry: &str) -> Option<url::Url> {
    let parsed = url::Url::parse(entry.trim()).ok()?;
    let web = matches!(parsed.scheme(), "http" | "https");
    (web && parsed.host_str().is_some_and(|h| !h.is_empty())).then_some(parsed)
}

/// Classifies a rejected fetch by the name of the error the browser raised.
pub fn classify(error_name: &str, timed_out: bool, stopped: bool) -> LinkError {
    match error_name {
        _ if stopped => LinkError::Aborted,
        "TimeoutError" => LinkError::Timeout,
        "AbortError" if timed_out => LinkError::Timeout,
        "AbortError" => LinkError::Aborted,
        _ => LinkError::Network,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_web_urls_are_fetched() {
        for ok in [
            "http://a.localhost:8080/lab/status/200",
            "https://example.org",
            " https://example.org/?q=<script>alert(1)</script> ",
        ] {
            assert!(fetchable(ok).is_some(), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<b>x</b>",
            "file:///etc/passwd",
            "ftp://example.org/",
            "/lab/status/200",
            "example.org",
            "",
            "http://",
            "mailto:a@b.c",
        ] {
            assert!(fetchable(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn ok_means_a_final_2xx() {
        assert!(LinkResult::answered("u".into(), 0, 204, 0, 1.0, false).ok);
        assert!(!LinkResult::answered("u".into(), 0, 404, 9, 1.0, false).ok);
        assert!(!LinkResult::answered("u".into(), 0, 301, 0, 1.0, false).ok);
        let f = LinkResult::failed("x".into(), 3, LinkError::InvalidUrl, 0.0);
        assert_eq!((f.ok, f.status, f.error), (false, None, Some(LinkError::InvalidUrl)));
    }

    #[test]
    fn the_scheduler_bounds_total_and_per_host() {
        let hosts: Vec<Option<String>> =
            ["a", "a", "a", "b", "b", "c"].iter().map(|h| Some(h.to_string())).chain([None]).collect();
        let mut s = Scheduler::new(&hosts, 3, 2);
        assert_eq!((s.start_next(), s.start_next(), s.start_next(), s.start_next()), (Some(0), Some(1), Some(3), None));
        s.done(0);
        // Host a is back to one request, but entry 4 (host b) comes first in the list.
        assert_eq!(s.start_next(), Some(2));
        s.done(1);
        assert_eq!(s.start_next(), Some(4));
        s.done(2);
        assert_eq!(s.start_next(), Some(5));
        s.done(6); // an unfetched entry holds no slot
        assert_eq!(s.start_next(), None);
        assert_eq!(s.waiting(), 0);
    }

    #[test]
    fn a_busy_host_does_not_block_the_others() {
        let hosts: Vec<Option<String>> = ["a", "a", "a", "b"].iter().map(|h| Some(h.to_string())).collect();
        let mut s = Scheduler::new(&hosts, 10, 1);
        assert_eq!((s.start_next(), s.start_next(), s.start_next()), (Some(0), Some(3), None));
    }

    #[test]
    fn lists_are_checked_line_by_line() {
        let text = "https://a.example/\n\n  javascript:alert(1)\ndata:text/html,<b>\nfile:///etc/passwd\nftp://x.org/f\nexample.org\nhttps://a.example/\nhttps://a.example/?q=<script>alert(1)</script>\n";
        let p = parse_list(text);
        assert_eq!(p.urls, ["https://a.example/", "https://a.example/?q=<script>alert(1)</script>"]);
        assert_eq!(p.blank_lines, 1);
        let lines: Vec<(usize, &str)> = p.rejected.iter().map(|r| (r.line, r.reason.as_str())).collect();
        assert_eq!(lines[0], (3, "javascript: URLs are not fetched; only http and https are"));
        assert_eq!(lines[1].0, 4);
        assert_eq!(lines[2], (5, "file: URLs are not fetched; only http and https are"));
        assert_eq!(lines[3], (6, "ftp: URLs are not fetched; only http and https are"));
        assert_eq!(lines[4], (7, "not an absolute URL (no scheme)"));
        assert_eq!(lines[5], (8, "duplicate of line 1"));
    }

    #[test]
    fn a_list_keeps_at_most_ten_thousand() {
        let text: String = (0..10_001).map(|i| format!("http://h.localhost/{i}\n")).collect();
        let p = parse_list(&text);
        assert_eq!(p.urls.len(), 10_000);
        assert_eq!(p.rejected.len(), 1);
        assert_eq!(p.rejected[0].line, 10_001);
        assert!(p.rejected[0].reason.contains("10000"));
    }

    #[test]
    fn retries_back_off_and_only_where_it_helps() {
        assert_eq!((1..=7).map(retry_delay_ms).collect::<Vec<_>>(), [250, 500, 1000, 2000, 4000, 4000, 4000]);
        assert!(LinkResult::failed("u".into(), 0, LinkError::Timeout, 1.0).retryable());
        assert!(LinkResult::answered("u".into(), 0, 503, 0, 1.0, false).retryable());
        assert!(!LinkResult::answered("u".into(), 0, 404, 0, 1.0, false).retryable());
        assert!(!LinkResult::failed("u".into(), 0, LinkError::InvalidUrl, 0.0).retryable());
        let opaque = LinkResult::reached("u".into(), 0, 1.0);
        assert_eq!((opaque.ok, opaque.status, opaque.opaque), (true, None, true));
    }

    #[test]
    fn host_keys_include_scheme_and_port() {
        let k = |u: &str| host_key(&url::Url::parse(u).unwrap());
        assert_eq!(k("http://a.localhost:8080/x"), "http://a.localhost:8080");
        assert_eq!(k("https://example.org/"), "https://example.org:443");
        assert_ne!(k("http://a.localhost:8080/"), k("http://b.localhost:8080/"));
    }

    #[test]
    fn errors_are_classified() {
        assert_eq!(classify("TimeoutError", false, false), LinkError::Timeout);
        assert_eq!(classify("AbortError", true, false), LinkError::Timeout);
        assert_eq!(classify("AbortError", false, true), LinkError::Aborted);
        assert_eq!(classify("TypeError", false, false), LinkError::Network);
        let names: Vec<String> = [LinkError::Timeout, LinkError::Network, LinkError::InvalidUrl, LinkError::Aborted]
            .iter()
            .map(|e| serde_json::to_string(e).unwrap())
            .collect();
        assert_eq!(names, ["\"timeout\"", "\"network\"", "\"invalid-url\"", "\"aborted\""]);
    }
}
