//! Entry names: the one normalization and safety check for every format.

use std::fmt;

/// Why an entry name is unsafe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathProblem {
    /// No component left (`""`, `.`, `./`).
    Empty,
    /// Starts with `/`.
    Absolute,
    /// A `..` component.
    ParentDir,
    /// A `\` (a separator on Windows, a traversal there).
    Backslash,
    /// A control character (C0, DEL or C1).
    ControlChar,
    /// `C:` and the like.
    DriveLetter,
}

impl fmt::Display for PathProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PathProblem::Empty => "empty",
            PathProblem::Absolute => "absolute",
            PathProblem::ParentDir => "`..`",
            PathProblem::Backslash => "backslash",
            PathProblem::ControlChar => "control character",
            PathProblem::DriveLetter => "drive letter",
        })
    }
}

/// The name with `.` and empty components dropped, or why it is unsafe.
pub(crate) fn normalize(name: &str) -> Result<String, PathProblem> {
    if name.starts_with('/') {
        return Err(PathProblem::Absolute);
    }
    if name.contains('\\') {
        return Err(PathProblem::Backslash);
    }
    if name.chars().any(char::is_control) {
        return Err(PathProblem::ControlChar);
    }
    let b = name.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        return Err(PathProblem::DriveLetter);
    }
    let mut parts = Vec::new();
    for c in name.split('/') {
        match c {
            "" | "." => {}
            ".." => return Err(PathProblem::ParentDir),
            c => parts.push(c),
        }
    }
    if parts.is_empty() {
        return Err(PathProblem::Empty);
    }
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_names() {
        for (p, why) in [
            ("/etc/passwd", PathProblem::Absolute),
            ("c/../../x", PathProblem::ParentDir),
            ("..", PathProblem::ParentDir),
            ("c\\x", PathProblem::Backslash),
            ("C:/x", PathProblem::DriveLetter),
            ("c/\u{1}x", PathProblem::ControlChar),
            ("c/\u{85}x", PathProblem::ControlChar),
            ("./", PathProblem::Empty),
        ] {
            assert_eq!(normalize(p), Err(why), "{p}");
        }
        assert_eq!(normalize("./c//x/").unwrap(), "c/x");
        assert_eq!(normalize("a..b/c").unwrap(), "a..b/c");
    }
}
