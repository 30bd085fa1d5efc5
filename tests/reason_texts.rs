//! Every reason and note the shipped policy gives reads right: no raw enum
//! code (`frozen` instead of its label), no negative day count, no ASCII
//! punctuation inside Chinese text, no `—` for a value that was absent.
//! Scanned over every record of the policy's own cases and over a generated
//! corpus; explanations are snapshotted in both framing languages.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test code"
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_yaml::Value as Yaml;
use verdikt::{Decision, Mode, Policy};

const MODE: Mode = Mode {
    reasons: true,
    explain: true,
    trace: false,
};

/// The enum codes the schema declares (`active` in `active "正常"`).
fn enum_codes() -> BTreeSet<String> {
    let schema = std::fs::read_to_string("tests/fixtures/reference/rules/01-schema.vk").unwrap();
    let mut codes = BTreeSet::new();
    let mut in_enum = false;
    for line in schema.lines() {
        let line = line.split('#').next().unwrap();
        if let Some(at) = line.find("one of ") {
            in_enum = true;
            scan_codes(&line[at + 7..], &mut codes);
        } else if in_enum && line.starts_with("                ") {
            // A continuation line of a long `one of`.
            scan_codes(line, &mut codes);
        } else {
            in_enum = false;
        }
    }
    assert!(
        codes.contains("frozen") && codes.contains("exit_service"),
        "{codes:?}"
    );
    codes
}

/// `a "x", b "y"` -> a, b.
fn scan_codes(text: &str, out: &mut BTreeSet<String>) {
    for item in text.split(',') {
        let code = item.trim().split([' ', '"']).next().unwrap();
        if !code.is_empty() && code.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            out.insert(code.to_string());
        }
    }
}

fn is_chinese(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
        || ('\u{3000}'..='\u{303f}').contains(&c)
        || ('\u{ff00}'..='\u{ffef}').contains(&c)
}

/// What is wrong with a reason, if anything.
fn problems(text: &str, codes: &BTreeSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        if codes.contains(word) {
            out.push(format!("raw enum code `{word}`"));
        }
    }
    for (i, c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
        if *c == '-' && digit(after) && !digit(before) {
            out.push("a negative number".into());
        }
        if *c == '—' {
            out.push("`—` for an absent value".into());
        }
        if chars.iter().any(|c| is_chinese(*c)) && ",.:;()".contains(*c) {
            let in_number = matches!(c, ',' | '.') && digit(before) && digit(after);
            if !in_number {
                out.push(format!("ASCII `{c}` in Chinese text"));
            }
        }
    }
    out
}

/// Every reason and note of a decision, with where it came from.
fn texts(d: &Decision) -> Vec<String> {
    let mut out = Vec::new();
    for r in &d.rulesets {
        out.extend(r.reasons.iter().cloned());
        out.extend(r.unmet.iter().map(|u| u.reason.clone()));
        for (name, value) in &r.outputs {
            if &**name == "notes" {
                if let verdikt::OutputValue::List(items) = value {
                    out.extend(items.iter().map(|i| i.human()));
                }
            }
        }
    }
    out
}

/// The policy cases' snapshots: each base with each case's patch (dotted
/// keys; `null` removes the field), and every full `snapshot:`.
fn case_snapshots() -> Vec<(String, String)> {
    let mut bases: BTreeMap<String, Yaml> = BTreeMap::new();
    let mut cases: Vec<(String, Yaml)> = Vec::new();
    for entry in std::fs::read_dir("tests/fixtures/reference/rules/tests").unwrap() {
        let path = entry.unwrap().path();
        let doc: Yaml = serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if let Some(Yaml::Mapping(b)) = doc.get("bases") {
            for (k, v) in b {
                bases.insert(k.as_str().unwrap().to_string(), v.clone());
            }
        }
        if let Some(Yaml::Sequence(cs)) = doc.get("cases") {
            for c in cs {
                let name = format!("{}: {}", path.display(), c["name"].as_str().unwrap_or("?"));
                cases.push((name, c.clone()));
            }
        }
    }
    assert!(
        bases.len() >= 6 && cases.len() >= 400,
        "{} bases, {} cases",
        bases.len(),
        cases.len()
    );
    let mut out = Vec::new();
    for (name, case) in cases {
        let snapshot = if let Some(s) = case.get("snapshot") {
            s.clone()
        } else if let Some(base) = case.get("base").and_then(Yaml::as_str) {
            let mut s = bases[base].clone();
            if let Some(Yaml::Mapping(patch)) = case.get("patch") {
                for (k, v) in patch {
                    set_path(&mut s, k.as_str().unwrap(), v.clone());
                }
            }
            s
        } else {
            continue;
        };
        out.push((name, serde_json::to_string(&snapshot).unwrap()));
    }
    out
}

fn set_path(doc: &mut Yaml, path: &str, value: Yaml) {
    let mut at = doc;
    let mut keys: Vec<&str> = path.split('.').collect();
    let last = keys.pop().unwrap();
    for k in keys {
        let map = at.as_mapping_mut().unwrap();
        let key = Yaml::String(k.to_string());
        if !map.get(&key).is_some_and(Yaml::is_mapping) {
            map.insert(key.clone(), Yaml::Mapping(Default::default()));
        }
        at = map.get_mut(&key).unwrap();
    }
    let map = at.as_mapping_mut().unwrap();
    if value.is_null() {
        map.remove(last);
    } else {
        map.insert(Yaml::String(last.to_string()), value);
    }
}

/// Scans one record's texts; returns how many reasons it had.
fn scan(
    policy: &Policy,
    place: &str,
    json: &str,
    codes: &BTreeSet<String>,
    bad: &mut Vec<String>,
) -> usize {
    let Ok(d) = policy.decide_json(json, MODE) else {
        return 0;
    };
    let texts = texts(&d);
    for t in &texts {
        for p in problems(t, codes) {
            bad.push(format!("{place}: {p}: {t}"));
        }
    }
    texts.len()
}

#[test]
fn the_checker_of_reasons_finds_what_it_looks_for() {
    let codes = enum_codes();
    assert!(problems("额度状态为冻结，需为正常", &codes).is_empty());
    assert!(problems("近 90 天销售额 ¥99,999.99，需达到 ¥100,000.00", &codes).is_empty());
    assert!(problems(
        "于 2026-03-09 退出，需满 180 天（2026-09-05 起可申请）",
        &codes
    )
    .is_empty());
    assert_eq!(
        problems("额度状态为 frozen", &codes),
        ["raw enum code `frozen`"]
    );
    assert_eq!(problems("需为正常(active)", &codes).len(), 3);
    assert_eq!(problems("距上次调整 -7 天", &codes), ["a negative number"]);
    assert_eq!(
        problems("尚有未还金额 ¥1.00,需先还清", &codes),
        ["ASCII `,` in Chinese text"]
    );
    assert_eq!(problems("上次调整 —", &codes), ["`—` for an absent value"]);
}

#[test]
fn every_reason_of_the_policy_cases_reads_right() {
    let policy = common::policy();
    let codes = enum_codes();
    let mut bad = Vec::new();
    let mut reasons = 0;
    for (name, json) in case_snapshots() {
        reasons += scan(&policy, &name, &json, &codes, &mut bad);
    }
    assert!(reasons > 900, "only {reasons} reasons");
    assert!(
        bad.is_empty(),
        "{} bad reasons:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn every_reason_of_a_generated_corpus_reads_right() {
    let policy = common::policy();
    let codes = enum_codes();
    let mut bad = Vec::new();
    let mut reasons = 0;
    let mut n = 0;
    verdikt::gen::corpus(20_000, 7, 0, |line| {
        n += 1;
        reasons += scan(&policy, &format!("record {n}"), line, &codes, &mut bad);
    });
    assert!(reasons > 40_000, "only {reasons} reasons");
    bad.truncate(50);
    assert!(bad.is_empty(), "bad reasons:\n{}", bad.join("\n"));
}

/// The shipped rules with another `language` line, in a scratch directory.
fn policy_in(language: &str) -> Policy {
    let dir = std::env::temp_dir().join(format!(
        "verdikt-language-{language}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir("tests/fixtures/reference/rules").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "vk") {
            let text = std::fs::read_to_string(&path).unwrap();
            let text = text.replace("language zh", &format!("language {language}"));
            std::fs::write(dir.join(path.file_name().unwrap()), text).unwrap();
        }
    }
    let policy = verdikt::check_dir(&dir).unwrap().policy.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    policy
}

#[test]
fn explanations_are_framed_in_the_declared_language() {
    for language in ["zh", "en"] {
        let policy = policy_in(language);
        for example in [
            "exit_denied.json",
            "hold_low_rating.yaml",
            "reapply_not_yet.yaml",
            "early_terminate_fee.yaml",
        ] {
            let path = Path::new("tests/fixtures/reference/examples/single").join(example);
            let text = std::fs::read_to_string(&path).unwrap();
            let mode = Mode {
                reasons: true,
                explain: true,
                trace: true,
            };
            let mut out = String::new();
            for (_, result) in policy.decide_file_text(&path, &text, mode) {
                let d = result.unwrap();
                out.push_str(&verdikt::trace(&d).replace(&*d.ruleset_version, "[version]"));
            }
            insta::assert_snapshot!(format!("{language}__{example}"), out);
        }
    }
}

/// `verdikt <args>` in `dir`: its standard output, after asserting success.
fn verdikt_in(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_verdikt"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "verdikt {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A threshold changed in the condition alone changes the merchant's text:
/// `{required}` shows what the condition compares with, formatted like the
/// actual value, and no warning asks for another edit.
#[test]
fn a_changed_threshold_changes_the_text_with_no_other_edit() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("required-threshold");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["policy.vk", "merchant.yaml"] {
        std::fs::copy(
            Path::new("tests/fixtures/required").join(name),
            dir.join(name),
        )
        .unwrap();
    }
    let explain = |dir: &Path| {
        assert_eq!(
            verdikt_in(dir, &["check", "--deny-warnings", "."]).trim(),
            ".: ok"
        );
        verdikt_in(dir, &["eval", "--rules", ".", "--explain", "merchant.yaml"])
    };
    let before = explain(&dir);
    for text in [
        "店铺评分 4.7，需达到 4.8",
        "按时发货率 97%，需达到 98%",
        "近 90 天销售额 ¥90,000.00，需达到 ¥100,000.00",
        "开店 3 个月，需满 6 个月",
        "店铺等级为铜牌，需为 金牌, 银牌",
        "上次调整在 2026-10-01，2026-12-30 起可再次调整",
    ] {
        assert!(before.contains(text), "{text:?} missing from:\n{before}");
    }

    let policy = dir.join("policy.vk");
    let rules = std::fs::read_to_string(&policy).unwrap();
    let changed = [
        ("rating >= 4.8 ", "rating >= 4.9 "),
        ("ship_rate >= 98% ", "ship_rate >= 99.5%"),
        ("gmv_90d >= ¥100,000 ", "gmv_90d >= ¥120,000 "),
        ("months >= 6 ", "months >= 12"),
        ("tier in [gold, silver]", "tier in [gold]        "),
        ("+ 90 days", "+ 60 days"),
    ]
    .iter()
    .fold(rules.clone(), |text, (from, to)| {
        assert!(text.contains(from), "{from:?}");
        text.replacen(from, to, 1)
    });
    assert_ne!(changed, rules);
    std::fs::write(&policy, changed).unwrap();
    let after = explain(&dir);
    for text in [
        "店铺评分 4.7，需达到 4.9",
        "按时发货率 97%，需达到 99.5%",
        "近 90 天销售额 ¥90,000.00，需达到 ¥120,000.00",
        "开店 3 个月，需满 12 个月",
        "店铺等级为铜牌，需为 金牌",
        "上次调整在 2026-10-01，2026-11-30 起可再次调整",
    ] {
        assert!(after.contains(text), "{text:?} missing from:\n{after}");
    }
}
