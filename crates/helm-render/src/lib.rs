//! Helm chart rendering, byte-compatible with `helm template` (Helm v3.16, or Helm v4.2 with
//! [`RenderOptions::helm_version`] = [`HelmVersion::V4`]): chart loading
//! (directories and `.tgz` archives, `.helmignore`), values (files, `--set*`, coalescing,
//! JSON schema), dependencies (conditions, tags, aliases, import-values), rendering through the
//! `gotemplate` engine with Sprig's and Helm's functions, and Helm's output (install order,
//! hooks, `# Source:` framing, `--show-only`).
//!
//! Entry points: [`template`] (the `helm template` command: Helm's stdout, stderr and exit
//! code), [`render_release`] (the rendered release) and [`render_chart`] (files in Helm's
//! `--output-dir` layout). Errors are [`HelmError`]s whose `Display` is Helm's text.
//! Functions whose output cannot be reproduced offline (`lookup`, random values, keys) are
//! reported as typed [`RenderWarning`]s; deciding what to do about them is the caller's job.
//!
//! What it deliberately does not know: any configuration of its callers (which entry maps to
//! which release name, namespace or values files is decided outside; [`RenderOptions`] is the
//! `helm template` flags), the cluster (`lookup` returns an empty map and `getHostByName` "",
//! as `helm template` does), and the network (charts are read from disk).
//!
//! The template functions are Go's builtins, Sprig's (the `sprig` crate, without
//! `env`/`expandenv`, which Helm removes) and Helm's own ([`funcs::register`]: `include`,
//! `tpl`, `required`, `fail`, `lookup`, `getHostByName`, `toYaml`, `fromYaml`,
//! `fromYamlArray`, `toToml`, `fromJson`, `fromJsonArray`, `mustFromJson`);
//! [`funcs::function_map`] is the whole map. [`govalue`] converts YAML data to and from the
//! engine's values as Helm does (values files decode numbers as float64).
//!
//! ```no_run
//! use std::path::Path;
//! use helm_render::{RenderOptions, render_release};
//!
//! let opts = RenderOptions {
//!     release: "web".into(),
//!     namespace: "apps".into(),
//!     kube_version: Some("1.31.0".into()),
//!     ..RenderOptions::default()
//! };
//! let release = render_release(Path::new("charts/ingress-nginx"), &opts)?;
//! print!("{}", release.template_text(&opts)); // what `helm template` prints
//! for w in &release.warnings {
//!     eprintln!("{} calls {} (line {})", w.template(), w.function(), w.line());
//! }
//! # Ok::<(), helm_render::HelmError>(())
//! ```
//!
//! Helm 3 and Helm 4 ([`HelmVersion`]): the default is Helm 3. Helm 4 mode reproduces Helm
//! v4.2's document splitting (trailing blank lines kept), install order (webhook
//! configurations last), value coalescing (null chart defaults dropped), capabilities
//! (Kubernetes v1.36.0, client-go 0.36's API versions, `common.*` type names), `.Chart` as a
//! map, its extra functions (`toYamlPretty`, `fromToml`, `mustToToml`, `mustToYaml`),
//! BurntSushi/toml v1.6's float format, schema error wording (santhosh-tekuri/jsonschema) and
//! multi-line execution errors. The total output of a chart is capped
//! ([`MAX_CHART_OUTPUT_BYTES`]).
//!
//! Fidelity notes: Helm replaces `<no value>` by "" in every rendered file and in `tpl`
//! output; `required`/`fail` messages become `execution error at (FILE:LINE:COL): MSG`
//! (Helm's `cleanupExecError`), parse errors `parse error at (FILE:LINE): MSG`; `include`
//! keeps Helm's per-name nesting limit (1000), and `tpl` nesting is bounded too (Helm has no
//! bound and crashes).
//!
//! Layout (no module cycles): `error`, `yamlio` (Helm's YAML decoding), `glob` and `strvals`
//! are leaves; `archive`, `ignore` -> `chart` -> `values` -> `deps`, `schema`; `manifests`
//! (sorting and framing); `govalue`, `objects` (`.Chart`, `.Files`, `.Capabilities`) and
//! `funcs` -> `engine` -> `render` -> `command`; `version` ([`HelmVersion`]) and `toml`
//! (BurntSushi/toml's encoder, `fromToml`) are leaves.

mod archive;
mod chart;
mod command;
mod deps;
mod engine;
mod error;
pub mod funcs;
mod glob;
mod gojson;
pub mod govalue;
mod ignore;
mod manifests;
mod objects;
mod render;
mod schema;
mod strvals;
mod toml;
mod values;
mod version;
mod yamlio;

pub use command::{TemplateArgs, TemplateOutput, template};
pub use engine::MAX_CHART_OUTPUT_BYTES;
pub use error::HelmError;
pub use manifests::Manifest;
pub use render::{
    DEFAULT_KUBE_VERSION, Release, RenderOptions, RenderWarning, RenderedFile, merge_user_values,
    render_chart, render_release, validate_release_name,
};
pub use version::{HelmVersion, UnknownHelmVersion};
