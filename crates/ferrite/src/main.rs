use std::process::ExitCode;

use clap::Parser;
use ferrite::cli::Cli;

// The importer and the API allocate many small strings from several threads at once, where
// glibc's allocator spends much of its time in locks and consolidation (bench/RESULTS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    ferrite::cli::main(Cli::parse())
}
