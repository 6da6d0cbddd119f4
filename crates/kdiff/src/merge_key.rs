//! Which field identifies the items of a list, for pairing list items across versions. The
//! Kubernetes strategic-merge data owned by `k8s_patch::schema` is the source of truth, so the
//! diff pairs list items exactly as a strategic merge patch would.

/// The merge key of the list at `field_path` (mapping keys from the object root, list indexes
/// left out) in an object of `api_version`/`kind`, when Kubernetes defines one.
pub fn for_list(api_version: &str, kind: &str, field_path: &[&str]) -> Option<&'static str> {
    k8s_patch::schema::list_merge_key(api_version, kind, field_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uses_the_kubernetes_merge_keys() {
        let containers = ["spec", "template", "spec", "containers"];
        assert_eq!(for_list("apps/v1", "Deployment", &containers), Some("name"));
        let mounts = ["spec", "template", "spec", "containers", "volumeMounts"];
        assert_eq!(
            for_list("apps/v1", "Deployment", &mounts),
            Some("mountPath")
        );
        assert_eq!(for_list("v1", "Service", &["spec", "ports"]), Some("port"));
        // Lists without a strategy (args) and unknown kinds have none.
        assert_eq!(
            for_list(
                "apps/v1",
                "Deployment",
                &["spec", "template", "spec", "containers", "args"]
            ),
            None
        );
        assert_eq!(
            for_list("example.com/v1", "Widget", &["spec", "items"]),
            None
        );
    }
}
