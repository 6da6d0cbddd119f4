//! Go's `fmt` formatting of template values: `%v` of maps (`map[a:1 b:2]`), slices (`[a b]`),
//! nil (`<nil>`), floats (shortest `%g`: `1e+06`), and `Sprintf` with verbs, flags, width and
//! precision, including Go's error markers (`%!d(string=x)`, `%!v(MISSING)`, `%!(EXTRA ...)`).

use std::fmt::Write as _;

use crate::value::GoValue;

use crate::strconv::push_escaped;
pub use crate::strconv::{format_float, quote_go, quote_rune};

/// `fmt.Sprint(v)` for one value: `%v`.
pub fn sprint_value(v: &GoValue) -> String {
    let mut out = String::new();
    write_v(&mut out, v);
    out
}

/// Writes `v` with a verb that applies element-wise to containers (`%v`, `%s`, `%d`...).
fn write_v(out: &mut String, v: &GoValue) {
    match v {
        GoValue::Nil => out.push_str("<nil>"),
        GoValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        GoValue::Int(i) | GoValue::Int64(i) => {
            let _ = write!(out, "{i}");
        }
        GoValue::Float(f) => out.push_str(&format_float(*f, 'g', -1)),
        GoValue::String(s) => out.push_str(s),
        GoValue::Bytes(b) => {
            push_seq(out, "[", b.iter(), " ", "]", |out, x| {
                let _ = write!(out, "{x}");
            });
        }
        GoValue::List(l) => {
            push_seq(out, "[", l.iter(), " ", "]", |out, x| {
                write_v(out, x);
            });
        }
        GoValue::Map(m) => {
            push_seq(out, "map[", m.borrow().iter(), " ", "]", |out, (k, x)| {
                out.push_str(k);
                out.push(':');
                write_v(out, x);
            });
        }
        GoValue::Object(o) => match o.string() {
            Some(s) => out.push_str(&s),
            // A map- or slice-like object prints as a Go map or slice.
            None if o.entries().is_some() => {
                push_seq(
                    out,
                    "map[",
                    o.entries().unwrap_or_default().iter(),
                    " ",
                    "]",
                    |out, (k, x)| {
                        out.push_str(k);
                        out.push(':');
                        write_v(out, x);
                    },
                );
            }
            None if o.items().is_some() => {
                push_seq(
                    out,
                    "[",
                    o.items().unwrap_or_default().iter(),
                    " ",
                    "]",
                    |out, x| {
                        write_v(out, x);
                    },
                );
            }
            None => {
                let inner = o.to_value();
                if let GoValue::Map(m) = &inner {
                    // A struct prints as &{v1 v2 ...}; we print its field values in key order.
                    push_seq(out, "&{", m.borrow().iter(), " ", "}", |out, (_, x)| {
                        write_v(out, x);
                    });
                } else {
                    write_v(out, &inner);
                }
            }
        },
    }
}

/// `fmt.Sprint(args...)`: spaces between operands when neither side is a string.
pub fn sprint(args: &[GoValue]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        let is_str = matches!(a, GoValue::String(_));
        if i > 0 && !is_str && !matches!(args[i - 1], GoValue::String(_)) {
            out.push(' ');
        }
        write_v(&mut out, a);
    }
    out
}

/// `fmt.Sprintln(args...)`: always spaces, newline at the end.
pub fn sprintln(args: &[GoValue]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        write_v(&mut out, a);
    }
    out.push('\n');
    out
}

#[derive(Default, Clone, Copy)]
struct Flags {
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// `fmt.Sprintf(format, args...)`.
pub fn sprintf(format: &str, args: &[GoValue]) -> String {
    sprintf_limited(format, args, usize::MAX).unwrap_or_default()
}

/// `fmt.Sprintf` that gives up once the result is longer than `limit` bytes (widths up to
/// Go's 1e6 per verb can make a short format produce a huge string).
pub fn sprintf_limited(format: &str, args: &[GoValue], limit: usize) -> Result<String, String> {
    let mut out = String::new();
    let mut argi = 0usize;
    let mut reordered = false;
    let mut chars = format.char_indices().peekable();
    let b = format.as_bytes();
    while let Some((_, c)) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut fl = Flags::default();
        // Flags.
        while let Some(&(_, f)) = chars.peek() {
            match f {
                '-' => fl.minus = true,
                '+' => fl.plus = true,
                '#' => fl.sharp = true,
                ' ' => fl.space = true,
                '0' => fl.zero = true,
                _ => break,
            }
            chars.next();
        }
        // An explicit argument index (`%[2]d`) may come before the width, the precision and
        // the verb; it makes the next argument that one.
        let mut index = |chars: &mut std::iter::Peekable<std::str::CharIndices>,
                         argi: &mut usize|
         -> bool {
            let Some(&(at, '[')) = chars.peek() else {
                return true;
            };
            chars.next();
            reordered = true;
            // Go skips to the closing bracket (or just the `[` when there is none).
            let Some(close) = format[at..].find(']') else {
                return false;
            };
            let inner = &format[at + 1..at + close];
            while chars.peek().is_some_and(|&(k, _)| k <= at + close) {
                chars.next();
            }
            match inner.parse::<usize>() {
                Ok(n) if inner.bytes().all(|b| b.is_ascii_digit()) && n >= 1 && n <= args.len() => {
                    *argi = n - 1;
                    true
                }
                _ => false,
            }
        };
        let mut good = index(&mut chars, &mut argi);
        // Width.
        if let Some(&(_, '*')) = chars.peek() {
            chars.next();
            match args.get(argi) {
                Some(GoValue::Int(w) | GoValue::Int64(w)) => {
                    if *w < 0 {
                        fl.minus = true;
                    }
                    fl.width = Some(w.unsigned_abs() as usize);
                }
                _ => out.push_str("%!(BADWIDTH)"),
            }
            argi += 1;
        } else {
            let mut w = None;
            while let Some(&(i, d)) = chars.peek() {
                if !d.is_ascii_digit() {
                    break;
                }
                let _ = i;
                w = Some((w.unwrap_or(0) * 10 + (d as usize - '0' as usize)).min(10_000_000));
                chars.next();
            }
            fl.width = w;
        }
        // Precision.
        if let Some(&(_, '.')) = chars.peek() {
            chars.next();
            good &= index(&mut chars, &mut argi);
            if let Some(&(_, '*')) = chars.peek() {
                chars.next();
                match args.get(argi) {
                    Some(GoValue::Int(p) | GoValue::Int64(p)) if *p >= 0 => {
                        fl.prec = Some(*p as usize)
                    }
                    _ => out.push_str("%!(BADPREC)"),
                }
                argi += 1;
            } else {
                let mut p = 0usize;
                while let Some(&(_, d)) = chars.peek() {
                    if !d.is_ascii_digit() {
                        break;
                    }
                    p = (p * 10 + (d as usize - '0' as usize)).min(10_000_000);
                    chars.next();
                }
                fl.prec = Some(p);
            }
        }
        // Go's fmt rejects widths and precisions above 1e6.
        if fl.width.is_some_and(|w| w > 1_000_000) {
            out.push_str("%!(BADWIDTH)");
            fl.width = None;
        }
        if fl.prec.is_some_and(|p| p > 1_000_000) {
            out.push_str("%!(BADPREC)");
            fl.prec = None;
        }
        good &= index(&mut chars, &mut argi);
        let Some((_, verb)) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if !good {
            let _ = write!(out, "%!{verb}(BADINDEX)");
            continue;
        }
        if out.len() > limit {
            return Err(crate::options::limit_message(
                "printf",
                out.len() as u128,
                "bytes",
                limit,
            ));
        }
        let _ = b;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(argi) else {
            let _ = write!(out, "%!{verb}(MISSING)");
            continue;
        };
        argi += 1;
        format_one(&mut out, arg, verb, fl);
        if out.len() > limit {
            return Err(crate::options::limit_message(
                "printf",
                out.len() as u128,
                "bytes",
                limit,
            ));
        }
    }
    if !reordered && argi < args.len() {
        push_seq(
            &mut out,
            "%!(EXTRA ",
            args[argi..].iter(),
            ", ",
            ")",
            |out, a| {
                if a.is_nil() {
                    out.push_str("<nil>");
                } else {
                    let _ = write!(out, "{}={}", a.type_name(), sprint_value(a));
                }
            },
        );
    }
    Ok(out)
}

fn pad(out: &mut String, s: &str, fl: Flags, zero_ok: bool) {
    let len = s.chars().count();
    let w = fl.width.unwrap_or(0);
    if len >= w {
        out.push_str(s);
        return;
    }
    let n = w - len;
    if fl.minus {
        out.push_str(s);
        out.extend(std::iter::repeat_n(' ', n));
    } else if fl.zero && zero_ok {
        // Zero padding goes after the sign.
        let (sign, rest) = match s.chars().next() {
            Some(c @ ('-' | '+' | ' ')) => (Some(c), &s[1..]),
            _ => (None, s),
        };
        if let Some(c) = sign {
            out.push(c);
        }
        out.extend(std::iter::repeat_n('0', n));
        out.push_str(rest);
    } else {
        out.extend(std::iter::repeat_n(' ', n));
        out.push_str(s);
    }
}

/// Go's padString: width padding with spaces, or zeros (before the text, sign or not) under
/// the `0` flag.
fn pad_str(out: &mut String, s: &str, fl: Flags) {
    let len = s.chars().count();
    let w = fl.width.unwrap_or(0);
    if len >= w {
        out.push_str(s);
        return;
    }
    let n = w - len;
    if fl.minus {
        out.push_str(s);
        out.extend(std::iter::repeat_n(' ', n));
    } else {
        out.extend(std::iter::repeat_n(if fl.zero { '0' } else { ' ' }, n));
        out.push_str(s);
    }
}

/// Go's badVerb: `%!d(string=x)`, the value printed with `%v` and the verb's flags.
fn bad_verb(out: &mut String, verb: char, arg: &GoValue, fl: Flags) {
    if arg.is_nil() {
        let _ = write!(out, "%!{verb}(<nil>)");
    } else {
        let _ = write!(out, "%!{verb}({}=", arg.type_name());
        format_one(out, arg, 'v', fl);
        out.push(')');
    }
}

/// Go's `%#v`: the value in Go syntax (`map[string]interface {}{"a":1}`, `[]string{"x"}`).
fn go_syntax(out: &mut String, v: &GoValue, top: bool) {
    match v {
        GoValue::Nil if top => out.push_str("<nil>"),
        GoValue::Nil => out.push_str("interface {}(nil)"),
        GoValue::String(s) => out.push_str(&quote_go(s)),
        GoValue::Bytes(b) => {
            push_seq(out, "[]byte{", b.iter(), ", ", "}", |out, x| {
                let _ = write!(out, "{x:#x}");
            });
        }
        GoValue::List(l) => {
            push_seq(out, "[]interface {}{", l.iter(), ", ", "}", |out, x| {
                go_syntax(out, x, false);
            });
        }
        GoValue::Map(m) => {
            push_seq(
                out,
                "map[string]interface {}{",
                m.borrow().iter(),
                ", ",
                "}",
                |out, (k, x)| {
                    out.push_str(&quote_go(k));
                    out.push(':');
                    go_syntax(out, x, false);
                },
            );
        }
        GoValue::Object(o) if o.items().is_some() || o.entries().is_some() => {
            out.push_str(o.type_name());
            out.push('{');
            if let Some(items) = o.items() {
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    go_syntax(out, x, true);
                }
            } else if let Some(entries) = o.entries() {
                for (i, (k, x)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&quote_go(k));
                    out.push(':');
                    go_syntax(out, x, true);
                }
            }
            out.push('}');
        }
        other => write_v(out, other),
    }
}

/// Go's `strconv.QuoteToASCII` (what `%+q` prints).
fn quote_ascii(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        push_escaped_ascii(&mut out, c, '"');
    }
    out.push('"');
    out
}

fn push_escaped_ascii(out: &mut String, c: char, quote: char) {
    if c.is_ascii() || c == '\u{fffd}' {
        push_escaped(out, c, quote);
    } else if (c as u32) < 0x10000 {
        let _ = write!(out, "\\u{:04x}", c as u32);
    } else {
        let _ = write!(out, "\\U{:08x}", c as u32);
    }
}

/// Go's `strconv.FormatFloat(f, 'x' or 'X', prec, 64)`: `0x1.8p+00`.
fn hex_float(f: f64, upper: bool, prec: Option<usize>) -> String {
    let mut out = String::new();
    if f.is_sign_negative() {
        out.push('-');
    }
    let f = f.abs();
    let (mut mant, mut exp) = if f == 0.0 {
        (0u64, 0i64)
    } else {
        let bits = f.to_bits();
        let e = ((bits >> 52) & 0x7ff) as i64;
        let m = bits & ((1u64 << 52) - 1);
        if e == 0 {
            // Subnormal: normalize so the leading 1 is at bit 52.
            let shift = m.leading_zeros() as i64 - 11;
            (m << shift, -1022 - shift)
        } else {
            (m | (1u64 << 52), e - 1023)
        }
    };
    // mant has its leading 1 at bit 52 (or is 0): 13 hex digits of fraction.
    let mut digits = 13usize;
    if let Some(p) = prec
        && p < 13
    {
        let drop = (13 - p) * 4;
        let rem = mant & ((1u64 << drop) - 1);
        let half = 1u64 << (drop - 1);
        mant >>= drop;
        if rem > half || (rem == half && mant & 1 == 1) {
            mant += 1;
        }
        if mant >> (p * 4 + 1) != 0 {
            mant >>= 1;
            exp += 1;
        }
        digits = p;
    }
    let lead = mant >> (digits * 4);
    let frac = mant & ((1u64 << (digits * 4)) - 1);
    let mut fs = if digits > 0 {
        format!("{frac:0width$x}", width = digits)
    } else {
        String::new()
    };
    match prec {
        None => {
            while fs.ends_with('0') {
                fs.pop();
            }
        }
        Some(p) => {
            while fs.len() < p {
                fs.push('0');
            }
        }
    }
    let _ = write!(out, "0x{lead}");
    if !fs.is_empty() {
        out.push('.');
        out.push_str(&fs);
    }
    let _ = write!(out, "p{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    if upper { out.to_uppercase() } else { out }
}

fn fmt_int(out: &mut String, i: i64, verb: char, fl: Flags) {
    let neg = i < 0;
    let u = i.unsigned_abs();
    let mut digits = match verb {
        'd' | 'v' => u.to_string(),
        'b' => format!("{u:b}"),
        'o' | 'O' => format!("{u:o}"),
        'x' => format!("{u:x}"),
        'X' => format!("{u:X}"),
        'c' => {
            let s = char::from_u32(i as u32).unwrap_or('\u{fffd}').to_string();
            pad(out, &s, fl, false);
            return;
        }
        'q' => {
            let c = char::from_u32(i as u32).unwrap_or('\u{fffd}');
            let s = if fl.plus {
                let mut q = String::from("'");
                push_escaped_ascii(&mut q, c, '\'');
                q.push('\'');
                q
            } else {
                quote_rune(c)
            };
            pad(out, &s, fl, false);
            return;
        }
        'U' => {
            let s = format!("U+{u:04X}");
            pad(out, &s, fl, false);
            return;
        }
        _ => unreachable!(),
    };
    if let Some(p) = fl.prec {
        if p == 0 && u == 0 {
            digits.clear();
        }
        while digits.len() < p {
            digits.insert(0, '0');
        }
    }
    let prefix = match verb {
        'x' if fl.sharp => "0x",
        'X' if fl.sharp => "0X",
        'o' if fl.sharp && !digits.starts_with('0') => "0",
        'O' => "0o",
        'b' if fl.sharp => "0b",
        _ => "",
    };
    let sign = if neg {
        "-"
    } else if fl.plus {
        "+"
    } else if fl.space {
        " "
    } else {
        ""
    };
    let body = format!("{sign}{prefix}{digits}");
    pad(out, &body, fl, fl.prec.is_none());
}

fn fmt_float(out: &mut String, f: f64, verb: char, fl: Flags) {
    let prec = fl.prec.map(|p| p as i32);
    let mut s = match verb {
        'v' | 'g' | 'G' => format_float(f, if verb == 'G' { 'G' } else { 'g' }, prec.unwrap_or(-1)),
        'e' | 'E' => format_float(f, verb, prec.unwrap_or(6)),
        'f' | 'F' => format_float(f, 'f', prec.unwrap_or(6)),
        _ => unreachable!(),
    };
    if fl.plus && !s.starts_with('-') {
        s.insert(0, '+');
    } else if fl.space && !s.starts_with('-') {
        s.insert(0, ' ');
    }
    pad(out, &s, fl, f.is_finite());
}

fn fmt_str(out: &mut String, s: &str, verb: char, fl: Flags) {
    match verb {
        'v' | 's' => {
            let s = match fl.prec {
                Some(p) => s.chars().take(p).collect::<String>(),
                None => s.to_string(),
            };
            pad_str(out, &s, fl);
        }
        'q' => {
            let s = match fl.prec {
                Some(p) => s.chars().take(p).collect::<String>(),
                None => s.to_string(),
            };
            let q = if fl.sharp && !s.contains('`') {
                format!("`{s}`")
            } else if fl.plus {
                quote_ascii(&s)
            } else {
                quote_go(&s)
            };
            pad_str(out, &q, fl);
        }
        'x' | 'X' => {
            let mut h = String::new();
            for (i, byte) in s.bytes().enumerate() {
                if fl.space && i > 0 {
                    h.push(' ');
                }
                if verb == 'x' {
                    let _ = write!(h, "{byte:02x}");
                } else {
                    let _ = write!(h, "{byte:02X}");
                }
            }
            pad_str(out, &h, fl);
        }
        _ => unreachable!(),
    }
}

/// An element of a slice or map: a nil one prints `<nil>` whatever the verb (Go reaches it
/// as an empty interface below the top level).
fn format_elem(out: &mut String, x: &GoValue, verb: char, fl: Flags) {
    if matches!(x, GoValue::Nil) {
        pad_str(out, "<nil>", fl);
    } else {
        format_one(out, x, verb, fl);
    }
}

fn format_one(out: &mut String, arg: &GoValue, verb: char, fl: Flags) {
    if verb == 'T' {
        pad_str(out, &arg.type_name(), fl);
        return;
    }
    let mut fl = fl;
    if verb == 'v' {
        // Go: `%+v` and `%#v` set plusV/sharpV (struct field names, Go syntax) instead.
        fl.plus = false;
        if fl.sharp {
            fl.sharp = false;
            let mut s = String::new();
            go_syntax(&mut s, arg, true);
            pad_str(out, &s, fl);
            return;
        }
    }
    match arg {
        GoValue::Nil => match verb {
            'v' => pad_str(out, "<nil>", fl),
            _ => bad_verb(out, verb, arg, fl),
        },
        GoValue::Bool(b) => match verb {
            'v' | 't' => pad_str(out, if *b { "true" } else { "false" }, fl),
            _ => bad_verb(out, verb, arg, fl),
        },
        GoValue::Int(i) | GoValue::Int64(i) => match verb {
            'v' | 'd' | 'b' | 'o' | 'O' | 'x' | 'X' | 'c' | 'q' | 'U' => fmt_int(out, *i, verb, fl),
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => bad_verb(out, verb, arg, fl),
            _ => bad_verb(out, verb, arg, fl),
        },
        GoValue::Float(f) => match verb {
            'v' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G' => fmt_float(out, *f, verb, fl),
            'x' | 'X' => {
                let mut s = hex_float(*f, verb == 'X', fl.prec);
                if fl.plus && !s.starts_with('-') {
                    s.insert(0, '+');
                } else if fl.space && !s.starts_with('-') {
                    s.insert(0, ' ');
                }
                pad(out, &s, fl, f.is_finite());
            }
            _ => bad_verb(out, verb, arg, fl),
        },
        GoValue::String(s) => match verb {
            'v' | 's' | 'q' | 'x' | 'X' => fmt_str(out, s, verb, fl),
            _ => bad_verb(out, verb, arg, fl),
        },
        GoValue::Bytes(b) => match verb {
            's' | 'q' | 'x' | 'X' => fmt_str(out, &String::from_utf8_lossy(b), verb, fl),
            _ => {
                let mut s = String::from("[");
                for (i, x) in b.iter().enumerate() {
                    if i > 0 {
                        s.push(' ');
                    }
                    format_one(&mut s, &GoValue::Int(*x as i64), verb, Flags::default());
                }
                s.push(']');
                pad(out, &s, fl, false);
            }
        },
        GoValue::List(l) => {
            push_seq(out, "[", l.iter(), " ", "]", |out, x| {
                format_elem(out, x, verb, fl);
            });
        }
        GoValue::Map(m) => {
            push_seq(out, "map[", m.borrow().iter(), " ", "]", |out, (k, x)| {
                format_one(out, &GoValue::from(k.as_str()), verb, fl);
                out.push(':');
                format_elem(out, x, verb, fl);
            });
        }
        GoValue::Object(o) if o.string().is_none() && o.entries().is_some() => {
            push_seq(
                out,
                "map[",
                o.entries().unwrap_or_default().iter(),
                " ",
                "]",
                |out, (k, x)| {
                    format_one(out, &GoValue::from(k.as_str()), verb, fl);
                    out.push(':');
                    format_elem(out, x, verb, fl);
                },
            );
        }
        GoValue::Object(o) if o.string().is_none() && o.items().is_some() => {
            push_seq(
                out,
                "[",
                o.items().unwrap_or_default().iter(),
                " ",
                "]",
                |out, x| {
                    format_elem(out, x, verb, fl);
                },
            );
        }
        GoValue::Object(o) => match (verb, o.string()) {
            ('v' | 's' | 'q', Some(s)) => fmt_str(out, &s, verb, fl),
            _ => {
                let s = sprint_value(arg);
                pad(out, &s, fl, false);
            }
        },
    }
}

/// Writes `open`, each item through `each` with `sep` between items, and `close`: the shape of
/// every Go slice, map and struct printout.
fn push_seq<T>(
    out: &mut String,
    open: &str,
    items: impl IntoIterator<Item = T>,
    sep: &str,
    close: &str,
    mut each: impl FnMut(&mut String, T),
) {
    out.push_str(open);
    for (i, x) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        each(out, x);
    }
    out.push_str(close);
}
