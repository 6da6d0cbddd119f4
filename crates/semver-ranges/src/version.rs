//! [`Version`]: a parsed semantic version with Masterminds' loose rules.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Why a version string does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a semantic version: {reason}")]
pub struct VersionError {
    pub input: String,
    pub reason: &'static str,
}

/// A semantic version. Parsing is loose (`v1`, `1.2`, `v1.2.3-rc.1+build`); [`fmt::Display`]
/// prints the canonical `MAJOR.MINOR.PATCH[-PRE][+META]`, [`Version::original`] the input.
#[derive(Debug, Clone)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pre: String,
    meta: String,
    original: String,
}

impl Version {
    /// Parses loosely: optional `v`, missing minor/patch read as 0, prerelease and metadata.
    pub fn parse(input: &str) -> Result<Version, VersionError> {
        let err = |reason| VersionError {
            input: input.to_string(),
            reason,
        };
        let s = input.strip_prefix('v').unwrap_or(input);
        let (rest, meta) = match s.split_once('+') {
            Some((r, m)) => (r, m),
            None => (s, ""),
        };
        let (core, pre) = match rest.split_once('-') {
            Some((c, p)) => (c, p),
            None => (rest, ""),
        };
        let mut parts = core.split('.');
        let mut nums = [0u64; 3];
        for (i, slot) in nums.iter_mut().enumerate() {
            match parts.next() {
                Some(p) => *slot = parse_number(p).ok_or_else(|| err("expected a number"))?,
                None if i == 0 => return Err(err("empty version")),
                None => break,
            }
        }
        if parts.next().is_some() {
            return Err(err("more than three numeric parts"));
        }
        if rest.contains('-') {
            validate_identifiers(pre, true).map_err(err)?;
        }
        if s.contains('+') {
            validate_identifiers(meta, false).map_err(err)?;
        }
        Ok(Version {
            major: nums[0],
            minor: nums[1],
            patch: nums[2],
            pre: pre.to_string(),
            meta: meta.to_string(),
            original: input.to_string(),
        })
    }

    /// A version from its parts (no prerelease, no metadata).
    pub fn new(major: u64, minor: u64, patch: u64) -> Version {
        Version {
            major,
            minor,
            patch,
            pre: String::new(),
            meta: String::new(),
            original: format!("{major}.{minor}.{patch}"),
        }
    }

    /// The same version with a prerelease part (constraint parsing uses it).
    pub(crate) fn with_prerelease(mut self, pre: &str) -> Version {
        self.pre = pre.to_string();
        self
    }

    /// The prerelease part without its `-`, empty when there is none.
    pub fn prerelease(&self) -> &str {
        &self.pre
    }

    /// The build metadata without its `+`, empty when there is none.
    pub fn metadata(&self) -> &str {
        &self.meta
    }

    /// The string this version was parsed from.
    pub fn original(&self) -> &str {
        &self.original
    }

    pub fn is_prerelease(&self) -> bool {
        !self.pre.is_empty()
    }

    /// SemVer precedence: numbers, then prerelease (a release ranks above its prereleases);
    /// build metadata is ignored.
    pub fn cmp_precedence(&self, other: &Version) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| compare_prerelease(&self.pre, &other.pre))
    }
}

fn parse_number(p: &str) -> Option<u64> {
    if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    p.parse().ok()
}

fn validate_identifiers(s: &str, prerelease: bool) -> Result<(), &'static str> {
    if s.is_empty() {
        return Err(if prerelease {
            "empty prerelease"
        } else {
            "empty build metadata"
        });
    }
    for id in s.split('.') {
        if id.is_empty() {
            return Err("empty identifier");
        }
        if !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err("identifiers may only hold [0-9A-Za-z-]");
        }
        if prerelease
            && id.len() > 1
            && id.starts_with('0')
            && id.bytes().all(|b| b.is_ascii_digit())
        {
            return Err("numeric prerelease identifiers must not have leading zeros");
        }
    }
    Ok(())
}

fn compare_prerelease(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let mut ai = a.split('.');
    let mut bi = b.split('.');
    loop {
        match (ai.next(), bi.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let ord = compare_identifier(x, y);
                if ord != Ordering::Equal {
                    return ord;
                }
            }
        }
    }
}

fn compare_identifier(a: &str, b: &str) -> Ordering {
    let an = a.bytes().all(|c| c.is_ascii_digit());
    let bn = b.bytes().all(|c| c.is_ascii_digit());
    match (an, bn) {
        (true, true) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.cmp(b),
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.meta.is_empty() {
            write!(f, "+{}", self.meta)?;
        }
        Ok(())
    }
}

impl FromStr for Version {
    type Err = VersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Version::parse(s)
    }
}

/// Equality is precedence equality plus equal metadata and original spelling, so that `Eq` and
/// `Ord` agree; use [`Version::cmp_precedence`] for SemVer equality.
impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Total order: SemVer precedence first, then metadata and the original spelling (so sorting
/// is deterministic when `v1.0.0` and `1.0.0` both exist).
impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.cmp_precedence(other)
            .then_with(|| self.meta.cmp(&other.meta))
            .then_with(|| self.original.cmp(&other.original))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Cases from the Masterminds semver test tables (TestNewVersion), re-expressed.
    #[test]
    fn parse_accepts_and_rejects_like_masterminds() {
        let cases: &[(&str, bool)] = &[
            ("1.2.3", true),
            ("1.2.3-alpha.01", false),
            ("1.2.3+test.01", true),
            ("1.2.3-alpha.-1", true),
            ("v1.2.3", true),
            ("1.0", true),
            ("v1.0", true),
            ("1", true),
            ("v1", true),
            ("1.2.beta", false),
            ("v1.2.beta", false),
            ("foo", false),
            ("1.2-5", true),
            ("v1.2-5", true),
            ("1.2-beta.5", true),
            ("v1.2-beta.5", true),
            ("\n1.2", false),
            ("\nv1.2", false),
            ("1.2.0-x.Y.0+metadata", true),
            ("v1.2.0-x.Y.0+metadata", true),
            ("1.2.0-x.Y.0+metadata-width-hypen", true),
            ("v1.2.0-x.Y.0+metadata-width-hypen", true),
            ("1.2.3-rc1-with-hypen", true),
            ("v1.2.3-rc1-with-hypen", true),
            ("1.2.3.4", false),
            ("v1.2.3.4", false),
            ("1.2.2147483648", true),
            ("1.2147483648.3", true),
            ("2147483648.3.0", true),
            ("12.3.4.1234", false),
            ("12.23.4.1234", false),
            ("12.3.34.1234", false),
            ("20221209-update-renovatejson-v4", true),
            ("", false),
            ("1..2", false),
            ("1.2.3-", false),
            ("1.2.3+", false),
        ];
        for (input, ok) in cases {
            assert_eq!(Version::parse(input).is_ok(), *ok, "{input:?}");
        }
    }

    #[test]
    fn display_is_canonical_and_original_is_kept() {
        let cases = [
            ("1.2.3", "1.2.3"),
            ("v1.2.3", "1.2.3"),
            ("1.0", "1.0.0"),
            ("v1", "1.0.0"),
            ("1.2-5", "1.2.0-5"),
            ("v1.2-beta.5", "1.2.0-beta.5"),
            ("v1.2.0-x.Y.0+metadata", "1.2.0-x.Y.0+metadata"),
            ("v1.2.3-rc1-with-hypen", "1.2.3-rc1-with-hypen"),
        ];
        for (input, canonical) in cases {
            let v = Version::parse(input).unwrap();
            assert_eq!(v.to_string(), canonical);
            assert_eq!(v.original(), input);
        }
        let v = Version::parse("1.2.3-beta.1+build.123").unwrap();
        assert_eq!((v.major, v.minor, v.patch), (1, 2, 3));
        assert_eq!(v.prerelease(), "beta.1");
        assert_eq!(v.metadata(), "build.123");
    }

    // TestCompare, TestGreaterThan from Masterminds, re-expressed.
    #[test]
    fn precedence() {
        use Ordering::*;
        let cases = [
            ("1.2.3", "1.5.1", Less),
            ("2.2.3", "1.5.1", Greater),
            ("2.2.3", "2.2.2", Greater),
            ("3.2-beta", "3.2-beta", Equal),
            ("1.3", "1.1.4", Greater),
            ("4.2", "4.2-beta", Greater),
            ("4.2-beta", "4.2", Less),
            ("4.2-alpha", "4.2-beta", Less),
            ("4.2-alpha", "4.2-alpha", Equal),
            ("4.2-beta.2", "4.2-beta.1", Greater),
            ("4.2-beta2", "4.2-beta1", Greater),
            ("4.2-beta", "4.2-beta.2", Less),
            ("4.2-beta", "4.2-beta.foo", Less),
            ("4.2-beta.2", "4.2-beta", Greater),
            ("4.2-beta.foo", "4.2-beta", Greater),
            ("1.2+bar", "1.2+baz", Equal),
            ("1.0.0-beta.4", "1.0.0-beta.-2", Less),
            ("1.0.0-beta.-2", "1.0.0-beta.-3", Less),
            ("1.0.0-beta.-3", "1.0.0-beta.5", Greater),
            ("3.2.0-beta.1", "3.2.0-beta.5", Less),
            ("3.2-beta.4", "3.2-beta.2", Greater),
            ("7.43.0-SNAPSHOT.99", "7.43.0-SNAPSHOT.103", Less),
            ("7.43.0-SNAPSHOT.FOO", "7.43.0-SNAPSHOT.103", Greater),
            ("7.43.0-SNAPSHOT.99", "7.43.0-SNAPSHOT.BAR", Less),
            ("3.2-beta+foo", "3.2-beta+bar", Equal),
        ];
        for (a, b, want) in cases {
            let (va, vb) = (Version::parse(a).unwrap(), Version::parse(b).unwrap());
            assert_eq!(va.cmp_precedence(&vb), want, "{a} vs {b}");
        }
    }

    #[test]
    fn total_order_is_deterministic() {
        let mut vs: Vec<Version> = [
            "v1.0.0",
            "1.0.0",
            "1.0.0-rc.1",
            "0.9.10",
            "0.9.9",
            "1.0.0+b",
        ]
        .iter()
        .map(|s| Version::parse(s).unwrap())
        .collect();
        vs.sort();
        let got: Vec<&str> = vs.iter().map(super::Version::original).collect();
        assert_eq!(
            got,
            [
                "0.9.9",
                "0.9.10",
                "1.0.0-rc.1",
                "1.0.0",
                "v1.0.0",
                "1.0.0+b"
            ]
        );
    }
}
