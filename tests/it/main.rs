//! The app's integration tests, one binary: each module runs the `vendor` binary or the app's
//! library against real files, real git repositories and real servers on loopback.

// Test code: a panic is the failure report, and printing explains a skipped comparison.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

mod build;
mod build_sharing;
mod check;
#[cfg(unix)]
mod cli;
mod common;
mod diff;
mod faults;
mod formats;
#[cfg(unix)]
mod git;
mod helm;
mod hostile;
#[cfg(unix)]
mod install;
mod integrity;
mod lints;
mod network;
#[cfg(unix)]
mod progress;
mod review;
mod sources;
mod update;
#[cfg(unix)]
mod update_prs;
