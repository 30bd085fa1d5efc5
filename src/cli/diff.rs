//! `verdikt diff`: what a rule change does to real records.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use crate::batch::{Format, Input};
use crate::impact::{self, Options};
use crate::ErrorFormat;
use clap::{Args, ValueEnum};

use super::console::Stop;

#[derive(Debug, Args)]
pub(super) struct DiffArgs {
    /// The rules before the change: a directory, or `git:REV` for the head
    /// rule directory as committed at REV (e.g. `git:HEAD`, `git:main~1`).
    #[arg(long, default_value = "git:HEAD")]
    base: String,
    /// The rules after the change (default: the project's, found by `verdikt.toml`).
    #[arg(long)]
    head: Option<PathBuf>,
    /// Records both versions decide: any batch input (.jsonl, .json, .yaml, .csv, .gz, `-`);
    /// default: the project's `corpora`.
    corpus: Vec<String>,
    /// Input format, when the extension does not tell (stdin).
    #[arg(long, value_enum)]
    input_format: Option<Format>,
    /// Report as a table for people (`text`, the default) or JSON for machines.
    #[arg(long, value_enum)]
    output_format: Option<ReportFormat>,
    /// Deprecated spelling of `--output-format`.
    #[arg(
        long = "format",
        value_enum,
        hide = true,
        conflicts_with = "output_format"
    )]
    format: Option<ReportFormat>,
    /// Example merchants shown per transition (at most 1000).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(0..=1000))]
    examples: u16,
    /// Worker threads, 1 to 256 (default: all cores).
    #[arg(long, value_parser = super::threads)]
    threads: Option<usize>,
    /// Records decided per chunk; memory grows with it.
    #[arg(long, default_value_t = 8192, value_parser = super::chunk)]
    chunk: usize,
    /// Bytes of records decided per chunk (64 KiB to 1 GiB, default 16 MiB).
    #[arg(long, default_value_t = crate::batch::DEFAULT_CHUNK_BYTES, value_parser = super::chunk_bytes)]
    chunk_bytes: usize,
    /// A record longer than this is rejected without being read whole.
    #[arg(long, default_value_t = 1 << 20, value_parser = super::record_bytes)]
    max_record_bytes: usize,
    /// Exit 1 when any decision changes (as `git diff --exit-code`).
    #[arg(long)]
    exit_code: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ReportFormat {
    Text,
    Json,
}

pub(super) fn run(args: &DiffArgs, format: ErrorFormat) -> Result<ExitCode, Stop> {
    let output_format = super::renamed(args.output_format, args.format, "--output-format")?
        .unwrap_or(ReportFormat::Text);
    let (head_dir, corpus) = head_and_corpus(args)?;
    let (base, base_label) = match args.base.strip_prefix("git:") {
        Some(rev) => {
            let label = format!("{} at {rev}", head_dir.display());
            let files = rules_at_revision(&head_dir, rev).map_err(Stop::Failed)?;
            (
                super::usable_policy(crate::check_files(files), &label, format)?,
                label,
            )
        }
        None => (
            super::load_policy(Path::new(&args.base), format)?,
            args.base.clone(),
        ),
    };
    let head = super::load_policy(&head_dir, format)?;
    let mut inputs = Vec::new();
    for name in &corpus {
        let input = Input::open(name, args.input_format, args.max_record_bytes)
            .map_err(|e| Stop::Failed(e.to_string()))?;
        inputs.push(input);
    }
    let options = Options {
        chunk: args.chunk,
        chunk_bytes: args.chunk_bytes,
        examples: usize::from(args.examples),
        read_ahead: true,
    };
    let pool = super::thread_pool(args.threads)?;
    let impact = pool
        .install(|| impact::diff(&base, &head, inputs, &options))
        .map_err(|e| Stop::Failed(e.to_string()))?;
    let report = match output_format {
        ReportFormat::Text => {
            impact::render::text(&impact, &base_label, &head_dir.display().to_string())
        }
        ReportFormat::Json => match serde_json::to_string_pretty(&impact) {
            Ok(json) => json + "\n",
            Err(e) => return Err(Stop::Failed(format!("cannot render the report: {e}"))),
        },
    };
    say!("{report}")?;
    Ok(
        if args.exit_code && impact.rulesets.iter().any(|r| r.changed > 0) {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        },
    )
}

/// The head rules and the corpus: as given, else the project's. A
/// folder in the project's `corpora` stands for its files, in name order.
fn head_and_corpus(args: &DiffArgs) -> Result<(PathBuf, Vec<String>), Stop> {
    let example = "verdikt diff --base OLD --head NEW CORPUS";
    let project = super::project(args.head.as_deref(), example)?;
    if !args.corpus.is_empty() {
        return Ok((project.rules, args.corpus.clone()));
    }
    let mut corpus = Vec::new();
    for path in &project.corpora {
        if path.is_dir() {
            corpus.extend(corpus_files(path)?);
        } else {
            corpus.push(path.display().to_string());
        }
    }
    if corpus.is_empty() {
        let place = project.manifest.as_ref().map_or_else(
            || "no verdikt.toml was used".to_string(),
            |m| format!("`{}` lists none under `corpora`", m.path.display()),
        );
        return Err(Stop::Failed(format!(
            "no corpus to decide: name the files (`{example}`), or list them under `corpora` in verdikt.toml ({place})"
        )));
    }
    Ok((project.rules, corpus))
}

/// The files of a corpus folder, in name order (hidden files left out).
fn corpus_files(dir: &Path) -> Result<Vec<String>, Stop> {
    let unreadable = |e: std::io::Error| {
        Stop::Failed(format!(
            "cannot read the corpus folder `{}`: {e}",
            dir.display()
        ))
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(unreadable)? {
        let path = entry.map_err(unreadable)?.path();
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if path.is_file() && !hidden {
            files.push(path.display().to_string());
        }
    }
    files.sort();
    Ok(files)
}

type Files = Vec<(String, Vec<u8>)>;

/// The `*.vk` files of `dir` as committed at `rev`, read with git.
fn rules_at_revision(dir: &Path, rev: &str) -> Result<Files, String> {
    if rev.is_empty() || rev.starts_with('-') {
        return Err(format!("`git:{rev}` does not name a revision"));
    }
    // Paths in `REV:./x` and `ls-tree` are relative to the directory git runs in.
    let listing = git(dir, &["ls-tree", "--name-only", rev, "./"])?;
    let listing = String::from_utf8_lossy(&listing).into_owned();
    let mut names: Vec<&str> = listing
        .lines()
        .filter(|name| name.ends_with(".vk"))
        .collect();
    names.sort_unstable();
    if names.is_empty() {
        return Err(format!(
            "no rule files (*.vk) in `{}` at revision `{rev}`",
            dir.display()
        ));
    }
    let mut files = Vec::with_capacity(names.len());
    for name in names {
        let bytes = git(dir, &["show", &format!("{rev}:./{name}")])?;
        // The file name (not the revision) goes into the rules version hash.
        files.push((format!("git:{rev}:{}", dir.join(name).display()), bytes));
    }
    Ok(files)
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(format!(
            "git {} failed in `{}`: {}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}
