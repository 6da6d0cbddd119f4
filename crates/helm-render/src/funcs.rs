//! Helm's template functions on top of Go's builtins and Sprig: `include`, `tpl`, `required`,
//! `fail`, `lookup`, `getHostByName`, and the data functions Helm adds (`toYaml`, `fromYaml`,
//! `fromYamlArray`, `toToml`, `fromJson`, `fromJsonArray`, `mustFromJson`; `toJson` is
//! Sprig's). [`function_map`] is the map Helm's engine uses: Sprig (minus `env`/`expandenv`,
//! which the `sprig` crate never registers) plus these.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, LazyLock};

use gotemplate::{Context, FuncError, FuncMap, GoValue, Param, gofmt};

use crate::govalue;

/// Helm's name for the template set; `tpl` texts are parsed under this name.
pub(crate) const SET_NAME: &str = "gotpl";
const WARN_START: &str = "HELM_ERR_START";
const WARN_END: &str = "HELM_ERR_END";

/// Registers functions whose bodies return `Result<GoValue, String>`.
macro_rules! table {
    ($m:ident; $( $name:literal [$($p:ident),*] => $f:expr; )*) => {
        $( {
            let f: fn(&mut Context<'_>, Vec<GoValue>) -> Result<GoValue, String> = $f;
            $m.insert($name, &[$(Param::$p),*], None, move |c, a| f(c, a).map_err(FuncError::from));
        } )*
    };
}

static FUNCS: LazyLock<Arc<FuncMap>> = LazyLock::new(|| {
    let mut m = FuncMap::new();
    sprig::register(&mut m);
    register(&mut m);
    Arc::new(m)
});

/// The functions Helm's templates may call (besides Go's builtins): Sprig's and Helm's.
pub fn function_map() -> Arc<FuncMap> {
    FUNCS.clone()
}

fn arg_str(v: &GoValue) -> &str {
    v.as_str().unwrap_or("")
}

fn ok_str(s: impl Into<String>) -> Result<GoValue, String> {
    Ok(GoValue::from(s.into()))
}

/// Adds Helm's own functions to `m` (replacing functions of the same names).
pub fn register(m: &mut FuncMap) {
    table! { m;
        "include" [Str, Any] => |ctx, a| include(ctx, arg_str(&a[0]), &a[1]);
        "tpl" [Str, Any] => |ctx, a| tpl(ctx, arg_str(&a[0]), &a[1]);
        "required" [Str, Any] => |_, a| {
            let missing = match &a[1] { GoValue::Nil => true, GoValue::String(s) => s.is_empty(), _ => false };
            if missing {
                return Err(gofmt::sprintf(&format!("{WARN_START}{}{WARN_END}", arg_str(&a[0])), &[]));
            }
            Ok(a[1].clone())
        };
        "fail" [Str] => |_, a| Err(format!("{WARN_START}{}{WARN_END}", arg_str(&a[0])));
        "lookup" [Str, Str, Str, Str] => |ctx, _| { ctx.notice("lookup"); Ok(GoValue::new_map()) };
        "getHostByName" [Str] => |ctx, _| { ctx.notice("getHostByName"); Ok(GoValue::from("")) };
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
        "fromYaml" [Str] => |_, a| Ok(match govalue::parse(arg_str(&a[0])) {
            Ok(v @ GoValue::Map(_)) => v,
            Ok(GoValue::Nil) => GoValue::new_map(),
            Ok(other) => error_map(format!("error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}", json_kind(&other))),
            Err(e) => error_map(e),
        });
        "fromYamlArray" [Str] => |_, a| Ok(match govalue::parse(arg_str(&a[0])) {
            Ok(v @ GoValue::List(_)) => v,
            Ok(GoValue::Nil) => GoValue::from(Vec::new()),
            Ok(other) => GoValue::from(vec![GoValue::from(format!("error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type []interface {{}}", json_kind(&other)))]),
            Err(e) => GoValue::from(vec![GoValue::from(e)]),
        });
        "toToml" [Any] => |_, a| ok_str(to_toml(&a[0]));
    }
}

fn include(ctx: &mut Context<'_>, name: &str, data: &GoValue) -> Result<GoValue, String> {
    let max = ctx.options().max_nesting;
    if ctx.depth("include", name) > max {
        return Err(format!(
            "rendering template has a nested reference name: {name}: unable to execute template"
        ));
    }
    ctx.nested("include", name, |ctx| ctx.execute_template(name, data))
        .map(GoValue::from)
        .map_err(|e| e.to_string())
}

fn tpl(ctx: &mut Context<'_>, text: &str, data: &GoValue) -> Result<GoValue, String> {
    let max = ctx.options().max_nesting;
    if ctx.depth("tpl", "") >= max {
        return Err(format!(
            "tpl calls nested more than {max} deep (a value that renders itself?): {}",
            gofmt::quote_go(text)
        ));
    }
    match ctx.nested("tpl", "", |ctx| ctx.execute_text(SET_NAME, text, data)) {
        Ok(s) => Ok(GoValue::from(s.replace("<no value>", ""))),
        Err(e @ gotemplate::TemplateError::Parse { .. }) => Err(format!(
            "cannot parse template {}: {e}",
            gofmt::quote_go(text)
        )),
        Err(e) => Err(format!(
            "error during tpl function execution for {}: {e}",
            gofmt::quote_go(text)
        )),
    }
}

/// sigs.k8s.io/yaml Marshal output (with the trailing newline).
fn to_yaml(v: &GoValue) -> Result<String, String> {
    govalue::to_string(v)
}

fn error_map(msg: String) -> GoValue {
    let mut m = BTreeMap::new();
    m.insert("Error".to_string(), GoValue::from(msg));
    GoValue::from(m)
}

fn json_kind(v: &GoValue) -> &'static str {
    match v {
        GoValue::String(_) => "string",
        GoValue::Int(_) | GoValue::Int64(_) | GoValue::Float(_) => "number",
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
        GoValue::Int(i) | GoValue::Int64(i) => i.to_string(),
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
