//! `vendor`: vendor upstream Kubernetes manifests and Helm charts into git, keep local changes as
//! Kustomize patches, and check all of it offline.
//!
//! This crate is the app: the only one that knows vendor.toml. The engines are crates of their
//! own (`kyaml`, `semver-ranges`, `gotemplate`, `sprig`, `helm-render`, `k8s-patch`,
//! `kustomize`, `kdiff`). The modules follow the pipeline: `config` (vendor.toml) -> `sources`
//! (fetch) -> `render` (entry -> engine options, engine warnings -> findings) -> `policy`
//! (image and Argo CD rules) -> `flows` (one module per command) -> `report` (one model, a
//! printer per format). `cli` parses arguments and maps outcomes to exit codes; `diag` is the
//! finding model, `digest` the one digest format, `workspace` the atomic writes.

// Errors are miette diagnostics that carry what the user needs (paths, URLs, help); they are
// built on the cold path only, so their size does not matter.
#![allow(clippy::result_large_err)]

pub mod cli;
pub mod config;
pub mod diag;
pub mod digest;
pub mod flows;
pub mod policy;
pub mod render;
pub mod report;
pub mod sources;
pub mod workspace;
