//! Functions.
pub fn is_known(_n: &str) -> bool { false }
pub fn base64_std(_b: &[u8]) -> String { String::new() }
