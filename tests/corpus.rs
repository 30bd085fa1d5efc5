//! The reference policy over `tests/corpus/`: every record's decision and
//! explanation kept as an insta snapshot, so a rule change shows up as a
//! reviewable diff of what it does to each merchant (`cargo insta review`).
//!
//! - `thresholds.jsonl`: one merchant per threshold side, rounding tie and
//!   calendar edge of the policy (merchant ids `T001`..; a bad record last).
//! - `generated.jsonl`: `verdikt gen --n 200 --seed 2026`, a realistic mix.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test code"
)]

mod common;

use common::{decide_file, policy};

#[test]
fn corpus_decisions_and_explanations() {
    let policy = policy();
    insta::glob!("corpus", "*.{jsonl,yaml}", |path| {
        let mut out = String::new();
        for (place, result) in decide_file(&policy, path) {
            out.push_str(&format!("=== {place}\n"));
            match result {
                Ok(mut decision) => {
                    decision.ruleset_version = "[version]".into();
                    out.push_str(&verdikt::explain(&decision));
                }
                Err(e) => out.push_str(&format!(
                    "rejected: {}\n",
                    serde_json::to_string(&e).unwrap()
                )),
            }
        }
        insta::assert_snapshot!(out);
    });
}
