//! `verdikt test`: run the policy's own test cases (`<rules>/tests/*.yaml`).

use std::path::Path;
use std::process::ExitCode;

use verdikt::coverage::Coverage;
use verdikt::ErrorFormat;

use super::console::Stop;

pub fn run(dir: &Path, coverage: bool, format: ErrorFormat) -> Result<ExitCode, Stop> {
    let policy = super::load_policy(dir, format)?;
    let tests = dir.join("tests");
    let mut paths: Vec<_> = match std::fs::read_dir(&tests) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect(),
        Err(e) => {
            return Err(Stop::Failed(format!(
                "cannot read `{}`: {e}",
                tests.display()
            )))
        }
    };
    paths.sort();
    let mut files = Vec::new();
    for p in paths {
        match std::fs::read_to_string(&p) {
            Ok(text) => files.push((p.display().to_string(), text)),
            Err(e) => return Err(Stop::Failed(format!("cannot read `{}`: {e}", p.display()))),
        }
    }
    let mut covered = Coverage::default();
    let results = match verdikt::cases::run_case_files_covered(&policy, &files, &mut covered) {
        Ok(r) => r,
        Err(e) => return Err(Stop::Failed(e)),
    };
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
