//! `parallax compare` through the built binary on real coverage from
//! ../shared/data/coverage-dev.jsonl. Each finding checked here can be verified by reading
//! the articles; the tests also check that the evidence they cite is really in the source.

use std::path::Path;

use crate::common::{assert_clean_failure, json_of, parallax, shared_data, stdout_of};
use serde_json::Value;

fn run_json(args: &[&str]) -> Value {
    let out = parallax()
        .arg("compare")
        .args(args)
        // The English-only default, as a user without the multilingual model has it
        // (tests/e5_multilingual.rs covers the automatic switch).
        .args([
            "--format",
            "json",
            "--threads",
            "2",
            "--model",
            "all-MiniLM-L6-v2",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!stderr.contains("panicked"), "{stderr}");
    json_of(out)
}

fn event(ev: &str) -> Value {
    let data = shared_data("coverage-dev.jsonl");
    run_json(&[data.to_str().unwrap(), "--event", ev])
}

/// The records of one event, by outlet label as compare names them (first occurrence).
fn texts(ev: &str) -> Vec<(String, String, String)> {
    std::fs::read_to_string(shared_data("coverage-dev.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["event"] == ev)
        .map(|v| {
            (
                v["outlet"].as_str().unwrap().to_string(),
                v["language"].as_str().unwrap().to_string(),
                v["text"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Every cited sentence must be in its source's text.
fn check_cites(report: &Value, sources: &[(String, String, String)]) {
    let mut cites = Vec::new();
    fn collect(v: &Value, out: &mut Vec<Value>) {
        match v {
            Value::Object(m) => {
                if m.contains_key("source") && m.contains_key("index") && m.contains_key("text") {
                    out.push(v.clone());
                }
                m.values().for_each(|x| collect(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
            _ => {}
        }
    }
    collect(report, &mut cites);
    assert!(cites.len() > 10, "too few citations: {}", cites.len());
    for c in cites {
        let label = c["source"].as_str().unwrap();
        let src = sources
            .iter()
            .find(|(o, _, _)| label.starts_with(o.as_str()))
            .unwrap_or_else(|| panic!("cited source {label} is not an input"));
        let text = c["text"].as_str().unwrap();
        let normalized: String = src.2.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            normalized.contains(&text.split_whitespace().collect::<Vec<_>>().join(" ")),
            "{label}: cited sentence not in the article: {text}"
        );
    }
}

#[test]
fn ternopil_death_toll_disagreement_and_shared_claims() {
    let r = event("ternopil_strike_nov19");
    for key in [
        "sources",
        "shared",
        "unique",
        "disagreements",
        "terms",
        "attribution",
        "frames",
    ] {
        assert!(r.get(key).is_some(), "missing top-level key {key}");
    }
    assert_eq!(r["schema"], "parallax.compare/1");
    check_cites(&r, &texts("ternopil_strike_nov19"));

    // Euronews reports at least 20 killed, the BBC copy at least 26: a reader sees both
    // numbers in the articles' first paragraphs.
    let d = r["disagreements"].as_array().unwrap();
    let found = d.iter().any(|d| {
        let pair = [&d["a"], &d["b"]];
        d["what"] == "killed"
            && pair
                .iter()
                .any(|x| x["value"] == "20" && x["cite"]["source"] == "Euronews")
            && pair.iter().any(|x| {
                x["value"] == "26" && x["cite"]["source"].as_str().unwrap().starts_with("BBC")
            })
    });
    assert!(found, "20 vs 26 killed not found: {d:#?}");
    // Not everything is a conflict: never the same value on both sides.
    assert!(d.iter().all(|d| d["a"]["value"] != d["b"]["value"]));

    // The strike itself is carried by most English sources.
    let top = &r["shared"][0];
    assert!(top["units"].as_array().unwrap().len() >= 4, "{top:#}");
    assert!(top["wording"].as_array().unwrap().iter().all(|w| w["text"]
        .as_str()
        .unwrap()
        .to_lowercase()
        .contains("ternopil")
        || w["text"].as_str().unwrap().contains("kill")));

    // The Ukrainian- and Russian-language sources are reported, warned about, and kept out
    // of alignment; the English ones are aligned.
    let sources = r["sources"].as_array().unwrap();
    let uk: Vec<&Value> = sources.iter().filter(|s| s["language"] == "uk").collect();
    assert!(uk.len() >= 3);
    assert!(uk
        .iter()
        .all(|s| s["aligned"] == false && s["summary_method"] == "lead"));
    assert!(sources
        .iter()
        .filter(|s| s["language"] == "en")
        .all(|s| s["aligned"] == true && s["summary"].as_array().unwrap().len() == 3));
    let warnings = r["warnings"].as_array().unwrap();
    assert!(warnings
        .iter()
        .any(|w| w.as_str().unwrap().contains("UNIAN")));
}

/// The `field` of each entry in `list_key` of the section entry for `unit` (and `language`).
fn listed(
    section: &Value,
    unit: &str,
    language: Option<&str>,
    list_key: &str,
    field: &str,
) -> Vec<String> {
    let entry = section
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["unit"].as_str().unwrap().starts_with(unit)
                && language.is_none_or(|l| e["language"] == l)
        })
        .unwrap_or_else(|| panic!("no entry for {unit}"));
    entry[list_key]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x[field].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn attribution_and_loaded_terms() {
    let r = event("ternopil_strike_nov19");
    let speakers = |unit: &str| listed(&r["attribution"], unit, None, "speakers", "name");
    // AP: "Interior Minister Ihor Klymenko said ..."; Focus.ua (Russian): "... сообщил
    // начальник областного управления Нацполиции Сергей Зюбаненко".
    assert!(
        speakers("AP").iter().any(|s| s.contains("Klymenko")),
        "{:?}",
        speakers("AP")
    );
    assert!(speakers("Focus.ua").iter().any(|s| s.contains("Зюбаненко")));
    assert!(speakers("BNO").iter().any(|s| s.contains("Zelenskyy")));

    // EIR News writes "Kiev" (twice) where every other English source of the story writes
    // "Kyiv"; Reuters writes "Zelenskiy" where the others write Zelensky(y).
    let sources = texts("zelensky_receives_plan_driscoll_nov20");
    let english_others = |outlet: &str| -> String {
        sources
            .iter()
            .filter(|(o, l, _)| l == "en" && !o.starts_with(outlet))
            .map(|(_, _, t)| t.to_lowercase())
            .collect()
    };
    assert!(!english_others("EIR").contains("kiev"));
    assert!(!english_others("Reuters").contains("zelenskiy"));
    let r = event("zelensky_receives_plan_driscoll_nov20");
    let terms = |unit: &str| listed(&r["terms"], unit, Some("en"), "terms", "term");
    assert!(
        terms("EIR").contains(&"kiev".to_string()),
        "{:?}",
        terms("EIR")
    );
    assert!(!terms("EIR").contains(&"kyiv".to_string()));
    assert_eq!(terms("Reuters")[0], "zelenskiy", "{:?}", terms("Reuters"));
}

#[test]
fn group_view_compares_countries() {
    let data = shared_data("coverage-dev.jsonl");
    let r = run_json(&[
        data.to_str().unwrap(),
        "--event",
        "alaska_summit_aug15",
        "--group-by",
        "country",
    ]);
    assert_eq!(
        strings(&r["units"], None),
        ["US", "RU", "UA", "EU", "other"]
    );
    assert_eq!(r["group_by"], "country");
    assert!(r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["group"].is_string()));
    // Shared claims are now carried by countries, and the top one by several.
    let top = r["shared"][0]["units"].as_array().unwrap();
    assert!(top.len() >= 3, "{top:?}");
    assert!(r["terms"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["unit"] == "RU"));
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

fn first_english(ev: &str) -> String {
    texts(ev).into_iter().find(|(_, l, _)| l == "en").unwrap().2
}

#[test]
fn one_identical_and_unrelated_sources_give_sensible_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let strike = write(
        tmp.path(),
        "strike.txt",
        &first_english("ternopil_strike_nov19"),
    );
    let copy = write(
        tmp.path(),
        "copy.txt",
        &first_english("ternopil_strike_nov19"),
    );
    let summit = write(
        tmp.path(),
        "summit.txt",
        &first_english("alaska_summit_aug15"),
    );

    // One source: a report with summary and terms-free comparison, and a note, not an error.
    let one = run_json(&["--source", &format!("Only={strike}")]);
    assert_eq!(one["units"].as_array().unwrap().len(), 1);
    assert!(one["shared"].as_array().unwrap().is_empty());
    assert!(one["disagreements"].as_array().unwrap().is_empty());
    assert_eq!(one["sources"][0]["summary"].as_array().unwrap().len(), 3);
    assert!(one["warnings"][0]
        .as_str()
        .unwrap()
        .contains("nothing to compare"));

    // Two identical sources: everything shared, verbatim; nothing unique, no conflict.
    let same = run_json(&[
        "--source",
        &format!("A={strike}"),
        "--source",
        &format!("B={copy}"),
    ]);
    let reporting = same["sources"][0]["reporting_sentences"].as_u64().unwrap() as usize;
    let shared = same["shared"].as_array().unwrap();
    assert!(
        shared.len() * 10 >= reporting * 8,
        "{} of {reporting}",
        shared.len()
    );
    assert!(shared
        .iter()
        .all(|c| c["similarity"].as_f64().unwrap() > 0.99));
    assert!(same["disagreements"].as_array().unwrap().is_empty());
    assert!(same["unique"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["claims"].as_array().unwrap().is_empty()));

    // Two unrelated stories: nothing shared or disputed, each has claims of its own.
    let apart = run_json(&[&strike, &summit]);
    assert!(
        apart["shared"].as_array().unwrap().len() <= 1,
        "{:#}",
        apart["shared"]
    );
    assert!(apart["disagreements"].as_array().unwrap().is_empty());
    for u in apart["unique"].as_array().unwrap() {
        assert!(!u["claims"].as_array().unwrap().is_empty(), "{u:#}");
    }
}

/// `compare` on the Ternopil coverage with the English-only model, format still to choose.
fn ternopil_report() -> assert_cmd::Command {
    let data = shared_data("coverage-dev.jsonl");
    let mut c = parallax();
    c.args([
        "compare",
        data.to_str().unwrap(),
        "--event",
        "ternopil_strike_nov19",
    ])
    .args(["--threads", "2", "--model", "all-MiniLM-L6-v2"]);
    c
}

#[test]
fn text_and_markdown_reports() {
    let out = ternopil_report().output().unwrap();
    let text = stdout_of(out);
    for h in [
        "SOURCES",
        "SHARED CLAIMS",
        "DISAGREEMENTS",
        "WHO IS QUOTED",
        "FRAMES",
    ] {
        assert!(text.contains(h), "text report lacks {h}");
    }
    assert!(
        !text.contains("\x1b["),
        "no colour when stdout is not a terminal"
    );
    let tmp = tempfile::tempdir().unwrap();
    let md = tmp.path().join("report.md");
    let out = ternopil_report()
        .args(["--format", "markdown", "-o"])
        .arg(&md)
        .output()
        .unwrap();
    assert!(stdout_of(out).is_empty(), "-o keeps stdout clean");
    let md = std::fs::read_to_string(md).unwrap();
    assert!(md.starts_with("# Coverage comparison"));
    assert!(md.contains("## Disagreements") && md.contains("| killed |"));
}

#[test]
fn input_errors_are_clear() {
    let data = shared_data("coverage-dev.jsonl");
    let out = parallax()
        .args(["compare", data.to_str().unwrap()])
        .output()
        .unwrap();
    assert_clean_failure(&out, &["--event", "ternopil_strike_nov19 (11)"]);
    let out = parallax()
        .args([
            "compare",
            data.to_str().unwrap(),
            "--event",
            "no_such_event",
        ])
        .output()
        .unwrap();
    assert_clean_failure(
        &out,
        &["no record has event 'no_such_event'", "geneva_talks_nov23"],
    );
    let out = parallax()
        .args(["compare", "--source", "just-a-path.txt"])
        .output()
        .unwrap();
    assert_clean_failure(&out, &["LABEL=PATH_OR_URL"]);
    let out = parallax()
        .args(["compare", "--source", "X=/no/such/file.txt"])
        .output()
        .unwrap();
    assert_clean_failure(&out, &["/no/such/file.txt"]);
}

#[test]
fn a_claim_dated_differently_is_a_disagreement() {
    // RFE/RL's Ternopil report, and the same report with one date changed: the two
    // wordings of that claim must come out as a date conflict, and nothing else dated.
    let (_, _, text) = texts("ternopil_strike_nov19")
        .into_iter()
        .find(|(o, _, t)| o.starts_with("RFE/RL") && t.contains("early on November 19"))
        .expect("the RFE/RL report");
    let tmp = tempfile::tempdir().unwrap();
    let edited = text.replace("early on November 19", "early on November 18");
    let a = write(tmp.path(), "rferl.txt", &text);
    let b = write(tmp.path(), "copy.txt", &edited);
    let r = run_json(&["--source", &format!("A={a}"), "--source", &format!("B={b}")]);
    let dates: Vec<&Value> = r["disagreements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["what"] == "date")
        .collect();
    assert_eq!(dates.len(), 1, "{dates:?}");
    let mut values = [
        dates[0]["a"]["value"].as_str().unwrap(),
        dates[0]["b"]["value"].as_str().unwrap(),
    ];
    values.sort();
    assert_eq!(values, ["November 18", "November 19"]);
    assert_eq!(dates[0]["same_claim"], true);
    assert!(dates[0]["a"]["cite"]["text"]
        .as_str()
        .unwrap()
        .contains("blasts were heard early on November"));
}

/// More sources than --max-sources: refused before the model is loaded, naming the flag; a
/// 500-source file is read and refused at once rather than compared for hours.
#[test]
fn too_many_sources_are_refused_early_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.jsonl");
    let lines: String = (0..500)
        .map(|i| {
            format!(
                "{}\n",
                serde_json::json!({"id": format!("a{i}"), "outlet": format!("Outlet {i}"),
                    "text": format!("Outlet {i} reported that the council met on Monday.")})
            )
        })
        .collect();
    std::fs::write(&path, lines).unwrap();
    let out = parallax().arg("compare").arg(&path).output().unwrap();
    let err = assert_clean_failure(&out, &["500 sources", "--max-sources 64"]);
    assert!(!err.contains("model loaded"));
}

/// The strings of a JSON array, or its objects' `field`.
fn strings<'a>(v: &'a Value, field: Option<&str>) -> Vec<&'a str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| field.map_or(x, |f| &x[f]).as_str().unwrap())
        .collect()
}

/// The speaker row whose spellings include `spelling`.
fn speaker<'a>(r: &'a Value, spelling: &str) -> &'a Value {
    let rows = r["speakers"].as_array().unwrap();
    let found: Vec<&Value> = rows
        .iter()
        .filter(|p| {
            p["spellings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s == spelling)
        })
        .collect();
    assert_eq!(found.len(), 1, "{spelling}: {rows:#?}");
    found[0]
}

#[test]
fn speakers_are_people_across_spellings_scripts_and_titles() {
    let data = shared_data("coverage-dev.jsonl");
    let data = data.to_str().unwrap();
    // Russian outlets write "Дмитрий Песков" and "Пескова" (by case), English ones
    // "Dmitry Peskov", "Dmitri Peskov" and "Peskov": one row, quoted by RU and US.
    let r = run_json(&[
        data,
        "--event",
        "kremlin_reaction_nov19_21",
        "--group-by",
        "country",
    ]);
    let peskov = speaker(&r, "Peskov");
    let spellings = strings(&peskov["spellings"], None);
    assert!(spellings.contains(&"Дмитрий Песков"), "{spellings:?}");
    assert!(spellings.contains(&"Dmitry Peskov"), "{spellings:?}");
    assert_eq!(peskov["kind"], "person");
    assert_eq!(strings(&peskov["units"], Some("unit")), ["RU", "US"]);
    // The title each side gives him is kept as data, with the sentence behind it.
    let us = &peskov["units"][1];
    assert!(
        us["titles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "Kremlin spokesman"),
        "{us}"
    );
    for c in us["evidence"].as_array().unwrap() {
        assert!(c["text"].as_str().unwrap().contains("Peskov"));
    }
    // Each unit's attribution row names the person the table joins it to.
    let ru = r["attribution"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["unit"] == "RU")
        .unwrap();
    let pesk: Vec<&Value> = ru["speakers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["person"] == peskov["name"])
        .collect();
    assert_eq!(pesk.len(), 1, "{ru:#}");
    // Places in the locative and country abbreviations are nobody.
    for p in r["speakers"].as_array().unwrap() {
        for s in p["spellings"].as_array().unwrap() {
            let s = s.as_str().unwrap();
            assert!(
                !["Украине", "РФ", "США", "U.S"].contains(&s),
                "{s} counted as a speaker"
            );
            assert!(
                !s.starts_with("РФ ") && !s.starts_with("США "),
                "{s}: title in the name"
            );
        }
    }

    // Ukrainian: "Володимир Зеленський" and "Ігнат" join "Zelenskyy" / "Yurii Ihnat".
    let r = run_json(&[
        data,
        "--event",
        "ternopil_strike_nov19",
        "--group-by",
        "country",
    ]);
    let zelensky = speaker(&r, "Володимир Зеленський");
    assert!(zelensky["spellings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s == "Zelenskyy"));
    assert_eq!(
        zelensky["units"].as_array().unwrap().len(),
        3,
        "{zelensky:#}"
    );
    let ihnat = speaker(&r, "Ігнат");
    assert!(ihnat["spellings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s == "Yurii Ihnat"));
    let klymenko = speaker(&r, "Ihor Klymenko");
    assert_ne!(klymenko["name"], ihnat["name"]);
}
