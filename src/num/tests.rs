//! The contract of the fast path: every parser, operation and formatter of
//! `num` gives what the `Decimal` path (`decimal.rs`, `value.rs`, serde)
//! gives, bit for bit and byte for byte, on random and on edge values.
#![allow(
    clippy::arithmetic_side_effects,
    reason = "test code builds edge values with plain operators"
)]

use std::collections::hash_map::DefaultHasher;
use std::fmt::Debug;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use rust_decimal::Decimal;

use super::parse::{scan_json_number, scan_plain};
use super::*;
use crate::decimal::DecimalError;
use crate::decision::OutputValue;
use crate::value;

type Check = Result<(), TestCaseError>;

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn n(text: &str) -> Num {
    Num::from(d(text))
}

/// `0` with `scale` places and the sign bit set, as some `Decimal`
/// operations leave it.
fn negative_zero(scale: u32) -> Decimal {
    -Decimal::new(0, scale)
}

/// The form `From<Decimal>` must choose: `Fixed` exactly when it holds `d`.
fn fits_fixed(d: Decimal) -> bool {
    i64::try_from(d.mantissa()).is_ok() && !(d.is_zero() && d.is_sign_negative())
}

/// `got` stands for `want`: the same bits (value, scale, sign of zero), the
/// canonical form, and the same text.
fn same(got: Num, want: Decimal, what: &str) -> Check {
    prop_assert_eq!(
        got.to_decimal().serialize(),
        want.serialize(),
        "{}: got {} want {}",
        what,
        got,
        want
    );
    prop_assert_eq!(
        got.is_fixed(),
        fits_fixed(want),
        "{}: form of {}",
        what,
        want
    );
    prop_assert_eq!(display(got), want.to_string(), "{}", what);
    prop_assert_eq!(plain(got), want.normalize().to_string(), "{}", what);
    Ok(())
}

fn same_result<E: PartialEq + Debug>(
    got: Result<Num, E>,
    want: Result<Decimal, E>,
    what: &str,
) -> Check {
    match (got, want) {
        (Ok(g), Ok(w)) => same(g, w, what),
        (g, w) => {
            prop_assert_eq!(g.err(), w.err(), "{}", what);
            Ok(())
        }
    }
}

fn display(x: Num) -> String {
    let mut out = String::new();
    write_display(&mut out, x);
    out
}

fn plain(x: Num) -> String {
    let mut out = String::new();
    write_plain(&mut out, x);
    out
}

fn hash_of(x: Num) -> u64 {
    let mut h = DefaultHasher::new();
    x.hash(&mut h);
    h.finish()
}

const MAX96: i128 = (1 << 96) - 1;

fn mantissa() -> impl Strategy<Value = i128> {
    let i64_max = i128::from(i64::MAX);
    let i64_min = i128::from(i64::MIN);
    let edges = vec![
        0,
        1,
        -1,
        5,
        -5,
        50,
        -50,
        500,
        5005,
        -5005,
        15,
        25,
        i64_max,
        i64_max - 1,
        i64_max + 1,
        i64_min,
        i64_min + 1,
        i64_min - 1,
        i128::from(u64::MAX),
        i128::from(u64::MAX) + 1,
        1_000_000_000_000_000_000,
        10_000_000_000_000_000_000,
        9_999_999_999_999_999_999_999_999_999,
        -9_999_999_999_999_999_999_999_999_999,
        MAX96,
        -MAX96,
    ];
    prop_oneof![
        3 => -1000i128..=1000,
        3 => any::<i64>().prop_map(i128::from),
        2 => prop::sample::select(edges),
        1 => -MAX96..=MAX96,
        // Trailing zeros and ties: d × 10^k.
        2 => (0u32..=27, -9i128..=9).prop_map(|(k, d)| d * 10i128.pow(k)),
    ]
}

fn scale() -> impl Strategy<Value = u32> {
    prop_oneof![3 => 0u32..=4, 1 => 0u32..=28]
}

/// Any `Decimal`, with edge mantissas, every scale and negative zeros.
fn decimal() -> impl Strategy<Value = Decimal> {
    (mantissa(), scale(), 0u8..10).prop_map(|(m, s, z)| {
        let x = Decimal::from_i128_with_scale(m, s);
        if m == 0 && z == 0 {
            negative_zero(s)
        } else {
            x
        }
    })
}

/// Two operands, often related so that sums cancel, quotients are exact
/// and comparisons tie.
fn pair() -> impl Strategy<Value = (Decimal, Decimal)> {
    prop_oneof![
        4 => (decimal(), decimal()),
        1 => decimal().prop_map(|a| (a, a)),
        1 => decimal().prop_map(|a| (a, -a)),
        // The same value with more places.
        1 => (decimal(), 0u32..=8).prop_map(|(a, k)| {
            let mut b = a;
            // `rescale` does not stop at 28 places by itself.
            b.rescale((a.scale() + k).min(28));
            (a, b)
        }),
        // A multiple: exact quotients and zero remainders.
        1 => (decimal(), -12i64..=12, 0u32..=3).prop_map(|(a, k, s)| {
            (a.checked_mul(Decimal::new(k, s)).unwrap_or(a), a)
        }),
    ]
}

fn step() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        2 => decimal(),
        2 => prop::sample::select(vec!["0.01", "0.5", "1", "100", "1000", "0.001", "0.05", "0", "-1", "-0.01", "0.00"])
            .prop_map(d),
        1 => Just(negative_zero(2)),
    ]
}

/// Every binary operation on `(a, b)` against its `Decimal` counterpart.
fn check_binary(a: Decimal, b: Decimal) -> Check {
    let (x, y) = (Num::from(a), Num::from(b));
    let what = format!("{a} and {b}");
    same_result(add(x, y), decimal::add(a, b), &format!("add {what}"))?;
    same_result(sub(x, y), decimal::sub(a, b), &format!("sub {what}"))?;
    same_result(mul(x, y), decimal::mul(a, b), &format!("mul {what}"))?;
    same_result(div(x, y), decimal::div(a, b), &format!("div {what}"))?;
    same_result(
        rem(x, y).ok_or(()),
        a.checked_rem(b).ok_or(()),
        &format!("rem {what}"),
    )?;
    same_result(
        floor_to(x, y),
        decimal::floor_to(a, b),
        &format!("floor_to {what}"),
    )?;
    same_result(
        ceil_to(x, y),
        decimal::ceil_to(a, b),
        &format!("ceil_to {what}"),
    )?;
    check_fast_path_taken(x, y)?;
    prop_assert_eq!(x.cmp(&y), a.cmp(&b), "cmp {}", what);
    prop_assert_eq!(x == y, a == b, "eq {}", what);
    prop_assert_eq!(x < y, a < b, "lt {}", what);
    if x == y {
        prop_assert_eq!(hash_of(x), hash_of(y), "hash {}", what);
    }
    Ok(())
}

/// The fast path gives up only where it must: whenever both operands and the
/// exact result are `Fixed`, the integer arithmetic produced it (a fast path
/// that wrongly gives up is invisible to the checks above: the fallback
/// repairs it, slowly).
fn check_fast_path_taken(x: Num, y: Num) -> Check {
    let Some(((ma, sa), (mb, sb))) = both_fixed(x, y) else {
        return Ok(());
    };
    let fixed_result = |r: Result<Num, ArithError>| r.is_ok_and(Num::is_fixed);
    if fixed_result(add(x, y)) {
        prop_assert!(add_fast(x, y, false).is_some(), "add {:?} {:?}", x, y);
    }
    if fixed_result(sub(x, y)) {
        prop_assert!(add_fast(x, y, true).is_some(), "sub {:?} {:?}", x, y);
    }
    // Past 28 places rust_decimal rounds the product: that is the fallback's.
    let exact_product = ma == 0 || mb == 0 || u32::from(sa) + u32::from(sb) <= MAX_SCALE;
    if exact_product && fixed_result(mul(x, y)) {
        prop_assert!(mul_fast(x, y).is_some(), "mul {:?} {:?}", x, y);
    }
    // An inexact quotient is the fallback's too.
    let exact_quotient = mb != 0 && (ma == 0 || i128::from(ma) % i128::from(mb) == 0);
    if exact_quotient && fixed_result(div(x, y)) {
        prop_assert!(div_fast(x, y).is_some(), "div {:?} {:?}", x, y);
    }
    let aligned = align(ma, sa, mb, sb).is_some();
    if aligned && rem(x, y).is_some_and(Num::is_fixed) {
        prop_assert!(rem_fast(x, y).is_some(), "rem {:?} {:?}", x, y);
    }
    Ok(())
}

/// Every unary operation and query on `a` against its `Decimal` counterpart.
fn check_unary(a: Decimal) -> Check {
    let x = Num::from(a);
    same(x, a, "from")?;
    prop_assert_eq!(Decimal::from(x).serialize(), a.serialize());
    same(
        round_cents(x),
        decimal::round_cents(a),
        &format!("round_cents {a}"),
    )?;
    same(abs(x), a.abs(), &format!("abs {a}"))?;
    same(
        neg(x),
        decimal::sub(Decimal::ZERO, a).unwrap(),
        &format!("neg {a}"),
    )?;
    prop_assert_eq!(x.is_zero(), a.is_zero());
    prop_assert_eq!(x.is_negative(), a < Decimal::ZERO);
    prop_assert_eq!(x.scale(), a.scale());
    prop_assert_eq!(
        x.to_i64_trunc(),
        i64::try_from(a).ok(),
        "to_i64_trunc {}",
        a
    );
    prop_assert_eq!(x.is_whole(), a.fract().is_zero(), "is_whole {}", a);
    for places in [0, 1, 2, 3, 27, 28, 29] {
        prop_assert_eq!(fits_places(x, places), decimal::fits_places(a, places));
    }
    prop_assert_eq!(format!("{x:.2}"), format!("{a:.2}"));
    Ok(())
}

/// Every formatter, into a `String` and a `Vec<u8>` that already hold text,
/// against `value.rs` and serde_json.
fn check_formats(a: Decimal) -> Check {
    let x = Num::from(a);
    type Writer = fn(&mut (dyn Sink + 'static), Num);
    let forms: [(&str, Writer, String); 6] = [
        (
            "money_json",
            write_money_json::<dyn Sink>,
            value::money_json(a),
        ),
        (
            "money_human",
            write_money_human::<dyn Sink>,
            value::money_human(a),
        ),
        (
            "rate_human",
            write_rate_human::<dyn Sink>,
            value::rate_human(a),
        ),
        ("plain", write_plain::<dyn Sink>, a.normalize().to_string()),
        ("display", write_display::<dyn Sink>, a.to_string()),
        (
            "int_json",
            write_int_json::<dyn Sink>,
            serde_json::to_string(&OutputValue::Int(a)).unwrap(),
        ),
    ];
    for (name, write, want) in forms {
        let mut text = String::from("x=");
        write(&mut text, x);
        prop_assert_eq!(&text, &format!("x={want}"), "{} of {}", name, a);
        let mut bytes = b"x=".to_vec();
        write(&mut bytes, x);
        prop_assert_eq!(&bytes, text.as_bytes(), "{} of {} as bytes", name, a);
    }
    // The serde forms of the other numeric outputs, quotes included.
    let quoted = |s: String| format!("\"{s}\"");
    let mut money = String::new();
    write_money_json(&mut money, x);
    prop_assert_eq!(
        serde_json::to_string(&OutputValue::Money(a)).unwrap(),
        quoted(money)
    );
    for out in [OutputValue::Decimal(a), OutputValue::Rate(a)] {
        prop_assert_eq!(serde_json::to_string(&out).unwrap(), quoted(plain(x)));
    }
    Ok(())
}

fn check_parse(text: &str) -> Check {
    // Every text that gives a `Fixed` value is read by the scanner alone.
    if parse_plain(text).is_ok_and(Num::is_fixed) {
        prop_assert!(matches!(scan_plain(text), Ok(Some(_))), "{:?}", text);
    }
    if parse_json_number(text).is_ok_and(Num::is_fixed) {
        prop_assert!(matches!(scan_json_number(text), Ok(Some(_))), "{:?}", text);
    }
    same_result(
        parse_plain(text),
        decimal::parse_plain(text),
        &format!("parse_plain {text:?}"),
    )?;
    same_result(
        parse_json_number(text),
        decimal::parse_json_number(text),
        &format!("parse_json_number {text:?}"),
    )
}

/// Texts that look like numbers: leading zeros, long digit runs, exponents.
fn number_text() -> impl Strategy<Value = String> {
    let digits = prop_oneof![
        "[0-9]{1,4}",
        "[1-9][0-9]{0,19}",
        "0{1,3}[0-9]{0,20}0{0,10}",
        "[0-9]{18,31}",
        "[1-9]0{0,30}",
    ]
    .boxed();
    let exponent = prop_oneof!["[0-9]{1,2}", "0{0,3}[0-9]{1,3}", "[0-9]{4,25}"];
    (
        "-?",
        digits.clone(),
        prop::option::of(digits),
        prop::option::of(("[eE]", "[+-]?", exponent)),
    )
        .prop_map(|(sign, int, frac, exp)| {
            let mut text = sign + &int;
            if let Some(frac) = frac {
                text.push('.');
                text.push_str(&frac);
            }
            if let Some((e, sign, digits)) = exp {
                text.push_str(&(e + &sign + &digits));
            }
            text
        })
}

/// A number text with a few characters inserted, replaced or removed.
fn mangled_text() -> impl Strategy<Value = String> {
    let junk = prop::sample::select(vec![
        ' ', '+', '-', '.', 'e', 'E', '0', '5', 'x', '¥', '_', '\t', '%', ',', '١',
    ]);
    (
        number_text(),
        prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, junk), 1..4),
    )
        .prop_map(|(text, edits)| {
            let mut chars: Vec<char> = text.chars().collect();
            for (at, kind, c) in edits {
                let i = at.index(chars.len() + 1);
                match kind {
                    0 => chars.insert(i, c),
                    1 if i < chars.len() => {
                        chars.remove(i);
                    }
                    _ => {
                        if let Some(slot) = chars.get_mut(i) {
                            *slot = c;
                        }
                    }
                }
            }
            chars.into_iter().collect()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn binary_operations_match_decimal((a, b) in pair()) {
        check_binary(a, b)?;
    }

    #[test]
    fn steps_match_decimal(x in decimal(), step in step(), k in -50i64..50) {
        check_binary(x, step)?;
        // A multiple of the step: floor_to and ceil_to must both give it back.
        if let Some(multiple) = step.checked_mul(Decimal::from(k)) {
            check_binary(multiple, step)?;
        }
    }

    #[test]
    fn unary_operations_match_decimal(a in decimal()) {
        check_unary(a)?;
    }

    #[test]
    fn formatters_match_value_rs(a in decimal()) {
        check_formats(a)?;
    }

    #[test]
    fn number_texts_parse_as_decimal_rs(text in number_text()) {
        check_parse(&text)?;
    }

    #[test]
    fn mangled_texts_parse_as_decimal_rs(text in mangled_text()) {
        check_parse(&text)?;
    }

    #[test]
    fn arbitrary_texts_parse_as_decimal_rs(text in "\\PC{0,12}") {
        check_parse(&text)?;
    }
}

/// Hand-picked edges, every pair of them through every operation.
fn edges() -> Vec<Decimal> {
    let mut all: Vec<Decimal> = [
        "0",
        "0.00",
        "0.000",
        "1",
        "-1",
        "0.5",
        "-0.5",
        "1.5",
        "2.5",
        "-2.5",
        "0.005",
        "-0.005",
        "5.005",
        "-5.005",
        "5.015",
        "0.004999",
        "0.01",
        "100",
        "1000",
        "50000",
        "1.3",
        "0.985",
        "300000.00",
        "9223372036854775807",
        "9223372036854775806",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775807",
        "-9223372036854775809",
        "92233720368547758.07",
        "-92233720368547758.08",
        "0.9223372036854775807",
        "0.0000000000000000000000000001",
        "-0.0000000000000000000000000001",
        "0.0000000009223372036854775807",
        "9999999999999999999999999999",
        "0.9999999999999999999999999999",
        "0.5000000000000000000000000000",
        "79228162514264337593543950335",
        "-79228162514264337593543950335",
        "7.9228162514264337593543950335",
    ]
    .into_iter()
    .map(d)
    .collect();
    all.extend([negative_zero(0), negative_zero(2), negative_zero(28)]);
    all
}

#[test]
fn edge_values_match_decimal_in_every_operation() {
    let edges = edges();
    let (mut pairs, mut fast, mut fallback) = (0, 0, 0);
    for &a in &edges {
        check_unary(a).unwrap();
        check_formats(a).unwrap();
        for &b in &edges {
            check_binary(a, b).unwrap();
            pairs += 1;
            let (x, y) = (Num::from(a), Num::from(b));
            for taken in [add_fast(x, y, false), mul_fast(x, y), div_fast(x, y)] {
                if taken.is_some() {
                    fast += 1;
                } else {
                    fallback += 1;
                }
            }
        }
    }
    // Both paths were held to the reference, many times over.
    assert!(pairs >= 40 * 40, "{pairs} pairs");
    assert!(
        fast >= 1500 && fallback >= 1500,
        "{fast} fast, {fallback} fallback"
    );
}

#[test]
fn edge_texts_parse_as_decimal_rs() {
    let nines28 = "9".repeat(28);
    let nines29 = "9".repeat(29);
    let long_zeros = format!("0.{}1", "0".repeat(40));
    // Exponents are clamped at ±100 000; long digit runs make that visible.
    let shifted_back = format!("0.{}1e1105", "0".repeat(1100));
    let shifted_less = format!("0.{}1e1005", "0".repeat(1009));
    let shifted_down = format!("1{}e-1100", "0".repeat(1100));
    let clamp_edge = format!("0.{}1e100001", "0".repeat(100_000));
    let past_clamp = format!("0.{}1e100002", "0".repeat(100_001));
    let texts = [
        "0",
        "-0",
        "0.000",
        "-0.000",
        "00",
        "007",
        "-007",
        "0.5",
        "0.50",
        "100.00",
        "1.50e1",
        "12e-1",
        "1e28",
        "1e-28",
        "1e-29",
        "1e29",
        "1E+5",
        "98e-2",
        "0e999999",
        "-0e-999999",
        "1e999999999999999999999",
        "1e-99999999999999999999",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "922337203685477580.7",
        "-92233720368547758.08",
        "18446744073709551615",
        "18446744073709551616",
        &nines28,
        &nines29,
        "0.1234567890123456789012345678",
        "0.12345678901234567890123456789",
        "0.5000000000000000000000000000000000",
        "5000000000000000000000000000.0000",
        "50000000000000000000000000000",
        "1000000000000000000000000000e1",
        "10000000000000000000e-20",
        &long_zeros,
        &shifted_back,
        &shifted_less,
        &shifted_down,
        &clamp_edge,
        &past_clamp,
        "300000.00",
        "0.985",
        "4.85",
        "720",
        " 1",
        "1 ",
        "+1",
        ".5",
        "5.",
        "-",
        "",
        "1e",
        "1e+",
        "1e-",
        "e5",
        "1.e5",
        "1.5e",
        "--1",
        "-+1",
        "1e5.5",
        "1e5e5",
        "1e++5",
        "0x10",
        "1_000",
        "1,000.00",
        "¥100000",
        "98%",
        "１",
        "NaN",
        "inf",
    ];
    for text in texts {
        check_parse(text).unwrap();
    }
    assert_eq!(parse_plain("-0").map(Num::is_fixed), Ok(true));
    assert_eq!(parse_json_number("1e29"), Err(DecimalError::TooLarge));
    assert_eq!(parse_json_number("1e-29"), Err(DecimalError::TooPrecise));
    assert_eq!(parse_plain(&nines29), Err(DecimalError::TooLarge));
    assert_eq!(parse_plain("1 "), Err(DecimalError::Syntax));
    assert_eq!(
        parse_json_number(&shifted_back).map(display),
        Ok("10000".into())
    );
    assert_eq!(
        parse_json_number(&shifted_down).map(display),
        Ok("1".into())
    );
    assert_eq!(
        parse_json_number(&shifted_less).map(display),
        Ok("0.00001".into())
    );
    assert_eq!(
        parse_json_number(&clamp_edge).map(display),
        Ok("0.1".into())
    );
}

/// A `Num` is the size of a `Decimal`, so a `Value` holding one does not grow.
#[test]
fn num_is_as_small_as_decimal() {
    assert_eq!(std::mem::size_of::<Num>(), std::mem::size_of::<Decimal>());
    assert_eq!(std::mem::size_of::<Option<Num>>(), 16);
}

/// `rescale` can push a `Decimal` past 28 places; `Num` takes it back to 28
/// as `Decimal::deserialize` does, and never asserts.
#[test]
fn decimals_past_28_places_are_brought_back() {
    for text in [
        "0.0000000000000000000000000001",
        "-0.000000000000000000000000007",
        "0.0000000000000000000000000123",
    ] {
        let mut wild = d(text);
        wild.rescale(30);
        assert_eq!(wild.scale(), 30, "{text}");
        let sane = Decimal::deserialize(wild.serialize());
        assert_eq!(
            Num::from(wild).to_decimal().serialize(),
            sane.serialize(),
            "{text}"
        );
    }
}

/// Typical values never leave the fast path: the scanner and the integer
/// arithmetic produce them, not the `Decimal` fallback.
#[test]
fn typical_values_take_the_fast_path() {
    for text in [
        "300000.00",
        "0.985",
        "4.85",
        "720",
        "-5.005",
        "0",
        "9223372036854775807",
    ] {
        let fast = scan_plain(text).unwrap();
        assert!(fast.is_some_and(Num::is_fixed), "{text}");
        let fast = scan_json_number(text).unwrap();
        assert!(fast.is_some_and(Num::is_fixed), "{text}");
    }
    for text in ["98e-2", "1E+5", "6.5e3"] {
        assert!(scan_json_number(text).unwrap().is_some(), "{text}");
    }
    let (limit, rate, score) = (n("50000"), n("1.3"), Num::from_i64(720));
    let product = mul_fast(limit, rate).unwrap();
    assert!(product.is_fixed());
    assert_eq!(display(product), "65000.0");
    assert!(add_fast(product, n("0.01"), false).is_some());
    assert!(add_fast(score, Num::from_i64(-20), true).is_some());
    assert!(div_fast(n("300000.00"), n("100")).is_some());
    assert!(rem_fast(n("735"), n("100")).is_some());
    assert_eq!(display(round_cents_fast(n("5.005")).unwrap()), "5.01");
    assert_eq!(
        display(round_cents_fast(n("-1234.5678")).unwrap()),
        "-1234.57"
    );
    assert!(floor_to(n("735"), n("100")).unwrap().is_fixed());
    // And values that do not fit go to the fallback, exactly.
    assert!(scan_plain("92233720368547758.08").unwrap().is_none());
    assert!(mul_fast(n("9223372036854775807"), n("2")).is_none());
    assert!(div_fast(n("1"), n("3")).is_none());
    assert!(!mul(n("9223372036854775807"), n("2")).unwrap().is_fixed());
}

/// The worked examples, so that a reader sees what the contract means.
#[test]
fn worked_examples() {
    let text = |f: fn(&mut String, Num), x: &str| {
        let mut out = String::new();
        f(&mut out, n(x));
        out
    };
    assert_eq!(text(write_money_json, "65000"), "65000.00");
    assert_eq!(text(write_money_human, "65000"), "¥65,000.00");
    assert_eq!(text(write_money_human, "-5.005"), "-¥5.01");
    assert_eq!(text(write_rate_human, "0.975"), "97.5%");
    assert_eq!(text(write_rate_human, "0.98"), "98%");
    assert_eq!(text(write_plain, "4.80"), "4.8");
    assert_eq!(text(write_display, "4.80"), "4.80");
    assert_eq!(text(write_int_json, "720"), "720");
    assert_eq!(n("1.0"), n("1.00"));
    assert!(n("0.985") < n("0.99"));
    // rust_decimal's quirks, kept: an inexact quotient keeps a place too many,
    // a negative zero prints its sign.
    assert_eq!(display(div(n("1"), n("2")).unwrap()), "0.50");
    assert_eq!(display(div(n("6"), n("2.0")).unwrap()), "3.0");
    assert_eq!(display(div(n("60"), n("2.0")).unwrap()), "30");
    let tiny = Num::from(Decimal::from_i128_with_scale(1 << 34, 28));
    assert_eq!(
        display(mul(neg(tiny), tiny).unwrap()),
        "-0.0000000000000000000000000000"
    );
    assert_eq!(neg(Num::ZERO), Num::ZERO);
    assert_eq!(display(neg(n("0.00"))), "0.00");
    assert_eq!(div(n("5"), n("0.00")), Err(ArithError::DivisionByZero));
    assert_eq!(floor_to(n("5"), n("-1")), Err(ArithError::BadStep));
    assert_eq!(
        mul(Num::from(Decimal::MAX), Num::from_i64(2)),
        Err(ArithError::Overflow)
    );
}
