//! Turns vendor.toml text into a [`Config`], pushing a [`Problem`] for everything wrong and
//! carrying on, so one run lists every problem (cargo-deny's approach).

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::NamedSource;
use toml_edit::{Item, TableLike, Value as TomlValue};

mod entries;
mod lints;
mod lock;
mod settings;

use super::problems::LocatedProblem;
use super::{Config, ConfigError, ImagePolicy, Problem, Settings};

pub(super) fn validate(path: &Path, root: PathBuf, source: String) -> Result<Config, ConfigError> {
    let mut v = Validator {
        problems: Vec::new(),
    };
    let config = match toml_edit::Document::parse(source.as_str()) {
        Ok(doc) => v.config(path, root, &source, doc.as_table()),
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim_end().to_string();
            v.problems.push(
                Problem::new(format!("invalid TOML: {message}"), span)
                    .label("TOML syntax error")
                    .help("fix the syntax; see https://toml.io for the format"),
            );
            None
        }
    };
    if source.trim().is_empty() {
        v.problems.push(
            Problem::new("vendor.toml is empty", 0..0)
                .label("no entries")
                .help("add at least one [manifest.NAME] or [chart.NAME] table (see the README)"),
        );
    }
    match config {
        Some(c) if v.problems.is_empty() => Ok(c),
        _ => {
            let src = Arc::new(source);
            let name = path.display().to_string();
            Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                problems: v
                    .problems
                    .into_iter()
                    .map(|problem| LocatedProblem {
                        problem,
                        src: NamedSource::new(name.clone(), src.clone()),
                    })
                    .collect(),
            })
        }
    }
}

pub(super) struct Validator {
    pub(super) problems: Vec<Problem>,
}

/// The keys of a table, checked off as they are read; what is left over is unknown.
pub(super) struct Keys<'a> {
    table: &'a dyn TableLike,
    what: String,
    allowed: &'static [&'static str],
}

impl<'a> Keys<'a> {
    pub(super) fn new(
        table: &'a dyn TableLike,
        what: impl Into<String>,
        allowed: &'static [&'static str],
    ) -> Self {
        Keys {
            table,
            what: what.into(),
            allowed,
        }
    }

    pub(super) fn get(&self, key: &str) -> Option<(&'a toml_edit::Key, &'a Item)> {
        debug_assert!(self.allowed.contains(&key));
        self.table.get_key_value(key)
    }
}

impl Validator {
    pub(super) fn span_of_item(&self, item: &Item) -> Range<usize> {
        item.span().unwrap_or(0..0)
    }

    /// Reports every key of `keys.table` not in `keys.allowed`.
    pub(super) fn unknown_keys(&mut self, keys: &Keys<'_>) {
        for (k, item) in keys.table.iter() {
            if keys.allowed.contains(&k) {
                continue;
            }
            let key = keys.table.key(k);
            let span = key
                .and_then(toml_edit::Key::span)
                .or_else(|| item.span())
                .unwrap_or(0..0);
            let suggestion = closest(k, keys.allowed)
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            self.problems.push(
                Problem::new(format!("unknown key `{k}` in {}", keys.what), span)
                    .label("unknown key")
                    .help(format!(
                        "{suggestion}allowed keys: {}",
                        keys.allowed.join(", ")
                    )),
            );
        }
    }

    pub(super) fn type_error(&mut self, what: &str, expected: &str, item: &Item) {
        let found = item_type(item);
        self.problems.push(
            Problem::new(
                format!("`{what}` must be {expected}, found {found}"),
                self.span_of_item(item),
            )
            .label(format!("expected {expected}")),
        );
    }

    pub(super) fn string(&mut self, keys: &Keys<'_>, key: &str) -> Option<(String, Range<usize>)> {
        let (_, item) = keys.get(key)?;
        match item.as_str() {
            Some(s) => Some((s.to_string(), self.span_of_item(item))),
            None => {
                self.type_error(key, "a string", item);
                None
            }
        }
    }

    pub(super) fn bool(&mut self, keys: &Keys<'_>, key: &str) -> Option<bool> {
        let (_, item) = keys.get(key)?;
        match item.as_bool() {
            Some(b) => Some(b),
            None => {
                self.type_error(key, "true or false", item);
                None
            }
        }
    }

    pub(super) fn string_list(
        &mut self,
        keys: &Keys<'_>,
        key: &str,
    ) -> Option<Vec<(String, Range<usize>)>> {
        let (_, item) = keys.get(key)?;
        let Some(array) = item.as_array() else {
            self.type_error(key, "an array of strings", item);
            return None;
        };
        let mut out = Vec::new();
        for v in array.iter() {
            let span = v.span().unwrap_or(0..0);
            match v.as_str() {
                Some(s) => out.push((s.to_string(), span)),
                None => self.problems.push(
                    Problem::new(
                        format!("`{key}` must hold strings, found {}", value_type(v)),
                        span,
                    )
                    .label("expected a string"),
                ),
            }
        }
        Some(out)
    }

    pub(super) fn required_string(
        &mut self,
        keys: &Keys<'_>,
        key: &str,
        header: Range<usize>,
    ) -> Option<(String, Range<usize>)> {
        if keys.table.get(key).is_none() {
            self.problems.push(
                Problem::new(format!("{} has no `{key}`", keys.what), header)
                    .label(format!("`{key}` missing"))
                    .help(format!("add `{key} = \"...\"` to this table")),
            );
            return None;
        }
        let (s, span) = self.string(keys, key)?;
        if s.trim().is_empty() {
            self.problems
                .push(Problem::new(format!("`{key}` is empty"), span).label("empty string"));
            return None;
        }
        Some((s, span))
    }

    fn config(
        &mut self,
        path: &Path,
        root: PathBuf,
        source: &str,
        top: &toml_edit::Table,
    ) -> Option<Config> {
        let keys = Keys::new(
            top,
            "vendor.toml",
            &["settings", "policy", "diff", "lints", "manifest", "chart"],
        );
        self.unknown_keys(&keys);

        let settings = match keys.get("settings") {
            Some((_, item)) => match item.as_table_like() {
                Some(t) => self.settings(t),
                None => {
                    self.type_error("settings", "a table", item);
                    Settings::default()
                }
            },
            None => Settings::default(),
        };
        let policy = match keys.get("policy") {
            Some((_, item)) => match item.as_table_like() {
                Some(t) => self.policy(t),
                None => {
                    self.type_error("policy", "a table", item);
                    ImagePolicy::default()
                }
            },
            None => ImagePolicy::default(),
        };

        let diff = match keys.get("diff") {
            Some((_, item)) => match item.as_table_like() {
                Some(t) => self.diff(t),
                None => {
                    self.type_error("diff", "a table", item);
                    super::DiffNoise::default()
                }
            },
            None => super::DiffNoise::default(),
        };

        let lints = match keys.get("lints") {
            Some((_, item)) => self.lints("[lints]", item),
            None => Default::default(),
        };

        let mut entries = Vec::new();
        let mut orphan_locks = Vec::new();
        let mut seen: HashMap<String, Range<usize>> = HashMap::new();
        for kind in ["manifest", "chart"] {
            let Some((_, item)) = keys.get(kind) else {
                continue;
            };
            let Some(table) = item.as_table_like() else {
                self.type_error(kind, "a table of entries", item);
                continue;
            };
            for (name, entry_item) in table.iter() {
                let key = table.key(name);
                let name_span = key
                    .and_then(toml_edit::Key::span)
                    .or_else(|| entry_item.span())
                    .unwrap_or(0..0);
                let header = entry_item.span().unwrap_or_else(|| name_span.clone());
                // A table holding nothing but `lock`: what renaming or removing an entry leaves
                // behind. One finding for `check` (orphan-lock), not "no `version`" and friends.
                if let Some(t) = entry_item.as_table_like()
                    && t.len() == 1
                    && t.contains_key("lock")
                {
                    let span = t
                        .get("lock")
                        .and_then(Item::span)
                        .unwrap_or_else(|| name_span.clone());
                    orphan_locks.push(super::OrphanLock {
                        kind: if kind == "manifest" {
                            "manifest"
                        } else {
                            "chart"
                        },
                        name: name.to_string(),
                        span,
                    });
                    continue;
                }
                self.entry_name(name, name_span.clone());
                if let Some(first) = seen.get(name) {
                    let first_line = super::problems::pos_of(source, first.start).line;
                    self.problems.push(
                        Problem::new(format!("two entries are named `{name}`"), header.clone())
                            .label("second entry")
                            .help(format!(
                                "entry names are directory names under upstream/ and patches/; \
                                 rename one of them (the first is on line {first_line})"
                            )),
                    );
                } else {
                    seen.insert(name.to_string(), header.clone());
                }
                let Some(t) = entry_item.as_table_like() else {
                    self.type_error(&format!("{kind}.{name}"), "a table", entry_item);
                    continue;
                };
                if let Some(entry) = self.entry(kind, name, t, header) {
                    entries.push(entry);
                }
            }
        }
        if entries.is_empty()
            && orphan_locks.is_empty()
            && self.problems.is_empty()
            && !source.trim().is_empty()
        {
            self.problems.push(
                Problem::new("vendor.toml declares no entries", 0..0)
                    .label("no [manifest.NAME] or [chart.NAME] table")
                    .help(
                        "add at least one [manifest.NAME] or [chart.NAME] table (see the README)",
                    ),
            );
        }
        Some(Config {
            path: path.to_path_buf(),
            root,
            source: source.to_string(),
            settings,
            policy,
            diff,
            lints,
            entries,
            orphan_locks,
        })
    }
}

pub(super) fn item_type(item: &Item) -> &'static str {
    match item {
        Item::None => "nothing",
        Item::Value(v) => value_type(v),
        Item::Table(_) => "a table",
        Item::ArrayOfTables(_) => "an array of tables",
    }
}

pub(super) fn value_type(v: &TomlValue) -> &'static str {
    match v {
        TomlValue::String(_) => "a string",
        TomlValue::Integer(_) => "an integer",
        TomlValue::Float(_) => "a float",
        TomlValue::Boolean(_) => "a boolean",
        TomlValue::Datetime(_) => "a date",
        TomlValue::Array(_) => "an array",
        TomlValue::InlineTable(_) => "an inline table",
    }
}

/// The allowed key closest to a misspelt one, when close enough to suggest.
pub(crate) fn closest<'a>(key: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|a| (strsim::levenshtein(key, a), *a))
        .filter(|(d, a)| *d <= 2.max(a.len() / 4))
        .min()
        .map(|(_, a)| a)
}

pub use entries::url_file_name;

#[cfg(test)]
mod tests {
    use super::entries::{CHART_KEYS, MANIFEST_KEYS, VERSIONS_KEYS, escapes};
    use super::lock::LOCK_KEYS;
    use super::settings::{DIFF_KEYS, POLICY_IMAGES_KEYS, SETTINGS_KEYS};
    use super::*;
    use crate::config::{Source, VersionSource};

    fn problems(toml: &str) -> Vec<String> {
        match super::super::parse(Path::new("vendor.toml"), toml.to_string()) {
            Ok(_) => Vec::new(),
            Err(e) => e.problems().iter().map(|p| p.message.clone()).collect(),
        }
    }

    const GOOD: &str = r#"
[settings]
kube-version = "1.31.0"

[policy.images]
deny-latest = true
allow-registries = ["quay.io", "registry.k8s.io"]

[manifest.argocd]
url = "https://raw.githubusercontent.com/argoproj/argo-cd/{version}/manifests/install.yaml"
version = "v2.14.21"
track = "~2.14"
versions = { github-releases = "argoproj/argo-cd" }

[chart.ingress-nginx]
repo = "https://kubernetes.github.io/ingress-nginx"
chart = "ingress-nginx"
version = "4.14.5"
track = "^4"
release = "ingress-nginx"
namespace = "ingress-nginx"
values = ["values/ingress-nginx.yaml"]
"#;

    #[test]
    fn loads_the_design_example() {
        let c = super::super::parse(Path::new("x/vendor.toml"), GOOD.into()).unwrap();
        assert_eq!(c.entries.len(), 2);
        assert_eq!(c.root, Path::new("x"));
        assert_eq!(c.entries[0].name, "argocd");
        assert_eq!(c.entries[0].track.as_deref(), Some("~2.14"));
        assert!(matches!(
            &c.entries[0].source,
            Source::Manifest { versions: Some(VersionSource::GithubReleases(r)), .. } if r == "argoproj/argo-cd"
        ));
        assert_eq!(c.policy.allow_registries, ["quay.io", "registry.k8s.io"]);
        assert!(
            matches!(&c.entries[1].source, Source::Chart { values, .. } if values == &["values/ingress-nginx.yaml"])
        );
    }

    #[test]
    fn helm_setting_selects_the_mode_and_defaults_to_helm3() {
        let c = super::super::parse(Path::new("vendor.toml"), GOOD.into()).unwrap();
        assert_eq!(c.settings.helm, helm_render::HelmVersion::V3);
        let opts = crate::render::options_for_entry(&c, &c.entries[1]).unwrap();
        assert_eq!(opts.helm_version, helm_render::HelmVersion::V3);
        let four = GOOD.replace("[settings]\n", "[settings]\nhelm = \"4\"\n");
        let c = super::super::parse(Path::new("vendor.toml"), four).unwrap();
        assert_eq!(c.settings.helm, helm_render::HelmVersion::V4);
        let opts = crate::render::options_for_entry(&c, &c.entries[1]).unwrap();
        assert_eq!(opts.helm_version, helm_render::HelmVersion::V4);

        let src = "[settings]\nhelm = \"5\"\n";
        let err = super::super::parse(Path::new("vendor.toml"), src.into()).unwrap_err();
        let p = &err.problems()[0];
        assert_eq!(p.message, "`helm` \"5\" is not a supported Helm version");
        let pos = super::super::problems::pos_of(src, p.span.start);
        assert_eq!((pos.line, pos.column), (2, 8));
        assert!(
            problems("[settings]\nhelm = 4\n")
                .iter()
                .any(|m| m.contains("helm")),
            "a number is a type error"
        );
    }

    #[test]
    fn reports_every_problem_in_one_run() {
        let p = problems(
            r#"
[settings]
upstream-dirr = "x"
[manifest.a]
url = "ftp://example.com/a.yaml"
version = "v1.0.0"
track = "newest please"
[chart.a]
repo = "https://example.com"
chart = "a"
version = "not a version"
"#,
        );
        assert!(
            p.iter().any(|m| m.contains("unknown key `upstream-dirr`")),
            "{p:?}"
        );
        assert!(p.iter().any(|m| m.contains("scheme `ftp`")), "{p:?}");
        assert!(p.iter().any(|m| m.contains("`track`")), "{p:?}");
        assert!(
            p.iter().any(|m| m.contains("two entries are named `a`")),
            "{p:?}"
        );
        assert!(p.iter().any(|m| m.contains("not a valid version")), "{p:?}");
    }

    #[test]
    fn paths_may_not_escape() {
        let p = problems(
            "[settings]\nupstream-dir = \"../x\"\n[chart.a]\nrepo = \"oci://r.io/c\"\nchart = \"a\"\nversion = \"1.0.0\"\nvalues = [\"/etc/passwd\"]\n",
        );
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p.iter().all(|m| m.contains("leaves the repository")));
    }

    #[test]
    fn git_archive_tag_and_checksum_keys() {
        use crate::config::Fetch;
        let ok = "[manifest.k]\ngit = \"git@github.com:kubernetes/kube-state-metrics.git\"\nref = \"v{version}\"\npaths = [\"examples/standard\"]\nexclude = [\"**/README.md\"]\nversion = \"2.19.1\"\n\n\
             [manifest.a]\nurl = \"https://h/v{version}.tar.gz\"\npaths = [\"deploy/crds\"]\nchecksums = \"https://h/{version}/checksums.txt\"\nversion = \"1.0.0\"\n\n\
             [manifest.i]\nurl = \"https://h/controller-{version}/deploy.yaml\"\nversion = \"v1.14.5\"\nversions = { git-tags = \"ssh://git@h/org/repo\" }\ntag = \"controller-{version}\"\n\n\
             [chart.c]\ngit = \"https://h/org/repo\"\nref = \"helm-chart-{version}\"\npaths = [\"charts/ingress-nginx\"]\nversion = \"4.15.1\"\n";
        let c = super::super::parse(Path::new("vendor.toml"), ok.into()).unwrap();
        assert!(
            matches!(&c.entries[0].source, Source::Manifest { fetch: Fetch::Git(g), .. } if g.paths.exclude == ["**/README.md"])
        );
        assert!(matches!(
            &c.entries[1].source,
            Source::Manifest {
                fetch: Fetch::Archive { .. },
                checksums: Some(_),
                ..
            }
        ));
        assert!(
            matches!(&c.entries[2].source, Source::Manifest { tag: Some(t), .. } if t.as_str() == "controller-{version}")
        );
        assert!(
            matches!(&c.entries[3].source, Source::Chart { git: Some(_), chart, .. } if chart == "ingress-nginx")
        );

        for (toml, says) in [
            (
                "[manifest.a]\ngit = \"https://h/r\"\nref = \"main\"\npaths = [\"d\"]\nversion = \"1.0.0\"\n",
                "neither a tag template nor a commit",
            ),
            (
                "[manifest.a]\ngit = \"https://h/r\"\nref = \"v{version}\"\nversion = \"1.0.0\"\n",
                "has no `paths`",
            ),
            (
                "[manifest.a]\ngit = \"https://h/r\"\nurl = \"https://h/a.yaml\"\nref = \"v{version}\"\npaths = [\"d\"]\nversion = \"1.0.0\"\n",
                "both `git` and `url`",
            ),
            (
                "[manifest.a]\ngit = \"https://h/r\"\nref = \"v{version}\"\npaths = [\"../d\"]\nversion = \"1.0.0\"\n",
                "not a path inside the source",
            ),
            (
                "[manifest.a]\nurl = \"https://h/a.yaml\"\npaths = [\"d\"]\nversion = \"1.0.0\"\n",
                "needs an archive `url`",
            ),
            (
                "[manifest.a]\nurl = \"https://h/a.tgz\"\nversion = \"1.0.0\"\n",
                "has no `paths`",
            ),
            (
                "[manifest.a]\nurl = \"https://h/a.yaml\"\nversion = \"1.0.0\"\ntag = \"release\"\n",
                "is not a tag scheme",
            ),
            (
                "[manifest.a]\nurl = \"https://h/a.yaml\"\nref = \"v{version}\"\nversion = \"1.0.0\"\n",
                "`ref` needs `git`",
            ),
            (
                "[chart.c]\ngit = \"https://h/r\"\nref = \"v{version}\"\npaths = [\"a\", \"b\"]\nversion = \"1.0.0\"\n",
                "exactly one path",
            ),
        ] {
            let p = problems(toml);
            assert!(p.iter().any(|m| m.contains(says)), "{says}: {p:?}");
        }
    }

    #[test]
    fn empty_and_invalid_toml_are_problems() {
        assert_eq!(problems(""), ["vendor.toml is empty"]);
        assert!(problems("[manifest.a\n")[0].starts_with("invalid TOML"));
    }

    #[test]
    fn json_schema_knows_exactly_the_keys_the_validator_accepts() {
        let schema: serde_json::Value = serde_json::from_str(crate::config::SCHEMA).unwrap();
        let keys = |v: &serde_json::Value| -> Vec<String> {
            let mut k: Vec<String> = v["properties"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect();
            k.sort();
            k
        };
        let sorted = |k: &[&str]| -> Vec<String> {
            let mut k: Vec<String> = k.iter().map(std::string::ToString::to_string).collect();
            k.sort();
            k
        };
        let p = &schema["properties"];
        assert_eq!(keys(&p["settings"]), sorted(SETTINGS_KEYS));
        assert_eq!(keys(&p["diff"]), sorted(DIFF_KEYS));
        assert_eq!(
            keys(&p["policy"]["properties"]["images"]),
            sorted(POLICY_IMAGES_KEYS)
        );
        let manifest = &p["manifest"]["additionalProperties"];
        assert_eq!(keys(manifest), sorted(MANIFEST_KEYS));
        assert_eq!(
            keys(&manifest["properties"]["versions"]),
            sorted(VERSIONS_KEYS)
        );
        assert_eq!(
            keys(&p["chart"]["additionalProperties"]),
            sorted(CHART_KEYS)
        );
        assert_eq!(keys(&schema["$defs"]["lock"]), sorted(LOCK_KEYS));
        assert_eq!(
            keys(&schema["$defs"]["lock"]["properties"]["render"]),
            sorted(super::lock::RENDER_KEYS)
        );
        let codes: Vec<&str> = schema["$defs"]["lints"]["propertyNames"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        let all: Vec<&str> = crate::diag::Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(codes, all, "[lints] in the schema knows every finding code");
        for table in [&p["lints"], &manifest["properties"]["lints"]] {
            assert_eq!(table["$ref"], "#/$defs/lints");
        }
    }

    #[test]
    fn lints_tables_set_levels_and_point_at_unknown_codes() {
        let c = super::super::parse(
            Path::new("vendor.toml"),
            "[lints]\nobject-too-large = \"allow\"\n[manifest.a]\nurl = \"https://h/{version}/a.yaml\"\nversion = \"v1.0.0\"\nlints = { patch-no-op = \"deny\" }\n".into(),
        )
        .unwrap();
        use crate::diag::{Code, Level};
        assert_eq!(c.lints.get(Code::ObjectTooLarge), Some(Level::Allow));
        assert_eq!(c.entries[0].lints.get(Code::PatchNoOp), Some(Level::Deny));
        let p = problems(
            "[lints]\nobject-to-large = \"allow\"\ncrd-has-status = \"error\"\n[manifest.a]\nurl = \"https://h/a.yaml\"\nversion = \"v1\"\nlints = { nope = \"warn\" }\n",
        );
        assert_eq!(
            p,
            [
                "unknown finding code `object-to-large` in [lints]",
                "\"error\" is not a finding level",
                "unknown finding code `nope` in `lints` of [manifest.a]",
            ]
        );
    }

    #[test]
    fn a_table_with_only_lock_data_is_an_orphan_not_an_incomplete_entry() {
        let c = super::super::parse(
            Path::new("vendor.toml"),
            "[manifest.argo]\nurl = \"https://h/{version}/a.yaml\"\nversion = \"v1.0.0\"\n\n[manifest.argocd.lock]\nversion = \"v1.0.0\"\nimages = []\n".into(),
        )
        .unwrap();
        assert_eq!(c.entries.len(), 1);
        assert_eq!(c.orphan_locks.len(), 1);
        assert_eq!(c.orphan_locks[0].name, "argocd");
        assert_eq!(c.pos_of(c.orphan_locks[0].span.start).line, 5);
    }

    #[test]
    fn suggests_close_keys() {
        assert_eq!(closest("verison", &["version", "track"]), Some("version"));
        assert_eq!(closest("zzz", &["version", "track"]), None);
    }

    #[test]
    fn escapes_detects_parent_climbs() {
        assert!(escapes("../a"));
        assert!(escapes("a/../../b"));
        assert!(!escapes("a/../b"));
        assert!(!escapes("values/x.yaml"));
    }
}
