//! Deprecated and removed Kubernetes API versions, from the table in `src/diff/deprecations.json`
//! (transcribed from the upstream deprecation guide; extend it there, not in code).

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

/// One row of the table.
#[derive(Debug, Clone, Deserialize)]
pub struct Deprecation {
    pub api_version: String,
    pub kinds: Vec<String>,
    pub deprecated_in: String,
    pub removed_in: String,
    pub replacement: Option<String>,
}

#[derive(Deserialize)]
struct Table {
    apis: Vec<Deprecation>,
}

/// The deprecation table, parsed once.
pub fn deprecations() -> &'static [Deprecation] {
    static TABLE: OnceLock<Vec<Deprecation>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let table: Table = serde_json::from_str(include_str!("../deprecations.json"))
            .expect("src/diff/deprecations.json is valid (checked by a unit test)");
        table.apis
    })
}

/// Flags the objects of `new` that use an API version deprecated (or removed) at `kube_version`;
/// without a version, every deprecated API version in the table is flagged.
pub(super) fn highlight(new: &[Object], kube_version: Option<&str>, out: &mut Vec<Highlight>) {
    let target = kube_version.and_then(KubeVersion::parse);
    let mut found: BTreeMap<(String, String), (Category, &Deprecation, Vec<String>)> =
        BTreeMap::new();
    for r in new {
        let Some(dep) = deprecations()
            .iter()
            .find(|d| d.api_version == r.api_version && d.kinds.contains(&r.key.kind))
        else {
            continue;
        };
        let deprecated = KubeVersion::parse(&dep.deprecated_in);
        let removed = KubeVersion::parse(&dep.removed_in);
        let category = match target {
            Some(t) if removed.is_some_and(|r| t >= r) => Category::ApiRemoved,
            Some(t) if deprecated.is_some_and(|d| t >= d) => Category::ApiDeprecated,
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
            _ => format!(
                "is deprecated since Kubernetes {} and removed in {}",
                dep.deprecated_in, dep.removed_in
            ),
        };
        let instead = match &dep.replacement {
            Some(r) => format!("; use {r}"),
            None => "; it has no replacement".to_string(),
        };
        let mut h = Highlight::new(category, format!("{api_version} {kind} {state}{instead}"))
            .details(resources);
        if let Some(r) = &dep.replacement {
            h = h.change(api_version.clone(), r.clone());
        }
        out.push(h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_parses_and_versions_are_valid() {
        let table = deprecations();
        assert!(table.len() > 20);
        for d in table {
            let dep = KubeVersion::parse(&d.deprecated_in).unwrap();
            let rem = KubeVersion::parse(&d.removed_in).unwrap();
            assert!(dep < rem, "{} {:?}", d.api_version, d.kinds);
        }
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
