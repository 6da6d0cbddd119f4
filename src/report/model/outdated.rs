//! The result of `vendor outdated`: one row per entry.

use semver_ranges::Version;

/// One row of the report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OutdatedRow {
    pub name: String,
    pub kind: &'static str,
    pub current: String,
    pub track: Option<String>,
    /// Newest version within `track` (the tag as upstream writes it), when it is not older than
    /// the pinned version: `outdated` never offers a downgrade.
    pub in_track: Option<String>,
    /// Newest release overall (prereleases only when the pinned version is one), when it is not
    /// older than the pinned version.
    pub latest: Option<String>,
    /// Where versions were looked up.
    pub source: Option<String>,
    /// Why versions could not be discovered.
    pub error: Option<String>,
    /// Something to know about the row (the pinned version is outside its track).
    pub note: Option<String>,
}

impl OutdatedRow {
    /// Whether a newer version exists within the track range.
    pub fn update_available(&self) -> bool {
        match (&self.in_track, Version::parse(&self.current)) {
            (Some(t), Ok(cur)) => Version::parse(t).is_ok_and(|t| t.cmp_precedence(&cur).is_gt()),
            _ => false,
        }
    }
}
