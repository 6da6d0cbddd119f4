//! `vendor images`: every image reference of the selected entries as deployed (after their
//! overlays), where it is, and the policy verdict on it.

use crate::config::Config;
use crate::diag::Level;
use crate::flows::check::{self, CheckError};
use crate::report::model::ImagesReport;

/// Images of the entries named in `only` (all when empty), in vendor.toml order.
pub fn images(config: &Config, only: &[String]) -> Result<ImagesReport, CheckError> {
    let mut report = ImagesReport::default();
    let mut errors = Vec::new();
    for entry in &config.entries {
        if !only.is_empty() && !only.contains(&entry.name) {
            continue;
        }
        match check::images(config, entry) {
            Ok(sites) => report
                .rows
                .extend(sites.into_iter().map(|s| (entry.name.clone(), s))),
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Err(CheckError { errors });
    }
    Ok(report)
}

/// Whether any image violates the policy at error level (the levels of `[lints]` and the
/// entries' `lints` applied).
pub fn any_denied(config: &Config, report: &ImagesReport) -> bool {
    let levels = config.levels(&Default::default());
    report.rows.iter().any(|(entry, s)| {
        s.violations.iter().any(|v| {
            levels.level_of(&crate::diag::Finding::new(v.code, "").entry(entry)) == Level::Deny
        })
    })
}
