//! The seam between the app and the engines: what an entry of vendor.toml means for an engine
//! (options), and what the engines report, as the app's findings (codes and levels).

use crate::diag::{Code, Finding, Level};

/// A kustomize build finding as a vendor finding: its code, and its level (a list item added
/// where upstream probably renamed the container is an error, not a warning).
pub fn kustomize_finding(f: kustomize::Finding) -> Finding {
    use kustomize::FindingKind as K;
    let code = match f.kind {
        K::PatchTargetMissing => Code::PatchTargetMissing,
        K::PatchNoOp => Code::PatchNoOp,
        K::PatchAddsListItem { .. } => Code::PatchAddsListItem,
        K::Json6902OpFailed => Code::Json6902OpFailed,
        K::ImageOverrideUnused => Code::ImageOverrideUnused,
    };
    let mut out = Finding::new(code, f.message).file(f.file).at(f.pos);
    if let K::PatchAddsListItem {
        likely_renamed: true,
    } = f.kind
    {
        out.level = Level::Deny;
    }
    out.resource = f.resource;
    out.help = f.help;
    out
}
