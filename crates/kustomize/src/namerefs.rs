//! Name-reference fixing (kustomize's `nameReference` transformer): after prefixes, suffixes,
//! namespaces and hash suffixes changed object names, every field that refers to an object by
//! name (a ConfigMap volume, a RoleBinding's roleRef, a webhook's service...) is updated to the
//! new name, choosing the referral the way kustomize does.

use super::resource::{Gvk, Res, ResId};
use super::transform::visit_path;
use kyaml::Value;

/// (target group, version, kind) <- (referrer group, version, kind, path).
struct BackRef {
    target: (&'static str, &'static str, &'static str),
    referrers: &'static [(&'static str, &'static str, &'static str, &'static str)],
}

macro_rules! pod_refs {
    ($($p:literal),* $(,)?) => {
        &[
            $(("", "v1", "Pod", concat!("spec/", $p)),)*
            $(("", "", "PodTemplate", concat!("template/spec/", $p)),)*
            $(("", "", "Deployment", concat!("spec/template/spec/", $p)),)*
            $(("", "", "ReplicaSet", concat!("spec/template/spec/", $p)),)*
            $(("", "", "DaemonSet", concat!("spec/template/spec/", $p)),)*
            $(("", "", "StatefulSet", concat!("spec/template/spec/", $p)),)*
            $(("", "", "Job", concat!("spec/template/spec/", $p)),)*
            $(("", "", "CronJob", concat!("spec/jobTemplate/spec/template/spec/", $p)),)*
        ]
    };
}

const CONFIGMAP_POD_REFS: &[(&str, &str, &str, &str)] = pod_refs!(
    "volumes/configMap/name",
    "containers/env/valueFrom/configMapKeyRef/name",
    "initContainers/env/valueFrom/configMapKeyRef/name",
    "containers/envFrom/configMapRef/name",
    "initContainers/envFrom/configMapRef/name",
    "volumes/projected/sources/configMap/name",
);
const CONFIGMAP_OTHER_REFS: &[(&str, &str, &str, &str)] = &[
    ("", "", "Node", "spec/configSource/configMap"),
    ("", "", "Role", "rules/resourceNames"),
    ("", "", "ClusterRole", "rules/resourceNames"),
    (
        "",
        "",
        "Ingress",
        "metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap",
    ),
];
const SECRET_POD_REFS: &[(&str, &str, &str, &str)] = pod_refs!(
    "volumes/secret/secretName",
    "containers/env/valueFrom/secretKeyRef/name",
    "initContainers/env/valueFrom/secretKeyRef/name",
    "containers/envFrom/secretRef/name",
    "initContainers/envFrom/secretRef/name",
    "imagePullSecrets/name",
    "volumes/projected/sources/secret/name",
);
const SECRET_OTHER_REFS: &[(&str, &str, &str, &str)] = &[
    ("", "", "Ingress", "spec/tls/secretName"),
    (
        "",
        "",
        "Ingress",
        "metadata/annotations/ingress.kubernetes.io\\/auth-secret",
    ),
    (
        "",
        "",
        "Ingress",
        "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret",
    ),
    (
        "",
        "",
        "Ingress",
        "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret",
    ),
    ("", "", "ServiceAccount", "imagePullSecrets/name"),
    ("", "", "StorageClass", "parameters/secretName"),
    ("", "", "StorageClass", "parameters/adminSecretName"),
    ("", "", "StorageClass", "parameters/userSecretName"),
    ("", "", "StorageClass", "parameters/secretRef"),
    ("", "", "Role", "rules/resourceNames"),
    ("", "", "ClusterRole", "rules/resourceNames"),
    (
        "serving.knative.dev",
        "v1",
        "Service",
        "spec/template/spec/containers/env/valueFrom/secretKeyRef/name",
    ),
    ("", "", "PersistentVolume", "spec/azureFile/secretName"),
];
const WORKLOADS_SPEC: &[(&str, &str)] = &[
    ("Pod", "spec/"),
    ("StatefulSet", "spec/template/spec/"),
    ("Deployment", "spec/template/spec/"),
    ("ReplicationController", "spec/template/spec/"),
    ("CronJob", "spec/jobTemplate/spec/template/spec/"),
    ("Job", "spec/template/spec/"),
    ("DaemonSet", "spec/template/spec/"),
];

const BACK_REFS: &[BackRef] = &[
    BackRef {
        target: ("", "", "Deployment"),
        referrers: &[(
            "",
            "",
            "HorizontalPodAutoscaler",
            "spec/scaleTargetRef/name",
        )],
    },
    BackRef {
        target: ("", "", "ReplicationController"),
        referrers: &[(
            "",
            "",
            "HorizontalPodAutoscaler",
            "spec/scaleTargetRef/name",
        )],
    },
    BackRef {
        target: ("", "", "ReplicaSet"),
        referrers: &[(
            "",
            "",
            "HorizontalPodAutoscaler",
            "spec/scaleTargetRef/name",
        )],
    },
    BackRef {
        target: ("", "", "StatefulSet"),
        referrers: &[(
            "",
            "",
            "HorizontalPodAutoscaler",
            "spec/scaleTargetRef/name",
        )],
    },
    BackRef {
        target: ("", "v1", "ConfigMap"),
        referrers: CONFIGMAP_POD_REFS,
    },
    BackRef {
        target: ("", "v1", "ConfigMap"),
        referrers: CONFIGMAP_OTHER_REFS,
    },
    BackRef {
        target: ("", "v1", "Secret"),
        referrers: SECRET_POD_REFS,
    },
    BackRef {
        target: ("", "v1", "Secret"),
        referrers: SECRET_OTHER_REFS,
    },
    BackRef {
        target: ("", "v1", "Service"),
        referrers: &[
            ("apps", "", "StatefulSet", "spec/serviceName"),
            (
                "",
                "",
                "Ingress",
                "spec/rules/http/paths/backend/serviceName",
            ),
            ("", "", "Ingress", "spec/backend/serviceName"),
            (
                "",
                "",
                "Ingress",
                "spec/rules/http/paths/backend/service/name",
            ),
            ("", "", "Ingress", "spec/defaultBackend/service/name"),
            (
                "apiregistration.k8s.io",
                "",
                "APIService",
                "spec/service/name",
            ),
            (
                "admissionregistration.k8s.io",
                "",
                "ValidatingWebhookConfiguration",
                "webhooks/clientConfig/service",
            ),
            (
                "admissionregistration.k8s.io",
                "",
                "MutatingWebhookConfiguration",
                "webhooks/clientConfig/service",
            ),
        ],
    },
    BackRef {
        target: ("rbac.authorization.k8s.io", "", "Role"),
        referrers: &[(
            "rbac.authorization.k8s.io",
            "",
            "RoleBinding",
            "roleRef/name",
        )],
    },
    BackRef {
        target: ("rbac.authorization.k8s.io", "", "ClusterRole"),
        referrers: &[
            (
                "rbac.authorization.k8s.io",
                "",
                "RoleBinding",
                "roleRef/name",
            ),
            (
                "rbac.authorization.k8s.io",
                "",
                "ClusterRoleBinding",
                "roleRef/name",
            ),
        ],
    },
    BackRef {
        target: ("", "v1", "ServiceAccount"),
        referrers: &[
            ("rbac.authorization.k8s.io", "", "RoleBinding", "subjects"),
            (
                "rbac.authorization.k8s.io",
                "",
                "ClusterRoleBinding",
                "subjects",
            ),
            ("", "", "Pod", "spec/serviceAccountName"),
            (
                "",
                "",
                "StatefulSet",
                "spec/template/spec/serviceAccountName",
            ),
            (
                "",
                "",
                "Deployment",
                "spec/template/spec/serviceAccountName",
            ),
            (
                "",
                "",
                "ReplicationController",
                "spec/template/spec/serviceAccountName",
            ),
            (
                "",
                "",
                "CronJob",
                "spec/jobTemplate/spec/template/spec/serviceAccountName",
            ),
            ("", "", "Job", "spec/template/spec/serviceAccountName"),
            ("", "", "DaemonSet", "spec/template/spec/serviceAccountName"),
        ],
    },
    BackRef {
        target: ("", "v1", "PersistentVolumeClaim"),
        referrers: &[],
    },
    BackRef {
        target: ("", "v1", "PersistentVolume"),
        referrers: &[
            ("", "", "PersistentVolumeClaim", "spec/volumeName"),
            ("", "", "ClusterRole", "rules/resourceNames"),
        ],
    },
    BackRef {
        target: ("storage.k8s.io", "v1", "StorageClass"),
        referrers: &[
            ("", "", "PersistentVolume", "spec/storageClassName"),
            ("", "", "PersistentVolumeClaim", "spec/storageClassName"),
            (
                "",
                "",
                "StatefulSet",
                "spec/volumeClaimTemplates/spec/storageClassName",
            ),
        ],
    },
    BackRef {
        target: ("scheduling.k8s.io", "v1", "PriorityClass"),
        referrers: &[],
    },
    BackRef {
        target: ("networking.k8s.io/v1", "v1", "IngressClass"),
        referrers: &[("", "", "Ingress", "spec/ingressClassName")],
    },
    BackRef {
        target: (
            "admissionregistration.k8s.io",
            "",
            "ValidatingAdmissionPolicy",
        ),
        referrers: &[(
            "admissionregistration.k8s.io",
            "",
            "ValidatingAdmissionPolicyBinding",
            "spec/policyName",
        )],
    },
];

/// Referrer field specs, with the workload paths of PVC and PriorityClass references expanded.
/// (group, version, kind) of a referral target.
type TargetGvk = (&'static str, &'static str, &'static str);
/// (group, version, kind, path) of a referring field.
type ReferrerSpec = (String, String, String, String);

fn all_refs() -> Vec<(TargetGvk, ReferrerSpec)> {
    let mut out = Vec::new();
    for b in BACK_REFS {
        for (g, v, k, p) in b.referrers {
            out.push((
                b.target,
                (g.to_string(), v.to_string(), k.to_string(), p.to_string()),
            ));
        }
        let extra = match b.target.2 {
            "PersistentVolumeClaim" => Some("volumes/persistentVolumeClaim/claimName"),
            "PriorityClass" => Some("priorityClassName"),
            _ => None,
        };
        if let Some(tail) = extra {
            for (k, prefix) in WORKLOADS_SPEC {
                out.push((
                    b.target,
                    (
                        String::new(),
                        String::new(),
                        k.to_string(),
                        format!("{prefix}{tail}"),
                    ),
                ));
            }
        }
    }
    out
}

fn ends_with_sub(a: &[String], b: &[String]) -> bool {
    // kustomize utils.SameEndingSubSlice: the shorter is a suffix of the longer.
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    long.ends_with(short)
}

/// What name-reference selection needs to know about a possible referral.
#[derive(Clone)]
struct Info {
    cur: ResId,
    org: ResId,
    prev: Vec<ResId>,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
}

impl Info {
    fn of(r: &Res) -> Info {
        Info {
            cur: r.cur_id(),
            org: r.org_id(),
            prev: r.prev_ids(),
            prefixes: r.prefixes.clone(),
            suffixes: r.suffixes.clone(),
        }
    }
}

fn prefix_suffix_equals(r: &Info, o: &Info, allow_empty: bool) -> bool {
    if allow_empty {
        let pe = r.prefixes.is_empty() || o.prefixes.is_empty();
        let se = r.suffixes.is_empty() || o.suffixes.is_empty();
        (pe || ends_with_sub(&r.prefixes, &o.prefixes))
            && (se || ends_with_sub(&r.suffixes, &o.suffixes))
    } else {
        ends_with_sub(&r.prefixes, &o.prefixes) && ends_with_sub(&r.suffixes, &o.suffixes)
    }
}

/// Updates every name reference. Errors carry kustomize's message.
pub(super) fn fix(resources: &mut [Res]) -> Result<(), String> {
    let refs = all_refs();
    let infos: Vec<Info> = resources.iter().map(Info::of).collect();
    for ri in 0..resources.len() {
        for (target, (g, v, k, path)) in &refs {
            if !infos[ri].org.gvk.is_selected_by(g, v, k) {
                continue;
            }
            let segs = super::transform::split_path(path);
            let target_gvk = Gvk {
                group: target.0.to_string(),
                version: target.1.to_string(),
                kind: target.2.to_string(),
            };
            // Candidates: what the referrer could see.
            let referrer_id = resources[ri].cur_id();
            let rb_namespaces: Vec<String> = if resources[ri].kind() == "RoleBinding" {
                resources[ri]
                    .value
                    .get("subjects")
                    .and_then(Value::as_seq)
                    .map(|s| {
                        s.iter()
                            .filter(|x| {
                                x.get("kind").and_then(Value::as_str) == Some("ServiceAccount")
                            })
                            .filter_map(|x| {
                                x.get("namespace")
                                    .and_then(Value::as_str)
                                    .map(str::to_string)
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            } else {
                Vec::new()
            };
            let candidates: Vec<usize> = (0..resources.len())
                .filter(|&ci| {
                    if referrer_id.gvk.is_cluster_scoped() {
                        return true;
                    }
                    let id = &infos[ci].cur;
                    id.gvk.is_cluster_scoped()
                        || id.ns_equals(&referrer_id)
                        || rb_namespaces.contains(&id.namespace)
                })
                .collect();
            let role_ref_gvk = if path.ends_with("roleRef/name") {
                resources[ri].value.get("roleRef").and_then(|rr| {
                    let g = rr.get("apiGroup").and_then(Value::as_str)?;
                    let k = rr.get("kind").and_then(Value::as_str)?;
                    Some((g.to_string(), k.to_string()))
                })
            } else {
                None
            };
            let referrer = &infos[ri];
            let select = |old_name: &str,
                          cands: &[&Info],
                          by_ns: bool|
             -> Result<Option<(String, String)>, String> {
                let mut c: Vec<&Info> = cands
                    .iter()
                    .copied()
                    .filter(|r| r.prev.iter().any(|p| p.name == old_name))
                    .filter(|r| {
                        r.prev.iter().any(|p| {
                            p.gvk.is_selected_by(
                                &target_gvk.group,
                                &target_gvk.version,
                                &target_gvk.kind,
                            )
                        })
                    })
                    .filter(|r| match &role_ref_gvk {
                        None => true,
                        Some((g, k)) => r.prev.iter().any(|p| p.gvk.is_selected_by(g, "", k)),
                    })
                    .filter(|r| {
                        if referrer_id.gvk.is_cluster_scoped() {
                            return true;
                        }
                        r.cur.gvk.is_cluster_scoped()
                            || r.cur.gvk.kind == "ServiceAccount"
                            || referrer_id.ns_equals(&r.cur)
                    })
                    .collect();
                if c.len() == 1 {
                    return Ok(Some((c[0].cur.name.clone(), c[0].cur.namespace.clone())));
                }
                c.retain(|r| prefix_suffix_equals(r, referrer, true));
                if c.len() > 1 {
                    c.retain(|r| prefix_suffix_equals(r, referrer, false));
                }
                match c.len() {
                    0 => Ok(None),
                    1 => Ok(Some((c[0].cur.name.clone(), c[0].cur.namespace.clone()))),
                    _ => {
                        let same = c.iter().all(|r| {
                            r.cur.name == c[0].cur.name
                                && (!by_ns || r.cur.namespace == c[0].cur.namespace)
                        });
                        if same {
                            Ok(Some((c[0].cur.name.clone(), c[0].cur.namespace.clone())))
                        } else {
                            let ids: Vec<String> = c.iter().map(|r| r.cur.display()).collect();
                            Err(format!(
                                "found multiple possible referrals: {}",
                                ids.join(", ")
                            ))
                        }
                    }
                }
            };
            let mut error: Option<String> = None;
            let all: Vec<&Info> = candidates.iter().map(|&ci| &infos[ci]).collect();
            let mut set = |node: &mut Value| {
                if error.is_some() {
                    return;
                }
                let mut handle_scalar = |n: &mut Value| {
                    let Some(old) = n.as_str().map(str::to_string) else {
                        return;
                    };
                    match select(&old, &all, false) {
                        Ok(Some((name, _))) => {
                            if name != old {
                                *n = Value::String(name);
                            }
                        }
                        Ok(None) => {}
                        Err(e) => error = Some(e),
                    }
                };
                let handle_map = |n: &mut Value, error: &mut Option<String>| {
                    let Some(m) = n.as_map() else { return };
                    let Some(old) = m.get("name").and_then(Value::as_str).map(str::to_string)
                    else {
                        return;
                    };
                    let filtered: Vec<&Info> = match m.get("namespace").and_then(Value::as_str) {
                        None => all.clone(),
                        Some(ns) => {
                            let by_org: Vec<&Info> = all
                                .iter()
                                .copied()
                                .filter(|r| r.org.namespace == ns)
                                .collect();
                            if !by_org.is_empty() {
                                by_org
                            } else {
                                all.iter()
                                    .copied()
                                    .filter(|r| r.cur.namespace == ns)
                                    .collect()
                            }
                        }
                    };
                    match select(&old, &filtered, true) {
                        Ok(Some((name, ns))) => {
                            if name == old && ns.is_empty() {
                                return;
                            }
                            let m = n.as_map_mut().expect("checked");
                            m.insert("name".into(), Value::String(name));
                            if !ns.is_empty() {
                                m.insert("namespace".into(), Value::String(ns));
                            }
                        }
                        Ok(None) => {}
                        Err(e) => *error = Some(e),
                    }
                };
                match node {
                    Value::Null => {}
                    Value::Seq(items) => {
                        for item in items.iter_mut() {
                            if item.as_map().is_some() {
                                let mut e = None;
                                handle_map(item, &mut e);
                                if e.is_some() {
                                    error = e;
                                    return;
                                }
                            } else {
                                handle_scalar(item);
                            }
                        }
                    }
                    Value::Map(_) => {
                        let mut e = None;
                        handle_map(node, &mut e);
                        if e.is_some() {
                            error = e;
                        }
                    }
                    _ => handle_scalar(node),
                }
            };
            visit_path(
                &mut resources[ri].value,
                &segs,
                false,
                &|| Value::Null,
                &mut set,
            );
            if let Some(e) = error {
                return Err(e);
            }
        }
    }
    Ok(())
}
