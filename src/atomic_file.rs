//! Output files that appear whole or not at all.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// A file written under a temporary name and renamed into place only by
/// [`AtomicFile::commit`]; dropped uncommitted, it is removed, and a signal
/// handler can remove every pending one ([`remove_temporaries`]).
///
/// A target that is not a regular file (`/dev/null`, a FIFO) is written
/// directly: renaming over it would replace the device with a file. A chain
/// of symbolic links is followed to its end, so the file it points to is
/// replaced and the links stay. A replaced file keeps its permissions.
#[derive(Debug)]
pub(crate) struct AtomicFile {
    /// `None` when writing directly to a special file.
    temp: Option<PathBuf>,
    target: PathBuf,
    file: Option<BufWriter<File>>,
}

/// Temporary files not yet committed or removed, for the signal handler.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Makes temporary names unique within the process.
static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    PENDING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Removes every temporary file not yet committed and keeps the registry
/// locked, so no new one appears and no commit renames one half-written:
/// for a signal handler that exits the process right after.
pub(crate) fn remove_temporaries() -> MutexGuard<'static, Vec<PathBuf>> {
    let mut guard = pending();
    for path in guard.drain(..) {
        let _ = std::fs::remove_file(path);
    }
    guard
}

impl AtomicFile {
    pub(crate) fn create(target: &Path) -> io::Result<AtomicFile> {
        // A pipe or device reached through a link that names no path
        // (`/dev/stdout` or `/dev/fd/63` on a pipe: `pipe:[1234]`) is
        // written directly, like any pipe or device: never renamed over.
        match std::fs::metadata(target) {
            Ok(m) if !m.is_file() && !m.is_dir() => {
                let file = std::fs::OpenOptions::new().write(true).open(target)?;
                return Ok(AtomicFile {
                    temp: None,
                    target: target.to_path_buf(),
                    file: Some(BufWriter::with_capacity(1 << 20, file)),
                });
            }
            _ => {}
        }
        let target = resolve_links(target)?;
        let existing = match std::fs::metadata(&target) {
            Ok(m) if m.is_dir() => {
                return Err(io::Error::other(format!(
                    "`{}` is a directory",
                    target.display()
                )))
            }
            Ok(m) if !m.is_file() => {
                let file = std::fs::OpenOptions::new().write(true).open(&target)?;
                return Ok(AtomicFile {
                    temp: None,
                    target,
                    file: Some(BufWriter::with_capacity(1 << 20, file)),
                });
            }
            Ok(m) => Some(m.permissions()),
            Err(_) => None,
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let (temp, file) = loop {
            let n = NEXT_TEMP.fetch_add(1, Ordering::Relaxed);
            let temp = target.with_file_name(format!(".{name}.{}-{n}.tmp", std::process::id()));
            // Registered before it exists, so a signal never misses it.
            let mut list = pending();
            list.push(temp.clone());
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&temp)
            {
                Ok(file) => break (temp, file),
                Err(e) => {
                    list.retain(|p| p != &temp);
                    if e.kind() != io::ErrorKind::AlreadyExists || n > 1_000_000 {
                        return Err(e);
                    }
                }
            }
        };
        let atomic = AtomicFile {
            temp: Some(temp),
            target,
            file: Some(BufWriter::with_capacity(1 << 20, file)),
        };
        if let (Some(permissions), Some(temp)) = (existing, &atomic.temp) {
            std::fs::set_permissions(temp, permissions)?;
        }
        Ok(atomic)
    }

    /// Flushes, syncs and renames the file into place.
    pub(crate) fn commit(mut self) -> io::Result<()> {
        let Some(w) = self.file.take() else {
            return Ok(());
        };
        let file = w.into_inner().map_err(|e| e.into_error())?;
        let Some(temp) = self.temp.take() else {
            return Ok(());
        };
        let result = file.sync_all().and_then(|()| {
            // Under the registry's lock: a signal waits for the rename.
            let mut list = pending();
            let renamed = std::fs::rename(&temp, &self.target);
            list.retain(|p| p != &temp);
            renamed
        });
        if result.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        result
    }
}

/// Follows a chain of symbolic links to the path it ends at (which may not
/// exist yet); relative links are read from the link's folder.
fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::other(format!(
        "`{}`: too many levels of symbolic links",
        path.display()
    )))
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(io::Error::other("file already committed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if let Some(temp) = self.temp.take() {
            drop(self.file.take());
            let mut list = pending();
            let _ = std::fs::remove_file(&temp);
            list.retain(|p| p != &temp);
        }
    }
}

/// Where batch output goes: a file made whole on [`Sink::finish`], or a
/// standard stream.
#[derive(Debug)]
pub(crate) enum Sink {
    File(AtomicFile),
    Stdout(BufWriter<io::Stdout>),
    Stderr(io::Stderr),
}

impl Sink {
    /// Flushes; a file is synced and renamed into place.
    pub(crate) fn finish(self) -> io::Result<()> {
        match self {
            Sink::File(f) => f.commit(),
            Sink::Stdout(mut w) => w.flush(),
            Sink::Stderr(mut w) => w.flush(),
        }
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::File(f) => f.write(buf),
            Sink::Stdout(w) => w.write(buf),
            Sink::Stderr(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::File(f) => f.flush(),
            Sink::Stdout(w) => w.flush(),
            Sink::Stderr(w) => w.flush(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test code")]
mod tests {
    use std::io::Write;
    use std::path::PathBuf;

    use super::AtomicFile;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("verdikt-atomic-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_file_appears_only_when_committed() {
        let dir = scratch("commit");
        let target = dir.join("out.jsonl");
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"one\n").unwrap();
        assert!(!target.exists());
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "one\n");
        let mut g = AtomicFile::create(&target).unwrap();
        g.write_all(b"two\n").unwrap();
        drop(g);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "one\n");
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_followed_and_kept() {
        let dir = scratch("link");
        std::fs::write(dir.join("real.jsonl"), "old\n").unwrap();
        std::os::unix::fs::symlink("real.jsonl", dir.join("link.jsonl")).unwrap();
        let mut f = AtomicFile::create(&dir.join("link.jsonl")).unwrap();
        f.write_all(b"new\n").unwrap();
        f.commit().unwrap();
        let link = std::fs::symlink_metadata(dir.join("link.jsonl")).unwrap();
        assert!(link.file_type().is_symlink());
        assert_eq!(
            std::fs::read_to_string(dir.join("real.jsonl")).unwrap(),
            "new\n"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_written_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let null = std::path::Path::new("/dev/null");
        if !std::fs::metadata(null)
            .unwrap()
            .file_type()
            .is_char_device()
        {
            return; // a broken machine; nothing to protect
        }
        let mut f = AtomicFile::create(null).unwrap();
        assert!(f.temp.is_none());
        f.write_all(b"gone\n").unwrap();
        f.commit().unwrap();
        assert!(std::fs::metadata(null)
            .unwrap()
            .file_type()
            .is_char_device());
    }

    #[test]
    fn temporary_names_are_unique_per_output() {
        let dir = scratch("unique");
        let target = dir.join("out.jsonl");
        let a = AtomicFile::create(&target).unwrap();
        let b = AtomicFile::create(&target).unwrap();
        assert_ne!(a.temp, b.temp);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
        drop((a, b));
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    }

    #[cfg(unix)]
    #[test]
    fn a_chain_of_links_is_followed_to_its_end() {
        let dir = scratch("chain");
        std::os::unix::fs::symlink("two", dir.join("one")).unwrap();
        std::os::unix::fs::symlink("real.jsonl", dir.join("two")).unwrap();
        let mut f = AtomicFile::create(&dir.join("one")).unwrap();
        f.write_all(b"new\n").unwrap();
        f.commit().unwrap();
        assert!(std::fs::symlink_metadata(dir.join("one"))
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(std::fs::symlink_metadata(dir.join("two"))
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(
            std::fs::read_to_string(dir.join("real.jsonl")).unwrap(),
            "new\n"
        );
        std::os::unix::fs::symlink("loop", dir.join("loop")).unwrap();
        let err = AtomicFile::create(&dir.join("loop")).unwrap_err();
        assert!(err.to_string().contains("too many levels"), "{err}");
    }

    #[test]
    fn a_directory_is_refused_before_anything_is_written() {
        let dir = scratch("dir");
        let err = AtomicFile::create(&dir).unwrap_err();
        assert!(err.to_string().contains("is a directory"), "{err}");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    }
}
