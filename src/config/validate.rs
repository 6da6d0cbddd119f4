//! Turns vendor.toml text into a [`Config`], pushing a [`Problem`] for everything wrong and
//! carrying on, so one run lists every problem (cargo-deny's approach).

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use miette::NamedSource;
use toml_edit::{Item, TableLike, Value as TomlValue};

use super::problems::LocatedProblem;
use super::{
    Config, ConfigError, Entry, ImagePolicy, Lock, Problem, Settings, Source, VersionSource,
};

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

const SETTINGS_KEYS: &[&str] = &["upstream-dir", "patches-dir", "kube-version"];
const POLICY_IMAGES_KEYS: &[&str] = &[
    "deny-latest",
    "require-digest",
    "allow-registries",
    "floating-tags",
];
const MANIFEST_KEYS: &[&str] = &["url", "version", "track", "versions", "lock"];
const CHART_KEYS: &[&str] = &[
    "auth",
    "repo",
    "chart",
    "version",
    "track",
    "release",
    "namespace",
    "values",
    "lock",
];
const VERSIONS_KEYS: &[&str] = &["github-releases", "git-tags", "helm-index", "chart"];
const DIFF_KEYS: &[&str] = &["ignore-paths", "ignore-labels", "ignore-annotations"];
const AUTH_KEYS: &[&str] = &["username-env", "password-env", "token-env"];
const LOCK_KEYS: &[&str] = &["version", "digest", "images", "files"];

struct Validator {
    problems: Vec<Problem>,
}

/// The keys of a table, checked off as they are read; what is left over is unknown.
struct Keys<'a> {
    table: &'a dyn TableLike,
    what: String,
    allowed: &'static [&'static str],
}

impl<'a> Keys<'a> {
    fn new(
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

    fn get(&self, key: &str) -> Option<(&'a toml_edit::Key, &'a Item)> {
        debug_assert!(self.allowed.contains(&key));
        self.table.get_key_value(key)
    }
}

impl Validator {
    fn span_of_item(&self, item: &Item) -> Range<usize> {
        item.span().unwrap_or(0..0)
    }

    /// Reports every key of `keys.table` not in `keys.allowed`.
    fn unknown_keys(&mut self, keys: &Keys<'_>) {
        for (k, item) in keys.table.iter() {
            if keys.allowed.contains(&k) {
                continue;
            }
            let key = keys.table.key(k);
            let span = key
                .and_then(|key| key.span())
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

    fn type_error(&mut self, what: &str, expected: &str, item: &Item) {
        let found = item_type(item);
        self.problems.push(
            Problem::new(
                format!("`{what}` must be {expected}, found {found}"),
                self.span_of_item(item),
            )
            .label(format!("expected {expected}")),
        );
    }

    fn string(&mut self, keys: &Keys<'_>, key: &str) -> Option<(String, Range<usize>)> {
        let (_, item) = keys.get(key)?;
        match item.as_str() {
            Some(s) => Some((s.to_string(), self.span_of_item(item))),
            None => {
                self.type_error(key, "a string", item);
                None
            }
        }
    }

    fn bool(&mut self, keys: &Keys<'_>, key: &str) -> Option<bool> {
        let (_, item) = keys.get(key)?;
        match item.as_bool() {
            Some(b) => Some(b),
            None => {
                self.type_error(key, "true or false", item);
                None
            }
        }
    }

    fn string_list(&mut self, keys: &Keys<'_>, key: &str) -> Option<Vec<(String, Range<usize>)>> {
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

    fn required_string(
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
            &["settings", "policy", "diff", "manifest", "chart"],
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

        let mut entries = Vec::new();
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
                    .and_then(|k| k.span())
                    .or_else(|| entry_item.span())
                    .unwrap_or(0..0);
                let header = entry_item.span().unwrap_or_else(|| name_span.clone());
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
        if entries.is_empty() && self.problems.is_empty() && !source.trim().is_empty() {
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
            entries,
        })
    }

    fn settings(&mut self, t: &dyn TableLike) -> Settings {
        let keys = Keys::new(t, "[settings]", SETTINGS_KEYS);
        self.unknown_keys(&keys);
        let mut s = Settings::default();
        if let Some((dir, span)) = self.string(&keys, "upstream-dir") {
            self.repo_path("upstream-dir", &dir, span);
            s.upstream_dir = dir;
        }
        if let Some((dir, span)) = self.string(&keys, "patches-dir") {
            self.repo_path("patches-dir", &dir, span.clone());
            if normalize(&dir) == normalize(&s.upstream_dir) {
                self.problems.push(
                    Problem::new(
                        "`patches-dir` is the same directory as `upstream-dir`",
                        span,
                    )
                    .label("same directory")
                    .help("vendored files and patches must live in different directories"),
                );
            }
            s.patches_dir = dir;
        }
        if let Some((v, span)) = self.string(&keys, "kube-version") {
            if !is_version(&v) {
                self.problems.push(
                    Problem::new(format!("`kube-version` {v:?} is not a version"), span)
                        .label("expected MAJOR.MINOR.PATCH")
                        .help("write it like \"1.31.0\""),
                );
            }
            s.kube_version = v.trim_start_matches('v').to_string();
        }
        s
    }

    fn diff(&mut self, t: &dyn TableLike) -> super::DiffNoise {
        let keys = Keys::new(t, "[diff]", DIFF_KEYS);
        self.unknown_keys(&keys);
        let mut list = |key: &str| {
            self.string_list(&keys, key)
                .unwrap_or_default()
                .into_iter()
                .map(|(s, _)| s)
                .collect()
        };
        super::DiffNoise {
            ignore_paths: list("ignore-paths"),
            ignore_labels: list("ignore-labels"),
            ignore_annotations: list("ignore-annotations"),
        }
    }

    fn policy(&mut self, t: &dyn TableLike) -> ImagePolicy {
        let keys = Keys::new(t, "[policy]", &["images"]);
        self.unknown_keys(&keys);
        let mut p = ImagePolicy::default();
        let Some((_, item)) = keys.get("images") else {
            return p;
        };
        let Some(t) = item.as_table_like() else {
            self.type_error("policy.images", "a table", item);
            return p;
        };
        let keys = Keys::new(t, "[policy.images]", POLICY_IMAGES_KEYS);
        self.unknown_keys(&keys);
        if let Some(b) = self.bool(&keys, "deny-latest") {
            p.deny_latest = b;
        }
        if let Some(b) = self.bool(&keys, "require-digest") {
            p.require_digest = b;
        }
        if let Some(list) = self.string_list(&keys, "allow-registries") {
            for (r, span) in &list {
                if r.is_empty() || r.contains("://") || r.contains(char::is_whitespace) {
                    self.problems.push(
                        Problem::new(format!("{r:?} is not a registry host"), span.clone())
                            .label("expected a host such as registry.k8s.io or quay.io/org")
                            .help("write the registry host (and optional path prefix) without a scheme"),
                    );
                }
            }
            p.allow_registries = list.into_iter().map(|(s, _)| s).collect();
        }
        if let Some(list) = self.string_list(&keys, "floating-tags") {
            p.floating_tags = list.into_iter().map(|(s, _)| s).collect();
        }
        p
    }

    fn entry_name(&mut self, name: &str, span: Range<usize>) {
        let valid = !name.is_empty()
            && name.len() <= 63
            && name.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' || b == b'.'
            })
            && name.as_bytes()[0].is_ascii_alphanumeric();
        if !valid {
            self.problems.push(
                Problem::new(format!("entry name {name:?} cannot be used as a directory name"), span)
                    .label("invalid name")
                    .help("use lowercase letters, digits, `-`, `_` and `.`, starting with a letter or digit"),
            );
        }
    }

    fn entry(
        &mut self,
        kind: &str,
        name: &str,
        t: &dyn TableLike,
        header: Range<usize>,
    ) -> Option<Entry> {
        let what = format!("[{kind}.{name}]");
        let keys = Keys::new(
            t,
            what,
            if kind == "manifest" {
                MANIFEST_KEYS
            } else {
                CHART_KEYS
            },
        );
        self.unknown_keys(&keys);

        let version = self.required_string(&keys, "version", header.clone());
        if let Some((v, span)) = &version {
            self.version(kind, v, span.clone());
        }
        let track = self.string(&keys, "track");
        if let Some((r, span)) = &track
            && let Err(e) = check_range(r)
        {
            self.problems.push(
                Problem::new(
                    format!("`track` {r:?} is not a version range: {e}"),
                    span.clone(),
                )
                .label("invalid range")
                .help("use Helm's range syntax, e.g. \"~2.14\", \"^4\", \">=1.2, <2\""),
            );
        }
        let lock = match keys.get("lock") {
            Some((_, item)) => self.lock(&format!("[{kind}.{name}.lock]"), item),
            None => None,
        };

        let source = if kind == "manifest" {
            let urls = match keys.get("url") {
                None => {
                    self.problems.push(
                        Problem::new(format!("[manifest.{name}] has no `url`"), header.clone())
                            .label("`url` missing")
                            .help("add `url = \"https://.../{version}/file.yaml\"` (or a list of URLs)"),
                    );
                    Vec::new()
                }
                Some((_, item)) => {
                    let list = if item.as_str().is_some() {
                        self.string(&keys, "url").into_iter().collect()
                    } else {
                        self.string_list(&keys, "url").unwrap_or_default()
                    };
                    for (u, span) in &list {
                        self.url(u, span.clone(), &["https", "http", "file"]);
                    }
                    self.url_file_names(&list);
                    list.into_iter().map(|(u, _)| u).collect()
                }
            };
            let versions = keys
                .get("versions")
                .and_then(|(_, item)| self.versions(item));
            Source::Manifest { urls, versions }
        } else {
            let repo = self.required_string(&keys, "repo", header.clone());
            if let Some((r, span)) = &repo {
                self.url(r, span.clone(), &["https", "http", "oci", "file"]);
            }
            let chart = self.required_string(&keys, "chart", header.clone());
            let release = self.string(&keys, "release").map(|(s, _)| s);
            let namespace = self.string(&keys, "namespace").map(|(s, _)| s);
            let values = self.string_list(&keys, "values").unwrap_or_default();
            for (v, span) in &values {
                self.repo_path("values", v, span.clone());
            }
            let auth = keys
                .get("auth")
                .map(|(_, item)| self.auth(item))
                .unwrap_or_default();
            Source::Chart {
                auth,
                repo: repo.map(|r| r.0).unwrap_or_default(),
                chart: chart.map(|c| c.0).unwrap_or_default(),
                release,
                namespace,
                values: values.into_iter().map(|(v, _)| v).collect(),
            }
        };
        Some(Entry {
            name: name.to_string(),
            source,
            version: version.map(|v| v.0).unwrap_or_default(),
            track: track.map(|t| t.0),
            lock,
            span: header,
        })
    }

    fn version(&mut self, kind: &str, v: &str, span: Range<usize>) {
        let bad_chars = v.contains(|c: char| c.is_whitespace() || c == '/' || c == '{' || c == '}');
        let semver_ok = is_version(v);
        if bad_chars || (kind == "chart" && !semver_ok) {
            self.problems.push(
                Problem::new(format!("`version` {v:?} is not a valid version"), span)
                    .label(if kind == "chart" {
                        "expected a semantic version"
                    } else {
                        "invalid version"
                    })
                    .help("pin an exact released version such as \"4.14.5\" or \"v2.14.21\""),
            );
        }
    }

    fn versions(&mut self, item: &Item) -> Option<VersionSource> {
        let Some(t) = item.as_table_like() else {
            self.type_error(
                "versions",
                "a table such as { github-releases = \"owner/repo\" }",
                item,
            );
            return None;
        };
        let keys = Keys::new(t, "`versions`", VERSIONS_KEYS);
        self.unknown_keys(&keys);
        let span = self.span_of_item(item);
        let gh = self.string(&keys, "github-releases");
        let git = self.string(&keys, "git-tags");
        let helm = self.string(&keys, "helm-index");
        let chart = self.string(&keys, "chart").map(|c| c.0);
        let count = [gh.is_some(), git.is_some(), helm.is_some()]
            .iter()
            .filter(|b| **b)
            .count();
        if count != 1 {
            self.problems.push(
                Problem::new("`versions` must name exactly one source of versions", span)
                    .label("one of github-releases, git-tags, helm-index")
                    .help("e.g. versions = { github-releases = \"argoproj/argo-cd\" }"),
            );
            return None;
        }
        if let Some((repo, span)) = gh {
            let parts: Vec<&str> = repo.split('/').collect();
            if parts.len() != 2 || parts.iter().any(|p| p.is_empty()) {
                self.problems.push(
                    Problem::new(format!("{repo:?} is not a GitHub repository"), span)
                        .label("expected owner/repo")
                        .help("write it as \"owner/repo\", e.g. \"argoproj/argo-cd\""),
                );
            }
            return Some(VersionSource::GithubReleases(repo));
        }
        if let Some((url, span)) = git {
            self.url(&url, span, &["https", "http", "file", "ssh", "git"]);
            return Some(VersionSource::GitTags(url));
        }
        let (url, span) = helm?;
        self.url(&url, span, &["https", "http", "file", "oci"]);
        Some(VersionSource::HelmIndex { url, chart })
    }

    fn auth(&mut self, item: &Item) -> crate::sources::auth::RepoAuth {
        let mut auth = crate::sources::auth::RepoAuth::default();
        let Some(t) = item.as_table_like() else {
            self.type_error(
                "auth",
                "a table such as { token-env = \"REPO_TOKEN\" }",
                item,
            );
            return auth;
        };
        let keys = Keys::new(t, "`auth`", AUTH_KEYS);
        self.unknown_keys(&keys);
        let read = |v: &mut Self, key: &str| {
            let (name, span) = v.string(&keys, key)?;
            let valid = name.bytes().enumerate().all(|(i, b)| {
                b == b'_' || b.is_ascii_alphabetic() || (i > 0 && b.is_ascii_digit())
            }) && !name.is_empty();
            if !valid {
                v.problems.push(
                    Problem::new(
                        format!("{name:?} is not an environment variable name"),
                        span,
                    )
                    .label("expected a name like REPO_PASSWORD")
                    .help("name the variable that holds the secret, never the secret itself"),
                );
            }
            Some(name)
        };
        auth.username_env = read(self, "username-env");
        auth.password_env = read(self, "password-env");
        auth.token_env = read(self, "token-env");
        if auth.username_env.is_some() != auth.password_env.is_some() {
            self.problems.push(
                Problem::new(
                    "`auth` needs both `username-env` and `password-env`",
                    self.span_of_item(item),
                )
                .label("incomplete credentials")
                .help("name both variables, or use `token-env` for a bearer token"),
            );
        }
        auth
    }

    fn lock(&mut self, what: &str, item: &Item) -> Option<Lock> {
        let Some(t) = item.as_table_like() else {
            self.type_error("lock", "a table", item);
            return None;
        };
        let keys = Keys::new(t, what.to_string(), LOCK_KEYS);
        self.unknown_keys(&keys);
        let mut lock = Lock {
            version: self.string(&keys, "version").map(|v| v.0),
            ..Lock::default()
        };
        if let Some((d, span)) = self.string(&keys, "digest") {
            self.digest(&d, span);
            lock.digest = Some(d);
        }
        lock.images = self
            .string_list(&keys, "images")
            .unwrap_or_default()
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        if let Some((_, files)) = keys.get("files") {
            match files.as_table_like() {
                None => self.type_error("files", "a table of file = \"sha256:...\"", files),
                Some(ft) => {
                    let mut map = BTreeMap::new();
                    for (file, d) in ft.iter() {
                        let span = self.span_of_item(d);
                        match d.as_str() {
                            Some(s) => {
                                self.digest(s, span.clone());
                                if escapes(file) {
                                    self.problems.push(
                                        Problem::new(
                                            format!("lock file path {file:?} leaves the entry's directory"),
                                            ft.key(file).and_then(|k| k.span()).unwrap_or(span),
                                        )
                                        .label("path escapes")
                                        .help("paths in lock data are relative to upstream/NAME; run `vendor sync` to rewrite them"),
                                    );
                                }
                                map.insert(file.to_string(), s.to_string());
                            }
                            None => self.type_error(file, "a digest string", d),
                        }
                    }
                    lock.files = map;
                }
            }
        }
        Some(lock)
    }

    fn digest(&mut self, d: &str, span: Range<usize>) {
        let ok = crate::digest::hex_of(d).is_some();
        if !ok {
            self.problems.push(
                Problem::new(format!("{d:?} is not a sha256 digest"), span)
                    .label("expected sha256:<64 lowercase hex digits>")
                    .help("lock data is written by `vendor sync`; run it to rewrite the lock"),
            );
        }
    }

    fn url(&mut self, u: &str, span: Range<usize>, schemes: &[&str]) {
        let expanded = u.replace("{version}", "0.0.0");
        match url::Url::parse(&expanded) {
            Ok(parsed) if schemes.contains(&parsed.scheme()) => {
                if parsed.scheme() != "file" && parsed.host_str().is_none_or(str::is_empty) {
                    self.problems.push(
                        Problem::new(format!("URL {u:?} has no host"), span)
                            .label("no host")
                            .help("write a full URL such as https://example.com/path"),
                    );
                }
            }
            Ok(parsed) => self.problems.push(
                Problem::new(
                    format!("URL scheme `{}` is not supported here", parsed.scheme()),
                    span,
                )
                .label("unsupported scheme")
                .help(format!("use one of: {}", schemes.join(", "))),
            ),
            Err(e) => self.problems.push(
                Problem::new(format!("{u:?} is not a valid URL: {e}"), span)
                    .label("invalid URL")
                    .help("write a full URL such as https://example.com/{version}/install.yaml"),
            ),
        }
    }

    /// Several URLs of one entry must not save to the same file name.
    fn url_file_names(&mut self, urls: &[(String, Range<usize>)]) {
        let mut seen: HashMap<&str, &str> = HashMap::new();
        for (u, span) in urls {
            let file = url_file_name(u);
            if file.is_empty() {
                self.problems.push(
                    Problem::new(
                        format!("URL {u:?} does not end in a file name"),
                        span.clone(),
                    )
                    .label("no file name")
                    .help("each URL is saved under its last path segment; point it at a file"),
                );
            } else if let Some(first) = seen.insert(file, u) {
                self.problems.push(
                    Problem::new(
                        format!("two URLs save to the same file `{file}`"),
                        span.clone(),
                    )
                    .label("same file name")
                    .help(format!(
                        "the first is {first:?}; vendor them as separate entries"
                    )),
                );
            }
        }
    }

    fn repo_path(&mut self, key: &str, p: &str, span: Range<usize>) {
        if p.is_empty() {
            self.problems
                .push(Problem::new(format!("`{key}` is empty"), span).label("empty path"));
        } else if Path::new(p).is_absolute() || escapes(p) {
            self.problems.push(
                Problem::new(format!("`{key}` path {p:?} leaves the repository"), span)
                    .label("path escapes the repository")
                    .help("use a path relative to the directory of vendor.toml, without `..`"),
            );
        }
    }
}

/// Whether `v` is a semantic version (an optional `v` prefix allowed).
fn is_version(v: &str) -> bool {
    semver_ranges::Version::parse(v).is_ok()
}

/// Whether `r` is a Helm (Masterminds) version range.
fn check_range(r: &str) -> Result<(), String> {
    semver_ranges::Constraint::parse(r)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The file name a URL is saved under: its last path segment.
pub fn url_file_name(u: &str) -> &str {
    let no_query = u.split(['?', '#']).next().unwrap_or(u);
    no_query.rsplit('/').next().unwrap_or("")
}

/// Whether a relative path climbs above its starting directory.
fn escapes(p: &str) -> bool {
    let mut depth = 0i32;
    for c in Path::new(p).components() {
        match c {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            Component::RootDir | Component::Prefix(_) => return true,
            Component::CurDir => {}
        }
        if depth < 0 {
            return true;
        }
    }
    false
}

fn normalize(p: &str) -> String {
    p.trim_end_matches('/').trim_start_matches("./").to_string()
}

fn item_type(item: &Item) -> &'static str {
    match item {
        Item::None => "nothing",
        Item::Value(v) => value_type(v),
        Item::Table(_) => "a table",
        Item::ArrayOfTables(_) => "an array of tables",
    }
}

fn value_type(v: &TomlValue) -> &'static str {
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
fn closest<'a>(key: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|a| (edit_distance(key, a), *a))
        .filter(|(d, a)| *d <= 2.max(a.len() / 4))
        .min()
        .map(|(_, a)| a)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let mut k: Vec<String> = k.iter().map(|s| s.to_string()).collect();
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
