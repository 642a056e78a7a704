//! The link checker's rules, apart from how requests are sent: which entries may be
//! fetched, how an outcome is classified, and the result each entry gets.

use serde::Serialize;

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
        }
    }

    pub fn failed(url: String, index: usize, error: LinkError, ms: f64) -> Self {
        LinkResult { url, index, ok: false, status: None, bytes: None, ms, error: Some(error), redirected: false }
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
