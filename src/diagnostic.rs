//! Diagnostics about rule text: data first, rendered once at the edge.
//!
//! Every problem found in rule files is a [`Diagnostic`] with a stable
//! [`Code`]. Renderers turn them into the human form (file, line, column,
//! source line, caret, hint), a one-line plain form, or JSON.

use std::fmt::Write as _;

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::span::{SourceMap, Span};

/// Stable diagnostic codes. Each variant's doc shows the smallest rule text
/// that triggers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[non_exhaustive]
pub enum Code {
    /// `rule x when` (text the grammar does not accept)
    Syntax,
    /// `store.ratng > 1`
    UnknownField,
    /// `as_of > quota.limit`
    TypeMismatch,
    /// `quota.due_date > as_of` where `quota.due_date` is optional
    OptionalUnguarded,
    /// `quota.status = actve`
    UnknownEnumValue,
    /// `maxx(1, 2)`
    UnknownFunction,
    /// `round_cents(1, 2)`
    WrongArity,
    /// `business_days_after(as_of, 1, calendar cn-2025)`
    UnknownCalendar,
    /// two `rule freeze` in one ruleset
    DuplicateRule,
    /// two `ruleset limit_adjustment`
    DuplicateRuleset,
    /// `then hold` when the ruleset declares `output new_limit money`
    MissingOutput,
    /// `because "{store.ratng}"`
    UnknownPlaceholder,
    /// a rule after `rule x when true ...` with no scope
    UnreachableRule,
    /// `1e400`, or a decimal with 40 fractional digits
    LiteralOutOfRange,
    /// two hundred nested parentheses
    TooDeep,
    /// a rule file that is not UTF-8
    InvalidUtf8,
    /// a file with no declarations
    EmptyFile,
    /// a field, output or let declared twice
    Duplicate,
    /// `then freze` when the ruleset's outcomes do not include it
    UnknownOutcome,
    /// no `schema` in the rule directory, or two of them
    Schema,
    /// a ruleset whose rules may all fail without an `otherwise`
    NoDefault,
    /// `explain unmet conditions of increse`
    UnknownRule,
    /// `new_limt = 1` in an outcome
    UnknownOutput,
    /// `¥5,00` or `2026-02-30`
    InvalidLiteral,
    /// `working mondy..friday`
    InvalidCalendar,
    /// a rule file that cannot be read
    Io,
    /// `rule b when store.rating < 4.0` after `rule a when store.rating < 4.5`
    ShadowedRule,
    /// `store.rating >= 5 and store.rating < 3`
    NeverTrue,
    /// `let candidate = ...` that nothing refers to
    UnusedLet,
    /// a schema field no ruleset, requirement or reason reads
    UnusedField,
    /// `outcomes a, b` where no clause gives `b`
    OutcomeNeverProduced,
    /// an optional output no outcome clause sets
    OutputNeverSet,
    /// a right-to-left override (U+202E), a zero-width space (U+200B) or a line
    /// terminator other than LF and CRLF (`# note\r when ...`) in rule text
    InvisibleCharacter,
    /// a policy test case that names an unknown field, base, ruleset, outcome or output
    TestCase,
    /// a `schema` with no `ruleset` to decide anything
    NoRuleset,
    /// `quota.limit / 0`
    DivisionByZero,
    /// `one of active "正常", frozen "正常"` (a label twice, empty, with a
    /// placeholder, or on some values only)
    EnumLabel,
    /// `when x >= 1 because "needs 1"` in a rule whose unmet conditions are
    /// shown: a condition text that is never shown, or a failure that has
    /// no text (`else "..."`) of its own
    ConditionText,
    /// `language fr`, or two `language` declarations
    Language,
    /// `make-up 2026-10-09` (a Friday: a working day anyway), `holidays
    /// 2026-10-03` (a Saturday), or a date listed twice
    CalendarDate,
    /// `calendar cn { ... }` that no `business_days_after` names
    UnusedCalendar,
    /// `verdikt check --horizon 2026-01-01..2027-12-31` when a calendar the
    /// rules use covers only 2026
    CalendarHorizon,
    /// `x >= 100% else "需达到 98%"`: a number, amount, rate or date in a
    /// condition's text that the condition does not use
    TextValue,
}

impl Code {
    /// The stable `V0xx` identifier.
    pub fn id(self) -> &'static str {
        match self {
            Code::Syntax => "V001",
            Code::UnknownField => "V002",
            Code::TypeMismatch => "V003",
            Code::OptionalUnguarded => "V004",
            Code::UnknownEnumValue => "V005",
            Code::UnknownFunction => "V006",
            Code::WrongArity => "V007",
            Code::UnknownCalendar => "V008",
            Code::DuplicateRule => "V009",
            Code::DuplicateRuleset => "V010",
            Code::MissingOutput => "V011",
            Code::UnknownPlaceholder => "V012",
            Code::UnreachableRule => "V013",
            Code::LiteralOutOfRange => "V014",
            Code::TooDeep => "V015",
            Code::InvalidUtf8 => "V016",
            Code::EmptyFile => "V017",
            Code::Duplicate => "V018",
            Code::UnknownOutcome => "V019",
            Code::Schema => "V020",
            Code::NoDefault => "V021",
            Code::UnknownRule => "V022",
            Code::UnknownOutput => "V023",
            Code::InvalidLiteral => "V024",
            Code::InvalidCalendar => "V025",
            Code::Io => "V026",
            Code::ShadowedRule => "V027",
            Code::NeverTrue => "V028",
            Code::UnusedLet => "V029",
            Code::UnusedField => "V030",
            Code::OutcomeNeverProduced => "V031",
            Code::OutputNeverSet => "V032",
            Code::InvisibleCharacter => "V033",
            Code::TestCase => "V034",
            Code::NoRuleset => "V035",
            Code::DivisionByZero => "V036",
            Code::EnumLabel => "V037",
            Code::ConditionText => "V038",
            Code::Language => "V039",
            Code::CalendarDate => "V040",
            Code::UnusedCalendar => "V041",
            Code::CalendarHorizon => "V042",
            Code::TextValue => "V043",
        }
    }

    /// Whether the code comes from the warnings pass, which only runs on
    /// rule files without errors.
    pub fn is_lint(self) -> bool {
        matches!(
            self,
            Code::ShadowedRule
                | Code::NeverTrue
                | Code::UnusedLet
                | Code::UnusedField
                | Code::OutcomeNeverProduced
                | Code::OutputNeverSet
                | Code::ConditionText
                | Code::UnusedCalendar
                | Code::TextValue
        )
    }
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The rules cannot be used.
    Error,
    /// The rules work, but probably not as meant.
    Warning,
}

/// One problem in rule text.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub(crate) code: Code,
    pub(crate) severity: Severity,
    /// Lowercase, no final period, user input in backticks.
    pub(crate) message: String,
    /// Where the problem is; `None` only for problems of the whole directory.
    pub(crate) span: Option<Span>,
    /// Advice: the likely fix.
    pub(crate) help: Option<String>,
    /// The fix as an edit an editor can apply (a did-you-mean's name).
    pub(crate) fix: Option<Fix>,
    /// Other places that explain the problem (the first declaration of a
    /// duplicate), each with what it is.
    pub(crate) related: Vec<(Span, String)>,
}

/// A machine-readable fix: replace the text of `span` with `text`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fix {
    /// The text to replace.
    pub(crate) span: Span,
    /// What to write instead.
    pub(crate) text: String,
}

impl Diagnostic {
    /// The stable code (`V002`, ...).
    pub fn code(&self) -> Code {
        self.code
    }

    /// An error or a warning.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// What is wrong, in one line.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The likely fix, when there is one.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// File, line and column (from 1) of the problem in `sources` (the
    /// [`crate::Checked::sources`] it came with); `None` for a problem of
    /// the whole directory.
    pub fn location<'s>(&self, sources: &'s SourceMap) -> Option<(&'s str, usize, usize)> {
        let span = self.span?;
        let source = sources.get(span.file)?;
        let (line, column) = source.line_col(span.start);
        Some((&source.name, line, column))
    }

    pub(crate) fn error(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            span: Some(span),
            help: None,
            fix: None,
            related: Vec::new(),
        }
    }

    pub(crate) fn warning(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, span, message)
        }
    }

    /// A problem that belongs to no single place in the text.
    pub(crate) fn global(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            span: None,
            help: None,
            fix: None,
            related: Vec::new(),
        }
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Help "did you mean `text`?", with the edit that writes `text` in
    /// place of the diagnostic's span.
    pub(crate) fn with_suggestion(self, text: &str) -> Self {
        self.with_help(format!("did you mean `{text}`?"))
            .with_replacement(text)
    }

    /// The edit that writes `text` in place of the diagnostic's span (the
    /// help text is left as it is).
    pub(crate) fn with_replacement(mut self, text: &str) -> Self {
        self.fix = self.span.map(|span| Fix {
            span,
            text: text.to_string(),
        });
        self
    }

    /// Another place that explains the problem.
    pub(crate) fn with_related(mut self, span: Span, what: impl Into<String>) -> Self {
        self.related.push((span, what.into()));
        self
    }

    /// Where the problem is; `None` for a problem of the whole directory.
    pub(crate) fn span(&self) -> Option<Span> {
        self.span
    }

    /// Whether the rules cannot be used because of it.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ErrorFormat {
    /// Location, message, source line with a caret, and hint.
    #[default]
    Human,
    /// One line per diagnostic.
    Plain,
    /// One JSON object per diagnostic, one per line.
    Json,
}

/// Sorts diagnostics by file and position, errors first on the same spot.
pub(crate) fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| {
        let (file, start) = d.span.map_or((u32::MAX, 0), |s| (s.file.0, s.start));
        (file, start, d.severity, d.code)
    });
}

/// Renders every diagnostic, with a count first.
pub(crate) fn render(
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
    format: ErrorFormat,
) -> String {
    let mut out = String::new();
    match format {
        ErrorFormat::Human => {
            for d in diagnostics {
                render_human(&mut out, d, sources);
                out.push('\n');
            }
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            let warnings = diagnostics.len() - errors;
            let _ = writeln!(out, "{}", summary_line(errors, warnings));
        }
        ErrorFormat::Plain => {
            for d in diagnostics {
                let _ = writeln!(out, "{}", render_plain(d, sources));
            }
        }
        ErrorFormat::Json => {
            for d in diagnostics {
                let _ = writeln!(out, "{}", render_json(d, sources));
            }
        }
    }
    out
}

fn summary_line(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

struct Location<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    /// The source line as shown: clipped around the span when long, and
    /// with invisible characters spelled out (`<U+202E>`).
    shown: String,
    /// Display width of the text before the span and of the span itself,
    /// so carets line up under wide (CJK) characters.
    caret_offset: usize,
    caret_len: usize,
}

/// Characters of a source line shown around the span at most.
const SHOWN_CHARS: usize = 120;

fn locate<'a>(d: &Diagnostic, sources: &'a SourceMap) -> Option<Location<'a>> {
    let span = d.span?;
    let source = sources.get(span.file)?;
    let (line, column) = source.line_col(span.start);
    let source_line = source.line_text(line);
    let (end_line, end_col) = source.line_col(span.end);
    let total = source_line.chars().count();
    let span_chars = if end_line == line {
        end_col.saturating_sub(column)
    } else {
        total.saturating_sub(column - 1)
    };
    // A long line is shown from a little before the span.
    let first = if total > SHOWN_CHARS {
        (column - 1).saturating_sub(SHOWN_CHARS / 3)
    } else {
        0
    };
    let last = total.min(first + SHOWN_CHARS);
    let mut shown = String::new();
    let (mut caret_offset, mut caret_len) = (0, 0);
    if first > 0 {
        shown.push('…');
    }
    for (i, c) in source_line.chars().enumerate().take(last).skip(first) {
        let piece = match crate::unicode::shown(c) {
            Some(name) => name,
            None if c == '\t' => " ".to_string(),
            None => c.to_string(),
        };
        if i < column - 1 {
            caret_offset += piece.width();
        } else if i < column - 1 + span_chars {
            caret_len += piece.width();
        }
        shown.push_str(&piece);
    }
    if last < total {
        shown.push('…');
    }
    if first > 0 {
        caret_offset += '…'.to_string().width();
    }
    Some(Location {
        file: &source.name,
        line,
        column,
        shown,
        caret_offset,
        caret_len: caret_len.max(1),
    })
}

fn render_human(out: &mut String, d: &Diagnostic, sources: &SourceMap) {
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let _ = writeln!(out, "{kind}[{}]: {}", d.code.id(), d.message);
    if let Some(loc) = locate(d, sources) {
        let gutter = loc.line.to_string().len();
        let pad = " ".repeat(gutter);
        let _ = writeln!(out, "{pad}--> {}:{}:{}", loc.file, loc.line, loc.column);
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{} | {}", loc.line, loc.shown);
        let _ = writeln!(
            out,
            "{pad} | {}{}",
            " ".repeat(loc.caret_offset),
            "^".repeat(loc.caret_len)
        );
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "  = help: {help}");
    }
}

fn render_plain(d: &Diagnostic, sources: &SourceMap) -> String {
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let place = locate(d, sources)
        .map(|l| format!("{}:{}:{}: ", l.file, l.line, l.column))
        .unwrap_or_default();
    let help = d
        .help
        .as_ref()
        .map(|h| format!(" (help: {h})"))
        .unwrap_or_default();
    format!("{place}{kind}[{}]: {}{help}", d.code.id(), d.message)
}

fn render_json(d: &Diagnostic, sources: &SourceMap) -> String {
    let loc = locate(d, sources);
    let value = serde_json::json!({
        "code": d.code.id(),
        "severity": d.severity,
        "message": d.message,
        "file": loc.as_ref().map(|l| l.file),
        "line": loc.as_ref().map(|l| l.line),
        "column": loc.as_ref().map(|l| l.column),
        "help": d.help,
    });
    value.to_string()
}
