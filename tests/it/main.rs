//! The app's integration tests, one binary: each module runs the `vendor` binary or the app's
//! library against real files, real git repositories and real servers on loopback.

mod build;
mod check;
mod common;
mod diff;
mod sources;
mod update;
