//! The comparison as one self-contained HTML file: inline CSS and SVG, no script, no
//! request to any other site. Text goes through minijinja's HTML auto-escaping, so article
//! text and titles can never become markup; links are kept only for http(s) addresses.

use minijinja::{context, Environment};
use serde::Serialize;

use crate::analyze::compare::{Cite, Report, UnitFrames};

const TEMPLATE: &str = include_str!("templates/compare.html");

/// Colours of the 15 frames (a qualitative palette that survives greyscale printing).
const PALETTE: [&str; 15] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac", "#1f4e79", "#8c564b", "#17becf", "#7f7f7f", "#d3d3d3",
];

#[derive(Serialize)]
struct SourceCard<'a> {
    label: &'a str,
    country: Option<&'a str>,
    language: &'a str,
    aligned: bool,
    title: Option<&'a str>,
    link: Option<&'a str>,
    summary: &'a [Cite],
}

#[derive(Serialize)]
struct Column<'a> {
    unit: &'a str,
    sources: Vec<SourceCard<'a>>,
}

#[derive(Serialize)]
struct SharedRow<'a> {
    count: usize,
    similarity: f32,
    /// The wording shown first: an English one where there is one.
    gloss: &'a Cite,
    /// Every wording, the gloss first.
    wordings: Vec<&'a Cite>,
    /// Whether each of the shared columns carries the claim.
    marks: Vec<bool>,
}

#[derive(Serialize)]
struct Bar {
    label: String,
    z: f64,
    count: u32,
    y: u32,
    width: u32,
}

#[derive(Serialize)]
struct TermChart<'a> {
    unit: &'a str,
    language: &'a str,
    height: u32,
    bars: Vec<Bar>,
}

#[derive(Serialize)]
struct Segment<'a> {
    frame: &'a str,
    percent: u32,
    x: u32,
    width: u32,
    color: &'static str,
}

#[derive(Serialize)]
struct FrameRow<'a> {
    unit: &'a str,
    y: u32,
    segments: Vec<Segment<'a>>,
}

#[derive(Serialize)]
struct Legend {
    frame: &'static str,
    color: &'static str,
}

/// Only web links become `href`s: a `javascript:` or `data:` URL in the input stays text.
fn safe_link(url: Option<&str>) -> Option<&str> {
    url.filter(|u| {
        let l = u.trim_start().to_ascii_lowercase();
        l.starts_with("https://") || l.starts_with("http://")
    })
}

fn frame_color(name: &str) -> &'static str {
    crate::analyze::compare::frames::FRAMES
        .iter()
        .position(|(f, _)| *f == name)
        .map(|i| PALETTE[i % PALETTE.len()])
        .unwrap_or("#999999")
}

/// One stacked bar of frame shares per unit, and the chart's height.
fn stacked_bars(units: &[UnitFrames]) -> (Vec<FrameRow<'_>>, u32) {
    let mut y = 0;
    let rows = units
        .iter()
        .filter(|f| f.sentences > 0)
        .map(|f| {
            let mut x = 0u32;
            let segments = f
                .shares
                .iter()
                .map(|s| {
                    let width = (s.share * 640.0).round() as u32;
                    let seg = Segment {
                        frame: &s.frame,
                        percent: (s.share * 100.0).round() as u32,
                        x,
                        width,
                        color: frame_color(&s.frame),
                    };
                    x += width;
                    seg
                })
                .collect();
            let row = FrameRow {
                unit: &f.unit,
                y,
                segments,
            };
            y += 24;
            row
        })
        .collect();
    (rows, y.max(1))
}

/// A self-contained HTML page: inline CSS and SVG, no script, no request.
pub fn render(r: &Report) -> String {
    let columns: Vec<Column> = r
        .units
        .iter()
        .map(|u| Column {
            unit: u,
            sources: r
                .sources
                .iter()
                .filter(|s| s.group.as_deref().unwrap_or(&s.label) == u)
                .map(|s| SourceCard {
                    label: &s.label,
                    country: s.country.as_deref(),
                    language: &s.language,
                    aligned: s.aligned,
                    title: s.title.as_deref(),
                    link: safe_link(s.url.as_deref()),
                    summary: &s.summary,
                })
                .collect(),
        })
        .collect();
    let unit_of = |source: &str| -> Option<&str> {
        r.sources
            .iter()
            .find(|s| s.label == source)
            .map(|s| s.group.as_deref().unwrap_or(&s.label))
    };
    // Columns of the shared-claims table: the units that carry at least one shared claim
    // (a source the model could not read would only add an empty column).
    let shared_columns: Vec<&String> = r
        .units
        .iter()
        .filter(|u| r.shared.iter().any(|c| c.units.contains(u)))
        .collect();
    let english = |c: &Cite| {
        r.sources
            .iter()
            .any(|s| s.label == c.source && s.language == "en")
    };
    let shared: Vec<SharedRow> = r
        .shared
        .iter()
        .filter_map(|c| {
            let mut wordings: Vec<&Cite> = c.wording.iter().collect();
            // Stable: English wordings first, each side's order kept.
            wordings.sort_by_key(|w| !english(w));
            Some(SharedRow {
                count: c.units.len(),
                similarity: c.similarity,
                gloss: *wordings.first()?,
                marks: shared_columns
                    .iter()
                    .map(|u| {
                        c.wording
                            .iter()
                            .any(|w| unit_of(&w.source) == Some(u.as_str()))
                    })
                    .collect(),
                wordings,
            })
        })
        .collect();
    let term_charts: Vec<TermChart> = r
        .terms
        .iter()
        .map(|t| {
            let bars: Vec<&crate::analyze::compare::terms::Term> =
                t.terms.iter().take(10).collect();
            let max = bars.iter().map(|b| b.z).fold(1.0f64, f64::max);
            TermChart {
                unit: &t.unit,
                language: &t.language,
                height: (bars.len() as u32) * 20 + 4,
                bars: bars
                    .iter()
                    .enumerate()
                    .map(|(i, b)| Bar {
                        label: b.term.clone(),
                        z: b.z,
                        count: b.count,
                        y: i as u32 * 20,
                        width: ((b.z / max) * 180.0).round().max(2.0) as u32,
                    })
                    .collect(),
            }
        })
        .collect();
    let (frame_rows, frame_height) = stacked_bars(&r.frames.units);
    let (nli_rows, nli_height) = r
        .frames
        .nli
        .as_ref()
        .map(|n| stacked_bars(&n.units))
        .unwrap_or_default();
    let legend: Vec<Legend> = crate::analyze::compare::frames::FRAMES
        .iter()
        .map(|(f, _)| Legend {
            frame: f,
            color: frame_color(f),
        })
        .collect();
    let (unit_kind, unit_one) = match r.group_by {
        Some(_) => ("groups", "group"),
        None => ("sources", "source"),
    };
    let title = match r.sources.iter().find_map(|s| s.title.as_deref()) {
        Some(t) if r.sources.len() == 1 => format!("Coverage: {t}"),
        _ => format!("How {} {} cover the story", columns.len(), unit_kind),
    };
    let mut env = Environment::new();
    // The `.html` name turns on HTML auto-escaping for every `{{ }}` in the template.
    env.add_template("compare.html", TEMPLATE)
        .expect("the embedded template parses (checked by tests)");
    env.get_template("compare.html")
        .expect("added above")
        .render(context! {
            title,
            version => env!("CARGO_PKG_VERSION"),
            report => r,
            columns,
            shared_columns,
            shared,
            shown_shared => super::compare::SHOWN_SHARED,
            unique => &r.unique,
            term_charts,
            frame_rows,
            frame_height,
            nli => &r.frames.nli,
            nli_rows,
            nli_height,
            agreement => r.frames.nli.as_ref().map(|n| (n.agreement * 100.0).round() as u32),
            legend,
            unit_kind,
            unit_one,
        })
        .expect("the report renders (checked by tests)")
}

#[cfg(test)]
mod tests {
    use super::safe_link;

    #[test]
    fn only_web_links_are_links() {
        assert_eq!(
            safe_link(Some("https://example.org/a")),
            Some("https://example.org/a")
        );
        assert_eq!(safe_link(Some("javascript:alert(1)")), None);
        assert_eq!(safe_link(Some(" JAVASCRIPT:alert(1)")), None);
        assert_eq!(safe_link(Some("data:text/html,<b>")), None);
    }
}
