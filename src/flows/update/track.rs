//! Moving an entry's `track` with its version, for `vendor update --major` (and `--to` outside
//! the track): the new range has the shape of the old one, around the new version.
//!
//! - `~2.14` -> `~3.0`, `^4` -> `^5`, `~1.2.3` -> `~2.0.1`, `2.14.x` -> `3.0.x`, `1.2` -> `3.0`:
//!   the operator and the number of components are kept, the numbers are the new version's.
//! - `>=0.15, <1` (a lower and an upper bound): the lower bound becomes the new version at the
//!   lower bound's precision, and the upper bound keeps its distance from it at its own
//!   precision: to 1.2.0, `>=0.15, <1` becomes `>=1.2, <2`; to 0.16.1, `>=0.14, <0.16`
//!   becomes `>=0.16, <0.18`.
//! - Anything else (`||` alternatives, exact versions, only an upper bound, a prerelease target
//!   the new range would not hold) is refused with the reason: the user edits `track`.

use semver_ranges::{Constraint, Version};

/// The track of the same shape as `track` around `to`, or why there is none.
pub fn moved(track: &str, to: &Version) -> Result<String, String> {
    let text = track.trim();
    if text.contains("||") {
        return Err(format!(
            "`{track}` has alternatives (`||`); `--major` only moves a single range"
        ));
    }
    let parts: Vec<&str> = text
        .split([',', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let new = match parts.as_slice() {
        [one] => single(one, to)?,
        [a, b] => bounds(a, b, to, text.contains(','))?,
        _ => {
            return Err(format!(
                "`{track}` is not a shape `--major` knows how to move"
            ));
        }
    };
    let c = Constraint::parse(&new).map_err(|e| e.to_string())?;
    if !c.matches(to) {
        return Err(format!(
            "the moved range `{new}` would not hold {}",
            to.original()
        ));
    }
    Ok(new)
}

/// `~2.14`, `^4`, `2.14.x`, `1.2`, `~>1.2`.
fn single(part: &str, to: &Version) -> Result<String, String> {
    let op_len = part
        .find(|c: char| c.is_ascii_digit() || c == 'v' || c == 'V')
        .unwrap_or(part.len());
    let (op, version) = part.split_at(op_len);
    if !matches!(op, "" | "~" | "^" | "~>" | "=") {
        return Err(format!(
            "`{part}` has only one bound; `--major` moves ranges such as `~2.14`, `^4` or `>=1.2, <2`"
        ));
    }
    let version = version.trim_start_matches(['v', 'V']);
    let comps: Vec<&str> = version.split('.').collect();
    let wildcard = comps.iter().position(|c| matches!(*c, "x" | "X" | "*"));
    let numbers = wildcard.unwrap_or(comps.len());
    if numbers == 0 || comps.len() > 3 || comps[..numbers].iter().any(|c| c.parse::<u64>().is_err())
    {
        return Err(format!(
            "`{part}` is not a range `--major` knows how to move"
        ));
    }
    if (op.is_empty() || op == "=") && wildcard.is_none() && numbers == 3 {
        return Err(format!(
            "`{part}` pins one version; edit `track` to a range, or use --to without --major"
        ));
    }
    let new = [to.major, to.minor, to.patch];
    let mut out: Vec<String> = new[..numbers].iter().map(u64::to_string).collect();
    out.extend(comps[numbers..].iter().map(|c| (*c).to_string()));
    Ok(format!("{op}{}", out.join(".")))
}

/// `>=L, <U` (also `>=L <U`); `comma` says how the two were separated.
fn bounds(a: &str, b: &str, to: &Version, comma: bool) -> Result<String, String> {
    let a = a.trim_end_matches(',');
    let (lower, upper) = match (a.strip_prefix(">="), b.strip_prefix('<')) {
        (Some(l), Some(u)) if !u.starts_with('=') => (l, u),
        _ => {
            return Err(format!(
                "`{a}, {b}` is not a `>=LOWER, <UPPER` range; `--major` moves only that shape with two bounds"
            ));
        }
    };
    let parse = |s: &str| -> Result<Vec<u64>, String> {
        let comps: Vec<u64> = s
            .trim()
            .trim_start_matches(['v', 'V'])
            .split('.')
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|_| format!("`{s}` is not a plain version bound"))?;
        if comps.is_empty() || comps.len() > 3 {
            return Err(format!("`{s}` is not a plain version bound"));
        }
        Ok(comps)
    };
    let (l, u) = (parse(lower)?, parse(upper)?);
    let at = |v: &[u64], n: usize| -> Vec<u64> {
        (0..n).map(|i| v.get(i).copied().unwrap_or(0)).collect()
    };
    // The upper bound's precision: `<2.0.0` is `<2`, the next major.
    let mut precision = u.len();
    while precision > 1 && u[precision - 1] == 0 {
        precision -= 1;
    }
    let last = precision - 1;
    let lu = at(&l, precision);
    if lu[..last] != u[..last] {
        return Err(format!(
            "`>={lower}, <{upper}` is not a window of whole steps of its upper bound; edit `track`"
        ));
    }
    let step = u[last]
        .checked_sub(lu[last])
        .filter(|s| *s > 0)
        .ok_or_else(|| format!("`>={lower}, <{upper}` is empty"))?;
    let target = [to.major, to.minor, to.patch];
    let new_lower = at(&target, l.len());
    let mut new_upper = at(&target, precision);
    new_upper[last] += step;
    let new_upper = at(&new_upper, u.len());
    let show = |v: &[u64]| v.iter().map(u64::to_string).collect::<Vec<_>>().join(".");
    let sep = if comma { ", " } else { " " };
    Ok(format!(">={}{sep}<{}", show(&new_lower), show(&new_upper)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(track: &str, to: &str) -> Result<String, String> {
        moved(track, &Version::parse(to).unwrap())
    }

    #[test]
    fn keeps_the_operator_and_the_precision() {
        assert_eq!(m("~2.14", "v3.0.23").unwrap(), "~3.0");
        assert_eq!(m("^4", "5.1.0").unwrap(), "^5");
        assert_eq!(m("^0.14", "0.16.1").unwrap(), "^0.16");
        assert_eq!(m("~1.2.3", "v2.0.1").unwrap(), "~2.0.1");
        assert_eq!(m("2.14.x", "v3.0.23").unwrap(), "3.0.x");
        assert_eq!(m("2.x", "v3.0.23").unwrap(), "3.x");
        assert_eq!(m("1.2", "3.0.1").unwrap(), "3.0");
        assert_eq!(m(" ~v2.14 ", "v3.0.23").unwrap(), "~3.0");
    }

    #[test]
    fn slides_a_window_keeping_its_width() {
        assert_eq!(m(">=0.15, <1", "1.2.0").unwrap(), ">=1.2, <2");
        assert_eq!(m(">=0.14, <0.16", "v0.16.1").unwrap(), ">=0.16, <0.18");
        assert_eq!(m(">=1.2.0 <2.0.0", "3.1.4").unwrap(), ">=3.1.4 <4.0.0");
        assert_eq!(m(">=1, <3", "4.1.0").unwrap(), ">=4, <6");
        assert!(
            m(">=1.5, <1.7.2", "2.0.0")
                .unwrap_err()
                .contains("whole steps")
        );
    }

    #[test]
    fn refuses_what_it_cannot_move_with_a_reason() {
        assert!(m("^1 || ^2", "3.0.0").unwrap_err().contains("alternatives"));
        assert!(
            m("1.2.3", "2.0.0")
                .unwrap_err()
                .contains("pins one version")
        );
        assert!(m("<2", "3.0.0").unwrap_err().contains("one bound"));
        assert!(
            m(">=1, <=2", "3.0.0")
                .unwrap_err()
                .contains(">=LOWER, <UPPER")
        );
        assert!(
            m("~3.1", "3.1.0-rc.1")
                .unwrap_err()
                .contains("would not hold")
        );
    }
}
