//! The commands as flows: each module takes a loaded vendor.toml (or paths) and options, drives
//! sources, engines and checks, and returns a report model; printing is `crate::report`'s job
//! and argument parsing `crate::cli`'s.

pub mod check;
pub mod diff;
pub mod images;
pub mod outdated;
pub mod prune;
pub mod sync;
pub mod update;
