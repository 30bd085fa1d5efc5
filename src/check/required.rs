//! `{required}`: in a condition's text (`because`/`else`, and a
//! `require`'s), the value the condition compares with, so a threshold is
//! written once. For `x >= 4.8` it is `4.8`, for `x in [a, b]` the list, for
//! `d + 90 days <= as_of` the date `d + 90 days` that `as_of` must reach.
//! It prints in the type of the value it is compared with (`>= 6` on a
//! money field prints `¥6.00`), like the actual value.

use crate::ast;
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::{ExprId, Node};
use crate::types::Ty;

use super::Checker;

/// The placeholder's name.
pub(crate) const REQUIRED: &str = "required";

/// What `{required}` means in a text.
#[derive(Debug, Clone)]
pub(crate) enum Required {
    /// The compared value, and the type it prints in.
    Value(ExprId, Ty),
    /// The condition compares with no single value: why not.
    Undefined(&'static str),
}

impl Checker<'_> {
    /// What `{required}` means in the texts of the condition compiled to
    /// `e` (a leaf condition or a requirement).
    pub(super) fn required_of(&mut self, e: ExprId) -> Required {
        match self.exprs.get(e.index()).cloned() {
            Some(Node::Cmp(_, a, b)) => {
                let (actual, required) = self.threshold_side(a, b);
                let ty = self.shown_type(required, actual);
                Required::Value(required, ty)
            }
            Some(Node::In { expr, list, .. }) => {
                let elem = list
                    .first()
                    .map_or(Ty::Error, |first| self.shown_type(*first, expr));
                let span = self.expr_spans.get(e.index()).copied().unwrap_or_default();
                let ty = Ty::List(Box::new(elem));
                let id = self.push_expr(Node::List(list), span, ty.clone());
                Required::Value(id, ty)
            }
            // `x is absent or x >= 4.8`: the presence test guards the
            // comparison, which holds the threshold.
            Some(Node::Or(a, b) | Node::And(a, b)) => {
                match (self.is_presence(a), self.is_presence(b)) {
                    (true, false) => self.required_of(b),
                    (false, true) => self.required_of(a),
                    _ => Required::Undefined("`and` and `or` join conditions with several values"),
                }
            }
            Some(Node::Present { .. }) => {
                Required::Undefined("a presence test compares with no value")
            }
            Some(Node::Not(_)) => {
                Required::Undefined("a negated condition has no single threshold")
            }
            _ => Required::Undefined("this condition compares with no value"),
        }
    }

    /// The threshold of a group: none.
    pub(super) fn required_of_group() -> Required {
        Required::Undefined("a group of conditions has no single threshold")
    }

    /// `{required}` at `name`, given what it means in this text (`None`:
    /// not a condition's text at all).
    pub(super) fn check_required(
        &mut self,
        name: &ast::Name,
        required: Option<&Required>,
    ) -> Option<(ExprId, Ty)> {
        let why = match required {
            Some(Required::Value(id, ty)) => return Some((*id, ty.clone())),
            Some(Required::Undefined(why)) => *why,
            None => "only a condition's `because`/`else` text has a compared value",
        };
        self.report(
            Diagnostic::error(
                Code::UnknownPlaceholder,
                name.span,
                format!("`{{{REQUIRED}}}` is not defined here: {why}"),
            )
            .with_help(
                "`{required}` is the value one comparison compares with (`x >= 4.8 else \"需达到 \
                 {required}\"`); put the text on that comparison, or write the value itself",
            ),
        );
        None
    }

    /// Which of `a op b` is the actual value and which the threshold: the
    /// side that reads nothing from the record is the threshold; against
    /// `as_of` the other side is the date to reach; otherwise the right side.
    fn threshold_side(&self, a: ExprId, b: ExprId) -> (ExprId, ExprId) {
        match (self.reads_record(a), self.reads_record(b)) {
            (false, true) => (b, a),
            (true, true) if self.is_as_of(b) => (b, a),
            _ => (a, b),
        }
    }

    /// The type `x` prints in: a bare number takes the type of `like`.
    fn shown_type(&self, x: ExprId, like: ExprId) -> Ty {
        let ty = |id: ExprId| {
            self.expr_types
                .get(id.index())
                .cloned()
                .unwrap_or(Ty::Error)
        };
        match ty(x) {
            Ty::Number => ty(like),
            other => other,
        }
    }

    fn is_presence(&self, e: ExprId) -> bool {
        matches!(self.exprs.get(e.index()), Some(Node::Present { .. }))
    }

    fn is_as_of(&self, e: ExprId) -> bool {
        match self.exprs.get(e.index()) {
            Some(Node::Field(f)) => self
                .fields
                .get(f.index())
                .is_some_and(|f| &*f.path == "as_of"),
            _ => false,
        }
    }

    /// Whether an expression reads a field or a `let` (which may).
    /// Recursion is bounded: the parser refuses deeply nested text.
    fn reads_record(&self, e: ExprId) -> bool {
        let any = |ids: &[ExprId]| ids.iter().any(|i| self.reads_record(*i));
        match self.exprs.get(e.index()) {
            None | Some(Node::Const(_)) => false,
            Some(Node::Field(_) | Node::Present { .. } | Node::Let(_)) => true,
            Some(Node::Not(x) | Node::Neg(x)) => self.reads_record(*x),
            Some(Node::And(a, b) | Node::Or(a, b) | Node::Cmp(_, a, b) | Node::Arith(_, a, b)) => {
                any(&[*a, *b])
            }
            Some(Node::DateShift { date, days, .. }) => any(&[*date, *days]),
            Some(Node::In { expr, list, .. }) => self.reads_record(*expr) || any(list),
            Some(Node::If {
                cond,
                then,
                otherwise,
            }) => any(&[*cond, *then, *otherwise]),
            Some(Node::Call { args, .. } | Node::List(args)) => any(args),
            Some(Node::Template(_)) => false,
        }
    }
}
