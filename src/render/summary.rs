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
                    let _ = writeln!(out, "- {} _(sentence {})_", p.text, p.index + 1);
                }
                out.push('\n');
            }
        }
    }
    out
}

fn label(s: &Summary) -> String {
    match &s.id {
        Some(id) => format!("{id} ({})", s.origin),
        None => s.origin.clone(),
    }
}
