//! Helm's rendering engine on top of `gotemplate`: the per-chart data (`.Values` scoped to
//! the subchart, `.Chart`, `.Files`, `.Release`, `.Capabilities`, `.Subcharts`, `.Template`),
//! one template set for the whole chart tree parsed in Helm's order (deepest paths first, so the
//! parent's `define`s win), execution of every non-partial file, `<no value>` removal, and
//! Helm's rewording of parse and execution errors.

use std::collections::BTreeMap;

use crate::chart::Chart;
use crate::funcs::{SET_NAME, function_map};
use crate::govalue;
use crate::objects::{self, Files, KubeVersion};
use crate::version::HelmVersion;
use gotemplate::{ExecOptions, GoValue, Notice, TemplateError, Templates};
use kyaml::{Map, Value};

/// Release data for `.Release`.
#[derive(Debug, Clone)]
pub struct ReleaseInfo {
    pub name: String,
    pub namespace: String,
    pub is_upgrade: bool,
    /// The Helm version whose engine is reproduced.
    pub helm: HelmVersion,
}

/// What one render produced: (template path, output) for every non-partial template, and the
/// notices (lookup, random functions) the engine recorded.
pub struct RenderedTemplates {
    pub files: Vec<(String, String)>,
    pub notices: Vec<Notice>,
}

struct Renderable {
    name: String,
    text: String,
    /// The chart's data map (`next` in Helm), shared by its templates.
    data: GoValue,
    base_path: String,
}

fn map_of(entries: Vec<(&str, GoValue)>) -> GoValue {
    GoValue::from(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<BTreeMap<_, _>>(),
    )
}

fn map_get(m: &GoValue, key: &str) -> Option<GoValue> {
    match m {
        GoValue::Map(m) => m.borrow().get(key).cloned(),
        _ => None,
    }
}

fn map_set(m: &GoValue, key: &str, v: GoValue) {
    if let GoValue::Map(m) = m {
        m.borrow_mut().insert(key.to_string(), v);
    }
}

/// Helm's `recAllTpls`: builds the data of `c` and registers its templates.
fn collect(
    c: &Chart,
    parent: Option<&GoValue>,
    top_values: &GoValue,
    release: &GoValue,
    caps: &GoValue,
    helm: HelmVersion,
    out: &mut Vec<Renderable>,
) -> GoValue {
    let subcharts = GoValue::new_map();
    let values = match parent {
        None => top_values.clone(),
        Some(p) => match map_get(p, "Values").and_then(|v| map_get(&v, c.name())) {
            Some(v @ GoValue::Map(_)) => v,
            _ => GoValue::new_map(),
        },
    };
    let files = Files::new(c.files.iter().map(|f| (f.name.clone(), f.data.clone())));
    let next = map_of(vec![
        ("Chart", objects::chart_object(&c.metadata, c.is_root, helm)),
        ("Files", GoValue::object(files)),
        ("Release", release.clone()),
        ("Capabilities", caps.clone()),
        ("Values", values),
        ("Subcharts", subcharts.clone()),
    ]);
    for child in &c.dependencies {
        let child_next = collect(child, Some(&next), top_values, release, caps, helm, out);
        map_set(&subcharts, child.name(), child_next);
    }
    for t in &c.templates {
        if c.is_library() && !t.name.rsplit('/').next().unwrap_or("").starts_with('_') {
            continue;
        }
        out.push(Renderable {
            name: format!("{}/{}", c.full_path, t.name),
            text: String::from_utf8_lossy(&t.data).into_owned(),
            data: next.clone(),
            base_path: format!("{}/templates", c.full_path),
        });
    }
    next
}

/// Helm's `sortTemplates`: by number of `/` descending, then by name descending.
fn parse_order(list: &mut [Renderable]) {
    list.sort_by(|a, b| {
        let (ca, cb) = (a.name.matches('/').count(), b.name.matches('/').count());
        cb.cmp(&ca).then_with(|| b.name.cmp(&a.name))
    });
}

/// Helm's `cleanupParseError`.
fn parse_error(filename: &str, e: &TemplateError) -> String {
    let text = e.to_string();
    let tokens: Vec<&str> = text.split(": ").collect();
    if tokens.len() == 1 {
        return format!("parse error in ({filename}): {text}");
    }
    format!(
        "parse error at ({}): {}",
        tokens[1],
        tokens[tokens.len() - 1]
    )
}

const WARN_START: &str = "HELM_ERR_START";
const WARN_END: &str = "HELM_ERR_END";

/// Helm's `reformatExecErrorMsg`: `fail`/`required` messages become
/// `execution error at (file:line:col): message`; other errors keep Go's text.
fn exec_error(filename: &str, e: &TemplateError) -> String {
    let text = e.to_string();
    if !matches!(e, TemplateError::Exec { .. }) {
        return text;
    }
    let tokens: Vec<&str> = text.splitn(3, ": ").collect();
    if tokens.len() != 3 {
        return format!("execution error in ({filename}): {text}");
    }
    if let (Some(s), Some(end)) = (tokens[2].find(WARN_START), tokens[2].rfind(WARN_END))
        && s + WARN_START.len() <= end
    {
        return format!(
            "execution error at ({}): {}",
            tokens[1],
            &tokens[2][s + WARN_START.len()..end]
        );
    }
    text
}

/// Helm 4's `reformatExecErrorMsg` after the `fail`/`required` case: the chain of template
/// errors (an `include` error wraps the included template's error) printed one level per
/// block (`location`, `  executing "NAME" at <CONTEXT>:`, `    message`). When the chain ends
/// in an error that is not a template error (a function's own error), Helm 4 returns the
/// error unchanged, as Helm 3 prints it.
/// `error calling NAME:` and nothing else.
fn is_bare_call(msg: &str) -> bool {
    msg.strip_prefix("error calling ")
        .and_then(|m| m.strip_suffix(':'))
        .is_some_and(|name| {
            !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')
        })
}

fn exec_error_v4(text: &str) -> String {
    const PREFIX: &str = "template: ";
    let mut levels: Vec<(String, String, String)> = Vec::new();
    let mut rest = text;
    loop {
        let Some(remainder) = rest.strip_prefix(PREFIX) else {
            return text.to_string();
        };
        if remainder.starts_with("no template ") {
            levels.push((String::new(), String::new(), rest.to_string()));
            break;
        }
        // The message of this level and what follows it (a nested template error).
        let (location, function, msg_and_more) =
            if let Some((name, after)) = remainder.split_once(": executing ") {
                let parsed = after.strip_prefix('"').and_then(|a| {
                    let end = a.find('"')?;
                    let func = &a[..end];
                    let after_at = a[end + 1..].strip_prefix(" at <")?;
                    let (loc, msg) = after_at.split_once(">: ")?;
                    Some((format!("executing \"{func}\" at <{loc}>:"), msg))
                });
                match parsed {
                    Some((f, msg)) => (name.to_string(), f, msg),
                    None => return text.to_string(),
                }
            } else if let Some(sep) = remainder.rfind(": ") {
                (
                    remainder[..sep].to_string(),
                    String::new(),
                    &remainder[sep + 2..],
                )
            } else {
                return text.to_string();
            };
        let (msg, next) = match msg_and_more.find(" template:") {
            Some(cut) => (&msg_and_more[..cut], Some(&msg_and_more[cut + 1..])),
            None => (msg_and_more, None),
        };
        levels.push((location, function, msg.to_string()));
        match next {
            // A wrapped template error (`error calling include: template: ...`).
            Some(n) if is_bare_call(msg) => rest = n,
            // `tpl` words its own error around the template error (`error calling tpl: cannot
            // parse template "...": template: ...`): Helm 4 returns it unchanged too.
            Some(_) if msg.starts_with("error calling ") => return text.to_string(),
            // A function's own error wrapped by `error calling NAME:` is not a template
            // error: Helm 4 gives up and returns the error as it is.
            None if msg.starts_with("error calling ") => return text.to_string(),
            _ => break,
        }
    }
    let mut out = String::new();
    for (location, function, message) in &levels {
        if !location.is_empty() {
            out.push_str(location);
            out.push_str("\n  ");
        }
        if !function.is_empty() {
            out.push_str(function);
            out.push_str("\n    ");
        }
        if !message.is_empty() {
            out.push_str(message);
            out.push('\n');
        }
    }
    out.trim().to_string()
}

/// Renders every template of the (dependency-processed) chart tree.
pub fn render(
    chart: &Chart,
    values: &Map,
    release: &ReleaseInfo,
    kube: &KubeVersion,
    api_versions: &[String],
) -> Result<RenderedTemplates, String> {
    let release_v = map_of(vec![
        ("Name", GoValue::from(release.name.as_str())),
        ("Namespace", GoValue::from(release.namespace.as_str())),
        ("IsUpgrade", GoValue::Bool(release.is_upgrade)),
        ("IsInstall", GoValue::Bool(!release.is_upgrade)),
        ("Revision", GoValue::Int(1)),
        ("Service", GoValue::from("Helm")),
    ]);
    let caps = objects::capabilities(kube, api_versions, release.helm);
    let top_values = govalue::from_yaml(&Value::Map(values.clone()));
    let mut list = Vec::new();
    collect(
        chart,
        None,
        &top_values,
        &release_v,
        &caps,
        release.helm,
        &mut list,
    );
    parse_order(&mut list);

    let values_type = match release.helm {
        HelmVersion::V3 => "chartutil.Values",
        HelmVersion::V4 => "common.Values",
    };
    let mut values_maps: Vec<(gotemplate::MapRef, &'static str)> = Vec::new();
    for r in &list {
        if let Some(GoValue::Map(m)) = map_get(&r.data, "Values")
            && !values_maps.iter().any(|(x, _)| std::rc::Rc::ptr_eq(x, &m))
        {
            values_maps.push((m, values_type));
        }
    }
    crate::funcs::set_values_maps(values_maps);
    let result = render_list(&list, release.helm);
    crate::funcs::clear_values_maps();
    result
}

/// Bound on the total rendered output of one chart (all templates together; each execution
/// is also bounded by the engine's own `max_output_bytes`): a hostile chart cannot make a
/// render grow without limit.
pub const MAX_CHART_OUTPUT_BYTES: usize = 256 << 20;

fn render_list(list: &[Renderable], helm: HelmVersion) -> Result<RenderedTemplates, String> {
    render_list_capped(list, helm, MAX_CHART_OUTPUT_BYTES)
}

fn render_list_capped(
    list: &[Renderable],
    helm: HelmVersion,
    max_total: usize,
) -> Result<RenderedTemplates, String> {
    let mut set = Templates::named(SET_NAME, crate::funcs::function_map_for(helm));
    for r in list {
        set.add(&r.name, &r.text)
            .map_err(|e| parse_error(&r.name, &e))?;
    }
    let opts = ExecOptions::default();
    let mut files = Vec::with_capacity(list.len());
    let mut total = 0usize;
    for r in list {
        if r.name.rsplit('/').next().unwrap_or("").starts_with('_') {
            continue;
        }
        map_set(
            &r.data,
            "Template",
            map_of(vec![
                ("Name", GoValue::from(r.name.as_str())),
                ("BasePath", GoValue::from(r.base_path.as_str())),
            ]),
        );
        let out = set.execute(&r.name, &r.data, &opts).map_err(|e| {
            let m = exec_error(&r.name, &e);
            if helm.is_v4()
                && matches!(e, TemplateError::Exec { .. })
                && m.starts_with("template: ")
            {
                exec_error_v4(&m)
            } else {
                m
            }
        })?;
        let out = out.replace("<no value>", "");
        total += out.len();
        if total > max_total {
            return Err(format!(
                "rendering {}: {}",
                r.name,
                gotemplate::limit_message(
                    "the chart's rendered output",
                    total as u128,
                    "bytes",
                    max_total
                )
            ));
        }
        files.push((r.name.clone(), out));
    }
    Ok(RenderedTemplates {
        files,
        notices: set.take_notices(),
    })
}

/// Renders `--name-template` (Helm's `TemplateName`).
pub fn render_name_template(text: &str) -> Result<String, String> {
    let mut set = Templates::named(SET_NAME, function_map());
    set.add("name-template", text).map_err(|e| e.to_string())?;
    set.execute("name-template", &GoValue::Nil, &ExecOptions::default())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The total output of a chart is bounded; the error names the template that went over
    /// and is a resource limit (exit 2 from `template`).
    #[test]
    fn chart_output_is_capped() {
        let data = map_of(vec![]);
        let list: Vec<Renderable> = ["c/templates/a.yaml", "c/templates/b.yaml"]
            .iter()
            .map(|n| Renderable {
                name: n.to_string(),
                text: "{{ range until 100 }}0123456789{{ end }}".into(),
                data: data.clone(),
                base_path: "c/templates".into(),
            })
            .collect();
        assert!(render_list_capped(&list, HelmVersion::V3, 2000).is_ok());
        let Err(err) = render_list_capped(&list, HelmVersion::V3, 1500) else {
            panic!("not capped")
        };
        assert!(
            err.starts_with(
                "rendering c/templates/b.yaml: the chart's rendered output: 2000 bytes"
            ),
            "{err}"
        );
        assert!(gotemplate::is_resource_limit(&err), "{err}");
    }

    #[test]
    fn exec_error_helm4_chain() {
        let flat = "template: c/templates/a.yaml:1:12: executing \"c/templates/a.yaml\" at <include \"x\" .>: error calling include: template: c/templates/_h.tpl:3:4: executing \"x\" at <.a.b>: nil pointer evaluating interface {}.b";
        assert_eq!(
            exec_error_v4(flat),
            "c/templates/a.yaml:1:12\n  executing \"c/templates/a.yaml\" at <include \"x\" .>:\n    error calling include:\nc/templates/_h.tpl:3:4\n  executing \"x\" at <.a.b>:\n    nil pointer evaluating interface {}.b"
        );
        // A function's own error ends the chain: the text stays as Helm 3 prints it.
        let own = "template: a:1:2: executing \"a\" at <index .x 5>: error calling index: index out of range: 5";
        assert_eq!(exec_error_v4(own), own);
        // So does tpl's own wording around a template error.
        for tpl in [
            "template: c/templates/a.yaml:1:3: executing \"c/templates/a.yaml\" at <tpl \"{{ end }}\" .>: error calling tpl: cannot parse template \"{{ end }}\": template: gotpl:1: unexpected {{end}}",
            "template: c/templates/a.yaml:1:3: executing \"c/templates/a.yaml\" at <tpl \"{{ .x.y }}\" .>: error calling tpl: error during tpl function execution for \"{{ .x.y }}\": template: gotpl:1:5: executing \"gotpl\" at <.x.y>: nil pointer evaluating interface {}.y",
        ] {
            assert_eq!(exec_error_v4(tpl), tpl);
        }
    }

    #[test]
    fn exec_error_rewording() {
        let e = TemplateError::Exec {
            file: "c/templates/a.yaml".into(),
            name: "c/templates/a.yaml".into(),
            line: 3,
            col: 4,
            context: "fail \"x\"".into(),
            message: "error calling fail: HELM_ERR_STARTboomHELM_ERR_END".into(),
        };
        assert_eq!(
            exec_error("c/templates/a.yaml", &e),
            "execution error at (c/templates/a.yaml:3:4): boom"
        );
    }
}
