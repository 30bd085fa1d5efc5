//! The readable diff of a stored body against a new one.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

use std::path::PathBuf;

use super::{render_change, Entry, Status};

fn changed(old: &str, new: &str) -> Entry {
    Entry {
        name: "m.json".into(),
        snap: PathBuf::from("decisions/m.json.snap"),
        status: Status::Changed,
        old: Some(old.into()),
        new: Some(new.into()),
        header: String::new(),
    }
}

const OLD: &str = r#"{
  "merchant_id": "M1",
  "decisions": {
    "tier": {
      "outcome": "gold",
      "rule": "gold",
      "bonus": "100.00",
      "reasons": [
        "a",
        "b"
      ]
    }
  }
}
tier: gold
  bonus: ¥100.00
"#;

#[test]
fn outcome_outputs_and_reasons_read_old_to_new() {
    let new = OLD
        .replace(
            "\"gold\",\n      \"rule\": \"gold\"",
            "\"silver\",\n      \"rule\": \"otherwise\"",
        )
        .replace("\"100.00\"", "\"0.00\"")
        .replace("\"a\",", "\"c\",");
    let shown = render_change(&changed(OLD, &new), false);
    assert_eq!(
        shown,
        "    tier.outcome: gold → silver\n    tier.rule: gold → otherwise\n    \
         tier.bonus: 100.00 → 0.00\n    tier.reasons:\n      - a\n      + c\n"
    );
}

#[test]
fn an_explanation_alone_shows_its_lines() {
    let new = OLD.replace("¥100.00", "¥100");
    let shown = render_change(&changed(OLD, &new), false);
    assert_eq!(
        shown,
        "    explanation:\n      -   bonus: ¥100.00\n      +   bonus: ¥100\n"
    );
}

#[test]
fn several_snapshots_are_told_apart_and_a_reject_is_a_change() {
    let old = format!("=== line 1\n{OLD}=== line 2\nrejected: bad\n");
    let new = format!("=== line 1\n{OLD}=== line 2\nrejected: worse\n");
    let shown = render_change(&changed(&old, &new), false);
    assert_eq!(
        shown,
        "    line 2:\n      - rejected: bad\n      + rejected: worse\n"
    );
}
