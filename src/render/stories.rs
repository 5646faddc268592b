//! The stories of a corpus as JSON Lines (one story per line, for scripts), text and
//! markdown (for people), and a self-contained HTML page with a coverage bar per group.

use std::collections::BTreeSet;

use minijinja::{context, Environment};
use serde::Serialize;

use crate::analyze::stories::{Blindspot, BlindspotRule, Story};

const TEMPLATE: &str = include_str!("templates/stories.html");

/// How `parallax stories` writes its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum StoriesFormat {
    /// One JSON object per story, one per line.
    #[default]
    Jsonl,
    /// Stories as a list with coverage per group, then each group's blindspots.
    Text,
    /// As text, in markdown.
    Markdown,
    /// A self-contained HTML page (no script, no request to any other site).
    Html,
}

/// What the views show beside the stories.
pub struct StoriesView<'a> {
    /// The stories.
    pub stories: &'a [Story],
    /// Each group's blindspots.
    pub blindspots: &'a [Blindspot],
    /// The rule behind them.
    pub rule: BlindspotRule,
    /// The field the groups come from.
    pub group_by: &'a str,
    /// The model that embedded the leads.
    pub model: &'a str,
}

/// Renders in `format`.
pub fn render(view: &StoriesView, format: StoriesFormat) -> String {
    match format {
        StoriesFormat::Jsonl => jsonl(view.stories),
        StoriesFormat::Text => text(view, false),
        StoriesFormat::Markdown => text(view, true),
        StoriesFormat::Html => html(view),
    }
}

fn jsonl(stories: &[Story]) -> String {
    let mut out = String::new();
    for s in stories {
        out.push_str(&serde_json::to_string(s).expect("a story serializes"));
        out.push('\n');
    }
    out
}

fn groups_of(stories: &[Story]) -> Vec<String> {
    let set: BTreeSet<&String> = stories.iter().flat_map(|s| s.groups.keys()).collect();
    set.into_iter().cloned().collect()
}

/// Stories with most outlets first, then by id: the order the views list them in.
fn most_carried_first(stories: &[Story]) -> Vec<&Story> {
    let mut order: Vec<&Story> = stories.iter().collect();
    order.sort_by(|a, b| b.outlets.cmp(&a.outlets).then(a.story.cmp(&b.story)));
    order
}

fn dates(s: &Story) -> String {
    match (&s.first_date, &s.last_date) {
        (Some(a), Some(b)) if a == b => a.clone(),
        (Some(a), Some(b)) => format!("{a}..{b}"),
        _ => "undated".into(),
    }
}

/// `US ████ 4  RU · 0  UA ██ 2`: one bar per group, a dot where a group has none.
fn coverage(s: &Story, groups: &[String]) -> String {
    groups
        .iter()
        .map(|g| match s.groups.get(g).copied().unwrap_or(0) {
            0 => format!("{g} · 0"),
            n => format!("{g} {} {n}", "█".repeat(n.min(12))),
        })
        .collect::<Vec<_>>()
        .join("  ")
}

fn text(view: &StoriesView, md: bool) -> String {
    let groups = groups_of(view.stories);
    let articles: usize = view.stories.iter().map(|s| s.articles.len()).sum();
    let mut out = String::new();
    let h = |level: usize, t: &str| {
        if md {
            format!("{} {t}\n\n", "#".repeat(level))
        } else {
            format!(
                "{t}\n{}\n",
                if level == 1 { "=" } else { "-" }.repeat(t.chars().count())
            )
        }
    };
    out += &h(
        1,
        &format!("{} stories in {articles} articles", view.stories.len()),
    );
    out += &format!(
        "Model {}; groups by `{}`. Stories with most outlets first.\n\n",
        view.model, view.group_by
    );
    let order = most_carried_first(view.stories);
    for s in order {
        let head = format!(
            "{} · {} · {} articles, {} outlets",
            s.story,
            dates(s),
            s.articles.len(),
            s.outlets
        );
        if md {
            out += &format!("### {} — {}\n\n{head}", s.story, s.title);
            if !groups.is_empty() {
                out += &format!(" · `{}`", coverage(s, &groups));
            }
            out += "\n\n";
            for a in &s.articles {
                out += &format!(
                    "- {} {} — {} ({})\n",
                    a.group.as_deref().unwrap_or("-"),
                    a.outlet.as_deref().unwrap_or(&a.id),
                    a.title.as_deref().unwrap_or(&a.id),
                    a.language.as_deref().unwrap_or("?")
                );
            }
        } else {
            out += &format!("{head}\n  {}\n", s.title);
            if !groups.is_empty() {
                out += &format!("  {}\n", coverage(s, &groups));
            }
            for a in &s.articles {
                out += &format!(
                    "    {:<4} {} — {}\n",
                    a.group.as_deref().unwrap_or("-"),
                    a.outlet.as_deref().unwrap_or(&a.id),
                    a.title.as_deref().unwrap_or(&a.id)
                );
            }
        }
        out += "\n";
    }
    out += &h(2, "Blindspots");
    out += &format!(
        "A story is a group's blindspot when at least {} outlets of another group carry it and \
         the group has {} of its outlets.\n\n",
        view.rule.min_sources,
        if view.rule.max_share > 0.0 {
            format!("at most {:.0}%", view.rule.max_share * 100.0)
        } else {
            "none".into()
        }
    );
    if view.blindspots.is_empty() {
        out += "None found.\n";
    }
    for b in view.blindspots {
        let n = b.stories.len();
        let stories = if n == 1 { "story" } else { "stories" };
        out += &if md {
            format!("**{}** misses {n} {stories}\n", b.group)
        } else {
            format!("{} misses {n} {stories}\n", b.group)
        };
        for s in &b.stories {
            let by: Vec<String> = s
                .carried_by
                .iter()
                .map(|c| format!("{} {}", c.group, c.outlet))
                .collect();
            out += &format!(
                "{}{} {} — carried by {}\n",
                if md { "- " } else { "  " },
                s.story,
                s.title,
                by.join(", ")
            );
        }
        out += "\n";
    }
    out
}

#[derive(Serialize)]
struct Bar {
    group: String,
    count: usize,
    width: u32,
}

#[derive(Serialize)]
struct Row<'a> {
    story: &'a Story,
    dates: String,
    bars: Vec<Bar>,
}

fn html(view: &StoriesView) -> String {
    let groups = groups_of(view.stories);
    let most = view
        .stories
        .iter()
        .flat_map(|s| s.groups.values().copied())
        .max()
        .unwrap_or(1)
        .max(1);
    let order = most_carried_first(view.stories);
    let rows: Vec<Row> = order
        .into_iter()
        .map(|s| Row {
            story: s,
            dates: dates(s),
            bars: groups
                .iter()
                .map(|g| {
                    let count = s.groups.get(g).copied().unwrap_or(0);
                    Bar {
                        group: g.clone(),
                        count,
                        width: ((count as f64 / most as f64) * 120.0).round() as u32,
                    }
                })
                .collect(),
        })
        .collect();
    let mut env = Environment::new();
    // The `.html` name turns on HTML auto-escaping for every `{{ }}` in the template.
    env.add_template("stories.html", TEMPLATE)
        .expect("template parses");
    env.get_template("stories.html")
        .expect("template present")
        .render(context! {
            rows,
            groups,
            blindspots => view.blindspots,
            min_sources => view.rule.min_sources,
            max_share => (view.rule.max_share * 100.0).round() as u32,
            group_by => view.group_by,
            model => view.model,
            articles => view.stories.iter().map(|s| s.articles.len()).sum::<usize>(),
            version => env!("CARGO_PKG_VERSION"),
        })
        .expect("template renders")
}
