//! A Helm repository's `index.yaml`: typed records of the chart versions it lists.
//!
//! Real indexes are tens of megabytes, so the index is read straight from the YAML event stream
//! into typed records ([`ChartVersion`]), keeping only the fields `vendor` uses and skipping
//! everything else without building a tree.

use std::collections::BTreeMap;

use saphyr_parser::{Event, Parser, ScanError};
use semver_ranges::{Constraint, Version};

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
        Events {
            parser: Parser::new_from_str(text),
            line: 1,
            column: 1,
        }
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
        IndexError {
            line: self.line,
            column: self.column,
            message: message.into(),
        }
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
///
/// Indexes written by Helm (`helm repo index`, chart-releaser) have a fixed block layout; those
/// are read by a line scanner ([`parse_index_fast`]) that is several times faster than the YAML
/// event parser. Anything the scanner is not sure about sends the whole file to the event parser.
pub fn parse_index(text: &str) -> Result<Index, IndexError> {
    match parse_index_fast(text) {
        Some(index) => Ok(index),
        None => parse_index_events(text),
    }
}

/// The line scanner for Helm's own index layout, or `None` when the text uses anything else
/// (flow style, anchors, tags, escapes, comments, folded values, tabs, several documents).
pub fn parse_index_fast(text: &str) -> Option<Index> {
    let mut index = Index::default();
    let mut lines = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .peekable();
    let mut in_entries = false;
    let mut chart: Option<String> = None;
    let mut current: Option<ChartVersion> = None;
    // The key at indent 4 whose nested lines are being skipped or collected.
    enum Nested {
        None,
        Skip,
        Urls(Option<usize>),
    }
    let mut nested = Nested::None;
    let finish = |index: &mut Index, chart: &Option<String>, current: &mut Option<ChartVersion>| {
        if let (Some(c), Some(cv)) = (chart, current.take()) {
            index.entries.entry(c.clone()).or_default().push(cv);
        }
    };
    while let Some(line) = lines.next() {
        let body = line.trim_start_matches(' ');
        if body.is_empty() {
            continue;
        }
        if body.starts_with('\t') {
            return None;
        }
        let indent = line.len() - body.len();
        if indent == 0 {
            finish(&mut index, &chart, &mut current);
            chart = None;
            nested = Nested::None;
            if body.starts_with('#')
                || body.starts_with("---")
                || body.starts_with('%')
                || body.starts_with("...")
            {
                return None;
            }
            let (key, value) = split_key(body)?;
            in_entries = key == "entries";
            if in_entries && !value.is_empty() && value != "{}" {
                return None;
            }
            continue;
        }
        if !in_entries {
            continue;
        }
        match (&mut nested, indent) {
            (Nested::Skip, i) if i > 4 || (i == 4 && body.starts_with("- ") || body == "-") => {
                continue;
            }
            (Nested::Urls(item_indent), i) if i >= 4 && body.starts_with("- ") => {
                match item_indent {
                    None => *item_indent = Some(i),
                    Some(n) if *n == i => {}
                    Some(_) => return None,
                }
                let url = scalar(&body[2..])?;
                current.as_mut()?.urls.push(url);
                continue;
            }
            (_, i) if i > 4 => return None,
            _ => nested = Nested::None,
        }
        let item = match indent {
            2 if body.starts_with("- ") => {
                finish(&mut index, &chart, &mut current);
                chart.as_ref()?;
                current = Some(ChartVersion {
                    name: chart.clone()?,
                    ..Default::default()
                });
                body[2..].trim_start()
            }
            2 => {
                finish(&mut index, &chart, &mut current);
                let (key, value) = split_key(body)?;
                let name = scalar(key)?;
                match value {
                    "" => {}
                    "[]" => {
                        index.entries.entry(name.clone()).or_default();
                    }
                    _ => return None,
                }
                index.entries.entry(name.clone()).or_default();
                chart = Some(name);
                continue;
            }
            4 => body,
            _ => return None,
        };
        let cv = current.as_mut()?;
        let (key, value) = split_key(item)?;
        let wanted = matches!(
            key,
            "name" | "version" | "appVersion" | "digest" | "created" | "deprecated" | "urls"
        );
        if !wanted {
            if value.is_empty() || value.starts_with('|') || value.starts_with('>') {
                nested = Nested::Skip;
            } else if value.starts_with('[') || value.starts_with('{') {
                // One-line flow collections are fine to skip; multi-line ones are not.
                let closed = (value.starts_with('[') && value.ends_with(']'))
                    || (value.starts_with('{') && value.ends_with('}'));
                if !closed {
                    return None;
                }
            } else {
                // A plain or quoted scalar may continue on more-indented lines: skip those.
                nested = Nested::Skip;
            }
            continue;
        }
        if key == "urls" {
            match value {
                "" => nested = Nested::Urls(None),
                "[]" => {}
                _ => return None,
            }
            continue;
        }
        let v = scalar(value)?;
        // A wanted value must not continue on the next line.
        if let Some(next) = lines.peek() {
            let nb = next.trim_start_matches(' ');
            if !nb.is_empty() && next.len() - nb.len() > 4 {
                return None;
            }
        }
        match key {
            "name" => cv.name = v,
            "version" => cv.version = v,
            "appVersion" => cv.app_version = Some(v),
            "digest" => cv.digest = Some(v),
            "created" => cv.created = Some(v),
            "deprecated" => cv.deprecated = v == "true",
            _ => {}
        }
    }
    finish(&mut index, &chart, &mut current);
    Some(index)
}

/// `key: value` or `key:`; `None` for anything else (complex keys, missing colon).
fn split_key(s: &str) -> Option<(&str, &str)> {
    if s.starts_with(['"', '\'', '?', '&', '*', '!', '{', '[']) {
        return None;
    }
    let (key, value) = match s.find(": ") {
        Some(i) => (&s[..i], s[i + 2..].trim()),
        None => (s.strip_suffix(':')?, ""),
    };
    if key.contains(": ") || key.ends_with(' ') {
        return None;
    }
    Some((key, value))
}

/// A one-line scalar: plain, `'single'` or `"double"` without escapes.
fn scalar(s: &str) -> Option<String> {
    let s = s.trim();
    if let Some(inner) = s.strip_prefix('"') {
        let inner = inner.strip_suffix('"')?;
        if inner.contains(['\\', '"']) {
            return None;
        }
        return Some(inner.to_string());
    }
    if let Some(inner) = s.strip_prefix('\'') {
        let inner = inner.strip_suffix('\'')?;
        if inner.replace("''", "").contains('\'') {
            return None;
        }
        return Some(inner.replace("''", "'"));
    }
    if s.is_empty()
        || s.contains(" #")
        || s.contains(": ")
        || s.starts_with(['&', '*', '!', '|', '>', '[', '{', '@', '`', '%', '#'])
    {
        return None;
    }
    if matches!(s, "~" | "null" | "Null" | "NULL") {
        return None;
    }
    Some(s.to_string())
}

/// The YAML-event parser: handles any YAML, slower than the line scanner.
pub fn parse_index_events(text: &str) -> Result<Index, IndexError> {
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
    let mut cv = ChartVersion {
        name: chart.to_string(),
        ..Default::default()
    };
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
        list.iter()
            .find(|cv| Version::parse(&cv.version).is_ok_and(|v| v.cmp_precedence(&want).is_eq()))
    }

    /// Every SemVer-parsable version of `chart`, highest first.
    pub fn versions(&self, chart: &str) -> Vec<Version> {
        let mut out: Vec<Version> = self
            .entries
            .get(chart)
            .map(|l| {
                l.iter()
                    .filter_map(|cv| Version::parse(&cv.version).ok())
                    .collect()
            })
            .unwrap_or_default();
        out.sort_by(|a, b| b.cmp(a));
        out
    }

    /// The highest version of `chart` within `constraint`.
    pub fn newest_matching(&self, chart: &str, constraint: &Constraint) -> Option<Version> {
        self.versions(chart)
            .into_iter()
            .find(|v| constraint.matches(v))
    }
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
        assert_eq!(
            idx.newest_matching("argo-cd", &c).unwrap().to_string(),
            "7.9.1"
        );
        assert!(idx.find("argo-cd", "v7.9.1").is_some());
    }

    #[test]
    fn fast_and_event_parsers_agree() {
        let fast = parse_index_fast(SAMPLE);
        assert!(
            fast.is_none(),
            "flow style and `[...]` urls go to the event parser"
        );
        let helm_style = "apiVersion: v1\nentries:\n  a:\n  - annotations:\n      x: |\n        - version: 9\n    apiVersion: v2\n    created: \"2025-01-01T00:00:00Z\"\n    description: a long\n      folded text\n    digest: abc\n    keywords:\n    - k\n    name: a\n    urls:\n    - https://h/a-1.0.0.tgz\n    - a-1.0.0.tgz\n    version: 1.0.0\n  - name: a\n    version: '2.0.0'\n    deprecated: true\n  b: []\ngenerated: \"2025\"\n";
        let fast = parse_index_fast(helm_style).expect("helm layout");
        assert_eq!(fast, parse_index_events(helm_style).unwrap());
        assert_eq!(fast.entries["a"][0].urls.len(), 2);
        assert_eq!(fast.entries["a"][0].version, "1.0.0");
        assert_eq!(fast.entries["a"][1].version, "2.0.0");
        assert!(fast.entries["b"].is_empty());
        // Wanted values that are not simple scalars, anchors, several documents: event parser.
        for odd in [
            "entries:\n  a:\n  - version: \"1.0\\t\"\n",
            "entries:\n  a:\n  - version: &v 1.0.0\n",
            "entries:\n  a:\n  - version: 1.0.0\n      continued\n",
            "---\nentries: {}\n",
            "entries:\n\ta:\n",
        ] {
            assert!(parse_index_fast(odd).is_none(), "{odd:?}");
        }
    }

    #[test]
    fn errors_carry_positions() {
        let e = parse_index("entries:\n  a: 3\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse_index("entries: [\n").unwrap_err();
        assert!(e.line >= 1, "{e}");
    }
}
