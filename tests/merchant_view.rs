//! The two views of a decision. Over a generated corpus of a policy
//! written for merchants (`tests/fixtures/merchant_view`, the shipped
//! policy with outcome and output labels), the merchant's explanation
//! shows no rule syntax, no backticked name, no `otherwise`, no `let`,
//! field, rule, outcome or output name, and every limit left unchanged is
//! explained; the author's view keeps all of them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test code"
)]

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::Path;

use verdikt::{Decision, Mode, OutputValue, Policy};

const DIR: &str = "tests/fixtures/merchant_view";

const MODE: Mode = Mode {
    reasons: true,
    explain: true,
    trace: false,
};

fn policy() -> Policy {
    let checked = verdikt::check_dir(Path::new(DIR)).unwrap();
    let plain = checked.render(verdikt::ErrorFormat::Plain);
    assert!(checked.diagnostics.is_empty(), "{plain}");
    checked.policy.unwrap()
}

/// Every name the rule files declare that a merchant must never read:
/// `let`s, rules, outcomes, outputs, rulesets and field paths.
fn names() -> Vec<String> {
    let mut names = vec!["otherwise".to_string()];
    for entry in std::fs::read_dir(DIR).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines() {
            let line = line.split('#').next().unwrap().trim();
            let mut words = line.split_whitespace();
            match words.next() {
                Some("let" | "rule" | "output" | "ruleset") => {
                    names.push(words.next().unwrap().to_string());
                }
                Some("outcomes") => {
                    names.extend(
                        words
                            .filter(|w| !w.starts_with('"'))
                            .map(|w| w.trim_end_matches(',').to_string()),
                    );
                }
                Some(path)
                    if path.contains('.')
                        && path.chars().all(|c| {
                            c.is_ascii_lowercase() || c == '.' || c == '_' || c.is_ascii_digit()
                        }) =>
                {
                    names.push(path.to_string());
                }
                _ => {}
            }
        }
    }
    names.retain(|n| n.len() > 2);
    names.sort();
    names.dedup();
    names
}

fn corpus(policy: &Policy, n: u64) -> Vec<String> {
    let mut lines = Vec::new();
    verdikt::gen::policy_corpus_until(policy, n, 1, 0, |line| {
        lines.push(line.to_string());
        ControlFlow::Continue(())
    });
    lines
}

fn decide(policy: &Policy, line: &str) -> Decision {
    policy.decide_json(line, MODE).unwrap()
}

#[test]
fn the_merchant_view_shows_no_rule_syntax_over_a_corpus() {
    let policy = policy();
    let names = names();
    for must in [
        "candidate",
        "no_room",
        "new_limit",
        "increase",
        "quota.used",
        "otherwise",
    ] {
        assert!(names.iter().any(|n| n == must), "{must} not in {names:?}");
    }
    let lines = corpus(&policy, 5_000);
    assert_eq!(lines.len(), 5_000);
    let mut explained = 0;
    for line in &lines {
        let d = decide(&policy, line);
        let text = verdikt::explain(&d);
        assert!(!text.contains('`'), "a backtick:\n{text}");
        for op in [
            ">=",
            "<=",
            "!=",
            " = ",
            " is absent",
            " is present",
            " days",
        ] {
            assert!(!text.contains(op), "rule syntax `{op}`:\n{text}");
        }
        for name in &names {
            let bounded = text.match_indices(name.as_str()).any(|(at, _)| {
                let before = text[..at].chars().next_back();
                let after = text[at + name.len()..].chars().next();
                let word = |c: Option<char>| {
                    c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
                };
                !word(before) && !word(after)
            });
            assert!(!bounded, "the name `{name}`:\n{text}");
        }
        explained += 1;
    }
    assert_eq!(explained, 5_000);
}

/// The limit a record had, and the one decided.
fn limits(line: &str, d: &Decision) -> Option<(String, String)> {
    let record: serde_json::Value = serde_json::from_str(line).unwrap();
    let limit = &record["quota"]["limit"];
    let limit = limit
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| limit.to_string());
    let limit: rust_decimal::Decimal = limit.parse().ok()?;
    let Some(OutputValue::Money(new)) = d.ruleset("limit_adjustment")?.output("new_limit") else {
        return None;
    };
    Some((format!("{:.2}", limit), format!("{:.2}", new)))
}

#[test]
fn every_unchanged_limit_is_explained() {
    let policy = policy();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for line in corpus(&policy, 5_000) {
        let d = decide(&policy, &line);
        let Some((limit, new)) = limits(&line, &d) else {
            continue;
        };
        let outcome = d.ruleset("limit_adjustment").unwrap().outcome.to_string();
        if limit != new && outcome != "freeze" {
            continue;
        }
        let text = verdikt::explain(&d);
        let section = text.split("\n\n").nth(1).unwrap();
        let why = match outcome.as_str() {
            "hold" => "暂未满足提升额度的条件",
            "decrease" => "额度不低于已用额度",
            "freeze" => "冻结额度",
            other => panic!("{other} left the limit unchanged:\n{text}"),
        };
        assert!(section.contains(why), "{outcome} unexplained:\n{section}");
        *seen.entry(outcome).or_default() += 1;
    }
    assert!(seen.get("hold").copied().unwrap_or(0) >= 100, "{seen:?}");
    assert!(seen.get("freeze").copied().unwrap_or(0) >= 100, "{seen:?}");
}

/// A decrease floored at the amount used says so, with both amounts.
#[test]
fn a_decrease_that_cannot_go_lower_says_why() {
    let policy = policy();
    let d = decide(
        &policy,
        &record(r#""rating":"4.3""#, r#""used":"49950.00""#),
    );
    let text = verdikt::explain(&d);
    assert!(text.contains("额度调整：降低额度"), "{text}");
    assert!(
        text.contains("额度维持 ¥50,000.00：已用额度 ¥49,950.00，额度不低于已用额度"),
        "{text}"
    );
    assert!(text.contains("店铺评分 4.3，低于 4.5"), "{text}");
}

/// The sales ceiling is named, not offered.
#[test]
fn a_ceiling_below_the_limit_is_named() {
    let policy = policy();
    let d = decide(
        &policy,
        &record(r#""gmv":"120000.00""#, r#""limit":"80000.00""#),
    );
    let text = verdikt::explain(&d);
    assert!(
        text.contains("按近 90 天销售额计算的额度上限为 ¥60,000.00（销售额的 50%），不高于当前额度 ¥80,000.00"),
        "{text}"
    );
    assert!(!text.contains("可提升至"), "{text}");
}

/// A frozen merchant asking to unbind is sent to 冻结后退出, and no later
/// reason asks them to repay first.
#[test]
fn exit_advice_never_contradicts_a_later_reason() {
    let policy = policy();
    let line = record(r#""status":"frozen""#, r#""used":"100.00""#)
        .replace(r#""request":{}"#, r#""request":{"kind":"unbind"}"#);
    let text = verdikt::explain(&decide(&policy, &line));
    assert!(text.contains("请申请冻结后退出"), "{text}");
    assert!(!text.contains("需先还清"), "{text}");
}

#[test]
fn the_author_view_keeps_names_and_rule_text() {
    let policy = policy();
    let mode = Mode {
        trace: true,
        ..MODE
    };
    let d = policy
        .decide_json(&record(r#""rating":"4.7""#, r#""used":"0.00""#), mode)
        .unwrap();
    let text = verdikt::trace(&d);
    for want in [
        "（otherwise）",
        "limit_adjustment",
        "new_limit:",
        "store.rating = 4.7，要求 >= 4.8",
        "increase",
    ] {
        assert!(text.contains(want), "{want}:\n{text}");
    }
    let merchant = verdikt::explain(&d);
    assert!(merchant.contains("额度调整：维持额度"), "{merchant}");
    assert!(merchant.contains("调整后额度：¥50,000.00"), "{merchant}");
}

/// A record of an active merchant, with two of its values replaced
/// (`"rating":"4.3"`, `"used":"…"`, `"gmv":"…"`, `"limit":"…"`,
/// `"status":"…"`).
fn record(a: &str, b: &str) -> String {
    let mut fields = BTreeMap::from([
        ("rating", r#""4.9""#.to_string()),
        ("used", r#""0.00""#.to_string()),
        ("gmv", r#""200000.00""#.to_string()),
        ("limit", r#""50000.00""#.to_string()),
        ("status", r#""active""#.to_string()),
    ]);
    for pair in [a, b] {
        let (k, v) = pair.split_once(':').unwrap();
        fields.insert(
            Box::leak(k.trim_matches('"').to_string().into_boxed_str()),
            v.to_string(),
        );
    }
    format!(
        r#"{{"merchant_id":"M1","as_of":"2026-03-02","store":{{"rating":{rating},"months_active":12}},
"sales":{{"gmv_90d":{gmv}}},"fulfillment":{{"on_time_ship_rate":"0.99","positive_review_rate":"0.97"}},
"alipay":{{"credit_score":720}},"violations":{{"open":0,"severe_12m":0}},
"quota":{{"status":{status},"provider":"platform","limit":{limit},"used":{used},"overdue_count_12m":0}},
"request":{{}}}}"#,
        rating = fields["rating"],
        gmv = fields["gmv"],
        status = fields["status"],
        limit = fields["limit"],
        used = fields["used"],
    )
    .replace('\n', "")
}
