//! Argo CD pitfalls from real incidents: a CRD that carries `.status` shows OutOfSync forever, and
//! an object above 256 KiB cannot be applied client-side (the last-applied annotation overflows).

use crate::diag::Code;
use kyaml::Value;

/// The annotation size limit that client-side apply runs into.
pub const MAX_OBJECT_BYTES: usize = 256 * 1024;

/// A pitfall found in one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pitfall {
    pub code: Code,
    pub message: String,
    pub help: String,
}

/// Checks one object. `serialized_len` is the size of its YAML text in the vendored file.
pub fn check(object: &Value, serialized_len: usize) -> Vec<Pitfall> {
    let mut out = Vec::new();
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    if kind == "CustomResourceDefinition" && object.get("status").is_some_and(|s| !s.is_null()) {
        out.push(Pitfall {
            code: Code::CrdHasStatus,
            message: "CustomResourceDefinition carries a `status` field".into(),
            help: "Argo CD reports it OutOfSync forever; remove `status` with a patch (`status: null`)".into(),
        });
    }
    if serialized_len > MAX_OBJECT_BYTES {
        out.push(Pitfall {
            code: Code::ObjectTooLarge,
            message: format!(
                "object is {} KiB, above the 256 KiB client-side apply limit",
                serialized_len.div_ceil(1024)
            ),
            help: "apply it server-side (Argo CD: `argocd.argoproj.io/sync-options: ServerSideApply=true`) or Replace=true".into(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crd_with_status_is_flagged_but_empty_status_is_not_special() {
        let crd = Value::from(
            serde_json::json!({"kind": "CustomResourceDefinition", "status": {"acceptedNames": {}}}),
        );
        assert_eq!(check(&crd, 10)[0].code, Code::CrdHasStatus);
        let crd_null =
            Value::from(serde_json::json!({"kind": "CustomResourceDefinition", "status": null}));
        assert!(check(&crd_null, 10).is_empty());
        let deploy = Value::from(serde_json::json!({"kind": "Deployment", "status": {}}));
        assert!(check(&deploy, 10).is_empty());
    }

    #[test]
    fn large_objects_are_flagged() {
        let v = Value::from(serde_json::json!({"kind": "ConfigMap"}));
        assert!(check(&v, MAX_OBJECT_BYTES).is_empty());
        assert_eq!(
            check(&v, MAX_OBJECT_BYTES + 1)[0].code,
            Code::ObjectTooLarge
        );
    }
}
