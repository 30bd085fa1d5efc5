//! The report of a mutation run: counts, then every survivor with its
//! place and change, then the equivalent and rejected mutants, then, when
//! a budget cut the run, how many mutants were not run and where they are.

use std::fmt::Write as _;
use std::time::Duration;

use super::run::Verdict;
use super::Mutant;
use crate::span::{FileId, SourceMap};

/// Picks a section's verdicts, with what to say after each.
type Pick = fn(&Verdict) -> Option<&str>;

/// Every mutant with its verdict, and how long judging them took.
#[derive(Debug)]
pub(crate) struct Report {
    pub(crate) results: Vec<(Mutant, Verdict)>,
    pub(crate) elapsed: Duration,
    pub(crate) sources: SourceMap,
    /// The flags of the budget, named when it left mutants out.
    pub(crate) budget_flags: &'static str,
}

impl Report {
    /// Mutants no case killed (equivalent ones excepted).
    pub(crate) fn survivors(&self) -> usize {
        self.count(|v| *v == Verdict::Survived)
    }

    /// Mutants of a literal that a text spells out: with the mutant, the
    /// text says the old value (run or not, whatever their verdict).
    pub(crate) fn texts_not_followed(&self) -> usize {
        self.results
            .iter()
            .filter(|(m, _)| m.stale_text.is_some())
            .count()
    }

    /// Mutants the budget left out: the run does not show the cases pin
    /// what they change.
    pub(crate) fn not_run(&self) -> usize {
        self.count(|v| *v == Verdict::NotRun)
    }

    fn count(&self, f: impl Fn(&Verdict) -> bool) -> usize {
        self.results.iter().filter(|(_, v)| f(v)).count()
    }

    /// The report for people.
    pub(crate) fn render(&self) -> String {
        let killed = self.count(|v| matches!(v, Verdict::Killed { .. }));
        let equivalent = self.count(|v| matches!(v, Verdict::Equivalent(_)));
        let rejected = self.count(|v| matches!(v, Verdict::Rejected(_)));
        let ms = self.elapsed.as_millis();
        // Counted only when there are some: a policy whose texts show
        // their thresholds with `{required}` has none.
        let stale = match self.texts_not_followed() {
            0 => String::new(),
            n => format!("{n} text did not follow, "),
        };
        let mut out = format!(
            "mutation testing: {} mutants: {killed} killed, {} survived, {equivalent} equivalent, {stale}{rejected} rejected by check ({}.{:02} s)\n",
            self.results.len(),
            self.survivors(),
            ms / 1000,
            ms % 1000 / 10,
        );
        let sections: [(&str, Pick); 3] = [
            (
                "survived: no case tells these mutants from the policy; add a case that pins each",
                |v| (*v == Verdict::Survived).then_some(""),
            ),
            ("equivalent: they cannot change any decision", |v| match v {
                Verdict::Equivalent(why) => Some(why),
                _ => None,
            }),
            ("rejected by check, not run", |v| match v {
                Verdict::Rejected(why) => Some(why),
                _ => None,
            }),
        ];
        let not_run = self.not_run();
        if not_run > 0 {
            let _ = writeln!(
                out,
                "incomplete: {not_run} of {} mutants were not run: the budget ({}) was spent; \
                 they are listed by place at the end",
                self.results.len(),
                self.budget_flags,
            );
        }
        let stale: Vec<String> = self
            .results
            .iter()
            .filter_map(|(m, _)| {
                let said = m.stale_text.as_ref()?;
                Some(self.line(m, &format!("its text still says `{said}`")))
            })
            .collect();
        if !stale.is_empty() {
            let _ = writeln!(
                out,
                "\ntext did not follow: a text spells out the value these mutants change; write \
                 `{{required}}` in it instead:"
            );
            for line in stale {
                let _ = writeln!(out, "  {line}");
            }
        }
        for (title, pick) in sections {
            let lines: Vec<String> = self
                .results
                .iter()
                .filter_map(|(m, v)| pick(v).map(|why| self.line(m, why)))
                .collect();
            if lines.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n{title}:");
            for line in lines {
                let _ = writeln!(out, "  {line}");
            }
        }
        if not_run > 0 {
            let _ = writeln!(
                out,
                "\nnot run ({}), by rule: raise the budget or drop it to judge them:",
                self.budget_flags
            );
            for line in self.not_run_places() {
                let _ = writeln!(out, "  {line}");
            }
        }
        out
    }

    /// `rules/x.vk  grade.good  (3 mutants)`, per file and item with
    /// mutants not run, in reading order.
    fn not_run_places(&self) -> Vec<String> {
        let mut places: Vec<(FileId, &str, usize)> = Vec::new();
        for (m, _) in self.results.iter().filter(|(_, v)| *v == Verdict::NotRun) {
            match places.last_mut() {
                Some((file, place, n)) if *file == m.at.file && *place == m.place => *n += 1,
                _ => places.push((m.at.file, &m.place, 1)),
            }
        }
        places
            .into_iter()
            .map(|(file, place, n)| {
                let name = self.sources.get(file).map_or("?", |s| s.name.as_str());
                let s = if n == 1 { "" } else { "s" };
                format!("{name}  {place}  ({n} mutant{s})")
            })
            .collect()
    }

    /// `rules/x.vk:12:40  ruleset.rule  `>=` → `>`  in `rating >= 4.8``.
    fn line(&self, m: &Mutant, why: &str) -> String {
        let place = match self.sources.get(m.at.file) {
            Some(source) => {
                let (line, col) = source.line_col(m.at.start);
                format!("{}:{line}:{col}", source.name)
            }
            None => "?".to_string(),
        };
        let mut line = format!(
            "{place}  {}  `{}` → `{}`  in `{}`",
            m.place, m.before, m.after, m.context
        );
        if !why.is_empty() {
            let _ = write!(line, ": {why}");
        }
        line
    }
}
