//! Reasons: the author's texts with values filled in, and every unmet
//! condition with what the record had and what it needed.

use super::{Evaluator, Fault, Truth};
use crate::ir::{CondId, CondKind, ExprId, Node, TemplatePart};
use crate::value::{human, Value};

/// A condition that was not met, with what the record had and what it needed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Unmet {
    /// The condition's rule text.
    pub condition: String,
    /// What the record had (`store.rating = 4.7`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// What the condition needs (`>= 4.8`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<String>,
    /// The author's reason, with values filled in.
    pub reason: String,
}

impl Evaluator<'_, '_> {
    /// A reason template with values formatted for people. An absent field
    /// prints as `—`.
    pub(super) fn render(&mut self, parts: &[TemplatePart]) -> Result<String, Fault> {
        let mut out = String::with_capacity(64);
        for part in parts {
            match part {
                TemplatePart::Text(t) => out.push_str(t),
                TemplatePart::Expr(e, ty) => match self.eval(*e) {
                    Ok(v) => crate::value::write_human(&mut out, &v, ty, &self.policy.symbols),
                    Err(Fault::Missing(_)) => out.push('—'),
                    Err(other) => return Err(other),
                },
            }
        }
        Ok(out)
    }

    /// A reason: a template rendered straight into its string.
    pub(super) fn render_reason(&mut self, id: ExprId) -> Result<String, Fault> {
        let policy = self.policy;
        match policy.node(id) {
            Some(Node::Template(parts)) => self.render(parts),
            _ => match self.eval(id)? {
                Value::Text(t) => Ok(t.to_string()),
                other => Ok(human(&other, policy.expr_type(id), &policy.symbols)),
            },
        }
    }

    /// Reasons of the items that made a condition true.
    pub(super) fn met_reasons(&mut self, id: CondId, out: &mut Vec<String>) -> Result<(), Fault> {
        let policy = self.policy;
        let cond = policy
            .cond(id)
            .ok_or(Fault::Internal("dangling condition"))?;
        if let Some(reason) = cond.reason {
            out.push(self.render_reason(reason)?);
            return Ok(());
        }
        match &cond.kind {
            CondKind::Leaf(e) => out.push(self.auto_reason(*e)),
            CondKind::All(items) => {
                for item in items {
                    self.met_reasons(*item, out)?;
                }
            }
            CondKind::Any(items) => {
                for item in items {
                    if self.quiet_cond(*item)? == Truth::True {
                        self.met_reasons(*item, out)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Evaluates a condition in full (no short-circuit), pushes every unmet
    /// item when it is not true, and returns its truth. One pass: each leaf
    /// is evaluated once.
    pub(super) fn unmet(&mut self, id: CondId, out: &mut Vec<Unmet>) -> Result<Truth, Fault> {
        let policy = self.policy;
        let cond = policy
            .cond(id)
            .ok_or(Fault::Internal("dangling condition"))?;
        match &cond.kind {
            CondKind::All(items) if cond.reason.is_none() => {
                let mut truth = Truth::True;
                for item in items {
                    match self.unmet(*item, out)? {
                        Truth::True => {}
                        Truth::False => truth = Truth::False,
                        Truth::Unknown if truth == Truth::True => truth = Truth::Unknown,
                        Truth::Unknown => {}
                    }
                }
                Ok(truth)
            }
            CondKind::Any(items) if cond.reason.is_none() => {
                let mark = out.len();
                let mut truth = Truth::False;
                for item in items {
                    match self.unmet(*item, out)? {
                        Truth::True => {
                            // The group holds: none of its items is unmet.
                            out.truncate(mark);
                            return Ok(Truth::True);
                        }
                        Truth::Unknown => truth = Truth::Unknown,
                        Truth::False => {}
                    }
                }
                Ok(truth)
            }
            _ => {
                let truth = self.quiet_cond(id)?;
                if truth == Truth::True {
                    return Ok(truth);
                }
                // Details (condition text, actual and required values) cost
                // allocations: only for explanations.
                let (condition, actual, required) = if self.mode.explain {
                    let text = strip_because(policy.sources.slice(cond.span));
                    let (actual, required) = match &cond.kind {
                        CondKind::Leaf(e) => self.actual_required(*e),
                        _ => (None, None),
                    };
                    (text, actual, required)
                } else {
                    (String::new(), None, None)
                };
                let reason = match cond.reason {
                    Some(r) => self.render_reason(r)?,
                    None => match &cond.kind {
                        CondKind::Leaf(e) => self.auto_reason(*e),
                        _ => format!(
                            "not met: {}",
                            strip_because(policy.sources.slice(cond.span))
                        ),
                    },
                };
                out.push(Unmet {
                    condition,
                    actual,
                    required,
                    reason,
                });
                Ok(truth)
            }
        }
    }

    /// For `x op y`: what `x` is, and `op y`.
    fn actual_required(&mut self, e: ExprId) -> (Option<String>, Option<String>) {
        let policy = self.policy;
        // A bare number takes the type of the side it is compared with, so
        // `quota.used = 0` prints its requirement as money.
        let show_as = |this: &mut Self, x: ExprId, like: ExprId| {
            let ty = match policy.expr_type(x) {
                crate::types::Ty::Number => policy.expr_type(like),
                other => other,
            };
            match this.eval(x) {
                Ok(v) => human(&v, ty, &policy.symbols),
                Err(Fault::Missing(_)) => "absent".into(),
                Err(err) => format!("error: {}", this.describe_text(err)),
            }
        };
        let show = |this: &mut Self, x: ExprId| show_as(this, x, x);
        match policy.node(e) {
            Some(Node::Cmp(op, a, b)) => {
                let actual = format!("{} = {}", policy.expr_text(*a), show_as(self, *a, *b));
                let required = format!("{} {}", op.symbol(), show_as(self, *b, *a));
                (Some(actual), Some(required))
            }
            Some(Node::In {
                expr,
                list,
                negated,
            }) => {
                let actual = format!("{} = {}", policy.expr_text(*expr), show(self, *expr));
                let values: Vec<String> = list.iter().map(|x| show(self, *x)).collect();
                let required = format!(
                    "{}one of {}",
                    if *negated { "not " } else { "" },
                    values.join(", ")
                );
                (Some(actual), Some(required))
            }
            _ => (None, None),
        }
    }

    /// A reason for a condition the author gave none: its text and values.
    fn auto_reason(&mut self, e: ExprId) -> String {
        let text = self.policy.expr_text(e).to_string();
        let operands = self.operands(e);
        if operands.is_empty() {
            text
        } else {
            let values: Vec<String> = operands.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            format!("{text} ({})", values.join(", "))
        }
    }
}

/// A group item's source text includes its `because "..."`; drop it.
fn strip_because(text: &str) -> String {
    let cut = text
        .find(" because ")
        .or_else(|| text.find("\tbecause "))
        .or_else(|| text.find("\nbecause"));
    let body = match cut {
        Some(i) => text.get(..i).unwrap_or(text),
        None => text,
    };
    let lines: Vec<&str> = body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines.join(" ")
}
