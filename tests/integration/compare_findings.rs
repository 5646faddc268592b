//! The findings an analyst would name, on the dev coverage in the group view (US, RU, UA,
//! EU, other) with the model `compare` picks for mixed languages (multilingual e5): claims
//! that keep distinct facts apart, details only one side gives, and no debris anywhere.
//! Each check is verified here by reading the articles' text, not with the tool's matcher.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

use crate::common::{json_of, parallax, shared_data};

const EVENTS: [&str; 10] = [
    "28pt_plan_origin_reports_nov23_26",
    "alaska_summit_aug15",
    "atacms_voronezh_nov18",
    "e3_counterproposal_nov23",
    "geneva_talks_nov23",
    "kremlin_plan_good_basis_nov25",
    "kremlin_reaction_nov19_21",
    "pow_exchange_1000x1000_may23_25",
    "ternopil_strike_nov19",
    "zelensky_receives_plan_driscoll_nov20",
];

/// The group-view report of `event`, computed once for all tests of this module.
fn by_country(event: &str) -> Value {
    static CACHE: OnceLock<Mutex<HashMap<String, Value>>> = OnceLock::new();
    // Held while computing: a test asking for an event another test is computing waits
    // for it rather than running the same comparison again.
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    cache
        .entry(event.to_string())
        .or_insert_with(|| compute(event))
        .clone()
}

fn compute(event: &str) -> Value {
    json_of(
        parallax()
            .arg("compare")
            .arg(shared_data("coverage-dev.jsonl"))
            .args(["--event", event, "--group-by", "country", "-f", "json"])
            .output()
            .unwrap(),
    )
}

/// The event's records: (outlet, country, title, text).
fn records(event: &str) -> Vec<(String, String, String, String)> {
    std::fs::read_to_string(shared_data("coverage-dev.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["event"] == event)
        .map(|v| {
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            (s("outlet"), s("country"), s("title"), s("text"))
        })
        .collect()
}

/// The claim (shared wording list) that cites a sentence containing `needle`.
fn claim_with<'a>(r: &'a Value, needle: &str) -> &'a Vec<Value> {
    r["shared"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["wording"].as_array().unwrap())
        .find(|w| {
            w.iter()
                .any(|x| x["text"].as_str().unwrap().contains(needle))
        })
        .unwrap_or_else(|| panic!("no claim cites {needle:?}"))
}

#[test]
fn claims_keep_distinct_facts_apart() {
    let ternopil = by_country("ternopil_strike_nov19");
    // The drone count is one fact; the death toll is another (before, both sat in one
    // 44-sentence claim).
    for w in claim_with(&ternopil, "476 drones") {
        let t = w["text"].as_str().unwrap();
        assert!(
            t.contains("47") || t.contains("48"),
            "a drone-count claim holds {t:?}"
        );
    }
    let alaska = by_country("alaska_summit_aug15");
    for w in claim_with(&alaska, "No deal until there is a deal") {
        let t = w["text"].as_str().unwrap().to_lowercase();
        assert!(t.contains("deal"), "the 'no deal' claim holds {t:?}");
    }
    for w in claim_with(&alaska, "since invading Ukraine in 2022") {
        let t = w["text"].as_str().unwrap();
        assert!(
            t.contains("2022"),
            "the 'first since 2022' claim holds {t:?}"
        );
    }
    // Every claim of every event: one wording per source, and no giant claim (the
    // largest was 89 sentences when claims were connected components).
    for ev in EVENTS {
        let r = by_country(ev);
        for c in r["shared"].as_array().unwrap() {
            let w = c["wording"].as_array().unwrap();
            let mut sources: Vec<&str> = w.iter().map(|x| x["source"].as_str().unwrap()).collect();
            sources.sort();
            sources.dedup();
            assert_eq!(
                sources.len(),
                w.len(),
                "{ev}: a claim holds two sentences of one source"
            );
            assert!(w.len() <= 8, "{ev}: a claim of {} sentences", w.len());
        }
    }
}

#[test]
fn details_one_side_gives_are_found_inside_shared_sentences() {
    let r = by_country("ternopil_strike_nov19");
    let recs = records("ternopil_strike_nov19");
    let exclusive = r["exclusive"].as_array().unwrap();
    let shared: Vec<(String, u64)> = r["shared"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["wording"].as_array().unwrap())
        .map(|w| {
            (
                w["source"].as_str().unwrap().to_string(),
                w["index"].as_u64().unwrap(),
            )
        })
        .collect();
    // AP alone gives "over 70" injured, in its lead, which is part of the shared death-toll claim.
    let seventy = exclusive
        .iter()
        .find(|e| e["kind"] == "figure" && e["value"].as_str().unwrap().starts_with("70 "))
        .expect("AP's 70 injured is exclusive");
    assert_eq!(seventy["unit"], "US");
    let cite = &seventy["cite"];
    assert!(cite["text"].as_str().unwrap().contains("injured over 70"));
    assert!(
        shared.contains(&(
            cite["source"].as_str().unwrap().to_string(),
            cite["index"].as_u64().unwrap()
        )),
        "the sentence is otherwise shared"
    );
    for (_, country, _, text) in &recs {
        if country != "US" {
            assert!(
                !text.contains(" 70 ") && !text.contains(" 70,"),
                "another side has 70"
            );
        }
    }
    // Ankara is named only by a US outlet; every side names Ternopil, in three scripts, and
    // so it is nobody's exclusive.
    let ankara = exclusive
        .iter()
        .find(|e| e["value"] == "Ankara")
        .expect("Ankara is exclusive");
    assert_eq!(
        (ankara["unit"].as_str(), ankara["kind"].as_str()),
        (Some("US"), Some("place"))
    );
    for (_, country, _, text) in &recs {
        if country != "US" {
            assert!(!text.contains("Ankara") && !text.contains("Анкар"));
        }
    }
    let spellings = ["Ternopil", "Тернопол", "Тернопіл"];
    let sides_naming: Vec<&str> = recs
        .iter()
        .filter(|(_, _, _, t)| spellings.iter().any(|s| t.contains(s)))
        .map(|(_, c, _, _)| c.as_str())
        .collect();
    assert!(sides_naming.contains(&"US") && sides_naming.contains(&"UA"));
    for e in exclusive.iter().filter(|e| e["kind"] != "quote") {
        let v = e["value"].as_str().unwrap();
        assert!(
            !spellings.iter().any(|s| v.contains(s)),
            "Ternopil reported as exclusive: {e}"
        );
    }
}

#[test]
fn a_place_one_side_names_inside_a_shared_sentence() {
    // Only the Washington Examiner names Helsinki (the 2018 press conference), in a
    // sentence that another side's sentence shares.
    let r = by_country("alaska_summit_aug15");
    let e = r["exclusive"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["value"] == "Helsinki")
        .expect("Helsinki is exclusive");
    assert_eq!(
        (e["unit"].as_str(), e["kind"].as_str()),
        (Some("US"), Some("place"))
    );
    let cite = (&e["cite"]["source"], &e["cite"]["index"]);
    assert!(r["shared"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["wording"].as_array().unwrap())
        .any(|w| (&w["source"], &w["index"]) == cite));
    for (_, country, _, text) in records("alaska_summit_aug15") {
        if country != "US" {
            assert!(!["Helsinki", "Хельсинк", "Гельсінк"]
                .iter()
                .any(|h| text.contains(h)));
        }
    }
}

#[test]
fn a_figure_given_in_another_script_is_exclusive_to_its_side() {
    // UNIAN alone (UA) reports the European plan's ceiling of 800,000 troops, written
    // "800 000"; no other side's article has that number.
    let r = by_country("e3_counterproposal_nov23");
    let troops = r["exclusive"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "figure" && e["value"].as_str().unwrap().contains("troops"))
        .expect("a troop figure is exclusive");
    assert_eq!(troops["unit"], "UA");
    let value: String = troops["value"]
        .as_str()
        .unwrap()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    for (_, country, _, text) in records("e3_counterproposal_nov23") {
        let digits: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != ',')
            .collect();
        if country != "UA" {
            assert!(!digits.contains(&value), "{country} also gives {value}");
        }
    }
}

#[test]
fn no_caption_heading_or_fragment_in_any_finding() {
    let caption = regex::Regex::new(
        r"(?i),\s(?:second\s)?(?:left|right|centre|center),|,\s(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s\d{1,2},\s\d{4}\.?\s*$",
    )
    .unwrap();
    let mut checked = 0;
    for ev in EVENTS {
        let r = by_country(ev);
        let titles: Vec<String> = records(ev)
            .into_iter()
            .map(|(_, _, t, _)| t.trim().to_string())
            .collect();
        let mut cites: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
        for s in r["sources"].as_array().unwrap() {
            cites
                .entry("summary")
                .or_default()
                .extend(s["summary"].as_array().unwrap());
        }
        for c in r["shared"].as_array().unwrap() {
            cites
                .entry("claim")
                .or_default()
                .extend(c["wording"].as_array().unwrap());
        }
        for u in r["unique"].as_array().unwrap() {
            for c in u["claims"].as_array().unwrap() {
                cites.entry("unique").or_default().push(&c["cite"]);
            }
        }
        for e in r["exclusive"].as_array().unwrap() {
            cites.entry("exclusive").or_default().push(&e["cite"]);
        }
        for (finding, list) in cites {
            for c in list {
                let t = c["text"].as_str().unwrap().trim();
                let end = t.trim_end_matches(|ch: char| "\"”’»')“ ".contains(ch));
                assert!(
                    end.ends_with(['.', '!', '?', '…', ':']),
                    "{ev} {finding}: fragment or heading {t:?}"
                );
                assert!(
                    !titles.iter().any(|h| !h.is_empty() && h == t),
                    "{ev} {finding}: the headline {t:?}"
                );
                assert!(!caption.is_match(t), "{ev} {finding}: a caption {t:?}");
                assert!(t.split_whitespace().count() >= 5, "{ev} {finding}: {t:?}");
                checked += 1;
            }
        }
    }
    assert!(checked > 500, "only {checked} sentences were checked");
}
