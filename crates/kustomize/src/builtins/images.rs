//! `ImageTagTransformer` (`images:`) and `ReplicaCountTransformer` (`replicas:`). Images are
//! changed in every `containers`/`initContainers` list anywhere in an object (kustomize's
//! legacy walk) and then at the configured field specs; replicas at the field specs of the
//! objects whose current or previous name matches.

use regex::Regex;

use super::meta::apply_spec;
use crate::config::FieldSpec;
use crate::fieldpath::Create;
use crate::resource::Res;
use crate::types::{Image, Replica};
use kyaml::Value;

/// Splits an image reference into name, tag and digest (kustomize `image.Split`).
pub fn split_image(image: &str) -> (&str, &str, &str) {
    let slash = image.find('/').filter(|i| *i > 0).unwrap_or(0);
    let search = &image[slash..];
    let at = search.find('@');
    let colon = search.find(':');
    match (colon, at) {
        (None, None) => (image, "", ""),
        (c, Some(a)) if c.is_none_or(|c| a < c) => {
            (&image[..slash + a], "", &image[slash + a + 1..])
        }
        (Some(c), Some(a)) => (
            &image[..slash + c],
            &image[slash + c + 1..slash + a],
            &image[slash + a + 1..],
        ),
        (Some(c), None) => (&image[..slash + c], &image[slash + c + 1..], ""),
        _ => (image, "", ""),
    }
}

/// `ImageTagTransformer`.
#[derive(Debug, Clone)]
pub(crate) struct ImageTag {
    pub image: Image,
    pub field_specs: Vec<FieldSpec>,
    matcher: Matcher,
}

/// kustomize's `IsImageMatched`: `^NAME(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`
/// with the name taken as a regular expression. Names made of plain characters and `.` (any
/// character), the usual case, are matched without compiling a regular expression.
#[derive(Debug, Clone)]
enum Matcher {
    Simple(String),
    Regex(Option<Regex>),
}

fn tag_chars(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'{' | b'}' | b'-'))
}

impl Matcher {
    fn new(name: &str) -> Matcher {
        if !name.contains([
            '\\', '^', '$', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|',
        ]) {
            return Matcher::Simple(name.to_string());
        }
        Matcher::Regex(
            Regex::new(&format!(
                "^{name}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$"
            ))
            .ok(),
        )
    }

    fn is_match(&self, value: &str) -> bool {
        match self {
            Matcher::Regex(re) => re.as_ref().is_some_and(|r| r.is_match(value)),
            Matcher::Simple(name) => {
                let mut v = value.chars();
                for n in name.chars() {
                    match v.next() {
                        Some(c) if (n == '.' && c != '\n') || c == n => {}
                        _ => return false,
                    }
                }
                let rest = v.as_str();
                let (tag, digest) = match rest.find('@') {
                    Some(i) => (&rest[..i], Some(&rest[i..])),
                    None => (rest, None),
                };
                let tag_ok = tag.is_empty() || tag.strip_prefix(':').is_some_and(tag_chars);
                let digest_ok =
                    digest.is_none_or(|d| d.strip_prefix("@sha256:").is_some_and(tag_chars));
                tag_ok && digest_ok
            }
        }
    }
}

impl ImageTag {
    pub fn new(image: Image, field_specs: Vec<FieldSpec>) -> ImageTag {
        let matcher = Matcher::new(&image.name);
        ImageTag {
            image,
            field_specs,
            matcher,
        }
    }

    fn update(&self, value: &str) -> Option<String> {
        if !self.matcher.is_match(value) {
            return None;
        }
        let e = &self.image;
        let (name, tag, digest) = split_image(value);
        let mut name = name.to_string();
        let (mut tag, mut digest) = (tag.to_string(), digest.to_string());
        if !e.new_name.is_empty() {
            name = e.new_name.clone();
        }
        if !e.new_tag.is_empty() && !e.digest.is_empty() {
            tag = e.new_tag.clone();
            digest = e.digest.clone();
        } else if !e.new_tag.is_empty() {
            tag = e.new_tag.clone();
            digest.clear();
        } else if !e.digest.is_empty() {
            tag.clear();
            digest = e.digest.clone();
        } else if !e.tag_suffix.is_empty() {
            tag.push_str(&e.tag_suffix);
            digest.clear();
        }
        if !tag.is_empty() {
            name = format!("{name}:{tag}");
        }
        if !digest.is_empty() {
            name = format!("{name}@{digest}");
        }
        Some(name)
    }

    fn set(&self, node: &mut Value, used: &mut bool) -> Result<(), String> {
        let text = match &*node {
            Value::Map(_) | Value::Seq(_) => {
                return Err("wrong node kind: expected ScalarNode".to_string());
            }
            other => crate::fieldpath::scalar_text(other).unwrap_or_default(),
        };
        if let Some(new) = self.update(&text) {
            *used = true;
            *node = Value::String(new.into());
        }
        Ok(())
    }

    /// Returns whether any image matched.
    pub fn transform(&self, resources: &mut [Res]) -> Result<bool, String> {
        let mut used = false;
        for r in resources.iter_mut() {
            if r.kind() == "CustomResourceDefinition" {
                continue;
            }
            legacy_walk(&mut r.value, &mut |img| self.set(img, &mut used))?;
            for fs in &self.field_specs {
                apply_spec(r, fs, Create::Nothing, &mut |n| self.set(n, &mut used))?;
            }
        }
        Ok(used)
    }
}

/// Calls `f` on the `image` of every item of every `containers`/`initContainers` list.
fn legacy_walk(
    v: &mut Value,
    f: &mut dyn FnMut(&mut Value) -> Result<(), String>,
) -> Result<(), String> {
    match v {
        Value::Map(m) => {
            for (key, child) in m.iter_mut() {
                legacy_walk(child, f)?;
                if (key == "containers" || key == "initContainers")
                    && let Value::Seq(items) = child
                {
                    for item in items {
                        match item {
                            Value::Map(c) => {
                                if let Some(img) = c.get_mut("image")
                                    && !img.is_null()
                                {
                                    f(img)?;
                                }
                            }
                            Value::Null => {}
                            _ => {
                                return Err("wrong node kind: expected MappingNode".to_string());
                            }
                        }
                    }
                }
            }
            Ok(())
        }
        Value::Seq(items) => {
            for item in items {
                legacy_walk(item, f)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// `ReplicaCountTransformer`.
#[derive(Debug, Clone)]
pub(crate) struct ReplicaCount {
    pub replica: Replica,
    pub field_specs: Vec<FieldSpec>,
}

impl ReplicaCount {
    pub fn transform(&self, resources: &mut [Res]) -> Result<(), String> {
        let mut found = false;
        for fs in &self.field_specs {
            for r in resources.iter_mut() {
                let matches = std::iter::once(r.cur_id())
                    .chain(r.prev_ids())
                    .any(|id| id.name == self.replica.name && fs.applies_to(&id.gvk));
                if !matches {
                    continue;
                }
                found = true;
                let count = self.replica.count;
                apply_spec(r, fs, Create::Scalar, &mut |n| {
                    *n = Value::Int(count);
                    Ok(())
                })?;
            }
        }
        if !found {
            let gvks: Vec<String> = self.field_specs.iter().map(|f| f.gvk.display()).collect();
            return Err(format!(
                "resource with name {} does not match a config with the following GVK [{}]",
                self.replica.name,
                gvks.join(" ")
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_image_handles_registry_ports_tags_and_digests() {
        assert_eq!(split_image("nginx"), ("nginx", "", ""));
        assert_eq!(split_image("nginx:1.25"), ("nginx", "1.25", ""));
        assert_eq!(split_image("reg:5000/a/b:1"), ("reg:5000/a/b", "1", ""));
        assert_eq!(split_image("reg:5000/a/b"), ("reg:5000/a/b", "", ""));
        assert_eq!(split_image("a/b@sha256:ab"), ("a/b", "", "sha256:ab"));
        assert_eq!(split_image("a/b:1@sha256:ab"), ("a/b", "1", "sha256:ab"));
    }

    #[test]
    fn names_match_with_optional_tag_and_digest() {
        let t = ImageTag::new(
            Image {
                name: "nginx".into(),
                new_tag: "2".into(),
                ..Default::default()
            },
            Vec::new(),
        );
        assert_eq!(t.update("nginx:1").as_deref(), Some("nginx:2"));
        assert_eq!(t.update("nginx@sha256:ab").as_deref(), Some("nginx:2"));
        assert_eq!(t.update("my/nginx:1"), None);
        assert_eq!(t.update("nginx:1@sha256:ab").as_deref(), Some("nginx:2"));
        assert_eq!(t.update("nginx:1:2"), None);
    }

    #[test]
    fn the_plain_matcher_agrees_with_the_regex() {
        let names = ["nginx", "gcr.io/a/b", "a.b", "x"];
        let values = [
            "nginx",
            "nginx:1",
            "nginx:1.2-x_y{z}",
            "nginx@sha256:abc",
            "nginx:1@sha256:abc",
            "nginxx",
            "nginx:",
            "nginx@sha512:abc",
            "nginx:a/b",
            "gcr.io/a/b:1",
            "gcrxio/a/b",
            "axb",
            "a.b:1@sha256:",
            "x:1:2",
            "x@sha256:a@b",
        ];
        for n in names {
            let re = Matcher::Regex(
                Regex::new(&format!(
                    "^{n}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$"
                ))
                .ok(),
            );
            let simple = Matcher::new(n);
            assert!(matches!(simple, Matcher::Simple(_)));
            for v in values {
                assert_eq!(simple.is_match(v), re.is_match(v), "{n} ~ {v}");
            }
        }
    }
}
