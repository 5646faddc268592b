//! compare's `naming` finding on real coverage (../shared/data/coverage-dev.jsonl, grouped
//! by country, multilingual model): which words each side uses for the war, Russia's and
//! Ukraine's leaders and the capital, each pinned to what a reader finds in the articles;
//! the epithets found with the glossary switched off; a user's glossary file.

use std::collections::HashMap;

use crate::common::{assert_clean_failure, shared_data};
use serde_json::Value;

fn compare(event: &str, extra: &[&str]) -> Value {
    let mut args = vec!["--group-by", "country", "-q"];
    args.extend(extra);
    crate::e5_multilingual::compare_json(event, &args)
}

/// Each source label's article text, for one event.
fn articles(event: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for l in std::fs::read_to_string(shared_data("coverage-dev.jsonl"))
        .unwrap()
        .lines()
    {
        let v: Value = serde_json::from_str(l).unwrap();
        if v["event"] == event {
            out.insert(
                v["id"].as_str().unwrap().to_string(),
                v["text"].as_str().unwrap().to_string(),
            );
        }
    }
    out
}

/// The units using `variant` of `concept`, each with its uses; asserts every cited
/// sentence is in one of the event's articles and holds one of the forms reported.
fn users<'a>(r: &'a Value, event: &str, concept: &str, variant: &str) -> Vec<&'a Value> {
    let texts = articles(event);
    let Some(c) = r["naming"]["concepts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == concept)
    else {
        return Vec::new();
    };
    let Some(v) = c["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["variant"] == variant)
    else {
        return Vec::new();
    };
    let units: Vec<&Value> = v["units"].as_array().unwrap().iter().collect();
    for u in &units {
        let forms: Vec<&str> = u["forms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        assert!(u["count"].as_u64().unwrap() >= 1);
        for e in u["evidence"].as_array().unwrap() {
            let text = e["text"].as_str().unwrap();
            assert!(
                texts.values().any(|t| t.contains(text)),
                "cited sentence not in the articles: {text}"
            );
            assert!(
                forms.iter().any(|f| text.contains(f)),
                "{forms:?} not in {text}"
            );
        }
    }
    units
}

fn unit_names<'a>(units: &[&'a Value]) -> Vec<&'a str> {
    units.iter().map(|u| u["unit"].as_str().unwrap()).collect()
}

#[test]
fn each_side_names_the_war_the_leaders_and_the_capital() {
    // RBC: "Вооруженные силы России продолжают спецоперацию"; Radio Svoboda (Ukrainian):
    // "з початку повномасштабної війни".
    let ev = "atacms_voronezh_nov18";
    let r = compare(ev, &[]);
    assert_eq!(r["naming"]["glossary"], "built-in");
    let smo = users(&r, ev, "war", "special military operation");
    assert_eq!(unit_names(&smo), ["RU"]);
    assert!(unit_names(&users(&r, ev, "war", "war")).contains(&"UA"));
    assert!(!unit_names(&users(&r, ev, "war", "war")).contains(&"RU"));

    // Zbruč: "диктатором Росії Володимиром Путіним"; the English side says "Russian
    // President Vladimir Putin".
    let ev = "alaska_summit_aug15";
    let r = compare(ev, &[]);
    let dictator = users(&r, ev, "russia_leader", "dictator");
    assert_eq!(unit_names(&dictator), ["UA"]);
    let president = unit_names(&users(&r, ev, "russia_leader", "president"));
    assert!(
        president.contains(&"US") && president.contains(&"RU"),
        "{president:?}"
    );
    // "Ukraine's leader Volodymyr Zelenskyy" is counted for Zelensky, not for Putin, who
    // stands earlier in the sentence.
    for u in users(&r, ev, "russia_leader", "leader") {
        for e in u["evidence"].as_array().unwrap() {
            assert!(
                !e["text"].as_str().unwrap().contains("Ukraine’s leader"),
                "{e}"
            );
        }
    }

    // Kiev (Russian outlets, and AP once) against Kyiv.
    let ev = "geneva_talks_nov23";
    let r = compare(ev, &[]);
    assert!(unit_names(&users(&r, ev, "capital", "Kiev")).contains(&"RU"));
    assert!(!unit_names(&users(&r, ev, "capital", "Kyiv")).contains(&"RU"));
    assert!(unit_names(&users(&r, ev, "capital", "Kyiv")).contains(&"US"));

    // RBC, Vedomosti: "на Украине"; and "конфликт", where the others write war.
    let ev = "kremlin_reaction_nov19_21";
    let r = compare(ev, &[]);
    assert_eq!(
        unit_names(&users(&r, ev, "ukraine_preposition", "на Украине")),
        ["RU"]
    );
    assert_eq!(unit_names(&users(&r, ev, "war", "conflict")), ["RU"]);
}

#[test]
fn epithets_are_found_without_the_glossary_and_grouped_across_languages() {
    let r = compare("alaska_summit_aug15", &["--no-glossary"]);
    assert_eq!(r["naming"]["glossary"], "");
    assert!(r["naming"]["concepts"].as_array().unwrap().is_empty());
    let putin = r["naming"]["epithets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entity"].as_str().unwrap().contains("Putin"))
        .expect("Putin's epithets");
    assert!(putin["mentioned_by"].as_array().unwrap().len() >= 4);
    let groups = putin["epithets"].as_array().unwrap();
    // The Ukrainian "диктатором" is found with no list of epithets.
    assert!(groups.iter().any(|g| {
        g["forms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f.as_str().unwrap().starts_with("диктатор"))
            && g["units"]
                .as_array()
                .unwrap()
                .iter()
                .all(|u| u["unit"] == "UA")
    }));
    // "Russian President" and its Russian and Ukrainian forms are one group, used by most.
    let president = &groups[0];
    let forms: Vec<&str> = president["forms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(forms.iter().any(|f| f.is_ascii()), "{forms:?}");
    assert!(forms.iter().any(|f| !f.is_ascii()), "{forms:?}");
    assert!(
        president["units"].as_array().unwrap().len() >= 3,
        "{president}"
    );
}

#[test]
fn a_glossary_file_adds_concepts_and_a_bad_one_fails_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("mine.toml");
    std::fs::write(
        &file,
        "[[concept]]\nid = \"summit\"\nname = \"the meeting\"\n\
         variants = [ { name = \"summit\", en = [\"summit\"], ru = [\"саммит\"], uk = [\"саміт\"] } ]\n",
    )
    .unwrap();
    let ev = "alaska_summit_aug15";
    let r = compare(ev, &["--no-glossary", "--glossary", file.to_str().unwrap()]);
    assert_eq!(r["naming"]["glossary"], file.to_str().unwrap());
    let summit = unit_names(&users(&r, ev, "summit", "summit"));
    assert!(
        summit.contains(&"US") && summit.contains(&"RU") && summit.contains(&"UA"),
        "{summit:?}"
    );

    std::fs::write(
        &file,
        "[[concept]]\nid = \"x\"\nname = \"x\"\nvariants = [ { name = \"y\" } ]\n",
    )
    .unwrap();
    let out = crate::e5_multilingual::compare_output(ev, &["--glossary", file.to_str().unwrap()]);
    assert_clean_failure(&out, &["mine.toml", "no terms"]);
}
