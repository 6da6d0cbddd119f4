//! `[manifest.NAME]` and `[chart.NAME]` entries: names, sources, versions and ranges, version
//! sources, credentials, URLs and repository paths.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Component, Path};

use toml_edit::{Item, TableLike};

use super::{Keys, Validator};
use crate::config::{Entry, Fetch, GitDir, Paths, Problem, Source, VersionSource};

pub(super) const MANIFEST_KEYS: &[&str] = &[
    "url",
    "git",
    "ref",
    "paths",
    "exclude",
    "version",
    "track",
    "versions",
    "tag",
    "checksums",
    "allow-empty",
    "lints",
    "lock",
];
pub(super) const CHART_KEYS: &[&str] = &[
    "auth",
    "repo",
    "git",
    "ref",
    "paths",
    "chart",
    "version",
    "track",
    "release",
    "namespace",
    "values",
    "lints",
    "lock",
];
pub(super) const VERSIONS_KEYS: &[&str] = &["github-releases", "git-tags", "helm-index", "chart"];
pub(super) const AUTH_KEYS: &[&str] = &["username-env", "password-env", "token-env"];

impl Validator {
    pub(super) fn entry_name(&mut self, name: &str, span: Range<usize>) {
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

    pub(super) fn entry(
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
        let lints = match keys.get("lints") {
            Some((_, item)) => self.lints(&format!("`lints` of [{kind}.{name}]"), item),
            None => Default::default(),
        };
        let lock = match keys.get("lock") {
            Some((_, item)) => self.lock(&format!("[{kind}.{name}.lock]"), item),
            None => None,
        };

        let git = keys
            .get("git")
            .map(|_| self.git_dir(&keys, kind, name, header.clone()));
        if git.is_none() {
            let stray: &[&str] = if kind == "manifest" {
                &["ref"]
            } else {
                &["ref", "paths"]
            };
            for key in stray {
                if let Some((_, item)) = keys.get(key) {
                    self.problems.push(
                        Problem::new(format!("`{key}` needs `git`"), self.span_of_item(item))
                            .label("no git repository")
                            .help("add `git = \"https://host/org/repo\"`, or remove it"),
                    );
                }
            }
        }
        let source = if kind == "manifest" {
            let tag = self.string(&keys, "tag").and_then(|(t, span)| {
                match crate::sources::tags::TagScheme::parse(&t) {
                    Ok(s) => Some(s),
                    Err(e) => {
                        self.problems.push(
                            Problem::new(format!("`tag` {t:?} is not a tag scheme: {e}"), span)
                                .label("invalid tag scheme")
                                .help("e.g. tag = \"controller-v{version}\", or a regex such as \"^release-(?P<version>[0-9.]+)$\""),
                        );
                        None
                    }
                }
            });
            let checksums = self.string(&keys, "checksums").map(|(c, span)| {
                self.url(&c, span, &["https", "http", "file"]);
                c
            });
            let fetch = match (git, keys.get("url")) {
                (Some(git), url) => {
                    if let Some((_, item)) = url {
                        self.problems.push(
                            Problem::new(
                                format!("[manifest.{name}] has both `git` and `url`"),
                                self.span_of_item(item),
                            )
                            .label("one source only")
                            .help("vendor files of a git repository (`git`, `ref`, `paths`) or files by URL (`url`), as two entries if you need both"),
                        );
                    }
                    if let Some((_, item)) = keys.get("checksums") {
                        self.problems.push(
                            Problem::new("`checksums` does not apply to a git source", self.span_of_item(item))
                                .label("not for git")
                                .help("a git source is pinned by its commit, which the lock records; remove `checksums`"),
                        );
                    }
                    Fetch::Git(git)
                }
                (None, None) => {
                    self.problems.push(
                        Problem::new(format!("[manifest.{name}] has no `url`"), header.clone())
                            .label("`url` missing")
                            .help("add `url = \"https://.../{version}/file.yaml\"` (or a list of URLs, an archive URL with `paths`, or `git` with `ref` and `paths`)"),
                    );
                    Fetch::Urls(Vec::new())
                }
                (None, Some((_, item))) => {
                    let list = if item.as_str().is_some() {
                        self.string(&keys, "url").into_iter().collect()
                    } else {
                        self.string_list(&keys, "url").unwrap_or_default()
                    };
                    for (u, span) in &list {
                        self.url(u, span.clone(), &["https", "http", "file"]);
                    }
                    let archive = list
                        .iter()
                        .find(|(u, _)| safe_archive::Format::from_name(u).is_some());
                    match archive {
                        Some((u, span)) => {
                            if list.len() != 1 {
                                self.problems.push(
                                    Problem::new(
                                        "an archive URL must be the entry's only `url`",
                                        span.clone(),
                                    )
                                    .label("several URLs")
                                    .help("vendor each archive as an entry of its own"),
                                );
                            }
                            let paths = self.paths(&keys, "manifest", name, header.clone());
                            Fetch::Archive {
                                url: u.clone(),
                                paths,
                            }
                        }
                        None => {
                            for key in ["paths", "exclude"] {
                                if let Some((_, item)) = keys.get(key) {
                                    self.problems.push(
                                        Problem::new(format!("`{key}` needs an archive `url` (.tar.gz, .tgz, .zip) or `git`"), self.span_of_item(item))
                                            .label("no archive or repository to take paths from")
                                            .help("point `url` at an archive, use `git` with `ref`, or remove it"),
                                    );
                                }
                            }
                            self.url_file_names(&list);
                            Fetch::Urls(list.into_iter().map(|(u, _)| u).collect())
                        }
                    }
                }
            };
            let versions = keys
                .get("versions")
                .and_then(|(_, item)| self.versions(item));
            let allow_empty = self.bool(&keys, "allow-empty").unwrap_or(false);
            Source::Manifest {
                fetch,
                versions,
                allow_empty,
                tag,
                checksums,
            }
        } else {
            let repo = match (&git, keys.get("repo")) {
                (Some(_), Some((_, item))) => {
                    self.problems.push(
                        Problem::new(format!("[chart.{name}] has both `git` and `repo`"), self.span_of_item(item))
                            .label("one source only")
                            .help("take the chart from a repository (`repo`) or from a git repository's directory (`git`, `ref`, `paths`)"),
                    );
                    None
                }
                (Some(_), None) => None,
                (None, _) => self.required_string(&keys, "repo", header.clone()),
            };
            if let Some((r, span)) = &repo {
                self.url(r, span.clone(), &["https", "http", "oci", "file"]);
            }
            let chart = match &git {
                Some(g) => self.string(&keys, "chart").map(|c| c.0).unwrap_or_else(|| {
                    g.paths
                        .include
                        .first()
                        .and_then(|p| p.trim_end_matches('/').rsplit('/').next())
                        .unwrap_or_default()
                        .to_string()
                }),
                None => self
                    .required_string(&keys, "chart", header.clone())
                    .map(|c| c.0)
                    .unwrap_or_default(),
            };
            if let Some(g) = &git
                && g.paths.include.len() != 1
            {
                self.problems.push(
                    Problem::new(
                        format!(
                            "[chart.{name}] from git needs exactly one path: the chart's directory"
                        ),
                        header.clone(),
                    )
                    .label("one chart directory")
                    .help("e.g. paths = [\"charts/ingress-nginx\"]"),
                );
            }
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
                chart,
                git,
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
            lints,
            lock,
            span: header,
        })
    }

    pub(super) fn version(&mut self, kind: &str, v: &str, span: Range<usize>) {
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

    pub(super) fn versions(&mut self, item: &Item) -> Option<VersionSource> {
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
            self.git_url(&url, span);
            return Some(VersionSource::GitTags(url));
        }
        let (url, span) = helm?;
        self.url(&url, span, &["https", "http", "file", "oci"]);
        Some(VersionSource::HelmIndex { url, chart })
    }

    pub(super) fn auth(&mut self, item: &Item) -> crate::sources::auth::RepoAuth {
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

    /// `git`, `ref`, `paths` and `exclude` of an entry that takes files from git.
    fn git_dir(
        &mut self,
        keys: &super::Keys<'_>,
        kind: &str,
        name: &str,
        header: Range<usize>,
    ) -> GitDir {
        let url = match self.string(keys, "git") {
            Some((u, span)) => {
                self.git_url(&u, span);
                u
            }
            None => String::new(),
        };
        let reference = match self.required_string(keys, "ref", header.clone()) {
            Some((r, span)) => {
                let commit = r.len() >= 40 && r.bytes().all(|b| b.is_ascii_hexdigit());
                let template_ok = r.matches("{version}").count() == 1
                    && !r.contains(|c: char| c.is_whitespace() || c == '~' || c == '^' || c == ':');
                if !commit && !template_ok {
                    self.problems.push(
                        Problem::new(format!("`ref` {r:?} is neither a tag template nor a commit"), span)
                            .label("expected a tag template with {version}, or a full commit id")
                            .help("pin a tag through the version, e.g. ref = \"v{version}\"; a branch moves, so it cannot be pinned"),
                    );
                }
                r
            }
            None => String::new(),
        };
        let paths = self.paths(keys, kind, name, header);
        GitDir {
            url,
            reference,
            paths,
        }
    }

    /// `paths` (required) and `exclude` of an archive or git source.
    fn paths(
        &mut self,
        keys: &super::Keys<'_>,
        kind: &str,
        name: &str,
        header: Range<usize>,
    ) -> Paths {
        let mut out = Paths::default();
        match keys.get("paths") {
            None => self.problems.push(
                Problem::new(format!("[{kind}.{name}] has no `paths`"), header)
                    .label("`paths` missing")
                    .help("name the directories or files to vendor, e.g. paths = [\"examples/standard\"]"),
            ),
            Some(_) => {
                let list = self.string_list(keys, "paths").unwrap_or_default();
                if list.is_empty() {
                    self.problems.push(
                        Problem::new("`paths` is empty", header)
                            .label("no paths")
                            .help("name the directories or files to vendor"),
                    );
                }
                for (p, span) in list {
                    self.source_path("paths", &p, span);
                    out.include.push(normalize(&p));
                }
            }
        }
        if kind != "manifest" {
            return out;
        }
        for (p, span) in self.string_list(keys, "exclude").unwrap_or_default() {
            self.source_path("exclude", &p, span);
            out.exclude.push(normalize(&p));
        }
        out
    }

    /// A path inside a repository or an archive: relative, `/`-separated, without `..`.
    fn source_path(&mut self, key: &str, p: &str, span: Range<usize>) {
        let bad = if p.is_empty() || p == "." || p == "./" {
            Some("empty")
        } else if p.starts_with('/') {
            Some("absolute")
        } else if p.contains('\\') {
            Some("a backslash")
        } else if p.split('/').any(|c| c == "..") {
            Some("`..`")
        } else {
            None
        };
        if let Some(why) = bad {
            self.problems.push(
                Problem::new(format!("`{key}` entry {p:?} is not a path inside the source ({why})"), span)
                    .label("invalid path")
                    .help("write paths relative to the repository's (or archive's) root with `/`, e.g. \"deploy/crds\" or \"deploy/*.yaml\""),
            );
        }
    }

    /// A git remote: a URL (`https`, `http`, `ssh`, `git`, `file`) or scp-like `user@host:path`.
    pub(super) fn git_url(&mut self, u: &str, span: Range<usize>) {
        if crate::sources::git::is_scp_like(u) {
            return;
        }
        self.url(u, span, &["https", "http", "file", "ssh", "git"]);
    }

    pub(super) fn url(&mut self, u: &str, span: Range<usize>, schemes: &[&str]) {
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
    pub(super) fn url_file_names(&mut self, urls: &[(String, Range<usize>)]) {
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

    pub(super) fn repo_path(&mut self, key: &str, p: &str, span: Range<usize>) {
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
pub(super) fn is_version(v: &str) -> bool {
    semver_ranges::Version::parse(v).is_ok()
}

/// Whether `r` is a Helm (Masterminds) version range.
pub(super) fn check_range(r: &str) -> Result<(), String> {
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
pub(super) fn escapes(p: &str) -> bool {
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

pub(super) fn normalize(p: &str) -> String {
    p.trim_end_matches('/').trim_start_matches("./").to_string()
}
