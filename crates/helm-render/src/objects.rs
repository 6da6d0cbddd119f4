//! The Go objects templates see besides plain maps: `.Chart` (Helm 3: a struct embedding
//! `chart.Metadata` plus `IsRoot`; Helm 4: a map of the metadata's Go field names), `.Files`
//! (Helm's `files`, a `map[string][]byte` with Get/GetBytes/Glob/Lines/AsConfig/AsSecrets),
//! `.Capabilities` (KubeVersion, APIVersions as the `[]string`-based `VersionSet` with `Has`,
//! HelmVersion as Helm's `BuildInfo` struct). Field names are Go's; the data form used by
//! `toYaml`/`toJson` follows the structs' JSON tags; type and kind names are what Helm's
//! `typeOf`/`kindOf` report for the mode's Helm version.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::chart::{Dependency, Maintainer, Metadata};
use crate::glob::gobwas_regex;
use crate::version::HelmVersion;
use gotemplate::{FuncError, GoObject, GoValue};

/// A Go struct: ordered fields (Go names), their JSON names and whether `omitempty` applies.
pub struct GoStruct {
    type_name: String,
    kind: &'static str,
    fields: Vec<(&'static str, &'static str, bool, GoValue)>,
    stringer: Option<String>,
}

impl GoStruct {
    /// A pointer to a struct (`*T`): kind `ptr`.
    fn new(type_name: &str) -> Self {
        GoStruct {
            type_name: type_name.to_string(),
            kind: "ptr",
            fields: Vec::new(),
            stringer: None,
        }
    }

    /// A struct value: kind `struct`.
    fn value(type_name: &str) -> Self {
        GoStruct {
            kind: "struct",
            ..GoStruct::new(type_name)
        }
    }

    fn field(mut self, go: &'static str, json: &'static str, omitempty: bool, v: GoValue) -> Self {
        self.fields.push((go, json, omitempty, v));
        self
    }
}

fn is_empty(v: &GoValue) -> bool {
    match v {
        GoValue::Nil => true,
        GoValue::Bool(b) => !b,
        GoValue::Int(i) | GoValue::Int64(i) => *i == 0,
        GoValue::Float(f) => *f == 0.0,
        GoValue::String(s) => s.is_empty(),
        GoValue::Bytes(b) => b.is_empty(),
        GoValue::List(l) => l.is_empty(),
        GoValue::Map(m) => m.borrow().is_empty(),
        GoValue::Object(_) => false,
    }
}

impl GoObject for GoStruct {
    fn type_name(&self) -> &str {
        &self.type_name
    }

    fn field(&self, name: &str) -> Option<GoValue> {
        self.fields
            .iter()
            .find(|f| f.0 == name)
            .map(|f| f.3.clone())
    }

    fn string(&self) -> Option<String> {
        self.stringer.clone()
    }

    fn kind(&self) -> &'static str {
        self.kind
    }

    fn to_value(&self) -> GoValue {
        let mut m = BTreeMap::new();
        for (_, json, omitempty, v) in &self.fields {
            if *omitempty && is_empty(v) {
                continue;
            }
            m.insert(
                json.to_string(),
                match v {
                    GoValue::Object(o) => o.to_value(),
                    GoValue::List(l) => GoValue::from(
                        l.iter()
                            .map(|x| match x {
                                GoValue::Object(o) => o.to_value(),
                                x => x.clone(),
                            })
                            .collect::<Vec<_>>(),
                    ),
                    v => v.clone(),
                },
            );
        }
        GoValue::from(m)
    }
}

fn s(v: &str) -> GoValue {
    GoValue::from(v)
}

fn strings(v: &[String]) -> GoValue {
    if v.is_empty() {
        return GoValue::Nil;
    }
    GoValue::from(v.iter().map(|x| s(x)).collect::<Vec<_>>())
}

fn maintainer(m: &Maintainer) -> GoValue {
    GoValue::object(
        GoStruct::new("*chart.Maintainer")
            .field("Name", "name", true, s(&m.name))
            .field("Email", "email", true, s(&m.email))
            .field("URL", "url", true, s(&m.url)),
    )
}

fn dependency(d: &Dependency) -> GoValue {
    let imports: Vec<GoValue> = d
        .import_values
        .iter()
        .map(crate::govalue::from_yaml)
        .collect();
    GoValue::object(
        GoStruct::new("*chart.Dependency")
            .field("Name", "name", false, s(&d.name))
            .field("Version", "version", true, s(&d.version))
            .field("Repository", "repository", false, s(&d.repository))
            .field("Condition", "condition", true, s(&d.condition))
            .field("Tags", "tags", true, strings(&d.tags))
            .field("Enabled", "enabled", true, GoValue::Bool(d.enabled))
            .field(
                "ImportValues",
                "import-values",
                true,
                if imports.is_empty() {
                    GoValue::Nil
                } else {
                    GoValue::from(imports)
                },
            )
            .field("Alias", "alias", true, s(&d.alias)),
    )
}

/// `.Chart`: the chart's metadata and `IsRoot`, as the mode's Helm version exposes them.
pub fn chart_object(md: &Metadata, is_root: bool, helm: HelmVersion) -> GoValue {
    if helm.is_v4() {
        return chart_map_v4(md, is_root);
    }
    let annotations = if md.annotations.is_empty() {
        GoValue::Nil
    } else {
        GoValue::from(
            md.annotations
                .iter()
                .map(|(k, v)| (k.clone(), s(v)))
                .collect::<BTreeMap<_, _>>(),
        )
    };
    let maintainers = if md.maintainers.is_empty() {
        GoValue::Nil
    } else {
        GoValue::from(md.maintainers.iter().map(maintainer).collect::<Vec<_>>())
    };
    let deps = if md.dependencies.is_empty() {
        GoValue::Nil
    } else {
        GoValue::from(md.dependencies.iter().map(dependency).collect::<Vec<_>>())
    };
    let fields = |st: GoStruct| {
        st.field("Name", "name", true, s(&md.name))
            .field("Home", "home", true, s(&md.home))
            .field("Sources", "sources", true, strings(&md.sources))
            .field("Version", "version", true, s(&md.version))
            .field("Description", "description", true, s(&md.description))
            .field("Keywords", "keywords", true, strings(&md.keywords))
            .field("Maintainers", "maintainers", true, maintainers.clone())
            .field("Icon", "icon", true, s(&md.icon))
            .field("APIVersion", "apiVersion", true, s(&md.api_version))
            .field("Condition", "condition", true, s(&md.condition))
            .field("Tags", "tags", true, s(&md.tags))
            .field("AppVersion", "appVersion", true, s(&md.app_version))
            .field(
                "Deprecated",
                "deprecated",
                true,
                GoValue::Bool(md.deprecated),
            )
            .field("Annotations", "annotations", true, annotations.clone())
            .field("KubeVersion", "kubeVersion", true, s(&md.kube_version))
            .field("Dependencies", "dependencies", true, deps.clone())
            .field("Type", "type", true, s(&md.chart_type))
    };
    // Helm 3.16 passes `struct { chart.Metadata; IsRoot bool }`: the embedded struct's fields
    // are promoted, and `.Chart.Metadata` is the embedded struct itself.
    let embedded = GoValue::object(fields(GoStruct::value("chart.Metadata")));
    GoValue::object(
        fields(GoStruct::value("struct { chart.Metadata; IsRoot bool }"))
            .field("IsRoot", "IsRoot", false, GoValue::Bool(is_root))
            .field("Metadata", "Metadata", false, embedded),
    )
}

/// Helm 4's `.Chart`: the metadata struct converted to a map of Go field names (nested
/// structs become maps, slices become `[]interface {}` even when nil), plus `IsRoot`.
fn chart_map_v4(md: &Metadata, is_root: bool) -> GoValue {
    fn list(v: &[String]) -> GoValue {
        GoValue::from(v.iter().map(|x| s(x)).collect::<Vec<_>>())
    }
    fn map(entries: Vec<(&str, GoValue)>) -> GoValue {
        GoValue::from(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<BTreeMap<_, _>>(),
        )
    }
    let maintainers = md
        .maintainers
        .iter()
        .map(|m| {
            map(vec![
                ("Name", s(&m.name)),
                ("Email", s(&m.email)),
                ("URL", s(&m.url)),
            ])
        })
        .collect::<Vec<_>>();
    let deps = md
        .dependencies
        .iter()
        .map(|d| {
            map(vec![
                ("Name", s(&d.name)),
                ("Version", s(&d.version)),
                ("Repository", s(&d.repository)),
                ("Condition", s(&d.condition)),
                ("Tags", list(&d.tags)),
                ("Enabled", GoValue::Bool(d.enabled)),
                (
                    "ImportValues",
                    GoValue::from(
                        d.import_values
                            .iter()
                            .map(crate::govalue::from_yaml)
                            .collect::<Vec<_>>(),
                    ),
                ),
                ("Alias", s(&d.alias)),
            ])
        })
        .collect::<Vec<_>>();
    let annotations = if md.annotations.is_empty() {
        GoValue::Nil
    } else {
        GoValue::from(
            md.annotations
                .iter()
                .map(|(k, v)| (k.clone(), s(v)))
                .collect::<BTreeMap<_, _>>(),
        )
    };
    map(vec![
        ("Name", s(&md.name)),
        ("Home", s(&md.home)),
        ("Sources", list(&md.sources)),
        ("Version", s(&md.version)),
        ("Description", s(&md.description)),
        ("Keywords", list(&md.keywords)),
        ("Maintainers", GoValue::from(maintainers)),
        ("Icon", s(&md.icon)),
        ("APIVersion", s(&md.api_version)),
        ("Condition", s(&md.condition)),
        ("Tags", s(&md.tags)),
        ("AppVersion", s(&md.app_version)),
        ("Deprecated", GoValue::Bool(md.deprecated)),
        ("Annotations", annotations),
        ("KubeVersion", s(&md.kube_version)),
        ("Dependencies", GoValue::from(deps)),
        ("Type", s(&md.chart_type)),
        ("IsRoot", GoValue::Bool(is_root)),
    ])
}

/// `.Files`: the chart's non-template files (Helm's `files`, a `map[string][]byte`: `range`,
/// `len` and `index` see its entries).
#[derive(Clone)]
pub struct Files {
    files: Rc<BTreeMap<String, Rc<[u8]>>>,
}

impl Files {
    pub fn new(files: impl IntoIterator<Item = (String, Vec<u8>)>) -> Self {
        Files {
            files: Rc::new(files.into_iter().map(|(k, v)| (k, Rc::from(v))).collect()),
        }
    }

    /// `toYaml` of a `map[string]string` from base names to `f(content)`: `{}` when empty.
    fn base_map(&self, f: impl Fn(&[u8]) -> String) -> String {
        let mut m = kyaml::Map::new();
        let mut entries: Vec<(String, String)> = self
            .files
            .iter()
            .map(|(k, v)| (k.rsplit('/').next().unwrap_or(k).to_string(), f(v)))
            .collect();
        entries.sort();
        for (k, v) in entries {
            m.insert(k, kyaml::Value::String(v.into()));
        }
        let out = kyaml::to_string(&kyaml::Value::Map(m));
        out.strip_suffix('\n').unwrap_or(&out).to_string()
    }
}

/// A Go `string` as bytes: valid UTF-8 becomes a plain string, anything else a [`RawString`]
/// that keeps the exact bytes (for `b64enc` and the checksums) and prints lossily.
pub fn go_string(data: &Rc<[u8]>) -> GoValue {
    match std::str::from_utf8(data) {
        Ok(s) => GoValue::from(s),
        Err(_) => GoValue::object(RawString {
            text: String::from_utf8_lossy(data).into_owned(),
            bytes: data.clone(),
        }),
    }
}

/// A Go `string` whose bytes are not valid UTF-8 (`.Files.Get` of a binary file).
pub struct RawString {
    text: String,
    bytes: Rc<[u8]>,
}

impl GoObject for RawString {
    fn type_name(&self) -> &str {
        "string"
    }
    fn kind(&self) -> &'static str {
        "string"
    }
    fn string(&self) -> Option<String> {
        Some(self.text.clone())
    }
    fn as_str(&self) -> Option<&str> {
        Some(&self.text)
    }
    fn raw_bytes(&self) -> Option<&[u8]> {
        Some(&self.bytes)
    }
    fn to_value(&self) -> GoValue {
        GoValue::from(self.text.as_str())
    }
}

fn arg_str(args: &[GoValue], method: &str) -> Result<String, String> {
    match args {
        [v] if v.as_str().is_some() => Ok(v.as_str().unwrap_or_default().to_string()),
        [other] => Err(format!(
            "wrong type for value; expected string; got {}",
            other.type_name()
        )),
        _ => Err(format!(
            "wrong number of args for {method}: want 1 got {}",
            args.len()
        )),
    }
}

impl GoObject for Files {
    fn type_name(&self) -> &str {
        "engine.files"
    }

    fn kind(&self) -> &'static str {
        "map"
    }

    fn entries(&self) -> Option<Vec<(String, GoValue)>> {
        Some(
            self.files
                .iter()
                .map(|(k, v)| (k.clone(), GoValue::Bytes(v.clone())))
                .collect(),
        )
    }

    fn has_method(&self, name: &str) -> bool {
        matches!(
            name,
            "Get" | "GetBytes" | "Glob" | "Lines" | "AsConfig" | "AsSecrets"
        )
    }

    fn method(&self, name: &str, args: &[GoValue]) -> Option<Result<GoValue, FuncError>> {
        let r = match name {
            "Get" => arg_str(args, name).map(|p| match self.files.get(&p) {
                Some(d) => go_string(d),
                None => GoValue::from(""),
            }),
            // A missing file is an empty (not nil) byte slice.
            "GetBytes" => arg_str(args, name).map(|p| match self.files.get(&p) {
                Some(d) => GoValue::Bytes(d.clone()),
                None => GoValue::Bytes(Rc::from(Vec::new())),
            }),
            "Lines" => arg_str(args, name).map(|p| match self.files.get(&p) {
                Some(d) if !d.is_empty() => {
                    let text = String::from_utf8_lossy(d);
                    let text = text.strip_suffix('\n').unwrap_or(&text);
                    GoValue::from(text.split('\n').map(GoValue::from).collect::<Vec<_>>())
                }
                _ => GoValue::from(Vec::<GoValue>::new()),
            }),
            "Glob" => arg_str(args, name).map(|p| match gobwas_regex(&p) {
                None => GoValue::object(self.clone()),
                Some(re) => GoValue::object(Files {
                    files: Rc::new(
                        self.files
                            .iter()
                            .filter(|(k, _)| re.is_match(k))
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect(),
                    ),
                }),
            }),
            "AsConfig" => Ok(GoValue::from(
                self.base_map(|d| String::from_utf8_lossy(d).into_owned()),
            )),
            "AsSecrets" => Ok(GoValue::from(self.base_map(base64))),
            _ => return None,
        };
        Some(r.map_err(FuncError::from))
    }

    fn to_value(&self) -> GoValue {
        GoValue::from(
            self.files
                .iter()
                .map(|(k, v)| (k.clone(), GoValue::Bytes(v.clone())))
                .collect::<BTreeMap<_, _>>(),
        )
    }
}

fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `.Capabilities.KubeVersion`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeVersion {
    /// The `Version` field (Helm 4: the given version with a `v` prefix, suffixes kept).
    pub version: String,
    /// What `String()` prints and version constraints are checked against (Helm 4 strips
    /// anything after the numeric components; Helm 3 prints `version`).
    pub normalized: String,
    pub major: String,
    pub minor: String,
    pub helm: HelmVersion,
}

impl KubeVersion {
    /// Helm 3's `ParseKubeVersion`: lenient semver, printed back as
    /// `vMAJOR.MINOR.PATCH[-pre][+meta]`.
    pub fn parse(s: &str) -> Option<KubeVersion> {
        let v = semver_ranges::Version::parse(s).ok()?;
        let meta = if v.metadata().is_empty() {
            String::new()
        } else {
            format!("+{}", v.metadata())
        };
        let pre = if v.prerelease().is_empty() {
            String::new()
        } else {
            format!("-{}", v.prerelease())
        };
        let version = format!("v{}.{}.{}{pre}{meta}", v.major, v.minor, v.patch);
        Some(KubeVersion {
            normalized: version.clone(),
            version,
            major: v.major.to_string(),
            minor: v.minor.to_string(),
            helm: HelmVersion::V3,
        })
    }

    /// Helm 4's `ParseKubeVersion` (Kubernetes' generic version parser): at least
    /// `MAJOR.MINOR`, any suffix after the numbers kept in `Version` only. The error is the
    /// parser's text.
    pub fn parse_v4(s: &str) -> Result<KubeVersion, String> {
        let t = s.trim_start();
        let t = t.strip_prefix('v').unwrap_or(t);
        let digits_end = t
            .char_indices()
            .find(|&(i, c)| {
                !(c.is_ascii_digit()
                    || (c == '.' && i > 0 && t[i + 1..].starts_with(|d: char| d.is_ascii_digit())))
            })
            .map_or(t.len(), |(i, _)| i);
        let numeric = &t[..digits_end];
        if numeric.is_empty() {
            return Err(format!("could not parse {} as version", go_quote(s)));
        }
        let parts: Vec<&str> = numeric.split('.').collect();
        if parts.len() < 2 {
            return Err(format!("illegal version string {}", go_quote(s)));
        }
        let mut comps = Vec::with_capacity(parts.len());
        for p in &parts {
            match p.parse::<u64>() {
                Ok(n) => comps.push(n),
                Err(_) => return Err(format!("illegal version string {}", go_quote(s))),
            }
        }
        let version = if s.starts_with('v') {
            s.to_string()
        } else {
            format!("v{s}")
        };
        let normalized = format!(
            "v{}",
            comps
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(".")
        );
        Ok(KubeVersion {
            version,
            normalized,
            major: comps[0].to_string(),
            minor: comps[1].to_string(),
            helm: HelmVersion::V4,
        })
    }

    /// The default of client-only renders: v1.31.0 (Helm 3.16, client-go 0.31), v1.36.0
    /// (Helm 4.2, client-go 0.36).
    pub fn default_for(helm: HelmVersion) -> KubeVersion {
        let (major, minor) = match helm {
            HelmVersion::V3 => ("1", "31"),
            HelmVersion::V4 => ("1", "36"),
        };
        let version = format!("v{major}.{minor}.0");
        KubeVersion {
            normalized: version.clone(),
            version,
            major: major.to_string(),
            minor: minor.to_string(),
            helm,
        }
    }
}

fn go_quote(s: &str) -> String {
    gotemplate::gofmt::quote_go(s)
}

fn pkg(helm: HelmVersion) -> &'static str {
    match helm {
        HelmVersion::V3 => "chartutil",
        HelmVersion::V4 => "common",
    }
}

impl GoObject for KubeVersion {
    fn type_name(&self) -> &str {
        match self.helm {
            HelmVersion::V3 => "chartutil.KubeVersion",
            HelmVersion::V4 => "common.KubeVersion",
        }
    }
    fn kind(&self) -> &'static str {
        "struct"
    }
    fn field(&self, name: &str) -> Option<GoValue> {
        match name {
            "Version" => Some(s(&self.version)),
            "Major" => Some(s(&self.major)),
            "Minor" => Some(s(&self.minor)),
            _ => None,
        }
    }
    fn has_method(&self, name: &str) -> bool {
        matches!(name, "String" | "GitVersion")
    }
    fn method(&self, name: &str, args: &[GoValue]) -> Option<Result<GoValue, FuncError>> {
        if !self.has_method(name) {
            return None;
        }
        if !args.is_empty() {
            return Some(Err(FuncError::new(format!(
                "wrong number of args for {name}: want 0 got {}",
                args.len()
            ))));
        }
        Some(Ok(match name {
            "String" => s(&self.normalized),
            _ => s(&self.version),
        }))
    }
    fn string(&self) -> Option<String> {
        Some(self.normalized.clone())
    }
    fn to_value(&self) -> GoValue {
        let mut m = BTreeMap::new();
        m.insert("Version".to_string(), s(&self.version));
        m.insert("Major".to_string(), s(&self.major));
        m.insert("Minor".to_string(), s(&self.minor));
        GoValue::from(m)
    }
}

/// `.Capabilities.APIVersions`: Helm's `VersionSet`, a named `[]string` with a `Has` method
/// (so `has "x" .Capabilities.APIVersions`, `range` and `len` work as on a list).
pub struct VersionSet {
    pub versions: Vec<String>,
    pub helm: HelmVersion,
}

impl GoObject for VersionSet {
    fn type_name(&self) -> &str {
        match self.helm {
            HelmVersion::V3 => "chartutil.VersionSet",
            HelmVersion::V4 => "common.VersionSet",
        }
    }
    fn kind(&self) -> &'static str {
        "slice"
    }
    fn items(&self) -> Option<Vec<GoValue>> {
        Some(self.versions.iter().map(|x| s(x)).collect())
    }
    fn has_method(&self, name: &str) -> bool {
        name == "Has"
    }
    fn method(&self, name: &str, args: &[GoValue]) -> Option<Result<GoValue, FuncError>> {
        (name == "Has").then(|| {
            arg_str(args, name)
                .map(|v| GoValue::Bool(self.versions.contains(&v)))
                .map_err(FuncError::from)
        })
    }
    fn to_value(&self) -> GoValue {
        GoValue::from(self.versions.iter().map(|x| s(x)).collect::<Vec<_>>())
    }
}

/// Build information of the Helm release whose behaviour is reproduced (`helm version`).
struct BuildInfo {
    version: &'static str,
    git_commit: &'static str,
    go_version: &'static str,
    /// Helm 4 only.
    kube_client_version: Option<&'static str>,
}

fn build_info(helm: HelmVersion) -> BuildInfo {
    match helm {
        HelmVersion::V3 => BuildInfo {
            version: "v3.16.4",
            git_commit: "7877b45b63f95635153b29a42c0c2f4273ec45ca",
            go_version: "go1.22.7",
            kube_client_version: None,
        },
        // The release workflow builds with the newest Go 1.26 patch (go1.26.6 when
        // helm-python-sdk's v4.2.3 library was built).
        HelmVersion::V4 => BuildInfo {
            version: "v4.2.4",
            git_commit: "3900f434fd3ef2b84065dc04508df48f288dba00",
            go_version: "go1.26.6",
            kube_client_version: Some("v1.36"),
        },
    }
}

/// `.Capabilities` for the mode's Helm version.
pub fn capabilities(kube: &KubeVersion, api_versions: &[String], helm: HelmVersion) -> GoValue {
    let b = build_info(helm);
    let mut printed = format!("{{{} {} clean {}", b.version, b.git_commit, b.go_version);
    let mut helm_struct = GoStruct::value("version.BuildInfo")
        .field("Version", "version", true, s(b.version))
        .field("GitCommit", "git_commit", true, s(b.git_commit))
        .field("GitTreeState", "git_tree_state", true, s("clean"))
        .field("GoVersion", "go_version", true, s(b.go_version));
    if let Some(k) = b.kube_client_version {
        helm_struct = helm_struct.field("KubeClientVersion", "kube_client_version", false, s(k));
        printed.push(' ');
        printed.push_str(k);
    }
    printed.push('}');
    // A struct prints as `{field values...}` (BuildInfo has no String method).
    helm_struct.stringer = Some(printed);
    let mut caps = GoStruct::new(&format!("*{}.Capabilities", pkg(helm)))
        .field(
            "APIVersions",
            "APIVersions",
            false,
            GoValue::object(VersionSet {
                versions: api_versions.to_vec(),
                helm,
            }),
        )
        .field(
            "KubeVersion",
            "KubeVersion",
            false,
            GoValue::object(kube.clone()),
        )
        .field(
            "HelmVersion",
            "HelmVersion",
            false,
            GoValue::object(helm_struct),
        );
    caps.stringer = None;
    GoValue::object(caps)
}

/// The default `.Capabilities.APIVersions` of client-only renders for the mode's Helm version.
pub fn default_api_versions(helm: HelmVersion) -> &'static [&'static str] {
    match helm {
        HelmVersion::V3 => DEFAULT_API_VERSIONS,
        HelmVersion::V4 => DEFAULT_API_VERSIONS_V4,
    }
}

/// API group versions Helm 4.2's client-only capabilities report (client-go 0.36's scheme plus
/// apiextensions v1beta1/v1), in Helm's order.
pub const DEFAULT_API_VERSIONS_V4: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha2",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// API group versions Helm's client-only capabilities report (client-go's scheme for
/// Kubernetes 1.31 plus apiextensions v1/v1beta1), in Helm's order.
pub const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha1",
    "coordination.k8s.io/v1",
    "coordination.k8s.io/v1beta1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1alpha1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1alpha1",
    "apiextensions.k8s.io/v1",
    "apiextensions.k8s.io/v1beta1",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kube_version_parse_like_helm() {
        let k = KubeVersion::parse("1.16.0").unwrap();
        assert_eq!(
            (k.version.as_str(), k.major.as_str(), k.minor.as_str()),
            ("v1.16.0", "1", "16")
        );
        assert_eq!(KubeVersion::parse("v1.31").unwrap().version, "v1.31.0");
        assert!(KubeVersion::parse("x").is_none());
    }

    #[test]
    fn base64_std() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(base64(b"abc"), "YWJj");
        assert_eq!(base64(b"abcd"), "YWJjZA==");
    }

    #[test]
    fn files_methods() {
        let f = Files::new([
            ("conf/a.txt".to_string(), b"x\ny\n".to_vec()),
            ("b.md".to_string(), b"z".to_vec()),
        ]);
        let get = |m: &str, a: &str| f.method(m, &[GoValue::from(a)]).unwrap().unwrap();
        assert_eq!(get("Get", "b.md"), GoValue::from("z"));
        assert_eq!(get("Get", "nope"), GoValue::from(""));
        assert_eq!(
            get("Lines", "conf/a.txt"),
            GoValue::from(vec![GoValue::from("x"), GoValue::from("y")])
        );
    }
}
