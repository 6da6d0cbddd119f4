//! The one finding model of the tool. Every check (drift, images, patches, charts, ...) produces
//! [`Finding`]s with a stable kebab-case [`Code`] and a [`Level`]; `report` renders them in every
//! output format, and the highest level decides the exit code. Errors that stop the tool (bad
//! input) are not findings: they are `miette` diagnostics (see `crate::error`).

use std::fmt;

pub use kyaml::Pos;

/// How serious a finding is. `Deny` findings make `vendor check` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warning",
            Level::Deny => "error",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, $level:ident; )*) => {
        /// Stable identifiers of findings: used in every output format, as SARIF rule ids and by
        /// `--deny/--warn/--allow`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $( $(#[doc = $doc])* $variant, )* }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The level a finding has unless overridden.
            pub fn default_level(self) -> Level {
                match self { $(Code::$variant => Level::$level,)* }
            }

            /// One-line description, for the README and SARIF rules.
            pub fn description(self) -> &'static str {
                match self { $(Code::$variant => concat!($($doc),*).trim_ascii(),)* }
            }

            pub fn from_name(name: &str) -> Option<Code> {
                match name { $($name => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    /// A vendored file differs from the digest recorded in vendor.toml.
    FileModified = "file-modified", Deny;
    /// A file recorded in vendor.toml is missing from the vendored tree.
    FileMissing = "file-missing", Deny;
    /// The vendored tree holds a file that vendor.toml does not record.
    FileExtra = "file-extra", Deny;
    /// An entry has no lock data, lock data for another version, or chart lock data without
    /// its render inputs: run `vendor sync`.
    NotSynced = "not-synced", Deny;
    /// An image uses the `latest` tag.
    ImageLatest = "image-latest", Deny;
    /// An image has neither tag nor digest.
    ImageUntagged = "image-untagged", Deny;
    /// An image uses a floating tag such as `main`, `stable` or `nightly`.
    ImageFloatingTag = "image-floating-tag", Deny;
    /// An image is pinned by tag only while `require-digest` is set.
    ImageNoDigest = "image-no-digest", Warn;
    /// An image comes from a registry outside `allow-registries`.
    ImageRegistryNotAllowed = "image-registry-not-allowed", Deny;
    /// The images found differ from those recorded in the lock data.
    ImageDrift = "image-drift", Deny;
    /// A CustomResourceDefinition carries `.status` (Argo CD shows it OutOfSync forever).
    CrdHasStatus = "crd-has-status", Warn;
    /// An object is larger than 256 KiB (client-side apply fails on the last-applied annotation).
    ObjectTooLarge = "object-too-large", Warn;
    /// A patch overlay does not build.
    OverlayBuildFailed = "overlay-build-failed", Deny;
    /// A patch finds no resource to apply to.
    PatchTargetMissing = "patch-target-missing", Deny;
    /// A patch changes nothing in the current upstream (often: upstream adopted the change).
    PatchNoOp = "patch-no-op", Warn;
    /// A strategic merge list item matched nothing by its merge key and was added.
    PatchAddsListItem = "patch-adds-list-item", Warn;
    /// A JSON6902 operation failed.
    Json6902OpFailed = "json6902-op-failed", Deny;
    /// An `images:` override in a kustomization matches no image.
    ImageOverrideUnused = "image-override-unused", Warn;
    /// A chart template calls `lookup`, which is empty in any offline render.
    ChartUsesLookup = "chart-uses-lookup", Warn;
    /// A chart uses random or key-generating functions: its output changes on every render.
    ChartNondeterministic = "chart-nondeterministic", Warn;
    /// An input of a chart's render (values file, release, namespace, kube-version, ...)
    /// differs from what the lock data recorded: the vendored files are stale.
    RenderInputChanged = "render-input-changed", Deny;
    /// `check --render`: rendering the cached chart again does not give the vendored files.
    RenderMismatch = "render-mismatch", Deny;
    /// `check --render` could not re-render a chart: its archive is not in the download cache.
    RenderUnverified = "render-unverified", Warn;
    /// Upstream serves different bytes for the pinned version (a re-tagged release).
    UpstreamRetagged = "upstream-retagged", Deny;
    /// A newer version exists within the entry's `track` range.
    Outdated = "outdated", Warn;
    /// An interrupted `vendor` run left a half-done change or temporary files in the repository.
    InterruptedWrite = "interrupted-write", Deny;
    /// An image reference is malformed (distribution reference grammar: name, tag, `sha256:`
    /// digest; no controls or invisible characters).
    ImageInvalid = "image-invalid", Deny;
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found by a check.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub code: Code,
    pub level: Level,
    /// The vendor.toml entry the finding belongs to.
    pub entry: Option<String>,
    /// Path relative to the repository root, with `/` separators.
    pub file: Option<String>,
    pub pos: Option<Pos>,
    /// `kind/namespace/name` (or `kind/name`) of the Kubernetes object concerned.
    pub resource: Option<String>,
    /// The container concerned, for findings about one container of a workload.
    pub container: Option<String>,
    pub message: String,
    pub help: Option<String>,
}

impl Finding {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Finding {
            code,
            level: code.default_level(),
            entry: None,
            file: None,
            pos: None,
            resource: None,
            container: None,
            message: message.into(),
            help: None,
        }
    }

    pub fn entry(mut self, entry: impl Into<String>) -> Self {
        self.entry = Some(entry.into());
        self
    }

    pub fn file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    pub fn at(mut self, pos: Option<Pos>) -> Self {
        self.pos = pos;
        self
    }

    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    pub fn container(mut self, container: impl Into<String>) -> Self {
        self.container = Some(container.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// `--deny/--warn/--allow CODE` overrides, applied to findings before they are reported.
#[derive(Debug, Clone, Default)]
pub struct LevelOverrides {
    overrides: Vec<(Code, Level)>,
}

impl LevelOverrides {
    pub fn set(&mut self, code: Code, level: Level) {
        self.overrides.retain(|(c, _)| *c != code);
        self.overrides.push((code, level));
    }

    pub fn apply(&self, findings: &mut Vec<Finding>) {
        for f in findings.iter_mut() {
            if let Some((_, level)) = self.overrides.iter().find(|(c, _)| *c == f.code) {
                f.level = *level;
            }
        }
        findings.retain(|f| f.level != Level::Allow);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "duplicate code {name}");
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            );
            assert_eq!(Code::from_name(name), Some(*code));
            assert!(!code.description().is_empty());
        }
    }

    #[test]
    fn every_code_is_in_the_readme_table_with_its_level() {
        let readme = include_str!("../README.md");
        for code in Code::ALL {
            let level = match code.default_level() {
                Level::Deny => "error",
                Level::Warn => "warning",
                Level::Allow => "allow",
            };
            let row = format!("| `{code}` | {level} |");
            assert!(readme.contains(&row), "README lacks the row {row}");
        }
    }

    #[test]
    fn overrides_change_level_and_drop_allowed() {
        let mut findings = vec![
            Finding::new(Code::ImageLatest, "a"),
            Finding::new(Code::PatchNoOp, "b"),
        ];
        let mut o = LevelOverrides::default();
        o.set(Code::ImageLatest, Level::Warn);
        o.set(Code::PatchNoOp, Level::Allow);
        o.apply(&mut findings);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].level, Level::Warn);
    }
}
