//! `verdikt batch`: decide many snapshots, in order, losing none.

use std::io::{self, BufRead, BufReader, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use verdikt::atomic_file::{AtomicFile, Sink};
use verdikt::batch::{self, Config, Format, Framer, OutputFormat};
use verdikt::{ErrorFormat, Mode};

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// The rule directory.
    #[arg(long, default_value = "rules")]
    rules: PathBuf,
    /// Inputs: .jsonl, .json (an array), .yaml (documents), .csv, each optionally .gz; `-` is stdin.
    #[arg(required = true)]
    inputs: Vec<String>,
    /// Decision records go here (written atomically); default stdout.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Rejected records go here as JSONL (written atomically); default stderr.
    #[arg(long)]
    rejects: Option<PathBuf>,
    /// Input format, when the extension does not tell (stdin).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Output format.
    #[arg(long, value_enum, default_value = "jsonl")]
    output_format: OutputFormat,
    /// Add each unmet condition's actual and required values.
    #[arg(long)]
    explain: bool,
    /// Add every condition tried.
    #[arg(long)]
    trace: bool,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Records decided per chunk; memory grows with it.
    #[arg(long, default_value_t = 8192)]
    chunk: usize,
    /// Abort (exit 2, no output kept) once this many records are rejected.
    #[arg(long)]
    max_rejects: Option<u64>,
    /// A record longer than this is rejected without being read whole.
    #[arg(long, default_value_t = 1 << 20)]
    max_record_bytes: usize,
    /// Also write the summary as JSON here.
    #[arg(long)]
    summary_json: Option<PathBuf>,
    /// No progress bar and no summary on stderr.
    #[arg(short, long)]
    quiet: bool,
}

pub fn run(args: &BatchArgs, format: ErrorFormat) -> ExitCode {
    let policy = match super::load_policy(&args.rules, format) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut inputs: Vec<(Arc<str>, Box<dyn Framer>)> = Vec::new();
    for name in &args.inputs {
        match open_input(name, args.format, args.max_record_bytes) {
            Ok(framer) => inputs.push((Arc::from(name.as_str()), framer)),
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(2);
            }
        }
    }
    let config = Config {
        mode: Mode {
            reasons: true,
            explain: args.explain || args.trace,
            trace: args.trace,
        },
        output: args.output_format,
        chunk: args.chunk.max(1),
        max_rejects: args.max_rejects,
        max_record_bytes: args.max_record_bytes.max(1),
        read_ahead: true,
    };
    let pool = match super::thread_pool(args.threads) {
        Ok(p) => p,
        Err(code) => return code,
    };

    let mut out = match &args.output {
        Some(path) => match AtomicFile::create(path) {
            Ok(f) => Sink::File(f),
            Err(e) => {
                eprintln!("error: cannot create `{}`: {e}", path.display());
                return ExitCode::from(2);
            }
        },
        None => Sink::Stdout(io::BufWriter::with_capacity(1 << 20, io::stdout())),
    };
    let mut rejects = match &args.rejects {
        Some(path) => match AtomicFile::create(path) {
            Ok(f) => Sink::File(f),
            Err(e) => {
                eprintln!("error: cannot create `{}`: {e}", path.display());
                return ExitCode::from(2);
            }
        },
        None => Sink::Stderr(io::stderr()),
    };

    let bar = (!args.quiet && io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar
    });
    let result = pool.install(|| {
        batch::run(&policy, inputs, &config, &mut out, &mut rejects, |s| {
            if let Some(bar) = &bar {
                bar.set_message(format!(
                    "{} read, {} rejected, {}/s",
                    s.read,
                    s.rejected,
                    s.throughput()
                ));
            }
        })
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let summary = match result {
        Ok(s) => s,
        Err(e) => {
            // Temporary output files are removed when dropped uncommitted.
            eprintln!("error: {e}; no output was kept");
            return ExitCode::from(2);
        }
    };
    // Commit the files: only a complete run's output takes its final name.
    for sink in [out, rejects] {
        if let Err(e) = sink.finish() {
            eprintln!("error: cannot write output: {e}");
            return ExitCode::from(2);
        }
    }
    if !args.quiet {
        eprintln!("{summary}");
    }
    if let Some(path) = &args.summary_json {
        let written = serde_json::to_vec_pretty(&summary)
            .map_err(io::Error::other)
            .and_then(|json| std::fs::write(path, json));
        if let Err(e) = written {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    if summary.rejected > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Opens one input (`-` is stdin, `.gz` is decompressed) and frames it.
pub(super) fn open_input(
    name: &str,
    format: Option<Format>,
    max_record_bytes: usize,
) -> Result<Box<dyn Framer>, String> {
    let format = format
        .or_else(|| Format::from_path(name))
        .or_else(|| (name == "-").then_some(Format::Jsonl))
        .ok_or_else(|| format!("cannot tell the format of `{name}`; use --format"))?;
    let raw: Box<dyn io::Read + Send> = if name == "-" {
        Box::new(io::stdin())
    } else {
        Box::new(std::fs::File::open(name).map_err(|e| format!("cannot read `{name}`: {e}"))?)
    };
    let raw: Box<dyn io::Read + Send> = if name.ends_with(".gz") {
        Box::new(flate2::read::MultiGzDecoder::new(raw))
    } else {
        raw
    };
    let input: Box<dyn BufRead + Send> = Box::new(BufReader::with_capacity(1 << 20, raw));
    Ok(batch::read::framer(
        format,
        Arc::from(name),
        input,
        max_record_bytes.max(1),
    ))
}
