//! The emitter: writes a [`Value`] byte for byte as Go's `sigs.k8s.io/yaml.Marshal` does (JSON
//! round-trip, then go-yaml v2's encoder with libyaml's emitter rules): keys sorted by go-yaml's
//! order, block style, indentless sequences under keys, width-80 folding, go-yaml's quoting and
//! escaping. Its state (column, indent, whitespace/indention flags) mirrors libyaml's so that
//! line folding lands on the same columns.

use std::borrow::Cow;

use super::gofmt::yaml_float;
use super::resolve::resolves_to_non_string;
use super::sort::sort_entries;
use super::{Map, Value};

const BEST_WIDTH: usize = 80;
const BEST_INDENT: i32 = 2;
/// Keys longer than this (in bytes) are written as `? key` complex keys, as libyaml does.
const MAX_SIMPLE_KEY_LEN: usize = 128;

/// Serializes `v` as `sigs.k8s.io/yaml.Marshal` would (a single document, no `---`).
pub fn to_string(v: &Value) -> String {
    emit(v, BEST_WIDTH, false)
}

/// Serializes `v` as go-yaml v3's encoder with `SetIndent(2)` does (Helm 4's
/// `toYamlPretty`): like [`to_string`] but sequences under a key are indented and long
/// scalars are not folded. Values are written as given (no JSON round trip: callers keep
/// floats as floats).
pub fn to_string_v3(v: &Value) -> String {
    emit(v, usize::MAX, true)
}

fn emit(v: &Value, width: usize, indent_sequences: bool) -> String {
    emit_with(v, width, indent_sequences, true)
}

/// `ascii_fast_paths: false` writes everything through the general, character-at-a-time code
/// (the tests check that both ways write the same bytes).
fn emit_with(v: &Value, width: usize, indent_sequences: bool, ascii_fast_paths: bool) -> String {
    let mut e = Emitter {
        width,
        indent_sequences,
        ascii_fast_paths,
        out: String::new(),
        column: 0,
        indent: -1,
        indents: Vec::new(),
        whitespace: true,
        indention: true,
    };
    e.node(
        v,
        Ctx {
            mapping: false,
            simple_key: false,
        },
    );
    e.write_indent();
    e.out
}

#[derive(Clone, Copy)]
struct Ctx {
    /// The node is a mapping key or value.
    mapping: bool,
    /// The node is a simple (implicit) mapping key.
    simple_key: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

struct Emitter {
    /// Column after which plain and quoted scalars are folded.
    width: usize,
    /// go-yaml v3: a block sequence that is a mapping value is indented.
    indent_sequences: bool,
    /// Printable ASCII without line breaks is written a word at a time.
    ascii_fast_paths: bool,
    out: String,
    /// Characters (not bytes) written on the current line.
    column: usize,
    indent: i32,
    indents: Vec<i32>,
    /// The last thing written was whitespace (or nothing on this line).
    whitespace: bool,
    /// Only indentation has been written on the current line so far.
    indention: bool,
}

impl Emitter {
    fn node(&mut self, v: &Value, ctx: Ctx) {
        match v {
            Value::Null => self.scalar("null", Style::Plain, ctx),
            Value::Bool(b) => self.scalar(if *b { "true" } else { "false" }, Style::Plain, ctx),
            Value::Int(i) => self.scalar(&i.to_string(), Style::Plain, ctx),
            Value::Float(f) => self.scalar(&yaml_float(*f), Style::Plain, ctx),
            Value::String(s) => {
                let s = json_reread(s);
                self.scalar(&s, requested_string_style(&s), ctx)
            }
            Value::Seq(items) if items.is_empty() => self.empty_flow("[", "]"),
            Value::Map(m) if m.is_empty() => self.empty_flow("{", "}"),
            Value::Seq(items) => self.block_sequence(items, ctx),
            Value::Map(m) => self.block_mapping(m),
        }
    }

    fn empty_flow(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.increase_indent(true, false);
        self.pop_indent();
        self.write_indicator(close, false, false, false);
    }

    fn block_sequence(&mut self, items: &[Value], ctx: Ctx) {
        self.increase_indent(
            false,
            !self.indent_sequences && ctx.mapping && !self.indention,
        );
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(
                item,
                Ctx {
                    mapping: false,
                    simple_key: false,
                },
            );
        }
        self.pop_indent();
    }

    fn block_mapping(&mut self, m: &Map) {
        self.increase_indent(false, false);
        let mut entries: Vec<(Cow<'_, str>, &Value)> =
            m.iter().map(|(k, v)| (json_reread(k), v)).collect();
        sort_entries(&mut entries, |e| &e.0);
        for (key, value) in entries {
            let key = key.as_ref();
            self.write_indent();
            let analysis = Analysis::of(key, self.ascii_fast_paths);
            if !analysis.multiline && key.len() <= MAX_SIMPLE_KEY_LEN {
                self.scalar_analyzed(
                    key,
                    requested_string_style(key),
                    &analysis,
                    Ctx {
                        mapping: true,
                        simple_key: true,
                    },
                );
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.scalar_analyzed(
                    key,
                    requested_string_style(key),
                    &analysis,
                    Ctx {
                        mapping: true,
                        simple_key: false,
                    },
                );
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.node(
                value,
                Ctx {
                    mapping: true,
                    simple_key: false,
                },
            );
        }
        self.pop_indent();
    }

    fn scalar(&mut self, text: &str, requested: Style, ctx: Ctx) {
        let analysis = Analysis::of(text, self.ascii_fast_paths);
        self.scalar_analyzed(text, requested, &analysis, ctx);
    }

    fn scalar_analyzed(&mut self, text: &str, requested: Style, a: &Analysis, ctx: Ctx) {
        let style = select_style(text, requested, a, ctx);
        self.increase_indent(true, false);
        let allow_breaks = !ctx.simple_key;
        match style {
            Style::Plain => self.write_plain(text, allow_breaks),
            Style::SingleQuoted => self.write_single_quoted(text, allow_breaks),
            Style::DoubleQuoted => self.write_double_quoted(text, allow_breaks),
            Style::Literal => self.write_literal(text),
        }
        self.pop_indent();
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    /// Writes a line break character from the value (`\n` is normalized by `put_break`).
    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        if self.column < indent {
            let n = indent - self.column;
            self.out.extend(std::iter::repeat_n(' ', n));
            self.column = indent;
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        self.out.push_str(indicator);
        self.column += indicator.chars().count();
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn write_plain(&mut self, value: &str, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        if self.ascii_fast_paths && is_ascii_line(value) {
            self.write_words(value, allow_breaks, false);
            self.whitespace = false;
            self.indention = false;
            return;
        }
        let mut spaces = false;
        let mut breaks = false;
        let mut chars = value.chars().peekable();
        while let Some(c) = chars.next() {
            if c == ' ' {
                if allow_breaks && !spaces && self.column > self.width && chars.peek() != Some(&' ')
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single_quoted(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        if self.ascii_fast_paths && is_ascii_line(value) {
            self.write_words(value, allow_breaks, true);
            self.write_indicator("'", false, false, false);
            self.whitespace = false;
            self.indention = false;
            return;
        }
        let mut spaces = false;
        let mut breaks = false;
        let len = value.len();
        let mut chars = value.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == ' ' {
                let next_is_space = chars.peek().is_some_and(|&(_, n)| n == ' ');
                if allow_breaks
                    && !spaces
                    && self.column > self.width
                    && i > 0
                    && i < len - 1
                    && !next_is_space
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double_quoted(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        // libyaml checks for a BOM at the start of the value, not at the current character.
        let starts_with_bom = value.starts_with('\u{FEFF}');
        let mut spaces = false;
        let len = value.len();
        let mut chars = value.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if !is_printable(c) || starts_with_bom || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                self.write_escape(c);
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > self.width && i > 0 && i < len - 1 {
                    self.write_indent();
                    if chars.peek().is_some_and(|&(_, n)| n == ' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    /// Printable ASCII without line breaks (plain or single-quoted text), a word at a time:
    /// only a space can fold the line, as in the general code. `quoted` doubles `'`.
    fn write_words(&mut self, value: &str, allow_breaks: bool, quoted: bool) {
        let bytes = value.as_bytes();
        let len = bytes.len();
        let mut spaces = false;
        let mut i = 0;
        while i < len {
            if bytes[i] == b' ' {
                if allow_breaks
                    && !spaces
                    && self.column > self.width
                    && i > 0
                    && i < len - 1
                    && bytes[i + 1] != b' '
                {
                    self.write_indent();
                } else {
                    self.put(' ');
                }
                spaces = true;
                i += 1;
            } else {
                let start = i;
                while i < len && bytes[i] != b' ' {
                    i += 1;
                }
                let word = &value[start..i];
                if quoted && word.contains('\'') {
                    self.out.push_str(&word.replace('\'', "''"));
                    self.column += word.len() + word.matches('\'').count();
                } else {
                    self.out.push_str(word);
                    self.column += word.len();
                }
                self.indention = false;
                spaces = false;
            }
        }
    }

    fn write_escape(&mut self, c: char) {
        let short = match c {
            '\0' => Some('0'),
            '\u{7}' => Some('a'),
            '\u{8}' => Some('b'),
            '\t' => Some('t'),
            '\n' => Some('n'),
            '\u{b}' => Some('v'),
            '\u{c}' => Some('f'),
            '\r' => Some('r'),
            '\u{1b}' => Some('e'),
            '"' => Some('"'),
            '\\' => Some('\\'),
            '\u{85}' => Some('N'),
            '\u{a0}' => Some('_'),
            '\u{2028}' => Some('L'),
            '\u{2029}' => Some('P'),
            _ => None,
        };
        if let Some(s) = short {
            self.put(s);
            return;
        }
        let v = c as u32;
        let (prefix, width) = if v <= 0xFF {
            ('x', 2)
        } else if v <= 0xFFFF {
            ('u', 4)
        } else {
            ('U', 8)
        };
        self.put(prefix);
        for k in (0..width).rev() {
            let digit = (v >> (k * 4)) & 0xF;
            self.put(
                char::from_digit(digit, 16)
                    .unwrap_or('0')
                    .to_ascii_uppercase(),
            );
        }
    }

    fn write_literal(&mut self, value: &str) {
        self.write_indicator("|", true, false, false);
        self.write_block_scalar_hints(value);
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        if self.ascii_fast_paths && !value.contains(['\r', '\u{85}', '\u{2028}', '\u{2029}']) {
            // Only `\n` breaks lines: a line at a time.
            for (n, line) in value.split('\n').enumerate() {
                if n > 0 {
                    self.put_break();
                    self.indention = true;
                    breaks = true;
                }
                if !line.is_empty() {
                    if breaks {
                        self.write_indent();
                    }
                    self.out.push_str(line);
                    self.column += if line.is_ascii() {
                        line.len()
                    } else {
                        line.chars().count()
                    };
                    self.indention = false;
                    breaks = false;
                }
            }
            return;
        }
        for c in value.chars() {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }

    fn write_block_scalar_hints(&mut self, value: &str) {
        let mut chars = value.chars();
        if let Some(first) = value.chars().next()
            && (first == ' ' || is_break(first))
        {
            let hint = char::from_digit(BEST_INDENT as u32, 10).unwrap_or('2');
            self.write_indicator(&hint.to_string(), false, false, false);
        }
        let chomp = match chars.next_back() {
            None => Some("-"),
            Some(last) if !is_break(last) => Some("-"),
            Some(_) => match chars.next_back() {
                None => Some("+"),
                Some(prev) if is_break(prev) => Some("+"),
                Some(_) => None,
            },
        };
        if let Some(chomp) = chomp {
            self.write_indicator(chomp, false, false, false);
        }
    }
}

/// What a string is after `sigs.k8s.io/yaml` has written it as JSON and go-yaml read that JSON
/// back: Go's JSON encoder leaves NEL (U+0085) unescaped, and the YAML reader treats it as a line
/// break inside the double-quoted JSON string, folding it (with the spaces around it) into one
/// space, or into `n-1` newlines for `n` breaks in a row. Everything else survives.
fn json_reread(s: &str) -> Cow<'_, str> {
    if s.is_ascii() || !s.contains('\u{85}') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c != ' ' && c != '\u{85}' {
            out.push(c);
            chars.next();
            continue;
        }
        let mut whitespace = String::new();
        let mut leading_break = false;
        let mut trailing_breaks = String::new();
        while let Some(&c) = chars.peek() {
            match c {
                ' ' if !leading_break => whitespace.push(' '),
                ' ' => {}
                '\u{85}' if !leading_break => {
                    whitespace.clear();
                    leading_break = true;
                }
                '\u{85}' => trailing_breaks.push('\n'),
                _ => break,
            }
            chars.next();
        }
        if !leading_break {
            out.push_str(&whitespace);
        } else if trailing_breaks.is_empty() {
            out.push(' ');
        } else {
            out.push_str(&trailing_breaks);
        }
    }
    Cow::Owned(out)
}

/// go-yaml v2's `stringv`: literal for multi-line text, plain unless the text would read back
/// as another type (or a base-60 float), double-quoted otherwise.
fn requested_string_style(s: &str) -> Style {
    if s.contains('\n') {
        Style::Literal
    } else if !resolves_to_non_string(s) {
        Style::Plain
    } else {
        Style::DoubleQuoted
    }
}

/// libyaml's `yaml_emitter_select_scalar_style` (block context, no tags).
fn select_style(text: &str, requested: Style, a: &Analysis, ctx: Ctx) -> Style {
    let mut style = requested;
    if ctx.simple_key && a.multiline {
        style = Style::DoubleQuoted;
    }
    if style == Style::Plain && (!a.block_plain_allowed || (text.is_empty() && ctx.simple_key)) {
        style = Style::SingleQuoted;
    }
    if style == Style::SingleQuoted && !a.single_quoted_allowed {
        style = Style::DoubleQuoted;
    }
    if style == Style::Literal && (!a.block_allowed || ctx.simple_key) {
        style = Style::DoubleQuoted;
    }
    style
}

/// What libyaml's `yaml_emitter_analyze_scalar` finds out about a scalar (block context only).
struct Analysis {
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

impl Analysis {
    fn of(value: &str, ascii_fast_paths: bool) -> Analysis {
        if value.is_empty() {
            return Analysis {
                multiline: false,
                block_plain_allowed: true,
                single_quoted_allowed: true,
                block_allowed: false,
            };
        }
        let mut block_indicators = value.starts_with("---") || value.starts_with("...");
        // Most keys and values are words, paths and versions: nothing below can trigger.
        if !block_indicators
            && value != "-"
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'))
        {
            return Analysis {
                multiline: false,
                block_plain_allowed: true,
                single_quoted_allowed: true,
                block_allowed: true,
            };
        }
        if ascii_fast_paths && is_ascii_line(value) {
            return Analysis::of_ascii_line(value.as_bytes(), block_indicators);
        }
        let mut line_breaks = false;
        let mut special_characters = false;
        let mut leading_space = false;
        let mut leading_break = false;
        let mut trailing_space = false;
        let mut trailing_break = false;
        let mut break_space = false;
        let mut space_break = false;
        let mut preceded_by_whitespace = true;
        let mut previous_space = false;
        let mut previous_break = false;

        // The same walk over bytes when the text is ASCII (descriptions, commands): bytes
        // are characters there, and the checks below are byte comparisons.
        let ascii = value.is_ascii();
        let bytes = value.as_bytes();
        let mut chars = value.chars().peekable();
        let mut i = 0usize;
        let mut first = true;
        loop {
            let (c, next) = if ascii {
                let Some(&b) = bytes.get(i) else { break };
                i += 1;
                (char::from(b), bytes.get(i).map(|&n| char::from(n)))
            } else {
                let Some(c) = chars.next() else { break };
                (c, chars.peek().copied())
            };
            let followed_by_whitespace = next.is_none_or(|n| n == ' ' || n == '\t');
            let last = next.is_none();
            if first {
                match c {
                    '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\''
                    | '"' | '%' | '@' | '`' => block_indicators = true,
                    '?' | ':' | '-' if followed_by_whitespace => block_indicators = true,
                    _ => {}
                }
            } else {
                match c {
                    ':' if followed_by_whitespace => block_indicators = true,
                    '#' if preceded_by_whitespace => block_indicators = true,
                    _ => {}
                }
            }
            if !is_printable(c) {
                special_characters = true;
            }
            if c == ' ' {
                if first {
                    leading_space = true;
                }
                if last {
                    trailing_space = true;
                }
                if previous_break {
                    break_space = true;
                }
                previous_space = true;
                previous_break = false;
            } else if is_break(c) {
                line_breaks = true;
                if first {
                    leading_break = true;
                }
                if last {
                    trailing_break = true;
                }
                if previous_space {
                    space_break = true;
                }
                previous_space = false;
                previous_break = true;
            } else {
                previous_space = false;
                previous_break = false;
            }
            preceded_by_whitespace = c == ' ' || c == '\t' || c == '\0' || is_break(c);
            first = false;
        }

        let mut a = Analysis {
            multiline: line_breaks,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: true,
        };
        if leading_space || leading_break || trailing_space || trailing_break {
            a.block_plain_allowed = false;
        }
        if trailing_space {
            a.block_allowed = false;
        }
        if break_space {
            a.block_plain_allowed = false;
            a.single_quoted_allowed = false;
        }
        if space_break || special_characters {
            a.block_plain_allowed = false;
            a.single_quoted_allowed = false;
            a.block_allowed = false;
        }
        if line_breaks || block_indicators {
            a.block_plain_allowed = false;
        }
        a
    }
}

impl Analysis {
    /// [`Analysis::of`] for printable ASCII without line breaks (`is_ascii_line`): no
    /// special characters and no breaks, so only indicators and edge spaces matter.
    fn of_ascii_line(bytes: &[u8], mut block_indicators: bool) -> Analysis {
        let n = bytes.len();
        let spaced = |i: usize| i >= n || bytes[i] == b' ';
        block_indicators = block_indicators
            || match bytes[0] {
                b'#' | b',' | b'[' | b']' | b'{' | b'}' | b'&' | b'*' | b'!' | b'|' | b'>'
                | b'\'' | b'"' | b'%' | b'@' | b'`' => true,
                b'?' | b':' | b'-' => spaced(1),
                _ => false,
            }
            || (1..n).any(|i| match bytes[i] {
                b':' => spaced(i + 1),
                b'#' => bytes[i - 1] == b' ',
                _ => false,
            });
        let edge_space = bytes[0] == b' ' || bytes[n - 1] == b' ';
        Analysis {
            multiline: false,
            block_plain_allowed: !edge_space && !block_indicators,
            single_quoted_allowed: true,
            block_allowed: bytes[n - 1] != b' ',
        }
    }
}

/// Printable ASCII without line breaks or tabs (`' '..='~'`): every byte is one character.
fn is_ascii_line(value: &str) -> bool {
    value.bytes().all(|b| (b' '..=b'~').contains(&b))
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// libyaml's `is_printable` (which leaves out everything above the BMP).
fn is_printable(c: char) -> bool {
    matches!(c, '\n' | ' '..='~' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        && c != '\u{FEFF}'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emit(json: serde_json::Value) -> String {
        to_string(&Value::from(json))
    }

    #[test]
    fn block_layout() {
        let out = emit(serde_json::json!({
            "kind": "ConfigMap", "apiVersion": "v1",
            "list": ["a", {"x": 1, "y": [1, 2]}, [3, 4]], "n": "n",
            "empty": {}, "none": [], "nil": null
        }));
        let expected = "apiVersion: v1\nempty: {}\nkind: ConfigMap\nlist:\n- a\n- x: 1\n  \"y\":\n  - 1\n  - 2\n- - 3\n  - 4\n\"n\": \"n\"\nnil: null\nnone: []\n";
        assert_eq!(out, expected);
    }

    #[test]
    fn quoting() {
        let cases = [
            ("yes", "\"yes\""),
            ("1.0", "\"1.0\""),
            ("null", "\"null\""),
            ("0644", "\"0644\""),
            ("2001-12-14", "\"2001-12-14\""),
            ("1:30", "\"1:30\""),
            ("", "\"\""),
            ("=", "="),
            ("- a", "'- a'"),
            ("a: b", "'a: b'"),
            ("it's", "it's"),
            ("'x'", "'''x'''"),
            (" lead", "' lead'"),
            ("tab\there", "\"tab\\there\""),
            ("emoji 😀", "\"emoji \\U0001F600\""),
            ("é", "é"),
            ("*star", "'*star'"),
            ("a #b", "'a #b'"),
            ("a#b", "a#b"),
        ];
        for (input, want) in cases {
            assert_eq!(
                emit(serde_json::json!({ "k": input })),
                format!("k: {want}\n"),
                "{input:?}"
            );
        }
    }

    #[test]
    fn literal_blocks() {
        assert_eq!(emit(serde_json::json!({"k": "a\nb\n"})), "k: |\n  a\n  b\n");
        assert_eq!(emit(serde_json::json!({"k": "a\nb"})), "k: |-\n  a\n  b\n");
        assert_eq!(emit(serde_json::json!({"k": "a\n\n"})), "k: |+\n  a\n\n");
        assert_eq!(
            emit(serde_json::json!({"k": "  a\nb\n"})),
            "k: |2\n    a\n  b\n"
        );
        assert_eq!(
            emit(serde_json::json!({"k": "a \nb\n"})),
            "k: \"a \\nb\\n\"\n"
        );
        assert_eq!(
            emit(serde_json::json!({"k": ["x\ny"]})),
            "k:\n- |-\n  x\n  y\n"
        );
    }

    #[test]
    fn long_strings_fold_at_80() {
        let words = vec!["word"; 30].join(" ");
        let out = emit(serde_json::json!({ "k": words }));
        let first = out.lines().next().unwrap();
        assert!(first.len() > 80 && first.len() < 90, "{out}");
        assert!(out.lines().nth(1).unwrap().starts_with("  word"), "{out}");
    }

    #[test]
    fn nel_folds_like_the_json_reread() {
        assert_eq!(json_reread("a \u{85} b"), "a b");
        assert_eq!(json_reread("a\u{85}\u{85}\u{85}b"), "a\n\nb");
        assert_eq!(json_reread("plain"), "plain");
        assert_eq!(
            emit(serde_json::json!({"k": "\"q\" \u{85} \u{a0} x"})),
            "k: '\"q\" \u{a0} x'\n"
        );
    }

    /// Random text (words, spaces, quotes, indicators, breaks, non-ASCII) as keys and values
    /// at several depths: the ASCII fast paths write what the general code writes.
    #[test]
    fn ascii_fast_paths_write_what_the_general_code_writes() {
        const PIECES: &[&str] = &[
            "word",
            "a",
            "Longer-words_here",
            " ",
            "  ",
            "'",
            "\"",
            "\\",
            ":",
            ": ",
            "#",
            " #",
            "-",
            "?",
            "[",
            "{",
            ",",
            "\n",
            "\n\n",
            "\t",
            "é",
            "\u{85}",
            "0",
            "true",
            "---",
            "`",
            "%",
            "@",
            "*",
            "!",
            "|",
            ">",
            "~",
        ];
        let mut rng = crate::test_rng::Rng::new(0x2545_f491_4f6c_dd1d_u64);
        let mut next = |n: usize| rng.below(n);
        for round in 0..3000 {
            let len = next(if round % 10 == 0 { 120 } else { 12 });
            let text: String = (0..len).map(|_| PIECES[next(PIECES.len())]).collect();
            let nested = Value::Map(Map::from([
                (text.clone(), Value::String(text.clone().into())),
                (
                    "list".to_string(),
                    Value::Seq(vec![
                        Value::String(text.clone().into()),
                        Value::Map(Map::from([(
                            "deeper".to_string(),
                            Value::String(text.clone().into()),
                        )])),
                    ]),
                ),
            ]));
            for v in [Value::String(text.clone().into()), nested] {
                for (width, v3) in [(BEST_WIDTH, false), (usize::MAX, true)] {
                    assert_eq!(
                        emit_with(&v, width, v3, true),
                        emit_with(&v, width, v3, false),
                        "text {text:?}"
                    );
                }
            }
        }
    }

    /// go-yaml v3 (Helm 4's `toYamlPretty`) does not fold long scalars, plain ones included.
    #[test]
    fn v3_does_not_fold() {
        let long = "word ".repeat(30).trim_end().to_string();
        let v = Value::Map(Map::from([("a", Value::String(long.as_str().into()))]));
        assert_eq!(to_string_v3(&v), format!("a: {long}\n"));
        assert!(to_string(&v).contains("word\n  word"));
    }

    #[test]
    fn numbers() {
        assert_eq!(
            emit(serde_json::json!({"a": 1.0, "b": 0.5, "c": 1e21, "d": -3})),
            "a: 1\nb: 0.5\nc: 1e+21\nd: -3\n"
        );
    }
}
