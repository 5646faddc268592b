//! Fetching an article by URL: with a timeout and a size cap, so a slow or huge page fails
//! clearly instead of hanging a batch or filling memory.

use std::time::Duration;

use crate::error::{Error, Result};

/// Limits for one fetch.
#[derive(Debug, Clone, Copy)]
pub struct FetchLimits {
    /// The most a request may take.
    pub timeout: Duration,
    /// The largest body read.
    pub max_bytes: u64,
}

impl Default for FetchLimits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(20),
            max_bytes: 10 * 1024 * 1024,
        }
    }
}

/// A fetched page: its body as text and whether the server called it HTML.
#[derive(Debug)]
pub struct Page {
    /// The body as text.
    pub body: String,
    /// Whether the server said it is HTML.
    pub is_html: bool,
}

/// Whether an input names an http(s) URL.
pub fn is_url(input: &str) -> bool {
    input.starts_with("http://") || input.starts_with("https://")
}

/// Fetches a page within `limits`; every failure is an error naming the URL.
pub fn fetch(url: &str, limits: FetchLimits) -> Result<Page> {
    let fail = |what: String| Error::Input(format!("{url}: {what}"));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(limits.timeout))
        .user_agent(concat!("parallax/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut response = agent.get(url).call().map_err(|e| match e {
        ureq::Error::StatusCode(code) => fail(format!("the server answered HTTP {code}")),
        ureq::Error::Timeout(_) => fail(format!(
            "no answer within {} s; check the address, or save the page and pass the file",
            limits.timeout.as_secs()
        )),
        other => fail(format!("cannot fetch: {other}; check the address and the network, or save the page and pass the file")),
    })?;
    let is_html = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("html"));
    let body = response
        .body_mut()
        .with_config()
        .limit(limits.max_bytes)
        .read_to_string()
        .map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => fail(format!(
                "the page is larger than {} MiB; save the article text and pass the file",
                limits.max_bytes / (1024 * 1024)
            )),
            other => fail(format!("cannot read the page: {other}")),
        })?;
    Ok(Page { body, is_html })
}
