//! Which field identifies the items of a list, for pairing list items across versions. The
//! Kubernetes strategic-merge data (owned by `crate::patch::schema`) is the source of truth; the
//! small table below only covers the pod-spec lists until that module is available on this branch.

/// The merge key of the list at `field_path` (mapping keys from the object root, list indexes
/// left out) in an object of `api_version`/`kind`, when Kubernetes defines one.
pub fn for_list(api_version: &str, kind: &str, field_path: &[&str]) -> Option<&'static str> {
    let _ = api_version;
    let last = *field_path.last()?;
    let parent = field_path.len().checked_sub(2).map(|i| field_path[i]);
    match (parent, last) {
        (_, "containers" | "initContainers" | "ephemeralContainers") => Some("name"),
        (_, "env" | "volumes" | "imagePullSecrets") => Some("name"),
        (_, "volumeMounts") => Some("mountPath"),
        (_, "volumeDevices") => Some("devicePath"),
        (Some("containers" | "initContainers" | "ephemeralContainers"), "ports") => {
            Some("containerPort")
        }
        (Some("spec"), "ports") if kind == "Service" => Some("port"),
        (_, "hostAliases") => Some("ip"),
        (_, "topologySpreadConstraints") => Some("topologyKey"),
        _ => None,
    }
}
