//! Helpers shared by the function modules (a leaf: it uses only `gotemplate`): the `table!`
//! registration macro and spf13/cast-style conversions (Sprig's `strval`, `toInt64`, ...).

use base64::Engine as _;
use gotemplate::GoValue;

/// Registers functions whose bodies return `Result<GoValue, String>` into a
/// [`gotemplate::FuncMap`]: `name [params] (...variadic)? => closure;`. The error string becomes
/// the [`gotemplate::FuncError`] message (what Go prints after `error calling NAME: `).
macro_rules! table {
    ($m:ident; $( $name:literal [$($p:ident),*] $(... $v:ident)? => $f:expr; )*) => {
        $( {
            let f: fn(&mut gotemplate::Context<'_>, Vec<GoValue>) -> Result<GoValue, String> = $f;
            $m.insert(
                $name,
                &[$(gotemplate::Param::$p),*],
                table!(@v $($v)?),
                move |c, a| f(c, a).map_err(gotemplate::FuncError::from),
            );
        } )*
    };
    (@v) => { None };
    (@v $v:ident) => { Some(gotemplate::Param::$v) };
}
pub(crate) use table;

pub(crate) fn ok_str(s: impl Into<String>) -> Result<GoValue, String> {
    Ok(GoValue::from(s.into()))
}

/// Standard base64 with padding (Go's base64.StdEncoding).
pub(crate) fn base64_std(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

// ---- conversions shared by the Sprig implementations (spf13/cast and Sprig's strval) ----

/// Sprig's `strval`: strings as is, bytes as text, Stringers via String(), else `%v`.
pub(crate) fn strval(v: &GoValue) -> String {
    match v {
        GoValue::String(s) => s.to_string(),
        GoValue::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => gotemplate::gofmt::sprint_value(other),
    }
}

/// Go's strconv.ParseInt(s, 0, 64) (base prefixes, underscores only with a prefix).
fn parse_int_base0(s: &str) -> Option<i64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if body.is_empty() {
        return None;
    }
    let lower = body.to_ascii_lowercase();
    let (digits, radix) = if let Some(h) = lower.strip_prefix("0x") {
        (h.replace('_', ""), 16)
    } else if let Some(o) = lower.strip_prefix("0o") {
        (o.replace('_', ""), 8)
    } else if let Some(b) = lower.strip_prefix("0b") {
        (b.replace('_', ""), 2)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (lower[1..].replace('_', ""), 8)
    } else {
        if lower.contains('_') {
            return None;
        }
        (lower.clone(), 10)
    };
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    let v = i64::from_str_radix(&digits, radix).ok()?;
    Some(if neg { -v } else { v })
}

/// cast's trimZeroDecimal: "12.000" -> "12".
fn trim_zero_decimal(s: &str) -> &str {
    if let Some((int, frac)) = s.split_once('.')
        && !frac.is_empty()
        && frac.bytes().all(|c| c == b'0')
    {
        return int;
    }
    s
}

/// spf13/cast ToInt64 (errors give 0).
pub(crate) fn to_i64(v: &GoValue) -> i64 {
    match v {
        GoValue::Int(i) => *i,
        GoValue::Float(f) => *f as i64,
        GoValue::Bool(b) => i64::from(*b),
        GoValue::String(s) => parse_int_base0(trim_zero_decimal(s)).unwrap_or(0),
        _ => 0,
    }
}

/// spf13/cast ToFloat64 (errors give 0).
pub(crate) fn to_f64(v: &GoValue) -> f64 {
    match v {
        GoValue::Int(i) => *i as f64,
        GoValue::Float(f) => *f,
        GoValue::Bool(b) => f64::from(u8::from(*b)),
        GoValue::String(s) => s
            .parse::<f64>()
            .ok()
            .filter(|_| !s.contains(['_']))
            .unwrap_or(0.0),
        _ => 0.0,
    }
}

/// Sprig's `empty`.
pub(crate) fn is_empty(v: &GoValue) -> bool {
    match v {
        GoValue::Nil => true,
        GoValue::Bool(b) => !b,
        GoValue::Int(i) => *i == 0,
        GoValue::Float(f) => *f == 0.0,
        GoValue::String(s) => s.is_empty(),
        GoValue::Bytes(b) => b.is_empty(),
        GoValue::List(l) => l.is_empty(),
        GoValue::Map(m) => m.borrow().is_empty(),
        GoValue::Object(_) => false,
    }
}

/// The strings of a list (Sprig's `strslice`): nil elements dropped.
pub(crate) fn strslice(v: &GoValue) -> Vec<String> {
    match v {
        GoValue::List(l) => l.iter().filter(|x| !x.is_nil()).map(strval).collect(),
        GoValue::Nil => Vec::new(),
        other => vec![strval(other)],
    }
}

pub(crate) fn str_list(v: Vec<String>) -> GoValue {
    GoValue::from(v.into_iter().map(GoValue::from).collect::<Vec<_>>())
}

/// Go's reflect Kind name of a value, for Sprig's "Cannot ... on type X" errors.
pub(crate) fn kind(v: &GoValue) -> &'static str {
    v.kind_name()
}

pub(crate) fn arg_str(v: &GoValue) -> &str {
    v.as_str().unwrap_or("")
}

pub(crate) fn arg_int(v: &GoValue) -> i64 {
    match v {
        GoValue::Int(i) => *i,
        _ => 0,
    }
}
