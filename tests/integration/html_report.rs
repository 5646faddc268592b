//! `compare --format html`: one self-contained page, opened in headless Chromium (Debian's
//! package, installed by scripts/install_browser.sh, which `make test` runs): it renders,
//! every source is on it, the charts have bars, and hostile article text stays text.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{assert_success, parallax, shared_data, stdout_of};

fn chromium() -> PathBuf {
    let p = PathBuf::from("/usr/bin/chromium");
    assert!(
        p.exists(),
        "this test needs Debian's chromium: run scripts/install_browser.sh (make test does)"
    );
    p
}

/// Runs headless Chromium on a local file with the network-quiet flags this machine needs.
fn browser(args: &[&str], page: &Path) -> std::process::Output {
    let profile = tempfile::tempdir().unwrap();
    Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,2400",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap()
}

fn html_report(args: &[&str], out: &Path) {
    let o = parallax()
        .arg("compare")
        .args(args)
        .args([
            "--format",
            "html",
            "--threads",
            "2",
            "-q",
            "--model",
            "all-MiniLM-L6-v2",
            "-o",
        ])
        .arg(out)
        .output()
        .unwrap();
    assert_success(&o);
}

/// Nothing in the page may make a request: no scripts, stylesheets, images, frames or
/// CSS urls; the only addresses are the links to the original articles (and the index's
/// in-page anchors).
fn assert_self_contained(html: &str) {
    let lower = html.to_lowercase();
    for bad in [
        "<script", "<link", "<img", "<iframe", "<object", "<embed", "@import", "url(",
    ] {
        assert!(!lower.contains(bad), "page contains {bad:?}");
    }
    // Article text is escaped, so a raw '<' only ever opens one of the template's own tags.
    for tag in lower
        .split('<')
        .skip(1)
        .filter_map(|t| t.split_once('>').map(|x| x.0))
    {
        assert!(!tag.contains(" src="), "a tag loads something: <{tag}>");
    }
    for (i, _) in lower.match_indices("href=\"") {
        let rest = &lower[i + 6..];
        // '/' may be escaped as &#x2f; (the browser decodes it).
        // In-page anchors (the section index) request nothing.
        assert!(
            rest.starts_with("http:") || rest.starts_with("https:") || rest.starts_with('#'),
            "odd link: {}",
            &rest[..40.min(rest.len())]
        );
    }
}

#[test]
fn report_renders_in_chromium_with_every_source_and_charts() {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("report.html");
    let data = shared_data("coverage-dev.jsonl");
    html_report(
        &[data.to_str().unwrap(), "--event", "ternopil_strike_nov19"],
        &page,
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert_self_contained(&html);

    let dom = browser(&["--dump-dom"], &page);
    let dom = stdout_of(dom);
    let labels = [
        "RFE/RL (via GlobalSecurity.org)",
        "BNO News",
        "AP (via Newslooks)",
        "Euronews",
        "BBC News (unattributed copy at world2day.net)",
        "Zbruč (zbruc.eu)",
        "Focus.ua (Russian-language edition)",
        "24 Kanal (24tv.ua)",
        "TSN.ua (1+1)",
        "Novosti Donbassa (Russian-language edition)",
        "UNIAN",
    ];
    for l in labels {
        assert!(
            dom.contains(&format!("data-unit=\"{l}\"")),
            "no column for {l}"
        );
    }
    // Term charts for every unit that has terms, frame bars, the disagreement table.
    let term_bars = dom.matches("<rect class=\"bar\"").count();
    assert!(term_bars >= 20, "only {term_bars} bars");
    assert!(dom.matches("class=\"chart terms\"").count() >= 5);
    assert!(dom.contains("Health and safety"));
    assert!(
        dom.contains("<span class=\"val\">20</span>")
            && dom.contains("<span class=\"val\">26</span>")
    );
    assert!(dom.contains("only here"), "unique claims are marked");

    // A screenshot: Chromium laid the page out and painted it.
    let shot = tmp.path().join("report.png");
    let o = browser(&[&format!("--screenshot={}", shot.display())], &page);
    assert_success(&o);
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(
        png.len() > 50_000,
        "screenshot suspiciously small: {} bytes",
        png.len()
    );
}

#[test]
fn hostile_article_text_stays_text() {
    let tmp = tempfile::tempdir().unwrap();
    let evil_title = r#"<script>document.title='pwned'</script>Peace "plan""#;
    let evil_text = "Officials said on Sunday that the talks in Geneva made progress on the plan. \
        <img src=x onerror=\"document.title='pwned'\"> The delegation said 28 points remain. \
        \" onmouseover=\"document.title='pwned' Both sides agreed to meet again next week.";
    let records = [
        serde_json::json!({"id": "a", "outlet": "<b onclick=alert(1)>Evil & Co</b>", "country": "US",
            "title": evil_title, "url": "javascript:alert(1)", "text": evil_text}),
        serde_json::json!({"id": "b", "outlet": "Calm Daily", "country": "EU", "title": "Geneva talks",
            "url": "https://example.org/story",
            "text": "Officials said on Sunday that the Geneva talks made progress on the plan. \
                     The delegation said 20 points remain. Both sides will meet again next week."}),
    ];
    let input = tmp.path().join("evil.jsonl");
    std::fs::write(
        &input,
        records
            .iter()
            .map(|r| r.to_string() + "\n")
            .collect::<String>(),
    )
    .unwrap();
    let page = tmp.path().join("evil.html");
    html_report(&[input.to_str().unwrap()], &page);
    let html = std::fs::read_to_string(&page).unwrap();
    assert_self_contained(&html);
    assert!(
        !html.contains("<b onclick"),
        "markup from the outlet name got through"
    );
    assert!(
        !html.contains("javascript:"),
        "a javascript: URL became a link"
    );
    assert!(
        html.contains("&lt;script&gt;"),
        "the title is shown, escaped"
    );

    let dom = browser(&["--dump-dom"], &page);
    let dom = stdout_of(dom);
    // Parse what Chromium built: no script, image or injected bold element, and no
    // element with an event handler. (The hostile strings may appear as text or inside
    // escaped attribute values; only elements and attribute names can act.)
    let doc = dom_query::Document::from(dom.as_str());
    for sel in ["script", "img", "b", "iframe"] {
        assert_eq!(
            doc.select(sel).length(),
            0,
            "the page has a <{sel}> element"
        );
    }
    for node in doc.select("*").nodes() {
        for a in node.attrs() {
            let name = a.name.local.to_string();
            assert!(
                !name.starts_with("on"),
                "an element has the attribute {name}"
            );
        }
    }
    assert!(
        dom.contains("<title>How 2 sources cover the story</title>"),
        "the page title was changed"
    );
    // The hostile strings are on the page as visible text.
    assert!(dom.contains("Evil &amp; Co"));
    assert!(
        dom.contains("onerror=\"document.title") || dom.contains("onerror=&quot;document.title")
    );
}

/// Renders the page in a 1366-pixel-wide window with a script (added to a copy only: the
/// report itself has none) that writes the page's scroll and client widths into the
/// title; returns them.
fn page_widths(page: &Path) -> (u32, u32) {
    let probe = page.with_extension("probe.html");
    let html = std::fs::read_to_string(page).unwrap().replace(
        "</body>",
        "<script>document.title = 'W=' + document.documentElement.scrollWidth + \
         ' C=' + document.documentElement.clientWidth;</script></body>",
    );
    std::fs::write(&probe, html).unwrap();
    let dom = stdout_of(browser(&["--window-size=1366,768", "--dump-dom"], &probe));
    let title = dom
        .split("<title>W=")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .expect("the probe ran");
    let (w, c) = title.split_once(" C=").unwrap();
    (w.parse().unwrap(), c.parse().unwrap())
}

#[test]
fn a_seventeen_source_report_reads_on_a_laptop_screen() {
    let tmp = tempfile::tempdir().unwrap();
    let data = shared_data("coverage-dev.jsonl");
    let run = |extra: &[&str], format: &str, out: &Path| {
        let o = parallax()
            .args([
                "compare",
                data.to_str().unwrap(),
                "--event",
                "alaska_summit_aug15",
            ])
            .args(extra)
            .args(["--format", format, "--threads", "2", "-q", "-o"])
            .arg(out)
            .output()
            .unwrap();
        assert_success(&o);
    };
    let json_path = tmp.path().join("report.json");
    run(&[], "json", &json_path);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    assert_eq!(report["sources"].as_array().unwrap().len(), 17);

    let page = tmp.path().join("report.html");
    run(&[], "html", &page);
    let html = std::fs::read_to_string(&page).unwrap();
    assert_self_contained(&html);
    // Every source has its card, every shared claim its row in the matrix, with one mark
    // per unit that carries it.
    for s in report["sources"].as_array().unwrap() {
        let label = s["label"].as_str().unwrap().replace('&', "&amp;");
        assert!(
            html.contains(&format!("data-unit=\"{label}\"")),
            "no card for {label}"
        );
    }
    let shared = report["shared"].as_array().unwrap();
    assert!(shared.len() >= 10);
    assert_eq!(html.matches("<tr class=\"claim\">").count(), shared.len());
    let marks: usize = shared
        .iter()
        .map(|c| c["units"].as_array().unwrap().len())
        .sum();
    assert_eq!(html.matches("<td class=\"m\"").count(), marks);
    assert!(html.contains("id=\"naming\"") && html.contains("диктатором"));

    // No horizontal scrolling of the page at 1366 pixels, for 17 sources and 5 groups.
    let (scroll, client) = page_widths(&page);
    assert!(
        scroll <= client,
        "the page is {scroll}px wide in a {client}px window"
    );
    let grouped = tmp.path().join("grouped.html");
    run(&["--group-by", "country"], "html", &grouped);
    let (scroll, client) = page_widths(&grouped);
    assert!(scroll <= client, "grouped: {scroll}px in {client}px");

    // The screenshot is kept for a person to look at.
    let artifacts = crate::common::root().join("target/test-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let shot = artifacts.join("compare-17-sources-1366.png");
    let o = browser(
        &[
            "--window-size=1366,2400",
            &format!("--screenshot={}", shot.display()),
        ],
        &page,
    );
    assert_success(&o);
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
}
