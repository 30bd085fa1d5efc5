//! `verdikt doc`: the policy book, for reviewers who never read rule files
//! (see `crate::doc`). Markdown or one HTML page, to standard output or
//! written whole to `-o FILE`.
//!
//! Exit 0 when the book was written; 2 when the rules have errors, the test
//! cases cannot be read, or the output cannot be written.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::atomic_file::AtomicFile;
use crate::doc::{BookFormat, Inputs, Tested};
use crate::ErrorFormat;

use super::console::Stop;

#[derive(Debug, clap::Args)]
pub(super) struct DocArgs {
    /// The rule directory, or a project folder (default: the project
    /// around the current directory, found by its `verdikt.toml`).
    rules: Option<PathBuf>,
    /// `md` (Markdown) or `html` (one self-contained page).
    #[arg(long, value_enum, default_value = "md")]
    format: Form,
    /// Write the book to FILE (whole or not at all) instead of standard
    /// output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Form {
    Md,
    Html,
}

pub(super) fn run(args: &DocArgs, format: ErrorFormat) -> Result<ExitCode, Stop> {
    let project = super::project(args.rules.as_deref(), "verdikt doc path/to/rules")?;
    let dir = &project.rules;
    let policy = super::load_policy(dir, format)?;
    // The book walks the syntax trees the policy was checked from; the
    // version (a hash of every file) shows they are the same files.
    let parsed = crate::policy::parse_dir(dir).map_err(|e| Stop::Failed(e.to_string()))?;
    if parsed.version != policy.version {
        return Err(Stop::Failed(format!(
            "the rule files in `{}` changed while they were read; run `verdikt doc` again",
            dir.display()
        )));
    }
    let mut coverage = crate::coverage::Coverage::default();
    let suite = if project.cases.is_dir() {
        match crate::cases::load_suite(&policy, &project.cases) {
            Ok(suite) => Some(suite),
            Err(errors) => {
                tell_raw!("{}", errors.render(format))?;
                return Err(Stop::Failed(format!(
                    "the test cases in `{}` cannot be read, so the book cannot say what they cover; \
                     `verdikt test` shows the same problems",
                    project.cases.display()
                )));
            }
        }
    } else {
        None
    };
    if let Some(suite) = &suite {
        suite.run_matching(&policy, &mut coverage, None);
    }
    let inputs = Inputs {
        trees: &parsed.trees,
        policy: &policy,
        tested: suite.as_ref().map(|suite| Tested {
            suite,
            coverage: &coverage,
        }),
        horizon: project
            .manifest
            .as_ref()
            .and_then(|m| m.horizon.as_ref())
            .map(|(h, _)| *h),
    };
    let book = crate::doc::render(
        &inputs,
        match args.format {
            Form::Md => BookFormat::Markdown,
            Form::Html => BookFormat::Html,
        },
    );
    match &args.output {
        None => say!("{book}")?,
        Some(path) => {
            let written = AtomicFile::create(path).and_then(|mut f| {
                std::io::Write::write_all(&mut f, book.as_bytes())?;
                f.commit()
            });
            if let Err(e) = written {
                return Err(Stop::Failed(format!(
                    "cannot write `{}`: {e}",
                    path.display()
                )));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
