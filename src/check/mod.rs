//! Checks (temporary stub on branch `sources` until main compiles; main owns this file).

pub mod drift;
