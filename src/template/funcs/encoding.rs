//! Encodings and data formats (Go `encoding/json`, sigs.k8s.io/yaml through `kyaml`,
//! BurntSushi TOML), hashes, base64/base32, random values, UUIDs, dates and semver.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use base64::Engine as _;

use super::{FuncDef, Param, arg_int, arg_str, strval, table, to_i64};
use crate::template::exec::State;
use crate::template::gofmt;
use crate::template::value::{GoObject, GoValue};

/// Standard base64 with padding (Go's base64.StdEncoding).
pub(crate) fn base64_std(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn ok_str(s: impl Into<String>) -> Result<GoValue, String> {
    Ok(GoValue::from(s.into()))
}

fn random_string(st: &mut State, name: &str, n: i64, alphabet: &[u8]) -> Result<GoValue, String> {
    st.notice(name);
    if n < 0 {
        return Err("runtime error: makeslice: len out of range".into());
    }
    let mut out = String::with_capacity(n as usize);
    for _ in 0..n {
        let i = (rand::random::<u32>() as usize) % alphabet.len();
        out.push(alphabet[i] as char);
    }
    ok_str(out)
}

const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const NUM: &[u8] = b"0123456789";
const ASCII: &[u8] = b" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

pub(super) fn register(m: &mut HashMap<&'static str, FuncDef>) {
    table! { m;
        "hello" [] => |_, _| ok_str("Hello!");
        "b64enc" [Str] => |_, a| ok_str(base64_std(arg_str(&a[0]).as_bytes()));
        "b64dec" [Str] => |_, a| ok_str(match base64::engine::general_purpose::STANDARD.decode(arg_str(&a[0])) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => go_base64_error(e),
        });
        "b32enc" [Str] => |_, a| ok_str(base32_encode(arg_str(&a[0]).as_bytes()));
        "b32dec" [Str] => |_, a| ok_str(match base32_decode(arg_str(&a[0])) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(i) => format!("illegal base32 data at input byte {i}"),
        });
        "sha1sum" [Str] => |_, a| { use sha1::Digest; ok_str(hex::encode(sha1::Sha1::digest(arg_str(&a[0]).as_bytes()))) };
        "sha256sum" [Str] => |_, a| { use sha2::Digest; ok_str(hex::encode(sha2::Sha256::digest(arg_str(&a[0]).as_bytes()))) };
        "sha512sum" [Str] => |_, a| { use sha2::Digest; ok_str(hex::encode(sha2::Sha512::digest(arg_str(&a[0]).as_bytes()))) };
        "adler32sum" [Str] => |_, a| ok_str(adler32(arg_str(&a[0]).as_bytes()).to_string());
        "toJson" [Any] => |_, a| ok_str(to_json(&a[0], true, None).unwrap_or_default());
        "mustToJson" [Any] => |_, a| to_json(&a[0], true, None).map(GoValue::from);
        "toPrettyJson" [Any] => |_, a| ok_str(to_json(&a[0], true, Some("  ")).unwrap_or_default());
        "mustToPrettyJson" [Any] => |_, a| to_json(&a[0], true, Some("  ")).map(GoValue::from);
        "toRawJson" [Any] => |_, a| ok_str(to_json(&a[0], false, None).unwrap_or_default());
        "mustToRawJson" [Any] => |_, a| to_json(&a[0], false, None).map(GoValue::from);
        "fromJson" [Str] => |_, a| Ok(match from_json(arg_str(&a[0])) {
            Ok(v @ GoValue::Map(_)) => v,
            Ok(GoValue::Nil) => GoValue::new_map(),
            Ok(other) => error_map(format!("json: cannot unmarshal {} into Go value of type map[string]interface {{}}", json_kind(&other))),
            Err(e) => error_map(e),
        });
        "mustFromJson" [Str] => |_, a| from_json(arg_str(&a[0]));
        "fromJsonArray" [Str] => |_, a| Ok(match from_json(arg_str(&a[0])) {
            Ok(v @ GoValue::List(_)) => v,
            Ok(GoValue::Nil) => GoValue::from(Vec::new()),
            Ok(other) => GoValue::from(vec![GoValue::from(format!("json: cannot unmarshal {} into Go value of type []interface {{}}", json_kind(&other)))]),
            Err(e) => GoValue::from(vec![GoValue::from(e)]),
        });
        "toYaml" [Any] => |_, a| Ok(GoValue::from(to_yaml(&a[0])?.strip_suffix('\n').map(str::to_string).unwrap_or_else(|| to_yaml(&a[0]).unwrap_or_default())));
        "fromYaml" [Str] => |_, a| Ok(match crate::template::yaml_bridge::parse(arg_str(&a[0])) {
            Ok(v @ GoValue::Map(_)) => v,
            Ok(GoValue::Nil) => GoValue::new_map(),
            Ok(other) => error_map(format!("error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}", json_kind(&other))),
            Err(e) => error_map(e),
        });
        "fromYamlArray" [Str] => |_, a| Ok(match crate::template::yaml_bridge::parse(arg_str(&a[0])) {
            Ok(v @ GoValue::List(_)) => v,
            Ok(GoValue::Nil) => GoValue::from(Vec::new()),
            Ok(other) => GoValue::from(vec![GoValue::from(format!("error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type []interface {{}}", json_kind(&other)))]),
            Err(e) => GoValue::from(vec![GoValue::from(e)]),
        });
        "toToml" [Any] => |_, a| ok_str(to_toml(&a[0]));
        "uuidv4" [] => |st, _| { st.notice("uuidv4"); ok_str(uuid::Uuid::new_v4().to_string()) };
        "randAlphaNum" [Int] => |st, a| random_string(st, "randAlphaNum", arg_int(&a[0]), ALNUM);
        "randAlpha" [Int] => |st, a| random_string(st, "randAlpha", arg_int(&a[0]), ALPHA);
        "randNumeric" [Int] => |st, a| random_string(st, "randNumeric", arg_int(&a[0]), NUM);
        "randAscii" [Int] => |st, a| random_string(st, "randAscii", arg_int(&a[0]), ASCII);
        "randBytes" [Int] => |st, a| {
            st.notice("randBytes");
            let n = arg_int(&a[0]).max(0) as usize;
            let b: Vec<u8> = (0..n).map(|_| rand::random::<u8>()).collect();
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
        "urlParse" [Str] => |_, a| url_parse(arg_str(&a[0]));
        "now" [] => |st, _| { st.notice("now"); Ok(GoValue::object(Time::now())) };
        "date" [Str, Any] => |st, a| ok_str(to_time(st, &a[1]).format(arg_str(&a[0])));
        "dateInZone" [Str, Any, Str] => |st, a| {
            let t = to_time(st, &a[1]);
            ok_str(super::dates::format_in_zone(&t, arg_str(&a[0]), arg_str(&a[2])))
        };
        "htmlDate" [Any] => |st, a| ok_str(to_time(st, &a[0]).format("2006-01-02"));
        "unixEpoch" [Any] => |st, a| ok_str(to_time(st, &a[0]).secs.to_string());
        "ago" [Any] => |st, a| { st.notice("ago"); ok_str(go_duration((Time::now().secs - to_time(st, &a[0]).secs) as f64)) };
        "duration" [Any] => |_, a| ok_str(go_duration(to_i64(&a[0]) as f64));
    }
}

/// Go's base64 "illegal base64 data at input byte N" for a decode error.
fn go_base64_error(e: base64::DecodeError) -> String {
    let at = match e {
        base64::DecodeError::InvalidByte(i, _) => i,
        base64::DecodeError::InvalidLength(l) => l,
        base64::DecodeError::InvalidLastSymbol { offset, .. } => offset,
        base64::DecodeError::InvalidPadding => 0,
    };
    format!("illegal base64 data at input byte {at}")
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

fn error_map(msg: String) -> GoValue {
    let mut m = BTreeMap::new();
    m.insert("Error".to_string(), GoValue::from(msg));
    GoValue::from(m)
}

fn json_kind(v: &GoValue) -> &'static str {
    match v {
        GoValue::String(_) => "string",
        GoValue::Int(_) | GoValue::Float(_) => "number",
        GoValue::Bool(_) => "bool",
        GoValue::List(_) => "array",
        GoValue::Map(_) => "object",
        _ => "value",
    }
}

/// Decodes JSON as Go's `json.Unmarshal` into `interface{}` (numbers are float64).
fn from_json(s: &str) -> Result<GoValue, String> {
    let v: serde_json::Value = serde_json::from_str(s).map_err(|e| go_json_error(&e, s))?;
    Ok(from_serde(&v))
}

fn go_json_error(e: &serde_json::Error, s: &str) -> String {
    if s.trim().is_empty() || e.is_eof() {
        return "unexpected end of JSON input".into();
    }
    format!("invalid character looking for beginning of value ({e})")
}

fn from_serde(v: &serde_json::Value) -> GoValue {
    match v {
        serde_json::Value::Null => GoValue::Nil,
        serde_json::Value::Bool(b) => GoValue::Bool(*b),
        serde_json::Value::Number(n) => GoValue::Float(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => GoValue::from(s.as_str()),
        serde_json::Value::Array(a) => GoValue::from(a.iter().map(from_serde).collect::<Vec<_>>()),
        serde_json::Value::Object(o) => GoValue::from(
            o.iter()
                .map(|(k, v)| (k.clone(), from_serde(v)))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
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
        GoValue::Int(i) => {
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

/// sigs.k8s.io/yaml Marshal output (with the trailing newline).
pub(crate) fn to_yaml(v: &GoValue) -> Result<String, String> {
    crate::template::yaml_bridge::to_string(v)
}

/// BurntSushi/toml encoding of a map (what Helm's `toToml` prints).
fn to_toml(v: &GoValue) -> String {
    let GoValue::Map(m) = v else {
        return "toml: top-level values must be Go maps or structs".into();
    };
    let mut out = String::new();
    toml_table(&mut out, &m.borrow(), &mut Vec::new(), 0);
    out
}

fn toml_key(k: &str) -> String {
    if !k.is_empty()
        && k.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
    {
        k.to_string()
    } else {
        gofmt::quote_go(k)
    }
}

fn toml_value(v: &GoValue) -> Option<String> {
    Some(match v {
        GoValue::Nil => return None,
        GoValue::Bool(b) => b.to_string(),
        GoValue::Int(i) => i.to_string(),
        GoValue::Float(f) => {
            if f.fract() == 0.0 && f.is_finite() {
                format!("{f:.1}")
            } else {
                gofmt::format_float(*f, 'f', -1)
            }
        }
        GoValue::String(s) => gofmt::quote_go(s),
        GoValue::List(l) => {
            let items: Vec<String> = l.iter().filter_map(toml_value).collect();
            format!("[{}]", items.join(", "))
        }
        GoValue::Map(_) | GoValue::Object(_) | GoValue::Bytes(_) => return None,
    })
}

fn toml_table(
    out: &mut String,
    m: &BTreeMap<String, GoValue>,
    path: &mut Vec<String>,
    depth: usize,
) {
    let ind = "  ".repeat(depth.saturating_sub(1));
    for (k, v) in m {
        if matches!(v, GoValue::Map(_)) {
            continue;
        }
        if let Some(s) = toml_value(v) {
            let _ = writeln!(out, "{ind}{} = {s}", toml_key(k));
        }
    }
    for (k, v) in m {
        if let GoValue::Map(sub) = v {
            path.push(toml_key(k));
            let ind2 = "  ".repeat(depth);
            let _ = writeln!(out, "\n{ind2}[{}]", path.join("."));
            toml_table(out, &sub.borrow(), path, depth + 1);
            path.pop();
        }
    }
}

fn semver_compare(constraint: &str, version: &str) -> Result<bool, String> {
    let c = semver_ranges::Constraint::parse(constraint)
        .map_err(|_| format!("improper constraint: {constraint}"))?;
    let v = semver_ranges::Version::parse(version)
        .map_err(|_| "Invalid Semantic Version".to_string())?;
    Ok(c.matches(&v))
}

struct SemverObj(semver_ranges::Version);

impl GoObject for SemverObj {
    fn type_name(&self) -> &str {
        "*semver.Version"
    }
    fn has_method(&self, name: &str) -> bool {
        matches!(
            name,
            "Major" | "Minor" | "Patch" | "Prerelease" | "Metadata" | "Original" | "String"
        )
    }
    fn method(&self, name: &str, _args: &[GoValue]) -> Option<Result<GoValue, String>> {
        let v = &self.0;
        Some(Ok(match name {
            "Major" => GoValue::Int(v.major as i64),
            "Minor" => GoValue::Int(v.minor as i64),
            "Patch" => GoValue::Int(v.patch as i64),
            "Prerelease" => GoValue::from(v.prerelease()),
            "Metadata" => GoValue::from(v.metadata()),
            "Original" => GoValue::from(v.original()),
            "String" => GoValue::from(v.to_string()),
            _ => return None,
        }))
    }
    fn string(&self) -> Option<String> {
        Some(self.0.to_string())
    }
    fn to_value(&self) -> GoValue {
        GoValue::from(self.0.to_string())
    }
}

fn semver(s: &str) -> Result<GoValue, String> {
    let v = semver_ranges::Version::parse(s).map_err(|_| "Invalid Semantic Version".to_string())?;
    Ok(GoValue::object(SemverObj(v)))
}

fn url_parse(s: &str) -> Result<GoValue, String> {
    let mut m = BTreeMap::new();
    let (scheme, rest) = match s.split_once("://") {
        Some((a, b)) => (a.to_string(), b),
        None => (String::new(), s),
    };
    let (before_frag, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let (before_q, query) = before_frag.split_once('?').unwrap_or((before_frag, ""));
    let (authority, path) = if scheme.is_empty() {
        ("", before_q.to_string())
    } else {
        match before_q.find('/') {
            Some(i) => (&before_q[..i], before_q[i..].to_string()),
            None => (before_q, String::new()),
        }
    };
    let (userinfo, host) = match authority.rsplit_once('@') {
        Some((u, h)) => (u, h),
        None => ("", authority),
    };
    for (k, v) in [
        ("scheme", scheme.as_str()),
        ("host", host),
        ("hostname", host.split(':').next().unwrap_or("")),
        ("path", path.as_str()),
        ("query", query),
        ("opaque", ""),
        ("fragment", fragment),
        ("userinfo", userinfo),
    ] {
        m.insert(k.to_string(), GoValue::from(v));
    }
    Ok(GoValue::from(m))
}

/// A Go `time.Time` (UTC, second precision plus nanoseconds).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Time {
    pub secs: i64,
    pub nanos: u32,
}

impl Time {
    /// Go's zero time.Time (0001-01-01 00:00:00 UTC).
    pub const ZERO: Time = Time {
        secs: -62_135_596_800,
        nanos: 0,
    };

    /// This time plus a (possibly negative) number of nanoseconds.
    pub fn add_nanos(&self, d: i128) -> Time {
        let total = self.secs as i128 * 1_000_000_000 + self.nanos as i128 + d;
        Time {
            secs: total.div_euclid(1_000_000_000) as i64,
            nanos: total.rem_euclid(1_000_000_000) as u32,
        }
    }

    pub fn now() -> Time {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Time {
            secs: d.as_secs() as i64,
            nanos: d.subsec_nanos(),
        }
    }

    /// Go's Time.Format with a reference layout (`2006-01-02T15:04:05Z07:00`).
    pub fn format(&self, layout: &str) -> String {
        self.format_in(layout, 0, "UTC")
    }

    /// Go's Time.Format in a zone with this UTC offset (seconds) and abbreviation.
    pub fn format_in(&self, layout: &str, offset: i32, abbr: &str) -> String {
        use chrono::{Datelike, Timelike};
        let dt = chrono::DateTime::from_timestamp(self.secs + offset as i64, self.nanos)
            .unwrap_or_default();
        let sign = if offset < 0 { '-' } else { '+' };
        let (oh, om) = (
            offset.unsigned_abs() / 3600,
            (offset.unsigned_abs() % 3600) / 60,
        );
        let zone = |colon: bool, z: bool, minutes: bool| {
            if z && offset == 0 {
                return "Z".to_string();
            }
            match (minutes, colon) {
                (false, _) => format!("{sign}{oh:02}"),
                (true, true) => format!("{sign}{oh:02}:{om:02}"),
                (true, false) => format!("{sign}{oh:02}{om:02}"),
            }
        };
        let mut out = String::new();
        let mut rest = layout;
        while !rest.is_empty() {
            let trimmed_frac = |digits: usize| {
                let f = format!("{:09}", dt.nanosecond());
                let f = f[..digits].trim_end_matches('0');
                if f.is_empty() {
                    String::new()
                } else {
                    format!(".{f}")
                }
            };
            let tokens: [(&str, &dyn Fn() -> String); 31] = [
                ("January", &|| MONTHS[dt.month0() as usize].to_string()),
                ("Monday", &|| {
                    DAYS[dt.weekday().num_days_from_sunday() as usize].to_string()
                }),
                ("2006", &|| format!("{:04}", dt.year())),
                ("Jan", &|| MONTHS[dt.month0() as usize][..3].to_string()),
                ("Mon", &|| {
                    DAYS[dt.weekday().num_days_from_sunday() as usize][..3].to_string()
                }),
                ("MST", &|| abbr.to_string()),
                ("Z07:00", &|| zone(true, true, true)),
                ("-07:00", &|| zone(true, false, true)),
                ("-0700", &|| zone(false, false, true)),
                ("Z0700", &|| zone(false, true, true)),
                ("-07", &|| zone(false, false, false)),
                ("Z07", &|| zone(false, true, false)),
                (".999999999", &|| trimmed_frac(9)),
                (".999999", &|| trimmed_frac(6)),
                (".999", &|| trimmed_frac(3)),
                (".000000000", &|| format!(".{:09}", dt.nanosecond())),
                (".000000", &|| format!(".{:06}", dt.nanosecond() / 1000)),
                (".000", &|| format!(".{:03}", dt.nanosecond() / 1_000_000)),
                ("01", &|| format!("{:02}", dt.month())),
                ("02", &|| format!("{:02}", dt.day())),
                ("_2", &|| format!("{:>2}", dt.day())),
                ("15", &|| format!("{:02}", dt.hour())),
                ("03", &|| {
                    format!(
                        "{:02}",
                        if dt.hour().is_multiple_of(12) {
                            12
                        } else {
                            dt.hour() % 12
                        }
                    )
                }),
                ("04", &|| format!("{:02}", dt.minute())),
                ("05", &|| format!("{:02}", dt.second())),
                ("06", &|| format!("{:02}", dt.year() % 100)),
                ("PM", &|| {
                    if dt.hour() >= 12 {
                        "PM".into()
                    } else {
                        "AM".into()
                    }
                }),
                ("pm", &|| {
                    if dt.hour() >= 12 {
                        "pm".into()
                    } else {
                        "am".into()
                    }
                }),
                ("1", &|| dt.month().to_string()),
                ("2", &|| dt.day().to_string()),
                ("3", &|| {
                    (if dt.hour().is_multiple_of(12) {
                        12
                    } else {
                        dt.hour() % 12
                    })
                    .to_string()
                }),
            ];
            if let Some((tok, f)) = tokens.iter().find(|(t, _)| rest.starts_with(t)) {
                out.push_str(&f());
                rest = &rest[tok.len()..];
            } else {
                let c = rest.chars().next().unwrap();
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        out
    }
}

impl GoObject for Time {
    fn type_name(&self) -> &str {
        "time.Time"
    }
    fn has_method(&self, name: &str) -> bool {
        matches!(name, "Unix" | "Nanosecond" | "Format" | "Year" | "UTC")
    }
    fn method(&self, name: &str, args: &[GoValue]) -> Option<Result<GoValue, String>> {
        Some(Ok(match name {
            "Unix" => GoValue::Int(self.secs),
            "Nanosecond" => GoValue::Int(self.nanos as i64),
            "Year" => GoValue::Int(self.format("2006").parse().unwrap_or(0)),
            "Format" => {
                GoValue::from(self.format(args.first().map(strval).unwrap_or_default().as_str()))
            }
            "UTC" => GoValue::object(Time {
                secs: self.secs,
                nanos: self.nanos,
            }),
            _ => return None,
        }))
    }
    fn string(&self) -> Option<String> {
        Some(self.format("2006-01-02 15:04:05.999999999 -0700 MST"))
    }
    fn to_value(&self) -> GoValue {
        GoValue::from(self.format("2006-01-02T15:04:05.000000000Z07:00"))
    }
}

/// Sprig's date argument: a time.Time or Unix seconds (int); anything else (float64 values
/// included) means "now", which is recorded as a notice. Times are formatted in UTC.
pub(super) fn to_time(st: &mut State, v: &GoValue) -> Time {
    match v {
        GoValue::Int(i) => Time { secs: *i, nanos: 0 },
        GoValue::Object(o) if o.type_name() == "time.Time" => {
            match (o.method("Unix", &[]), o.method("Nanosecond", &[])) {
                (Some(Ok(GoValue::Int(s))), Some(Ok(GoValue::Int(n)))) => Time {
                    secs: s,
                    nanos: n as u32,
                },
                _ => Time::now(),
            }
        }
        _ => {
            st.notice("now");
            Time::now()
        }
    }
}

/// Go's time.Duration String() for a number of seconds.
fn go_duration(secs: f64) -> String {
    let total = secs as i64;
    if total == 0 {
        return "0s".into();
    }
    let neg = total < 0;
    let t = total.unsigned_abs();
    let (h, m, s) = (t / 3600, (t % 3600) / 60, t % 60);
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if h > 0 {
        let _ = write!(out, "{h}h{m}m{s}s");
    } else if m > 0 {
        let _ = write!(out, "{m}m{s}s");
    } else {
        let _ = write!(out, "{s}s");
    }
    out
}

/// Go's month names (`time.Month.String`), shared by time formatting and parsing.
pub(super) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Go's weekday names (`time.Weekday.String`).
pub(super) const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
