//! Blindspots: stories that one group of outlets carries and another leaves out.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::Story;

/// When a story counts as another group's blindspot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlindspotRule {
    /// Distinct outlets of one group that must carry the story (one outlet alone is an
    /// exclusive, not a pattern).
    pub min_sources: usize,
    /// Largest share of the story's outlets a group may have and still be blind to it
    /// (0: it has none).
    pub max_share: f64,
}

impl Default for BlindspotRule {
    fn default() -> Self {
        Self {
            min_sources: 2,
            max_share: 0.0,
        }
    }
}

/// One outlet's article in a story, as evidence.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Carrier {
    /// Its group.
    pub group: String,
    /// The outlet (the article id when the record names none).
    pub outlet: String,
    /// The article.
    pub id: String,
    /// Its headline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// A story missing from one group's coverage.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BlindStory {
    /// The story id.
    pub story: String,
    /// Its title.
    pub title: String,
    /// The blind group's share of the story's outlets.
    pub share: f64,
    /// Who did carry it: one article per outlet (with a share bound above 0, the blind
    /// group's few outlets are listed too, so the reader sees them).
    pub carried_by: Vec<Carrier>,
}

/// One group's blindspots.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Blindspot {
    /// The group.
    pub group: String,
    /// Stories it leaves out, most-carried first.
    pub stories: Vec<BlindStory>,
}

/// For every group seen in the corpus: the stories that at least `min_sources` outlets of
/// another group carry while its own share of the story's outlets is at most `max_share`.
/// Marks each such story's `blindspot_of`. Articles without a group take no part.
pub fn blindspots(stories: &mut [Story], rule: BlindspotRule) -> Vec<Blindspot> {
    let all: BTreeSet<String> = stories
        .iter()
        .flat_map(|s| s.groups.keys().cloned())
        .collect();
    let mut out: BTreeMap<String, Vec<BlindStory>> = BTreeMap::new();
    for story in stories.iter_mut() {
        // Distinct outlets per group.
        let mut outlets: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for a in &story.articles {
            if let Some(g) = &a.group {
                outlets.entry(g).or_default().insert(a.source());
            }
        }
        let total: usize = outlets.values().map(BTreeSet::len).sum();
        let carried = outlets.values().any(|o| o.len() >= rule.min_sources);
        if total == 0 || !carried {
            continue;
        }
        let mut blind = Vec::new();
        for g in &all {
            let mine = outlets.get(g.as_str()).map_or(0, BTreeSet::len);
            let share = mine as f64 / total as f64;
            let others = outlets
                .iter()
                .any(|(h, o)| *h != g && o.len() >= rule.min_sources);
            if share <= rule.max_share && others {
                blind.push((g.clone(), share));
            }
        }
        if blind.is_empty() {
            continue;
        }
        let mut seen = BTreeSet::new();
        let carried_by: Vec<Carrier> = story
            .articles
            .iter()
            .filter_map(|a| {
                let group = a.group.clone()?;
                let outlet = a.source().to_string();
                seen.insert((group.clone(), outlet.clone()))
                    .then(|| Carrier {
                        group,
                        outlet,
                        id: a.id.clone(),
                        title: a.title.clone(),
                    })
            })
            .collect();
        for (g, share) in blind {
            story.blindspot_of.push(g.clone());
            out.entry(g).or_default().push(BlindStory {
                story: story.story.clone(),
                title: story.title.clone(),
                share: (share * 1000.0).round() / 1000.0,
                carried_by: carried_by.clone(),
            });
        }
    }
    out.into_iter()
        .map(|(group, mut stories)| {
            stories.sort_by_key(|s| std::cmp::Reverse(s.carried_by.len()));
            Blindspot { group, stories }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::{Story, StoryArticle};
    use super::*;

    fn story(id: &str, carriers: &[(&str, &str)]) -> Story {
        let articles: Vec<StoryArticle> = carriers
            .iter()
            .enumerate()
            .map(|(i, (g, o))| StoryArticle {
                id: format!("{id}-{i}"),
                outlet: Some(o.to_string()),
                country: Some(g.to_string()),
                language: None,
                title: Some(format!("{o} on {id}")),
                date: None,
                url: None,
                group: Some(g.to_string()),
                similarity: 1.0,
            })
            .collect();
        let mut groups = BTreeMap::new();
        for (g, _) in carriers {
            *groups.entry(g.to_string()).or_insert(0) += 1;
        }
        Story {
            story: id.into(),
            title: id.into(),
            first_date: None,
            last_date: None,
            outlets: carriers.len(),
            groups,
            languages: BTreeMap::new(),
            blindspot_of: Vec::new(),
            articles,
        }
    }

    #[test]
    fn a_story_two_outlets_of_one_side_carry_and_none_of_the_other() {
        let mut stories = vec![
            // RU blind: two US outlets, one UA, no RU.
            story(
                "s1",
                &[("US", "AP"), ("US", "CNN"), ("UA", "Kyiv Independent")],
            ),
            // Everyone: no blindspot.
            story("s2", &[("US", "AP"), ("RU", "TASS"), ("UA", "Ukrinform")]),
            // One outlet per group that has it: not carried enough to count.
            story("s3", &[("US", "AP"), ("UA", "Ukrinform")]),
            // The same outlet twice is one source: not enough.
            story("s4", &[("RU", "TASS"), ("RU", "TASS")]),
            // US and UA blind.
            story("s5", &[("RU", "TASS"), ("RU", "RIA")]),
        ];
        let b = blindspots(&mut stories, BlindspotRule::default());
        let by: BTreeMap<&str, Vec<&str>> = b
            .iter()
            .map(|b| {
                (
                    b.group.as_str(),
                    b.stories.iter().map(|s| s.story.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(by.get("RU"), Some(&vec!["s1"]));
        assert_eq!(by.get("US"), Some(&vec!["s5"]));
        assert_eq!(by.get("UA"), Some(&vec!["s5"]));
        assert_eq!(stories[0].blindspot_of, vec!["RU"]);
        assert!(stories[1].blindspot_of.is_empty());
        let ru = &b.iter().find(|b| b.group == "RU").unwrap().stories[0];
        let outlets: Vec<&str> = ru.carried_by.iter().map(|c| c.outlet.as_str()).collect();
        assert_eq!(outlets, vec!["AP", "CNN", "Kyiv Independent"]);

        // A share bound: RU with 1 of 5 outlets counts as blind under 0.25.
        let mut stories = vec![story(
            "s6",
            &[
                ("US", "AP"),
                ("US", "CNN"),
                ("US", "NYT"),
                ("UA", "Ukrinform"),
                ("RU", "TASS"),
            ],
        )];
        let none = blindspots(&mut stories.clone(), BlindspotRule::default());
        assert!(none.is_empty());
        let b = blindspots(
            &mut stories,
            BlindspotRule {
                min_sources: 2,
                max_share: 0.25,
            },
        );
        let groups: Vec<&str> = b.iter().map(|b| b.group.as_str()).collect();
        assert_eq!(groups, vec!["RU", "UA"]);
        assert_eq!(b[0].stories[0].share, 0.2);
    }
}
