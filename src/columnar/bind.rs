//! Which input column fills which schema field: nested structs
//! (`store: struct<rating>`) and flat dotted names (`store.rating`) alike,
//! each leaf with the struct columns above it (a null struct means its
//! fields are absent, as a JSON `null` group does). Column types the
//! reader cannot take exactly are refused here, once per batch, before a
//! single row is read.

use arrow_array::{Array, ArrayRef, RecordBatch, StructArray};
use arrow_buffer::NullBuffer;
use arrow_schema::DataType;

use super::ColumnarError;
use crate::ir::{FieldId, Policy};
use crate::types::Ty;

/// One input column bound to a schema field.
pub(crate) struct Leaf<'b> {
    pub(crate) field: FieldId,
    pub(crate) column: &'b dyn Array,
    /// The validity of every struct column above it (outermost first).
    pub(crate) parents: Vec<NullBuffer>,
}

/// Binds every column of `batch` that names a schema field.
pub(crate) fn bind<'b>(
    policy: &Policy,
    batch: &'b RecordBatch,
) -> Result<Vec<Leaf<'b>>, ColumnarError> {
    let mut leaves = Vec::new();
    let mut names: Vec<FieldId> = Vec::new();
    for (field, column) in batch.schema_ref().fields().iter().zip(batch.columns()) {
        bind_column(
            policy,
            field.name(),
            column,
            &mut Vec::new(),
            &mut leaves,
            &mut names,
        )?;
    }
    Ok(leaves)
}

fn bind_column<'b>(
    policy: &Policy,
    path: &str,
    column: &'b ArrayRef,
    parents: &mut Vec<NullBuffer>,
    leaves: &mut Vec<Leaf<'b>>,
    names: &mut Vec<FieldId>,
) -> Result<(), ColumnarError> {
    let field = policy
        .schema
        .fields
        .iter()
        .position(|f| &*f.path == path)
        .map(FieldId::from_index);
    let is_group = || {
        policy.schema.fields.iter().any(|f| {
            f.path
                .strip_prefix(path)
                .is_some_and(|r| r.starts_with('.'))
        })
    };
    if let DataType::Struct(_) = column.data_type() {
        if let Some(id) = field {
            return Err(refused(policy, id, path, column.data_type()));
        }
        if !is_group() {
            return Ok(());
        }
        let Some(array) = column.as_any().downcast_ref::<StructArray>() else {
            return Ok(());
        };
        let pushed = array.nulls().cloned().map(|n| parents.push(n)).is_some();
        for (child, child_column) in array.fields().iter().zip(array.columns()) {
            let child_path = format!("{path}.{}", child.name());
            bind_column(policy, &child_path, child_column, parents, leaves, names)?;
        }
        if pushed {
            parents.pop();
        }
        return Ok(());
    }
    let Some(id) = field else {
        if is_group() {
            return Err(ColumnarError::Column {
                column: path.to_string(),
                message: format!(
                    "is {}, but `{path}` is a group of fields: pass a struct column or one column per field (`{path}.<field>`)",
                    column.data_type()
                ),
            });
        }
        return Ok(());
    };
    if names.contains(&id) {
        return Err(ColumnarError::Column {
            column: path.to_string(),
            message: "is given twice (a struct field and a dotted name, or one name twice): keep one of them".into(),
        });
    }
    if !readable(column.data_type()) {
        return Err(refused(policy, id, path, column.data_type()));
    }
    date64_whole_days(path, column.as_ref())?;
    names.push(id);
    leaves.push(Leaf {
        field: id,
        column: column.as_ref(),
        parents: parents.clone(),
    });
    Ok(())
}

/// Whether the cell reader takes a column of this type.
fn readable(ty: &DataType) -> bool {
    match ty {
        DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View
        | DataType::Boolean
        | DataType::Null
        | DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Decimal32(..)
        | DataType::Decimal64(..)
        | DataType::Decimal128(..)
        | DataType::Decimal256(..)
        | DataType::Date32
        | DataType::Date64 => true,
        DataType::Dictionary(key, value) => key.is_dictionary_key_type() && readable(value),
        _ => false,
    }
}

/// A `Date64` column counts milliseconds; one whose value has a time of
/// day is a timestamp in disguise, refused as timestamps are.
fn date64_whole_days(path: &str, column: &dyn Array) -> Result<(), ColumnarError> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::Date64Type;
    let Some(dates) = column.as_primitive_opt::<Date64Type>() else {
        return Ok(());
    };
    let timed = dates.iter().enumerate().find_map(|(row, v)| {
        v.filter(|ms| ms.rem_euclid(86_400_000) != 0)
            .map(|ms| (row, ms))
    });
    match timed {
        None => Ok(()),
        Some((row, ms)) => Err(ColumnarError::Column {
            column: path.to_string(),
            message: format!(
                "is date64 with a time of day ({ms} ms since 1970-01-01 in row {} of the batch is not a whole day), but the field is a date: cast it to a date first, e.g. `CAST({path} AS DATE)` in SQL or `pa.date32()` in pyarrow",
                row + 1
            ),
        }),
    }
}

/// Why a column cannot fill its field, and how to cast it.
fn refused(policy: &Policy, id: FieldId, column: &str, found: &DataType) -> ColumnarError {
    let ty = policy.field(id).map_or(Ty::Error, |f| f.ty.clone());
    let (want, sql, arrow) = match ty {
        Ty::Money => ("money", "DECIMAL(18, 2)", "pa.decimal128(18, 2)"),
        Ty::Rate | Ty::Decimal | Ty::Number => {
            ("a decimal", "DECIMAL(18, 6)", "pa.decimal128(18, 6)")
        }
        Ty::Int | Ty::Days => ("a whole number", "BIGINT", "pa.int64()"),
        Ty::Date => ("a date", "DATE", "pa.date32()"),
        Ty::Bool => ("true or false", "BOOLEAN", "pa.bool_()"),
        Ty::Text | Ty::Enum(_) | Ty::List(_) | Ty::Error => ("text", "VARCHAR", "pa.string()"),
    };
    let why = if matches!(
        found,
        DataType::Float16 | DataType::Float32 | DataType::Float64
    ) {
        "verdikt never reads a number through binary floating point (0.1 is not exact there)"
    } else {
        "verdikt cannot read this column type exactly"
    };
    ColumnarError::Column {
        column: column.to_string(),
        message: format!(
            "is {found}, but the field is {want}; {why}: cast it first, e.g. `CAST({column} AS {sql})` in SQL or `{arrow}` in pyarrow"
        ),
    }
}
