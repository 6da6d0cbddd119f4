//! Go text/template's predefined functions (always available; a [`FuncMap`] entry of the
//! same name replaces one, as in Go).

use std::sync::{Arc, LazyLock};

use crate::funcmap::{Func, FuncMap, Param};
use crate::gofmt;
use crate::value::GoValue;

/// Registers functions whose bodies return `Result<GoValue, String>`:
/// `name [params] (...variadic)? => closure;`.
macro_rules! table {
    ($m:ident; $( $name:literal [$($p:ident),*] $(... $v:ident)? => $f:expr; )*) => {
        $( {
            let f: fn(&mut crate::funcmap::Context<'_>, Vec<GoValue>) -> Result<GoValue, String> = $f;
            $m.insert($name, &[$(Param::$p),*], table!(@v $($v)?), move |c, a| f(c, a).map_err(crate::error::FuncError::from));
        } )*
    };
    (@v) => { None };
    (@v $v:ident) => { Some(Param::$v) };
}

static BUILTINS: LazyLock<FuncMap> = LazyLock::new(|| {
    let mut m = FuncMap::new();
    register(&mut m);
    m
});

/// The builtin `name`, if there is one.
pub(crate) fn get(name: &str) -> Option<&'static Func> {
    BUILTINS.get(name)
}

/// Names of Go's builtin functions, sorted.
pub fn names() -> Vec<&'static str> {
    BUILTINS.names()
}

fn register(m: &mut FuncMap) {
    for name in ["and", "or"] {
        m.insert_special(
            name,
            Func {
                params: Box::new([Param::Any]),
                variadic: Some(Param::Any),
                special: true,
                call: Arc::new(|_, a| Ok(a.last().cloned().unwrap_or_default())),
            },
        );
    }
    table! { m;
        "not" [Any] => |_, a| Ok(GoValue::Bool(!a[0].truthy()));
        "len" [Any] => |_, a| length(&a[0]);
        "index" [Any] ...Any => |_, a| index(&a[0], &a[1..]);
        "print" [] ...Any => |_, a| Ok(GoValue::from(gofmt::sprint(&a)));
        "println" [] ...Any => |_, a| Ok(GoValue::from(gofmt::sprintln(&a)));
        "printf" [Str] ...Any => |c, a| gofmt::sprintf_limited(a[0].as_str().unwrap_or(""), &a[1..], c.options().max_value_bytes).map(GoValue::from);
        "html" [] ...Any => |_, a| Ok(GoValue::from(html_escape(&eval_args(&a))));
        "js" [] ...Any => |_, a| Ok(GoValue::from(js_escape(&eval_args(&a))));
        "urlquery" [] ...Any => |_, a| Ok(GoValue::from(query_escape(&eval_args(&a))));
        "call" [Any] ...Any => |_, a| Err(match &a[0] {
            GoValue::Nil => "call of nil".to_string(),
            other => format!("non-function {} of type {}", gofmt::sprint_value(other), other.type_name()),
        });
        "eq" [Any] ...Any => |_, a| eq(&a[0], &a[1..]).map(GoValue::Bool);
        "ne" [Any, Any] => |_, a| eq(&a[0], &a[1..]).map(|b| GoValue::Bool(!b));
        "lt" [Any, Any] => |_, a| lt(&a[0], &a[1]).map(GoValue::Bool);
        "le" [Any, Any] => |_, a| le(&a[0], &a[1]).map(GoValue::Bool);
        "gt" [Any, Any] => |_, a| le(&a[0], &a[1]).map(|b| GoValue::Bool(!b));
        "ge" [Any, Any] => |_, a| lt(&a[0], &a[1]).map(|b| GoValue::Bool(!b));
    }
}

/// Go's evalArgs for `html`, `js`, `urlquery`: one string as is, else `fmt.Sprint` of the
/// arguments with a missing value printed as `<no value>` (Go's printableValue).
fn eval_args(a: &[GoValue]) -> String {
    if a.len() == 1
        && let GoValue::String(s) = &a[0]
    {
        return s.to_string();
    }
    let args: Vec<GoValue> = a
        .iter()
        .map(|v| {
            if v.is_nil() {
                GoValue::from("<no value>")
            } else {
                v.clone()
            }
        })
        .collect();
    gofmt::sprint(&args)
}

fn length(v: &GoValue) -> Result<GoValue, String> {
    Ok(GoValue::Int(match v {
        GoValue::String(s) => s.len(),
        GoValue::Bytes(b) => b.len(),
        GoValue::List(l) => l.len(),
        GoValue::Map(m) => m.borrow().len(),
        GoValue::Object(o) if o.len().is_some() => o.len().unwrap_or(0),
        GoValue::Nil => return Err("reflect: call of reflect.Value.Type on zero Value".into()),
        other => return Err(format!("len of type {}", other.type_name())),
    } as i64))
}

fn index(item: &GoValue, idx: &[GoValue]) -> Result<GoValue, String> {
    if item.is_nil() {
        return Err("index of untyped nil".into());
    }
    let mut cur = item.clone();
    let mut first = true;
    for i in idx {
        if cur.is_nil() && !first {
            return Err("index of nil pointer".into());
        }
        first = false;
        cur = match &cur {
            GoValue::List(l) => l[index_arg(i, l.len())?].clone(),
            GoValue::String(s) => {
                let at =
                    index_arg(i, s.len()).map_err(|e| e.replace("slice index", "string index"))?;
                GoValue::Int(s.as_bytes()[at] as i64)
            }
            GoValue::Bytes(b) => GoValue::Int(b[index_arg(i, b.len())?] as i64),
            GoValue::Map(m) => match i {
                GoValue::String(k) => m.borrow().get(&**k).cloned().unwrap_or_default(),
                GoValue::Nil => return Err("value is nil; should be of type string".into()),
                other => {
                    return Err(format!(
                        "value has type {}; should be string",
                        other.type_name()
                    ));
                }
            },
            GoValue::Object(o) if o.items().is_some() => {
                let items = o.items().unwrap_or_default();
                items[index_arg(i, items.len())?].clone()
            }
            GoValue::Object(o) if o.entries().is_some() => match i {
                GoValue::String(k) => o
                    .entries()
                    .unwrap_or_default()
                    .into_iter()
                    .find(|(key, _)| **key == **k)
                    .map(|(_, v)| v)
                    .unwrap_or_default(),
                GoValue::Nil => return Err("value is nil; should be of type string".into()),
                other => {
                    return Err(format!(
                        "value has type {}; should be string",
                        other.type_name()
                    ));
                }
            },
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(cur)
}

fn index_arg(i: &GoValue, len: usize) -> Result<usize, String> {
    let x = match i {
        GoValue::Int(x) | GoValue::Int64(x) => *x,
        GoValue::Nil => return Err("cannot index slice/array with nil".into()),
        other => {
            return Err(format!(
                "cannot index slice/array with type {}",
                other.type_name()
            ));
        }
    };
    if x < 0 || x as usize > len {
        return Err(format!("index out of range: {x}"));
    }
    if x as usize == len {
        return Err("reflect: slice index out of range".into());
    }
    Ok(x as usize)
}

#[derive(PartialEq, Clone, Copy)]
enum BasicKind {
    Invalid,
    Bool,
    Int,
    Float,
    Str,
}

fn basic_kind(v: &GoValue) -> BasicKind {
    match v {
        GoValue::Bool(_) => BasicKind::Bool,
        GoValue::Int(_) | GoValue::Int64(_) => BasicKind::Int,
        GoValue::Float(_) => BasicKind::Float,
        GoValue::String(_) => BasicKind::Str,
        _ => BasicKind::Invalid,
    }
}

const BAD_COMPARISON: &str = "incompatible types for comparison";
const BAD_COMPARISON_TYPE: &str = "invalid type for comparison";

/// A nil slice of a named type: an object of kind slice that is nil to the encoders.
fn nil_slice(v: &GoValue) -> bool {
    matches!(v, GoValue::Object(o) if o.kind() == "slice" && o.to_value().is_nil())
}

fn non_comparable(v: &GoValue) -> String {
    format!(
        "non-comparable type {}: {}",
        gofmt::sprintf("%s", std::slice::from_ref(v)),
        v.type_name()
    )
}

pub(crate) fn eq(a: &GoValue, rest: &[GoValue]) -> Result<bool, String> {
    if rest.is_empty() {
        return Err("missing argument for comparison".into());
    }
    let k1 = basic_kind(a);
    for b in rest {
        let k2 = basic_kind(b);
        let truth = if k1 != k2 {
            if !a.is_nil() && !b.is_nil() {
                return Err(format!(
                    "{BAD_COMPARISON}: {} and {}",
                    a.type_name(),
                    b.type_name()
                ));
            }
            false
        } else {
            match (a, b) {
                (GoValue::Bool(x), GoValue::Bool(y)) => x == y,
                (GoValue::Float(x), GoValue::Float(y)) => x == y,
                (GoValue::String(x), GoValue::String(y)) => x == y,
                _ if k1 == BasicKind::Int => a.as_int() == b.as_int(),
                _ => {
                    if a.is_nil() || b.is_nil() {
                        (a.is_nil() || nil_slice(a)) == (b.is_nil() || nil_slice(b))
                    } else {
                        // Go's eq: values of different kinds are "non-comparable types";
                        // of one kind, the argument is checked for comparability.
                        if a.kind_name() != b.kind_name() {
                            return Err(format!(
                                "non-comparable types {}: {}, {}: {}",
                                gofmt::sprintf("%s", std::slice::from_ref(a)),
                                a.type_name(),
                                b.type_name(),
                                gofmt::sprint_value(b)
                            ));
                        }
                        // A nil slice of a named type (`regexFindAll` finding nothing)
                        // compares as nil before comparability is checked.
                        if nil_slice(a) || nil_slice(b) {
                            nil_slice(a) && nil_slice(b)
                        } else {
                            match b {
                                GoValue::Map(_) | GoValue::List(_) | GoValue::Bytes(_) => {
                                    return Err(non_comparable(b));
                                }
                                GoValue::Object(x)
                                    if matches!(x.kind(), "slice" | "map" | "func") =>
                                {
                                    return Err(non_comparable(b));
                                }
                                _ => {}
                            }
                            match (a, b) {
                                (GoValue::Object(x), GoValue::Object(y)) => {
                                    std::rc::Rc::ptr_eq(x, y)
                                }
                                _ => false,
                            }
                        }
                    }
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn lt(a: &GoValue, b: &GoValue) -> Result<bool, String> {
    let k1 = basic_kind(a);
    if k1 == BasicKind::Invalid {
        return Err(BAD_COMPARISON_TYPE.into());
    }
    let k2 = basic_kind(b);
    if k2 == BasicKind::Invalid {
        return Err(BAD_COMPARISON_TYPE.into());
    }
    if k1 != k2 {
        return Err(format!(
            "{BAD_COMPARISON}: {} and {}",
            a.type_name(),
            b.type_name()
        ));
    }
    Ok(match (a, b) {
        _ if k1 == BasicKind::Int => a.as_int() < b.as_int(),
        (GoValue::Float(x), GoValue::Float(y)) => x < y,
        (GoValue::String(x), GoValue::String(y)) => x < y,
        _ => return Err(BAD_COMPARISON_TYPE.into()),
    })
}

fn le(a: &GoValue, b: &GoValue) -> Result<bool, String> {
    if lt(a, b)? {
        return Ok(true);
    }
    eq(a, std::slice::from_ref(b))
}

/// Go's template.HTMLEscapeString.
pub(crate) fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Go's template.JSEscapeString: quotes, backslash and `<>&=` escaped, other ASCII control
/// characters as `\u00XX`, non-printable Unicode as `\uXXXX`.
fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u00{:02X}", c as u32)),
            c if c.is_ascii() => out.push(c),
            c if crate::strconv::is_print(c) => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for u in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{u:04X}"));
                }
            }
        }
    }
    out
}

/// Go's url.QueryEscape.
pub(crate) fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
