//! GitHub Actions workflow commands (`::error file=...::message`), so findings and diff
//! highlights show on the pull request's changed lines.

pub mod diff;
pub mod findings;

/// Escapes the message part of a workflow command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}
