//! Admission webhook highlights: webhooks added, removed or changed in a
//! (Validating|Mutating)WebhookConfiguration, and `failurePolicy` changes (a webhook that fails
//! closed can block every matching API request when its service is down).

use std::collections::BTreeMap;

use super::{Category, Highlight, str_at};
use crate::{Object, ResourceDiff};
use kyaml::Value;

fn is_webhook_config(r: &Object) -> bool {
    r.key.group == "admissionregistration.k8s.io"
        && matches!(
            r.key.kind.as_str(),
            "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration"
        )
}

fn webhooks(r: &Object) -> BTreeMap<String, &Value> {
    r.value
        .get("webhooks")
        .and_then(Value::as_seq)
        .unwrap_or_default()
        .iter()
        .map(|w| (str_at(w, "name").to_string(), w))
        .collect()
}

/// `failurePolicy`, with the API default (`Fail` in admissionregistration/v1).
fn failure_policy(w: &Value) -> &str {
    w.get("failurePolicy")
        .and_then(Value::as_str)
        .unwrap_or("Fail")
}

pub(super) fn highlight(d: &ResourceDiff<'_>, out: &mut Vec<Highlight>) {
    let Some(n) = d.new.filter(|n| is_webhook_config(n)) else {
        if let Some(o) = d.old.filter(|o| is_webhook_config(o) && d.new.is_none()) {
            let names: Vec<String> = webhooks(o).into_keys().collect();
            out.push(
                Highlight::new(
                    Category::WebhookRemoved,
                    format!("{} webhook(s) removed", names.len()),
                )
                .resource(o)
                .details(names),
            );
        }
        return;
    };
    let before = d
        .old
        .filter(|o| is_webhook_config(o))
        .map(webhooks)
        .unwrap_or_default();
    let after = webhooks(n);
    let added: Vec<String> = after
        .iter()
        .filter(|(name, _)| !before.contains_key(*name))
        .map(|(name, w)| format!("{name} (failurePolicy: {})", failure_policy(w)))
        .collect();
    if !added.is_empty() {
        out.push(
            Highlight::new(
                Category::WebhookAdded,
                format!("{} new admission webhook(s)", added.len()),
            )
            .resource(n)
            .details(added),
        );
    }
    let removed: Vec<String> = before
        .keys()
        .filter(|k| !after.contains_key(*k))
        .cloned()
        .collect();
    if !removed.is_empty() {
        out.push(
            Highlight::new(
                Category::WebhookRemoved,
                format!("{} webhook(s) removed", removed.len()),
            )
            .resource(n)
            .details(removed),
        );
    }
    for (name, w) in &after {
        let Some(old) = before.get(name) else {
            continue;
        };
        if old == w {
            continue;
        }
        let (fp_old, fp_new) = (failure_policy(old), failure_policy(w));
        if fp_old != fp_new {
            out.push(
                Highlight::new(
                    Category::WebhookFailurePolicy,
                    format!("webhook {name}: failurePolicy {fp_old} -> {fp_new}"),
                )
                .resource(n)
                .change(fp_old, fp_new),
            );
        }
        let fields: Vec<String> = changed_fields(old, w)
            .into_iter()
            .filter(|f| f != "failurePolicy")
            .collect();
        if !fields.is_empty() {
            out.push(
                Highlight::new(
                    Category::WebhookChanged,
                    format!("webhook {name} changed: {}", fields.join(", ")),
                )
                .resource(n),
            );
        }
    }
}

fn changed_fields(a: &Value, b: &Value) -> Vec<String> {
    let (Some(a), Some(b)) = (a.as_map(), b.as_map()) else {
        return Vec::new();
    };
    let mut keys: Vec<&kyaml::map::Key> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(ToString::to_string)
        .collect()
}
