//! From rendered template files to `helm template` output: splitting files into documents
//! (Helm's `SplitManifests`), reading each document's head (kind, name, hook annotations),
//! separating hooks, Helm's install order (`InstallOrder`, stable, unknown kinds last and
//! alphabetical), and the `---\n# Source: path` framing.
//!
//! Helm 4 splits documents on any line starting with `---` and keeps a document's trailing
//! whitespace, and installs webhook configurations last.

use std::sync::OnceLock;

use regex::Regex;

use crate::version::HelmVersion;
use crate::yamlio;
use kyaml::Value;

/// Helm's `releaseutil.InstallOrder`.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
];

/// Kinds Helm 4 appends to [`INSTALL_ORDER`].
const INSTALL_ORDER_V4_EXTRA: &[&str] = &[
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

const HOOK_ANNOTATION: &str = "helm.sh/hook";
const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

/// One document of a rendered template.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// Template path, e.g. `mychart/templates/deployment.yaml`.
    pub name: String,
    pub content: String,
    pub kind: String,
    /// Hook events when this is a hook (`test-success` is reported as `test`).
    pub hook_events: Vec<String>,
}

impl Manifest {
    pub fn is_hook(&self) -> bool {
        !self.hook_events.is_empty()
    }

    pub fn is_test_hook(&self) -> bool {
        self.hook_events.iter().any(|e| e == "test")
    }
}

fn separator() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?:\A|[\t\n\x0C\r ]*\n)---[\t\n\x0C\r ]*").expect("valid regex"))
}

fn separator_v4() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?m)^---[ \t]*").expect("valid regex"))
}

/// Go's `unicode.IsSpace`.
fn is_go_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\x0B' | '\x0C' | '\r' | ' ' | '\u{85}' | '\u{A0}'
    ) || (c > '\u{FF}' && c.is_whitespace())
}

/// Helm's `SplitManifests`: documents in order, trimmed, empty ones dropped. Helm 4 trims
/// only leading whitespace.
pub fn split_manifests(big: &str, helm: HelmVersion) -> Vec<String> {
    if helm.is_v4() {
        let big = big.trim_start_matches(is_go_space);
        return separator_v4()
            .split(big)
            .filter(|d| !d.trim_matches(is_go_space).is_empty())
            .map(|d| d.trim_start_matches(is_go_space).to_string())
            .collect();
    }
    let trimmed = big.trim();
    separator()
        .split(trimmed)
        .filter(|d| !d.is_empty())
        .map(|d| d.trim().to_string())
        .collect()
}

/// What the sort found: regular manifests and hooks, each in Helm's output order.
#[derive(Debug, Default)]
pub struct Sorted {
    pub manifests: Vec<Manifest>,
    pub hooks: Vec<Manifest>,
    /// `info: skipping unknown hook: "x"` lines Helm logs.
    pub notes: Vec<String>,
}

/// Helm's `SortManifests(files, _, InstallOrder)`: files in path order (partials and blank files
/// skipped), documents in file order, then a stable sort by kind.
pub fn sort_manifests(files: &[(String, String)], helm: HelmVersion) -> Result<Sorted, String> {
    let mut sorted: Vec<&(String, String)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = Sorted::default();
    for (path, content) in sorted {
        let base = path.rsplit('/').next().unwrap_or(path);
        if base.starts_with('_') || content.trim().is_empty() {
            continue;
        }
        for doc in split_manifests(content, helm) {
            let head = parse_head(&doc).map_err(|e| format!("YAML parse error on {path}: {e}"))?;
            let kind = head.kind.clone();
            let Some(hook) = head
                .annotations
                .iter()
                .find(|(k, _)| k == HOOK_ANNOTATION)
                .map(|(_, v)| v.clone())
            else {
                out.manifests.push(Manifest {
                    name: path.clone(),
                    content: doc,
                    kind,
                    hook_events: vec![],
                });
                continue;
            };
            let mut events = Vec::new();
            let mut unknown = false;
            for h in hook.split(',') {
                let h = h.trim().to_lowercase();
                if !HOOK_EVENTS.contains(&h.as_str()) {
                    unknown = true;
                    break;
                }
                events.push(if h == "test-success" {
                    "test".to_string()
                } else {
                    h
                });
            }
            if unknown {
                out.notes
                    .push(format!("info: skipping unknown hook: {hook:?}"));
                continue;
            }
            out.hooks.push(Manifest {
                name: path.clone(),
                content: doc,
                kind,
                hook_events: events,
            });
        }
    }
    sort_by_kind(&mut out.manifests, helm);
    sort_by_kind(&mut out.hooks, helm);
    Ok(out)
}

fn kind_rank(kind: &str, helm: HelmVersion) -> Option<usize> {
    INSTALL_ORDER.iter().position(|k| *k == kind).or_else(|| {
        if helm.is_v4() {
            INSTALL_ORDER_V4_EXTRA
                .iter()
                .position(|k| *k == kind)
                .map(|i| INSTALL_ORDER.len() + i)
        } else {
            None
        }
    })
}

/// Stable sort by install order; unknown kinds go last, alphabetically by kind.
pub fn sort_by_kind(list: &mut [Manifest], helm: HelmVersion) {
    list.sort_by(
        |a, b| match (kind_rank(&a.kind, helm), kind_rank(&b.kind, helm)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.kind.cmp(&b.kind),
        },
    );
}

/// The head of a document, as Helm's `SimpleHead` reads it.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Head {
    pub kind: String,
    pub name: String,
    pub annotations: Vec<(String, String)>,
}

/// Checks a decoded document against Helm's `SimpleHead` struct (JSON decoding rules).
pub fn head_from_value(v: &Value) -> Result<Head, String> {
    let json_err = |what: &str, field: &str, ty: &str| {
        format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {what} into Go struct field {field} of type {ty}"
        )
    };
    let what = |v: &Value| match v {
        Value::Int(_) | Value::Float(_) => "number",
        Value::Bool(_) => "bool",
        Value::String(_) => "string",
        Value::Seq(_) => "array",
        Value::Map(_) => "object",
        Value::Null => "null",
    };
    let m = match v {
        Value::Null => return Ok(Head::default()),
        Value::Map(m) => m,
        other => {
            return Err(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type releaseutil.SimpleHead",
                what(other)
            ));
        }
    };
    let mut head = Head::default();
    for (key, field) in [
        ("apiVersion", "SimpleHead.apiVersion"),
        ("kind", "SimpleHead.kind"),
    ] {
        match m.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => {
                if key == "kind" {
                    head.kind = s.clone().into();
                }
            }
            Some(other) => return Err(json_err(what(other), field, "string")),
        }
    }
    match m.get("metadata") {
        None | Some(Value::Null) => {}
        Some(Value::Map(md)) => {
            match md.get("name") {
                None | Some(Value::Null) => {}
                Some(Value::String(s)) => head.name = s.clone().into(),
                Some(other) => {
                    return Err(json_err(what(other), "SimpleHead.metadata.name", "string"));
                }
            }
            match md.get("annotations") {
                None | Some(Value::Null) => {}
                Some(Value::Map(a)) => {
                    for (k, v) in a {
                        match v {
                            Value::String(s) => {
                                head.annotations.push((k.to_string(), s.clone().into()))
                            }
                            Value::Null => head.annotations.push((k.to_string(), String::new())),
                            other => {
                                return Err(json_err(
                                    what(other),
                                    "SimpleHead.metadata.annotations",
                                    "string",
                                ));
                            }
                        }
                    }
                }
                Some(other) => {
                    return Err(json_err(
                        what(other),
                        "SimpleHead.metadata.annotations",
                        "map[string]string",
                    ));
                }
            }
        }
        Some(other) => {
            return Err(json_err(
                what(other),
                "SimpleHead.metadata",
                "struct { Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }",
            ));
        }
    }
    Ok(head)
}

/// `---\n# Source: NAME\nCONTENT\n`, Helm's framing of one document.
pub fn frame(out: &mut String, name: &str, content: &str) {
    out.push_str("---\n# Source: ");
    out.push_str(name);
    out.push('\n');
    out.push_str(content);
    out.push('\n');
}

/// Reads the head of one rendered document (Helm's `SimpleHead`).
pub fn parse_head(doc: &str) -> Result<Head, String> {
    head_from_value(&yamlio::first_document(doc)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_like_helm4() {
        let v4 = HelmVersion::V4;
        // trailing blank lines stay; any line starting with --- splits
        assert_eq!(
            split_manifests("a: 1\n\n---\nb: 2\n", v4),
            ["a: 1\n\n", "b: 2\n"]
        );
        assert_eq!(
            split_manifests("\n---apiVersion: v1\n", v4),
            ["apiVersion: v1\n"]
        );
        assert_eq!(
            split_manifests("a: 1\n  ---\nb: 2", v4),
            ["a: 1\n  ---\nb: 2"]
        );
    }

    #[test]
    fn split_like_helm() {
        assert_eq!(
            split_manifests("a: 1\n---\nb: 2\n", HelmVersion::V3),
            ["a: 1", "b: 2"]
        );
        assert_eq!(
            split_manifests("---\na: 1  \n---  \nb: 2", HelmVersion::V3),
            ["a: 1", "b: 2"]
        );
        // an indented `---` does not split
        assert_eq!(
            split_manifests("a: 1\n  ---\nb: 2", HelmVersion::V3),
            ["a: 1\n  ---\nb: 2"]
        );
        // Go: the first separator swallows the newline, so the second `---` stays a document
        assert_eq!(split_manifests("\n\n---\n---\n", HelmVersion::V3), ["---"]);
        assert_eq!(
            split_manifests("\n---\n", HelmVersion::V3),
            Vec::<String>::new()
        );
        // `---` inside a line is not a separator
        assert_eq!(split_manifests("a: x---y", HelmVersion::V3), ["a: x---y"]);
        // a separator followed by text on the same line keeps the text
        assert_eq!(
            split_manifests("a: 1\n--- # c\nb: 2", HelmVersion::V3),
            ["a: 1", "# c\nb: 2"]
        );
    }

    #[test]
    fn kind_order_is_stable_and_unknown_last() {
        let m = |k: &str, n: &str| Manifest {
            name: n.into(),
            content: String::new(),
            kind: k.into(),
            hook_events: vec![],
        };
        let mut v = vec![
            m("Zeta", "1"),
            m("Deployment", "2"),
            m("Alpha", "3"),
            m("Service", "4"),
            m("Deployment", "5"),
        ];
        sort_by_kind(&mut v, HelmVersion::V3);
        let names: Vec<&str> = v.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, ["4", "2", "5", "3", "1"]);
    }

    #[test]
    fn head_type_errors() {
        let v =
            Value::from(serde_json::json!({"kind": "Pod", "metadata": {"annotations": {"a": 1}}}));
        assert!(
            head_from_value(&v)
                .unwrap_err()
                .contains("cannot unmarshal number")
        );
        let v = Value::from(
            serde_json::json!({"kind": "Pod", "metadata": {"name": "x", "annotations": {"helm.sh/hook": "test"}}}),
        );
        let h = head_from_value(&v).unwrap();
        assert_eq!(h.kind, "Pod");
        assert_eq!(h.annotations[0].1, "test");
    }
}
