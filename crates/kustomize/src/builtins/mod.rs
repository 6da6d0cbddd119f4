//! kustomize's builtin plugins: the generators and transformers a kustomization's fields
//! configure, also available by kind from `generators:`, `transformers:` and `validators:`
//! entries (`apiVersion: builtin`). [`Transformer`] and [`Generator`] hold a configured
//! plugin; `configure` reads a plugin configuration object the way each plugin does
//! (leniently, unknown fields ignored).

pub(crate) mod generators;
pub(crate) mod helm;
pub(crate) mod images;
pub(crate) mod meta;
pub(crate) mod patch;
pub(crate) mod replacement;
pub(crate) mod sort;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::config::FieldSpec;
use crate::ctx::{Builder, Loader};
use crate::decode::{DResult, DecodeError, Fields};
use crate::origin::OriginAnno;
use crate::resource::Res;
use crate::types::{
    GENERATOR_FIELDS, GeneratorArgs, HELM_CHART_FIELDS, HelmChart, HelmGlobals, Image, Patch,
    Replacement, ReplacementField, Replica, Selector,
};
use crate::{Finding, FindingKind, KustomizeError, display_path, pos};
use images::{ImageTag, ReplicaCount};
use kyaml::Value;
use meta::{Affix, MapEntries, Namespace};
use patch::{PatchSource, SmPatch};

/// Where a configured plugin came from, for errors and findings.
#[derive(Debug, Clone)]
pub(crate) struct Loc {
    pub file: PathBuf,
    pub line: Option<u32>,
}

impl Loc {
    pub fn error(&self, msg: impl Into<String>) -> KustomizeError {
        KustomizeError::at(&self.file, self.line, msg)
    }
}

/// The body of a `patches:` entry.
#[derive(Debug, Clone)]
pub(crate) enum PatchBody {
    Sm(Vec<SmPatch>),
    Json(Vec<k8s_patch::json6902::Operation>),
}

/// A configured transformer.
#[derive(Debug, Clone)]
pub(crate) enum Transformer {
    /// `PatchStrategicMergeTransformer`: patches applied to the object their id names.
    PatchSm(Vec<(PatchSource, Vec<SmPatch>)>),
    /// `PatchTransformer` / `PatchJson6902Transformer`.
    Patch {
        src: PatchSource,
        body: PatchBody,
        target: Option<Selector>,
        /// `PatchTransformer` records the old id of JSON-patched objects.
        json_store_previous: bool,
    },
    Namespace(Namespace),
    Affix(Affix),
    Labels(MapEntries),
    Annotations(MapEntries),
    Replicas(ReplicaCount),
    Image(ImageTag),
    Replacement(Vec<Replacement>),
    Hash,
}

/// A transformer with where it was configured and its origin (for `buildMetadata`).
#[derive(Debug, Clone)]
pub(crate) struct Configured {
    pub t: Transformer,
    pub loc: Loc,
    pub origin: Option<OriginAnno>,
}

impl Transformer {
    pub fn apply(
        &self,
        b: &mut Builder,
        resources: &mut Vec<Res>,
        loc: &Loc,
    ) -> Result<(), KustomizeError> {
        let err = |m: String| loc.error(m);
        match self {
            Transformer::PatchSm(list) => {
                for (src, patches) in list {
                    patch::apply_sm_by_id(b, resources, src, patches)?;
                }
                Ok(())
            }
            Transformer::Patch {
                src,
                body,
                target,
                json_store_previous,
            } => match (body, target) {
                (PatchBody::Sm(patches), Some(target)) => {
                    if patches.len() > 1 {
                        return Err(err(format!(
                            "Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set `patches.target` field: {}",
                            source_label(src)
                        )));
                    }
                    for p in patches {
                        patch::apply_sm_selected(
                            b,
                            resources,
                            src,
                            p,
                            target,
                            (&loc.file, loc.line),
                        )?;
                    }
                    Ok(())
                }
                (PatchBody::Sm(patches), None) => patch::apply_sm_by_id(b, resources, src, patches),
                (PatchBody::Json(_), None) => Err(err(format!(
                    "must specify a target for JSON patch {}",
                    source_label(src)
                ))),
                (PatchBody::Json(ops), Some(target)) => patch::apply_json(
                    b,
                    resources,
                    src,
                    ops,
                    target,
                    (&loc.file, loc.line),
                    *json_store_previous,
                ),
            },
            Transformer::Namespace(n) => n.transform(resources).map_err(err),
            Transformer::Affix(a) => a.transform(resources).map_err(err),
            Transformer::Labels(l) | Transformer::Annotations(l) => {
                l.transform(resources).map_err(err)
            }
            Transformer::Replicas(r) => r.transform(resources).map_err(err),
            Transformer::Image(t) => {
                let used = t.transform(resources).map_err(err)?;
                if !used {
                    b.findings.push(
                        Finding::new(
                            FindingKind::ImageOverrideUnused,
                            format!("images entry `{}` matches no container image", t.image.name),
                        )
                        .file(display_path(&loc.file))
                        .at(pos(loc.line))
                        .help("upstream may have renamed or dropped the image; update or remove the entry"),
                    );
                }
                Ok(())
            }
            Transformer::Replacement(list) => replacement::transform(list, resources).map_err(err),
            Transformer::Hash => {
                for r in resources.iter_mut() {
                    if r.needs_hash {
                        let h = generators::hash(r);
                        r.store_previous_id();
                        let name = format!("{}-{}", r.name(), h);
                        r.set_name(&name);
                    }
                }
                Ok(())
            }
        }
    }
}

fn source_label(src: &PatchSource) -> String {
    if src.line_offset == 0 && src.line.is_none_or(|l| l <= 1) {
        format!("[path: {:?}]", display_path(&src.file))
    } else {
        format!("[patch: {:?}]", src.text)
    }
}

/// A configured generator.
#[derive(Debug, Clone)]
pub(crate) enum Generator {
    ConfigMap(GeneratorArgs),
    Secret(GeneratorArgs),
    Helm(Box<(HelmGlobals, HelmChart)>),
    /// `IAMPolicyGenerator`: (cloud, kubernetes service name, namespace, service account, project).
    Iam([String; 5]),
}

/// What a plugin configuration object configures.
pub(crate) enum Plugin {
    Transformers(Vec<Transformer>),
    Generator(Box<Generator>),
}

fn field_specs(f: &Fields) -> DResult<Vec<FieldSpec>> {
    f.list("fieldSpecs", |x| FieldSpec::decode(x, false))
}

/// Reads the patch a `patches:`-style entry names: inline text or a file.
pub(crate) fn load_patch(
    p: &Patch,
    loader: &Loader,
    loc: &Loc,
    inline_line: Option<u32>,
) -> Result<(PatchSource, PatchBody), KustomizeError> {
    let inline = p.patch.trim();
    let src = match (inline.is_empty(), p.path.is_empty()) {
        (true, true) => return Err(loc.error("must specify one of patch and path")),
        (false, false) => return Err(loc.error("patch and path can't be set at the same time")),
        (false, true) => PatchSource {
            file: loc.file.clone(),
            text: inline.to_string(),
            line_offset: inline_line.unwrap_or(0),
            line: loc.line,
        },
        (true, false) => {
            let (path, bytes) = loader.load(&p.path).map_err(|e| {
                loc.error(format!(
                    "failed to get the patch file from path({}): {}",
                    p.path, e.message
                ))
            })?;
            PatchSource {
                file: path,
                text: String::from_utf8(bytes)
                    .map_err(|_| loc.error(format!("patch file {} is not valid UTF-8", p.path)))?,
                line_offset: 0,
                line: Some(1),
            }
        }
    };
    let body = parse_patch_body(&src)?;
    Ok((src, body))
}

/// Tells a JSON patch from strategic merge patches, rejecting empty ones.
pub(crate) fn parse_patch_body(src: &PatchSource) -> Result<PatchBody, KustomizeError> {
    let comment_only = src
        .text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#') || l.trim() == "---");
    if comment_only {
        return Err(KustomizeError::at(
            &src.file,
            src.line,
            format!(
                "patch is empty: {} holds no object and no JSON patch operation",
                source_label(src)
            ),
        )
        .with_help("remove the patch entry or give it content"));
    }
    if patch::looks_like_json_patch(&src.text) {
        return Ok(PatchBody::Json(patch::parse_json(src)?));
    }
    let docs = patch::parse_sm(src)?;
    if docs.is_empty() {
        return Err(KustomizeError::at(
            &src.file,
            src.line,
            format!(
                "unable to parse SM or JSON patch from {}",
                source_label(src)
            ),
        ));
    }
    Ok(PatchBody::Sm(docs))
}

/// Configures the builtin plugin a configuration object names by kind.
pub(crate) fn configure(cfg: &Res, loader: &Loader, loc: &Loc) -> Result<Plugin, KustomizeError> {
    let kind = cfg.kind().to_string();
    let v = &cfg.value;
    let derr = |e: DecodeError| {
        loc.error(format!(
            "plugin {} fails configuration: {}",
            cfg.org_id().display(),
            e.message
        ))
    };
    let known_all = |extra: &[&'static str]| -> Vec<&'static str> {
        let mut k = vec!["apiVersion", "kind", "metadata"];
        k.extend_from_slice(extra);
        k
    };
    let t = |t: Transformer| Ok(Plugin::Transformers(vec![t]));
    match kind.as_str() {
        "PatchTransformer" => {
            let p = Patch::decode(v, false).map_err(derr)?;
            let (src, body) = load_patch(&p, loader, loc, None)?;
            let mut body = body;
            if let PatchBody::Sm(docs) = &mut body {
                for d in docs.iter_mut() {
                    d.allow_name_change = p.options.get("allowNameChange") == Some(&true);
                    d.allow_kind_change = p.options.get("allowKindChange") == Some(&true);
                }
            }
            t(Transformer::Patch {
                src,
                body,
                target: p.target,
                json_store_previous: true,
            })
        }
        "PatchJson6902Transformer" => {
            let f =
                Fields::of(v, &known_all(&["target", "path", "jsonOp"]), false).map_err(derr)?;
            let target = f
                .with("target", |x| Selector::decode(x, false))
                .map_err(derr)?;
            let p = Patch {
                path: f.string("path").map_err(derr)?,
                patch: f.string("jsonOp").map_err(derr)?,
                target,
                options: BTreeMap::new(),
            };
            json6902_transformer(&p, loader, loc, None)
        }
        "PatchStrategicMergeTransformer" => {
            let f = Fields::of(v, &known_all(&["paths", "patches"]), false).map_err(derr)?;
            let paths = f.strings("paths").map_err(derr)?;
            let inline = f.string("patches").map_err(derr)?;
            if paths.is_empty() && inline.is_empty() {
                return Err(loc.error("empty file path and empty patch content"));
            }
            let mut list = Vec::new();
            for p in &paths {
                list.push(load_sm_entry(p, loader, loc, None)?);
            }
            if !inline.is_empty() {
                let src = PatchSource {
                    file: loc.file.clone(),
                    text: inline,
                    line_offset: 0,
                    line: loc.line,
                };
                let docs = patch::parse_sm(&src)?;
                list.push((src, docs));
            }
            check_sm_not_empty(&list, &paths, loc)?;
            t(Transformer::PatchSm(list))
        }
        "NamespaceTransformer" => {
            let f = Fields::of(
                v,
                &known_all(&["fieldSpecs", "unsetOnly", "setRoleBindingSubjects"]),
                false,
            )
            .map_err(derr)?;
            let ns = v
                .path(&["metadata", "namespace"])
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            t(Transformer::Namespace(Namespace {
                namespace: ns,
                field_specs: field_specs(&f).map_err(derr)?,
                unset_only: f.boolean("unsetOnly").map_err(derr)?,
                role_binding_subjects: f.string("setRoleBindingSubjects").map_err(derr)?,
            }))
        }
        "PrefixTransformer" | "SuffixTransformer" | "PrefixSuffixTransformer" => {
            let f = Fields::of(v, &known_all(&["prefix", "suffix", "fieldSpecs"]), false)
                .map_err(derr)?;
            if f.get("fieldSpecs").is_none() {
                return Err(loc.error(format!(
                    "plugin {} fails configuration: fieldSpecs is not expected to be nil",
                    cfg.org_id().display()
                )));
            }
            let specs = field_specs(&f).map_err(derr)?;
            let mut list = Vec::new();
            if kind != "SuffixTransformer" {
                list.push(Transformer::Affix(Affix {
                    affix: f.string("prefix").map_err(derr)?,
                    field_specs: specs.clone(),
                    is_prefix: true,
                }));
            }
            if kind != "PrefixTransformer" {
                list.push(Transformer::Affix(Affix {
                    affix: f.string("suffix").map_err(derr)?,
                    field_specs: specs,
                    is_prefix: false,
                }));
            }
            Ok(Plugin::Transformers(list))
        }
        "LabelTransformer" | "AnnotationsTransformer" => {
            let key = if kind == "LabelTransformer" {
                "labels"
            } else {
                "annotations"
            };
            let f = Fields::of(v, &known_all(&[key, "fieldSpecs"]), false).map_err(derr)?;
            let entries = MapEntries {
                entries: f.string_map(key).map_err(derr)?,
                field_specs: field_specs(&f).map_err(derr)?,
            };
            t(if kind == "LabelTransformer" {
                Transformer::Labels(entries)
            } else {
                Transformer::Annotations(entries)
            })
        }
        "ImageTagTransformer" => {
            let f = Fields::of(v, &known_all(&["imageTag", "fieldSpecs"]), false).map_err(derr)?;
            let image = f
                .with("imageTag", |x| Image::decode(x, false))
                .map_err(derr)?
                .unwrap_or_default();
            t(Transformer::Image(ImageTag::new(
                image,
                field_specs(&f).map_err(derr)?,
            )))
        }
        "ReplicaCountTransformer" => {
            let f = Fields::of(v, &known_all(&["replica", "fieldSpecs"]), false).map_err(derr)?;
            let replica = f
                .with("replica", |x| Replica::decode(x, false))
                .map_err(derr)?
                .unwrap_or_default();
            t(Transformer::Replicas(ReplicaCount {
                replica,
                field_specs: field_specs(&f).map_err(derr)?,
            }))
        }
        "ReplacementTransformer" => {
            let f = Fields::of(v, &known_all(&["replacements"]), false).map_err(derr)?;
            let list = f
                .list("replacements", |x| ReplacementField::decode(x, false))
                .map_err(derr)?;
            t(Transformer::Replacement(load_replacements(
                &list, loader, loc,
            )?))
        }
        "HashTransformer" => t(Transformer::Hash),
        "ConfigMapGenerator" | "SecretGenerator" => {
            let secret = kind == "SecretGenerator";
            let known = known_all(&GENERATOR_FIELDS);
            let f = Fields::of(v, &known, false).map_err(derr)?;
            let mut args = GeneratorArgs::from_fields(&f, false).map_err(derr)?;
            if args.name.is_empty() {
                args.name = cfg.name().to_string();
            }
            if args.namespace.is_empty() {
                args.namespace = cfg.namespace().to_string();
            }
            Ok(Plugin::Generator(Box::new(if secret {
                Generator::Secret(args)
            } else {
                Generator::ConfigMap(args)
            })))
        }
        "HelmChartInflationGenerator" => {
            let mut known = known_all(&HELM_CHART_FIELDS);
            known.extend(["chartHome", "configHome"]);
            let f = Fields::of(v, &known, false).map_err(derr)?;
            let chart = HelmChart::from_fields(&f).map_err(derr)?;
            let globals = HelmGlobals {
                chart_home: f.string("chartHome").map_err(derr)?,
            };
            let g = Generator::Helm(Box::new((globals, chart)));
            Ok(Plugin::Generator(Box::new(g)))
        }
        "IAMPolicyGenerator" => {
            let f = Fields::of(
                v,
                &known_all(&["cloud", "kubernetesService", "serviceAccount"]),
                false,
            )
            .map_err(derr)?;
            let sub = |field: &str, keys: &[&'static str]| -> Result<Vec<String>, DecodeError> {
                let Some(x) = f.get(field) else {
                    return Ok(vec![String::new(); keys.len()]);
                };
                let sf = Fields::of(x, keys, false)?;
                keys.iter().map(|k| sf.string(k)).collect()
            };
            let ks = sub("kubernetesService", &["name", "namespace"]).map_err(derr)?;
            let sa = sub("serviceAccount", &["name", "projectId"]).map_err(derr)?;
            Ok(Plugin::Generator(Box::new(Generator::Iam([
                f.string("cloud").map_err(derr)?,
                ks[0].clone(),
                ks[1].clone(),
                sa[0].clone(),
                sa[1].clone(),
            ]))))
        }
        "SortOrderTransformer" | "ValueAddTransformer" => Err(loc
            .error(format!("unable to load builtin {}", cfg.gvk().display()))
            .with_help(if kind == "SortOrderTransformer" {
                "use `sortOptions:` in the top-level kustomization instead"
            } else {
                "express the change with a patch or a replacement"
            })),
        _ => Err(loc.error(format!("unable to load builtin {}", cfg.gvk().display()))),
    }
}

/// A `patchesStrategicMerge` entry: inline objects, or a file of them.
pub(crate) fn load_sm_entry(
    entry: &str,
    loader: &Loader,
    loc: &Loc,
    inline_line: Option<u32>,
) -> Result<(PatchSource, Vec<SmPatch>), KustomizeError> {
    let inline = PatchSource {
        file: loc.file.clone(),
        text: entry.to_string(),
        line_offset: inline_line.unwrap_or(0),
        line: loc.line,
    };
    if let Ok(docs) = patch::parse_sm(&inline)
        && !docs.is_empty()
    {
        return Ok((inline, docs));
    }
    let (path, bytes) = loader.load(entry).map_err(|e| {
        loc.error(e.message).with_help(
            "patchesStrategicMerge entries are files of patches, or inline patch objects",
        )
    })?;
    let src = PatchSource {
        file: path,
        text: String::from_utf8(bytes)
            .map_err(|_| loc.error(format!("patch file {entry} is not valid UTF-8")))?,
        line_offset: 0,
        line: None,
    };
    let docs = patch::parse_sm(&src)?;
    Ok((src, docs))
}

/// kustomize's `PatchStrategicMergeTransformer` refuses a configuration whose patches are
/// all empty (empty or comment-only files and texts).
pub(crate) fn check_sm_not_empty(
    list: &[(PatchSource, Vec<SmPatch>)],
    entries: &[String],
    loc: &Loc,
) -> Result<(), KustomizeError> {
    if list.iter().all(|(_, docs)| docs.is_empty()) {
        return Err(loc
            .error(format!(
                "patch appears to be empty; files=[{}]",
                entries.join(" ")
            ))
            .with_help("give the patch content, or remove it from the kustomization"));
    }
    Ok(())
}

/// A `patchesJson6902` entry (`PatchJson6902Transformer`).
pub(crate) fn json6902_transformer(
    p: &Patch,
    loader: &Loader,
    loc: &Loc,
    inline_line: Option<u32>,
) -> Result<Plugin, KustomizeError> {
    if p.target.as_ref().is_none_or(|t| t.id.name.is_empty()) {
        return Err(loc.error("must specify the target name"));
    }
    if p.path.is_empty() && p.patch.is_empty() {
        return Err(loc.error("empty file path and empty jsonOp"));
    }
    if !p.path.is_empty() && !p.patch.is_empty() {
        return Err(loc.error("must specify a file path or jsonOp, not both"));
    }
    let (src, _) = if p.path.is_empty() {
        (
            PatchSource {
                file: loc.file.clone(),
                text: p.patch.clone(),
                line_offset: inline_line.unwrap_or(0),
                line: loc.line,
            },
            (),
        )
    } else {
        let (path, bytes) = loader.load(&p.path).map_err(|e| loc.error(e.message))?;
        (
            PatchSource {
                file: path,
                text: String::from_utf8(bytes)
                    .map_err(|_| loc.error(format!("patch file {} is not valid UTF-8", p.path)))?,
                line_offset: 0,
                line: Some(1),
            },
            (),
        )
    };
    if src.text.trim().is_empty() {
        return Err(src_error(
            &src,
            format!("patch file '{}' empty seems to be empty", p.path),
        ));
    }
    let ops = patch::parse_json(&src)?;
    if ops.is_empty() {
        return Err(src_error(
            &src,
            format!(
                "patch appears to be empty; file={}, JsonOp={}",
                p.path, p.patch
            ),
        ));
    }
    Ok(Plugin::Transformers(vec![Transformer::Patch {
        src,
        body: PatchBody::Json(ops),
        target: p.target.clone(),
        json_store_previous: false,
    }]))
}

fn src_error(src: &PatchSource, msg: String) -> KustomizeError {
    KustomizeError::at(&src.file, src.line, msg)
}

/// Resolves `path:` replacement entries (a file with one replacement or a list of them).
pub(crate) fn load_replacements(
    list: &[ReplacementField],
    loader: &Loader,
    loc: &Loc,
) -> Result<Vec<Replacement>, KustomizeError> {
    let mut out = Vec::new();
    for r in list {
        if r.path.is_empty() {
            out.push(r.replacement.clone());
            continue;
        }
        if r.replacement.source.is_some() || r.replacement.targets.is_some() {
            return Err(loc.error("cannot specify both path and inline replacement"));
        }
        let (path, bytes) = loader.load(&r.path).map_err(|e| loc.error(e.message))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| loc.error(format!("{} is not valid UTF-8", r.path)))?;
        let v = kyaml::parse_one(&text, kyaml::Dialect::Helm)
            .map_err(|e| KustomizeError::yaml(&path, &e))?;
        let perr = |e: DecodeError| {
            let line = kyaml::locate(&text, 0, &e.locate_path()).map(|p| p.line);
            KustomizeError::at(&path, line, format!("invalid replacement: {}", e.message))
        };
        match &v {
            Value::Seq(_) => out
                .extend(crate::decode::list(&v, |x| Replacement::decode(x, false)).map_err(perr)?),
            Value::Map(_) => out.push(Replacement::decode(&v, false).map_err(perr)?),
            other => {
                return Err(KustomizeError::at(
                    &path,
                    None,
                    format!(
                        "unsupported replacement type encountered within replacement path: {}",
                        other.type_name()
                    ),
                ));
            }
        }
    }
    Ok(out)
}
