//! Expressions as text: the fewest parentheses that parse back to the same
//! tree, broken over lines only when a line would pass [`MAX_WIDTH`].
//!
//! Precedence follows the Pratt table in `syntax/lower.rs`, loosest first:
//! `or`, `and`, prefix `not`, comparisons, postfix `is present` / `in [..]`,
//! `+ -`, `* /`, prefix `-`. Two more facts of the grammar shape the
//! parentheses: a prefix operator must be followed by a primary (`not -x`
//! does not parse), and `if ... else e` swallows any operator after `e`.

use unicode_width::UnicodeWidthStr;

use crate::ast::{BinOp, Expr, ExprKind, Literal, Template, TemplatePart};

use super::MAX_WIDTH;

/// Where an expression stands: the loosest operator it may show without
/// parentheses, and whether text may follow it (then an `if` needs them).
#[derive(Debug, Clone, Copy)]
struct Ctx {
    min_prec: u8,
    open_right: bool,
}

impl Ctx {
    const TOP: Ctx = Ctx {
        min_prec: 0,
        open_right: true,
    };
}

const NOT: u8 = 30;
const POSTFIX: u8 = 50;
const NEG: u8 = 80;
const ATOM: u8 = 100;

fn binop_prec(op: BinOp) -> u8 {
    match op {
        BinOp::Or => 10,
        BinOp::And => 20,
        BinOp::Cmp(_) => 40,
        BinOp::Add | BinOp::Sub => 60,
        BinOp::Mul | BinOp::Div => 70,
    }
}

fn prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary(op, ..) => binop_prec(*op),
        ExprKind::Not(_) => NOT,
        ExprKind::Presence { .. } | ExprKind::In { .. } => POSTFIX,
        ExprKind::Neg(_) => NEG,
        _ => ATOM,
    }
}

/// Display width (CJK characters count two).
pub(crate) fn width(s: &str) -> usize {
    s.width()
}

pub(crate) fn spaces(n: usize) -> String {
    " ".repeat(n)
}

/// The column just after `text`, printed from column `col`.
pub(crate) fn end_col(col: usize, text: &str) -> usize {
    match text.rsplit_once('\n') {
        Some((_, last)) => width(last),
        None => col + width(text),
    }
}

/// An expression on one line.
pub(crate) fn flat(e: &Expr) -> String {
    node(e, Ctx::TOP, None)
}

/// An expression starting at column `col`, broken if it does not fit.
pub(crate) fn at(e: &Expr, col: usize) -> String {
    node(e, Ctx::TOP, Some(col))
}

/// A group item's condition: an `and` / `or` chain always gets one operand
/// per line, and a leading `-` is bracketed, or it would continue the item
/// above as a subtraction.
pub(crate) fn group_item(e: &Expr, col: usize) -> String {
    if begins_with(e, Ctx::TOP, |k| matches!(k, ExprKind::Neg(_))) {
        return format!("({})", at(e, col + 1));
    }
    match &e.kind {
        ExprKind::Binary(op @ (BinOp::And | BinOp::Or), ..) => chain(*op, e, Ctx::TOP, col),
        _ => node(e, Ctx::TOP, Some(col)),
    }
}

/// `col` is `None` for one-line text, else the column the text starts at.
fn node(e: &Expr, ctx: Ctx, col: Option<usize>) -> String {
    if let Some(c) = col {
        let one_line = node(e, ctx, None);
        if c + width(&one_line) <= MAX_WIDTH {
            return one_line;
        }
    }
    if needs_parens(e, ctx) {
        return format!("({})", node(e, Ctx::TOP, col.map(|c| c + 1)));
    }
    match &e.kind {
        ExprKind::Literal(l) => literal(l),
        ExprKind::Path(n) => n.text.clone(),
        ExprKind::CalendarRef(n) => format!("calendar {}", n.text),
        ExprKind::Text(t) => template(t),
        // Never printed: files with error nodes are refused before printing.
        ExprKind::Error => String::new(),
        ExprKind::Call { function, args } => {
            let open = format!("{}(", function.text);
            let args = sequence(args, col.map(|c| c + width(&open)));
            format!("{open}{args})")
        }
        ExprKind::List(items) => {
            format!("[{}]", sequence(items, col.map(|c| c + 1)))
        }
        ExprKind::In {
            expr,
            list,
            negated,
        } => {
            let operand = postfix_operand(expr, col);
            let keyword = if *negated { " not in [" } else { " in [" };
            let list_col = col.map(|c| end_col(c, &operand) + keyword.len());
            format!("{operand}{keyword}{}]", sequence(list, list_col))
        }
        ExprKind::Presence { expr, present } => {
            let operand = postfix_operand(expr, col);
            let word = if *present { "present" } else { "absent" };
            format!("{operand} is {word}")
        }
        // `not x >= 4` parses as `not (x >= 4)`, but few readers know that:
        // a negated operation keeps its parentheses.
        ExprKind::Not(x) if matches!(x.kind, ExprKind::Binary(..)) => {
            format!("not ({})", node(x, Ctx::TOP, col.map(|c| c + 5)))
        }
        ExprKind::Not(x) => prefix("not ", x, NOT, ctx, col),
        ExprKind::Neg(x) => prefix("-", x, NEG, ctx, col),
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => match col {
            None => format!(
                "if {} then {} else {}",
                flat(cond),
                flat(then),
                flat(otherwise)
            ),
            Some(c) => format!(
                "if {}\n{pad}then {}\n{pad}else {}",
                at(cond, c + 3),
                at(then, c + 7),
                at(otherwise, c + 7),
                pad = spaces(c + 2)
            ),
        },
        ExprKind::Binary(op @ (BinOp::And | BinOp::Or), ..) if col.is_some() => {
            chain(*op, e, ctx, col.unwrap_or(0))
        }
        ExprKind::Binary(op, l, r) => {
            let p = binop_prec(*op);
            let left = node(
                l,
                Ctx {
                    min_prec: p,
                    open_right: false,
                },
                col,
            );
            let sep = format!(" {} ", op.symbol());
            let right_col = col.map(|c| end_col(c, &left) + sep.len());
            let right = node(
                r,
                Ctx {
                    min_prec: p + 1,
                    open_right: ctx.open_right,
                },
                right_col,
            );
            format!("{left}{sep}{right}")
        }
    }
}

const POSTFIX_OPERAND: Ctx = Ctx {
    min_prec: POSTFIX,
    open_right: false,
};

fn postfix_operand(x: &Expr, col: Option<usize>) -> String {
    node(x, POSTFIX_OPERAND, col)
}

fn needs_parens(e: &Expr, ctx: Ctx) -> bool {
    prec(e) < ctx.min_prec || (matches!(e.kind, ExprKind::If { .. }) && !ctx.open_right)
}

/// Whether `e`, printed in `ctx`, begins with an unbracketed node that
/// `first` accepts (decided on the tree, so nothing is printed twice).
fn begins_with(e: &Expr, ctx: Ctx, first: fn(&ExprKind) -> bool) -> bool {
    if needs_parens(e, ctx) {
        return false;
    }
    if first(&e.kind) {
        return true;
    }
    match &e.kind {
        ExprKind::Binary(op, l, _) => {
            let ctx = Ctx {
                min_prec: binop_prec(*op),
                open_right: false,
            };
            begins_with(l, ctx, first)
        }
        ExprKind::Presence { expr, .. } | ExprKind::In { expr, .. } => {
            begins_with(expr, POSTFIX_OPERAND, first)
        }
        _ => false,
    }
}

/// `not x`, `-x`: the operand binds at least as tight as the operator and
/// may not begin with another prefix operator.
fn prefix(symbol: &str, x: &Expr, p: u8, ctx: Ctx, col: Option<usize>) -> String {
    let operand_col = col.map(|c| c + symbol.len());
    let ctx = Ctx {
        min_prec: p,
        open_right: ctx.open_right,
    };
    let is_prefix = |k: &ExprKind| matches!(k, ExprKind::Not(_) | ExprKind::Neg(_));
    let operand = if begins_with(x, ctx, is_prefix) {
        format!("({})", node(x, Ctx::TOP, operand_col.map(|c| c + 1)))
    } else {
        node(x, ctx, operand_col)
    };
    format!("{symbol}{operand}")
}

/// `a or b or c` broken before each operator, continuation lines indented
/// two columns.
fn chain(op: BinOp, e: &Expr, ctx: Ctx, col: usize) -> String {
    let p = binop_prec(op);
    // The left spine of the same operator, rightmost operand first.
    let mut rights = Vec::new();
    let mut first = e;
    while let ExprKind::Binary(o, l, r) = &first.kind {
        if *o != op {
            break;
        }
        rights.push(r.as_ref());
        first = l;
    }
    let mut text = node(
        first,
        Ctx {
            min_prec: p,
            open_right: false,
        },
        Some(col),
    );
    let keyword = format!("{} ", op.symbol());
    let operand_col = col + 2 + keyword.len();
    let last = rights.len();
    for (i, r) in rights.iter().rev().enumerate() {
        let ctx = Ctx {
            min_prec: p + 1,
            open_right: ctx.open_right && i + 1 == last,
        };
        let operand = node(r, ctx, Some(operand_col));
        text.push('\n');
        text.push_str(&spaces(col + 2));
        text.push_str(&keyword);
        text.push_str(&operand);
    }
    text
}

/// Call arguments and list items: on one line, or one per line aligned
/// under the first.
fn sequence(items: &[Expr], col: Option<usize>) -> String {
    match col {
        None => items.iter().map(flat).collect::<Vec<_>>().join(", "),
        Some(c) => items
            .iter()
            .map(|e| at(e, c))
            .collect::<Vec<_>>()
            .join(&format!(",\n{}", spaces(c))),
    }
}

/// A literal as the author wrote it; only the white space inside a
/// duration (`180   days`) is made one space.
pub(crate) fn literal(l: &Literal) -> String {
    l.text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A string, its text re-escaped and its placeholders printed on one line.
pub(crate) fn template(t: &Template) -> String {
    let mut out = String::from("\"");
    for part in &t.parts {
        match part {
            TemplatePart::Text(s) => {
                for c in s.chars() {
                    match c {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        '{' => out.push_str("\\{"),
                        '}' => out.push_str("\\}"),
                        '\n' => out.push_str("\\n"),
                        '\t' => out.push_str("\\t"),
                        c => out.push(c),
                    }
                }
            }
            TemplatePart::Expr(e) => {
                out.push('{');
                out.push_str(&flat(e));
                out.push('}');
            }
        }
    }
    out.push('"');
    out
}
