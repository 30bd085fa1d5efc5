//! The policy book: snapshots of both forms for the frozen reference
//! policy, and what a reviewer must be able to rely on (thresholds in
//! their type, the book following the rules, English policies in English).

use std::path::Path;

use super::{render, BookFormat, Inputs, Tested};
use crate::coverage::Coverage;

/// The book of rule files given as (name, text), with optional case files.
fn book_of(rules: &[(&str, &str)], cases: &[(&str, &str)], format: BookFormat) -> String {
    let files = rules
        .iter()
        .map(|(n, t)| (n.to_string(), t.as_bytes().to_vec()))
        .collect();
    let parsed = crate::policy::parse_files(files, Vec::new());
    let (policy, diagnostics) =
        crate::policy::check_trees(&parsed.trees, &parsed.sources, &parsed.version);
    let policy = policy.unwrap_or_else(|| panic!("rules do not check: {diagnostics:?}"));
    let cases: Vec<(String, String)> = cases
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    let suite = (!cases.is_empty()).then(|| {
        crate::cases::parse_suite(&policy, "tests", &cases)
            .unwrap_or_else(|e| panic!("cases do not check: {e}"))
    });
    let mut coverage = Coverage::default();
    if let Some(suite) = &suite {
        suite.run(&policy, &mut coverage);
    }
    let inputs = Inputs {
        trees: &parsed.trees,
        policy: &policy,
        tested: suite.as_ref().map(|suite| Tested {
            suite,
            coverage: &coverage,
        }),
        horizon: None,
    };
    render(&inputs, format)
}

/// The book of the frozen copy of the shipped policy, with its cases.
fn reference_book(format: BookFormat) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reference/rules");
    let parsed = crate::policy::parse_dir(&dir).expect("reference rules are readable");
    let (policy, diagnostics) =
        crate::policy::check_trees(&parsed.trees, &parsed.sources, &parsed.version);
    let policy = policy.unwrap_or_else(|| panic!("reference rules do not check: {diagnostics:?}"));
    let suite = crate::cases::load_suite(&policy, &dir.join("tests"))
        .unwrap_or_else(|e| panic!("reference cases do not check: {e}"));
    let mut coverage = Coverage::default();
    let results = suite.run(&policy, &mut coverage);
    assert!(results.len() >= 100, "only {} cases ran", results.len());
    render(
        &Inputs {
            trees: &parsed.trees,
            policy: &policy,
            tested: Some(Tested {
                suite: &suite,
                coverage: &coverage,
            }),
            horizon: None,
        },
        format,
    )
}

#[test]
fn reference_policy_book_markdown() {
    let md = reference_book(BookFormat::Markdown);
    // Every ruleset and rule is in the book, in order, under its title.
    let order = [
        "## 额度调整（limit\\_adjustment）",
        "### 规则 1：冻结额度（freeze）",
        "### 规则 3：提升额度（increase）",
        "## 退出与解绑（exit\\_request）",
        "### 规则 5：还清后退出（exit\\_service）",
        "## 重新申请（reapply）",
        "## 工作日历",
        "## 测试覆盖",
    ];
    let mut at = 0;
    for heading in order {
        let found = md
            .get(at..)
            .and_then(|rest| rest.find(heading))
            .unwrap_or_else(|| panic!("`{heading}` missing or out of order"));
        at += found + heading.len();
    }
    insta::assert_snapshot!(md);
}

#[test]
fn reference_policy_book_html() {
    let html = reference_book(BookFormat::Html);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"zh\">"));
    for external in [
        "<script", "<link", "src=", "url(", "@import", "http://", "https://",
    ] {
        assert!(!html.contains(external), "the page loads `{external}`");
    }
    // The table of contents links every ruleset.
    for id in [
        "ruleset-limit_adjustment",
        "ruleset-exit_request",
        "ruleset-reapply",
    ] {
        assert!(
            html.contains(&format!("<a href=\"#{id}\">")),
            "no link to {id}"
        );
        assert!(html.contains(&format!(" id=\"{id}\"")), "no anchor {id}");
    }
    insta::assert_snapshot!(html);
}

const EN_RULES: &str = r#"
language en
schema snapshot {
  merchant_id   text, not empty
  as_of         date
  store.rating  decimal in 0..5
  sales.gmv_90d money >= 0
  ship_rate     rate in 0%..100%
  quota.limit   money >= 0
  quota.used    money >= 0
  quota.status  one of active "Active", frozen "Frozen"
  quota.vip     optional bool, default false
}
ruleset limit "Limit" {
  outcomes raise, lower, hold, skip
  output new_limit money
  applies when quota.status = active else skip, new_limit = quota.limit
  let candidate = min(floor_to(quota.limit * 130%, 100), ¥500,000)
  rule lower "Lower the limit"
    when any of
      store.rating < 4.5  because "rating {store.rating} is below 4.5"
      ship_rate < 90%     because "on-time shipping {ship_rate} is below 90%"
    then lower, new_limit = quota.limit
  rule raise "Raise the limit"
    for quota.vip
    when all of
      store.rating >= 4.8         else "rating {store.rating}, needs 4.8"
      sales.gmv_90d >= ¥100,000   else "sales {sales.gmv_90d}, need ¥100,000.00"
      quota.used = 0              else "repay {quota.used} first"
    then raise, new_limit = candidate because "raised to {candidate}"
    else hold, new_limit = quota.limit
  otherwise hold, new_limit = quota.limit, explain unmet conditions of raise
}
"#;

const EN_CASES: &str = r#"
bases:
  good: { merchant_id: M1, as_of: "2026-11-24", store: { rating: "4.9" }, sales: { gmv_90d: "200000" },
          ship_rate: "0.99", quota: { limit: "1000", used: "0", status: active } }
cases:
  - name: low rating lowers
    base: good
    patch: { store.rating: "4.0" }
    expect:
      limit: { outcome: lower }
"#;

#[test]
fn an_english_policy_reads_in_english_with_thresholds_in_their_type() {
    let md = book_of(
        &[("p.vk", EN_RULES)],
        &[("t.yaml", EN_CASES)],
        BookFormat::Markdown,
    );
    for expected in [
        "# Policy book",
        "Applies when: `quota.status` = Active; When it does not apply: `skip`; `new_limit` = `quota.limit`",
        "Rules are tried in order and the first that matches decides",
        "| `store.rating` \\< 4.5 | 「rating {`store.rating`} is below 4.5」 |",
        "| `ship_rate` \\< 90% |",
        // A money threshold reads as money, also when written as a plain 0.
        "| `sales.gmv_90d` ≥ ¥100,000.00 |",
        "| `quota.used` = ¥0.00 |",
        "Concerns: `quota.vip` = yes",
        "`candidate` = min(round down to 100(`quota.limit` × 130%), ¥500,000.00)",
        "When it concerns the record but the conditions fail: `hold`; `new_limit` = `quota.limit`, listing the unmet conditions",
        "### Otherwise",
        "`hold`; `new_limit` = `quota.limit`, explaining the unmet conditions of rule \"Raise the limit (raise)\"",
        "| `quota.vip` | yes/no | may be absent, when absent: no |",
        "Test cases asserting on this ruleset: 1",
        "Rules a case decides: 1/2",
        "Rules no case decides: `raise`",
    ] {
        assert!(md.contains(expected), "missing `{expected}` in:\n{md}");
    }
    for chinese in ["规则", "条件", "其余情况"] {
        assert!(
            !md.contains(chinese),
            "`{chinese}` in an English book:\n{md}"
        );
    }
}

#[test]
fn the_book_follows_a_changed_threshold() {
    let before = book_of(&[("p.vk", EN_RULES)], &[], BookFormat::Markdown);
    let changed = EN_RULES.replace("store.rating >= 4.8", "store.rating >= 4.9");
    let after = book_of(&[("p.vk", &changed)], &[], BookFormat::Markdown);
    assert!(before.contains("| `store.rating` ≥ 4.8 |"));
    assert!(after.contains("| `store.rating` ≥ 4.9 |"), "{after}");
    assert!(!after.contains("≥ 4.8 |"));
    // Without case files the book says nothing is tested.
    assert!(after.contains("No test cases were found"));
}

#[test]
fn merchant_texts_cannot_inject_markup() {
    let rules = EN_RULES.replace(
        "rating {store.rating} is below 4.5",
        "<script>alert(1)</script> | *x* [a](b)",
    );
    let html = book_of(&[("p.vk", &rules)], &[], BookFormat::Html);
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script>"));
    let md = book_of(&[("p.vk", &rules)], &[], BookFormat::Markdown);
    assert!(
        md.contains("\\<script\\>alert(1)\\</script\\> \\| \\*x\\* \\[a\\](b)"),
        "{md}"
    );
}

#[test]
fn required_in_a_text_shows_the_compared_value_in_its_type() {
    let rules = EN_RULES
        .replace("needs 4.8\"", "needs {required}\"")
        .replace("need ¥100,000.00\"", "need {required}\"")
        .replace(
            "\"repay {quota.used} first\"",
            "\"{quota.used} used, {required} needed\"",
        );
    let md = book_of(&[("p.vk", &rules)], &[], BookFormat::Markdown);
    for expected in [
        "| `store.rating` ≥ 4.8 | 「rating {`store.rating`}, needs {4.8}」 |",
        "| `sales.gmv_90d` ≥ ¥100,000.00 | 「sales {`sales.gmv_90d`}, need {¥100,000.00}」 |",
        // A plain 0 compared with money prints as money, like the actual value.
        "| `quota.used` = ¥0.00 | 「{`quota.used`} used, {¥0.00} needed」 |",
    ] {
        assert!(md.contains(expected), "missing `{expected}` in:\n{md}");
    }
    assert!(!md.contains("`required`"), "{md}");
}

#[test]
fn outcome_and_output_labels_and_conditional_reasons_are_shown() {
    let rules = EN_RULES
        .replace(
            "outcomes raise, lower, hold, skip",
            "outcomes raise \"Raise\", lower \"Lower\", hold, skip",
        )
        .replace("output new_limit money", "output new_limit \"New limit\" money")
        .replace(
            "then lower, new_limit = quota.limit",
            "then lower, new_limit = quota.limit because \"kept at {quota.limit}\" when quota.used > 0",
        );
    let md = book_of(&[("p.vk", &rules)], &[], BookFormat::Markdown);
    for expected in [
        "- Possible outcomes: Raise (`raise`), Lower (`lower`), `hold`, `skip`",
        "- Outputs: New limit (`new_limit`): amount",
        "When it matches: Lower (`lower`); `new_limit` = `quota.limit`; when `quota.used` \\> ¥0.00, because: 「kept at {`quota.limit`}」",
        "When it matches: Raise (`raise`); `new_limit` = `candidate`",
    ] {
        assert!(md.contains(expected), "missing `{expected}` in:\n{md}");
    }
}
