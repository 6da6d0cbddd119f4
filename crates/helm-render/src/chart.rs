//! The chart model and loader: `Chart.yaml` (apiVersion v1 and v2, `requirements.yaml` for v1),
//! `values.yaml`, `values.schema.json`, templates, other files (for `.Files`), `crds/`, and
//! subcharts under `charts/` (directories and `.tgz` archives), following Helm's `loader`
//! package: same classification of files, same validation and the same error texts.

use std::path::Path;

use crate::archive::{self, BufferedFile, MAX_DECOMPRESSED_FILE_SIZE};
use crate::error::HelmError;
use crate::ignore::IgnoreRules;
use crate::yamlio;
use kyaml::{Map, Value};

/// `Chart.yaml` maintainers entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Maintainer {
    pub name: String,
    pub email: String,
    pub url: String,
}

/// A dependency as declared in `Chart.yaml` (or `requirements.yaml`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dependency {
    pub name: String,
    pub version: String,
    pub repository: String,
    pub condition: String,
    pub tags: Vec<String>,
    pub enabled: bool,
    /// Raw `import-values` entries: strings or `{child, parent}` maps.
    pub import_values: Vec<Value>,
    pub alias: String,
}

/// `Chart.yaml`, as Helm's `chart.Metadata`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    pub name: String,
    pub home: String,
    pub sources: Vec<String>,
    pub version: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub maintainers: Vec<Maintainer>,
    pub icon: String,
    pub api_version: String,
    pub condition: String,
    pub tags: String,
    pub app_version: String,
    pub deprecated: bool,
    pub annotations: Vec<(String, String)>,
    pub kube_version: String,
    pub dependencies: Vec<Dependency>,
    pub chart_type: String,
}

/// A loaded chart with its (loaded) subcharts.
#[derive(Debug, Clone, Default)]
pub struct Chart {
    pub metadata: Metadata,
    /// `values.yaml`, decoded as Helm does (numbers are floats).
    pub values: Map,
    pub schema: Option<Vec<u8>>,
    pub templates: Vec<BufferedFile>,
    /// Every other file (what `.Files` sees), in load order.
    pub files: Vec<BufferedFile>,
    pub dependencies: Vec<Chart>,
    /// `ChartFullPath` of this chart: `root/charts/sub/...`; set by [`Chart::set_paths`].
    pub full_path: String,
    pub is_root: bool,
}

impl Chart {
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// Recomputes `full_path` and `is_root` for this chart and every subchart.
    pub fn set_paths(&mut self, parent: Option<&str>) {
        self.is_root = parent.is_none();
        self.full_path = match parent {
            None => self.metadata.name.clone(),
            Some(p) => format!("{p}/charts/{}", self.metadata.name),
        };
        let me = self.full_path.clone();
        for d in &mut self.dependencies {
            d.set_paths(Some(&me));
        }
    }

    /// Files under `crds/` with a manifest extension, this chart first then subcharts
    /// (Helm's `CRDObjects`): (`full/path/crds/x.yaml`, content).
    pub fn crd_objects(&self) -> Vec<(String, &[u8])> {
        let mut out = Vec::new();
        for f in &self.files {
            if f.name.starts_with("crds/")
                && [".yaml", ".yml", ".json"]
                    .iter()
                    .any(|e| f.name.ends_with(e))
            {
                out.push((format!("{}/{}", self.full_path, f.name), f.data.as_slice()));
            }
        }
        for d in &self.dependencies {
            out.extend(d.crd_objects());
        }
        out
    }

    pub fn is_library(&self) -> bool {
        self.metadata.chart_type == "library"
    }
}

/// Loads a chart from a directory or a `.tgz` archive (Helm's `loader.Load`).
pub fn load(path: &Path) -> Result<Chart, HelmError> {
    let meta = std::fs::metadata(path).map_err(|e| HelmError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let mut chart = if meta.is_dir() {
        load_files(load_dir_files(path)?)?
    } else {
        let bytes = std::fs::read(path).map_err(|e| HelmError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        load_files(archive::load_archive_files(
            &bytes,
            &path.display().to_string(),
        )?)?
    };
    chart.set_paths(None);
    Ok(chart)
}

/// Reads a chart directory: `.helmignore` rules (plus Helm's defaults), regular files only,
/// the per-file size cap, BOMs stripped, walk in lexical order.
pub fn load_dir_files(dir: &Path) -> Result<Vec<BufferedFile>, HelmError> {
    let io = |p: &Path, e: &dyn std::fmt::Display| HelmError::Io {
        path: p.display().to_string(),
        message: e.to_string(),
    };
    let mut rules = IgnoreRules::default();
    let ignore_file = dir.join(".helmignore");
    if ignore_file.is_file() {
        let text = std::fs::read_to_string(&ignore_file).map_err(|e| io(&ignore_file, &e))?;
        rules = IgnoreRules::parse(&text).map_err(HelmError::Message)?;
    }
    rules.add_defaults();
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .min_depth(1)
        .max_open(64);
    let mut it = walker.into_iter();
    while let Some(entry) = it.next() {
        let entry = entry.map_err(|e| io(dir, &e))?;
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        let ft = entry.file_type();
        if ft.is_dir() {
            if rules.ignore(&rel, true) {
                it.skip_current_dir();
            }
            continue;
        }
        if rules.ignore(&rel, false) {
            continue;
        }
        if !ft.is_file() {
            return Err(HelmError::Message(format!(
                "cannot load irregular file {} as it has file mode type bits set",
                entry.path().display()
            )));
        }
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        if size > MAX_DECOMPRESSED_FILE_SIZE {
            return Err(HelmError::Message(format!(
                "chart file {:?} is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}",
                entry.file_name().to_string_lossy()
            )));
        }
        let data = std::fs::read(entry.path())
            .map_err(|e| HelmError::Message(format!("error reading {rel}: {e}")))?;
        files.push(BufferedFile {
            name: rel,
            data: archive::strip_bom(data),
        });
    }
    Ok(files)
}

fn utf8(f: &BufferedFile) -> Result<&str, String> {
    std::str::from_utf8(&f.data).map_err(|_| format!("{} is not valid UTF-8", f.name))
}

/// Builds a chart from its files (Helm's `loader.LoadFiles`).
pub fn load_files(files: Vec<BufferedFile>) -> Result<Chart, HelmError> {
    let mut c = Chart::default();
    let mut have_metadata = false;
    for f in &files {
        if f.name == "Chart.yaml" {
            let text =
                utf8(f).map_err(|m| HelmError::Message(format!("cannot load Chart.yaml: {m}")))?;
            let v = yamlio::parse_helm(text)
                .map_err(|m| HelmError::Message(format!("cannot load Chart.yaml: {m}")))?;
            metadata_from_value(&v, &mut c.metadata)
                .map_err(|m| HelmError::Message(format!("cannot load Chart.yaml: {m}")))?;
            if c.metadata.api_version.is_empty() {
                c.metadata.api_version = "v1".into();
            }
            have_metadata = true;
        }
    }
    let mut subcharts: Vec<(String, Vec<BufferedFile>)> = Vec::new();
    for f in files {
        match f.name.as_str() {
            "Chart.yaml" | "Chart.lock" | "requirements.lock" => {
                if f.name == "requirements.lock" && c.metadata.api_version == "v1" {
                    c.files.push(f);
                }
            }
            "values.yaml" => {
                let text = utf8(&f)
                    .map_err(|m| HelmError::Message(format!("cannot load values.yaml: {m}")))?;
                c.values = yamlio::parse_values(text)
                    .map_err(|m| HelmError::Message(format!("cannot load values.yaml: {m}")))?;
            }
            "values.schema.json" => c.schema = Some(f.data),
            "requirements.yaml" => {
                let text = utf8(&f).map_err(|m| {
                    HelmError::Message(format!("cannot load requirements.yaml: {m}"))
                })?;
                let v = yamlio::parse_helm(text).map_err(|m| {
                    HelmError::Message(format!("cannot load requirements.yaml: {m}"))
                })?;
                let mut tmp = c.metadata.clone();
                metadata_from_value(&v, &mut tmp).map_err(|m| {
                    HelmError::Message(format!("cannot load requirements.yaml: {m}"))
                })?;
                c.metadata = tmp;
                have_metadata = true;
                if c.metadata.api_version == "v1" {
                    c.files.push(f);
                }
            }
            n if n.starts_with("templates/") => c.templates.push(f),
            n if n.starts_with("charts/") => {
                if n.ends_with(".prov") {
                    c.files.push(f);
                    continue;
                }
                let rest = &n["charts/".len()..];
                let cname = rest.split('/').next().unwrap_or("").to_string();
                let sub = BufferedFile {
                    name: rest.to_string(),
                    data: f.data,
                };
                match subcharts.iter_mut().find(|(k, _)| *k == cname) {
                    Some((_, v)) => v.push(sub),
                    None => subcharts.push((cname, vec![sub])),
                }
            }
            _ => c.files.push(f),
        }
    }
    if !have_metadata {
        return Err(HelmError::Message("Chart.yaml file is missing".into()));
    }
    validate_metadata(&mut c.metadata)?;

    // Helm iterates a Go map here (random order); we use the charts/ entry order (sorted).
    subcharts.sort_by(|a, b| a.0.cmp(&b.0));
    for (n, files) in subcharts {
        if n.starts_with('_') || n.starts_with('.') {
            continue;
        }
        let wrap = |e: HelmError| {
            HelmError::Message(format!(
                "error unpacking subchart {n} in {}: {e}",
                c.metadata.name
            ))
        };
        let sc = if n.ends_with(".tgz") {
            let file = &files[0];
            if file.name != n {
                return Err(HelmError::Message(format!(
                    "error unpacking subchart tar in {}: expected {n}, got {}",
                    c.metadata.name, file.name
                )));
            }
            load_files(archive::load_archive_files(&file.data, &n).map_err(wrap)?).map_err(wrap)?
        } else {
            let buff: Vec<BufferedFile> = files
                .into_iter()
                .filter_map(|f| {
                    let (_, rest) = f.name.split_once('/')?;
                    Some(BufferedFile {
                        name: rest.to_string(),
                        data: f.data,
                    })
                })
                .collect();
            load_files(buff).map_err(wrap)?
        };
        c.dependencies.push(sc);
    }
    Ok(c)
}

fn type_err(field: &str, want: &str, got: &Value) -> String {
    let what = match got {
        Value::Int(_) | Value::Float(_) => "number",
        Value::Bool(_) => "bool",
        Value::String(_) => "string",
        Value::Seq(_) => "array",
        Value::Map(_) => "object",
        Value::Null => "null",
    };
    format!(
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {what} into Go struct field {field} of type {want}"
    )
}

fn get_string(m: &Map, key: &str, owner: &str) -> Result<String, String> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone().into()),
        Some(v) => Err(type_err(&format!("{owner}.{key}"), "string", v)),
    }
}

fn get_strings(m: &Map, key: &str, owner: &str) -> Result<Vec<String>, String> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Seq(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.to_string()),
                Value::Null => Ok(String::new()),
                v => Err(type_err(&format!("{owner}.{key}"), "string", v)),
            })
            .collect(),
        Some(v) => Err(type_err(&format!("{owner}.{key}"), "[]string", v)),
    }
}

fn metadata_from_value(v: &Value, md: &mut Metadata) -> Result<(), String> {
    let m = match v {
        Value::Null => return Ok(()),
        Value::Map(m) => m,
        other => {
            return Err(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type chart.Metadata",
                if other.as_seq().is_some() {
                    "array"
                } else {
                    "string"
                }
            ));
        }
    };
    let o = "Metadata";
    // json.Unmarshal into an existing struct only overwrites present keys.
    macro_rules! s {
        ($field:ident, $key:literal) => {
            if m.contains_key($key) {
                md.$field = get_string(m, $key, o)?;
            }
        };
    }
    s!(name, "name");
    s!(home, "home");
    s!(version, "version");
    s!(description, "description");
    s!(icon, "icon");
    s!(api_version, "apiVersion");
    s!(condition, "condition");
    s!(tags, "tags");
    s!(app_version, "appVersion");
    s!(kube_version, "kubeVersion");
    s!(chart_type, "type");
    if m.contains_key("sources") {
        md.sources = get_strings(m, "sources", o)?;
    }
    if m.contains_key("keywords") {
        md.keywords = get_strings(m, "keywords", o)?;
    }
    match m.get("deprecated") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => md.deprecated = *b,
        Some(v) => return Err(type_err("Metadata.deprecated", "bool", v)),
    }
    match m.get("annotations") {
        None | Some(Value::Null) => {}
        Some(Value::Map(a)) => {
            md.annotations = a
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) => Ok((k.to_string(), s.to_string())),
                    Value::Null => Ok((k.to_string(), String::new())),
                    v => Err(type_err("Metadata.annotations", "string", v)),
                })
                .collect::<Result<_, _>>()?;
        }
        Some(v) => return Err(type_err("Metadata.annotations", "map[string]string", v)),
    }
    match m.get("maintainers") {
        None | Some(Value::Null) => {}
        Some(Value::Seq(items)) => {
            md.maintainers = items
                .iter()
                .map(|it| match it {
                    Value::Map(mm) => Ok(Maintainer {
                        name: get_string(mm, "name", "Maintainer")?,
                        email: get_string(mm, "email", "Maintainer")?,
                        url: get_string(mm, "url", "Maintainer")?,
                    }),
                    Value::Null => Ok(Maintainer::default()),
                    v => Err(type_err("Metadata.maintainers", "chart.Maintainer", v)),
                })
                .collect::<Result<_, _>>()?;
        }
        Some(v) => return Err(type_err("Metadata.maintainers", "[]*chart.Maintainer", v)),
    }
    match m.get("dependencies") {
        None | Some(Value::Null) => {}
        Some(Value::Seq(items)) => {
            md.dependencies = items
                .iter()
                .map(|it| match it {
                    Value::Map(dm) => dependency_from_map(dm),
                    Value::Null => Ok(Dependency::default()),
                    v => Err(type_err("Metadata.dependencies", "chart.Dependency", v)),
                })
                .collect::<Result<_, _>>()?;
        }
        Some(v) => return Err(type_err("Metadata.dependencies", "[]*chart.Dependency", v)),
    }
    Ok(())
}

fn dependency_from_map(m: &Map) -> Result<Dependency, String> {
    let o = "Dependency";
    Ok(Dependency {
        name: get_string(m, "name", o)?,
        version: get_string(m, "version", o)?,
        repository: get_string(m, "repository", o)?,
        condition: get_string(m, "condition", o)?,
        tags: get_strings(m, "tags", o)?,
        enabled: matches!(m.get("enabled"), Some(Value::Bool(true))),
        import_values: match m.get("import-values") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Seq(s)) => s.clone(),
            Some(v) => return Err(type_err("Dependency.import-values", "[]interface {}", v)),
        },
        alias: get_string(m, "alias", o)?,
    })
}

/// Go's `sanitizeString`: whitespace becomes a space, non-printable characters are dropped.
fn sanitize(s: &mut String) {
    if s.chars()
        .all(|c| !c.is_control() && (c == ' ' || !c.is_whitespace()))
    {
        return;
    }
    *s = s
        .chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if c.is_control() {
                None
            } else {
                Some(c)
            }
        })
        .collect();
}

fn validation(msg: impl Into<String>) -> HelmError {
    HelmError::Validation(msg.into())
}

/// Helm's `Metadata.Validate`, same order and texts.
pub fn validate_metadata(md: &mut Metadata) -> Result<(), HelmError> {
    for s in [
        &mut md.name,
        &mut md.description,
        &mut md.home,
        &mut md.icon,
        &mut md.condition,
        &mut md.tags,
        &mut md.app_version,
        &mut md.kube_version,
    ] {
        sanitize(s);
    }
    md.sources.iter_mut().for_each(sanitize);
    md.keywords.iter_mut().for_each(sanitize);
    if md.api_version.is_empty() {
        return Err(validation("chart.metadata.apiVersion is required"));
    }
    if md.name.is_empty() {
        return Err(validation("chart.metadata.name is required"));
    }
    if md.name.contains('/') || md.name == ".." || md.name == "." {
        return Err(validation(format!(
            "chart.metadata.name {:?} is invalid",
            md.name
        )));
    }
    if md.version.is_empty() {
        return Err(validation("chart.metadata.version is required"));
    }
    if semver_ranges::Version::parse(&md.version).is_err() {
        return Err(validation(format!(
            "chart.metadata.version {:?} is invalid",
            md.version
        )));
    }
    if !matches!(md.chart_type.as_str(), "" | "application" | "library") {
        return Err(validation(
            "chart.metadata.type must be application or library",
        ));
    }
    for m in &mut md.maintainers {
        sanitize(&mut m.name);
        sanitize(&mut m.email);
        sanitize(&mut m.url);
        if m.name.is_empty() {
            return Err(validation("each maintainer requires a name"));
        }
        if !m.email.is_empty() && !m.email.contains('@') {
            return Err(validation(format!(
                "invalid email '{}' for maintainer '{}'",
                m.email, m.name
            )));
        }
    }
    let mut seen: Vec<String> = Vec::new();
    for d in &mut md.dependencies {
        sanitize(&mut d.name);
        sanitize(&mut d.version);
        sanitize(&mut d.repository);
        sanitize(&mut d.alias);
        sanitize(&mut d.condition);
        d.tags.iter_mut().for_each(sanitize);
        if !d.alias.is_empty()
            && !d
                .alias
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(validation(format!(
                "dependency {:?} has disallowed characters in the alias",
                d.name
            )));
        }
        let key = if d.alias.is_empty() {
            d.name.clone()
        } else {
            d.alias.clone()
        };
        if seen.contains(&key) {
            return Err(validation(format!(
                "more than one dependency with name or alias {key:?}"
            )));
        }
        seen.push(key);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_texts() {
        let mut md = Metadata {
            api_version: "v2".into(),
            name: "x".into(),
            version: "1.0.0".into(),
            chart_type: "Library".into(),
            ..Default::default()
        };
        assert_eq!(
            validate_metadata(&mut md).unwrap_err().to_string(),
            "validation: chart.metadata.type must be application or library"
        );
        md.chart_type = "library".into();
        md.version = "one".into();
        assert_eq!(
            validate_metadata(&mut md).unwrap_err().to_string(),
            "validation: chart.metadata.version \"one\" is invalid"
        );
    }

    #[test]
    fn sanitize_replaces_whitespace() {
        let mut s = "a\tb\u{7}c".to_string();
        sanitize(&mut s);
        assert_eq!(s, "a bc");
    }
}
