//! Image highlights: a container's image changed (grouped by old -> new so one bump used by many
//! workloads is one line), and images that appear or disappear altogether.

use std::collections::{BTreeMap, BTreeSet};

use super::{Category, Highlight, containers, pod_spec, str_at};
use crate::{Object, ResourceDiff};

/// `(resource, list/container) -> image` for one side of a resource.
fn images_of(r: Option<&Object>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(r) = r else { return out };
    let Some(spec) = pod_spec(r) else { return out };
    for (list, c) in containers(spec) {
        let image = str_at(c, "image");
        if image.is_empty() {
            continue;
        }
        let name = str_at(c, "name");
        let slot = if list == "containers" {
            name.to_string()
        } else {
            format!("{list}/{name}")
        };
        out.insert(slot, image.to_string());
    }
    out
}

/// `registry/repo: tag -> tag` when only the tag or digest moved, else `old -> new`.
fn describe_change(old: &str, new: &str) -> String {
    let (old_repo, old_ref) = split_reference(old);
    let (new_repo, new_ref) = split_reference(new);
    if old_repo == new_repo {
        format!("{old_repo}: {old_ref} -> {new_ref}")
    } else {
        format!("{old} -> {new}")
    }
}

/// Splits `repo[:tag][@digest]` into the repository and the tag/digest part.
pub(crate) fn split_reference(image: &str) -> (&str, &str) {
    let (name, digest_start) = match image.find('@') {
        Some(at) => (&image[..at], Some(at)),
        None => (image, None),
    };
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    let repo_end = match name[last_slash..].rfind(':') {
        Some(colon) => last_slash + colon,
        None => digest_start.unwrap_or(image.len()),
    };
    let reference = image[repo_end..].trim_start_matches(':');
    (
        &image[..repo_end],
        if reference.is_empty() {
            "(no tag)"
        } else {
            reference
        },
    )
}

pub(super) fn highlight(diffs: &[ResourceDiff<'_>], out: &mut Vec<Highlight>) {
    let mut changed: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut appeared: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut disappeared: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut old_all = BTreeSet::new();
    let mut new_all = BTreeSet::new();
    for d in diffs {
        let before = images_of(d.old);
        let after = images_of(d.new);
        let key = d.key().to_string();
        old_all.extend(before.values().cloned());
        new_all.extend(after.values().cloned());
        for (slot, old_image) in &before {
            match after.get(slot) {
                Some(new_image) if new_image != old_image => changed
                    .entry((old_image.clone(), new_image.clone()))
                    .or_default()
                    .push(format!("{key} ({slot})")),
                Some(_) => {}
                None => disappeared
                    .entry(old_image.clone())
                    .or_default()
                    .push(format!("{key} ({slot})")),
            }
        }
        for (slot, new_image) in &after {
            if !before.contains_key(slot) {
                appeared
                    .entry(new_image.clone())
                    .or_default()
                    .push(format!("{key} ({slot})"));
            }
        }
    }
    for ((old, new), places) in changed {
        out.push(
            Highlight::new(Category::ImageChanged, describe_change(&old, &new))
                .change(old, new)
                .details(places),
        );
    }
    // Images a paired container switched to (or from) are not "new" (or "gone") images.
    for (image, places) in appeared {
        if !old_all.contains(&image) {
            out.push(
                Highlight::new(Category::ImageAdded, format!("new image {image}")).details(places),
            );
        }
    }
    for (image, places) in disappeared {
        if !new_all.contains(&image) {
            out.push(
                Highlight::new(
                    Category::ImageRemoved,
                    format!("image {image} is no longer used"),
                )
                .details(places),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_tags_digests_and_registry_ports() {
        assert_eq!(
            split_reference("quay.io/argoproj/argocd:v2.14.21"),
            ("quay.io/argoproj/argocd", "v2.14.21")
        );
        assert_eq!(
            split_reference("localhost:5000/app"),
            ("localhost:5000/app", "(no tag)")
        );
        assert_eq!(
            split_reference("registry.k8s.io/ingress-nginx/controller:v1.15.1@sha256:abc"),
            (
                "registry.k8s.io/ingress-nginx/controller",
                "v1.15.1@sha256:abc"
            )
        );
        assert_eq!(
            split_reference("redis@sha256:abc"),
            ("redis", "@sha256:abc")
        );
        assert_eq!(
            describe_change("redis:7.0.15-alpine", "redis:7.2.11-alpine"),
            "redis: 7.0.15-alpine -> 7.2.11-alpine"
        );
    }
}
