//! Standard output and standard error that never panic.
//!
//! `println!` panics when its pipe closes (`verdikt eval x | head`) or the
//! device is full; every verb writes through these instead and stops with a
//! [`Stop`]: a closed pipe ends the verb quietly with exit 141 (what a shell
//! reports for a process killed by SIGPIPE), any other write failure is an
//! error with exit 2.

use std::fmt;
use std::io::{self, Write};
use std::process::ExitCode;

/// Why a verb stops before it would have finished.
#[derive(Debug)]
pub(crate) enum Stop {
    /// A reader closed an output pipe: nothing more can be said.
    Closed,
    /// An error to print (`error: ...`), then exit 2.
    Failed(String),
}

/// Exit code of a verb whose output pipe was closed.
pub(crate) const CLOSED_PIPE: u8 = 141;

impl Stop {
    /// A failed write to `stream` (`standard output`, a file name).
    pub(crate) fn writing(stream: &str, e: &io::Error) -> Stop {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Stop::Closed
        } else {
            Stop::Failed(format!("cannot write {stream}: {e}"))
        }
    }

    /// Prints what needs printing and gives the exit code.
    pub(crate) fn exit_code(self) -> ExitCode {
        match self {
            Stop::Closed => ExitCode::from(CLOSED_PIPE),
            Stop::Failed(message) => {
                // If standard error is gone too, there is no one to tell.
                let _ = writeln!(io::stderr().lock(), "error: {message}");
                ExitCode::from(2)
            }
        }
    }
}

/// Writes to standard output.
pub(crate) fn out(args: fmt::Arguments<'_>) -> Result<(), Stop> {
    io::stdout()
        .lock()
        .write_fmt(args)
        .map_err(|e| Stop::writing("standard output", &e))
}

/// Writes to standard error.
pub(crate) fn err(args: fmt::Arguments<'_>) -> Result<(), Stop> {
    io::stderr()
        .lock()
        .write_fmt(args)
        .map_err(|e| Stop::writing("standard error", &e))
}

/// Flushes standard output at the end of a verb.
pub(crate) fn flush() -> Result<(), Stop> {
    io::stdout()
        .lock()
        .flush()
        .map_err(|e| Stop::writing("standard output", &e))
}

/// `print!` that returns a `Result<(), Stop>` instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => { $crate::cli::console::out(format_args!($($arg)*)) };
}

/// `println!` that returns a `Result<(), Stop>` instead of panicking.
macro_rules! sayln {
    () => { $crate::cli::console::out(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::cli::console::out(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `eprintln!` that returns a `Result<(), Stop>` instead of panicking.
macro_rules! tell {
    ($($arg:tt)*) => { $crate::cli::console::err(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `eprint!` that returns a `Result<(), Stop>` instead of panicking.
macro_rules! tell_raw {
    ($($arg:tt)*) => { $crate::cli::console::err(format_args!($($arg)*)) };
}
