//! A fast reader for the plain block subset of YAML that almost every manifest is written in:
//! block mappings and sequences, plain and quoted scalars (over several lines too, with
//! double-quoted escapes), `|`/`|-` literal blocks, `[]`/`{}`, comments, and `---` between
//! documents. A document with anything else (anchors, tags, flow collections with content,
//! folded blocks, quoted keys, duplicate or merge keys, tabs, errors) is marked for the full
//! parser, which reads that document alone; a stream with directives, `...` or control
//! characters is left to the full parser whole. Where it reads a document, the result is
//! exactly the full parser's: the tests compare both on every YAML file of the repository
//! (and the shared corpus) and on generated text at the subset's edges, in both dialects.

use std::borrow::Cow;

use crate::resolve::{Resolved, resolve_plain};
use crate::{Dialect, Document, Map, Pos, Value};

/// Nesting deeper than this is left to the full parser (which bounds it itself).
const MAX_DEPTH: usize = 100;

/// One document of a stream, as the simple reader left it.
#[derive(Debug)]
pub(crate) enum Part {
    /// Read here.
    Read(Document),
    /// Not in the subset: its text, `&src[range]`, starting at 0-based line `first_line`, is
    /// for the full parser.
    Other {
        first_line: usize,
        range: std::ops::Range<usize>,
    },
}

/// The documents of `src`, each read here or marked for the full parser; `None` when the
/// stream as a whole is not simple (control characters, `...`, directives, `---` with text).
pub(crate) fn parse(src: &str, dialect: Dialect) -> Option<Vec<Part>> {
    if !src.bytes().all(|b| (b >= b' ' && b != 0x7F) || b == b'\n') || !printable(src) {
        return None;
    }
    let lines = Lines::of(src)?;
    let mut parts = Vec::new();
    let (mut start, mut start_byte, mut offset) = (0, 0, 0);
    let mut explicit = false;
    for n in 0..lines.len() {
        let line = lines.get(n);
        if line.starts_with("---") || line.starts_with("...") || line.starts_with('%') {
            if line != "---" {
                return None;
            }
            let range = start_byte..offset;
            parts.extend(read_document(&lines, start, n, explicit, dialect, range));
            start = n + 1;
            start_byte = offset + line.len() + 1;
            explicit = true;
        }
        offset += line.len() + 1;
    }
    let range = start_byte..src.len();
    parts.extend(read_document(
        &lines,
        start,
        lines.len(),
        explicit,
        dialect,
        range,
    ));
    Some(parts)
}

/// No character the full parser refuses or treats as a break (C1 controls, NEL, BOM, ...).
fn printable(src: &str) -> bool {
    src.is_ascii()
        || src.chars().all(|c| {
            c.is_ascii()
                || matches!(c, '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
                    && c != '\u{FEFF}'
        })
}

/// Reads lines `from..to` (bytes `range` of the stream) as one document: nothing when they
/// hold no content and no `---` opened them, else the document or its text for the full
/// parser.
fn read_document(
    lines: &Lines<'_>,
    from: usize,
    to: usize,
    explicit: bool,
    dialect: Dialect,
    range: std::ops::Range<usize>,
) -> Option<Part> {
    let mut r = Reader {
        lines,
        end: to,
        next: from,
        dialect,
    };
    let other = Part::Other {
        first_line: from,
        range,
    };
    let Some((indent, _)) = r.peek() else {
        // An empty document after `---` (bundles joined by tools often have `---` twice) is
        // Null, and the full parser places it where the next token is: the next `---`, or the
        // end of the stream, which is on the line after a last line with text.
        let line = if to < lines.len() {
            to + 1
        } else if lines.get(lines.len() - 1).is_empty() {
            lines.len()
        } else {
            lines.len() + 1
        };
        let start = Pos {
            line: line as u32,
            column: 1,
        };
        return explicit.then_some(Part::Read(Document {
            value: Value::Null,
            start,
        }));
    };
    if indent != 0 {
        return Some(other);
    }
    let start = Pos {
        line: r.next as u32 + 1,
        column: 1,
    };
    let Some(value) = r.node(0, 0) else {
        return Some(other);
    };
    if r.peek().is_some() {
        return Some(other);
    }
    Some(Part::Read(Document { value, start }))
}

/// The lines of a stream, by the offset where each starts (a quarter of the memory of a
/// vector of `&str`, on a stream of many short lines).
struct Lines<'a> {
    src: &'a str,
    starts: Vec<u32>,
}

impl<'a> Lines<'a> {
    /// `None` for streams of 4 GiB or more.
    fn of(src: &'a str) -> Option<Lines<'a>> {
        u32::try_from(src.len()).ok()?;
        let mut starts = vec![0];
        starts.extend(
            src.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i as u32 + 1),
        );
        Some(Lines { src, starts })
    }

    fn len(&self) -> usize {
        self.starts.len()
    }

    /// Line `n` without its line break.
    fn get(&self, n: usize) -> &'a str {
        let start = self.starts[n] as usize;
        let end = self
            .starts
            .get(n + 1)
            .map_or(self.src.len(), |&next| next as usize - 1);
        &self.src[start..end]
    }
}

struct Reader<'a> {
    lines: &'a Lines<'a>,
    /// The document's lines end before this one.
    end: usize,
    /// The next line to read.
    next: usize,
    dialect: Dialect,
}

impl<'a> Reader<'a> {
    fn line(&self, n: usize) -> Option<&'a str> {
        (n < self.end).then(|| self.lines.get(n))
    }

    /// The next line with content (skipping blank and comment lines): its indentation and
    /// the text after it.
    fn peek(&mut self) -> Option<(usize, &'a str)> {
        while let Some(line) = self.line(self.next) {
            let text = line.trim_start_matches(' ');
            if text.is_empty() || text.starts_with('#') {
                self.next += 1;
                continue;
            }
            return Some((line.len() - text.len(), text));
        }
        None
    }

    /// A block collection whose first line is the next content line, at indentation `indent`.
    fn node(&mut self, indent: usize, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        let (_, text) = self.peek()?;
        if is_entry(text) {
            self.sequence(indent, depth)
        } else {
            self.mapping(indent, None, depth)
        }
    }

    /// A block sequence at `indent`: entries `- item` until a line at another indentation.
    fn sequence(&mut self, indent: usize, depth: usize) -> Option<Value> {
        let mut items = Vec::new();
        while let Some((i, text)) = self.peek() {
            if i != indent || !is_entry(text) {
                break;
            }
            let rest = &text[1..];
            let after = rest.trim_start_matches(' ');
            let item_indent = indent + 1 + (rest.len() - after.len());
            if after.is_empty() || after.starts_with('#') {
                if !after.is_empty() && !rest.starts_with(' ') {
                    return None;
                }
                self.next += 1;
                items.push(self.nested(indent, false, depth)?);
            } else if is_entry(after) {
                return None;
            } else if split_entry(after).is_some() {
                // `- key: value`: a mapping whose keys sit at the key's column.
                items.push(self.mapping(item_indent, Some(after), depth + 1)?);
            } else {
                self.next += 1;
                let value = self.scalar(after, item_indent)?;
                items.push(value);
                self.after_scalar(indent)?;
            }
        }
        items.shrink_to_fit();
        Some(Value::Seq(items))
    }

    /// A block mapping at `indent`; `first` is a line already split off a `- ` entry.
    fn mapping(
        &mut self,
        indent: usize,
        mut first: Option<&'a str>,
        depth: usize,
    ) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        let mut map = Map::new();
        loop {
            let text = match first.take() {
                Some(text) => text,
                None => match self.peek() {
                    Some((i, text)) if i == indent && !is_entry(text) => text,
                    Some((i, _)) if i > indent => return None,
                    _ => break,
                },
            };
            let (key, rest) = split_entry(text)?;
            let key = plain_key(key, self.dialect)?;
            if map.contains_key(&key) {
                return None;
            }
            self.next += 1;
            let value = if rest.is_empty() || rest.starts_with('#') {
                self.nested(indent, true, depth)?
            } else {
                let value = self.scalar(rest, indent + 1)?;
                self.after_scalar(indent)?;
                value
            };
            map.insert(key, value);
        }
        if map.capacity() > map.len() {
            map.shrink_to_fit();
        }
        Some(Value::Map(map))
    }

    /// The value of an entry with nothing after its indicator: a collection on the lines
    /// below (more indented, or a `- ` sequence at the key's own indentation), else null.
    fn nested(&mut self, indent: usize, in_mapping: bool, depth: usize) -> Option<Value> {
        match self.peek() {
            Some((i, _)) if i > indent => self.node(i, depth + 1),
            Some((i, text)) if in_mapping && i == indent && is_entry(text) => {
                self.sequence(indent, depth + 1)
            }
            _ => Some(Value::Null),
        }
    }

    /// After a one-line scalar, the next content line must not be more indented (that would
    /// continue the scalar or be an error).
    fn after_scalar(&mut self, indent: usize) -> Option<()> {
        match self.peek() {
            Some((i, _)) if i > indent => None,
            _ => Some(()),
        }
    }

    /// A scalar written after a key or `- ` (`text`, comment included); `min_indent` is the
    /// least indentation a literal block's lines may have.
    fn scalar(&mut self, text: &'a str, min_indent: usize) -> Option<Value> {
        match text.as_bytes()[0] {
            b'|' => {
                let strip = match text {
                    "|" => false,
                    "|-" => true,
                    _ => return None,
                };
                Some(Value::String(self.literal(min_indent, strip)?.into()))
            }
            b'\'' | b'"' => Some(Value::String(self.quoted(text, min_indent)?.into())),
            b'[' | b'{' => match strip_comment(text)? {
                "[]" => Some(Value::Seq(Vec::new())),
                "{}" => Some(Value::Map(Map::new())),
                _ => None,
            },
            _ => {
                let first = plain(text)?;
                let text = if text.contains(" #") {
                    Cow::Borrowed(first)
                } else {
                    self.plain_continuation(first, min_indent)?
                };
                Some(resolve_plain(&text, self.dialect).into_value(text))
            }
        }
    }

    /// A plain scalar's first line and the lines that continue it (indented at least
    /// `min_indent`): lines are joined by a space, blank lines between them become line breaks.
    fn plain_continuation(&mut self, first: &'a str, min_indent: usize) -> Option<Cow<'a, str>> {
        let mut text = Cow::Borrowed(first);
        let mut breaks = 0;
        let mut at = self.next;
        while let Some(line) = self.line(at) {
            let rest = line.trim_start_matches(' ');
            if rest.is_empty() {
                breaks += 1;
                at += 1;
                continue;
            }
            if line.len() - rest.len() < min_indent || rest.starts_with('#') {
                break;
            }
            let rest = rest.trim_end_matches(' ');
            // Past its first character a plain scalar may hold indicators (`- x`, `"q"`), but
            // not `: ` or ` #`.
            if rest.starts_with(':')
                || rest.contains(": ")
                || rest.contains(" #")
                || rest.ends_with(':')
            {
                return None;
            }
            let text = text.to_mut();
            if breaks == 0 {
                text.push(' ');
            }
            for _ in 0..breaks {
                text.push('\n');
            }
            text.push_str(rest);
            breaks = 0;
            at += 1;
            self.next = at;
        }
        Some(text)
    }

    /// A `'...'` or `"..."` scalar (without escapes) starting in `text`, over as many lines as
    /// it takes: a line break between lines reads as a space, blank lines as line breaks.
    fn quoted(&mut self, text: &'a str, min_indent: usize) -> Option<String> {
        let quote = text.as_bytes()[0];
        let mut out = String::new();
        let mut rest = &text[1..];
        loop {
            if let Some((content, after)) = closing_quote(rest, quote).ok()? {
                out.push_str(&content);
                after_quoted(after)?;
                return Some(out);
            }
            // The scalar goes on: this line's content without trailing spaces, then a fold.
            let trimmed = rest.trim_end_matches(' ');
            if trimmed.is_empty() {
                return None;
            }
            if quote == b'\'' {
                out.push_str(&trimmed.replace("''", "'"));
            } else {
                // A backslash left at the end would escape the line break or a trailing space.
                let backslashes = trimmed.len() - trimmed.trim_end_matches('\\').len();
                if backslashes % 2 == 1 {
                    return None;
                }
                out.push_str(&unescape(trimmed)?);
            }
            let mut breaks = 0;
            loop {
                let line = self.line(self.next)?;
                self.next += 1;
                let text = line.trim_start_matches(' ');
                if text.is_empty() {
                    breaks += 1;
                    continue;
                }
                if line.len() - text.len() < min_indent {
                    return None;
                }
                if breaks == 0 {
                    out.push(' ');
                }
                for _ in 0..breaks {
                    out.push('\n');
                }
                rest = text;
                break;
            }
        }
    }

    /// A `|` (clip) or `|-` (strip) literal block on the lines after its header.
    fn literal(&mut self, min_indent: usize, strip: bool) -> Option<String> {
        let mut indent = None;
        let mut body = String::new();
        let mut pending_breaks = 0usize;
        let mut leading_blank_width = 0usize;
        while let Some(line) = self.line(self.next) {
            let text = line.trim_start_matches(' ');
            let width = line.len() - text.len();
            if text.is_empty() {
                match indent {
                    None => leading_blank_width = leading_blank_width.max(width),
                    Some(n) if width > n => {
                        // Spaces beyond the block's indentation are content.
                        push_breaks(&mut body, &mut pending_breaks);
                        body.push_str(&line[n..]);
                        pending_breaks = 1;
                        self.next += 1;
                        continue;
                    }
                    Some(_) => {}
                }
                pending_breaks += 1;
                self.next += 1;
                continue;
            }
            let n = match indent {
                Some(n) => n,
                None => {
                    if width < min_indent || leading_blank_width > width {
                        return None;
                    }
                    indent = Some(width);
                    width
                }
            };
            if width < n {
                break;
            }
            push_breaks(&mut body, &mut pending_breaks);
            body.push_str(&line[n..]);
            pending_breaks = 1;
            self.next += 1;
        }
        // Blank lines at the end are not content; a clipped block keeps one line break.
        if indent.is_none() {
            return if pending_breaks > 0 || leading_blank_width > 0 {
                None
            } else {
                Some(String::new())
            };
        }
        if !strip {
            body.push('\n');
        }
        Some(body)
    }
}

/// Line breaks owed before the next content: the first ends the previous line.
fn push_breaks(body: &mut String, pending: &mut usize) {
    for _ in 0..*pending {
        body.push('\n');
    }
    *pending = 0;
}

/// `- ` or a lone `-`: a sequence entry.
fn is_entry(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

/// `key: rest` or `key:` (rest empty); `None` when the line is not a simple mapping entry.
fn split_entry(text: &str) -> Option<(&str, &str)> {
    let colon = text
        .find(": ")
        .or_else(|| text.strip_suffix(':').map(str::len))?;
    let key = &text[..colon];
    let rest = text[colon + 1..].trim_start_matches(' ');
    Some((key, rest))
}

/// A mapping key written plain, as the full parser reads it; `None` for keys that need its
/// rules (quoted, indicators, comments, non-string keys, `<<`).
fn plain_key(key: &str, dialect: Dialect) -> Option<String> {
    if key.is_empty()
        || starts_with_indicator(key)
        || key.ends_with(' ')
        || key.contains(" #")
        || key.contains(':')
        || key == "<<"
        || !matches!(resolve_plain(key, dialect), Resolved::Str)
    {
        return None;
    }
    Some(key.to_string())
}

/// A one-line plain scalar without its comment and trailing spaces; `None` where plain
/// scalar rules are not simple.
fn plain(text: &str) -> Option<&str> {
    if starts_with_indicator(text) {
        return None;
    }
    let value = match text.find(" #") {
        Some(at) => &text[..at],
        None => text,
    }
    .trim_end_matches(' ');
    if value.contains(": ") || value.ends_with(':') || value.is_empty() {
        return None;
    }
    Some(value)
}

/// Whether `text` (not empty) starts something other than a plain scalar: an indicator, or
/// `-`, `?`, `:` followed by a space or nothing.
fn starts_with_indicator(text: &str) -> bool {
    let b = text.as_bytes();
    match b[0] {
        b'-' | b'?' | b':' => b.get(1).is_none_or(|&c| c == b' '),
        first => is_indicator(first),
    }
}

/// Characters that always start something other than a plain scalar.
fn is_indicator(b: u8) -> bool {
    matches!(
        b,
        b',' | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    )
}

/// `text` without a trailing ` # comment` and spaces, when what is left has no `#`.
fn strip_comment(text: &str) -> Option<&str> {
    let value = match text.find(" #") {
        Some(at) => &text[..at],
        None => text,
    }
    .trim_end_matches(' ');
    (!value.contains('#')).then_some(value)
}

/// A quoted scalar's content (escapes decoded) and what follows its closing quote.
type Closed<'a> = (Cow<'a, str>, &'a str);

/// In a quoted scalar's line `rest` (after the opening quote or a line's indentation): the
/// content up to the closing quote and what follows it, or `None` when the scalar goes on to
/// the next line. A double-quoted scalar with escapes is not simple (`Err`).
fn closing_quote(rest: &str, quote: u8) -> Result<Option<Closed<'_>>, ()> {
    if quote == b'"' {
        let bytes = rest.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b'"' => return Ok(Some((unescape(&rest[..i]).ok_or(())?, &rest[i + 1..]))),
                _ => i += 1,
            }
        }
        return Ok(None);
    }
    let mut content = Cow::Borrowed("");
    let mut from = 0;
    while let Some(at) = rest[from..].find('\'').map(|i| from + i) {
        if rest[at + 1..].starts_with('\'') {
            content.to_mut().push_str(&rest[from..=at]);
            from = at + 2;
        } else {
            if from == 0 {
                content = Cow::Borrowed(&rest[..at]);
            } else {
                content.to_mut().push_str(&rest[from..at]);
            }
            return Ok(Some((content, &rest[at + 1..])));
        }
    }
    Ok(None)
}

/// The text of a double-quoted scalar's line with its escapes decoded (`None` for an escape
/// that is not YAML's).
fn unescape(raw: &str) -> Option<Cow<'_, str>> {
    if !raw.contains('\\') {
        return Some(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let decoded = match chars.next()? {
            '0' => '\0',
            'a' => '\u{7}',
            'b' => '\u{8}',
            't' => '\t',
            'n' => '\n',
            'v' => '\u{b}',
            'f' => '\u{c}',
            'r' => '\r',
            'e' => '\u{1b}',
            ' ' => ' ',
            '"' => '"',
            '/' => '/',
            '\\' => '\\',
            'N' => '\u{85}',
            '_' => '\u{a0}',
            'L' => '\u{2028}',
            'P' => '\u{2029}',
            hex @ ('x' | 'u' | 'U') => {
                let width = match hex {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let digits: String = chars.by_ref().take(width).collect();
                if digits.len() != width || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                char::from_u32(u32::from_str_radix(&digits, 16).ok()?)?
            }
            _ => return None,
        };
        out.push(decoded);
    }
    Some(Cow::Owned(out))
}

/// What may follow a closing quote on its line: nothing, or spaces and a comment.
fn after_quoted(rest: &str) -> Option<()> {
    let trimmed = rest.trim_start_matches(' ');
    (trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < rest.len())).then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{parse_events, parse_stream_counted};

    /// Documents read here (or partly here) are the full parser's, in both dialects, and
    /// so are errors. Returns whether the simple reader read any document.
    fn agrees(src: &str) -> bool {
        let mut answered = false;
        for dialect in [Dialect::Kube, Dialect::Helm] {
            let mixed = parse_stream_counted(src, dialect, usize::MAX).map(|(docs, _)| docs);
            let full = parse_events(src, dialect, usize::MAX).map(|(docs, _)| docs);
            assert_eq!(mixed, full, "{dialect:?} on {src:?}");
            answered |= parse(src, dialect)
                .is_some_and(|parts| parts.iter().any(|p| matches!(p, Part::Read(_))));
        }
        answered
    }

    fn yaml_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() && name != "target" && name != ".git" {
                yaml_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                out.push(path);
            }
        }
    }

    /// Every YAML file in the repository (upstream manifests, kustomize's test fixtures,
    /// charts, Helm's cases), and the shared corpus when it is there.
    #[test]
    fn simple_reader_agrees_with_the_parser_on_real_files() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files = Vec::new();
        yaml_files(&root, &mut files);
        yaml_files(&root.join("../shared/corpus"), &mut files);
        let (mut answered, mut total, mut bytes) = (0, 0, 0);
        for file in &files {
            let Ok(src) = std::fs::read_to_string(file) else {
                continue;
            };
            total += 1;
            if agrees(&src) {
                answered += 1;
                bytes += src.len();
            }
        }
        eprintln!("simple reader: {answered} of {total} files ({bytes} bytes)");
        assert!(total > 500 && answered * 2 > total, "{answered} of {total}");
    }

    /// Generated block YAML with the forms at the subset's edges: plain scalars that start
    /// with `-`, `?`, `:` or hold `#` and `:`, quotes, literal blocks with blank and indented
    /// lines, comments at any indentation, compact and indentless sequences, `---`.
    #[test]
    fn simple_reader_agrees_with_the_parser_on_generated_text() {
        const SCALARS: &[&str] = &[
            "plain",
            "two words",
            "-1",
            "--flag=x",
            "-",
            "?x",
            ":x",
            "a#b",
            "a # c",
            "a:b",
            "a: b",
            "x:",
            "'q'",
            "'it''s'",
            "\"t\\tx\\\"\"",
            "\"\\e\\a\\b\\v\\f\\r\\0\\L\\P\\N\\_\\x7f\\ \"",
            "\"\\x4g\"",
            "\"\\uD800\"",
            "'a' #c",
            "'a'#c",
            "\"d\"",
            "\"e\\n\"",
            "\"x: y\"",
            "[]",
            "{}",
            "[a]",
            "~",
            "null",
            "true",
            "yes",
            "0x1F",
            "1e3",
            "012",
            "é",
            "&a x",
            "*a",
            "!t x",
            "|",
            "|-",
            "|+",
            ">",
            "'open",
            "\"open",
            "@x",
            "`x",
            "%x",
            "...",
            "---x",
        ];
        const LITERAL_LINES: &[&str] = &["text", "", "  more", "# not a comment", "   ", "x: y"];
        const CONTINUATIONS: &[&str] = &[
            "more words",
            "",
            "  ",
            "# c",
            "- x",
            "x: y",
            "a #b",
            "z:",
            "end'",
            "end\"",
            "it''s",
            "q\" #c",
            "e' x",
            "\\n\"",
            "  trail  ",
            "a \\n b",
            "\\t\\\" \\\\",
            "\\x41\\u00e9\\U0001F600",
            "\\/ \\_ \\N",
            "bad \\q",
            "\\",
            "x\\ ",
            "\"Quoted\" word",
            "- dash",
            "[a]",
        ];
        let mut rng = crate::test_rng::Rng::new(0x853c_49e6_748f_ea9b_u64);
        let mut next = |n: usize| rng.below(n);
        let mut answered = 0;
        for round in 0..20_000 {
            let mut text = String::new();
            let mut indents = vec![0usize];
            for line in 0..1 + next(if round % 4 == 0 { 16 } else { 5 }) {
                let indent = indents[next(indents.len())];
                let pad = " ".repeat(indent);
                let scalar = SCALARS[next(SCALARS.len())];
                match next(9) {
                    0 => text.push_str(&format!("{pad}k{line}: {scalar}\n")),
                    1 => {
                        text.push_str(&format!("{pad}k{line}:\n"));
                        indents.push(indent + 2);
                    }
                    2 => text.push_str(&format!("{pad}- {scalar}\n")),
                    3 => {
                        text.push_str(&format!("{pad}- k{line}: {scalar}\n"));
                        indents.push(indent + 2);
                    }
                    4 => text.push_str(&format!("{pad}-\n")),
                    5 => {
                        let header = ["|", "|-"][next(2)];
                        text.push_str(&format!("{pad}k{line}: {header}\n"));
                        for _ in 0..next(4) {
                            let deeper = " ".repeat(indent + 2 + 2 * next(2));
                            text.push_str(&format!("{deeper}{}\n", LITERAL_LINES[next(6)]));
                        }
                    }
                    6 => text.push_str(&format!("{}# comment\n", " ".repeat(next(6)))),
                    7 if next(2) == 0 => {
                        let start = ["- ", "k: ", "k: '", "k: \"", "- '"][next(5)];
                        text.push_str(&format!("{pad}{start}first line \n"));
                        for _ in 0..1 + next(3) {
                            let deeper = " ".repeat(indent + next(5));
                            let line = CONTINUATIONS[next(CONTINUATIONS.len())];
                            text.push_str(&format!("{deeper}{line}\n"));
                        }
                    }
                    7 => text.push('\n'),
                    _ => text.push_str("---\n"),
                }
            }
            if agrees(&text) {
                answered += 1;
            }
        }
        eprintln!("simple reader: answered {answered} of 20000 generated texts");
        assert!(answered > 3000, "{answered}");
    }

    #[test]
    fn edge_forms_are_left_to_the_parser() {
        for src in [
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: [1]\n",
            "a: >\n  x\n",
            "a: 1\na: 2\n",
            "<<: {a: 1}\n",
            "a: |+\n  x\n",
            "a:\tb\n",
            "a: 1\r\n",
            "x\n",
            "a: \"\\q\"\n",
            "\u{feff}a: 1\n",
        ] {
            let parts = parse(src, Dialect::Kube);
            assert!(
                parts.is_none_or(|p| p.iter().all(|p| matches!(p, Part::Other { .. }))),
                "{src:?}"
            );
        }
        assert!(agrees(
            "a:\n- 1\n- x: |\n    t\n\n    u\n  y: 'q''s' # c\nb: {}\n"
        ));
    }

    /// Empty documents after `---` (a doubled marker, as in bundles joined by tools) are read
    /// here, as Null at the full parser's line: the next marker's, or the end of the stream's.
    #[test]
    fn empty_documents_are_read_where_the_parser_places_them() {
        for src in [
            "---\n---\na: 1\n",
            "a: 1\n---\n---\nb: 2",
            "---\n# c\n\n---\na: 1",
            "---\n  # c\n---\nb: 1",
            "---\n",
            "---",
            "---\n---",
            "---\n\n",
            "---\n# x",
            "---\n  ",
            "a: 1\n---\n# x\n",
            "a: 1\n---\n  \n",
            "a: 1\n---",
        ] {
            let parts = parse(src, Dialect::Kube).expect(src);
            assert!(parts.iter().all(|p| matches!(p, Part::Read(_))), "{src:?}");
            assert!(agrees(src), "{src:?}");
        }
    }
}
