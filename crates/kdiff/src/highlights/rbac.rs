//! RBAC highlights: grants a (Cluster)Role did not have before (new verbs, resources, API groups,
//! non-resource URLs, and wildcards), new (Cluster)RoleBindings, and bindings that gain subjects
//! or point at another role. All of these widen privileges.

use std::collections::{BTreeMap, BTreeSet};

use super::{Category, Highlight};
use crate::{Object, ResourceDiff, Status};
use kyaml::Value;

/// One atomic permission: (apiGroup, resource or URL, verb, resourceNames).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Grant {
    group: String,
    resource: String,
    verb: String,
    names: String,
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

fn grants(r: &Object) -> BTreeSet<Grant> {
    let mut out = BTreeSet::new();
    let rules = r
        .value
        .get("rules")
        .and_then(Value::as_seq)
        .unwrap_or_default();
    for rule in rules {
        let mut names = strings(rule, "resourceNames");
        if names.is_empty() {
            names.push(String::new());
        }
        let verbs = strings(rule, "verbs");
        for group in strings(rule, "apiGroups") {
            for resource in strings(rule, "resources") {
                for verb in &verbs {
                    for name in &names {
                        out.insert(Grant {
                            group: group.clone(),
                            resource: resource.clone(),
                            verb: verb.clone(),
                            names: name.clone(),
                        });
                    }
                }
            }
        }
        for url in strings(rule, "nonResourceURLs") {
            for verb in &verbs {
                out.insert(Grant {
                    group: "(url)".into(),
                    resource: url.clone(),
                    verb: verb.clone(),
                    names: String::new(),
                });
            }
        }
    }
    out
}

fn covers(old: &Grant, new: &Grant) -> bool {
    let m = |a: &str, b: &str| a == "*" || a == b;
    m(&old.group, &new.group)
        && m(&old.resource, &new.resource)
        && m(&old.verb, &new.verb)
        && (old.names.is_empty() || old.names == new.names)
}

/// One line per (API group, resource, name) with the verbs newly granted on it.
fn describe(grants: &[&Grant]) -> Vec<String> {
    let mut by_target: BTreeMap<(&str, &str, &str), Vec<&str>> = BTreeMap::new();
    for g in grants {
        by_target
            .entry((g.group.as_str(), g.resource.as_str(), g.names.as_str()))
            .or_default()
            .push(g.verb.as_str());
    }
    by_target
        .into_iter()
        .map(|((group, resource, name), verbs)| {
            let target = if group == "(url)" {
                format!("URL {resource}")
            } else if group.is_empty() {
                resource.to_string()
            } else {
                format!("{group}/{resource}")
            };
            let name = if name.is_empty() {
                String::new()
            } else {
                format!(" named {name}")
            };
            let verbs = if verbs.contains(&"*") {
                "all verbs (*)".to_string()
            } else {
                verbs.join(", ")
            };
            format!("{verbs} on {target}{name}")
        })
        .collect()
}

fn is_role(r: &Object) -> bool {
    r.key.group == "rbac.authorization.k8s.io"
        && matches!(r.key.kind.as_str(), "Role" | "ClusterRole")
}

fn is_binding(r: &Object) -> bool {
    r.key.group == "rbac.authorization.k8s.io"
        && matches!(r.key.kind.as_str(), "RoleBinding" | "ClusterRoleBinding")
}

fn subjects(r: &Object) -> BTreeSet<String> {
    r.value
        .get("subjects")
        .and_then(Value::as_seq)
        .unwrap_or_default()
        .iter()
        .map(|s| {
            let field = |k| s.get(k).and_then(Value::as_str).unwrap_or_default();
            match field("namespace") {
                "" => format!("{} {}", field("kind"), field("name")),
                ns => format!("{} {ns}/{}", field("kind"), field("name")),
            }
        })
        .collect()
}

fn role_ref(r: &Object) -> String {
    let field = |k| {
        r.value
            .path(&["roleRef", k])
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    format!("{} {}", field("kind"), field("name"))
}

pub(super) fn highlight(d: &ResourceDiff<'_>, out: &mut Vec<Highlight>) {
    let Some(n) = d.new else { return };
    if is_role(n) {
        let before = d.old.filter(|o| is_role(o)).map(grants).unwrap_or_default();
        let now = grants(n);
        let widened: Vec<&Grant> = now
            .iter()
            .filter(|g| !before.iter().any(|o| covers(o, g)))
            .collect();
        if widened.is_empty() {
            return;
        }
        let wildcard = widened
            .iter()
            .any(|g| g.group == "*" || g.resource == "*" || g.verb == "*");
        let verb = if d.status == Status::Added {
            "new role grants"
        } else {
            "grants"
        };
        let message = format!(
            "{verb} {} new permission{}{}",
            widened.len(),
            if widened.len() == 1 { "" } else { "s" },
            if wildcard {
                ", including wildcards"
            } else {
                ""
            }
        );
        out.push(
            Highlight::new(Category::RbacWidened, message)
                .resource(n)
                .details(describe(&widened)),
        );
    } else if is_binding(n) {
        let subjects_now = subjects(n);
        match d.old.filter(|o| is_binding(o)) {
            None => out.push(
                Highlight::new(
                    Category::RbacBindingAdded,
                    format!("binds {} to {}", role_ref(n), join(&subjects_now)),
                )
                .resource(n),
            ),
            Some(o) => {
                let added: Vec<String> = subjects_now.difference(&subjects(o)).cloned().collect();
                if !added.is_empty() {
                    out.push(
                        Highlight::new(
                            Category::RbacWidened,
                            format!("{} gains subjects", role_ref(n)),
                        )
                        .resource(n)
                        .details(added),
                    );
                }
                if role_ref(o) != role_ref(n) {
                    out.push(
                        Highlight::new(Category::RbacWidened, "binding points at another role")
                            .resource(n)
                            .change(role_ref(o), role_ref(n)),
                    );
                }
            }
        }
    }
}

fn join(items: &BTreeSet<String>) -> String {
    if items.is_empty() {
        return "no subjects".into();
    }
    items.iter().cloned().collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Options, Origin, diff};
    use serde_json::json;

    fn role(rules: serde_json::Value) -> Object {
        Object::new(
            Value::from(
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                               "metadata": {"name": "r"}, "rules": rules}),
            ),
            Origin::default(),
        )
        .unwrap()
    }

    #[test]
    fn flags_only_uncovered_grants() {
        let old = vec![role(
            json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]),
        )];
        let new = vec![role(json!([
            {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "delete"]},
            {"apiGroups": ["apps"], "resources": ["*"], "verbs": ["get"]}
        ]))];
        let report = diff(&old, &new, &Options::default());
        let h = &report.highlights[0];
        assert_eq!(h.message, "grants 2 new permissions, including wildcards");
        assert_eq!(h.details, ["delete on pods", "get on apps/*"]);
        // Narrowing is not widening.
        let report = diff(&new, &old, &Options::default());
        assert!(report.highlights.is_empty());
    }
}
