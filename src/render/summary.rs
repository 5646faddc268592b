//! Summaries as text, markdown or JSON Lines.

use std::fmt::Write;

use super::Format;
use crate::analyze::summarize::Summary;

/// Renders summaries in input order. JSON gives one object per line (JSON Lines), so a
/// script can read any number of inputs the same way.
pub fn render(summaries: &[Summary], format: Format) -> String {
    let mut out = String::new();
    let many = summaries.len() > 1;
    for s in summaries {
        match format {
            Format::Json => {
                out.push_str(&serde_json::to_string(s).expect("summaries serialize"));
                out.push('\n');
            }
            Format::Text => {
                if many {
                    let _ = writeln!(out, "== {}", label(s));
                }
                for p in &s.sentences {
                    let _ = writeln!(out, "{}", p.text);
                }
                if many {
                    out.push('\n');
                }
            }
            Format::Markdown => {
                let _ = writeln!(out, "## {}\n", label(s));
                for p in &s.sentences {
                    match (&p.index, &p.evidence) {
                        (Some(i), _) => {
                            let _ = writeln!(out, "- {} _(sentence {})_", p.text, i + 1);
                        }
                        (None, Some(e)) => {
                            let _ = writeln!(
                                out,
                                "- {} _(closest source sentence {}, overlap {:.2})_",
                                p.text,
                                e.index + 1,
                                e.overlap
                            );
                        }
                        (None, None) => {
                            let _ = writeln!(out, "- {} _(no matching source sentence)_", p.text);
                        }
                    }
                }
                out.push('\n');
            }
        }
    }
    out
}

/// The outlet or title when the input named one, else where it came from.
fn label(s: &Summary) -> String {
    let name = s.outlet.as_ref().or(s.title.as_ref());
    match (name, &s.id) {
        (Some(n), Some(id)) => format!("{n} ({id})"),
        (Some(n), None) => n.clone(),
        (None, Some(id)) => format!("{id} ({})", s.origin),
        (None, None) => s.origin.clone(),
    }
}
