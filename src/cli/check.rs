//! `verdikt check`: validate rule files.

use std::path::Path;
use std::process::ExitCode;

use crate::ErrorFormat;

use super::console::Stop;

/// Exit 1 on errors, and on warnings when `deny_warnings`; `horizon`: the
/// dates the calendars the rules use must cover.
pub fn run(
    dir: &Path,
    format: ErrorFormat,
    deny_warnings: bool,
    horizon: Option<crate::calendar::DateSpan>,
) -> Result<ExitCode, Stop> {
    let mut checked = crate::check_dir(dir).map_err(|e| Stop::Failed(e.to_string()))?;
    if let Some(horizon) = horizon {
        checked.warn_horizon(horizon);
    }
    let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = checked.diagnostics.len() - errors;
    if checked.diagnostics.is_empty() {
        if format == ErrorFormat::Human {
            sayln!("{}: ok", dir.display())?;
        }
    } else {
        say!(
            "{}",
            crate::diagnostic::render(&checked.diagnostics, &checked.sources, format)
        )?;
    }
    Ok(if errors > 0 || (deny_warnings && warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
