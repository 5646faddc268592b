//! parallax's ROUGE against Google's rouge-score package, on real summary pairs whose
//! scores rouge-score computed (scripts/rouge_reference.py wrote the fixture).

use parallax::analyze::rouge::score;
use serde_json::Value;

#[test]
fn rouge_equals_the_reference_implementation() {
    let fixture = include_str!("../fixtures/rouge-score-pairs.jsonl");
    let mut n = 0;
    for line in fixture.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let s = score(
            v["prediction"].as_str().unwrap(),
            v["reference"].as_str().unwrap(),
        );
        for (ours, key) in [
            (s.rouge1.f1, "rouge1"),
            (s.rouge2.f1, "rouge2"),
            (s.rouge_l.f1, "rougeL"),
        ] {
            let want = v[key].as_f64().unwrap();
            assert!(
                (ours - want).abs() < 1e-9,
                "{key}: {ours} vs rouge-score {want} on {line}"
            );
        }
        n += 1;
    }
    assert!(n >= 10);
}
