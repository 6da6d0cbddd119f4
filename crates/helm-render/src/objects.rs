//! The Go objects templates see besides plain maps: `.Chart` (Helm's `chart.Metadata` plus
//! `IsRoot`), `.Files` (with Get/GetBytes/Glob/Lines/AsConfig/AsSecrets),
//! `.Capabilities` (KubeVersion, APIVersions.Has, HelmVersion). Field names are Go's; the
//! data form used by `toYaml`/`toJson` follows the structs' JSON tags.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::chart::{Dependency, Maintainer, Metadata};
use crate::glob::gobwas_regex;
use gotemplate::{FuncError, GoObject, GoValue};

/// A Go struct: ordered fields (Go names), their JSON names and whether `omitempty` applies.
pub struct GoStruct {
    type_name: String,
    fields: Vec<(&'static str, &'static str, bool, GoValue)>,
    stringer: Option<String>,
}

impl GoStruct {
    fn new(type_name: &str) -> Self {
        GoStruct {
            type_name: type_name.to_string(),
            fields: Vec::new(),
            stringer: None,
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

/// `.Chart`: the chart's metadata and `IsRoot`.
pub fn chart_object(md: &Metadata, is_root: bool) -> GoValue {
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
    GoValue::object(
        GoStruct::new("struct { *chart.Metadata; IsRoot bool }")
            .field("Name", "name", true, s(&md.name))
            .field("Home", "home", true, s(&md.home))
            .field("Sources", "sources", true, strings(&md.sources))
            .field("Version", "version", true, s(&md.version))
            .field("Description", "description", true, s(&md.description))
            .field("Keywords", "keywords", true, strings(&md.keywords))
            .field("Maintainers", "maintainers", true, maintainers)
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
            .field("Annotations", "annotations", true, annotations)
            .field("KubeVersion", "kubeVersion", true, s(&md.kube_version))
            .field("Dependencies", "dependencies", true, deps)
            .field("Type", "type", true, s(&md.chart_type))
            .field("IsRoot", "IsRoot", false, GoValue::Bool(is_root)),
    )
}

/// `.Files`: the chart's non-template files.
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

    fn base_map(&self, f: impl Fn(&[u8]) -> String) -> String {
        if self.files.is_empty() {
            return String::new();
        }
        let mut m = kyaml::Map::new();
        let mut entries: Vec<(String, String)> = self
            .files
            .iter()
            .map(|(k, v)| (k.rsplit('/').next().unwrap_or(k).to_string(), f(v)))
            .collect();
        entries.sort();
        for (k, v) in entries {
            m.insert(k, kyaml::Value::String(v));
        }
        let out = kyaml::to_string(&kyaml::Value::Map(m));
        out.strip_suffix('\n').unwrap_or(&out).to_string()
    }
}

fn arg_str(args: &[GoValue], method: &str) -> Result<String, String> {
    match args {
        [GoValue::String(s)] => Ok(s.to_string()),
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

    fn has_method(&self, name: &str) -> bool {
        matches!(
            name,
            "Get" | "GetBytes" | "Glob" | "Lines" | "AsConfig" | "AsSecrets"
        )
    }

    fn method(&self, name: &str, args: &[GoValue]) -> Option<Result<GoValue, FuncError>> {
        let r = match name {
            "Get" => arg_str(args, name).map(|p| {
                GoValue::from(
                    self.files
                        .get(&p)
                        .map(|d| String::from_utf8_lossy(d).into_owned())
                        .unwrap_or_default(),
                )
            }),
            "GetBytes" => arg_str(args, name).map(|p| match self.files.get(&p) {
                Some(d) => GoValue::Bytes(d.clone()),
                None => GoValue::Nil,
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
    pub version: String,
    pub major: String,
    pub minor: String,
}

impl KubeVersion {
    /// Helm's `ParseKubeVersion`: lenient semver, printed back as `vMAJOR.MINOR.PATCH[-pre]`.
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
        Some(KubeVersion {
            version: format!("v{}.{}.{}{pre}{meta}", v.major, v.minor, v.patch),
            major: v.major.to_string(),
            minor: v.minor.to_string(),
        })
    }
}

impl GoObject for KubeVersion {
    fn type_name(&self) -> &str {
        "chartutil.KubeVersion"
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
        match name {
            "String" | "GitVersion" if args.is_empty() => Some(Ok(s(&self.version))),
            "String" | "GitVersion" => Some(Err(FuncError::new(format!(
                "wrong number of args for {name}: want 0 got {}",
                args.len()
            )))),
            _ => None,
        }
    }
    fn string(&self) -> Option<String> {
        Some(self.version.clone())
    }
    fn to_value(&self) -> GoValue {
        let mut m = BTreeMap::new();
        m.insert("version".to_string(), s(&self.version));
        m.insert("major".to_string(), s(&self.major));
        m.insert("minor".to_string(), s(&self.minor));
        GoValue::from(m)
    }
}

/// `.Capabilities.APIVersions`.
pub struct VersionSet(pub Vec<String>);

impl GoObject for VersionSet {
    fn type_name(&self) -> &str {
        "chartutil.VersionSet"
    }
    fn has_method(&self, name: &str) -> bool {
        name == "Has"
    }
    fn method(&self, name: &str, args: &[GoValue]) -> Option<Result<GoValue, FuncError>> {
        (name == "Has").then(|| {
            arg_str(args, name)
                .map(|v| GoValue::Bool(self.0.contains(&v)))
                .map_err(FuncError::from)
        })
    }
    fn to_value(&self) -> GoValue {
        GoValue::from(self.0.iter().map(|x| s(x)).collect::<Vec<_>>())
    }
}

/// Version information of the Helm release whose behaviour we reproduce.
pub const HELM_VERSION: &str = "v3.16.4";
const HELM_GIT_COMMIT: &str = "7877b45b63f95635153b29a42c0c2f4273ec45ca";
const HELM_GO_VERSION: &str = "go1.22.7";

/// `.Capabilities`.
pub fn capabilities(kube: &KubeVersion, api_versions: &[String]) -> GoValue {
    let helm = GoStruct::new("version.BuildInfo")
        .field("Version", "version", true, s(HELM_VERSION))
        .field("GitCommit", "git_commit", true, s(HELM_GIT_COMMIT))
        .field("GitTreeState", "git_tree_state", true, s("clean"))
        .field("GoVersion", "go_version", true, s(HELM_GO_VERSION));
    let mut caps = GoStruct::new("*chartutil.Capabilities")
        .field(
            "APIVersions",
            "APIVersions",
            false,
            GoValue::object(VersionSet(api_versions.to_vec())),
        )
        .field(
            "KubeVersion",
            "KubeVersion",
            false,
            GoValue::object(kube.clone()),
        )
        .field("HelmVersion", "HelmVersion", false, GoValue::object(helm));
    caps.stringer = None;
    GoValue::object(caps)
}

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
