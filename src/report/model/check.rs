//! The result of `vendor check`: the findings of the entries that were checked.

use crate::diag::{Finding, Level};

/// The result of a check run: findings grouped by the entries that were checked.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// Entries checked, in vendor.toml order, with a short description (`manifest v2.14.21`).
    pub entries: Vec<(String, String)>,
    pub findings: Vec<Finding>,
}

impl CheckReport {
    pub fn count(&self, level: Level) -> usize {
        self.findings.iter().filter(|f| f.level == level).count()
    }

    /// Whether any finding is at error level.
    pub fn has_errors(&self) -> bool {
        self.count(Level::Deny) > 0
    }

    /// Sorts findings into a stable order: entry (vendor.toml order), file, position, code.
    pub fn sort(&mut self) {
        let order = |e: &Option<String>| {
            e.as_ref()
                .and_then(|e| self.entries.iter().position(|(n, _)| n == e))
                .unwrap_or(usize::MAX)
        };
        let mut keyed: Vec<(usize, Finding)> = self
            .findings
            .drain(..)
            .map(|f| (order(&f.entry), f))
            .collect();
        keyed.sort_by(|(a, fa), (b, fb)| {
            a.cmp(b)
                .then_with(|| fa.file.cmp(&fb.file))
                .then_with(|| fa.pos.cmp(&fb.pos))
                .then_with(|| fa.code.cmp(&fb.code))
                .then_with(|| fa.message.cmp(&fb.message))
        });
        self.findings = keyed.into_iter().map(|(_, f)| f).collect();
    }

    /// The one-line summary printed last.
    pub fn summary(&self) -> String {
        let n = self.entries.len();
        let errors = self.count(Level::Deny);
        let warnings = self.count(Level::Warn);
        format!(
            "{n} {} checked: {errors} {}, {warnings} {}",
            plural(n, "entry", "entries"),
            plural(errors, "error", "errors"),
            plural(warnings, "warning", "warnings"),
        )
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::diag::{Code, Pos};

    /// A small report covering every field, shared by the renderers' tests.
    pub(crate) fn sample() -> CheckReport {
        let mut r = CheckReport {
            entries: vec![
                ("argocd".into(), "manifest v2.14.21".into()),
                ("metallb".into(), "manifest v0.15.3".into()),
            ],
            findings: vec![
                Finding::new(Code::ImageLatest, "image `nginx:latest` uses the `latest` tag")
                    .entry("metallb")
                    .file("upstream/metallb/metallb-native.yaml")
                    .at(Some(Pos { line: 12, column: 16 }))
                    .resource("Deployment/metallb-system/controller")
                    .help("pin a released tag"),
                Finding::new(
                    Code::FileModified,
                    "upstream/argocd/install.yaml differs from what was vendored for argocd v2.14.21",
                )
                .entry("argocd")
                .file("upstream/argocd/install.yaml")
                .help("move the change into patches/argocd, or run `vendor sync argocd` to restore it"),
                Finding::new(Code::PatchNoOp, "patch changes nothing")
                    .entry("argocd")
                    .file("patches/argocd/resources.yaml")
                    .at(Some(Pos { line: 1, column: 1 })),
            ],
        };
        r.sort();
        r
    }

    #[test]
    fn sorts_by_entry_order_then_file() {
        let r = sample();
        let order: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(order, ["patch-no-op", "file-modified", "image-latest"]);
        assert_eq!(r.summary(), "2 entries checked: 2 errors, 1 warning");
    }
}
