//! The syntax tree: data only. Every node carries a [`Span`]; spans never
//! take part in equality, so two trees compare by content.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::span::Span;

/// One parsed rule file.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct File {
    pub decls: Vec<Decl>,
    /// Items that did not parse (already reported as syntax errors): the
    /// checker's "unknown name" errors about what they might declare are
    /// echoes and are dropped (see `check::echoes`).
    pub broken: Vec<Broken>,
}

/// An item left out of the tree because it did not parse.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Broken {
    pub kind: BrokenKind,
    /// The name written after its keyword, when one could be read.
    pub name: Option<String>,
    /// The ruleset it belongs to, for an item inside a ruleset.
    pub ruleset: Option<String>,
    pub span: Span,
}

/// What a broken item was, as told by its first word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BrokenKind {
    Schema,
    Calendar,
    Ruleset,
    /// `outcomes ...` in a ruleset.
    Outcomes,
    Output,
    Let,
    Rule,
    /// `applies`, `require` or `otherwise` in a ruleset.
    Clause,
    /// Text whose first word starts no item: it might have declared anything.
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Decl {
    Schema(Schema),
    Calendar(Calendar),
    Ruleset(Ruleset),
    /// `language zh`: the language of the framing around reasons.
    Language(Name),
}

/// A name as written, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Name {
    pub text: String,
    pub span: Span,
}

// ------------------------------------------------------------------ schema

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Schema {
    pub name: Name,
    pub items: Vec<SchemaItem>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SchemaItem {
    Field(FieldDecl),
    Require(Requirement),
}

/// `quota.used  money >= 0` in a schema, or `output fee money` in a ruleset.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FieldDecl {
    pub name: Name,
    /// `output new_limit "额度" money`: what merchants read for an output.
    pub label: Option<Template>,
    pub ty: TypeSpec,
    pub options: Vec<FieldOption>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TypeSpec {
    pub optional: bool,
    pub kind: TypeKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TypeKind {
    Base(BaseType),
    Enum(Vec<EnumValue>),
    List(BaseType),
}

/// `frozen "冻结"`: an enum value and the label reasons show for it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EnumValue {
    pub name: Name,
    pub label: Option<Template>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum BaseType {
    Text,
    Int,
    Decimal,
    Money,
    Rate,
    Bool,
    Date,
}

impl BaseType {
    pub(crate) fn keyword(self) -> &'static str {
        match self {
            BaseType::Text => "text",
            BaseType::Int => "int",
            BaseType::Decimal => "decimal",
            BaseType::Money => "money",
            BaseType::Rate => "rate",
            BaseType::Bool => "bool",
            BaseType::Date => "date",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FieldOption {
    pub kind: FieldOptionKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FieldOptionKind {
    /// `in 0..5` (both ends inclusive)
    Range(Literal, Literal),
    /// `>= 0`
    Bound(CmpOp, Literal),
    /// `not empty`
    NotEmpty,
    /// `default false`, `default active`
    Default(Expr),
}

/// `require quota.used <= quota.limit else "..."`
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Requirement {
    pub expr: Expr,
    /// The text shown when the requirement is broken (`else "..."`; the
    /// older `because "..."` means the same here).
    pub because: Option<Template>,
    pub span: Span,
}

// ------------------------------------------------------------------ calendar

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Calendar {
    pub name: Name,
    pub entries: Vec<CalendarEntry>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CalendarEntry {
    /// `covers 2026-01-01..2026-12-31`: the dates whose working status the
    /// calendar knows.
    Covers(Vec<DateRange>),
    /// `working monday..friday`
    Working(Vec<WeekdayRange>),
    /// `holidays 2026-10-01..2026-10-07`
    Holidays(Vec<DateRange>),
    /// `make-up 2026-10-10`
    MakeUp(Vec<DateRange>),
    /// `outside monday..friday`: the working weekdays of a date outside
    /// the covered dates.
    Outside(Vec<WeekdayRange>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WeekdayRange {
    pub first: Name,
    pub last: Option<Name>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DateRange {
    pub first: Literal,
    pub last: Option<Literal>,
}

// ------------------------------------------------------------------ rulesets

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ruleset {
    pub name: Name,
    pub title: Option<Template>,
    pub items: Vec<RulesetItem>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RulesetItem {
    /// `outcomes freeze "冻结", decrease, hold`
    Outcomes(Vec<EnumValue>),
    Output(FieldDecl),
    Applies(Applies),
    Require(Requirement),
    Let(Let),
    Rule(Box<Rule>),
    Otherwise(OutcomeClause),
}

/// `applies when <expr> else <outcome clause>`
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Applies {
    pub when: Expr,
    pub otherwise: OutcomeClause,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Let {
    pub name: Name,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rule {
    pub name: Name,
    pub title: Option<Template>,
    /// `for <expr>`: the rule only concerns records where this holds.
    pub scope: Option<Expr>,
    pub when: Condition,
    /// The texts of a single-expression condition (`when x because "..."
    /// else "..."`); a group's items carry their own.
    pub when_texts: CondTexts,
    pub then: OutcomeClause,
    /// `else <outcome>`: decides when the scope holds but the condition fails.
    pub otherwise: Option<OutcomeClause>,
    pub span: Span,
}

/// `increase, new_limit = candidate, explain unmet conditions of x because "..."`
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OutcomeClause {
    pub outcome: Name,
    pub assignments: Vec<Assignment>,
    pub explain_unmet: Option<Name>,
    pub because: Option<Template>,
    /// `because "..." when x`: the text is shown only when `x` holds, and
    /// does not replace the conditions' reasons.
    pub because_when: Option<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Assignment {
    pub output: Name,
    pub value: Expr,
    /// `when <expr>`: assigned only when this holds.
    pub when: Option<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Condition {
    Expr(Expr),
    Group(Group),
}

impl Condition {
    pub(crate) fn span(&self) -> Span {
        match self {
            Condition::Expr(e) => e.span,
            Condition::Group(g) => g.span,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupKind {
    All,
    Any,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Group {
    pub kind: GroupKind,
    pub items: Vec<GroupItem>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GroupItem {
    pub condition: Condition,
    /// Shown when the item holds (`because "..."`).
    pub because: Option<Template>,
    /// Shown when the item fails (`else "..."`).
    pub unmet: Option<Template>,
    pub span: Span,
}

/// A condition's two texts: `because "..."`, shown when it holds (the
/// reasons of a matched rule), and `else "..."`, shown when it fails (unmet
/// conditions of a denial or of `explain unmet conditions of`).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct CondTexts {
    pub because: Option<Template>,
    pub unmet: Option<Template>,
}

// ------------------------------------------------------------------ expressions

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ExprKind {
    Literal(Literal),
    /// A field path, a `let` name, or an enum value: the checker decides.
    Path(Name),
    Call {
        function: Name,
        args: Vec<Expr>,
    },
    /// `calendar cn-2026`, only as a function argument.
    CalendarRef(Name),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `x is present` (true) or `x is absent` (false).
    Presence {
        expr: Box<Expr>,
        present: bool,
    },
    In {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    If {
        cond: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    List(Vec<Expr>),
    Text(Template),
    /// Stands in for a subtree lowering could not build; already reported.
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinOp {
    Or,
    And,
    Cmp(CmpOp),
    Add,
    Sub,
    Mul,
    Div,
}

impl BinOp {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Cmp(c) => c.symbol(),
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// A literal with its value and the text the author wrote (kept so the
/// formatter prints `¥500,000` back as written).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Literal {
    pub value: LitValue,
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum LitValue {
    /// `100`, `4.5`
    Number(Decimal),
    /// `98.5%`, stored as the fraction 0.985
    Percent(Decimal),
    /// `¥500,000`
    Money(Decimal),
    Date(NaiveDate),
    /// `180 days`
    Days(i64),
    Bool(bool),
    /// A literal that did not lower; already reported.
    Error,
}

/// A string with `{expr}` placeholders.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Template {
    pub parts: Vec<TemplatePart>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TemplatePart {
    Text(String),
    Expr(Expr),
}
