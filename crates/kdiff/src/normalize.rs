//! Noise control before comparing: fields the cluster owns (`status`, `managedFields`, ...),
//! user-chosen paths, labels and annotations (`helm.sh/chart`, `checksum/*`), and masking of Secret
//! values so they never reach a report unless asked for.

use sha2::{Digest, Sha256};

use super::Object;
use super::field::Change;
use kyaml::Value;

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
    if !show_secrets && r.key.group.is_empty() && r.key.kind == "Secret" {
        mask_secret(&mut r.value);
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

/// Replaces every value of `data` and `stringData` by a short digest, so a change still shows as
/// a change but the secret does not.
fn mask_secret(v: &mut Value) {
    for field in ["data", "stringData"] {
        if let Some(Value::Map(entries)) = v.get_mut(field) {
            for (_, val) in entries.iter_mut() {
                let text = crate::field::scalar_text(val);
                let digest = hex::encode(Sha256::digest(text.as_bytes()));
                *val = Value::String(format!("<hidden, sha256:{}>", &digest[..12]));
            }
        }
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
        let masked = j["data"]["password"].as_str().unwrap();
        assert!(masked.starts_with("<hidden, sha256:") && !masked.contains("aHVudGVy"));
    }
}
