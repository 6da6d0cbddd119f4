//! Strategic merge behaviour, one test per directive and strategy. Expected values were checked
//! against `kubectl kustomize` (kustomize v5.5.0).

use super::*;
use serde_json::json;

fn v(j: serde_json::Value) -> Value {
    Value::from(j)
}

fn deploy(spec: serde_json::Value) -> Value {
    v(
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": spec}),
    )
}

fn containers(obj: &Value) -> serde_json::Value {
    serde_json::Value::from(
        obj.path(&["spec", "template", "spec", "containers"])
            .unwrap(),
    )
}

fn apply(obj: &Value, patch: &Value) -> Value {
    merge(obj, patch).unwrap().object.unwrap()
}

#[test]
fn maps_merge_and_scalars_replace() {
    let obj = deploy(json!({"replicas": 1, "selector": {"matchLabels": {"a": "1"}}}));
    let patch = deploy(json!({"replicas": 3, "selector": {"matchLabels": {"b": "2"}}}));
    let out = apply(&obj, &patch);
    assert_eq!(out.path(&["spec", "replicas"]), Some(&Value::Int(3)));
    let labels = serde_json::Value::from(out.path(&["spec", "selector", "matchLabels"]).unwrap());
    assert_eq!(labels, json!({"a": "1", "b": "2"}));
}

#[test]
fn null_deletes_a_field() {
    let obj = deploy(json!({"replicas": 1, "paused": true}));
    let patch = deploy(json!({"replicas": null, "missing": null}));
    let out = apply(&obj, &patch);
    assert!(out.path(&["spec", "replicas"]).is_none());
    assert!(out.path(&["spec", "missing"]).is_none());
    assert_eq!(out.path(&["spec", "paused"]), Some(&Value::Bool(true)));
}

#[test]
fn nulls_the_patch_does_not_mention_are_kept() {
    let obj = v(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "creationTimestamp": null}}),
    );
    let patch = v(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b"}}),
    );
    let out = apply(&obj, &patch);
    assert_eq!(
        out.path(&["metadata", "creationTimestamp"]),
        Some(&Value::Null)
    );
}

#[test]
fn containers_merge_by_name_patch_items_first() {
    let obj = deploy(json!({"template": {"spec": {"containers": [
        {"name": "a", "image": "a"}, {"name": "b", "image": "b"}]}}}));
    let patch = deploy(json!({"template": {"spec": {"containers": [
        {"name": "b", "image": "b2"}, {"name": "c", "image": "c"}]}}}));
    let merged = merge(&obj, &patch).unwrap();
    let out = merged.object.unwrap();
    assert_eq!(
        containers(&out),
        json!([{"name": "b", "image": "b2"}, {"name": "c", "image": "c"}, {"name": "a", "image": "a"}])
    );
    assert_eq!(merged.added.len(), 1);
    assert_eq!(
        merged.added[0].path.join("."),
        "spec.template.spec.containers"
    );
    assert_eq!(
        merged.added[0].keys,
        vec![("name".to_string(), "c".to_string())]
    );
}

#[test]
fn multi_key_lists_keep_existing_items_after_new_ones() {
    let obj = deploy(
        json!({"template": {"spec": {"containers": [{"name": "a", "ports": [
        {"containerPort": 80, "name": "x"}, {"containerPort": 90, "protocol": "UDP"}]}]}}}),
    );
    let patch = deploy(
        json!({"template": {"spec": {"containers": [{"name": "a", "ports": [
        {"containerPort": 91}]}]}}}),
    );
    let out = apply(&obj, &patch);
    assert_eq!(
        containers(&out),
        json!([{"name": "a", "ports": [{"containerPort": 91}, {"containerPort": 80, "name": "x"},
            {"containerPort": 90, "protocol": "UDP"}]}])
    );
}

#[test]
fn patch_delete_on_list_item_and_on_object() {
    let obj = deploy(
        json!({"template": {"spec": {"containers": [{"name": "a", "env": [
        {"name": "X", "value": "1"}, {"name": "Y", "value": "2"}]}]}}}),
    );
    let patch = deploy(
        json!({"template": {"spec": {"containers": [{"name": "a", "env": [
        {"name": "X", "$patch": "delete"}]}]}}}),
    );
    let out = apply(&obj, &patch);
    assert_eq!(
        containers(&out),
        json!([{"name": "a", "env": [{"name": "Y", "value": "2"}]}])
    );

    let whole = v(
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "$patch": "delete"}),
    );
    assert_eq!(merge(&obj, &whole).unwrap().object, None);
}

#[test]
fn patch_delete_on_a_map_field() {
    let obj = deploy(json!({"strategy": {"type": "Recreate"}, "replicas": 1}));
    let patch = deploy(json!({"strategy": {"$patch": "delete"}}));
    let out = apply(&obj, &patch);
    assert!(out.path(&["spec", "strategy"]).is_none());
}

#[test]
fn patch_replace_on_a_map_and_a_list() {
    let obj = deploy(json!({"selector": {"matchLabels": {"a": "1", "b": "2"}},
        "template": {"spec": {"containers": [{"name": "a"}, {"name": "b"}]}}}));
    let patch = deploy(
        json!({"selector": {"matchLabels": {"$patch": "replace", "c": "3"}},
        "template": {"spec": {"containers": [{"name": "z"}, {"$patch": "replace"}]}}}),
    );
    let out = apply(&obj, &patch);
    let labels = serde_json::Value::from(out.path(&["spec", "selector", "matchLabels"]).unwrap());
    assert_eq!(labels, json!({"c": "3"}));
    assert_eq!(containers(&out), json!([{"name": "z"}]));
}

#[test]
fn patch_delete_on_a_list() {
    let obj = deploy(
        json!({"template": {"spec": {"containers": [{"name": "a"}], "volumes": [{"name": "v"}]}}}),
    );
    let patch = deploy(json!({"template": {"spec": {"volumes": [{"$patch": "delete"}]}}}));
    let out = apply(&obj, &patch);
    assert!(out.path(&["spec", "template", "spec", "volumes"]).is_none());
}

#[test]
fn patch_merge_directive_is_the_default() {
    let obj = deploy(json!({"selector": {"matchLabels": {"a": "1"}}}));
    let patch = deploy(json!({"selector": {"matchLabels": {"$patch": "merge", "b": "2"}}}));
    let out = apply(&obj, &patch);
    let labels = serde_json::Value::from(out.path(&["spec", "selector", "matchLabels"]).unwrap());
    assert_eq!(labels, json!({"a": "1", "b": "2"}));
}

#[test]
fn unknown_directive_is_an_error() {
    let obj = deploy(json!({"selector": {"matchLabels": {"a": "1"}}}));
    let patch = deploy(json!({"selector": {"$patch": "frobnicate"}}));
    let err = merge(&obj, &patch).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown patch strategy 'frobnicate' at spec.selector"
    );
}

#[test]
fn lists_without_merge_key_are_replaced() {
    let obj =
        deploy(json!({"template": {"spec": {"containers": [{"name": "a", "args": ["x", "y"]}]}}}));
    let patch =
        deploy(json!({"template": {"spec": {"containers": [{"name": "a", "args": ["z"]}]}}}));
    let out = apply(&obj, &patch);
    assert_eq!(containers(&out), json!([{"name": "a", "args": ["z"]}]));
}

#[test]
fn custom_resources_replace_lists() {
    let obj = v(
        json!({"apiVersion": "x.io/v1", "kind": "W", "metadata": {"name": "w"},
        "spec": {"containers": [{"name": "a", "image": "a"}]}}),
    );
    let patch = v(
        json!({"apiVersion": "x.io/v1", "kind": "W", "metadata": {"name": "w"},
        "spec": {"containers": [{"name": "b"}]}}),
    );
    let out = apply(&obj, &patch);
    assert_eq!(
        serde_json::Value::from(out.path(&["spec", "containers"]).unwrap()),
        json!([{"name": "b"}])
    );
}

#[test]
fn primitive_lists_with_merge_strategy_are_unions() {
    let obj = v(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "finalizers": ["a", "b"]}}),
    );
    let patch = v(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "finalizers": ["c", "a"]}}),
    );
    let out = apply(&obj, &patch);
    assert_eq!(
        serde_json::Value::from(out.path(&["metadata", "finalizers"]).unwrap()),
        json!(["c", "a", "b"])
    );
}

#[test]
fn retain_keys_and_set_element_order_pass_through_like_kustomize() {
    let obj = deploy(json!({"strategy": {"type": "RollingUpdate"}}));
    let patch = deploy(
        json!({"strategy": {"$retainKeys": ["type"], "type": "Recreate"},
        "template": {"spec": {"$setElementOrder/containers": [{"name": "a"}]}}}),
    );
    let out = apply(&obj, &patch);
    assert_eq!(
        serde_json::Value::from(out.path(&["spec", "strategy"]).unwrap()),
        json!({"type": "Recreate", "$retainKeys": ["type"]})
    );
    assert!(
        out.path(&["spec", "template", "spec", "$setElementOrder/containers"])
            .is_some()
    );
}

#[test]
fn new_items_have_their_nulls_and_directives_removed() {
    let obj = deploy(json!({"template": {"spec": {"containers": [{"name": "a"}]}}}));
    let patch = deploy(
        json!({"template": {"spec": {"containers": [{"name": "b", "command": null, "image": "i"}]}}}),
    );
    let out = apply(&obj, &patch);
    assert_eq!(
        containers(&out),
        json!([{"name": "b", "image": "i"}, {"name": "a"}])
    );
}

#[test]
fn wrong_kind_is_an_error() {
    let obj = deploy(json!({"template": {"spec": {"containers": [{"name": "a"}]}}}));
    let patch = deploy(json!({"template": {"spec": {"containers": "oops"}}}));
    let err = merge(&obj, &patch).unwrap_err();
    assert!(
        err.to_string().contains("spec.template.spec.containers"),
        "{err}"
    );
}

#[test]
fn kubernetes_mode_interprets_retain_keys() {
    let obj =
        deploy(json!({"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}));
    let patch = deploy(json!({"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}));
    let out = merge_kubernetes(&obj, &patch).unwrap().object.unwrap();
    assert_eq!(
        serde_json::Value::from(out.path(&["spec", "strategy"]).unwrap()),
        json!({"type": "Recreate"})
    );
}

#[test]
fn kubernetes_mode_interprets_delete_from_primitive_list() {
    let obj = v(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "finalizers": ["a", "b", "c"]}}),
    );
    let patch = v(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "$deleteFromPrimitiveList/finalizers": ["b"]}}),
    );
    let out = merge_kubernetes(&obj, &patch).unwrap().object.unwrap();
    assert_eq!(
        serde_json::Value::from(out.path(&["metadata", "finalizers"]).unwrap()),
        json!(["a", "c"])
    );
    assert!(
        out.path(&["metadata", "$deleteFromPrimitiveList/finalizers"])
            .is_none()
    );
}

#[test]
fn kubernetes_mode_interprets_set_element_order_and_appends_new_items() {
    let obj = deploy(json!({"template": {"spec": {"containers": [{"name": "a"}, {"name": "b"}]}}}));
    let patch = deploy(
        json!({"template": {"spec": {"containers": [{"name": "c", "image": "c"}, {"name": "a", "image": "a2"}]}}}),
    );
    let out = merge_kubernetes(&obj, &patch).unwrap().object.unwrap();
    assert_eq!(
        containers(&out),
        json!([{"name": "a", "image": "a2"}, {"name": "b"}, {"name": "c", "image": "c"}])
    );
    let patch = deploy(json!({"template": {"spec": {
        "$setElementOrder/containers": [{"name": "b"}, {"name": "a"}],
        "containers": [{"name": "a", "image": "a3"}]}}}));
    let out = merge_kubernetes(&obj, &patch).unwrap().object.unwrap();
    assert_eq!(
        containers(&out),
        json!([{"name": "b"}, {"name": "a", "image": "a3"}])
    );
    assert!(
        out.path(&["spec", "template", "spec", "$setElementOrder/containers"])
            .is_none()
    );
}
