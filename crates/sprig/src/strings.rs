//! Sprig string, regex and path functions.

use std::collections::BTreeMap;

use regex::Regex;

use crate::goregex;
use crate::util::{arg_int, arg_str, check_size, str_list, strslice, strval, table};
use gotemplate::GoValue;
use gotemplate::gofmt;

fn s(v: impl Into<String>) -> Result<GoValue, String> {
    Ok(GoValue::from(v.into()))
}

pub(crate) fn register(m: &mut gotemplate::FuncMap) {
    table! { m;
        "upper" [Str] => |_, a| s(arg_str(&a[0]).chars().map(go_upper).collect::<String>());
        "lower" [Str] => |_, a| s(arg_str(&a[0]).chars().map(go_lower).collect::<String>());
        "title" [Str] => |_, a| s(title(arg_str(&a[0])));
        "untitle" [Str] => |_, a| s(untitle(arg_str(&a[0])));
        "trim" [Str] => |_, a| s(arg_str(&a[0]).trim_matches(char::is_whitespace));
        "trimAll" [Str, Str] => |_, a| { let cut: Vec<char> = arg_str(&a[0]).chars().collect(); s(arg_str(&a[1]).trim_matches(&cut[..])) };
        "trimPrefix" [Str, Str] => |_, a| s(arg_str(&a[1]).strip_prefix(arg_str(&a[0])).unwrap_or(arg_str(&a[1])));
        "trimSuffix" [Str, Str] => |_, a| s(arg_str(&a[1]).strip_suffix(arg_str(&a[0])).unwrap_or(arg_str(&a[1])));
        "repeat" [Int, Str] => |c, a| {
            let n = arg_int(&a[0]);
            if n < 0 { return Err("strings: negative Repeat count".into()); }
            let size = (n as u128) * (arg_str(&a[1]).len() as u128);
            if size > i64::MAX as u128 { return Err("strings: Repeat output length overflow".into()); }
            check_size(c, "repeat", size)?;
            s(arg_str(&a[1]).repeat(n as usize))
        };
        "substr" [Int, Int, Str] => |_, a| substr(arg_int(&a[0]), arg_int(&a[1]), arg_str(&a[2]));
        "nospace" [Str] => |_, a| s(arg_str(&a[0]).chars().filter(|c| !c.is_whitespace()).collect::<String>());
        "trunc" [Int, Str] => |_, a| s(trunc(arg_int(&a[0]), arg_str(&a[1])));
        "abbrev" [Int, Str] => |_, a| s(abbrev(arg_int(&a[0]), arg_str(&a[1])));
        "abbrevboth" [Int, Int, Str] => |_, a| s(abbrevboth(arg_int(&a[0]), arg_int(&a[1]), arg_str(&a[2])));
        "initials" [Str] => |_, a| s(initials(arg_str(&a[0])));
        "wrap" [Int, Str] => |_, a| s(wrap(arg_str(&a[1]), arg_int(&a[0]), "", false));
        "wrapWith" [Int, Str, Str] => |c, a| {
            let (width, sep, text) = (arg_int(&a[0]), arg_str(&a[1]), arg_str(&a[2]));
            check_size(c, "wrapWith", text.len() as u128 * (sep.len() as u128 + 1) / width.max(1) as u128 + text.len() as u128)?;
            s(wrap(text, width, sep, true))
        };
        "contains" [Str, Str] => |_, a| Ok(GoValue::Bool(arg_str(&a[1]).contains(arg_str(&a[0]))));
        "hasPrefix" [Str, Str] => |_, a| Ok(GoValue::Bool(arg_str(&a[1]).starts_with(arg_str(&a[0]))));
        "hasSuffix" [Str, Str] => |_, a| Ok(GoValue::Bool(arg_str(&a[1]).ends_with(arg_str(&a[0]))));
        "quote" [] ...Any => |_, a| s(a.iter().filter(|v| !v.is_nil()).map(|v| gofmt::quote_go(&strval(v))).collect::<Vec<_>>().join(" "));
        "squote" [] ...Any => |_, a| s(a.iter().filter(|v| !v.is_nil()).map(|v| format!("'{}'", strval(v))).collect::<Vec<_>>().join(" "));
        "cat" [] ...Any => |_, a| {
            let kept: Vec<GoValue> = a.into_iter().filter(|v| !v.is_nil()).collect();
            s(kept.iter().map(gofmt::sprint_value).collect::<Vec<_>>().join(" "))
        };
        "indent" [Int, Str] => |c, a| s(indent(c, "indent", arg_int(&a[0]), arg_str(&a[1]))?);
        "nindent" [Int, Str] => |c, a| s(format!("\n{}", indent(c, "nindent", arg_int(&a[0]), arg_str(&a[1]))?));
        "replace" [Str, Str, Str] => |c, a| {
            let (old, new, src) = (arg_str(&a[0]), arg_str(&a[1]), arg_str(&a[2]));
            let n = if old.is_empty() { src.chars().count() + 1 } else { src.matches(old).count() };
            check_size(c, "replace", src.len() as u128 + n as u128 * new.len() as u128)?;
            s(go_replace(src, old, new))
        };
        "plural" [Str, Str, Int] => |_, a| Ok(if arg_int(&a[2]) == 1 { a[0].clone() } else { a[1].clone() });
        "snakecase" [Str] => |_, a| s(delimited_case(arg_str(&a[0]), '_'));
        "kebabcase" [Str] => |_, a| s(delimited_case(arg_str(&a[0]), '-'));
        "camelcase" [Str] => |_, a| s(camelcase(arg_str(&a[0])));
        "swapcase" [Str] => |_, a| s(swapcase(arg_str(&a[0])));
        "toString" [Any] => |_, a| s(strval(&a[0]));
        "toStrings" [Any] => |_, a| Ok(str_list(strslice(&a[0])));
        "split" [Str, Str] => |_, a| Ok(split_map(go_split(arg_str(&a[1]), arg_str(&a[0]), -1)));
        "splitList" [Str, Str] => |_, a| Ok(str_list(go_split(arg_str(&a[1]), arg_str(&a[0]), -1).into_iter().map(String::from).collect()));
        "splitn" [Str, Int, Str] => |_, a| Ok(split_map(go_split(arg_str(&a[2]), arg_str(&a[0]), arg_int(&a[1])))) ;
        "join" [Str, Any] => |c, a| {
            let parts = strslice(&a[1]);
            let sep = arg_str(&a[0]).len() as u128;
            check_size(c, "join", parts.iter().map(|p| p.len() as u128 + sep).sum())?;
            s(parts.join(arg_str(&a[0])))
        };
        "sortAlpha" [Any] => |_, a| {
            if a[0].list_items().is_some() || matches!(a[0], GoValue::Bytes(_)) {
                let mut v = strslice(&a[0]);
                v.sort();
                Ok(str_list(v))
            } else {
                Ok(str_list(vec![strval(&a[0])]))
            }
        };
        "regexMatch" [Str, Str] => |_, a| Ok(GoValue::Bool(re(arg_str(&a[0])).map(|r| r.is_match(arg_str(&a[1]))).unwrap_or(false)));
        "mustRegexMatch" [Str, Str] => |_, a| Ok(GoValue::Bool(re(arg_str(&a[0]))?.is_match(arg_str(&a[1]))));
        "regexFindAll" [Str, Str, Int] => |_, a| Ok(find_all(&must_re(arg_str(&a[0]))?, arg_str(&a[1]), arg_int(&a[2])));
        "mustRegexFindAll" [Str, Str, Int] => |_, a| Ok(find_all(&re(arg_str(&a[0]))?, arg_str(&a[1]), arg_int(&a[2])));
        "regexFind" [Str, Str] => |_, a| s(must_re(arg_str(&a[0]))?.find(arg_str(&a[1])).map(|m| m.as_str()).unwrap_or(""));
        "mustRegexFind" [Str, Str] => |_, a| s(re(arg_str(&a[0]))?.find(arg_str(&a[1])).map(|m| m.as_str()).unwrap_or(""));
        "regexReplaceAll" [Str, Str, Str] => |c, a| s(replace_all(c, &must_re(arg_str(&a[0]))?, arg_str(&a[1]), arg_str(&a[2]), false)?);
        "mustRegexReplaceAll" [Str, Str, Str] => |c, a| s(replace_all(c, &re(arg_str(&a[0]))?, arg_str(&a[1]), arg_str(&a[2]), false)?);
        "regexReplaceAllLiteral" [Str, Str, Str] => |c, a| s(replace_all(c, &must_re(arg_str(&a[0]))?, arg_str(&a[1]), arg_str(&a[2]), true)?);
        "mustRegexReplaceAllLiteral" [Str, Str, Str] => |c, a| s(replace_all(c, &re(arg_str(&a[0]))?, arg_str(&a[1]), arg_str(&a[2]), true)?);
        "regexSplit" [Str, Str, Int] => |_, a| Ok(regex_split(&must_re(arg_str(&a[0]))?, arg_str(&a[1]), arg_int(&a[2])));
        "mustRegexSplit" [Str, Str, Int] => |_, a| Ok(regex_split(&re(arg_str(&a[0]))?, arg_str(&a[1]), arg_int(&a[2])));
        "regexQuoteMeta" [Str] => |_, a| s(goregex::quote_meta(arg_str(&a[0])));
        "base" [Str] => |_, a| s(path_base(arg_str(&a[0])));
        "dir" [Str] => |_, a| s(path_dir(arg_str(&a[0])));
        "ext" [Str] => |_, a| s(path_ext(arg_str(&a[0])));
        "clean" [Str] => |_, a| s(path_clean(arg_str(&a[0])));
        "isAbs" [Str] => |_, a| Ok(GoValue::Bool(arg_str(&a[0]).starts_with('/')));
        "osBase" [Str] => |_, a| s(path_base(arg_str(&a[0])));
        "osDir" [Str] => |_, a| s(path_dir(arg_str(&a[0])));
        "osExt" [Str] => |_, a| s(path_ext(arg_str(&a[0])));
        "osClean" [Str] => |_, a| s(path_clean(arg_str(&a[0])));
        "osIsAbs" [Str] => |_, a| Ok(GoValue::Bool(arg_str(&a[0]).starts_with('/')));
    }
}

/// `regexp.Compile`: Go's error text on a bad pattern (the `must*` functions).
fn re(pattern: &str) -> Result<Regex, String> {
    goregex::compile(pattern)
}

/// `regexp.MustCompile`: its panic text on a bad pattern (the plain regex functions).
fn must_re(pattern: &str) -> Result<Regex, String> {
    goregex::compile(pattern).map_err(|e| {
        let q = if pattern.contains('`') || pattern.chars().any(|c| c.is_control() && c != '\t') {
            gofmt::quote_go(pattern)
        } else {
            format!("`{pattern}`")
        };
        format!("regexp: Compile({q}): {e}")
    })
}

/// Go's `allMatches`: successive non-overlapping matches (at most `n`, all when `n < 0`),
/// each searched from where the last ended, an empty match right after a match skipped.
fn match_spans(r: &Regex, s: &str, n: i64) -> Vec<(usize, usize)> {
    let n = if n < 0 { s.len() as i64 + 1 } else { n };
    let mut out = Vec::new();
    let mut pos = 0usize;
    let mut prev_end: Option<usize> = None;
    while (out.len() as i64) < n && pos <= s.len() {
        let Some(m) = r.find_at(s, pos) else {
            break;
        };
        let mut accept = true;
        if m.end() == pos {
            if Some(m.start()) == prev_end {
                accept = false;
            }
            pos += s[pos..].chars().next().map_or(1, char::len_utf8);
        } else {
            pos = m.end();
        }
        prev_end = Some(m.end());
        if accept {
            out.push((m.start(), m.end()));
        }
    }
    out
}

/// `FindAllString`: a `[]string`, nil (printed `[]`) when there is no match.
/// Go's `FindAllString`: nil (`null` to toJson) when nothing matches.
fn find_all(r: &Regex, s: &str, n: i64) -> GoValue {
    let found: Vec<String> = match_spans(r, s, n)
        .into_iter()
        .map(|(a, b)| s[a..b].to_string())
        .collect();
    if found.is_empty() {
        return GoValue::nil_typed_list("[]string");
    }
    str_list(found)
}

/// Go's `ReplaceAllString` (`$1`, `${name}` expanded) or `ReplaceAllLiteralString`.
fn replace_all(
    c: &gotemplate::Context<'_>,
    r: &Regex,
    s: &str,
    repl: &str,
    literal: bool,
) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut last_end = 0usize;
    let mut search = 0usize;
    while search <= s.len() {
        let Some(caps) = r.captures_at(s, search) else {
            break;
        };
        let Some(m) = caps.get(0) else {
            break;
        };
        out.push_str(&s[last_end..m.start()]);
        if m.end() > last_end || m.start() == 0 {
            if literal {
                out.push_str(repl);
            } else {
                caps.expand(repl, &mut out);
            }
        }
        last_end = m.end();
        check_size(
            c,
            "regexReplaceAll",
            out.len() as u128 + (s.len() - last_end) as u128,
        )?;
        let width = s[search..].chars().next().map_or(0, char::len_utf8);
        if search + width > m.end() {
            search += width;
        } else if search + 1 > m.end() {
            search += 1;
        } else {
            search = m.end();
        }
    }
    out.push_str(&s[last_end.min(s.len())..]);
    Ok(out)
}

/// Go's `Regexp.Split`.
fn regex_split(r: &Regex, s: &str, n: i64) -> GoValue {
    if n == 0 {
        return GoValue::nil_typed_list("[]string");
    }
    if !r.as_str().is_empty() && s.is_empty() {
        return str_list(vec![String::new()]);
    }
    let mut parts = Vec::new();
    let (mut beg, mut end) = (0usize, 0usize);
    for (a, b) in match_spans(r, s, n) {
        if n > 0 && parts.len() as i64 == n - 1 {
            break;
        }
        end = a;
        if b != 0 {
            parts.push(s[beg..end].to_string());
        }
        beg = b;
    }
    if end != s.len() {
        parts.push(s[beg..].to_string());
    }
    str_list(parts)
}

/// Go's strings.Split / SplitN.
pub(crate) fn go_split<'a>(s: &'a str, sep: &str, n: i64) -> Vec<&'a str> {
    if n == 0 {
        return Vec::new();
    }
    if sep.is_empty() {
        let mut v: Vec<&str> = Vec::new();
        let mut idx: Vec<usize> = s.char_indices().map(|(i, _)| i).collect();
        idx.push(s.len());
        for w in idx.windows(2) {
            if n > 0 && v.len() as i64 == n - 1 {
                v.push(&s[w[0]..]);
                return v;
            }
            v.push(&s[w[0]..w[1]]);
        }
        return v;
    }
    if n < 0 {
        s.split(sep).collect()
    } else {
        s.splitn(n as usize, sep).collect()
    }
}

fn split_map(parts: Vec<&str>) -> GoValue {
    let m: BTreeMap<String, GoValue> = parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| (format!("_{i}"), GoValue::from(p)))
        .collect();
    GoValue::typed_map("map[string]string", m)
}

/// Go's strings.Replace(s, old, new, -1) (an empty `old` inserts between every rune).
/// goutils' `Initials` as Sprig calls it: byte by byte (each byte taken as the code point of
/// its value, so "Ä" gives "Ã"), a byte that is a Unicode space starting a new word.
fn initials(s: &str) -> String {
    let mut out = String::new();
    let mut gap = true;
    for b in s.bytes() {
        let c = char::from(b);
        if c.is_whitespace() {
            gap = true;
        } else if gap {
            out.push(c);
            gap = false;
        }
    }
    out
}

fn go_replace(s: &str, old: &str, new: &str) -> String {
    if old.is_empty() {
        let mut out = String::from(new);
        for c in s.chars() {
            out.push(c);
            out.push_str(new);
        }
        return out;
    }
    s.replace(old, new)
}

/// Sprig's `indent`: `n` spaces before every line (a negative count is Go's
/// `strings.Repeat` panic).
fn indent(c: &gotemplate::Context<'_>, what: &str, n: i64, v: &str) -> Result<String, String> {
    if n < 0 {
        return Err("strings: negative Repeat count".into());
    }
    let lines = v.bytes().filter(|&b| b == b'\n').count() as u128 + 1;
    check_size(c, what, v.len() as u128 + lines * n as u128)?;
    let pad = " ".repeat(n as usize);
    Ok(format!("{pad}{}", v.replace('\n', &format!("\n{pad}"))))
}

/// Sprig's `substr` on bytes, with Go's slice-bounds panics.
fn substr(start: i64, end: i64, s: &str) -> Result<GoValue, String> {
    let b = s.as_bytes();
    let len = b.len() as i64;
    let out = |a: i64, z: i64| {
        Ok(GoValue::from(
            String::from_utf8_lossy(&b[a as usize..z as usize]).into_owned(),
        ))
    };
    let oob = |what: String| Err(format!("runtime error: slice bounds out of range {what}"));
    if start < 0 {
        // s[:end]
        if end < 0 {
            return oob(format!("[:{end}]"));
        }
        if end > len {
            return oob(format!("[:{end}] with length {len}"));
        }
        return out(0, end);
    }
    if end < 0 || end > len {
        // s[start:]
        if start > len {
            return oob(format!("[{start}:{len}]"));
        }
        return out(start, len);
    }
    if start > end {
        return oob(format!("[{start}:{end}]"));
    }
    out(start, end)
}

fn trunc(c: i64, s: &str) -> String {
    let len = s.len() as i64;
    let cut = |i: i64| String::from_utf8_lossy(&s.as_bytes()[i as usize..]).into_owned();
    if c < 0 && len + c > 0 {
        return cut(len + c);
    }
    if c >= 0 && len > c {
        return String::from_utf8_lossy(&s.as_bytes()[..c as usize]).into_owned();
    }
    s.to_string()
}

fn abbrev(width: i64, s: &str) -> String {
    if width < 4 || s.len() as i64 <= width {
        return s.to_string();
    }
    format!("{}...", byte_slice(s, 0, (width - 3) as usize))
}

fn abbrevboth(left: i64, right: i64, s: &str) -> String {
    if right < 4 || (left > 0 && right < 7) {
        return s.to_string();
    }
    let len = s.len() as i64;
    if len <= right {
        return s.to_string();
    }
    let mut offset = left.max(0).min(len);
    if len - offset < right - 3 {
        offset = len - (right - 3);
    }
    if offset <= 4 {
        return abbrev(right, s);
    }
    if right < 7 {
        return s.to_string();
    }
    if offset + right - 3 < len {
        return format!(
            "...{}",
            abbrev(right - 3, &byte_slice(s, offset as usize, s.len()))
        );
    }
    format!(
        "...{}",
        byte_slice(s, (len - (right - 3)) as usize, s.len())
    )
}

/// `s[a:b]` on bytes, as Go slices strings (a cut inside a UTF-8 sequence gives U+FFFD here).
fn byte_slice(s: &str, a: usize, b: usize) -> String {
    String::from_utf8_lossy(&s.as_bytes()[a.min(s.len())..b.min(s.len())]).into_owned()
}

fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_sep = true;
    for c in s.chars() {
        if prev_sep {
            out.push(go_title(c));
        } else {
            out.push(c);
        }
        prev_sep = is_separator(c);
    }
    out
}

fn is_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphanumeric() {
        return false;
    }
    c.is_whitespace()
}

fn untitle(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_space = true;
    for c in s.chars() {
        if prev_space {
            out.push(go_lower(c));
        } else {
            out.push(c);
        }
        prev_space = c.is_whitespace();
    }
    out
}

fn swapcase(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_uppercase() {
                go_lower(c)
            } else if c.is_lowercase() {
                go_upper(c)
            } else {
                c
            }
        })
        .collect()
}

/// xstrings' word kinds for ToSnakeCase / ToKebabCase.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Word {
    Invalid,
    Number,
    Upper,
    Alphabet,
    Connector,
    Punct,
    Other,
}

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || c.is_whitespace()
}

/// xstrings' isAlphabet: a letter, CJK excluded.
fn is_alphabet(c: char) -> bool {
    c.is_alphabetic() && (c as u32) < 0x2E80
}

/// Go's unicode.IsPunct for ASCII (symbols such as `$+<=>^`|~` are not punctuation);
/// non-ASCII punctuation is approximated as "other".
fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation() && !matches!(c, '$' | '+' | '<' | '=' | '>' | '^' | '`' | '|' | '~')
}

/// Splits the next word off `s` as xstrings does: runs of connectors, punctuation, digits,
/// lower-case letters, or an upper-case letter followed by lower-case ones (an acronym run
/// such as `HTTP` in `HTTPServer` leaves its last capital to the next word).
fn next_word(s: &str) -> (Word, &str, &str) {
    let mut it = s.char_indices().peekable();
    let Some((_, c)) = it.next() else {
        return (Word::Invalid, "", "");
    };
    let end_while =
        |it: &mut std::iter::Peekable<std::str::CharIndices>, f: &dyn Fn(char) -> bool| -> usize {
            while let Some(&(i, d)) = it.peek() {
                if !f(d) {
                    return i;
                }
                it.next();
            }
            s.len()
        };
    // U+FFFD decodes as Go's RuneError: xstrings keeps it with no delimiter on either side
    // (as it does punctuation), unlike other symbols.
    if c == '\u{fffd}' {
        let n = c.len_utf8();
        return (Word::Punct, &s[..n], &s[n..]);
    }
    let (kind, end) = if is_connector(c) {
        (Word::Connector, end_while(&mut it, &is_connector))
    } else if is_punct(c) {
        (Word::Punct, end_while(&mut it, &is_punct))
    } else if c.is_uppercase() {
        match it.peek().copied() {
            None => (Word::Upper, s.len()),
            Some((_, d)) if d.is_uppercase() => {
                // Run of capitals; if a lower-case letter follows, its last capital starts the
                // next word.
                let mut last_start = 0;
                let mut end = s.len();
                while let Some(&(i, d)) = it.peek() {
                    if !d.is_uppercase() {
                        end = i;
                        break;
                    }
                    last_start = i;
                    it.next();
                }
                if s[end..].chars().next().is_some_and(is_alphabet) {
                    end = last_start;
                }
                (Word::Upper, end)
            }
            Some((_, d)) if is_alphabet(d) => (
                Word::Upper,
                end_while(&mut it, &|x| is_alphabet(x) && !x.is_uppercase()),
            ),
            Some((i, _)) => (Word::Upper, i),
        }
    } else if is_alphabet(c) {
        (
            Word::Alphabet,
            end_while(&mut it, &|x| is_alphabet(x) && !x.is_uppercase()),
        )
    } else if c.is_numeric() {
        (Word::Number, end_while(&mut it, &char::is_numeric))
    } else {
        (
            Word::Other,
            end_while(&mut it, &|x| {
                !(is_connector(x) || is_alphabet(x) || x.is_numeric() || is_punct(x))
            }),
        )
    };
    (kind, &s[..end], &s[end..])
}

fn lower_word(out: &mut String, kind: Word, w: &str, delim: char) {
    if kind != Word::Upper && kind != Word::Connector {
        out.push_str(w);
        return;
    }
    for c in w.chars() {
        if is_connector(c) {
            out.push(delim);
        } else {
            out.push(go_lower(c));
        }
    }
}

/// xstrings' ToSnakeCase / ToKebabCase: `FirstName` -> `first_name`, `HTTPServer` ->
/// `http_server`, `a__b` -> `a__b`, `v2Name` -> `v2_name`.
fn delimited_case(s: &str, delim: char) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    if s.is_empty() {
        return out;
    }
    let (mut kind, mut word, mut rest) = next_word(s);
    let sep = |k: Word| !matches!(k, Word::Connector | Word::Punct);
    while !rest.is_empty() {
        if kind != Word::Connector {
            lower_word(&mut out, kind, word, delim);
        }
        let (prev, last) = (kind, word);
        (kind, word, rest) = next_word(rest);
        match prev {
            Word::Number => {
                while matches!(kind, Word::Alphabet | Word::Number) {
                    lower_word(&mut out, kind, word, delim);
                    (kind, word, rest) = next_word(rest);
                }
                if kind != Word::Invalid && sep(kind) {
                    out.push(delim);
                }
            }
            Word::Connector => lower_word(&mut out, prev, last, delim),
            Word::Punct => {}
            _ => {
                if kind != Word::Number {
                    if sep(kind) {
                        out.push(delim);
                    }
                    continue;
                }
                if rest.is_empty() {
                    continue;
                }
                let number = word;
                (kind, word, rest) = next_word(rest);
                if kind != Word::Alphabet {
                    lower_word(&mut out, Word::Number, number, delim);
                    if sep(kind) {
                        out.push(delim);
                    }
                    continue;
                }
                out.push(delim);
                lower_word(&mut out, Word::Number, number, delim);
                while matches!(kind, Word::Alphabet | Word::Number) {
                    lower_word(&mut out, kind, word, delim);
                    (kind, word, rest) = next_word(rest);
                }
                if kind != Word::Invalid && sep(kind) {
                    out.push(delim);
                }
            }
        }
    }
    lower_word(&mut out, kind, word, delim);
    out
}

/// xstrings' ToCamelCase: connectors (`_`, `-`, spaces) are dropped and the letter after them
/// upper-cased, the first letter too; a run of connectors keeps all but its last; leading
/// connectors and a trailing one stay. `foo_bar` -> `FooBar`, `__a__b_` -> `__A_B_`.
/// xstrings' ToCamelCase: connectors (`-`, `_`, spaces) dropped and the rune after each one
/// uppercased; a word that starts upper-case has the upper-case run after its first rune
/// lowered (`HELLO` -> `Hello`, `aBC` -> `ABC`); leading connectors are kept.
fn camelcase(s: &str) -> String {
    let is_conn = |c: char| c == '-' || c == '_' || c.is_whitespace();
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    let mut cur = None;
    let mut word_upper = false;
    for c in it.by_ref() {
        if !is_conn(c) {
            word_upper = c.is_uppercase();
            cur = Some(go_upper(c));
            break;
        }
        out.push(c);
    }
    let Some(mut r0) = cur else { return out };
    for c in it {
        let r1 = r0;
        r0 = c;
        if is_conn(r0) && is_conn(r1) {
            out.push(r1);
            continue;
        }
        if is_conn(r1) {
            word_upper = r0.is_uppercase();
            r0 = go_upper(r0);
        } else {
            if word_upper {
                if r0.is_uppercase() {
                    r0 = go_lower(r0);
                } else {
                    word_upper = false;
                }
            }
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

/// The only rune of a case mapping, if it is one rune.
fn single(mut it: impl Iterator<Item = char>) -> Option<char> {
    let c = it.next()?;
    it.next().is_none().then_some(c)
}

/// Go's `unicode.ToUpper`: the simple one-rune mapping (`ß` and `ŉ`, whose upper case is
/// two letters, stay as they are).
pub(crate) fn go_upper(c: char) -> char {
    single(c.to_uppercase()).unwrap_or(c)
}

/// Go's `unicode.ToLower` (one rune per rune: `İ` is `i`, `Σ` is always `σ`).
pub(crate) fn go_lower(c: char) -> char {
    if c == '\u{130}' {
        return 'i';
    }
    single(c.to_lowercase()).unwrap_or(c)
}

/// Go's `unicode.ToTitle`: upper case but for the Latin digraphs, whose title case is their
/// capital-small form (`ǆ` -> `ǅ`).
fn go_title(c: char) -> char {
    match c {
        '\u{1C4}'..='\u{1C6}' => '\u{1C5}',
        '\u{1C7}'..='\u{1C9}' => '\u{1C8}',
        '\u{1CA}'..='\u{1CC}' => '\u{1CB}',
        '\u{1F1}'..='\u{1F3}' => '\u{1F2}',
        _ => go_upper(c),
    }
}

/// goutils' WrapCustom(str, width, newline, wrapLongWords=false).
/// goutils' `WrapCustom` as Sprig calls it (`wrap`: long words kept whole, `wrapWith`: long
/// words cut): byte offsets, breaking at the last space that keeps a line within `width`
/// bytes, spaces at a line start skipped, existing newlines not treated specially.
fn wrap(s: &str, width: i64, newline: &str, cut_long: bool) -> String {
    if s.is_empty() {
        return String::new();
    }
    let newline = if newline.is_empty() { "\n" } else { newline }.as_bytes();
    let width = width.max(1) as usize;
    let b = s.as_bytes();
    let len = b.len();
    let mut out: Vec<u8> = Vec::with_capacity(len + len / width * newline.len());
    let mut offset = 0usize;
    while len - offset > width {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = (width + offset + 1).min(len);
        match b[offset..end].iter().rposition(|&c| c == b' ') {
            Some(sp) => {
                let at = offset + sp;
                out.extend_from_slice(&b[offset..at]);
                out.extend_from_slice(newline);
                offset = at + 1;
            }
            None if cut_long => {
                out.extend_from_slice(&b[offset..offset + width]);
                out.extend_from_slice(newline);
                offset += width;
            }
            None => {
                let end = width + offset;
                match b[end..].iter().position(|&c| c == b' ') {
                    None => {
                        out.extend_from_slice(&b[offset..]);
                        offset = len;
                    }
                    Some(i) => {
                        let at = end + i;
                        out.extend_from_slice(&b[offset..at]);
                        out.extend_from_slice(newline);
                        offset = at + 1;
                    }
                }
            }
        }
    }
    out.extend_from_slice(&b[offset..]);
    String::from_utf8_lossy(&out).into_owned()
}

/// Go's path.Clean.
pub(crate) fn path_clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    if rooted {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}

fn path_base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/".into();
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}

fn path_dir(p: &str) -> String {
    let dir = match p.rfind('/') {
        Some(i) => &p[..=i],
        None => "",
    };
    path_clean(dir)
}

fn path_ext(p: &str) -> String {
    for (i, c) in p.char_indices().rev() {
        if c == '/' {
            break;
        }
        if c == '.' {
            return p[i..].to_string();
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_mappings_are_gos_simple_ones() {
        assert_eq!(camelcase("HELLO"), "Hello");
        assert_eq!(camelcase("aBC_dEF"), "ABCDEF");
        assert_eq!(camelcase("ÄÖü"), "Äöü");
        assert_eq!(camelcase("ÖÖ_ÖÖ"), "ÖöÖö");
        assert_eq!(camelcase("__a_b"), "__AB");
        assert_eq!(camelcase("ßa"), "ßa");
        assert_eq!(title("ßa ǆx"), "ßa ǅx");
        assert_eq!(swapcase("ßİ"), "ßi");
        assert_eq!(untitle("İA"), "iA");
        let lower: String = "ΟΔΟΣ İ".chars().map(go_lower).collect();
        assert_eq!(lower, "οδοσ i");
        let upper: String = "ßaŉ".chars().map(go_upper).collect();
        assert_eq!(upper, "ßAŉ");
    }

    #[test]
    fn snakecase_keeps_replacement_characters_unseparated() {
        assert_eq!(delimited_case("a\u{fffd}b", '_'), "a\u{fffd}b");
        assert_eq!(delimited_case("\u{fffd}A", '_'), "\u{fffd}a");
        assert_eq!(
            delimited_case("A\u{fffd}B1\u{fffd}2", '_'),
            "a\u{fffd}b1\u{fffd}2"
        );
        assert_eq!(delimited_case("a©b", '_'), "a_©_b");
    }

    #[test]
    fn substr_panics_as_go_slicing_does() {
        let ok = |a, z, s| substr(a, z, s).unwrap().as_str().unwrap().to_string();
        assert_eq!(ok(1, 3, "hello"), "el");
        assert_eq!(ok(-1, 2, "hello"), "he");
        assert_eq!(ok(2, -1, "hello"), "llo");
        assert_eq!(ok(2, 99, "hello"), "llo");
        let err = |a, z, s| substr(a, z, s).unwrap_err();
        let oob = "runtime error: slice bounds out of range ";
        assert_eq!(err(-1, 9, "abc"), format!("{oob}[:9] with length 3"));
        assert_eq!(err(-1, -2, "abc"), format!("{oob}[:-2]"));
        assert_eq!(err(5, -1, "abc"), format!("{oob}[5:3]"));
        assert_eq!(err(2, 1, "abc"), format!("{oob}[2:1]"));
    }
}
