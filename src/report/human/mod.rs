//! The human format: what a person reads on a terminal or in a CI log.

pub mod diff;
pub mod findings;
pub mod tables;
pub mod update;
