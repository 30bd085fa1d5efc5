//! `verdikt fmt`: rewrite rule files in canonical layout.
//!
//! Exit codes: 0 done (or, with `--check`, nothing to change); 1 `--check`
//! found files that would change; 2 a file did not parse or could not be
//! read or written (such files are left untouched, the others are still
//! formatted).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::atomic_file::AtomicFile;
use crate::span::FileId;
use crate::span::Source;
use crate::{ErrorFormat, SourceMap};

use super::console::Stop;

#[derive(Debug, clap::Args)]
pub(super) struct FmtArgs {
    /// Rule files, or directories whose `*.vk` files are formatted; `-`
    /// formats standard input to standard output (default: the project's
    /// rules, found by `verdikt.toml`).
    paths: Vec<PathBuf>,
    /// Change nothing: list the files that would change, exit 1 if any.
    #[arg(long)]
    check: bool,
}

/// What became of one file.
enum Outcome {
    Unchanged,
    Changed,
    Failed,
}

pub(super) fn run(args: &FmtArgs, format: ErrorFormat) -> Result<ExitCode, Stop> {
    let project_rules;
    let paths = if args.paths.is_empty() {
        project_rules = [super::rules_dir(None, "verdikt fmt path/to/rules")?];
        &project_rules[..]
    } else {
        &args.paths[..]
    };
    let mut changed = 0;
    let mut failed = false;
    for path in paths {
        if path.as_os_str() == "-" {
            failed |= !stdin(format)?;
            continue;
        }
        let files = match rule_files(path) {
            Ok(files) => files,
            Err(e) => {
                tell!("error: {e}")?;
                failed = true;
                continue;
            }
        };
        for file in files {
            match one_file(&file, args.check, format)? {
                Outcome::Unchanged => {}
                Outcome::Changed => {
                    changed += 1;
                    sayln!("{}", file.display())?;
                }
                Outcome::Failed => failed = true,
            }
        }
    }
    Ok(if failed {
        ExitCode::from(2)
    } else if args.check && changed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A directory's `*.vk` files in name order, or the file itself.
fn rule_files(path: &Path) -> Result<Vec<PathBuf>, crate::LoadError> {
    if path.is_dir() {
        crate::policy::rule_files(path)
    } else {
        Ok(vec![path.to_path_buf()])
    }
}

fn one_file(path: &Path, check: bool, format: ErrorFormat) -> Result<Outcome, Stop> {
    let name = path.display().to_string();
    let text = match crate::policy::read_rule_file(path).map(String::from_utf8) {
        Ok(Ok(text)) => text,
        Ok(Err(_)) => {
            tell!("error: `{name}` is not valid UTF-8; left as it is")?;
            return Ok(Outcome::Failed);
        }
        Err(e) => {
            tell!("error: {e}")?;
            return Ok(Outcome::Failed);
        }
    };
    let Some(formatted) = format_or_report(&name, &text, format)? else {
        tell!("error: `{name}` has syntax errors; left as it is")?;
        return Ok(Outcome::Failed);
    };
    if formatted == text {
        return Ok(Outcome::Unchanged);
    }
    if !check {
        let written = AtomicFile::create(path).and_then(|mut f| {
            f.write_all(formatted.as_bytes())?;
            f.commit()
        });
        if let Err(e) = written {
            tell!("error: cannot write `{name}`: {e}")?;
            return Ok(Outcome::Failed);
        }
    }
    Ok(Outcome::Changed)
}

/// Standard input to standard output; false when it could not be formatted.
fn stdin(format: ErrorFormat) -> Result<bool, Stop> {
    let mut text = String::new();
    if let Err(e) = std::io::stdin()
        .take(crate::policy::MAX_RULE_FILE_BYTES + 1)
        .read_to_string(&mut text)
    {
        tell!("error: cannot read standard input: {e}")?;
        return Ok(false);
    }
    if text.len() as u64 > crate::policy::MAX_RULE_FILE_BYTES {
        tell!(
            "error: standard input is larger than {} bytes, too large for a rule file",
            crate::policy::MAX_RULE_FILE_BYTES
        )?;
        return Ok(false);
    }
    let Some(formatted) = format_or_report("<stdin>", &text, format)? else {
        return Ok(false);
    };
    say!("{formatted}")?;
    Ok(true)
}

/// The formatted text, or `None` after printing why there is none.
fn format_or_report(name: &str, text: &str, format: ErrorFormat) -> Result<Option<String>, Stop> {
    let mut sources = SourceMap::default();
    // The formatter reads the text with its stray line terminators turned
    // into line breaks, and its diagnostics point there.
    let text = crate::format::normalize_line_breaks(text);
    let id: FileId = sources.add(Source::new(name, &text));
    let Some(source) = sources.get(id) else {
        return Ok(None);
    };
    match crate::format::format_source(source, id) {
        Ok(formatted) => Ok(Some(formatted)),
        Err(mut diagnostics) => {
            crate::diagnostic::sort(&mut diagnostics);
            tell_raw!(
                "{}",
                crate::diagnostic::render(&diagnostics, &sources, format)
            )?;
            Ok(None)
        }
    }
}
