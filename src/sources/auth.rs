//! Credentials for HTTP chart repositories and OCI registries.
//!
//! HTTP repositories: basic auth or a bearer token from environment variables that the caller
//! names (see [`RepoAuth`]), else the matching entry of Helm's `repositories.yaml`.
//! OCI registries: Helm's registry config, Docker's `config.json` and Podman's `auth.json`
//! (`auths` entries, `credHelpers`, `credsStore` via `docker-credential-<helper> get`).

use std::path::PathBuf;

use base64::Engine;

/// `Authorization: Basic ...` for a user and password.
pub fn basic_header(user: &str, password: &str) -> String {
    let raw = format!("{user}:{password}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

/// Username and password (or an identity token in `password`).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}, ***)", self.username)
    }
}

/// Where the credentials of an HTTP chart repository come from: environment variable names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepoAuth {
    pub username_env: Option<String>,
    pub password_env: Option<String>,
    pub token_env: Option<String>,
}

impl RepoAuth {
    /// The `Authorization` header for `repo_url`: the named environment variables first, then
    /// Helm's repositories.yaml. `None` when nothing applies. A variable that the entry names
    /// but that is unset (or empty) is an error naming it: the request would go out without the
    /// credentials the entry asks for.
    pub fn header_for(&self, repo_url: &str) -> Result<Option<String>, super::SourceError> {
        let env = |key: &'static str, name: &Option<String>| match name {
            None => Ok(None),
            Some(n) => match std::env::var(n) {
                Ok(v) if !v.is_empty() => Ok(Some(v)),
                _ => Err(super::SourceError::MissingCredential {
                    url: without_userinfo(repo_url),
                    key,
                    variable: n.clone(),
                }),
            },
        };
        if let Some(token) = env("token-env", &self.token_env)? {
            return Ok(Some(format!("Bearer {token}")));
        }
        let user = env("username-env", &self.username_env)?;
        let password = env("password-env", &self.password_env)?;
        if user.is_some() || password.is_some() {
            return Ok(Some(basic_header(
                user.as_deref().unwrap_or(""),
                password.as_deref().unwrap_or(""),
            )));
        }
        Ok(helm_repository_credentials(repo_url).map(|c| basic_header(&c.username, &c.password)))
    }
}

/// The URL without `user:password@` (for messages).
fn without_userinfo(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        Err(_) => raw.to_string(),
    }
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

fn config_home() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".config")))
}

/// Credentials for `repo_url` from Helm's repositories.yaml (`HELM_REPOSITORY_CONFIG`, else
/// `$XDG_CONFIG_HOME/helm/repositories.yaml`).
pub fn helm_repository_credentials(repo_url: &str) -> Option<Credentials> {
    let path = std::env::var_os("HELM_REPOSITORY_CONFIG")
        .map(PathBuf::from)
        .or_else(|| config_home().map(|c| c.join("helm/repositories.yaml")))?;
    let text = std::fs::read_to_string(path).ok()?;
    repository_credentials_from(&text, repo_url)
}

/// The `username`/`password` of the repositories.yaml entry whose `url` is `repo_url`.
pub fn repository_credentials_from(text: &str, repo_url: &str) -> Option<Credentials> {
    let want = repo_url.trim_end_matches('/');
    for repo in super::helm_repo::index::sequence_of_flat_maps(text, "repositories").ok()? {
        let url = repo.get("url").map(|u| u.trim_end_matches('/'));
        if url == Some(want) {
            let username = repo.get("username").cloned().unwrap_or_default();
            let password = repo.get("password").cloned().unwrap_or_default();
            if username.is_empty() && password.is_empty() {
                return None;
            }
            return Some(Credentials { username, password });
        }
    }
    None
}

/// Registry credential files, most specific first.
fn registry_config_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(p) = std::env::var_os("HELM_REGISTRY_CONFIG") {
        out.push(PathBuf::from(p));
    } else if let Some(c) = config_home() {
        out.push(c.join("helm/registry/config.json"));
    }
    if let Some(p) = std::env::var_os("REGISTRY_AUTH_FILE") {
        out.push(PathBuf::from(p));
    }
    if let Some(r) = std::env::var_os("XDG_RUNTIME_DIR") {
        out.push(PathBuf::from(r).join("containers/auth.json"));
    }
    if let Some(c) = config_home() {
        out.push(c.join("containers/auth.json"));
    }
    if let Some(d) = std::env::var_os("DOCKER_CONFIG") {
        out.push(PathBuf::from(d).join("config.json"));
    } else if let Some(h) = home() {
        out.push(h.join(".docker/config.json"));
    }
    out
}

/// Credentials for an OCI registry host (`host[:port]`) from the registry config files.
pub fn registry_credentials(host: &str) -> Option<Credentials> {
    for path in registry_config_files() {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if let Some(c) = registry_credentials_from(&text, host, run_credential_helper) {
            return Some(c);
        }
    }
    None
}

fn normalize_registry_key(key: &str) -> &str {
    let k = key.split_once("://").map(|(_, r)| r).unwrap_or(key);
    k.split('/').next().unwrap_or(k)
}

/// Looks `host` up in one Docker-style config file's text. `helper(name, host)` runs a
/// credential helper.
pub fn registry_credentials_from(
    text: &str,
    host: &str,
    helper: impl Fn(&str, &str) -> Option<Credentials>,
) -> Option<Credentials> {
    let json: serde_json::Value = serde_json::from_str(text).ok()?;
    let docker_hub = matches!(
        host,
        "docker.io" | "registry-1.docker.io" | "index.docker.io"
    );
    let matches_host = |key: &str| {
        let k = normalize_registry_key(key);
        k == host
            || (docker_hub && matches!(k, "docker.io" | "index.docker.io" | "registry-1.docker.io"))
    };
    if let Some(helpers) = json.get("credHelpers").and_then(|h| h.as_object()) {
        for (key, name) in helpers {
            if matches_host(key)
                && let Some(name) = name.as_str()
                && let Some(c) = helper(name, host)
            {
                return Some(c);
            }
        }
    }
    if let Some(auths) = json.get("auths").and_then(|a| a.as_object()) {
        for (key, entry) in auths {
            if !matches_host(key) {
                continue;
            }
            if let Some(auth) = entry
                .get("auth")
                .and_then(|a| a.as_str())
                .filter(|a| !a.is_empty())
            {
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(auth.trim())
                    .ok()?;
                let decoded = String::from_utf8(decoded).ok()?;
                let (u, p) = decoded.split_once(':')?;
                return Some(Credentials {
                    username: u.to_string(),
                    password: p.to_string(),
                });
            }
            let user = entry.get("username").and_then(|u| u.as_str());
            let pass = entry.get("password").and_then(|u| u.as_str());
            if let (Some(u), Some(p)) = (user, pass) {
                return Some(Credentials {
                    username: u.to_string(),
                    password: p.to_string(),
                });
            }
            if let Some(tok) = entry.get("identitytoken").and_then(|t| t.as_str()) {
                return Some(Credentials {
                    username: "<token>".into(),
                    password: tok.to_string(),
                });
            }
        }
    }
    if let Some(store) = json.get("credsStore").and_then(|s| s.as_str()) {
        return helper(store, host);
    }
    None
}

/// Runs `docker-credential-<name> get` with the host on stdin.
fn run_credential_helper(name: &str, host: &str) -> Option<Credentials> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return None;
    }
    let mut child = Command::new(format!("docker-credential-{name}"))
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(host.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    if !out.status.success() {
        return None;
    }
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    Some(Credentials {
        username: json.get("Username")?.as_str()?.to_string(),
        password: json.get("Secret")?.as_str()?.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_config_auths_and_helpers() {
        let text = r#"{"auths":{"https://reg.example:5000":{"auth":"dXNlcjpwYXNz"},
            "other.example":{"username":"a","password":"b"}},
            "credHelpers":{"helped.example":"fake"}}"#;
        let no_helper = |_: &str, _: &str| None;
        let c = registry_credentials_from(text, "reg.example:5000", no_helper).unwrap();
        assert_eq!((c.username.as_str(), c.password.as_str()), ("user", "pass"));
        let c = registry_credentials_from(text, "other.example", no_helper).unwrap();
        assert_eq!(c.username, "a");
        assert!(registry_credentials_from(text, "none.example", no_helper).is_none());
        let helper = |name: &str, host: &str| {
            (name == "fake").then(|| Credentials {
                username: host.into(),
                password: "s".into(),
            })
        };
        let c = registry_credentials_from(text, "helped.example", helper).unwrap();
        assert_eq!(c.username, "helped.example");
    }

    #[test]
    fn helm_repositories_yaml() {
        let text = "apiVersion: \"\"\ngenerated: \"0001-01-01T00:00:00Z\"\nrepositories:\n- name: a\n  url: https://charts.example/a/\n  username: u\n  password: p\n- name: b\n  url: https://charts.example/b\n";
        let c = repository_credentials_from(text, "https://charts.example/a").unwrap();
        assert_eq!((c.username.as_str(), c.password.as_str()), ("u", "p"));
        assert!(repository_credentials_from(text, "https://charts.example/b").is_none());
    }

    #[test]
    fn debug_hides_password() {
        let c = Credentials {
            username: "u".into(),
            password: "secret".into(),
        };
        assert!(!format!("{c:?}").contains("secret"));
    }
}
