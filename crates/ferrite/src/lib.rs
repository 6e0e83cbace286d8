//! The `ferrite` binary as a library: configuration, the command line, and the HTTP server that
//! wires the other crates together. `main.rs` only parses arguments and calls `cli::main`.

mod admin;
pub mod cli;
pub mod config;
mod connections;
pub mod cors;
mod health;
pub mod jobs;
mod logging;
pub mod metrics;
mod progress;
pub mod server;
mod startup;
pub mod supply_cli;

pub use server::{AppState, router};
