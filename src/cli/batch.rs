//! `verdikt batch`: decide many snapshots, in order, losing none.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::atomic_file::{AtomicFile, Sink};
use crate::batch::{self, BatchError, Config, Format, Input, OutputFormat};
use crate::{ErrorFormat, Mode};
use clap::Args;

use super::console::Stop;
use super::paths::{self, Named};

#[derive(Debug, Args)]
pub(super) struct BatchArgs {
    /// The rule directory (default: the project's, found by `verdikt.toml`).
    #[arg(long)]
    rules: Option<PathBuf>,
    /// Inputs: .jsonl, .json (an array or one object), .yaml (documents), .csv, .parquet, .arrow (IPC file) or .arrows (IPC stream); gzip is read by its magic bytes; `-` is stdin.
    #[arg(required = true)]
    inputs: Vec<String>,
    /// Decision records go here (written atomically); default stdout, as is `-`.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Rejected records go here as JSONL (written atomically); default stderr; `-` is stdout.
    #[arg(long)]
    rejects: Option<PathBuf>,
    /// Input format, when the extension does not tell (stdin).
    #[arg(long, value_enum)]
    input_format: Option<Format>,
    /// Deprecated spelling of `--input-format`.
    #[arg(
        long = "format",
        value_enum,
        hide = true,
        conflicts_with = "input_format"
    )]
    format: Option<Format>,
    /// Output format: JSON Lines, CSV, or the columns of a Parquet or Arrow IPC file.
    #[arg(long, value_enum, default_value = "jsonl")]
    output_format: OutputFormat,
    /// Add each unmet condition's actual and required values.
    #[arg(long)]
    explain: bool,
    /// Add every condition tried.
    #[arg(long)]
    trace: bool,
    /// Worker threads, 1 to 256 (default: all cores).
    #[arg(long, value_parser = super::threads)]
    threads: Option<usize>,
    /// Records decided per chunk (at most 1,048,576); memory grows with it.
    #[arg(long, default_value_t = 8192, value_parser = super::chunk)]
    chunk: usize,
    /// Bytes of records decided per chunk (64 KiB to 1 GiB, default 16 MiB): a chunk closes at this or at `--chunk` records, whichever comes first.
    #[arg(long, default_value_t = batch::DEFAULT_CHUNK_BYTES, value_parser = super::chunk_bytes)]
    chunk_bytes: usize,
    /// Abort (exit 2, no output kept) once this many records are rejected (at least 1).
    #[arg(long, value_parser = super::max_rejects)]
    max_rejects: Option<u64>,
    /// A record longer than this (at most 1 GiB) is rejected without being read whole.
    #[arg(long, default_value_t = 1 << 20, value_parser = super::record_bytes)]
    max_record_bytes: usize,
    /// Also write the summary as JSON here.
    #[arg(long)]
    summary_json: Option<PathBuf>,
    /// No progress bar and no summary on stderr.
    #[arg(short, long)]
    quiet: bool,
}

pub(super) fn run(args: &BatchArgs, format: ErrorFormat) -> Result<ExitCode, Stop> {
    let rules = super::rules_dir(
        args.rules.as_deref(),
        "verdikt batch --rules path/to/rules FILE",
    )?;
    refuse_clobbering(args, &rules)?;
    let input_format = super::renamed(args.input_format, args.format, "--input-format")?;
    let policy = super::load_policy(&rules, format)?;
    if args.output_format.is_columnar() && (args.explain || args.trace) {
        return Err(Stop::Failed(
            "--explain and --trace are written to JSON Lines only; drop them or use --output-format jsonl".into(),
        ));
    }
    let inputs = open_inputs(args, input_format, &policy)?;
    let config = Config {
        mode: Mode {
            reasons: true,
            explain: args.explain || args.trace,
            trace: args.trace,
        },
        output: args.output_format,
        chunk: args.chunk,
        chunk_bytes: args.chunk_bytes,
        max_rejects: args.max_rejects,
        max_record_bytes: args.max_record_bytes,
        read_ahead: true,
    };
    let pool = super::thread_pool(args.threads)?;
    let mut out = sink(args.output.as_deref(), 1)?;
    let mut rejects = sink(args.rejects.as_deref(), 2)?;
    let files_given = [&out, &rejects].iter().any(|s| matches!(s, Sink::File(_)));

    let bar = (!args.quiet && io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar
    });
    let show = |s: &batch::Summary| {
        if let Some(bar) = &bar {
            bar.set_message(format!(
                "{} read, {} rejected, {}/s",
                s.read,
                s.rejected,
                s.throughput()
            ));
        }
    };
    let result = pool.install(|| match inputs {
        Inputs::Text(inputs) => batch::run(&policy, inputs, &config, &mut out, &mut rejects, show),
        #[cfg(feature = "arrow")]
        Inputs::Columnar(inputs) => {
            batch::run_columnar(&policy, inputs, &config, &mut out, &mut rejects, show)
        }
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    // On any failure the output files are dropped uncommitted: removed.
    let summary = result.map_err(|e| match e {
        BatchError::Write { error, .. } if error.kind() == io::ErrorKind::BrokenPipe => {
            Stop::Closed
        }
        other if files_given => Stop::Failed(format!("{other}; no output file was written")),
        other => Stop::Failed(other.to_string()),
    })?;
    // Commit the files: only a complete run's output takes its final name.
    for (sink, what) in [(out, "decisions"), (rejects, "rejected records")] {
        sink.finish()
            .map_err(|e| Stop::writing(&format!("the {what}"), &e))?;
    }
    if let Some(path) = &args.summary_json {
        let json = serde_json::to_vec_pretty(&summary)
            .map_err(|e| Stop::Failed(format!("cannot render the summary: {e}")))?;
        let mut summary_sink = sink(Some(path), 1)?;
        let written = summary_sink
            .write_all(&json)
            .and_then(|()| summary_sink.finish());
        written.map_err(|e| Stop::writing(&format!("`{}`", path.display()), &e))?;
    }
    if !args.quiet {
        tell!("{summary}")?;
    }
    Ok(if summary.rejected > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The inputs of a run: all text, or all columns (Parquet, Arrow IPC).
enum Inputs {
    Text(Vec<Input>),
    #[cfg(feature = "arrow")]
    Columnar(Vec<batch::ColumnarInput>),
}

fn open_inputs(
    args: &BatchArgs,
    format: Option<Format>,
    policy: &crate::ir::Policy,
) -> Result<Inputs, Stop> {
    let columnar = |name: &String| {
        format
            .or_else(|| Format::from_path(name))
            .is_some_and(Format::is_columnar)
    };
    let count = args.inputs.iter().filter(|n| columnar(n)).count();
    if count == 0 {
        let mut inputs = Vec::new();
        for name in &args.inputs {
            let input = Input::open(name, format, args.max_record_bytes)
                .map_err(|e| Stop::Failed(e.to_string()))?;
            inputs.push(input);
        }
        return Ok(Inputs::Text(inputs));
    }
    if count < args.inputs.len() {
        return Err(Stop::Failed(
            "Parquet/Arrow inputs and text inputs cannot be mixed in one run; decide them in two runs".into(),
        ));
    }
    open_columnar(args, format, policy)
}

#[cfg(feature = "arrow")]
fn open_columnar(
    args: &BatchArgs,
    format: Option<Format>,
    policy: &crate::ir::Policy,
) -> Result<Inputs, Stop> {
    let mut inputs = Vec::new();
    for name in &args.inputs {
        let format = format
            .or_else(|| Format::from_path(name))
            .unwrap_or(Format::Arrow);
        let input =
            batch::ColumnarInput::open(name, format, policy, args.chunk, args.max_record_bytes)
                .map_err(|e| Stop::Failed(e.to_string()))?;
        inputs.push(input);
    }
    Ok(Inputs::Columnar(inputs))
}

#[cfg(not(feature = "arrow"))]
fn open_columnar(
    _args: &BatchArgs,
    _format: Option<Format>,
    _policy: &crate::ir::Policy,
) -> Result<Inputs, Stop> {
    Err(Stop::Failed(
        "this verdikt was built without the `arrow` and `parquet` features: rebuild with them to read Parquet or Arrow".into(),
    ))
}

/// Where an output goes: `path` (written atomically), or the standard
/// stream it names (`-` and `/dev/stdout` are standard output,
/// `/dev/stderr` standard error), or the standard stream `default` when no
/// path is given.
fn sink(path: Option<&Path>, default: i32) -> Result<Sink, Stop> {
    let stream = match path {
        None => default,
        Some(path) => match paths::standard_stream(path, true) {
            Some(fd) => fd,
            None => {
                return AtomicFile::create(path)
                    .map(Sink::File)
                    .map_err(|e| Stop::Failed(format!("cannot create `{}`: {e}", path.display())))
            }
        },
    };
    Ok(if stream == 2 {
        Sink::Stderr(io::stderr())
    } else {
        Sink::Stdout(io::BufWriter::with_capacity(1 << 20, io::stdout()))
    })
}

/// Refuses, before anything is read, outputs that are inputs or rule files
/// (through links too), outputs that are one file, and a standard stream
/// redirected into either.
fn refuse_clobbering(args: &BatchArgs, rules: &Path) -> Result<(), Stop> {
    let mut inputs = Vec::new();
    for name in &args.inputs {
        if name == "-" {
            inputs.push(Named::stream("standard input", 0));
        } else {
            inputs.push(Named::file(format!("the input `{name}`"), Path::new(name)));
        }
    }
    // A missing rule directory is reported when the rules are loaded.
    if let Ok(files) = crate::policy::rule_files(rules) {
        for file in files {
            let label = format!("the rule file `{}`", file.display());
            inputs.push(Named::file(label, &file));
        }
    }
    let mut outputs = Vec::new();
    let flag = |flag: &str, path: &Path| {
        let label = format!("{flag} `{}`", path.display());
        match paths::standard_stream(path, true) {
            Some(fd) => Named::stream(&label, fd),
            None => Named::file(label, path),
        }
    };
    match &args.output {
        Some(path) => outputs.push(flag("-o", path)),
        None => outputs.push(Named::stream("standard output (the decisions)", 1)),
    }
    match &args.rejects {
        Some(path) => outputs.push(flag("--rejects", path)),
        None => outputs.push(Named::stream("standard error (the rejects)", 2)),
    }
    if let Some(path) = &args.summary_json {
        outputs.push(flag("--summary-json", path));
    }
    match paths::clash(&inputs, &outputs) {
        Some(message) => Err(Stop::Failed(format!("{message}; nothing was read"))),
        None => Ok(()),
    }
}
