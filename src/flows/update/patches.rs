//! The patch status table of an update: which patches an overlay (`patches/NAME`) declares, read
//! from its kustomization, and what became of each against the new upstream (applies, applies
//! with warnings, no-op, broken), decided from the findings `crate::flows::check` produced while
//! building the overlay.
//!
//! Building the overlay and deciding what a finding means is `kustomize`'s job; this
//! module only attributes findings to the patch they point at (by file, or by the line of the
//! patch entry in kustomization.yaml for inline patches and `target:` selectors).

use std::path::Path;

use crate::diag::{Code, Finding, Level};
use crate::report::model::{PatchRef, PatchState as Status, PatchStatus};
use kyaml::{Dialect, PathSeg};

/// Codes that say something about one patch.
pub const PATCH_CODES: &[Code] = &[
    Code::PatchTargetMissing,
    Code::PatchNoOp,
    Code::PatchAddsListItem,
    Code::Json6902OpFailed,
    Code::OverlayBuildFailed,
];

/// The patches declared by the overlay in `overlay_dir` (shown as `overlay_rel`, relative to the
/// repository root). No kustomization, or one that does not parse: no patches (the overlay
/// build reports the problem).
pub fn list(overlay_dir: &Path, overlay_rel: &str) -> (Option<String>, Vec<PatchRef>) {
    let Some((name, text)) = kustomize::FILE_NAMES.iter().find_map(|n| {
        std::fs::read_to_string(overlay_dir.join(n))
            .ok()
            .map(|t| (*n, t))
    }) else {
        return (None, Vec::new());
    };
    let kustomization = format!("{overlay_rel}/{name}");
    let Ok(docs) = kyaml::parse_documents(&text, Dialect::Kube) else {
        return (Some(kustomization), Vec::new());
    };
    let Some(doc) = docs.into_iter().find(|d| !d.value.is_null()) else {
        return (Some(kustomization), Vec::new());
    };
    let mut out = Vec::new();
    for field in ["patchesStrategicMerge", "patches", "patchesJson6902"] {
        let Some(items) = doc.value.get(field).and_then(|v| v.as_seq()) else {
            continue;
        };
        for (i, item) in items.iter().enumerate() {
            let line =
                kyaml::locate(&text, 0, &[PathSeg::Key(field), PathSeg::Index(i)]).map(|p| p.line);
            let path = match item {
                kyaml::Value::String(s)
                    if field == "patchesStrategicMerge" && !s.contains('\n') =>
                {
                    Some(s.as_str())
                }
                _ => item.get("path").and_then(|p| p.as_str()),
            };
            let (label, file) = match path {
                Some(p) => (
                    p.to_string(),
                    Some(normalize(&format!("{overlay_rel}/{p}"))),
                ),
                None => (
                    format!(
                        "inline patch ({name}:{})",
                        line.map(|l| l.to_string()).unwrap_or_else(|| "?".into())
                    ),
                    None,
                ),
            };
            out.push(PatchRef {
                label,
                file,
                field: match field {
                    "patches" => "patches",
                    "patchesStrategicMerge" => "patchesStrategicMerge",
                    _ => "patchesJson6902",
                },
                line,
            });
        }
    }
    (Some(kustomization), out)
}

/// Resolves `.` and `..` segments of a `/`-separated relative path.
fn normalize(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// Attributes the overlay findings to `patches`. A finding belongs to the patch whose file it
/// names, else (findings on kustomization.yaml) to the patch entry starting at or closest above
/// its line. When the overlay does not build and the error names no patch, every patch is
/// broken by it: nothing of the overlay reaches the cluster.
pub fn statuses(
    patches: &[PatchRef],
    kustomization: Option<&str>,
    findings: &[Finding],
) -> Vec<PatchStatus> {
    let mut rows: Vec<PatchStatus> = patches
        .iter()
        .map(|p| PatchStatus {
            patch: p.clone(),
            status: Status::Applies,
            findings: Vec::new(),
        })
        .collect();
    let mut unattributed_build_failure = None;
    for f in findings.iter().filter(|f| PATCH_CODES.contains(&f.code)) {
        let by_file = f.file.as_deref().and_then(|file| {
            rows.iter()
                .position(|r| r.patch.file.as_deref() == Some(file))
        });
        let by_line = || {
            let line = f.pos?.line;
            if f.file.as_deref() != kustomization {
                return None;
            }
            rows.iter()
                .enumerate()
                .filter(|(_, r)| r.patch.line.is_some_and(|l| l <= line))
                .max_by_key(|(_, r)| r.patch.line)
                .map(|(i, _)| i)
        };
        match by_file.or_else(by_line) {
            Some(i) => rows[i].findings.push(f.clone()),
            None if f.code == Code::OverlayBuildFailed => {
                unattributed_build_failure = Some(f.clone())
            }
            None => {}
        }
    }
    if let Some(f) = unattributed_build_failure {
        for r in &mut rows {
            r.findings.push(f.clone());
        }
    }
    for r in &mut rows {
        r.status = status_of(&r.findings);
    }
    rows
}

fn status_of(findings: &[Finding]) -> Status {
    if findings
        .iter()
        .any(|f| f.level == Level::Deny || f.code == Code::OverlayBuildFailed)
    {
        Status::Broken
    } else if findings.iter().any(|f| f.code == Code::PatchNoOp) {
        Status::NoOp
    } else if findings.iter().any(|f| f.level == Level::Warn) {
        Status::AppliesWithWarnings
    } else {
        Status::Applies
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Pos;

    const K: &str = "resources:\n- ../../upstream/a\npatches:\n- path: keep.yaml\n- target:\n    kind: Deployment\n  patch: |-\n    - op: remove\n      path: /spec/x\npatchesStrategicMerge:\n- sub/../old.yaml\n";

    fn overlay() -> (tempfile::TempDir, Vec<PatchRef>) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("kustomization.yaml"), K).unwrap();
        let (k, list) = list(dir.path(), "patches/a");
        assert_eq!(k.as_deref(), Some("patches/a/kustomization.yaml"));
        (dir, list)
    }

    #[test]
    fn lists_files_and_inline_patches_with_lines() {
        let (_d, list) = overlay();
        let labels: Vec<_> = list
            .iter()
            .map(|p| (p.label.as_str(), p.file.as_deref(), p.line))
            .collect();
        assert_eq!(
            labels,
            [
                ("sub/../old.yaml", Some("patches/a/old.yaml"), Some(11)),
                ("keep.yaml", Some("patches/a/keep.yaml"), Some(4)),
                ("inline patch (kustomization.yaml:5)", None, Some(5)),
            ]
        );
    }

    #[test]
    fn attributes_by_file_and_by_line() {
        let (_d, list) = overlay();
        let at = |line| Some(Pos { line, column: 1 });
        let findings = vec![
            Finding::new(Code::PatchNoOp, "nothing")
                .file("patches/a/old.yaml")
                .at(at(1)),
            Finding::new(Code::PatchTargetMissing, "gone")
                .file("patches/a/kustomization.yaml")
                .at(at(5)),
            Finding::new(Code::ImageLatest, "unrelated").file("patches/a/keep.yaml"),
        ];
        let rows = statuses(&list, Some("patches/a/kustomization.yaml"), &findings);
        let got: Vec<_> = rows
            .iter()
            .map(|r| (r.patch.label.as_str(), r.status, r.findings.len()))
            .collect();
        assert_eq!(
            got,
            [
                ("sub/../old.yaml", Status::NoOp, 1),
                ("keep.yaml", Status::Applies, 0),
                ("inline patch (kustomization.yaml:5)", Status::Broken, 1),
            ]
        );
    }

    #[test]
    fn a_warning_shows_in_the_status() {
        let (_d, list) = overlay();
        let f = Finding::new(Code::PatchAddsListItem, "port `metrics` matched nothing")
            .file("patches/a/keep.yaml");
        let rows = statuses(&list, Some("patches/a/kustomization.yaml"), &[f]);
        assert_eq!(rows[1].status, Status::AppliesWithWarnings);
        assert_eq!(rows[1].status.label(), "applies with warnings");
        assert_eq!(rows[0].status, Status::Applies);
    }

    #[test]
    fn an_overlay_that_does_not_build_breaks_every_patch() {
        let (_d, list) = overlay();
        let f = Finding::new(Code::OverlayBuildFailed, "boom").file("upstream/a/x.yaml");
        let rows = statuses(&list, Some("patches/a/kustomization.yaml"), &[f]);
        assert!(rows.iter().all(|r| r.status == Status::Broken));
    }
}
