//! `verdikt test`: run the policy's own test cases (the project's `cases`,
//! or `<rules>/tests/*.yaml` for a bare rules directory).
//!
//! Exit 0 when every case passes, 1 when a case fails (or, with
//! `--mutate`, when a mutant survives), 2 when the rules or the case files
//! are unusable: then every problem is printed and no case runs, since a
//! suite with broken cases cannot be trusted.

use std::path::Path;
use std::process::ExitCode;

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
        let report = crate::mutate::mutate(dir, &suite).map_err(Stop::Failed)?;
        say!("\n{}", report.render())?;
        if report.survivors() > 0 {
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}
