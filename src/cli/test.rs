//! `verdikt test`: run the policy's own test cases (`<rules>/tests/*.yaml`).
//!
//! Exit 0 when every case passes, 1 when a case fails, 2 when the rules or
//! the case files are unusable: then every problem is printed and no case
//! runs, since a suite with broken cases cannot be trusted.

use std::path::Path;
use std::process::ExitCode;

use crate::coverage::Coverage;
use crate::ErrorFormat;

use super::console::Stop;

pub fn run(dir: &Path, coverage: bool, format: ErrorFormat) -> Result<ExitCode, Stop> {
    let policy = super::load_policy(dir, format)?;
    let tests = dir.join("tests");
    let suite = match crate::cases::load_suite(&policy, &tests) {
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
            sayln!("ok    {}: {}", r.file, r.name)?;
        } else {
            failed += 1;
            sayln!("FAIL  {}: {}", r.file, r.name)?;
            for f in &r.failures {
                sayln!("        {f}")?;
            }
        }
    }
    if coverage {
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
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
