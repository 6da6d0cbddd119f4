//! The function table: Go's builtins (`and`, `eq`, `index`, `printf`, ...), the Sprig v3
//! functions Helm exposes (minus `env`/`expandenv`, which Helm removes), and Helm's own
//! (`include`, `tpl`, `required`, `toYaml`, ...). Each entry has Go's parameter types so that
//! argument errors read as Go's (`wrong type for value; expected string; got float64`).
//!
//! A name missing from the table is a parse error (`function "x" not defined`), so templates
//! using a function we do not implement fail clearly instead of rendering differently.

mod builtins;
mod collections;
mod crypto;
mod dates;
mod encoding;
mod helm;
mod math;
mod strings;

use std::collections::HashMap;
use std::sync::LazyLock;

use super::exec::State;
use super::value::GoValue;

pub(crate) use encoding::base64_std;

/// A Go parameter type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Param {
    Any,
    Str,
    Int,
    Float,
    Bool,
    List,
    Map,
}

impl Param {
    pub fn go_name(self) -> &'static str {
        match self {
            Param::Any => "interface {}",
            Param::Str => "string",
            Param::Int => "int",
            Param::Float => "float64",
            Param::Bool => "bool",
            Param::List => "[]interface {}",
            Param::Map => "map[string]interface {}",
        }
    }

    /// The word Go's evalArg uses for literals of this type (`expected integer; found "x"`).
    pub fn go_name_short(self) -> &'static str {
        match self {
            Param::Int => "integer",
            Param::Float => "float",
            Param::Bool => "bool",
            Param::Str => "string",
            other => other.go_name(),
        }
    }
}

pub(crate) type FuncImpl = fn(&mut State, Vec<GoValue>) -> Result<GoValue, String>;

pub(crate) struct FuncDef {
    pub params: &'static [Param],
    pub variadic: Option<Param>,
    /// Evaluated lazily by the executor (`and`, `or`).
    pub special: bool,
    pub call: FuncImpl,
}

/// Registers functions: `name => [params] (...variadic)? => impl`.
macro_rules! table {
    ($m:ident; $( $name:literal [$($p:ident),*] $(... $v:ident)? => $f:expr; )*) => {
        $( $m.insert($name, FuncDef {
            params: &[$(Param::$p),*],
            variadic: table!(@v $($v)?),
            special: false,
            call: $f,
        }); )*
    };
    (@v) => { None };
    (@v $v:ident) => { Some(Param::$v) };
}
pub(crate) use table;

static FUNCS: LazyLock<HashMap<&'static str, FuncDef>> = LazyLock::new(|| {
    let mut m = HashMap::new();
    builtins::register(&mut m);
    strings::register(&mut m);
    collections::register(&mut m);
    math::register(&mut m);
    encoding::register(&mut m);
    helm::register(&mut m);
    crypto::register(&mut m);
    dates::register(&mut m);
    m
});

pub(crate) fn lookup(name: &str) -> Option<&'static FuncDef> {
    FUNCS.get(name)
}

/// Whether `name` is a function templates may call (checked at parse time).
pub fn is_known(name: &str) -> bool {
    FUNCS.contains_key(name)
}

/// All function names, sorted (for documentation and tests).
pub fn names() -> Vec<&'static str> {
    let mut v: Vec<_> = FUNCS.keys().copied().collect();
    v.sort();
    v
}

// ---- conversions shared by the Sprig implementations (spf13/cast and Sprig's strval) ----

/// Sprig's `strval`: strings as is, bytes as text, Stringers via String(), else `%v`.
pub(crate) fn strval(v: &GoValue) -> String {
    match v {
        GoValue::String(s) => s.to_string(),
        GoValue::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => super::gofmt::sprint_value(other),
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

fn arg_str(v: &GoValue) -> &str {
    v.as_str().unwrap_or("")
}

fn arg_int(v: &GoValue) -> i64 {
    match v {
        GoValue::Int(i) => *i,
        _ => 0,
    }
}
