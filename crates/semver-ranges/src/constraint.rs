//! [`Constraint`]: Helm's (Masterminds v3) range syntax.
//!
//! A constraint is an OR (`||`) of AND groups; an AND group is a list of comparisons separated
//! by commas or whitespace; `A - B` is a hyphen range (`>= A, <= B`). Each comparison keeps how
//! much of its version was written (`1` vs `1.2` vs `1.2.3`, `x`/`X`/`*` wildcards): a partial
//! version means a range (`=1.2` is `1.2.x`, `>1.2` is `>=1.3.0`, `<=1.2` is `<1.3.0`).

use std::fmt;
use std::str::FromStr;

use super::Version;

/// Why a constraint string does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a version constraint: {reason}")]
pub struct ConstraintError {
    pub input: String,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// `=` or nothing: exact when fully written, else a tilde range.
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

/// How much of the version a comparison spelled out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Written {
    /// `1.2.3`
    Full,
    /// `1.2`, `1.2.x`
    MajorMinor,
    /// `1`, `1.x`
    Major,
    /// `*`, `x`, or the empty constraint
    Nothing,
}

#[derive(Debug, Clone)]
struct Comparison {
    op: Op,
    version: Version,
    written: Written,
}

/// A parsed version range. [`Constraint::matches`] answers whether a version is in it.
#[derive(Debug, Clone)]
pub struct Constraint {
    any_of: Vec<Vec<Comparison>>,
    original: String,
}

impl Constraint {
    pub fn parse(input: &str) -> Result<Constraint, ConstraintError> {
        let err = |reason: String| ConstraintError {
            input: input.to_string(),
            reason,
        };
        if input.trim().is_empty() {
            return Ok(Constraint {
                any_of: vec![vec![Comparison::wildcard()]],
                original: input.to_string(),
            });
        }
        let mut any_of = Vec::new();
        for group in input.split("||") {
            let all_of = parse_group(group).map_err(err)?;
            any_of.push(all_of);
        }
        Ok(Constraint {
            any_of,
            original: input.to_string(),
        })
    }

    /// Whether `v` satisfies the range. Prerelease versions only match comparisons that name a
    /// prerelease themselves.
    pub fn matches(&self, v: &Version) -> bool {
        self.any_of
            .iter()
            .any(|group| group.iter().all(|c| c.matches(v)))
    }

    /// The string this constraint was parsed from.
    pub fn original(&self) -> &str {
        &self.original
    }

    /// Number of `||` alternatives and comparisons in the first one (for tests).
    #[cfg(test)]
    fn shape(&self) -> (usize, usize) {
        (self.any_of.len(), self.any_of[0].len())
    }
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

impl FromStr for Constraint {
    type Err = ConstraintError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Constraint::parse(s)
    }
}

const OPERATORS: &[(&str, Op)] = &[
    ("!=", Op::NotEqual),
    (">=", Op::GreaterEqual),
    ("=>", Op::GreaterEqual),
    ("<=", Op::LessEqual),
    ("=<", Op::LessEqual),
    ("~>", Op::Tilde),
    (">", Op::Greater),
    ("<", Op::Less),
    ("~", Op::Tilde),
    ("^", Op::Caret),
    ("=", Op::TildeOrEqual),
];

fn is_version_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '*')
}

fn parse_group(group: &str) -> Result<Vec<Comparison>, String> {
    let mut out = Vec::new();
    let mut rest = group.trim_start();
    if rest.trim().is_empty() {
        return Err("empty alternative around `||`".into());
    }
    let mut need_separator = false;
    while !rest.is_empty() {
        // Separators: whitespace and at most one comma.
        let trimmed = rest.trim_start();
        let had_space = trimmed.len() != rest.len();
        rest = trimmed;
        let mut had_comma = false;
        if let Some(r) = rest.strip_prefix(',') {
            had_comma = true;
            rest = r.trim_start();
        }
        if rest.is_empty() {
            if had_comma {
                return Err("trailing comma".into());
            }
            break;
        }
        if need_separator && !had_space && !had_comma {
            return Err(format!("expected a space or comma before `{rest}`"));
        }
        let (op, after_op) = match OPERATORS.iter().find(|(s, _)| rest.starts_with(s)) {
            Some((s, op)) => (Some(*op), rest[s.len()..].trim_start()),
            None => (None, rest),
        };
        let end = after_op
            .find(|c: char| !is_version_char(c))
            .unwrap_or(after_op.len());
        let token = &after_op[..end];
        if token.is_empty() {
            return Err(format!("expected a version at `{after_op}`"));
        }
        let first = parse_partial(token)?;
        rest = &after_op[end..];
        // Hyphen range: `A - B` (spaces required around `-`, no operator on A).
        if op.is_none()
            && let Some(tail) = hyphen_tail(rest)
        {
            let end = tail
                .find(|c: char| !is_version_char(c))
                .unwrap_or(tail.len());
            let upper = parse_partial(&tail[..end])?;
            out.push(Comparison {
                op: Op::GreaterEqual,
                ..first
            });
            out.push(Comparison {
                op: Op::LessEqual,
                ..upper
            });
            rest = &tail[end..];
        } else {
            out.push(Comparison {
                op: op.unwrap_or(Op::TildeOrEqual),
                ..first
            });
        }
        need_separator = true;
    }
    Ok(out)
}

/// After `A`, returns what follows ` - ` when the text continues with a hyphen range.
fn hyphen_tail(rest: &str) -> Option<&str> {
    let t = rest.trim_start();
    if t.len() == rest.len() {
        return None;
    }
    let t = t.strip_prefix('-')?;
    let u = t.trim_start();
    if u.len() == t.len() || u.is_empty() || !u.starts_with(|c: char| is_version_char(c)) {
        return None;
    }
    Some(u)
}

fn is_wild(part: &str) -> bool {
    matches!(part, "x" | "X" | "*")
}

/// Parses a version as written in a constraint: `v` prefix, 1-3 parts, wildcards.
fn parse_partial(token: &str) -> Result<Comparison, String> {
    let bad = |why: &str| format!("`{token}` {why}");
    let s = token.strip_prefix('v').unwrap_or(token);
    let (s, meta) = match s.split_once('+') {
        Some((s, meta)) => (s, Some(meta)),
        None => (s, None),
    };
    // Build metadata: dot-separated identifiers of letters, digits and `-`.
    if meta.is_some_and(|m| {
        m.split('.')
            .any(|id| id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    }) {
        return Err(bad("has invalid build metadata"));
    }
    // The prerelease starts at the first `-` after the numeric core.
    let (core, pre) = match s.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (s, None),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() > 3 {
        return Err(bad("has more than three numeric parts"));
    }
    let mut nums = [0u64; 3];
    let mut written = Written::Full;
    for (i, level) in [Written::Nothing, Written::Major, Written::MajorMinor]
        .iter()
        .enumerate()
    {
        match parts.get(i) {
            None => {
                if written == Written::Full {
                    written = *level;
                }
            }
            Some(p) if is_wild(p) => {
                if written == Written::Full {
                    written = *level;
                }
            }
            Some(p) => {
                if written != Written::Full {
                    // `1.x.3`: numbers after a wildcard are ignored, as in Masterminds, but
                    // must still be numbers or wildcards (`x.y.z` is not a constraint).
                    if !p
                        .bytes()
                        .all(|b| b.is_ascii_digit() || matches!(b, b'x' | b'X' | b'*'))
                    {
                        return Err(bad("is not a version"));
                    }
                    continue;
                }
                nums[i] = p
                    .parse()
                    .ok()
                    .filter(|_| p.bytes().all(|b| b.is_ascii_digit()))
                    .ok_or_else(|| bad("is not a version"))?;
            }
        }
    }
    let mut version = Version::new(nums[0], nums[1], nums[2]);
    if let Some(pre) = pre {
        let check = Version::parse(&format!("0.0.0-{pre}"))
            .map_err(|_| bad("has an invalid prerelease"))?;
        version = version.with_prerelease(check.prerelease());
    }
    Ok(Comparison {
        op: Op::TildeOrEqual,
        version,
        written,
    })
}

impl Comparison {
    fn wildcard() -> Comparison {
        Comparison {
            op: Op::TildeOrEqual,
            version: Version::new(0, 0, 0),
            written: Written::Nothing,
        }
    }

    fn dirty(&self) -> bool {
        self.written != Written::Full
    }

    /// `1` or `1.x`: only the major was given (or nothing at all for minor purposes).
    fn minor_dirty(&self) -> bool {
        self.written == Written::Major
    }

    fn patch_dirty(&self) -> bool {
        self.written == Written::MajorMinor
    }

    fn matches(&self, v: &Version) -> bool {
        let c = &self.version;
        // A prerelease version only satisfies comparisons that name a prerelease.
        if v.is_prerelease() && !c.is_prerelease() {
            return false;
        }
        let ord = v.cmp_precedence(c);
        match self.op {
            Op::TildeOrEqual => {
                if self.dirty() {
                    self.tilde(v)
                } else {
                    ord.is_eq()
                }
            }
            Op::Tilde => self.tilde(v),
            Op::Caret => self.caret(v),
            Op::Less => ord.is_lt(),
            Op::GreaterEqual => ord.is_ge(),
            Op::Greater => {
                if !self.dirty() || self.written == Written::Nothing {
                    return ord.is_gt();
                }
                if v.major != c.major {
                    return v.major > c.major;
                }
                if self.minor_dirty() {
                    return false;
                }
                v.minor > c.minor
            }
            Op::LessEqual => {
                if !self.dirty() {
                    return ord.is_le();
                }
                if self.written == Written::Nothing {
                    return true;
                }
                if v.major != c.major {
                    return v.major < c.major;
                }
                self.minor_dirty() || v.minor <= c.minor
            }
            Op::NotEqual => {
                if !self.dirty() {
                    return !ord.is_eq();
                }
                if self.written == Written::Nothing {
                    return false;
                }
                if v.major != c.major {
                    return true;
                }
                if self.minor_dirty() {
                    return false;
                }
                if v.minor != c.minor {
                    return true;
                }
                // `!=1.2` / `!=1.2-pre`: excludes all of 1.2.x with the same prerelease state.
                v.prerelease() != c.prerelease()
            }
        }
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.version;
        if v.cmp_precedence(c).is_lt() {
            return false;
        }
        // `~0.0.0`, `~*`: anything at or above 0.0.0.
        if c.major == 0
            && c.minor == 0
            && c.patch == 0
            && !self.minor_dirty()
            && !self.patch_dirty()
        {
            return true;
        }
        if v.major != c.major {
            return false;
        }
        self.minor_dirty() || v.minor == c.minor
    }

    fn caret(&self, v: &Version) -> bool {
        let c = &self.version;
        if v.cmp_precedence(c).is_lt() {
            return false;
        }
        if c.major > 0 || self.minor_dirty() || self.written == Written::Nothing {
            return v.major == c.major || self.written == Written::Nothing;
        }
        if v.major > 0 {
            return false;
        }
        if c.minor > 0 || self.patch_dirty() {
            return v.minor == c.minor;
        }
        if v.minor > 0 {
            return false;
        }
        v.patch == c.patch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(table: &[(&str, &str, bool)]) {
        let mut failures = Vec::new();
        for (constraint, version, want) in table {
            let c = Constraint::parse(constraint).unwrap_or_else(|e| panic!("{e}"));
            let v = Version::parse(version).unwrap_or_else(|e| panic!("{e}"));
            if c.matches(&v) != *want {
                failures.push(format!("{constraint:?} vs {version:?}: want {want}"));
            }
        }
        assert!(failures.is_empty(), "failures:\n{}", failures.join("\n"));
    }

    /// Parts after a wildcard are not compared but must still read as numbers or wildcards.
    #[test]
    fn parts_after_a_wildcard_are_checked() {
        check(&[("1.x.3", "1.5.0", true), ("1.*.*", "1.5.0", true)]);
        for bad in ["x.y.z", "1.x.a", "2.*.b"] {
            assert!(Constraint::parse(bad).is_err(), "{bad}");
        }
    }

    /// Build metadata is dot-separated identifiers of letters, digits and `-`.
    #[test]
    fn build_metadata_is_checked() {
        check(&[("1.2.3+build.7-x", "1.2.3", true)]);
        for bad in ["7+6+5", "1.2.3+", "1.2.3+a..b", "1.2.3+a_b"] {
            assert!(Constraint::parse(bad).is_err(), "{bad}");
        }
    }

    // Masterminds TestConstraintCheck (single comparisons), re-expressed.
    #[test]
    fn single_comparisons() {
        check(&[
            ("=2.0.0", "1.2.3", false),
            ("=2.0.0", "2.0.0", true),
            ("=2.0", "1.2.3", false),
            ("=2.0", "2.0.0", true),
            ("=2.0", "2.0.1", true),
            ("4.1", "4.1.0", true),
            ("!=4.1.0", "4.1.0", false),
            ("!=4.1.0", "4.1.1", true),
            ("!=4.1", "4.1.0", false),
            ("!=4.1", "4.1.1", false),
            ("!=4.1", "5.1.0-alpha.1", false),
            ("!=4.1-alpha", "4.1.0", true),
            ("!=4.1", "5.1.0", true),
            ("<11", "0.1.0", true),
            ("<11", "11.1.0", false),
            ("<1.1", "0.1.0", true),
            ("<1.1", "1.1.0", false),
            ("<1.1", "1.1.1", false),
            ("<=11", "1.2.3", true),
            ("<=11", "12.2.3", false),
            ("<=11", "11.2.3", true),
            ("<=1.1", "1.2.3", false),
            ("<=1.1", "0.1.0", true),
            ("<=1.1", "1.1.0", true),
            ("<=1.1", "1.1.1", true),
            (">1.1", "4.1.0", true),
            (">1.1", "1.1.0", false),
            (">0", "0", false),
            (">0", "1", true),
            (">0", "0.0.1-alpha", false),
            (">0.0", "0.0.1-alpha", false),
            (">0-0", "0.0.1-alpha", false),
            (">0.0-0", "0.0.1-alpha", false),
            (">0", "0.0.0-alpha", false),
            (">0-0", "0.0.0-alpha", false),
            (">0.0.0-0", "0.0.0-alpha", true),
            (">1.2.3-alpha.1", "1.2.3-alpha.2", true),
            (">1.2.3-alpha.1", "1.3.3-alpha.2", true),
            (">11", "11.1.0", false),
            (">11.1", "11.1.0", false),
            (">11.1", "11.1.1", false),
            (">11.1", "11.2.1", true),
            (">=11", "11.1.2", true),
            (">=11.1", "11.1.2", true),
            (">=11.1", "11.0.2", false),
            (">=1.1", "4.1.0", true),
            (">=1.1", "1.1.0", true),
            (">=1.1", "0.0.9", false),
            (">=0", "0.0.1-alpha", false),
            (">=0.0", "0.0.1-alpha", false),
            (">=0-0", "0.0.1-alpha", true),
            (">=0.0-0", "0.0.1-alpha", true),
            (">=0", "0.0.0-alpha", false),
            (">=0-0", "0.0.0-alpha", true),
            (">=0.0.0-0", "0.0.0-alpha", true),
            (">=0.0.0-0", "1.2.3", true),
            (">=0.0.0-0", "3.4.5-beta.1", true),
            ("<0", "0.0.0-alpha", false),
            ("<0-z", "0.0.0-alpha", true),
            (">=0", "0", true),
            ("=0", "1", false),
            ("*", "1", true),
            ("*", "4.5.6", true),
            ("*", "1.2.3-alpha.1", false),
            ("*-0", "1.2.3-alpha.1", true),
            ("2.*", "1", false),
            ("2.*", "3.4.5", false),
            ("2.*", "2.1.1", true),
            ("2.1.*", "2.1.1", true),
            ("2.1.*", "2.2.1", false),
            ("", "1", true),
            ("", "4.5.6", true),
            ("", "1.2.3-alpha.1", false),
            ("2", "1", false),
            ("2", "3.4.5", false),
            ("2", "2.1.1", true),
            ("2.1", "2.1.1", true),
            ("2.1", "2.2.1", false),
            ("~1.2.3", "1.2.4", true),
            ("~1.2.3", "1.3.4", false),
            ("~1.2", "1.2.4", true),
            ("~1.2", "1.3.4", false),
            ("~1", "1.2.4", true),
            ("~1", "2.3.4", false),
            ("~0.2.3", "0.2.5", true),
            ("~0.2.3", "0.3.5", false),
            ("~1.2.3-beta.2", "1.2.3-beta.4", true),
            ("~1.2.3-beta.2", "1.2.4-beta.2", true),
            ("~1.2.3-beta.2", "1.3.4-beta.2", false),
            ("^1.2.3", "1.8.9", true),
            ("^1.2.3", "2.8.9", false),
            ("^1.2.3", "1.2.1", false),
            ("^1.1.0", "2.1.0", false),
            ("^1.2.0", "2.2.1", false),
            ("^1.2.0", "1.2.1-alpha.1", false),
            ("^1.2.0-alpha.0", "1.2.1-alpha.1", true),
            ("^1.2.0-alpha.0", "1.2.1-alpha.0", true),
            ("^1.2.0-alpha.2", "1.2.0-alpha.1", false),
            ("^1.2", "1.8.9", true),
            ("^1.2", "2.8.9", false),
            ("^1", "1.8.9", true),
            ("^1", "2.8.9", false),
            ("^0.2.3", "0.2.5", true),
            ("^0.2.3", "0.5.6", false),
            ("^0.2", "0.2.5", true),
            ("^0.2", "0.5.6", false),
            ("^0.0.3", "0.0.3", true),
            ("^0.0.3", "0.0.4", false),
            ("^0.0", "0.0.3", true),
            ("^0.0", "0.1.4", false),
            ("^0.0", "1.0.4", false),
            ("^0", "0.2.3", true),
            ("^0", "1.1.4", false),
            ("^0.2.3-beta.2", "0.2.3-beta.4", true),
            ("^0.2.3-beta.2", "0.2.4-beta.2", true),
            ("^0.2.3-beta.2", "0.3.4-beta.2", false),
            ("^0.2.3-beta.2", "0.2.3-beta.2", true),
        ]);
    }

    // Masterminds TestConstraintsCheck and TestConstraintsValidate, re-expressed.
    #[test]
    fn combined_constraints() {
        check(&[
            ("*", "1.2.3", true),
            ("~0.0.0", "1.2.3", true),
            ("0.x.x", "1.2.3", false),
            ("0.0.x", "1.2.3", false),
            ("0.0.0", "1.2.3", false),
            ("^0.0.0", "1.2.3", false),
            ("= 2.0", "1.2.3", false),
            ("= 2.0", "2.0.0", true),
            ("4.1", "4.1.0", true),
            ("4.1.x", "4.1.3", true),
            ("1.x", "1.4", true),
            ("!=4.1", "4.1.0", false),
            ("!=4.1-alpha", "4.1.0-alpha", false),
            ("!=4.1-alpha", "4.1.1-alpha", false),
            ("!=4.1-alpha", "4.1.0", true),
            ("!=4.1", "5.1.0", true),
            ("!=4.x", "5.1.0", true),
            ("!=4.x", "4.1.0", false),
            ("!=4.1.x", "4.2.0", true),
            ("!=4.2.x", "4.2.3", false),
            (">1.1", "4.1.0", true),
            (">1.1", "1.1.0", false),
            ("<1.1", "0.1.0", true),
            ("<1.1", "1.1.0", false),
            ("<1.1", "1.1.1", false),
            ("<1.x", "1.1.1", false),
            ("<1.x", "0.1.1", true),
            ("<1.x", "2.0.0", false),
            ("<2.x", "1.1.1", true),
            ("<1.x", "2.1.1", false),
            ("<1.1.x", "1.2.1", false),
            ("<1.1.x", "1.1.500", false),
            ("<1.1.x", "1.0.500", true),
            ("<1.2.x", "1.1.1", true),
            (">=1.1", "4.1.0", true),
            (">=1.1", "4.1.0-beta", false),
            (">=1.1", "1.1.0", true),
            (">=1.1", "0.0.9", false),
            ("<=1.1", "0.1.0", true),
            ("<=1.1", "0.1.0-alpha", false),
            ("<=1.1-a", "0.1.0-alpha", true),
            ("<=1.1", "1.1.0", true),
            ("<=1.x", "1.1.0", true),
            ("<=2.x", "3.0.0", false),
            ("<=2.x", "3.1.0", false),
            ("<=1.1", "1.1.1", true),
            ("<=1.1.x", "1.2.500", false),
            ("<=4.5", "3.4.0", true),
            ("<=4.5", "3.7.0", true),
            ("<=4.5", "4.6.3", false),
            (">1.1, <2", "1.1.1", false),
            (">1.1, <2", "1.2.1", true),
            (">1.1, <3", "4.3.2", false),
            (">=1.1, <2, !=1.2.3", "1.2.3", false),
            (">1.1 <2", "1.1.1", false),
            (">1.1 <2", "1.2.1", true),
            (">1.1    <3", "4.3.2", false),
            (">=1.1    <2    !=1.2.3", "1.2.3", false),
            (">=1.1, <2, !=1.2.3 || > 3", "4.1.2", true),
            (">=1.1, <2, !=1.2.3 || > 3", "3.1.2", false),
            (">=1.1, <2, !=1.2.3 || >= 3", "3.0.0", true),
            (">=1.1, <2, !=1.2.3 || > 3", "3.0.0", false),
            (">=1.1, <2, !=1.2.3 || > 3", "1.2.3", false),
            (">=1.1 <2 !=1.2.3", "1.2.3", false),
            (">=1.1 <2 !=1.2.3 || > 3", "4.1.2", true),
            (">=1.1 <2 !=1.2.3 || > 3", "3.1.2", false),
            (">=1.1 <2 !=1.2.3 || >= 3", "3.0.0", true),
            (">=1.1 <2 !=1.2.3 || > 3", "3.0.0", false),
            (">=1.1 <2 !=1.2.3 || > 3", "1.2.3", false),
            ("> 1.1, <     2", "1.1.1", false),
            (">   1.1, <2", "1.2.1", true),
            (">1.1, <  3", "4.3.2", false),
            (">= 1.1, <     2, !=1.2.3", "1.2.3", false),
            ("> 1.1 < 2", "1.1.1", false),
            (">1.1 < 2", "1.2.1", true),
            ("> 1.1    <3", "4.3.2", false),
            (">=1.1    < 2    != 1.2.3", "1.2.3", false),
            (">= 1.1, <2, !=1.2.3 || > 3", "4.1.2", true),
            (">= 1.1, <2, != 1.2.3 || > 3", "3.1.2", false),
            (">= 1.1, <2, != 1.2.3 || >= 3", "3.0.0", true),
            (">= 1.1, <2, !=1.2.3 || > 3", "3.0.0", false),
            (">= 1.1, <2, !=1.2.3 || > 3", "1.2.3", false),
            (">= 1.1 <2 != 1.2.3", "1.2.3", false),
            (">= 1.1 <2 != 1.2.3 || > 3", "4.1.2", true),
            (">= 1.1 <2 != 1.2.3 || > 3", "3.1.2", false),
            (">= 1.1 <2 != 1.2.3 || >= 3", "3.0.0", true),
            (">= 1.1 < 2 !=1.2.3 || > 3", "3.0.0", false),
            (">=1.1 < 2 !=1.2.3 || > 3", "1.2.3", false),
            ("1.1 - 2", "1.1.1", true),
            ("1.5.0 - 4.5", "3.7.0", true),
            ("1.1-3", "4.3.2", false),
            ("^1.1", "1.1.1", true),
            ("^1.1", "1.1.1-alpha", false),
            ("^1.1.1-alpha", "1.1.1-beta", true),
            ("^1.1.1-beta", "1.1.1-alpha", false),
            ("^1.1", "4.3.2", false),
            ("^1.x", "1.1.1", true),
            ("^2.x", "1.1.1", false),
            ("^1.x", "2.1.1", false),
            ("^1.x", "1.1.1-beta1", false),
            ("^1.1.2-alpha", "1.2.1-beta1", true),
            ("^1.2.x-alpha", "1.1.1-beta1", false),
            ("^0.0.1", "0.0.1", true),
            ("^0.0.1", "0.3.1", false),
            ("^0.0.1", "0.1.3", false),
            ("~*", "2.1.1", true),
            ("~1", "2.1.1", false),
            ("~1", "1.3.5", true),
            ("~1", "1.4", true),
            ("~1", "1.3.5-beta", false),
            ("~1.x", "2.1.1", false),
            ("~1.x", "1.3.5", true),
            ("~1.x", "1.4", true),
            ("~1.x", "1.3.5-beta", false),
            ("~1.1", "1.1.1", true),
            ("~1.1", "1.1.1-alpha", false),
            ("~1.1-alpha", "1.1.1-beta", true),
            ("~1.1.1-beta", "1.1.1-alpha", false),
            ("~1.1.1-beta", "1.1.1", true),
            ("~1.3.6-alpha", "1.3.5-beta", false),
            ("~1.3.5-alpha", "1.3.5-beta", true),
            ("~1.3.5-beta", "1.3.5-alpha", false),
            ("~1.2.3", "1.2.5", true),
            ("~1.2.3", "1.2.2", false),
            ("~1.2.3", "1.3.2", false),
            ("~1.1", "1.2.3", false),
            ("~1.3", "2.4.5", false),
            // `v` prefixes on both sides and `~>`.
            ("~v2.14", "v2.14.21", true),
            ("~v2.14", "v3.0.23", false),
            ("~> 2.14", "2.14.1", true),
            ("^v4", "4.14.5", true),
        ]);
    }

    // Masterminds TestNewConstraint, re-expressed: (input, ors, ands in the first, ok).
    #[test]
    fn parse_shapes_and_errors() {
        let cases: &[(&str, usize, usize, bool)] = &[
            (">= 1.1", 1, 1, true),
            (">40.50.60, < 50.70", 1, 2, true),
            ("2.0", 1, 1, true),
            ("v2.3.5-20161202202307-sha.e8fc5e5", 1, 1, true),
            (">= bar", 0, 0, false),
            ("BAR >= 1.2.3", 0, 0, false),
            (">= 1.2.3 < 2.0", 1, 2, true),
            (">= 1.2.3 < 2.0 || => 3.0 < 4", 2, 2, true),
            (">= 1.2.3, < 2.0", 1, 2, true),
            (">= 1.2.3, < 2.0 || => 3.0, < 4", 2, 2, true),
            ("3 - 4 || => 3.0, < 4", 2, 2, true),
            ("12.3.4.1234", 0, 0, false),
            ("12.23.4.1234", 0, 0, false),
            ("12.3.34.1234", 0, 0, false),
            ("12.3.34 ~1.2.3", 1, 2, true),
            ("12.3.34~ 1.2.3", 0, 0, false),
            ("foo", 0, 0, false),
            (">= 1.2 ||", 0, 0, false),
            (">= 1.2,", 0, 0, false),
        ];
        for (input, ors, ands, ok) in cases {
            match Constraint::parse(input) {
                Ok(c) => {
                    assert!(ok, "{input:?} should not parse");
                    assert_eq!(c.shape(), (*ors, *ands), "{input:?}");
                }
                Err(e) => {
                    assert!(!ok, "{input:?}: {e}");
                    assert!(e.to_string().contains(input), "error names the input: {e}");
                }
            }
        }
    }

    #[test]
    fn hyphen_range_rewrites_to_inclusive_bounds() {
        let c = Constraint::parse("2 - 3, 4.0.0 - 5.1").unwrap();
        assert_eq!(c.shape(), (1, 4));
        let c = Constraint::parse("1.2 - 1.4").unwrap();
        assert!(c.matches(&Version::parse("1.4.9").unwrap()));
        assert!(!c.matches(&Version::parse("1.5.0").unwrap()));
        assert!(!c.matches(&Version::parse("1.1.9").unwrap()));
    }
}
