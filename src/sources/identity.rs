//! What a chart archive says it is: the `name` and `version` of its Chart.yaml. A fetched or
//! cached archive is used only when they are what was requested ([`check`]), so neither a
//! repository serving another chart under a name nor a cache entry found through stale lock
//! data can stand in for the chart asked for.

use std::collections::BTreeMap;

/// The files of a chart: the top-level directory's name and each file's path below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartFiles {
    pub root: String,
    pub files: BTreeMap<String, Vec<u8>>,
}

/// The caps for chart archives: 10,000 entries, 32 MiB per file, 256 MiB in all.
pub fn chart_limits() -> safe_archive::Limits {
    safe_archive::Limits::default()
}

/// Reads a chart archive (`.tgz`) with the workspace's one archive reader: regular files only,
/// safe names, every file under the single chart directory.
pub fn read_chart(bytes: &[u8]) -> Result<ChartFiles, safe_archive::ArchiveError> {
    let rooted = safe_archive::read(bytes, &chart_limits())?.strip_root()?;
    Ok(ChartFiles {
        root: rooted.root.clone(),
        files: rooted.into_map(),
    })
}

/// The identity of a chart: Chart.yaml's `name` and `version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartId {
    pub name: String,
    pub version: String,
}

impl std::fmt::Display for ChartId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.name, self.version)
    }
}

/// How a chart's identity differs from the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// `name` or `version`.
    pub field: &'static str,
    pub requested: String,
    pub found: String,
}

/// Reads Chart.yaml at the archive's root. An archive without one (or with one that does not
/// name the chart and its version) is not a chart.
pub fn of(chart: &ChartFiles) -> Result<ChartId, String> {
    let bytes = chart
        .files
        .get("Chart.yaml")
        .ok_or_else(|| format!("no {}/Chart.yaml in the archive", chart.root))?;
    let text = std::str::from_utf8(bytes).map_err(|_| "Chart.yaml is not UTF-8".to_string())?;
    let value = kyaml::parse_first(text, kyaml::Dialect::Helm)
        .map_err(|e| format!("Chart.yaml is not valid YAML: {e}"))?;
    let field = |key: &str| -> Result<String, String> {
        match value.get(key) {
            Some(kyaml::Value::String(s)) if !s.is_empty() => Ok(s.clone().into()),
            Some(kyaml::Value::Int(i)) => Ok(i.to_string()),
            Some(kyaml::Value::Float(f)) => Ok(f.to_string()),
            _ => Err(format!("Chart.yaml has no `{key}`")),
        }
    };
    Ok(ChartId {
        name: field("name")?,
        version: field("version")?,
    })
}

/// Whether two versions name the same release: equal strings, or equal SemVer versions
/// including build metadata (`v1.2.3` is `1.2.3`; `1.2.3+a` is not `1.2.3+b`).
pub fn same_version(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (
        semver_ranges::Version::parse(a),
        semver_ranges::Version::parse(b),
    ) {
        (Ok(x), Ok(y)) => x.cmp_precedence(&y).is_eq() && x.metadata() == y.metadata(),
        _ => false,
    }
}

/// Compares an identity with the requested chart name and version.
pub fn check(id: &ChartId, chart: &str, version: &str) -> Result<(), Mismatch> {
    if id.name != chart {
        return Err(Mismatch {
            field: "name",
            requested: chart.to_string(),
            found: id.name.clone(),
        });
    }
    if !same_version(&id.version, version) {
        return Err(Mismatch {
            field: "version",
            requested: version.to_string(),
            found: id.version.clone(),
        });
    }
    Ok(())
}

/// The identity of an archive given as bytes (gzip'd tar), for archives found in the cache.
pub fn of_archive(bytes: &[u8]) -> Option<ChartId> {
    let files = read_chart(bytes).ok()?;
    of(&files).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn files(chart_yaml: &str) -> ChartFiles {
        ChartFiles {
            root: "c".into(),
            files: BTreeMap::from([("Chart.yaml".to_string(), chart_yaml.as_bytes().to_vec())]),
        }
    }

    #[test]
    fn reads_and_compares_name_and_version() {
        let id = of(&files("apiVersion: v2\nname: demo\nversion: 1.2.3+b.1\n")).unwrap();
        assert_eq!(id.to_string(), "demo 1.2.3+b.1");
        assert!(check(&id, "demo", "1.2.3+b.1").is_ok());
        assert!(check(&id, "demo", "v1.2.3+b.1").is_ok());
        assert_eq!(
            check(&id, "demo", "1.2.3+b.2").unwrap_err().field,
            "version"
        );
        assert_eq!(check(&id, "other", "1.2.3+b.1").unwrap_err().field, "name");
        assert!(
            of(&files("name: demo\n"))
                .unwrap_err()
                .contains("`version`")
        );
        assert!(
            of(&ChartFiles {
                root: "c".into(),
                files: BTreeMap::new()
            })
            .unwrap_err()
            .contains("Chart.yaml")
        );
    }
}
