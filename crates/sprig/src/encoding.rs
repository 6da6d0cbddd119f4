//! Encodings and data formats (Go `encoding/json`, sigs.k8s.io/yaml through `kyaml`,
//! BurntSushi TOML), hashes, base64/base32, random values, UUIDs, dates and semver.

use std::fmt::Write as _;

use crate::util::{arg_int, arg_str, base64_std, ok_str, table};
use gotemplate::Context;
use gotemplate::gofmt;
use gotemplate::{FuncError, GoObject, GoValue};

fn random_string(
    st: &mut Context<'_>,
    name: &str,
    n: i64,
    alphabet: &[u8],
) -> Result<GoValue, String> {
    st.notice(name);
    if n < 0 {
        return Err("runtime error: makeslice: len out of range".into());
    }
    crate::util::check_size(st, name, n as u128)?;
    let mut bytes = random_bytes(n as usize);
    for b in &mut bytes {
        *b = alphabet[usize::from(*b) % alphabet.len()];
    }
    ok_str(String::from_utf8_lossy(&bytes).into_owned())
}

/// `n` random bytes, filled in bulk.
fn random_bytes(n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    for chunk in b.chunks_mut(32) {
        let r = rand::random::<[u8; 32]>();
        chunk.copy_from_slice(&r[..chunk.len()]);
    }
    b
}

const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const NUM: &[u8] = b"0123456789";
const ASCII: &[u8] = b" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

pub(crate) fn register(m: &mut gotemplate::FuncMap) {
    table! { m;
        "hello" [] => |_, _| ok_str("Hello!");
        "b64enc" [Str] => |_, a| ok_str(base64_std(a[0].as_bytes().unwrap_or_default()));
        "b64dec" [Str] => |_, a| ok_str(match go_base64_decode(arg_str(&a[0]).as_bytes()) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(i) => format!("illegal base64 data at input byte {i}"),
        });
        "b32enc" [Str] => |_, a| ok_str(base32_encode(arg_str(&a[0]).as_bytes()));
        "b32dec" [Str] => |_, a| ok_str(match base32_decode(arg_str(&a[0])) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(i) => format!("illegal base32 data at input byte {i}"),
        });
        "sha1sum" [Str] => |_, a| { use sha1::Digest; ok_str(hex::encode(sha1::Sha1::digest(a[0].as_bytes().unwrap_or_default()))) };
        "sha256sum" [Str] => |_, a| { use sha2::Digest; ok_str(hex::encode(sha2::Sha256::digest(a[0].as_bytes().unwrap_or_default()))) };
        "sha512sum" [Str] => |_, a| { use sha2::Digest; ok_str(hex::encode(sha2::Sha512::digest(a[0].as_bytes().unwrap_or_default()))) };
        "adler32sum" [Str] => |_, a| ok_str(adler32(a[0].as_bytes().unwrap_or_default()).to_string());
        "toJson" [Any] => |_, a| ok_str(to_json(&a[0], true, None).unwrap_or_default());
        "mustToJson" [Any] => |_, a| to_json(&a[0], true, None).map(GoValue::from);
        "toPrettyJson" [Any] => |_, a| ok_str(to_json(&a[0], true, Some("  ")).unwrap_or_default());
        "mustToPrettyJson" [Any] => |_, a| to_json(&a[0], true, Some("  ")).map(GoValue::from);
        "toRawJson" [Any] => |_, a| ok_str(to_json(&a[0], false, None).unwrap_or_default());
        "mustToRawJson" [Any] => |_, a| to_json(&a[0], false, None).map(GoValue::from);
        "uuidv4" [] => |st, _| { st.notice("uuidv4"); ok_str(uuid::Uuid::new_v4().to_string()) };
        "randAlphaNum" [Int] => |st, a| random_string(st, "randAlphaNum", arg_int(&a[0]), ALNUM);
        "randAlpha" [Int] => |st, a| random_string(st, "randAlpha", arg_int(&a[0]), ALPHA);
        "randNumeric" [Int] => |st, a| random_string(st, "randNumeric", arg_int(&a[0]), NUM);
        "randAscii" [Int] => |st, a| random_string(st, "randAscii", arg_int(&a[0]), ASCII);
        "randBytes" [Int] => |st, a| {
            st.notice("randBytes");
            let n = arg_int(&a[0]);
            if n < 0 {
                return Err("runtime error: makeslice: len out of range".into());
            }
            crate::util::check_size(st, "randBytes", n as u128 * 4 / 3)?;
            let n = n as usize;
            let b = random_bytes(n);
            ok_str(base64_std(&b))
        };
        "randInt" [Int, Int] => |st, a| {
            st.notice("randInt");
            let (lo, hi) = (arg_int(&a[0]), arg_int(&a[1]));
            if hi <= lo { return Err("invalid argument to Intn".into()); }
            Ok(GoValue::Int(lo + (rand::random::<u64>() % (hi - lo) as u64) as i64))
        };
        "shuffle" [Str] => |st, a| {
            st.notice("shuffle");
            let mut c: Vec<char> = arg_str(&a[0]).chars().collect();
            for i in (1..c.len()).rev() { let j = (rand::random::<u64>() as usize) % (i + 1); c.swap(i, j); }
            ok_str(c.into_iter().collect::<String>())
        };
        "semverCompare" [Str, Str] => |_, a| semver_compare(arg_str(&a[0]), arg_str(&a[1])).map(GoValue::Bool);
        "semver" [Str] => |_, a| semver(arg_str(&a[0]));
    }
}

fn adler32(b: &[u8]) -> u32 {
    let (mut a, mut s) = (1u32, 0u32);
    for &x in b {
        a = (a + x as u32) % 65521;
        s = (s + a) % 65521;
    }
    (s << 16) | a
}

const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn base32_encode(b: &[u8]) -> String {
    let mut out = String::new();
    for chunk in b.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = u64::from_be_bytes([0, 0, 0, buf[0], buf[1], buf[2], buf[3], buf[4]]);
        let chars = match chunk.len() {
            1 => 2,
            2 => 4,
            3 => 5,
            4 => 7,
            _ => 8,
        };
        for i in 0..8 {
            if i < chars {
                out.push(B32[((n >> (35 - i * 5)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Go's `base64.StdEncoding.DecodeString`: padded standard alphabet, `\r` and `\n` skipped,
/// and on failure the offset Go's `CorruptInputError` reports.
fn go_base64_decode(src: &[u8]) -> Result<Vec<u8>, usize> {
    fn value(c: u8) -> Option<u8> {
        match c {
            b'A'..=b'Z' => Some(c - b'A'),
            b'a'..=b'z' => Some(c - b'a' + 26),
            b'0'..=b'9' => Some(c - b'0' + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut si = 0usize;
    loop {
        let mut buf = [0u8; 4];
        let mut dlen = 4;
        let mut j = 0usize;
        let mut trailing_garbage = None;
        while j < 4 {
            if si == src.len() {
                if j == 0 {
                    return Ok(out);
                }
                // Padding is required: a short quantum is corrupt where it started.
                return Err(si - j);
            }
            let c = src[si];
            si += 1;
            if let Some(v) = value(c) {
                buf[j] = v;
                j += 1;
                continue;
            }
            if c == b'\n' || c == b'\r' {
                continue;
            }
            if c != b'=' {
                return Err(si - 1);
            }
            match j {
                0 | 1 => return Err(si - 1),
                2 => {
                    while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                        si += 1;
                    }
                    if si == src.len() {
                        return Err(src.len());
                    }
                    if src[si] != b'=' {
                        return Err(si - 1);
                    }
                    si += 1;
                }
                _ => {}
            }
            while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                si += 1;
            }
            if si < src.len() {
                trailing_garbage = Some(si);
            }
            dlen = j;
            break;
        }
        let val = u32::from(buf[0]) << 18
            | u32::from(buf[1]) << 12
            | u32::from(buf[2]) << 6
            | u32::from(buf[3]);
        let bytes = [(val >> 16) as u8, (val >> 8) as u8, val as u8];
        out.extend_from_slice(&bytes[..dlen - 1]);
        if let Some(at) = trailing_garbage {
            return Err(at);
        }
        if dlen < 4 {
            return Ok(out);
        }
    }
}

fn base32_decode(s: &str) -> Result<Vec<u8>, usize> {
    let s = s.trim_end_matches(['\n', '\r']);
    let mut bits = 0u64;
    let mut nbits = 0;
    let mut out = Vec::new();
    for (i, c) in s.bytes().enumerate() {
        if c == b'=' {
            break;
        }
        let v = B32.iter().position(|&x| x == c).ok_or(i)? as u64;
        bits = (bits << 5) | v;
        nbits += 5;
        if nbits >= 8 {
            nbits -= 8;
            out.push((bits >> nbits) as u8);
            bits &= (1 << nbits) - 1;
        }
    }
    Ok(out)
}

/// Go's `json.Marshal` (or `MarshalIndent` with `indent`); `escape_html` as the default encoder.
pub(crate) fn to_json(
    v: &GoValue,
    escape_html: bool,
    indent: Option<&str>,
) -> Result<String, String> {
    let mut out = String::new();
    write_json(&mut out, v, escape_html, indent, 0)?;
    Ok(out)
}

fn newline(out: &mut String, indent: Option<&str>, depth: usize) {
    if let Some(ind) = indent {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(ind);
        }
    }
}

fn write_json(
    out: &mut String,
    v: &GoValue,
    esc: bool,
    indent: Option<&str>,
    depth: usize,
) -> Result<(), String> {
    match v {
        GoValue::Nil => out.push_str("null"),
        GoValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        GoValue::Int(i) | GoValue::Int64(i) => {
            let _ = write!(out, "{i}");
        }
        GoValue::Float(f) => out.push_str(&json_float(*f)?),
        GoValue::String(s) => json_string(out, s, esc),
        GoValue::Bytes(b) => json_string(out, &base64_std(b), esc),
        GoValue::List(l) => {
            if l.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                write_json(out, x, esc, indent, depth + 1)?;
            }
            newline(out, indent, depth);
            out.push(']');
        }
        GoValue::Map(m) => {
            let m = m.borrow();
            if m.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                json_string(out, k, esc);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_json(out, x, esc, indent, depth + 1)?;
            }
            newline(out, indent, depth);
            out.push('}');
        }
        GoValue::Object(o) => write_json(out, &o.to_value(), esc, indent, depth)?,
    }
    Ok(())
}

/// Go's encoding/json float format.
pub(crate) fn json_float(f: f64) -> Result<String, String> {
    if !f.is_finite() {
        return Err(format!(
            "json: unsupported value: {}",
            gofmt::format_float(f, 'g', -1)
        ));
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let s = gofmt::format_float(f, 'e', -1);
        // e-07 -> e-7
        if let Some(i) = s.find("e-0") {
            return Ok(format!("{}e-{}", &s[..i], &s[i + 3..]));
        }
        if let Some(i) = s.find("e+0") {
            return Ok(format!("{}e+{}", &s[..i], &s[i + 3..]));
        }
        return Ok(s);
    }
    Ok(gofmt::format_float(f, 'f', -1))
}

fn json_string(out: &mut String, s: &str, esc: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' if esc => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn semver_compare(constraint: &str, version: &str) -> Result<bool, String> {
    if constraint.trim().is_empty() {
        return Err(format!(
            "improper constraint: {}",
            gotemplate::gofmt::quote_go(constraint)
        ));
    }
    let c = semver_ranges::Constraint::parse(constraint).map_err(|_| {
        // A number too big for uint64 fails Masterminds' parser rather than its pattern.
        if constraint
            .split(|c: char| !c.is_ascii_digit())
            .any(|d| !d.is_empty() && d.parse::<u64>().is_err())
        {
            return "constraint parser error".to_string();
        }
        format!(
            "improper constraint: {}",
            gotemplate::gofmt::quote_go(constraint)
        )
    })?;
    let v = parse_version(version)?;
    Ok(c.matches(&v))
}

/// Masterminds' `NewVersion`, with its errors: too long, a MAJOR.MINOR.PATCH number out of
/// uint64's range, or not a version.
fn parse_version(s: &str) -> Result<semver_ranges::Version, String> {
    if s.len() > 256 {
        return Err("version string is too long (max 256 bytes)".into());
    }
    semver_ranges::Version::parse(s).map_err(|_| {
        let core = s.strip_prefix('v').unwrap_or(s);
        let core = core.split(['-', '+']).next().unwrap_or("");
        for seg in core.split('.').take(3) {
            if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) && seg.parse::<u64>().is_err()
            {
                return format!(
                    "error parsing version segment: strconv.ParseUint: parsing {}: value out of range",
                    gotemplate::gofmt::quote_go(seg)
                );
            }
        }
        "invalid semantic version".to_string()
    })
}

/// A Masterminds `*semver.Version` (or a `semver.Version` value, from `IncMajor` & co.), with
/// its methods: `Major`, `Minor`, `Patch`, `Prerelease`, `Metadata`, `Original`, `String`,
/// `Compare`, `LessThan`, `GreaterThan`, `Equal`, `LessThanEqual`, `GreaterThanEqual`,
/// `IncMajor`, `IncMinor`, `IncPatch`.
struct SemverObj {
    v: semver_ranges::Version,
    pointer: bool,
    /// A `deepCopy`: the zero Version (no original text).
    zero: bool,
}

const SEMVER_METHODS: &[&str] = &[
    "Major",
    "Minor",
    "Patch",
    "Prerelease",
    "Metadata",
    "Original",
    "String",
    "Compare",
    "LessThan",
    "GreaterThan",
    "Equal",
    "LessThanEqual",
    "GreaterThanEqual",
    "IncMajor",
    "IncMinor",
    "IncPatch",
];

impl GoObject for SemverObj {
    fn type_name(&self) -> &str {
        if self.pointer {
            "*semver.Version"
        } else {
            "semver.Version"
        }
    }
    fn kind(&self) -> &str {
        if self.pointer { "ptr" } else { "struct" }
    }
    fn has_method(&self, name: &str) -> bool {
        SEMVER_METHODS.contains(&name)
    }
    /// copystructure copies exported fields only: a Version has none, so its copy is zero.
    fn deep_copy(&self) -> Option<GoValue> {
        Some(GoValue::object(SemverObj {
            v: semver_ranges::Version::new(0, 0, 0),
            pointer: self.pointer,
            zero: true,
        }))
    }
    fn method(&self, name: &str, args: &[GoValue]) -> Option<Result<GoValue, FuncError>> {
        let v = &self.v;
        let want = usize::from(matches!(
            name,
            "Compare" | "LessThan" | "GreaterThan" | "Equal" | "LessThanEqual" | "GreaterThanEqual"
        ));
        if !SEMVER_METHODS.contains(&name) {
            return None;
        }
        if args.len() != want {
            return Some(Err(FuncError::new(format!(
                "wrong number of args for {name}: want {want} got {}",
                args.len()
            ))));
        }
        let other = || -> Result<semver_ranges::Version, FuncError> {
            match &args[0] {
                GoValue::Object(o) if o.type_name() == "*semver.Version" => o
                    .string()
                    .and_then(|s| semver_ranges::Version::parse(&s).ok())
                    .ok_or_else(|| FuncError::new("invalid semantic version")),
                GoValue::Nil => Err(FuncError::new(
                    "runtime error: invalid memory address or nil pointer dereference",
                )),
                other => Err(FuncError::new(format!(
                    "wrong type for value; expected *semver.Version; got {}",
                    other.type_name()
                ))),
            }
        };
        let cmp = |o: &semver_ranges::Version| v.cmp_precedence(o) as i64;
        let next = |major: u64, minor: u64, patch: u64| {
            GoValue::object(SemverObj {
                v: semver_ranges::Version::new(major, minor, patch),
                pointer: false,
                zero: false,
            })
        };
        Some(Ok(match name {
            "Major" => GoValue::Int(v.major as i64),
            "Minor" => GoValue::Int(v.minor as i64),
            "Patch" => GoValue::Int(v.patch as i64),
            "Prerelease" => GoValue::from(v.prerelease()),
            "Metadata" => GoValue::from(v.metadata()),
            "Original" => GoValue::from(if self.zero { "" } else { v.original() }),
            "String" => GoValue::from(v.to_string()),
            "IncMajor" => next(v.major + 1, 0, 0),
            "IncMinor" => next(v.major, v.minor + 1, 0),
            "IncPatch" if v.prerelease().is_empty() => next(v.major, v.minor, v.patch + 1),
            "IncPatch" => next(v.major, v.minor, v.patch),
            _ => {
                let o = match other() {
                    Ok(o) => o,
                    Err(e) => return Some(Err(e)),
                };
                let c = cmp(&o);
                match name {
                    "Compare" => GoValue::Int(c),
                    "LessThan" => GoValue::Bool(c < 0),
                    "GreaterThan" => GoValue::Bool(c > 0),
                    "Equal" => GoValue::Bool(c == 0),
                    "LessThanEqual" => GoValue::Bool(c <= 0),
                    _ => GoValue::Bool(c >= 0),
                }
            }
        }))
    }
    fn string(&self) -> Option<String> {
        Some(self.v.to_string())
    }
    fn to_value(&self) -> GoValue {
        GoValue::from(self.v.to_string())
    }
}

fn semver(s: &str) -> Result<GoValue, String> {
    let v = parse_version(s)?;
    Ok(GoValue::object(SemverObj {
        v,
        pointer: true,
        zero: false,
    }))
}
