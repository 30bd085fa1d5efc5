//! `verdikt check`: validate rule files.

use std::process::ExitCode;

use crate::project::Project;
use crate::ErrorFormat;

use super::console::Stop;

/// Exit 1 on errors, and on warnings when `deny_warnings`. Inside a
/// project, a calendar that does not cover the manifest's horizon is a
/// warning.
pub fn run(project: &Project, format: ErrorFormat, deny_warnings: bool) -> Result<ExitCode, Stop> {
    let dir = &project.rules;
    let mut checked = crate::check_dir(dir).map_err(|e| Stop::Failed(e.to_string()))?;
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
