//! The compiled form of a checked policy: flat arenas addressed by index.
//!
//! Field access is by [`FieldId`] into the record's slots, never by name.
//! Spans and source text live in side tables for explanations only.

use std::sync::Arc;

use crate::ast::CmpOp;
use crate::builtins::Builtin;
use crate::calendar::Calendar;
use crate::json::write_str;
use crate::span::{SourceMap, Span};
use crate::types::Ty;
use crate::value::{Symbols, Value};

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub(crate) struct $name(pub(crate) u32);

        impl $name {
            pub(crate) fn from_index(i: usize) -> Self {
                $name(u32::try_from(i).unwrap_or(u32::MAX))
            }
            pub(crate) fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id!(
    /// A snapshot field: the index of its slot in a record.
    FieldId
);
id!(
    /// An expression node in [`Policy::exprs`].
    ExprId
);
id!(
    /// A condition (leaf or group) in [`Policy::conds`].
    CondId
);
id!(
    /// A `let` binding in [`Policy::lets`].
    LetId
);
id!(
    /// A calendar in [`Policy::calendars`].
    CalendarId
);

/// A checked, compiled policy: schema, calendars and rulesets.
#[derive(Debug, Clone)]
pub struct Policy {
    pub(crate) symbols: Symbols,
    /// The values of each `one of` type, by `EnumId`.
    pub(crate) enums: Vec<Vec<crate::value::Sym>>,
    pub(crate) schema: Schema,
    pub(crate) calendars: Vec<Calendar>,
    pub(crate) exprs: Vec<Node>,
    pub(crate) expr_spans: Vec<Span>,
    pub(crate) expr_types: Vec<Ty>,
    pub(crate) conds: Vec<Cond>,
    pub(crate) lets: Vec<LetDef>,
    pub(crate) rulesets: Vec<Ruleset>,
    pub(crate) sources: SourceMap,
    pub(crate) version: Arc<str>,
    /// The language its explanations are framed in (`language zh`).
    pub(crate) language: crate::language::Language,
    /// The fixed text of its decision records, escaped once.
    pub(crate) json: JsonText,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// One expression node; children are other nodes.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Const(Value),
    Field(FieldId),
    Let(LetId),
    Not(ExprId),
    Neg(ExprId),
    And(ExprId, ExprId),
    Or(ExprId, ExprId),
    Cmp(CmpOp, ExprId, ExprId),
    Arith(ArithOp, ExprId, ExprId),
    /// `date + n days` / `date - n days`.
    DateShift {
        date: ExprId,
        days: ExprId,
        subtract: bool,
    },
    Present {
        field: FieldId,
        present: bool,
    },
    In {
        expr: ExprId,
        list: Vec<ExprId>,
        negated: bool,
    },
    If {
        cond: ExprId,
        then: ExprId,
        otherwise: ExprId,
    },
    /// A built-in function; `calendar` when the call names one.
    Call {
        builtin: Builtin,
        calendar: Option<CalendarId>,
        args: Vec<ExprId>,
    },
    List(Vec<ExprId>),
    Template(Vec<TemplatePart>),
}

#[derive(Debug, Clone)]
pub(crate) enum TemplatePart {
    Text(Arc<str>),
    /// A placeholder, with its type so it prints as money, rate, ...
    Expr(ExprId, Ty),
}

/// A condition with the author's texts for it.
#[derive(Debug, Clone)]
pub(crate) struct Cond {
    pub kind: CondKind,
    /// Shown when it holds: a template (`because "..."`).
    pub met: Option<ExprId>,
    /// Shown when it fails: a template (`else "..."`).
    pub unmet: Option<ExprId>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub(crate) enum CondKind {
    Leaf(ExprId),
    All(Vec<CondId>),
    Any(Vec<CondId>),
}

#[derive(Debug, Clone)]
pub(crate) struct LetDef {
    pub value: ExprId,
}

/// The snapshot schema.
#[derive(Debug, Clone, Default)]
pub(crate) struct Schema {
    pub fields: Vec<Field>,
    pub requirements: Vec<Requirement>,
    /// The record's identity, when the schema declares `merchant_id`.
    pub merchant_id: Option<FieldId>,
    /// Field paths as a tree, for readers of nested records.
    pub tree: PathTree,
}

#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub path: Arc<str>,
    pub ty: Ty,
    pub optional: bool,
    /// Value taken when the field is absent or null.
    pub default: Option<Value>,
    pub constraints: Vec<Constraint>,
}

#[derive(Debug, Clone)]
pub(crate) enum Constraint {
    /// Both ends inclusive.
    Range(Value, Value),
    Bound(CmpOp, Value),
    NotEmpty,
}

/// One level of dotted field paths: `quota` -> {`limit`, `used`, ...}.
#[derive(Debug, Clone, Default)]
pub(crate) struct PathTree {
    pub entries: Vec<(Arc<str>, PathEntry)>,
}

#[derive(Debug, Clone)]
pub(crate) enum PathEntry {
    Leaf(FieldId),
    Node(PathTree),
}

impl PathTree {
    pub(crate) fn get(&self, key: &str) -> Option<&PathEntry> {
        self.entries
            .iter()
            .find(|(k, _)| &**k == key)
            .map(|(_, e)| e)
    }

    /// Looks a key up, trying the entry at `hint` first and leaving `hint`
    /// on the entry after the one found: records mostly list their keys in
    /// the schema's order, so most look-ups compare one key.
    #[inline]
    pub(crate) fn find(&self, key: &[u8], hint: &mut usize) -> Option<(usize, &PathEntry)> {
        if let Some((k, e)) = self.entries.get(*hint) {
            if k.as_bytes() == key {
                let found = *hint;
                *hint = found.saturating_add(1);
                return Some((found, e));
            }
        }
        let (i, (_, e)) = self
            .entries
            .iter()
            .enumerate()
            .find(|(_, (k, _))| k.as_bytes() == key)?;
        *hint = i.saturating_add(1);
        Some((i, e))
    }
}

/// `require <expr>`: in a schema, a broken one makes a bad record; in a
/// ruleset that applies, too.
#[derive(Debug, Clone)]
pub(crate) struct Requirement {
    pub expr: ExprId,
    pub because: Option<ExprId>,
    pub text: Arc<str>,
}

#[derive(Debug, Clone)]
pub(crate) struct Ruleset {
    pub name: Arc<str>,
    pub title: Option<Arc<str>>,
    pub outcomes: Vec<Arc<str>>,
    /// What a merchant reads for each outcome (`increase "提额"`), by index.
    pub outcome_labels: Vec<Option<Arc<str>>>,
    pub outputs: Vec<Output>,
    pub guard: Option<(ExprId, Clause)>,
    pub requirements: Vec<Requirement>,
    pub rules: Vec<Rule>,
    pub default: Option<Clause>,
}

#[derive(Debug, Clone)]
pub(crate) struct Output {
    pub name: Arc<str>,
    pub ty: Ty,
    pub optional: bool,
    pub default: Option<Value>,
    /// What a merchant reads for the output; unlabelled outputs are the
    /// author's only.
    pub label: Option<Arc<str>>,
}

#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub name: Arc<str>,
    /// `rule increase "提升额度"`: the title a merchant reads.
    pub title: Option<Arc<str>>,
    pub scope: Option<ExprId>,
    pub when: CondId,
    pub then: Clause,
    pub otherwise: Option<Clause>,
}

/// An outcome with its output values.
#[derive(Debug, Clone)]
pub(crate) struct Clause {
    /// Index into the ruleset's outcomes.
    pub outcome: usize,
    pub assignments: Vec<Assign>,
    /// Index of the rule whose unmet conditions explain this outcome.
    pub explain_unmet: Option<usize>,
    pub because: Option<ExprId>,
    /// `because "..." when x`: the text shows only when `x` holds, and the
    /// conditions' reasons follow it.
    pub because_when: Option<ExprId>,
}

#[derive(Debug, Clone)]
pub(crate) struct Assign {
    /// Index into the ruleset's outputs.
    pub output: usize,
    pub value: ExprId,
    pub when: Option<ExprId>,
}

/// The fixed text of a policy's decision records, escaped once.
#[derive(Debug, Clone, Default)]
pub(crate) struct JsonText {
    /// `,"ruleset_version":"…","decisions":{`
    pub(crate) head: Vec<u8>,
    pub(crate) rulesets: Vec<RulesetText>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct RulesetText {
    /// `"name":{"outcome":` (with a leading comma after the first ruleset).
    pub(crate) key: Vec<u8>,
    /// Each outcome as a JSON string.
    pub(crate) outcomes: Vec<Vec<u8>>,
    /// `,"rule":"…"` for each rule, by index.
    pub(crate) rules: Vec<Vec<u8>>,
    /// `,"rule":"otherwise"`.
    pub(crate) otherwise: Vec<u8>,
    /// `,"name":` for each output.
    pub(crate) outputs: Vec<Vec<u8>>,
}

impl JsonText {
    /// The fixed text of `rulesets`' records, of rules version `version`.
    pub(crate) fn of(rulesets: &[Ruleset], version: &str) -> JsonText {
        let mut head = b",\"ruleset_version\":".to_vec();
        write_str(&mut head, version);
        head.extend_from_slice(b",\"decisions\":{");
        let rulesets = rulesets
            .iter()
            .enumerate()
            .map(|(i, rs)| {
                let mut key = Vec::new();
                if i > 0 {
                    key.push(b',');
                }
                write_str(&mut key, &rs.name);
                key.extend_from_slice(b":{\"outcome\":");
                let rule = |name: &str| {
                    let mut text = b",\"rule\":".to_vec();
                    write_str(&mut text, name);
                    text
                };
                RulesetText {
                    key,
                    outcomes: rs
                        .outcomes
                        .iter()
                        .map(|o| {
                            let mut text = Vec::new();
                            write_str(&mut text, o);
                            text
                        })
                        .collect(),
                    rules: rs.rules.iter().map(|r| rule(&r.name)).collect(),
                    otherwise: rule("otherwise"),
                    outputs: rs
                        .outputs
                        .iter()
                        .map(|o| {
                            let mut text = vec![b','];
                            write_str(&mut text, &o.name);
                            text.push(b':');
                            text
                        })
                        .collect(),
                }
            })
            .collect();
        JsonText { head, rulesets }
    }
}

impl Policy {
    pub(crate) fn node(&self, id: ExprId) -> Option<&Node> {
        self.exprs.get(id.index())
    }

    pub(crate) fn cond(&self, id: CondId) -> Option<&Cond> {
        self.conds.get(id.index())
    }

    pub(crate) fn expr_type(&self, id: ExprId) -> &Ty {
        self.expr_types.get(id.index()).unwrap_or(&Ty::Error)
    }

    /// The rule text an expression was compiled from.
    pub(crate) fn expr_text(&self, id: ExprId) -> &str {
        self.expr_spans
            .get(id.index())
            .map_or("", |s| self.sources.slice(*s))
    }

    pub(crate) fn field(&self, id: FieldId) -> Option<&Field> {
        self.schema.fields.get(id.index())
    }

    /// Every field an expression reads (through `let`s too). Recursion is
    /// bounded: the parser refuses deeply nested text.
    pub(crate) fn fields_read(&self, id: ExprId) -> Vec<FieldId> {
        let mut out = Vec::new();
        self.collect_fields(id, &mut out);
        out
    }

    fn collect_fields(&self, id: ExprId, out: &mut Vec<FieldId>) {
        let mut children: Vec<ExprId> = Vec::new();
        match self.node(id) {
            None | Some(Node::Const(_)) => {}
            Some(Node::Field(f) | Node::Present { field: f, .. }) => out.push(*f),
            Some(Node::Let(l)) => {
                if let Some(def) = self.lets.get(l.index()) {
                    children.push(def.value);
                }
            }
            Some(Node::Not(e) | Node::Neg(e)) => children.push(*e),
            Some(Node::And(a, b) | Node::Or(a, b) | Node::Cmp(_, a, b) | Node::Arith(_, a, b)) => {
                children.extend([*a, *b])
            }
            Some(Node::DateShift { date, days, .. }) => children.extend([*date, *days]),
            Some(Node::In { expr, list, .. }) => {
                children.push(*expr);
                children.extend(list);
            }
            Some(Node::If {
                cond,
                then,
                otherwise,
            }) => children.extend([*cond, *then, *otherwise]),
            Some(Node::Call { args, .. } | Node::List(args)) => children.extend(args),
            Some(Node::Template(parts)) => children.extend(parts.iter().filter_map(|p| match p {
                TemplatePart::Expr(e, _) => Some(*e),
                TemplatePart::Text(_) => None,
            })),
        }
        for child in children {
            self.collect_fields(child, out);
        }
    }
}
