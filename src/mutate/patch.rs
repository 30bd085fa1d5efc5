//! The fast path: a mutant that swaps a literal or flips a bound is made by
//! patching the already-checked policy's compiled nodes, not by checking
//! the rules again.
//!
//! The checker compiles a literal to one constant node and a comparison to
//! one comparison node, each at the span it is written at, and neither
//! change can make the rules fail to check: a literal keeps its type (a
//! nudge never changes it), an operator keeps its order, and no fact the
//! checker proves (presence) comes from a comparison or a literal's value.
//! So the patched policy is the one the checker would give. A group swap
//! changes which facts its items see, so it is checked again (without the
//! lints: only errors decide). `tests.rs` holds both paths to agree on
//! every mutant of the fixture policies and the shipped rules.

use super::{key, Change};
use crate::ir::{Node, Policy};

/// The policy with `change` made in its compiled nodes; `None` when the
/// change cannot be made there (a group swap, or no node at its place),
/// and the rules must be checked again.
pub(crate) fn patch(policy: &Policy, change: &Change) -> Option<Policy> {
    let at = match change {
        Change::Literal(at, _) | Change::Bound(at, _) => *at,
        Change::Group(..) => return None,
    };
    let ids: Vec<usize> = policy
        .expr_spans
        .iter()
        .enumerate()
        .filter(|(_, span)| key(**span) == at)
        .map(|(i, _)| i)
        .collect();
    if ids.is_empty() {
        return None;
    }
    let mut patched = policy.clone();
    for i in ids {
        let node = patched.exprs.get_mut(i)?;
        match (node, change) {
            (Node::Const(old), Change::Literal(_, new)) => {
                let (value, ty) = crate::check::literal_value(new)?;
                // The checker types a literal by its kind alone; a nudge
                // that changed it would not be this node any more.
                if std::mem::discriminant(old) != std::mem::discriminant(&value)
                    || policy.expr_types.get(i) != Some(&ty)
                {
                    return None;
                }
                *old = value;
            }
            (Node::Cmp(op, ..), Change::Bound(_, new)) => *op = *new,
            // Another node at the same place (say a poisoned one): the
            // checker must say what the mutant is.
            _ => return None,
        }
    }
    Some(patched)
}
