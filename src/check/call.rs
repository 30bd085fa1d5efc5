//! Calls of built-in functions: arity, calendars and argument types, by
//! each function's row of the table in `builtins`.

use super::{Checker, Scope};
use crate::ast::{self, ExprKind};
use crate::builtins::{self, Builtin, Params};
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::{CalendarId, ExprId, Node};
use crate::names::{Kind, Symbol};
use crate::suggest::did_you_mean;
use crate::types::{self, Ty};

impl Checker<'_> {
    /// `name(args)`: a built-in function, typed by its row of the table.
    pub(super) fn check_call(
        &mut self,
        function: &ast::Name,
        args: &[ast::Expr],
        span: crate::span::Span,
        scope: &Scope,
    ) -> (ExprId, Ty) {
        let name = function.text.as_str();
        let Some(spec) = builtins::lookup(name) else {
            self.report_unknown_function(function);
            return self.poison(span);
        };
        self.names
            .refer(Symbol::global(Kind::Function, name), function.span);
        if !spec.takes(args.len()) {
            self.report(
                Diagnostic::error(
                    Code::WrongArity,
                    span,
                    format!(
                        "`{name}` does not take {} argument{}",
                        args.len(),
                        if args.len() == 1 { "" } else { "s" }
                    ),
                )
                .with_help(format!("write `{}`", spec.signature)),
            );
            return self.poison(span);
        }
        if spec.params == Params::FieldAndFallback {
            return self.check_if_absent(args, span, scope);
        }
        let Some((calendar, ids, tys)) = self.check_call_args(spec, args, scope) else {
            return self.poison(span);
        };
        let Some(result) = self.check_call_types(spec, &tys, calendar, span) else {
            return self.poison(span);
        };
        let node = Node::Call {
            builtin: spec.builtin,
            calendar,
            args: ids,
        };
        (self.push_expr(node, span, result.clone()), result)
    }

    fn report_unknown_function(&mut self, function: &ast::Name) {
        let name = function.text.as_str();
        let names = || builtins::BUILTINS.iter().map(|s| s.name);
        let d = Diagnostic::error(
            Code::UnknownFunction,
            function.span,
            format!("unknown function `{name}`"),
        );
        let d = match did_you_mean(name, names()) {
            Some(s) => d.with_suggestion(s),
            None => d.with_help(format!(
                "the functions are {}",
                names().collect::<Vec<_>>().join(", ")
            )),
        };
        self.report(d);
    }

    /// Checks a call's arguments: the calendar it names (only where the
    /// table allows one), and each other argument's node and type.
    #[expect(
        clippy::type_complexity,
        reason = "the three parts of a call's arguments"
    )]
    fn check_call_args(
        &mut self,
        spec: &builtins::Spec,
        args: &[ast::Expr],
        scope: &Scope,
    ) -> Option<(
        Option<CalendarId>,
        Vec<ExprId>,
        Vec<(Ty, crate::span::Span)>,
    )> {
        let takes_calendar = spec.params == Params::DateAndDays { calendar: true };
        let mut calendar = None;
        let mut ids = Vec::new();
        let mut tys = Vec::new();
        for arg in args {
            if let ExprKind::CalendarRef(cal) = &arg.kind {
                if !takes_calendar {
                    self.report(Diagnostic::error(
                        Code::TypeMismatch,
                        arg.span,
                        format!("`{}` takes no calendar", spec.name),
                    ));
                    return None;
                }
                calendar = Some(self.check_calendar_ref(cal)?);
                continue;
            }
            let (id, ty) = self.check_expr(arg, scope, None);
            ids.push(id);
            tys.push((ty, arg.span));
        }
        Some((calendar, ids, tys))
    }

    /// `calendar cn-2026` in a call: a declared calendar.
    fn check_calendar_ref(&mut self, cal: &ast::Name) -> Option<CalendarId> {
        if let Some(id) = self.calendar_index.get(&cal.text).copied() {
            self.names
                .refer(Symbol::global(Kind::Calendar, &cal.text), cal.span);
            let user = match self.current_ruleset.as_str() {
                "" => "schema",
                rs => rs,
            };
            if let Some(c) = self.calendars.get_mut(id.index()) {
                if !c.used_by.iter().any(|u| u == user) {
                    c.used_by.push(user.to_string());
                }
            }
            return Some(id);
        }
        let mut names: Vec<String> = self.calendar_index.keys().cloned().collect();
        names.sort();
        let d = Diagnostic::error(
            Code::UnknownCalendar,
            cal.span,
            format!("unknown calendar `{}`", cal.text),
        );
        let d = match did_you_mean(&cal.text, names.iter().map(String::as_str)) {
            Some(s) => d.with_suggestion(s),
            None if names.is_empty() => d.with_help("declare it with `calendar <name> { ... }`"),
            None => d.with_help(format!("declared calendars: {}", names.join(", "))),
        };
        self.report(d);
        None
    }

    /// The type a call gives, from its arguments' types and its row's
    /// `Params`; `None` after reporting an argument of the wrong type.
    fn check_call_types(
        &mut self,
        spec: &builtins::Spec,
        tys: &[(Ty, crate::span::Span)],
        calendar: Option<CalendarId>,
        span: crate::span::Span,
    ) -> Option<Ty> {
        let mismatch = |this: &mut Self, at: crate::span::Span, want: &str, got: &Ty| {
            let got = this.type_name(got);
            this.report(
                Diagnostic::error(
                    Code::TypeMismatch,
                    at,
                    format!("`{}` expects {want} here, found {got}", spec.name),
                )
                .with_help(format!("write `{}`", spec.signature)),
            );
        };
        let ty_at = |i: usize| tys.get(i).cloned().unwrap_or((Ty::Error, span));
        match spec.params {
            Params::Alike => {
                let mut acc = ty_at(0).0;
                for (t, at) in tys.iter().skip(1) {
                    match types::unify(&acc, t) {
                        Some(u)
                            if u.is_numeric() || matches!(u, Ty::Date | Ty::Days | Ty::Error) =>
                        {
                            acc = u
                        }
                        _ => {
                            let want = format!("a value like the first ({})", self.type_name(&acc));
                            mismatch(self, *at, &want, t);
                            return None;
                        }
                    }
                }
                Some(acc)
            }
            Params::Numbers => {
                for (t, at) in tys {
                    if !t.is_numeric() && *t != Ty::Error {
                        mismatch(self, *at, "a number", t);
                        return None;
                    }
                }
                Some(ty_at(0).0)
            }
            Params::TwoDates => {
                for (t, at) in tys {
                    if !matches!(t, Ty::Date | Ty::Error) {
                        mismatch(self, *at, "a date", t);
                        return None;
                    }
                }
                Some(Ty::Int)
            }
            Params::DateAndDays { calendar: needs } => {
                let (t0, at0) = ty_at(0);
                let (t1, at1) = ty_at(1);
                if !matches!(t0, Ty::Date | Ty::Error) {
                    mismatch(self, at0, "a date", &t0);
                    return None;
                }
                if !matches!(t1, Ty::Int | Ty::Number | Ty::Days | Ty::Error) {
                    mismatch(self, at1, "a whole number of days", &t1);
                    return None;
                }
                if needs && calendar.is_none() {
                    self.report(
                        Diagnostic::error(
                            Code::WrongArity,
                            span,
                            format!("`{}` needs a calendar", spec.name),
                        )
                        .with_help(format!("write `{}`", spec.signature)),
                    );
                    return None;
                }
                Some(Ty::Date)
            }
            Params::FieldAndFallback => None,
        }
    }

    fn check_if_absent(
        &mut self,
        args: &[ast::Expr],
        span: crate::span::Span,
        scope: &Scope,
    ) -> (ExprId, Ty) {
        let [first, fallback] = args else {
            return self.poison(span);
        };
        let ExprKind::Path(name) = &first.kind else {
            self.report(Diagnostic::error(
                Code::TypeMismatch,
                first.span,
                "`if_absent` takes an optional field first",
            ));
            return self.poison(span);
        };
        let Some(field) = self.lookup_field(&name.text) else {
            self.report_unknown_name(name, scope.placeholder);
            return self.poison(span);
        };
        let ty = self
            .fields
            .get(field.index())
            .map_or(Ty::Error, |f| f.ty.clone());
        let a = self.push_expr(Node::Field(field), first.span, ty.clone());
        let (b, bt) = self.check_expr(fallback, scope, Some(&ty));
        let Some(result) = types::unify(&ty, &bt) else {
            self.report(Diagnostic::error(
                Code::TypeMismatch,
                fallback.span,
                format!(
                    "the fallback must be {}, found {}",
                    self.type_name(&ty),
                    self.type_name(&bt)
                ),
            ));
            return self.poison(span);
        };
        (
            self.push_expr(
                Node::Call {
                    builtin: Builtin::IfAbsent,
                    calendar: None,
                    args: vec![a, b],
                },
                span,
                result.clone(),
            ),
            result,
        )
    }
}
