//! Differential test: the engine's `limit_adjustment` and the hand-written
//! baseline (benches/baseline.rs) decide alike on a generated corpus.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

#[path = "../benches/baseline.rs"]
#[allow(dead_code, reason = "the benchmark uses the rest")]
mod baseline;

use verdikt::{Mode, OutputValue};

#[test]
fn engine_and_baseline_agree() {
    let policy = verdikt::check_dir(std::path::Path::new("tests/fixtures/reference/rules"))
        .unwrap()
        .policy
        .unwrap();
    let mut checked = 0;
    verdikt::gen::corpus(20_000, 11, 0, |line| {
        let snapshot: baseline::Snapshot = serde_json::from_str(line).unwrap();
        let want = baseline::decide(&snapshot).unwrap();
        let got = policy
            .decide_json(
                line,
                Mode {
                    reasons: false,
                    explain: false,
                    trace: false,
                },
            )
            .unwrap();
        let got = got.ruleset("limit_adjustment").unwrap();
        assert_eq!(&*got.outcome, want.outcome, "{line}");
        let got_limit = match got.output("new_limit") {
            Some(OutputValue::Money(d)) => Some(*d),
            _ => None,
        };
        assert_eq!(got_limit, want.new_limit, "{line}");
        checked += 1;
    });
    assert_eq!(checked, 20_000);
}
