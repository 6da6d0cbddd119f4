//! Go's `strconv`, as Go programs see it. Number parsing, as Go's template parser and Sprig's
//! conversions use it:
//! [`parse_int`] / [`parse_uint`] with base 0 (prefixes `0x`, `0o`, `0b`, a leading `0` for
//! octal, `_` digit separators) and [`parse_float`] (decimal and hexadecimal floats such as
//! `0x1p-2`, `_` separators, `inf`/`nan`), with Go's distinction between a syntax error and a
//! value out of range.
//! Formatting: quoting strings and runes (`%q`, error texts) and floats (`%v`, `%g`, `%e`, `%f`
//! with Go's shortest representation). Used by `gotemplate` (literals, `%q`, `%v`) and by `kyaml`
//! (Go-quoted names in error texts), so Go quoting has one definition.
//!
//! ```
//! assert_eq!(go_strconv::quote_go("a\tb\u{1b}"), r#""a\tb\x1b""#);
//! assert_eq!(go_strconv::parse_int("0x_1F", true), Ok(31));
//! assert_eq!(go_strconv::format_float(0.1 + 0.2, 'g', -1), "0.30000000000000004");
//! ```

use std::fmt::Write as _;

/// Why a number did not parse (Go's `strconv.ErrSyntax` / `strconv.ErrRange`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumError {
    Syntax,
    /// Well-formed but out of range: the value is the clamped one Go returns with the error.
    Range,
}

/// Go's `underscoreOK`: underscores only between digits, or between a base prefix and a digit.
fn underscore_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    let b = if !b.is_empty() && (b[0] == b'-' || b[0] == b'+') {
        &b[1..]
    } else {
        b
    };
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1] | 0x20, b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = b[1] | 0x20 == b'x';
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && (c | 0x20).is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// Go's `strconv.ParseUint(s, base, 64)` for base 0 (`base0 = true`) or 10.
pub fn parse_uint(s: &str, base0: bool) -> Result<u64, NumError> {
    if s.is_empty() {
        return Err(NumError::Syntax);
    }
    let s0 = s;
    let (digits, base) = if base0 {
        let b = s.as_bytes();
        if b[0] == b'0' {
            if s.len() >= 3 && matches!(b[1] | 0x20, b'b' | b'o' | b'x') {
                let base = match b[1] | 0x20 {
                    b'b' => 2,
                    b'o' => 8,
                    _ => 16,
                };
                (&s[2..], base)
            } else {
                (&s[1..], 8)
            }
        } else {
            (s, 10)
        }
    } else {
        (s, 10)
    };
    let mut n: u64 = 0;
    let mut underscores = false;
    let mut range = false;
    for c in digits.bytes() {
        let d = match c {
            b'_' if base0 => {
                underscores = true;
                continue;
            }
            b'0'..=b'9' => c - b'0',
            b'a'..=b'z' | b'A'..=b'Z' => (c | 0x20) - b'a' + 10,
            _ => return Err(NumError::Syntax),
        };
        if u32::from(d) >= base {
            return Err(NumError::Syntax);
        }
        match n
            .checked_mul(u64::from(base))
            .and_then(|x| x.checked_add(u64::from(d)))
        {
            Some(x) => n = x,
            None => {
                range = true;
                n = u64::MAX;
            }
        }
    }
    if underscores && !underscore_ok(s0) {
        return Err(NumError::Syntax);
    }
    // "0x" alone: no digits after the prefix.
    if base0 && s.len() >= 2 && digits.is_empty() && s != "0" {
        return Err(NumError::Syntax);
    }
    if range {
        return Err(NumError::Range);
    }
    Ok(n)
}

/// Go's `strconv.ParseInt(s, base, 64)` for base 0 (`base0 = true`) or 10.
pub fn parse_int(s: &str, base0: bool) -> Result<i64, NumError> {
    if s.is_empty() {
        return Err(NumError::Syntax);
    }
    let (neg, body) = match s.as_bytes()[0] {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let un = parse_uint(body, base0)?;
    let cutoff = 1u64 << 63;
    if !neg && un >= cutoff {
        return Err(NumError::Range);
    }
    if neg && un > cutoff {
        return Err(NumError::Range);
    }
    Ok(if neg {
        (un as i64).wrapping_neg()
    } else {
        un as i64
    })
}

/// Go's `strconv.ParseFloat(s, 64)`: decimal (`1.5e3`, `.5`, `1.`), hexadecimal with a
/// mandatory binary exponent (`0x1.8p1`), `_` separators (Go's rules), `inf`/`infinity`/`nan`.
/// Overflow is [`NumError::Range`] (Go returns ±Inf with it).
pub fn parse_float(s: &str) -> Result<f64, NumError> {
    if s.is_empty() {
        return Err(NumError::Syntax);
    }
    let (neg, body) = match s.as_bytes()[0] {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let special = match lower.as_str() {
        "inf" | "infinity" => Some(f64::INFINITY),
        "nan" => Some(f64::NAN),
        _ => None,
    };
    if let Some(f) = special {
        return Ok(if neg { -f } else { f });
    }
    if body.contains('_') && !underscore_ok(s) {
        return Err(NumError::Syntax);
    }
    let clean: String = lower.chars().filter(|&c| c != '_').collect();
    let v = if let Some(hex) = clean.strip_prefix("0x") {
        parse_hex_float(hex)?
    } else {
        // Rust accepts exactly Go's decimal grammar here (digits, '.', exponent), but also
        // "inf"/"nan" spellings, which are handled above.
        if clean.is_empty()
            || !clean
                .bytes()
                .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'+' | b'-'))
        {
            return Err(NumError::Syntax);
        }
        clean.parse::<f64>().map_err(|_| NumError::Syntax)?
    };
    if v.is_infinite() {
        return Err(NumError::Range);
    }
    Ok(if neg { -v } else { v })
}

/// A hexadecimal float's mantissa and `p` exponent (after `0x`), rounded to nearest even.
fn parse_hex_float(s: &str) -> Result<f64, NumError> {
    let (mant, exp) = s.split_once('p').ok_or(NumError::Syntax)?;
    let exp: i64 = match exp.strip_prefix('+') {
        Some(e) if !e.starts_with(['+', '-']) => e.parse().map_err(|_| NumError::Syntax)?,
        _ => exp.parse().map_err(|_| NumError::Syntax)?,
    };
    let mut m: u64 = 0;
    let mut shift: i64 = 0; // binary exponent adjustment
    let mut sticky = false;
    let mut seen_dot = false;
    let mut ndigits = 0;
    for c in mant.bytes() {
        if c == b'.' {
            if seen_dot {
                return Err(NumError::Syntax);
            }
            seen_dot = true;
            continue;
        }
        let d = (c as char).to_digit(16).ok_or(NumError::Syntax)? as u64;
        ndigits += 1;
        if m >> 60 == 0 {
            m = m << 4 | d;
            if seen_dot {
                shift -= 4;
            }
        } else {
            sticky |= d != 0;
            if !seen_dot {
                shift += 4;
            }
        }
    }
    if ndigits == 0 {
        return Err(NumError::Syntax);
    }
    if m == 0 {
        return Ok(0.0);
    }
    // Round m (up to 64 bits) to 53 significant bits, half to even, with the sticky bit.
    let bits = 64 - m.leading_zeros() as i64;
    let mut e2 = exp.saturating_add(shift);
    if bits > 53 {
        let drop = (bits - 53) as u32;
        let rem = m & ((1u64 << drop) - 1);
        let half = 1u64 << (drop - 1);
        m >>= drop;
        e2 = e2.saturating_add(i64::from(drop));
        if rem > half || (rem == half && (sticky || m & 1 == 1)) {
            m += 1;
        }
    }
    let mut f = m as f64;
    // Scale by 2^e2 in steps that stay exact until overflow or underflow.
    let mut e = e2.clamp(-2200, 2200);
    while e > 0 {
        let step = e.min(1000);
        f *= 2f64.powi(step as i32);
        e -= step;
    }
    while e < 0 {
        let step = (-e).min(1000);
        f /= 2f64.powi(step as i32);
        e += step;
    }
    Ok(f)
}

/// Go's `strconv.Quote` (what `%q` prints for a string).
pub fn quote_go(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_escaped(&mut out, c, '"');
    }
    out.push('"');
    out
}

/// Appends `c` as Go writes it inside a literal quoted with `quote` (`"` or `'`).
pub fn push_escaped(out: &mut String, c: char, quote: char) {
    match c {
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        '\\' => out.push_str("\\\\"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        '\u{fffd}' => out.push_str("\\ufffd"),
        c if is_print(c) => out.push(c),
        c if (c as u32) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if (c as u32) < 0x10000 => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\U{:08x}", c as u32);
        }
    }
}

/// Approximates Go's `unicode.IsPrint` (letters, marks, numbers, punctuation, symbols, ASCII
/// space).
pub fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let u = c as u32;
    // Format characters, private use, surrogates, unassigned: treat common ones as non-printable.
    // Noncharacters (`U+xFFFE`, `U+xFFFF` in every plane) and the private use planes 15 and 16
    // are not printable either.
    let nonchar = u & 0xfffe == 0xfffe;
    !nonchar
        && !matches!(u, 0xad | 0x600..=0x605 | 0x200b..=0x200f | 0x2028..=0x202e | 0x2060..=0x206f | 0xfeff | 0xe000..=0xf8ff | 0xfff9..=0xfffb | 0xf0000..)
}

/// Go's `%q` of a rune.
pub fn quote_rune(c: char) -> String {
    let mut out = String::from("'");
    push_escaped(&mut out, c, '\'');
    out.push('\'');
    out
}

/// Go's `strconv.FormatFloat(f, fmt, prec, 64)` for fmt in `e E f g G`.
pub fn format_float(f: f64, verb: char, prec: i32) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    match verb {
        'f' | 'F' => {
            if prec < 0 {
                let (neg, digits, dp) = shortest_digits(f);
                fixed_from_digits(neg, &digits, dp, None)
            } else {
                format!("{:.*}", prec as usize, f)
            }
        }
        'e' | 'E' => {
            let (neg, digits, dp) = if prec < 0 {
                shortest_digits(f)
            } else {
                precise_digits(f, prec as usize + 1)
            };
            let s = exp_from_digits(
                neg,
                &digits,
                dp,
                if prec < 0 { None } else { Some(prec as usize) },
            );
            if verb == 'E' { s.to_uppercase() } else { s }
        }
        _ => {
            // 'g' / 'G'
            let shortest = prec < 0;
            let (neg, digits, dp) = if shortest {
                shortest_digits(f)
            } else {
                let p = if prec == 0 { 1 } else { prec as usize };
                let (n, d, dp) = precise_digits(f, p);
                // %g removes trailing zeros.
                let d = d.trim_end_matches('0').to_string();
                let d = if d.is_empty() { "0".to_string() } else { d };
                (n, d, dp)
            };
            let nd = digits.len() as i32;
            let mut eprec = if shortest {
                6
            } else if prec == 0 {
                1
            } else {
                prec
            };
            if !shortest && eprec > nd && nd >= dp {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exp = dp - 1;
            let s = if digits == "0" {
                if neg { "-0".into() } else { "0".into() }
            } else if exp < -4 || exp >= eprec {
                exp_from_digits(neg, &digits, dp, None)
            } else {
                fixed_from_digits(neg, &digits, dp, None)
            };
            if verb == 'G' { s.to_uppercase() } else { s }
        }
    }
}

/// Shortest round-trip decimal digits of `f`: (negative, digits, decimal point position).
fn shortest_digits(f: f64) -> (bool, String, i32) {
    let s = format!("{:e}", f.abs());
    split_exp(f.is_sign_negative(), &s)
}

/// `n` significant digits, correctly rounded.
fn precise_digits(f: f64, n: usize) -> (bool, String, i32) {
    let s = format!("{:.*e}", n.saturating_sub(1), f.abs());
    split_exp(f.is_sign_negative(), &s)
}

fn split_exp(neg: bool, s: &str) -> (bool, String, i32) {
    let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    if digits.chars().all(|c| c == '0') {
        return (neg, "0".into(), 1);
    }
    (neg, digits, exp + 1)
}

fn exp_from_digits(neg: bool, digits: &str, dp: i32, prec: Option<usize>) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let (first, rest) = digits.split_at(1);
    out.push_str(first);
    let mut rest = rest.to_string();
    if let Some(p) = prec {
        while rest.len() < p {
            rest.push('0');
        }
    }
    if !rest.is_empty() {
        out.push('.');
        out.push_str(&rest);
    }
    let exp = if digits == "0" { 0 } else { dp - 1 };
    let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    out
}

fn fixed_from_digits(neg: bool, digits: &str, dp: i32, _prec: Option<usize>) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if dp <= 0 {
        out.push_str("0.");
        for _ in 0..(-dp) {
            out.push('0');
        }
        out.push_str(digits);
    } else if dp as usize >= digits.len() {
        out.push_str(digits);
        for _ in 0..(dp as usize - digits.len()) {
            out.push('0');
        }
    } else {
        out.push_str(&digits[..dp as usize]);
        out.push('.');
        out.push_str(&digits[dp as usize..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_as_go_reads_them() {
        assert_eq!(parse_int("0x1F", true), Ok(31));
        assert_eq!(parse_int("0o17", true), Ok(15));
        assert_eq!(parse_int("017", true), Ok(15));
        assert_eq!(parse_int("0b101", true), Ok(5));
        assert_eq!(parse_int("1_000", true), Ok(1000));
        assert_eq!(parse_int("0x_1F", true), Ok(31));
        assert_eq!(parse_int("-0", true), Ok(0));
        assert_eq!(parse_int("08", true), Err(NumError::Syntax));
        assert_eq!(parse_int("1__0", true), Err(NumError::Syntax));
        assert_eq!(parse_int("_1", true), Err(NumError::Syntax));
        assert_eq!(parse_int("1_", true), Err(NumError::Syntax));
        assert_eq!(parse_int("1_000", false), Err(NumError::Syntax));
        assert_eq!(parse_int("0x", true), Err(NumError::Syntax));
        assert_eq!(parse_int("9223372036854775807", true), Ok(i64::MAX));
        assert_eq!(parse_int("-9223372036854775808", true), Ok(i64::MIN));
        assert_eq!(parse_int("9223372036854775808", true), Err(NumError::Range));
        assert_eq!(parse_uint("18446744073709551615", true), Ok(u64::MAX));
        assert_eq!(
            parse_uint("18446744073709551616", true),
            Err(NumError::Range)
        );
        assert_eq!(parse_uint("-1", true), Err(NumError::Syntax));
    }

    #[test]
    fn private_use_planes_and_noncharacters_are_escaped() {
        assert_eq!(quote_rune('\u{f4240}'), "'\\U000f4240'");
        assert_eq!(quote_rune('\u{10fffd}'), "'\\U0010fffd'");
        assert_eq!(quote_rune('\u{1fffe}'), "'\\U0001fffe'");
        assert_eq!(quote_rune('\u{1f600}'), "'\u{1f600}'");
    }

    #[test]
    fn floats_as_go_reads_them() {
        assert_eq!(parse_float("0x1p-2"), Ok(0.25));
        assert_eq!(parse_float("0x1p10"), Ok(1024.0));
        assert_eq!(parse_float("0X1.8P1"), Ok(3.0));
        assert_eq!(parse_float("0x.8p1"), Ok(1.0));
        assert_eq!(parse_float("0x1"), Err(NumError::Syntax));
        assert_eq!(parse_float(".5"), Ok(0.5));
        assert_eq!(parse_float("1."), Ok(1.0));
        assert_eq!(parse_float("1e3"), Ok(1000.0));
        assert_eq!(parse_float("1_000.5"), Ok(1000.5));
        assert_eq!(parse_float("-2.25"), Ok(-2.25));
        assert_eq!(parse_float("1e400"), Err(NumError::Range));
        assert_eq!(parse_float("1e-400"), Ok(0.0));
        assert_eq!(parse_float("1e"), Err(NumError::Syntax));
        assert_eq!(parse_float("abc"), Err(NumError::Syntax));
        assert!(parse_float("NaN").is_ok_and(f64::is_nan));
        assert_eq!(parse_float("-Inf"), Ok(f64::NEG_INFINITY));
        assert_eq!(parse_float("0x1fffffffffffffp0"), Ok(9007199254740991.0));
        assert_eq!(parse_float("0x20000000000001p0"), Ok(9007199254740992.0));
        assert_eq!(parse_float("0x20000000000003p0"), Ok(9007199254740996.0));
    }
}
