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
    /// Parses a reference by the distribution reference grammar (what containerd, CRI-O and
    /// Docker accept), normalized the way Docker does (`nginx` is `docker.io/library/nginx`).
    /// `Err` says what is wrong with it.
    pub fn parse(reference: &str) -> Result<ImageRef, String> {
        if reference.is_empty() {
            return Err("it is empty".into());
        }
        if let Some(c) = reference.chars().find(|c| !c.is_ascii_graphic()) {
            // Invisible and look-alike characters are all outside printable ASCII.
            let what = if c.is_control() {
                "a control character"
            } else if c.is_whitespace() {
                "whitespace"
            } else {
                "a character outside printable ASCII"
            };
            return Err(format!("it contains {what} (U+{:04X})", c as u32));
        }
        let (name_tag, digest) = match reference.split_once('@') {
            Some((n, d)) => {
                check_digest(d)?;
                (n, Some(d.to_string()))
            }
            None => (reference, None),
        };
        // The tag is after the last ':' that comes after the last '/'.
        let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name_tag[last_slash..].rfind(':') {
            Some(i) => (
                &name_tag[..last_slash + i],
                Some(&name_tag[last_slash + i + 1..]),
            ),
            None => (name_tag, None),
        };
        if let Some(tag) = tag {
            check_tag(tag)?;
        }
        if name.len() > MAX_NAME {
            return Err(format!(
                "the name is {} characters long, more than {MAX_NAME}",
                name.len()
            ));
        }
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest))
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.bytes().any(|b| b.is_ascii_uppercase()) =>
            {
                check_domain(first)?;
                (first.to_string(), rest)
            }
            _ => ("docker.io".to_string(), name),
        };
        check_path(repository)?;
        let repository = if registry == "docker.io" && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository.to_string()
        };
        Ok(ImageRef {
            registry,
            repository,
            tag: tag.map(str::to_string),
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

/// Longest name (registry and repository) the grammar accepts.
const MAX_NAME: usize = 255;

/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
fn check_tag(tag: &str) -> Result<(), String> {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let ok = match tag.as_bytes() {
        [] => false,
        [first, rest @ ..] => {
            word(*first)
                && rest.len() < 128
                && rest.iter().all(|&b| word(b) || b == b'.' || b == b'-')
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "the tag `{tag}` is not 1 to 128 letters, digits, `_`, `.` and `-` (not starting with `.` or `-`)"
        ))
    }
}

/// A digest the runtimes verify: `sha256:` and 64 lowercase hex digits (or sha384/sha512 with
/// 96/128).
fn check_digest(digest: &str) -> Result<(), String> {
    let ok = digest.split_once(':').is_some_and(|(algorithm, hex)| {
        let len = match algorithm {
            "sha256" => 64,
            "sha384" => 96,
            "sha512" => 128,
            _ => return false,
        };
        hex.len() == len
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "the digest `{digest}` is not `sha256:` followed by 64 lowercase hex digits"
        ))
    }
}

/// `host[:port]`: DNS labels separated by dots (an IPv4 address is one such), or `[IPv6]`.
fn check_domain(domain: &str) -> Result<(), String> {
    let port = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let label = |l: &str| {
        !l.is_empty()
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let valid = match domain.strip_prefix('[') {
        Some(rest) => rest.split_once(']').is_some_and(|(v6, tail)| {
            !v6.is_empty()
                && v6.bytes().all(|b| b.is_ascii_hexdigit() || b == b':')
                && (tail.is_empty() || tail.strip_prefix(':').is_some_and(port))
        }),
        None => {
            let (host, p) = match domain.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (domain, None),
            };
            host.split('.').all(label) && p.is_none_or(port)
        }
    };
    if valid {
        Ok(())
    } else {
        Err(format!(
            "the registry `{domain}` is not a host name with an optional port"
        ))
    }
}

/// Path components of lowercase letters and digits, separated within a component by `.`, `_`,
/// `__` or runs of `-`; components separated by `/`.
fn check_path(path: &str) -> Result<(), String> {
    let component = |c: &str| {
        let b = c.as_bytes();
        let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
        let mut i = 0;
        let mut need_alnum = true;
        while i < b.len() {
            if alnum(b[i]) {
                need_alnum = false;
                i += 1;
                continue;
            }
            if need_alnum {
                return false;
            }
            // A separator: `.`, `_`, `__` or one or more `-`.
            let sep = match b[i] {
                b'.' => 1,
                b'_' if b.get(i + 1) == Some(&b'_') => 2,
                b'_' => 1,
                b'-' => b[i..].iter().take_while(|&&x| x == b'-').count(),
                _ => return false,
            };
            i += sep;
            need_alnum = true;
        }
        !need_alnum
    };
    if path.split('/').all(component) {
        Ok(())
    } else if path.bytes().any(|b| b.is_ascii_uppercase()) {
        Err(format!("the repository `{path}` is not lowercase"))
    } else {
        Err(format!(
            "the repository `{path}` is not lowercase letters and digits in `/`-separated parts (with `.`, `_`, `__` or `-` between them)"
        ))
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
    let image = match ImageRef::parse(reference) {
        Ok(image) => image,
        Err(why) => {
            out.push(Violation {
                code: Code::ImageInvalid,
                message: format!("`{reference}` is not a valid image reference: {why}"),
                help: "write the image as [registry/]repository[:tag][@sha256:<64 hex digits>]; \
                       runtimes refuse or read a malformed reference differently"
                    .into(),
            });
            return out;
        }
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
                    Value::Int(i) => i.to_string().into(),
                    Value::Float(f) => f.to_string().into(),
                    Value::Bool(b) => b.to_string().into(),
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
                    image: image.to_string(),
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
        ImageRef::parse(s).unwrap_or_else(|e| panic!("{s} should parse: {e}"))
    }

    const HEX: &str = "1f7eaeb0b0a6d3a4f95f2f1e8f6d9e3bd2a0d66e2a66c7e9f3c1c6a1a7e1f3c2";

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
        let p = r(&format!("localhost:5000/team/app:1.2@sha256:{HEX}"));
        assert_eq!(
            (p.registry.as_str(), p.tag.as_deref(), p.digest.as_deref()),
            (
                "localhost:5000",
                Some("1.2"),
                Some(&*format!("sha256:{HEX}"))
            )
        );
        let d = r(&format!(
            "registry.k8s.io/ingress-nginx/controller:v1.14.5@sha256:{HEX}"
        ));
        assert_eq!(d.repository, "ingress-nginx/controller");
        assert_eq!(r("bitnami/redis").repository, "bitnami/redis");
        assert_eq!(r("[::1]:5000/a/b:1").registry, "[::1]:5000");
        assert_eq!(
            r("10.0.0.1:5000/a_b/c__d/e--f.g:1").repository,
            "a_b/c__d/e--f.g"
        );
        assert_eq!(r("Example.COM/app:V_1.0-rc").registry, "Example.COM");
        assert!(r(&format!("a:{}", "x".repeat(128))).tag.is_some());
    }

    #[test]
    fn refuses_what_the_reference_grammar_does_not_allow() {
        let err = |s: &str| ImageRef::parse(s).expect_err(s);
        assert_eq!(err(""), "it is empty");
        assert!(err("Nginx:1").contains("not lowercase"));
        assert!(err("nginx:").contains("the tag ``"));
        assert!(err("nginx:latest@sha256:abc").contains("64 lowercase hex"));
        assert!(err(&format!("nginx@sha256:{}", HEX.to_uppercase())).contains("digest"));
        assert!(err(&format!("nginx@md5:{HEX}")).contains("digest"));
        assert!(err(&format!("nginx@sha256:{HEX}@sha256:{HEX}")).contains("digest"));
        assert!(err(&format!("a:{}", "x".repeat(129))).contains("the tag"));
        assert!(err("a:.v1").contains("the tag"));
        assert!(err("a:v1##[x]").contains("the tag"));
        assert!(err("::set-env name=X::y").contains("whitespace"));
        assert!(err("nginx\u{1b}[2J:1").contains("a control character (U+001B)"));
        assert!(err("nginx:1\u{202e}").contains("U+202E"));
        assert!(err("nginx:1\u{200b}").contains("U+200B"));
        assert!(err("ngïnx:1").contains("outside printable ASCII (U+00EF)"));
        assert!(err("a//b:1").contains("repository"));
        assert!(err("a/b_:1").contains("repository"));
        assert!(err("a/-b:1").contains("repository"));
        assert!(err("a/b___c:1").contains("repository"));
        assert!(err("my-.registry.io/a:1").contains("registry"));
        assert!(err("registry.io:port/a:1").contains("registry"));
        assert!(err(&format!("{}/a:1", "r.".repeat(130))).contains("characters long"));
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
        assert_eq!(codes(&format!("nginx@sha256:{HEX}"), &p), []);
        assert_eq!(codes("nginx:latest@sha256:abc", &p), [Code::ImageInvalid]);
        assert_eq!(codes(&format!("nginx:latest@sha256:{HEX}"), &p), []);
        let strict = ImagePolicy {
            require_digest: true,
            allow_registries: vec!["quay.io".into()],
            ..ImagePolicy::default()
        };
        assert_eq!(
            codes("nginx:1.27.3", &strict),
            [Code::ImageNoDigest, Code::ImageRegistryNotAllowed]
        );
        assert_eq!(codes(&format!("quay.io/a/b:1@sha256:{HEX}"), &strict), []);
        assert_eq!(
            codes("quay.io/a/b:1@sha256:00", &strict),
            [Code::ImageInvalid]
        );
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
