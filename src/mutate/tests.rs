//! Nudges at the literal's own precision, and the law of equivalence: a
//! mutant called equivalent decides every whole number as the original.

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::enumerate::nudges;
use super::equivalent;
use crate::ast::{CmpOp, LitValue, Literal};
use crate::span::Span;
use crate::types::Ty;

fn literal(text: &str) -> Literal {
    let number = |t: &str| crate::decimal::parse_rule_number(t).unwrap_or_default();
    let value = if let Some(p) = text.strip_suffix('%') {
        LitValue::Percent(crate::decimal::percent_to_fraction(number(p)).unwrap_or_default())
    } else if let Some(m) = text.strip_prefix('¥') {
        LitValue::Money(number(&m.replace(',', "")))
    } else if let Some(d) = text.strip_suffix(" days") {
        LitValue::Days(d.parse().unwrap_or_default())
    } else if text.len() == 10 && text.contains('-') {
        LitValue::Date(text.parse().unwrap_or_default())
    } else {
        LitValue::Number(number(text))
    };
    Literal {
        value,
        text: text.to_string(),
        span: Span::default(),
    }
}

fn nudged(text: &str, other: Option<Ty>) -> Vec<String> {
    nudges(&literal(text), other.as_ref())
        .into_iter()
        .map(|(_, t)| t)
        .collect()
}

#[test]
fn each_literal_moves_one_step_at_its_own_precision() {
    assert_eq!(nudged("4.8", Some(Ty::Decimal)), ["4.79", "4.81"]);
    assert_eq!(nudged("4.75", Some(Ty::Decimal)), ["4.749", "4.751"]);
    assert_eq!(nudged("4", Some(Ty::Decimal)), ["3.99", "4.01"]);
    assert_eq!(nudged("700", Some(Ty::Int)), ["699", "701"]);
    assert_eq!(nudged("0", Some(Ty::Money)), ["-0.01", "0.01"]);
    assert_eq!(nudged("90%", Some(Ty::Rate)), ["89.99%", "90.01%"]);
    assert_eq!(nudged("98.5%", Some(Ty::Rate)), ["98.49%", "98.51%"]);
    assert_eq!(nudged("¥100.00", Some(Ty::Money)), ["¥99.99", "¥100.01"]);
    assert_eq!(
        nudged("¥500,000", Some(Ty::Money)),
        ["¥499,999.99", "¥500,000.01"]
    );
    assert_eq!(nudged("180 days", None), ["179 days", "181 days"]);
    assert_eq!(
        nudged("2026-03-01", Some(Ty::Date)),
        ["2026-02-28", "2026-03-02"]
    );
}

#[test]
fn a_percent_keeps_its_value_as_a_fraction() {
    let values: Vec<LitValue> = nudges(&literal("90%"), Some(&Ty::Rate))
        .into_iter()
        .map(|(v, _)| v)
        .collect();
    assert_eq!(
        values,
        [
            LitValue::Percent(Decimal::new(8999, 4)),
            LitValue::Percent(Decimal::new(9001, 4))
        ]
    );
}

#[test]
fn equivalence_needs_a_whole_number_and_a_threshold_between_wholes() {
    let n = |s: &str| LitValue::Number(s.parse().unwrap_or_default());
    assert!(equivalent::nudge(true, CmpOp::Ge, &n("4.5"), &n("4.49")).is_some());
    assert!(equivalent::nudge(true, CmpOp::Ge, &n("700"), &n("699")).is_none());
    // Not a whole-number value: never equivalent.
    assert!(equivalent::nudge(false, CmpOp::Ge, &n("4.5"), &n("4.49")).is_none());
    // A nudge to a whole number may still agree (`>= 4.99` is `>= 5`); one
    // that leaves a whole number does not.
    assert!(equivalent::nudge(true, CmpOp::Ge, &n("4.99"), &n("5.00")).is_some());
    assert!(equivalent::nudge(true, CmpOp::Ge, &n("5.00"), &n("5.01")).is_none());
    assert!(equivalent::flip(true, &n("2.5"), CmpOp::Ge, CmpOp::Gt).is_some());
    assert!(equivalent::flip(true, &n("2"), CmpOp::Ge, CmpOp::Gt).is_none());
    assert!(equivalent::group(1).is_some());
    assert!(equivalent::group(2).is_none());
}

fn holds(x: i64, op: CmpOp, c: Decimal) -> bool {
    let x = Decimal::from(x);
    match op {
        CmpOp::Eq => x == c,
        CmpOp::Ne => x != c,
        CmpOp::Lt => x < c,
        CmpOp::Le => x <= c,
        CmpOp::Gt => x > c,
        CmpOp::Ge => x >= c,
    }
}

fn op() -> impl Strategy<Value = CmpOp> {
    prop_oneof![
        Just(CmpOp::Eq),
        Just(CmpOp::Ne),
        Just(CmpOp::Lt),
        Just(CmpOp::Le),
        Just(CmpOp::Gt),
        Just(CmpOp::Ge),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// A nudge called equivalent decides every whole number as before.
    #[test]
    fn an_equivalent_nudge_decides_every_whole_number_alike(
        op in op(),
        hundredths in -500i64..500,
        step in prop_oneof![Just(-1i64), Just(1i64)],
    ) {
        let c = Decimal::new(hundredths, 2);
        let d = Decimal::new(hundredths + step, 2);
        let claim = equivalent::nudge(true, op, &LitValue::Number(c), &LitValue::Number(d));
        let same = (-8i64..=8).all(|x| holds(x, op, c) == holds(x, op, d));
        // Sound, and complete for whole-number values.
        prop_assert_eq!(claim.is_some(), same);
    }

    /// A flip called equivalent decides every whole number as before.
    #[test]
    fn an_equivalent_flip_decides_every_whole_number_alike(
        (op, flipped) in prop_oneof![
            Just((CmpOp::Ge, CmpOp::Gt)),
            Just((CmpOp::Gt, CmpOp::Ge)),
            Just((CmpOp::Le, CmpOp::Lt)),
            Just((CmpOp::Lt, CmpOp::Le)),
        ],
        hundredths in -500i64..500,
    ) {
        let c = Decimal::new(hundredths, 2);
        let claim = equivalent::flip(true, &LitValue::Number(c), op, flipped);
        let same = (-8i64..=8).all(|x| holds(x, op, c) == holds(x, flipped, c));
        prop_assert_eq!(claim.is_some(), same);
    }
}

/// The fast path (compiled nodes patched, records read once, no lints) and
/// the full re-check of every mutant agree, verdict for verdict, on the
/// fixture policies and the shipped rules; and the fast path is taken.
#[test]
fn the_fast_path_and_the_full_recheck_agree_on_every_mutant() {
    use super::run::{judge_fast, judge_full, Judge};
    let mut total = 0;
    let mut patched = 0;
    for dir in [
        "tests/fixtures/mutate/weak",
        "tests/fixtures/mutate/strong",
        "tests/fixtures/reference/rules",
    ] {
        let dir = std::path::Path::new(dir);
        let parsed = crate::policy::parse_dir(dir).unwrap();
        let (policy, _) =
            crate::policy::check_trees(&parsed.trees, &parsed.sources, &parsed.version);
        let policy = policy.unwrap();
        let suite = crate::cases::load_suite(&policy, &dir.join("tests")).unwrap();
        let records = suite.read_records(&policy);
        let judge = Judge {
            parsed: &parsed,
            policy: &policy,
            suite: &suite,
            records: &records,
        };
        let mutants = super::enumerate::mutants(&parsed.trees, &policy);
        let mut killed = 0;
        for m in &mutants {
            let fast = judge_fast(&judge, m);
            let full = judge_full(&parsed, &suite, m);
            assert_eq!(
                fast,
                full,
                "{}: {} `{}` → `{}`",
                dir.display(),
                m.place,
                m.before,
                m.after
            );
            patched += usize::from(super::patch::patch(&policy, &m.change).is_some());
            killed += usize::from(matches!(fast, super::run::Verdict::Killed { .. }));
        }
        assert!(killed > 0, "{}: no mutant killed", dir.display());
        total += mutants.len();
    }
    assert!(total >= 130, "{total} mutants");
    assert!(patched * 10 >= total * 8, "{patched} of {total} patched");
}
