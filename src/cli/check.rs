//! `verdikt check`: validate rule files.

use std::process::ExitCode;

use crate::project::Project;
use crate::ErrorFormat;

use super::console::Stop;

/// Exit 1 on errors, and on warnings when `deny_warnings`. A calendar that
/// does not cover the manifest's horizon (inside a project) or `horizon`
/// (`--horizon`) is a warning.
pub(super) fn run(
    project: &Project,
    format: ErrorFormat,
    deny_warnings: bool,
    horizon: Option<crate::calendar::DateSpan>,
) -> Result<ExitCode, Stop> {
    let dir = &project.rules;
    let mut checked = crate::check_dir(dir).map_err(|e| Stop::Failed(e.to_string()))?;
    if let Some(horizon) = horizon {
        checked.warn_horizon(horizon);
    }
    if let (Some(manifest), Some(policy)) = (&project.manifest, &checked.policy) {
        let more = crate::project::horizon_warnings(manifest, policy, &mut checked.sources);
        checked.diagnostics.extend(more);
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
