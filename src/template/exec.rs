//! Executor.
use super::*;
pub fn execute(_t: &Templates, name: &str, _data: &GoValue, _o: &ExecOptions) -> Result<String, TemplateError> {
    Err(TemplateError::Other(format!("template: no template {name:?}")))
}
