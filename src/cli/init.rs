//! `verdikt init [DIR]`: a small policy project that passes `check` and
//! `test` at once. The template lives in the binary (`init/template/`).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use super::console::Stop;

/// The template's files: path inside the project, text.
const TEMPLATE: [(&str, &str); 11] = [
    ("verdikt.toml", include_str!("init/template/verdikt.toml")),
    ("README.md", include_str!("init/template/README.md")),
    (".gitignore", include_str!("init/template/.gitignore")),
    ("ci/verdikt.sh", include_str!("init/template/ci/verdikt.sh")),
    (
        "rules/01-schema.vk",
        include_str!("init/template/rules/01-schema.vk"),
    ),
    (
        "rules/10-limit.vk",
        include_str!("init/template/rules/10-limit.vk"),
    ),
    (
        "tests/limit.yaml",
        include_str!("init/template/tests/limit.yaml"),
    ),
    (
        "examples/merchant.yaml",
        include_str!("init/template/examples/merchant.yaml"),
    ),
    (
        "merchants/merchant.yaml",
        include_str!("init/template/examples/merchant.yaml"),
    ),
    (
        "merchants/hold.yaml",
        include_str!("init/template/merchants/hold.yaml"),
    ),
    (
        "merchants/frozen.yaml",
        include_str!("init/template/merchants/frozen.yaml"),
    ),
];

/// Writes the template into `dir` (created if need be). Refuses, before
/// writing anything, when any of its files is already there.
pub(super) fn run(dir: &Path) -> Result<ExitCode, Stop> {
    let taken: Vec<String> = TEMPLATE
        .iter()
        .filter(|(name, _)| dir.join(name).symlink_metadata().is_ok())
        .map(|(name, _)| format!("`{name}`"))
        .collect();
    if !taken.is_empty() {
        return Err(Stop::Failed(format!(
            "`{}` already holds {}; nothing was written (choose a new folder: `verdikt init new-policy`)",
            dir.display(),
            taken.join(", ")
        )));
    }
    for (name, text) in TEMPLATE {
        let path = dir.join(name);
        write_new(&path, text).map_err(|e| {
            Stop::Failed(format!(
                "cannot write `{}`: {e}; the project in `{}` is incomplete, remove it and run `verdikt init` again",
                path.display(),
                dir.display()
            ))
        })?;
    }
    store_decisions(dir)?;
    let shown = dir.display();
    sayln!("created a verdikt policy project in `{shown}`")?;
    let cd = if dir == Path::new(".") {
        String::new()
    } else {
        format!("cd {shown} && ")
    };
    sayln!("next: {cd}verdikt check && verdikt test (README.md says more)")?;
    Ok(ExitCode::SUCCESS)
}

/// Stores the example merchant's decisions, as `verdikt test --accept`
/// would, so that `verdikt test` passes at once.
fn store_decisions(dir: &Path) -> Result<(), Stop> {
    use crate::decision_snapshots::{accept, compare_each, Folders};
    let failed = |what: String| {
        Stop::Failed(format!(
            "{what}; the project in `{}` is incomplete, remove it and run `verdikt init` again",
            dir.display()
        ))
    };
    let checked = crate::check_dir(&dir.join("rules")).map_err(|e| failed(e.to_string()))?;
    let policy = checked
        .policy
        .ok_or_else(|| failed("the template's rules do not check".into()))?;
    let folders = Folders {
        merchants: dir.join("merchants"),
        decisions: dir.join("decisions"),
    };
    let mut error = None;
    compare_each(&policy, &folders, None, |entry| match accept(&entry) {
        Ok(()) => std::ops::ControlFlow::Continue(()),
        Err(e) => {
            error = Some(e);
            std::ops::ControlFlow::Break(())
        }
    })
    .map_err(|e| failed(e.to_string()))?;
    match error {
        Some(e) => Err(failed(format!(
            "cannot store the example merchant's decisions: {e}"
        ))),
        None => Ok(()),
    }
}

/// Creates `path` (and its folders) with `text`; an existing file is an
/// error, never overwritten.
fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if path.extension().is_some_and(|x| x == "sh") {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o755);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}
