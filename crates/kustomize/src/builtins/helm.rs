//! `HelmChartInflationGenerator` (`helmCharts:`): finds the chart under `chartHome`
//! (kustomize's `<chartHome>/<name>-<version>/<name>` layout when `repo` and `version` are
//! set), asks the caller's [`ChartInflater`](crate::ChartInflater) to fetch it when it is
//! missing, merges `valuesFile`/`valuesInline` per `valuesMerge`, and renders it through the
//! inflater. The crate itself renders nothing: without `--enable-helm` or an inflater, charts
//! are an error that says so.

use std::path::{Path, PathBuf};

use super::Loc;
use crate::ctx::{Builder, Loader};
use crate::kustomization::Kustomization;
use crate::resource::Res;
use crate::types::{HelmChart, HelmGlobals};
use crate::{HelmPull, HelmTemplate, HelmValues, KustomizeError, display_path};
use kyaml::Value;

/// The directory that holds `<name>/` for this chart.
pub(crate) fn chart_home(k_dir: &Path, globals: &HelmGlobals, chart: &HelmChart) -> PathBuf {
    let home = if globals.chart_home.is_empty() {
        "charts"
    } else {
        globals.chart_home.as_str()
    };
    let base = if Path::new(home).is_absolute() {
        PathBuf::from(home)
    } else {
        crate::normalize(&k_dir.join(home))
    };
    if !chart.version.is_empty() && !chart.repo.is_empty() {
        base.join(format!("{}-{}", chart.name, chart.version))
    } else {
        base
    }
}

fn parse_values(path: &Path, bytes: Vec<u8>) -> Result<Value, KustomizeError> {
    let text = String::from_utf8(bytes)
        .map_err(|_| KustomizeError::at(path, None, "values file is not valid UTF-8"))?;
    let v = kyaml::parse_first(&text, kyaml::Dialect::Helm)
        .map_err(|e| KustomizeError::yaml(path, &e))?;
    Ok(if v.is_null() {
        Value::Map(Default::default())
    } else {
        v
    })
}

/// Merges `src` into `dest` as kyaml's `merge2` does without a schema: maps field by field,
/// everything else replaced, `null` deletes.
fn merge_values(dest: &Value, src: &Value) -> Value {
    match (dest, src) {
        (Value::Map(d), Value::Map(s)) => {
            let mut out = d.clone();
            for (k, v) in s {
                if v.is_null() {
                    out.shift_remove(k);
                    continue;
                }
                let merged = match out.get(k) {
                    Some(existing) => merge_values(existing, v),
                    None => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Map(out)
        }
        (_, s) => s.clone(),
    }
}

pub(crate) fn generate(
    b: &mut Builder,
    k: &Kustomization,
    loader: &Loader,
    globals: &HelmGlobals,
    chart: &HelmChart,
    loc: &Loc,
) -> Result<Vec<Res>, KustomizeError> {
    if !b.opts.enable_helm {
        return Err(loc
            .error(format!(
                "helmCharts: rendering chart `{}` must be enabled: must specify --enable-helm",
                chart.name
            ))
            .with_help("run `vendor build --enable-helm DIR`; vendor renders charts itself, no helm binary is needed"));
    }
    let Some(inflater) = b.opts.helm.clone() else {
        return Err(loc.error(format!(
            "helmCharts: no chart renderer is available to render `{}`",
            chart.name
        )));
    };
    if chart.name.is_empty() {
        return Err(loc.error("chart name cannot be empty"));
    }
    let home = chart_home(&k.dir, globals, chart);
    let local = home.join(&chart.name);
    let merge = if chart.values_merge.is_empty() {
        "override"
    } else {
        chart.values_merge.as_str()
    };
    if !matches!(merge, "merge" | "override" | "replace") {
        return Err(loc.error("valuesMerge must be one of [merge override replace]"));
    }
    let mut additional = Vec::new();
    for f in &chart.additional_values_files {
        let path = loader.path(f).map_err(|e| {
            loc.error(format!(
                "could not load additionalValuesFile: {}",
                e.message
            ))
        })?;
        if !path.is_file() {
            return Err(loc.error(format!(
                "could not load additionalValuesFile: '{}': no such file or directory",
                display_path(&path)
            )));
        }
        additional.push(HelmValues::File(path));
    }
    // A chart under chartHome is read through the kustomization's load rules; a fetched one
    // is the renderer's.
    let (chart_dir, fetched) = if local.is_dir() {
        (local, false)
    } else if chart.repo.is_empty() {
        return Err(loc
            .error(format!(
                "no repo specified for pull, no chart found at '{}'",
                display_path(&local)
            ))
            .with_help("put the chart under chartHome (charts/<name>), or give `repo` and `version` so it can be fetched"));
    } else {
        let dir = inflater
            .pull(&HelmPull {
                repo: chart.repo.clone(),
                name: chart.name.clone(),
                version: chart.version.clone(),
                chart_home: home.clone(),
            })
            .map_err(|m| {
                loc.error(format!(
                    "helmCharts: cannot fetch chart `{}` {} from {}: {m}",
                    chart.name, chart.version, chart.repo
                ))
            })?;
        (dir, true)
    };
    let read_values = |rel: &str| -> Result<(PathBuf, Vec<u8>), KustomizeError> {
        if fetched && chart.values_file.is_empty() {
            let p = chart_dir.join("values.yaml");
            let b = std::fs::read(&p)
                .map_err(|e| loc.error(format!("cannot read '{}': {e}", display_path(&p))))?;
            return Ok((p, b));
        }
        loader.load(rel).map_err(|e| loc.error(e.message))
    };
    let values_file = if chart.values_file.is_empty() {
        chart_dir.join("values.yaml").to_string_lossy().into_owned()
    } else {
        chart.values_file.clone()
    };
    let inline = chart
        .values_inline
        .as_ref()
        .filter(|v| v.as_map().is_some_and(|m| !m.is_empty()));
    let primary = match inline {
        Some(inline) => HelmValues::Merged(if merge == "replace" {
            inline.clone()
        } else {
            let (path, bytes) = read_values(&values_file)?;
            let file_values = parse_values(&path, bytes)?;
            if merge == "override" {
                merge_values(&file_values, inline)
            } else {
                merge_values(inline, &file_values)
            }
        }),
        None => {
            let path = if fetched && chart.values_file.is_empty() {
                chart_dir.join("values.yaml")
            } else {
                loader
                    .path(&values_file)
                    .map_err(|e| loc.error(e.message))?
            };
            if !path.is_file() {
                return Err(loc.error(format!(
                    "values file '{}': no such file or directory",
                    display_path(&path)
                )));
            }
            HelmValues::File(path)
        }
    };
    let mut values = vec![primary];
    values.extend(additional);
    let req = HelmTemplate {
        chart_dir: chart_dir.clone(),
        release_name: chart.release_name.clone(),
        namespace: chart.namespace.clone(),
        values,
        api_versions: chart.api_versions.clone(),
        kube_version: chart.kube_version.clone(),
        include_crds: chart.include_crds,
        skip_tests: chart.skip_tests,
        skip_hooks: chart.skip_hooks,
        name_template: chart.name_template.clone(),
        debug: chart.debug,
    };
    let text = inflater.template(&req).map_err(|m| {
        loc.error(format!(
            "helmCharts: rendering chart `{}` failed: {m}",
            chart.name
        ))
    })?;
    crate::files::resources_from_text(&chart_dir, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_merge_maps_and_replace_the_rest() {
        let a = kyaml::parse_one("a: {x: 1, y: [1]}\nb: 2\n", kyaml::Dialect::Helm).unwrap();
        let b = kyaml::parse_one("a: {y: [2], z: 3}\nb: null\n", kyaml::Dialect::Helm).unwrap();
        let m = merge_values(&a, &b);
        let want = kyaml::parse_one("a: {x: 1, y: [2], z: 3}\n", kyaml::Dialect::Helm).unwrap();
        assert_eq!(m, want);
    }

    #[test]
    fn versioned_charts_live_in_name_version_dirs() {
        let chart = HelmChart {
            name: "nginx".into(),
            version: "1.2.3".into(),
            repo: "https://charts.example".into(),
            ..Default::default()
        };
        let home = chart_home(Path::new("/k"), &HelmGlobals::default(), &chart);
        assert_eq!(home, PathBuf::from("/k/charts/nginx-1.2.3"));
    }
}
