//! `buildMetadata`: where each object came from (`config.kubernetes.io/origin`) and which
//! transformers changed it (`alpha.config.kubernetes.io/transformations`), written as kustomize
//! writes them (a small YAML document per annotation), and the `app.kubernetes.io/managed-by`
//! label.

use kyaml::Value;

pub const ORIGIN_ANNOTATION: &str = "config.kubernetes.io/origin";
pub const TRANSFORMATIONS_ANNOTATION: &str = "alpha.config.kubernetes.io/transformations";
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// The value `kubectl kustomize` (kustomize v5.5.0 built into kubectl) writes for
/// `managedByLabel`.
pub const MANAGED_BY_VALUE: &str = "kustomize-(devel)";

/// kustomize's `resource.Origin`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OriginAnno {
    pub path: String,
    pub repo: String,
    pub git_ref: String,
    pub configured_in: String,
    /// apiVersion, kind, name, namespace of the generator or transformer config.
    pub configured_by: Option<(String, String, String, String)>,
}

impl OriginAnno {
    /// `Origin.Append`: joins a path onto this origin's path.
    pub fn append(&self, path: &str) -> OriginAnno {
        let mut o = self.clone();
        o.path = join_clean(&o.path, path);
        o
    }

    /// The origin of a builtin generator or transformer configured in `kust_file`.
    pub fn builtin(base: &OriginAnno, kust_file: &str, kind: &str) -> OriginAnno {
        OriginAnno {
            repo: base.repo.clone(),
            git_ref: base.git_ref.clone(),
            configured_in: join_clean(&base.path, kust_file),
            configured_by: Some(("builtin".into(), kind.into(), String::new(), String::new())),
            ..Default::default()
        }
    }

    fn write(&self, out: &mut String, indent: &str, first_prefix: &str) {
        let mut lines: Vec<String> = Vec::new();
        for (k, v) in [
            ("path", &self.path),
            ("repo", &self.repo),
            ("ref", &self.git_ref),
            ("configuredIn", &self.configured_in),
        ] {
            if !v.is_empty() {
                lines.push(format!("{k}: {}", scalar(v)));
            }
        }
        if let Some((av, kind, name, ns)) = &self.configured_by {
            lines.push("configuredBy:".to_string());
            for (k, v) in [
                ("apiVersion", av),
                ("kind", kind),
                ("name", name),
                ("namespace", ns),
            ] {
                if !v.is_empty() {
                    lines.push(format!("  {k}: {}", scalar(v)));
                }
            }
        }
        if lines.is_empty() {
            out.push_str(first_prefix);
            out.push_str("{}\n");
            return;
        }
        for (i, l) in lines.iter().enumerate() {
            out.push_str(if i == 0 { first_prefix } else { indent });
            out.push_str(l);
            out.push('\n');
        }
    }

    /// The annotation text (`Origin.String()`).
    pub fn to_yaml(&self) -> String {
        let mut s = String::new();
        self.write(&mut s, "", "");
        s
    }
}

/// The transformations annotation text (a YAML list of origins).
pub fn transformations_yaml(list: &[OriginAnno]) -> String {
    let mut s = String::new();
    for o in list {
        o.write(&mut s, "  ", "- ");
    }
    s
}

/// A scalar as yaml.v3 writes it in block context: plain when that reads back as the same
/// string, else double-quoted.
fn scalar(s: &str) -> String {
    let emitted = kyaml::to_string(&Value::String(s.to_string().into()));
    let emitted = emitted.trim_end_matches('\n');
    if emitted.contains('\n') || emitted.starts_with('|') || emitted.starts_with('>') {
        format!("{:?}", s)
    } else {
        emitted.to_string()
    }
}

/// `filepath.Join` of two slash paths, cleaned.
fn join_clean(a: &str, b: &str) -> String {
    let joined = if a.is_empty() {
        b.to_string()
    } else if b.is_empty() {
        a.to_string()
    } else {
        format!("{a}/{b}")
    };
    let mut out: Vec<&str> = Vec::new();
    let abs = joined.starts_with('/');
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !abs {
                    out.push("..");
                }
            }
            p => out.push(p),
        }
    }
    let body = out.join("/");
    match (abs, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".to_string(),
        (false, false) => body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_print_like_kustomize() {
        let o = OriginAnno::default().append("base").append("service.yaml");
        assert_eq!(o.to_yaml(), "path: base/service.yaml\n");
        let b = OriginAnno::builtin(
            &OriginAnno::default(),
            "kustomization.yaml",
            "PrefixTransformer",
        );
        assert_eq!(
            transformations_yaml(&[b]),
            "- configuredIn: kustomization.yaml\n  configuredBy:\n    apiVersion: builtin\n    kind: PrefixTransformer\n"
        );
    }

    #[test]
    fn paths_join_cleanly() {
        assert_eq!(join_clean("prod", "../base/a.yaml"), "base/a.yaml");
        assert_eq!(join_clean("", "a.yaml"), "a.yaml");
        assert_eq!(join_clean("..", "x"), "../x");
    }
}
