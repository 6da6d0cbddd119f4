//! Transformers and validators of one kustomization: its builtin transformer fields in
//! kustomize's order, then the `transformers:` list (builtin kinds by name, configuration
//! files and transformer directories), then `validators:`.

use super::{Acc, Builder, Loader, append_all, custom_plugin_origin, is_empty_object};
use crate::KustomizeError;
use crate::builtins::{self, Configured, Loc, Plugin, Transformer};
use crate::config::{FieldSpec, TransformerConfig, merge_all};
use crate::kustomization::Kustomization;
use crate::origin::OriginAnno;
use crate::resource::Res;
use kyaml::PathSeg;

impl Builder<'_> {
    /// The configuration objects a `generators:`/`transformers:`/`validators:` list names:
    /// inline objects, files, or kustomization directories (whose own transformations apply).
    pub(super) fn plugin_configs(
        &mut self,
        k: &Kustomization,
        loader: &Loader,
        origin: Option<&OriginAnno>,
        entries: &[String],
        field: &str,
    ) -> Result<Vec<(Res, Loc)>, KustomizeError> {
        let mut acc = Acc::default();
        let mut locs: Vec<Loc> = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            let line = k.entry_line(field, i);
            let loc = Loc {
                file: k.file.clone(),
                line,
            };
            if let Ok(mut inline) = crate::files::resources_from_text(&k.file, entry)
                && !inline.is_empty()
                && entry.contains(':')
            {
                for r in &mut inline {
                    r.origin.line = line.unwrap_or(1);
                    if let Some(o) = origin {
                        r.origin_anno = Some(o.append(&k.file_name));
                    }
                }
                let n = inline.len();
                append_all(&mut acc.res, inline, k, line)?;
                locs.extend(std::iter::repeat_n(loc, n));
                continue;
            }
            let before = acc.res.len();
            self.accumulate_resource(k, loader, origin, entry, &|| line, &mut acc)?;
            let n = acc.res.len() - before;
            locs.extend(std::iter::repeat_n(loc, n));
        }
        let mut out = Vec::new();
        for (r, loc) in acc.res.into_iter().zip(locs) {
            let gvk = r.gvk();
            if !(gvk.group.is_empty() && gvk.version == "builtin") {
                return Err(loc
                    .error(format!(
                        "external plugins disabled; unable to load external plugin '{}' ({})",
                        gvk.kind,
                        r.org_id().display()
                    ))
                    .with_help("vendor build runs kustomize's builtin plugins only (apiVersion: builtin); run the plugin yourself and vendor its output, or express the change with patches and replacements"));
            }
            out.push((r, loc));
        }
        Ok(out)
    }

    fn builtin_transformers(
        &self,
        k: &Kustomization,
        loader: &Loader,
        origin: Option<&OriginAnno>,
        tc: &TransformerConfig,
    ) -> Result<Vec<Configured>, KustomizeError> {
        let mut out: Vec<Configured> = Vec::new();
        let push = |out: &mut Vec<Configured>, kind: &str, t: Transformer, loc: Loc| {
            out.push(Configured {
                t,
                loc,
                origin: origin.map(|o| OriginAnno::builtin(o, &k.file_name, kind)),
            });
        };
        let at = |field: &str, i: Option<usize>| Loc {
            file: k.file.clone(),
            line: match i {
                Some(i) => k.entry_line(field, i),
                None => k.line_of(&[PathSeg::Key(field)]),
            },
        };
        if !k.patches_strategic_merge.is_empty() {
            let mut list = Vec::new();
            for (i, entry) in k.patches_strategic_merge.iter().enumerate() {
                let loc = at("patchesStrategicMerge", Some(i));
                let inline_line = loc.line;
                list.push(builtins::load_sm_entry(entry, loader, &loc, inline_line)?);
            }
            builtins::check_sm_not_empty(
                &list,
                &k.patches_strategic_merge,
                &at("patchesStrategicMerge", None),
            )?;
            push(
                &mut out,
                "PatchStrategicMergeTransformer",
                Transformer::PatchSm(list),
                at("patchesStrategicMerge", None),
            );
        }
        for (i, p) in k.patches.iter().enumerate() {
            let loc = at("patches", Some(i));
            let value_line = k.line_of(&[
                PathSeg::Key("patches"),
                PathSeg::Index(i),
                PathSeg::Key("patch"),
            ]);
            let (src, mut body) = builtins::load_patch(p, loader, &loc, value_line)?;
            if let builtins::PatchBody::Sm(docs) = &mut body {
                for d in docs.iter_mut() {
                    d.allow_name_change = p.options.get("allowNameChange") == Some(&true);
                    d.allow_kind_change = p.options.get("allowKindChange") == Some(&true);
                }
            }
            push(
                &mut out,
                "PatchTransformer",
                Transformer::Patch {
                    src,
                    body,
                    target: p.target.clone(),
                    json_store_previous: true,
                },
                loc,
            );
        }
        if !k.namespace.is_empty() {
            push(
                &mut out,
                "NamespaceTransformer",
                Transformer::Namespace(builtins::meta::Namespace {
                    namespace: k.namespace.clone(),
                    field_specs: tc.namespace.clone(),
                    ..Default::default()
                }),
                at("namespace", None),
            );
        }
        for (affix, is_prefix, specs, kind, field) in [
            (
                &k.name_prefix,
                true,
                &tc.name_prefix,
                "PrefixTransformer",
                "namePrefix",
            ),
            (
                &k.name_suffix,
                false,
                &tc.name_suffix,
                "SuffixTransformer",
                "nameSuffix",
            ),
        ] {
            if !affix.is_empty() {
                push(
                    &mut out,
                    kind,
                    Transformer::Affix(builtins::meta::Affix {
                        affix: affix.clone(),
                        field_specs: specs.clone(),
                        is_prefix,
                    }),
                    at(field, None),
                );
            }
        }
        if !k.labels.is_empty() || !k.common_labels.is_empty() {
            for (i, label) in k.labels.iter().enumerate() {
                let loc = at("labels", Some(i));
                let mut fss: Vec<FieldSpec> = label.fields.clone();
                let merge = |fss: &mut Vec<FieldSpec>, more: &[FieldSpec]| {
                    merge_all(fss, more)
                        .map_err(|m| loc.error(format!("failed to merge labels: {m}")))
                };
                merge(&mut fss, &tc.labels)?;
                if label.include_selectors {
                    merge(&mut fss, &tc.common_labels)?;
                } else {
                    if label.include_templates {
                        merge(&mut fss, &tc.template_labels)?;
                    }
                    merge(&mut fss, &[FieldSpec::new("metadata/labels", true)])?;
                }
                push(
                    &mut out,
                    "LabelTransformer",
                    Transformer::Labels(builtins::meta::MapEntries {
                        entries: label.pairs.clone(),
                        field_specs: fss,
                    }),
                    loc,
                );
            }
            push(
                &mut out,
                "LabelTransformer",
                Transformer::Labels(builtins::meta::MapEntries {
                    entries: k.common_labels.clone(),
                    field_specs: tc.common_labels.clone(),
                }),
                at("commonLabels", None),
            );
        }
        if !k.common_annotations.is_empty() {
            push(
                &mut out,
                "AnnotationsTransformer",
                Transformer::Annotations(builtins::meta::MapEntries {
                    entries: k.common_annotations.clone(),
                    field_specs: tc.common_annotations.clone(),
                }),
                at("commonAnnotations", None),
            );
        }
        for (i, p) in k.patches_json6902.iter().enumerate() {
            let loc = at("patchesJson6902", Some(i));
            let value_line = k.line_of(&[
                PathSeg::Key("patchesJson6902"),
                PathSeg::Index(i),
                PathSeg::Key("patch"),
            ]);
            if let Plugin::Transformers(ts) =
                builtins::json6902_transformer(p, loader, &loc, value_line)?
            {
                for t in ts {
                    push(&mut out, "PatchJson6902Transformer", t, loc.clone());
                }
            }
        }
        for (i, r) in k.replicas.iter().enumerate() {
            push(
                &mut out,
                "ReplicaCountTransformer",
                Transformer::Replicas(builtins::images::ReplicaCount {
                    replica: r.clone(),
                    field_specs: tc.replicas.clone(),
                }),
                at("replicas", Some(i)),
            );
        }
        for (i, img) in k.images.iter().enumerate() {
            push(
                &mut out,
                "ImageTagTransformer",
                Transformer::Image(builtins::images::ImageTag::new(
                    img.clone(),
                    tc.images.clone(),
                )),
                at("images", Some(i)),
            );
        }
        if !k.replacements.is_empty() {
            let loc = at("replacements", None);
            let list = builtins::load_replacements(&k.replacements, loader, &loc)?;
            push(
                &mut out,
                "ReplacementTransformer",
                Transformer::Replacement(list),
                loc,
            );
        }
        Ok(out)
    }

    fn external_transformers(
        &mut self,
        k: &Kustomization,
        loader: &Loader,
        origin: Option<&OriginAnno>,
        entries: &[String],
        field: &str,
    ) -> Result<Vec<Configured>, KustomizeError> {
        let mut out = Vec::new();
        for (cfg, loc) in self.plugin_configs(k, loader, origin, entries, field)? {
            let plugin_origin = custom_plugin_origin(&cfg);
            match builtins::configure(&cfg, loader, &loc)? {
                Plugin::Transformers(ts) => {
                    for t in ts {
                        out.push(Configured {
                            t,
                            loc: loc.clone(),
                            origin: plugin_origin.clone(),
                        });
                    }
                }
                Plugin::Generator(_) => {
                    return Err(loc.error(format!(
                        "plugin {} not a transformer",
                        cfg.org_id().display()
                    )));
                }
            }
        }
        Ok(out)
    }

    pub(super) fn run_transformers(
        &mut self,
        k: &Kustomization,
        loader: &Loader,
        origin: Option<&OriginAnno>,
        acc: &mut Acc,
    ) -> Result<(), KustomizeError> {
        let mut list = self.builtin_transformers(k, loader, origin, &acc.config)?;
        list.extend(self.external_transformers(
            k,
            loader,
            origin,
            &k.transformers,
            "transformers",
        )?);
        for c in list {
            c.t.apply(self, &mut acc.res, &c.loc)?;
            if let Some(o) = &c.origin {
                for r in &mut acc.res {
                    if r.origin_anno.is_none() {
                        r.origin_anno = Some(o.clone());
                    } else {
                        r.transformations.push(o.clone());
                    }
                }
            }
            acc.res.retain(|r| !is_empty_object(&r.value));
        }
        Ok(())
    }

    pub(super) fn run_validators(
        &mut self,
        k: &Kustomization,
        loader: &Loader,
        origin: Option<&OriginAnno>,
        acc: &Acc,
    ) -> Result<(), KustomizeError> {
        if k.validators.is_empty() {
            return Ok(());
        }
        let list = self.external_transformers(k, loader, origin, &k.validators, "validators")?;
        for c in list {
            let mut copy = acc.res.clone();
            c.t.apply(self, &mut copy, &c.loc)?;
            for r in &mut copy {
                let mut labels = r.meta_map("labels");
                if labels.remove("validated-by").is_some() {
                    r.set_meta_map("labels", &labels);
                }
            }
            let same = copy.len() == acc.res.len()
                && copy.iter().zip(&acc.res).all(|(a, b)| a.value == b.value);
            if !same {
                return Err(c.loc.error("validator shouldn't modify the resource map"));
            }
        }
        Ok(())
    }
}
