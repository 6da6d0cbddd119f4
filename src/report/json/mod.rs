//! The JSON format: stable, documented schemas for machines.

pub mod diff;
pub mod findings;
pub mod tables;
pub mod update;
