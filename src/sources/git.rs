//! Version discovery from a git remote's tags, with `git ls-remote --tags` (any URL git
//! understands: `https://`, `ssh://`, `file://`). Runs only for `outdated`/`update`, never on
//! the sync hot path.

use std::process::Command;

use super::SourceError;
use super::http::redact;

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

/// The tag names of `url`, peeled duplicates (`^{}`) removed, in the order git prints them.
pub fn remote_tags(url: &str) -> Result<Vec<String>, SourceError> {
    let out = Command::new("git")
        .args(["ls-remote", "--tags", "--refs", "--", url])
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|e| SourceError::Git {
            url: redact(url),
            reason: format!("cannot run git: {e}"),
        })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(SourceError::Git {
            url: redact(url),
            reason: stderr
                .trim()
                .lines()
                .last()
                .unwrap_or("git ls-remote failed")
                .to_string(),
        });
    }
    Ok(parse_ls_remote(&String::from_utf8_lossy(&out.stdout)))
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

#[cfg(test)]
mod tests {
    #[test]
    fn parses_ls_remote() {
        let text = "a1\trefs/tags/v1.0.0\nb2\trefs/tags/v1.0.0^{}\nc3\trefs/heads/main\nd4\trefs/tags/v1.1.0\n";
        assert_eq!(super::parse_ls_remote(text), ["v1.0.0", "v1.1.0"]);
    }
}
