//! Deprecated and removed Kubernetes API versions, from the table in `src/deprecations.json`,
//! transcribed from the official Kubernetes Deprecated API Migration Guide
//! (<https://kubernetes.io/docs/reference/using-api/deprecation-guide/>, "Removed APIs by
//! release"): for each API version, the release that stopped serving it, the replacement the guide
//! names and the release the guide says that replacement is available since. Extend it there, from
//! the guide, not in code; the tests below restate the guide row by row.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde::Deserialize;

use super::{Category, Highlight};
use crate::Object;

/// `major.minor` of a Kubernetes release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KubeVersion {
    pub major: u32,
    pub minor: u32,
}

impl KubeVersion {
    /// Parses `1.31`, `1.31.0` or `v1.31.0` (the patch level is irrelevant to API removals).
    pub fn parse(s: &str) -> Option<KubeVersion> {
        let s = s.trim().trim_start_matches('v');
        let mut parts = s.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor_text = parts.next()?;
        let digits: String = minor_text
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let minor = digits.parse().ok()?;
        Some(KubeVersion { major, minor })
    }
}

impl fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// One row of the table: one API version of the kinds the guide names together.
#[derive(Debug, Clone, Deserialize)]
pub struct Deprecation {
    pub api_version: String,
    pub kinds: Vec<String>,
    /// The release that stopped serving this API version.
    pub removed_in: String,
    /// The API version the guide says to migrate to (`None`: it names none).
    pub replacement: Option<String>,
    /// The release the guide gives for the replacement's availability (`None`: it gives none).
    pub replacement_available_since: Option<String>,
}

#[derive(Deserialize)]
struct Table {
    source: String,
    apis: Vec<Deprecation>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        serde_json::from_str(include_str!("../deprecations.json"))
            .expect("src/deprecations.json is valid (checked by a unit test)")
    })
}

/// The deprecation table, parsed once.
pub fn deprecations() -> &'static [Deprecation] {
    &table().apis
}

/// Where the table comes from (the guide's address).
pub fn deprecations_source() -> &'static str {
    &table().source
}

fn lookup(api_version: &str, kind: &str) -> Option<&'static Deprecation> {
    deprecations()
        .iter()
        .find(|d| d.api_version == api_version && d.kinds.iter().any(|k| k == kind))
}

/// What to move `kind` to from `dep`'s API version: the guide's replacement, followed on while
/// that one is itself removed at `target` (with no target: while the table lists it), so that
/// `flowcontrol.apiserver.k8s.io/v1beta1` at 1.31 points to `v1`, not to the removed `v1beta2`.
/// Returns the replacement (if any), its availability, and the replacements passed over.
fn replacement(
    dep: &'static Deprecation,
    kind: &str,
    target: Option<KubeVersion>,
) -> (
    Option<&'static str>,
    Option<&'static str>,
    Vec<&'static Deprecation>,
) {
    let mut current = dep;
    let mut passed = Vec::new();
    while let Some(next) = current.replacement.as_deref() {
        let removed_too = lookup(next, kind).filter(|n| {
            passed.len() < deprecations().len()
                && target.is_none_or(|t| KubeVersion::parse(&n.removed_in).is_some_and(|r| t >= r))
        });
        let Some(n) = removed_too else {
            return (
                Some(next),
                current.replacement_available_since.as_deref(),
                passed,
            );
        };
        passed.push(n);
        current = n;
    }
    (None, None, passed)
}

/// Flags the objects of `new` that use an API version removed at `kube_version`, or deprecated
/// there (removed later, and the replacement the guide names is available at `kube_version`);
/// without a version, every API version in the table is flagged as deprecated.
pub(super) fn highlight(new: &[Object], kube_version: Option<&str>, out: &mut Vec<Highlight>) {
    let target = kube_version.and_then(KubeVersion::parse);
    let mut found: BTreeMap<(String, String), (Category, &'static Deprecation, Vec<String>)> =
        BTreeMap::new();
    for r in new {
        let Some(dep) = lookup(&r.api_version, &r.key.kind) else {
            continue;
        };
        let removed = KubeVersion::parse(&dep.removed_in);
        let since = dep
            .replacement_available_since
            .as_deref()
            .and_then(KubeVersion::parse);
        let category = match target {
            Some(t) if removed.is_some_and(|r| t >= r) => Category::ApiRemoved,
            Some(t) if since.is_none_or(|s| t >= s) => Category::ApiDeprecated,
            Some(_) => continue,
            None => Category::ApiDeprecated,
        };
        found
            .entry((r.api_version.clone(), r.key.kind.clone()))
            .or_insert((category, dep, Vec::new()))
            .2
            .push(r.key.to_string());
    }
    for ((api_version, kind), (category, dep, resources)) in found {
        let state = match (category, target) {
            (Category::ApiRemoved, Some(t)) => {
                format!("is removed in Kubernetes {} (target {t})", dep.removed_in)
            }
            _ => format!("is deprecated and removed in Kubernetes {}", dep.removed_in),
        };
        let (to, since, passed) = replacement(dep, &kind, target);
        let mut instead = match (to, since) {
            (Some(to), Some(since)) if category == Category::ApiDeprecated => {
                format!("; use {to} (available since {since})")
            }
            (Some(to), _) => format!("; use {to}"),
            (None, _) => "; it has no replacement".to_string(),
        };
        for p in passed {
            instead.push_str(&format!(
                " ({} is removed in {} too)",
                p.api_version, p.removed_in
            ));
        }
        let mut h = Highlight::new(category, format!("{api_version} {kind} {state}{instead}"))
            .details(resources);
        if let Some(to) = to {
            h = h.change(api_version.clone(), to);
        }
        out.push(h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::Origin;

    fn object(api_version: &str, kind: &str) -> Object {
        let v = serde_json::json!({"apiVersion": api_version, "kind": kind,
                                   "metadata": {"name": "x", "namespace": "n"}});
        Object::new(kyaml::Value::from(v), Origin::default()).unwrap()
    }

    fn highlights_at(api_version: &str, kind: &str, target: &str) -> Vec<Highlight> {
        let mut out = Vec::new();
        highlight(&[object(api_version, kind)], Some(target), &mut out);
        out
    }

    fn minus_one(v: &str) -> String {
        let k = KubeVersion::parse(v).unwrap();
        format!("{}.{}", k.major, k.minor - 1)
    }

    /// One removed API as the guide states it: the table agrees, and the highlight says
    /// "removed" from that release on, "deprecated" before it once the replacement exists.
    fn check_removed_api(
        api: &str,
        kind: &str,
        removed: &str,
        replacement: Option<&str>,
        since: Option<&str>,
    ) {
        let row = lookup(api, kind).unwrap_or_else(|| panic!("{api} {kind} is in the table"));
        assert_eq!(
            (
                row.removed_in.as_str(),
                row.replacement.as_deref(),
                row.replacement_available_since.as_deref()
            ),
            (removed, replacement, since),
            "{api} {kind}"
        );

        let at_removal = highlights_at(api, kind, removed);
        assert_eq!(at_removal.len(), 1, "{at_removal:?}");
        let h = &at_removal[0];
        assert_eq!(h.category, Category::ApiRemoved, "{h:?}");
        assert!(
            h.message.starts_with(&format!(
                "{api} {kind} is removed in Kubernetes {removed} (target {removed})"
            )),
            "{h:?}"
        );
        assert_eq!(h.old.as_deref(), replacement.map(|_| api));
        assert_eq!(h.new.as_deref(), replacement);
        if replacement.is_none() {
            assert!(h.message.ends_with("it has no replacement"), "{h:?}");
        }

        let before = minus_one(removed);
        let deprecated = highlights_at(api, kind, &before);
        let replacement_exists = since
            .is_none_or(|s| KubeVersion::parse(s).unwrap() <= KubeVersion::parse(&before).unwrap());
        if replacement_exists {
            assert_eq!(deprecated.len(), 1, "{api} {kind} at {before}");
            let h = &deprecated[0];
            assert_eq!(h.category, Category::ApiDeprecated, "{h:?}");
            assert_eq!(h.new.as_deref(), replacement);
            if let (Some(r), Some(s)) = (replacement, since) {
                assert!(
                    h.message
                        .contains(&format!("; use {r} (available since {s})")),
                    "{h:?}"
                );
            }
        } else {
            assert!(
                deprecated.is_empty(),
                "{api} {kind} at {before}: {deprecated:?}"
            );
        }
        if let Some(s) = since {
            let earlier = minus_one(s);
            assert!(
                highlights_at(api, kind, &earlier).is_empty(),
                "{api} {kind} at {earlier}, before its replacement exists"
            );
        }
    }

    /// The guide, section by section: `test: API KIND removed RELEASE -> REPLACEMENT, since
    /// RELEASE`. One test per removed API and kind.
    macro_rules! guide {
        ($( $test:ident: $api:literal $kind:literal removed $removed:literal
            -> $replacement:expr, since $since:expr; )*) => {
            const GUIDE: &[(&str, &str)] = &[$(($api, $kind)),*];
            $(
                #[test]
                fn $test() {
                    check_removed_api($api, $kind, $removed, $replacement, $since);
                }
            )*
        };
    }

    guide! {
        // v1.32
        flowschema_v1beta3: "flowcontrol.apiserver.k8s.io/v1beta3" "FlowSchema" removed "1.32" -> Some("flowcontrol.apiserver.k8s.io/v1"), since Some("1.29");
        prioritylevelconfiguration_v1beta3: "flowcontrol.apiserver.k8s.io/v1beta3" "PriorityLevelConfiguration" removed "1.32" -> Some("flowcontrol.apiserver.k8s.io/v1"), since Some("1.29");
        // v1.29
        flowschema_v1beta2: "flowcontrol.apiserver.k8s.io/v1beta2" "FlowSchema" removed "1.29" -> Some("flowcontrol.apiserver.k8s.io/v1"), since Some("1.29");
        prioritylevelconfiguration_v1beta2: "flowcontrol.apiserver.k8s.io/v1beta2" "PriorityLevelConfiguration" removed "1.29" -> Some("flowcontrol.apiserver.k8s.io/v1"), since Some("1.29");
        // v1.27
        csistoragecapacity_v1beta1: "storage.k8s.io/v1beta1" "CSIStorageCapacity" removed "1.27" -> Some("storage.k8s.io/v1"), since Some("1.24");
        // v1.26
        flowschema_v1beta1: "flowcontrol.apiserver.k8s.io/v1beta1" "FlowSchema" removed "1.26" -> Some("flowcontrol.apiserver.k8s.io/v1beta2"), since None;
        prioritylevelconfiguration_v1beta1: "flowcontrol.apiserver.k8s.io/v1beta1" "PriorityLevelConfiguration" removed "1.26" -> Some("flowcontrol.apiserver.k8s.io/v1beta2"), since None;
        horizontalpodautoscaler_v2beta2: "autoscaling/v2beta2" "HorizontalPodAutoscaler" removed "1.26" -> Some("autoscaling/v2"), since Some("1.23");
        // v1.25
        cronjob_v1beta1: "batch/v1beta1" "CronJob" removed "1.25" -> Some("batch/v1"), since Some("1.21");
        endpointslice_v1beta1: "discovery.k8s.io/v1beta1" "EndpointSlice" removed "1.25" -> Some("discovery.k8s.io/v1"), since Some("1.21");
        event_v1beta1: "events.k8s.io/v1beta1" "Event" removed "1.25" -> Some("events.k8s.io/v1"), since Some("1.19");
        horizontalpodautoscaler_v2beta1: "autoscaling/v2beta1" "HorizontalPodAutoscaler" removed "1.25" -> Some("autoscaling/v2"), since Some("1.23");
        poddisruptionbudget_v1beta1: "policy/v1beta1" "PodDisruptionBudget" removed "1.25" -> Some("policy/v1"), since Some("1.21");
        podsecuritypolicy_policy_v1beta1: "policy/v1beta1" "PodSecurityPolicy" removed "1.25" -> None, since None;
        runtimeclass_v1beta1: "node.k8s.io/v1beta1" "RuntimeClass" removed "1.25" -> Some("node.k8s.io/v1"), since Some("1.20");
        // v1.22
        mutatingwebhookconfiguration_v1beta1: "admissionregistration.k8s.io/v1beta1" "MutatingWebhookConfiguration" removed "1.22" -> Some("admissionregistration.k8s.io/v1"), since Some("1.16");
        validatingwebhookconfiguration_v1beta1: "admissionregistration.k8s.io/v1beta1" "ValidatingWebhookConfiguration" removed "1.22" -> Some("admissionregistration.k8s.io/v1"), since Some("1.16");
        customresourcedefinition_v1beta1: "apiextensions.k8s.io/v1beta1" "CustomResourceDefinition" removed "1.22" -> Some("apiextensions.k8s.io/v1"), since Some("1.16");
        apiservice_v1beta1: "apiregistration.k8s.io/v1beta1" "APIService" removed "1.22" -> Some("apiregistration.k8s.io/v1"), since Some("1.10");
        tokenreview_v1beta1: "authentication.k8s.io/v1beta1" "TokenReview" removed "1.22" -> Some("authentication.k8s.io/v1"), since Some("1.6");
        localsubjectaccessreview_v1beta1: "authorization.k8s.io/v1beta1" "LocalSubjectAccessReview" removed "1.22" -> Some("authorization.k8s.io/v1"), since Some("1.6");
        selfsubjectaccessreview_v1beta1: "authorization.k8s.io/v1beta1" "SelfSubjectAccessReview" removed "1.22" -> Some("authorization.k8s.io/v1"), since Some("1.6");
        subjectaccessreview_v1beta1: "authorization.k8s.io/v1beta1" "SubjectAccessReview" removed "1.22" -> Some("authorization.k8s.io/v1"), since Some("1.6");
        selfsubjectrulesreview_v1beta1: "authorization.k8s.io/v1beta1" "SelfSubjectRulesReview" removed "1.22" -> Some("authorization.k8s.io/v1"), since Some("1.6");
        certificatesigningrequest_v1beta1: "certificates.k8s.io/v1beta1" "CertificateSigningRequest" removed "1.22" -> Some("certificates.k8s.io/v1"), since Some("1.19");
        lease_v1beta1: "coordination.k8s.io/v1beta1" "Lease" removed "1.22" -> Some("coordination.k8s.io/v1"), since Some("1.14");
        ingress_extensions_v1beta1: "extensions/v1beta1" "Ingress" removed "1.22" -> Some("networking.k8s.io/v1"), since Some("1.19");
        ingress_networking_v1beta1: "networking.k8s.io/v1beta1" "Ingress" removed "1.22" -> Some("networking.k8s.io/v1"), since Some("1.19");
        ingressclass_v1beta1: "networking.k8s.io/v1beta1" "IngressClass" removed "1.22" -> Some("networking.k8s.io/v1"), since Some("1.19");
        clusterrole_v1beta1: "rbac.authorization.k8s.io/v1beta1" "ClusterRole" removed "1.22" -> Some("rbac.authorization.k8s.io/v1"), since Some("1.8");
        clusterrolebinding_v1beta1: "rbac.authorization.k8s.io/v1beta1" "ClusterRoleBinding" removed "1.22" -> Some("rbac.authorization.k8s.io/v1"), since Some("1.8");
        role_v1beta1: "rbac.authorization.k8s.io/v1beta1" "Role" removed "1.22" -> Some("rbac.authorization.k8s.io/v1"), since Some("1.8");
        rolebinding_v1beta1: "rbac.authorization.k8s.io/v1beta1" "RoleBinding" removed "1.22" -> Some("rbac.authorization.k8s.io/v1"), since Some("1.8");
        priorityclass_v1beta1: "scheduling.k8s.io/v1beta1" "PriorityClass" removed "1.22" -> Some("scheduling.k8s.io/v1"), since Some("1.14");
        csidriver_v1beta1: "storage.k8s.io/v1beta1" "CSIDriver" removed "1.22" -> Some("storage.k8s.io/v1"), since Some("1.19");
        csinode_v1beta1: "storage.k8s.io/v1beta1" "CSINode" removed "1.22" -> Some("storage.k8s.io/v1"), since Some("1.17");
        storageclass_v1beta1: "storage.k8s.io/v1beta1" "StorageClass" removed "1.22" -> Some("storage.k8s.io/v1"), since Some("1.6");
        volumeattachment_v1beta1: "storage.k8s.io/v1beta1" "VolumeAttachment" removed "1.22" -> Some("storage.k8s.io/v1"), since Some("1.13");
        // v1.16
        networkpolicy_extensions_v1beta1: "extensions/v1beta1" "NetworkPolicy" removed "1.16" -> Some("networking.k8s.io/v1"), since Some("1.8");
        daemonset_extensions_v1beta1: "extensions/v1beta1" "DaemonSet" removed "1.16" -> Some("apps/v1"), since Some("1.9");
        daemonset_apps_v1beta2: "apps/v1beta2" "DaemonSet" removed "1.16" -> Some("apps/v1"), since Some("1.9");
        deployment_extensions_v1beta1: "extensions/v1beta1" "Deployment" removed "1.16" -> Some("apps/v1"), since Some("1.9");
        deployment_apps_v1beta1: "apps/v1beta1" "Deployment" removed "1.16" -> Some("apps/v1"), since Some("1.9");
        deployment_apps_v1beta2: "apps/v1beta2" "Deployment" removed "1.16" -> Some("apps/v1"), since Some("1.9");
        statefulset_apps_v1beta1: "apps/v1beta1" "StatefulSet" removed "1.16" -> Some("apps/v1"), since Some("1.9");
        statefulset_apps_v1beta2: "apps/v1beta2" "StatefulSet" removed "1.16" -> Some("apps/v1"), since Some("1.9");
        replicaset_extensions_v1beta1: "extensions/v1beta1" "ReplicaSet" removed "1.16" -> Some("apps/v1"), since Some("1.9");
        replicaset_apps_v1beta1: "apps/v1beta1" "ReplicaSet" removed "1.16" -> Some("apps/v1"), since Some("1.9");
        replicaset_apps_v1beta2: "apps/v1beta2" "ReplicaSet" removed "1.16" -> Some("apps/v1"), since Some("1.9");
        podsecuritypolicy_extensions_v1beta1: "extensions/v1beta1" "PodSecurityPolicy" removed "1.16" -> Some("policy/v1beta1"), since Some("1.10");
    }

    #[test]
    fn the_table_is_the_guide_and_cites_it() {
        let mut in_table: Vec<(&str, &str)> = deprecations()
            .iter()
            .flat_map(|d| d.kinds.iter().map(|k| (d.api_version.as_str(), k.as_str())))
            .collect();
        in_table.sort();
        let mut guide = GUIDE.to_vec();
        guide.sort();
        assert_eq!(
            in_table, guide,
            "every row comes from the guide, and no more"
        );
        assert!(
            deprecations_source()
                .contains("https://kubernetes.io/docs/reference/using-api/deprecation-guide/"),
            "{}",
            deprecations_source()
        );
    }

    #[test]
    fn a_replacement_removed_too_is_followed_to_the_one_served() {
        let h = highlights_at("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", "1.31");
        assert_eq!(
            h[0].message,
            "flowcontrol.apiserver.k8s.io/v1beta1 FlowSchema is removed in Kubernetes 1.26 (target \
             1.31); use flowcontrol.apiserver.k8s.io/v1 (flowcontrol.apiserver.k8s.io/v1beta2 is \
             removed in 1.29 too)"
        );
        assert_eq!(h[0].new.as_deref(), Some("flowcontrol.apiserver.k8s.io/v1"));
        // At 1.27 the guide's own replacement is still served.
        let h = highlights_at("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", "1.27");
        assert_eq!(
            h[0].new.as_deref(),
            Some("flowcontrol.apiserver.k8s.io/v1beta2")
        );
        let h = highlights_at("extensions/v1beta1", "PodSecurityPolicy", "1.31");
        assert_eq!(
            h[0].message,
            "extensions/v1beta1 PodSecurityPolicy is removed in Kubernetes 1.16 (target 1.31); it \
             has no replacement (policy/v1beta1 is removed in 1.25 too)"
        );
        assert_eq!(h[0].new, None);
    }

    #[test]
    fn parses_kube_versions() {
        assert_eq!(
            KubeVersion::parse("v1.31.0"),
            Some(KubeVersion {
                major: 1,
                minor: 31
            })
        );
        assert_eq!(
            KubeVersion::parse("1.25"),
            Some(KubeVersion {
                major: 1,
                minor: 25
            })
        );
        assert_eq!(
            KubeVersion::parse("1.27+"),
            Some(KubeVersion {
                major: 1,
                minor: 27
            })
        );
        assert_eq!(KubeVersion::parse("latest"), None);
    }
}
