//! Helm's template functions on top of Go's builtins and Sprig: `include`, `tpl`, `required`,
//! `fail`, `lookup`, `getHostByName`, and the data functions Helm adds (`toYaml`, `fromYaml`,
//! `fromYamlArray`, `toToml`, `fromJson`, `fromJsonArray`, `mustFromJson`; `toJson` is
//! Sprig's). [`function_map`] is the map Helm's engine uses: Sprig (minus `env`/`expandenv`,
//! which the `sprig` crate never registers) plus these.

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use gotemplate::{Context, FuncError, FuncMap, GoValue, Param, gofmt};

use crate::govalue;
use crate::version::HelmVersion;

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

static FUNCS_V4: LazyLock<Arc<FuncMap>> = LazyLock::new(|| {
    let mut m = FuncMap::new();
    sprig::register(&mut m);
    register(&mut m);
    register_v4(&mut m);
    Arc::new(m)
});

/// The functions Helm 3's templates may call (besides Go's builtins): Sprig's and Helm's.
pub fn function_map() -> Arc<FuncMap> {
    FUNCS.clone()
}

/// The functions the templates of `helm`'s version may call: Helm 4 adds `toYamlPretty`,
/// `mustToYaml`, `mustToJson`, `mustToToml`, `fromToml` and its own `toToml` encoder.
pub fn function_map_for(helm: HelmVersion) -> Arc<FuncMap> {
    match helm {
        HelmVersion::V3 => FUNCS.clone(),
        HelmVersion::V4 => FUNCS_V4.clone(),
    }
}

/// Adds (and replaces) the functions Helm 4 defines differently or in addition to Helm 3.
pub fn register_v4(m: &mut FuncMap) {
    table! { m;
        "toToml" [Any] => |_, a| ok_str(crate::toml::encode(toml_arg(&a[0])?, HelmVersion::V4).unwrap_or_else(|e| e));
        "mustToToml" [Any] => |_, a| crate::toml::encode(toml_arg(&a[0])?, HelmVersion::V4).map(GoValue::from);
        "fromToml" [Str] => |_, a| Ok(match crate::toml::decode(arg_str(&a[0])) {
            Ok(v) => v,
            Err(e) => error_map(e),
        });
        "mustToYaml" [Any] => |_, a| Ok(GoValue::from(to_yaml(&a[0])?.strip_suffix('\n').map(str::to_string).unwrap_or_default()));
        // Helm 4 keeps the message as written.
        "required" [Str, Any] => |_, a| required(&a[1], || format!("{WARN_START}{}{WARN_END}", arg_str(&a[0])));
        "toYamlPretty" [Any] => |_, a| {
            let text = kyaml::to_string_v3(&govalue::to_yaml_exact(&a[0]));
            Ok(GoValue::from(text.strip_suffix('\n').unwrap_or(&text).to_string()))
        };
    }
}

/// `required`: the value, or `message` when it is nil or an empty string.
fn required(v: &GoValue, message: impl FnOnce() -> String) -> Result<GoValue, String> {
    match v {
        GoValue::Nil => Err(message()),
        GoValue::String(s) if s.is_empty() => Err(message()),
        v => Ok(v.clone()),
    }
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
        // Helm 3 builds the error with a format call (`%d` in the message is a verb).
        "required" [Str, Any] => |_, a| required(&a[1], || gofmt::sprintf(&format!("{WARN_START}{}{WARN_END}", arg_str(&a[0])), &[]));
        "fail" [Str] => |_, a| Err(format!("{WARN_START}{}{WARN_END}", arg_str(&a[0])));
        "lookup" [Str, Str, Str, Str] => |ctx, _| { ctx.notice("lookup"); Ok(GoValue::new_map()) };
        "getHostByName" [Str] => |ctx, _| { ctx.notice("getHostByName"); Ok(GoValue::from("")) };
        "fromJson" [Str] => |_, a| Ok(match crate::gojson::decode(arg_str(&a[0])) {
            Err(e) => error_map(e),
            // Go decodes into the map as far as it can and adds the error.
            Ok((v @ GoValue::Map(_), saved)) => {
                if let (GoValue::Map(m), Some(e)) = (&v, saved) {
                    m.borrow_mut().insert("Error".into(), GoValue::from(e));
                }
                v
            }
            Ok((GoValue::Nil, None)) => GoValue::new_map(),
            Ok((other, _)) => error_map(format!("json: cannot unmarshal {} into Go value of type map[string]interface {{}}", json_kind(&other))),
        });
        "mustFromJson" [Str] => |_, a| match crate::gojson::decode(arg_str(&a[0])) {
            Err(e) | Ok((_, Some(e))) => Err(e),
            Ok((v, None)) => Ok(v),
        };
        "fromJsonArray" [Str] => |_, a| Ok(match crate::gojson::decode(arg_str(&a[0])) {
            Err(e) => GoValue::from(vec![GoValue::from(e)]),
            Ok((v @ GoValue::List(_), None)) => v,
            Ok((GoValue::List(_), Some(e))) => GoValue::from(vec![GoValue::from(e)]),
            Ok((GoValue::Nil, None)) => GoValue::from(Vec::new()),
            Ok((other, _)) => GoValue::from(vec![GoValue::from(format!("json: cannot unmarshal {} into Go value of type []interface {{}}", json_kind(&other)))]),
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
        "toToml" [Any] => |_, a| ok_str(crate::toml::encode(toml_arg(&a[0])?, HelmVersion::V3).unwrap_or_else(|e| e));
        "typeOf" [Any] => |_, a| Ok(GoValue::from(type_of(&a[0])));
        "typeIs" [Str, Any] => |_, a| Ok(GoValue::Bool(arg_str(&a[0]) == type_of(&a[1])));
        "typeIsLike" [Str, Any] => |_, a| {
            let t = type_of(&a[1]);
            Ok(GoValue::Bool(arg_str(&a[0]) == t || format!("*{}", arg_str(&a[0])) == t))
        };
    }
}

thread_local! {
    /// The `.Values` maps of the render running on this thread and their Go type name
    /// (`chartutil.Values`, Helm 4: `common.Values`): Helm passes each chart's values as its
    /// named map type, which `typeOf` reports.
    static VALUES_MAPS: std::cell::RefCell<Vec<(gotemplate::MapRef, &'static str)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Registers the `.Values` maps of a render (see [`type_of`]); [`clear_values_maps`] ends it.
pub(crate) fn set_values_maps(maps: Vec<(gotemplate::MapRef, &'static str)>) {
    VALUES_MAPS.with(|v| *v.borrow_mut() = maps);
}

/// Forgets the maps registered by [`set_values_maps`].
pub(crate) fn clear_values_maps() {
    VALUES_MAPS.with(|v| v.borrow_mut().clear());
}

/// `fmt.Sprintf("%T", v)`, knowing which maps are a chart's `.Values`.
fn type_of(v: &GoValue) -> String {
    if let GoValue::Map(m) = v
        && let Some(name) = VALUES_MAPS.with(|r| {
            r.borrow()
                .iter()
                .find(|(x, _)| std::rc::Rc::ptr_eq(x, m))
                .map(|(_, n)| *n)
        })
    {
        return name.to_string();
    }
    v.type_name()
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
    // Helm bounds only `include` (a template including itself through `tpl` meets that bound);
    // a value that renders itself through `tpl` alone overflows Go's stack. One level more
    // than `include` allows, so a cycle through both stops at `include` as in Helm.
    let max = ctx.options().max_nesting + 1;
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

/// The TOML encoder's argument: nil makes BurntSushi's encoder panic (reflect on the zero
/// Value), which the template engine reports as the function's error.
fn toml_arg(v: &GoValue) -> Result<&GoValue, String> {
    match v {
        GoValue::Nil => Err("reflect: call of reflect.Value.Type on zero Value".into()),
        v => Ok(v),
    }
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
