//! Builds [`Value`]s from `saphyr-parser` events: scalar resolution per [`Dialect`], anchors and
//! aliases, merge keys, duplicate-key errors, and the limits that keep hostile input bounded
//! (alias expansion budget, nesting depth). The event loop is iterative: no recursion on depth.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError, Tag};

use super::resolve::{Resolved, resolve_plain};
use super::{Dialect, Document, Map, Pos, Value, YamlError, gofmt, kyaml};

/// How sigs.k8s.io/yaml refuses a null mapping key (Helm dialect), before the value's `%#v`.
/// The message is the converter's, not go-yaml's: callers print it without `yaml: `.
pub const SIGS_NULL_KEY: &str = "unsupported map key of type: %!s(<nil>), key: <nil>, value: ";

/// Deepest nesting of sequences/mappings accepted.
pub(crate) const MAX_DEPTH: usize = 1000;
/// Nodes that alias expansion may add, at least; grows with the size of the input.
pub(crate) const ALIAS_BUDGET_MIN: usize = 1_000_000;
/// ... or this many times the number of events read, whichever is larger.
const ALIAS_BUDGET_PER_EVENT: usize = 10;

/// Parses every document of a YAML stream. Empty documents are kept as `Value::Null`.
pub fn parse_documents(src: &str, dialect: Dialect) -> Result<Vec<Document>, YamlError> {
    parse_stream(src, dialect, usize::MAX)
}

/// Parses only the first document (`Null` when there is none) and ignores the rest of the
/// stream, even if it would not parse: what go-yaml's `Unmarshal` (and so Helm's
/// `sigs.k8s.io/yaml.Unmarshal`, `fromYaml`, values files) does.
pub fn parse_first(src: &str, dialect: Dialect) -> Result<Value, YamlError> {
    let mut docs = parse_stream(src, dialect, 1)?;
    Ok(docs.pop().map(|d| d.value).unwrap_or_default())
}

fn parse_stream(src: &str, dialect: Dialect, max_docs: usize) -> Result<Vec<Document>, YamlError> {
    parse_stream_counted(src, dialect, max_docs).map(|(docs, _)| docs)
}

/// [`parse_stream`], also returning how many nodes aliases added (see [`ALIAS_BUDGET_MIN`]).
pub(crate) fn parse_stream_counted(
    src: &str,
    dialect: Dialect,
    max_docs: usize,
) -> Result<(Vec<Document>, usize), YamlError> {
    if dialect == Dialect::Helm
        && let Some(problem) = bad_first_directive(src)
    {
        return Err(YamlError::at(
            Pos { line: 1, column: 1 },
            format!("while scanning a directive, {problem}"),
        ));
    }
    // Most manifests are plain block YAML, which a simple reader decodes several times faster;
    // anything else (and every error) goes through the full parser.
    if max_docs == usize::MAX
        && let Some(parts) = crate::simple::parse(src, dialect)
        && let Some(read) = with_the_others(src, parts, dialect)
    {
        return Ok(read);
    }
    parse_events(src, dialect, max_docs)
}

/// The simple reader's documents with the others parsed by the full parser, one document at
/// a time; `None` when one of those fails (the whole stream is then parsed again, for the
/// whole stream's error).
fn with_the_others(
    src: &str,
    parts: Vec<crate::simple::Part>,
    dialect: Dialect,
) -> Option<(Vec<Document>, usize)> {
    let mut docs = Vec::with_capacity(parts.len());
    let mut aliased = 0;
    for part in parts {
        match part {
            crate::simple::Part::Read(doc) => docs.push(doc),
            crate::simple::Part::Other { first_line, range } => {
                let (mut one, n) = parse_events(&src[range], dialect, usize::MAX).ok()?;
                let mut doc = one.pop().filter(|_| one.is_empty())?;
                doc.start.line += first_line as u32;
                docs.push(doc);
                aliased += n;
            }
        }
    }
    Some((docs, aliased))
}

/// [`parse_stream_counted`] by the full parser (saphyr's events).
pub(crate) fn parse_events(
    src: &str,
    dialect: Dialect,
    max_docs: usize,
) -> Result<(Vec<Document>, usize), YamlError> {
    let mut builder = Builder::new(dialect);
    let mut parser = Parser::new_from_str(src);
    while let Some(next) = parser.next_event() {
        let (event, span) = match next {
            Ok(next) => next,
            // Text after the last wanted document's root node (`[1] x`) only fails once the
            // next document is parsed, which go-yaml's `Unmarshal` never does.
            Err(e)
                if builder.docs.len() >= max_docs
                    && e.info() == "did not find expected <document start>" =>
            {
                break;
            }
            Err(e) => return Err(scan_error(e)),
        };
        if matches!(event, Event::StreamEnd) {
            break;
        }
        if dialect == Dialect::Helm
            && let Event::Scalar(text, ScalarStyle::Plain, _, None) = &event
            && text.is_empty()
            && builder.expects_key()
            && let Some(problem) = empty_implicit_key(src, span.start.index())
        {
            return Err(YamlError::at(pos_of(span.start), problem));
        }
        let document_end = matches!(event, Event::DocumentEnd);
        builder.on_event(event, span.start)?;
        if document_end && builder.docs.len() >= max_docs {
            break;
        }
    }
    Ok((builder.docs, builder.alias_nodes))
}

/// Parses a stream that must hold at most one document (none or an empty one gives `Null`).
pub fn parse_one(src: &str, dialect: Dialect) -> Result<Value, YamlError> {
    let mut docs = parse_documents(src, dialect)?;
    match docs.len() {
        0 => Ok(Value::Null),
        1 => Ok(docs.pop().map(|d| d.value).unwrap_or_default()),
        _ => Err(YamlError::at(
            docs[1].start,
            "expected a single document, found several",
        )),
    }
}

/// libyaml's check of a directive on the stream's first line (`%NAME ...` at column 0): a
/// name of letters, digits, `-` and `_`, then a blank, and only `YAML` or `TAG` (saphyr
/// words these problems differently or not at all).
fn bad_first_directive(src: &str) -> Option<&'static str> {
    let rest = src.strip_prefix('%')?;
    let name_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
        .count();
    if name_len == 0 {
        return Some("could not find expected directive name");
    }
    if !matches!(
        rest.as_bytes().get(name_len),
        None | Some(b' ' | b'\t' | b'\r' | b'\n')
    ) {
        return Some("found unexpected non-alphabetical character");
    }
    if !matches!(&rest[..name_len], "YAML" | "TAG") {
        return Some("found unknown directive name");
    }
    None
}

/// go-yaml v2 (a libyaml port) has no empty implicit key: `: a` in a block mapping is "did not
/// find expected key", in a flow mapping "did not find expected node content" (saphyr reads a
/// null key). `? \n: a` is an explicit empty key and parses. `at` is the character index of
/// the empty key scalar.
fn empty_implicit_key(src: &str, at: usize) -> Option<&'static str> {
    let mut before: Vec<char> = src.chars().take(at + 1).collect();
    if before.pop() != Some(':') {
        return None;
    }
    match before
        .iter()
        .rev()
        .find(|c| !matches!(c, ' ' | '\t' | '\n' | '\r'))
    {
        Some('?') => None,
        Some('{' | ',') => Some("did not find expected node content"),
        _ => Some("did not find expected key"),
    }
}

/// Go's `%#v` of a value decoded by go-yaml v2 into `interface{}` (`top`: not inside a map or
/// slice, where nil prints `<nil>` rather than `interface {}(nil)`).
fn go_sharp_v(v: &Value, top: bool) -> String {
    match v {
        Value::Null if top => "<nil>".into(),
        Value::Null => "interface {}(nil)".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => gofmt::format_float_g(*f),
        Value::String(s) => go_strconv::quote_go(s),
        Value::Seq(items) => format!(
            "[]interface {{}}{{{}}}",
            items
                .iter()
                .map(|x| go_sharp_v(x, false))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Map(m) => {
            let mut entries: Vec<(&crate::map::Key, &Value)> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            format!(
                "map[interface {{}}]interface {{}}{{{}}}",
                entries
                    .iter()
                    .map(|(k, x)| format!("{}:{}", go_strconv::quote_go(k), go_sharp_v(x, false)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

pub(crate) fn pos_of(m: Marker) -> Pos {
    Pos {
        line: m.line() as u32,
        column: m.col() as u32 + 1,
    }
}

pub(crate) fn scan_error(e: ScanError) -> YamlError {
    YamlError::at(pos_of(*e.marker()), e.info().to_owned())
}

struct Builder {
    dialect: Dialect,
    docs: Vec<Document>,
    stack: Vec<Frame>,
    /// Anchored nodes of the current document.
    anchors: HashMap<usize, Anchored>,
    doc_start: Option<Pos>,
    /// The current document's root node has been placed.
    doc_done: bool,
    /// Where the current document's `---` (or first token) is.
    doc_marker: Pos,
    /// Nodes built so far (aliases count the nodes they copy).
    nodes: usize,
    alias_nodes: usize,
    events: usize,
}

struct Anchored {
    value: Value,
    /// Nodes in `value` (what an alias to it costs from the expansion budget).
    nodes: usize,
    /// Nesting levels in `value` (an alias must not make the tree deeper than `MAX_DEPTH`).
    height: usize,
}

struct Frame {
    kind: FrameKind,
    anchor: usize,
    nodes_at_start: usize,
    /// Height of the tallest child placed so far.
    child_height: usize,
    pos: Pos,
}

enum FrameKind {
    Seq(Vec<Value>),
    Map(MapFrame),
}

struct MapFrame {
    map: Map,
    /// Line of each explicit key, by index in `map` (for duplicate-key messages).
    key_lines: Vec<u32>,
    /// The key read, waiting for its value.
    pending_key: Option<PendingKey>,
    /// Merge sources seen (Kube applies them after the mapping's own keys).
    merges: Vec<Value>,
}

enum PendingKey {
    Key(String, Pos),
    Merge(Pos),
    /// A null key (Helm): sigs.k8s.io/yaml refuses it once the value is known.
    Null,
}

/// What a completed node is, before it is placed into its parent.
struct Node {
    value: Value,
    pos: Pos,
    /// A plain `<<` scalar: the merge key when it is a mapping key.
    is_merge_key: bool,
    /// Nesting levels inside the node (0 for a scalar).
    height: usize,
}

impl Builder {
    fn new(dialect: Dialect) -> Self {
        Builder {
            dialect,
            docs: Vec::new(),
            stack: Vec::new(),
            anchors: HashMap::new(),
            doc_start: None,
            doc_done: false,
            doc_marker: Pos { line: 1, column: 1 },
            nodes: 0,
            alias_nodes: 0,
            events: 0,
        }
    }

    /// The next node is a mapping key.
    fn expects_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame { kind: FrameKind::Map(m), .. }) if m.pending_key.is_none()
        )
    }

    fn on_event(&mut self, event: Event<'_>, start: Marker) -> Result<(), YamlError> {
        self.events += 1;
        let pos = pos_of(start);
        match event {
            Event::StreamStart | Event::Nothing | Event::StreamEnd => {}
            Event::DocumentStart(_) => {
                self.anchors.clear();
                self.doc_start = None;
                self.doc_done = false;
                self.doc_marker = pos;
            }
            Event::DocumentEnd => {
                if !self.doc_done {
                    self.docs.push(Document {
                        value: Value::Null,
                        start: self.doc_marker,
                    });
                }
                self.doc_done = true;
            }
            Event::Alias(id) => {
                self.note_node_start(pos);
                let Some(anchored) = self.anchors.get(&id) else {
                    return Err(YamlError::at(pos, "unknown anchor"));
                };
                let (count, height) = (anchored.nodes, anchored.height);
                if self.stack.len() + height > MAX_DEPTH {
                    return Err(YamlError::at(
                        pos,
                        format!("nesting deeper than {MAX_DEPTH} levels (through aliases)"),
                    ));
                }
                self.alias_nodes += count;
                let budget = ALIAS_BUDGET_MIN.max(ALIAS_BUDGET_PER_EVENT * self.events);
                if self.alias_nodes > budget {
                    return Err(YamlError::at(
                        pos,
                        format!("aliases expand to more than {budget} nodes (alias bomb?)"),
                    ));
                }
                let value = anchored.value.clone();
                self.nodes += count;
                self.place(Node {
                    value,
                    pos,
                    is_merge_key: false,
                    height,
                })?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.note_node_start(pos);
                let is_merge_key = style == ScalarStyle::Plain && tag.is_none() && text == "<<";
                let mut value = if style == ScalarStyle::Plain && tag.is_none() {
                    resolve_plain(&text, self.dialect).into_value(text)
                } else {
                    self.scalar(text, style, tag.as_deref(), pos)?
                };
                // The scanner's strings keep room to grow (often more than their text): a
                // tree of a large file holds tens of thousands of them.
                if let Value::String(s) = &mut value {
                    s.shrink_to_fit();
                }
                self.nodes += 1;
                if anchor != 0 {
                    let anchored = Anchored {
                        value: value.clone(),
                        nodes: 1,
                        height: 0,
                    };
                    self.anchors.insert(anchor, anchored);
                }
                self.place(Node {
                    value,
                    pos,
                    is_merge_key,
                    height: 0,
                })?;
            }
            Event::SequenceStart(anchor, _) => {
                self.open(FrameKind::Seq(Vec::new()), anchor, pos)?;
            }
            Event::MappingStart(anchor, _) => {
                let frame = MapFrame {
                    map: Map::new(),
                    key_lines: Vec::new(),
                    pending_key: None,
                    merges: Vec::new(),
                };
                self.open(FrameKind::Map(frame), anchor, pos)?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Err(YamlError::at(pos, "unbalanced collection end"));
                };
                let value = match frame.kind {
                    FrameKind::Seq(mut items) => {
                        items.shrink_to_fit();
                        Value::Seq(items)
                    }
                    FrameKind::Map(m) => {
                        let mut map = finish_map(m, self.dialect);
                        if map.capacity() > map.len() {
                            map.shrink_to_fit();
                        }
                        Value::Map(map)
                    }
                };
                self.nodes += 1;
                let height = frame.child_height + 1;
                if frame.anchor != 0 {
                    let nodes = self.nodes - frame.nodes_at_start;
                    let anchored = Anchored {
                        value: value.clone(),
                        nodes,
                        height,
                    };
                    self.anchors.insert(frame.anchor, anchored);
                }
                self.place(Node {
                    value,
                    pos: frame.pos,
                    is_merge_key: false,
                    height,
                })?;
            }
        }
        Ok(())
    }

    fn note_node_start(&mut self, pos: Pos) {
        if self.stack.is_empty() && self.doc_start.is_none() {
            self.doc_start = Some(pos);
        }
    }

    fn open(&mut self, kind: FrameKind, anchor: usize, pos: Pos) -> Result<(), YamlError> {
        self.note_node_start(pos);
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError::at(
                pos,
                format!("nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        self.stack.push(Frame {
            kind,
            anchor,
            nodes_at_start: self.nodes,
            child_height: 0,
            pos,
        });
        Ok(())
    }

    /// Puts a completed node into the open collection, or ends the document.
    fn place(&mut self, node: Node) -> Result<(), YamlError> {
        let dialect = self.dialect;
        let Some(parent) = self.stack.last_mut() else {
            let start = self.doc_start.unwrap_or(node.pos);
            self.docs.push(Document {
                value: node.value,
                start,
            });
            self.doc_done = true;
            return Ok(());
        };
        parent.child_height = parent.child_height.max(node.height);
        match &mut parent.kind {
            FrameKind::Seq(items) => items.push(node.value),
            FrameKind::Map(m) => match m.pending_key.take() {
                None if node.is_merge_key => m.pending_key = Some(PendingKey::Merge(node.pos)),
                // go-yaml v2 decodes any key; sigs.k8s.io/yaml then refuses a null one, and
                // go-yaml itself refuses a list or map as a key of a map[interface{}]....
                None if dialect == Dialect::Helm && node.value == Value::Null => {
                    m.pending_key = Some(PendingKey::Null);
                }
                None if dialect == Dialect::Helm
                    && matches!(node.value, Value::Seq(_) | Value::Map(_)) =>
                {
                    return Err(YamlError {
                        message: format!("invalid map key: {}", go_sharp_v(&node.value, true)),
                        pos: None,
                    });
                }
                None => {
                    let key = key_string(node.value, node.pos)?;
                    m.pending_key = Some(PendingKey::Key(key, node.pos));
                }
                Some(PendingKey::Null) => {
                    return Err(YamlError {
                        message: format!("{SIGS_NULL_KEY}{}", go_sharp_v(&node.value, true)),
                        pos: None,
                    });
                }
                Some(PendingKey::Merge(pos)) => {
                    check_merge_source(&node.value, pos)?;
                    match dialect {
                        Dialect::Kube => m.merges.push(node.value),
                        Dialect::Helm => merge_in_place(&mut m.map, node.value),
                    }
                }
                Some(PendingKey::Key(key, key_pos)) => match m.map.entry(key) {
                    crate::map::Entry::Occupied(mut entry) => {
                        if dialect == Dialect::Kube {
                            let line = m.key_lines.get(entry.index()).copied().unwrap_or(0);
                            let message = format!(
                                "mapping key {} already defined at line {line}",
                                go_strconv::quote_go(entry.key())
                            );
                            return Err(YamlError::at(key_pos, message));
                        }
                        entry.insert(node.value);
                    }
                    crate::map::Entry::Vacant(entry) => {
                        entry.insert(node.value);
                        if dialect == Dialect::Kube {
                            m.key_lines.push(key_pos.line);
                        }
                    }
                },
            },
        }
        Ok(())
    }

    fn scalar(
        &self,
        text: Cow<'_, str>,
        style: ScalarStyle,
        tag: Option<&Tag>,
        pos: Pos,
    ) -> Result<Value, YamlError> {
        let core_suffix = tag.and_then(|t| t.is_yaml_core_schema().then_some(t.suffix.as_str()));
        let non_specific = tag.is_some_and(|t| t.handle == "!" && t.suffix.is_empty());
        if tag.is_some() && core_suffix.is_none() && !non_specific {
            // Local tags (`!foo`) are kept as their text, as go-yaml does.
            return Ok(Value::String(text.into_owned().into()));
        }
        let plain = style == ScalarStyle::Plain;
        if style == ScalarStyle::Folded
            && self.dialect == Dialect::Kube
            && matches!(core_suffix, None | Some("str"))
        {
            let value = kyaml::folded_round_trip(&text).unwrap_or_else(|| text.into_owned());
            return Ok(Value::String(value.into()));
        }
        match core_suffix {
            None if plain => Ok(resolve_plain(&text, self.dialect).into_value(text)),
            Some("binary") => match decode_base64(&text) {
                Some(bytes) => Ok(Value::String(
                    String::from_utf8_lossy(&bytes).into_owned().into(),
                )),
                None => Err(YamlError::at(
                    pos,
                    "!!binary value contains invalid base64 data",
                )),
            },
            None | Some("str") | Some("timestamp") => Ok(Value::String(text.into_owned().into())),
            Some(suffix) => {
                let resolved = resolve_plain(&text, self.dialect);
                let value = match (suffix, resolved) {
                    ("int", r @ (Resolved::Int(_) | Resolved::Uint(_))) => r.into_value(text),
                    ("float", Resolved::Int(i)) => Value::Float(i as f64),
                    ("float", r @ (Resolved::Float(_) | Resolved::Uint(_))) => r.into_value(text),
                    ("bool", Resolved::Bool(b)) => Value::Bool(b),
                    ("null", Resolved::Null) => Value::Null,
                    ("map" | "seq" | "set" | "omap" | "pairs" | "value" | "merge" | "yaml", r) => {
                        r.into_value(text)
                    }
                    (_, _) => {
                        return Err(YamlError::at(
                            pos,
                            format!("cannot decode `{text}` as !!{suffix}"),
                        ));
                    }
                };
                Ok(value)
            }
        }
    }
}

/// Applies Kube (go-yaml v3) merges: the mapping's own keys win; among merge sources, the first
/// one that defines a key wins.
fn finish_map(m: MapFrame, _dialect: Dialect) -> Map {
    let mut map = m.map;
    for source in m.merges {
        let sources = match source {
            Value::Seq(items) => items,
            other => vec![other],
        };
        for s in sources {
            if let Value::Map(src) = s {
                for (k, v) in src {
                    map.entry(k).or_insert(v);
                }
            }
        }
    }
    map
}

/// go-yaml v2 merges: the merged keys overwrite what is there; in a list, earlier maps win.
fn merge_in_place(map: &mut Map, source: Value) {
    match source {
        Value::Map(src) => map.extend(src),
        Value::Seq(items) => {
            for item in items.into_iter().rev() {
                if let Value::Map(src) = item {
                    map.extend(src);
                }
            }
        }
        _ => {}
    }
}

fn check_merge_source(v: &Value, pos: Pos) -> Result<(), YamlError> {
    let ok = match v {
        Value::Map(_) => true,
        Value::Seq(items) => items.iter().all(|i| matches!(i, Value::Map(_))),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(YamlError::at(
            pos,
            "map merge requires map or sequence of maps as the value",
        ))
    }
}

/// Non-string keys become their string form, as `sigs.k8s.io/yaml` converts them for JSON
/// (floats with 32-bit precision, as it does), in both dialects: that is what `kubectl apply`
/// sees. (kustomize itself fails on non-string keys below the top level: "json: unsupported
/// type".) A null key has no JSON form.
fn key_string(key: Value, pos: Pos) -> Result<String, YamlError> {
    Ok(match key {
        Value::String(s) => s.into(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => gofmt::format_float_g32(f),
        Value::Bool(b) => b.to_string(),
        Value::Null => {
            return Err(YamlError::at(
                pos,
                "a null mapping key cannot be converted to JSON",
            ));
        }
        Value::Seq(_) | Value::Map(_) => {
            return Err(YamlError::at(
                pos,
                "mapping keys must be scalars, not a list or map",
            ));
        }
    })
}

/// Go's `base64.StdEncoding.DecodeString` (padding required; `\r` and `\n` are skipped), which
/// go-yaml uses for `!!binary`.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text
        .bytes()
        .filter(|b| *b != b'\n' && *b != b'\r')
        .collect();
    if !digits.len().is_multiple_of(4) {
        return None;
    }
    let value = |b: u8| -> Option<u32> {
        Some(match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(digits.len() / 4 * 3);
    let quads = digits.chunks(4).count();
    for (i, quad) in digits.chunks(4).enumerate() {
        let pad = quad.iter().rev().take_while(|b| **b == b'=').count();
        if pad > 2 || (pad > 0 && i + 1 != quads) {
            return None;
        }
        let mut n = 0u32;
        for &b in &quad[..4 - pad] {
            n = (n << 6) | value(b)?;
        }
        n <<= 6 * pad as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kube(src: &str) -> Value {
        parse_one(src, Dialect::Kube).unwrap()
    }

    #[test]
    fn builds_nested_values() {
        let v = kube("a:\n  b: [1, x, true, null]\n  c: {d: 1.5}\n");
        let expected =
            Value::from(serde_json::json!({"a": {"b": [1, "x", true, null], "c": {"d": 1.5}}}));
        assert_eq!(v, expected);
    }

    #[test]
    fn bare_equals_is_a_string() {
        assert_eq!(kube("- =\n"), Value::Seq(vec![Value::String("=".into())]));
    }

    #[test]
    fn quoted_scalars_stay_strings() {
        let v = kube("a: '1'\nb: \"true\"\nc: |\n  x\n");
        assert_eq!(v.get("a"), Some(&Value::String("1".into())));
        assert_eq!(v.get("b"), Some(&Value::String("true".into())));
        assert_eq!(v.get("c"), Some(&Value::String("x\n".into())));
    }

    #[test]
    fn tags_coerce() {
        let v = kube("a: !!str 12\nb: !!float 3\nc: !custom 5\nd: !!binary |\n  aGVs\n  bG8=\n");
        assert_eq!(v.get("d"), Some(&Value::String("hello".into())));
        assert!(parse_one("a: !!binary aGVsbG8\n", Dialect::Kube).is_err());
        assert_eq!(v.get("a"), Some(&Value::String("12".into())));
        assert_eq!(v.get("b"), Some(&Value::Float(3.0)));
        assert_eq!(v.get("c"), Some(&Value::String("5".into())));
        assert!(parse_one("a: !!int x\n", Dialect::Kube).is_err());
    }

    #[test]
    fn non_string_keys_become_strings() {
        let v = parse_one("1: a\ntrue: b\n0x1F: c\n1.5: d\n0.1: e\n", Dialect::Helm).unwrap();
        let keys: Vec<_> = v.as_map().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["1", "true", "31", "1.5", "0.1"]);
        let v = parse_one("1: a\ntrue: b\n0x1F: c\n1.50: d\n", Dialect::Kube).unwrap();
        let keys: Vec<_> = v.as_map().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["1", "true", "31", "1.5"]);
        assert!(parse_one("~: a\n", Dialect::Helm).is_err());
        assert!(parse_one("[a]: 1\n", Dialect::Kube).is_err());
    }

    #[test]
    fn duplicate_keys_error_in_kube_last_wins_in_helm() {
        let err = parse_one("a: 1\nb: 2\na: 3\n", Dialect::Kube).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 3, column 1: mapping key \"a\" already defined at line 1"
        );
        let v = parse_one("a: 1\nb: 2\na: 3\n", Dialect::Helm).unwrap();
        assert_eq!(v.get("a"), Some(&Value::Int(3)));
    }

    #[test]
    fn merge_keys() {
        let src = "base: &b {x: 1, q: 2}\nother: &o {q: 3, z: 4}\nm:\n  <<: [*b, *o]\n  x: 9\n";
        for d in [Dialect::Kube, Dialect::Helm] {
            let v = parse_one(src, d).unwrap();
            let m = v.get("m").unwrap();
            assert_eq!(m.get("x"), Some(&Value::Int(9)), "{d:?}");
            assert_eq!(m.get("q"), Some(&Value::Int(2)), "{d:?}");
            assert_eq!(m.get("z"), Some(&Value::Int(4)), "{d:?}");
        }
        assert!(parse_one("a:\n  <<: 1\n", Dialect::Kube).is_err());
    }

    #[test]
    fn documents_keep_empty_ones_and_start_positions() {
        let docs = parse_documents("a: 1\n---\n---\n# c\n  b: 2\n", Dialect::Kube).unwrap();
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[0].start, Pos { line: 1, column: 1 });
        assert_eq!(docs[1].value, Value::Null);
        assert_eq!(docs[2].start, Pos { line: 5, column: 3 });
        assert!(parse_documents("", Dialect::Kube).unwrap().is_empty());
        assert_eq!(parse_one("", Dialect::Kube).unwrap(), Value::Null);
        assert!(parse_one("a\n---\nb\n", Dialect::Kube).is_err());
    }

    #[test]
    fn parse_first_ignores_later_documents() {
        assert_eq!(
            parse_first("a: 1\n---\nb: [\n", Dialect::Helm)
                .unwrap()
                .get("a"),
            Some(&Value::Int(1))
        );
        assert!(parse_documents("a: 1\n---\nb: [\n", Dialect::Helm).is_err());
        assert_eq!(parse_first("", Dialect::Helm).unwrap(), Value::Null);
        assert_eq!(
            parse_first("---\n---\nb: 1\n", Dialect::Helm).unwrap(),
            Value::Null
        );
        // Text after the first root node needs a document start only for a next document.
        assert_eq!(
            parse_first("[1]\n- 2", Dialect::Helm).unwrap(),
            Value::Seq(vec![Value::Int(1)])
        );
        assert!(parse_documents("[1]\n- 2", Dialect::Helm).is_err());
        assert!(parse_first("a: 1\n}", Dialect::Helm).is_err());
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            src.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let err = parse_one(&src, Dialect::Kube).unwrap_err();
        assert!(err.message.contains("alias"), "{err}");
    }

    #[test]
    fn aliases_cannot_nest_beyond_the_depth_limit() {
        let mut src = format!("a0: &a0 {}x{}\n", "[".repeat(200), "]".repeat(200));
        for i in 1..10 {
            src.push_str(&format!(
                "a{i}: &a{i} {}*a{}{}\n",
                "[".repeat(200),
                i - 1,
                "]".repeat(200)
            ));
        }
        let err = parse_one(&src, Dialect::Kube).unwrap_err();
        assert!(err.message.contains("through aliases"), "{err}");
    }

    #[test]
    fn small_aliases_are_fine() {
        let v = kube("a: &x {k: v}\nb: *x\n");
        assert_eq!(v.get("b"), v.get("a"));
    }

    #[test]
    fn deep_nesting_is_refused_without_overflow() {
        let src = "[".repeat(100_000);
        let err = parse_one(&src, Dialect::Kube).unwrap_err();
        assert!(err.pos.is_some(), "{err}");
        let block = |depth: usize| {
            (0..depth)
                .map(|i| format!("{}k:\n", " ".repeat(i)))
                .collect::<String>()
        };
        let err = parse_one(&block(MAX_DEPTH + 1), Dialect::Kube).unwrap_err();
        assert!(err.message.contains("nesting"), "{err}");
        assert!(parse_one(&block(MAX_DEPTH - 1), Dialect::Kube).is_ok());
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let err = parse_one("a: 1\nb: [1, 2\nc: 3\n", Dialect::Kube).unwrap_err();
        assert!(err.pos.is_some(), "{err}");
        assert!(err.to_string().starts_with("line "), "{err}");
    }
}
