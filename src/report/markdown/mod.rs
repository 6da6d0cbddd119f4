//! The Markdown format: pull-request bodies under GitHub's size limit.

pub mod diff;
pub mod update;
