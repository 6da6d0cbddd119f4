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
    /// The level as vendor.toml's `[lints]` writes it: `allow`, `warn` or `deny`.
    pub fn config_name(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }

    /// Parses a `[lints]` level.
    pub fn from_config(name: &str) -> Option<Level> {
        match name {
            "allow" => Some(Level::Allow),
            "warn" => Some(Level::Warn),
            "deny" => Some(Level::Deny),
            _ => None,
        }
    }

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
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, $level:ident, explain = $explain:expr; )*) => {
        /// Stable identifiers of findings: used in every output format, as SARIF rule ids, by
        /// `--deny/--warn/--allow`, by `[lints]` in vendor.toml and by `vendor check --explain`.
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

            /// What the code means, why it matters and how to fix it (`vendor check --explain`).
            pub fn explanation(self) -> &'static str {
                match self { $(Code::$variant => $explain,)* }
            }

            pub fn from_name(name: &str) -> Option<Code> {
                match name { $($name => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    /// A vendored file differs from the digest recorded in vendor.toml.
    FileModified = "file-modified", Deny, explain = "\
A file under upstream/NAME is not byte for byte what `vendor sync` vendored: its sha256 differs
from the digest in the entry's lock data. Someone edited vendored upstream content by hand, or a
tool (an editor, a formatter, a line-ending conversion) rewrote it. Git then no longer shows what
upstream released, and the next `vendor update` silently drops the edit.

Fix: move the change into the entry's Kustomize overlay (patches/NAME), then restore the file
with `vendor sync NAME`. `git diff upstream/NAME` shows what changed.";
    /// A file recorded in vendor.toml is missing from the vendored tree.
    FileMissing = "file-missing", Deny, explain = "\
The lock data of an entry records a file that is no longer under upstream/NAME. It was deleted
by hand, or the directory was moved.

Fix: run `vendor sync NAME` to restore it. To drop upstream content from what you deploy, delete
the resource with a `$patch: delete` patch in patches/NAME instead of deleting the file.";
    /// The vendored tree holds a file that vendor.toml does not record.
    FileExtra = "file-extra", Deny, explain = "\
upstream/NAME holds a file the lock data does not record (or a symlink or other non-regular
file), or upstream/ holds a directory that belongs to no entry (an entry that was renamed or
removed). Vendored trees hold exactly what upstream released.

Fix: put local additions in patches/NAME (as `resources:` of the overlay) and delete the file,
or run `vendor sync NAME`. For a directory of an entry that no longer exists, run
`vendor sync --prune`.";
    /// An entry has no lock data, lock data for another version, or chart lock data without
    /// its render inputs: run `vendor sync`.
    NotSynced = "not-synced", Deny, explain = "\
An entry has no lock data in vendor.toml, lock data written for another version than the one
it pins, or chart lock data without its render inputs (`[chart.NAME.lock.render]`, written by
vendor before render inputs were recorded): it was added or its version edited without running
`vendor sync`, so nothing proves that upstream/NAME holds that version.

Fix: run `vendor sync NAME`; it fetches the pinned version and writes the lock data. An entry
that was renamed leaves its old lock table behind (see `orphan-lock`).";
    /// An image uses the `latest` tag.
    ImageLatest = "image-latest", Deny, explain = "\
A container image uses the `latest` tag: what runs changes whenever the registry moves the tag,
and git no longer describes the cluster.

Fix: pin a released tag, preferably with a digest, through an `images:` override in the
entry's overlay (patches/NAME/kustomization.yaml). `[policy.images] deny-latest = false` turns
the rule off.";
    /// An image has neither tag nor digest.
    ImageUntagged = "image-untagged", Deny, explain = "\
A container image has neither a tag nor a digest, which means `latest`.

Fix: pin a released tag (and ideally a digest) with an `images:` override in patches/NAME.";
    /// An image uses a floating tag such as `main`, `stable` or `nightly`.
    ImageFloatingTag = "image-floating-tag", Deny, explain = "\
A container image uses a tag that moves (one of `[policy.images] floating-tags`, such as `main`,
`stable` or `nightly`): the same manifest deploys different code over time.

Fix: pin a released tag or a digest with an `images:` override in patches/NAME, or change
`floating-tags` when the tag does not move in your registry.";
    /// An image is pinned by tag only while `require-digest` is set.
    ImageNoDigest = "image-no-digest", Warn, explain = "\
`[policy.images] require-digest = true` asks for every image to carry `@sha256:...`; this one
has a tag only, which the registry can re-point.

Fix: add the digest with an `images:` override (`digest: sha256:...`) in patches/NAME.";
    /// An image comes from a registry outside `allow-registries`.
    ImageRegistryNotAllowed = "image-registry-not-allowed", Deny, explain = "\
An image comes from a registry that `[policy.images] allow-registries` does not list.

Fix: mirror the image into an allowed registry and point the workload at it with an `images:`
override in patches/NAME (`newName:`), or add the registry to `allow-registries`.";
    /// The images found differ from those recorded in the lock data.
    ImageDrift = "image-drift", Deny, explain = "\
The images found in upstream/NAME differ from the `images` list in the entry's lock data: the
vendored tree was edited, or the lock data is stale.

Fix: restore the vendored files (`vendor sync NAME`), and change images with an `images:`
override in patches/NAME instead.";
    /// A CustomResourceDefinition carries `.status` (Argo CD shows it OutOfSync forever).
    CrdHasStatus = "crd-has-status", Warn, explain = "\
A CustomResourceDefinition in the manifests carries a `status` field. The API server owns
`status`; Argo CD compares it and shows the CRD OutOfSync forever.

Fix: remove it in the overlay with a JSON6902 patch (`op: remove`, `path: /status`), or allow
the code in vendor.toml (`[lints] crd-has-status = \"allow\"`) when you do not use Argo CD.";
    /// An object is larger than 256 KiB (client-side apply fails on the last-applied annotation).
    ObjectTooLarge = "object-too-large", Warn, explain = "\
An object is larger than 256 KiB as JSON. Client-side `kubectl apply` stores the whole object in
the `kubectl.kubernetes.io/last-applied-configuration` annotation, which is limited to 256 KiB,
so applying it fails (`metadata.annotations: Too long`). Large CRDs are the usual case.

Fix: apply it server-side (`kubectl apply --server-side`, Argo CD `ServerSideApply=true` or
`Replace=true` on the object). When you already do, allow the code, for all entries
(`[lints] object-too-large = \"allow\"`) or one (`lints = { object-too-large = \"allow\" }` in the
entry).";
    /// A patch overlay does not build.
    OverlayBuildFailed = "overlay-build-failed", Deny, explain = "\
The Kustomize overlay patches/NAME does not build: its kustomization.yaml or a patch file is
invalid, names a file that does not exist, or uses a feature vendor does not support. Nothing
of the entry can be deployed from it.

Fix: `vendor build patches/NAME` shows the same error with its location; fix the overlay.";
    /// A patch finds no resource to apply to.
    PatchTargetMissing = "patch-target-missing", Deny, explain = "\
A patch in patches/NAME names a resource (by kind, name, namespace or `target:` selector) that
upstream no longer has: it was renamed or removed by the upstream version now vendored. The
local change is silently lost.

Fix: find where the resource went (`vendor diff NAME --to VERSION` lists renames and removals)
and retarget or delete the patch.";
    /// A patch changes nothing in the current upstream (often: upstream adopted the change).
    PatchNoOp = "patch-no-op", Warn, explain = "\
A patch applies but changes nothing: upstream already has the value it sets (often upstream
adopted the change), so the patch is dead weight that may hide a future upstream change.

Fix: delete the patch from patches/NAME, or allow the code when the patch is kept on purpose.";
    /// A strategic merge list item matched nothing by its merge key and was added.
    PatchAddsListItem = "patch-adds-list-item", Warn, explain = "\
A strategic merge patch has a list item (a container, a port, an env var) whose merge key
(`name`, `containerPort`, ...) matches no item upstream, so it was added as a new item instead
of changing the one you meant. This usually means upstream renamed the item (a port `metrics`
became `http-metrics`): the patch builds, but does not do what it did.

Fix: compare the patch's item with upstream (`vendor diff NAME --to VERSION`) and use the new
name; when adding an item is the intent, allow the code for the entry.";
    /// A JSON6902 operation failed.
    Json6902OpFailed = "json6902-op-failed", Deny, explain = "\
A JSON6902 patch operation failed: its `path` does not exist in the upstream object (or a
`test` op did not match). Upstream moved or removed the field.

Fix: `vendor build patches/NAME` shows the operation; fix its path against the new upstream.";
    /// An `images:` override in a kustomization matches no image.
    ImageOverrideUnused = "image-override-unused", Warn, explain = "\
An `images:` entry in patches/NAME/kustomization.yaml matches no image of the output: upstream
renamed the image, so the pin does nothing.

Fix: update the override's `name:` to the image upstream uses now (`vendor images NAME`), or
delete it.";
    /// A chart template calls `lookup`, which is empty in any offline render.
    ChartUsesLookup = "chart-uses-lookup", Warn, explain = "\
A chart template calls `lookup`, which reads the live cluster. Vendored charts are rendered
offline (like `helm template`), where `lookup` returns nothing, so the output may differ from
`helm install`.

Fix: check what the template does without the lookup and set the values it would have found;
allow the code for the entry once reviewed.";
    /// A chart uses random or key-generating functions: its output changes on every render.
    ChartNondeterministic = "chart-nondeterministic", Warn, explain = "\
A chart uses random or key-generating functions (`randAlphaNum`, `genCA`, ...): each render
gives other bytes, so the vendored output changes on every sync and secrets are regenerated.

Fix: set the values that make the chart use fixed or external secrets; allow the code for the
entry once reviewed.";
    /// An input of a chart's render (values file, release, namespace, kube-version, ...)
    /// differs from what the lock data recorded: the vendored files are stale.
    RenderInputChanged = "render-input-changed", Deny, explain = "\
An input of a chart's render (a values file, `release`, `namespace`, `kube-version`,
`api-versions`, `include-crds`, the Helm mode, the renderer) differs from what
`[chart.NAME.lock.render]` recorded when the chart was last rendered: the vendored files in
upstream/NAME were rendered from other inputs and are stale.

Fix: run `vendor sync NAME` to render again and record the inputs; when a values file is gone,
restore it or remove it from `values` first.";
    /// `check --render`: rendering the cached chart again does not give the vendored files.
    RenderMismatch = "render-mismatch", Deny, explain = "\
`vendor check --render` rendered the chart archive from the download cache again with the
current inputs, and a vendored file differs from the render, is missing from upstream/NAME, or
is not part of the render: upstream/NAME was edited, or the archive is not the pinned chart.

Fix: run `vendor sync NAME` to restore the rendered files, and move local changes into
patches/NAME.";
    /// `check --render` could not re-render a chart: its archive is not in the download cache.
    RenderUnverified = "render-unverified", Warn, explain = "\
`vendor check --render` could not render a chart again: the archive the lock data names (its
`digest`) is not in the download cache on this machine, so its vendored files were not
compared with a render.

Fix: run `vendor sync NAME` once on this machine (it fills the cache), then
`vendor check --render` again.";
    /// Upstream serves different bytes for the pinned version (a re-tagged release).
    UpstreamRetagged = "upstream-retagged", Deny, explain = "\
`vendor check --online` fetched the pinned version again and upstream served other bytes than
the lock data records: the release was re-tagged or tampered with.

Fix: find out why (upstream's release notes, `vendor diff NAME --to VERSION`) before running
`vendor sync`; never adopt the new bytes unreviewed.";
    /// A newer version exists within the entry's `track` range.
    Outdated = "outdated", Warn, explain = "\
`vendor check --online` found a newer version within the entry's `track` range.

Fix: `vendor update NAME` moves to it and writes a review report; allow the code when updates
are handled elsewhere (a scheduled `vendor update`).";
    /// An interrupted `vendor` run left a half-done change or temporary files in the repository.
    InterruptedWrite = "interrupted-write", Deny, explain = "\
A `vendor` run was killed while it changed the repository: .vendor/journal.json, or temporary
files (upstream/.NAME.staging-*, upstream/.NAME.old*, .vendor.toml.staging-*) are left. The
vendored trees and vendor.toml may not match each other.

Fix: run `vendor sync`: every command that writes first completes or rolls back the
interrupted change and removes what it left behind.";
    /// An image reference is malformed (distribution reference grammar: name, tag, `sha256:`
    /// digest; no controls or invisible characters).
    ImageInvalid = "image-invalid", Deny, explain = "\
An image reference does not follow the distribution reference grammar (lowercase repository
path, a tag of 1 to 128 `[A-Za-z0-9_.-]`, a `sha256:` digest of 64 lowercase hex digits), or
holds whitespace, control or invisible characters: it cannot be pulled, or it is made to look
like another image.

Fix: correct the reference with an `images:` override in patches/NAME, and report it upstream.";
    /// vendor.toml holds a `lock` table for an entry that does not exist (renamed or removed).
    OrphanLock = "orphan-lock", Warn, explain = "\
vendor.toml holds lock data (`[manifest.NAME.lock]` or `[chart.NAME.lock]`) for an entry that
has no other keys: the entry was renamed or removed and its lock table was left behind. It
describes nothing and is never updated.

Fix: run `vendor sync --prune`, which removes lock tables and upstream/ directories that belong
to no entry, or delete the table. When the entry was renamed, `vendor sync NEW-NAME` writes the
lock data of its new name.";
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

/// Level overrides of one source (`-D/-W/-A` on the command line, `[lints]`, an entry's
/// `lints`): the last one set for a code wins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LevelOverrides {
    overrides: Vec<(Code, Level)>,
}

impl LevelOverrides {
    pub fn set(&mut self, code: Code, level: Level) {
        self.overrides.retain(|(c, _)| *c != code);
        self.overrides.push((code, level));
    }

    /// The level set for `code`, if any.
    pub fn get(&self, code: Code) -> Option<Level> {
        self.overrides
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, l)| *l)
    }

    pub fn is_empty(&self) -> bool {
        self.overrides.is_empty()
    }

    /// Every override, in the order set.
    pub fn iter(&self) -> impl Iterator<Item = (Code, Level)> + '_ {
        self.overrides.iter().copied()
    }

    /// Sets each finding's level from these overrides and drops the allowed ones.
    pub fn apply(&self, findings: &mut Vec<Finding>) {
        for f in findings.iter_mut() {
            if let Some(level) = self.get(f.code) {
                f.level = level;
            }
        }
        findings.retain(|f| f.level != Level::Allow);
    }
}

/// The level of every finding, from every source, the first that sets it winning: the command
/// line (`-D/-W/-A`), the finding's entry (`lints = { ... }` in its table), vendor.toml's
/// `[lints]`, then the level the check gave it (the code's default, or what the check knows:
/// a `patch-adds-list-item` that adds a container without an image is an error).
#[derive(Debug, Clone, Default)]
pub struct Levels {
    pub command_line: LevelOverrides,
    pub entries: std::collections::BTreeMap<String, LevelOverrides>,
    pub config: LevelOverrides,
}

impl Levels {
    /// The level `f` gets.
    pub fn level_of(&self, f: &Finding) -> Level {
        self.command_line
            .get(f.code)
            .or_else(|| {
                f.entry
                    .as_ref()
                    .and_then(|e| self.entries.get(e))
                    .and_then(|o| o.get(f.code))
            })
            .or_else(|| self.config.get(f.code))
            .unwrap_or(f.level)
    }

    /// Sets each finding's level and drops the allowed ones.
    pub fn apply(&self, findings: &mut Vec<Finding>) {
        for f in findings.iter_mut() {
            f.level = self.level_of(f);
        }
        findings.retain(|f| f.level != Level::Allow);
    }
}

/// The names of `candidates` close to `name` (a misspelling, a prefix), closest first, at most
/// three: for "did you mean" help.
pub fn similar_names<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Vec<&'a str> {
    let mut scored: Vec<(usize, &'a str)> = candidates
        .into_iter()
        .filter_map(|c| {
            let d = strsim::levenshtein(name, c);
            let close = d <= 2.max(c.len() / 4);
            let prefix = name.len() >= 3 && (c.starts_with(name) || name.starts_with(c));
            (close || prefix).then_some((d, c))
        })
        .collect();
    scored.sort();
    scored.dedup();
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

/// "did you mean `a` or `b`?" for [`similar_names`], or `None` when nothing is close.
pub fn did_you_mean(names: &[&str]) -> Option<String> {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.as_slice() {
        [] => None,
        [one] => Some(format!("did you mean {one}?")),
        [init @ .., last] => Some(format!("did you mean {} or {last}?", init.join(", "))),
    }
}

/// The error for a finding code that does not exist, with the closest codes.
pub fn unknown_code_help(name: &str) -> String {
    let close = similar_names(name, Code::ALL.iter().map(|c| c.as_str()));
    match did_you_mean(&close) {
        Some(s) => format!("{s} (`vendor check --explain CODE` describes a code)"),
        None => {
            let all: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
            format!("known codes: {}", all.join(", "))
        }
    }
}

/// The text `vendor check --explain CODE` prints.
pub fn explain(code: Code) -> String {
    let level = match code.default_level() {
        Level::Deny => "error",
        Level::Warn => "warning",
        Level::Allow => "allowed",
    };
    format!(
        "{code} (default level: {level})\n\n{}\n\n{}\n\nChange its level in vendor.toml, for every entry:\n\n    [lints]\n    {code} = \"allow\"   # or \"warn\", \"deny\"\n\nor for one entry, in its table: lints = {{ {code} = \"allow\" }}; on the command line,\n`-A/-W/-D {code}` wins over both.\n",
        code.description(),
        code.explanation().trim_end(),
    )
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
    fn every_code_has_an_explanation_with_a_fix() {
        for code in Code::ALL {
            let text = code.explanation();
            assert!(
                text.len() > 80 && text.contains("\nFix: "),
                "{code}: an explanation says what the code means and has a `Fix:` paragraph"
            );
            assert!(
                text.lines().all(|l| l.chars().count() <= 100),
                "{code}: explanation lines fit a terminal"
            );
            let e = explain(*code);
            assert!(e.starts_with(&format!("{code} (default level: ")), "{e}");
            assert!(e.contains(code.description()));
        }
    }

    #[test]
    fn levels_command_line_then_entry_then_config() {
        let mut levels = Levels::default();
        levels.config.set(Code::ObjectTooLarge, Level::Allow);
        levels.config.set(Code::PatchNoOp, Level::Deny);
        let mut entry = LevelOverrides::default();
        entry.set(Code::ObjectTooLarge, Level::Deny);
        levels.entries.insert("a".into(), entry);
        levels.command_line.set(Code::PatchNoOp, Level::Warn);
        let f = |code, entry: Option<&str>| {
            let f = Finding::new(code, "m");
            match entry {
                Some(e) => f.entry(e),
                None => f,
            }
        };
        assert_eq!(
            levels.level_of(&f(Code::ObjectTooLarge, Some("a"))),
            Level::Deny
        );
        assert_eq!(
            levels.level_of(&f(Code::ObjectTooLarge, Some("b"))),
            Level::Allow
        );
        assert_eq!(
            levels.level_of(&f(Code::ObjectTooLarge, None)),
            Level::Allow
        );
        assert_eq!(levels.level_of(&f(Code::PatchNoOp, Some("a"))), Level::Warn);
        assert_eq!(
            levels.level_of(&f(Code::ImageLatest, Some("a"))),
            Level::Deny
        );
        let mut all = vec![
            f(Code::ObjectTooLarge, Some("b")),
            f(Code::ObjectTooLarge, Some("a")),
        ];
        levels.apply(&mut all);
        assert_eq!(all.len(), 1);
    }

    #[test]
    fn similar_names_by_distance_and_prefix() {
        let names = ["argocd", "argocd-ha", "metallb", "ingress-nginx"];
        assert_eq!(similar_names("metalb", names), ["metallb"]);
        assert_eq!(similar_names("argo", names), ["argocd", "argocd-ha"]);
        assert!(similar_names("zzz", names).is_empty());
        assert_eq!(
            did_you_mean(&["a", "b", "c"]).unwrap(),
            "did you mean `a`, `b` or `c`?"
        );
        assert!(
            unknown_code_help("object-to-large").starts_with("did you mean `object-too-large`?")
        );
        assert!(unknown_code_help("zzzzzz").starts_with("known codes: file-modified"));
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
