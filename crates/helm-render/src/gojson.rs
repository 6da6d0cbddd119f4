//! JSON decoding as Go's `encoding/json` does it for Helm's `fromJson`, `fromJsonArray` and
//! `mustFromJson` (a leaf module): the whole input is checked first and a syntax error is worded
//! as Go's scanner words it (`invalid character 'x' looking for beginning of value`,
//! `unexpected end of JSON input`, ...); values decode as `interface{}` does (numbers float64,
//! invalid surrogate escapes U+FFFD, the last of duplicate keys wins).

use std::collections::BTreeMap;

use gotemplate::GoValue;

/// encoding/json's nesting limit.
const MAX_DEPTH: usize = 10_000;

/// Go's `quoteChar`: a byte of the input as the scanner names it.
fn quote_byte(c: u8) -> String {
    match c {
        b'\'' => r"'\''".into(),
        b'"' => "'\"'".into(),
        _ => {
            // Go quotes the byte read as a rune (U+0000..U+00FF).
            let q = gotemplate::strconv::quote_go(&char::from(c).to_string());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

fn syntax(c: u8, context: &str) -> String {
    format!("invalid character {} {context}", quote_byte(c))
}

const EOF: &str = "unexpected end of JSON input";

/// At the end of the input Go's scanner reads one more space: a token it cuts short is an
/// error about that space.
fn at_end(context: &str) -> String {
    syntax(b' ', context)
}

#[derive(Clone, Copy, PartialEq)]
enum Frame {
    /// Inside an object, before a key or between key and value.
    Object,
    Array,
}

/// Checks `s` as Go's `checkValid` does, with its messages.
pub(crate) fn check_valid(s: &[u8]) -> Result<(), String> {
    let mut i = 0;
    let mut stack: Vec<Frame> = Vec::new();
    let ws = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r');
    let next = |i: &mut usize| -> Option<u8> {
        let c = s.get(*i).copied();
        *i += 1;
        c
    };
    // Each loop turn reads one value (skipping space first), then what follows it.
    'value: loop {
        let c = loop {
            match next(&mut i) {
                None => return Err(EOF.into()),
                Some(c) if ws(c) => continue,
                Some(c) => break c,
            }
        };
        match c {
            b'{' | b'[' => {
                if stack.len() >= MAX_DEPTH {
                    return Err(syntax(c, "exceeded max depth"));
                }
                let close = if c == b'{' { b'}' } else { b']' };
                let d = loop {
                    match s.get(i).copied() {
                        None => return Err(EOF.into()),
                        Some(d) if ws(d) => i += 1,
                        Some(d) => break d,
                    }
                };
                if d == close {
                    i += 1;
                } else if c == b'{' {
                    i += 1;
                    if d != b'"' {
                        return Err(syntax(d, "looking for beginning of object key string"));
                    }
                    string(s, &mut i)?;
                    colon(s, &mut i)?;
                    stack.push(Frame::Object);
                    continue 'value;
                } else {
                    stack.push(Frame::Array);
                    continue 'value;
                }
            }
            b'"' => string(s, &mut i)?,
            b'-' | b'0'..=b'9' => number(s, &mut i, c)?,
            b't' => literal(s, &mut i, b"rue", "true")?,
            b'f' => literal(s, &mut i, b"alse", "false")?,
            b'n' => literal(s, &mut i, b"ull", "null")?,
            _ => return Err(syntax(c, "looking for beginning of value")),
        }
        // After a value: close containers, or go on to the next element.
        loop {
            let Some(&top) = stack.last() else {
                return match s[i.min(s.len())..].iter().find(|&&c| !ws(c)) {
                    Some(&c) => Err(syntax(c, "after top-level value")),
                    None => Ok(()),
                };
            };
            let c = loop {
                match next(&mut i) {
                    None => return Err(EOF.into()),
                    Some(c) if ws(c) => continue,
                    Some(c) => break c,
                }
            };
            match (top, c) {
                (Frame::Object, b',') => {
                    let d = loop {
                        match next(&mut i) {
                            None => return Err(EOF.into()),
                            Some(d) if ws(d) => continue,
                            Some(d) => break d,
                        }
                    };
                    if d != b'"' {
                        return Err(syntax(d, "looking for beginning of object key string"));
                    }
                    string(s, &mut i)?;
                    colon(s, &mut i)?;
                    continue 'value;
                }
                (Frame::Object, b'}') | (Frame::Array, b']') => {
                    stack.pop();
                }
                (Frame::Object, _) => return Err(syntax(c, "after object key:value pair")),
                (Frame::Array, b',') => continue 'value,
                (Frame::Array, _) => return Err(syntax(c, "after array element")),
            }
        }
    }
}

/// The `:` after an object key.
fn colon(s: &[u8], i: &mut usize) -> Result<(), String> {
    loop {
        let Some(&c) = s.get(*i) else {
            return Err(EOF.into());
        };
        *i += 1;
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => {}
            b':' => return Ok(()),
            _ => return Err(syntax(c, "after object key")),
        }
    }
}

/// The rest of a string literal after its opening quote.
fn string(s: &[u8], i: &mut usize) -> Result<(), String> {
    loop {
        let Some(&c) = s.get(*i) else {
            return Err(EOF.into());
        };
        *i += 1;
        match c {
            b'"' => return Ok(()),
            b'\\' => {
                let Some(&e) = s.get(*i) else {
                    return Err(at_end("in string escape code"));
                };
                *i += 1;
                match e {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                    b'u' => {
                        for _ in 0..4 {
                            let Some(&h) = s.get(*i) else {
                                return Err(at_end("in \\u hexadecimal character escape"));
                            };
                            *i += 1;
                            if !h.is_ascii_hexdigit() {
                                return Err(syntax(h, "in \\u hexadecimal character escape"));
                            }
                        }
                    }
                    _ => return Err(syntax(e, "in string escape code")),
                }
            }
            c if c < 0x20 => return Err(syntax(c, "in string literal")),
            _ => {}
        }
    }
}

/// A number whose first byte `first` was read; stops before the byte that ends it.
fn number(s: &[u8], i: &mut usize, first: u8) -> Result<(), String> {
    let peek = |i: usize| s.get(i).copied();
    let mut lead = first;
    if first == b'-' {
        match peek(*i) {
            None => return Err(at_end("in numeric literal")),
            Some(c @ b'0'..=b'9') => {
                lead = c;
                *i += 1;
            }
            Some(c) => return Err(syntax(c, "in numeric literal")),
        }
    }
    if lead != b'0' {
        while matches!(peek(*i), Some(b'0'..=b'9')) {
            *i += 1;
        }
    }
    if peek(*i) == Some(b'.') {
        *i += 1;
        match peek(*i) {
            None => return Err(at_end("after decimal point in numeric literal")),
            Some(b'0'..=b'9') => {}
            Some(c) => return Err(syntax(c, "after decimal point in numeric literal")),
        }
        while matches!(peek(*i), Some(b'0'..=b'9')) {
            *i += 1;
        }
    }
    if matches!(peek(*i), Some(b'e' | b'E')) {
        *i += 1;
        if matches!(peek(*i), Some(b'+' | b'-')) {
            *i += 1;
        }
        match peek(*i) {
            None => return Err(at_end("in exponent of numeric literal")),
            Some(b'0'..=b'9') => {}
            Some(c) => return Err(syntax(c, "in exponent of numeric literal")),
        }
        while matches!(peek(*i), Some(b'0'..=b'9')) {
            *i += 1;
        }
    }
    Ok(())
}

fn literal(s: &[u8], i: &mut usize, rest: &[u8], word: &str) -> Result<(), String> {
    for &want in rest {
        let context = format!("in literal {word} (expecting {})", quote_byte(want));
        let Some(&c) = s.get(*i) else {
            return Err(at_end(&context));
        };
        *i += 1;
        if c != want {
            return Err(syntax(c, &context));
        }
    }
    Ok(())
}

/// What `json.Unmarshal` into an `interface{}` gives for valid input: the value, and the first
/// error it saved on the way (a number out of float64's range decodes as nil).
pub(crate) fn decode(s: &str) -> Result<(GoValue, Option<String>), String> {
    check_valid(s.as_bytes())?;
    let mut d = Decoder {
        s: s.as_bytes(),
        i: 0,
        saved: None,
    };
    let v = d.value();
    Ok((v, d.saved))
}

struct Decoder<'a> {
    s: &'a [u8],
    i: usize,
    saved: Option<String>,
}

enum Open {
    List(Vec<GoValue>),
    Map(BTreeMap<String, GoValue>, String),
}

impl Decoder<'_> {
    fn skip_ws(&mut self) {
        while matches!(self.s.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> u8 {
        self.skip_ws();
        self.s[self.i]
    }

    /// A key and its colon.
    fn key(&mut self) -> String {
        self.skip_ws();
        self.i += 1;
        let k = self.string();
        self.skip_ws();
        self.i += 1;
        k
    }

    /// Decodes valid JSON without recursion (the input may nest 10,000 deep).
    fn value(&mut self) -> GoValue {
        let mut stack: Vec<Open> = Vec::new();
        loop {
            let mut v = match self.peek() {
                b'[' => {
                    self.i += 1;
                    if self.peek() == b']' {
                        self.i += 1;
                        GoValue::from(Vec::new())
                    } else {
                        stack.push(Open::List(Vec::new()));
                        continue;
                    }
                }
                b'{' => {
                    self.i += 1;
                    if self.peek() == b'}' {
                        self.i += 1;
                        GoValue::new_map()
                    } else {
                        let k = self.key();
                        stack.push(Open::Map(BTreeMap::new(), k));
                        continue;
                    }
                }
                b'"' => {
                    self.i += 1;
                    GoValue::from(self.string())
                }
                b't' => {
                    self.i += 4;
                    GoValue::Bool(true)
                }
                b'f' => {
                    self.i += 5;
                    GoValue::Bool(false)
                }
                b'n' => {
                    self.i += 4;
                    GoValue::Nil
                }
                _ => self.number(),
            };
            // Store the value; close every container that ends here.
            loop {
                let Some(top) = stack.last_mut() else {
                    return v;
                };
                match top {
                    Open::List(items) => items.push(v),
                    Open::Map(m, k) => {
                        m.insert(std::mem::take(k), v);
                    }
                }
                let c = self.peek();
                self.i += 1;
                if c == b',' {
                    if let Some(Open::Map(_, k)) = stack.last_mut() {
                        *k = self.key();
                    }
                    break;
                }
                v = match stack.pop() {
                    Some(Open::List(items)) => GoValue::from(items),
                    Some(Open::Map(m, _)) => GoValue::from(m),
                    None => unreachable!("a container was open"),
                };
            }
        }
    }

    fn number(&mut self) -> GoValue {
        let start = self.i;
        while matches!(
            self.s.get(self.i),
            Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
        ) {
            self.i += 1;
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("0");
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => GoValue::Float(f),
            _ => {
                self.saved.get_or_insert_with(|| {
                    format!("json: cannot unmarshal number {text} into Go value of type float64")
                });
                GoValue::Nil
            }
        }
    }

    /// The rest of a (valid) string literal after its opening quote.
    fn string(&mut self) -> String {
        let mut out = String::new();
        loop {
            let start = self.i;
            while !matches!(self.s[self.i], b'"' | b'\\') {
                self.i += 1;
            }
            out.push_str(std::str::from_utf8(&self.s[start..self.i]).unwrap_or(""));
            let c = self.s[self.i];
            self.i += 1;
            if c == b'"' {
                return out;
            }
            let e = self.s[self.i];
            self.i += 1;
            match e {
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => {
                    let hi = self.hex4();
                    if (0xD800..0xDC00).contains(&hi)
                        && self.s.get(self.i) == Some(&b'\\')
                        && self.s.get(self.i + 1) == Some(&b'u')
                    {
                        let save = self.i;
                        self.i += 2;
                        let lo = self.hex4();
                        if (0xDC00..0xE000).contains(&lo) {
                            let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                            out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                            continue;
                        }
                        // Not a pair: the high half alone is invalid, the next escape is
                        // read on its own.
                        self.i = save;
                    }
                    out.push(char::from_u32(hi).unwrap_or('\u{FFFD}'));
                }
                other => out.push(char::from(other)),
            }
        }
    }

    fn hex4(&mut self) -> u32 {
        let h = std::str::from_utf8(&self.s[self.i..self.i + 4]).unwrap_or("0");
        self.i += 4;
        u32::from_str_radix(h, 16).unwrap_or(0xFFFD)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(s: &str) -> String {
        decode(s).unwrap_err()
    }

    #[test]
    fn syntax_errors_are_worded_as_gos_scanner() {
        for (input, want) in [
            ("", "unexpected end of JSON input"),
            ("  ", "unexpected end of JSON input"),
            ("[1,", "unexpected end of JSON input"),
            ("\"ab", "unexpected end of JSON input"),
            (
                "abc",
                "invalid character 'a' looking for beginning of value",
            ),
            (
                "ÄÖü",
                "invalid character 'Ã' looking for beginning of value",
            ),
            (
                "'a'",
                r"invalid character '\'' looking for beginning of value",
            ),
            ("\n- a", "invalid character ' ' in numeric literal"),
            ("- 0", "invalid character ' ' in numeric literal"),
            (
                "1.x",
                "invalid character 'x' after decimal point in numeric literal",
            ),
            (
                "1e+",
                "invalid character ' ' in exponent of numeric literal",
            ),
            ("-", "invalid character ' ' in numeric literal"),
            (
                "1.",
                "invalid character ' ' after decimal point in numeric literal",
            ),
            ("n", "invalid character ' ' in literal null (expecting 'u')"),
            ("\"\\", "invalid character ' ' in string escape code"),
            (
                "\"\\u12",
                r"invalid character ' ' in \u hexadecimal character escape",
            ),
            (
                "1ex",
                "invalid character 'x' in exponent of numeric literal",
            ),
            ("01", "invalid character '1' after top-level value"),
            ("{} x", "invalid character 'x' after top-level value"),
            (
                "{a:1}",
                "invalid character 'a' looking for beginning of object key string",
            ),
            ("{\"a\" 1}", "invalid character '1' after object key"),
            (
                "{\"a\":1 \"b\"}",
                "invalid character '\"' after object key:value pair",
            ),
            (
                "{\"a\":1,}",
                "invalid character '}' looking for beginning of object key string",
            ),
            ("[1 2]", "invalid character '2' after array element"),
            (
                "[1,]",
                "invalid character ']' looking for beginning of value",
            ),
            (
                "tru",
                "invalid character ' ' in literal true (expecting 'e')",
            ),
            (
                "trux",
                "invalid character 'x' in literal true (expecting 'e')",
            ),
            (
                "nul1",
                "invalid character '1' in literal null (expecting 'l')",
            ),
            (
                "fals",
                "invalid character ' ' in literal false (expecting 'e')",
            ),
            ("\"a\tb\"", r"invalid character '\t' in string literal"),
            ("\"\\x\"", "invalid character 'x' in string escape code"),
            (
                "\"\\u12g4\"",
                r"invalid character 'g' in \u hexadecimal character escape",
            ),
            (
                "\u{1}",
                r"invalid character '\x01' looking for beginning of value",
            ),
        ] {
            assert_eq!(err(input), want, "input {input:?}");
        }
        let deep = "[".repeat(MAX_DEPTH + 1);
        assert_eq!(err(&deep), "invalid character '[' exceeded max depth");
    }

    #[test]
    fn values_decode_as_interface() {
        let (v, saved) = decode(r#" {"b": [1, 2.5e1, -0, true, null], "a": {"x": "y\u00e9\ud83d\ude00\ud800z"}, "a": "last"} "#).unwrap();
        assert_eq!(saved, None);
        let GoValue::Map(m) = v else {
            panic!("not a map")
        };
        assert_eq!(m.borrow()["a"], GoValue::from("last"));
        assert_eq!(
            m.borrow()["b"],
            GoValue::from(vec![
                GoValue::Float(1.0),
                GoValue::Float(25.0),
                GoValue::Float(-0.0),
                GoValue::Bool(true),
                GoValue::Nil
            ])
        );
        let (v, _) = decode(r#""\ud83d\ude00\ud800z\u0041""#).unwrap();
        assert_eq!(v, GoValue::from("😀\u{FFFD}zA"));
        let (v, saved) = decode(r#"[1e400, 2]"#).unwrap();
        assert_eq!(v, GoValue::from(vec![GoValue::Nil, GoValue::Float(2.0)]));
        assert_eq!(
            saved.as_deref(),
            Some("json: cannot unmarshal number 1e400 into Go value of type float64")
        );
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(decode(&deep).is_ok());
    }
}
