//! `vendor`: vendor upstream Kubernetes manifests and Helm charts into git, keep local changes as
//! Kustomize patches, and check all of it offline.
//!
//! The modules follow the pipeline:
//! `config` (vendor.toml) -> `sources` (fetch) -> `render` (helm, yaml) -> `patch` / `kustomize`
//! -> `policy` (findings) -> `diff` -> `report`. `cli` is glue only.

// Errors are miette diagnostics that carry what the user needs (paths, URLs, help); they are
// built on the cold path only, so their size does not matter.
#![allow(clippy::result_large_err)]

pub mod cli;
pub mod config;
pub mod diag;
pub mod digest;
pub mod flows;
pub mod helm;
pub mod policy;
pub mod render;
pub mod report;
pub mod resources;
pub mod sources;
pub mod template;
pub mod workspace;
