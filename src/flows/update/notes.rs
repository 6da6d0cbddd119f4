//! Release notes for the pull-request body, as Renovate shows them: the GitHub release text of
//! every release between the old and the new version (`github-releases` entries: the releases
//! API that lists the versions also carries the text), and for charts the new version's
//! `artifacthub.io/changes` annotation with the chart's home and sources (Chart.yaml of the
//! fetched archive). The text is upstream's: the printers escape and trim it.

use semver_ranges::Version;

use crate::report::model::{ReleaseNotes, VersionNotes};
use crate::sources::Fetcher;
use crate::sources::github::Release;

/// Releases listed per entry at most (newest first).
const MAX_RELEASES: usize = 10;

/// The notes of the releases after `from` up to and including `to`, newest first.
pub fn from_github(repo: &str, releases: &[Release], from: &str, to: &str) -> Option<ReleaseNotes> {
    let from = Version::parse(from).ok();
    let to_v = Version::parse(to).ok()?;
    let mut picked: Vec<(Version, &Release)> = releases
        .iter()
        .filter_map(|r| Version::parse(&r.tag).ok().map(|v| (v, r)))
        .filter(|(v, r)| {
            r.tag == to
                || (v.cmp_precedence(&to_v).is_le()
                    && from.as_ref().is_none_or(|f| v.cmp_precedence(f).is_gt())
                    && (to_v.is_prerelease() || !v.is_prerelease()))
        })
        .collect();
    picked.sort_by(|a, b| b.0.cmp_precedence(&a.0));
    picked.dedup_by(|a, b| a.1.tag == b.1.tag);
    let versions: Vec<VersionNotes> =
        picked
            .into_iter()
            .take(MAX_RELEASES)
            .map(|(_, r)| VersionNotes {
                version: r.tag.clone(),
                url: Some(r.url.clone().unwrap_or_else(|| {
                    format!("https://github.com/{repo}/releases/tag/{}", r.tag)
                })),
                text: r.body.trim().to_string(),
            })
            .collect();
    if versions.is_empty() {
        return None;
    }
    Some(ReleaseNotes {
        source: format!("GitHub releases of {repo}"),
        versions,
        links: vec![(
            "releases".into(),
            format!("https://github.com/{repo}/releases"),
        )],
    })
}

/// The notes a chart carries about its version: `artifacthub.io/changes`, `home` and
/// `sources` of its Chart.yaml.
pub fn from_chart_yaml(chart: &str, version: &str, chart_yaml: &str) -> Option<ReleaseNotes> {
    let docs = kyaml::parse_documents(chart_yaml, kyaml::Dialect::Kube).ok()?;
    let doc = docs.into_iter().next()?.value;
    let mut links = Vec::new();
    if let Some(home) = doc.get("home").and_then(kyaml::Value::as_str) {
        links.push(("home".to_string(), home.to_string()));
    }
    for s in doc
        .get("sources")
        .and_then(kyaml::Value::as_seq)
        .unwrap_or_default()
    {
        if let Some(s) = s.as_str() {
            links.push(("source".to_string(), s.to_string()));
        }
    }
    let changes = doc
        .get("annotations")
        .and_then(|a| a.get("artifacthub.io/changes"))
        .and_then(kyaml::Value::as_str)
        .map(artifacthub_changes)
        .unwrap_or_default();
    if changes.is_empty() && links.is_empty() {
        return None;
    }
    Some(ReleaseNotes {
        source: format!("Chart.yaml of {chart} {version}"),
        versions: if changes.is_empty() {
            Vec::new()
        } else {
            vec![VersionNotes {
                version: version.to_string(),
                url: None,
                text: changes,
            }]
        },
        links,
    })
}

/// `artifacthub.io/changes` as a Markdown list: each change either a string or
/// `{kind, description, links: [{name, url}]}`.
fn artifacthub_changes(yaml: &str) -> String {
    let Ok(docs) = kyaml::parse_documents(yaml, kyaml::Dialect::Kube) else {
        return yaml.trim().to_string();
    };
    let Some(items) = docs
        .first()
        .and_then(|d| d.value.as_seq())
        .map(<[kyaml::Value]>::to_vec)
    else {
        return yaml.trim().to_string();
    };
    let mut out = String::new();
    for item in items {
        let line = match &item {
            kyaml::Value::String(s) => s.clone(),
            other => {
                let text = |k: &str| other.get(k).and_then(kyaml::Value::as_str).unwrap_or("");
                let mut line = match text("kind") {
                    "" => text("description").to_string(),
                    kind => format!("{kind}: {}", text("description")),
                };
                for l in other
                    .get("links")
                    .and_then(kyaml::Value::as_seq)
                    .unwrap_or_default()
                {
                    let name = l
                        .get("name")
                        .and_then(kyaml::Value::as_str)
                        .unwrap_or("link");
                    if let Some(url) = l.get("url").and_then(kyaml::Value::as_str) {
                        line.push_str(&format!(" ([{name}]({url}))"));
                    }
                }
                line.into()
            }
        };
        let line = line.trim();
        if !line.is_empty() {
            out.push_str("- ");
            out.push_str(&line.replace('\n', " "));
            out.push('\n');
        }
    }
    out.trim_end().to_string()
}

/// Chart.yaml of a chart archive, fetched again for its digest (from the cache `sync` filled).
pub fn chart_yaml(fetcher: &Fetcher, req: &crate::sources::ChartRequest) -> Option<String> {
    let fetched = fetcher.fetch_chart(req).ok()?;
    let files = crate::sources::identity::read_chart(&fetched.bytes).ok()?;
    let bytes = files.files.get("Chart.yaml")?;
    String::from_utf8(bytes.clone()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release(tag: &str, body: &str) -> Release {
        Release {
            tag: tag.into(),
            body: body.into(),
            url: Some(format!("https://github.com/o/r/releases/tag/{tag}")),
        }
    }

    #[test]
    fn github_notes_cover_the_releases_between_newest_first() {
        let rs = [
            release("v3.1.0-rc.1", "pre"),
            release("v3.0.23", "three"),
            release("v2.14.22", "two-22"),
            release("v2.14.21", "two-21"),
            release("v2.14.20", "old"),
        ];
        let n = from_github("o/r", &rs, "v2.14.20", "v3.0.23").unwrap();
        let got: Vec<&str> = n.versions.iter().map(|v| v.version.as_str()).collect();
        assert_eq!(got, ["v3.0.23", "v2.14.22", "v2.14.21"]);
        assert_eq!(n.versions[0].text, "three");
        assert!(from_github("o/r", &rs, "v3.0.23", "v3.0.24").is_none());
    }

    #[test]
    fn chart_notes_from_artifacthub_changes_and_links() {
        let y = "apiVersion: v2\nname: m\nversion: 0.16.1\nhome: https://metallb.io\nsources:\n- https://github.com/metallb/metallb\nannotations:\n  artifacthub.io/changes: |\n    - kind: fixed\n      description: speaker crash\n      links:\n      - name: PR\n        url: https://github.com/metallb/metallb/pull/1\n    - \"Plain change\"\n";
        let n = from_chart_yaml("metallb", "0.16.1", y).unwrap();
        assert_eq!(
            n.versions[0].text,
            "- fixed: speaker crash ([PR](https://github.com/metallb/metallb/pull/1))\n- Plain change"
        );
        assert_eq!(
            n.links[0],
            ("home".to_string(), "https://metallb.io".to_string())
        );
        assert_eq!(n.links[1].0, "source");
        assert!(from_chart_yaml("m", "1", "name: m\n").is_none());
    }
}
