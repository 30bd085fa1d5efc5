//! `verdikt check`: validate rule files.

use std::path::Path;
use std::process::ExitCode;

use verdikt::ErrorFormat;

/// Exit 1 on errors, and on warnings when `deny_warnings`.
pub fn run(dir: &Path, format: ErrorFormat, deny_warnings: bool) -> ExitCode {
    let checked = match verdikt::check_dir(dir) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = checked.diagnostics.len() - errors;
    if checked.diagnostics.is_empty() {
        if format == ErrorFormat::Human {
            println!("{}: ok", dir.display());
        }
    } else {
        print!(
            "{}",
            verdikt::diagnostic::render(&checked.diagnostics, &checked.sources, format)
        );
    }
    if errors > 0 || (deny_warnings && warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
