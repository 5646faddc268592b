//! A comparison as a terminal report, markdown or JSON.

use std::fmt::Write;

use comfy_table::{presets, ContentArrangement, Table};

use crate::analyze::compare::{Cite, NliFrames, Report, UnitFrames};

/// Output formats of `compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CompareFormat {
    /// A report for the terminal (tables fit its width; colour only on a terminal).
    #[default]
    Text,
    /// Markdown.
    Markdown,
    /// One JSON object, schema `parallax.compare/1` (docs/SCHEMA.md).
    Json,
    /// One self-contained HTML page (inline CSS and SVG charts, no scripts); use with -o.
    Html,
}

/// Shared claims a reading view shows before folding the rest ("N more"): the widest
/// carried come first, and a screen of them is what a reader takes in. The JSON report
/// lists every one.
pub const SHOWN_SHARED: usize = 25;

fn more_shared(r: &Report) -> Option<String> {
    (r.shared.len() > SHOWN_SHARED).then(|| {
        format!(
            "… and {} more shared claims, each carried by fewer sources (all are in the JSON \
             report: -f json)",
            r.shared.len() - SHOWN_SHARED
        )
    })
}

/// The report in `format`; `color` for a terminal.
pub fn render(r: &Report, format: CompareFormat, color: bool) -> String {
    match format {
        CompareFormat::Json => {
            let mut s = serde_json::to_string_pretty(r).expect("reports serialize");
            s.push('\n');
            s
        }
        CompareFormat::Markdown => markdown(r),
        CompareFormat::Html => super::html::render(r),
        CompareFormat::Text => text(r, color),
    }
}

fn cite_md(c: &Cite) -> String {
    format!("{} _({}, sentence {})_", c.text, c.source, c.index + 1)
}

fn markdown(r: &Report) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# Coverage comparison\n");
    let _ = writeln!(
        o,
        "Units compared: {}. Model: {}.\n",
        r.units.join(", "),
        r.model
    );
    for w in &r.warnings {
        let _ = writeln!(o, "> **Note:** {w}\n");
    }
    let _ = writeln!(o, "## Sources\n");
    for s in &r.sources {
        let _ = writeln!(
            o,
            "### {}\n\n{}country {}, language {}, {} sentences ({} reporting){}\n",
            s.label,
            s.title
                .as_ref()
                .map(|t| format!("_{t}_ — "))
                .unwrap_or_default(),
            s.country.as_deref().unwrap_or("?"),
            s.language,
            s.sentences,
            s.reporting_sentences,
            s.url
                .as_ref()
                .map(|u| format!(" — <{u}>"))
                .unwrap_or_default()
        );
        for c in &s.summary {
            let _ = writeln!(o, "- {} _(sentence {})_", c.text, c.index + 1);
        }
        o.push('\n');
    }
    let _ = writeln!(o, "## Shared claims\n");
    if r.shared.is_empty() {
        let _ = writeln!(o, "None found.\n");
    }
    for (i, c) in r.shared.iter().enumerate().take(SHOWN_SHARED) {
        let _ = writeln!(
            o,
            "{}. **{} of {}** ({}; similarity {:.2})",
            i + 1,
            c.units.len(),
            r.units.len(),
            c.units.join(", "),
            c.similarity
        );
        for w in &c.wording {
            let _ = writeln!(o, "   - {}", cite_md(w));
        }
    }
    if let Some(more) = more_shared(r) {
        let _ = writeln!(o, "\n_{more}_");
    }
    let _ = writeln!(o, "\n## Unique claims\n");
    for u in &r.unique {
        let _ = writeln!(o, "### Only {}\n", u.unit);
        if u.claims.is_empty() {
            let _ = writeln!(o, "None found.");
        }
        for c in &u.claims {
            let _ = writeln!(
                o,
                "- {} _(nearest elsewhere {:.2}{})_",
                cite_md(&c.cite),
                c.nearest,
                c.nearest_cite
                    .as_ref()
                    .map(|n| format!(": {} #{} “{}”", n.source, n.index + 1, n.text))
                    .unwrap_or_default()
            );
        }
        o.push('\n');
    }
    let _ = writeln!(o, "## Exclusive details\n");
    if r.exclusive.is_empty() {
        let _ = writeln!(o, "None found.");
    }
    for e in &r.exclusive {
        let _ = writeln!(
            o,
            "- **{}** ({}, only {}): {}",
            e.value,
            e.kind,
            e.unit,
            cite_md(&e.cite)
        );
    }
    o.push('\n');
    let _ = writeln!(o, "## Disagreements\n");
    if r.disagreements.is_empty() {
        let _ = writeln!(o, "None found.\n");
    } else {
        let _ = writeln!(
            o,
            "| what | value | source | sentence | value | source | sentence |"
        );
        let _ = writeln!(o, "|---|---|---|---|---|---|---|");
        for d in &r.disagreements {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} |",
                d.what,
                d.a.value,
                d.a.cite.source,
                d.a.cite.text.replace('|', "\\|"),
                d.b.value,
                d.b.cite.source,
                d.b.cite.text.replace('|', "\\|")
            );
        }
        o.push('\n');
    }
    let _ = writeln!(o, "## Distinctive terms\n");
    for t in &r.terms {
        let list: Vec<String> = t
            .terms
            .iter()
            .map(|x| format!("{} (z {:.1}, {}×)", x.term, x.z, x.count))
            .collect();
        let _ = writeln!(
            o,
            "- **{}** [{}]: {}",
            t.unit,
            t.language,
            if list.is_empty() {
                "none".into()
            } else {
                list.join(", ")
            }
        );
    }
    let _ = writeln!(o, "\n## Naming\n");
    let _ = writeln!(
        o,
        "_Which words each {} uses for the contested things (glossary: {}), then the epithets \
         the text puts before the people several mention (no glossary). Counts are sentences._\n",
        if r.group_by.is_some() {
            "group"
        } else {
            "source"
        },
        if r.naming.glossary.is_empty() {
            "none"
        } else {
            &r.naming.glossary
        }
    );
    for line in naming_lines(r) {
        let _ = writeln!(o, "- {line}");
    }
    let _ = writeln!(o, "\n## Who is quoted\n");
    if r.speakers.is_empty() {
        let _ = writeln!(o, "Nobody is named as a source.");
    }
    for p in r.speakers.iter().take(MAX_SPEAKERS) {
        let _ = writeln!(
            o,
            "- **{}** ({}{}): {}",
            p.name,
            p.kind,
            also_spelled(p),
            quoted_by(p)
        );
    }
    let _ = writeln!(
        o,
        "\n## Frames ({})\n\n_{}_\n",
        r.frames.method, r.frames.note
    );
    for f in &r.frames.units {
        let _ = writeln!(
            o,
            "- **{}** ({} sentences): {}",
            f.unit,
            f.sentences,
            top_frames(f)
        );
    }
    if let Some(n) = &r.frames.nli {
        let _ = writeln!(
            o,
            "\n### Frames by {} ({}, \"{}\")\n\n_{}_\n",
            n.method, n.model, n.template, n.note
        );
        for f in &n.units {
            let _ = writeln!(
                o,
                "- **{}** ({} sentences): {}",
                f.unit,
                f.sentences,
                top_frames(f)
            );
        }
        let _ = writeln!(o, "\n{}", agreement(n));
    }
    o
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().copied());
    // comfy-table reads the terminal width itself; elsewhere, keep lines readable.
    if t.width().is_none() {
        t.set_width(120);
    }
    t
}

fn text(r: &Report, color: bool) -> String {
    let h = |s: &str| {
        if color {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}",
        h(&format!("Comparing {} ({})", r.units.join(" · "), r.model))
    );
    for w in &r.warnings {
        let _ = writeln!(o, "note: {w}");
    }
    let _ = writeln!(o, "\n{}", h("SOURCES"));
    let mut t = table(&["source", "country", "lang", "sentences", "summary"]);
    for s in &r.sources {
        t.add_row(vec![
            s.label.clone(),
            s.country.clone().unwrap_or_default(),
            s.language.clone(),
            format!("{} ({} reporting)", s.sentences, s.reporting_sentences),
            s.summary
                .iter()
                .map(|c| c.text.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        ]);
    }
    let _ = writeln!(o, "{t}");
    let _ = writeln!(o, "\n{}", h("SHARED CLAIMS (most widely carried first)"));
    if r.shared.is_empty() {
        let _ = writeln!(o, "none found");
    } else {
        let mut t = table(&["#", "carried by", "wording (source, sentence)"]);
        for (i, c) in r.shared.iter().enumerate().take(SHOWN_SHARED) {
            t.add_row(vec![
                (i + 1).to_string(),
                format!("{}/{}", c.units.len(), r.units.len()),
                c.wording
                    .iter()
                    .map(|w| format!("[{} #{}] {}", w.source, w.index + 1, w.text))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ]);
        }
        let _ = writeln!(o, "{t}");
        if let Some(more) = more_shared(r) {
            let _ = writeln!(o, "{more}");
        }
    }
    let _ = writeln!(o, "\n{}", h("UNIQUE CLAIMS"));
    let mut t = table(&["only in", "sentence", "nearest elsewhere"]);
    for u in &r.unique {
        for c in &u.claims {
            t.add_row(vec![
                u.unit.clone(),
                format!("#{} {}", c.cite.index + 1, c.cite.text),
                match &c.nearest_cite {
                    Some(n) => {
                        format!("{:.2} {} #{}: {}", c.nearest, n.source, n.index + 1, n.text)
                    }
                    None => format!("{:.2}", c.nearest),
                },
            ]);
        }
    }
    let _ = writeln!(o, "{t}");
    let _ = writeln!(o, "\n{}", h("EXCLUSIVE DETAILS"));
    let mut t = table(&["only in", "kind", "detail", "sentence"]);
    for e in &r.exclusive {
        t.add_row(vec![
            e.unit.clone(),
            e.kind.to_string(),
            e.value.clone(),
            format!("{} #{} {}", e.cite.source, e.cite.index + 1, e.cite.text),
        ]);
    }
    let _ = writeln!(o, "{t}");
    let _ = writeln!(o, "\n{}", h("DISAGREEMENTS"));
    if r.disagreements.is_empty() {
        let _ = writeln!(o, "none found");
    } else {
        let mut t = table(&["what", "one source says", "another says"]);
        for d in &r.disagreements {
            t.add_row(vec![
                d.what.clone(),
                format!("{} — {}: {}", d.a.value, d.a.cite.source, d.a.cite.text),
                format!("{} — {}: {}", d.b.value, d.b.cite.source, d.b.cite.text),
            ]);
        }
        let _ = writeln!(o, "{t}");
    }
    let _ = writeln!(o, "\n{}", h("DISTINCTIVE TERMS (log-odds z-scores)"));
    let mut t = table(&["unit", "lang", "terms"]);
    for x in &r.terms {
        t.add_row(vec![
            x.unit.clone(),
            x.language.clone(),
            x.terms
                .iter()
                .map(|t| format!("{} ({:.1})", t.term, t.z))
                .collect::<Vec<_>>()
                .join(", "),
        ]);
    }
    let _ = writeln!(o, "{t}");
    let _ = writeln!(o, "\n{}", h("NAMING (sentences per unit)"));
    let mut t = table(&["concept or person", "wording: used by"]);
    for line in naming_lines(r) {
        let (head, rest) = line.split_once(": ").unwrap_or((&line, ""));
        t.add_row(vec![head.replace("**", ""), rest.replace("**", "")]);
    }
    let _ = writeln!(o, "{t}");
    let _ = writeln!(o, "\n{}", h("WHO IS QUOTED"));
    let mut t = table(&["speaker", "quoted by (sentences, titles given)"]);
    for p in r.speakers.iter().take(MAX_SPEAKERS) {
        t.add_row(vec![format!("{}{}", p.name, also_spelled(p)), quoted_by(p)]);
    }
    let _ = writeln!(o, "{t}");
    let _ = writeln!(o, "\n{}", h("FRAMES (approximate)"));
    let _ = writeln!(o, "{}", frames_table(&r.frames.units));
    if let Some(n) = &r.frames.nli {
        let _ = writeln!(
            o,
            "\n{}",
            h(&format!("FRAMES BY ZERO-SHOT NLI ({})", n.model))
        );
        let _ = writeln!(o, "{}", frames_table(&n.units));
        let _ = writeln!(o, "{}", agreement(n));
    }
    o
}

fn frames_table(units: &[UnitFrames]) -> Table {
    let mut t = table(&["unit", "sentences", "top frames"]);
    for f in units {
        t.add_row(vec![f.unit.clone(), f.sentences.to_string(), top_frames(f)]);
    }
    t
}

/// The four largest frames of a unit with their shares.
fn top_frames(f: &UnitFrames) -> String {
    f.shares
        .iter()
        .take(4)
        .map(|s| format!("{} {:.0}%", s.frame, s.share * 100.0))
        .collect::<Vec<_>>()
        .join(", ")
}

fn agreement(n: &NliFrames) -> String {
    format!(
        "NLI and similarity agree on {:.0}% of sentences ({} pairs read in {:.1} s).",
        n.agreement * 100.0,
        n.pairs,
        n.elapsed_ms as f64 / 1000.0
    )
}

/// Speakers listed in the text and markdown views (JSON has them all).
const MAX_SPEAKERS: usize = 15;

/// "; also Песков, Пескова": the other spellings of a speaker.
fn also_spelled(p: &crate::analyze::compare::Person) -> String {
    let others: Vec<&str> = p
        .spellings
        .iter()
        .filter(|s| **s != p.name)
        .map(String::as_str)
        .collect();
    if others.is_empty() {
        String::new()
    } else {
        format!("; also {}", others.join(", "))
    }
}

/// "RU 9 as пресс-секретарь президента РФ; US 4 as Kremlin spokesman".
fn quoted_by(p: &crate::analyze::compare::Person) -> String {
    p.units
        .iter()
        .map(|u| {
            if u.titles.is_empty() {
                format!("{} {}", u.unit, u.count)
            } else {
                format!("{} {} as {}", u.unit, u.count, u.titles.join(" / "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// One line per glossary concept, then per person's epithets: "**the war**: conflict —
/// RU 4; war — US 1, UA 1", "**Vladimir Putin** (epithets): russian president — US 1 …".
fn naming_lines(r: &Report) -> Vec<String> {
    let uses = |units: &[crate::analyze::compare::NameUse]| -> String {
        units
            .iter()
            .map(|u| format!("{} {}", u.unit, u.count))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out: Vec<String> = r
        .naming
        .concepts
        .iter()
        .map(|c| {
            let variants: Vec<String> = c
                .variants
                .iter()
                .map(|v| format!("{} — {}", v.variant, uses(&v.units)))
                .collect();
            format!("**{}**: {}", c.name, variants.join("; "))
        })
        .collect();
    for e in &r.naming.epithets {
        let groups: Vec<String> = e
            .epithets
            .iter()
            .take(6)
            .map(|g| {
                let also: Vec<&str> = g
                    .forms
                    .iter()
                    .filter(|f| **f != g.label)
                    .map(String::as_str)
                    .collect();
                if also.is_empty() {
                    format!("{} — {}", g.label, uses(&g.units))
                } else {
                    format!("{} ({}) — {}", g.label, also.join(", "), uses(&g.units))
                }
            })
            .collect();
        out.push(format!(
            "**{}** (epithets): {}",
            e.entity,
            groups.join("; ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::compare::{Cite, SharedClaim};

    /// A report with `n` shared claims, each carried by both sources.
    fn with_claims(n: usize) -> Report {
        let cite = |source: &str, i: usize| Cite {
            source: source.into(),
            index: i,
            text: format!("Claim number {i} as {source} words it."),
        };
        Report {
            shared: (0..n)
                .map(|i| SharedClaim {
                    units: vec!["A".into(), "B".into()],
                    similarity: 0.9,
                    wording: vec![cite("A", i), cite("B", i)],
                })
                .collect(),
            ..Report::empty(&[("A", "a"), ("B", "b")])
        }
    }

    #[test]
    fn json_lists_every_shared_claim_and_reading_views_fold_the_tail() {
        let r = with_claims(SHOWN_SHARED + 5);
        let json: serde_json::Value =
            serde_json::from_str(&render(&r, CompareFormat::Json, false)).unwrap();
        assert_eq!(json["shared"].as_array().unwrap().len(), SHOWN_SHARED + 5);
        let last = format!("Claim number {} as A", SHOWN_SHARED + 4);
        for format in [CompareFormat::Text, CompareFormat::Markdown] {
            let text = render(&r, format, false);
            assert!(text.contains("… and 5 more shared claims"), "{format:?}");
            assert!(!text.contains(&last), "{format:?} folds the tail");
            assert!(text.contains(&format!("Claim number {} as A", SHOWN_SHARED - 1)));
        }
        let html = render(&r, CompareFormat::Html, false);
        assert!(html.contains("5 more shared claims</summary>"));
        assert_eq!(
            html.matches("<tr class=\"claim\">").count(),
            SHOWN_SHARED + 5
        );
        assert!(html.contains(&last), "the folded rows are in the page");
        let few = render(&with_claims(3), CompareFormat::Html, false);
        assert!(!few.contains("more shared claims"));
        assert!(!render(&with_claims(3), CompareFormat::Text, false).contains("more shared"));
    }
}
