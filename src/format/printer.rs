//! Declarations and items as lines, with the source's comments put back.
//!
//! Every printed line that starts a construct has an anchor: the source
//! offset where that construct begins. Before the line is written, every
//! comment that begins before the anchor is written: own-line comments on
//! their own lines at the line's indentation, trailing comments at the end
//! of the last line written. A comment inside a construct that is printed
//! on fewer lines (inside an expression, say) thus moves to the end of the
//! construct or just before its next line: it moves, but it is never lost,
//! and comments keep their order.

use crate::ast::*;
use crate::span::Span;

use super::comments::{blank_line_before, next_code, Comment};
use super::expr::{self, end_col, spaces, width};
use super::MAX_WIDTH;

const INDENT: usize = 2;

/// Whether a blank line may precede a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Blank {
    /// Inside a rule or clause: never.
    Never,
    /// Between items: where the author left one or more.
    Keep,
    /// Between declarations: always one.
    Force,
}

#[derive(Debug)]
struct Line {
    text: String,
    has_comment: bool,
}

pub(crate) struct Printer<'s> {
    src: &'s str,
    comments: Vec<Comment>,
    next_comment: usize,
    lines: Vec<Line>,
    /// Just after a `{` line: no blank line here.
    block_start: bool,
}

impl<'s> Printer<'s> {
    pub(crate) fn new(src: &'s str, comments: Vec<Comment>) -> Self {
        Printer {
            src,
            comments,
            next_comment: 0,
            lines: Vec::new(),
            block_start: false,
        }
    }

    pub(crate) fn file(mut self, file: &File) -> String {
        for (i, decl) in file.decls.iter().enumerate() {
            let blank = if i == 0 { Blank::Keep } else { Blank::Force };
            match decl {
                Decl::Schema(s) => self.schema(s, blank),
                Decl::Calendar(c) => self.calendar(c, blank),
                Decl::Ruleset(r) => self.ruleset(r, blank),
                Decl::Language(l) => {
                    let text = format!("language {}", l.text);
                    self.line(l.span.start as usize, 0, blank, &text);
                }
            }
        }
        self.comments_before(usize::MAX, 0, Blank::Keep);
        let mut out = String::new();
        for line in &self.lines {
            out.push_str(line.text.trim_end());
            out.push('\n');
        }
        out
    }

    // ------------------------------------------------------------ lines

    /// Writes the comments that begin before `anchor`.
    fn comments_before(&mut self, anchor: usize, indent: usize, blank: Blank) -> bool {
        let mut force = blank == Blank::Force && !self.lines.is_empty();
        while let Some(c) = self.comments.get(self.next_comment) {
            if c.start >= anchor {
                break;
            }
            let c = c.clone();
            self.next_comment += 1;
            if !c.own_line {
                if let Some(last) = self.lines.last_mut() {
                    if !last.has_comment && !last.text.trim().is_empty() {
                        last.text.push_str("  ");
                        last.text.push_str(&c.text);
                        last.has_comment = true;
                        continue;
                    }
                }
            }
            if force || (blank != Blank::Never && c.blank_before) {
                self.blank_line();
            }
            force = false;
            self.lines.push(Line {
                text: format!("{}{}", spaces(indent), c.text),
                has_comment: true,
            });
            self.block_start = false;
        }
        force
    }

    /// Writes the comments before `anchor`, then `text` at `indent`
    /// (continuation lines of `text` carry their own indentation).
    fn line(&mut self, anchor: usize, indent: usize, blank: Blank, text: &str) {
        let force = self.comments_before(anchor, indent, blank);
        if force || (blank != Blank::Never && blank_line_before(self.src, anchor)) {
            self.blank_line();
        }
        for (i, part) in text.split('\n').enumerate() {
            let text = if i == 0 {
                format!("{}{part}", spaces(indent))
            } else {
                part.to_string()
            };
            self.lines.push(Line {
                text,
                has_comment: false,
            });
        }
        self.block_start = false;
    }

    fn blank_line(&mut self) {
        let last_is_blank = self.lines.last().is_none_or(|l| l.text.trim().is_empty());
        if !self.block_start && !last_is_blank {
            self.lines.push(Line {
                text: String::new(),
                has_comment: false,
            });
        }
    }

    /// Where the construct after `end` begins (its keyword, usually).
    fn after(&self, end: u32) -> usize {
        next_code(self.src, end as usize)
    }

    /// Opens a block after its header, whose last token ends at `header_end`;
    /// returns the offset just inside the `{`.
    fn open(&mut self, anchor: usize, blank: Blank, header: &str, header_end: u32) -> u32 {
        self.line(anchor, 0, blank, &format!("{header} {{"));
        self.block_start = true;
        u32::try_from(self.after(header_end) + 1).unwrap_or(u32::MAX)
    }

    /// The closing `}`; comments just before it stay inside the block.
    fn close(&mut self, span: Span) {
        let brace = (span.end as usize).saturating_sub(1);
        self.comments_before(brace, INDENT, Blank::Keep);
        self.line(brace, 0, Blank::Never, "}");
    }

    // ------------------------------------------------------------ schema

    fn schema(&mut self, s: &Schema, blank: Blank) {
        let header = format!("schema {}", s.name.text);
        self.open(s.span.start as usize, blank, &header, s.name.span.end);
        let fields: Vec<&FieldDecl> = s
            .items
            .iter()
            .filter_map(|i| match i {
                SchemaItem::Field(f) => Some(f),
                SchemaItem::Require(_) => None,
            })
            .collect();
        let type_col = aligned_column(fields.iter().map(|f| &f.name.text));
        for item in &s.items {
            match item {
                SchemaItem::Field(f) => {
                    let text = field(f, INDENT, type_col);
                    self.line(f.span.start as usize, INDENT, Blank::Keep, &text);
                }
                SchemaItem::Require(r) => self.requirement(r, Blank::Keep),
            }
        }
        self.close(s.span);
    }

    fn requirement(&mut self, r: &Requirement, blank: Blank) {
        let head = format!("require {}", expr::at(&r.expr, INDENT + 8));
        let texts = [("else", r.because.as_ref())];
        self.with_texts(r.span.start as usize, INDENT, blank, head, &texts);
    }

    /// `head` then its texts (`because "..."`, `else "..."`), on the same
    /// line if they fit, else each on a line of its own two columns further
    /// in.
    fn with_texts(
        &mut self,
        anchor: usize,
        indent: usize,
        blank: Blank,
        head: String,
        texts: &[(&str, Option<&Template>)],
    ) {
        let texts: Vec<(String, &Template)> = texts
            .iter()
            .filter_map(|(kw, t)| t.map(|t| (format!("{kw} {}", expr::template(t)), t)))
            .collect();
        let one_line = texts
            .iter()
            .fold(head.clone(), |line, (text, _)| format!("{line} {text}"));
        if !head.contains('\n') && indent + width(&one_line) <= MAX_WIDTH {
            self.line(anchor, indent, blank, &one_line);
            return;
        }
        self.line(anchor, indent, blank, &head);
        for (text, t) in texts {
            self.line(t.span.start as usize, indent + INDENT, Blank::Never, &text);
        }
    }

    // ------------------------------------------------------------ calendar

    fn calendar(&mut self, c: &Calendar, blank: Blank) {
        let header = format!("calendar {}", c.name.text);
        let mut end = self.open(c.span.start as usize, blank, &header, c.name.span.end);
        let keyword = |e: &CalendarEntry| match e {
            CalendarEntry::Covers(_) => "covers",
            CalendarEntry::Working(_) => "working",
            CalendarEntry::Holidays(_) => "holidays",
            CalendarEntry::MakeUp(_) => "make-up",
            CalendarEntry::Outside(_) => "outside",
        };
        let ranges_col = INDENT + aligned_column(c.entries.iter().map(keyword));
        for entry in &c.entries {
            let (items, last_end): (Vec<String>, Option<u32>) = match entry {
                CalendarEntry::Working(ranges) | CalendarEntry::Outside(ranges) => (
                    ranges
                        .iter()
                        .map(|r| range(&r.first.text, r.last.as_ref().map(|l| l.text.as_str())))
                        .collect(),
                    ranges
                        .last()
                        .map(|r| r.last.as_ref().unwrap_or(&r.first).span.end),
                ),
                CalendarEntry::Covers(ranges)
                | CalendarEntry::Holidays(ranges)
                | CalendarEntry::MakeUp(ranges) => (
                    ranges
                        .iter()
                        .map(|r| range(&r.first.text, r.last.as_ref().map(|l| l.text.as_str())))
                        .collect(),
                    ranges
                        .last()
                        .map(|r| r.last.as_ref().unwrap_or(&r.first).span.end),
                ),
            };
            let name = keyword(entry);
            let text = format!(
                "{name}{}{}",
                spaces(ranges_col.saturating_sub(INDENT + name.len())),
                fill(&items, ranges_col)
            );
            self.line(self.after(end), INDENT, Blank::Keep, &text);
            end = last_end.unwrap_or(end);
        }
        self.close(c.span);
    }

    // ------------------------------------------------------------ rulesets

    fn ruleset(&mut self, r: &Ruleset, blank: Blank) {
        let mut header = format!("ruleset {}", r.name.text);
        let mut header_end = r.name.span.end;
        if let Some(t) = &r.title {
            header = format!("{header} {}", expr::template(t));
            header_end = t.span.end;
        }
        let mut end = self.open(r.span.start as usize, blank, &header, header_end);
        let outputs = r.items.iter().filter_map(|i| match i {
            RulesetItem::Output(f) => Some(field_name(f)),
            _ => None,
        });
        let type_col = aligned_column(outputs);
        for item in &r.items {
            let anchor = self.after(end);
            end = match item {
                RulesetItem::Outcomes(values) => {
                    let texts: Vec<String> = values.iter().map(enum_value).collect();
                    let text = format!("outcomes {}", fill(&texts, INDENT + 9));
                    self.line(anchor, INDENT, Blank::Keep, &text);
                    values.last().map_or(end, |v| {
                        v.label.as_ref().map_or(v.name.span.end, |l| l.span.end)
                    })
                }
                RulesetItem::Output(f) => {
                    let text = format!("output {}", field(f, INDENT + 7, type_col));
                    self.line(anchor, INDENT, Blank::Keep, &text);
                    f.span.end
                }
                RulesetItem::Applies(a) => {
                    let text = format!("applies when {}", expr::at(&a.when, INDENT + 13));
                    self.line(anchor, INDENT, Blank::Keep, &text);
                    let at = self.after(a.when.span.end);
                    self.clause("else", &a.otherwise, INDENT + 2, at);
                    a.span.end
                }
                RulesetItem::Require(req) => {
                    self.requirement(req, Blank::Keep);
                    req.span.end
                }
                RulesetItem::Let(l) => {
                    let head = format!("let {} = ", l.name.text);
                    let text = format!("{head}{}", expr::at(&l.value, INDENT + width(&head)));
                    self.line(anchor, INDENT, Blank::Keep, &text);
                    l.span.end
                }
                RulesetItem::Rule(rule) => {
                    self.rule(rule, anchor);
                    rule.span.end
                }
                RulesetItem::Otherwise(c) => {
                    self.clause_with_blank("otherwise", c, INDENT, anchor, Blank::Keep);
                    c.span.end
                }
            };
        }
        self.close(r.span);
    }

    fn rule(&mut self, r: &Rule, anchor: usize) {
        let mut head = format!("rule {}", r.name.text);
        let mut end = r.name.span.end;
        if let Some(t) = &r.title {
            head = format!("{head} {}", expr::template(t));
            end = t.span.end;
        }
        self.line(anchor, INDENT, Blank::Keep, &head);
        let inner = INDENT + 2;
        if let Some(scope) = &r.scope {
            let text = format!("for {}", expr::at(scope, inner + 4));
            self.line(self.after(end), inner, Blank::Never, &text);
            end = scope.span.end;
        }
        let at = self.after(end);
        match &r.when {
            Condition::Expr(e) => {
                let text = format!("when {}", expr::at(e, inner + 5));
                let texts = [
                    ("because", r.when_texts.because.as_ref()),
                    ("else", r.when_texts.unmet.as_ref()),
                ];
                self.with_texts(at, inner, Blank::Never, text, &texts);
            }
            Condition::Group(g) => {
                self.line(at, inner, Blank::Never, &format!("when {} of", kind(g)));
                self.group_items(g, inner + INDENT);
            }
        }
        let when_end = [&r.when_texts.because, &r.when_texts.unmet]
            .into_iter()
            .flatten()
            .map(|t| t.span.end)
            .fold(r.when.span().end, u32::max);
        let at = self.after(when_end);
        self.clause("then", &r.then, inner, at);
        if let Some(otherwise) = &r.otherwise {
            let at = self.after(r.then.span.end);
            self.clause("else", otherwise, inner, at);
        }
    }

    /// Group items one per line, their `because` in one column: two past
    /// the widest one-line condition.
    fn group_items(&mut self, g: &Group, indent: usize) {
        let printed: Vec<Option<String>> = g
            .items
            .iter()
            .map(|item| match &item.condition {
                Condition::Expr(e) => Some(expr::group_item(e, indent)),
                Condition::Group(_) => None,
            })
            .collect();
        let widest = printed
            .iter()
            .flatten()
            .filter(|t| !t.contains('\n'))
            .map(|t| width(t))
            .max()
            .unwrap_or(0);
        let because_col = indent + widest + 2;
        for (item, text) in g.items.iter().zip(printed) {
            let at = item.span.start as usize;
            let (text, end, close_at) = match (&item.condition, text) {
                (Condition::Group(ng), _) => {
                    self.line(at, indent, Blank::Never, &format!("{} of [", kind(ng)));
                    self.group_items(ng, indent + INDENT);
                    let close_at = (ng.span.end as usize).saturating_sub(1);
                    self.comments_before(close_at, indent + INDENT, Blank::Never);
                    ("]".to_string(), ng.span.end, close_at)
                }
                (Condition::Expr(e), Some(text)) => (text, e.span.end, at),
                (Condition::Expr(e), None) => (expr::at(e, indent), e.span.end, at),
            };
            let texts: Vec<(String, &Template)> =
                [("because", &item.because), ("else", &item.unmet)]
                    .into_iter()
                    .filter_map(|(kw, t)| {
                        t.as_ref()
                            .map(|t| (format!("{kw} {}", expr::template(t)), t))
                    })
                    .collect();
            let mut texts = texts.into_iter();
            let Some((first, _)) = texts.next() else {
                self.line(close_at, indent, Blank::Never, &text);
                continue;
            };
            let last_end = end_col(indent, &text);
            if last_end < because_col {
                let pad = spaces(because_col - last_end);
                self.line(
                    close_at,
                    indent,
                    Blank::Never,
                    &format!("{text}{pad}{first}"),
                );
            } else {
                self.line(close_at, indent, Blank::Never, &text);
                let at = self.after(end);
                self.line(at, because_col, Blank::Never, &first);
            }
            // The `else` text goes under the `because` text.
            for (rest, t) in texts {
                self.line(t.span.start as usize, because_col, Blank::Never, &rest);
            }
        }
    }

    fn clause(&mut self, keyword: &str, c: &OutcomeClause, indent: usize, anchor: usize) {
        self.clause_with_blank(keyword, c, indent, anchor, Blank::Never);
    }

    /// `then ok, a = 1, b = 2 because "..."` on one line when it fits;
    /// else the outcome, then each part and the `because` on lines of their
    /// own, two columns further in.
    fn clause_with_blank(
        &mut self,
        keyword: &str,
        c: &OutcomeClause,
        indent: usize,
        anchor: usize,
        blank: Blank,
    ) {
        let head = format!("{keyword} {}", c.outcome.text);
        let mut parts: Vec<(usize, Part<'_>)> = Vec::new();
        let mut end = c.outcome.span.end;
        for a in &c.assignments {
            parts.push((a.span.start as usize, Part::Assign(a)));
            end = a.span.end;
        }
        if let Some(rule) = &c.explain_unmet {
            parts.push((self.after(end), Part::Explain(&rule.text)));
        }
        let one_line = parts.iter().fold(head.clone(), |line, (_, part)| {
            format!("{line}, {}", part.at(0))
        });
        let fits = indent + width(&one_line) <= MAX_WIDTH
            && !one_line.contains('\n')
            && c.because_when.is_none();
        if fits {
            let texts = [("because", c.because.as_ref())];
            self.with_texts(anchor, indent, blank, one_line, &texts);
            return;
        }
        self.line(anchor, indent, blank, &format!("{head},"));
        let count = parts.len();
        for (i, (at, part)) in parts.iter().enumerate() {
            let comma = if i + 1 < count { "," } else { "" };
            let text = format!("{}{comma}", part.at(indent + INDENT));
            self.line(*at, indent + INDENT, Blank::Never, &text);
        }
        if let Some(because) = &c.because {
            let mut reason = format!("because {}", expr::template(because));
            if let Some(w) = &c.because_when {
                let col = end_col(indent + INDENT, &reason) + 6;
                reason = format!("{reason} when {}", expr::at(w, col));
            }
            let at = because.span.start as usize;
            self.line(at, indent + INDENT, Blank::Never, &reason);
        }
    }
}

/// What follows the outcome in a clause.
enum Part<'a> {
    Assign(&'a Assignment),
    /// `explain unmet conditions of <rule>`
    Explain(&'a str),
}

impl Part<'_> {
    fn at(&self, col: usize) -> String {
        match self {
            Part::Assign(a) => assignment(a, col),
            Part::Explain(rule) => format!("explain unmet conditions of {rule}"),
        }
    }
}

fn kind(g: &Group) -> &'static str {
    match g.kind {
        GroupKind::All => "all",
        GroupKind::Any => "any",
    }
}

/// `name = value [when condition]` starting at `col`.
/// `frozen "冻结"` (an enum value or an outcome, with its label).
fn enum_value(v: &crate::ast::EnumValue) -> String {
    match &v.label {
        Some(label) => format!("{} {}", v.name.text, expr::template(label)),
        None => v.name.text.clone(),
    }
}

fn assignment(a: &Assignment, col: usize) -> String {
    let head = format!("{} = ", a.output.text);
    let value = expr::at(&a.value, col + width(&head));
    match &a.when {
        None => format!("{head}{value}"),
        Some(w) => {
            let when_col = end_col(col + width(&head), &value) + 6;
            format!("{head}{value} when {}", expr::at(w, when_col))
        }
    }
}

/// The column (relative to the names) where what follows a list of
/// aligned names starts: two past the widest, or one past a lone name.
fn aligned_column<S: AsRef<str>>(names: impl Iterator<Item = S>) -> usize {
    let widths: Vec<usize> = names.map(|n| width(n.as_ref())).collect();
    match widths.as_slice() {
        [] => 0,
        [one] => one + 1,
        many => many.iter().max().copied().unwrap_or(0) + 2,
    }
}

/// A field or output declaration: name, type in its column, constraints.
/// A field's or output's name, with an output's label (`new_limit "额度"`).
fn field_name(f: &FieldDecl) -> String {
    match &f.label {
        Some(label) => format!("{} {}", f.name.text, expr::template(label)),
        None => f.name.text.clone(),
    }
}

fn field(f: &FieldDecl, col: usize, type_col: usize) -> String {
    let name = &field_name(f);
    let pad = spaces(type_col.saturating_sub(width(name)).max(1));
    let mut ty = String::new();
    if f.ty.optional {
        ty.push_str("optional ");
    }
    let ty_col = col + width(name) + pad.len();
    match &f.ty.kind {
        TypeKind::Base(b) => ty.push_str(b.keyword()),
        TypeKind::List(b) => {
            ty.push_str("list of ");
            ty.push_str(b.keyword());
        }
        TypeKind::Enum(values) => {
            ty.push_str("one of ");
            let values: Vec<String> = values.iter().map(enum_value).collect();
            let values_col = ty_col + width(&ty);
            ty.push_str(&fill(&values, values_col));
        }
    }
    let mut options = String::new();
    for o in &f.options {
        match &o.kind {
            FieldOptionKind::Range(lo, hi) => {
                options.push_str(&format!(" in {}..{}", expr::literal(lo), expr::literal(hi)));
            }
            FieldOptionKind::Bound(op, v) => {
                options.push_str(&format!(" {} {}", op.symbol(), expr::literal(v)));
            }
            FieldOptionKind::NotEmpty => options.push_str(", not empty"),
            FieldOptionKind::Default(v) => {
                options.push_str(&format!(", default {}", expr::flat(v)));
            }
        }
    }
    format!("{name}{pad}{ty}{options}")
}

fn range(first: &str, last: Option<&str>) -> String {
    match last {
        Some(last) => format!("{first}..{last}"),
        None => first.to_string(),
    }
}

/// Items separated by `, `, as many to a line as fit; continuation lines
/// start at `col`, under the first item.
fn fill(items: &[String], col: usize) -> String {
    let mut out = String::new();
    let mut x = col;
    let count = items.len();
    for (i, item) in items.iter().enumerate() {
        let comma = usize::from(i + 1 < count);
        if i > 0 {
            if x + 2 + width(item) + comma > MAX_WIDTH {
                out.push_str(",\n");
                out.push_str(&spaces(col));
                x = col;
            } else {
                out.push_str(", ");
                x += 2;
            }
        }
        out.push_str(item);
        x += width(item);
    }
    out
}
