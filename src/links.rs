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
    /// The URL answers with a redirect, but following its redirects never arrives: a
    /// loop, more hops than the browser follows (20), or a target that does not
    /// answer. The browser reports all three as the same network error; a second
    /// request that does not follow redirects tells them from other failures.
    Redirects,
    /// Not an absolute http(s) URL; never fetched.
    InvalidUrl,
    /// Stopped by the user before it finished.
    Aborted,
}

/// What one entry came to: exactly one of these, so no two fields can disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The server answered with a status the page can read (a `cors` request).
    Answered {
        status: u16,
        /// Body size in bytes (for HEAD, the Content-Length, if sent).
        bytes: u64,
        /// Redirects were followed to get here.
        redirected: bool,
        /// `Retry-After` in seconds, where the answer sent one (with 429 or 503, say).
        retry_after_s: Option<u32>,
    },
    /// A `no-cors` answer: the server answered, but the browser hides its status and
    /// body. Reachable, nothing more is known.
    Opaque,
    /// No answer; the error says why.
    Failed(LinkError),
}

/// The class an outcome is counted under: its status class, or its error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum OutcomeClass {
    #[serde(rename = "2xx")]
    Success,
    #[serde(rename = "3xx")]
    Redirection,
    #[serde(rename = "4xx")]
    ClientError,
    #[serde(rename = "5xx")]
    ServerError,
    /// 1xx or a status outside 100–599: rare, but a server may send it.
    #[serde(rename = "other-status")]
    OtherStatus,
    #[serde(rename = "reachable")]
    Reachable,
    #[serde(rename = "timeout")]
    Timeout,
    #[serde(rename = "network")]
    Network,
    #[serde(rename = "redirects")]
    Redirects,
    #[serde(rename = "invalid-url")]
    InvalidUrl,
    #[serde(rename = "aborted")]
    Aborted,
}

impl OutcomeClass {
    /// Every class, in the order the page lists them.
    pub const ALL: [OutcomeClass; 11] = [
        OutcomeClass::Success,
        OutcomeClass::Redirection,
        OutcomeClass::ClientError,
        OutcomeClass::ServerError,
        OutcomeClass::OtherStatus,
        OutcomeClass::Reachable,
        OutcomeClass::Timeout,
        OutcomeClass::Network,
        OutcomeClass::Redirects,
        OutcomeClass::InvalidUrl,
        OutcomeClass::Aborted,
    ];
}

/// What a link checker's user makes of an outcome: the tally the page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// A final 2xx, or an opaque answer: the link works.
    Ok,
    /// A 3xx that was not followed (no `Location`, or too many hops): it points
    /// elsewhere, which is not the same as broken.
    Redirect,
    /// The server says the target is missing or failing (4xx, 5xx, other statuses).
    Broken,
    /// No answer in time, or none at all (refused, DNS, TLS, CORS).
    Unreachable,
    /// Not an http(s) URL: never fetched.
    Skipped,
    /// Stopped by the user before it finished.
    Stopped,
}

impl Verdict {
    /// Every verdict, in the order the page lists them.
    pub const ALL: [Verdict; 6] =
        [Verdict::Ok, Verdict::Redirect, Verdict::Broken, Verdict::Unreachable, Verdict::Skipped, Verdict::Stopped];
}

impl Outcome {
    pub fn class(&self) -> OutcomeClass {
        match *self {
            Outcome::Answered { status, .. } => match status {
                200..=299 => OutcomeClass::Success,
                300..=399 => OutcomeClass::Redirection,
                400..=499 => OutcomeClass::ClientError,
                500..=599 => OutcomeClass::ServerError,
                _ => OutcomeClass::OtherStatus,
            },
            Outcome::Opaque => OutcomeClass::Reachable,
            Outcome::Failed(LinkError::Timeout) => OutcomeClass::Timeout,
            Outcome::Failed(LinkError::Network) => OutcomeClass::Network,
            Outcome::Failed(LinkError::Redirects) => OutcomeClass::Redirects,
            Outcome::Failed(LinkError::InvalidUrl) => OutcomeClass::InvalidUrl,
            Outcome::Failed(LinkError::Aborted) => OutcomeClass::Aborted,
        }
    }

    pub fn verdict(&self) -> Verdict {
        match self.class() {
            OutcomeClass::Success | OutcomeClass::Reachable => Verdict::Ok,
            OutcomeClass::Redirection => Verdict::Redirect,
            OutcomeClass::ClientError
            | OutcomeClass::ServerError
            | OutcomeClass::OtherStatus
            | OutcomeClass::Redirects => Verdict::Broken,
            OutcomeClass::Timeout | OutcomeClass::Network => Verdict::Unreachable,
            OutcomeClass::InvalidUrl => Verdict::Skipped,
            OutcomeClass::Aborted => Verdict::Stopped,
        }
    }

    /// The link works: a final 2xx, or (no-cors) the server answered.
    pub fn ok(&self) -> bool {
        self.verdict() == Verdict::Ok
    }

    pub fn status(&self) -> Option<u16> {
        match *self {
            Outcome::Answered { status, .. } => Some(status),
            _ => None,
        }
    }

    pub fn error(&self) -> Option<LinkError> {
        match *self {
            Outcome::Failed(e) => Some(e),
            _ => None,
        }
    }

    /// Worth another try: no answer, or an answer that says "later".
    pub fn retryable(&self) -> bool {
        matches!(self, Outcome::Failed(LinkError::Timeout | LinkError::Network))
            || matches!(self.status(), Some(429 | 502 | 503 | 504))
    }
}

/// The outcome of one entry of the list.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkResult {
    /// The entry as given.
    pub url: String,
    /// Its place in the list, from 0.
    pub index: usize,
    pub outcome: Outcome,
    /// From the first request being sent to the last body being read.
    pub ms: f64,
    /// Requests made for this entry (retries included; HEAD then GET counts as one).
    pub attempts: u32,
    /// Time spent waiting between attempts (back-off, or what `Retry-After` asked).
    pub waited_ms: f64,
}

/// The fields of a serialized [`LinkResult`], in order: the page's table and its CSV
/// and JSON exports take their columns from here.
pub const RESULT_FIELDS: [&str; 13] = [
    "index",
    "url",
    "class",
    "verdict",
    "ok",
    "status",
    "bytes",
    "ms",
    "error",
    "redirected",
    "opaque",
    "attempts",
    "waitedMs",
];

/// A result as the page receives it: the outcome spelled out, with the class and the
/// verdict Rust decided, so the page re-derives nothing.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LinkResultOut<'a> {
    index: usize,
    url: &'a str,
    class: OutcomeClass,
    verdict: Verdict,
    ok: bool,
    status: Option<u16>,
    bytes: Option<u64>,
    ms: f64,
    error: Option<LinkError>,
    redirected: bool,
    opaque: bool,
    attempts: u32,
    waited_ms: f64,
}

impl Serialize for LinkResult {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let o = self.outcome;
        let (bytes, redirected) = match o {
            Outcome::Answered { bytes, redirected, .. } => (Some(bytes), redirected),
            _ => (None, false),
        };
        LinkResultOut {
            index: self.index,
            url: &self.url,
            class: o.class(),
            verdict: o.verdict(),
            ok: o.ok(),
            status: o.status(),
            bytes,
            ms: self.ms,
            error: o.error(),
            redirected,
            opaque: o == Outcome::Opaque,
            attempts: self.attempts,
            waited_ms: self.waited_ms,
        }
        .serialize(s)
    }
}

impl LinkResult {
    pub fn new(url: String, index: usize, outcome: Outcome, ms: f64) -> Self {
        LinkResult { url, index, outcome, ms, attempts: 1, waited_ms: 0.0 }
    }

    pub fn failed(url: String, index: usize, error: LinkError, ms: f64) -> Self {
        Self::new(url, index, Outcome::Failed(error), ms)
    }
}

/// The longest wait a `Retry-After` is honoured for: past it the checker waits this
/// long, its own budget, and says so in `waitedMs`.
pub const MAX_RETRY_AFTER_MS: u32 = 30_000;

/// Milliseconds to wait before retry number `attempt` (from 1): the back-off, or what
/// the server's `Retry-After` asked if that is longer, up to [`MAX_RETRY_AFTER_MS`].
pub fn retry_wait_ms(attempt: u32, retry_after_s: Option<u32>) -> u32 {
    let asked = retry_after_s.map_or(0, |s| s.saturating_mul(1000).min(MAX_RETRY_AFTER_MS));
    retry_delay_ms(attempt).max(asked)
}

impl Outcome {
    /// The `Retry-After` an answer carried, in seconds.
    pub fn retry_after_s(&self) -> Option<u32> {
        match *self {
            Outcome::Answered { retry_after_s, .. } => retry_after_s,
            _ => None,
        }
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

/// At most this many URLs in one check.
pub const MAX_URLS: usize = 10_000;
/// At most this many requests in flight.
pub const MAX_CONCURRENCY: usize = 1_000;
/// Requests in flight when `concurrency` is not given.
pub const DEFAULT_CONCURRENCY: usize = 10;
/// Per-request timeout when `timeoutMs` is not given, and its bounds.
pub const DEFAULT_TIMEOUT_MS: u32 = 10_000;
pub const MAX_TIMEOUT_MS: u32 = 600_000;
/// At most this many retries per entry.
pub const MAX_RETRIES: u32 = 5;

/// A list of the lab server's own endpoints, for a check with no internet. Entries
/// that start with `/lab/` are spread by the page over `a.localhost`, `b.localhost`, …
/// (each its own host, so the browser's per-host connection cap does not bite);
/// `{protocol}` is the page's own.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct LabList {
    pub id: &'static str,
    pub title: &'static str,
    pub entries: &'static [&'static str],
}

/// The lab lists, the default first. The default shows the concurrency lesson: no
/// entry waits for a timeout, so the wall time falls as C grows. The error classes
/// get their own list, where one hung request sets the time.
pub const LAB_LISTS: [LabList; 2] = [
    LabList {
        id: "lab",
        title: "the lab list (offline)",
        entries: &[
            "/lab/status/200",
            "/lab/status/204",
            "/lab/status/301",
            "/lab/status/404",
            "/lab/status/410",
            "/lab/status/500",
            "/lab/status/503",
            "/lab/delay/100",
            "/lab/delay/250",
            "/lab/delay/500",
            "/lab/delay/750",
            "/lab/delay/1000",
            "/lab/bytes/0",
            "/lab/bytes/1024",
            "/lab/bytes/65536",
            "/lab/bytes/1048576",
            "/lab/redirect/1",
            "/lab/redirect/3",
            "/lab/redirect/10",
        ],
    },
    LabList {
        id: "errors",
        title: "every error class (offline; one entry hangs until the timeout)",
        entries: &[
            "/lab/status/200",
            "/lab/status/301",
            "/lab/status/404",
            "/lab/status/503",
            "/lab/delay/1500",
            "/lab/hang",
            "/lab/redirect-loop",
            "/lab/redirect/25",
            // Nothing listens on port 47: the connection is refused.
            "{protocol}//refused.localhost:47/",
            "ftp://example.org/not-fetched.txt",
        ],
    },
];

/// A checked link check.
#[derive(Debug, Clone, PartialEq)]
pub struct LinksJob {
    pub urls: Vec<String>,
    pub concurrency: usize,
    pub timeout_ms: u32,
    pub mode: FetchMode,
    pub retries: u32,
    /// At most this many requests in flight to one host; defaults to `concurrency`.
    pub per_host: usize,
    pub method: Method,
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
/// kept; duplicates are folded into their first line; at most [`MAX_URLS`] are kept.
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
                None if urls.len() >= MAX_URLS => Some(format!("past the limit of {MAX_URLS} URLs")),
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

    fn answered(status: u16) -> Outcome {
        Outcome::Answered { status, bytes: 0, redirected: false, retry_after_s: None }
    }

    #[test]
    fn ok_means_a_final_2xx_or_an_opaque_answer() {
        assert!(answered(204).ok());
        assert!(!answered(404).ok());
        assert!(!answered(301).ok());
        assert!(Outcome::Opaque.ok());
        let f = Outcome::Failed(LinkError::InvalidUrl);
        assert_eq!((f.ok(), f.status(), f.error()), (false, None, Some(LinkError::InvalidUrl)));
    }

    #[test]
    fn classes_and_verdicts() {
        let cases = [
            (answered(200), OutcomeClass::Success, Verdict::Ok),
            (answered(301), OutcomeClass::Redirection, Verdict::Redirect),
            (answered(404), OutcomeClass::ClientError, Verdict::Broken),
            (answered(503), OutcomeClass::ServerError, Verdict::Broken),
            (answered(99), OutcomeClass::OtherStatus, Verdict::Broken),
            (Outcome::Opaque, OutcomeClass::Reachable, Verdict::Ok),
            (Outcome::Failed(LinkError::Timeout), OutcomeClass::Timeout, Verdict::Unreachable),
            (Outcome::Failed(LinkError::Network), OutcomeClass::Network, Verdict::Unreachable),
            (Outcome::Failed(LinkError::Redirects), OutcomeClass::Redirects, Verdict::Broken),
            (Outcome::Failed(LinkError::InvalidUrl), OutcomeClass::InvalidUrl, Verdict::Skipped),
            (Outcome::Failed(LinkError::Aborted), OutcomeClass::Aborted, Verdict::Stopped),
        ];
        for (o, class, verdict) in cases {
            assert_eq!((o.class(), o.verdict()), (class, verdict), "{o:?}");
        }
    }

    #[test]
    fn a_result_serializes_its_fields_in_the_documented_order() {
        let r = LinkResult {
            url: "http://a.localhost/x".into(),
            index: 4,
            outcome: Outcome::Answered { status: 200, bytes: 12, redirected: true, retry_after_s: None },
            ms: 3.5,
            attempts: 2,
            waited_ms: 250.0,
        };
        let v = serde_json::to_value(&r).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        let mut want = RESULT_FIELDS.to_vec();
        want.sort_unstable();
        assert_eq!(keys, want, "serde_json sorts keys; the same set either way");
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"index":4,"url":"http://a.localhost/x","class":"2xx","verdict":"ok","ok":true,"status":200,"bytes":12,"ms":3.5,"error":null,"redirected":true,"opaque":false,"attempts":2,"waitedMs":250.0}"#
        );
        let opaque = serde_json::to_value(LinkResult::new("u".into(), 0, Outcome::Opaque, 1.0)).unwrap();
        assert_eq!(
            (&opaque["class"], &opaque["ok"], &opaque["status"], &opaque["opaque"]),
            (&"reachable".into(), &true.into(), &serde_json::Value::Null, &true.into())
        );
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
        assert!(Outcome::Failed(LinkError::Timeout).retryable());
        assert!(answered(503).retryable());
        assert!(answered(429).retryable());
        assert!(!answered(404).retryable());
        assert!(!Outcome::Failed(LinkError::InvalidUrl).retryable());
        assert!(!Outcome::Opaque.retryable());
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_budget() {
        assert_eq!(retry_wait_ms(1, None), 250);
        assert_eq!(retry_wait_ms(1, Some(2)), 2000);
        assert_eq!(retry_wait_ms(4, Some(1)), 2000, "the back-off when it is longer");
        assert_eq!(retry_wait_ms(1, Some(3600)), MAX_RETRY_AFTER_MS);
        assert_eq!(retry_wait_ms(1, Some(u32::MAX)), MAX_RETRY_AFTER_MS);
        let o = Outcome::Answered { status: 503, bytes: 0, redirected: false, retry_after_s: Some(1) };
        assert_eq!((o.retry_after_s(), o.retryable()), (Some(1), true));
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
        let names: Vec<String> =
            [LinkError::Timeout, LinkError::Network, LinkError::Redirects, LinkError::InvalidUrl, LinkError::Aborted]
                .iter()
                .map(|e| serde_json::to_string(e).unwrap())
                .collect();
        assert_eq!(names, ["\"timeout\"", "\"network\"", "\"redirects\"", "\"invalid-url\"", "\"aborted\""]);
    }
}
