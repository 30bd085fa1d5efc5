//! Grammar unit tests: each construct parses to the tree it should.

use super::*;
use crate::ast::*;

fn expr(text: &str) -> Expr {
    parse_expr(text, FileId(0)).unwrap()
}

fn file(text: &str) -> (Option<File>, Vec<Diagnostic>) {
    parse(&Source::new("t.vk", text), FileId(0))
}

#[test]
fn precedence_and_postfix() {
    let e = expr("not a and b or c > 1 + 2 * 3");
    let ExprKind::Binary(BinOp::Or, l, r) = e.kind else {
        panic!("{e:?}")
    };
    assert!(matches!(l.kind, ExprKind::Binary(BinOp::And, _, _)));
    let ExprKind::Binary(BinOp::Cmp(CmpOp::Gt), _, sum) = r.kind else {
        panic!()
    };
    assert!(matches!(sum.kind, ExprKind::Binary(BinOp::Add, _, _)));
    let e = expr("quota.due_date is present and x in [a, b]");
    let ExprKind::Binary(BinOp::And, l, r) = e.kind else {
        panic!()
    };
    assert!(matches!(l.kind, ExprKind::Presence { present: true, .. }));
    assert!(matches!(r.kind, ExprKind::In { negated: false, .. }));
}

#[test]
fn literals() {
    let lit = |t: &str| match expr(t).kind {
        ExprKind::Literal(l) => l.value,
        other => panic!("{other:?}"),
    };
    assert_eq!(lit("98.5%"), LitValue::Percent("0.985".parse().unwrap()));
    assert_eq!(lit("¥500,000"), LitValue::Money("500000".parse().unwrap()));
    assert_eq!(lit("500_000"), LitValue::Number("500000".parse().unwrap()));
    assert_eq!(lit("180 days"), LitValue::Days(180));
    assert_eq!(
        lit("2026-11-24"),
        LitValue::Date(NaiveDateExt::ymd(2026, 11, 24))
    );
}

struct NaiveDateExt;
impl NaiveDateExt {
    fn ymd(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }
}

#[test]
fn keywords_need_a_boundary() {
    // `calendar_days` is a name, not `calendar _days`.
    let e = expr("f(calendar_days)");
    let ExprKind::Call { args, .. } = e.kind else {
        panic!()
    };
    assert!(matches!(args[0].kind, ExprKind::Path(_)));
    let (tree, diags) = file("rulex");
    // Nothing parsed: the text is one broken item of unknown kind.
    let tree = tree.unwrap();
    assert!(tree.decls.is_empty());
    assert_eq!(tree.broken.len(), 1);
    assert_eq!(tree.broken[0].kind, BrokenKind::Unknown);
    assert_eq!(diags[0].code, Code::Syntax);
}

#[test]
fn call_needs_no_space_before_paren() {
    let (tree, diags) = file("ruleset r { rule a when all of\n x > 1\n (y > 2)\n then ok }");
    assert!(diags.is_empty(), "{diags:?}");
    let tree = tree.unwrap();
    let Decl::Ruleset(rs) = &tree.decls[0] else {
        panic!()
    };
    let RulesetItem::Rule(rule) = &rs.items[0] else {
        panic!()
    };
    let Condition::Group(g) = &rule.when else {
        panic!()
    };
    assert_eq!(g.items.len(), 2);
}

#[test]
fn deep_nesting_is_refused_not_a_crash() {
    let text = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
    let err = parse_expr(&text, FileId(0)).unwrap_err();
    assert_eq!(err[0].code, Code::TooDeep);
    let long = vec!["1"; 5000].join(" + ");
    let err = parse_expr(&long, FileId(0)).unwrap_err();
    assert_eq!(err[0].code, Code::TooDeep);
}

#[test]
fn bad_literals_are_all_reported() {
    let (_, diags) = file("ruleset r { let a = 1e400 let b = 0.1234567890123456789012345678901234567890 let c = 2026-02-30 let d = ¥5,00 }");
    let codes: Vec<Code> = diags.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        vec![
            Code::LiteralOutOfRange,
            Code::LiteralOutOfRange,
            Code::InvalidLiteral,
            Code::InvalidLiteral
        ]
    );
}

#[test]
fn a_syntax_error_ends_only_its_own_item() {
    let text = "calendar c { working monday.. }\n\
                ruleset r {\n  outcomes a, b\n  rule x when (1 > 2 then a\n  rule y when 1 > 2 then b\n  let z = \n  otherwise a\n}\n\
                ruleset s { outcomes a otherwise a }\n";
    let (tree, diags) = file(text);
    let tree = tree.unwrap();
    let lines: Vec<usize> = diags
        .iter()
        .map(|d| {
            assert_eq!(d.code, Code::Syntax, "{d:?}");
            Source::new("t.vk", text).line_col(d.span.unwrap().start).0
        })
        .collect();
    // One error per broken item: the calendar, rule `x` (its `(`), and
    // `let z`, found unfinished at the `otherwise` after it.
    assert_eq!(lines, vec![1, 4, 7]);
    assert_eq!(diags[1].message, "this `(` is never closed");
    let kinds: Vec<(BrokenKind, Option<&str>)> = tree
        .broken
        .iter()
        .map(|b| (b.kind, b.name.as_deref()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (BrokenKind::Calendar, Some("c")),
            (BrokenKind::Rule, Some("x")),
            (BrokenKind::Let, Some("z")),
        ]
    );
    // Both rulesets are kept, `r` with the items that parsed.
    let names: Vec<(&str, usize)> = tree
        .decls
        .iter()
        .filter_map(|d| match d {
            Decl::Ruleset(r) => Some((r.name.text.as_str(), r.items.len())),
            _ => None,
        })
        .collect();
    assert_eq!(names, vec![("r", 3), ("s", 2)]);
}

/// The line terminators an editor or terminal may break at, other than LF.
const STRAY: [char; 6] = [
    '\r', '\u{000B}', '\u{000C}', '\u{0085}', '\u{2028}', '\u{2029}',
];

#[test]
fn stray_line_terminators_are_refused_in_code_comments_and_strings() {
    let places = [
        "ruleset r {\n  outcomes ok # note@ rule x when 1 > 2 then ok\n  otherwise ok\n}\n",
        "ruleset r {\n  outcomes ok\n  otherwise ok because \"a@b\"\n}\n",
        "ruleset r {\n  outcomes ok\n  otherwise@ok\n}\n",
    ];
    let mut refused = 0;
    for c in STRAY {
        for place in places {
            let text = place.replace('@', &c.to_string());
            let at = text.find(c).unwrap();
            let (_, diags) = file(&text);
            let found: Vec<_> = diags
                .iter()
                .filter(|d| d.code == Code::InvisibleCharacter)
                .collect();
            assert_eq!(found.len(), 1, "{text:?}: {diags:?}");
            let span = found[0].span.unwrap();
            assert_eq!(
                (span.start as usize, span.end as usize),
                (at, at + c.len_utf8())
            );
            assert!(found[0].is_error());
            assert!(found[0]
                .message
                .contains(&format!("U+{:04X}", u32::from(c))));
            assert!(found[0].help.as_deref().unwrap().contains("verdikt fmt"));
            refused += 1;
        }
    }
    assert_eq!(refused, 18);
}

#[test]
fn crlf_line_endings_are_accepted() {
    let text = "ruleset r {\r\n  outcomes ok # note\r\n  otherwise ok because \"a\"\r\n}\r\n";
    let (tree, diags) = file(text);
    assert!(diags.is_empty(), "{diags:?}");
    assert!(tree.is_some());
}

#[test]
fn escapes_cannot_write_a_stray_line_terminator_into_a_reason() {
    let (tree, diags) =
        file("ruleset r {\n  outcomes ok\n  otherwise ok because \"a\\nb\\tc\\\\\"\n}\n");
    assert!(diags.is_empty(), "{diags:?}");
    let text = format!("{:?}", tree.unwrap());
    assert!(text.contains(r#"Text("a\nb\tc\\")"#), "{text}");
    for escape in ["\\r", "\\u2028", "\\u{2028}", "\\x0b", "\\f", "\\v"] {
        let (_, diags) = file(&format!(
            "ruleset r {{\n  outcomes ok\n  otherwise ok because \"{escape}\"\n}}\n"
        ));
        assert!(
            diags.iter().any(|d| d.code == Code::Syntax),
            "{escape}: {diags:?}"
        );
    }
}

#[test]
fn misleading_characters_are_listed_in_order_up_to_a_limit() {
    let comment: String = "\u{2028}\u{200B}".repeat(15);
    let (_, diags) = file(&format!(
        "# {comment}\nruleset r {{ outcomes ok otherwise ok }}\n"
    ));
    let found: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| d.code == Code::InvisibleCharacter)
        .collect();
    assert_eq!(found.len(), 21, "{diags:?}");
    assert!(found[0].message.starts_with("line terminator U+2028"));
    assert!(found[1].message.starts_with("invisible character U+200B"));
    let starts: Vec<u32> = found[..20].iter().map(|d| d.span.unwrap().start).collect();
    assert!(starts.windows(2).all(|w| w[0] < w[1]), "{starts:?}");
    assert_eq!(
        found[20].message,
        "10 more misleading characters in this file"
    );
}
