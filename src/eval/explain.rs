//! Reasons: the author's texts with values filled in, and every unmet
//! condition with what the record had and what it needed.

use super::{Evaluator, Fault, Reason, Truth};
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
    /// Whether the author wrote `reason` (otherwise it is the condition's
    /// rule text, never shown to merchants).
    #[serde(skip)]
    pub written: bool,
    /// What a merchant reads: the actual value alone, and the requirement
    /// in words (`≥ 4.8`), without the names of fields or `let`s.
    #[serde(skip)]
    pub values: Option<(String, String)>,
}

impl Evaluator<'_, '_> {
    /// A reason template with values formatted for people, appended to
    /// `out`. An absent field prints as `—`.
    pub(super) fn render_into(
        &mut self,
        parts: &[TemplatePart],
        out: &mut String,
    ) -> Result<(), Fault> {
        for part in parts {
            match part {
                TemplatePart::Text(t) => out.push_str(t),
                TemplatePart::Expr(e, ty) => self.render_expr_into(*e, ty, out)?,
            }
        }
        Ok(())
    }

    /// A placeholder's value, appended. A text chosen by `if` (directly or
    /// through a `let`) is rendered in place, so that choosing a reason
    /// allocates nothing.
    fn render_expr_into(
        &mut self,
        e: ExprId,
        ty: &crate::types::Ty,
        out: &mut String,
    ) -> Result<(), Fault> {
        let policy = self.policy;
        let mut at = e;
        loop {
            match policy.node(at) {
                Some(Node::Template(parts)) => return self.render_into(parts, out),
                Some(Node::If {
                    cond,
                    then,
                    otherwise,
                }) => match self.eval_bool(*cond) {
                    Ok(true) => at = *then,
                    Ok(false) => at = *otherwise,
                    Err(Fault::Missing(_)) => {
                        out.push('—');
                        return Ok(());
                    }
                    Err(other) => return Err(other),
                },
                Some(Node::Let(l)) => match policy.lets.get(l.index()) {
                    Some(def)
                        if matches!(
                            policy.node(def.value),
                            Some(Node::If { .. } | Node::Template(_))
                        ) =>
                    {
                        at = def.value
                    }
                    _ => break,
                },
                _ => break,
            }
        }
        match self.eval(at) {
            Ok(v) => crate::value::write_human(out, &v, ty, &policy.symbols),
            Err(Fault::Missing(_)) => out.push('—'),
            Err(other) => return Err(other),
        }
        Ok(())
    }

    /// A reason template rendered into a new string.
    pub(super) fn render(&mut self, parts: &[TemplatePart]) -> Result<String, Fault> {
        let mut out = String::with_capacity(64);
        self.render_into(parts, &mut out)?;
        Ok(out)
    }

    /// Appends a recorded reason's text to `out`.
    pub(crate) fn render_reason_into(
        &mut self,
        reason: Reason,
        out: &mut String,
    ) -> Result<(), Fault> {
        let policy = self.policy;
        match reason {
            Reason::Template(id) => match policy.node(id) {
                Some(Node::Template(parts)) => self.render_into(parts, out)?,
                _ => match self.eval(id)? {
                    Value::Text(t) => out.push_str(&t),
                    other => out.push_str(&human(&other, policy.expr_type(id), &policy.symbols)),
                },
            },
            Reason::Auto(e) => out.push_str(&self.auto_reason(e)),
            Reason::NotMet(id) => {
                let span = policy.cond(id).map(|c| c.span).unwrap_or_default();
                out.push_str("not met: ");
                out.push_str(&strip_because(policy.sources.slice(span)));
            }
        }
        Ok(())
    }

    /// A recorded reason's text.
    pub(crate) fn render_reason(&mut self, reason: Reason) -> Result<String, Fault> {
        let mut out = String::with_capacity(64);
        self.render_reason_into(reason, &mut out)?;
        Ok(out)
    }

    /// Every reason of the ruleset just decided, as text: the clause's
    /// `because` first; with each, whether the author wrote it.
    pub(crate) fn reason_texts_written(
        &mut self,
        because: Option<ExprId>,
    ) -> Result<(Vec<String>, Vec<bool>), Fault> {
        let n = self.scratch.reasons.len().saturating_add(1);
        let (mut texts, mut written) = (Vec::with_capacity(n), Vec::with_capacity(n));
        if let Some(b) = because {
            texts.push(self.render_reason(Reason::Template(b))?);
            written.push(true);
        }
        for i in 0..self.scratch.reasons.len() {
            if let Some(r) = self.scratch.reasons.get(i).copied() {
                texts.push(self.render_reason(r)?);
                written.push(matches!(r, Reason::Template(_)));
            }
        }
        Ok((texts, written))
    }

    /// Records the reasons of the items that made a condition true.
    pub(super) fn met_reasons(&mut self, id: CondId) -> Result<(), Fault> {
        let policy = self.policy;
        let cond = policy
            .cond(id)
            .ok_or(Fault::Internal("dangling condition"))?;
        if let Some(reason) = cond.met {
            self.scratch.reasons.push(Reason::Template(reason));
            return Ok(());
        }
        match &cond.kind {
            CondKind::Leaf(e) => self.scratch.reasons.push(Reason::Auto(*e)),
            CondKind::All(items) => {
                for item in items {
                    self.met_reasons(*item)?;
                }
            }
            CondKind::Any(items) => {
                for item in items {
                    if self.known_cond(*item)? == Truth::True {
                        self.met_reasons(*item)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Finds a condition's truth in full (no short-circuit; what was
    /// already evaluated is not evaluated again), records the reason of
    /// every unmet item when it is not true (and, explaining, its details
    /// in `out`), and returns its truth.
    pub(super) fn unmet(&mut self, id: CondId, out: &mut Vec<Unmet>) -> Result<Truth, Fault> {
        let policy = self.policy;
        let cond = policy
            .cond(id)
            .ok_or(Fault::Internal("dangling condition"))?;
        match &cond.kind {
            CondKind::All(items) if cond.unmet.is_none() => {
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
            CondKind::Any(items) if cond.unmet.is_none() => {
                let mark = (out.len(), self.scratch.reasons.len());
                let mut truth = Truth::False;
                for item in items {
                    match self.unmet(*item, out)? {
                        Truth::True => {
                            // The group holds: none of its items is unmet.
                            out.truncate(mark.0);
                            self.scratch.reasons.truncate(mark.1);
                            return Ok(Truth::True);
                        }
                        Truth::Unknown => truth = Truth::Unknown,
                        Truth::False => {}
                    }
                }
                Ok(truth)
            }
            _ => {
                let truth = self.known_cond(id)?;
                if truth == Truth::True {
                    return Ok(truth);
                }
                let reason = match (cond.unmet, &cond.kind) {
                    (Some(r), _) => Reason::Template(r),
                    (None, CondKind::Leaf(e)) => Reason::Auto(*e),
                    (None, _) => Reason::NotMet(id),
                };
                self.scratch.reasons.push(reason);
                // Details (condition text, actual and required values) cost
                // allocations: only for explanations.
                if self.mode.explain {
                    let condition = strip_because(policy.sources.slice(cond.span));
                    let (actual, required, values) = match &cond.kind {
                        CondKind::Leaf(e) => self.actual_required(*e),
                        _ => (None, None, None),
                    };
                    let written = matches!(reason, Reason::Template(_));
                    let reason = self.render_reason(reason)?;
                    out.push(Unmet {
                        condition,
                        actual,
                        required,
                        reason,
                        written,
                        values,
                    });
                }
                Ok(truth)
            }
        }
    }

    /// For `x op y`: what `x` is, and `op y`; and the same for merchants
    /// (`x`'s value alone, the operator in words).
    fn actual_required(&mut self, e: ExprId) -> (Option<String>, Option<String>, MerchantValues) {
        let policy = self.policy;
        // A bare number takes the type of the side it is compared with, so
        // `quota.used = 0` prints its requirement as money.
        let show_as = |this: &mut Self, x: ExprId, like: ExprId| {
            let ty = match policy.expr_type(x) {
                crate::types::Ty::Number => policy.expr_type(like),
                other => other,
            };
            this.operand(x, ty)
        };
        let show = |this: &mut Self, x: ExprId| show_as(this, x, x).1;
        match policy.node(e) {
            Some(Node::Cmp(op, a, b)) => {
                let (text, value) = show_as(self, *a, *b);
                let actual = format!("{text} = {value}");
                let need = show_as(self, *b, *a).1;
                let required = format!("{} {need}", op.symbol());
                // A merchant reads the value of a field, never of an
                // expression or `let` whose name the text cannot show.
                let merchant = matches!(policy.node(*a), Some(Node::Field(_)))
                    .then(|| (value, format!("{}{need}", merchant_symbol(op.symbol()))));
                (Some(actual), Some(required), merchant)
            }
            Some(Node::In {
                expr,
                list,
                negated,
            }) => {
                let (text, value) = show_as(self, *expr, *expr);
                let actual = format!("{text} = {value}");
                let values: Vec<String> = list.iter().map(|x| show(self, *x)).collect();
                let required = format!(
                    "{}one of {}",
                    if *negated { "not " } else { "" },
                    values.join(", ")
                );
                let sign = if *negated { "∉ " } else { "∈ " };
                let merchant = matches!(policy.node(*expr), Some(Node::Field(_)))
                    .then(|| (value, format!("{sign}{{{}}}", values.join(", "))));
                (Some(actual), Some(required), merchant)
            }
            _ => (None, None, None),
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

/// A merchant's actual value and requirement.
type MerchantValues = Option<(String, String)>;

/// A comparison as a merchant reads it, before the required value:
/// `>=` is `≥ `, and equality is the value alone.
fn merchant_symbol(op: &str) -> &'static str {
    match op {
        ">=" => "≥ ",
        "<=" => "≤ ",
        "!=" => "≠ ",
        ">" => "> ",
        "<" => "< ",
        _ => "",
    }
}

/// A group item's source text includes its `because "..."` and
/// `else "..."`; drop them.
fn strip_because(text: &str) -> String {
    let cut = [
        " because ",
        "\tbecause ",
        "\nbecause",
        " else \"",
        "\nelse \"",
    ]
    .iter()
    .filter_map(|t| text.find(t))
    .min();
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
