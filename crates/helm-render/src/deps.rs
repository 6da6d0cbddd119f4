//! Dependency processing before rendering (Helm's `ProcessDependenciesWithMerge`): aliases,
//! `tags` and `condition` switches (disabled subcharts are dropped), and `import-values`
//! (child values copied into the parent's defaults, the parent's own values winning).

use crate::chart::{Chart, Dependency};
use crate::values::{self, Warnings};
use kyaml::{Map, Value};

/// Helm's `chartutil.IsCompatibleRange`: false when either side does not parse.
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    match (
        semver_ranges::Constraint::parse(constraint),
        semver_ranges::Version::parse(version),
    ) {
        (Ok(c), Ok(v)) => c.matches(&v),
        _ => false,
    }
}

/// Helm's `action.CheckDependencies`: every declared dependency must be present in charts/.
pub fn check_dependencies(ch: &Chart) -> Result<(), String> {
    let missing: Vec<&str> = ch
        .metadata
        .dependencies
        .iter()
        .filter(|r| !ch.dependencies.iter().any(|d| d.name() == r.name))
        .map(|r| r.name.as_str())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "found in Chart.yaml, but missing in charts/ directory: {}",
            missing.join(", ")
        ))
    }
}

/// Applies aliases, conditions and tags, then import-values, to `ch` and its subcharts.
pub fn process_dependencies(ch: &mut Chart, vals: &Map, w: &mut Warnings) -> Result<(), String> {
    process_enabled(ch, vals, "", w)?;
    process_import_values_rec(ch, w)
}

fn alias_dependency(charts: &[Chart], dep: &Dependency) -> Option<Chart> {
    let c = charts
        .iter()
        .find(|c| c.name() == dep.name && is_compatible_range(&dep.version, &c.metadata.version))?;
    let mut out = c.clone();
    if !dep.alias.is_empty() {
        out.metadata.name = dep.alias.clone();
    }
    Some(out)
}

fn process_enabled(c: &mut Chart, v: &Map, path: &str, w: &mut Warnings) -> Result<(), String> {
    if c.metadata.dependencies.is_empty() {
        // Helm checks for a nil list; an empty `dependencies:` behaves the same here.
        return Ok(());
    }
    let existing = std::mem::take(&mut c.dependencies);
    let mut chart_deps: Vec<Chart> = Vec::new();
    for e in &existing {
        let declared =
            c.metadata.dependencies.iter().any(|r| {
                e.name() == r.name && is_compatible_range(&r.version, &e.metadata.version)
            });
        if !declared {
            chart_deps.push(e.clone());
        }
    }
    for req in &mut c.metadata.dependencies {
        if let Some(cd) = alias_dependency(&existing, req) {
            chart_deps.push(cd);
        }
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
    }
    c.dependencies = chart_deps;
    for r in &mut c.metadata.dependencies {
        r.enabled = true;
    }
    let cvals = values::coalesce_values(c, v, w)?;
    process_tags(&mut c.metadata.dependencies, &cvals, w);
    process_conditions(&mut c.metadata.dependencies, &cvals, path, w);
    let removed: Vec<String> = c
        .metadata
        .dependencies
        .iter()
        .filter(|r| !r.enabled)
        .map(|r| r.name.clone())
        .collect();
    c.dependencies
        .retain(|d| !removed.iter().any(|n| n == d.name()));
    c.metadata
        .dependencies
        .retain(|d| !removed.contains(&d.name));
    for t in &mut c.dependencies {
        let sub = format!("{path}{}.", t.metadata.name);
        process_enabled(t, &cvals, &sub, w)?;
    }
    Ok(())
}

fn process_tags(reqs: &mut [Dependency], cvals: &Map, w: &mut Warnings) {
    let Ok(vt) = values::table(cvals, "tags") else {
        return;
    };
    for r in reqs {
        let (mut has_true, mut has_false) = (false, false);
        for k in &r.tags {
            match vt.get(k) {
                Some(Value::Bool(true)) => has_true = true,
                Some(Value::Bool(false)) => has_false = true,
                Some(_) => w.push_str(format!(
                    "Warning: Tag '{k}' for chart {} returned non-bool value",
                    r.name
                )),
                None => {}
            }
        }
        if !has_true && has_false {
            r.enabled = false;
        } else if has_true || !has_false {
            r.enabled = true;
        }
    }
}

fn process_conditions(reqs: &mut [Dependency], cvals: &Map, path: &str, w: &mut Warnings) {
    for r in reqs {
        for c in r.condition.trim().split(',') {
            if c.is_empty() {
                continue;
            }
            match values::path_value(cvals, &format!("{path}{c}")) {
                Some(Value::Bool(b)) => {
                    r.enabled = *b;
                    break;
                }
                Some(_) => w.push_str(format!(
                    "Warning: Condition path '{c}' for chart {} returned non-bool value",
                    r.name
                )),
                None => {}
            }
        }
    }
}

fn process_import_values_rec(c: &mut Chart, w: &mut Warnings) -> Result<(), String> {
    for d in &mut c.dependencies {
        process_import_values_rec(d, w)?;
    }
    process_import_values(c, w)
}

/// Builds `{a: {b: data}}` for the parent path `a.b` (`.` means the top level).
fn path_to_map(parent: &str, data: Map) -> Map {
    if parent == "." {
        return data;
    }
    let mut out = data;
    for part in parent.split('.').rev() {
        let mut m = Map::new();
        m.insert(part.to_string(), Value::Map(out));
        out = m;
    }
    out
}

fn process_import_values(c: &mut Chart, w: &mut Warnings) -> Result<(), String> {
    if c.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let cvals = values::merge_values(c, &Map::new(), w)?;
    let mut b = Map::new();
    for r in &mut c.metadata.dependencies {
        let mut out_iv = Vec::new();
        for riv in &r.import_values {
            match riv {
                Value::Map(iv) => {
                    let child = iv
                        .get("child")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    let parent = iv
                        .get("parent")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    let mut rec = Map::new();
                    rec.insert("child", Value::String(child.clone().into()));
                    rec.insert("parent", Value::String(parent.clone().into()));
                    out_iv.push(Value::Map(rec));
                    match values::table(&cvals, &format!("{}.{child}", r.name)) {
                        Ok(vv) => {
                            let m = path_to_map(&parent, vv.clone());
                            values::coalesce_tables(&mut b, &m, "", true, w);
                        }
                        Err(e) => w.push_str(format!(
                            "Warning: ImportValues missing table from chart {}: {e}",
                            r.name
                        )),
                    }
                }
                Value::String(iv) => {
                    let child = format!("exports.{iv}");
                    let mut rec = Map::new();
                    rec.insert("child", Value::String(child.clone().into()));
                    rec.insert("parent", Value::String(".".into()));
                    out_iv.push(Value::Map(rec));
                    match values::table(&cvals, &format!("{}.{child}", r.name)) {
                        Ok(vm) => values::coalesce_tables(&mut b, vm, "", true, w),
                        Err(e) => w.push_str(format!("Warning: ImportValues missing table: {e}")),
                    }
                }
                _ => {}
            }
        }
        r.import_values = out_iv;
    }
    let mut merged = cvals;
    values::coalesce_tables(&mut merged, &b, "", true, w);
    c.values = merged;
    Ok(())
}

impl Warnings {
    pub(crate) fn push_str(&mut self, s: String) {
        self.0.push(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Metadata;

    fn map(j: serde_json::Value) -> Map {
        match Value::from(j) {
            Value::Map(m) => m,
            _ => unreachable!(),
        }
    }

    fn chart(name: &str, version: &str, values: serde_json::Value) -> Chart {
        Chart {
            metadata: Metadata {
                name: name.into(),
                version: version.into(),
                ..Default::default()
            },
            values: map(values),
            ..Default::default()
        }
    }

    fn dep(name: &str, cond: &str, alias: &str) -> Dependency {
        Dependency {
            name: name.into(),
            version: "0.1.0".into(),
            condition: cond.into(),
            alias: alias.into(),
            ..Default::default()
        }
    }

    #[test]
    fn conditions_disable_and_aliases_rename() {
        let mut parent = chart("p", "1.0.0", serde_json::json!({"a": {"enabled": false}}));
        parent.dependencies = vec![
            chart("a", "0.1.0", serde_json::json!({})),
            chart("b", "0.1.0", serde_json::json!({})),
        ];
        parent.metadata.dependencies =
            vec![dep("a", "a.enabled", ""), dep("b", "b.enabled", "bee")];
        let mut w = Warnings::default();
        process_dependencies(&mut parent, &Map::new(), &mut w).unwrap();
        let names: Vec<&str> = parent
            .dependencies
            .iter()
            .map(super::super::chart::Chart::name)
            .collect();
        assert_eq!(names, ["bee"]);

        let mut p2 = parent.clone();
        p2.dependencies = vec![chart("a", "0.1.0", serde_json::json!({}))];
        p2.metadata.dependencies = vec![dep("a", "a.enabled", "")];
        process_dependencies(
            &mut p2,
            &map(serde_json::json!({"a": {"enabled": true}})),
            &mut w,
        )
        .unwrap();
        assert_eq!(p2.dependencies.len(), 1);
    }

    #[test]
    fn tags_disable_when_all_false() {
        let mut parent = chart("p", "1.0.0", serde_json::json!({"tags": {"front": false}}));
        parent.dependencies = vec![chart("a", "0.1.0", serde_json::json!({}))];
        let mut d = dep("a", "", "");
        d.tags = vec!["front".into()];
        parent.metadata.dependencies = vec![d];
        let mut w = Warnings::default();
        process_dependencies(&mut parent, &Map::new(), &mut w).unwrap();
        assert!(parent.dependencies.is_empty());
    }

    #[test]
    fn import_values_child_parent_and_exports() {
        let mut parent = chart(
            "p",
            "1.0.0",
            serde_json::json!({"imported": {"keep": "parent"}}),
        );
        parent.dependencies = vec![chart(
            "a",
            "0.1.0",
            serde_json::json!({"data": {"keep": "child", "x": 1}, "exports": {"cm": {"y": 2}}}),
        )];
        let mut d = dep("a", "", "");
        d.import_values = vec![
            Value::from(serde_json::json!({"child": "data", "parent": "imported"})),
            Value::String("cm".into()),
        ];
        parent.metadata.dependencies = vec![d];
        let mut w = Warnings::default();
        process_dependencies(&mut parent, &Map::new(), &mut w).unwrap();
        let j = serde_json::Value::from(&Value::Map(parent.values.clone()));
        assert_eq!(j["imported"], serde_json::json!({"keep": "parent", "x": 1}));
        assert_eq!(j["y"], serde_json::json!(2));
    }

    #[test]
    fn missing_dependency_text() {
        let mut c = chart("p", "1.0.0", serde_json::json!({}));
        c.metadata.dependencies = vec![dep("zz", "", "")];
        assert_eq!(
            check_dependencies(&c).unwrap_err(),
            "found in Chart.yaml, but missing in charts/ directory: zz"
        );
    }
}
