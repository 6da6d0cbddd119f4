//! Plain-scalar resolution: which text means null, bool, int or float, per [`Dialect`].
//! The tables follow go-yaml v3 (kyaml, [`Dialect::Kube`]) and go-yaml v2 (Helm,
//! [`Dialect::Helm`]); the emitter also uses [`resolves_to_non_string`] to decide quoting.

use super::{Dialect, Value};

/// What a plain scalar resolves to, before it becomes a [`Value`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Resolved {
    Null,
    Bool(bool),
    Int(i64),
    /// An integer above `i64::MAX` (Go reads it as `uint64`).
    Uint(u64),
    Float(f64),
    /// Looks like a YAML timestamp: Go keeps it as a string when decoding into `interface{}`,
    /// but quotes it on the way out.
    Timestamp,
    Str,
}

impl Resolved {
    pub(crate) fn into_value(self, text: std::borrow::Cow<'_, str>) -> Value {
        match self {
            Resolved::Null => Value::Null,
            Resolved::Bool(b) => Value::Bool(b),
            Resolved::Int(i) => Value::Int(i),
            Resolved::Uint(u) => Value::Float(u as f64),
            Resolved::Float(f) => Value::Float(f),
            Resolved::Timestamp | Resolved::Str => Value::String(text.into_owned().into()),
        }
    }
}

/// Resolves an untagged plain scalar the way go-yaml's `resolve("", text)` does.
pub(crate) fn resolve_plain(text: &str, dialect: Dialect) -> Resolved {
    let Some(&first) = text.as_bytes().first() else {
        return Resolved::Null;
    };
    match first {
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => {
            lookup_table(text, dialect).unwrap_or(Resolved::Str)
        }
        b'.' => lookup_table(text, dialect).unwrap_or_else(|| {
            if is_dot_float(text) {
                text.parse::<f64>().map_or(Resolved::Str, Resolved::Float)
            } else {
                Resolved::Str
            }
        }),
        b'+' | b'-' | b'0'..=b'9' => {
            lookup_table(text, dialect).unwrap_or_else(|| resolve_number(text))
        }
        _ => Resolved::Str,
    }
}

/// The fixed words of each dialect (go-yaml's `resolveMap`).
fn lookup_table(text: &str, dialect: Dialect) -> Option<Resolved> {
    let r = match text {
        "~" | "null" | "Null" | "NULL" => Resolved::Null,
        "true" | "True" | "TRUE" => Resolved::Bool(true),
        "false" | "False" | "FALSE" => Resolved::Bool(false),
        ".nan" | ".NaN" | ".NAN" => Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Resolved::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Resolved::Float(f64::NEG_INFINITY),
        _ if dialect == Dialect::Helm => match text {
            "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Resolved::Bool(true),
            "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Resolved::Bool(false),
            _ => return None,
        },
        _ => return None,
    };
    Some(r)
}

/// `.5`, `.5e3`: what Go's `ParseFloat` accepts for text starting with a dot.
fn is_dot_float(text: &str) -> bool {
    let rest = &text.as_bytes()[1..];
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    digits > 0 && is_exponent_or_empty(&rest[digits..])
}

fn is_exponent_or_empty(s: &[u8]) -> bool {
    match s {
        [] => true,
        [b'e' | b'E', rest @ ..] => {
            let rest = match rest {
                [b'+' | b'-', r @ ..] => r,
                r => r,
            };
            !rest.is_empty() && rest.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

/// Timestamp, then Go `ParseInt(s, 0, 64)`, `ParseUint`, then a YAML-style float; underscores
/// are dropped first, as go-yaml does.
fn resolve_number(text: &str) -> Resolved {
    if looks_like_timestamp(text) {
        return Resolved::Timestamp;
    }
    let plain: std::borrow::Cow<str> = if text.contains('_') {
        text.replace('_', "").into()
    } else {
        text.into()
    };
    if let Some(i) = go_parse_int(&plain) {
        return match i {
            GoInt::Signed(i) => Resolved::Int(i),
            GoInt::Unsigned(u) => Resolved::Uint(u),
        };
    }
    if is_yaml_style_float(&plain)
        && let Ok(f) = plain.parse::<f64>()
        && f.is_finite()
    {
        return Resolved::Float(f);
    }
    Resolved::Str
}

enum GoInt {
    Signed(i64),
    Unsigned(u64),
}

/// Go's `strconv.ParseInt(s, 0, 64)`, falling back to `ParseUint(s, 0, 64)`.
fn go_parse_int(s: &str) -> Option<GoInt> {
    let (neg, body) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let unsigned = go_parse_uint_base0(body)?;
    if neg {
        if unsigned <= i64::MAX as u64 + 1 {
            Some(GoInt::Signed((unsigned as i64).wrapping_neg()))
        } else {
            None
        }
    } else if unsigned <= i64::MAX as u64 {
        Some(GoInt::Signed(unsigned as i64))
    } else if s.starts_with('+') {
        // ParseUint does not accept a sign.
        None
    } else {
        Some(GoInt::Unsigned(unsigned))
    }
}

fn go_parse_uint_base0(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    let (radix, digits) = if b[0] == b'0' && b.len() >= 3 {
        match b[1] {
            b'x' | b'X' => (16, &s[2..]),
            b'o' | b'O' => (8, &s[2..]),
            b'b' | b'B' => (2, &s[2..]),
            _ => (8, &s[1..]),
        }
    } else if b[0] == b'0' && b.len() > 1 {
        (8, &s[1..])
    } else {
        (10, s)
    };
    if digits.is_empty() || !digits.bytes().all(|c| (c as char).is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(s: &str) -> bool {
    let mut b = s.as_bytes();
    if let [b'+' | b'-', rest @ ..] = b {
        b = rest;
    }
    let int_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    b = &b[int_digits..];
    if let [b'.', rest @ ..] = b {
        let frac = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        if int_digits == 0 && frac == 0 {
            return false;
        }
        b = &rest[frac..];
    } else if int_digits == 0 {
        return false;
    }
    is_exponent_or_empty(b)
}

/// The timestamp forms go-yaml accepts (`2006-1-2`, `2006-1-2T15:4:5Z07:00`, `2006-1-2 15:4:5`
/// with optional fraction), as Go's `time.Parse` would validate them.
pub(crate) fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let mut p = Cursor { b, i: 5 };
    let Some(month) = p.num(1, 2) else {
        return false;
    };
    if !p.eat(b'-') {
        return false;
    }
    let Some(day) = p.num(1, 2) else { return false };
    let year: u32 = s[..4].parse().unwrap_or(0);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return false;
    }
    if p.done() {
        return true;
    }
    let sep = b[p.i];
    if sep != b'T' && sep != b't' && sep != b' ' {
        return false;
    }
    p.i += 1;
    let (Some(h), true, Some(m), true, Some(sec)) = (
        p.num(1, 2),
        p.eat(b':'),
        p.num(1, 2),
        p.eat(b':'),
        p.num(1, 2),
    ) else {
        return false;
    };
    if h > 23 || m > 59 || sec > 59 {
        return false;
    }
    if p.peek() == Some(b'.') || p.peek() == Some(b',') {
        p.i += 1;
        let frac = p.b[p.i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if frac == 0 || frac > 9 {
            return false;
        }
        p.i += frac;
    }
    if sep == b' ' {
        return p.done();
    }
    // Z07:00: `Z` or `±hh:mm`.
    match p.peek() {
        Some(b'Z') => {
            p.i += 1;
            p.done()
        }
        Some(b'+' | b'-') => {
            p.i += 1;
            let ok = p.fixed(2).is_some_and(|h| h <= 23)
                && p.eat(b':')
                && p.fixed(2).is_some_and(|m| m <= 59);
            ok && p.done()
        }
        _ => false,
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn done(&self) -> bool {
        self.i == self.b.len()
    }
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn num(&mut self, min: usize, max: usize) -> Option<u32> {
        let n = self.b[self.i..]
            .iter()
            .take(max)
            .take_while(|c| c.is_ascii_digit())
            .count();
        if n < min {
            return None;
        }
        let v = std::str::from_utf8(&self.b[self.i..self.i + n])
            .ok()?
            .parse()
            .ok()?;
        self.i += n;
        Some(v)
    }
    fn fixed(&mut self, n: usize) -> Option<u32> {
        let start = self.i;
        let v = self.num(n, n)?;
        debug_assert_eq!(self.i, start + n);
        Some(v)
    }
}

/// True when go-yaml v2 would read `s`, written plain, as something other than a string
/// (including base-60 floats, which v2 only quotes). The emitter must quote such strings.
pub(crate) fn resolves_to_non_string(s: &str) -> bool {
    !matches!(resolve_plain(s, Dialect::Helm), Resolved::Str) || is_base60_float(s)
}

/// go-yaml v2's `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
fn is_base60_float(s: &str) -> bool {
    let mut b = s.as_bytes();
    if let [b'+' | b'-', rest @ ..] = b {
        b = rest;
    }
    if !b.first().is_some_and(u8::is_ascii_digit) || !b.contains(&b':') {
        return false;
    }
    let head = b
        .iter()
        .take_while(|c| c.is_ascii_digit() || **c == b'_')
        .count();
    b = &b[head..];
    let mut groups = 0;
    while let [b':', rest @ ..] = b {
        let d = rest
            .iter()
            .take(2)
            .take_while(|c| c.is_ascii_digit())
            .count();
        match d {
            1 => b = &rest[1..],
            2 if rest[0] <= b'5' => b = &rest[2..],
            2 => b = &rest[1..],
            _ => return false,
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    match b {
        [] => true,
        [b'.', rest @ ..] => rest.iter().all(|c| c.is_ascii_digit() || *c == b'_'),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kube(s: &str) -> Value {
        resolve_plain(s, Dialect::Kube).into_value(s.into())
    }
    fn helm(s: &str) -> Value {
        resolve_plain(s, Dialect::Helm).into_value(s.into())
    }

    #[test]
    fn kube_reads_only_true_false_as_bools() {
        assert_eq!(kube("true"), Value::Bool(true));
        assert_eq!(kube("False"), Value::Bool(false));
        for s in ["yes", "no", "on", "off", "y", "n", "Yes", "ON"] {
            assert_eq!(kube(s), Value::String(s.into()), "{s}");
        }
    }

    #[test]
    fn helm_reads_yaml11_bools() {
        for s in [
            "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE",
        ] {
            assert_eq!(helm(s), Value::Bool(true), "{s}");
        }
        for s in [
            "n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE",
        ] {
            assert_eq!(helm(s), Value::Bool(false), "{s}");
        }
        assert_eq!(helm("yEs"), Value::String("yEs".into()));
    }

    #[test]
    fn numbers_follow_go_parse_int_base0() {
        for d in [Dialect::Kube, Dialect::Helm] {
            let r = |s: &str| resolve_plain(s, d).into_value(s.into());
            assert_eq!(r("0644"), Value::Int(420));
            assert_eq!(r("0o644"), Value::Int(420));
            assert_eq!(r("0x1F"), Value::Int(31));
            assert_eq!(r("-0x1F"), Value::Int(-31));
            assert_eq!(r("0b101"), Value::Int(5));
            assert_eq!(r("1_000"), Value::Int(1000));
            assert_eq!(r("+12"), Value::Int(12));
            assert_eq!(r("08"), Value::Float(8.0));
            assert_eq!(r("1.5"), Value::Float(1.5));
            assert_eq!(r("1e3"), Value::Float(1000.0));
            assert_eq!(r(".5"), Value::Float(0.5));
            assert_eq!(r("1e400"), Value::String("1e400".into()));
            assert_eq!(r("0x"), Value::String("0x".into()));
            assert_eq!(r("1:30"), Value::String("1:30".into()));
            assert_eq!(r("2001-12-14"), Value::String("2001-12-14".into()));
            assert_eq!(r("-9223372036854775808"), Value::Int(i64::MIN));
            assert_eq!(r("="), Value::String("=".into()));
            assert!(matches!(r(".inf"), Value::Float(f) if f.is_infinite()));
            assert_eq!(r("~"), Value::Null);
            assert_eq!(r(""), Value::Null);
            assert_eq!(r("Null"), Value::Null);
            assert_eq!(r("1.2.3"), Value::String("1.2.3".into()));
            assert_eq!(r("v1"), Value::String("v1".into()));
        }
    }

    #[test]
    fn emitter_quotes_what_v2_would_not_read_back_as_string() {
        for s in [
            "yes",
            "1.0",
            "null",
            "0644",
            "2001-12-14",
            "1:30",
            "",
            "~",
            "Off",
            "1e3",
            ".5",
            "-.inf",
        ] {
            assert!(resolves_to_non_string(s), "{s}");
        }
        for s in [
            "=",
            "v1",
            "1.2.3",
            "abc",
            "1:60:x",
            "2001-13-14",
            "1a",
            "-",
            "nginx:1.25",
            "<<",
        ] {
            assert!(!resolves_to_non_string(s), "{s}");
        }
    }

    #[test]
    fn timestamps_are_validated_like_time_parse() {
        assert!(looks_like_timestamp("2001-12-14"));
        assert!(looks_like_timestamp("2001-1-2"));
        assert!(looks_like_timestamp("2001-12-14T21:59:43.10Z"));
        assert!(looks_like_timestamp("2001-12-14t21:59:43+05:00"));
        assert!(looks_like_timestamp("2001-12-14 21:59:43.10"));
        assert!(!looks_like_timestamp("2001-12-14 21:59:43.10 -5"));
        assert!(!looks_like_timestamp("2001-02-30"));
        assert!(!looks_like_timestamp("2001-12-14T21:59:43"));
        assert!(!looks_like_timestamp("20011-12-14"));
    }
}
