//! The result of `vendor update`: per entry the version move, file changes, the patch status
//! table against the new upstream, new findings and the structured diff, already rendered.

use std::fmt::Write as _;

use crate::diag::Finding;

/// One patch of an overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchRef {
    /// How the report names it: the patch file relative to the overlay, or `inline patch
    /// (kustomization.yaml:LINE)`.
    pub label: String,
    /// The patch file relative to the repository root, `/`-separated, when it is a file.
    pub file: Option<String>,
    /// The kustomization key it is listed under (`patches`, `patchesStrategicMerge`,
    /// `patchesJson6902`).
    pub field: &'static str,
    /// Line of its entry in kustomization.yaml.
    pub line: Option<u32>,
}

/// What became of a patch against the new upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PatchState {
    Applies,
    /// Applies, with a warning that it may not do what it did (`patch-adds-list-item`: upstream
    /// renamed the list item it targets, so it was added instead).
    AppliesWithWarnings,
    NoOp,
    Broken,
}

impl PatchState {
    pub const ALL: [PatchState; 4] = [
        PatchState::Applies,
        PatchState::AppliesWithWarnings,
        PatchState::NoOp,
        PatchState::Broken,
    ];

    /// The name in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            PatchState::Applies => "applies",
            PatchState::AppliesWithWarnings => "applies-with-warnings",
            PatchState::NoOp => "no-op",
            PatchState::Broken => "broken",
        }
    }

    /// How a person reads it.
    pub fn label(self) -> &'static str {
        match self {
            PatchState::AppliesWithWarnings => "applies with warnings",
            other => other.as_str(),
        }
    }
}

/// One row of the patch status table.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchStatus {
    pub patch: PatchRef,
    pub status: PatchState,
    /// The findings behind the status (empty when the patch applies cleanly).
    pub findings: Vec<Finding>,
}

/// Changed files of `upstream/NAME`, relative to it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FileChanges {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub modified: Vec<String>,
}

/// The structured diff old -> new of one entry, rendered (it borrows nothing).
#[derive(Debug, Clone)]
pub struct DiffSection {
    pub summary: kdiff::Summary,
    pub highlights: Vec<kdiff::Highlight>,
    /// `crate::report::diff::json` of the diff.
    pub json: serde_json::Value,
    /// The Markdown of the diff in pieces, which the pull-request body fits into GitHub's
    /// size limit together with the other entries' (`crate::report::markdown::diff::fit`).
    pub markdown: DiffMarkdown,
}

/// A diff rendered as Markdown, piece by piece: the pieces a size limit may leave out are
/// separate, each already escaped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffMarkdown {
    /// The summary line and the counts table.
    pub header: String,
    pub highlights: Vec<HighlightMarkdown>,
    /// One collapsed `<details>` section per changed resource.
    pub resources: Vec<String>,
    /// The one line for resources whose only changes are summarised labels.
    pub label_churn: Option<String>,
}

/// One highlight, in full and with its list of details cut short.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HighlightMarkdown {
    pub full: String,
    pub compact: String,
    /// A warning (kept before information when highlights must be left out).
    pub warning: bool,
}

/// What upstream says about the versions an update moves over (upstream text: escaped and
/// trimmed by the printers).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReleaseNotes {
    /// Where they come from, e.g. `GitHub releases of argoproj/argo-cd`.
    pub source: String,
    /// Per version, newest first.
    pub versions: Vec<VersionNotes>,
    /// Pages about the upstream, as (what, URL): `releases`, `home`, `source`.
    pub links: Vec<(String, String)>,
}

/// The notes of one version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionNotes {
    pub version: String,
    /// Its release page.
    pub url: Option<String>,
    /// Markdown as upstream wrote it.
    pub text: String,
}

/// What the update does to one entry.
#[derive(Debug, Clone)]
pub struct EntryReport {
    pub name: String,
    pub kind: &'static str,
    pub from: String,
    /// The target version (equal to `from` when not updated).
    pub to: String,
    pub updated: bool,
    /// The entry's track after the update.
    pub track: Option<String>,
    /// The track before, when the update moved it (`--major`).
    pub previous_track: Option<String>,
    /// Why the entry is not updated, said plainly.
    pub reason: Option<String>,
    /// The release page of `to`, when known.
    pub release_notes: Option<String>,
    /// The release notes themselves (upstream text), when they could be fetched.
    pub notes: Option<ReleaseNotes>,
    pub files: FileChanges,
    /// The overlay's kustomization (repository-relative), when the entry has an overlay.
    pub overlay: Option<String>,
    pub patches: Vec<PatchStatus>,
    /// Deny-level findings on the new state that the old state did not have (patch findings
    /// are in `patches`).
    pub new_findings: Vec<Finding>,
    pub diff: Option<DiffSection>,
    pub note: Option<String>,
}

impl EntryReport {
    pub fn count(&self, s: PatchState) -> usize {
        self.patches.iter().filter(|p| p.status == s).count()
    }

    /// Whether this entry makes the update exit 1.
    pub fn needs_attention(&self) -> bool {
        self.updated && (self.count(PatchState::Broken) > 0 || !self.new_findings.is_empty())
    }
}

/// The whole update: one row per selected entry, in vendor.toml order.
#[derive(Debug, Clone)]
pub struct UpdateReport {
    pub entries: Vec<EntryReport>,
    pub dry_run: bool,
}

impl UpdateReport {
    pub fn updated(&self) -> impl Iterator<Item = &EntryReport> {
        self.entries.iter().filter(|e| e.updated)
    }

    pub fn nothing_to_update(&self) -> bool {
        self.updated().next().is_none()
    }

    /// A patch broke or a deny-level finding appeared (exit 1).
    pub fn needs_attention(&self) -> bool {
        self.entries.iter().any(EntryReport::needs_attention)
    }

    /// The same report restricted to one entry (for one report per entry).
    pub fn only(&self, name: &str) -> UpdateReport {
        UpdateReport {
            entries: self
                .entries
                .iter()
                .filter(|e| e.name == name)
                .cloned()
                .collect(),
            dry_run: self.dry_run,
        }
    }
}

/// The first line of every rendering: a pull-request title.
pub fn title(report: &UpdateReport) -> String {
    let updated: Vec<&EntryReport> = report.updated().collect();
    match updated.as_slice() {
        [] => "vendor: nothing to update".to_string(),
        [e] => format!("Update {} {} → {}", e.name, e.from, e.to),
        many => format!(
            "Update {} upstream entries: {}",
            many.len(),
            many.iter()
                .map(|e| format!("{} {}", e.name, e.to))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

pub fn patch_summary(e: &EntryReport) -> String {
    if e.patches.is_empty() {
        return if e.overlay.is_some() {
            "no patches".into()
        } else {
            "no overlay".into()
        };
    }
    let mut parts = Vec::new();
    for s in PatchState::ALL {
        let n = e.count(s);
        if n > 0 {
            parts.push(format!("{n} {}", s.label()));
        }
    }
    parts.join(", ")
}

/// `file:line: code: message`, one line.
pub fn finding_line(f: &Finding) -> String {
    let mut s = String::new();
    if let Some(file) = &f.file {
        s.push_str(file);
        if let Some(p) = f.pos {
            let _ = write!(s, ":{}", p.line);
        }
        s.push_str(": ");
    }
    let _ = write!(s, "{}: {}", f.code, f.message);
    s
}
