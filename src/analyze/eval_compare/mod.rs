//! What `compare` finds, scored against gold annotations of real coverage
//! (`parallax eval compare`): are the facts the outlets share found as one claim each, are
//! the details only one outlet gives found and right, do unique claims state facts others
//! report, are the disagreements found. The measures are defined in docs/EVALUATION.md;
//! every count behind a ratio is in the result, so a score can be traced to the claims
//! and details that made it.

pub mod gold;
pub mod values;

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

pub use gold::{GoldEvent, GoldFact};
use values::OtherText;

use super::compare::{Report, Source};
use crate::input::Document;

/// One event's scores, with the counts behind them and what went wrong.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EventScore {
    /// The event ("all" for the micro-average).
    pub event: String,
    /// Sources compared.
    pub sources: usize,
    /// The embedding model that compared them.
    pub model: String,
    /// The counts.
    #[serde(flatten)]
    pub counts: Counts,
    /// The ratios of the counts.
    pub scores: Ratios,
    /// What lowered the scores, for a reader to look at (empty in the micro-average).
    #[serde(skip_serializing_if = "Problems::is_empty")]
    pub problems: Problems,
}

/// The counts every ratio is made of; they add up across events (the micro-average).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    /// Gold facts with two or more sources.
    pub facts: usize,
    /// Of them, found as one shared claim citing at least max(2, ⌈n/2⌉) of their n
    /// sources with sentences holding those sources' evidence.
    pub facts_found: usize,
    /// Over the found facts: the shared claims carrying two or more of each fact's sources.
    pub fact_claims: usize,
    /// Shared claims reported.
    pub claims: usize,
    /// Shared claims with two or more cites that state a gold fact.
    pub claims_mapped: usize,
    /// Of them, those whose mapped cites all state one same fact.
    pub claims_pure: usize,
    /// Shared claims none of whose cites states a gold fact (not counted as errors).
    pub claims_unmapped: usize,
    /// Gold exclusive details.
    pub exclusives: usize,
    /// Of them, reported as an exclusive of the same source with the same value.
    pub exclusives_found: usize,
    /// Of those found, reported with the gold's kind.
    pub exclusives_kind_right: usize,
    /// Exclusive details reported.
    pub exclusives_reported: usize,
    /// Of them, refuted: another source gives the value, or it is a broken figure.
    pub exclusives_refuted: usize,
    /// Unique claims reported.
    pub unique: usize,
    /// Of them, those whose sentence states no gold fact.
    pub unique_clean: usize,
    /// Gold disagreements.
    pub disagreements: usize,
    /// Of them, found: a reported disagreement between two of its sources whose gold
    /// values differ, each side giving its source's gold value.
    pub disagreements_found: usize,
    /// Disagreements reported.
    pub disagreements_reported: usize,
    /// Of them, those that are a gold disagreement.
    pub disagreements_matched: usize,
}

/// The scores (each `None` where its denominator is 0).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Ratios {
    /// facts_found / facts.
    pub fact_recall: Option<f64>,
    /// claims_pure / claims_mapped.
    pub claim_purity: Option<f64>,
    /// fact_claims / facts_found: 1.0 is one claim per fact.
    pub fragmentation: Option<f64>,
    /// exclusives_found / exclusives.
    pub exclusive_recall: Option<f64>,
    /// 1 − exclusives_refuted / exclusives_reported.
    pub exclusive_precision: Option<f64>,
    /// exclusives_kind_right / exclusives_found.
    pub kind_accuracy: Option<f64>,
    /// unique_clean / unique.
    pub unique_precision: Option<f64>,
    /// disagreements_found / disagreements.
    pub disagreement_recall: Option<f64>,
    /// disagreements_matched / disagreements_reported.
    pub disagreement_precision: Option<f64>,
}

fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        let Counts {
            facts,
            facts_found,
            fact_claims,
            claims,
            claims_mapped,
            claims_pure,
            claims_unmapped,
            exclusives,
            exclusives_found,
            exclusives_kind_right,
            exclusives_reported,
            exclusives_refuted,
            unique,
            unique_clean,
            disagreements,
            disagreements_found,
            disagreements_reported,
            disagreements_matched,
        } = o;
        self.facts += facts;
        self.facts_found += facts_found;
        self.fact_claims += fact_claims;
        self.claims += claims;
        self.claims_mapped += claims_mapped;
        self.claims_pure += claims_pure;
        self.claims_unmapped += claims_unmapped;
        self.exclusives += exclusives;
        self.exclusives_found += exclusives_found;
        self.exclusives_kind_right += exclusives_kind_right;
        self.exclusives_reported += exclusives_reported;
        self.exclusives_refuted += exclusives_refuted;
        self.unique += unique;
        self.unique_clean += unique_clean;
        self.disagreements += disagreements;
        self.disagreements_found += disagreements_found;
        self.disagreements_reported += disagreements_reported;
        self.disagreements_matched += disagreements_matched;
    }

    /// The ratios.
    pub fn ratios(&self) -> Ratios {
        Ratios {
            fact_recall: ratio(self.facts_found, self.facts),
            claim_purity: ratio(self.claims_pure, self.claims_mapped),
            fragmentation: ratio(self.fact_claims, self.facts_found),
            exclusive_recall: ratio(self.exclusives_found, self.exclusives),
            exclusive_precision: ratio(
                self.exclusives_reported - self.exclusives_refuted,
                self.exclusives_reported,
            ),
            kind_accuracy: ratio(self.exclusives_kind_right, self.exclusives_found),
            unique_precision: ratio(self.unique_clean, self.unique),
            disagreement_recall: ratio(self.disagreements_found, self.disagreements),
            disagreement_precision: ratio(self.disagreements_matched, self.disagreements_reported),
        }
    }
}

/// What lowered an event's scores: each item names the gold entry or the reported finding.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Problems {
    /// Gold facts not found, with the most of their sources one claim carried.
    pub missed_facts: Vec<MissedFact>,
    /// Found facts spread over more than one claim.
    pub split_facts: Vec<SplitFact>,
    /// Claims whose cites state different facts: the facts each cite states.
    pub impure_claims: Vec<ImpureClaim>,
    /// Gold exclusives not reported.
    pub missed_exclusives: Vec<MissedExclusive>,
    /// Reported exclusives that are wrong, and why.
    pub refuted_exclusives: Vec<RefutedExclusive>,
    /// Found exclusives reported with another kind.
    pub wrong_kinds: Vec<WrongKind>,
    /// Unique claims that state a gold fact.
    pub unique_stating_facts: Vec<UniqueStatingFact>,
    /// Gold disagreements not found.
    pub missed_disagreements: Vec<String>,
}

impl Problems {
    fn is_empty(&self) -> bool {
        self.missed_facts.is_empty()
            && self.split_facts.is_empty()
            && self.impure_claims.is_empty()
            && self.missed_exclusives.is_empty()
            && self.refuted_exclusives.is_empty()
            && self.wrong_kinds.is_empty()
            && self.unique_stating_facts.is_empty()
            && self.missed_disagreements.is_empty()
    }
}

/// A gold fact no claim carried widely enough.
#[derive(Debug, Clone, Serialize)]
pub struct MissedFact {
    /// The fact's id.
    pub fact: String,
    /// What it says.
    pub what: String,
    /// Its sources.
    pub sources: usize,
    /// The sources one claim had to cite.
    pub needed: usize,
    /// The most of its sources any one claim cited with its evidence.
    pub best: usize,
}

/// A found fact and the claims it is spread over.
#[derive(Debug, Clone, Serialize)]
pub struct SplitFact {
    /// The fact's id.
    pub fact: String,
    /// Positions (0-based) of the report's shared claims carrying two or more of its sources.
    pub claims: Vec<usize>,
}

/// A claim whose cites state different facts.
#[derive(Debug, Clone, Serialize)]
pub struct ImpureClaim {
    /// Its position among the report's shared claims.
    pub claim: usize,
    /// Each mapped cite: its source's record id and the facts its sentence states.
    pub cites: Vec<(String, Vec<String>)>,
}

/// A gold exclusive the report did not give.
#[derive(Debug, Clone, Serialize)]
pub struct MissedExclusive {
    /// The source's record id.
    pub source: String,
    /// The gold kind.
    pub kind: String,
    /// The value.
    pub value: String,
}

/// A reported exclusive that is wrong.
#[derive(Debug, Clone, Serialize)]
pub struct RefutedExclusive {
    /// The source's record id.
    pub source: String,
    /// The reported kind.
    pub kind: String,
    /// The reported value.
    pub value: String,
    /// Why it is wrong.
    pub why: String,
}

/// A found exclusive with the wrong kind.
#[derive(Debug, Clone, Serialize)]
pub struct WrongKind {
    /// The value as reported.
    pub value: String,
    /// The gold kind.
    pub gold: String,
    /// The reported kind.
    pub reported: String,
}

/// A unique claim that states a fact other sources report.
#[derive(Debug, Clone, Serialize)]
pub struct UniqueStatingFact {
    /// The source's record id.
    pub source: String,
    /// The sentence.
    pub text: String,
    /// The facts it states.
    pub facts: Vec<String>,
}

/// The gold events to score (one with `event`, else all) and the articles they cite, read
/// from `data` (JSON Lines corpora) and `gold` (a file or a folder), each event checked
/// against its articles before any model loads.
pub fn load(
    data: &[std::path::PathBuf],
    gold: &std::path::Path,
    event: Option<&str>,
) -> crate::error::Result<(Vec<GoldEvent>, HashMap<String, Document>)> {
    let mut articles: HashMap<String, Document> = HashMap::new();
    for path in data {
        for doc in crate::input::document::load(&path.to_string_lossy(), "text")? {
            if let Some(id) = doc.id.clone() {
                articles.entry(id).or_insert(doc);
            }
        }
    }
    let mut events = gold::read(gold)?;
    if let Some(ev) = event {
        let known: Vec<String> = events.iter().map(|g| g.event.clone()).collect();
        events.retain(|g| g.event == ev);
        if events.is_empty() {
            return Err(crate::error::Error::Input(format!(
                "no gold annotation of event '{ev}' in {}; annotated: {}",
                gold.display(),
                known.join(", ")
            )));
        }
    }
    for g in &events {
        g.check(&articles)?;
    }
    Ok((events, articles))
}

/// The record id of each report label (the report cites sources by label).
fn ids_by_label(report: &Report) -> HashMap<&str, &str> {
    report
        .sources
        .iter()
        .filter_map(|s| Some((s.label.as_str(), s.id.as_deref()?)))
        .collect()
}

/// The sources of a gold event, in the order the gold lists them, labelled as `compare`
/// labels records (outlet, then title or file; repeated outlets made distinct).
pub fn sources(g: &GoldEvent, articles: &HashMap<String, Document>) -> Vec<Source> {
    let docs: Vec<Document> = g
        .sources
        .iter()
        .filter_map(|id| articles.get(id).cloned())
        .collect();
    let mut s = super::compare::label_sources(docs);
    super::compare::distinct_labels(&mut s);
    s
}

/// Scores one report (compared one unit per source, as [`sources`] gives them) against
/// its gold.
pub fn score(g: &GoldEvent, articles: &HashMap<String, Document>, report: &Report) -> EventScore {
    let ids = ids_by_label(report);
    let id_of = |label: &str| ids.get(label).copied().unwrap_or("");
    let mut c = Counts::default();
    let mut pr = Problems::default();

    // Claims: the facts each cite states.
    let claim_facts: Vec<Vec<(&str, BTreeSet<usize>)>> = report
        .shared
        .iter()
        .map(|claim| {
            claim
                .wording
                .iter()
                .map(|w| {
                    let src = id_of(&w.source);
                    let facts = g
                        .facts
                        .iter()
                        .enumerate()
                        .filter(|(_, f)| GoldEvent::states(f, src, &w.text))
                        .map(|(i, _)| i)
                        .collect();
                    (src, facts)
                })
                .collect()
        })
        .collect();
    c.claims = report.shared.len();
    for (k, cites) in claim_facts.iter().enumerate() {
        let mapped: Vec<&(&str, BTreeSet<usize>)> =
            cites.iter().filter(|(_, f)| !f.is_empty()).collect();
        if mapped.is_empty() {
            c.claims_unmapped += 1;
        }
        if mapped.len() < 2 {
            continue;
        }
        c.claims_mapped += 1;
        let common = mapped
            .iter()
            .skip(1)
            .fold(mapped[0].1.clone(), |acc, (_, f)| &acc & f);
        if common.is_empty() {
            pr.impure_claims.push(ImpureClaim {
                claim: k,
                cites: mapped
                    .iter()
                    .map(|(s, f)| {
                        (
                            s.to_string(),
                            f.iter().map(|&i| g.facts[i].id.clone()).collect(),
                        )
                    })
                    .collect(),
            });
        } else {
            c.claims_pure += 1;
        }
    }

    // Facts: the most of a fact's sources one claim carries, and how many claims carry two.
    for (fi, f) in g.facts.iter().enumerate() {
        let n = f.evidence.len();
        if n < 2 {
            continue;
        }
        c.facts += 1;
        let needed = 2.max(n.div_ceil(2));
        let carried: Vec<usize> = claim_facts
            .iter()
            .map(|cites| {
                cites
                    .iter()
                    .filter(|(_, facts)| facts.contains(&fi))
                    .map(|(s, _)| *s)
                    .collect::<BTreeSet<_>>()
                    .len()
            })
            .collect();
        let best = carried.iter().copied().max().unwrap_or(0);
        if best >= needed {
            c.facts_found += 1;
            let claims: Vec<usize> = (0..carried.len()).filter(|&k| carried[k] >= 2).collect();
            c.fact_claims += claims.len();
            if claims.len() > 1 {
                pr.split_facts.push(SplitFact {
                    fact: f.id.clone(),
                    claims,
                });
            }
        } else {
            pr.missed_facts.push(MissedFact {
                fact: f.id.clone(),
                what: f.what.clone(),
                sources: n,
                needed,
                best,
            });
        }
    }

    // Exclusives: each gold detail matched by at most one reported detail and back.
    c.exclusives = g.exclusives.len();
    c.exclusives_reported = report.exclusive.len();
    let mut taken = vec![false; report.exclusive.len()];
    for x in &g.exclusives {
        let hit = report.exclusive.iter().enumerate().find(|(k, e)| {
            !taken[*k]
                && id_of(&e.unit) == x.source
                && values::same_value(&e.value, &x.value, &x.kind)
        });
        match hit {
            Some((k, e)) => {
                taken[k] = true;
                c.exclusives_found += 1;
                if e.kind == x.kind {
                    c.exclusives_kind_right += 1;
                } else {
                    pr.wrong_kinds.push(WrongKind {
                        value: e.value.clone(),
                        gold: x.kind.clone(),
                        reported: e.kind.to_string(),
                    });
                }
            }
            None => pr.missed_exclusives.push(MissedExclusive {
                source: x.source.clone(),
                kind: x.kind.clone(),
                value: x.value.clone(),
            }),
        }
    }
    let texts: Vec<(&str, OtherText)> = g
        .sources
        .iter()
        .filter_map(|id| Some((id.as_str(), OtherText::new(&articles.get(id)?.text))))
        .collect();
    for e in &report.exclusive {
        let own = id_of(&e.unit);
        let others = texts
            .iter()
            .filter(|(id, _)| *id != own)
            .map(|(id, t)| (*id, t));
        if let Some(why) = values::refutation(&e.value, &e.cite.text, others) {
            c.exclusives_refuted += 1;
            pr.refuted_exclusives.push(RefutedExclusive {
                source: own.to_string(),
                kind: e.kind.to_string(),
                value: e.value.clone(),
                why,
            });
        }
    }

    // Unique claims: clean unless their sentence states a gold fact of their source.
    for u in &report.unique {
        for claim in &u.claims {
            c.unique += 1;
            let src = id_of(&claim.cite.source);
            let facts: Vec<String> = g
                .facts
                .iter()
                .filter(|f| GoldEvent::states(f, src, &claim.cite.text))
                .map(|f| f.id.clone())
                .collect();
            if facts.is_empty() {
                c.unique_clean += 1;
            } else {
                pr.unique_stating_facts.push(UniqueStatingFact {
                    source: src.to_string(),
                    text: claim.cite.text.clone(),
                    facts,
                });
            }
        }
    }

    // Disagreements: a reported pair of sides that gives two different gold values.
    let is_gold = |d: &gold::GoldDisagreement, r: &super::compare::Disagreement| -> bool {
        let (sa, sb) = (id_of(&r.a.cite.source), id_of(&r.b.cite.source));
        let (Some(ga), Some(gb)) = (d.values.get(sa), d.values.get(sb)) else {
            return false;
        };
        values::key(ga) != values::key(gb)
            && values::gives(&r.a.value, ga)
            && values::gives(&r.b.value, gb)
    };
    c.disagreements = g.disagreements.len();
    c.disagreements_reported = report.disagreements.len();
    for d in &g.disagreements {
        if report.disagreements.iter().any(|r| is_gold(d, r)) {
            c.disagreements_found += 1;
        } else {
            pr.missed_disagreements.push(d.what.clone());
        }
    }
    c.disagreements_matched = report
        .disagreements
        .iter()
        .filter(|r| g.disagreements.iter().any(|d| is_gold(d, r)))
        .count();

    EventScore {
        event: g.event.clone(),
        sources: report.sources.len(),
        model: report.model.clone(),
        scores: c.ratios(),
        counts: c,
        problems: pr,
    }
}

/// The micro-average: the counts of all events added, the ratios of the sums.
pub fn micro(events: &[EventScore]) -> EventScore {
    let mut c = Counts::default();
    let mut models: Vec<&str> = Vec::new();
    for e in events {
        c.add(&e.counts);
        if !models.contains(&e.model.as_str()) {
            models.push(&e.model);
        }
    }
    EventScore {
        event: "all".into(),
        sources: events.iter().map(|e| e.sources).sum(),
        model: models.join(", "),
        scores: c.ratios(),
        counts: c,
        problems: Problems::default(),
    }
}

#[cfg(test)]
mod tests;
