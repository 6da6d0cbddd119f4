//! The mapping-key order of go-yaml v2's encoder (`keyList.Less`): letters compare by code
//! point, a non-letter sorts before a letter, and runs of digits compare by numeric value, so
//! `a2` < `a10`. This is the order of every map in `kustomize build` output and Helm `toYaml`.

use std::cmp::Ordering;

fn is_letter(c: char) -> bool {
    c.is_alphabetic()
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())
}

fn digit_value(c: char) -> i64 {
    (c as i64).wrapping_sub('0' as i64)
}

/// go-yaml v2's `keyList.Less` for two string keys.
pub(crate) fn key_less(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return less_chars(a.as_bytes(), b.as_bytes(), |c| c as char);
    }
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    less_chars(&ar, &br, |c| c)
}

fn less_chars<T: Copy + PartialEq + PartialOrd>(
    ar: &[T],
    br: &[T],
    ch: impl Fn(T) -> char,
) -> bool {
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            continue;
        }
        let (ac, bc) = (ch(ar[i]), ch(br[i]));
        let al = is_letter(ac);
        let bl = is_letter(bc);
        if al && bl {
            return ac < bc;
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if ac == '0' || bc == '0' {
            // Inside a number (a non-zero digit before), a zero is not a leading zero.
            if ar[..i]
                .iter()
                .rev()
                .map(|&c| ch(c))
                .take_while(|&c| is_digit(c))
                .any(|c| c != '0')
            {
                an = 1;
                bn = 1;
            }
        }
        let mut ai = i;
        while ai < ar.len() && is_digit(ch(ar[ai])) {
            an = an.wrapping_mul(10).wrapping_add(digit_value(ch(ar[ai])));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && is_digit(ch(br[bi])) {
            bn = bn.wrapping_mul(10).wrapping_add(digit_value(ch(br[bi])));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ac < bc;
    }
    ar.len() < br.len()
}

/// [`key_less`] as an [`Ordering`], for `sort_by`.
pub(crate) fn key_cmp(a: &str, b: &str) -> Ordering {
    if key_less(a, b) {
        Ordering::Less
    } else if key_less(b, a) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(keys: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = keys.iter().map(|s| s.to_string()).collect();
        v.sort_by(|a, b| key_cmp(a, b));
        v
    }

    #[test]
    fn digits_compare_numerically_and_non_letters_first() {
        assert_eq!(sorted(&["a10", "a2", "a1"]), ["a1", "a2", "a10"]);
        assert_eq!(
            sorted(&["b", "B", "a", "1", "_x"]),
            ["_x", "1", "B", "a", "b"]
        );
        assert_eq!(
            sorted(&["metadata", "apiVersion", "kind", "spec", "data"]),
            ["apiVersion", "data", "kind", "metadata", "spec"]
        );
        assert_eq!(
            sorted(&["a.b", "a-b", "a_b", "ab"]),
            ["a-b", "a.b", "a_b", "ab"]
        );
        assert_eq!(sorted(&["x", "x1", ""]), ["", "x", "x1"]);
    }
}
