//! `verdikt fmt`: rewrite rule files in canonical layout.
//!
//! Exit codes: 0 done (or, with `--check`, nothing to change); 1 `--check`
//! found files that would change; 2 a file did not parse or could not be
//! read or written (such files are left untouched, the others are still
//! formatted).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use verdikt::atomic_file::AtomicFile;
use verdikt::span::FileId;
use verdikt::{ErrorFormat, Source, SourceMap};

#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Rule files, or directories whose `*.vk` files are formatted; `-`
    /// formats standard input to standard output.
    #[arg(default_value = "rules")]
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

pub fn run(args: &FmtArgs, format: ErrorFormat) -> ExitCode {
    let mut changed = 0;
    let mut failed = false;
    for path in &args.paths {
        if path.as_os_str() == "-" {
            failed |= !stdin(format);
            continue;
        }
        let files = match rule_files(path) {
            Ok(files) => files,
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", path.display());
                failed = true;
                continue;
            }
        };
        for file in files {
            match one_file(&file, args.check, format) {
                Outcome::Unchanged => {}
                Outcome::Changed => {
                    changed += 1;
                    println!("{}", file.display());
                }
                Outcome::Failed => failed = true,
            }
        }
    }
    if failed {
        ExitCode::from(2)
    } else if args.check && changed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// A directory's `*.vk` files in name order, or the file itself.
fn rule_files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        std::fs::metadata(path)?;
        return Ok(vec![path.to_path_buf()]);
    }
    verdikt::policy::rule_files(path)
}

fn one_file(path: &Path, check: bool, format: ErrorFormat) -> Outcome {
    let name = path.display().to_string();
    let text = match std::fs::read(path).map(String::from_utf8) {
        Ok(Ok(text)) => text,
        Ok(Err(_)) => {
            eprintln!("error: `{name}` is not valid UTF-8; left as it is");
            return Outcome::Failed;
        }
        Err(e) => {
            eprintln!("error: cannot read `{name}`: {e}");
            return Outcome::Failed;
        }
    };
    let Some(formatted) = format_or_report(&name, &text, format) else {
        eprintln!("error: `{name}` has syntax errors; left as it is");
        return Outcome::Failed;
    };
    if formatted == text {
        return Outcome::Unchanged;
    }
    if !check {
        let written = AtomicFile::create(path).and_then(|mut f| {
            f.write_all(formatted.as_bytes())?;
            f.commit()
        });
        if let Err(e) = written {
            eprintln!("error: cannot write `{name}`: {e}");
            return Outcome::Failed;
        }
    }
    Outcome::Changed
}

/// Standard input to standard output; false when it could not be formatted.
fn stdin(format: ErrorFormat) -> bool {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        eprintln!("error: cannot read standard input: {e}");
        return false;
    }
    let Some(formatted) = format_or_report("<stdin>", &text, format) else {
        return false;
    };
    let mut out = std::io::stdout().lock();
    match out
        .write_all(formatted.as_bytes())
        .and_then(|()| out.flush())
    {
        Ok(()) => true,
        Err(e) => {
            eprintln!("error: cannot write standard output: {e}");
            false
        }
    }
}

/// The formatted text, or `None` after printing why there is none.
fn format_or_report(name: &str, text: &str, format: ErrorFormat) -> Option<String> {
    let mut sources = SourceMap::default();
    let id: FileId = sources.add(Source::new(name, text));
    let source = sources.get(id)?;
    match verdikt::format::format_source(source, id) {
        Ok(formatted) => Some(formatted),
        Err(mut diagnostics) => {
            verdikt::diagnostic::sort(&mut diagnostics);
            eprint!(
                "{}",
                verdikt::diagnostic::render(&diagnostics, &sources, format)
            );
            None
        }
    }
}
