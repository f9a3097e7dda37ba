//! The `lurewatch` command: parses arguments and calls the library.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    cli::init_logging(args.verbose, args.quiet);
    match cli::run(args) {
        Ok(code) => code.into(),
        Err(error) => {
            eprintln!("lurewatch: error: {error:#}");
            cli::Exit::Error.into()
        }
    }
}
