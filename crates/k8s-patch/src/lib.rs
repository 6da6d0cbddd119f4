//! Patching of Kubernetes objects: strategic merge (as kustomize's kyaml merge applies it) and
//! JSON6902, plus the table of merge keys and strategies both of them and `diff` consult.
//! Which patch applies to which object is decided by `crate::kustomize`.

pub mod json6902;
pub mod schema;
pub mod strategic_merge;
