//! The link to `kyaml` for `toYaml` / `fromYaml`: converts [`GoValue`]s to and from
//! `kyaml::Value` and calls the shared emitter and parser (sigs.k8s.io/yaml behaviour).

use super::value::GoValue;
use kyaml::Dialect;

/// sigs.k8s.io/yaml `Marshal` output, trailing newline included.
pub(crate) fn to_string(v: &GoValue) -> Result<String, String> {
    Ok(kyaml::to_string(&v.to_yaml()))
}

/// sigs.k8s.io/yaml `Unmarshal` into `interface{}`: the first document only, numbers become
/// float64 (the bytes go through JSON).
pub(crate) fn parse(text: &str) -> Result<GoValue, String> {
    let docs = kyaml::parse_documents(text, Dialect::Helm)
        .map_err(|e| format!("error converting YAML to JSON: yaml: {e}"))?;
    Ok(docs
        .first()
        .map(|d| GoValue::from_yaml_as_json(&d.value))
        .unwrap_or_default())
}
