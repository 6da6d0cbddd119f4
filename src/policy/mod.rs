//! Policy checks on Kubernetes objects: image pinning and registries ([`image`]) and the Argo CD
//! pitfalls seen in real incidents ([`argocd`]). They judge objects; loading and reporting are
//! other modules' business.

pub mod argocd;
pub mod image;
