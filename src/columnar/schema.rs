//! The Arrow schema of decisions: `merchant_id`, `ruleset_version`, one
//! struct per ruleset (outcome, rule, each output in its own type,
//! reasons), then `reject` and, on request, `record`.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};

use crate::ir::{Policy, Ruleset};
use crate::types::Ty;

/// Decimal places of money outputs (`Decimal128(38, 2)`).
pub(crate) const MONEY_SCALE: i8 = 2;
/// Decimal places of decimal and rate outputs (`Decimal128(38, 18)`).
pub(crate) const DECIMAL_SCALE: i8 = 18;

/// The Arrow type an output of type `ty` is written as.
pub(crate) fn arrow_type(ty: &Ty) -> DataType {
    match ty {
        Ty::Money => DataType::Decimal128(38, MONEY_SCALE),
        Ty::Decimal | Ty::Rate | Ty::Number => DataType::Decimal128(38, DECIMAL_SCALE),
        Ty::Int | Ty::Days => DataType::Int64,
        Ty::Date => DataType::Date32,
        Ty::Bool => DataType::Boolean,
        Ty::Text | Ty::Enum(_) | Ty::Error => DataType::Utf8,
        Ty::List(inner) => DataType::List(Arc::new(item(arrow_type(inner)))),
    }
}

/// A list's item field, as arrow-rs names it.
pub(crate) fn item(ty: DataType) -> Field {
    Field::new("item", ty, true)
}

/// The struct fields of one ruleset's decision.
pub(crate) fn ruleset_fields(rs: &Ruleset) -> Fields {
    let mut fields = vec![
        Field::new("outcome", DataType::Utf8, true),
        Field::new("rule", DataType::Utf8, true),
    ];
    for o in &rs.outputs {
        fields.push(Field::new(&*o.name, arrow_type(&o.ty), true));
    }
    fields.push(Field::new(
        "reasons",
        DataType::List(Arc::new(item(DataType::Utf8))),
        true,
    ));
    Fields::from(fields)
}

/// The schema of [`Policy::decide_arrow`]'s output. `reject` is left out
/// when `with_reject` is false (the CLI writes rejects to their own file).
pub(crate) fn decisions(policy: &Policy, with_reject: bool, record: bool) -> SchemaRef {
    let mut fields = vec![
        Field::new("merchant_id", DataType::Utf8, true),
        Field::new("ruleset_version", DataType::Utf8, false),
    ];
    for rs in &policy.rulesets {
        fields.push(Field::new(
            &*rs.name,
            DataType::Struct(ruleset_fields(rs)),
            true,
        ));
    }
    if with_reject {
        fields.push(Field::new(
            "reject",
            DataType::List(Arc::new(item(DataType::Utf8))),
            true,
        ));
    }
    if record {
        fields.push(Field::new("record", DataType::Utf8, true));
    }
    Arc::new(Schema::new(fields))
}
