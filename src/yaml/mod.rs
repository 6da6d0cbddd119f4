//! The YAML data model shared by every stage: a JSON-like [`Value`] tree (what Kubernetes and Helm
//! see after decoding), a parser that keeps line/column positions for diagnostics, and an emitter
//! that writes exactly what Go's `sigs.k8s.io/yaml` writes (the format of `kustomize build` output
//! and of Helm's `toYaml`).

mod value;

pub use value::{Map, Value};
