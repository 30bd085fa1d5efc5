//! The trace: every condition tried, with its operands' values.

use std::sync::Arc;

use super::{Evaluator, Fault, Truth};
use crate::ir::{ExprId, Node};
use crate::types::Ty;
use crate::value::human;

/// One step of a trace.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TraceStep {
    /// The ruleset being decided.
    pub ruleset: Arc<str>,
    /// The rule being tried, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<Arc<str>>,
    /// `guard`, `require`, `scope`, `condition` or `assign-when`.
    pub kind: &'static str,
    /// The condition's rule text.
    pub condition: String,
    /// Each operand's rule text and value.
    pub operands: Vec<(String, String)>,
    /// `None` when a field it needs is absent.
    pub result: Option<bool>,
}

impl Evaluator<'_, '_> {
    pub(super) fn trace_leaf(&mut self, kind: &'static str, e: ExprId, t: Truth) {
        let operands = self.operands(e);
        self.trace.push(TraceStep {
            ruleset: self.ruleset.cloned().unwrap_or_else(|| Arc::from("")),
            rule: self.rule.cloned(),
            kind,
            condition: self.policy.expr_text(e).to_string(),
            operands,
            result: match t {
                Truth::True => Some(true),
                Truth::False => Some(false),
                Truth::Unknown => None,
            },
        });
    }

    /// An operand's rule text and value as people read it. When a field
    /// it needs is absent, the field and the word for absent
    /// (`quota.last_adjusted_on`, `absent`), not the whole expression.
    pub(super) fn operand(&mut self, x: ExprId, ty: &Ty) -> (String, String) {
        let policy = self.policy;
        match self.eval(x) {
            Ok(v) => (
                policy.expr_text(x).to_string(),
                human(&v, ty, &policy.symbols),
            ),
            Err(Fault::Missing(f)) => (
                policy
                    .field(f)
                    .map_or_else(|| policy.expr_text(x).to_string(), |d| d.path.to_string()),
                policy.language.words().absent.to_string(),
            ),
            Err(err) => (
                policy.expr_text(x).to_string(),
                format!("error: {}", self.describe_text(err)),
            ),
        }
    }

    /// The values of a comparison's sides (or of the fields a test reads).
    pub(super) fn operands(&mut self, e: ExprId) -> Vec<(String, String)> {
        let policy = self.policy;
        let mut out = Vec::new();
        let mut push = |this: &mut Self, x: ExprId| {
            if matches!(policy.node(x), Some(Node::Const(_))) {
                return;
            }
            out.push(this.operand(x, policy.expr_type(x)));
        };
        match policy.node(e) {
            Some(Node::Cmp(_, a, b)) => {
                push(self, *a);
                push(self, *b);
            }
            Some(Node::In { expr, .. }) => push(self, *expr),
            Some(Node::Or(a, b) | Node::And(a, b)) => {
                for side in [*a, *b] {
                    if let Some(Node::Cmp(_, x, y)) = policy.node(side) {
                        push(self, *x);
                        push(self, *y);
                    }
                }
            }
            _ => {}
        }
        out
    }
}
