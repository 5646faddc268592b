//! Inputs through the built binary: an HTML page reduced to its article, a page fetched
//! from a (local) web server, and an unreachable URL.

use std::io::{Read, Write};
use std::net::TcpListener;

use crate::common::*;
use serde_json::Value;

/// A real article from coverage-dev, wrapped in a page with navigation, a script and a
/// footer, as a news site serves it.
fn real_article_page() -> (String, Vec<String>) {
    let data = std::fs::read_to_string(shared_data("coverage-dev.jsonl")).unwrap();
    let rec: Value = data
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["id"] == "geneva_talks_nov23-091")
        .unwrap();
    let paragraphs: Vec<String> = rec["text"]
        .as_str()
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|l| l.split_whitespace().count() > 8)
        .map(str::to_string)
        .collect();
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    let html = format!(
        "<!DOCTYPE html><html><head><title>{}</title><script>window.trackingPixel = 'SCRIPTMARKER';</script></head>\
         <body><nav><ul><li><a href='/'>Home</a></li><li><a href='/news'>NAVMARKER News</a></li></ul></nav>\
         <article><h1>{}</h1>{body}</article><footer>FOOTERMARKER All rights reserved</footer></body></html>",
        rec["title"].as_str().unwrap_or("Geneva"),
        rec["title"].as_str().unwrap_or("Geneva")
    );
    (html, paragraphs)
}

fn assert_summary_from_article(stdout: &[u8], paragraphs: &[String]) {
    let v: Value = serde_json::from_slice(stdout).unwrap();
    let summary = v["summary"].as_str().unwrap();
    for marker in ["SCRIPTMARKER", "NAVMARKER", "FOOTERMARKER"] {
        assert!(
            !summary.contains(marker),
            "page debris in summary: {summary}"
        );
    }
    for s in v["sentences"].as_array().unwrap() {
        let text = s["text"].as_str().unwrap();
        assert!(
            paragraphs.iter().any(|p| p.contains(text)),
            "not from the article: {text}"
        );
    }
}

#[test]
fn an_html_file_is_reduced_to_its_article() {
    let (html, paragraphs) = real_article_page();
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("article.html");
    std::fs::write(&page, html).unwrap();
    let out = parallax()
        .args(["summarize", "-n", "2", "-f", "json"])
        .arg(&page)
        .output()
        .unwrap();
    assert_success(&out);
    assert_summary_from_article(&out.stdout, &paragraphs);
}

#[test]
fn a_url_is_fetched_and_reduced_to_its_article() {
    let (html, paragraphs) = real_article_page();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        let _ = conn.read(&mut buf).unwrap();
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            html.len()
        );
        conn.write_all(head.as_bytes()).unwrap();
        conn.write_all(html.as_bytes()).unwrap();
    });
    let url = format!("http://127.0.0.1:{port}/news/geneva");
    let out = parallax()
        .args(["summarize", "-n", "2", "-f", "json", &url])
        .output()
        .unwrap();
    server.join().unwrap();
    assert_success(&out);
    assert_summary_from_article(&out.stdout, &paragraphs);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["url"], url.as_str());
}

#[test]
fn an_unreachable_url_is_a_clear_error() {
    // Bind then drop: nothing listens on the port any more.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/gone");
    let out = parallax().args(["summarize", &url]).output().unwrap();
    assert_clean_failure(&out, &[&url, "cannot fetch"]);
}

/// Hostile HTML: a page nested 5,000 elements deep (readability's scoring would take
/// seconds per thousand levels) is refused with a clear message; a page of only scripts says
/// it has no article. Neither panics.
#[test]
fn hostile_html_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let deep = dir.path().join("deep.html");
    let sentence = "<p>The council met on Monday to discuss the budget for next year.</p>";
    std::fs::write(
        &deep,
        format!(
            "<html><body>{}{sentence}{}</body></html>",
            "<div>".repeat(5000),
            "</div>".repeat(5000)
        ),
    )
    .unwrap();
    let out = parallax().arg("summarize").arg(&deep).output().unwrap();
    assert_clean_failure(&out, &["deep.html", "nested deeper than 2000"]);
    // The same page at an ordinary depth is summarized.
    let shallow = dir.path().join("shallow.html");
    std::fs::write(
        &shallow,
        format!(
            "<html><body>{}{sentence}{}</body></html>",
            "<div>".repeat(50),
            "</div>".repeat(50)
        ),
    )
    .unwrap();
    let out = parallax()
        .args(["-q", "summarize"])
        .arg(&shallow)
        .output()
        .unwrap();
    assert_success(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("council met on Monday"));
    let scripts = dir.path().join("scripts.html");
    std::fs::write(
        &scripts,
        format!(
            "<html><body>{}</body></html>",
            "<script>var x = 1;</script>".repeat(5000)
        ),
    )
    .unwrap();
    let out = parallax().arg("summarize").arg(&scripts).output().unwrap();
    assert_clean_failure(&out, &["scripts.html", "no article text"]);
}

/// A web server on 127.0.0.1 that never stops serving: `/loop` redirects to itself,
/// `/endless` streams a page that never ends. Returns its address.
fn hostile_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let n = conn.read(&mut buf).unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).to_string();
                if request.starts_with("GET /loop") {
                    let _ = conn.write_all(
                        b"HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                } else {
                    let _ = conn.write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n",
                    );
                    let chunk = "<p>The council met again to discuss the budget. </p>".repeat(1000);
                    let framed = format!("{:x}\r\n{chunk}\r\n", chunk.len());
                    // Until the client hangs up.
                    while conn.write_all(framed.as_bytes()).is_ok() {}
                }
            });
        }
    });
    addr
}

/// A URL that redirects in a loop and one that streams forever both end in a clear error,
/// quickly: redirects are capped (ureq's 10) and bodies at 10 MiB.
#[test]
fn looping_and_endless_urls_end_clearly() {
    let addr = hostile_server();
    let started = std::time::Instant::now();
    let url = format!("{addr}/loop");
    let out = parallax().args(["summarize", &url]).output().unwrap();
    let err = assert_clean_failure(&out, &[&url]);
    assert!(err.to_lowercase().contains("redirect"), "{err}");
    let url = format!("{addr}/endless");
    let out = parallax().args(["summarize", &url]).output().unwrap();
    assert_clean_failure(&out, &[&url, "larger than 10 MiB"]);
    // A bound on "ends", not a speed goal: a few seconds on an idle machine, and the fetch
    // timeout (20 s a request) would end a hang; 120 s holds on a loaded CI machine too.
    assert!(started.elapsed().as_secs() < 120, "{:?}", started.elapsed());
}

/// A "sentence" of 900,000 letters without a space (just under --max-chars), and text in many scripts with bidi controls,
/// give a summary or a clear error, never a panic.
#[test]
fn a_megabyte_without_spaces_and_bidi_text_do_not_break_summarize() {
    let dir = tempfile::tempdir().unwrap();
    let long = dir.path().join("long.txt");
    let text = format!(
        "The council met on Monday to discuss the budget for next year. {}. \
         The mayor said the plan would be published on Friday.",
        "x".repeat(900_000)
    );
    std::fs::write(&long, text).unwrap();
    let out = parallax()
        .args(["summarize", "-n", "2", "-f", "json"])
        .arg(&long)
        .output()
        .unwrap();
    assert_success(&out);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["summary"].as_str().unwrap().contains("council")
            || v["summary"].as_str().unwrap().contains("mayor")
    );

    let bidi = dir.path().join("bidi.txt");
    std::fs::write(
        &bidi,
        "\u{202E}The council met on Monday\u{202C} to discuss the budget for next year. \
         מועצת העיר התכנסה ביום שני כדי לדון בתקציב. اجتمع المجلس يوم الاثنين لمناقشة الميزانية. \
         市议会周一开会讨论明年的预算。 Совет собрался в понедельник, чтобы обсудить бюджет. \
         \u{2067}नगर परिषद ने सोमवार को बजट पर चर्चा की।\u{2069} The mayor said the plan would be published on Friday.",
    )
    .unwrap();
    let out = parallax()
        .args(["summarize", "-n", "2", "-f", "json"])
        .arg(&bidi)
        .output()
        .unwrap();
    assert_success(&out);
}

/// The one-shot commands hold their inputs whole, so each input is bounded: a file over
/// the bound is refused before it is read (sparse files: reading them would take seconds),
/// JSON Lines included, and standard input is read no further than the bound.
#[test]
fn one_shot_inputs_are_bounded_files_and_stdin_alike() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.jsonl");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(300_000_000)
        .unwrap();
    let out = parallax().arg("summarize").arg(&big).output().unwrap();
    assert_clean_failure(&out, &["big.jsonl", "300 MB", "parallax batch"]);
    let out = parallax()
        .arg("compare")
        .arg(&big)
        .arg(shared_data("seed-article.txt"))
        .output()
        .unwrap();
    assert_clean_failure(&out, &["big.jsonl", "parallax batch"]);

    // 280 MB on standard input: refused once the bound (256 MiB) is passed.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("parallax"))
        .args(["summarize", "-"])
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = "word ".repeat(200_000).into_bytes();
        for _ in 0..280 {
            if std::io::Write::write_all(&mut stdin, &chunk).is_err() {
                return; // the reader stopped: what the bound is for
            }
        }
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_clean_failure(&out, &["<stdin>", "more than 268 MB"]);
}
