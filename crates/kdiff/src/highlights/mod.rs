//! Highlights: what a reviewer of an upstream bump should look at first, derived from the paired
//! resources (not from the text of the diff): images, CRD schema changes, RBAC widening, pod
//! security, admission webhooks, removed and new cluster-scoped objects, deprecated API versions.

mod crd;
mod deprecations;
mod images;
mod pod_security;
mod rbac;
mod webhooks;

pub use deprecations::{Deprecation, KubeVersion, deprecations, deprecations_source};

use super::{Object, Options, Origin, ResourceDiff, Status};
use kyaml::Value;

/// How much attention a highlight needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! categories {
    ($( $variant:ident = $name:literal, $severity:ident; )*) => {
        /// What a highlight is about. The kebab-case names are part of the JSON schema.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Category { $( $variant, )* }

        impl Category {
            pub const ALL: &'static [Category] = &[$(Category::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Category::$variant => $name,)* }
            }

            pub fn severity(self) -> Severity {
                match self { $(Category::$variant => Severity::$severity,)* }
            }
        }
    };
}

categories! {
    ImageChanged = "image-changed", Info;
    ImageAdded = "image-added", Info;
    ImageRemoved = "image-removed", Info;
    CrdVersionAdded = "crd-version-added", Info;
    CrdVersionRemoved = "crd-version-removed", Warning;
    CrdServedChanged = "crd-served-changed", Warning;
    CrdStorageChanged = "crd-storage-changed", Warning;
    CrdFieldAdded = "crd-field-added", Info;
    CrdFieldRemoved = "crd-field-removed", Warning;
    CrdFieldRetyped = "crd-field-retyped", Warning;
    CrdFieldRequired = "crd-field-required", Warning;
    CrdEnumAdded = "crd-enum-added", Info;
    CrdEnumRemoved = "crd-enum-removed", Warning;
    RbacWidened = "rbac-widened", Warning;
    RbacBindingAdded = "rbac-binding-added", Warning;
    PodSecurity = "pod-security", Warning;
    WebhookAdded = "webhook-added", Warning;
    WebhookChanged = "webhook-changed", Info;
    WebhookRemoved = "webhook-removed", Info;
    WebhookFailurePolicy = "webhook-failure-policy", Warning;
    ResourceRemoved = "resource-removed", Warning;
    ClusterScopedAdded = "cluster-scoped-added", Info;
    ServiceExposure = "service-exposure", Warning;
    ApiDeprecated = "api-deprecated", Warning;
    ApiRemoved = "api-removed", Warning;
}

/// One thing worth a reviewer's attention.
#[derive(Debug, Clone, PartialEq)]
pub struct Highlight {
    pub category: Category,
    pub severity: Severity,
    /// The resource concerned (`Kind/namespace/name`), when there is exactly one.
    pub resource: Option<String>,
    /// Where that resource is defined (the new side's file, else the old side's).
    pub origin: Option<Origin>,
    pub message: String,
    pub old: Option<String>,
    pub new: Option<String>,
    /// Items behind the message: image locations, schema fields, RBAC grants, ...
    pub details: Vec<String>,
}

impl Highlight {
    pub(crate) fn new(category: Category, message: impl Into<String>) -> Highlight {
        Highlight {
            category,
            severity: category.severity(),
            resource: None,
            origin: None,
            message: message.into(),
            old: None,
            new: None,
            details: Vec::new(),
        }
    }

    pub(crate) fn resource(mut self, r: &Object) -> Highlight {
        self.resource = Some(r.key.to_string());
        self.origin = Some(r.origin.clone());
        self
    }

    pub(crate) fn change(mut self, old: impl Into<String>, new: impl Into<String>) -> Highlight {
        self.old = Some(old.into());
        self.new = Some(new.into());
        self
    }

    pub(crate) fn details(mut self, details: Vec<String>) -> Highlight {
        self.details = details;
        self
    }
}

/// Derives every highlight of a diff. `old`/`new` are the full sides (for the scope of custom
/// resources and deprecated API versions of unchanged objects).
pub fn derive(
    diffs: &[ResourceDiff<'_>],
    old: &[Object],
    new: &[Object],
    opts: &Options,
) -> Vec<Highlight> {
    let mut out = Vec::new();
    images::highlight(diffs, &mut out);
    for d in diffs {
        crd::highlight(d, &mut out);
        rbac::highlight(d, &mut out);
        pod_security::highlight(d, &mut out);
        webhooks::highlight(d, &mut out);
        service_exposure(d, &mut out);
    }
    removed_and_cluster_scoped(diffs, old, new, &mut out);
    deprecations::highlight(new, opts.kube_version.as_deref(), &mut out);
    out.sort_by(|a, b| {
        a.category
            .cmp(&b.category)
            .then_with(|| a.resource.cmp(&b.resource))
            .then_with(|| a.message.cmp(&b.message))
    });
    out
}

/// Kinds of the built-in API that are cluster-scoped.
const CLUSTER_SCOPED_KINDS: &[(&str, &str)] = &[
    ("", "Namespace"),
    ("", "Node"),
    ("", "PersistentVolume"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    (
        "admissionregistration.k8s.io",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io",
        "ValidatingWebhookConfiguration",
    ),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    (
        "admissionregistration.k8s.io",
        "ValidatingAdmissionPolicyBinding",
    ),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
    (
        "admissionregistration.k8s.io",
        "MutatingAdmissionPolicyBinding",
    ),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("scheduling.k8s.io", "PriorityClass"),
    ("storage.k8s.io", "StorageClass"),
    ("storage.k8s.io", "CSIDriver"),
    ("storage.k8s.io", "CSINode"),
    ("storage.k8s.io", "VolumeAttachment"),
    ("storage.k8s.io", "VolumeAttributesClass"),
    ("networking.k8s.io", "IngressClass"),
    ("networking.k8s.io", "IPAddress"),
    ("networking.k8s.io", "ServiceCIDR"),
    ("node.k8s.io", "RuntimeClass"),
    ("policy", "PodSecurityPolicy"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    ("certificates.k8s.io", "CertificateSigningRequest"),
    ("certificates.k8s.io", "ClusterTrustBundle"),
    ("resource.k8s.io", "DeviceClass"),
];

fn removed_and_cluster_scoped(
    diffs: &[ResourceDiff<'_>],
    old: &[Object],
    new: &[Object],
    out: &mut Vec<Highlight>,
) {
    // Custom resources declared cluster-scoped by a CRD on either side.
    let crd_scoped: Vec<(String, String)> = old
        .iter()
        .chain(new)
        .filter(|r| crd::is_crd(r))
        .filter(|r| r.value.path(&["spec", "scope"]).and_then(Value::as_str) == Some("Cluster"))
        .filter_map(|r| {
            let group = r.value.path(&["spec", "group"])?.as_str()?;
            let kind = r.value.path(&["spec", "names", "kind"])?.as_str()?;
            Some((group.to_string(), kind.to_string()))
        })
        .collect();
    let is_cluster_scoped = |r: &Object| {
        CLUSTER_SCOPED_KINDS
            .iter()
            .any(|(g, k)| *g == r.key.group && *k == r.key.kind)
            || crd_scoped
                .iter()
                .any(|(g, k)| *g == r.key.group && *k == r.key.kind)
    };
    for d in diffs {
        match (d.status, d.old, d.new) {
            (Status::Removed, Some(o), _) => out.push(
                Highlight::new(
                    Category::ResourceRemoved,
                    format!("removed ({})", o.api_version),
                )
                .resource(o),
            ),
            (Status::Added, _, Some(n)) if is_cluster_scoped(n) => out.push(
                Highlight::new(
                    Category::ClusterScopedAdded,
                    format!("new cluster-scoped object ({})", n.api_version),
                )
                .resource(n),
            ),
            _ => {}
        }
    }
}

/// A Service that starts to be reachable from outside the cluster (NodePort, LoadBalancer,
/// ExternalName or externalIPs), or changes how it is.
fn service_exposure(d: &ResourceDiff<'_>, out: &mut Vec<Highlight>) {
    let Some(n) = d
        .new
        .filter(|n| n.key.group.is_empty() && n.key.kind == "Service")
    else {
        return;
    };
    let exposure = |r: &Object| {
        let ty = r
            .value
            .path(&["spec", "type"])
            .and_then(Value::as_str)
            .unwrap_or("ClusterIP")
            .to_string();
        let external_ips = r
            .value
            .path(&["spec", "externalIPs"])
            .and_then(Value::as_seq)
            .is_some_and(|ips| !ips.is_empty());
        (ty, external_ips)
    };
    let (ty, ips) = exposure(n);
    let old = d.old.filter(|o| o.key.kind == "Service").map(exposure);
    let exposed = ty != "ClusterIP" || ips;
    match old {
        Some((old_ty, old_ips)) if old_ty != ty || old_ips != ips => out.push(
            Highlight::new(
                Category::ServiceExposure,
                format!("Service type {old_ty} -> {ty}"),
            )
            .resource(n)
            .change(old_ty, ty),
        ),
        None if exposed => out.push(
            Highlight::new(
                Category::ServiceExposure,
                format!("new Service of type {ty}"),
            )
            .resource(n),
        ),
        _ => {}
    }
}

/// The pod spec of a workload object, wherever its kind keeps it.
pub(crate) fn pod_spec(r: &Object) -> Option<&Value> {
    let v = &r.value;
    match (r.key.group.as_str(), r.key.kind.as_str()) {
        ("", "Pod") => v.get("spec"),
        ("batch", "CronJob") => v.path(&["spec", "jobTemplate", "spec", "template", "spec"]),
        ("apps" | "extensions", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
        | ("batch", "Job")
        | ("", "ReplicationController" | "PodTemplate") => v
            .path(&["spec", "template", "spec"])
            .or_else(|| v.path(&["template", "spec"])),
        _ => None,
    }
}

/// Every container of a pod spec with the list it is in (`containers`, `initContainers`, ...).
pub(crate) fn containers(spec: &Value) -> impl Iterator<Item = (&'static str, &Value)> {
    ["initContainers", "containers", "ephemeralContainers"]
        .into_iter()
        .flat_map(move |list| {
            spec.get(list)
                .and_then(Value::as_seq)
                .unwrap_or_default()
                .iter()
                .map(move |c| (list, c))
        })
}

pub(crate) fn str_at<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Origin, diff};
    use serde_json::json;

    fn res(v: serde_json::Value) -> Object {
        Object::new(Value::from(v), Origin::default()).unwrap()
    }

    fn summary(h: &[Highlight]) -> Vec<String> {
        h.iter()
            .map(|h| {
                format!(
                    "{} {}: {} {:?}",
                    h.category.as_str(),
                    h.resource.as_deref().unwrap_or("-"),
                    h.message,
                    h.details
                )
            })
            .collect()
    }

    fn webhook_config(webhooks: serde_json::Value) -> Object {
        res(
            json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
                   "metadata": {"name": "hooks"}, "webhooks": webhooks}),
        )
    }

    #[test]
    fn webhook_additions_and_failure_policy_flips() {
        let old = vec![webhook_config(json!([
            {"name": "a.example.com", "failurePolicy": "Ignore", "sideEffects": "None"}
        ]))];
        let new = vec![webhook_config(json!([
            {"name": "a.example.com", "failurePolicy": "Fail", "sideEffects": "None", "timeoutSeconds": 5},
            {"name": "b.example.com"}
        ]))];
        let report = diff(&old, &new, &Options::default());
        assert_eq!(
            summary(&report.highlights),
            [
                r#"webhook-added ValidatingWebhookConfiguration/hooks: 1 new admission webhook(s) ["b.example.com (failurePolicy: Fail)"]"#,
                "webhook-changed ValidatingWebhookConfiguration/hooks: webhook a.example.com changed: timeoutSeconds []",
                "webhook-failure-policy ValidatingWebhookConfiguration/hooks: webhook a.example.com: failurePolicy Ignore -> Fail []",
            ]
        );
    }

    #[test]
    fn deprecated_apis_depend_on_the_kube_version() {
        let new = vec![res(
            json!({"apiVersion": "policy/v1beta1", "kind": "PodDisruptionBudget",
                                  "metadata": {"name": "pdb", "namespace": "n"}}),
        )];
        let at = |v: Option<&str>| {
            let opts = Options {
                kube_version: v.map(str::to_string),
                ..Options::default()
            };
            summary(&diff(&[], &new, &opts).highlights)
                .into_iter()
                .filter(|s| s.starts_with("api-"))
                .collect::<Vec<_>>()
        };
        assert!(at(Some("1.20")).is_empty());
        assert_eq!(
            at(Some("1.21.3")),
            [
                r#"api-deprecated -: policy/v1beta1 PodDisruptionBudget is deprecated and removed in Kubernetes 1.25; use policy/v1 (available since 1.21) ["PodDisruptionBudget/n/pdb"]"#
            ]
        );
        assert_eq!(
            at(Some("v1.31.0")),
            [
                r#"api-removed -: policy/v1beta1 PodDisruptionBudget is removed in Kubernetes 1.25 (target 1.31); use policy/v1 ["PodDisruptionBudget/n/pdb"]"#
            ]
        );
        assert_eq!(at(None).len(), 1);
    }

    #[test]
    fn removed_resources_and_new_cluster_scoped_objects() {
        let old = vec![res(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "n"}}),
        )];
        let new = vec![
            res(
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                       "metadata": {"name": "crb"}, "roleRef": {"kind": "ClusterRole", "name": "admin"},
                       "subjects": [{"kind": "ServiceAccount", "name": "sa", "namespace": "n"}]}),
            ),
            res(
                json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "n"},
                       "spec": {"type": "LoadBalancer"}}),
            ),
        ];
        let report = diff(&old, &new, &Options::default());
        assert_eq!(
            summary(&report.highlights),
            [
                "rbac-binding-added ClusterRoleBinding/crb: binds ClusterRole admin to ServiceAccount n/sa []",
                "resource-removed ConfigMap/n/c: removed (v1) []",
                "cluster-scoped-added ClusterRoleBinding/crb: new cluster-scoped object (rbac.authorization.k8s.io/v1) []",
                "service-exposure Service/n/s: new Service of type LoadBalancer []",
            ]
        );
    }
}
