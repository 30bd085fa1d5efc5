//! Warnings: rule text that checks, but does not do what it seems to say.
//! Rules that can never decide, conditions that can never hold, names
//! declared and never used. Every warning is certain: where the analysis
//! does not understand a condition, it says nothing.
//!
//! Runs on the syntax trees, and only on rule files without errors.

mod interval;
mod logic;
mod reach;
mod texts;
mod unused;
mod values;
mod walk;

use std::collections::{BTreeMap, BTreeSet};

use crate::ast::{self, BaseType, CmpOp, Decl, FieldOptionKind, SchemaItem, TypeKind};
use crate::diagnostic::Diagnostic;
use crate::span::SourceMap;

pub(crate) use values::spelled_literals;

use interval::Interval;
use logic::{FieldInfo, Names};

/// Every warning for rule files that have no errors.
pub(crate) fn lint(files: &[ast::File], sources: &SourceMap) -> Vec<Diagnostic> {
    let decls: Vec<&Decl> = files.iter().flat_map(|f| f.decls.iter()).collect();
    let Some(schema) = decls.iter().find_map(|d| match d {
        Decl::Schema(s) => Some(s),
        _ => None,
    }) else {
        return Vec::new();
    };
    let rulesets: Vec<&ast::Ruleset> = decls
        .iter()
        .filter_map(|d| match d {
            Decl::Ruleset(r) => Some(r),
            _ => None,
        })
        .collect();
    let fields = schema_fields(schema);
    let mut out = Vec::new();
    // A schema with no ruleset yet is unfinished, not full of unused fields.
    if !rulesets.is_empty() {
        unused::fields(schema, &rulesets, &mut out);
    }
    values::schema(schema, sources, &mut out);
    for rs in &rulesets {
        let names = Names {
            fields: &fields,
            lets: rs
                .items
                .iter()
                .filter_map(|i| match i {
                    ast::RulesetItem::Let(l) => Some(l.name.text.clone()),
                    _ => None,
                })
                .collect(),
        };
        reach::ruleset(&names, schema, rs, sources, &mut out);
        unused::lets(rs, &mut out);
        unused::outcomes(rs, &mut out);
        unused::outputs(rs, &mut out);
        texts::unshown_because(rs, &mut out);
        values::ruleset(rs, sources, &mut out);
        texts::untold_conditions(rs, &mut out);
    }
    out
}

/// What each schema field's declaration says its values can be.
fn schema_fields(schema: &ast::Schema) -> BTreeMap<String, FieldInfo> {
    let mut fields = BTreeMap::new();
    for item in &schema.items {
        let SchemaItem::Field(decl) = item else {
            continue;
        };
        let (discrete, values) = match &decl.ty.kind {
            TypeKind::Base(BaseType::Int | BaseType::Date) => (true, None),
            TypeKind::Base(BaseType::Bool) => (
                false,
                Some(BTreeSet::from(["true".to_string(), "false".to_string()])),
            ),
            TypeKind::Enum(names) => (
                false,
                Some(names.iter().map(|n| n.name.text.clone()).collect()),
            ),
            TypeKind::Base(_) | TypeKind::List(_) => (false, None),
        };
        let mut domain = Interval::ALL;
        let mut has_default = false;
        for option in &decl.options {
            let bounds = match &option.kind {
                FieldOptionKind::Range(lo, hi) => vec![(CmpOp::Ge, lo), (CmpOp::Le, hi)],
                FieldOptionKind::Bound(op, lit) => vec![(*op, lit)],
                FieldOptionKind::Default(_) => {
                    has_default = true;
                    Vec::new()
                }
                FieldOptionKind::NotEmpty => Vec::new(),
            };
            for (op, lit) in bounds {
                if let Some(i) = logic::literal_interval(op, lit, discrete) {
                    domain = domain.intersect(i);
                }
            }
        }
        fields.insert(
            decl.name.text.clone(),
            FieldInfo {
                discrete,
                always_present: !decl.ty.optional || has_default,
                domain,
                values,
            },
        );
    }
    fields
}
