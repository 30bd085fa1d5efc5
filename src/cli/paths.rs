//! Output paths that would clobber data are refused before anything is read:
//! an output that is an input (directly, through links or a hard link), two
//! outputs that are one file or one standard stream (`-o -` and
//! `--rejects /dev/stdout`), or a standard stream redirected to either.

use std::path::{Path, PathBuf};

/// A file a verb reads or writes, and how the user named it.
#[derive(Debug)]
pub(crate) struct Named {
    /// For messages: ``-o `out.jsonl` ``, ``the input `in.jsonl` ``.
    pub label: String,
    identity: Option<Identity>,
    /// The standard stream (1 or 2) it writes to, whatever that is.
    stream: Option<i32>,
}

/// What makes two names one file.
#[derive(Debug, PartialEq, Eq)]
enum Identity {
    /// An existing file: device and inode (hard links and symbolic links
    /// included).
    Inode { dev: u64, ino: u64, shared: bool },
    /// A file that does not exist yet: its absolute path, links resolved.
    Path(PathBuf),
}

impl Named {
    /// A file named on the command line.
    pub(crate) fn file(label: String, path: &Path) -> Named {
        Named {
            label,
            identity: identity_of_path(path),
            stream: None,
        }
    }

    /// Standard input, output or error (fd 0, 1, 2), when it is a file.
    pub(crate) fn stream(label: &str, fd: i32) -> Named {
        Named {
            label: label.to_string(),
            identity: identity_of_fd(fd),
            stream: Some(fd),
        }
    }
}

/// The standard stream an output name means: `-` (where `dash` allows it)
/// and `/dev/stdout` are standard output (1), `/dev/stderr` standard error
/// (2), also as `/dev/fd/N` and `/proc/self/fd/N`. Such an output is
/// written to the stream itself, never created or renamed over.
pub(crate) fn standard_stream(path: &Path, dash: bool) -> Option<i32> {
    let name = path.to_str()?;
    match name {
        "-" if dash => Some(1),
        "/dev/stdout" | "/dev/fd/1" | "/proc/self/fd/1" => Some(1),
        "/dev/stderr" | "/dev/fd/2" | "/proc/self/fd/2" => Some(2),
        _ => None,
    }
}

/// The first clash between outputs, or between an output and an input.
pub(crate) fn clash(inputs: &[Named], outputs: &[Named]) -> Option<String> {
    for (i, out) in outputs.iter().enumerate() {
        // One stream for two outputs interleaves them, whatever it is.
        if let Some(other) = outputs
            .iter()
            .skip(i + 1)
            .find(|x| out.stream.is_some() && x.stream == out.stream)
        {
            return Some(format!(
                "{} and {} are both standard {}: their lines would be mixed; give each output its own file",
                out.label,
                other.label,
                if out.stream == Some(2) { "error" } else { "output" }
            ));
        }
        let Some(id) = &out.identity else { continue };
        if let Some(input) = inputs.iter().find(|x| x.identity.as_ref() == Some(id)) {
            return Some(format!(
                "{} is {}: writing it would destroy what is being read",
                out.label, input.label
            ));
        }
        let shared = matches!(id, Identity::Inode { shared: true, .. });
        if shared {
            continue;
        }
        if let Some(other) = outputs
            .iter()
            .skip(i + 1)
            .find(|x| x.identity.as_ref() == Some(id))
        {
            return Some(format!(
                "{} and {} are the same file: one would overwrite the other; give each output its own file",
                out.label, other.label
            ));
        }
    }
    None
}

fn identity_of_path(path: &Path) -> Option<Identity> {
    match std::fs::metadata(path) {
        Ok(meta) => Some(inode(&meta)),
        Err(_) => {
            let resolved = resolve_links(path);
            let name = resolved.file_name()?.to_owned();
            let parent = match resolved.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            let dir = std::fs::canonicalize(parent).ok()?;
            Some(Identity::Path(dir.join(name)))
        }
    }
}

#[cfg(unix)]
fn inode(meta: &std::fs::Metadata) -> Identity {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    // A character device (`/dev/null`) may take any number of outputs.
    Identity::Inode {
        dev: meta.dev(),
        ino: meta.ino(),
        shared: meta.file_type().is_char_device(),
    }
}

#[cfg(not(unix))]
fn inode(_meta: &std::fs::Metadata) -> Identity {
    Identity::Path(PathBuf::new())
}

#[cfg(unix)]
fn identity_of_fd(fd: i32) -> Option<Identity> {
    use std::os::fd::AsFd;
    let meta = match fd {
        0 => std::io::stdin().as_fd().try_clone_to_owned(),
        1 => std::io::stdout().as_fd().try_clone_to_owned(),
        _ => std::io::stderr().as_fd().try_clone_to_owned(),
    }
    .map(std::fs::File::from)
    .and_then(|f| f.metadata())
    .ok()?;
    // Only files can be clobbered; a terminal or a pipe cannot.
    meta.is_file().then(|| inode(&meta))
}

#[cfg(not(unix))]
fn identity_of_fd(_fd: i32) -> Option<Identity> {
    None
}

/// Follows symbolic links as far as they go (the end may not exist).
fn resolve_links(path: &Path) -> PathBuf {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::read_link(&current) {
            Ok(to) => {
                current = match current.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            Err(_) => break,
        }
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("verdikt-paths-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn an_output_that_is_an_input_through_a_link_clashes() {
        let dir = scratch("link");
        std::fs::write(dir.join("in.jsonl"), "{}\n").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.join("in.jsonl"), dir.join("out.jsonl")).unwrap();
        let inputs = [Named::file(
            "the input `in.jsonl`".into(),
            &dir.join("in.jsonl"),
        )];
        let outputs = [Named::file("-o `out.jsonl`".into(), &dir.join("out.jsonl"))];
        let message = clash(&inputs, &outputs).unwrap();
        assert!(
            message.starts_with("-o `out.jsonl` is the input `in.jsonl`"),
            "{message}"
        );
    }

    #[test]
    fn two_new_outputs_with_one_path_clash() {
        let dir = scratch("new");
        let outputs = [
            Named::file("-o `a`".into(), &dir.join("a.jsonl")),
            Named::file("--rejects `b`".into(), &dir.join(".").join("a.jsonl")),
        ];
        assert!(clash(&[], &outputs).unwrap().contains("are the same file"));
        let distinct = [
            Named::file("-o `a`".into(), &dir.join("a.jsonl")),
            Named::file("--rejects `b`".into(), &dir.join("b.jsonl")),
        ];
        assert_eq!(clash(&[], &distinct), None);
    }

    #[cfg(unix)]
    #[test]
    fn dev_null_takes_every_output() {
        let outputs = [
            Named::file("-o".into(), Path::new("/dev/null")),
            Named::file("--rejects".into(), Path::new("/dev/null")),
        ];
        assert_eq!(clash(&[], &outputs), None);
    }
}
