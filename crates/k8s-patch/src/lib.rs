//! Patching of Kubernetes objects: strategic merge (as kustomize's kyaml merge applies it) and
//! JSON6902, plus the table of merge keys and strategies both of them and `diff` consult.
//! Which patch applies to which object is the caller's business (the `kustomize` crate).
//!
//! ```
//! use kyaml::Dialect;
//!
//! let object = kyaml::parse_one(
//!     "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n",
//!     Dialect::Kube,
//! )
//! .unwrap();
//! let patch = kyaml::parse_one("spec:\n  replicas: 3\n", Dialect::Kube).unwrap();
//! let merged = k8s_patch::strategic_merge::merge(&object, &patch).unwrap();
//! let replicas = merged.object.unwrap().path(&["spec", "replicas"]).cloned();
//! assert_eq!(replicas, Some(kyaml::Value::Int(3)));
//! ```

pub mod json6902;
pub mod schema;
pub mod strategic_merge;
