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

/// Sprig's `urlParse`: Go's `url.Parse` as a dict (scheme, host, hostname, path, query,
/// opaque, fragment, userinfo), and `unable to parse url: parse "URL": REASON` for what Go
/// rejects.
fn url_parse(s: &str) -> Result<GoValue, String> {
    let u = go_url_parse(s).map_err(|e| format!("unable to parse url: {e}"))?;
    let mut m = BTreeMap::new();
    let hostname = split_host_port(&u.host);
    for (k, v) in [
        ("scheme", u.scheme.as_str()),
        ("host", u.host.as_str()),
        ("hostname", hostname),
        ("path", u.path.as_str()),
        ("query", u.raw_query.as_str()),
        ("opaque", u.opaque.as_str()),
        ("fragment", u.fragment.as_str()),
        ("userinfo", u.userinfo.as_str()),
    ] {
        m.insert(k.to_string(), GoValue::from(v));
    }
    Ok(GoValue::from(m))
}

/// The parts of a URL that `urlParse` reports (Go's `url.URL`, userinfo as `User.String()`).
#[derive(Default, Debug, PartialEq)]
struct ParsedUrl {
    scheme: String,
    opaque: String,
    userinfo: String,
    host: String,
    path: String,
    raw_query: String,
    fragment: String,
}

/// Go's `url.Parse`, with its error texts (`parse "URL": ...`).
fn go_url_parse(raw: &str) -> Result<ParsedUrl, String> {
    let (u, frag) = match raw.split_once('#') {
        Some((a, b)) => (a, Some(b)),
        None => (raw, None),
    };
    let mut url = parse_no_fragment(u)
        .map_err(|e| format!("parse {}: {e}", gotemplate::gofmt::quote_go(u)))?;
    if let Some(f) = frag {
        url.fragment = unescape(f, Unescape::Fragment)
            .map_err(|e| format!("parse {}: {e}", gotemplate::gofmt::quote_go(raw)))?;
    }
    Ok(url)
}

fn parse_no_fragment(raw: &str) -> Result<ParsedUrl, String> {
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    let mut url = ParsedUrl::default();
    if raw == "*" {
        url.path = "*".into();
        return Ok(url);
    }
    let (scheme, mut rest) = get_scheme(raw)?;
    url.scheme = scheme.to_ascii_lowercase();
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        rest = &rest[..rest.len() - 1];
    } else if let Some((r, q)) = rest.split_once('?') {
        url.raw_query = q.to_string();
        rest = r;
    }
    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            url.opaque = rest.to_string();
            return Ok(url);
        }
        let segment = rest.split('/').next().unwrap_or("");
        if segment.contains(':') {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let authority = &rest[2..];
        let (authority, path) = match authority.find('/') {
            Some(i) => (&authority[..i], &authority[i..]),
            None => (authority, ""),
        };
        let (user, host) = parse_authority(authority)?;
        url.userinfo = user;
        url.host = host;
        rest = path;
    }
    url.path = unescape(rest, Unescape::Path)?;
    Ok(url)
}

fn get_scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' => {
                if i == 0 {
                    return Ok(("", raw));
                }
            }
            b':' => {
                if i == 0 {
                    return Err("missing protocol scheme".into());
                }
                return Ok((&raw[..i], &raw[i + 1..]));
            }
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

/// Userinfo (as `User.String()` prints it) and host of an authority.
fn parse_authority(authority: &str) -> Result<(String, String), String> {
    let at = authority.rfind('@');
    let host = parse_host(match at {
        Some(i) => &authority[i + 1..],
        None => authority,
    })?;
    let Some(i) = at else {
        return Ok((String::new(), host));
    };
    let userinfo = &authority[..i];
    let valid = userinfo.chars().all(|c| {
        c.is_ascii_alphanumeric()
            || matches!(
                c,
                '-' | '.'
                    | '_'
                    | ':'
                    | '~'
                    | '!'
                    | '$'
                    | '&'
                    | '\''
                    | '('
                    | ')'
                    | '*'
                    | '+'
                    | ','
                    | ';'
                    | '='
                    | '%'
                    | '@'
            )
    });
    if !valid {
        return Err("net/url: invalid userinfo".into());
    }
    let user = match userinfo.split_once(':') {
        None => escape(
            &unescape(userinfo, Unescape::UserPassword)?,
            Escape::UserPassword,
        ),
        Some((name, pass)) => format!(
            "{}:{}",
            escape(
                &unescape(name, Unescape::UserPassword)?,
                Escape::UserPassword
            ),
            escape(
                &unescape(pass, Unescape::UserPassword)?,
                Escape::UserPassword
            )
        ),
    };
    Ok((user, host))
}

fn valid_optional_port(port: &str) -> bool {
    port.is_empty() || (port.starts_with(':') && port[1..].bytes().all(|b| b.is_ascii_digit()))
}

fn parse_host(host: &str) -> Result<String, String> {
    if host.starts_with('[') {
        let Some(i) = host.rfind(']') else {
            return Err("missing ']' in host".into());
        };
        let colon_port = &host[i + 1..];
        if !valid_optional_port(colon_port) {
            return Err(format!(
                "invalid port {} after host",
                gotemplate::gofmt::quote_go(colon_port)
            ));
        }
    } else if let Some(i) = host.rfind(':') {
        let colon_port = &host[i..];
        if !valid_optional_port(colon_port) {
            return Err(format!(
                "invalid port {} after host",
                gotemplate::gofmt::quote_go(colon_port)
            ));
        }
    }
    unescape(host, Unescape::Host)
}

/// `Hostname()`: the host without its port and IPv6 brackets.
fn split_host_port(host_port: &str) -> &str {
    let mut host = host_port;
    if let Some(c) = host.rfind(':')
        && valid_optional_port(&host[c..])
    {
        host = &host[..c];
    }
    if host.starts_with('[') && host.ends_with(']') && host.len() >= 2 {
        host = &host[1..host.len() - 1];
    }
    host
}

#[derive(PartialEq, Clone, Copy)]
enum Unescape {
    Path,
    Fragment,
    Host,
    UserPassword,
}

/// Go's `unescape`: `%XX` decoded (a bad escape is `invalid URL escape "%zz"`), host
/// characters checked (`invalid character " " in host name`).
fn unescape(s: &str, mode: Unescape) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let ok =
                    i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit();
                if !ok {
                    let end = (i + 3).min(b.len());
                    return Err(format!(
                        "invalid URL escape {}",
                        gotemplate::gofmt::quote_go(&String::from_utf8_lossy(&b[i..end]))
                    ));
                }
                let v = (hex_val(b[i + 1]) << 4) | hex_val(b[i + 2]);
                if mode == Unescape::Host && hex_val(b[i + 1]) < 8 && &s[i..i + 3] != "%25" {
                    return Err(format!(
                        "invalid URL escape {}",
                        gotemplate::gofmt::quote_go(&s[i..i + 3])
                    ));
                }
                out.push(v);
                i += 3;
            }
            c => {
                if mode == Unescape::Host && c < 0x80 && should_escape(c, Escape::Host) {
                    return Err(format!(
                        "invalid character {} in host name",
                        gotemplate::gofmt::quote_go(&(c as char).to_string())
                    ));
                }
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn hex_val(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c - b'A' + 10,
    }
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
