//! Go's regular expressions (RE2 syntax as Go's `regexp/syntax` parses it with the `Perl`
//! flags `regexp.Compile` uses) on top of Rust's `regex` crate.
//!
//! The pattern is parsed with Go's rules and re-emitted in Rust's syntax, so what Go accepts
//! means the same here and what Go rejects fails with Go's error text
//! (`error parsing regexp: invalid character class range: `z-a``). Differences handled:
//! - `\d \w \s \b \B` are ASCII in Go (Unicode in Rust): emitted as ASCII classes / `(?-u:\b)`;
//! - in a class, `-` after a class escape is a literal (`[\w-\.]`), and `&&`, `--`, `~~`, `[`
//!   are literals (Rust reads them as set operations or nested classes): every punctuation
//!   character is emitted escaped;
//! - `\Q...\E` literals, octal escapes (`\012`), `\x{...}`, `\z`, `\A`;
//! - `x{n,m}` needs digits without leading zeros, else `{` is a literal; counts above 1000
//!   (also nested: `(a{100}){20}`) are errors; stacked repetitions (`a**`) are errors;
//! - a repetition applies to the last expression even across a flag group (`a(?i)*`), and to
//!   empty-width assertions (`^*`);
//! - POSIX classes `[[:alpha:]]` and Unicode classes `\pL`, `\p{Greek}`, `\p{^Greek}` accept
//!   only the names Go knows (Unicode categories and scripts, `Any`);
//! - named groups `(?P<n>x)` and `(?<n>x)`; flags `i m s U` with `-` and `:`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;

use regex::Regex;

/// Go's `regexp.Compile` / `MustCompile` error text for `pattern`, or the compiled regex.
pub(crate) fn compile(pattern: &str) -> Result<Regex, String> {
    thread_local! {
        static CACHE: RefCell<HashMap<String, Result<Regex, String>>> = RefCell::new(HashMap::new());
    }
    if let Some(r) = CACHE.with(|c| c.borrow().get(pattern).cloned()) {
        return r;
    }
    let r = translate(pattern)
        .map_err(|e| format!("error parsing regexp: {}: `{}`", e.code, e.expr))
        .and_then(|rust| {
            regex::RegexBuilder::new(&rust)
                .nest_limit(1100)
                .size_limit(64 << 20)
                .dfa_size_limit(16 << 20)
                .build()
                .map_err(|_| format!("error parsing regexp: expression too large: `{pattern}`"))
        });
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() > 512 {
            c.clear();
        }
        c.insert(pattern.to_string(), r.clone());
    });
    r
}

/// Go's `regexp.QuoteMeta`: backslashes before `\.+*?()|[]{}^$` only.
pub(crate) fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if r"\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A Go `regexp/syntax` error: the code's text and the offending part of the expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub code: &'static str,
    pub expr: String,
}

const INVALID_CHAR_CLASS: &str = "invalid character class";
const INVALID_CHAR_RANGE: &str = "invalid character class range";
const INVALID_ESCAPE: &str = "invalid escape sequence";
const INVALID_NAMED_CAPTURE: &str = "invalid named capture";
const INVALID_PERL_OP: &str = "invalid or unsupported Perl syntax";
const INVALID_REPEAT_OP: &str = "invalid nested repetition operator";
const INVALID_REPEAT_SIZE: &str = "invalid repeat count";
const MISSING_BRACKET: &str = "missing closing ]";
const MISSING_PAREN: &str = "missing closing )";
const MISSING_REPEAT_ARGUMENT: &str = "missing argument to repetition operator";
const TRAILING_BACKSLASH: &str = "trailing backslash at end of expression";
const UNEXPECTED_PAREN: &str = "unexpected )";
const NESTING_DEPTH: &str = "expression nests too deeply";

fn err(code: &'static str, expr: &str) -> SyntaxError {
    SyntaxError {
        code,
        expr: expr.to_string(),
    }
}

/// One parsed expression on the current level, in Rust syntax, with the product of the
/// `{n,m}` counts nested inside it (Go's `repeatIsValid` bound of 1000).
struct Item {
    text: String,
    repeat_product: u64,
}

/// What sits on a level's list: an expression, or a piece of text that is not one (a flag
/// group `(?i)`, an alternation bar) and cannot take a repetition.
enum Piece {
    Item(Item),
    Raw(String),
}

struct Level {
    pieces: Vec<Piece>,
    /// The opening text emitted for this group (`(`, `(?:`, `(?i:`), empty for the top level.
    open: String,
}

impl Level {
    fn new(open: String) -> Self {
        Level {
            pieces: Vec::new(),
            open,
        }
    }

    fn render(&self) -> (String, u64) {
        let mut s = String::new();
        let mut prod = 1;
        for p in &self.pieces {
            match p {
                Piece::Item(i) => {
                    s.push_str(&i.text);
                    prod = prod.max(i.repeat_product);
                }
                Piece::Raw(r) => s.push_str(r),
            }
        }
        (s, prod)
    }
}

/// Translates a Go pattern to Rust syntax, or Go's syntax error.
pub(crate) fn translate(pattern: &str) -> Result<String, SyntaxError> {
    let mut levels = vec![Level::new(String::new())];
    let mut t = pattern;
    // The repetition operator text just parsed (Go's lastRepeat), to reject `a**`.
    let mut last_repeat: Option<&str> = None;
    while let Some(c) = t.chars().next() {
        let mut repeat: Option<&str> = None;
        match c {
            '(' => {
                if t.starts_with("(?") {
                    t = perl_flags(t, &mut levels)?;
                } else {
                    t = &t[1..];
                    levels.push(Level::new("(".into()));
                }
                if levels.len() > 1000 {
                    return Err(err(NESTING_DEPTH, pattern));
                }
            }
            '|' => {
                push_raw(&mut levels, "|");
                t = &t[1..];
            }
            ')' => {
                if levels.len() < 2 {
                    return Err(err(UNEXPECTED_PAREN, pattern));
                }
                let Some(level) = levels.pop() else {
                    return Err(err(UNEXPECTED_PAREN, pattern));
                };
                let (inner, prod) = level.render();
                push_item(&mut levels, format!("{}{inner})", level.open), prod);
                t = &t[1..];
            }
            '^' | '$' | '.' => {
                push_item(&mut levels, c.to_string(), 1);
                t = &t[1..];
            }
            '[' => {
                let (class, rest) = parse_class(t)?;
                push_item(&mut levels, class, 1);
                t = rest;
            }
            '*' | '+' | '?' => {
                let before = t;
                let mut after = &t[1..];
                let mut op = c.to_string();
                if let Some(r) = after.strip_prefix('?') {
                    after = r;
                    op.push('?');
                }
                if let Some(lr) = last_repeat {
                    return Err(err(INVALID_REPEAT_OP, &lr[..lr.len() - after.len()]));
                }
                apply_repeat(
                    &mut levels,
                    &op,
                    None,
                    &before[..before.len() - after.len()],
                )?;
                repeat = Some(before);
                t = after;
            }
            '{' => match parse_repeat(t) {
                None => {
                    push_item(&mut levels, lit('{'), 1);
                    t = &t[1..];
                }
                Some((min, max, rest)) => {
                    let before = t;
                    let whole = &before[..before.len() - rest.len()];
                    if !(0..=1000).contains(&min) || max > 1000 || (max >= 0 && min > max) {
                        return Err(err(INVALID_REPEAT_SIZE, whole));
                    }
                    let mut after = rest;
                    let mut op = if max < 0 {
                        format!("{{{min},}}")
                    } else if max == min {
                        format!("{{{min}}}")
                    } else {
                        format!("{{{min},{max}}}")
                    };
                    if let Some(r) = after.strip_prefix('?') {
                        after = r;
                        op.push('?');
                    }
                    if let Some(lr) = last_repeat {
                        return Err(err(INVALID_REPEAT_OP, &lr[..lr.len() - after.len()]));
                    }
                    let m = if max < 0 { min } else { max };
                    apply_repeat(
                        &mut levels,
                        &op,
                        Some((min, max, m as u64)),
                        &before[..before.len() - after.len()],
                    )?;
                    repeat = Some(before);
                    t = after;
                }
            },
            '\\' => {
                t = top_escape(t, &mut levels)?;
            }
            _ => {
                push_item(&mut levels, lit(c), 1);
                t = &t[c.len_utf8()..];
            }
        }
        last_repeat = repeat;
    }
    if levels.len() != 1 {
        return Err(err(MISSING_PAREN, pattern));
    }
    Ok(levels.remove(0).render().0)
}

fn push_item(levels: &mut [Level], text: String, repeat_product: u64) {
    if let Some(l) = levels.last_mut() {
        l.pieces.push(Piece::Item(Item {
            text,
            repeat_product,
        }));
    }
}

fn push_raw(levels: &mut [Level], text: &str) {
    if let Some(l) = levels.last_mut() {
        l.pieces.push(Piece::Raw(text.to_string()));
    }
}

/// Applies a repetition to the last expression of the current level (skipping flag groups,
/// which Go does not push as expressions). `counted` is `(min, max, m)` for `{n,m}`.
fn apply_repeat(
    levels: &mut [Level],
    op: &str,
    counted: Option<(i64, i64, u64)>,
    optext: &str,
) -> Result<(), SyntaxError> {
    let Some(level) = levels.last_mut() else {
        return Err(err(MISSING_REPEAT_ARGUMENT, optext));
    };
    // The last piece that is an expression, with only flag groups after it.
    let mut idx = None;
    for (i, p) in level.pieces.iter().enumerate().rev() {
        match p {
            Piece::Item(_) => {
                idx = Some(i);
                break;
            }
            Piece::Raw(r) if r == "|" => break,
            Piece::Raw(_) => {}
        }
    }
    let Some(i) = idx else {
        return Err(err(MISSING_REPEAT_ARGUMENT, optext));
    };
    let Piece::Item(item) = &mut level.pieces[i] else {
        return Err(err(MISSING_REPEAT_ARGUMENT, optext));
    };
    let mut prod = item.repeat_product;
    if let Some((min, max, m)) = counted {
        if m == 0 {
            prod = 1;
        } else {
            prod = m.saturating_mul(item.repeat_product);
            if (min >= 2 || max >= 2) && prod > 1000 {
                return Err(err(INVALID_REPEAT_SIZE, optext));
            }
        }
    }
    item.text = format!("(?:{}){op}", item.text);
    item.repeat_product = prod;
    Ok(())
}

/// Go's `parseRepeat`: `{n}`, `{n,}`, `{n,m}` (no leading zeros); `None` makes `{` literal.
/// A count over 1e8 is reported as -1 (then rejected as too big).
fn parse_repeat(s: &str) -> Option<(i64, i64, &str)> {
    let s = s.strip_prefix('{')?;
    let (min, s) = parse_int(s)?;
    let (max, s) = if let Some(rest) = s.strip_prefix(',') {
        if rest.starts_with('}') {
            (-1, rest)
        } else {
            let (max, rest) = parse_int(rest)?;
            if max < 0 {
                // too big: Go marks min as invalid
                return rest.strip_prefix('}').map(|r| (-1, -1, r));
            }
            (max, rest)
        }
    } else {
        (min, s)
    };
    let rest = s.strip_prefix('}')?;
    Some((min, max, rest))
}

fn parse_int(s: &str) -> Option<(i64, &str)> {
    let b = s.as_bytes();
    if b.first().is_none_or(|c| !c.is_ascii_digit()) {
        return None;
    }
    if b.len() >= 2 && b[0] == b'0' && b[1].is_ascii_digit() {
        return None;
    }
    let end = b
        .iter()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(b.len());
    let mut n: i64 = 0;
    for &d in &b[..end] {
        if n >= 100_000_000 {
            n = -1;
            break;
        }
        n = n * 10 + i64::from(d - b'0');
    }
    Some((n, &s[end..]))
}

/// `(?` groups: named captures, flag changes `(?i)`, non-capturing groups `(?i:`.
fn perl_flags<'a>(s: &'a str, levels: &mut Vec<Level>) -> Result<&'a str, SyntaxError> {
    let b = s.as_bytes();
    if (b.len() > 4 && b[2] == b'P' && b[3] == b'<') || (b.len() > 3 && b[2] == b'<') {
        let begin = if b[2] == b'<' { 3 } else { 4 };
        let Some(end) = s.find('>') else {
            return Err(err(INVALID_NAMED_CAPTURE, s));
        };
        let capture = &s[..end + 1];
        let name = &s[begin..end];
        if name.is_empty() || !name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
            return Err(err(INVALID_NAMED_CAPTURE, capture));
        }
        levels.push(Level::new(format!("(?P<{name}>")));
        return Ok(&s[end + 1..]);
    }
    let mut t = &s[2..];
    let mut on = String::new();
    let mut off = String::new();
    let mut negated = false;
    let mut saw_flag = false;
    while let Some(c) = t.chars().next() {
        t = &t[c.len_utf8()..];
        match c {
            'i' | 'm' | 's' | 'U' => {
                if negated {
                    off.push(c);
                } else {
                    on.push(c);
                }
                saw_flag = true;
            }
            '-' => {
                if negated {
                    break;
                }
                negated = true;
                saw_flag = false;
            }
            ':' | ')' => {
                if negated && !saw_flag {
                    break;
                }
                let flags = if off.is_empty() {
                    on.clone()
                } else {
                    format!("{on}-{off}")
                };
                if c == ':' {
                    levels.push(Level::new(if flags.is_empty() {
                        "(?:".into()
                    } else {
                        format!("(?{flags}:")
                    }));
                } else if !flags.is_empty() {
                    push_raw(levels, &format!("(?{flags})"));
                }
                return Ok(t);
            }
            _ => break,
        }
    }
    Err(err(INVALID_PERL_OP, &s[..s.len() - t.len()]))
}

/// An escape outside a class: assertions, `\Q...\E`, class escapes, single characters.
fn top_escape<'a>(t: &'a str, levels: &mut [Level]) -> Result<&'a str, SyntaxError> {
    let b = t.as_bytes();
    if b.len() >= 2 {
        match b[1] {
            b'A' => {
                push_item(levels, r"\A".into(), 1);
                return Ok(&t[2..]);
            }
            b'b' => {
                push_item(levels, r"(?-u:\b)".into(), 1);
                return Ok(&t[2..]);
            }
            b'B' => {
                push_item(levels, r"(?-u:\B)".into(), 1);
                return Ok(&t[2..]);
            }
            b'C' => return Err(err(INVALID_ESCAPE, &t[..2])),
            b'Q' => {
                let body = &t[2..];
                let (lit_text, rest) = match body.find(r"\E") {
                    Some(i) => (&body[..i], &body[i + 2..]),
                    None => (body, ""),
                };
                for c in lit_text.chars() {
                    push_item(levels, lit(c), 1);
                }
                return Ok(rest);
            }
            b'z' => {
                push_item(levels, r"\z".into(), 1);
                return Ok(&t[2..]);
            }
            _ => {}
        }
    }
    if let Some((class, rest)) = unicode_class(t)? {
        push_item(levels, class, 1);
        return Ok(rest);
    }
    if let Some((class, rest)) = perl_class(t) {
        push_item(levels, class.to_string(), 1);
        return Ok(rest);
    }
    let (c, rest) = parse_escape(t)?;
    push_item(levels, lit(c), 1);
    Ok(rest)
}

/// Go's Perl class escapes (ASCII): `\d \D \s \S \w \W`, as Rust classes.
fn perl_class(t: &str) -> Option<(&'static str, &str)> {
    let b = t.as_bytes();
    if b.len() < 2 || b[0] != b'\\' {
        return None;
    }
    let class = match b[1] {
        b'd' => "[0-9]",
        b'D' => "[^0-9]",
        b's' => r"[\t\n\x0C\r ]",
        b'S' => r"[^\t\n\x0C\r ]",
        b'w' => "[0-9A-Za-z_]",
        b'W' => "[^0-9A-Za-z_]",
        _ => return None,
    };
    Some((class, &t[2..]))
}

/// Go's `parseUnicodeClass`: `\pL`, `\p{Greek}`, `\PL`, `\p{^Greek}` with the names Go knows.
fn unicode_class(s: &str) -> Result<Option<(String, &str)>, SyntaxError> {
    let b = s.as_bytes();
    if b.len() < 2 || b[0] != b'\\' || (b[1] != b'p' && b[1] != b'P') {
        return Ok(None);
    }
    let mut negated = b[1] == b'P';
    let t = &s[2..];
    let (seq, name, rest) = match t.chars().next() {
        Some('{') => {
            let Some(end) = s.find('}') else {
                return Err(err(INVALID_CHAR_RANGE, s));
            };
            (&s[..end + 1], &s[3..end], &s[end + 1..])
        }
        Some(c) => {
            let n = 2 + c.len_utf8();
            (&s[..n], &s[2..n], &s[n..])
        }
        None => (s, "", ""),
    };
    let name = match name.strip_prefix('^') {
        Some(n) => {
            negated = !negated;
            n
        }
        None => name,
    };
    if !(name == "Any" || CATEGORIES.contains(&name) || SCRIPTS.contains(&name)) {
        return Err(err(INVALID_CHAR_RANGE, seq));
    }
    let p = if negated { 'P' } else { 'p' };
    let class = if name == "Any" {
        if negated {
            r"[^\x00-\x{10FFFF}]".to_string()
        } else {
            r"[\x00-\x{10FFFF}]".to_string()
        }
    } else {
        format!("\\{p}{{{name}}}")
    };
    Ok(Some((class, rest)))
}

/// Go's `parseEscape`: one character from an escape, or Go's error.
fn parse_escape(s: &str) -> Result<(char, &str), SyntaxError> {
    let t = &s[1..];
    let Some(c) = t.chars().next() else {
        return Err(err(TRAILING_BACKSLASH, ""));
    };
    let mut t = &t[c.len_utf8()..];
    let invalid = |t: &str| err(INVALID_ESCAPE, &s[..s.len() - t.len()]);
    match c {
        '1'..='7' if !t.starts_with(|d: char| ('0'..='7').contains(&d)) => Err(invalid(t)),
        '0'..='7' => {
            let mut r = c as u32 - '0' as u32;
            for _ in 1..3 {
                match t.chars().next() {
                    Some(d @ '0'..='7') => {
                        r = r * 8 + (d as u32 - '0' as u32);
                        t = &t[1..];
                    }
                    _ => break,
                }
            }
            Ok((char::from_u32(r).unwrap_or('\u{fffd}'), t))
        }
        'x' => {
            let Some(c2) = t.chars().next() else {
                return Err(invalid(t));
            };
            t = &t[c2.len_utf8()..];
            if c2 == '{' {
                let mut n = 0;
                let mut r: u32 = 0;
                loop {
                    let Some(h) = t.chars().next() else {
                        return Err(invalid(t));
                    };
                    t = &t[h.len_utf8()..];
                    if h == '}' {
                        break;
                    }
                    let Some(v) = h.to_digit(16) else {
                        return Err(invalid(t));
                    };
                    r = r * 16 + v;
                    if r > 0x10FFFF {
                        return Err(invalid(t));
                    }
                    n += 1;
                }
                if n == 0 {
                    return Err(invalid(t));
                }
                return Ok((char::from_u32(r).unwrap_or('\u{fffd}'), t));
            }
            let x = c2.to_digit(16);
            let c3 = t.chars().next();
            if let Some(c3) = c3 {
                t = &t[c3.len_utf8()..];
            }
            match (x, c3.and_then(|c| c.to_digit(16))) {
                (Some(x), Some(y)) => Ok((char::from_u32(x * 16 + y).unwrap_or('\u{fffd}'), t)),
                _ => Err(invalid(t)),
            }
        }
        'a' => Ok(('\x07', t)),
        'f' => Ok(('\x0C', t)),
        'n' => Ok(('\n', t)),
        'r' => Ok(('\r', t)),
        't' => Ok(('\t', t)),
        'v' => Ok(('\x0B', t)),
        c if c.is_ascii() && !c.is_ascii_alphanumeric() => Ok((c, t)),
        _ => Err(invalid(t)),
    }
}

/// A literal character in Rust syntax (outside or inside a class). Punctuation is escaped,
/// except `<` and `>`: Rust reads `\<` and `\>` as word-boundary assertions.
fn lit(c: char) -> String {
    if c.is_ascii_alphanumeric()
        || c == '<'
        || c == '>'
        || (!c.is_ascii() && !c.is_control() && !c.is_whitespace())
    {
        c.to_string()
    } else if c.is_ascii_punctuation() {
        format!("\\{c}")
    } else {
        format!("\\x{{{:X}}}", c as u32)
    }
}

/// Go's `parseClass` from `[`: the class in Rust syntax and the rest of the pattern.
fn parse_class(s: &str) -> Result<(String, &str), SyntaxError> {
    let mut t = &s[1..];
    let mut out = String::from("[");
    if let Some(r) = t.strip_prefix('^') {
        out.push('^');
        t = r;
    }
    let mut first = true;
    loop {
        if t.starts_with(']') && !first {
            break;
        }
        first = false;
        if t.is_empty() {
            return Err(err(MISSING_BRACKET, s));
        }
        // POSIX [:alnum:].
        if t.len() > 2
            && t.starts_with("[:")
            && let Some(i) = t[2..].find(":]")
        {
            let name = &t[..i + 4];
            let body = POSIX
                .iter()
                .find(|(n, _)| *n == &name[2..name.len() - 2])
                .map(|(_, b)| *b);
            let negated_body = name[2..]
                .strip_prefix('^')
                .and_then(|n| POSIX.iter().find(|(p, _)| *p == &n[..n.len() - 2]))
                .map(|(_, b)| *b);
            match (body, negated_body) {
                (Some(b), _) => {
                    let _ = write!(out, "[{b}]");
                }
                (None, Some(b)) => {
                    let _ = write!(out, "[^{b}]");
                }
                _ => return Err(err(INVALID_CHAR_RANGE, name)),
            }
            t = &t[i + 4..];
            continue;
        }
        if let Some((class, rest)) = unicode_class(t)? {
            // A class in a class: Rust accepts nested bracket classes and \p escapes.
            out.push_str(&class);
            t = rest;
            continue;
        }
        if let Some((class, rest)) = perl_class(t) {
            out.push_str(class);
            t = rest;
            continue;
        }
        let rng = t;
        let (lo, rest) = class_char(t, s)?;
        t = rest;
        let mut hi = lo;
        if t.len() >= 2 && t.starts_with('-') && !t[1..].starts_with(']') {
            let (h, rest) = class_char(&t[1..], s)?;
            t = rest;
            hi = h;
            if hi < lo {
                return Err(err(INVALID_CHAR_RANGE, &rng[..rng.len() - t.len()]));
            }
        }
        out.push_str(&lit(lo));
        if hi != lo {
            out.push('-');
            out.push_str(&lit(hi));
        }
    }
    out.push(']');
    // Rust rejects an empty class `[]`; Go cannot produce one (`[]` starts a class with `]`).
    let _ = INVALID_CHAR_CLASS;
    Ok((out, &t[1..]))
}

fn class_char<'a>(s: &'a str, whole: &str) -> Result<(char, &'a str), SyntaxError> {
    let Some(c) = s.chars().next() else {
        return Err(err(MISSING_BRACKET, whole));
    };
    if c == '\\' {
        return parse_escape(s);
    }
    Ok((c, &s[c.len_utf8()..]))
}

/// Go's POSIX classes (ASCII), as Rust class bodies.
const POSIX: &[(&str, &str)] = &[
    ("alnum", "0-9A-Za-z"),
    ("alpha", "A-Za-z"),
    ("ascii", r"\x00-\x7F"),
    ("blank", r"\t "),
    ("cntrl", r"\x00-\x1F\x7F"),
    ("digit", "0-9"),
    ("graph", r"!-\~"),
    ("lower", "a-z"),
    ("print", r" -\~"),
    ("punct", r"!-/:-@\[-`\{-\~"),
    ("space", r"\t\n\x0B\x0C\r "),
    ("upper", "A-Z"),
    ("word", "0-9A-Za-z_"),
    ("xdigit", "0-9A-Fa-f"),
];

/// Go's `unicode.Categories` names.
const CATEGORIES: &[&str] = &[
    "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N",
    "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So",
    "Z", "Zl", "Zp", "Zs",
];

/// Go's `unicode.Scripts` names (Unicode 15.0).
const SCRIPTS: &[&str] = &[
    "Adlam",
    "Ahom",
    "Anatolian_Hieroglyphs",
    "Arabic",
    "Armenian",
    "Avestan",
    "Balinese",
    "Bamum",
    "Bassa_Vah",
    "Batak",
    "Bengali",
    "Bhaiksuki",
    "Bopomofo",
    "Brahmi",
    "Braille",
    "Buginese",
    "Buhid",
    "Canadian_Aboriginal",
    "Carian",
    "Caucasian_Albanian",
    "Chakma",
    "Cham",
    "Cherokee",
    "Chorasmian",
    "Common",
    "Coptic",
    "Cuneiform",
    "Cypriot",
    "Cypro_Minoan",
    "Cyrillic",
    "Deseret",
    "Devanagari",
    "Dives_Akuru",
    "Dogra",
    "Duployan",
    "Egyptian_Hieroglyphs",
    "Elbasan",
    "Elymaic",
    "Ethiopic",
    "Georgian",
    "Glagolitic",
    "Gothic",
    "Grantha",
    "Greek",
    "Gujarati",
    "Gunjala_Gondi",
    "Gurmukhi",
    "Han",
    "Hangul",
    "Hanifi_Rohingya",
    "Hanunoo",
    "Hatran",
    "Hebrew",
    "Hiragana",
    "Imperial_Aramaic",
    "Inherited",
    "Inscriptional_Pahlavi",
    "Inscriptional_Parthian",
    "Javanese",
    "Kaithi",
    "Kannada",
    "Katakana",
    "Kawi",
    "Kayah_Li",
    "Kharoshthi",
    "Khitan_Small_Script",
    "Khmer",
    "Khojki",
    "Khudawadi",
    "Lao",
    "Latin",
    "Lepcha",
    "Limbu",
    "Linear_A",
    "Linear_B",
    "Lisu",
    "Lycian",
    "Lydian",
    "Mahajani",
    "Makasar",
    "Malayalam",
    "Mandaic",
    "Manichaean",
    "Marchen",
    "Masaram_Gondi",
    "Medefaidrin",
    "Meetei_Mayek",
    "Mende_Kikakui",
    "Meroitic_Cursive",
    "Meroitic_Hieroglyphs",
    "Miao",
    "Modi",
    "Mongolian",
    "Mro",
    "Multani",
    "Myanmar",
    "Nabataean",
    "Nag_Mundari",
    "Nandinagari",
    "New_Tai_Lue",
    "Newa",
    "Nko",
    "Nushu",
    "Nyiakeng_Puachue_Hmong",
    "Ogham",
    "Ol_Chiki",
    "Old_Hungarian",
    "Old_Italic",
    "Old_North_Arabian",
    "Old_Permic",
    "Old_Persian",
    "Old_Sogdian",
    "Old_South_Arabian",
    "Old_Turkic",
    "Old_Uyghur",
    "Oriya",
    "Osage",
    "Osmanya",
    "Pahawh_Hmong",
    "Palmyrene",
    "Pau_Cin_Hau",
    "Phags_Pa",
    "Phoenician",
    "Psalter_Pahlavi",
    "Rejang",
    "Runic",
    "Samaritan",
    "Saurashtra",
    "Sharada",
    "Shavian",
    "Siddham",
    "SignWriting",
    "Sinhala",
    "Sogdian",
    "Sora_Sompeng",
    "Soyombo",
    "Sundanese",
    "Syloti_Nagri",
    "Syriac",
    "Tagalog",
    "Tagbanwa",
    "Tai_Le",
    "Tai_Tham",
    "Tai_Viet",
    "Takri",
    "Tamil",
    "Tangsa",
    "Tangut",
    "Telugu",
    "Thaana",
    "Thai",
    "Tibetan",
    "Tifinagh",
    "Tirhuta",
    "Toto",
    "Ugaritic",
    "Vai",
    "Vithkuqi",
    "Wancho",
    "Warang_Citi",
    "Yezidi",
    "Yi",
    "Zanabazar_Square",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(p: &str, s: &str) -> bool {
        compile(p).unwrap().is_match(s)
    }

    fn error(p: &str) -> String {
        compile(p).unwrap_err()
    }

    #[test]
    fn literals_and_any() {
        assert!(matches("abc", "xabcx"));
        assert!(matches("a.c", "abc"));
        assert!(!matches("a.c", "a\nc"));
        assert!(matches("(?s)a.c", "a\nc"));
    }

    #[test]
    fn character_classes() {
        assert!(matches("^[xyz]$", "y"));
        assert!(!matches("^[^xyz]$", "y"));
        assert!(matches("^[^xyz]$", "\n"));
        assert!(matches("^[a-c]+$", "abcab"));
        assert!(
            matches(r"^[\w-\.]+$", "my-master.1"),
            "Perl class then a literal dash"
        );
        assert!(!matches(r"^[\w-\.]+$", "a/b"));
        assert!(matches("^[]a]+$", "]a"), "] first is literal");
        assert!(matches("^[a-]+$", "a-"), "trailing dash is literal");
        assert!(matches("^[a&&b]+$", "&"), "&& is literal in Go");
        assert_eq!(
            error("[a--b]"),
            "error parsing regexp: invalid character class range: `a--`"
        );
    }

    #[test]
    fn class_range_errors_are_gos() {
        assert_eq!(
            error("[z-a]"),
            "error parsing regexp: invalid character class range: `z-a`"
        );
        assert_eq!(error("[a"), "error parsing regexp: missing closing ]: `[a`");
        assert_eq!(
            error(r"[a-\d]"),
            r"error parsing regexp: invalid escape sequence: `\d`"
        );
        assert_eq!(
            error("[[:foo:]]"),
            "error parsing regexp: invalid character class range: `[:foo:]`"
        );
    }

    #[test]
    fn perl_classes_are_ascii() {
        assert!(matches(r"^\d+$", "0123456789"));
        assert!(!matches(r"\d", "٣"), "Arabic-Indic digit is not \\d in Go");
        assert!(matches(r"^\w+$", "a_Z9"));
        assert!(!matches(r"\w", "é"));
        assert!(matches(r"^\s+$", " \t\n\r\x0C"));
        assert!(!matches(r"\s", "\x0B"), "Go's \\s has no \\v");
        assert!(matches(r"^\D\W\S$", "é é"));
        assert!(matches(r"^[\d\s]+$", "1 2"));
        assert!(matches(r"^[^\d]+$", "abc"));
    }

    #[test]
    fn posix_classes() {
        assert!(matches("^[[:alpha:]]+$", "abcXYZ"));
        assert!(!matches("^[[:alpha:]]+$", "é"));
        assert!(matches("^[[:^digit:]]+$", "ab"));
        assert!(matches("^[[:punct:]]+$", "!-/:@[`{~"));
        assert!(matches("^[[:space:]]+$", "\x0B\t "));
        assert!(matches("^[[:xdigit:][:upper:]]+$", "fFZ"));
        assert!(
            matches("^[:alpha:]+$", ":ahp"),
            "outside brackets it is a plain class"
        );
    }

    #[test]
    fn unicode_classes() {
        assert!(matches(r"^\pL+$", "héllo"));
        assert!(matches(r"^\p{Greek}+$", "αβγ"));
        assert!(!matches(r"^\P{Greek}+$", "αβγ"));
        assert!(!matches(r"^\p{^Greek}+$", "α"));
        assert!(matches(r"^\p{Lu}$", "É"));
        assert!(matches(r"^[\p{Han}a]+$", "日a"));
        assert!(matches(r"^\p{Any}$", "x"));
        assert_eq!(
            error(r"\p{Foo}"),
            r"error parsing regexp: invalid character class range: `\p{Foo}`"
        );
        assert_eq!(
            error(r"\p{Greek"),
            r"error parsing regexp: invalid character class range: `\p{Greek`"
        );
        assert_eq!(
            error(r"\p{Alphabetic}"),
            r"error parsing regexp: invalid character class range: `\p{Alphabetic}`"
        );
    }

    #[test]
    fn escapes() {
        assert!(matches(r"^\x41\x{42}\103$", "ABC"));
        assert!(matches(r"^\a\f\t\n\r\v$", "\x07\x0C\t\n\r\x0B"));
        assert!(matches(r"^\.\*\_$", ".*_"));
        assert!(
            matches(r"^\Qa.b*\E+$", "a.b**"),
            "the repetition takes the last literal"
        );
        assert!(!matches(r"^\Qa.b*\E$", "axb"));
        assert!(matches(r"^\Q(x)$", "(x)$"), "\\Q runs to the end");
        assert!(matches(r"^\0$", "\0"));
        assert_eq!(
            error(r"\1"),
            r"error parsing regexp: invalid escape sequence: `\1`"
        );
        assert_eq!(
            error(r"\8"),
            r"error parsing regexp: invalid escape sequence: `\8`"
        );
        assert_eq!(
            error(r"\Z"),
            r"error parsing regexp: invalid escape sequence: `\Z`"
        );
        assert_eq!(
            error(r"\C"),
            r"error parsing regexp: invalid escape sequence: `\C`"
        );
        assert_eq!(
            error(r"\x{110000}"),
            r"error parsing regexp: invalid escape sequence: `\x{110000`"
        );
        assert_eq!(
            error(r"\xZ1"),
            r"error parsing regexp: invalid escape sequence: `\xZ1`"
        );
        assert_eq!(
            error("ab\\"),
            "error parsing regexp: trailing backslash at end of expression: ``"
        );
    }

    #[test]
    fn assertions() {
        assert!(matches(r"\Aab", "abc"));
        assert!(!matches(r"b\z", "ab\n"));
        assert!(matches(r"b\z", "ab"));
        assert!(!matches("b$", "ab\n"), "$ without (?m) is the end of text");
        assert!(matches("(?m)b$", "ab\nc"));
        assert!(matches(r"\bfoo\b", "a foo b"));
        assert!(
            !matches(r"\bé", "é"),
            "ASCII word boundary: é is not a word character"
        );
        assert!(matches(r"é\b", "éa"));
        assert!(matches(r"a\Bb", "ab"));
        assert!(matches("^*a", "a"), "a repeated assertion");
    }

    #[test]
    fn repetitions() {
        assert!(matches("^a{2}$", "aa"));
        assert!(matches("^a{2,}$", "aaaa"));
        assert!(matches("^a{1,2}$", "aa"));
        assert!(matches("^a{,2}$", "a{,2}"), "no minimum: literal");
        assert!(matches("^a{01}$", "a{01}"), "leading zero: literal");
        assert!(matches("^x{$", "x{"));
        assert!(matches("^a{1000}$", &"a".repeat(1000)));
        assert_eq!(
            error("a{1001}"),
            "error parsing regexp: invalid repeat count: `{1001}`"
        );
        assert_eq!(
            error("(a{100}){20}"),
            "error parsing regexp: invalid repeat count: `{20}`"
        );
        assert_eq!(
            error("a{2,1}"),
            "error parsing regexp: invalid repeat count: `{2,1}`"
        );
        assert_eq!(
            error("a**"),
            "error parsing regexp: invalid nested repetition operator: `**`"
        );
        assert_eq!(
            error("a*??"),
            "error parsing regexp: invalid nested repetition operator: `*??`"
        );
        assert_eq!(
            error("*a"),
            "error parsing regexp: missing argument to repetition operator: `*`"
        );
        assert_eq!(
            error("(|*)"),
            "error parsing regexp: missing argument to repetition operator: `*`"
        );
        assert!(
            matches("^a(?i)*$", "aaa"),
            "a repetition skips a flag group"
        );
        assert!(matches("^a+?", "aa"));
    }

    #[test]
    fn groups_and_flags() {
        assert!(matches("^(?P<x>a)(?<y>b)(?:c)$", "abc"));
        assert!(matches("(?i)ABC", "abc"));
        assert!(matches("a(?i:B)c", "abc"));
        assert!(!matches("a(?i:B)C", "abc"));
        assert!(matches("(?i)a(?-i)B", "AB"));
        assert!(!matches("(?i)a(?-i)B", "Ab"));
        assert!(matches("(?U)a+", "a"));
        assert!(matches("(?m)^b", "a\nb"));
        assert_eq!(error("(a"), "error parsing regexp: missing closing ): `(a`");
        assert_eq!(error("a)"), "error parsing regexp: unexpected ): `a)`");
        assert_eq!(
            error("(?P<>a)"),
            "error parsing regexp: invalid named capture: `(?P<>`"
        );
        assert_eq!(
            error("(?x)"),
            "error parsing regexp: invalid or unsupported Perl syntax: `(?x`"
        );
        assert_eq!(
            error("(?i-)"),
            "error parsing regexp: invalid or unsupported Perl syntax: `(?i-)`"
        );
        assert_eq!(
            error("(?=a)"),
            "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"
        );
    }

    #[test]
    fn angle_brackets_are_literals() {
        // Rust would read an escaped `<` or `>` as a word boundary (nats' config template).
        let r = compile(r#""<<\s+(.*?)\s+>>""#).unwrap();
        assert_eq!(r.replace_all(r#"x: "<< $NAME >>","#, "${1}"), "x: $NAME,");
        assert!(matches(r"^\<a\>$", "<a>"));
        assert!(matches("^[<>]+$", "<>"));
    }

    #[test]
    fn alternation_and_empty() {
        assert!(matches("^(a|b|)$", ""));
        assert!(matches("^a||b$", "b"));
        assert!(matches("^()$", ""));
    }

    #[test]
    fn quote_meta_is_gos() {
        assert_eq!(quote_meta("-4.5"), r"-4\.5");
        assert_eq!(
            quote_meta("a+b(c)[d]{e}^$|*?\\"),
            r"a\+b\(c\)\[d\]\{e\}\^\$\|\*\?\\"
        );
    }
}
