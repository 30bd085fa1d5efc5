//! Open buffers and the checked rule directory they belong to.
//!
//! A rule directory is checked as a whole, exactly as `verdikt check` does,
//! with each open buffer's text in place of its file on disk.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::names::NameIndex;
use crate::policy::Checked;
use crate::span::{FileId, Source};

/// The texts of the buffers the editor has open, by path.
#[derive(Debug, Default)]
pub(super) struct Documents {
    open: HashMap<PathBuf, String>,
}

impl Documents {
    /// A buffer was opened or changed.
    pub(super) fn set(&mut self, path: PathBuf, text: String) {
        self.open.insert(path, text);
    }

    /// A buffer was closed: its file on disk counts again.
    pub(super) fn close(&mut self, path: &Path) {
        self.open.remove(path);
    }

    /// The text of an open buffer.
    pub(super) fn text(&self, path: &Path) -> Option<&str> {
        self.open.get(path).map(String::as_str)
    }
}

/// A rule directory, checked.
#[derive(Debug)]
pub(super) struct Analysis {
    /// The rule files, in the order they were checked (file id order).
    pub(super) files: Vec<PathBuf>,
    /// Diagnostics and sources.
    pub(super) checked: Checked,
    /// Every name declared and resolved.
    pub(super) names: NameIndex,
}

impl Analysis {
    /// Checks the `*.vk` files of `dir`, open buffers in place of their
    /// files. The directory is read as `verdikt check` reads it: a file
    /// that cannot be read is the same error (V026) in both.
    pub(super) fn of(dir: &Path, documents: &Documents) -> Analysis {
        let (mut paths, mut unreadable) = match crate::policy::rule_files(dir) {
            Ok(paths) => (paths, Vec::new()),
            Err(e) => (Vec::new(), vec![crate::policy::load_error_diagnostic(&e)]),
        };
        for open in documents.open.keys() {
            if open.parent() == Some(dir) && !paths.contains(open) {
                paths.push(open.clone());
            }
        }
        paths.sort();
        let (read, more) = crate::policy::read_rule_files(paths, |path| {
            documents.text(path).map(|text| text.as_bytes().to_vec())
        });
        unreadable.extend(more);
        let (files, inputs) = read
            .into_iter()
            .map(|(path, bytes)| (path.clone(), (path.display().to_string(), bytes)))
            .unzip();
        let (checked, names) = crate::policy::check_files_with_names(inputs, unreadable);
        Analysis {
            files,
            checked,
            names,
        }
    }

    /// The id of a file of the directory.
    pub(super) fn file_id(&self, path: &Path) -> Option<FileId> {
        let i = self.files.iter().position(|p| p == path)?;
        Some(FileId(u32::try_from(i).ok()?))
    }

    /// The path of a file id.
    pub(super) fn path(&self, file: FileId) -> Option<&Path> {
        self.files.get(file.0 as usize).map(PathBuf::as_path)
    }

    /// The checked text of a file.
    pub(super) fn source(&self, file: FileId) -> Option<&Source> {
        self.checked.sources.get(file)
    }
}
