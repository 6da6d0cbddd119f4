//! `vendor`: vendor upstream Kubernetes manifests and Helm charts into git, keep local changes as
//! Kustomize patches, and check all of it offline.
//!
//! The modules follow the pipeline:
//! `config` (vendor.toml) -> `sources` (fetch) -> `render` (charts through the `helm-render`
//! crate, yaml) -> `patch` / `kustomize`
//! -> `policy` (findings) -> `diff` -> `report`. `cli` is glue only.

pub mod check;
pub mod cli;
pub mod config;
pub mod diag;
pub mod diff;
pub mod kustomize;
pub mod patch;
pub mod policy;
pub mod render;
pub mod report;
pub mod resources;
pub mod sources;
pub mod update;
pub mod workspace;
