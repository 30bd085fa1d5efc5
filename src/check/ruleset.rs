//! Rulesets: outcomes, outputs, guard, lets, rules and their clauses.

use std::collections::HashMap;
use std::sync::Arc;

use crate::ast::{self, Condition, GroupKind, RulesetItem};
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::{Assign, Clause, Cond, CondId, CondKind, LetDef, LetId, Output, Rule, Ruleset};
use crate::names::{Definition, Kind, Symbol};
use crate::suggest::did_you_mean;
use crate::types::{self, Ty};

use super::{Checker, Scope};

const MAX_LETS: usize = 256;

/// Names a clause can refer to, gathered before any rule is checked.
struct RulesetNames {
    outcomes: Vec<Arc<str>>,
    /// The label of each outcome (`increase "提额"`), by index.
    outcome_labels: Vec<Option<Arc<str>>>,
    outputs: Vec<Output>,
    rules: HashMap<String, usize>,
}

impl Checker<'_> {
    pub(super) fn check_ruleset(&mut self, rs: &ast::Ruleset) -> Ruleset {
        self.current_lets.clear();
        self.current_ruleset.clone_from(&rs.name.text);
        let names = self.collect_names(rs);
        let (base, guard, requirements) = self.check_ruleset_guard(rs, &names);
        for item in &rs.items {
            if let RulesetItem::Let(l) = item {
                self.check_let(l, &base);
            }
        }
        let (rules, default) = self.check_ruleset_rules(rs, &names, &base);
        Ruleset {
            name: Arc::from(rs.name.text.as_str()),
            title: rs.title.as_ref().map(template_text),
            outcomes: names.outcomes,
            outcome_labels: names.outcome_labels,
            outputs: names.outputs,
            guard,
            requirements,
            rules,
            default,
        }
    }

    /// `applies when` and the ruleset's `require`s, and the scope of facts
    /// they prove for every rule.
    fn check_ruleset_guard(
        &mut self,
        rs: &ast::Ruleset,
        names: &RulesetNames,
    ) -> (
        Scope,
        Option<(crate::ir::ExprId, Clause)>,
        Vec<crate::ir::Requirement>,
    ) {
        let mut base = Scope::default();
        let mut guard = None;
        let mut requirements = Vec::new();
        for item in &rs.items {
            match item {
                RulesetItem::Applies(a) => {
                    if guard.is_some() {
                        self.report(Diagnostic::error(
                            Code::Duplicate,
                            a.span,
                            "a ruleset has one `applies when`",
                        ));
                        continue;
                    }
                    let cond = self.check_bool(&a.when, &Scope::default());
                    // Outputs do not apply when the ruleset does not: not required here.
                    let clause = self.check_clause(&a.otherwise, names, &Scope::default(), false);
                    base = base.with(&self.facts(&a.when, true));
                    guard = Some((cond, clause));
                }
                RulesetItem::Require(r) => {
                    let req = self.check_requirement(r, &base);
                    base = base.with(&self.facts(&r.expr, true));
                    requirements.push(req);
                }
                _ => {}
            }
        }
        (base, guard, requirements)
    }

    /// The rules in order and the `otherwise`: no duplicate, none after a
    /// rule that always decides, and something decides every record.
    fn check_ruleset_rules(
        &mut self,
        rs: &ast::Ruleset,
        names: &RulesetNames,
        base: &Scope,
    ) -> (Vec<crate::ir::Rule>, Option<Clause>) {
        let mut rules = Vec::new();
        let mut default = None;
        let mut total_at: Option<String> = None;
        let mut seen_rules: HashMap<String, crate::span::Span> = HashMap::new();
        for item in &rs.items {
            match item {
                RulesetItem::Rule(rule) => {
                    self.check_rule_place(rs, rule, total_at.as_deref(), &mut seen_rules);
                    if rule.scope.is_none()
                        && (rule.otherwise.is_some() || is_always_true(&rule.when))
                        && total_at.is_none()
                    {
                        total_at = Some(rule.name.text.clone());
                    }
                    rules.push(self.check_rule(rule, names, base));
                }
                RulesetItem::Otherwise(clause) => {
                    if default.is_some() {
                        self.report(Diagnostic::error(
                            Code::Duplicate,
                            clause.span,
                            "a ruleset has one `otherwise`",
                        ));
                        continue;
                    }
                    if let Some(name) = &total_at {
                        self.report(
                            Diagnostic::error(Code::UnreachableRule, clause.outcome.span, "`otherwise` can never be reached")
                                .with_help(format!("rule `{name}` always decides; delete `otherwise` or give that rule a `for` scope")),
                        );
                    }
                    default = Some(self.check_clause(clause, names, base, true));
                }
                _ => {}
            }
        }
        if default.is_none() && total_at.is_none() {
            self.report(
                Diagnostic::error(
                    Code::NoDefault,
                    rs.name.span,
                    format!("ruleset `{}` may decide nothing", rs.name.text),
                )
                .with_help("end it with `otherwise <outcome>`, or give its last rule an `else`"),
            );
        }
        (rules, default)
    }

    /// A rule after one that always decides is unreachable; a rule name
    /// is used once per ruleset.
    fn check_rule_place(
        &mut self,
        rs: &ast::Ruleset,
        rule: &ast::Rule,
        total_at: Option<&str>,
        seen_rules: &mut HashMap<String, crate::span::Span>,
    ) {
        if let Some(name) = total_at {
            self.report(
                Diagnostic::error(
                    Code::UnreachableRule,
                    rule.name.span,
                    format!("rule `{}` can never be reached", rule.name.text),
                )
                .with_help(format!(
                    "rule `{name}` before it always decides; move this rule above it or delete it"
                )),
            );
        }
        if let Some(first) = seen_rules.get(&rule.name.text).copied() {
            let at = self.describe_location(first);
            self.report(
                Diagnostic::error(
                    Code::DuplicateRule,
                    rule.name.span,
                    format!(
                        "rule `{}` is declared twice in ruleset `{}`",
                        rule.name.text, rs.name.text
                    ),
                )
                .with_help(format!("rename one of them; the first is at {at}"))
                .with_related(first, "the first declaration"),
            );
        }
        seen_rules.insert(rule.name.text.clone(), rule.name.span);
    }

    fn collect_names(&mut self, rs: &ast::Ruleset) -> RulesetNames {
        let mut outcomes: Vec<Arc<str>> = Vec::new();
        let mut outcome_labels: Vec<Option<Arc<str>>> = Vec::new();
        let mut outputs: Vec<Output> = Vec::new();
        let mut declared_outcomes = false;
        for item in &rs.items {
            match item {
                RulesetItem::Outcomes(list) => {
                    declared_outcomes = true;
                    for value in list {
                        let name = &value.name;
                        if outcomes.iter().any(|o| **o == *name.text) {
                            self.report(Diagnostic::error(
                                Code::Duplicate,
                                name.span,
                                format!("outcome `{}` is listed twice", name.text),
                            ));
                        } else {
                            let symbol = Symbol::local(Kind::Outcome, &name.text, &rs.name.text);
                            self.names
                                .define(Definition::new(symbol, name.span, name.span));
                            outcomes.push(Arc::from(name.text.as_str()));
                            let label = value.label.as_ref().and_then(|t| self.plain_label(t));
                            outcome_labels.push(label);
                        }
                    }
                }
                RulesetItem::Output(decl) => {
                    if outputs.iter().any(|o| *o.name == *decl.name.text)
                        || matches!(decl.name.text.as_str(), "outcome" | "rule" | "reasons")
                    {
                        self.report(
                            Diagnostic::error(
                                Code::Duplicate,
                                decl.name.span,
                                format!("output `{}` is declared twice", decl.name.text),
                            )
                            .with_help(
                                "`outcome`, `rule` and `reasons` are always part of a decision",
                            ),
                        );
                        continue;
                    }
                    let ty = self.declared_type(&decl.ty);
                    // An output's default is its value when the deciding
                    // clause does not set it, optional or not.
                    let (constraints, default) = self.check_field_options(&decl.options, &ty, true);
                    if !constraints.is_empty() {
                        self.report(Diagnostic::error(
                            Code::TypeMismatch,
                            decl.span,
                            "outputs take no constraints, only a `default`",
                        ));
                    }
                    // Lists default to empty.
                    let default = default.or_else(|| match ty {
                        Ty::List(_) => Some(crate::value::Value::List(Arc::from(Vec::new()))),
                        _ => None,
                    });
                    let ruleset = Some(rs.name.text.as_str());
                    self.define_typed(Kind::Output, &decl.name, decl.span, &ty, ruleset);
                    outputs.push(Output {
                        name: Arc::from(decl.name.text.as_str()),
                        ty,
                        optional: decl.ty.optional,
                        default,
                        label: decl.label.as_ref().and_then(|t| self.plain_label(t)),
                    });
                }
                _ => {}
            }
        }
        if !declared_outcomes {
            self.report(
                Diagnostic::error(
                    Code::UnknownOutcome,
                    rs.name.span,
                    format!("ruleset `{}` declares no outcomes", rs.name.text),
                )
                .with_help("list them: `outcomes approve, deny`"),
            );
        }
        // Rule indexes follow declaration order, duplicates keeping the first.
        let mut index = 0;
        let mut rules_by_position = HashMap::new();
        for item in &rs.items {
            if let RulesetItem::Rule(r) = item {
                let symbol = Symbol::local(Kind::Rule, &r.name.text, &rs.name.text);
                self.names
                    .define(Definition::new(symbol, r.name.span, r.span));
                rules_by_position
                    .entry(r.name.text.clone())
                    .or_insert(index);
                index += 1;
            }
        }
        RulesetNames {
            outcomes,
            outcome_labels,
            outputs,
            rules: rules_by_position,
        }
    }

    fn check_let(&mut self, l: &ast::Let, base: &Scope) {
        // Each `let` may use the ones before it; evaluation follows that
        // chain recursively, so its length is bounded.
        if self.current_lets.len() >= MAX_LETS {
            self.report(
                Diagnostic::error(
                    Code::TooDeep,
                    l.name.span,
                    format!("more than {MAX_LETS} `let` bindings in one ruleset"),
                )
                .with_help("split the ruleset"),
            );
            return;
        }
        if self.current_lets.contains_key(&l.name.text) {
            let d = Diagnostic::error(
                Code::Duplicate,
                l.name.span,
                format!("`{}` is bound twice", l.name.text),
            );
            let first = Symbol::local(Kind::Let, &l.name.text, &self.current_ruleset);
            let d = self.and_first(d, &first);
            self.report(d);
            return;
        }
        if self.lookup_field(&l.name.text).is_some() {
            self.report(
                Diagnostic::error(
                    Code::Duplicate,
                    l.name.span,
                    format!("`{}` is already a field", l.name.text),
                )
                .with_help("choose another name for the binding"),
            );
            return;
        }
        let (value, ty) = self.check_expr(&l.value, base, None);
        let ruleset = self.current_ruleset.clone();
        self.define_typed(Kind::Let, &l.name, l.span, &ty, Some(&ruleset));
        self.lets.push(LetDef { value });
        let id = LetId::from_index(self.lets.len() - 1);
        self.current_lets.insert(l.name.text.clone(), (id, ty));
    }

    fn check_rule(&mut self, rule: &ast::Rule, names: &RulesetNames, base: &Scope) -> Rule {
        let (scope_id, scoped) = match &rule.scope {
            Some(e) => {
                let id = self.check_bool(e, base);
                (Some(id), base.with(&self.facts(e, true)))
            }
            None => (None, base.clone()),
        };
        let when = self.check_condition(&rule.when, &scoped);
        self.check_cond_texts(when, &rule.when, &rule.when_texts, &scoped);
        let then_scope = scoped.with(&self.condition_facts(&rule.when, true));
        let then = self.check_clause(&rule.then, names, &then_scope, true);
        let else_scope = scoped.with(&self.condition_facts(&rule.when, false));
        let otherwise = rule
            .otherwise
            .as_ref()
            .map(|c| self.check_clause(c, names, &else_scope, true));
        Rule {
            name: Arc::from(rule.name.text.as_str()),
            title: rule.title.as_ref().map(template_text),
            scope: scope_id,
            when,
            then,
            otherwise,
        }
    }

    /// Facts proved when a condition has the given truth value.
    fn condition_facts(&self, c: &Condition, when: bool) -> Vec<crate::ir::FieldId> {
        match c {
            Condition::Expr(e) => self.facts(e, when),
            Condition::Group(g) => match (g.kind, when) {
                (GroupKind::All, true) | (GroupKind::Any, false) => g
                    .items
                    .iter()
                    .flat_map(|i| self.condition_facts(&i.condition, when))
                    .collect(),
                _ => Vec::new(),
            },
        }
    }

    fn check_condition(&mut self, c: &Condition, scope: &Scope) -> CondId {
        match c {
            Condition::Expr(e) => {
                let id = self.check_bool(e, scope);
                self.push_cond(Cond {
                    kind: CondKind::Leaf(id),
                    met: None,
                    unmet: None,
                    span: e.span,
                })
            }
            Condition::Group(g) => self.check_group(g, scope),
        }
    }

    /// Items of `all of` see what earlier items proved true; items of
    /// `any of` see what earlier items proved false.
    fn check_group(&mut self, g: &ast::Group, scope: &Scope) -> CondId {
        let all = g.kind == GroupKind::All;
        let mut item_scope = scope.clone();
        let mut items = Vec::new();
        for item in &g.items {
            let id = self.check_condition(&item.condition, &item_scope);
            let texts = ast::CondTexts {
                because: item.because.clone(),
                unmet: item.unmet.clone(),
            };
            self.check_cond_texts(id, &item.condition, &texts, &item_scope);
            item_scope = item_scope.with(&self.condition_facts(&item.condition, all));
            items.push(id);
        }
        let kind = if all {
            CondKind::All(items)
        } else {
            CondKind::Any(items)
        };
        self.push_cond(Cond {
            kind,
            met: None,
            unmet: None,
            span: g.span,
        })
    }

    /// A condition's `because` (checked where it holds) and `else` (where
    /// it fails), attached to its compiled form.
    fn check_cond_texts(
        &mut self,
        id: CondId,
        c: &Condition,
        texts: &ast::CondTexts,
        scope: &Scope,
    ) {
        let required = match self.conds.get(id.index()).map(|c| &c.kind) {
            Some(CondKind::Leaf(e)) => self.required_of(*e),
            _ => Self::required_of_group(),
        };
        let mut met_scope = scope.with(&self.condition_facts(c, true));
        met_scope.required = Some(required.clone());
        let met = texts
            .because
            .as_ref()
            .map(|t| self.check_reason(t, &met_scope));
        let mut unmet_scope = scope.with(&self.condition_facts(c, false));
        unmet_scope.required = Some(required);
        let unmet = texts
            .unmet
            .as_ref()
            .map(|t| self.check_reason(t, &unmet_scope));
        if let Some(cond) = self.conds.get_mut(id.index()) {
            cond.met = met;
            cond.unmet = unmet;
        }
    }

    /// An outcome with its outputs. `require_outputs` is false only for the
    /// guard's `else`, where the ruleset does not apply.
    fn check_clause(
        &mut self,
        clause: &ast::OutcomeClause,
        names: &RulesetNames,
        scope: &Scope,
        require_outputs: bool,
    ) -> Clause {
        let outcome = self.check_clause_outcome(&clause.outcome, names);
        let mut assignments: Vec<Assign> = Vec::new();
        for a in &clause.assignments {
            if let Some(assign) = self.check_assignment(a, &assignments, names, scope) {
                assignments.push(assign);
            }
        }
        if require_outputs {
            self.check_outputs_set(clause, &assignments, names);
        }
        let explain_unmet = clause
            .explain_unmet
            .as_ref()
            .and_then(|name| self.check_explain_unmet(name, names));
        let because = clause.because.as_ref().map(|t| self.check_reason(t, scope));
        let because_when = clause
            .because_when
            .as_ref()
            .map(|e| self.check_bool(e, scope));
        Clause {
            outcome,
            assignments,
            explain_unmet,
            because,
            because_when,
        }
    }

    /// The outcome a clause names: one of the ruleset's `outcomes`.
    fn check_clause_outcome(&mut self, outcome: &ast::Name, names: &RulesetNames) -> usize {
        if let Some(i) = names.outcomes.iter().position(|o| **o == *outcome.text) {
            let symbol = Symbol::local(Kind::Outcome, &outcome.text, &self.current_ruleset);
            self.names.refer(symbol, outcome.span);
            return i;
        }
        if names.outcomes.is_empty() {
            return 0;
        }
        let d = Diagnostic::error(
            Code::UnknownOutcome,
            outcome.span,
            format!("`{}` is not one of the ruleset's outcomes", outcome.text),
        );
        let known = || names.outcomes.iter().map(|o| &**o);
        let d = match did_you_mean(&outcome.text, known()) {
            Some(s) => d.with_suggestion(s),
            None => d.with_help(format!(
                "add it to `outcomes`, or use one of {}",
                known().collect::<Vec<_>>().join(", ")
            )),
        };
        self.report(d);
        0
    }

    /// `output = value [when condition]`: a declared output, set once, to a
    /// value of its type (money in whole cents when it is a constant).
    fn check_assignment(
        &mut self,
        a: &ast::Assignment,
        earlier: &[Assign],
        names: &RulesetNames,
        scope: &Scope,
    ) -> Option<Assign> {
        let Some(index) = names.outputs.iter().position(|o| *o.name == *a.output.text) else {
            let d = Diagnostic::error(
                Code::UnknownOutput,
                a.output.span,
                format!("unknown output `{}`", a.output.text),
            );
            let d = match did_you_mean(&a.output.text, names.outputs.iter().map(|o| &*o.name)) {
                Some(s) => d.with_suggestion(s),
                None => d.with_help(format!("declare it with `output {} <type>`", a.output.text)),
            };
            self.report(d);
            return None;
        };
        let symbol = Symbol::local(Kind::Output, &a.output.text, &self.current_ruleset);
        self.names.refer(symbol, a.output.span);
        if earlier.iter().any(|x| x.output == index) {
            self.report(Diagnostic::error(
                Code::Duplicate,
                a.output.span,
                format!("`{}` is assigned twice", a.output.text),
            ));
            return None;
        }
        let output_ty = names.outputs.get(index).map(|o| o.ty.clone())?;
        let (when, value_scope) = match &a.when {
            Some(w) => (
                Some(self.check_bool(w, scope)),
                scope.with(&self.facts(w, true)),
            ),
            None => (None, scope.clone()),
        };
        let (value, ty) = self.check_expr(&a.value, &value_scope, Some(&output_ty));
        if output_ty == Ty::Money {
            self.check_whole_cents(a, value);
        }
        if !types::assignable(&ty, &output_ty) {
            let want = self.type_name_pub(&output_ty);
            let got = self.type_name_pub(&ty);
            self.report(Diagnostic::error(
                Code::TypeMismatch,
                a.value.span,
                format!("`{}` is {want}, but this value is {got}", a.output.text),
            ));
        }
        Some(Assign {
            output: index,
            value,
            when,
        })
    }

    /// A money output set to a constant must be whole cents.
    fn check_whole_cents(&mut self, a: &ast::Assignment, value: crate::ir::ExprId) {
        if let Some(Ok(d)) = self.const_number(value) {
            if !crate::decimal::fits_places(d, 2) {
                self.report(
                    Diagnostic::error(
                        Code::InvalidLiteral,
                        a.value.span,
                        format!(
                            "`{}` is money, but {} has more than two decimals (cents)",
                            a.output.text,
                            d.normalize()
                        ),
                    )
                    .with_help("write whole cents, or round with `round_cents(...)`"),
                );
            }
        }
    }

    /// Every output that is neither optional nor defaulted is set.
    fn check_outputs_set(
        &mut self,
        clause: &ast::OutcomeClause,
        assignments: &[Assign],
        names: &RulesetNames,
    ) {
        for (i, output) in names.outputs.iter().enumerate() {
            if output.optional || output.default.is_some() {
                continue;
            }
            let assigned = assignments
                .iter()
                .any(|a| a.output == i && a.when.is_none());
            if !assigned {
                self.report(
                    Diagnostic::error(
                        Code::MissingOutput,
                        clause.outcome.span,
                        format!(
                            "outcome `{}` does not set output `{}`",
                            clause.outcome.text, output.name
                        ),
                    )
                    .with_help(format!(
                        "add `, {} = ...`, or declare the output `optional` or with a `default`",
                        output.name
                    )),
                );
            }
        }
    }

    /// `explain unmet conditions of <rule>`: a rule of this ruleset.
    fn check_explain_unmet(&mut self, name: &ast::Name, names: &RulesetNames) -> Option<usize> {
        if let Some(i) = names.rules.get(&name.text).copied() {
            let symbol = Symbol::local(Kind::Rule, &name.text, &self.current_ruleset);
            self.names.refer(symbol, name.span);
            return Some(i);
        }
        let mut d = Diagnostic::error(
            Code::UnknownRule,
            name.span,
            format!("no rule `{}` in this ruleset", name.text),
        );
        if let Some(s) = did_you_mean(&name.text, names.rules.keys().map(String::as_str)) {
            d = d.with_suggestion(s);
        }
        self.report(d);
        None
    }
}

fn is_always_true(c: &Condition) -> bool {
    matches!(
        c,
        Condition::Expr(ast::Expr {
            kind: ast::ExprKind::Literal(ast::Literal {
                value: ast::LitValue::Bool(true),
                ..
            }),
            ..
        })
    )
}

impl Checker<'_> {
    /// A label a merchant reads (`increase "提额"`, `output fee "手续费"`):
    /// plain, non-empty text.
    fn plain_label(&mut self, t: &ast::Template) -> Option<Arc<str>> {
        if let Some(e) = t.parts.iter().find_map(|p| match p {
            ast::TemplatePart::Expr(e) => Some(e),
            ast::TemplatePart::Text(_) => None,
        }) {
            self.report(
                Diagnostic::error(Code::EnumLabel, e.span, "a label is plain text")
                    .with_help("write `\\{` for a literal brace"),
            );
            return None;
        }
        let text = template_text(t);
        if text.trim().is_empty() {
            self.report(Diagnostic::error(
                Code::EnumLabel,
                t.span,
                "a label is not empty",
            ));
            return None;
        }
        Some(text)
    }
}

/// A title: its text parts (titles have no placeholders worth evaluating).
fn template_text(t: &ast::Template) -> Arc<str> {
    let text: String = t
        .parts
        .iter()
        .filter_map(|p| match p {
            ast::TemplatePart::Text(s) => Some(s.as_str()),
            ast::TemplatePart::Expr(_) => None,
        })
        .collect();
    Arc::from(text.as_str())
}
