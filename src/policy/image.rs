//! Container image references: parsing them as the container runtimes do (registry, repository,
//! tag, digest), finding every image of every workload in a Kubernetes object, and judging each
//! against `[policy.images]`.

use crate::config::ImagePolicy;
use crate::diag::Code;
use kyaml::Value;

/// A parsed image reference such as `quay.io/argoproj/argocd:v2.14.21@sha256:...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Registry host (with port), `docker.io` when the reference names none.
    pub registry: String,
    /// Repository path within the registry (`library/nginx` for `nginx`).
    pub repository: String,
    pub tag: Option<String>,
    /// `sha256:<hex>` when pinned by digest.
    pub digest: Option<String>,
}

impl ImageRef {
    /// Parses a reference the way Docker normalizes it. Returns `None` for text that cannot be
    /// an image reference (empty, whitespace, upper case in the repository).
    pub fn parse(reference: &str) -> Option<ImageRef> {
        if reference.is_empty() || reference.contains(char::is_whitespace) {
            return None;
        }
        let (name_tag, digest) = match reference.split_once('@') {
            Some((n, d)) => (n, Some(d.to_string())),
            None => (reference, None),
        };
        // The tag is after the last ':' that comes after the last '/'.
        let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name_tag[last_slash..].rfind(':') {
            Some(i) => (
                &name_tag[..last_slash + i],
                Some(name_tag[last_slash + i + 1..].to_string()),
            ),
            None => (name_tag, None),
        };
        if name.is_empty() || tag.as_deref() == Some("") {
            return None;
        }
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_string(), rest.to_string())
            }
            _ => ("docker.io".to_string(), name.to_string()),
        };
        let repository = if registry == "docker.io" && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        if repository.is_empty()
            || repository.bytes().any(|b| b.is_ascii_uppercase())
            || repository.split('/').any(str::is_empty)
        {
            return None;
        }
        Some(ImageRef {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// Whether the reference is under `prefix`, a registry host optionally followed by a path
    /// (`quay.io`, `quay.io/argoproj`, `docker.io/library`).
    pub fn is_under(&self, prefix: &str) -> bool {
        let prefix = prefix.trim_end_matches('/');
        let full = format!("{}/{}", self.registry, self.repository);
        let prefix = normalize_registry(prefix);
        full == prefix || full.starts_with(&format!("{prefix}/"))
    }
}

fn normalize_registry(prefix: &str) -> String {
    match prefix.split_once('/') {
        Some(("index.docker.io" | "registry-1.docker.io", rest)) => format!("docker.io/{rest}"),
        None if prefix == "index.docker.io" || prefix == "registry-1.docker.io" => {
            "docker.io".into()
        }
        _ => prefix.to_string(),
    }
}

/// A policy verdict on one image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub code: Code,
    pub message: String,
    pub help: String,
}

/// Judges one image reference against the policy. Every rule that fails gives a violation.
pub fn judge(reference: &str, policy: &ImagePolicy) -> Vec<Violation> {
    let mut out = Vec::new();
    let Some(image) = ImageRef::parse(reference) else {
        out.push(Violation {
            code: Code::ImageUntagged,
            message: format!("`{reference}` is not a valid image reference"),
            help: "write the image as registry/repository:tag, pinned to a release".into(),
        });
        return out;
    };
    if policy.deny_latest && image.digest.is_none() {
        match image.tag.as_deref() {
            None => out.push(Violation {
                code: Code::ImageUntagged,
                message: format!("image `{reference}` has no tag (it means `latest`)"),
                help: "pin a released tag, with `images:` in the patch overlay's kustomization.yaml if upstream does not".into(),
            }),
            Some("latest") => out.push(Violation {
                code: Code::ImageLatest,
                message: format!("image `{reference}` uses the `latest` tag"),
                help: "pin a released tag, with `images:` in the patch overlay's kustomization.yaml if upstream does not".into(),
            }),
            _ => {}
        }
    }
    if image.digest.is_none()
        && let Some(tag) = image.tag.as_deref()
        && policy
            .floating_tags
            .iter()
            .any(|f| f.eq_ignore_ascii_case(tag))
    {
        out.push(Violation {
            code: Code::ImageFloatingTag,
            message: format!("image `{reference}` uses the floating tag `{tag}`"),
            help: "floating tags move: pin a released tag or a digest".into(),
        });
    }
    if policy.require_digest && image.digest.is_none() {
        out.push(Violation {
            code: Code::ImageNoDigest,
            message: format!("image `{reference}` is not pinned by digest"),
            help: "add @sha256:<digest> (policy.images.require-digest is set)".into(),
        });
    }
    if !policy.allow_registries.is_empty()
        && !policy.allow_registries.iter().any(|r| image.is_under(r))
    {
        out.push(Violation {
            code: Code::ImageRegistryNotAllowed,
            message: format!(
                "image `{reference}` comes from `{}`, which is not in allow-registries",
                image.registry
            ),
            help: format!(
                "mirror the image to an allowed registry ({}) and point `images:` at it, or extend policy.images.allow-registries",
                policy.allow_registries.join(", ")
            ),
        });
    }
    out
}

/// Where an image was found inside an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageUse {
    pub image: String,
    /// Container name (empty when the container has none).
    pub container: String,
    /// Path from the object root to the `image` field, for locating it in the file.
    pub path: Vec<PathPart>,
}

/// One step of a path inside an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPart {
    Key(String),
    Index(usize),
}

const CONTAINER_LISTS: &[&str] = &["initContainers", "containers", "ephemeralContainers"];

/// Every container image of a workload object: Pods, everything with a pod template
/// (`spec.template`, CronJob's `spec.jobTemplate.spec.template`), and PodTemplates.
pub fn images_of(object: &Value) -> Vec<ImageUse> {
    let mut out = Vec::new();
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    let candidates: &[&[&str]] = match kind {
        "Pod" => &[&["spec"]],
        "PodTemplate" => &[&["template", "spec"]],
        "CronJob" => &[&["spec", "jobTemplate", "spec", "template", "spec"]],
        _ => &[&["spec", "template", "spec"]],
    };
    for prefix in candidates {
        let Some(pod_spec) = object.path(prefix) else {
            continue;
        };
        for list in CONTAINER_LISTS {
            let Some(containers) = pod_spec.get(list).and_then(Value::as_seq) else {
                continue;
            };
            for (i, c) in containers.iter().enumerate() {
                let Some(image) = c.get("image") else {
                    continue;
                };
                let image = match image {
                    Value::String(s) => s.clone(),
                    Value::Null => continue,
                    Value::Int(i) => i.to_string(),
                    Value::Float(f) => f.to_string(),
                    Value::Bool(b) => b.to_string(),
                    Value::Seq(_) | Value::Map(_) => continue,
                };
                let mut path: Vec<PathPart> = prefix
                    .iter()
                    .map(|k| PathPart::Key(k.to_string()))
                    .collect();
                path.push(PathPart::Key(list.to_string()));
                path.push(PathPart::Index(i));
                path.push(PathPart::Key("image".into()));
                out.push(ImageUse {
                    image,
                    container: c
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    path,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> ImageRef {
        ImageRef::parse(s).unwrap_or_else(|| panic!("{s} should parse"))
    }

    #[test]
    fn parses_references_like_docker() {
        assert_eq!(
            r("nginx"),
            ImageRef {
                registry: "docker.io".into(),
                repository: "library/nginx".into(),
                tag: None,
                digest: None
            }
        );
        let a = r("quay.io/argoproj/argocd:v2.14.21");
        assert_eq!(
            (a.registry.as_str(), a.repository.as_str(), a.tag.as_deref()),
            ("quay.io", "argoproj/argocd", Some("v2.14.21"))
        );
        let p = r("localhost:5000/team/app:1.2@sha256:abc");
        assert_eq!(
            (p.registry.as_str(), p.tag.as_deref(), p.digest.as_deref()),
            ("localhost:5000", Some("1.2"), Some("sha256:abc"))
        );
        let d = r("registry.k8s.io/ingress-nginx/controller:v1.14.5@sha256:1f7eaeb0");
        assert_eq!(d.repository, "ingress-nginx/controller");
        assert_eq!(r("bitnami/redis").repository, "bitnami/redis");
        assert!(ImageRef::parse("").is_none());
        assert!(ImageRef::parse("Nginx:1").is_none());
        assert!(ImageRef::parse("nginx:").is_none());
    }

    #[test]
    fn registry_prefixes_match_whole_segments() {
        let a = r("quay.io/argoproj/argocd:v1");
        assert!(a.is_under("quay.io"));
        assert!(a.is_under("quay.io/argoproj"));
        assert!(!a.is_under("quay.io/argo"));
        assert!(!a.is_under("quay.i"));
        assert!(r("nginx:1").is_under("docker.io"));
        assert!(r("nginx:1").is_under("index.docker.io/library"));
    }

    fn codes(image: &str, policy: &ImagePolicy) -> Vec<Code> {
        judge(image, policy).into_iter().map(|v| v.code).collect()
    }

    #[test]
    fn judges_latest_untagged_floating_digest_and_registry() {
        let p = ImagePolicy::default();
        assert_eq!(codes("nginx:latest", &p), [Code::ImageLatest]);
        assert_eq!(codes("nginx", &p), [Code::ImageUntagged]);
        assert_eq!(codes("nginx:stable", &p), [Code::ImageFloatingTag]);
        assert_eq!(codes("nginx:1.27.3", &p), []);
        assert_eq!(codes("nginx@sha256:0123", &p), []);
        let strict = ImagePolicy {
            require_digest: true,
            allow_registries: vec!["quay.io".into()],
            ..ImagePolicy::default()
        };
        assert_eq!(
            codes("nginx:1.27.3", &strict),
            [Code::ImageNoDigest, Code::ImageRegistryNotAllowed]
        );
        assert_eq!(codes("quay.io/a/b:1@sha256:00", &strict), []);
        let lax = ImagePolicy {
            deny_latest: false,
            ..ImagePolicy::default()
        };
        assert_eq!(codes("nginx:latest", &lax), []);
    }

    #[test]
    fn finds_images_of_every_workload_shape() {
        let deploy = Value::from(serde_json::json!({
            "kind": "Deployment",
            "spec": {"template": {"spec": {
                "initContainers": [{"name": "init", "image": "busybox:1.36"}],
                "containers": [{"name": "app", "image": "nginx:1.27"}, {"name": "noimage"}]
            }}}
        }));
        let found: Vec<(String, String)> = images_of(&deploy)
            .into_iter()
            .map(|u| (u.container, u.image))
            .collect();
        assert_eq!(
            found,
            [
                ("init".into(), "busybox:1.36".into()),
                ("app".into(), "nginx:1.27".into())
            ]
        );
        let cron = Value::from(serde_json::json!({
            "kind": "CronJob",
            "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "x:1"}]}}}}}
        }));
        let uses = images_of(&cron);
        assert_eq!(uses.len(), 1);
        assert_eq!(uses[0].path.len(), 8);
        let pod = Value::from(
            serde_json::json!({"kind": "Pod", "spec": {"ephemeralContainers": [{"name": "dbg", "image": "busybox"}]}}),
        );
        assert_eq!(images_of(&pod)[0].image, "busybox");
        let cm = Value::from(serde_json::json!({"kind": "ConfigMap", "data": {"image": "x"}}));
        assert!(images_of(&cm).is_empty());
    }
}
