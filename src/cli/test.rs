//! `verdikt test`: run the policy's own test cases (the project's `cases`,
//! or `<rules>/tests/*.yaml` for a bare rules directory).
//!
//! Exit 0 when every case passes, 1 when a case fails (or, with
//! `--mutate`, when a mutant survives or the budget left mutants out: a
//! cut run does not show that the cases pin every threshold, so it must not
//! pass a CI gate), 2 when the rules or the case files are unusable: then
//! every problem is printed and no case runs, since a suite with broken
//! cases cannot be trusted.

use std::io::IsTerminal as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::mutate::Budget;

use crate::coverage::Coverage;
use crate::ErrorFormat;

use super::console::Stop;

/// What `verdikt test` does besides running the cases.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Report what the cases never exercised.
    pub coverage: bool,
    /// Run the cases against every mutant of the rules.
    pub mutate: bool,
    /// With `mutate`: run at most this many mutants.
    pub max_mutants: Option<u64>,
    /// With `mutate`: start no mutant after this many seconds.
    pub mutate_time: Option<u64>,
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

/// Runs the cases in `tests` against the rules in `dir`.
pub fn run(
    dir: &Path,
    tests: &Path,
    options: Options,
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
    let mut covered = Coverage::default();
    let results = suite.run(&policy, &mut covered);
    let mut failed = 0;
    for r in &results {
        if r.passed() {
            // With --mutate the mutation report is the news; passing cases
            // are counted below.
            if !options.mutate {
                sayln!("ok    {}: {}", r.file, r.name)?;
            }
        } else {
            failed += 1;
            sayln!("FAIL  {}: {}", r.file, r.name)?;
            for f in &r.failures {
                sayln!("        {f}")?;
            }
        }
    }
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
    sayln!("{} passed, {failed} failed", results.len() - failed)?;
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
        if report.survivors() > 0 || report.not_run() > 0 {
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}
