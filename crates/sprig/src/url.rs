//! Sprig's URL functions: `urlParse` (Go's url.Parse as a dict) and `urlJoin` (Go's
//! url.URL.String of a dict), with Go's net/url escaping rules.

use std::collections::BTreeMap;

use crate::util::{arg_str, table};
use gotemplate::GoValue;

pub(crate) fn register(m: &mut gotemplate::FuncMap) {
    table! { m;
        "urlParse" [Str] => |_, a| url_parse(arg_str(&a[0]));
        "urlJoin" [Map] => |_, a| url_join(&a[0]);
    }
}

fn url_parse(s: &str) -> Result<GoValue, String> {
    let mut m = BTreeMap::new();
    let (scheme, rest) = match s.split_once("://") {
        Some((a, b)) => (a.to_string(), b),
        None => (String::new(), s),
    };
    let (before_frag, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let (before_q, query) = before_frag.split_once('?').unwrap_or((before_frag, ""));
    let (authority, path) = if scheme.is_empty() {
        ("", before_q.to_string())
    } else {
        match before_q.find('/') {
            Some(i) => (&before_q[..i], before_q[i..].to_string()),
            None => (before_q, String::new()),
        }
    };
    let (userinfo, host) = match authority.rsplit_once('@') {
        Some((u, h)) => (u, h),
        None => ("", authority),
    };
    for (k, v) in [
        ("scheme", scheme.as_str()),
        ("host", host),
        ("hostname", host.split(':').next().unwrap_or("")),
        ("path", path.as_str()),
        ("query", query),
        ("opaque", ""),
        ("fragment", fragment),
        ("userinfo", userinfo),
    ] {
        m.insert(k.to_string(), GoValue::from(v));
    }
    Ok(GoValue::from(m))
}

// ---- urlJoin ----

#[derive(PartialEq, Clone, Copy)]
enum Escape {
    Path,
    Fragment,
    Host,
    UserPassword,
}

/// Go's net/url shouldEscape.
fn should_escape(c: u8, mode: Escape) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if mode == Escape::Host
        && matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'"'
        )
    {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => {
            return match mode {
                Escape::Path => c == b'?',
                Escape::UserPassword => matches!(c, b'@' | b'/' | b'?' | b':'),
                Escape::Fragment => false,
                Escape::Host => true,
            };
        }
        _ => {}
    }
    if mode == Escape::Fragment && matches!(c, b'!' | b'(' | b')' | b'*') {
        return false;
    }
    true
}

fn escape(s: &str, mode: Escape) -> String {
    let mut out = String::new();
    for &b in s.as_bytes() {
        if should_escape(b, mode) && !(mode == Escape::Host && b >= 0x80) {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(b as char);
        }
    }
    // Bytes >= 0x80 kept as is in hosts are re-assembled as UTF-8.
    if mode == Escape::Host {
        return String::from_utf8_lossy(
            &out.chars()
                .flat_map(|c| {
                    if (c as u32) < 0x100 {
                        vec![c as u8]
                    } else {
                        c.to_string().into_bytes()
                    }
                })
                .collect::<Vec<u8>>(),
        )
        .into_owned();
    }
    out
}

fn url_join(dict: &GoValue) -> Result<GoValue, String> {
    let GoValue::Map(m) = dict else {
        return Ok(GoValue::from(""));
    };
    let m = m.borrow();
    let get = |key: &str| -> Result<String, String> {
        match m.get(key) {
            None => Ok(String::new()),
            Some(GoValue::String(s)) => Ok(s.to_string()),
            Some(GoValue::Nil) => Err(format!(
                "unable to parse {key} key, must be of type string, but invalid found"
            )),
            Some(other) => Err(format!(
                "unable to parse {key} key, must be of type string, but {} found",
                crate::util::kind(other)
            )),
        }
    };
    let (scheme, host, path, query, opaque, fragment, userinfo) = (
        get("scheme")?,
        get("host")?,
        get("path")?,
        get("query")?,
        get("opaque")?,
        get("fragment")?,
        get("userinfo")?,
    );
    let user = if userinfo.is_empty() {
        None
    } else {
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(std::borrow::Cow::into_owned)
                .map_err(|_| {
                    format!("unable to parse userinfo in dict: invalid userinfo {userinfo:?}")
                })
        };
        let (u, p) = match userinfo.split_once(':') {
            Some((u, p)) => (decode(u)?, Some(decode(p)?)),
            None => (decode(&userinfo)?, None),
        };
        let mut s = escape(&u, Escape::UserPassword);
        if let Some(p) = p {
            s.push(':');
            s.push_str(&escape(&p, Escape::UserPassword));
        }
        Some(s)
    };
    let mut out = String::new();
    if !opaque.is_empty() {
        out.push_str(&scheme);
        out.push(':');
        out.push_str(&opaque);
    } else {
        if !scheme.is_empty() {
            out.push_str(&scheme);
            out.push(':');
        }
        if !scheme.is_empty() || !host.is_empty() || user.is_some() {
            if !host.is_empty() || !path.is_empty() || user.is_some() {
                out.push_str("//");
            }
            if let Some(u) = &user {
                out.push_str(u);
                out.push('@');
            }
            out.push_str(&escape(&host, Escape::Host));
        }
        let escaped_path = escape(&path, Escape::Path);
        if !escaped_path.is_empty() && !escaped_path.starts_with('/') && !host.is_empty() {
            out.push('/');
        }
        if out.is_empty() {
            let first = escaped_path.split('/').next().unwrap_or("");
            if first.contains(':') {
                out.push_str("./");
            }
        }
        out.push_str(&escaped_path);
    }
    if !query.is_empty() {
        out.push('?');
        out.push_str(&query);
    }
    if !fragment.is_empty() {
        out.push('#');
        out.push_str(&escape(&fragment, Escape::Fragment));
    }
    Ok(GoValue::from(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn join(pairs: &[(&str, &str)]) -> String {
        let mut m = std::collections::BTreeMap::new();
        for (k, v) in pairs {
            m.insert(k.to_string(), GoValue::from(*v));
        }
        url_join(&GoValue::from(m))
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn url_join_like_go() {
        // Sprig's documented example.
        assert_eq!(
            join(&[
                ("fragment", "fragment"),
                ("host", "host:80"),
                ("path", "/path"),
                ("query", "query"),
                ("scheme", "http")
            ]),
            "http://host:80/path?query#fragment"
        );
        assert_eq!(
            join(&[
                ("scheme", "https"),
                ("host", "example.com"),
                ("path", "a b"),
                ("userinfo", "me:p@ss")
            ]),
            "https://me:p%40ss@example.com/a%20b"
        );
        assert_eq!(
            join(&[("scheme", "mailto"), ("opaque", "x@y.z")]),
            "mailto:x@y.z"
        );
        assert_eq!(join(&[("path", "a:b")]), "./a:b");
    }
}
