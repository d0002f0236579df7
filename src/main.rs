//! The `service-policy` command line: check, format, evaluate, test and replay policies.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
