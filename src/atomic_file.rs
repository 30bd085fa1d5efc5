//! Output files that appear whole or not at all.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// A file written under a temporary name and renamed into place only by
/// [`AtomicFile::commit`]; dropped uncommitted, it is removed.
///
/// A target that is not a regular file (`/dev/null`, a FIFO) is written
/// directly: renaming over it would replace the device with a file. A
/// symbolic link is followed, so the file it points to is replaced and the
/// link stays.
#[derive(Debug)]
pub struct AtomicFile {
    /// `None` when writing directly to a special file.
    temp: Option<PathBuf>,
    target: PathBuf,
    file: Option<BufWriter<File>>,
}

impl AtomicFile {
    pub fn create(target: &Path) -> io::Result<AtomicFile> {
        let target = match std::fs::symlink_metadata(target) {
            Ok(m) if m.file_type().is_symlink() => resolve_link(target)?,
            _ => target.to_path_buf(),
        };
        match std::fs::metadata(&target) {
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
            _ => {}
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let temp = target.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        let file = File::create(&temp)?;
        Ok(AtomicFile {
            temp: Some(temp),
            target,
            file: Some(BufWriter::with_capacity(1 << 20, file)),
        })
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(mut self) -> io::Result<()> {
        let Some(w) = self.file.take() else {
            return Ok(());
        };
        let file = w.into_inner().map_err(|e| e.into_error())?;
        match &self.temp {
            Some(temp) => {
                file.sync_all()?;
                std::fs::rename(temp, &self.target)
            }
            None => Ok(()),
        }
    }
}

/// Where a symbolic link points, relative links read from the link's folder.
fn resolve_link(link: &Path) -> io::Result<PathBuf> {
    let to = std::fs::read_link(link)?;
    Ok(match link.parent() {
        Some(dir) if to.is_relative() => dir.join(to),
        _ => to,
    })
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
        if let (Some(_), Some(temp)) = (self.file.take(), &self.temp) {
            let _ = std::fs::remove_file(temp);
        }
    }
}

/// Where batch output goes: a file made whole on [`Sink::finish`], or a
/// standard stream.
#[derive(Debug)]
pub enum Sink {
    File(AtomicFile),
    Stdout(BufWriter<io::Stdout>),
    Stderr(io::Stderr),
}

impl Sink {
    /// Flushes; a file is synced and renamed into place.
    pub fn finish(self) -> io::Result<()> {
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
    fn a_directory_is_refused_before_anything_is_written() {
        let dir = scratch("dir");
        let err = AtomicFile::create(&dir).unwrap_err();
        assert!(err.to_string().contains("is a directory"), "{err}");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    }
}
