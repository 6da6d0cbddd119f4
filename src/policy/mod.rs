//! Policy checks on Kubernetes objects: image pinning and registries ([`image`]) and the Argo CD
//! pitfalls seen in real incidents ([`argocd`]). They judge objects; loading and reporting are
//! other modules' business.

pub mod argocd;
pub mod image;

/// How vendored files are read for the policy checks and the lock's image list: every mapping
/// is kept (the rules judge what is an object), `List`s are not expanded.
pub const VENDORED_FILES: kyaml::manifest::ParseOptions = kyaml::manifest::ParseOptions {
    expand_lists: false,
    strict: false,
    keep_non_objects: true,
};
