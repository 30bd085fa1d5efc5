//! Reading a tests folder: its `*.yaml` and `*.yml` entries in name order.
//! An entry that is not a regular file (a folder, a dangling symbolic link,
//! a FIFO) is an error naming it; its type is checked before anything is
//! opened, so a FIFO never blocks the run.

use std::path::Path;

use super::validate::how_to_add_a_case;
use crate::diagnostic::{Code, Diagnostic};
use crate::policy::{read_rule_file, LoadError, MAX_RULE_FILE_BYTES};

/// The case files of a folder (name and bytes), and what was wrong with it.
pub(crate) struct Listing {
    pub(crate) files: Vec<(String, Vec<u8>)>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// Reads every case file of `dir`.
pub(crate) fn read_folder(dir: &Path) -> Listing {
    let folder = dir.display().to_string();
    let mut listing = Listing {
        files: Vec::new(),
        diagnostics: Vec::new(),
    };
    let refuse = |message: String, help: String| Listing {
        files: Vec::new(),
        diagnostics: vec![Diagnostic::global(Code::TestCase, message).with_help(help)],
    };
    match std::fs::metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return refuse(
                format!("no test folder `{folder}`"),
                how_to_add_a_case(&folder),
            );
        }
        Err(e) => {
            return refuse(
                format!("cannot read the test folder `{folder}`: {e}"),
                "check the folder's permissions".into(),
            )
        }
        Ok(meta) if !meta.is_dir() => {
            return refuse(
                format!("`{folder}` is not a folder"),
                "the policy's cases live in a folder `tests` beside the rule files".into(),
            )
        }
        Ok(_) => {}
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            return refuse(
                format!("cannot read the test folder `{folder}`: {e}"),
                "check the folder's permissions".into(),
            )
        }
    };
    let mut named = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => {
                let path = entry.path();
                if path.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                    named.push(path);
                }
            }
            Err(e) => listing.diagnostics.push(
                Diagnostic::global(
                    Code::TestCase,
                    format!("cannot read an entry of `{folder}`: {e}"),
                )
                .with_help("check the folder's permissions"),
            ),
        }
    }
    named.sort();
    for path in named {
        let shown = path.display().to_string();
        match read_rule_file(&path) {
            Ok(bytes) => listing.files.push((shown, bytes)),
            Err(e) => listing.diagnostics.push(unreadable(&shown, e)),
        }
    }
    listing
}

/// Why an entry named like a case file cannot be read. Case files are read
/// as rule files are: regular files (links followed), type checked before
/// opening, never waited on, of bounded size.
fn unreadable(shown: &str, e: LoadError) -> Diagnostic {
    let (message, help) = match e {
        LoadError::NotAFile { what, .. } => (
            format!("`{shown}` is {what}, not a case file"),
            "a case file must be a regular file: remove the entry, or rename it so its name \
             does not end in `.yaml` or `.yml`",
        ),
        LoadError::TooLarge { .. } => (
            format!("case file `{shown}` is larger than {MAX_RULE_FILE_BYTES} bytes"),
            "split the cases over several files",
        ),
        LoadError::File { source, .. } | LoadError::Dir { source, .. } => (
            format!("cannot read `{shown}`: {source}"),
            "check the file's permissions",
        ),
    };
    Diagnostic::global(Code::TestCase, message).with_help(help)
}
