//! Pod security highlights: settings that weaken isolation and were not there before: privileged
//! containers, privilege escalation, host namespaces, added capabilities, running as UID 0, and
//! hostPath volumes.

use std::collections::BTreeSet;

use super::{Category, Highlight, containers, pod_spec, str_at};
use crate::{Object, ResourceDiff, Status};
use kyaml::Value;

fn is_true(v: Option<&Value>) -> bool {
    v == Some(&Value::Bool(true))
}

/// Every isolation-weakening setting of a workload, as readable sentences.
fn risky_settings(r: &Object) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let Some(spec) = pod_spec(r) else { return out };
    for ns in ["hostNetwork", "hostPID", "hostIPC"] {
        if is_true(spec.get(ns)) {
            out.insert(format!("{ns}: true"));
        }
    }
    if spec.path(&["securityContext", "runAsUser"]) == Some(&Value::Int(0)) {
        out.insert("pod runs as UID 0 (runAsUser: 0)".into());
    }
    for volume in spec
        .get("volumes")
        .and_then(Value::as_seq)
        .unwrap_or_default()
    {
        if let Some(path) = volume.path(&["hostPath", "path"]).and_then(Value::as_str) {
            out.insert(format!(
                "hostPath volume {} mounts {path}",
                str_at(volume, "name")
            ));
        }
    }
    for (_, c) in containers(spec) {
        let name = str_at(c, "name");
        let sc = c.get("securityContext");
        let sc_field = |k: &str| sc.and_then(|s| s.get(k));
        if is_true(sc_field("privileged")) {
            out.insert(format!("container {name} is privileged"));
        }
        if is_true(sc_field("allowPrivilegeEscalation")) {
            out.insert(format!("container {name} allows privilege escalation"));
        }
        if sc_field("runAsUser") == Some(&Value::Int(0)) {
            out.insert(format!("container {name} runs as UID 0 (runAsUser: 0)"));
        }
        let added = sc
            .and_then(|s| s.path(&["capabilities", "add"]))
            .and_then(Value::as_seq)
            .unwrap_or_default();
        for cap in added.iter().filter_map(Value::as_str) {
            out.insert(format!("container {name} adds capability {cap}"));
        }
    }
    out
}

pub(super) fn highlight(d: &ResourceDiff<'_>, out: &mut Vec<Highlight>) {
    let Some(n) = d.new else { return };
    let now = risky_settings(n);
    if now.is_empty() {
        return;
    }
    let before = d.old.map(risky_settings).unwrap_or_default();
    let new_settings: Vec<String> = now.difference(&before).cloned().collect();
    if new_settings.is_empty() {
        return;
    }
    let what = if d.status == Status::Added {
        "new workload with"
    } else {
        "newly"
    };
    let noun = if new_settings.len() == 1 {
        "setting"
    } else {
        "settings"
    };
    out.push(
        Highlight::new(
            Category::PodSecurity,
            format!("{what} {} privileged {noun}", new_settings.len()),
        )
        .resource(n)
        .details(new_settings),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Options, Origin, diff};
    use serde_json::json;

    fn ds(pod: serde_json::Value) -> Object {
        Object::new(
            Value::from(json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
                               "metadata": {"name": "speaker", "namespace": "m"},
                               "spec": {"template": {"spec": pod}}})),
            Origin::default(),
        )
        .unwrap()
    }

    #[test]
    fn flags_new_privileges_only() {
        let old = vec![ds(
            json!({"hostNetwork": true, "containers": [{"name": "s", "image": "x"}]}),
        )];
        let new = vec![ds(
            json!({"hostNetwork": true, "containers": [{"name": "s", "image": "x",
            "securityContext": {"capabilities": {"add": ["NET_RAW"]}, "privileged": true}}],
            "volumes": [{"name": "run", "hostPath": {"path": "/run"}}]}),
        )];
        let report = diff(&old, &new, &Options::default());
        let h: Vec<_> = report
            .highlights
            .iter()
            .filter(|h| h.category == Category::PodSecurity)
            .collect();
        assert_eq!(h.len(), 1);
        assert_eq!(
            h[0].details,
            [
                "container s adds capability NET_RAW",
                "container s is privileged",
                "hostPath volume run mounts /run"
            ]
        );
    }
}
