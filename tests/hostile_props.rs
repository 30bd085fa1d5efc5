//! Laws that hold for any rule text, however hostile: every construct nested
//! 10,000 deep gets a located error, never a stack overflow; and rule files
//! made by a generator that knows the language (so that most of them get
//! past the parser and the checker) are checked and then decide generated
//! records without a panic, with every money output in whole cents.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    clippy::print_stderr,
    reason = "test code"
)]

use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use verdikt::{Code, Mode};

fn shipped(name: &str) -> (String, Vec<u8>) {
    (
        name.to_string(),
        std::fs::read(std::path::Path::new("tests/fixtures/reference/rules").join(name)).unwrap(),
    )
}

/// Checks one more file next to the shipped schema and calendar.
fn check_with_schema(text: &str) -> verdikt::Checked {
    verdikt::check_files(vec![
        shipped("01-schema.vk"),
        shipped("02-calendar.vk"),
        ("x.vk".to_string(), text.as_bytes().to_vec()),
    ])
}

// ------------------------------------------------------------ deep nesting

/// A condition nesting one construct `depth` deep.
fn nested(construct: usize, depth: usize) -> String {
    let rep = |s: &str| s.repeat(depth);
    match construct {
        0 => format!("{}store.rating > 1{}", rep("("), rep(")")),
        1 => format!(
            "{}store.rating > 1{}",
            rep("if as_of > 2026-01-01 then "),
            rep(" else false")
        ),
        2 => format!(
            "{}store.rating > 1",
            rep("if as_of < 2020-01-01 then false else ")
        ),
        3 => format!("{}store.rating > 1{}", rep("not ("), rep(")")),
        4 => format!("{}store.rating{} > 0", rep("-("), rep(")")),
        5 => format!("all of {}true{}", rep("any of [ "), rep(" ]")),
        6 => format!("{}store.rating{} > 0", rep("abs("), rep(")")),
        7 => format!("{}store.rating{} > 0", rep("min(1, "), rep(")")),
        8 => format!("1 in {}1{}", rep("["), rep("]")),
        _ => format!("true because \"{}x{}\"", rep("{\"{"), rep("}\"}")),
    }
}

fn ruleset_with(condition: &str) -> String {
    format!("ruleset x {{\n  outcomes a, b\n  rule r when {condition} then a\n  otherwise b\n}}\n")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 120, ..ProptestConfig::default() })]

    /// Any construct at any depth up to 10,000: either it checks, or the
    /// error is located; past 64 levels it is the nesting error itself.
    /// (Test threads have 2 MiB stacks: this also bounds every recursion.)
    #[test]
    fn any_nesting_ends_in_a_located_answer(construct in 0usize..10, depth in 1usize..10_000) {
        let checked = check_with_schema(&ruleset_with(&nested(construct, depth)));
        for d in &checked.diagnostics {
            prop_assert!(d.location(&checked.sources).is_some(), "unlocated: {}", d.message());
        }
        if depth > 64 {
            prop_assert!(
                checked.diagnostics.iter().any(|d| d.code() == Code::TooDeep),
                "construct {construct} at depth {depth}: {:?}",
                checked.diagnostics.iter().map(|d| d.code().id()).collect::<Vec<_>>()
            );
        }
    }
}

#[test]
fn every_construct_10000_deep_is_refused_where_it_gets_too_deep() {
    for construct in 0..10 {
        let checked = check_with_schema(&ruleset_with(&nested(construct, 10_000)));
        let too_deep: Vec<_> = checked
            .diagnostics
            .iter()
            .filter(|d| d.code() == Code::TooDeep)
            .collect();
        assert_eq!(too_deep.len(), 1, "construct {construct}");
        assert!(checked.policy.is_none());
    }
}

#[test]
fn nesting_just_inside_the_limit_checks_and_decides() {
    let policy_record =
        std::fs::read_to_string("tests/fixtures/reference/examples/merchants.jsonl").unwrap();
    let record = policy_record.lines().next().unwrap();
    // Brackets and `if`s share one budget; these stay inside it.
    for (construct, depth) in [(0, 60), (1, 60), (2, 60), (3, 60), (6, 60), (7, 60)] {
        let checked = check_with_schema(&ruleset_with(&nested(construct, depth)));
        let policy = checked.policy.unwrap_or_else(|| {
            panic!(
                "construct {construct} at depth {depth}: {:?}",
                checked
                    .diagnostics
                    .iter()
                    .map(|d| d.message())
                    .collect::<Vec<_>>()
            )
        });
        let mode = Mode {
            reasons: true,
            explain: true,
            trace: true,
        };
        let decision = policy.decide_json(record, mode).unwrap();
        assert_eq!(decision.rulesets.len(), 1);
    }
}

// ------------------------------------------------------------ a generator of rule files

/// Fields of the shipped schema by what they hold.
const MONEY: &[&str] = &["quota.limit", "quota.used", "sales.gmv_90d"];
const INTS: &[&str] = &[
    "store.months_active",
    "alipay.credit_score",
    "violations.open",
    "violations.severe_12m",
    "quota.overdue_count_12m",
];
const RATES: &[&str] = &[
    "fulfillment.on_time_ship_rate",
    "fulfillment.positive_review_rate",
];

fn money_expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        prop::sample::select(MONEY).prop_map(str::to_string),
        (1u32..900_000).prop_map(|n| format!("¥{n}")),
        (0u32..100_000, 0u32..100).prop_map(|(a, c)| format!("¥{a}.{c:02}")),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (inner.clone(), 1u32..200).prop_map(|(m, p)| format!("{m} * {p}%")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("min({a}, {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("max({a}, {b})")),
            (
                inner.clone(),
                prop::sample::select(&[1u32, 10, 100, 1000][..])
            )
                .prop_map(|(m, s)| format!("floor_to({m}, {s})")),
            inner.clone().prop_map(|m| format!("ceil_to({m}, 100)")),
            inner
                .clone()
                .prop_map(|m| format!("round_cents({m} * 0.5%)")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} + {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} - {b})")),
            (bool_leaf(), inner.clone(), inner)
                .prop_map(|(c, a, b)| format!("(if {c} then {a} else {b})")),
        ]
    })
}

fn bool_leaf() -> impl Strategy<Value = String> {
    let op = prop::sample::select(&["<", "<=", ">", ">=", "=", "!="][..]);
    prop_oneof![
        (prop::sample::select(INTS), op.clone(), 0u32..1000)
            .prop_map(|(f, o, n)| format!("{f} {o} {n}")),
        (prop::sample::select(RATES), op.clone(), 0u32..=1000).prop_map(|(f, o, n)| format!(
            "{f} {o} {}.{}%",
            n / 10,
            n % 10
        )),
        (op.clone(), 0u32..50).prop_map(|(o, n)| format!("store.rating {o} {}.{}", n / 10, n % 10)),
        (prop::sample::select(MONEY), op, 0u32..1_000_000)
            .prop_map(|(f, o, n)| format!("{f} {o} ¥{n}")),
        prop::sample::select(&["active", "frozen", "exited"][..])
            .prop_map(|s| format!("quota.status = {s}")),
        prop::sample::select(&["unbind", "early_terminate", "exit_service"][..]).prop_map(
            |k| format!("request.kind is present and request.kind in [{k}, unfreeze_exit]")
        ),
        Just("quota.due_date is present and quota.due_date > as_of".to_string()),
        Just(
            "quota.last_adjusted_on is absent or days(quota.last_adjusted_on, as_of) >= 90"
                .to_string()
        ),
        Just("business_days_after(as_of, 3, calendar cn-2026) > as_of + 2 days".to_string()),
        (money_leaf_field(), 0u32..100).prop_map(|(m, n)| format!("{m} / {} > 1", n + 1)),
    ]
}

fn money_leaf_field() -> impl Strategy<Value = String> {
    prop::sample::select(MONEY).prop_map(str::to_string)
}

fn bool_expr() -> impl Strategy<Value = String> {
    bool_leaf().prop_recursive(3, 10, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} and {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} or {b})")),
            inner.clone().prop_map(|a| format!("not ({a})")),
            (inner.clone(), inner.clone(), inner)
                .prop_map(|(c, a, b)| format!("(if {c} then {a} else {b})")),
        ]
    })
}

fn condition() -> impl Strategy<Value = String> {
    let item =
        (bool_expr(), prop::option::of(money_leaf_field())).prop_map(|(e, reason)| match reason {
            Some(f) => format!("{e} because \"{f} = {{{f}}}\""),
            None => e,
        });
    prop_oneof![
        bool_expr(),
        (
            prop::sample::select(&["all", "any"][..]),
            prop::collection::vec(item, 1..5)
        )
            .prop_map(|(kind, items)| format!("{kind} of\n      {}", items.join("\n      "))),
    ]
}

fn rule_file() -> impl Strategy<Value = String> {
    let rule = (
        condition(),
        prop::option::of(bool_expr()),
        money_expr(),
        0usize..3,
        any::<bool>(),
    );
    (prop::collection::vec(rule, 1..5), money_expr(), 0usize..10).prop_map(
        |(rules, fallback, corrupt)| {
            let mut text = String::from(
                "ruleset generated \"生成\" {\n  outcomes a, b, c\n  output v money\n\n  let base = quota.limit * 110%\n\n",
            );
            for (i, (when, scope, value, outcome, with_else)) in rules.into_iter().enumerate() {
                let outcome = ["a", "b", "c"][outcome];
                let scope = scope.map(|s| format!("    for {s}\n")).unwrap_or_default();
                // A rule with `else` decides its whole `for` scope, so only a
                // scoped one gets an `else` (later rules stay reachable).
                let otherwise = if with_else && !scope.is_empty() {
                    "    else c, v = base\n"
                } else {
                    ""
                };
                text.push_str(&format!(
                    "  rule r{i}\n{scope}    when {when}\n    then {outcome}, v = round_cents({value})\n{otherwise}\n"
                ));
            }
            text.push_str(&format!(
                "  otherwise b, v = round_cents({fallback}), explain unmet conditions of r0\n}}\n"
            ));
            // One file in ten gets an author's slip: a cut, so that the
            // syntax and checking errors are exercised as well.
            if corrupt == 0 {
                let cut = text.len() / 2;
                let cut = (0..=cut).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
                let end = ((cut + 3).min(text.len())..=text.len())
                    .find(|i| text.is_char_boundary(*i))
                    .unwrap_or(text.len());
                text.replace_range(cut..end, "");
            }
            text
        },
    )
}

static PARSED: AtomicUsize = AtomicUsize::new(0);
static COMPILED: AtomicUsize = AtomicUsize::new(0);
static DECIDED: AtomicUsize = AtomicUsize::new(0);
static GENERATED: AtomicUsize = AtomicUsize::new(0);

fn records() -> Vec<String> {
    let mut out = Vec::new();
    verdikt::gen::corpus(40, 17, 10, |line| out.push(line.to_string()));
    out
}

/// What one generated file gets to, counted for the test below.
fn run_generated(text: &str, records: &[String]) -> Result<(), TestCaseError> {
    GENERATED.fetch_add(1, Ordering::Relaxed);
    let checked = check_with_schema(text);
    let syntax_failed = checked.diagnostics.iter().any(|d| d.code() == Code::Syntax);
    if !syntax_failed {
        PARSED.fetch_add(1, Ordering::Relaxed);
    }
    let Some(policy) = checked.policy else {
        prop_assert!(checked.diagnostics.iter().any(|d| d.is_error()));
        if std::env::var("SHOW_GENERATED").is_ok() {
            let first = checked.diagnostics.iter().find(|d| d.is_error()).unwrap();
            eprintln!("{}: {}", first.code().id(), first.message());
        }
        return Ok(());
    };
    COMPILED.fetch_add(1, Ordering::Relaxed);
    let mode = Mode {
        reasons: true,
        explain: true,
        trace: false,
    };
    for line in records {
        // Bad records and evaluation errors are answers; a panic is not.
        if let Ok(decision) = policy.decide_json(line, mode) {
            DECIDED.fetch_add(1, Ordering::Relaxed);
            let value = serde_json::to_value(&decision).unwrap();
            let v = &value["decisions"]["generated"]["v"];
            if let Some(v) = v.as_str() {
                let cents = v.rsplit_once('.').map_or(0, |(_, c)| c.len());
                prop_assert_eq!(cents, 2, "money output {}", v);
            }
        }
    }
    Ok(())
}

#[test]
fn generated_rule_files_reach_the_checker_and_the_evaluator() {
    let records = records();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 300,
        ..ProptestConfig::default()
    });
    runner
        .run(&rule_file(), |text| run_generated(&text, &records))
        .unwrap();
    let (generated, parsed, compiled, decided) = (
        GENERATED.load(Ordering::Relaxed),
        PARSED.load(Ordering::Relaxed),
        COMPILED.load(Ordering::Relaxed),
        DECIDED.load(Ordering::Relaxed),
    );
    eprintln!(
        "{generated} generated, {parsed} parsed, {compiled} compiled, {decided} records decided"
    );
    // Most files get past the parser and the checker, and are run.
    assert!(
        parsed * 10 >= generated * 8,
        "{parsed} of {generated} parsed"
    );
    assert!(
        compiled * 10 >= generated * 6,
        "{compiled} of {generated} compiled"
    );
    assert!(decided >= 1000, "only {decided} records decided");
}
