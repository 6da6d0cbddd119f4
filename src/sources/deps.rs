//! The dependencies of a chart taken from source (a chart directory of a git repository): what
//! its Chart.lock (or Helm 2's requirements.lock) pins, and which of them its `charts/`
//! directory does not already hold, so they are fetched like any chart: from their repository,
//! at the exact locked version, verified.

use std::collections::BTreeMap;

/// A dependency to fetch: repository URL (`https://` or `oci://`), chart name, exact version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    pub name: String,
    pub repository: String,
    pub version: String,
}

/// The locked dependencies that `charts/` lacks (neither `charts/NAME-VERSION.tgz` nor a
/// `charts/NAME/` directory). Dependencies from `file://` paths must be in the tree already
/// (the renderer reports them); a chart with dependencies but no lock file is an error, since
/// the versions would not be pinned.
pub fn missing(files: &BTreeMap<String, Vec<u8>>) -> Result<Vec<Dependency>, String> {
    let lock = files
        .get("Chart.lock")
        .map(|b| ("Chart.lock", b))
        .or_else(|| {
            files
                .get("requirements.lock")
                .map(|b| ("requirements.lock", b))
        });
    let declared = files
        .get("Chart.yaml")
        .and_then(|b| std::str::from_utf8(b).ok())
        .and_then(|t| kyaml::parse_first(t, kyaml::Dialect::Helm).ok())
        .and_then(|v| {
            v.get("dependencies")
                .and_then(|d| d.as_seq())
                .map(<[_]>::len)
        })
        .unwrap_or(0);
    let Some((lock_name, bytes)) = lock else {
        let has_remote_deps = declared > 0 && !files.keys().any(|k| k.starts_with("charts/"));
        if has_remote_deps {
            return Err(
                "Chart.yaml declares dependencies but the chart has neither Chart.lock nor a charts/ directory, so their versions are not pinned".into(),
            );
        }
        return Ok(Vec::new());
    };
    let text = std::str::from_utf8(bytes).map_err(|_| format!("{lock_name} is not UTF-8"))?;
    let value = kyaml::parse_first(text, kyaml::Dialect::Helm)
        .map_err(|e| format!("{lock_name} is not valid YAML: {e}"))?;
    let mut out = Vec::new();
    for d in value
        .get("dependencies")
        .and_then(|d| d.as_seq())
        .unwrap_or_default()
    {
        let field = |k: &str| d.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
        let (name, repository, version) = (field("name"), field("repository"), field("version"));
        if name.is_empty() || version.is_empty() {
            return Err(format!(
                "{lock_name} has a dependency without name or version"
            ));
        }
        let present = files.contains_key(&format!("charts/{name}-{version}.tgz"))
            || files.contains_key(&format!("charts/{name}/Chart.yaml"));
        if present || repository.is_empty() || repository.starts_with("file://") {
            continue;
        }
        if !(repository.starts_with("https://")
            || repository.starts_with("http://")
            || repository.starts_with("oci://"))
        {
            return Err(format!(
                "{lock_name}: dependency {name} comes from {repository:?}, which is not a repository URL (https:// or oci://)"
            ));
        }
        out.push(Dependency {
            name,
            repository,
            version,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_what_charts_lacks() {
        let mut files = BTreeMap::new();
        files.insert(
            "Chart.yaml".to_string(),
            b"name: a\nversion: 1.0.0\ndependencies:\n- name: b\n  version: ^1\n".to_vec(),
        );
        files.insert(
            "Chart.lock".to_string(),
            b"dependencies:\n- name: b\n  repository: https://charts.example/b\n  version: 1.2.3\n- name: c\n  repository: file://../c\n  version: 0.1.0\n- name: d\n  repository: oci://r.example/charts\n  version: 2.0.0\n".to_vec(),
        );
        files.insert("charts/d-2.0.0.tgz".to_string(), Vec::new());
        let m = missing(&files).unwrap();
        assert_eq!(
            m,
            [Dependency {
                name: "b".into(),
                repository: "https://charts.example/b".into(),
                version: "1.2.3".into()
            }]
        );
        files.remove("Chart.lock");
        files.remove("charts/d-2.0.0.tgz");
        assert!(missing(&files).is_err());
    }
}
