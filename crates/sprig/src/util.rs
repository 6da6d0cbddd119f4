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

/// Refuses to build a value of `size` bytes when it exceeds the execution's
/// `max_value_bytes` (checked before allocating, so hostile arguments fail fast).
pub(crate) fn check_size(
    ctx: &gotemplate::Context<'_>,
    what: &str,
    size: u128,
) -> Result<(), String> {
    let limit = ctx.options().max_value_bytes;
    if size > limit as u128 {
        return Err(gotemplate::limit_message(what, size, "bytes", limit));
    }
    Ok(())
}

/// Refuses to build a list of `len` elements beyond the execution's element bound
/// (`max_value_bytes / 16`).
pub(crate) fn check_len(
    ctx: &gotemplate::Context<'_>,
    what: &str,
    len: u128,
) -> Result<(), String> {
    let limit = ctx.options().max_value_bytes / 16;
    if len > limit as u128 {
        return Err(gotemplate::limit_message(what, len, "elements", limit));
    }
    Ok(())
}

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

/// Go's conversion of a float64 to int64 on amd64: truncation, and the "integer indefinite"
/// value (math.MinInt64) for NaN and values out of range (`int 1e21` is -9223372036854775808).
pub(crate) fn go_f2i(f: f64) -> i64 {
    if f.is_nan() || !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// cast's trimZeroDecimal: "12.000" -> "12", "12." and "1.5" unchanged.
fn trim_zero_decimal(s: &str) -> &str {
    let b = s.as_bytes();
    let mut found_zero = false;
    for i in (1..=b.len()).rev() {
        match b[i - 1] {
            b'.' => {
                if found_zero {
                    return &s[..i - 1];
                }
            }
            b'0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// spf13/cast ToInt64 (errors give 0): ints as they are, floats truncated as Go converts them,
/// strings through strconv.ParseInt(s, 0, 0) after trimming a zero fraction, bools 0/1.
pub(crate) fn to_i64(v: &GoValue) -> i64 {
    match v {
        GoValue::Int(i) | GoValue::Int64(i) => *i,
        GoValue::Float(f) => go_f2i(*f),
        GoValue::Bool(b) => i64::from(*b),
        GoValue::String(s) => {
            gotemplate::strconv::parse_int(trim_zero_decimal(s), true).unwrap_or(0)
        }
        _ => 0,
    }
}

/// spf13/cast ToFloat64 (errors give 0; strings through strconv.ParseFloat, so "1e400" is 0).
pub(crate) fn to_f64(v: &GoValue) -> f64 {
    match v {
        GoValue::Int(i) | GoValue::Int64(i) => *i as f64,
        GoValue::Float(f) => *f,
        GoValue::Bool(b) => f64::from(u8::from(*b)),
        GoValue::String(s) => gotemplate::strconv::parse_float(s).unwrap_or(0.0),
        _ => 0.0,
    }
}

/// Sprig's `empty`.
pub(crate) fn is_empty(v: &GoValue) -> bool {
    match v {
        GoValue::Nil => true,
        GoValue::Bool(b) => !b,
        GoValue::Int(i) | GoValue::Int64(i) => *i == 0,
        GoValue::Float(f) => *f == 0.0,
        GoValue::String(s) => s.is_empty(),
        GoValue::Bytes(b) => b.is_empty(),
        GoValue::List(l) => l.is_empty(),
        GoValue::Map(m) => m.borrow().is_empty(),
        GoValue::Object(o) => o.len().is_some_and(|n| n == 0),
    }
}

/// The strings of a list (Sprig's `strslice`): nil elements dropped.
pub(crate) fn strslice(v: &GoValue) -> Vec<String> {
    if let GoValue::Bytes(b) = v {
        return b.iter().map(ToString::to_string).collect();
    }
    match v.list_items() {
        Some(l) => l.iter().filter(|x| !x.is_nil()).map(strval).collect(),
        None if v.is_nil() => Vec::new(),
        None => vec![strval(v)],
    }
}

/// A Go `[]string`.
pub(crate) fn str_list(v: Vec<String>) -> GoValue {
    GoValue::string_list(v)
}

/// Go's reflect Kind name of a value, for Sprig's "Cannot ... on type X" errors.
pub(crate) fn kind(v: &GoValue) -> String {
    v.kind_name().to_string()
}

pub(crate) fn arg_str(v: &GoValue) -> &str {
    v.as_str().unwrap_or("")
}

pub(crate) fn arg_int(v: &GoValue) -> i64 {
    match v {
        GoValue::Int(i) | GoValue::Int64(i) => *i,
        _ => 0,
    }
}
