//! A policy project: the folder holding `verdikt.toml`, which says where the
//! policy's rules, test cases, stored decisions and default corpora are.
//!
//! Verbs find the manifest as cargo finds `Cargo.toml`: in the current
//! directory or the nearest parent that has one. A project kept in a
//! `rules/` folder of a larger repository is found from that repository's
//! root too (`rules/verdikt.toml`). A path given on the command line wins
//! over both: a folder holding a `verdikt.toml` (or the file itself) is that
//! project, any other folder is a bare rules directory with its cases in
//! `tests/`, as before projects existed.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

use crate::calendar::DateSpan;
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::Policy;
use crate::span::{Source, SourceMap, Span};

/// The manifest's file name.
pub(crate) const MANIFEST: &str = "verdikt.toml";

/// A manifest larger than this (64 KiB) is refused unread: a real one is a
/// dozen lines, so a bigger file is not one.
pub(crate) const MAX_MANIFEST_BYTES: u64 = 64 * 1024;

/// The keys a manifest may hold, for did-you-mean (top level and
/// `[calendar]`).
const KEYS: [&str; 7] = [
    "rules",
    "cases",
    "merchants",
    "decisions",
    "corpora",
    "calendar",
    "horizon",
];

/// `verdikt.toml` as written; every key is optional.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    /// The folder of the `*.vk` files (default: the manifest's folder).
    rules: Option<toml::Spanned<String>>,
    /// The folder of the test cases (default `tests`).
    cases: Option<String>,
    /// The folder of the example merchants (default `merchants`).
    merchants: Option<String>,
    /// The folder of their stored decisions (default `decisions`).
    decisions: Option<String>,
    /// The inputs `verdikt diff` decides when none is named.
    #[serde(default)]
    corpora: Vec<String>,
    calendar: Option<CalendarKeys>,
}

/// `[calendar]` of a manifest.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarKeys {
    /// `"2026-01-01..2026-12-31"`: the dates the calendars must cover.
    horizon: Option<toml::Spanned<String>>,
}

/// Where a verb finds the policy's parts. Paths are as a person in the
/// current directory would write them (`rules`, `../tests`), so messages
/// name files the way the user sees them.
#[derive(Debug, Clone)]
pub(crate) struct Project {
    /// The manifest this project was read from; `None` for a bare rules
    /// directory named on the command line.
    pub manifest: Option<Manifested>,
    /// The `*.vk` files' folder.
    pub rules: PathBuf,
    /// The test cases' folder.
    pub cases: PathBuf,
    /// The example merchants' folder.
    pub merchants: PathBuf,
    /// The folder of their stored decisions.
    pub decisions: PathBuf,
    /// The corpora `diff` decides when none is named.
    pub corpora: Vec<PathBuf>,
}

/// What a project read from `verdikt.toml` keeps of the file itself.
#[derive(Debug, Clone)]
pub(crate) struct Manifested {
    /// The manifest as the user would name it (`verdikt.toml`,
    /// `rules/verdikt.toml`, `../verdikt.toml`).
    pub path: PathBuf,
    /// Its text, for diagnostics pointing into it.
    pub text: String,
    /// Where `rules` is written in `text` (0 when it is not).
    pub rules_at: usize,
    /// The calendar horizon and the byte range of its value in `text`.
    pub horizon: Option<(DateSpan, std::ops::Range<usize>)>,
}

/// Why no project could be found or read. Each message names the file (and
/// line and column) and the likely fix.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ProjectError {
    /// No manifest upward, no path given.
    #[error(
        "no verdikt.toml in `{}` or any parent; run `verdikt init` to create a project, or pass the rules directory (`{example}`){}",
        dir.display(),
        if *rules_here { "; the `rules` folder here has no verdikt.toml: name it as shown, or add one to it (an empty verdikt.toml will do)" } else { "" }
    )]
    NotFound {
        dir: PathBuf,
        example: &'static str,
        rules_here: bool,
    },
    /// The manifest cannot be read.
    #[error("cannot read `{}`: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The manifest is a FIFO, a directory, a device...
    #[error("`{}` is {what}, not a file; a manifest is a small text file", path.display())]
    NotAFile { path: PathBuf, what: &'static str },
    /// The manifest is too large to be one.
    #[error("`{}` is larger than {MAX_MANIFEST_BYTES} bytes, so it is not a verdikt manifest; a manifest lists a few paths", path.display())]
    TooLarge { path: PathBuf },
    /// The manifest is not valid UTF-8 TOML, or holds an unknown key or a
    /// value of the wrong kind.
    #[error("{}:{line}:{column}: {message}{}", path.display(), help.as_deref().map(|h| format!("; {h}")).unwrap_or_default())]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
        help: Option<String>,
    },
    /// The current directory is gone or unreadable.
    #[error("cannot tell the current directory: {0}")]
    NoCurrentDir(std::io::Error),
}

/// The project a verb works on: `explicit` (a path on the command line)
/// when given, else the nearest manifest from the current directory.
/// `example` shows in the not-found message how to name the rules instead
/// (`verdikt check path/to/rules`).
pub(crate) fn locate(
    explicit: Option<&Path>,
    example: &'static str,
) -> Result<Project, ProjectError> {
    if let Some(path) = explicit {
        return named(path);
    }
    let cwd = std::env::current_dir().map_err(ProjectError::NoCurrentDir)?;
    discover(&cwd, example)
}

/// A path from the command line: a manifest, a project folder, or a bare
/// rules directory.
fn named(path: &Path) -> Result<Project, ProjectError> {
    if path.file_name().is_some_and(|n| n == MANIFEST) && !path.is_dir() {
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        return load(Path::new(""), &base);
    }
    if path.join(MANIFEST).symlink_metadata().is_ok() {
        return load(Path::new(""), path);
    }
    Ok(Project {
        manifest: None,
        rules: path.to_path_buf(),
        cases: path.join("tests"),
        merchants: path.join(crate::decision_snapshots::MERCHANTS_DIR),
        decisions: path.join(crate::decision_snapshots::DECISIONS_DIR),
        corpora: Vec::new(),
    })
}

/// The nearest `verdikt.toml` in `cwd` or a parent, else `rules/verdikt.toml`.
fn discover(cwd: &Path, example: &'static str) -> Result<Project, ProjectError> {
    let mut up = PathBuf::new();
    for dir in cwd.ancestors() {
        // Any entry by that name is the manifest, so that a broken one
        // (a directory, a FIFO, a dangling link) is refused, never skipped
        // in favour of a project further up.
        if dir.join(MANIFEST).symlink_metadata().is_ok() {
            return load(cwd, &up);
        }
        up.push("..");
    }
    let nested = Path::new("rules");
    if cwd.join(nested).join(MANIFEST).symlink_metadata().is_ok() {
        return load(cwd, nested);
    }
    Err(ProjectError::NotFound {
        dir: cwd.to_path_buf(),
        example,
        rules_here: cwd.join(nested).is_dir(),
    })
}

/// Reads `base/verdikt.toml`; `base` is relative to `cwd` (the current
/// directory; empty for `cwd` itself), and so are the project's paths.
fn load(cwd: &Path, base: &Path) -> Result<Project, ProjectError> {
    let path = tidy(&base.join(MANIFEST));
    let text = read_manifest(&cwd.join(&path), &path)?;
    let project = parse(base, path, text)?;
    if !cwd.join(&project.rules).is_dir() {
        return Err(missing_rules(&project));
    }
    Ok(project)
}

/// The manifest's `rules` names no folder: located at its value (at the
/// file's start when `rules` is left to its default).
fn missing_rules(project: &Project) -> ProjectError {
    let (path, line, column) = match &project.manifest {
        Some(m) => {
            let (line, column) = line_col(&m.text, m.rules_at);
            (m.path.clone(), line, column)
        }
        None => (PathBuf::from(MANIFEST), 1, 1),
    };
    ProjectError::Invalid {
        path,
        line,
        column,
        message: format!(
            "the rules folder `{}` does not exist",
            project.rules.display()
        ),
        help: Some("correct `rules`: it is relative to the manifest's folder".into()),
    }
}

/// The manifest's text; `shown` is its name in messages. A regular file
/// (links followed) of at most [`MAX_MANIFEST_BYTES`]; never blocks: a
/// FIFO is refused before it is opened, and opened without waiting if it
/// appears in between.
fn read_manifest(path: &Path, shown: &Path) -> Result<String, ProjectError> {
    let read = |source| ProjectError::Read {
        path: shown.to_path_buf(),
        source,
    };
    let not_a_file = |meta: &std::fs::Metadata| ProjectError::NotAFile {
        path: shown.to_path_buf(),
        what: crate::policy::file_kind(meta),
    };
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // Discovery saw an entry, so it is a link to nothing.
            return Err(ProjectError::NotAFile {
                path: shown.to_path_buf(),
                what: "a symbolic link to nothing (its target does not exist)",
            });
        }
        Err(e) => return Err(read(e)),
    };
    if !meta.is_file() {
        return Err(not_a_file(&meta));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(read)?;
    let meta = file.metadata().map_err(read)?;
    if !meta.is_file() {
        return Err(not_a_file(&meta));
    }
    let mut bytes = Vec::new();
    file.take(MAX_MANIFEST_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read)?;
    if bytes.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(ProjectError::TooLarge {
            path: shown.to_path_buf(),
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let (line, column) = line_col(&String::from_utf8_lossy(e.as_bytes()), offset);
        ProjectError::Invalid {
            path: shown.to_path_buf(),
            line,
            column,
            message: "the manifest is not UTF-8 text".into(),
            help: Some("save it as UTF-8".into()),
        }
    })
}

/// Parses a manifest's text; its paths are relative to `base`, the
/// manifest's folder.
pub(crate) fn parse(base: &Path, path: PathBuf, text: String) -> Result<Project, ProjectError> {
    let manifest: Manifest = match toml::from_str(&text) {
        Ok(m) => m,
        Err(e) => return Err(invalid(&path, &text, &e)),
    };
    let horizon = match manifest.calendar.and_then(|c| c.horizon) {
        None => None,
        Some(h) => {
            let range = h.span();
            match parse_horizon(h.get_ref()) {
                Ok(span) => Some((span, range)),
                Err(message) => {
                    let (line, column) = line_col(&text, range.start);
                    return Err(ProjectError::Invalid {
                        path,
                        line,
                        column,
                        message,
                        help: Some(
                            "write the first and the last date the calendars must cover, as `horizon = \"2026-01-01..2026-12-31\"`".into(),
                        ),
                    });
                }
            }
        }
    };
    let rules_at = manifest.rules.as_ref().map_or(0, |r| r.span().start);
    let at = |rel: Option<&str>, default: &str| tidy(&base.join(rel.unwrap_or(default)));
    Ok(Project {
        rules: at(manifest.rules.as_ref().map(|r| r.get_ref().as_str()), "."),
        cases: at(manifest.cases.as_deref(), "tests"),
        merchants: at(
            manifest.merchants.as_deref(),
            crate::decision_snapshots::MERCHANTS_DIR,
        ),
        decisions: at(
            manifest.decisions.as_deref(),
            crate::decision_snapshots::DECISIONS_DIR,
        ),
        corpora: manifest
            .corpora
            .iter()
            .map(|c| tidy(&base.join(c)))
            .collect(),
        manifest: Some(Manifested {
            path,
            rules_at,
            text,
            horizon,
        }),
    })
}

/// `verdikt check`'s warnings about the horizon: one per calendar that
/// leaves a date of it uncovered, pointing at `horizon` in the manifest
/// (added to `sources` so the warning renders like any other).
pub(crate) fn horizon_warnings(
    manifest: &Manifested,
    policy: &Policy,
    sources: &mut SourceMap,
) -> Vec<Diagnostic> {
    let Some((horizon, range)) = &manifest.horizon else {
        return Vec::new();
    };
    let mut warnings = Vec::new();
    let mut file = None;
    for calendar in &policy.calendars {
        let Some(covers) = &calendar.covers else {
            continue; // covers every date
        };
        let Some(day) = DateSpan::first_uncovered(covers, horizon.first, horizon.last) else {
            continue;
        };
        let id = *file.get_or_insert_with(|| {
            let shown = manifest.path.display().to_string();
            sources.add(Source::new(shown, &manifest.text))
        });
        let outside = match calendar.outside_text() {
            Some(days) => format!("; meanwhile such dates count as plain {days}"),
            None => "; meanwhile counting onto such a date fails".to_string(),
        };
        warnings.push(
            Diagnostic::warning(
                Code::InvalidCalendar,
                Span::new(id, range.start, range.end),
                format!(
                    "calendar `{}` does not cover {day}, inside the horizon {horizon}",
                    calendar.name
                ),
            )
            .with_help(format!(
                "it covers {}: add the holidays and make-up days up to {} and widen its `covers`, or shorten the horizon{outside}",
                calendar.covers_text(),
                horizon.last
            )),
        );
    }
    warnings
}

/// A TOML or schema error as a located message, with did-you-mean for an
/// unknown key.
fn invalid(path: &Path, text: &str, e: &toml::de::Error) -> ProjectError {
    let start = e.span().map_or(0, |s| s.start);
    let (line, column) = line_col(text, start);
    let message = e.message().trim().to_string();
    // serde says "unknown field `x`, expected one of ..."; the key as
    // written is at the error's span.
    let unknown = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next())
        .map(str::to_string);
    let (message, help) = match unknown {
        Some(key) => {
            let help = match crate::suggest::did_you_mean(&key, KEYS) {
                Some(near) => format!("did you mean `{near}`?"),
                None => {
                    "the keys are `rules`, `cases`, `merchants`, `decisions`, `corpora` and `[calendar] horizon`"
                        .to_string()
                }
            };
            (format!("unknown key `{key}`"), Some(help))
        }
        None => (message, None),
    };
    ProjectError::Invalid {
        path: path.to_path_buf(),
        line,
        column,
        message,
        help,
    }
}

/// `2026-01-01..2026-12-31`.
fn parse_horizon(text: &str) -> Result<DateSpan, String> {
    let (first, last) = text
        .split_once("..")
        .ok_or_else(|| format!("horizon `{text}` is not a date range"))?;
    let date = |t: &str| {
        NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d")
            .map_err(|_| format!("`{}` in the horizon is not a date (YYYY-MM-DD)", t.trim()))
    };
    let (first, last) = (date(first)?, date(last)?);
    if last < first {
        return Err(format!("horizon `{text}` runs backwards"));
    }
    Ok(DateSpan { first, last })
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

/// `a/./b` as `a/b`, and an empty path as `.`: the path a person writes.
fn tidy(path: &Path) -> PathBuf {
    let kept: PathBuf = path
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    if kept.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        kept
    }
}

#[cfg(test)]
mod tests;
