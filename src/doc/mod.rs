//! The policy book (`verdikt doc`): the whole policy as a document for
//! the business and compliance reviewers who never read rule files. Every
//! ruleset, rule and condition with its thresholds, the outputs and their
//! formulas, the merchant texts, the calendars and what they cover, and
//! which rules the test cases decide.
//!
//! It is built from the checked policy (never from rule text), so it
//! cannot drift from the rules: `build` lays the content out once as a
//! [`page::Page`], and `page` renders it as Markdown or one HTML page.

mod expr;
mod page;
mod words;

#[cfg(test)]
mod tests;

use crate::ast::{self, Condition, Decl, GroupKind, RulesetItem};
use crate::calendar::{Calendar, DateSpan};
use crate::cases::Suite;
use crate::coverage::Coverage;
use crate::eval::Decider;
use crate::ir::Policy;
use crate::types::Ty;
use crate::value::{date_iso, money_human, rate_human};

use expr::Resolved;
use page::{Block, Inline, Line, Page};
use words::BookWords;

/// The two forms of the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BookFormat {
    Markdown,
    Html,
}

/// What the test cases showed: the suite and the coverage of its run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tested<'a> {
    pub(crate) suite: &'a Suite,
    pub(crate) coverage: &'a Coverage,
}

/// Everything a book is made from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Inputs<'a> {
    /// The syntax trees of the rule files the policy was checked from, in
    /// the same order (so spans agree).
    pub(crate) trees: &'a [ast::File],
    pub(crate) policy: &'a Policy,
    /// `None` when the policy has no test cases.
    pub(crate) tested: Option<Tested<'a>>,
    /// The dates the project says its calendars must cover.
    pub(crate) horizon: Option<DateSpan>,
}

/// The book in one of its forms.
pub(crate) fn render(inputs: &Inputs<'_>, format: BookFormat) -> String {
    let page = build(inputs);
    match format {
        BookFormat::Markdown => page::markdown(&page),
        BookFormat::Html => page::html(&page),
    }
}

/// Lays the book out.
fn build(inputs: &Inputs<'_>) -> Page {
    let policy = inputs.policy;
    let w = BookWords::of(policy.language);
    let fields = || {
        inputs
            .trees
            .iter()
            .flat_map(|f| f.decls.iter())
            .filter_map(|d| match d {
                Decl::Schema(s) => Some(s),
                _ => None,
            })
            .flat_map(|s| s.items.iter())
            .filter_map(|i| match i {
                ast::SchemaItem::Field(f) => Some(f),
                ast::SchemaItem::Require(_) => None,
            })
    };
    let mut r = Resolved::new(policy, w);
    for f in fields() {
        if let Some(label) = label_of(f) {
            let label = r.title(label);
            r.labels.insert(f.name.text.clone(), label);
        }
    }
    let reading = if r.labels.is_empty() {
        w.reading
    } else {
        w.reading_labelled
    };
    let mut blocks = vec![
        Block::Para(vec![text(&format!(
            "{}{}{}",
            w.intro[0], policy.version, w.intro[1]
        ))]),
        Block::Para(vec![text(reading)]),
    ];
    let decls = || inputs.trees.iter().flat_map(|f| f.decls.iter());
    for decl in decls() {
        if let Decl::Schema(s) = decl {
            schema(&r, s, &mut blocks);
        }
    }
    for (i, rs) in decls()
        .filter_map(|d| match d {
            Decl::Ruleset(rs) => Some(rs),
            _ => None,
        })
        .enumerate()
    {
        ruleset(&r, rs, policy.rulesets.get(i), &mut blocks);
    }
    if !policy.calendars.is_empty() {
        blocks.push(heading(2, "calendars", w.calendars));
        for cal in &policy.calendars {
            calendar(w, cal, inputs.horizon, &mut blocks);
        }
    }
    coverage(&r, inputs, &mut blocks);
    Page {
        title: w.title.to_string(),
        contents: w.contents.to_string(),
        lang: match policy.language {
            crate::Language::Zh => "zh",
            crate::Language::En => "en",
        },
        blocks,
    }
}

fn text(s: &str) -> Inline {
    Inline::Text(s.to_string())
}

fn code(s: &str) -> Inline {
    Inline::Code(s.to_string())
}

fn heading(level: u8, id: &str, text: &str) -> Block {
    Block::Heading {
        level,
        id: anchor(id),
        text: text.to_string(),
    }
}

/// An anchor from names: letters, digits, `-` and `_`; anything else as
/// its code point, so two names never share an anchor.
fn anchor(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for ch in id.chars() {
        if ch.is_ascii_alphanumeric() || ch == '-' || ch == '_' {
            out.push(ch);
        } else {
            out.push_str(&format!("-{:x}-", u32::from(ch)));
        }
    }
    out
}

/// `额度调整（limit_adjustment）`, or the name alone when there is no title.
fn titled(r: &Resolved<'_>, title: Option<&ast::Template>, name: &str) -> String {
    match title {
        Some(t) => {
            let (open, close) = r.words.paren;
            format!("{}{open}{name}{close}", r.title(t))
        }
        None => name.to_string(),
    }
}

// ------------------------------------------------------------------ schema

fn schema(r: &Resolved<'_>, s: &ast::Schema, blocks: &mut Vec<Block>) {
    let w = r.words;
    blocks.push(heading(2, "schema", w.schema));
    let mut rows = Vec::new();
    let mut requires = Vec::new();
    for item in &s.items {
        match item {
            ast::SchemaItem::Field(f) => rows.push(field_row(r, f)),
            ast::SchemaItem::Require(req) => requires.push(requirement(r, req)),
        }
    }
    blocks.push(Block::Table {
        head: vec![w.field.into(), w.ty.into(), w.constraints.into()],
        rows,
    });
    if !requires.is_empty() {
        blocks.push(Block::Para(vec![text(w.record_requires)]));
        blocks.push(Block::List(requires));
    }
}

fn field_row(r: &Resolved<'_>, f: &ast::FieldDecl) -> Vec<Line> {
    let w = r.words;
    let base = match &f.ty.kind {
        ast::TypeKind::Base(b) | ast::TypeKind::List(b) => Some(*b),
        ast::TypeKind::Enum(_) => None,
    };
    let ty: Line = match &f.ty.kind {
        ast::TypeKind::Base(b) => vec![text(w.type_word(b.keyword()))],
        ast::TypeKind::List(b) => vec![text(&format!("{}{}", w.list_of, w.type_word(b.keyword())))],
        ast::TypeKind::Enum(values) => {
            let mut line = vec![text(&format!("{}{}", w.type_word("enum"), w.colon))];
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    line.push(text(w.list_sep));
                }
                line.push(code(&v.name.text));
                if let Some(label) = &v.label {
                    line.push(text(&format!(" {}", r.title(label))));
                }
            }
            line
        }
    };
    let mut constraints: Vec<String> = Vec::new();
    constraints.push(
        if f.ty.optional {
            w.optional_field
        } else {
            w.required_field
        }
        .to_string(),
    );
    for option in &f.options {
        match &option.kind {
            ast::FieldOptionKind::Range(a, b) => constraints.push(format!(
                "{}{}{}",
                schema_literal(a, base),
                w.to,
                schema_literal(b, base)
            )),
            ast::FieldOptionKind::Bound(op, lit) => constraints.push(format!(
                "{} {}",
                expr::cmp_symbol(*op),
                schema_literal(lit, base)
            )),
            ast::FieldOptionKind::NotEmpty => constraints.push(w.not_empty.to_string()),
            ast::FieldOptionKind::Default(e) => {
                let mut s = w.default_is.to_string();
                for inline in r.expr(e) {
                    if let Inline::Text(t) | Inline::Code(t) = inline {
                        s.push_str(&t);
                    }
                }
                constraints.push(s);
            }
        }
    }
    vec![
        declared(r, f),
        ty,
        vec![text(&constraints.join(w.list_sep))],
    ]
}

/// A bound of a schema field in the field's type.
fn schema_literal(lit: &ast::Literal, base: Option<ast::BaseType>) -> String {
    use ast::{BaseType, LitValue};
    match (&lit.value, base) {
        (LitValue::Number(d) | LitValue::Money(d), Some(BaseType::Money)) => money_human(*d),
        (LitValue::Money(d), _) => money_human(*d),
        (LitValue::Percent(d), _) | (LitValue::Number(d), Some(BaseType::Rate)) => rate_human(*d),
        (LitValue::Number(d), _) => d.normalize().to_string(),
        (LitValue::Date(d), _) => date_iso(*d),
        _ => lit.text.clone(),
    }
}

fn requirement(r: &Resolved<'_>, req: &ast::Requirement) -> Line {
    let mut line = r.expr(&req.expr);
    if let Some(t) = &req.because {
        line.push(text(&format!("{}{}", r.words.semi, r.words.rejected_with)));
        line.push(text(" "));
        line.push(r.condition_text(t, &req.expr));
    }
    line
}

// ------------------------------------------------------------------ rulesets

/// A ruleset's outcomes in order, each with the label merchants read for
/// it when the rules give one (`outcomes increase "提额", ...`).
// INVARIANT: the only place that reads `RulesetItem::Outcomes`; labels
// reach the rest of the book from here.
fn outcomes_of(rs: &ast::Ruleset) -> Vec<(&str, Option<&ast::Template>)> {
    rs.items
        .iter()
        .filter_map(|i| match i {
            RulesetItem::Outcomes(names) => Some(names),
            _ => None,
        })
        .flatten()
        .map(|n| (n.name.text.as_str(), n.label.as_ref()))
        .collect()
}

/// The label a field or output declares for people, if any.
// INVARIANT: the only place that reads a declaration's label.
pub(crate) fn label_of(f: &ast::FieldDecl) -> Option<&ast::Template> {
    f.label.as_ref()
}

/// An outcome: its label and name (`提额（increase）`), or its name.
fn outcome(r: &Resolved<'_>, rs: &ast::Ruleset, name: &str) -> Line {
    let label = outcomes_of(rs)
        .into_iter()
        .find(|(n, _)| *n == name)
        .and_then(|(_, l)| l);
    match label {
        Some(l) => vec![
            text(&format!("{}{}", r.title(l), r.words.paren.0)),
            code(name),
            text(r.words.paren.1),
        ],
        None => vec![code(name)],
    }
}

/// A field or output: its label and name, or its name.
fn declared(r: &Resolved<'_>, f: &ast::FieldDecl) -> Line {
    match label_of(f) {
        Some(l) => vec![
            text(&format!("{}{}", r.title(l), r.words.paren.0)),
            code(&f.name.text),
            text(r.words.paren.1),
        ],
        None => vec![code(&f.name.text)],
    }
}

fn ruleset(
    r: &Resolved<'_>,
    rs: &ast::Ruleset,
    compiled: Option<&crate::ir::Ruleset>,
    blocks: &mut Vec<Block>,
) {
    let w = r.words;
    let name = &rs.name.text;
    blocks.push(heading(
        2,
        &format!("ruleset-{name}"),
        &titled(r, rs.title.as_ref(), name),
    ));
    let output_ty = |output: &str| -> Option<Ty> {
        compiled?
            .outputs
            .iter()
            .find(|o| &*o.name == output)
            .map(|o| o.ty.clone())
    };
    let rule_title = |rule: &str| -> String {
        rs.items
            .iter()
            .find_map(|i| match i {
                RulesetItem::Rule(x) if x.name.text == rule => {
                    Some(titled(r, x.title.as_ref(), &x.name.text))
                }
                _ => None,
            })
            .unwrap_or_else(|| rule.to_string())
    };
    let clause = |c: &ast::OutcomeClause| -> Line {
        let mut line = outcome(r, rs, &c.outcome.text);
        for a in &c.assignments {
            line.push(text(w.semi));
            line.push(code(&a.output.text));
            line.push(text(" = "));
            line.extend(r.expr_as(&a.value, output_ty(&a.output.text).as_ref()));
            if let Some(when) = &a.when {
                line.push(text(w.when_assign.0));
                line.extend(r.expr(when));
                line.push(text(w.when_assign.1));
            }
        }
        if let Some(rule) = &c.explain_unmet {
            line.push(text(&format!(
                "{}{}{}",
                w.explain_unmet.0,
                rule_title(&rule.text),
                w.explain_unmet.1
            )));
        }
        if let Some(t) = &c.because {
            match &c.because_when {
                // `because "..." when x`: the text is shown only when x holds.
                Some(when) => {
                    line.push(text(w.reason_when.0));
                    line.extend(r.expr(when));
                    line.push(text(w.reason_when.1));
                }
                None => line.push(text(w.reason)),
            }
            line.push(r.template(t));
        }
        line
    };

    // Outcomes and outputs.
    let mut facts = Vec::new();
    for item in &rs.items {
        match item {
            RulesetItem::Outcomes(_) => {
                let mut line = vec![text(&format!("{}{}", w.outcomes, w.colon))];
                for (i, (n, _)) in outcomes_of(rs).into_iter().enumerate() {
                    if i > 0 {
                        line.push(text(w.list_sep));
                    }
                    line.extend(outcome(r, rs, n));
                }
                facts.push(line);
            }
            RulesetItem::Output(f) => {
                let ty = match &f.ty.kind {
                    ast::TypeKind::Base(b) => w.type_word(b.keyword()).to_string(),
                    ast::TypeKind::List(b) => format!("{}{}", w.list_of, w.type_word(b.keyword())),
                    ast::TypeKind::Enum(_) => w.type_word("enum").to_string(),
                };
                let optional = if f.ty.optional { w.optional_output } else { "" };
                let mut line = vec![text(&format!("{}{}", w.outputs, w.colon))];
                line.extend(declared(r, f));
                line.push(text(&format!("{}{ty}{optional}", w.colon)));
                facts.push(line);
            }
            _ => {}
        }
    }
    if !facts.is_empty() {
        blocks.push(Block::List(facts));
    }

    // Applies, requirements, computed values.
    for item in &rs.items {
        match item {
            RulesetItem::Applies(a) => {
                let mut line = vec![text(&format!("{}{}", w.applies, w.colon))];
                line.extend(r.expr(&a.when));
                line.push(text(&format!("{}{}{}", w.semi, w.applies_else, w.colon)));
                line.extend(clause(&a.otherwise));
                blocks.push(Block::Para(line));
            }
            RulesetItem::Require(req) => {
                let mut line = vec![text(&format!("{}{}", w.requires, w.colon))];
                line.extend(requirement(r, req));
                blocks.push(Block::Para(line));
            }
            _ => {}
        }
    }
    let lets: Vec<Line> = rs
        .items
        .iter()
        .filter_map(|i| match i {
            RulesetItem::Let(l) => {
                let mut line = vec![code(&l.name.text), text(" = ")];
                line.extend(r.expr(&l.value));
                Some(line)
            }
            _ => None,
        })
        .collect();
    if !lets.is_empty() {
        blocks.push(Block::Para(vec![text(
            format!("{}{}", w.computed, w.colon).trim_end(),
        )]));
        blocks.push(Block::List(lets));
    }

    // Rules, in order.
    let has_otherwise = rs
        .items
        .iter()
        .any(|i| matches!(i, RulesetItem::Otherwise(_)));
    blocks.push(Block::Para(vec![text(&format!(
        "{}{}",
        w.first_match[0],
        if has_otherwise {
            w.first_match[1]
        } else {
            w.first_match[2]
        }
    ))]));
    let mut n = 0;
    for item in &rs.items {
        let RulesetItem::Rule(rule) = item else {
            continue;
        };
        n += 1;
        blocks.push(heading(
            3,
            &format!("rule-{name}-{}", rule.name.text),
            &format!(
                "{}{n}{}{}",
                w.rule_n.0,
                w.rule_n.1,
                titled(r, rule.title.as_ref(), &rule.name.text)
            ),
        ));
        if let Some(scope) = &rule.scope {
            let mut line = vec![text(w.scope)];
            line.extend(r.condition(scope));
            blocks.push(Block::Para(line));
        }
        condition_table(r, &rule.when, &rule.when_texts, blocks);
        let mut then = vec![text(w.then)];
        then.extend(clause(&rule.then));
        blocks.push(Block::Para(then));
        if let Some(otherwise) = &rule.otherwise {
            let mut line = vec![text(w.rule_else)];
            line.extend(clause(otherwise));
            line.push(text(w.rule_else_lists));
            blocks.push(Block::Para(line));
        }
    }
    blocks.push(heading(3, &format!("otherwise-{name}"), w.otherwise));
    let default = rs.items.iter().find_map(|i| match i {
        RulesetItem::Otherwise(c) => Some(c),
        _ => None,
    });
    blocks.push(Block::Para(match default {
        Some(c) => clause(c),
        None => vec![text(w.no_otherwise)],
    }));
}

/// A rule's conditions: one row each, with the text a merchant reads.
fn condition_table(
    r: &Resolved<'_>,
    when: &Condition,
    texts: &ast::CondTexts,
    blocks: &mut Vec<Block>,
) {
    let w = r.words;
    let text_cell = |t: &Option<ast::Template>, c: &Condition| -> Line {
        match (t, c) {
            (Some(t), Condition::Expr(e)) => vec![r.condition_text(t, e)],
            (Some(t), Condition::Group(_)) => vec![r.template(t)],
            (None, _) => vec![text(w.no_text)],
        }
    };
    // (condition, met text, unmet text) per row.
    let rows: Vec<(&Condition, &Option<ast::Template>, &Option<ast::Template>)> = match when {
        Condition::Group(g) => g
            .items
            .iter()
            .map(|item| (&item.condition, &item.because, &item.unmet))
            .collect(),
        Condition::Expr(_) => vec![(when, &texts.because, &texts.unmet)],
    };
    let kind = match when {
        Condition::Group(g) => Some(g.kind),
        Condition::Expr(_) => None,
    };
    blocks.push(Block::Para(vec![text(match kind {
        Some(GroupKind::All) => w.all_of,
        Some(GroupKind::Any) => w.any_of,
        None => w.when_single,
    })]));
    // A merchant reads the met texts of an `any of` (the reasons it
    // matched) and the unmet texts of an `all of` (what is missing): those
    // columns are always shown, the others only when a condition has one.
    let met = kind != Some(GroupKind::All) || rows.iter().any(|(_, m, _)| m.is_some());
    let unmet = kind != Some(GroupKind::Any) || rows.iter().any(|(_, _, u)| u.is_some());
    let mut head = vec![w.condition.to_string()];
    if met {
        head.push(w.met_text.into());
    }
    if unmet {
        head.push(w.unmet_text.into());
    }
    let rows = rows
        .into_iter()
        .map(|(c, m, u)| {
            let mut row = vec![condition_line(r, c)];
            if met {
                row.push(text_cell(m, c));
            }
            if unmet {
                row.push(text_cell(u, c));
            }
            row
        })
        .collect();
    blocks.push(Block::Table { head, rows });
}

/// A condition on one line; a nested group as its items joined by and/or.
fn condition_line(r: &Resolved<'_>, c: &Condition) -> Line {
    match c {
        Condition::Expr(e) => r.condition(e),
        Condition::Group(g) => {
            let join = match g.kind {
                GroupKind::All => r.words.and,
                GroupKind::Any => r.words.or,
            };
            let mut line = vec![text("(")];
            for (i, item) in g.items.iter().enumerate() {
                if i > 0 {
                    line.push(text(join));
                }
                line.extend(condition_line(r, &item.condition));
            }
            line.push(text(")"));
            line
        }
    }
}

// ------------------------------------------------------------------ calendars

fn calendar(w: &BookWords, cal: &Calendar, horizon: Option<DateSpan>, blocks: &mut Vec<Block>) {
    blocks.push(heading(3, &format!("calendar-{}", cal.name), &cal.name));
    let colon = w.colon;
    let spans = |spans: &[DateSpan]| -> String {
        if spans.is_empty() {
            return w.none.to_string();
        }
        let parts: Vec<String> = spans
            .iter()
            .map(|s| {
                if s.first == s.last {
                    date_iso(s.first)
                } else {
                    let n = (s.last - s.first).num_days() + 1;
                    format!(
                        "{}{}{}{}{}{n}{}{}",
                        date_iso(s.first),
                        w.to,
                        date_iso(s.last),
                        w.paren.0,
                        w.days_n.0,
                        w.days_n.1,
                        w.paren.1
                    )
                }
            })
            .collect();
        parts.join(w.list_sep)
    };
    let mut items = Vec::new();
    let covers = match &cal.covers {
        Some(c) => spans(c),
        None => w.covers_all.to_string(),
    };
    items.push(vec![text(&format!("{}{colon}{covers}", w.covers))]);
    if let (Some(h), Some(c)) = (horizon, &cal.covers) {
        let state = match DateSpan::first_uncovered(c, h.first, h.last) {
            None => w.horizon_ok.to_string(),
            Some(day) => format!("{}{}", w.horizon_gap, date_iso(day)),
        };
        items.push(vec![text(&format!(
            "{}{colon}{}{}{}{}{state}",
            w.horizon,
            date_iso(h.first),
            w.to,
            date_iso(h.last),
            w.semi
        ))]);
    }
    items.push(vec![text(&format!(
        "{}{colon}{}",
        w.working,
        weekdays(w, &cal.working_weekdays)
    ))]);
    items.push(vec![text(&format!(
        "{}{colon}{}",
        w.holidays,
        spans(&runs(&cal.holidays))
    ))]);
    items.push(vec![text(&format!(
        "{}{colon}{}",
        w.make_up,
        spans(&runs(&cal.make_up))
    ))]);
    let outside = match &cal.outside {
        Some(days) => weekdays(w, days),
        None => w.outside_none.to_string(),
    };
    items.push(vec![text(&format!("{}{colon}{outside}", w.outside))]);
    blocks.push(Block::List(items));
}

/// Dates as runs of consecutive days, in order.
fn runs(dates: &std::collections::HashSet<chrono::NaiveDate>) -> Vec<DateSpan> {
    let mut sorted: Vec<_> = dates.iter().copied().collect();
    sorted.sort();
    let mut out: Vec<DateSpan> = Vec::new();
    for d in sorted {
        match out.last_mut() {
            Some(last) if last.last.succ_opt() == Some(d) => last.last = d,
            _ => out.push(DateSpan { first: d, last: d }),
        }
    }
    out
}

/// `周一至周五`, `Mon to Fri, Sun`.
fn weekdays(w: &BookWords, days: &[bool; 7]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < 7 {
        if !days.get(i).copied().unwrap_or(false) {
            i += 1;
            continue;
        }
        let start = i;
        while i + 1 < 7 && days.get(i + 1).copied().unwrap_or(false) {
            i += 1;
        }
        let name = |k: usize| w.weekdays.get(k).copied().unwrap_or("");
        parts.push(match i - start {
            0 => name(start).to_string(),
            1 => format!("{}{}{}", name(start), w.list_sep, name(i)),
            _ => format!("{}{}{}", name(start), w.to.trim(), name(i)),
        });
        i += 1;
    }
    if parts.is_empty() {
        return w.none.to_string();
    }
    parts.join(w.list_sep)
}

// ------------------------------------------------------------------ coverage

fn coverage(r: &Resolved<'_>, inputs: &Inputs<'_>, blocks: &mut Vec<Block>) {
    let w = r.words;
    let policy = inputs.policy;
    blocks.push(heading(2, "coverage", w.coverage));
    let Some(tested) = inputs.tested else {
        blocks.push(Block::Para(vec![text(w.no_cases)]));
        return;
    };
    for (i, rs) in policy.rulesets.iter().enumerate() {
        let title = rs.title.as_deref().map_or(rs.name.to_string(), |t| {
            let (open, close) = w.paren;
            format!("{t}{open}{}{close}", rs.name)
        });
        blocks.push(heading(3, &format!("coverage-{}", rs.name), &title));
        let decided = |d: Decider| tested.coverage.was_decided(i, d);
        let rule_name = |k: usize| {
            rs.rules
                .get(k)
                .map_or(String::new(), |rule| rule.name.to_string())
        };
        let decided_rules: Vec<usize> = (0..rs.rules.len())
            .filter(|k| decided(Decider::Then(*k)) || decided(Decider::Else(*k)))
            .collect();
        let mut items = vec![
            vec![text(&format!(
                "{}{}{}",
                w.cases_assert.0,
                tested.suite.asserting(&rs.name),
                w.cases_assert.1
            ))],
            vec![text(&format!(
                "{}{}/{}{}",
                w.rules_decided.0,
                decided_rules.len(),
                rs.rules.len(),
                w.rules_decided.1
            ))],
        ];
        let never: Vec<usize> = (0..rs.rules.len())
            .filter(|k| !decided_rules.contains(k))
            .collect();
        if never.is_empty() {
            items.push(vec![text(w.all_decided)]);
        } else {
            let mut line = vec![text(w.never_decided)];
            for (j, k) in never.iter().enumerate() {
                if j > 0 {
                    line.push(text(w.list_sep));
                }
                line.push(code(&rule_name(*k)));
            }
            items.push(line);
        }
        // The other branches: an `applies ... else`, a rule's `else`, the
        // `otherwise`.
        let mut branches: Vec<String> = Vec::new();
        if rs.guard.is_some() && !decided(Decider::Guard) {
            branches.push(w.applies_else.to_string());
        }
        for (k, rule) in rs.rules.iter().enumerate() {
            if rule.otherwise.is_some() && decided(Decider::Then(k)) && !decided(Decider::Else(k)) {
                branches.push(format!(
                    "{} {}",
                    rule.name,
                    w.rule_else.trim_end_matches(['：', ':', ' '])
                ));
            }
        }
        if rs.default.is_some() && !decided(Decider::Otherwise) {
            branches.push(w.otherwise.to_string());
        }
        if !branches.is_empty() {
            items.push(vec![text(&format!(
                "{}{}",
                w.clauses_never,
                branches.join(w.list_sep)
            ))]);
        }
        blocks.push(Block::List(items));
    }
}
