//! `verdikt test`: run the policy's own test cases (the project's `cases`,
//! or `<rules>/tests/*.yaml` for a bare rules directory) and compare its
//! example merchants' decisions with the stored ones (the project's
//! `merchants` and `decisions`). Failures and a summary by default, every
//! case and merchant with `-v`.
//!
//! Exit 0 when every case passes and every merchant decides as stored, 1
//! when a case fails, a merchant's decisions changed (or are new, or its
//! file is gone) and were not accepted, or a warning is denied (or, with
//! `--mutate`, when a mutant survives or the budget left mutants out: a
//! cut run does not show that the cases pin every threshold, so it must not
//! pass a CI gate), 2 when the rules or the case files are unusable: then
//! every problem is printed and no case runs, since a suite with broken
//! cases cannot be trusted.

use std::io::{BufRead, IsTerminal as _};
use std::ops::ControlFlow;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::mutate::Budget;

use crate::cases::{CaseResult, Suite};
use crate::coverage::Coverage;
use crate::decision_snapshots::{self as snapshots, Entry, Folders, Status};
use crate::ir::Policy;
use crate::ErrorFormat;

use super::console::Stop;

/// What `verdikt test` does besides running the cases: its flags.
#[derive(Debug, Clone, clap::Args)]
pub(super) struct Options {
    /// Print every case and merchant, and explanation changes, not only
    /// failures and the summary.
    #[arg(short, long)]
    pub(super) verbose: bool,
    /// Run only the cases whose name or file contains NAME, and the
    /// merchants whose file name does.
    #[arg(long, value_name = "NAME", conflicts_with = "mutate")]
    pub(super) filter: Option<String>,
    /// Store the decisions of every changed or new merchant as they are
    /// now, and remove those of merchant files that are gone.
    #[arg(long, conflicts_with_all = ["review", "watch"])]
    pub(super) accept: bool,
    /// Walk the merchants whose decisions changed on the terminal:
    /// accept, reject or skip each.
    #[arg(long, conflicts_with = "watch")]
    pub(super) review: bool,
    /// Exit 1 on warnings too (a ruleset no case asserts on, an outcome
    /// no example merchant gets).
    #[arg(long)]
    pub(super) deny_warnings: bool,
    /// Run again whenever a file of the rule directory changes
    /// (Ctrl-C ends).
    #[arg(long, conflicts_with = "mutate")]
    pub(super) watch: bool,
    /// Report rules and group conditions the cases never exercised.
    #[arg(long)]
    pub(super) coverage: bool,
    /// Also test the cases: nudge every threshold, flip every bound and
    /// swap every `all of`/`any of`, and list each change no case
    /// notices (exit 1 when there is one).
    #[arg(long)]
    pub(super) mutate: bool,
    /// With --mutate: run at most N mutants (the first, in reading
    /// order); the report lists the rest by rule and the run exits 1.
    #[arg(long, value_name = "N", requires = "mutate",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub(super) max_mutants: Option<u64>,
    /// With --mutate: start no mutant after SECS seconds; the report
    /// lists the rest by rule and the run exits 1.
    #[arg(long, value_name = "SECS", requires = "mutate",
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub(super) mutate_time: Option<u64>,
}

impl Options {
    /// The mutation budget the flags set, counted from `now`.
    fn budget(&self, now: Instant) -> Budget {
        Budget {
            max_mutants: self
                .max_mutants
                .map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
            deadline: self
                .mutate_time
                .and_then(|s| now.checked_add(Duration::from_secs(s))),
            flags: match (self.max_mutants, self.mutate_time) {
                (Some(_), Some(_)) => "--max-mutants, --mutate-time",
                (Some(_), None) => "--max-mutants",
                (None, Some(_)) => "--mutate-time",
                (None, None) => "none",
            },
        }
    }
}

/// A bar on stderr while mutants are judged, only when stderr is a
/// terminal: piped or captured output never holds one.
fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    if let Ok(style) =
        ProgressStyle::with_template("mutants {pos}/{len} [{bar:30}] {elapsed} (eta {eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Runs the cases in `tests` against the rules in `dir`, and compares the
/// decisions of the example merchants in `folders`.
pub(super) fn run(
    dir: &Path,
    tests: &Path,
    folders: &Folders,
    options: &Options,
    format: ErrorFormat,
) -> Result<ExitCode, Stop> {
    if options.review && !std::io::stdin().is_terminal() {
        return Err(Stop::Failed(
            "`--review` asks about each change on a terminal, and standard input is not one; \
             in a script, `verdikt test --accept` accepts every change"
                .into(),
        ));
    }
    if options.watch {
        return super::watch::watch(dir, || run_once(dir, tests, folders, options, format));
    }
    run_once(dir, tests, folders, options, format)
}

/// One run: the cases, the merchants, the warnings and the summary.
fn run_once(
    dir: &Path,
    tests: &Path,
    folders: &Folders,
    options: &Options,
    format: ErrorFormat,
) -> Result<ExitCode, Stop> {
    let policy = super::load_policy(dir, format)?;
    let suite = match crate::cases::load_suite(&policy, tests) {
        Ok(suite) => suite,
        Err(errors) => {
            tell_raw!("{}", errors.render(format))?;
            // JSON stays one diagnostic object per line.
            if format == ErrorFormat::Json {
                return Ok(ExitCode::from(2));
            }
            return Err(Stop::Failed(format!(
                "the test cases in `{}` cannot be trusted; no case was run",
                tests.display()
            )));
        }
    };
    let filter = options.filter.as_deref();
    let mut covered = Coverage::default();
    let results = suite.run_matching(&policy, &mut covered, filter);
    let failed = results.iter().filter(|r| !r.passed()).count();
    for r in &results {
        // With --mutate the mutation report is the news.
        if !r.passed() || (options.verbose && !options.mutate) {
            show_case(r)?;
        }
    }
    let merchants = compare_merchants(&policy, folders, options)?;
    if filter.is_some() && results.is_empty() && merchants.total() == 0 {
        return Err(Stop::Failed(format!(
            "no case and no example merchant matches `--filter {}`; \
             it picks cases by a part of their name or file, merchants by a part of their file name",
            filter.unwrap_or_default()
        )));
    }
    let warnings = warn(&policy, &suite, folders, &merchants, options, tests)?;
    if options.coverage {
        let (missing, report) = covered.report(&policy);
        sayln!("\ncoverage:")?;
        for line in report.lines() {
            sayln!("  {line}")?;
        }
        if missing > 0 {
            sayln!("  {missing} rule(s) no case decided")?;
        }
    }
    if merchants.seen.present {
        sayln!("{}", merchants.summary(folders))?;
    }
    sayln!("{} passed, {failed} failed", results.len() - failed)?;
    let denied = options.deny_warnings && warnings > 0;
    if denied {
        sayln!("{warnings} warning(s), denied by --deny-warnings")?;
    }
    let merchants_fail = merchants.pending() > 0;
    if failed > 0 {
        if options.mutate {
            sayln!("mutation testing needs every case to pass first; no mutant was run")?;
        }
        return Ok(ExitCode::from(1));
    }
    if options.mutate {
        let budget = options.budget(Instant::now());
        let report =
            crate::mutate::mutate(dir, &suite, &budget, &progress_bar()).map_err(Stop::Failed)?;
        say!("\n{}", report.render())?;
        if report.survivors() > 0 || report.not_run() > 0 || report.texts_not_followed() > 0 {
            return Ok(ExitCode::from(1));
        }
    }
    Ok(if merchants_fail || denied {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A case's line: `ok` or `FAIL`, its file and line, and for a failure
/// each field's expected and actual value.
fn show_case(r: &CaseResult) -> Result<(), Stop> {
    if r.passed() {
        return sayln!("ok    {}:{}: {}", r.file, r.line, r.name);
    }
    sayln!("FAIL  {}:{}: {}", r.file, r.line, r.name)?;
    for f in &r.failures {
        sayln!("        {f}")?;
    }
    Ok(())
}

/// How the example merchants compared, and what was accepted.
#[derive(Debug, Default)]
struct Merchants {
    seen: snapshots::Seen,
    unchanged: usize,
    changed: usize,
    new: usize,
    orphans: usize,
    accepted: usize,
    rejected: usize,
    skipped: usize,
}

impl Merchants {
    fn total(&self) -> usize {
        self.unchanged + self.changed + self.new + self.orphans
    }

    /// Changes still not stored.
    fn pending(&self) -> usize {
        (self.changed + self.new + self.orphans).saturating_sub(self.accepted)
    }

    fn summary(&self, folders: &Folders) -> String {
        let mut line = format!(
            "merchants: {} unchanged, {} changed, {} new, {} orphaned",
            self.unchanged, self.changed, self.new, self.orphans
        );
        if self.accepted + self.rejected + self.skipped > 0 {
            line.push_str(&format!(
                "; {} accepted, {} rejected, {} skipped",
                self.accepted, self.rejected, self.skipped
            ));
        }
        if self.pending() > 0 {
            line.push_str(&format!(
                "; `verdikt test --review` (or `--accept`) stores their decisions in `{}`",
                folders.decisions.display()
            ));
        }
        line
    }
}

/// What to do with one change, asked with `--review`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Accept,
    Reject,
    Skip,
    Quit,
}

/// Compares every example merchant with its stored decisions, printing
/// each change (every merchant with `-v`), and accepts changes as the
/// options say.
fn compare_merchants(
    policy: &Policy,
    folders: &Folders,
    options: &Options,
) -> Result<Merchants, Stop> {
    let mut m = Merchants::default();
    let mut failure = None;
    let mut quit = false;
    let mut stdin = std::io::stdin().lock();
    let seen = snapshots::compare_each(policy, folders, options.filter.as_deref(), |entry| {
        let step = judge_merchant(&entry, folders, options, &mut m, &mut quit, &mut stdin);
        match step {
            Ok(()) => ControlFlow::Continue(()),
            Err(stop) => {
                failure = Some(stop);
                ControlFlow::Break(())
            }
        }
    });
    if let Some(stop) = failure {
        return Err(stop);
    }
    m.seen = seen.map_err(|e| Stop::Failed(e.to_string()))?;
    Ok(m)
}

fn judge_merchant(
    entry: &Entry,
    folders: &Folders,
    options: &Options,
    m: &mut Merchants,
    quit: &mut bool,
    stdin: &mut impl BufRead,
) -> Result<(), Stop> {
    let merchant = folders.merchants.join(&entry.name);
    let merchant = merchant.display();
    match entry.status {
        Status::Unchanged => {
            m.unchanged += 1;
            if options.verbose {
                sayln!("ok    {merchant}")?;
            }
            return Ok(());
        }
        Status::Changed => {
            m.changed += 1;
            sayln!(
                "CHANGED  {merchant}: its decisions differ from `{}`",
                entry.snap.display()
            )?;
        }
        Status::New => {
            m.new += 1;
            sayln!("NEW   {merchant}: no stored decisions yet")?;
        }
        Status::Orphan => {
            m.orphans += 1;
            sayln!(
                "ORPHAN  {}: its merchant file `{merchant}` is gone",
                entry.snap.display()
            )?;
        }
    }
    say!("{}", snapshots::render_change(entry, options.verbose))?;
    let answer = if options.accept {
        Answer::Accept
    } else if options.review && !*quit {
        ask(stdin)?
    } else {
        return Ok(());
    };
    match answer {
        Answer::Accept => {
            snapshots::accept(entry).map_err(|e| {
                Stop::Failed(format!("cannot store `{}`: {e}", entry.snap.display()))
            })?;
            m.accepted += 1;
            let done = match entry.status {
                Status::Orphan => "removed",
                _ => "stored",
            };
            sayln!("      accepted: {done} `{}`", entry.snap.display())?;
        }
        Answer::Reject => m.rejected += 1,
        Answer::Skip => m.skipped += 1,
        Answer::Quit => {
            *quit = true;
            m.skipped += 1;
        }
    }
    Ok(())
}

/// Asks on the terminal what to do with the change just shown.
fn ask(stdin: &mut impl BufRead) -> Result<Answer, Stop> {
    loop {
        say!("      accept (a), reject (r), skip (s), skip all the rest (q)? ")?;
        super::console::flush()?;
        let mut line = String::new();
        let read = stdin
            .read_line(&mut line)
            .map_err(|e| Stop::Failed(format!("cannot read standard input: {e}")))?;
        if read == 0 {
            // The terminal closed: nothing more will be answered.
            sayln!()?;
            return Ok(Answer::Quit);
        }
        match line.trim() {
            "a" | "accept" => return Ok(Answer::Accept),
            "r" | "reject" => return Ok(Answer::Reject),
            "s" | "skip" | "" => return Ok(Answer::Skip),
            "q" | "quit" => return Ok(Answer::Quit),
            _ => {}
        }
    }
}

/// Prints the suite's warnings; returns how many there were.
fn warn(
    policy: &Policy,
    suite: &Suite,
    folders: &Folders,
    merchants: &Merchants,
    options: &Options,
    tests: &Path,
) -> Result<usize, Stop> {
    let mut count = 0;
    for ruleset in suite.unasserted_rulesets(policy) {
        count += 1;
        tell!(
            "warning: no case asserts on ruleset `{ruleset}`, so nothing pins what it decides; \
             add a case in `{}` with `expect: {{ {ruleset}: {{ outcome: ... }} }}`",
            tests.display()
        )?;
    }
    // Which outcomes the merchants reach means something only for all of them.
    if merchants.seen.present && options.filter.is_none() {
        for rs in &policy.rulesets {
            for outcome in &rs.outcomes {
                if !merchants
                    .seen
                    .outcomes
                    .contains(&format!("{}:{outcome}", rs.name))
                {
                    count += 1;
                    tell!(
                        "warning: no example merchant in `{}` gets `{}: {outcome}`; \
                         add one that does, so a change to that outcome shows in its decisions",
                        folders.merchants.display(),
                        rs.name
                    )?;
                }
            }
        }
    }
    Ok(count)
}
