//! Helm HTTP chart repositories: `index.yaml`, version resolution and chart URLs.
//!
//! Real indexes are tens of megabytes, so the index is read straight from the YAML event stream
//! into typed records ([`ChartVersion`]), keeping only the fields `vendor` uses and skipping
//! everything else without building a tree.

use std::collections::BTreeMap;

use saphyr_parser::{Event, Parser, ScanError};

use crate::semver::{Constraint, Version};

/// One chart version as listed in an index.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChartVersion {
    pub name: String,
    pub version: String,
    pub app_version: Option<String>,
    /// The archive's sha256 in hex, as Helm writes it (no `sha256:` prefix).
    pub digest: Option<String>,
    pub urls: Vec<String>,
    pub created: Option<String>,
    pub deprecated: bool,
}

/// A parsed `index.yaml`: chart name to versions, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Index {
    pub entries: BTreeMap<String, Vec<ChartVersion>>,
}

/// Why an index could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct IndexError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl From<ScanError> for IndexError {
    fn from(e: ScanError) -> Self {
        IndexError {
            line: e.marker().line(),
            column: e.marker().col() + 1,
            message: e.info().to_string(),
        }
    }
}

struct Events<'a> {
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    line: usize,
    column: usize,
}

impl<'a> Events<'a> {
    fn new(text: &'a str) -> Self {
        Events { parser: Parser::new_from_str(text), line: 1, column: 1 }
    }

    fn next(&mut self) -> Result<Event<'a>, IndexError> {
        match self.parser.next_event() {
            Some(Ok((ev, span))) => {
                self.line = span.start.line();
                self.column = span.start.col() + 1;
                Ok(ev)
            }
            Some(Err(e)) => Err(e.into()),
            None => Ok(Event::StreamEnd),
        }
    }

    fn error(&self, message: impl Into<String>) -> IndexError {
        IndexError { line: self.line, column: self.column, message: message.into() }
    }

    /// Skips the rest of a value whose first event was `first`.
    fn skip(&mut self, first: &Event<'a>) -> Result<(), IndexError> {
        let mut depth = match first {
            Event::SequenceStart(..) | Event::MappingStart(..) => 1usize,
            _ => return Ok(()),
        };
        while depth > 0 {
            match self.next()? {
                Event::SequenceStart(..) | Event::MappingStart(..) => depth += 1,
                Event::SequenceEnd | Event::MappingEnd => depth -= 1,
                Event::StreamEnd => return Err(self.error("unexpected end of file")),
                _ => {}
            }
        }
        Ok(())
    }

    /// A scalar value, or `None` (after skipping) for anything else.
    fn scalar(&mut self) -> Result<Option<String>, IndexError> {
        let ev = self.next()?;
        match ev {
            Event::Scalar(s, ..) => Ok(Some(s.into_owned())),
            other => {
                self.skip(&other)?;
                Ok(None)
            }
        }
    }

    /// Moves to the start of the document's top-level mapping.
    fn enter_document_mapping(&mut self) -> Result<bool, IndexError> {
        loop {
            match self.next()? {
                Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => {}
                Event::MappingStart(..) => return Ok(true),
                Event::StreamEnd | Event::DocumentEnd => return Ok(false),
                _ => return Err(self.error("expected a mapping at the top level")),
            }
        }
    }
}

/// Parses an index. Unknown fields are skipped; an `entries` value that is not a mapping of
/// lists of mappings is an error.
pub fn parse_index(text: &str) -> Result<Index, IndexError> {
    let mut ev = Events::new(text);
    let mut index = Index::default();
    if !ev.enter_document_mapping()? {
        return Err(ev.error("empty index"));
    }
    loop {
        match ev.next()? {
            Event::MappingEnd => break,
            Event::Scalar(key, ..) if key == "entries" => parse_entries(&mut ev, &mut index)?,
            Event::Scalar(..) => {
                let v = ev.next()?;
                ev.skip(&v)?;
            }
            _ => return Err(ev.error("expected a key")),
        }
    }
    Ok(index)
}

fn parse_entries(ev: &mut Events<'_>, index: &mut Index) -> Result<(), IndexError> {
    match ev.next()? {
        Event::MappingStart(..) => {}
        Event::Scalar(s, ..) if s.is_empty() || s == "null" || s == "~" => return Ok(()),
        _ => return Err(ev.error("`entries` must be a mapping of chart names")),
    }
    loop {
        let name = match ev.next()? {
            Event::MappingEnd => return Ok(()),
            Event::Scalar(s, ..) => s.into_owned(),
            _ => return Err(ev.error("expected a chart name")),
        };
        match ev.next()? {
            Event::SequenceStart(..) => {}
            Event::Scalar(s, ..) if s.is_empty() || s == "null" || s == "~" => continue,
            _ => return Err(ev.error(format!("`entries.{name}` must be a list"))),
        }
        let list = index.entries.entry(name.clone()).or_default();
        loop {
            match ev.next()? {
                Event::SequenceEnd => break,
                Event::MappingStart(..) => list.push(parse_chart_version(ev, &name)?),
                _ => return Err(ev.error(format!("`entries.{name}` items must be mappings"))),
            }
        }
    }
}

fn parse_chart_version(ev: &mut Events<'_>, chart: &str) -> Result<ChartVersion, IndexError> {
    let mut cv = ChartVersion { name: chart.to_string(), ..Default::default() };
    loop {
        let key = match ev.next()? {
            Event::MappingEnd => return Ok(cv),
            Event::Scalar(s, ..) => s,
            _ => return Err(ev.error("expected a key")),
        };
        match key.as_ref() {
            "name" => cv.name = ev.scalar()?.unwrap_or_default(),
            "version" => cv.version = ev.scalar()?.unwrap_or_default(),
            "appVersion" => cv.app_version = ev.scalar()?,
            "digest" => cv.digest = ev.scalar()?,
            "created" => cv.created = ev.scalar()?,
            "deprecated" => cv.deprecated = ev.scalar()?.is_some_and(|s| s == "true"),
            "urls" => match ev.next()? {
                Event::SequenceStart(..) => loop {
                    match ev.next()? {
                        Event::SequenceEnd => break,
                        Event::Scalar(s, ..) => cv.urls.push(s.into_owned()),
                        other => ev.skip(&other)?,
                    }
                },
                other => ev.skip(&other)?,
            },
            _ => {
                let v = ev.next()?;
                ev.skip(&v)?;
            }
        }
    }
}

/// A list of flat `key: scalar` mappings under a top-level key (Helm's repositories.yaml).
pub fn sequence_of_flat_maps(
    text: &str,
    key: &str,
) -> Result<Vec<BTreeMap<String, String>>, IndexError> {
    let mut ev = Events::new(text);
    let mut out = Vec::new();
    if !ev.enter_document_mapping()? {
        return Ok(out);
    }
    loop {
        match ev.next()? {
            Event::MappingEnd | Event::StreamEnd => return Ok(out),
            Event::Scalar(k, ..) if k == key => match ev.next()? {
                Event::SequenceStart(..) => loop {
                    match ev.next()? {
                        Event::SequenceEnd => break,
                        Event::MappingStart(..) => {
                            let mut map = BTreeMap::new();
                            loop {
                                match ev.next()? {
                                    Event::MappingEnd => break,
                                    Event::Scalar(k, ..) => {
                                        if let Some(v) = ev.scalar()? {
                                            map.insert(k.into_owned(), v);
                                        }
                                    }
                                    other => ev.skip(&other)?,
                                }
                            }
                            out.push(map);
                        }
                        other => ev.skip(&other)?,
                    }
                },
                other => ev.skip(&other)?,
            },
            Event::Scalar(..) => {
                let v = ev.next()?;
                ev.skip(&v)?;
            }
            _ => return Err(ev.error("expected a key")),
        }
    }
}

impl Index {
    /// The entry for `chart` at exactly `version` (compared as written, then by SemVer
    /// precedence so `v1.2.3` finds `1.2.3`).
    pub fn find(&self, chart: &str, version: &str) -> Option<&ChartVersion> {
        let list = self.entries.get(chart)?;
        if let Some(cv) = list.iter().find(|cv| cv.version == version) {
            return Some(cv);
        }
        let want = Version::parse(version).ok()?;
        list.iter().find(|cv| {
            Version::parse(&cv.version).is_ok_and(|v| v.cmp_precedence(&want).is_eq())
        })
    }

    /// Every SemVer-parsable version of `chart`, highest first.
    pub fn versions(&self, chart: &str) -> Vec<Version> {
        let mut out: Vec<Version> = self
            .entries
            .get(chart)
            .map(|l| l.iter().filter_map(|cv| Version::parse(&cv.version).ok()).collect())
            .unwrap_or_default();
        out.sort_by(|a, b| b.cmp(a));
        out
    }

    /// The highest version of `chart` within `constraint`.
    pub fn newest_matching(&self, chart: &str, constraint: &Constraint) -> Option<Version> {
        self.versions(chart).into_iter().find(|v| constraint.matches(v))
    }
}

/// The download URL of a chart version: its first URL, resolved against the repository URL
/// (Helm treats the repository URL as a directory).
pub fn chart_url(repo_url: &str, cv: &ChartVersion) -> Option<String> {
    let first = cv.urls.first()?;
    let base = format!("{}/", repo_url.trim_end_matches('/'));
    Some(super::http::join_url(&base, first))
}

/// The URL of a repository's index.
pub fn index_url(repo_url: &str) -> String {
    format!("{}/index.yaml", repo_url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"apiVersion: v1
entries:
  argo-cd:
  - apiVersion: v2
    appVersion: v2.14.21
    created: "2025-01-01T00:00:00Z"
    dependencies:
    - name: redis-ha
      repository: https://dandydeveloper.github.io/charts/
      version: 4.33.7
    digest: abc123
    name: argo-cd
    urls:
    - https://github.com/argoproj/argo-helm/releases/download/argo-cd-7.9.1/argo-cd-7.9.1.tgz
    version: 7.9.1
  - name: argo-cd
    version: 8.0.0-rc.1
    urls: [argo-cd-8.0.0-rc.1.tgz]
    deprecated: true
  empty: []
generated: "2025-01-01T00:00:00Z"
serverInfo: {contextPath: /x}
"#;

    #[test]
    fn parses_typed_and_skips_the_rest() {
        let idx = parse_index(SAMPLE).unwrap();
        let list = &idx.entries["argo-cd"];
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].version, "7.9.1");
        assert_eq!(list[0].digest.as_deref(), Some("abc123"));
        assert_eq!(list[0].app_version.as_deref(), Some("v2.14.21"));
        assert!(list[1].deprecated);
        assert_eq!(list[1].urls, ["argo-cd-8.0.0-rc.1.tgz"]);
        assert!(idx.entries["empty"].is_empty());
        let c = Constraint::parse("^7").unwrap();
        assert_eq!(idx.newest_matching("argo-cd", &c).unwrap().to_string(), "7.9.1");
        assert!(idx.find("argo-cd", "v7.9.1").is_some());
    }

    #[test]
    fn errors_carry_positions() {
        let e = parse_index("entries:\n  a: 3\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse_index("entries: [\n").unwrap_err();
        assert!(e.line >= 1, "{e}");
    }

    #[test]
    fn chart_urls_resolve_against_the_repo() {
        let cv = ChartVersion { urls: vec!["charts/a-1.0.0.tgz".into()], ..Default::default() };
        assert_eq!(chart_url("https://h/repo", &cv).unwrap(), "https://h/repo/charts/a-1.0.0.tgz");
        let cv = ChartVersion { urls: vec!["https://o/a.tgz".into()], ..Default::default() };
        assert_eq!(chart_url("https://h/repo/", &cv).unwrap(), "https://o/a.tgz");
    }
}
