//! The `verdikt` command line; everything it does lives in the library's
//! `cli` module.

use std::process::ExitCode;

fn main() -> ExitCode {
    verdikt::cli::main()
}
