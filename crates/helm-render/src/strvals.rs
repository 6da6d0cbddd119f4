//! Helm's `strvals` parser for `--set`, `--set-string`, `--set-json` and `--set-file`:
//! `a.b=c`, lists `a={x,y}`, indexes `a[0].b=x`, backslash escapes, several assignments
//! separated by commas, typed scalars (`true`, `null`, integers) unless `--set-string`.
//! Behaviour and error texts follow Helm v3 (`pkg/strvals/parser.go`).

use kyaml::{Map, Value};

/// Helm's `MaxNestedNameLevel`.
const MAX_NESTED_NAME_LEVEL: usize = 30;
/// Largest list index accepted (Helm relies on allocation failure; we refuse early).
const MAX_INDEX: usize = 65_536;

/// How the right-hand side of `=` is turned into a value.
pub enum ValueMode<'a> {
    /// `--set`: `true`/`false`/`null`/integers are typed.
    Typed,
    /// `--set-string`: always a string.
    String,
    /// `--set-json`: a JSON value.
    Json,
    /// `--set-file`: the right-hand side names a file whose content becomes the string value.
    File(&'a dyn Fn(&str) -> Result<String, String>),
}

#[derive(Debug)]
enum Stop {
    Eof,
    Err(String),
}

impl From<String> for Stop {
    fn from(s: String) -> Self {
        Stop::Err(s)
    }
}

struct Parser<'a, 'm> {
    chars: Vec<char>,
    pos: usize,
    mode: &'a ValueMode<'m>,
}

/// Parses `s` into `dest` (Helm's `ParseInto` / `ParseIntoString` / `ParseJSON` /
/// `ParseIntoFile`). The error text is Helm's, without the `failed parsing --set data:` prefix.
pub fn parse_into(s: &str, dest: &mut Map, mode: &ValueMode<'_>) -> Result<(), String> {
    let mut p = Parser {
        chars: s.chars().collect(),
        pos: 0,
        mode,
    };
    loop {
        match p.key(dest, 0) {
            Ok(()) => continue,
            Err(Stop::Eof) => return Ok(()),
            Err(Stop::Err(e)) => return Err(e),
        }
    }
}

/// `--set-literal`: `a.b[0].c=VALUE` where VALUE is everything after the first `=`, as a string.
pub fn parse_literal_into(s: &str, dest: &mut Map) -> Result<(), String> {
    let (key, value) = s
        .split_once('=')
        .ok_or_else(|| format!("key {s:?} has no value"))?;
    let mut path: Vec<(String, Option<usize>)> = Vec::new();
    for (depth, part) in key.split('.').enumerate() {
        if depth >= MAX_NESTED_NAME_LEVEL {
            return Err(format!(
                "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
            ));
        }
        match part.split_once('[') {
            Some((name, idx)) => {
                let i = idx
                    .strip_suffix(']')
                    .and_then(|x| x.parse::<usize>().ok())
                    .filter(|i| *i <= MAX_INDEX)
                    .ok_or_else(|| format!("error parsing index: {idx:?}"))?;
                path.push((name.to_string(), Some(i)));
            }
            None => path.push((part.to_string(), None)),
        }
    }
    fn put(m: &mut Map, path: &[(String, Option<usize>)], value: &str) {
        let (name, idx) = &path[0];
        let rest = &path[1..];
        let leaf = |slot: &mut Value| {
            if rest.is_empty() {
                *slot = Value::String(value.to_string().into());
            } else {
                if !matches!(slot, Value::Map(_)) {
                    *slot = Value::Map(Map::new());
                }
                if let Value::Map(inner) = slot {
                    put(inner, rest, value);
                }
            }
        };
        match idx {
            None => leaf(m.entry(name.clone()).or_insert(Value::Null)),
            Some(i) => {
                let slot = m.entry(name.clone()).or_insert(Value::Seq(Vec::new()));
                if !matches!(slot, Value::Seq(_)) {
                    *slot = Value::Seq(Vec::new());
                }
                if let Value::Seq(list) = slot {
                    if list.len() <= *i {
                        list.resize(i + 1, Value::Null);
                    }
                    leaf(&mut list[*i]);
                }
            }
        }
    }
    put(dest, &path, value);
    Ok(())
}

/// Typed scalar conversion of `--set` (Helm's `typedVal`).
pub fn typed_val(v: &str, string_only: bool) -> Value {
    if string_only {
        return Value::String(v.to_string().into());
    }
    if v.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if v.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if v.eq_ignore_ascii_case("null") {
        return Value::Null;
    }
    if v == "0" {
        return Value::Int(0);
    }
    if !v.is_empty()
        && !v.starts_with('0')
        && let Some(i) = parse_go_int(v)
    {
        return Value::Int(i);
    }
    Value::String(v.to_string().into())
}

/// Go's `strconv.ParseInt(v, 10, 64)`: optional sign, ASCII digits only.
fn parse_go_int(v: &str) -> Option<i64> {
    let digits = v.strip_prefix(['+', '-']).unwrap_or(v);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse::<i64>().ok()
}

fn type_panic(v: &Value, want: &str) -> String {
    let got = match v {
        Value::Null => "nil",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int64",
        Value::Float(_) => "float64",
        Value::String(_) => "string",
        Value::Seq(_) => "[]interface {}",
        Value::Map(_) => "map[string]interface {}",
    };
    format!("unable to parse key: interface conversion: interface {{}} is {got}, not {want}")
}

impl Parser<'_, '_> {
    fn read(&mut self) -> Option<char> {
        let c = self.chars.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn unread(&mut self) {
        self.pos -= 1;
    }

    /// Reads until one of `stop` (consumed) or end; `\x` yields `x`.
    fn runes_until(&mut self, stop: &[char]) -> (String, Option<char>) {
        let mut v = String::new();
        loop {
            match self.read() {
                None => return (v, None),
                Some(c) if stop.contains(&c) => return (v, Some(c)),
                Some('\\') => match self.read() {
                    None => return (v, None),
                    Some(n) => v.push(n),
                },
                Some(c) => v.push(c),
            }
        }
    }

    fn convert(&self, raw: &str) -> Result<Value, String> {
        match self.mode {
            ValueMode::Typed => Ok(typed_val(raw, false)),
            ValueMode::String | ValueMode::Json => Ok(typed_val(raw, true)),
            ValueMode::File(read) => read(raw).map(|s| Value::String(s.into())),
        }
    }

    fn key(&mut self, data: &mut Map, mut level: usize) -> Result<(), Stop> {
        let (k, last) = self.runes_until(&['=', '[', ',', '.']);
        match last {
            None => {
                if k.is_empty() {
                    Err(Stop::Eof)
                } else {
                    Err(Stop::Err(format!("key {k:?} has no value")))
                }
            }
            Some('[') => {
                let i = self
                    .key_index()
                    .map_err(|e| format!("error parsing index: {e}"))?;
                let mut list = match data.get(&k) {
                    None => Vec::new(),
                    Some(Value::Seq(l)) => l.clone(),
                    Some(other) => return Err(Stop::Err(type_panic(other, "[]interface {}"))),
                };
                let res = self.list_item(&mut list, i, level);
                set(data, &k, Value::Seq(list));
                res
            }
            Some('=') => {
                if matches!(self.mode, ValueMode::Json) {
                    if self.empty_val() {
                        set(data, &k, Value::Null);
                        return Ok(());
                    }
                    let v = self.json_value()?;
                    set(data, &k, v);
                    self.empty_val();
                    return Ok(());
                }
                match self.val_list() {
                    Ok(list) => {
                        set(data, &k, Value::Seq(list));
                        Ok(())
                    }
                    Err(ListErr::Eof) => {
                        set(data, &k, Value::String(Default::default()));
                        Err(Stop::Eof)
                    }
                    Err(ListErr::NotList) => {
                        let (raw, _) = self.runes_until(&[',']);
                        let v = self.convert(&raw)?;
                        set(data, &k, v);
                        Ok(())
                    }
                    Err(ListErr::Err(e)) => Err(Stop::Err(e)),
                }
            }
            Some(',') => {
                set(data, &k, Value::String(Default::default()));
                Err(Stop::Err(format!(
                    "key {k:?} has no value (cannot end with ,)"
                )))
            }
            Some(_) => {
                // '.'
                level += 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return Err(Stop::Err(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    )));
                }
                let mut inner = match data.get(&k) {
                    None => Map::new(),
                    Some(Value::Map(m)) => m.clone(),
                    Some(other) => {
                        return Err(Stop::Err(type_panic(other, "map[string]interface {}")));
                    }
                };
                let e = self.key(&mut inner, level);
                if e.is_ok() && inner.is_empty() {
                    return Err(Stop::Err(format!("key map {k:?} has no value")));
                }
                if !inner.is_empty() {
                    set(data, &k, Value::Map(inner));
                }
                e
            }
        }
    }

    fn key_index(&mut self) -> Result<i64, String> {
        let (v, last) = self.runes_until(&[']']);
        if last.is_none() {
            return Err("EOF".into());
        }
        v.parse::<i64>()
            .map_err(|_| format!("strconv.Atoi: parsing {v:?}: invalid syntax"))
    }

    fn list_item(&mut self, list: &mut Vec<Value>, i: i64, level: usize) -> Result<(), Stop> {
        if i < 0 {
            return Err(Stop::Err(format!("negative {i} index not allowed")));
        }
        let i = i as usize;
        let (k, last) = self.runes_until(&['[', '.', '=']);
        if !k.is_empty() {
            return Err(Stop::Err(format!(
                "unexpected data at end of array index: {k:?}"
            )));
        }
        match last {
            None => Err(Stop::Eof),
            Some('=') => {
                if matches!(self.mode, ValueMode::Json) {
                    if self.empty_val() {
                        return set_index(list, i, Value::Null);
                    }
                    let v = self.json_value()?;
                    set_index(list, i, v)?;
                    self.empty_val();
                    return Ok(());
                }
                match self.val_list() {
                    Ok(vl) => set_index(list, i, Value::Seq(vl)),
                    Err(ListErr::Eof) => set_index(list, i, Value::String(Default::default())),
                    Err(ListErr::NotList) => {
                        let (raw, _) = self.runes_until(&[',']);
                        let v = self.convert(&raw)?;
                        set_index(list, i, v)
                    }
                    Err(ListErr::Err(e)) => Err(Stop::Err(e)),
                }
            }
            Some('[') => {
                let next = self
                    .key_index()
                    .map_err(|e| format!("error parsing index: {e}"))?;
                let mut crt = match list.get(i) {
                    Some(Value::Seq(l)) => l.clone(),
                    None | Some(Value::Null) => Vec::new(),
                    Some(other) => return Err(Stop::Err(type_panic(other, "[]interface {}"))),
                };
                self.list_item(&mut crt, next, level)?;
                set_index(list, i, Value::Seq(crt))
            }
            Some(_) => {
                let mut inner = match list.get(i) {
                    Some(Value::Map(m)) => m.clone(),
                    _ => Map::new(),
                };
                self.key(&mut inner, level)?;
                set_index(list, i, Value::Map(inner))
            }
        }
    }

    /// Consumes blanks up to a comma or the end (true: empty value) or stops before another
    /// character (false).
    fn empty_val(&mut self) -> bool {
        loop {
            match self.read() {
                None | Some(',') => return true,
                Some(c) if c.is_whitespace() => {}
                Some(_) => {
                    self.unread();
                    return false;
                }
            }
        }
    }

    fn json_value(&mut self) -> Result<Value, Stop> {
        let rest: String = self.chars[self.pos..].iter().collect();
        let mut stream = serde_json::Deserializer::from_str(&rest).into_iter::<serde_json::Value>();
        match stream.next() {
            Some(Ok(v)) => {
                let consumed = rest[..stream.byte_offset()].chars().count();
                self.pos += consumed;
                Ok(json_numbers_to_float(Value::from(v)))
            }
            Some(Err(e)) => Err(Stop::Err(e.to_string())),
            None => Err(Stop::Err("unexpected end of JSON input".into())),
        }
    }

    fn val_list(&mut self) -> Result<Vec<Value>, ListErr> {
        match self.read() {
            None => return Err(ListErr::Eof),
            Some('{') => {}
            Some(_) => {
                self.unread();
                return Err(ListErr::NotList);
            }
        }
        let mut list = Vec::new();
        loop {
            let (rs, last) = self.runes_until(&[',', '}']);
            match last {
                None => return Err(ListErr::Err("list must terminate with '}'".into())),
                Some('}') => {
                    if let Some(c) = self.read()
                        && c != ','
                    {
                        self.unread();
                    }
                    list.push(self.convert(&rs).map_err(ListErr::Err)?);
                    return Ok(list);
                }
                Some(_) => list.push(self.convert(&rs).map_err(ListErr::Err)?),
            }
        }
    }
}

enum ListErr {
    Eof,
    NotList,
    Err(String),
}

fn set(data: &mut Map, key: &str, v: Value) {
    if !key.is_empty() {
        data.insert(key.to_string(), v);
    }
}

fn set_index(list: &mut Vec<Value>, i: usize, v: Value) -> Result<(), Stop> {
    if i > MAX_INDEX {
        return Err(Stop::Err(format!(
            "error processing index {i}: index too large"
        )));
    }
    if list.len() <= i {
        list.resize(i + 1, Value::Null);
    }
    list[i] = v;
    Ok(())
}

/// JSON numbers decoded by Go's `encoding/json` into `interface{}` are float64.
pub fn json_numbers_to_float(v: Value) -> Value {
    match v {
        Value::Int(i) => Value::Float(i as f64),
        Value::Seq(s) => Value::Seq(s.into_iter().map(json_numbers_to_float).collect()),
        Value::Map(m) => Value::Map(
            m.into_iter()
                .map(|(k, v)| (k, json_numbers_to_float(v)))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(s: &str) -> Result<serde_json::Value, String> {
        let mut m = Map::new();
        parse_into(s, &mut m, &ValueMode::Typed)?;
        Ok(serde_json::Value::from(&Value::Map(m)))
    }

    #[test]
    fn scalars_and_nesting() {
        assert_eq!(set("a.b=c").unwrap(), serde_json::json!({"a": {"b": "c"}}));
        assert_eq!(
            set("a=1,b=true,c=null,d=007,e=-3,f=1.5").unwrap(),
            serde_json::json!({"a": 1, "b": true, "c": null, "d": "007", "e": -3, "f": "1.5"})
        );
        assert_eq!(
            set("name=value\\,with\\,commas").unwrap(),
            serde_json::json!({"name": "value,with,commas"})
        );
        assert_eq!(
            set("a.b\\.c=d").unwrap(),
            serde_json::json!({"a": {"b.c": "d"}})
        );
        assert_eq!(set("a=").unwrap(), serde_json::json!({"a": ""}));
        assert_eq!(
            set("crds.enabled=false,speaker.frr.enabled=false").unwrap(),
            serde_json::json!({"crds": {"enabled": false}, "speaker": {"frr": {"enabled": false}}})
        );
    }

    #[test]
    fn lists() {
        assert_eq!(
            set("a={x,y}").unwrap(),
            serde_json::json!({"a": ["x", "y"]})
        );
        assert_eq!(
            set("a={1,2},b=c").unwrap(),
            serde_json::json!({"a": [1, 2], "b": "c"})
        );
        assert_eq!(
            set("a[1]=x").unwrap(),
            serde_json::json!({"a": [null, "x"]})
        );
        assert_eq!(
            set("a[0].b=x,a[0].c=y").unwrap(),
            serde_json::json!({"a": [{"b": "x", "c": "y"}]})
        );
        assert_eq!(
            set("a[0][1]=z").unwrap(),
            serde_json::json!({"a": [[null, "z"]]})
        );
    }

    #[test]
    fn errors_match_helm() {
        assert_eq!(set("a").unwrap_err(), "key \"a\" has no value");
        assert_eq!(
            set("a,b=c").unwrap_err(),
            "key \"a\" has no value (cannot end with ,)"
        );
        assert_eq!(set("a.=c").unwrap_err(), "key map \"a\" has no value");
        assert_eq!(set("a={x,y").unwrap_err(), "list must terminate with '}'");
        assert_eq!(set("a[-1]=x").unwrap_err(), "negative -1 index not allowed");
        assert!(
            set("a[x]=1")
                .unwrap_err()
                .starts_with("error parsing index")
        );
        assert_eq!(
            set("a[0]x=1").unwrap_err(),
            "unexpected data at end of array index: \"x\""
        );
    }

    #[test]
    fn string_and_json_modes() {
        let mut m = Map::new();
        parse_into("a=true,b=5", &mut m, &ValueMode::String).unwrap();
        assert_eq!(m["a"], Value::String("true".into()));
        let mut m = Map::new();
        parse_into("a={\"x\":[1,2]},b=null,c=\"s\"", &mut m, &ValueMode::Json).unwrap();
        assert_eq!(
            serde_json::Value::from(&Value::Map(m)),
            serde_json::json!({"a": {"x": [1.0, 2.0]}, "b": null, "c": "s"})
        );
    }

    #[test]
    fn file_mode_reads_content() {
        let reader = |p: &str| -> Result<String, String> { Ok(format!("content of {p}")) };
        let mut m = Map::new();
        parse_into("cfg=x.txt", &mut m, &ValueMode::File(&reader)).unwrap();
        assert_eq!(m["cfg"], Value::String("content of x.txt".into()));
    }
}
