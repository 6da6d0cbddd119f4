//! Version discovery from GitHub releases (`GET /repos/OWNER/REPO/releases`, paginated).
//!
//! The API base is configurable for GitHub Enterprise (`GITHUB_API_URL`, as GitHub Actions sets
//! it); `GITHUB_TOKEN` is sent when set. A rate-limit response becomes an error that says when
//! the limit resets. Drafts are ignored.

use super::SourceError;
use super::http::{Client, redact};

/// `https://api.github.com`, or `GITHUB_API_URL` when set.
pub fn default_api_base() -> String {
    std::env::var("GITHUB_API_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "https://api.github.com".to_string())
}

/// The releases of a GitHub repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Releases {
    /// `owner/repo`.
    pub repo: String,
}

impl super::VersionSource for Releases {
    fn describe(&self) -> String {
        format!("github-releases {}", self.repo)
    }

    fn tags(&self, f: &super::Fetcher) -> Result<Vec<String>, SourceError> {
        f.online(&format!("GitHub releases of {}", self.repo))?;
        release_tags(
            &f.http,
            &f.github_api,
            &self.repo,
            f.github_token.as_deref(),
        )
    }
}

/// Release tags of `owner/repo`, newest first as the API returns them.
pub fn release_tags(
    http: &Client,
    api_base: &str,
    repo: &str,
    token: Option<&str>,
) -> Result<Vec<String>, SourceError> {
    Ok(releases(http, api_base, repo, token)?
        .into_iter()
        .map(|r| r.tag)
        .collect())
}

/// One published release (upstream text, untrusted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub tag: String,
    /// The release notes (Markdown), empty when there are none.
    pub body: String,
    /// The release page.
    pub url: Option<String>,
}

/// The releases of `owner/repo` (drafts left out), newest first as the API returns them.
pub fn releases(
    http: &Client,
    api_base: &str,
    repo: &str,
    token: Option<&str>,
) -> Result<Vec<Release>, SourceError> {
    let mut url = format!(
        "{}/repos/{repo}/releases?per_page=100",
        api_base.trim_end_matches('/')
    );
    let mut headers = vec![
        ("Accept", "application/vnd.github+json".to_string()),
        ("X-GitHub-Api-Version", "2022-11-28".to_string()),
    ];
    if let Some(t) = token.filter(|t| !t.is_empty()) {
        headers.push(("Authorization", format!("Bearer {t}")));
    }
    let mut out = Vec::new();
    for _ in 0..50 {
        let resp = http.get(&url, &headers)?;
        let remaining = resp.header("x-ratelimit-remaining");
        if (resp.status == 403 || resp.status == 429) && remaining == Some("0") {
            let reset = resp
                .header("x-ratelimit-reset")
                .and_then(|r| r.parse::<u64>().ok())
                .map(format_utc)
                .unwrap_or_else(|| "an unknown time".into());
            return Err(SourceError::RateLimited {
                url: redact(&url),
                reset,
            });
        }
        if resp.status == 404 {
            return Err(SourceError::NotFound { url: redact(&url) });
        }
        if resp.status == 401 {
            return Err(SourceError::Unauthorized {
                url: redact(&url),
                help: "GITHUB_TOKEN was refused; set a valid token or unset it".into(),
            });
        }
        if !resp.is_success() {
            return Err(SourceError::Status {
                url: redact(&url),
                status: resp.status,
            });
        }
        let json: serde_json::Value =
            serde_json::from_slice(&resp.body).map_err(|e| SourceError::InvalidResponse {
                url: redact(&url),
                reason: format!("not JSON: {e}"),
            })?;
        let Some(list) = json.as_array() else {
            return Err(SourceError::InvalidResponse {
                url: redact(&url),
                reason: "expected a list of releases".into(),
            });
        };
        for rel in list {
            if rel.get("draft").and_then(serde_json::Value::as_bool) == Some(true) {
                continue;
            }
            if let Some(tag) = rel.get("tag_name").and_then(|t| t.as_str()) {
                let text = |key: &str| {
                    rel.get(key)
                        .and_then(|v| v.as_str())
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                };
                out.push(Release {
                    tag: tag.to_string(),
                    body: text("body").unwrap_or_default(),
                    url: text("html_url"),
                });
            }
        }
        match resp.header("link").and_then(next_link) {
            Some(next) => url = next,
            None => break,
        }
    }
    Ok(out)
}

fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        params.contains("rel=\"next\"").then(|| {
            target
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
    })
}

/// Seconds since the epoch as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn format_utc(epoch: u64) -> String {
    let days = (epoch / 86_400) as i64;
    let secs = epoch % 86_400;
    // Civil-from-days (proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_epochs() {
        assert_eq!(format_utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_utc(1_700_000_000), "2023-11-14 22:13:20 UTC");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00:00 UTC");
    }
}
