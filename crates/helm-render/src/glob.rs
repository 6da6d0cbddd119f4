//! Go's `path/filepath.Match` (with `/` as the separator): the glob dialect Helm uses for
//! `.helmignore` rules and `--show-only`. `*` and `?` never match `/`; `[...]` classes with
//! ranges and `^` negation; `\` escapes the next character.

/// The pattern is malformed (Go's `filepath.ErrBadPattern`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("syntax error in pattern")]
pub struct BadPattern;

/// Reports whether `name` matches the shell pattern `pattern`.
pub fn glob_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    let p: Vec<char> = pattern.chars().collect();
    validate(&p)?;
    let n: Vec<char> = name.chars().collect();
    Ok(match_from(&p, &n))
}

fn validate(p: &[char]) -> Result<(), BadPattern> {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' => {
                if i + 1 >= p.len() {
                    return Err(BadPattern);
                }
                i += 2;
            }
            '[' => i = class_end(p, i)?,
            _ => i += 1,
        }
    }
    Ok(())
}

/// Index just past the `]` that closes the class opening at `start`.
fn class_end(p: &[char], start: usize) -> Result<usize, BadPattern> {
    let mut i = start + 1;
    if i < p.len() && p[i] == '^' {
        i += 1;
    }
    let mut first = true;
    loop {
        if i >= p.len() {
            return Err(BadPattern);
        }
        if p[i] == ']' && !first {
            return Ok(i + 1);
        }
        first = false;
        // range start
        let lo_len = class_char_len(p, i)?;
        i += lo_len;
        if i < p.len() && p[i] == '-' {
            i += 1;
            if i >= p.len() || p[i] == ']' {
                return Err(BadPattern);
            }
            i += class_char_len(p, i)?;
        }
    }
}

fn class_char_len(p: &[char], i: usize) -> Result<usize, BadPattern> {
    match p[i] {
        '-' | ']' => Err(BadPattern),
        '\\' if i + 1 < p.len() => Ok(2),
        '\\' => Err(BadPattern),
        _ => Ok(1),
    }
}

fn class_char(p: &[char], i: usize) -> (char, usize) {
    if p[i] == '\\' {
        (p[i + 1], 2)
    } else {
        (p[i], 1)
    }
}

fn match_class(p: &[char], start: usize, c: char) -> (bool, usize) {
    let mut i = start + 1;
    let negated = i < p.len() && p[i] == '^';
    if negated {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while p[i] != ']' || first {
        first = false;
        let (lo, l) = class_char(p, i);
        i += l;
        let mut hi = lo;
        if p[i] == '-' {
            let (h, l2) = class_char(p, i + 1);
            hi = h;
            i += 1 + l2;
        }
        if lo <= c && c <= hi {
            matched = true;
        }
    }
    (matched != negated, i + 1)
}

fn match_from(p: &[char], n: &[char]) -> bool {
    let (mut pi, mut ni) = (0, 0);
    // Backtracking point for the last `*`: (pattern index after star, name index).
    let mut star: Option<(usize, usize)> = None;
    loop {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi + 1, ni));
                    pi += 1;
                    continue;
                }
                '?' if ni < n.len() && n[ni] != '/' => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                '[' if ni < n.len() && n[ni] != '/' => {
                    let (ok, next) = match_class(p, pi, n[ni]);
                    if ok {
                        pi = next;
                        ni += 1;
                        continue;
                    }
                }
                '\\' if ni < n.len() && n[ni] == p[pi + 1] => {
                    pi += 2;
                    ni += 1;
                    continue;
                }
                c if c != '?' && c != '[' && c != '\\' && ni < n.len() && n[ni] == c => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                _ => {}
            }
        } else if ni == n.len() {
            return true;
        }
        // Mismatch: let the last star swallow one more non-separator character.
        match star {
            Some((sp, sn)) if sn < n.len() && n[sn] != '/' => {
                star = Some((sp, sn + 1));
                pi = sp;
                ni = sn + 1;
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::glob_match as m;

    #[test]
    fn go_filepath_match_cases() {
        // From the behaviour documented for Go's filepath.Match.
        assert!(m("abc", "abc").unwrap());
        assert!(m("*", "abc").unwrap());
        assert!(m("*c", "abc").unwrap());
        assert!(!m("a*", "ab/c").unwrap());
        assert!(m("a*/b", "abc/b").unwrap());
        assert!(!m("a*/b", "a/c/b").unwrap());
        assert!(m("a*b*c*d*e*/f", "axbxcxdxe/f").unwrap());
        assert!(!m("a*b*c*d*e*/f", "axbxcxdxexxx/fff").unwrap());
        assert!(m("ab[c]", "abc").unwrap());
        assert!(m("ab[b-d]", "abc").unwrap());
        assert!(!m("ab[e-g]", "abc").unwrap());
        assert!(!m("ab[^c]", "abc").unwrap());
        assert!(m("ab[^e-g]", "abc").unwrap());
        assert!(m("a\\*b", "a*b").unwrap());
        assert!(!m("a\\*b", "ab").unwrap());
        assert!(m("a?b", "a☺b").unwrap());
        assert!(!m("a?b", "a/b").unwrap());
        assert!(m("[\\]a]", "]").unwrap());
        assert!(m("[\\-]", "-").unwrap());
        assert!(m("[x\\-]", "x").unwrap());
        assert!(m("*x", "xxx").unwrap());
        assert!(
            m(
                "templates/subdir/role*",
                "templates/subdir/rolebinding.yaml"
            )
            .unwrap()
        );
    }

    #[test]
    fn bad_patterns() {
        assert!(m("[]a]", "]").is_err());
        assert!(m("[-]", "-").is_err());
        assert!(m("[x-]", "x").is_err());
        assert!(m("[a-b-c]", "a").is_err());
        assert!(m("[", "a").is_err());
        assert!(m("[^", "a").is_err());
        assert!(m("a\\", "a").is_err());
        assert!(m("[a-", "a").is_err());
    }
}

/// `github.com/gobwas/glob` with `/` as separator, as `.Files.Glob` uses it: `*` (no `/`),
/// `**` (anything), `?`, `[abc]`, `[!abc]`, `[a-z]`, `{a,b}`, `\` escapes. `None` when the
/// pattern does not compile (Helm then returns every file).
pub fn gobwas_regex(pattern: &str) -> Option<regex::Regex> {
    let mut re = String::from("^(?s:");
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let mut brace_depth = 0usize;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' if chars.get(i + 1) == Some(&'*') => {
                re.push_str(".*");
                i += 2;
                continue;
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            '\\' => {
                i += 1;
                re.push_str(&regex::escape(&chars.get(i)?.to_string()));
            }
            '[' => {
                let end = chars[i + 1..].iter().position(|&x| x == ']')? + i + 1;
                let mut body: String = chars[i + 1..end].iter().collect();
                if let Some(rest) = body.strip_prefix('!') {
                    body = format!("^{rest}");
                }
                if body.is_empty() {
                    return None;
                }
                re.push('[');
                re.push_str(&body.replace('\\', "\\\\").replace('[', "\\["));
                re.push(']');
                i = end;
            }
            '{' => {
                brace_depth += 1;
                re.push_str("(?:");
            }
            '}' if brace_depth > 0 => {
                brace_depth -= 1;
                re.push(')');
            }
            ',' if brace_depth > 0 => re.push('|'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
        i += 1;
    }
    if brace_depth != 0 {
        return None;
    }
    re.push_str(")$");
    regex::Regex::new(&re).ok()
}

#[cfg(test)]
mod gobwas_tests {
    use super::gobwas_regex;

    #[test]
    fn gobwas_semantics() {
        let m = |p: &str, n: &str| gobwas_regex(p).unwrap().is_match(n);
        assert!(m("files/*", "files/a.txt"));
        assert!(!m("files/*", "files/x/a.txt"));
        assert!(m("files/**", "files/x/a.txt"));
        assert!(m("**.toml", "a/b.toml"));
        assert!(m("*.{yaml,json}", "x.json"));
        assert!(m("[!a]b", "cb"));
        assert!(!m("[!a]b", "ab"));
        assert!(gobwas_regex("{a,b").is_none());
    }
}
