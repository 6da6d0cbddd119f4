//! Noise control before comparing: fields the cluster owns (`status`, `managedFields`, ...),
//! user-chosen paths, labels and annotations (`helm.sh/chart`, `checksum/*`), and masking of Secret
//! values so they never reach a report unless asked for.
//!
//! Masking hides a Secret's `data` and `stringData` values, its
//! `kubectl.kubernetes.io/last-applied-configuration` annotation, and any string, in any object,
//! that holds a serialized Secret (JSON or YAML). A hidden value reads `<hidden, N bytes>`: its
//! length and nothing derived from its content, so a report cannot confirm a guess. Whether it
//! changed still shows: [`normalize`] keeps the unmasked object aside, the diff compares that, and
//! [`mask_change`] masks each change found, marking a change that kept the length
//! `<hidden, N bytes, changed>`.

use super::Object;
use super::field::Change;
use super::path::Seg;
use kyaml::Value;

/// The annotation `kubectl apply` stores the whole applied object in.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// A pattern where `*` matches any run of characters (including `/` and `.`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern(String);

impl Pattern {
    pub fn new(pattern: impl Into<String>) -> Pattern {
        Pattern(pattern.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn matches(&self, text: &str) -> bool {
        glob_match(self.0.as_bytes(), text.as_bytes())
    }
}

fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    // Iterative wildcard matching with backtracking to the last `*`.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

/// What to leave out of the comparison (besides the fields the cluster owns, always left out).
#[derive(Debug, Clone, Default)]
pub struct NoiseFilter {
    /// Field paths as the diff prints them (`spec.replicas`, `metadata.labels["helm.sh/chart"]`,
    /// `spec.template.spec.containers[*].image`); a match also ignores everything below.
    pub paths: Vec<Pattern>,
    /// Label keys, in every `metadata` of the object (pod templates included).
    pub labels: Vec<Pattern>,
    /// Annotation keys, in every `metadata` of the object.
    pub annotations: Vec<Pattern>,
}

impl NoiseFilter {
    /// Whether a change falls under an ignored path.
    pub fn ignores(&self, change: &Change) -> bool {
        if self.paths.is_empty() {
            return false;
        }
        let segs = change.path.segments();
        (1..=segs.len()).any(|n| {
            let prefix = super::path::FieldPath(segs[..n].to_vec()).to_string();
            self.paths.iter().any(|p| p.matches(&prefix))
        })
    }
}

/// The label keys a change touches when it is a change to labels matching `patterns` only (in any
/// `metadata.labels` of the object: the object's own, a pod template's), else `None`.
pub fn summarized_label_keys(change: &Change, patterns: &[Pattern]) -> Option<Vec<String>> {
    use super::field::ChangeKind;
    let segs = change.path.segments();
    let at = segs
        .windows(2)
        .position(|w| w[0] == Seg::Key("metadata".into()) && w[1] == Seg::Key("labels".into()))?;
    let rest = &segs[at + 2..];
    let keys: Vec<String> = match rest {
        [Seg::Key(k)] => vec![k.clone()],
        // The whole labels map appeared, went or was replaced: every key that differs.
        [] => {
            let map_keys = |v: &Value| -> Vec<String> {
                v.as_map()
                    .map(|m| m.keys().map(ToString::to_string).collect())
                    .unwrap_or_default()
            };
            match &change.kind {
                ChangeKind::Added(v) | ChangeKind::Removed(v) => map_keys(v),
                ChangeKind::Changed { old, new } => {
                    let mut k = map_keys(old);
                    k.extend(map_keys(new));
                    k.retain(|key| {
                        let get = |v: &Value| v.as_map().and_then(|m| m.get(key.as_str())).cloned();
                        get(old) != get(new)
                    });
                    k.sort();
                    k.dedup();
                    k
                }
            }
        }
        _ => return None,
    };
    (!keys.is_empty() && keys.iter().all(|k| patterns.iter().any(|p| p.matches(k)))).then_some(keys)
}

/// Fields set by the API server, never part of a manifest's intent.
const SERVER_FIELDS: &[&str] = &[
    "managedFields",
    "creationTimestamp",
    "resourceVersion",
    "uid",
    "generation",
    "selfLink",
];

/// Drops noise from one object and masks Secret values (unless `show_secrets`).
pub fn normalize(r: &mut Object, noise: &NoiseFilter, show_secrets: bool) {
    let Some(map) = r.value.as_map_mut() else {
        return;
    };
    map.shift_remove("status");
    if let Some(meta) = map.get_mut("metadata").and_then(Value::as_map_mut) {
        for f in SERVER_FIELDS {
            meta.shift_remove(*f);
        }
    }
    if !noise.labels.is_empty() || !noise.annotations.is_empty() {
        strip_metadata_keys(&mut r.value, noise);
    }
    if !show_secrets {
        let secret = is_secret(r);
        if needs_mask(&r.value, Where::Root, secret) {
            let original = r.value.clone();
            mask(&mut r.value, Where::Root, secret);
            r.unmasked = Some(super::Unmasked(Box::new(original)));
        }
    }
}

fn is_secret(r: &Object) -> bool {
    r.key.group.is_empty() && r.key.kind == "Secret"
}

/// Where a value is inside an object, as far as masking cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Where {
    Root,
    Metadata,
    Annotations,
    /// A Secret's `data` (`base64`) or `stringData` map.
    SecretMap {
        base64: bool,
    },
    /// Hidden as a whole.
    Hidden {
        base64: bool,
    },
    Elsewhere,
}

impl Where {
    /// One step down: into the value of map key `key`, or into a list item (`None`).
    fn step(self, key: Option<&str>, secret: bool) -> Where {
        match (self, key) {
            (Where::Root, Some("data")) if secret => Where::SecretMap { base64: true },
            (Where::Root, Some("stringData")) if secret => Where::SecretMap { base64: false },
            (Where::Root, Some("metadata")) => Where::Metadata,
            (Where::Metadata, Some("annotations")) => Where::Annotations,
            (Where::Annotations, Some(LAST_APPLIED)) if secret => Where::Hidden { base64: false },
            (Where::SecretMap { base64 } | Where::Hidden { base64 }, _) => Where::Hidden { base64 },
            _ => Where::Elsewhere,
        }
    }
}

/// Whether [`mask`] would change anything (without allocating).
fn needs_mask(v: &Value, at: Where, secret: bool) -> bool {
    match (at, v) {
        (Where::Hidden { .. }, _) => true,
        (_, Value::Map(m)) => m
            .iter()
            .any(|(k, c)| needs_mask(c, at.step(Some(k), secret), secret)),
        (_, Value::Seq(items)) => items
            .iter()
            .any(|c| needs_mask(c, at.step(None, secret), secret)),
        (_, Value::String(s)) => holds_secret(s),
        _ => false,
    }
}

/// Hides what [`needs_mask`] finds; returns whether anything was hidden.
fn mask(v: &mut Value, at: Where, secret: bool) -> bool {
    match (at, &mut *v) {
        (Where::Hidden { base64 }, _) => {
            *v = Value::String(hidden(v, base64).into());
            true
        }
        (_, Value::Map(m)) => {
            let mut any = false;
            for (k, c) in m.iter_mut() {
                any |= mask(c, at.step(Some(k), secret), secret);
            }
            any
        }
        (_, Value::Seq(items)) => {
            let mut any = false;
            for c in items.iter_mut() {
                any |= mask(c, at.step(None, secret), secret);
            }
            any
        }
        (_, Value::String(s)) if holds_secret(s) => {
            *v = Value::String(hidden(v, false).into());
            true
        }
        _ => false,
    }
}

/// `<hidden, N bytes>`: the length of the value (decoded, for base64 `data`), nothing more.
fn hidden(v: &Value, base64: bool) -> String {
    let text = match v {
        Value::Map(_) | Value::Seq(_) => kyaml::to_string(v),
        _ => crate::field::scalar_text(v),
    };
    let n = if base64 {
        decoded_len(&text).unwrap_or(text.len())
    } else {
        text.len()
    };
    let unit = if n == 1 { "byte" } else { "bytes" };
    format!("<hidden, {n} {unit}>")
}

/// The length of what standard base64 text decodes to, or `None` when it is not base64.
fn decoded_len(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let pad = b.iter().rev().take_while(|&&c| c == b'=').count();
    let body = &b[..b.len() - pad];
    let ok = b.len().is_multiple_of(4)
        && pad <= 2
        && body
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/');
    ok.then(|| b.len() / 4 * 3 - pad)
}

/// Whether a string holds a serialized Secret: a JSON or YAML document (or a List) with
/// `kind: Secret`, such as the last-applied-configuration annotation of a Secret, or a Secret
/// manifest kept in a ConfigMap.
fn holds_secret(s: &str) -> bool {
    if !(s.contains("Secret") && s.contains("kind")) {
        return false;
    }
    fn is_secret_doc(v: &Value) -> bool {
        match v.get("kind").and_then(Value::as_str) {
            Some("Secret") => true,
            Some(_) => v
                .get("items")
                .and_then(Value::as_seq)
                .is_some_and(|items| items.iter().any(is_secret_doc)),
            None => false,
        }
    }
    kyaml::parse_documents(s, kyaml::Dialect::Kube)
        .is_ok_and(|docs| docs.iter().any(|d| is_secret_doc(&d.value)))
}

/// Masks the values of a change found on the unmasked objects `old` -> `new` (see the module
/// docs): what [`normalize`] hides in an object is hidden in the change too. A change whose
/// hidden values read the same on both sides is marked `changed`.
pub fn mask_change(change: &mut Change, old: &Object, new: &Object) {
    let start = |r: &Object| {
        let secret = is_secret(r);
        let at = change.path.segments().iter().fold(Where::Root, |at, seg| {
            let key = match seg {
                Seg::Key(k) => Some(k.as_str()),
                Seg::Index(_) | Seg::Keyed { .. } => None,
            };
            at.step(key, secret)
        });
        (at, secret)
    };
    let (old_at, old_secret) = start(old);
    let (new_at, new_secret) = start(new);
    let mut masked = false;
    match &mut change.kind {
        crate::ChangeKind::Added(v) => masked |= mask(v, new_at, new_secret),
        crate::ChangeKind::Removed(v) => masked |= mask(v, old_at, old_secret),
        crate::ChangeKind::Changed { old: o, new: n } => {
            masked |= mask(o, old_at, old_secret);
            masked |= mask(n, new_at, new_secret);
            // Same length on both sides: say that it changed all the same.
            if masked
                && o == n
                && let Value::String(text) = n
                && let Some(stem) = text.strip_suffix('>')
            {
                *text = format!("{stem}, changed>").into();
            }
        }
    }
    if masked {
        change.text_diff = None;
    }
}

fn strip_metadata_keys(v: &mut Value, noise: &NoiseFilter) {
    match v {
        Value::Map(m) => {
            for (k, child) in m.iter_mut() {
                if k == "metadata"
                    && let Some(meta) = child.as_map_mut()
                {
                    for (field, patterns) in [
                        ("labels", &noise.labels),
                        ("annotations", &noise.annotations),
                    ] {
                        if let Some(Value::Map(entries)) = meta.get_mut(field) {
                            entries.retain(|key, _| !patterns.iter().any(|p| p.matches(key)));
                            if entries.is_empty() {
                                meta.shift_remove(field);
                            }
                        }
                    }
                }
                strip_metadata_keys(child, noise);
            }
        }
        Value::Seq(items) => items.iter_mut().for_each(|i| strip_metadata_keys(i, noise)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Origin;
    use serde_json::json;

    #[test]
    fn glob_patterns() {
        assert!(Pattern::new("checksum/*").matches("checksum/config"));
        assert!(!Pattern::new("checksum/*").matches("helm.sh/chart"));
        assert!(Pattern::new("*.image").matches("spec.containers[name=a].image"));
        assert!(Pattern::new("a*b*c").matches("aXbYbc"));
        assert!(!Pattern::new("a*b*c").matches("aXbY"));
    }

    #[test]
    fn label_changes_are_recognised_at_any_metadata() {
        use crate::field::{Change, ChangeKind};
        use crate::path::FieldPath;
        let key = |k: &str| Seg::Key(k.into());
        let change = |segs: Vec<Seg>, kind| Change {
            path: FieldPath(segs),
            kind,
            text_diff: None,
        };
        let p = [
            Pattern::new("helm.sh/chart"),
            Pattern::new("app.kubernetes.io/version"),
        ];
        let one = change(
            vec![
                key("spec"),
                key("template"),
                key("metadata"),
                key("labels"),
                key("helm.sh/chart"),
            ],
            ChangeKind::Changed {
                old: Value::from(json!("a-1")),
                new: Value::from(json!("a-2")),
            },
        );
        assert_eq!(
            summarized_label_keys(&one, &p),
            Some(vec!["helm.sh/chart".to_string()])
        );
        let map = change(
            vec![key("metadata"), key("labels")],
            ChangeKind::Changed {
                old: Value::from(json!({"app": "x", "helm.sh/chart": "a-1"})),
                new: Value::from(
                    json!({"app": "x", "helm.sh/chart": "a-2", "app.kubernetes.io/version": "2"}),
                ),
            },
        );
        assert_eq!(
            summarized_label_keys(&map, &p),
            Some(vec![
                "app.kubernetes.io/version".to_string(),
                "helm.sh/chart".to_string()
            ])
        );
        let other = change(
            vec![key("metadata"), key("labels"), key("app")],
            ChangeKind::Added(Value::from(json!("x"))),
        );
        assert_eq!(summarized_label_keys(&other, &p), None);
        let selector = change(
            vec![
                key("spec"),
                key("selector"),
                key("matchLabels"),
                key("helm.sh/chart"),
            ],
            ChangeKind::Added(Value::from(json!("x"))),
        );
        assert_eq!(summarized_label_keys(&selector, &p), None);
    }

    #[test]
    fn strips_status_server_fields_ignored_labels_and_masks_secrets() {
        let mut r = Object::new(
            Value::from(json!({
                "apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": "s", "uid": "123",
                             "labels": {"helm.sh/chart": "x-1", "app": "x"},
                             "annotations": {"checksum/config": "abc"}},
                "data": {"password": "aHVudGVyMg=="},
                "status": {}
            })),
            Origin::default(),
        )
        .unwrap();
        let noise = NoiseFilter {
            labels: vec![Pattern::new("helm.sh/chart")],
            annotations: vec![Pattern::new("checksum/*")],
            ..NoiseFilter::default()
        };
        normalize(&mut r, &noise, false);
        let j = serde_json::Value::from(&r.value);
        assert_eq!(j["metadata"], json!({"name": "s", "labels": {"app": "x"}}));
        assert!(j.get("status").is_none());
        assert_eq!(j["data"]["password"], "<hidden, 7 bytes>");
    }

    fn secret(data: serde_json::Value, annotations: serde_json::Value) -> Object {
        Object::new(
            Value::from(json!({
                "apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": "s", "annotations": annotations},
                "data": data,
            })),
            Origin::default(),
        )
        .unwrap()
    }

    fn masked_diff(old: Object, new: Object) -> Vec<(String, Option<String>, Option<String>)> {
        let (mut old, mut new) = (vec![old], vec![new]);
        let opts = crate::Options::default();
        crate::prepare(&mut old, &opts);
        crate::prepare(&mut new, &opts);
        let report = crate::diff(&old, &new, &opts);
        report
            .resources
            .iter()
            .flat_map(|d| &d.changes)
            .map(|c| {
                let text = |v: Option<&Value>| v.map(|v| serde_json::Value::from(v).to_string());
                (c.path.to_string(), text(c.old()), text(c.new_value()))
            })
            .collect()
    }

    #[test]
    fn hidden_values_show_length_and_whether_they_changed_only() {
        // "hunter2" and "hunter3": same length, different content.
        let changes = masked_diff(
            secret(json!({"pw": "aHVudGVyMg==", "same": "eA=="}), json!({})),
            secret(
                json!({"pw": "aHVudGVyMw==", "same": "eA==", "new": "YWJj"}),
                json!({}),
            ),
        );
        assert_eq!(
            changes,
            [
                (
                    "data.pw".into(),
                    Some(r#""<hidden, 7 bytes>""#.into()),
                    Some(r#""<hidden, 7 bytes, changed>""#.into())
                ),
                (
                    "data.new".into(),
                    None,
                    Some(r#""<hidden, 3 bytes>""#.into())
                ),
            ]
        );
        let longer = masked_diff(
            secret(json!({"pw": "aHVudGVyMg=="}), json!({})),
            secret(json!({"pw": "aHVudGVyMjI="}), json!({})),
        );
        assert_eq!(longer[0].2.as_deref(), Some(r#""<hidden, 8 bytes>""#));
        assert!(
            masked_diff(
                secret(json!({"pw": "aHVudGVyMg=="}), json!({})),
                secret(json!({"pw": "aHVudGVyMg=="}), json!({}))
            )
            .is_empty()
        );
    }

    #[test]
    fn serialized_secrets_are_hidden_wherever_they_are() {
        let applied = |pw: &str| {
            json!({LAST_APPLIED: format!(
                r#"{{"apiVersion":"v1","data":{{"pw":"{pw}"}},"kind":"Secret","metadata":{{"name":"s"}}}}"#
            )})
        };
        let changes = masked_diff(
            secret(json!({"pw": "aHVudGVyMg=="}), applied("aHVudGVyMg==")),
            secret(json!({"pw": "aHVudGVyMw=="}), applied("aHVudGVyMw==")),
        );
        let all = format!("{changes:?}");
        assert!(!all.contains("aHVudGVy"), "{all}");
        assert!(all.contains(r#"<hidden, 88 bytes, changed>"#), "{all}");
        // A Secret manifest kept in a ConfigMap: the whole string is hidden.
        let cm = |text: &str| {
            Object::new(
                Value::from(json!({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": "c"}, "data": {"secret.yaml": text, "plain": "kind: Secret?"}})),
                Origin::default(),
            )
            .unwrap()
        };
        let mut side = vec![cm(
            "apiVersion: v1\nkind: Secret\nstringData:\n  pw: hunter2\n",
        )];
        crate::prepare(&mut side, &crate::Options::default());
        let j = serde_json::Value::from(&side[0].value);
        assert_eq!(j["data"]["secret.yaml"], "<hidden, 54 bytes>");
        assert_eq!(j["data"]["plain"], "kind: Secret?");
        // --show-secrets: nothing hidden.
        let mut shown = vec![cm("kind: Secret\n")];
        let opts = crate::Options {
            show_secrets: true,
            ..crate::Options::default()
        };
        crate::prepare(&mut shown, &opts);
        assert_eq!(
            serde_json::Value::from(&shown[0].value)["data"]["secret.yaml"],
            "kind: Secret\n"
        );
        assert_eq!(format!("{:?}", side[0]).matches("hunter2").count(), 0);
    }
}
