//! The formatter's laws: formatting twice changes nothing, the output
//! parses back to the same tree, and no comment is lost or reordered.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test code"
)]

use crate::ast::*;
use crate::format::{comments, format_text, normalize_line_breaks, print_expr, print_file};
use crate::span::{FileId, Source, Span};
use proptest::prelude::*;

fn parse(text: &str) -> Option<File> {
    crate::syntax::parse(&Source::new("t.vk", text), FileId(0)).0
}

fn comment_texts(text: &str) -> Vec<String> {
    comments::scan(text).into_iter().map(|c| c.text).collect()
}

/// Checks every law on one source text that formats; returns the output.
fn assert_laws(name: &str, text: &str) -> Option<String> {
    // Stray line terminators are line breaks to the formatter: the laws
    // hold for the text as an editor shows it.
    let text: &str = &normalize_line_breaks(text);
    let formatted = format_text(text).ok()?;
    let again = format_text(&formatted)
        .unwrap_or_else(|d| panic!("{name}: formatted text does not parse: {d:?}\n{formatted}"));
    assert_eq!(again, formatted, "{name}: not idempotent");
    let before = parse(text).unwrap();
    let after = parse(&formatted).unwrap();
    assert!(
        before == after || squash(&before) == squash(&after),
        "{name}: tree changed\n{formatted}"
    );
    assert_eq!(
        comment_texts(text),
        comment_texts(&formatted),
        "{name}: comments lost or reordered\n{formatted}"
    );
    Some(formatted)
}

/// A tree's debug text without white space: the only text the formatter
/// may change is the white space inside a duration (`180\n days`).
fn squash(file: &File) -> String {
    format!("{file:?}")
        .replace("\\n", "")
        .replace("\\t", "")
        .replace("\\r", "")
        .replace(' ', "")
}

fn vk_files(dir: &str) -> Vec<(String, String)> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "vk"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
            (p.display().to_string(), text)
        })
        .collect()
}

#[test]
fn shipped_rules_are_formatted_and_obey_the_laws() {
    for (name, text) in vk_files("tests/fixtures/reference/rules") {
        let formatted = assert_laws(&name, &text).unwrap();
        assert_eq!(
            formatted, text,
            "{name} is not formatted: run `verdikt fmt`"
        );
    }
}

#[test]
fn check_fixtures_that_parse_obey_the_laws() {
    let mut formatted = 0;
    for (name, text) in vk_files("tests/fixtures/check") {
        formatted += usize::from(assert_laws(&name, &text).is_some());
    }
    assert!(formatted >= 15, "only {formatted} fixtures formatted");
}

#[test]
fn comments_in_awkward_places_are_kept_in_order() {
    let cases = [
        "# only a comment\n",
        "# a\n\n\n# b\n",
        "schema s { # after brace\n  a int # trailing\n  # before close\n} # after close\n# end",
        "ruleset r { outcomes a, # mid list\n b\n let x = min(1, # in call\n 2) # after\n otherwise a }",
        "ruleset r { outcomes a rule q # head\n for # kw\n x when # w\n all of # g\n # own\n a # t\n any of [ b # n\n # m\n c ] # close\n because \"r # not a comment\" # after because\n then # t\n a, # c\n x = 1 # v\n else a # e\n otherwise a # o\n}",
        "ruleset r { outcomes a let s = \"{f(\"#\") # in placeholder\n}\" otherwise a }",
        "calendar c { working monday # w\n # h\n holidays 2026-01-01, # x\n 2026-01-02 }",
        "calendar c { covers 2026-01-01..2026-12-31 # c\n # own\n outside monday, # o\n friday # f\n}",
        "\u{feff}# bom\r\nruleset r {\r\n  outcomes a # crlf\r\n  otherwise a\r\n}\r\n",
        "ruleset r { outcomes a\n\n\n  # spaced\n\n\n  let x = 1\n\n\n  otherwise a\n\n\n}",
        "ruleset r { outcomes a otherwise a, x = if a # i\n then b # t\n else c # e\n}",
    ];
    for (i, text) in cases.iter().enumerate() {
        assert_laws(&format!("case {i}"), text)
            .unwrap_or_else(|| panic!("case {i} does not format"));
    }
}

#[test]
fn parentheses_are_the_fewest_that_keep_the_tree() {
    for (text, want) in [
        ("a - (b - c)", "a - (b - c)"),
        ("(a - b) - c", "a - b - c"),
        ("(a * b) + (c * d)", "a * b + c * d"),
        ("(a + b) * c", "(a + b) * c"),
        ("not (a = b)", "not (a = b)"),
        ("not a", "not a"),
        ("not (a is present)", "not a is present"),
        ("(not a) = b", "(not a) = b"),
        ("not (-a + b)", "not (-a + b)"),
        ("-(-a)", "-(-a)"),
        ("(a + b) is present", "a + b is present"),
        ("a + (b is present)", "a + (b is present)"),
        ("(if a then b else c) + 1", "(if a then b else c) + 1"),
        ("1 + (if a then b else c)", "1 + if a then b else c"),
        ("((a or b)) and c", "(a or b) and c"),
        ("not (a and b)", "not (a and b)"),
    ] {
        let e = crate::syntax::parse_expr(text, FileId(0)).unwrap();
        assert_eq!(print_expr(&e), want, "{text}");
    }
}

#[test]
fn pathological_inputs_are_refused_without_panicking() {
    for text in [
        "(".repeat(100_000),
        format!(
            "ruleset r {{ outcomes a otherwise a, x = {} }}",
            vec!["1"; 50_000].join(" + ")
        ),
        "\"".repeat(10_000),
        "ruleset r { outcomes a let x = \"{\"{\"{1}\"}\"}\" otherwise a }".into(),
    ] {
        if let Ok(formatted) = format_text(&text) {
            assert_laws("pathological", &text);
            assert!(!formatted.is_empty());
        }
    }
}

// ---------------------------------------------------------------- generated trees

fn leaf(text: &str) -> Expr {
    crate::syntax::parse_expr(text, FileId(0)).unwrap()
}

fn name(text: &str) -> Name {
    Name {
        text: text.into(),
        span: Span::default(),
    }
}

fn mk(kind: ExprKind) -> Expr {
    Expr {
        kind,
        span: Span::default(),
    }
}

/// Template parts as lowering builds them: text never empty, never two
/// text parts in a row.
fn template(parts: Vec<Result<String, Expr>>) -> Template {
    let mut out: Vec<TemplatePart> = Vec::new();
    for part in parts {
        match (part, out.last_mut()) {
            (Ok(t), _) if t.is_empty() => {}
            (Ok(t), Some(TemplatePart::Text(prev))) => prev.push_str(&t),
            (Ok(t), _) => out.push(TemplatePart::Text(t)),
            (Err(e), _) => out.push(TemplatePart::Expr(e)),
        }
    }
    Template {
        parts: out,
        span: Span::default(),
    }
}

fn any_expr() -> impl Strategy<Value = Expr> {
    let leaves = prop::sample::select(vec![
        "1",
        "4.5",
        "1_000",
        "1e3",
        "98.5%",
        "¥500,000",
        "¥65,000.00",
        "2026-01-01",
        "180 days",
        "1 day",
        "true",
        "false",
        "x",
        "quota.limit",
        "a.default",
        "\"plain\"",
        "\"a {x} \\\" \\{ \\} \\\\ \\n \\t # 中文\"",
        "business_days_after(as_of, 1, calendar cn-2026)",
        "f()",
    ])
    .prop_map(leaf);
    let ops = prop::sample::select(vec![
        BinOp::Or,
        BinOp::And,
        BinOp::Cmp(CmpOp::Eq),
        BinOp::Cmp(CmpOp::Ne),
        BinOp::Cmp(CmpOp::Lt),
        BinOp::Cmp(CmpOp::Le),
        BinOp::Cmp(CmpOp::Gt),
        BinOp::Cmp(CmpOp::Ge),
        BinOp::Add,
        BinOp::Sub,
        BinOp::Mul,
        BinOp::Div,
    ]);
    leaves.prop_recursive(6, 48, 4, move |inner| {
        let text = prop::sample::select(vec![
            "", "a", "\"", "\\", "{", "}", "\n", "\t", "# x", "额度",
        ])
        .prop_map(str::to_string);
        prop_oneof![
            (ops.clone(), inner.clone(), inner.clone())
                .prop_map(|(op, l, r)| mk(ExprKind::Binary(op, Box::new(l), Box::new(r)))),
            inner.clone().prop_map(|x| mk(ExprKind::Not(Box::new(x)))),
            inner.clone().prop_map(|x| mk(ExprKind::Neg(Box::new(x)))),
            (inner.clone(), any::<bool>()).prop_map(|(x, present)| mk(ExprKind::Presence {
                expr: Box::new(x),
                present
            })),
            (
                inner.clone(),
                prop::collection::vec(inner.clone(), 0..3),
                any::<bool>()
            )
                .prop_map(|(x, list, negated)| mk(ExprKind::In {
                    expr: Box::new(x),
                    list,
                    negated
                })),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, t, o)| mk(ExprKind::If {
                cond: Box::new(c),
                then: Box::new(t),
                otherwise: Box::new(o)
            })),
            prop::collection::vec(inner.clone(), 0..4).prop_map(|args| mk(ExprKind::Call {
                function: name("min"),
                args
            })),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|items| mk(ExprKind::List(items))),
            prop::collection::vec(prop_oneof![text.prop_map(Ok), inner.prop_map(Err)], 0..4)
                .prop_map(|parts| mk(ExprKind::Text(template(parts)))),
        ]
    })
}

/// A ruleset with the expression in every place an expression may stand.
fn file_around(e: &Expr) -> File {
    let reason = || Some(template(vec![Ok("r ".into()), Err(e.clone())]));
    let item = |because, unmet| GroupItem {
        condition: Condition::Expr(e.clone()),
        because,
        unmet,
        span: Span::default(),
    };
    let clause = |because: Option<Template>| OutcomeClause {
        outcome: name("a"),
        assignments: vec![Assignment {
            output: name("o"),
            value: e.clone(),
            when: Some(e.clone()),
            span: Span::default(),
        }],
        explain_unmet: Some(name("q")),
        because_when: because.as_ref().map(|_| e.clone()),
        because,
        span: Span::default(),
    };
    let nested = Group {
        kind: GroupKind::Any,
        items: vec![item(None, None), item(reason(), None), item(None, reason())],
        span: Span::default(),
    };
    let rule = Rule {
        name: name("q"),
        title: Some(template(vec![Ok("t".into())])),
        scope: Some(e.clone()),
        when: Condition::Group(Group {
            kind: GroupKind::All,
            items: vec![
                item(None, None),
                item(None, None),
                GroupItem {
                    condition: Condition::Group(nested),
                    because: reason(),
                    unmet: reason(),
                    span: Span::default(),
                },
                item(reason(), reason()),
            ],
            span: Span::default(),
        }),
        when_texts: CondTexts::default(),
        then: clause(reason()),
        otherwise: Some(clause(None)),
        span: Span::default(),
    };
    // A single condition with both texts.
    let single = Rule {
        name: name("s"),
        title: None,
        scope: None,
        when: Condition::Expr(e.clone()),
        when_texts: CondTexts {
            because: reason(),
            unmet: reason(),
        },
        then: clause(None),
        otherwise: Some(clause(reason())),
        span: Span::default(),
    };
    File {
        decls: vec![Decl::Ruleset(Ruleset {
            name: name("r"),
            title: None,
            items: vec![
                RulesetItem::Outcomes(vec![EnumValue {
                    name: name("a"),
                    label: Some(template(vec![Ok("提额".into())])),
                }]),
                RulesetItem::Applies(Applies {
                    when: e.clone(),
                    otherwise: clause(None),
                    span: Span::default(),
                }),
                RulesetItem::Require(Requirement {
                    expr: e.clone(),
                    because: reason(),
                    span: Span::default(),
                }),
                RulesetItem::Let(Let {
                    name: name("x"),
                    value: e.clone(),
                    span: Span::default(),
                }),
                RulesetItem::Rule(Box::new(rule)),
                RulesetItem::Rule(Box::new(single)),
                RulesetItem::Otherwise(clause(reason())),
            ],
            span: Span::default(),
        })],
        broken: Vec::new(),
    }
}

/// A date literal as lowering builds it.
fn date_literal(days_after_2024: u32) -> Literal {
    let day = chrono::NaiveDate::from_ymd_opt(2024, 1, 1)
        .unwrap()
        .checked_add_days(chrono::Days::new(days_after_2024.into()))
        .unwrap();
    Literal {
        value: LitValue::Date(day),
        text: day.to_string(),
        span: Span::default(),
    }
}

fn any_date_range() -> impl Strategy<Value = DateRange> {
    (0u32..4000, prop::option::of(0u32..4000)).prop_map(|(first, last)| DateRange {
        first: date_literal(first),
        last: last.map(date_literal),
    })
}

fn any_weekday_range() -> impl Strategy<Value = WeekdayRange> {
    // Any word parses as a weekday; the checker says which are not.
    let day = prop::sample::select(vec![
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "funday",
    ])
    .prop_map(name);
    (day.clone(), prop::option::of(day)).prop_map(|(first, last)| WeekdayRange { first, last })
}

fn any_calendar() -> impl Strategy<Value = Calendar> {
    let dates = |n| prop::collection::vec(any_date_range(), 1..n);
    let days = || prop::collection::vec(any_weekday_range(), 1..4);
    let entry = prop_oneof![
        dates(6).prop_map(CalendarEntry::Covers),
        days().prop_map(CalendarEntry::Working),
        // Enough ranges to wrap onto continuation lines.
        dates(16).prop_map(CalendarEntry::Holidays),
        dates(10).prop_map(CalendarEntry::MakeUp),
        days().prop_map(CalendarEntry::Outside),
    ];
    (
        prop::sample::select(vec!["cn-2026", "c", "weekdays_only"]),
        prop::collection::vec(entry, 0..7),
    )
        .prop_map(|(calendar, entries)| Calendar {
            name: name(calendar),
            entries,
            span: Span::default(),
        })
}

/// Cuts and pastes that stay close to real rule text, comments included.
const PASTES: &[&str] = &[
    "",
    "# c\n",
    " # c",
    "#",
    "\n",
    "\n\n",
    "(",
    ")",
    "not ",
    "-",
    " and x",
    " or y",
    "\"#\"",
    "{",
    "}",
    "is present",
    " because \"r\"",
    "\n  # own\n",
];

/// The line terminators an editor or terminal may break at, other than LF.
const STRAY: [char; 6] = [
    '\r', '\u{000B}', '\u{000C}', '\u{0085}', '\u{2028}', '\u{2029}',
];

fn has_stray_terminator(text: &str) -> bool {
    crate::unicode::stray_line_terminators(text)
        .next()
        .is_some()
}

#[test]
fn a_lone_cr_in_a_comment_becomes_the_line_break_an_editor_shows() {
    let text = "ruleset r {\n  outcomes ok, no\n  # note\r  rule hidden when 1 > 2 then no\n  otherwise ok\n}\n";
    let (_, diagnostics) = crate::syntax::parse(&Source::new("t.vk", text), FileId(0));
    assert!(diagnostics
        .iter()
        .any(|d| d.code == crate::diagnostic::Code::InvisibleCharacter));
    let formatted = format_text(text).unwrap();
    assert_eq!(
        formatted,
        "ruleset r {\n  outcomes ok, no\n  # note\n  rule hidden\n    when 1 > 2\n    then no\n  otherwise ok\n}\n"
    );
    let (_, diagnostics) = crate::syntax::parse(&Source::new("t.vk", &formatted), FileId(0));
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
}

#[test]
fn every_stray_terminator_becomes_a_line_feed() {
    for c in STRAY {
        let text = format!("a{c}b\r\nc{c}{c}");
        assert_eq!(normalize_line_breaks(&text), "a\nb\r\nc\n\n", "{c:?}");
    }
    let clean = "a\r\nb\n";
    assert!(matches!(
        normalize_line_breaks(clean),
        std::borrow::Cow::Borrowed(_)
    ));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// A stray line terminator anywhere in a rule file is refused where it
    /// is; `fmt` turns it into a line break, and its output holds none,
    /// parses without a V033 and is formatted.
    #[test]
    fn stray_terminators_are_refused_and_fmt_repairs_them(
        file in 0usize..5,
        at in any::<prop::sample::Index>(),
        c in prop::sample::select(STRAY.to_vec()),
    ) {
        let files = vk_files("tests/fixtures/reference/rules");
        let (name, text) = &files[file % files.len()];
        let cut = at.index(text.len() + 1);
        let cut = (0..=cut).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        // A CR before a LF is a CRLF, an ordinary line ending.
        prop_assume!(!(c == '\r' && text[cut..].starts_with('\n')));
        let mutated = format!("{}{c}{}", &text[..cut], &text[cut..]);
        let (_, diagnostics) = crate::syntax::parse(&Source::new(name, &mutated), FileId(0));
        let refused: Vec<usize> = diagnostics
            .iter()
            .filter(|d| d.code == crate::diagnostic::Code::InvisibleCharacter)
            .map(|d| d.span.unwrap().start as usize)
            .collect();
        prop_assert_eq!(refused, vec![cut], "{}", name);
        if let Ok(formatted) = format_text(&mutated) {
            prop_assert!(!has_stray_terminator(&formatted), "{}", formatted);
            let (_, diagnostics) =
                crate::syntax::parse(&Source::new(name, &formatted), FileId(0));
            prop_assert!(
                diagnostics.iter().all(|d| d.code != crate::diagnostic::Code::InvisibleCharacter),
                "{:?}", diagnostics
            );
            prop_assert_eq!(format_text(&formatted).unwrap(), formatted);
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        if format_text(&text).is_ok() {
            assert_laws("arbitrary", &text);
        }
    }

    #[test]
    fn generated_expressions_print_back_to_the_same_tree(e in any_expr()) {
        let printed = print_expr(&e);
        let parsed = crate::syntax::parse_expr(&printed, FileId(0))
            .unwrap_or_else(|d| panic!("`{printed}` does not parse: {d:?}"));
        prop_assert_eq!(&parsed, &e, "{}", printed);
    }

    #[test]
    fn generated_files_print_back_to_the_same_tree(e in any_expr()) {
        let file = file_around(&e);
        let printed = print_file(&file);
        let (parsed, diagnostics) =
            crate::syntax::parse(&Source::new("t.vk", &printed), FileId(0));
        let parsed = parsed.unwrap_or_else(|| panic!("does not parse: {diagnostics:?}\n{printed}"));
        prop_assert_eq!(&parsed, &file, "{}", printed);
        prop_assert_eq!(format_text(&printed).unwrap(), printed);
    }

    #[test]
    fn generated_calendars_print_back_to_the_same_tree(
        calendars in prop::collection::vec(any_calendar(), 1..3),
    ) {
        let file = File {
            decls: calendars.into_iter().map(Decl::Calendar).collect(),
            broken: Vec::new(),
        };
        let printed = print_file(&file);
        let (parsed, diagnostics) =
            crate::syntax::parse(&Source::new("t.vk", &printed), FileId(0));
        let parsed = parsed.unwrap_or_else(|| panic!("does not parse: {diagnostics:?}\n{printed}"));
        prop_assert_eq!(&parsed, &file, "{}", printed);
        prop_assert_eq!(format_text(&printed).unwrap(), printed);
    }

    #[test]
    fn mutated_rule_files_that_parse_obey_the_laws(
        file in 0usize..5,
        at in any::<prop::sample::Index>(),
        len in 0usize..30,
        paste in prop::sample::select(PASTES),
    ) {
        let files = vk_files("tests/fixtures/reference/rules");
        let (name, text) = &files[file % files.len()];
        let cut = at.index(text.len() + 1);
        let cut = (0..=cut).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        let end = (cut + len).min(text.len());
        let end = (end..=text.len()).find(|i| text.is_char_boundary(*i)).unwrap_or(text.len());
        let mutated = format!("{}{}{}", &text[..cut], paste, &text[end..]);
        assert_laws(name, &mutated);
    }
}
