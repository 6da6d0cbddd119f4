//! `.helmignore` rules with Helm's exact semantics (including its quirks): one glob per line
//! (Go `filepath.Match`), `#` comments, a trailing `/` restricts a rule to directories, a leading
//! `/` anchors it, rules without `/` match the base name only, `**` is rejected, and a negated
//! rule (`!pat`) ignores every path it does NOT match. Helm always adds `templates/.?*`.

use crate::glob::glob_match;

#[derive(Debug, Clone)]
struct Rule {
    pattern: String,
    negate: bool,
    must_dir: bool,
    kind: RuleKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RuleKind {
    Anchored,
    Structural,
    BaseName,
}

/// A parsed `.helmignore`.
#[derive(Debug, Clone, Default)]
pub struct IgnoreRules {
    rules: Vec<Rule>,
}

impl IgnoreRules {
    /// Parses the text of a `.helmignore` file. Errors are Helm's texts.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut rules = IgnoreRules::default();
        for line in text.lines() {
            rules.add(line)?;
        }
        Ok(rules)
    }

    /// Adds Helm's default rule (hidden files under templates/ are ignored).
    pub fn add_defaults(&mut self) {
        self.add("templates/.?*").expect("valid default rule");
    }

    fn add(&mut self, line: &str) -> Result<(), String> {
        let rule = line.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err("double-star (**) syntax is not supported".into());
        }
        if glob_match(rule, "abc").is_err() {
            return Err("syntax error in pattern".into());
        }
        let mut pattern = rule;
        let negate = pattern.starts_with('!');
        if negate {
            pattern = &pattern[1..];
        }
        let must_dir = pattern.ends_with('/');
        if must_dir {
            pattern = &pattern[..pattern.len() - 1];
        }
        let kind = if pattern.starts_with('/') {
            pattern = &pattern[1..];
            RuleKind::Anchored
        } else if pattern.contains('/') {
            RuleKind::Structural
        } else {
            RuleKind::BaseName
        };
        self.rules.push(Rule {
            pattern: pattern.to_string(),
            negate,
            must_dir,
            kind,
        });
        Ok(())
    }

    /// Whether `path` (relative to the chart root, `/`-separated) is ignored.
    pub fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for r in &self.rules {
            let subject = match r.kind {
                RuleKind::BaseName => base_name(path),
                _ => path,
            };
            let matched = glob_match(&r.pattern, subject).unwrap_or(false);
            if r.negate {
                if r.must_dir && !is_dir {
                    return true;
                }
                if !matched {
                    return true;
                }
                continue;
            }
            if r.must_dir && !is_dir {
                continue;
            }
            if matched {
                return true;
            }
        }
        false
    }
}

/// Go's `filepath.Base` for `/`-separated paths.
fn base_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> IgnoreRules {
        let mut r = IgnoreRules::parse(text).unwrap();
        r.add_defaults();
        r
    }

    #[test]
    fn helm_ignore_semantics() {
        let r = rules("# comment\n.git/\n*.swp\n/rootonly.txt\ndocs/*.md\n");
        assert!(r.ignore(".git", true));
        assert!(!r.ignore(".git", false));
        assert!(r.ignore("a/b/c.swp", false));
        assert!(r.ignore("rootonly.txt", false));
        assert!(!r.ignore("sub/rootonly.txt", false));
        assert!(r.ignore("docs/a.md", false));
        assert!(!r.ignore("docs/x/a.md", false));
        assert!(r.ignore("templates/.hidden.yaml", false));
        assert!(!r.ignore("templates/x.yaml", false));
        assert!(!r.ignore(".", true));
    }

    #[test]
    fn negation_ignores_non_matches_like_helm() {
        let r = IgnoreRules::parse("!keep.txt\n").unwrap();
        assert!(!r.ignore("keep.txt", false));
        assert!(r.ignore("other.txt", false));
    }

    #[test]
    fn rejects_double_star_and_bad_globs() {
        assert!(IgnoreRules::parse("a/**/b").is_err());
        assert!(IgnoreRules::parse("[").is_err());
    }
}
