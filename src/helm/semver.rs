//! The parts of Masterminds/semver v3 that chart loading needs: lenient version parsing
//! (`v1.2`, `1.2.3-rc.1+meta`) and constraint checks (`>= 1.19.0-0`, `^1.2`, `~1.2.3`, `1.2.x`,
//! `1.0 - 2.0`, `a, b` / `a b` for AND, `||` for OR), as used for dependency versions and
//! `kubeVersion`.

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: String,
}

impl Version {
    /// Masterminds `NewVersion` (non-strict): optional `v`, missing minor/patch default to 0.
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.strip_prefix('v').unwrap_or(s);
        let (core, _meta) = match s.split_once('+') {
            Some((c, m)) => {
                if !valid_idents(m) {
                    return None;
                }
                (c, Some(m))
            }
            None => (s, None),
        };
        let (nums, pre) = match core.split_once('-') {
            Some((n, p)) => {
                if !valid_idents(p) {
                    return None;
                }
                (n, p.to_string())
            }
            None => (core, String::new()),
        };
        let parts: Vec<&str> = nums.split('.').collect();
        if parts.is_empty() || parts.len() > 3 {
            return None;
        }
        let mut n = [0u64; 3];
        for (i, p) in parts.iter().enumerate() {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            n[i] = p.parse().ok()?;
        }
        Some(Version { major: n[0], minor: n[1], patch: n[2], pre })
    }

    fn cmp_pre(a: &str, b: &str) -> Ordering {
        match (a.is_empty(), b.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            _ => {}
        }
        let (mut ia, mut ib) = (a.split('.'), b.split('.'));
        loop {
            match (ia.next(), ib.next()) {
                (None, None) => return Ordering::Equal,
                (None, Some(_)) => return Ordering::Less,
                (Some(_), None) => return Ordering::Greater,
                (Some(x), Some(y)) => {
                    let o = match (x.parse::<u64>(), y.parse::<u64>()) {
                        (Ok(p), Ok(q)) => p.cmp(&q),
                        (Ok(_), Err(_)) => Ordering::Less,
                        (Err(_), Ok(_)) => Ordering::Greater,
                        _ => x.cmp(y),
                    };
                    if o != Ordering::Equal {
                        return o;
                    }
                }
            }
        }
    }
}

fn valid_idents(s: &str) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

impl Ord for Version {
    fn cmp(&self, o: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(o.major, o.minor, o.patch))
            .then_with(|| Version::cmp_pre(&self.pre, &o.pre))
    }
}
impl PartialOrd for Version {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    Tilde,
    Caret,
}

#[derive(Debug, Clone)]
struct Term {
    op: Op,
    v: Version,
    /// How many of major/minor/patch were given as numbers (wildcards and omissions count out).
    given: usize,
}

/// Whether `version` satisfies `constraint` (Helm's `chartutil.IsCompatibleRange`); an
/// unparsable constraint or version is "not compatible".
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    let Some(v) = Version::parse(version) else { return false };
    let Some(groups) = parse_constraint(constraint) else { return false };
    groups.iter().any(|g| g.iter().all(|t| term_matches(t, &v)))
}

fn parse_constraint(c: &str) -> Option<Vec<Vec<Term>>> {
    let mut groups = Vec::new();
    for alt in c.split("||") {
        let mut terms = Vec::new();
        let tokens = tokenize(alt);
        let mut i = 0;
        while i < tokens.len() {
            if i + 2 < tokens.len() && tokens[i + 1] == "-" {
                terms.push(parse_term(&format!(">={}", tokens[i]))?);
                terms.push(parse_term(&format!("<={}", tokens[i + 2]))?);
                i += 3;
            } else {
                terms.push(parse_term(&tokens[i])?);
                i += 1;
            }
        }
        if terms.is_empty() {
            return None;
        }
        groups.push(terms);
    }
    Some(groups)
}

/// Splits on commas and spaces, gluing an operator to the version after it (`>= 1.2`).
fn tokenize(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut pending_op = String::new();
    for raw in s.split([',', ' ', '\t']).filter(|t| !t.is_empty()) {
        if raw.chars().all(|c| "<>=!~^".contains(c)) {
            pending_op.push_str(raw);
            continue;
        }
        out.push(format!("{pending_op}{raw}"));
        pending_op.clear();
    }
    out
}

fn parse_term(t: &str) -> Option<Term> {
    let ops = [
        (">=", Op::Ge),
        ("=>", Op::Ge),
        ("<=", Op::Le),
        ("=<", Op::Le),
        ("!=", Op::Ne),
        ("~>", Op::Tilde),
        (">", Op::Gt),
        ("<", Op::Lt),
        ("=", Op::Eq),
        ("~", Op::Tilde),
        ("^", Op::Caret),
    ];
    let (op, rest) = ops
        .iter()
        .find_map(|(p, op)| t.strip_prefix(p).map(|r| (*op, r)))
        .unwrap_or((Op::Eq, t));
    let rest = rest.trim().strip_prefix('v').unwrap_or(rest.trim());
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, p.split('+').next().unwrap_or("").to_string()),
        None => (rest.split('+').next().unwrap_or(""), String::new()),
    };
    let mut nums = [0u64; 3];
    let mut given = 0;
    for (i, part) in core.split('.').enumerate() {
        if i >= 3 {
            return None;
        }
        if matches!(part, "x" | "X" | "*") {
            break;
        }
        nums[i] = part.parse().ok()?;
        given = i + 1;
    }
    if core.is_empty() {
        return None;
    }
    Some(Term { op, v: Version { major: nums[0], minor: nums[1], patch: nums[2], pre }, given })
}

fn term_matches(t: &Term, v: &Version) -> bool {
    // Masterminds: a prerelease version only satisfies constraints that carry a prerelease.
    if !v.pre.is_empty() && t.v.pre.is_empty() {
        return false;
    }
    let base = &t.v;
    let upper = |level: usize| -> Version {
        let mut u = Version { major: base.major, minor: base.minor, patch: 0, pre: String::new() };
        match level {
            0 => {
                u.major += 1;
                u.minor = 0;
            }
            _ => u.minor += 1,
        }
        u
    };
    match t.op {
        Op::Eq | Op::Ne => {
            let eq = match t.given {
                0 => true,
                1 => v.major == base.major,
                2 => v.major == base.major && v.minor == base.minor,
                _ => v == base,
            };
            eq == (t.op == Op::Eq)
        }
        Op::Gt => match t.given {
            0 => false,
            1 => v.major > base.major,
            2 => (v.major, v.minor) > (base.major, base.minor),
            _ => v > base,
        },
        Op::Lt => v < base,
        Op::Ge => v >= base,
        Op::Le => match t.given {
            0 => true,
            1 => v.major <= base.major,
            2 => (v.major, v.minor) <= (base.major, base.minor),
            _ => v <= base,
        },
        Op::Tilde => v >= base && *v < if t.given <= 1 { upper(0) } else { upper(1) },
        Op::Caret => {
            let hi = if base.major > 0 || t.given <= 1 {
                upper(0)
            } else if base.minor > 0 || t.given == 2 {
                upper(1)
            } else {
                Version { major: 0, minor: 0, patch: base.patch + 1, pre: String::new() }
            };
            v >= base && *v < hi
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lenient_versions() {
        assert!(Version::parse("v1.31.0").is_some());
        assert!(Version::parse("1.2").is_some());
        assert!(Version::parse("0.0.21").is_some());
        assert!(Version::parse("1.2.3-rc.1+build.5").is_some());
        assert!(Version::parse("1.2.3.4").is_none());
        assert!(Version::parse("abc").is_none());
        assert!(Version::parse("").is_none());
    }

    #[test]
    fn constraints() {
        assert!(is_compatible_range(">= 1.19.0-0", "v1.31.0"));
        assert!(is_compatible_range(">=1.21.0-0", "v1.20.0") == false);
        assert!(is_compatible_range("0.16.1", "0.16.1"));
        assert!(!is_compatible_range("0.16.1", "0.16.2"));
        assert!(is_compatible_range("^4", "4.15.1"));
        assert!(!is_compatible_range("^4", "5.0.0"));
        assert!(is_compatible_range("~2.14", "2.14.21"));
        assert!(!is_compatible_range("~2.14", "2.15.0"));
        assert!(is_compatible_range("1.2.x", "1.2.9"));
        assert!(is_compatible_range(">1.0, <2.0", "1.5.0"));
        assert!(is_compatible_range("<1.0 || >=3", "3.1.0"));
        assert!(is_compatible_range("1.0 - 2.0", "1.5.0"));
        assert!(!is_compatible_range(">=1.0.0", "1.5.0-rc.1"));
        assert!(is_compatible_range("*", "1.5.0"));
    }
}
