//! `[lints]` and an entry's `lints = { ... }`: finding levels by code (`allow`, `warn`, `deny`).

use toml_edit::Item;

use super::Validator;
use crate::config::Problem;
use crate::diag::{Code, Level, LevelOverrides, did_you_mean, similar_names, unknown_code_help};

impl Validator {
    /// Reads a table of `CODE = "allow" | "warn" | "deny"`; `what` names it in messages
    /// (`[lints]`, `lints` of `[manifest.argocd]`).
    pub(super) fn lints(&mut self, what: &str, item: &Item) -> LevelOverrides {
        let mut out = LevelOverrides::default();
        let Some(t) = item.as_table_like() else {
            self.type_error(
                what,
                "a table such as { object-too-large = \"allow\" }",
                item,
            );
            return out;
        };
        for (name, value) in t.iter() {
            let key_span = t
                .key(name)
                .and_then(toml_edit::Key::span)
                .or_else(|| value.span())
                .unwrap_or(0..0);
            let code = Code::from_name(name);
            if code.is_none() {
                self.problems.push(
                    Problem::new(format!("unknown finding code `{name}` in {what}"), key_span)
                        .label("unknown code")
                        .help(unknown_code_help(name)),
                );
            }
            let value_span = self.span_of_item(value);
            let level = match value.as_str() {
                Some(s) => match Level::from_config(s) {
                    Some(l) => Some(l),
                    None => {
                        let close = similar_names(s, ["allow", "warn", "deny"]);
                        let hint = match s {
                            "error" => Some("did you mean `deny`?".to_string()),
                            "warning" => Some("did you mean `warn`?".to_string()),
                            _ => did_you_mean(&close),
                        };
                        self.problems.push(
                            Problem::new(format!("{s:?} is not a finding level"), value_span)
                                .label("expected \"allow\", \"warn\" or \"deny\"")
                                .help(match hint {
                                    Some(h) => format!("{h} levels: allow, warn, deny"),
                                    None => "levels: allow, warn, deny".into(),
                                }),
                        );
                        None
                    }
                },
                None => {
                    self.type_error(name, "\"allow\", \"warn\" or \"deny\"", value);
                    None
                }
            };
            if let (Some(code), Some(level)) = (code, level) {
                out.set(code, level);
            }
        }
        out
    }
}
