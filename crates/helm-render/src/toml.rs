//! TOML for Helm's `toToml`, `mustToToml` (encoding as BurntSushi/toml's `Encoder`: v1.3.2 in
//! Helm 3.16, v1.6.0 in Helm 4.2) and Helm 4's `fromToml` (decoding into Go's generic values).
//!
//! The encoder layout: keys sorted, plain values before tables, `[table]` headers preceded by a
//! blank line at the top level only, nested headers and keys indented two spaces per level,
//! arrays whose elements are all maps written as `[[array.of.tables]]`, maps inside other
//! arrays written inline (`{k = v}`), null values skipped, an array holding a null an error.
//! Helm 3's encoder writes floats in plain decimal (`1000000.0`), Helm 4's in Go's shortest
//! `%g` form (`1e+06`).

use std::collections::BTreeMap;

use gotemplate::{GoValue, gofmt};

use crate::version::HelmVersion;

const ERR_NIL_ELEMENT: &str = "toml: cannot encode array with nil element";
const ERR_NO_KEY: &str = "toml: top-level values must be Go maps or structs";

/// BurntSushi/toml's encoding of `v`, or its error text.
pub fn encode(v: &GoValue, helm: HelmVersion) -> Result<String, String> {
    let mut e = Encoder {
        out: String::new(),
        helm,
    };
    e.encode(&[], &plain(v))?;
    Ok(e.out)
}

/// A `time.Time` as BurntSushi writes it: a bare RFC 3339 datetime (nanoseconds trimmed).
fn datetime(v: &GoValue) -> Option<String> {
    let GoValue::Object(o) = v else { return None };
    if o.type_name() != "time.Time" {
        return None;
    }
    let layout = GoValue::from("2006-01-02T15:04:05.999999999Z07:00");
    match o.method("Format", &[layout]) {
        Some(Ok(GoValue::String(s))) => Some(s.to_string()),
        _ => None,
    }
}

/// Objects as their data form (maps, lists), so the encoder sees Go's generic values; times
/// stay times.
fn plain(v: &GoValue) -> GoValue {
    match v {
        GoValue::Object(_) if datetime(v).is_some() => v.clone(),
        GoValue::Object(o) => plain(&o.to_value()),
        GoValue::Bytes(b) => GoValue::from(
            b.iter()
                .map(|x| GoValue::Int(i64::from(*x)))
                .collect::<Vec<_>>(),
        ),
        other => other.clone(),
    }
}

#[derive(PartialEq)]
enum TomlType {
    Nil,
    Hash,
    ArrayHash,
    Other,
}

fn type_of(v: &GoValue) -> Result<TomlType, String> {
    Ok(match v {
        GoValue::Nil => TomlType::Nil,
        GoValue::Map(_) => TomlType::Hash,
        GoValue::List(_) | GoValue::Bytes(_) => {
            if is_table_array(v)? {
                TomlType::ArrayHash
            } else {
                TomlType::Other
            }
        }
        GoValue::Object(o) => type_of(&plain(&o.to_value()))?,
        _ => TomlType::Other,
    })
}

/// True when every element is a table (an empty array is not); a null element is an error.
fn is_table_array(v: &GoValue) -> Result<bool, String> {
    let GoValue::List(l) = plain(v) else {
        return Ok(false);
    };
    if l.is_empty() {
        return Ok(false);
    }
    let mut all = true;
    for x in l.iter() {
        let t = type_of(x)?;
        if t == TomlType::Nil {
            return Err(ERR_NIL_ELEMENT.into());
        }
        if t != TomlType::Hash {
            all = false;
        }
    }
    Ok(all)
}

fn is_bare(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|r| r.is_ascii_alphanumeric() || r == '_' || r == '-')
}

fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn key_part(k: &str) -> String {
    if k.is_empty() {
        "\"\"".into()
    } else if is_bare(k) {
        k.to_string()
    } else {
        quoted(k)
    }
}

fn key_string(key: &[String]) -> String {
    key.iter()
        .map(|k| key_part(k))
        .collect::<Vec<_>>()
        .join(".")
}

struct Encoder {
    out: String,
    helm: HelmVersion,
}

impl Encoder {
    fn newline(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
    }

    fn indent(&mut self, key: &[String]) {
        for _ in 1..key.len() {
            self.out.push_str("  ");
        }
    }

    fn encode(&mut self, key: &[String], v: &GoValue) -> Result<(), String> {
        match v {
            GoValue::Nil => Ok(()),
            GoValue::Map(m) => self.table(key, &m.borrow()),
            GoValue::List(_) | GoValue::Bytes(_) => {
                if type_of(v)? == TomlType::ArrayHash {
                    self.array_of_tables(key, v)
                } else {
                    self.key_value(key, v, false)
                }
            }
            GoValue::Object(_) if datetime(v).is_some() => self.key_value(key, v, false),
            GoValue::Object(o) => self.encode(key, &plain(&o.to_value())),
            _ => self.key_value(key, v, false),
        }
    }

    fn table(&mut self, key: &[String], m: &BTreeMap<String, GoValue>) -> Result<(), String> {
        if key.len() == 1 {
            self.newline();
        }
        if !key.is_empty() {
            self.indent(key);
            self.out.push('[');
            self.out.push_str(&key_string(key));
            self.out.push(']');
            self.newline();
        }
        self.map(key, m, false)
    }

    fn array_of_tables(&mut self, key: &[String], v: &GoValue) -> Result<(), String> {
        if key.is_empty() {
            return Err(ERR_NO_KEY.into());
        }
        let GoValue::List(l) = plain(v) else {
            return Ok(());
        };
        for item in l.iter() {
            let GoValue::Map(m) = plain(item) else {
                continue;
            };
            self.newline();
            self.indent(key);
            self.out.push_str("[[");
            self.out.push_str(&key_string(key));
            self.out.push_str("]]");
            self.newline();
            self.map(key, &m.borrow(), false)?;
        }
        Ok(())
    }

    fn map(
        &mut self,
        key: &[String],
        m: &BTreeMap<String, GoValue>,
        inline: bool,
    ) -> Result<(), String> {
        let mut direct = Vec::new();
        let mut sub = Vec::new();
        for (k, v) in m {
            match type_of(v)? {
                TomlType::Hash | TomlType::ArrayHash => sub.push((k, v)),
                _ => direct.push((k, v)),
            }
        }
        if inline {
            self.out.push('{');
        }
        let trail = !sub.is_empty();
        for (group, trail_comma) in [(&direct, trail), (&sub, false)] {
            let n = group.len();
            for (i, (k, v)) in group.iter().enumerate() {
                if v.is_nil() {
                    continue;
                }
                if inline {
                    self.key_value(&[(*k).clone()], v, true)?;
                    if trail_comma || i != n - 1 {
                        self.out.push_str(", ");
                    }
                } else {
                    let mut kk = key.to_vec();
                    kk.push((*k).clone());
                    self.encode(&kk, v)?;
                }
            }
        }
        if inline {
            self.out.push('}');
        }
        Ok(())
    }

    fn key_value(&mut self, key: &[String], v: &GoValue, inline: bool) -> Result<(), String> {
        if key.is_empty() {
            return self.element(v);
        }
        self.indent(key);
        self.out.push_str(&key_part(&key[key.len() - 1]));
        self.out.push_str(" = ");
        self.element(v)?;
        if !inline {
            self.newline();
        }
        Ok(())
    }

    fn float(&self, f: f64) -> String {
        let v4 = self.helm.is_v4();
        if f.is_nan() {
            return if v4 && f.is_sign_negative() {
                "-nan".into()
            } else {
                "nan".into()
            };
        }
        if f.is_infinite() {
            return match (v4, f > 0.0) {
                (true, true) => "inf".into(),
                (_, false) => "-inf".into(),
                (false, true) => "+inf".into(),
            };
        }
        if v4 {
            let s = gofmt::format_float(f, 'g', -1);
            if s.contains('e') || s.contains('.') {
                s
            } else {
                s + ".0"
            }
        } else {
            let s = gofmt::format_float(f, 'f', -1);
            if s.contains('.') { s } else { s + ".0" }
        }
    }

    fn element(&mut self, v: &GoValue) -> Result<(), String> {
        match v {
            GoValue::Nil => return Err(ERR_NIL_ELEMENT.into()),
            GoValue::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            GoValue::Int(i) | GoValue::Int64(i) => self.out.push_str(&i.to_string()),
            GoValue::Float(f) => {
                let s = self.float(*f);
                self.out.push_str(&s);
            }
            GoValue::String(s) => self.out.push_str(&quoted(s)),
            GoValue::List(_) | GoValue::Bytes(_) => {
                let GoValue::List(l) = plain(v) else {
                    return Ok(());
                };
                // The element types are checked (a null element is an error) first.
                type_of(v)?;
                self.out.push('[');
                for (i, x) in l.iter().enumerate() {
                    self.element(x)?;
                    if i != l.len() - 1 {
                        self.out.push_str(", ");
                    }
                }
                self.out.push(']');
            }
            GoValue::Map(m) => self.map(&[], &m.borrow(), true)?,
            GoValue::Object(o) => {
                if let Some(t) = datetime(v) {
                    self.out.push_str(&t);
                } else if let Some(s) = o.as_str() {
                    self.out.push_str(&quoted(s));
                } else {
                    self.element(&plain(&o.to_value()))?;
                }
            }
        }
        Ok(())
    }
}

/// Helm 4's `fromToml`: a TOML document decoded as BurntSushi/toml decodes into
/// `map[string]interface{}` (integers int64, floats float64, dates as Go prints `time.Time`);
/// an error text for a document that does not parse.
pub fn decode(text: &str) -> Result<GoValue, String> {
    let doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        let msg = e.message().to_string();
        match e.span() {
            Some(span) => {
                let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                format!("toml: line {line}: {msg}")
            }
            None => format!("toml: {msg}"),
        }
    })?;
    Ok(table_value(doc.as_table()))
}

fn table_value(t: &toml_edit::Table) -> GoValue {
    let mut m = BTreeMap::new();
    for (k, item) in t.iter() {
        if let Some(v) = item_value(item) {
            m.insert(k.to_string(), v);
        }
    }
    GoValue::from(m)
}

fn item_value(item: &toml_edit::Item) -> Option<GoValue> {
    match item {
        toml_edit::Item::None => None,
        toml_edit::Item::Value(v) => Some(value(v)),
        toml_edit::Item::Table(t) => Some(table_value(t)),
        toml_edit::Item::ArrayOfTables(a) => {
            Some(GoValue::from(a.iter().map(table_value).collect::<Vec<_>>()))
        }
    }
}

fn value(v: &toml_edit::Value) -> GoValue {
    match v {
        toml_edit::Value::String(s) => GoValue::from(s.value().as_str()),
        toml_edit::Value::Integer(i) => GoValue::Int(*i.value()),
        toml_edit::Value::Float(f) => GoValue::Float(*f.value()),
        toml_edit::Value::Boolean(b) => GoValue::Bool(*b.value()),
        toml_edit::Value::Datetime(d) => GoValue::from(go_time(d.value())),
        toml_edit::Value::Array(a) => GoValue::from(a.iter().map(value).collect::<Vec<_>>()),
        toml_edit::Value::InlineTable(t) => {
            let mut m = BTreeMap::new();
            for (k, v) in t.iter() {
                m.insert(k.to_string(), value(v));
            }
            GoValue::from(m)
        }
    }
}

/// A TOML date-time as Go prints the `time.Time` BurntSushi/toml decodes it to.
fn go_time(d: &toml_edit::Datetime) -> String {
    let date = d
        .date
        .map(|x| format!("{:04}-{:02}-{:02}", x.year, x.month, x.day))
        .unwrap_or_else(|| "0000-01-01".into());
    let time = d
        .time
        .map(|t| {
            let mut s = format!("{:02}:{:02}:{:02}", t.hour, t.minute, t.second.unwrap_or(0));
            let ns = t.nanosecond.unwrap_or(0);
            if ns != 0 {
                let frac = format!("{ns:09}");
                s.push('.');
                s.push_str(frac.trim_end_matches('0'));
            }
            s
        })
        .unwrap_or_else(|| "00:00:00".into());
    let zone = match d.offset {
        Some(toml_edit::Offset::Z) | None => "+0000 UTC".to_string(),
        Some(toml_edit::Offset::Custom { minutes }) => {
            let sign = if minutes < 0 { '-' } else { '+' };
            let m = minutes.unsigned_abs();
            format!(
                "{sign}{:02}{:02} {sign}{:02}{:02}",
                m / 60,
                m % 60,
                m / 60,
                m % 60
            )
        }
    };
    format!("{date} {time} {zone}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(entries: Vec<(&str, GoValue)>) -> GoValue {
        GoValue::from(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    /// Helm 4.2's toToml output for a map with nested tables and arrays of tables (from the
    /// helm-python-sdk engine).
    #[test]
    fn layout_like_burntsushi() {
        let v = m(vec![
            ("a", GoValue::Int(1)),
            (
                "b",
                m(vec![
                    ("c", GoValue::from("x")),
                    ("d", m(vec![("e", GoValue::Float(2.5))])),
                    (
                        "arr",
                        GoValue::from(vec![
                            m(vec![("n", GoValue::Int(1))]),
                            m(vec![
                                ("n", GoValue::Int(2)),
                                ("sub", m(vec![("q", GoValue::Bool(true))])),
                            ]),
                        ]),
                    ),
                ]),
            ),
            ("big", GoValue::Float(1e6)),
            ("bs", GoValue::from("a\\b\"c\n")),
            ("el", GoValue::from(Vec::new())),
            ("f", GoValue::Float(3.0)),
            ("k.dot", GoValue::Int(1)),
            (
                "mixed",
                GoValue::from(vec![GoValue::from("a"), GoValue::Int(1)]),
            ),
            ("empty", m(vec![])),
            ("n", GoValue::Nil),
        ]);
        let want = "a = 1\nbig = 1e+06\nbs = \"a\\\\b\\\"c\\n\"\nel = []\nf = 3.0\n\"k.dot\" = 1\nmixed = [\"a\", 1]\n\n[b]\n  c = \"x\"\n\n  [[b.arr]]\n    n = 1\n\n  [[b.arr]]\n    n = 2\n    [b.arr.sub]\n      q = true\n  [b.d]\n    e = 2.5\n\n[empty]\n";
        assert_eq!(encode(&v, HelmVersion::V4).unwrap(), want);
        // Helm 3.16's encoder writes floats in plain decimal.
        assert!(
            encode(&v, HelmVersion::V3)
                .unwrap()
                .contains("big = 1000000.0\n")
        );
    }

    #[test]
    fn scalars_errors_and_inline_tables() {
        assert_eq!(
            encode(&GoValue::from("abc"), HelmVersion::V4).unwrap(),
            "\"abc\""
        );
        assert_eq!(
            encode(
                &GoValue::from(vec![m(vec![("a", GoValue::Int(1))])]),
                HelmVersion::V4
            )
            .unwrap_err(),
            ERR_NO_KEY
        );
        let mixed = m(vec![(
            "a",
            GoValue::from(vec![m(vec![("x", GoValue::Int(1))]), GoValue::Int(2)]),
        )]);
        assert_eq!(
            encode(&mixed, HelmVersion::V4).unwrap(),
            "a = [{x = 1}, 2]\n"
        );
        let nil = m(vec![("a", GoValue::from(vec![GoValue::Nil]))]);
        assert_eq!(encode(&nil, HelmVersion::V4).unwrap_err(), ERR_NIL_ELEMENT);
    }

    #[test]
    fn decode_values() {
        let v = decode("a = 1\nb = 1.5\n[t]\nc = \"x\"\n[[arr]]\nn = true\n").unwrap();
        let GoValue::Map(mm) = &v else { panic!() };
        let mm = mm.borrow();
        assert_eq!(mm["a"], GoValue::Int(1));
        assert_eq!(mm["b"], GoValue::Float(1.5));
        assert!(decode("a = ").is_err());
    }
}
