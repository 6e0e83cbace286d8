use std::process::ExitCode;

use clap::Parser;
use ferrite::cli::Cli;

fn main() -> ExitCode {
    ferrite::cli::main(Cli::parse())
}
