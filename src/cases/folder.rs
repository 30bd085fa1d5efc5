//! Reading a tests folder: its `*.yaml` and `*.yml` entries in name order.
//! An entry that is not a regular file (a folder, a dangling symbolic link,
//! a FIFO) is an error naming it; its type is checked before anything is
//! opened, so a FIFO never blocks the run.

use std::fs::FileType;
use std::path::Path;

use super::validate::how_to_add_a_case;
use crate::diagnostic::{Code, Diagnostic};

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
                let is_case = path.extension().is_some_and(|x| x == "yaml" || x == "yml");
                if is_case {
                    named.push((path, entry.file_type()));
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
    named.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, file_type) in named {
        let shown = path.display().to_string();
        match read_entry(&path, file_type) {
            Ok(bytes) => listing.files.push((shown, bytes)),
            Err((message, help)) => listing
                .diagnostics
                .push(Diagnostic::global(Code::TestCase, message).with_help(help)),
        }
    }
    listing
}

/// The bytes of a case file; what is wrong with the entry otherwise.
fn read_entry(
    path: &Path,
    file_type: std::io::Result<FileType>,
) -> Result<Vec<u8>, (String, String)> {
    let shown = path.display();
    let cannot_read = |e: std::io::Error| {
        (
            format!("cannot read `{shown}`: {e}"),
            "check the file's permissions".to_string(),
        )
    };
    let mut kind = file_type.map_err(cannot_read)?;
    if kind.is_symlink() {
        // Follow the link, without opening what it points at.
        kind = match std::fs::metadata(path) {
            Ok(meta) => meta.file_type(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err((
                    format!("`{shown}` is a symbolic link to nothing"),
                    "point it at a case file, or remove it".into(),
                ))
            }
            Err(e) => return Err(cannot_read(e)),
        };
    }
    if !kind.is_file() {
        return Err((
            format!("`{shown}` is {}, not a case file", describe(kind)),
            "a case file must be a regular file: remove it, or rename it so it does not end \
             in `.yaml` or `.yml`"
                .into(),
        ));
    }
    std::fs::read(path).map_err(cannot_read)
}

/// What a non-regular entry is, for messages.
fn describe(kind: FileType) -> &'static str {
    if kind.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_block_device() || kind.is_char_device() {
            return "a device";
        }
    }
    "a special file"
}
