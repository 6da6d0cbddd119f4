//! Generators of one kustomization: its builtin generator fields (configMapGenerator,
//! secretGenerator, helmCharts) and the `generators:` list, merged into the accumulated objects.

use super::{Acc, Builder, Loader, custom_plugin_origin};
use crate::builtins::{self, Generator, Loc, Plugin};
use crate::kustomization::Kustomization;
use crate::origin::OriginAnno;
use crate::resource::Res;
use crate::{KustomizeError, display_path};

impl Builder<'_> {
    pub(super) fn builtin_origin(
        &self,
        k: &Kustomization,
        origin: Option<&OriginAnno>,
        kind: &str,
    ) -> Option<OriginAnno> {
        origin.map(|o| OriginAnno::builtin(o, &k.file_name, kind))
    }

    pub(super) fn run_generators(
        &mut self,
        k: &Kustomization,
        loader: &Loader,
        origin: Option<&OriginAnno>,
        acc: &mut Acc,
    ) -> Result<(), KustomizeError> {
        let mut gens: Vec<(Generator, Loc, Option<OriginAnno>)> = Vec::new();
        for (field, secret) in [("configMapGenerator", false), ("secretGenerator", true)] {
            let list = if secret {
                &k.secret_generator
            } else {
                &k.config_map_generator
            };
            for (i, args) in list.iter().enumerate() {
                let mut args = args.clone();
                args.options = crate::types::GeneratorOptions::merge_global(
                    args.options.as_ref(),
                    k.generator_options.as_ref(),
                );
                let loc = Loc {
                    file: k.file.clone(),
                    line: k.entry_line(field, i),
                };
                let kind = if secret {
                    "SecretGenerator"
                } else {
                    "ConfigMapGenerator"
                };
                let g = if secret {
                    Generator::Secret(args)
                } else {
                    Generator::ConfigMap(args)
                };
                gens.push((g, loc, self.builtin_origin(k, origin, kind)));
            }
        }
        let globals = k.helm_globals.clone().unwrap_or_default();
        for (i, chart) in k.helm_charts.iter().enumerate() {
            let loc = Loc {
                file: k.file.clone(),
                line: k
                    .entry_line("helmCharts", i)
                    .or_else(|| k.entry_line("helmChartInflationGenerator", i)),
            };
            gens.push((
                Generator::Helm(Box::new((globals.clone(), chart.clone()))),
                loc,
                self.builtin_origin(k, origin, "HelmChartInflationGenerator"),
            ));
        }
        for (cfg, loc) in self.plugin_configs(k, loader, origin, &k.generators, "generators")? {
            let plugin_origin = custom_plugin_origin(&cfg);
            match builtins::configure(&cfg, loader, &loc)? {
                Plugin::Generator(g) => gens.push((*g, loc, plugin_origin)),
                Plugin::Transformers(_) => {
                    return Err(loc.error(format!(
                        "failed to load generator: plugin {} not a generator",
                        cfg.org_id().display()
                    )));
                }
            }
        }
        for (g, loc, gen_origin) in gens {
            let produced = self.generate(k, loader, &g, &loc)?;
            for mut r in produced {
                if r.origin_anno.is_none() {
                    r.origin_anno = gen_origin.clone();
                }
                crate::resmap::absorb(&mut acc.res, r).map_err(|m| loc.error(m))?;
            }
        }
        Ok(())
    }

    fn generate(
        &mut self,
        k: &Kustomization,
        loader: &Loader,
        g: &Generator,
        loc: &Loc,
    ) -> Result<Vec<Res>, KustomizeError> {
        let origin = crate::resource::Origin {
            file: display_path(&loc.file),
            line: loc.line.unwrap_or(1),
            doc_index: 0,
        };
        match g {
            Generator::ConfigMap(args) | Generator::Secret(args) => {
                let secret = matches!(g, Generator::Secret(_));
                builtins::generators::generate(args, secret, loader, origin)
                    .map(|r| vec![r])
                    .map_err(|m| loc.error(m))
            }
            Generator::Helm(b) => builtins::helm::generate(self, k, loader, &b.0, &b.1, loc),
            Generator::Iam([cloud, ks_name, ks_ns, sa_name, project]) => {
                if cloud != "gke" {
                    return Err(loc.error(format!("cloud provider {cloud} not supported yet")));
                }
                let mut text = format!(
                    "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  annotations:\n    iam.gke.io/gcp-service-account: {sa_name}@{project}.iam.gserviceaccount.com\n  name: {ks_name}\n"
                );
                if !ks_ns.is_empty() {
                    text.push_str(&format!("  namespace: {ks_ns}\n"));
                }
                crate::files::resources_from_text(&loc.file, &text)
            }
        }
    }
}
