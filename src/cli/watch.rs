//! `--watch`: run a verb again whenever a file of the rule directory
//! changes. The directory is polled every 500 ms (sizes and modification
//! times, no new dependency); the screen is cleared before each run only on
//! a terminal; Ctrl-C ends it (exit 130, as for any verb).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::IsTerminal as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use super::console::Stop;

/// How often the rule directory is looked at.
const POLL: Duration = Duration::from_millis(500);
/// How deep below the rule directory files are watched (`rules/tests/x.yaml`
/// is 1 deep).
const MAX_DEPTH: usize = 3;
/// At most this many entries are looked at per poll, so a huge tree put in
/// the rule directory by mistake cannot make a poll take long.
const MAX_ENTRIES: usize = 20_000;

/// Runs `run`, then again after each change below `dir`, until interrupted
/// or the output closes. A run that stops with an error (rules broken in
/// the middle of an edit) prints it and waits for the next change.
pub(crate) fn watch(
    dir: &Path,
    mut run: impl FnMut() -> Result<ExitCode, Stop>,
) -> Result<ExitCode, Stop> {
    let terminal = std::io::stdout().is_terminal();
    loop {
        // Taken before the run: a save during the run starts another.
        let before = fingerprint(dir);
        if terminal {
            say!("\x1b[2J\x1b[H")?;
        }
        match run() {
            Ok(_) => {}
            Err(Stop::Closed) => return Err(Stop::Closed),
            Err(Stop::Failed(message)) => tell!("error: {message}")?,
        }
        super::console::flush()?;
        tell!("watching `{}` for changes (Ctrl-C ends)", dir.display())?;
        while fingerprint(dir) == before {
            std::thread::sleep(POLL);
        }
    }
}

/// A hash of the names, sizes and modification times of the files below
/// `dir` (hidden entries aside: editors' and atomic writes' temporaries).
fn fingerprint(dir: &Path) -> u64 {
    let mut hasher = DefaultHasher::new();
    let mut seen = 0;
    walk(dir, 0, &mut hasher, &mut seen);
    hasher.finish()
}

fn walk(dir: &Path, depth: usize, hasher: &mut DefaultHasher, seen: &mut usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        *seen += 1;
        if *seen > MAX_ENTRIES {
            return;
        }
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if hidden {
            continue;
        }
        path.hash(hasher);
        if meta.is_dir() {
            if depth < MAX_DEPTH {
                walk(&path, depth + 1, hasher, seen);
            }
        } else {
            meta.len().hash(hasher);
            meta.modified()
                .ok()
                .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
                .hash(hasher);
        }
    }
}
