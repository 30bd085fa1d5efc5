//! The snapshot schema: fields, types, constraints, cross-field requirements.

use std::sync::Arc;

use crate::ast::{self, BaseType, FieldOptionKind, SchemaItem, TypeKind};
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::{Constraint, Field, FieldId, PathEntry, PathTree, Requirement, Schema};
use crate::types::{self, EnumId, Ty};
use crate::value::{Sym, Value};

use super::{Checker, Scope};
use crate::names::{Definition, Kind, Symbol};

impl Checker<'_> {
    pub(super) fn check_schema(&mut self, schema: &ast::Schema) -> Schema {
        let mut tree = PathTree::default();
        for item in &schema.items {
            if let SchemaItem::Field(decl) = item {
                self.check_field_decl(decl, &mut tree);
            }
        }
        let mut requirements = Vec::new();
        for item in &schema.items {
            if let SchemaItem::Require(r) = item {
                requirements.push(self.check_requirement(r, &Scope::default()));
            }
        }
        let merchant_id = self.lookup_field("merchant_id");
        Schema {
            fields: Vec::new(),
            requirements,
            merchant_id,
            tree,
        }
    }

    pub(super) fn check_requirement(&mut self, r: &ast::Requirement, scope: &Scope) -> Requirement {
        let expr = self.check_bool(&r.expr, scope);
        let mut inner = scope.with(&self.facts(&r.expr, true));
        inner.required = Some(self.required_of(expr));
        let because = r.because.as_ref().map(|t| self.check_reason(t, &inner));
        Requirement {
            expr,
            because,
            text: self.sources.slice(r.expr.span).into(),
        }
    }

    /// The type a declaration names; `one of` types get a fresh enum.
    pub(super) fn declared_type(&mut self, spec: &ast::TypeSpec) -> Ty {
        match &spec.kind {
            TypeKind::Base(b) => base_ty(*b),
            TypeKind::List(b) => Ty::List(Box::new(base_ty(*b))),
            TypeKind::Enum(values) => {
                let id = EnumId(u32::try_from(self.enums.len()).unwrap_or(u32::MAX));
                let mut syms = Vec::new();
                for v in values {
                    let sym = self.symbols.intern(&v.name.text);
                    if syms.contains(&sym) {
                        self.report(Diagnostic::error(
                            Code::Duplicate,
                            v.name.span,
                            format!("value `{}` is listed twice", v.name.text),
                        ));
                    }
                    syms.push(sym);
                }
                self.check_enum_labels(id, values, &syms);
                self.enums.push(syms);
                Ty::Enum(id)
            }
        }
    }

    /// Labels (`frozen "冻结"`): plain, non-empty text, each once, on every
    /// value or on none, so that no reason shows a raw value.
    fn check_enum_labels(&mut self, id: EnumId, values: &[ast::EnumValue], syms: &[Sym]) {
        let labelled = values.iter().filter(|v| v.label.is_some()).count();
        if labelled == 0 {
            return;
        }
        let mut seen: Vec<(String, &ast::EnumValue)> = Vec::new();
        for (v, sym) in values.iter().zip(syms) {
            let Some(label) = &v.label else {
                self.report(
                    Diagnostic::error(
                        Code::EnumLabel,
                        v.name.span,
                        format!(
                            "value `{}` has no label, but other values of its type do",
                            v.name.text
                        ),
                    )
                    .with_help(format!(
                        "write `{} \"...\"`, or remove every label of this type",
                        v.name.text
                    )),
                );
                continue;
            };
            let mut text = String::new();
            let mut plain = true;
            for part in &label.parts {
                match part {
                    ast::TemplatePart::Text(t) => text.push_str(t),
                    ast::TemplatePart::Expr(e) => {
                        plain = false;
                        self.report(
                            Diagnostic::error(Code::EnumLabel, e.span, "a label is plain text")
                                .with_help("write `\\{` for a literal brace"),
                        );
                    }
                }
            }
            if !plain {
                continue;
            }
            if text.trim().is_empty() {
                self.report(Diagnostic::error(
                    Code::EnumLabel,
                    label.span,
                    format!("the label of `{}` is empty", v.name.text),
                ));
                continue;
            }
            if let Some((_, first)) = seen.iter().find(|(t, _)| *t == text) {
                self.report(
                    Diagnostic::error(
                        Code::EnumLabel,
                        label.span,
                        format!(
                            "`{}` and `{}` have the same label \"{text}\"",
                            first.name.text, v.name.text
                        ),
                    )
                    .with_help(
                        "a reader could not tell the two values apart; give each its own label",
                    ),
                );
                continue;
            }
            self.symbols.set_label(id, *sym, &text);
            seen.push((text, v));
        }
    }

    fn check_field_decl(&mut self, decl: &ast::FieldDecl, tree: &mut PathTree) {
        let path = decl.name.text.clone();
        if self.field_index.contains_key(&path) {
            let d = Diagnostic::error(
                Code::Duplicate,
                decl.name.span,
                format!("field `{path}` is declared twice"),
            )
            .with_help("remove one of the declarations");
            let d = self.and_first(d, &Symbol::global(Kind::Field, &path));
            self.report(d);
            return;
        }
        let ty = self.declared_type(&decl.ty);
        if matches!(ty, Ty::List(_)) {
            self.report(Diagnostic::error(
                Code::TypeMismatch,
                decl.ty.span,
                "snapshot fields cannot be lists",
            ));
        }
        let id = FieldId::from_index(self.fields.len());
        if !insert_path(tree, &path, id) {
            self.report(
                Diagnostic::error(Code::Schema, decl.name.span, format!("`{path}` clashes with another field's path"))
                    .with_help("a name is either a field or a group of fields (`quota` vs `quota.limit`), not both"),
            );
            return;
        }
        let (constraints, default) = self.check_field_options(&decl.options, &ty, decl.ty.optional);
        self.define_typed(Kind::Field, &decl.name, decl.span, &ty, None);
        self.fields.push(Field {
            path: Arc::from(path.as_str()),
            ty,
            optional: decl.ty.optional,
            default,
            constraints,
        });
        self.field_index.insert(path, id);
    }

    /// Constraints and default of a field or output.
    pub(super) fn check_field_options(
        &mut self,
        options: &[ast::FieldOption],
        ty: &Ty,
        optional: bool,
    ) -> (Vec<Constraint>, Option<Value>) {
        let mut constraints = Vec::new();
        let mut default = None;
        for option in options {
            match &option.kind {
                FieldOptionKind::Range(lo, hi) => {
                    if let (Some(a), Some(b)) =
                        (self.constraint_value(lo, ty), self.constraint_value(hi, ty))
                    {
                        constraints.push(Constraint::Range(a, b));
                    }
                }
                FieldOptionKind::Bound(op, lit) => {
                    if let Some(v) = self.constraint_value(lit, ty) {
                        constraints.push(Constraint::Bound(*op, v));
                    }
                }
                FieldOptionKind::NotEmpty => {
                    if *ty == Ty::Text {
                        constraints.push(Constraint::NotEmpty);
                    } else {
                        self.report(Diagnostic::error(
                            Code::TypeMismatch,
                            option.span,
                            format!(
                                "`not empty` applies to text, not {}",
                                self.type_name_pub(ty)
                            ),
                        ));
                    }
                }
                FieldOptionKind::Default(expr) => {
                    if !optional && !matches!(ty, Ty::List(_)) {
                        self.report(
                            Diagnostic::error(
                                Code::TypeMismatch,
                                option.span,
                                "only optional fields take a default",
                            )
                            .with_help("write `optional` before the type"),
                        );
                    }
                    let (id, vty) = self.check_expr(expr, &Scope::default(), Some(ty));
                    if !types::assignable(&vty, ty) {
                        self.report(Diagnostic::error(
                            Code::TypeMismatch,
                            option.span,
                            format!(
                                "default must be {}, found {}",
                                self.type_name_pub(ty),
                                self.type_name_pub(&vty)
                            ),
                        ));
                    } else if let Some(crate::ir::Node::Const(v)) = self.exprs.get(id.index()) {
                        default = Some(v.clone());
                    } else if let Some(crate::ir::Node::List(items)) = self.exprs.get(id.index()) {
                        if items.is_empty() {
                            default = Some(Value::List(Arc::from(Vec::new())));
                        }
                    }
                }
            }
        }
        (constraints, default)
    }

    fn constraint_value(&mut self, lit: &ast::Literal, ty: &Ty) -> Option<Value> {
        let (value, lit_ty) = super::expr::literal_value(&lit.value)?;
        if !types::comparable(&lit_ty, ty) || !types::ordered(ty) {
            self.report(Diagnostic::error(
                Code::TypeMismatch,
                lit.span,
                format!(
                    "a {} field cannot be bounded by `{}`",
                    self.type_name_pub(ty),
                    lit.text
                ),
            ));
            return None;
        }
        Some(value)
    }

    /// Records a typed declaration in the name index (`ruleset` places a
    /// ruleset's own names).
    pub(super) fn define_typed(
        &mut self,
        kind: Kind,
        name: &ast::Name,
        decl: crate::span::Span,
        ty: &Ty,
        ruleset: Option<&str>,
    ) {
        let symbol = match ruleset {
            Some(r) => Symbol::local(kind, &name.text, r),
            None => Symbol::global(kind, &name.text),
        };
        let mut definition = Definition::new(symbol, name.span, decl);
        definition.detail = Some(ty.describe());
        if let Ty::Enum(id) = ty {
            definition.values = self
                .enums
                .get(id.0 as usize)
                .map(|v| {
                    v.iter()
                        .map(|s| self.symbols.name(*s).to_string())
                        .collect()
                })
                .unwrap_or_default();
        }
        self.names.define(definition);
    }

    pub(super) fn type_name_pub(&self, ty: &Ty) -> String {
        match ty {
            Ty::Enum(_) => "enum".into(),
            other => other.describe(),
        }
    }
}

fn base_ty(b: BaseType) -> Ty {
    match b {
        BaseType::Text => Ty::Text,
        BaseType::Int => Ty::Int,
        BaseType::Decimal => Ty::Decimal,
        BaseType::Money => Ty::Money,
        BaseType::Rate => Ty::Rate,
        BaseType::Bool => Ty::Bool,
        BaseType::Date => Ty::Date,
    }
}

/// Adds a dotted path to the tree; false when it clashes with another path.
fn insert_path(tree: &mut PathTree, path: &str, id: FieldId) -> bool {
    let mut node = tree;
    let segments: Vec<&str> = path.split('.').collect();
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    for seg in parents {
        let pos = node.entries.iter().position(|(k, _)| &**k == *seg);
        let pos = match pos {
            Some(p) => p,
            None => {
                node.entries
                    .push((Arc::from(*seg), PathEntry::Node(PathTree::default())));
                node.entries.len() - 1
            }
        };
        match node.entries.get_mut(pos) {
            Some((_, PathEntry::Node(child))) => node = child,
            _ => return false,
        }
    }
    if node.get(last).is_some() {
        return false;
    }
    node.entries.push((Arc::from(*last), PathEntry::Leaf(id)));
    true
}
