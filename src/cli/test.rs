//! `verdikt test`: run the policy's own test cases (`<rules>/tests/*.yaml`).

use std::path::Path;
use std::process::ExitCode;

use verdikt::coverage::Coverage;
use verdikt::ErrorFormat;

pub fn run(dir: &Path, coverage: bool, format: ErrorFormat) -> ExitCode {
    let policy = match super::load_policy(dir, format) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let tests = dir.join("tests");
    let mut paths: Vec<_> = match std::fs::read_dir(&tests) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect(),
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", tests.display());
            return ExitCode::from(2);
        }
    };
    paths.sort();
    let mut files = Vec::new();
    for p in paths {
        match std::fs::read_to_string(&p) {
            Ok(text) => files.push((p.display().to_string(), text)),
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", p.display());
                return ExitCode::from(2);
            }
        }
    }
    let mut covered = Coverage::default();
    let results = match verdikt::cases::run_case_files_covered(&policy, &files, &mut covered) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut failed = 0;
    for r in &results {
        if r.passed() {
            println!("ok    {}: {}", r.file, r.name);
        } else {
            failed += 1;
            println!("FAIL  {}: {}", r.file, r.name);
            for f in &r.failures {
                println!("        {f}");
            }
        }
    }
    if coverage {
        let (missing, report) = covered.report(&policy);
        println!("\ncoverage:");
        for line in report.lines() {
            println!("  {line}");
        }
        if missing > 0 {
            println!("  {missing} rule(s) no case decided");
        }
    }
    println!("{} passed, {failed} failed", results.len() - failed);
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
