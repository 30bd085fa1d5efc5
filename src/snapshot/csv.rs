//! CSV snapshots: one row per snapshot, dotted column names (`store.rating`).
//!
//! Cells are text, so numbers follow the plain-string rules (no exponents);
//! an empty cell is an absent field; `true`/`false` are booleans.

use std::borrow::Cow;

use super::{Raw, Record, RecordBuilder, RecordError};
use crate::ir::{FieldId, Policy};
use crate::types::Ty;

/// Which field each column fills (`None`: an unknown column, ignored).
#[derive(Debug, Clone)]
pub(crate) struct CsvLayout {
    columns: Vec<Option<FieldId>>,
}

impl CsvLayout {
    /// Maps header names to fields. `Err` lists duplicate columns.
    pub(crate) fn new(policy: &Policy, headers: &[&str]) -> Result<CsvLayout, String> {
        let mut columns = Vec::with_capacity(headers.len());
        // A set, not a scan of the columns before: a header may have 100,000.
        let mut seen = std::collections::HashSet::with_capacity(headers.len());
        for h in headers {
            let h = h.trim_start_matches('\u{feff}').trim();
            if !seen.insert(h) {
                return Err(format!("column `{h}` appears twice in the header"));
            }
            columns.push(
                policy
                    .schema
                    .fields
                    .iter()
                    .position(|f| &*f.path == h)
                    .map(FieldId::from_index),
            );
        }
        Ok(CsvLayout { columns })
    }
}

/// Reads one CSV row into a record.
pub(crate) fn read_csv_row<'c>(
    policy: &Policy,
    layout: &CsvLayout,
    cells: impl IntoIterator<Item = &'c str>,
) -> Result<Record, RecordError> {
    let mut builder = RecordBuilder::new(policy);
    for (column, cell) in layout.columns.iter().zip(cells) {
        let Some(id) = column else { continue };
        let raw = if cell.is_empty() {
            Raw::Null
        } else if policy.field(*id).is_some_and(|f| f.ty == Ty::Bool)
            && (cell == "true" || cell == "false")
        {
            Raw::Bool(cell == "true")
        } else {
            Raw::Str(Cow::Borrowed(cell))
        };
        builder.set(*id, raw);
    }
    builder.finish()
}
