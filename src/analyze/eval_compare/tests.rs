//! The measures on small hand-built reports, including the failures that made them
//! necessary: a fact split over claims one sentence per source, a broken figure, an outlet
//! reported as a person.

use std::collections::HashMap;

use super::*;
use crate::analyze::compare::{
    Cite, Disagreement, Exclusive, FigureCite, SharedClaim, UniqueClaim, UnitUnique,
};

const A: &str = "The Kremlin said the plan could be the basis of a final settlement. \
                 Putin told reporters: the plan could be the basis of a final settlement. \
                 Russia claims 115,500 square km, the Financial Times reported. \
                 At least 26 people were killed.";
const B: &str = "Putin said the US plan could be the basis of a final settlement. \
                 He added: it could be the basis of a final settlement. \
                 At least 25 people were killed.";
const C: &str = "According to Putin, the plan could be the basis of a final settlement. \
                 The weather in Moscow was cold.";

fn articles() -> HashMap<String, Document> {
    [("a", A, "Alpha"), ("b", B, "Beta"), ("c", C, "Gamma")]
        .into_iter()
        .map(|(id, text, outlet)| {
            (
                id.to_string(),
                Document {
                    id: Some(id.into()),
                    outlet: Some(outlet.into()),
                    text: text.into(),
                    ..Default::default()
                },
            )
        })
        .collect()
}

fn gold_json(extra: &str) -> String {
    format!(
        r#"{{"event": "ev", "sources": ["a", "b", "c"],
        "facts": [
          {{"id": "f1", "what": "Putin: the plan could be the basis of a settlement",
            "evidence": {{
              "a": ["the plan could be the basis of a final settlement"],
              "b": ["the US plan could be the basis of a final settlement",
                    "it could be the basis of a final settlement"],
              "c": ["the plan could be the basis of a final settlement"]}}}},
          {{"id": "f2", "what": "People were killed",
            "evidence": {{"a": ["At least 26 people were killed"],
                         "b": ["At least 25 people were killed"]}}}}
        ],
        "exclusives": [
          {{"source": "a", "kind": "figure", "value": "115,500 square km",
            "evidence": "Russia claims 115,500 square km"}},
          {{"source": "a", "kind": "organisation", "value": "Financial Times",
            "evidence": "the Financial Times reported"}}
        ],
        "disagreements": [
          {{"what": "Death toll", "values": {{"a": "at least 26", "b": "at least 25"}}}}
        ]{extra}}}"#
    )
}

fn gold() -> GoldEvent {
    let mut g: GoldEvent = serde_json::from_str(&gold_json("")).unwrap();
    g.file = "ev.json".into();
    g.check(&articles()).unwrap();
    g
}

fn cite(source: &str, text: &str) -> Cite {
    Cite {
        source: source.into(),
        index: 0,
        text: text.into(),
    }
}

fn claim(wording: &[(&str, &str)]) -> SharedClaim {
    SharedClaim {
        units: wording.iter().map(|(s, _)| s.to_string()).collect(),
        similarity: 0.9,
        wording: wording.iter().map(|(s, t)| cite(s, t)).collect(),
    }
}

fn exclusive(unit: &str, kind: &'static str, value: &str, sentence: &str) -> Exclusive {
    Exclusive {
        unit: unit.into(),
        kind,
        value: value.into(),
        cite: cite(unit, sentence),
    }
}

fn report(shared: Vec<SharedClaim>, exclusive: Vec<Exclusive>) -> Report {
    Report {
        shared,
        exclusive,
        ..Report::empty(&[("Alpha", "a"), ("Beta", "b"), ("Gamma", "c")])
    }
}

const A1: &str = "The Kremlin said the plan could be the basis of a final settlement.";
const A2: &str = "Putin told reporters: the plan could be the basis of a final settlement.";
const B1: &str = "Putin said the US plan could be the basis of a final settlement.";
const B2: &str = "He added: it could be the basis of a final settlement.";
const C1: &str = "According to Putin, the plan could be the basis of a final settlement.";

#[test]
fn a_fact_in_one_claim_is_found_once() {
    let r = report(
        vec![claim(&[("Alpha", A1), ("Beta", B1), ("Gamma", C1)])],
        vec![],
    );
    let s = score(&gold(), &articles(), &r);
    assert_eq!((s.counts.facts, s.counts.facts_found), (2, 1));
    assert_eq!(s.scores.fragmentation, Some(1.0));
    assert_eq!(s.scores.claim_purity, Some(1.0));
    assert_eq!(s.problems.missed_facts[0].fact, "f2");
    assert_eq!(s.problems.missed_facts[0].best, 0);
}

#[test]
fn a_fact_split_one_sentence_per_source_counts_each_claim() {
    // Each source states f1 in a lead and a quote; one sentence per source per claim puts
    // the leads in one claim and the quotes in another.
    let r = report(
        vec![
            claim(&[("Alpha", A1), ("Beta", B1)]),
            claim(&[("Alpha", A2), ("Beta", B2), ("Gamma", C1)]),
        ],
        vec![],
    );
    let s = score(&gold(), &articles(), &r);
    assert_eq!(s.counts.facts_found, 1, "3 sources need 2 in one claim");
    assert_eq!(s.counts.fact_claims, 2);
    assert_eq!(s.scores.fragmentation, Some(2.0));
    assert_eq!(s.problems.split_facts[0].claims, [0, 1]);
}

#[test]
fn a_fact_no_claim_carries_widely_enough_is_missed() {
    // Six sources: a claim must cite three; claims of two each do not find it.
    let mut g = gold();
    let f = &mut g.facts[0];
    for id in ["d", "e", "f"] {
        f.evidence.insert(id.into(), vec!["x".into()]);
    }
    let r = report(
        vec![
            claim(&[("Alpha", A1), ("Beta", B1)]),
            claim(&[("Alpha", A2), ("Gamma", C1)]),
        ],
        vec![],
    );
    let s = score(&g, &articles(), &r);
    assert_eq!(s.counts.facts_found, 0);
    let m = &s.problems.missed_facts[0];
    assert_eq!((m.sources, m.needed, m.best), (6, 3, 2));
}

#[test]
fn a_claim_mixing_two_facts_is_impure_and_one_stating_none_is_unmapped() {
    let r = report(
        vec![
            claim(&[("Alpha", A1), ("Beta", "At least 25 people were killed.")]),
            claim(&[
                ("Alpha", "The weather was cold in Moscow today."),
                ("Gamma", C),
            ]),
        ],
        vec![],
    );
    let s = score(&gold(), &articles(), &r);
    assert_eq!(s.counts.claims, 2);
    assert_eq!((s.counts.claims_mapped, s.counts.claims_pure), (1, 0));
    assert_eq!(
        s.counts.claims_unmapped, 0,
        "C's whole text holds f1's evidence"
    );
    assert_eq!(s.problems.impure_claims[0].cites[0].1, ["f1"]);
    assert_eq!(s.problems.impure_claims[0].cites[1].1, ["f2"]);
    let r = report(
        vec![claim(&[
            ("Alpha", "Nothing here at all, really."),
            ("Gamma", "The weather in Moscow was cold."),
        ])],
        vec![],
    );
    let s = score(&gold(), &articles(), &r);
    assert_eq!((s.counts.claims_unmapped, s.counts.claims_mapped), (1, 0));
    assert_eq!(s.scores.claim_purity, None);
}

#[test]
fn a_broken_figure_is_refuted_and_does_not_find_the_gold_figure() {
    let sentence = "Russia claims 115,500 square km, the Financial Times reported.";
    let r = report(
        vec![],
        vec![
            exclusive("Alpha", "figure", "115 square km (500)", sentence),
            exclusive("Alpha", "figure", "500 square km", sentence),
        ],
    );
    let s = score(&gold(), &articles(), &r);
    assert_eq!(s.counts.exclusives_found, 0);
    assert_eq!(s.counts.exclusives_refuted, 2);
    assert_eq!(s.scores.exclusive_precision, Some(0.0));
    assert!(s.problems.refuted_exclusives[0]
        .why
        .starts_with("broken figure"));
    // Written whole, it is found and stands.
    let r = report(
        vec![],
        vec![exclusive("Alpha", "figure", "115,500 square km", sentence)],
    );
    let s = score(&gold(), &articles(), &r);
    assert_eq!(
        (s.counts.exclusives_found, s.counts.exclusives_refuted),
        (1, 0)
    );
    assert_eq!(s.scores.exclusive_recall, Some(0.5));
    assert_eq!(s.scores.kind_accuracy, Some(1.0));
}

#[test]
fn an_outlet_reported_as_a_person_is_found_with_the_wrong_kind() {
    let sentence = "Russia claims 115,500 square km, the Financial Times reported.";
    let r = report(
        vec![],
        vec![exclusive("Alpha", "person", "Financial Times", sentence)],
    );
    let s = score(&gold(), &articles(), &r);
    assert_eq!(s.counts.exclusives_found, 1);
    assert_eq!(s.scores.kind_accuracy, Some(0.0));
    assert_eq!(s.problems.wrong_kinds[0].reported, "person");
    // Another source's detail is no match: the source must be the gold's.
    let r = report(
        vec![],
        vec![exclusive(
            "Beta",
            "organisation",
            "Financial Times",
            sentence,
        )],
    );
    assert_eq!(score(&gold(), &articles(), &r).counts.exclusives_found, 0);
}

#[test]
fn a_detail_another_source_gives_is_refuted() {
    let r = report(vec![], vec![exclusive("Gamma", "person", "Putin", C1)]);
    let s = score(&gold(), &articles(), &r);
    assert_eq!(s.counts.exclusives_refuted, 1);
    assert!(s.problems.refuted_exclusives[0]
        .why
        .contains("also gives it"));
}

#[test]
fn unique_claims_stating_a_fact_lower_precision() {
    let mut r = report(vec![], vec![]);
    r.unique = vec![
        UnitUnique {
            unit: "Alpha".into(),
            claims: vec![UniqueClaim {
                cite: cite("Alpha", A2),
                salience: 1.0,
                nearest: 0.3,
                nearest_cite: None,
            }],
        },
        UnitUnique {
            unit: "Gamma".into(),
            claims: vec![UniqueClaim {
                cite: cite("Gamma", "The weather in Moscow was cold."),
                salience: 0.5,
                nearest: 0.2,
                nearest_cite: None,
            }],
        },
    ];
    let s = score(&gold(), &articles(), &r);
    assert_eq!((s.counts.unique, s.counts.unique_clean), (2, 1));
    assert_eq!(s.scores.unique_precision, Some(0.5));
    assert_eq!(s.problems.unique_stating_facts[0].facts, ["f1"]);
}

#[test]
fn a_disagreement_is_found_when_each_side_gives_its_gold_value() {
    let fig = |source: &str, value: &str, text: &str| FigureCite {
        value: value.into(),
        cite: cite(source, text),
    };
    let mut r = report(vec![], vec![]);
    r.disagreements = vec![
        Disagreement {
            what: "killed".into(),
            a: fig("Beta", "25", "At least 25 people were killed."),
            b: fig("Alpha", "26", "At least 26 people were killed."),
            similarity: 0.9,
            same_claim: true,
        },
        Disagreement {
            what: "km".into(),
            a: fig("Alpha", "115", "x"),
            b: fig("Beta", "25", "y"),
            similarity: 0.5,
            same_claim: false,
        },
    ];
    let s = score(&gold(), &articles(), &r);
    assert_eq!(s.counts.disagreements_found, 1);
    assert_eq!(s.scores.disagreement_precision, Some(0.5));
    r.disagreements.remove(0);
    let s = score(&gold(), &articles(), &r);
    assert_eq!(s.problems.missed_disagreements, ["Death toll"]);
}

#[test]
fn the_micro_average_adds_the_counts() {
    let one = score(
        &gold(),
        &articles(),
        &report(vec![claim(&[("Alpha", A1), ("Beta", B1)])], vec![]),
    );
    let none = score(&gold(), &articles(), &report(vec![], vec![]));
    let m = micro(&[one, none]);
    assert_eq!((m.counts.facts, m.counts.facts_found), (4, 1));
    assert_eq!(m.scores.fact_recall, Some(0.25));
    assert_eq!(m.event, "all");
}

fn gold_error(json: &str) -> String {
    let mut g: GoldEvent = serde_json::from_str(json).unwrap();
    g.file = "gold/ev.json".into();
    g.check(&articles()).unwrap_err().to_string()
}

#[test]
fn bad_gold_names_the_file_the_event_and_the_field() {
    let e = gold_error(&gold_json("").replace("At least 26 people", "At most 26 people"));
    assert!(
        e.starts_with("gold/ev.json: event 'ev': facts[1] ('f2').evidence['a'][0]"),
        "{e}"
    );
    assert!(e.contains("not in the article"), "{e}");
    let e = gold_error(&gold_json("").replace(r#""b": "at least 25""#, r#""z": "at least 25""#));
    assert!(
        e.contains("disagreements[0].values: unknown source id 'z'"),
        "{e}"
    );
    let e = gold_error(&gold_json("").replace(r#"["a", "b", "c"]"#, r#"["q", "r"]"#));
    assert!(
        e.contains("sources: none of its 2 record ids is in the data"),
        "{e}"
    );
    let mut one_source: serde_json::Value = serde_json::from_str(&gold_json("")).unwrap();
    one_source["facts"][1]["evidence"]
        .as_object_mut()
        .unwrap()
        .remove("b");
    let one_source = one_source.to_string();
    let e = gold_error(&one_source);
    assert!(
        e.contains("facts[1] ('f2').evidence: 1 source(s); a fact needs two"),
        "{e}"
    );
    let e = gold_error(&gold_json("").replace(r#""kind": "figure""#, r#""kind": "number""#));
    assert!(
        e.contains("exclusives[0].kind: 'number' is not one of"),
        "{e}"
    );
}
