//! Applying one mutant to a copy of the syntax trees.

use super::walk::{walk_rulesets, Target};
use super::{key, Change};
use crate::ast::{BinOp, ExprKind, File};

/// Changes the node `change` names; false when no node has its place (the
/// trees are not the ones the mutant was found in).
pub(crate) fn apply(trees: &mut [File], change: &Change) -> bool {
    let mut done = false;
    walk_rulesets(trees, &mut |target, _| match (target, change) {
        (Target::Compare(e), Change::Bound(at, op)) if key(e.span) == *at => {
            if let ExprKind::Binary(BinOp::Cmp(o), ..) = &mut e.kind {
                *o = *op;
                done = true;
            }
        }
        (Target::Compare(e), Change::Literal(at, value)) => {
            if let ExprKind::Binary(BinOp::Cmp(_), a, b) = &mut e.kind {
                for side in [a, b] {
                    if let ExprKind::Literal(lit) = &mut side.kind {
                        if key(lit.span) == *at {
                            lit.value = value.clone();
                            done = true;
                        }
                    }
                }
            }
        }
        (Target::Duration(lit), Change::Literal(at, value)) if key(lit.span) == *at => {
            lit.value = value.clone();
            done = true;
        }
        (Target::Group(g), Change::Group(at, kind)) if key(g.span) == *at => {
            g.kind = *kind;
            done = true;
        }
        _ => {}
    });
    done
}
