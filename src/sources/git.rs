//! git remotes, through the git CLI: version discovery from tags (`git ls-remote`), and the
//! files of one commit (a shallow fetch of that commit into a bare repository in the download
//! cache, no working copy; files read with `git ls-tree` and `git cat-file --batch`). Any URL
//! git understands works: `https://`, `ssh://`, `git@host:org/repo`, `file://`. Credentials are
//! git's own (URL userinfo, credential helpers, the SSH agent); git never prompts.
//!
//! A tag is resolved on the remote first (`ls-remote`) whenever the network may be used, so a
//! tag that moved is noticed even when the old commit is cached; offline, the tag as it was
//! last fetched answers.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::http::redact;
use super::paths::Selection;
use super::{Fetcher, SourceError};

/// The tags of a git remote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tags {
    pub url: String,
}

impl super::VersionSource for Tags {
    fn describe(&self) -> String {
        format!("git-tags {}", redact(&self.url))
    }

    fn tags(&self, f: &super::Fetcher) -> Result<Vec<String>, SourceError> {
        f.online(&format!("tags of {}", redact(&self.url)))?;
        remote_tags(&self.url)
    }
}

/// Whether `u` is scp-like git syntax (`git@github.com:org/repo.git`): no scheme, a host
/// before the first `:`, and no `/` before it.
pub fn is_scp_like(u: &str) -> bool {
    if u.contains("://") {
        return false;
    }
    let Some((host, path)) = u.split_once(':') else {
        return false;
    };
    let host = host.rsplit('@').next().unwrap_or(host);
    !host.is_empty()
        && !path.is_empty()
        && !host.contains('/')
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_')
}

/// `git` with the environment every call gets: never prompt, no user config that rewrites
/// what is fetched into the cache.
fn git() -> Command {
    let mut c = Command::new("git");
    c.env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "")
        .env("LC_ALL", "C")
        .stdin(Stdio::null());
    c
}

/// Runs `cmd`, returning stdout; a failure names the remote and git's last line of stderr.
fn run(mut cmd: Command, url: &str, what: &str) -> Result<Vec<u8>, SourceError> {
    let out = cmd.output().map_err(|e| spawn_error(url, &e))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let last = stderr
            .trim()
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .to_string();
        return Err(SourceError::Git {
            url: redact(url),
            reason: if last.is_empty() {
                format!("{what} failed")
            } else {
                format!("{what}: {last}")
            },
        });
    }
    Ok(out.stdout)
}

fn spawn_error(url: &str, e: &std::io::Error) -> SourceError {
    if e.kind() == std::io::ErrorKind::NotFound {
        SourceError::GitMissing { url: redact(url) }
    } else {
        SourceError::Git {
            url: redact(url),
            reason: format!("cannot run git: {e}"),
        }
    }
}

/// The tag names of `url`, peeled duplicates (`^{}`) removed, in the order git prints them.
pub fn remote_tags(url: &str) -> Result<Vec<String>, SourceError> {
    let mut cmd = git();
    cmd.args(["ls-remote", "--tags", "--refs", "--", url]);
    let out = run(cmd, url, "git ls-remote")?;
    Ok(parse_ls_remote(&String::from_utf8_lossy(&out)))
}

/// Tag names from `git ls-remote` output.
pub fn parse_ls_remote(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split_once('\t').map(|(_, r)| r))
        .filter_map(|r| r.strip_prefix("refs/tags/"))
        .filter(|t| !t.ends_with("^{}"))
        .map(str::to_string)
        .collect()
}

/// Whether a reference is a full commit id rather than a tag.
pub fn is_commit_id(reference: &str) -> bool {
    (reference.len() == 40 || reference.len() == 64)
        && reference.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The commit a tag of the remote points to (annotated tags peeled), or `None` when the remote
/// has no such tag.
pub fn resolve_tag(url: &str, tag: &str) -> Result<Option<String>, SourceError> {
    let mut cmd = git();
    let full = format!("refs/tags/{tag}");
    // The peeled line (`TAG^{}`, an annotated tag's commit) is listed only when asked for.
    let peeled_name = format!("{full}^{{}}");
    cmd.args(["ls-remote", "--tags", "--", url, &full, &peeled_name]);
    let out = run(cmd, url, "git ls-remote")?;
    let text = String::from_utf8_lossy(&out);
    let mut direct = None;
    let mut peeled = None;
    for line in text.lines() {
        let Some((oid, name)) = line.split_once('\t') else {
            continue;
        };
        if name == full {
            direct = Some(oid.to_string());
        } else if name == peeled_name {
            peeled = Some(oid.to_string());
        }
    }
    Ok(peeled.or(direct))
}

/// The files of one commit that an entry selects.
#[derive(Debug, Clone)]
pub struct Checkout {
    /// The commit the reference resolved to.
    pub commit: String,
    /// Each selected file by the path it lands at, with its bytes.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Whether the commit was fetched from the remote in this run.
    pub downloaded: bool,
}

/// What to take from a git remote.
#[derive(Debug, Clone)]
pub struct GitRequest<'a> {
    pub url: &'a str,
    /// A tag, or a full commit id.
    pub reference: &'a str,
    pub selection: &'a Selection,
    /// How messages name the version, e.g. `v2.20.0`.
    pub version: &'a str,
}

/// Caps on what one commit may contribute (files are vendored into git, after all).
const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;
const MAX_TOTAL_BYTES: u64 = 256 * 1024 * 1024;

impl Fetcher {
    /// The bare repository that caches what was fetched from `url` (the download cache's
    /// `git/` directory, or this run's scratch directory when there is no cache).
    fn git_repo_dir(&self, url: &str) -> Result<PathBuf, SourceError> {
        use sha2::Digest;
        let name = hex::encode(&sha2::Sha256::digest(url.as_bytes())[..12]);
        let base = match self.cache.root() {
            Some(root) => root.join("git"),
            None => self
                .git_scratch
                .get_or_init(|| crate::workspace::temp::dir("git").ok())
                .as_ref()
                .map(|t| t.path().to_path_buf())
                .ok_or_else(|| SourceError::Git {
                    url: redact(url),
                    reason: "cannot create a temporary directory".into(),
                })?,
        };
        Ok(base.join(format!("{name}.git")))
    }

    /// The selected files of `req.reference` at `req.url`. See the module documentation for
    /// how the reference is resolved and what is fetched.
    pub fn git_checkout(&self, req: &GitRequest<'_>) -> Result<Checkout, SourceError> {
        let url = req.url;
        let repo = self.git_repo_dir(url)?;
        // One writer per cache repository: other runs (and other entries of this run) wait.
        let _lock = RepoLock::acquire(&repo).map_err(|e| SourceError::Git {
            url: redact(url),
            reason: format!("cannot lock the cache repository {}: {e}", repo.display()),
        })?;
        init_bare(&repo, url)?;
        let is_commit = is_commit_id(req.reference);
        let tag_ref = format!("refs/tags/{}", req.reference);
        let commit = if is_commit {
            req.reference.to_ascii_lowercase()
        } else if self.offline {
            local_commit(&repo, &tag_ref).ok_or_else(|| SourceError::Offline {
                what: format!("tag {} of {}", req.reference, redact(url)),
            })?
        } else {
            resolve_tag(url, req.reference)?.ok_or_else(|| SourceError::GitRefNotFound {
                url: redact(url),
                reference: req.reference.to_string(),
                version: req.version.to_string(),
            })?
        };
        let mut downloaded = false;
        if !has_commit(&repo, &commit) {
            self.online(&format!("commit {commit} of {}", redact(url)))?;
            let refspec = if is_commit {
                format!("{commit}:refs/vendor/{commit}")
            } else {
                format!("+{tag_ref}:{tag_ref}")
            };
            let mut cmd = git();
            cmd.arg("--git-dir").arg(&repo).args([
                "-c",
                "fetch.recurseSubmodules=false",
                "fetch",
                "--quiet",
                "--depth=1",
                "--no-tags",
                "--no-write-fetch-head",
                "--",
                url,
                &refspec,
            ]);
            run(cmd, url, &format!("git fetch {}", req.reference))?;
            self.count_download();
            downloaded = true;
            if !has_commit(&repo, &commit) {
                let now = local_commit(&repo, &tag_ref).unwrap_or_else(|| "-".into());
                return Err(SourceError::Git {
                    url: redact(url),
                    reason: format!(
                        "tag {} moved while it was fetched (it pointed to {commit}, the fetch got {now}); run the command again",
                        req.reference
                    ),
                });
            }
        } else if !is_commit && local_commit(&repo, &tag_ref).as_deref() != Some(commit.as_str()) {
            // The commit is here (fetched under another tag); record this tag for --offline.
            let mut cmd = git();
            cmd.arg("--git-dir")
                .arg(&repo)
                .args(["update-ref", &tag_ref, &commit]);
            run(cmd, url, "git update-ref")?;
        }
        // Whatever the remote advertised, the lock records the commit itself.
        let commit = local_commit(&repo, &commit).unwrap_or(commit);
        let files = read_selected(&repo, url, &commit, req)?;
        Ok(Checkout {
            commit,
            files,
            downloaded,
        })
    }
}

/// An exclusive lock on `REPO.lock`, released when dropped (or when the process ends).
struct RepoLock(std::fs::File);

impl RepoLock {
    fn acquire(repo: &Path) -> std::io::Result<RepoLock> {
        if let Some(parent) = repo.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut name = repo.as_os_str().to_owned();
        name.push(".lock");
        let f = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(PathBuf::from(name))?;
        fs4::FileExt::lock(&f)?;
        Ok(RepoLock(f))
    }
}

impl Drop for RepoLock {
    fn drop(&mut self) {
        let _ = fs4::FileExt::unlock(&self.0);
    }
}

fn init_bare(repo: &Path, url: &str) -> Result<(), SourceError> {
    if repo.join("HEAD").is_file() {
        return Ok(());
    }
    let mut cmd = git();
    cmd.args(["init", "--quiet", "--bare"]).arg(repo);
    run(cmd, url, "git init").map(|_| ())
}

fn has_commit(repo: &Path, commit: &str) -> bool {
    git()
        .arg("--git-dir")
        .arg(repo)
        .args(["cat-file", "-e", &format!("{commit}^{{commit}}")])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn local_commit(repo: &Path, reference: &str) -> Option<String> {
    let out = git()
        .arg("--git-dir")
        .arg(repo)
        .args([
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{reference}^{{commit}}"),
        ])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The selected files of `commit`: listed with `ls-tree`, read with one `cat-file --batch`.
fn read_selected(
    repo: &Path,
    url: &str,
    commit: &str,
    req: &GitRequest<'_>,
) -> Result<BTreeMap<String, Vec<u8>>, SourceError> {
    let at = format!("{} (commit {})", req.version, short(commit));
    let mut cmd = git();
    cmd.arg("--git-dir")
        .arg(repo)
        .args(["ls-tree", "-r", "-z", "--full-tree", commit]);
    let listing = run(cmd, url, "git ls-tree")?;
    // (landed path, source path, object id)
    let mut wanted: Vec<(String, String, String)> = Vec::new();
    let mut matched = vec![false; req.selection.len()];
    let mut landed_at: BTreeMap<String, String> = BTreeMap::new();
    for rec in listing.split(|b| *b == 0).filter(|r| !r.is_empty()) {
        let Some(tab) = rec.iter().position(|b| *b == b'\t') else {
            continue;
        };
        let meta = String::from_utf8_lossy(&rec[..tab]);
        let Ok(path) = std::str::from_utf8(&rec[tab + 1..]) else {
            continue;
        };
        if !req.selection.might_select(path) {
            continue;
        }
        let Some((i, landed)) = req.selection.target(path) else {
            continue;
        };
        matched[i] = true;
        let mut parts = meta.split(' ');
        let (mode, _kind, oid) = (
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
        );
        match mode {
            "100644" | "100755" => {}
            "120000" => {
                return Err(SourceError::GitPath {
                    url: redact(url),
                    reason: format!("`{path}` at {at} is a symbolic link; only regular files are vendored"),
                    help: "name the link's target in `paths` instead, or leave the link out with `exclude`".into(),
                });
            }
            _ => {
                return Err(SourceError::GitPath {
                    url: redact(url),
                    reason: format!("`{path}` at {at} is a submodule; only regular files are vendored"),
                    help: "vendor the submodule's repository as an entry of its own, or leave it out with `exclude`".into(),
                });
            }
        }
        if let Some(first) = landed_at.insert(landed.clone(), path.to_string()) {
            return Err(SourceError::GitPath {
                url: redact(url),
                reason: format!("`{first}` and `{path}` would both be vendored as `{landed}`"),
                help: "select them through a common directory, or leave one out with `exclude`"
                    .into(),
            });
        }
        wanted.push((landed, path.to_string(), oid.to_string()));
    }
    if let Some(i) = matched.iter().position(|m| !m) {
        return Err(SourceError::GitPath {
            url: redact(url),
            reason: format!(
                "`{}` does not exist at {at}",
                req.selection.include_text(i)
            ),
            help: "the upstream layout changed in this version: check the repository at this tag and adjust `paths` (or pin another version)".into(),
        });
    }
    let blobs = cat_blobs(repo, url, wanted.iter().map(|(_, _, oid)| oid.as_str()))?;
    let mut files = BTreeMap::new();
    let mut total = 0u64;
    for ((landed, path, _), data) in wanted.into_iter().zip(blobs) {
        total += data.len() as u64;
        if data.len() as u64 > MAX_FILE_BYTES || total > MAX_TOTAL_BYTES {
            return Err(SourceError::GitPath {
                url: redact(url),
                reason: format!(
                    "`{path}` at {at} makes the selection larger than the limit ({MAX_FILE_BYTES} bytes per file, {MAX_TOTAL_BYTES} in all)"
                ),
                help: "select fewer or smaller files with `paths` and `exclude`".into(),
            });
        }
        files.insert(landed, data);
    }
    Ok(files)
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(12)]
}

/// The contents of blobs, in the order asked, through one `git cat-file --batch`.
fn cat_blobs<'a>(
    repo: &Path,
    url: &str,
    oids: impl Iterator<Item = &'a str>,
) -> Result<Vec<Vec<u8>>, SourceError> {
    let input: Vec<u8> = oids.flat_map(|o| format!("{o}\n").into_bytes()).collect();
    if input.is_empty() {
        return Ok(Vec::new());
    }
    let mut child = git()
        .arg("--git-dir")
        .arg(repo)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| spawn_error(url, &e))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let mut out = Vec::new();
    child
        .stdout
        .take()
        .expect("piped stdout")
        .read_to_end(&mut out)
        .map_err(|e| SourceError::Git {
            url: redact(url),
            reason: format!("git cat-file: {e}"),
        })?;
    let _ = writer.join();
    let _ = child.wait();
    let bad = |why: &str| SourceError::Git {
        url: redact(url),
        reason: format!("git cat-file: {why}"),
    };
    let mut blobs = Vec::new();
    let mut rest = out.as_slice();
    while !rest.is_empty() {
        let nl = rest
            .iter()
            .position(|b| *b == b'\n')
            .ok_or_else(|| bad("truncated output"))?;
        let header = String::from_utf8_lossy(&rest[..nl]).into_owned();
        let mut parts = header.split(' ');
        let (_, kind, size) = (parts.next(), parts.next(), parts.next());
        if kind != Some("blob") {
            return Err(bad(&format!("unexpected object: {header}")));
        }
        let size: usize = size
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("bad size"))?;
        let start = nl + 1;
        if rest.len() < start + size + 1 {
            return Err(bad("truncated output"));
        }
        blobs.push(rest[start..start + size].to_vec());
        rest = &rest[start + size + 1..];
    }
    Ok(blobs)
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_ls_remote() {
        let text = "a1\trefs/tags/v1.0.0\nb2\trefs/tags/v1.0.0^{}\nc3\trefs/heads/main\nd4\trefs/tags/v1.1.0\n";
        assert_eq!(super::parse_ls_remote(text), ["v1.0.0", "v1.1.0"]);
    }

    #[test]
    fn scp_like_urls() {
        assert!(super::is_scp_like("git@github.com:org/repo.git"));
        assert!(super::is_scp_like("host.example:repo"));
        assert!(!super::is_scp_like("https://github.com/org/repo"));
        assert!(!super::is_scp_like("./dir:x"));
        assert!(!super::is_scp_like("C"));
    }
}
