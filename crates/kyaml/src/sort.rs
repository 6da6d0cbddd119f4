//! The mapping-key order of go-yaml v2's encoder (`keyList.Less`): letters compare by code
//! point, a non-letter sorts before a letter, and runs of digits compare by numeric value, so
//! `a2` < `a10`. This is the order of every map in `kustomize build` output and Helm `toYaml`.

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

/// Maps up to this size are insertion-sorted (both sorts are stable, so for any consistent
/// order they agree).
const INSERTION_SORT_MAX: usize = 16;

/// Sorts mapping entries by [`key_less`]. go-yaml's order is not a total order (`a10` < `a1a` <
/// `a01` < `a10` is a cycle; Go's own output then depends on map iteration order), and the
/// standard library's sorts may panic on such comparators, so this is a plain merge sort (an
/// insertion sort for small maps) that accepts any answer.
pub(crate) fn sort_entries<T>(entries: &mut Vec<T>, key: impl Fn(&T) -> &str) {
    let n = entries.len();
    // Already in order (common: objects are often written sorted), nothing moves.
    if n < 2
        || entries
            .windows(2)
            .all(|w| !key_less(key(&w[1]), key(&w[0])))
    {
        return;
    }
    if n <= INSERTION_SORT_MAX {
        insertion_sort(entries, key);
    } else {
        merge_sort(entries, key);
    }
}

/// A stable insertion sort, in place.
fn insertion_sort<T>(entries: &mut [T], key: impl Fn(&T) -> &str) {
    for i in 1..entries.len() {
        let mut j = i;
        while j > 0 && key_less(key(&entries[j]), key(&entries[j - 1])) {
            entries.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// A stable bottom-up merge sort.
fn merge_sort<T>(entries: &mut Vec<T>, key: impl Fn(&T) -> &str) {
    let n = entries.len();
    let mut src: Vec<T> = std::mem::take(entries);
    let mut width = 1;
    while width < n {
        let mut merged: Vec<T> = Vec::with_capacity(n);
        let mut items = src.into_iter().peekable();
        let mut left: Vec<T> = Vec::with_capacity(width);
        let mut right: Vec<T> = Vec::with_capacity(width);
        while items.peek().is_some() {
            left.extend(items.by_ref().take(width));
            right.extend(items.by_ref().take(width));
            merge_into(&mut merged, &mut left, &mut right, &key);
        }
        src = merged;
        width *= 2;
    }
    *entries = src;
}

fn merge_into<T>(
    out: &mut Vec<T>,
    left: &mut Vec<T>,
    right: &mut Vec<T>,
    key: &impl Fn(&T) -> &str,
) {
    let mut l = left.drain(..).peekable();
    let mut r = right.drain(..).peekable();
    loop {
        let take_right = match (l.peek(), r.peek()) {
            (Some(a), Some(b)) => key_less(key(b), key(a)),
            (Some(_), None) => false,
            (None, Some(_)) => true,
            (None, None) => break,
        };
        let next = if take_right { r.next() } else { l.next() };
        out.extend(next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(keys: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = keys.iter().map(ToString::to_string).collect();
        sort_entries(&mut v, |s| s.as_str());
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
        let many: Vec<String> = (0..300).rev().map(|i| format!("k{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let expected: Vec<String> = (0..300).map(|i| format!("k{i}")).collect();
        assert_eq!(sorted(&many), expected);
    }

    /// On keys without digits the order is total, and both stable sorts give the one answer.
    #[test]
    fn insertion_and_merge_sorts_agree() {
        let mut rng = crate::test_rng::Rng::new(0x9e37_79b9_7f4a_7c15_u64);
        let mut next = |n: u64| rng.below(n as usize) as u64;
        for _ in 0..2000 {
            let n = 2 + next(15) as usize;
            let mut keys: Vec<String> = (0..n)
                .map(|_| {
                    (0..1 + next(4))
                        .map(|_| ["a", "B", "z", ".", "-", "_", "é"][next(7) as usize])
                        .collect()
                })
                .collect();
            keys.sort();
            keys.dedup();
            keys.reverse();
            let mut by_insertion = keys.clone();
            insertion_sort(&mut by_insertion, |k| k);
            let mut by_merge = keys;
            merge_sort(&mut by_merge, |k| k);
            assert_eq!(by_insertion, by_merge);
        }
    }

    #[test]
    fn inconsistent_order_does_not_panic() {
        assert!(key_less("a10", "a1a") && key_less("a1a", "a01") && key_less("a01", "a10"));
        let keys: Vec<String> = (0..200)
            .map(|i| ["a10", "a1a", "a01", "b2", "a"][i % 5].repeat(1 + i % 3))
            .collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        assert_eq!(sorted(&keys).len(), 200);
    }
}
