//! GitHub Actions workflow commands (`::error file=...::message`), so findings and diff
//! highlights show on the pull request's changed lines.

pub mod diff;
pub mod findings;

use crate::report::text::is_hidden;

/// Escapes the message part of a workflow command per GitHub's rules (`%`, CR and LF as
/// `%25`, `%0D`, `%0A`) and strips every other control and invisible character (a tab stays).
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            '\t' => out.push('\t'),
            c if is_hidden(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Escapes a property value of a workflow command.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}
