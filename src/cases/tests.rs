//! Positions of keys and values in YAML text: the byte ranges diagnostics
//! point at.

use super::positions::{Positions, Range, Step};

/// The text a range covers.
fn at(text: &str, range: Range) -> &str {
    text.get(range.0..range.1).unwrap_or("<out of range>")
}

fn positions(text: &str) -> Positions {
    match Positions::parse(text) {
        Ok(p) => p,
        Err(e) => panic!("{}: {}", e.offset, e.message),
    }
}

const CASES: &str = "\
# a comment
bases:
  healthy: &anchor { merchant_id: M1, as_of: \"2026-11-24\" }
cases:
  - name: rating 4.79 holds
    base: healthy
    patch: { store.ratng: \"4.79\", 'quota.used': '1''0', \"as_of\": \"a\\\"b\" }
    expect:
      limit_adjustment:
        outcome: hold
        rule: otherwise
  - name: second
    snapshot: *anchor
";

#[test]
fn keys_and_values_in_block_and_flow_mappings() {
    let p = positions(CASES);
    let case = |i| [Step::Key("cases"), Step::Index(i)];
    let [c, i] = case(0);
    assert_eq!(at(CASES, p.key(&[c, i, Step::Key("base")])), "base");
    assert_eq!(at(CASES, p.value(&[c, i, Step::Key("base")])), "healthy");
    assert_eq!(
        at(CASES, p.value(&[c, i, Step::Key("name")])),
        "rating 4.79 holds"
    );
    let patch = [c, i, Step::Key("patch")];
    let key = |k| p.key(&[patch[0], patch[1], patch[2], Step::Key(k)]);
    let value = |k| p.value(&[patch[0], patch[1], patch[2], Step::Key(k)]);
    assert_eq!(at(CASES, key("store.ratng")), "store.ratng");
    assert_eq!(at(CASES, value("store.ratng")), "\"4.79\"");
    assert_eq!(at(CASES, key("quota.used")), "'quota.used'");
    assert_eq!(at(CASES, value("quota.used")), "'1''0'");
    assert_eq!(at(CASES, key("as_of")), "\"as_of\"");
    assert_eq!(at(CASES, value("as_of")), "\"a\\\"b\"");
    // A nested block mapping, and the n-th entry for keys that are not text.
    let expect = [c, i, Step::Key("expect"), Step::Key("limit_adjustment")];
    let outcome = [
        expect[0],
        expect[1],
        expect[2],
        expect[3],
        Step::Key("outcome"),
    ];
    assert_eq!(at(CASES, p.key(&outcome)), "outcome");
    assert_eq!(at(CASES, p.value(&outcome)), "hold");
    let second = [expect[0], expect[1], expect[2], expect[3], Step::Entry(1)];
    assert_eq!(at(CASES, p.key(&second)), "rule");
}

#[test]
fn a_missing_step_falls_back_to_the_nearest_node() {
    let p = positions(CASES);
    let [c, i] = [Step::Key("cases"), Step::Index(1)];
    // An alias has no children: a path below it points at the alias.
    let below = [c, i, Step::Key("snapshot"), Step::Key("store")];
    assert_eq!(at(CASES, p.value(&below)), "*anchor");
    assert_eq!(at(CASES, p.key(&below)), "*anchor");
    // A key that is not there points at the mapping that lacks it.
    let missing = [c, i, Step::Key("expect")];
    assert_eq!(
        at(CASES, p.value(&missing)),
        "name: second\n    snapshot: *anchor"
    );
    assert!(p.node(&missing).is_none());
    assert!(p.node(&[c, Step::Index(7)]).is_none());
}

#[test]
fn wide_characters_and_crlf_keep_byte_offsets_right() {
    let text = "cases:\r\n  - name: 店铺评分 4.79\r\n    patch: { store.名: \"旗舰店\", x: 1 }\r\n";
    let p = positions(text);
    let patch = [Step::Key("cases"), Step::Index(0), Step::Key("patch")];
    let step = |k| [patch[0], patch[1], patch[2], Step::Key(k)];
    assert_eq!(at(text, p.key(&step("store.名"))), "store.名");
    assert_eq!(at(text, p.value(&step("store.名"))), "\"旗舰店\"");
    assert_eq!(at(text, p.key(&step("x"))), "x");
    let name = [patch[0], patch[1], Step::Key("name")];
    assert_eq!(at(text, p.value(&name)), "店铺评分 4.79");
}

#[test]
fn a_block_scalar_with_wide_characters_does_not_shift_later_positions() {
    // yaml-rust2 (0.13) advances its character index by bytes inside block
    // scalars; positions are read by line and column, which stay right.
    let text = "bases:\n  note: |\n    店铺评分很高\n    第二行\n  after: yes\n";
    let p = positions(text);
    let after = [Step::Key("bases"), Step::Key("after")];
    assert_eq!(at(text, p.key(&after)), "after");
    assert_eq!(at(text, p.value(&after)), "yes");
}

#[test]
fn duplicate_keys_and_second_documents_are_found() {
    let p = positions("a: 1\nb:\n  c: 1\n  c: 2\n");
    let (key, second, first) = p.duplicate_key().expect("a duplicate");
    assert_eq!((key, second.0, first.0), ("c", 17, 10));
    assert!(positions("a: 1\nb: 2\n").duplicate_key().is_none());
    let two = "a: 1\n---\nb: 2\n";
    assert_eq!(positions(two).second_document, Some(5));
    assert_eq!(positions("a: 1\n").second_document, None);
}

#[test]
fn nesting_deeper_than_the_limit_is_an_error_not_a_deep_tree() {
    // Block nesting meets our limit; flow nesting meets yaml-rust2's (255).
    let mut deep = String::new();
    for depth in 0..300 {
        deep.push_str(&" ".repeat(depth));
        deep.push_str("k:\n");
    }
    let e = Positions::parse(&deep).expect_err("too deep");
    assert!(
        e.message.contains("nesting deeper than 256"),
        "{}",
        e.message
    );
    assert!(Positions::parse(&format!("a: {}", "[".repeat(100_000))).is_err());
    let fine = format!("a: {}{}", "[".repeat(100), "]".repeat(100));
    assert!(Positions::parse(&fine).is_ok());
}

#[test]
fn syntax_errors_carry_a_byte_offset() {
    let text = "a: 1\nb: \"unterminated\n";
    let e = Positions::parse(text).expect_err("a syntax error");
    assert!(e.offset <= text.len(), "{}", e.offset);
    assert!(!e.message.is_empty());
}
