//! Helm's engine functions (`include`, `tpl`, `required`, `fail`, `lookup`, `getHostByName`)
//! (Sprig's crypto functions are in `crypto`, date parsing and `urlJoin` in `dates`).

use std::collections::HashMap;

use super::{FuncDef, Param, arg_str, table};
use crate::template::exec::{self, State};
use crate::template::gofmt;
use crate::template::parse;
use crate::template::value::GoValue;

/// Helm's name for the template set; `tpl` texts are parsed under this name.
pub(crate) const SET_NAME: &str = "gotpl";
const WARN_START: &str = "HELM_ERR_START";
const WARN_END: &str = "HELM_ERR_END";

pub(super) fn register(m: &mut HashMap<&'static str, FuncDef>) {
    table! { m;
        "include" [Str, Any] => |st, a| include(st, arg_str(&a[0]), &a[1]);
        "tpl" [Str, Any] => |st, a| tpl(st, arg_str(&a[0]), &a[1]);
        "required" [Str, Any] => |_, a| {
            let missing = match &a[1] { GoValue::Nil => true, GoValue::String(s) => s.is_empty(), _ => false };
            if missing {
                return Err(gofmt::sprintf(&format!("{WARN_START}{}{WARN_END}", arg_str(&a[0])), &[]));
            }
            Ok(a[1].clone())
        };
        "fail" [Str] => |_, a| Err(format!("{WARN_START}{}{WARN_END}", arg_str(&a[0])));
        "lookup" [Str, Str, Str, Str] => |st, _| { st.notice("lookup"); Ok(GoValue::new_map()) };
        "getHostByName" [Str] => |st, _| { st.notice("getHostByName"); Ok(GoValue::from("")) };
        "bcrypt" [Str] => |st, a| { st.notice("bcrypt"); bcrypt_hash(arg_str(&a[0])).map(GoValue::from) };
        "htpasswd" [Str, Str] => |st, a| {
            st.notice("htpasswd");
            let user = arg_str(&a[0]);
            if user.contains(':') {
                return Ok(GoValue::from(format!("invalid username: {user}")));
            }
            Ok(GoValue::from(format!("{user}:{}", bcrypt_hash(arg_str(&a[1]))?)))
        };
    }
}

/// Go's bcrypt.GenerateFromPassword with the default cost 10 (`$2a$10$...`, random salt).
fn bcrypt_hash(password: &str) -> Result<String, String> {
    bcrypt::hash_with_result(password, 10)
        .map(|h| h.format_for_version(bcrypt::Version::TwoA))
        .map_err(|e| e.to_string())
}

fn include(st: &mut State, name: &str, data: &GoValue) -> Result<GoValue, String> {
    let shared = st.shared;
    {
        let mut counts = shared.include_counts.borrow_mut();
        let c = counts.entry(name.to_string()).or_insert(0);
        if *c > shared.opts.max_include_depth {
            return Err(format!(
                "rendering template has a nested reference name: {name}: unable to execute template"
            ));
        }
        *c += 1;
    }
    let r = stacker::maybe_grow(256 * 1024, 8 * 1024 * 1024, || {
        exec::execute_named(shared, name, data, Some(SET_NAME))
    });
    if let Some(c) = shared.include_counts.borrow_mut().get_mut(name) {
        *c -= 1;
    }
    r.map(GoValue::from).map_err(|e| e.to_string())
}

fn tpl(st: &mut State, text: &str, data: &GoValue) -> Result<GoValue, String> {
    let shared = st.shared;
    let depth = *shared.tpl_depth.borrow();
    if depth >= shared.opts.max_include_depth {
        return Err(format!(
            "tpl calls nested more than {} deep (a value that renders itself?): {}",
            shared.opts.max_include_depth,
            gofmt::quote_go(text)
        ));
    }
    let trees = parse::parse(SET_NAME, text, &super::is_known)
        .map_err(|e| format!("cannot parse template {}: {e}", gofmt::quote_go(text)))?;
    let mut layer = HashMap::new();
    let mut main = None;
    for (name, tree) in trees {
        let tree = std::rc::Rc::new(tree);
        if name == SET_NAME && main.is_none() {
            main = Some(tree.clone());
        }
        if tree.is_empty_body() && shared.lookup(&name).is_some() && name != SET_NAME {
            continue;
        }
        layer.insert(name, tree);
    }
    let main = main.expect("the parser always returns the main tree first");
    shared.overlay.borrow_mut().push(layer);
    *shared.tpl_depth.borrow_mut() += 1;
    let r = stacker::maybe_grow(256 * 1024, 8 * 1024 * 1024, || {
        exec::run_tree(shared, main, data)
    });
    *shared.tpl_depth.borrow_mut() -= 1;
    shared.overlay.borrow_mut().pop();
    match r {
        Ok(s) => Ok(GoValue::from(s.replace("<no value>", ""))),
        Err(e) => Err(format!(
            "error during tpl function execution for {}: {e}",
            gofmt::quote_go(text)
        )),
    }
}
