//! Object-aware diff: pairs objects by [`ResourceKey`] (API group, kind, namespace, name), not by
//! file position, so upstream reordering or file splits are not drift; then diffs each pair field
//! by field ([`field`]), derives the review [`highlights`] (images, CRDs, RBAC, pod security,
//! webhooks, deprecated APIs) and leaves rendering to the caller.
//!
//! Loading files is `kyaml::manifest`'s job ([`Object::from_resource`]); fetching upstream versions
//! and vendor.toml settings are the callers' business: [`diff`] takes two object sets and
//! [`Options`].
//!
//! ```
//! let parse = |text: &str, file: &str| {
//!     let rs = kyaml::manifest::parse(text, file, Default::default()).unwrap();
//!     kdiff::Object::from_resources(rs)
//! };
//! let old = parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: x}\n", "old");
//! let new = parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: y}\n", "new");
//! let report = kdiff::diff(&old, &new, &kdiff::Options::default());
//! assert_eq!(report.summary.modified, 1);
//! ```

pub mod field;
pub mod highlights;
pub mod merge_key;
pub mod normalize;
pub mod path;

use std::collections::HashMap;
use std::fmt;

use rayon::prelude::*;

pub use field::{Change, ChangeKind};
pub use highlights::{Category, Highlight, Severity};
use kyaml::Value;
pub use normalize::{NoiseFilter, Pattern};
pub use path::{FieldPath, Seg};

/// The identity of a Kubernetes object. The API version is deliberately not part of it: the same
/// object served under a new version is a change, not a removal plus an addition.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceKey {
    /// API group, empty for the core group.
    pub group: String,
    pub kind: String,
    /// Empty for cluster-scoped objects and for namespaced objects that leave it to the apply.
    pub namespace: String,
    pub name: String,
}

impl ResourceKey {
    /// The key of a decoded object, or `None` when it is not a Kubernetes object.
    pub fn of(value: &Value) -> Option<ResourceKey> {
        let api_version = value.get("apiVersion")?.as_str()?;
        let kind = value.get("kind")?.as_str()?;
        let meta = value.get("metadata");
        let field = |k: &str| {
            meta.and_then(|m| m.get(k))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        Some(ResourceKey {
            group: group_of(api_version).to_string(),
            kind: kind.to_string(),
            namespace: field("namespace"),
            name: field("name"),
        })
    }
}

/// `Kind/namespace/name`, or `Kind/name` without a namespace (the form of `Finding::resource`).
impl fmt::Display for ResourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{}/{}", self.kind, self.name)
        } else {
            write!(f, "{}/{}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// The group part of an `apiVersion` (`apps/v1` -> `apps`, `v1` -> ``).
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// Where a resource was read from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Origin {
    /// Path as given by the user (or relative to the directory given), `-` for stdin.
    pub file: String,
    /// 1-based line of the document start, when known.
    pub line: Option<u32>,
}

/// One Kubernetes object as the diff sees it: its identity, API version, content and origin.
/// Built from a loaded manifest resource ([`Object::from_resource`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    pub key: ResourceKey,
    pub api_version: String,
    /// The content, with Secret values masked once [`prepare`]d (unless `show_secrets`).
    pub value: Value,
    pub origin: Origin,
    /// The content before masking, when masking changed it: what the diff compares.
    unmasked: Option<Unmasked>,
}

/// Unmasked content, kept out of `Debug` output.
#[derive(Clone, PartialEq)]
struct Unmasked(Box<Value>);

impl fmt::Debug for Unmasked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<hidden>")
    }
}

impl Object {
    /// The object of a loaded resource; `None` when it has no `apiVersion`/`kind`.
    pub fn from_resource(r: kyaml::manifest::Resource) -> Option<Object> {
        let origin = Origin {
            file: r.file,
            line: Some(r.start.line),
        };
        Object::new(r.value, origin)
    }

    /// Objects of loaded resources, skipping what is not a Kubernetes object.
    pub fn from_resources(rs: Vec<kyaml::manifest::Resource>) -> Vec<Object> {
        rs.into_iter().filter_map(Object::from_resource).collect()
    }

    /// Wraps a decoded object; `None` when it has no `apiVersion`/`kind`.
    pub fn new(value: Value, origin: Origin) -> Option<Object> {
        let key = ResourceKey::of(&value)?;
        let api_version = value.get("apiVersion")?.as_str()?.to_string();
        Some(Object {
            key,
            api_version,
            value,
            origin,
            unmasked: None,
        })
    }

    /// The content the diff compares: unmasked, so a hidden value that changed is a change.
    pub(crate) fn compared(&self) -> &Value {
        self.unmasked.as_ref().map_or(&self.value, |u| &u.0)
    }

    pub(crate) fn is_masked(&self) -> bool {
        self.unmasked.is_some()
    }
}

/// What to compare and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Paths, labels and annotations left out of the comparison.
    pub noise: NoiseFilter,
    /// Show Secret values (`data`, `stringData`, serialized Secrets in any string) instead of
    /// masking them.
    pub show_secrets: bool,
    /// Pair removed and added objects of the same kind whose content is at least this similar
    /// (0.0..=1.0) as renames. `None` disables rename detection.
    pub rename_threshold: Option<f64>,
    /// Kubernetes version (`1.31` or `1.31.0`) for the deprecated-API highlights; `None` flags every
    /// API version that is deprecated in any known release.
    pub kube_version: Option<String>,
    /// Label keys whose churn is summarised: a modified resource whose only changes are to these
    /// labels (in any `metadata` of the object, pod templates included) goes to
    /// [`DiffReport::label_churn`] instead of [`DiffReport::resources`]. Empty: none.
    pub summarize_labels: Vec<Pattern>,
}

/// How a resource differs between the two sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Added,
    Removed,
    Modified,
    /// Paired by similarity under a new name (only with rename detection).
    Renamed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Added => "added",
            Status::Removed => "removed",
            Status::Modified => "modified",
            Status::Renamed => "renamed",
        }
    }
}

/// One resource that differs.
#[derive(Debug, Clone)]
pub struct ResourceDiff<'a> {
    pub status: Status,
    pub old: Option<&'a Object>,
    pub new: Option<&'a Object>,
    /// Field-level changes (empty for added and removed resources).
    pub changes: Vec<Change>,
    /// For renames: how similar the two objects are (0.0..=1.0).
    pub similarity: Option<f64>,
}

impl ResourceDiff<'_> {
    /// The key the diff is shown under: the new side's, else the old side's.
    pub fn key(&self) -> &ResourceKey {
        self.new
            .or(self.old)
            .map(|r| &r.key)
            .expect("a resource diff has a side")
    }
}

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub added: usize,
    pub removed: usize,
    pub modified: usize,
    pub renamed: usize,
    pub unchanged: usize,
}

impl Summary {
    pub fn total_changed(&self) -> usize {
        self.added + self.removed + self.modified + self.renamed
    }
}

/// The result of [`diff`]: what differs, resource by resource, and what a reviewer should look at.
#[derive(Debug, Clone)]
pub struct DiffReport<'a> {
    /// Changed resources, ordered by key (group, kind, namespace, name).
    pub resources: Vec<ResourceDiff<'a>>,
    pub highlights: Vec<Highlight>,
    pub summary: Summary,
    /// Objects that appear more than once on one side (only the first is compared).
    pub duplicates: Vec<ResourceKey>,
    /// Modified resources whose only changes are to the labels of
    /// [`Options::summarize_labels`] (counted in `summary.modified`, not in `resources`).
    pub label_churn: LabelChurn<'a>,
}

/// Resources that changed nothing but summarised labels (`helm.sh/chart`,
/// `app.kubernetes.io/version`: what every chart bump changes everywhere).
#[derive(Debug, Clone, Default)]
pub struct LabelChurn<'a> {
    /// Ordered by key, as [`DiffReport::resources`].
    pub resources: Vec<ResourceDiff<'a>>,
    /// The label keys that changed in them, sorted.
    pub labels: Vec<String>,
}

impl LabelChurn<'_> {
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }
}

impl DiffReport<'_> {
    pub fn has_differences(&self) -> bool {
        self.summary.total_changed() > 0
    }
}

/// Prepares a side for comparison: drops noise (status, managedFields, ignored labels...) and
/// masks Secret values per `opts`. Call it on both sides before [`diff`].
pub fn prepare(resources: &mut [Object], opts: &Options) {
    resources
        .par_iter_mut()
        .for_each(|r| normalize::normalize(r, &opts.noise, opts.show_secrets));
}

/// Compares two prepared resource sets.
pub fn diff<'a>(old: &'a [Object], new: &'a [Object], opts: &Options) -> DiffReport<'a> {
    let mut duplicates = Vec::new();
    let old_index = index_by_key(old, &mut duplicates);
    let new_index = index_by_key(new, &mut duplicates);

    let mut pairs: Vec<(Option<usize>, Option<usize>, Option<f64>)> = Vec::new();
    let mut old_paired = vec![false; old.len()];
    let mut new_unpaired: Vec<usize> = Vec::new();
    for (key, &ni) in &new_index {
        match old_index.get(key) {
            Some(&oi) => {
                old_paired[oi] = true;
                pairs.push((Some(oi), Some(ni), None));
            }
            None => new_unpaired.push(ni),
        }
    }
    let mut old_unpaired: Vec<usize> = old_index
        .values()
        .copied()
        .filter(|&oi| !old_paired[oi])
        .collect();
    old_unpaired.sort_unstable();
    new_unpaired.sort_unstable();

    pair_group_moves(old, new, &mut old_unpaired, &mut new_unpaired, &mut pairs);
    if let Some(threshold) = opts.rename_threshold {
        pair_renames(
            old,
            new,
            threshold,
            &mut old_unpaired,
            &mut new_unpaired,
            &mut pairs,
        );
    }
    pairs.extend(old_unpaired.into_iter().map(|oi| (Some(oi), None, None)));
    pairs.extend(new_unpaired.into_iter().map(|ni| (None, Some(ni), None)));

    let mut diffs: Vec<ResourceDiff<'a>> = pairs
        .into_par_iter()
        .filter_map(|(oi, ni, similarity)| {
            let o = oi.map(|i| &old[i]);
            let n = ni.map(|i| &new[i]);
            match (o, n) {
                (Some(o), Some(n)) => {
                    let mut changes = field::diff_objects(o, n);
                    changes.retain(|c| !opts.noise.ignores(c));
                    if o.is_masked() || n.is_masked() {
                        changes
                            .iter_mut()
                            .for_each(|c| normalize::mask_change(c, o, n));
                    }
                    let status = if o.key != n.key && o.key.group == n.key.group {
                        Status::Renamed
                    } else if changes.is_empty() {
                        return None;
                    } else {
                        Status::Modified
                    };
                    Some(ResourceDiff {
                        status,
                        old: Some(o),
                        new: Some(n),
                        changes,
                        similarity,
                    })
                }
                (Some(_), None) => Some(ResourceDiff {
                    status: Status::Removed,
                    old: o,
                    new: None,
                    changes: Vec::new(),
                    similarity: None,
                }),
                (None, Some(_)) => Some(ResourceDiff {
                    status: Status::Added,
                    old: None,
                    new: n,
                    changes: Vec::new(),
                    similarity: None,
                }),
                (None, None) => None,
            }
        })
        .collect();
    diffs.sort_by(|a, b| a.key().cmp(b.key()).then(a.status.cmp(&b.status)));

    let mut summary = Summary::default();
    for d in &diffs {
        match d.status {
            Status::Added => summary.added += 1,
            Status::Removed => summary.removed += 1,
            Status::Modified => summary.modified += 1,
            Status::Renamed => summary.renamed += 1,
        }
    }
    let paired = new_index
        .keys()
        .filter(|k| old_index.contains_key(*k))
        .count();
    summary.unchanged = paired.saturating_sub(
        diffs
            .iter()
            .filter(|d| {
                d.status == Status::Modified && d.old.map(|o| &o.key) == d.new.map(|n| &n.key)
            })
            .count(),
    );

    let highlights = highlights::derive(&diffs, old, new, opts);
    duplicates.sort();
    duplicates.dedup();
    let mut label_churn = LabelChurn::default();
    if !opts.summarize_labels.is_empty() {
        let label_only = |d: &ResourceDiff<'_>| {
            d.status == Status::Modified
                && !d.changes.is_empty()
                && d.changes
                    .iter()
                    .all(|c| normalize::summarized_label_keys(c, &opts.summarize_labels).is_some())
        };
        let (churn, rest): (Vec<_>, Vec<_>) = diffs.into_iter().partition(label_only);
        diffs = rest;
        let labels: std::collections::BTreeSet<String> = churn
            .iter()
            .flat_map(|d| &d.changes)
            .flat_map(|c| {
                normalize::summarized_label_keys(c, &opts.summarize_labels).unwrap_or_default()
            })
            .collect();
        label_churn = LabelChurn {
            resources: churn,
            labels: labels.into_iter().collect(),
        };
    }
    DiffReport {
        resources: diffs,
        highlights,
        summary,
        duplicates,
        label_churn,
    }
}

fn index_by_key<'a>(
    side: &'a [Object],
    duplicates: &mut Vec<ResourceKey>,
) -> HashMap<&'a ResourceKey, usize> {
    let mut index = HashMap::with_capacity(side.len());
    for (i, r) in side.iter().enumerate() {
        if index.contains_key(&r.key) {
            duplicates.push(r.key.clone());
        } else {
            index.insert(&r.key, i);
        }
    }
    index
}

/// Pairs objects that moved API group under the same kind, namespace and name (e.g. `Ingress`
/// from `extensions` to `networking.k8s.io`): an API version change, not a remove plus add.
fn pair_group_moves(
    old: &[Object],
    new: &[Object],
    old_unpaired: &mut Vec<usize>,
    new_unpaired: &mut Vec<usize>,
    pairs: &mut Vec<(Option<usize>, Option<usize>, Option<f64>)>,
) {
    let loose = |r: &Object| {
        (
            r.key.kind.clone(),
            r.key.namespace.clone(),
            r.key.name.clone(),
        )
    };
    let mut count_old: HashMap<_, usize> = HashMap::new();
    for &oi in old_unpaired.iter() {
        *count_old.entry(loose(&old[oi])).or_default() += 1;
    }
    let mut count_new: HashMap<_, usize> = HashMap::new();
    for &ni in new_unpaired.iter() {
        *count_new.entry(loose(&new[ni])).or_default() += 1;
    }
    let mut taken_old = Vec::new();
    new_unpaired.retain(|&ni| {
        let k = loose(&new[ni]);
        if count_new.get(&k) != Some(&1) || count_old.get(&k) != Some(&1) {
            return true;
        }
        let oi = *old_unpaired
            .iter()
            .find(|&&oi| loose(&old[oi]) == k)
            .expect("counted");
        taken_old.push(oi);
        pairs.push((Some(oi), Some(ni), None));
        false
    });
    old_unpaired.retain(|oi| !taken_old.contains(oi));
}

/// Greedy rename detection: best-scoring pairs of the same group and kind first.
fn pair_renames(
    old: &[Object],
    new: &[Object],
    threshold: f64,
    old_unpaired: &mut Vec<usize>,
    new_unpaired: &mut Vec<usize>,
    pairs: &mut Vec<(Option<usize>, Option<usize>, Option<f64>)>,
) {
    let old_leaves: Vec<_> = old_unpaired
        .iter()
        .map(|&i| field::leaf_hashes(&old[i]))
        .collect();
    let new_leaves: Vec<_> = new_unpaired
        .iter()
        .map(|&i| field::leaf_hashes(&new[i]))
        .collect();
    let mut candidates = Vec::new();
    for (a, &oi) in old_unpaired.iter().enumerate() {
        for (b, &ni) in new_unpaired.iter().enumerate() {
            let (o, n) = (&old[oi].key, &new[ni].key);
            if o.group != n.group || o.kind != n.kind {
                continue;
            }
            let score = field::jaccard(&old_leaves[a], &new_leaves[b]);
            if score >= threshold {
                candidates.push((score, oi, ni));
            }
        }
    }
    candidates.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let (mut used_old, mut used_new) = (Vec::new(), Vec::new());
    for (score, oi, ni) in candidates {
        if used_old.contains(&oi) || used_new.contains(&ni) {
            continue;
        }
        used_old.push(oi);
        used_new.push(ni);
        pairs.push((Some(oi), Some(ni), Some(score)));
    }
    old_unpaired.retain(|i| !used_old.contains(i));
    new_unpaired.retain(|i| !used_new.contains(i));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn res(v: serde_json::Value) -> Object {
        Object::new(Value::from(v), Origin::default()).unwrap()
    }

    fn cm(name: &str, data: serde_json::Value) -> Object {
        res(json!({"apiVersion": "v1", "kind": "ConfigMap",
                   "metadata": {"name": name, "namespace": "ns"}, "data": data}))
    }

    fn deploy(name: &str, chart: &str, image: &str, pod_version: &str) -> Object {
        res(json!({"apiVersion": "apps/v1", "kind": "Deployment",
                   "metadata": {"name": name, "namespace": "ns",
                                "labels": {"helm.sh/chart": chart, "app": name}},
                   "spec": {"template": {
                       "metadata": {"labels": {"app.kubernetes.io/version": pod_version}},
                       "spec": {"containers": [{"name": "c", "image": image}]}}}}))
    }

    #[test]
    fn label_only_churn_is_summarised() {
        let old = vec![
            deploy("a", "x-1", "img:1", "1"),
            deploy("b", "x-1", "img:1", "1"),
            cm("c", json!({"k": "1"})),
        ];
        let new = vec![
            deploy("a", "x-2", "img:1", "2"),
            deploy("b", "x-2", "img:2", "2"),
            cm("c", json!({"k": "1"})),
        ];
        let opts = Options {
            summarize_labels: vec![
                Pattern::new("helm.sh/chart"),
                Pattern::new("app.kubernetes.io/*"),
            ],
            ..Options::default()
        };
        let report = diff(&old, &new, &opts);
        assert_eq!(report.summary.modified, 2);
        assert_eq!(report.resources.len(), 1, "b changed its image too");
        assert_eq!(report.resources[0].key().name, "b");
        assert_eq!(
            report.resources[0].changes.len(),
            3,
            "b keeps its label changes"
        );
        let churn: Vec<&str> = report
            .label_churn
            .resources
            .iter()
            .map(|d| d.key().name.as_str())
            .collect();
        assert_eq!(churn, ["a"]);
        assert_eq!(
            report.label_churn.labels,
            ["app.kubernetes.io/version", "helm.sh/chart"]
        );
        // A label that is not summarised keeps a resource listed.
        let opts = Options {
            summarize_labels: vec![Pattern::new("helm.sh/chart")],
            ..Options::default()
        };
        let report = diff(&old, &new, &opts);
        assert_eq!(report.resources.len(), 2);
        assert!(report.label_churn.is_empty());
        // Off by default.
        assert!(diff(&old, &new, &Options::default()).label_churn.is_empty());
    }

    #[test]
    fn pairs_by_identity_regardless_of_order() {
        let old = vec![cm("a", json!({"x": "1"})), cm("b", json!({"y": "2"}))];
        let new = vec![cm("b", json!({"y": "2"})), cm("a", json!({"x": "1"}))];
        let report = diff(&old, &new, &Options::default());
        assert!(!report.has_differences());
        assert_eq!(report.summary.unchanged, 2);
    }

    #[test]
    fn api_version_change_is_a_modification() {
        let old = vec![res(
            json!({"apiVersion": "autoscaling/v2beta2", "kind": "HorizontalPodAutoscaler",
                                  "metadata": {"name": "h"}, "spec": {"maxReplicas": 3}}),
        )];
        let new = vec![res(
            json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                                  "metadata": {"name": "h"}, "spec": {"maxReplicas": 3}}),
        )];
        let report = diff(&old, &new, &Options::default());
        assert_eq!(report.summary.modified, 1);
        assert_eq!(report.resources[0].changes.len(), 1);
        assert_eq!(
            report.resources[0].changes[0].path.to_string(),
            "apiVersion"
        );
    }

    #[test]
    fn group_move_pairs_ingress() {
        let old = vec![res(
            json!({"apiVersion": "extensions/v1beta1", "kind": "Ingress",
                                  "metadata": {"name": "i"}}),
        )];
        let new = vec![res(
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                                  "metadata": {"name": "i"}}),
        )];
        let report = diff(&old, &new, &Options::default());
        assert_eq!(report.summary.modified, 1);
        assert_eq!(report.summary.added + report.summary.removed, 0);
    }

    #[test]
    fn renames_are_detected_only_when_asked() {
        let data = json!({"a": "1", "b": "2", "c": "3", "d": "4", "e": "5", "f": "6", "g": "7"});
        let old = vec![cm("old-name", data.clone())];
        let new = vec![cm("new-name", data)];
        let plain = diff(&old, &new, &Options::default());
        assert_eq!((plain.summary.added, plain.summary.removed), (1, 1));
        let opts = Options {
            rename_threshold: Some(0.7),
            ..Options::default()
        };
        let renamed = diff(&old, &new, &opts);
        assert_eq!(renamed.summary.renamed, 1);
        assert_eq!(
            renamed.resources[0].changes[0].path.to_string(),
            "metadata.name"
        );
    }
}
