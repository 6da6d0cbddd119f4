//! Table tests of Go text/template behaviour (re-expressed from what Go's exec tests check):
//! the engine and Go's builtins only (Sprig's and Helm's functions are tested in their crates).

use std::sync::Arc;

use super::*;

/// JSON data as Helm decodes values (every number a float64).
pub(crate) fn from_json(v: &serde_json::Value) -> GoValue {
    match v {
        serde_json::Value::Null => GoValue::Nil,
        serde_json::Value::Bool(b) => GoValue::Bool(*b),
        serde_json::Value::Number(n) => GoValue::Float(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => GoValue::from(s.as_str()),
        serde_json::Value::Array(a) => GoValue::from(a.iter().map(from_json).collect::<Vec<_>>()),
        serde_json::Value::Object(m) => GoValue::from(
            m.iter()
                .map(|(k, v)| (k.clone(), from_json(v)))
                .collect::<std::collections::BTreeMap<_, _>>(),
        ),
    }
}

fn data() -> GoValue {
    let v: serde_json::Value = serde_json::json!({
        "Values": {
            "name": "web", "count": 3, "big": 1000000, "pi": 3.5, "on": true, "off": false,
            "empty": "", "nul": null, "list": ["a", "b", "c"], "nums": [1, 2, 3],
            "map": {"b": 2, "a": 1}, "nested": {"x": {"y": "deep"}}, "dash-key": "dk",
            "emptyList": [], "emptyMap": {}, "nulList": [null, null]
        },
        "Release": {"Name": "rel", "Namespace": "ns"}
    });
    from_json(&v)
}

/// Stand-ins with the Go signatures of a few Sprig functions, to check Go's argument rules.
fn test_funcs() -> Arc<FuncMap> {
    let mut m = FuncMap::new();
    m.insert("upper", &[Param::Str], None, |_, a| {
        Ok(GoValue::from(a[0].as_str().unwrap_or("").to_uppercase()))
    });
    m.insert("b64enc", &[Param::Str], None, |_, a| Ok(a[0].clone()));
    m.insert("trunc", &[Param::Int, Param::Str], None, |_, a| {
        Ok(a[1].clone())
    });
    m.insert("fails", &[], None, |_, _| Err(FuncError::new("boom")));
    Arc::new(m)
}

fn render(src: &str) -> Result<String, String> {
    let mut t = Templates::new(test_funcs());
    t.add("t", src).map_err(|e| e.to_string())?;
    t.execute("t", &data(), &ExecOptions::default())
        .map_err(|e| e.to_string())
}

fn ok(src: &str, want: &str) {
    match render(src) {
        Ok(got) => assert_eq!(got, want, "template: {src}"),
        Err(e) => panic!("template {src:?} failed: {e}"),
    }
}

fn err(src: &str, want: &str) {
    match render(src) {
        Ok(got) => panic!("template {src:?} rendered {got:?}, expected error {want:?}"),
        Err(e) => assert_eq!(e, want, "template: {src}"),
    }
}

#[test]
fn text_actions_and_trimming() {
    ok("hello", "hello");
    ok("a {{- \" b \" -}} c", "a b c");
    ok("a  \n {{- 3 }}\n  b", "a3\n  b");
    ok("{{/* comment */}}x", "x");
    ok("a {{- /* c */ -}} \n b", "ab");
    ok("{{-3}}", "-3");
    ok("{{ .Values.name }}", "web");
    ok("{{ .Values.missing }}", "<no value>");
    ok("{{ .Values.nul }}", "<no value>");
    ok("{{ print .Values.nul }}", "<nil>");
    ok("{{ .Values.big }}", "1e+06");
    ok("{{ .Values.count }}", "3");
    ok("{{ .Values.pi }}", "3.5");
    ok("{{ .Values.list }}", "[a b c]");
    ok("{{ .Values.map }}", "map[a:1 b:2]");
    ok(
        "{{ 1.5e3 }} {{ 0x1F }} {{ 'a' }} {{ 1_000 }}",
        "1500 31 97 1000",
    );
    ok("{{ \"\\u00e9\\t\" }}|{{ `raw\\n` }}", "é\t|raw\\n");
}

#[test]
fn variables_and_scopes() {
    ok("{{ $x := 1 }}{{ $x }}{{ $x = 2 }}{{ $x }}", "12");
    ok(
        "{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}",
        "2",
    );
    ok(
        "{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}",
        "21",
    );
    ok(
        "{{ with .Values.nested.x }}{{ .y }}{{ $.Release.Name }}{{ end }}",
        "deeprel",
    );
    ok(
        "{{ range $i, $v := .Values.list }}{{ $i }}={{ $v }};{{ end }}",
        "0=a;1=b;2=c;",
    );
    ok(
        "{{ range $k, $v := .Values.map }}{{ $k }}={{ $v }};{{ end }}",
        "a=1;b=2;",
    );
    ok(
        "{{ range .Values.emptyList }}x{{ else }}empty{{ end }}",
        "empty",
    );
    ok(
        "{{ range .Values.missing }}x{{ else }}none{{ end }}",
        "none",
    );
    ok("{{ range 3 }}{{ . }}{{ end }}", "012");
    ok(
        "{{ range $i, $v := .Values.nums }}{{ if eq $i 1 }}{{ continue }}{{ end }}{{ if eq $i 2 }}{{ break }}{{ end }}{{ $v }}{{ end }}",
        "1",
    );
    ok(
        "{{ $v := 0 }}{{ range $v = .Values.list }}{{ end }}{{ $v }}",
        "c",
    );
    err("{{ $x }}", "template: t:1: undefined variable \"$x\"");
}

#[test]
fn conditionals() {
    ok("{{ if .Values.on }}y{{ else }}n{{ end }}", "y");
    ok(
        "{{ if .Values.off }}y{{ else if .Values.count }}c{{ else }}n{{ end }}",
        "c",
    );
    ok("{{ if .Values.emptyMap }}y{{ else }}n{{ end }}", "n");
    ok(
        "{{ with .Values.missing }}y{{ else with .Values.name }}{{ . }}{{ end }}",
        "web",
    );
    ok(
        "{{ and 1 0 2 }} {{ or 0 \"\" 5 }} {{ and 1 2 }} {{ or 0 \"\" }}",
        "0 5 2 ",
    );
    ok("{{ and .Values.off .Values.nested.nope.x }}", "false");
    ok("{{ not .Values.empty }}", "true");
}

#[test]
fn define_template_block() {
    ok(
        "{{ define \"a\" }}A{{ . }}{{ end }}{{ template \"a\" 1 }}",
        "A1",
    );
    ok("{{ block \"b\" .Values.name }}[{{ . }}]{{ end }}", "[web]");
    ok(
        "{{ define \"n\" }}{{ .x }}{{ end }}{{ template \"n\" }}",
        "<no value>",
    );
    err(
        "{{ template \"zz\" }}",
        "template: t:1:12: executing \"t\" at <{{template \"zz\"}}>: template \"zz\" not defined",
    );
}

#[test]
fn comparisons() {
    ok(
        "{{ eq 1 1 }} {{ eq \"a\" \"b\" \"a\" }} {{ ne 1 2 }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt \"b\" \"a\" }} {{ ge 1.5 2.5 }}",
        "true true true true true true false",
    );
    ok("{{ eq .Values.missing \"x\" }}", "false");
    ok("{{ eq .Values.count 3.0 }}", "true");
    err(
        "{{ eq .Values.count 3 }}",
        "template: t:1:3: executing \"t\" at <eq .Values.count 3>: error calling eq: incompatible types for comparison: float64 and int",
    );
    err(
        "{{ lt .Values.list 1 }}",
        "template: t:1:3: executing \"t\" at <lt .Values.list 1>: error calling lt: invalid type for comparison",
    );
    // One kind (slice, map): the argument's comparability; two kinds: both types.
    err(
        "{{ eq .Values.nums .Values.list }}",
        "template: t:1:3: executing \"t\" at <eq .Values.nums .Values.list>: error calling eq: non-comparable type [a b c]: []interface {}",
    );
    err(
        "{{ eq .Values.list .Values.map }}",
        "template: t:1:3: executing \"t\" at <eq .Values.list .Values.map>: error calling eq: non-comparable types [a b c]: []interface {}, map[string]interface {}: map[a:1 b:2]",
    );
}

#[test]
fn builtin_functions() {
    ok(
        "{{ len .Values.list }} {{ len \"abc\" }} {{ len .Values.map }}",
        "3 3 2",
    );
    ok(
        "{{ index .Values.list 1 }} {{ index .Values \"dash-key\" }} {{ index .Values.map \"zz\" }}",
        "b dk <no value>",
    );
    ok("{{ print 1 2 \"a\" \"b\" 3 }}", "1 2ab3");
    ok("{{ println 1 \"a\" }}", "1 a\n");
    ok(
        "{{ printf \"%s-%d-%v-%q-%5.2f|%-4s|%04d|%x|%t\" \"a\" 5 .Values.list \"q\" 3.14159 \"ab\" 42 255 true }}",
        "a-5-[a b c]-\"q\"- 3.14|ab  |0042|ff|true",
    );
    ok("{{ printf \"%d\" .Values.count }}", "%!d(float64=3)");
    ok("{{ printf \"%s %s\" \"a\" }}", "a %!s(MISSING)");
    ok("{{ printf \"%s\" \"a\" 1 }}", "a%!(EXTRA int=1)");
    ok(
        "{{ printf \"%v %v\" .Values.nul .Values.map }}",
        "<nil> map[a:1 b:2]",
    );
    ok(
        "{{ printf \"%e %g %g %G\" 123456.0 0.00001 1e21 1e-7 }}",
        "1.234560e+05 1e-05 1e+21 1E-07",
    );
    ok(
        "{{ html \"<a href='x'>&\" }}",
        "&lt;a href=&#39;x&#39;&gt;&amp;",
    );
    ok("{{ js \"it's <b>\" }}", "it\\'s \\u003Cb\\u003E");
    ok("{{ urlquery \"a b&c\" }}", "a+b%26c");
    ok("{{ \"x\" | printf \"%s-%s\" \"y\" }}", "y-x");
    // Explicit argument indexes.
    ok(
        "{{ printf \"%[2]d %[1]d\" 1 2 }}|{{ printf \"%d %d %[1]d\" 1 2 }}|{{ printf \"%[1]d\" 1 2 }}",
        "2 1|1 2 1|1",
    );
    ok(
        "{{ printf \"%[3]d\" 1 2 }}|{{ printf \"%[x]d\" 1 }}|{{ printf \"%[1d\" 1 }}|{{ printf \"%[1].[2]f\" 1.5 }}",
        "%!d(BADINDEX)|%!d(BADINDEX)|%!d(BADINDEX)|%!f(BADINDEX)",
    );
    ok("{{ printf \"%[2]*[1]d|\" 7 5 }}", "    7|");
    // A nil inside a slice or map prints <nil> whatever the verb.
    ok(
        "{{ printf \"%X %d\" .Values.nulList .Values.nulList }}",
        "[<nil> <nil>] [<nil> <nil>]",
    );
}

#[test]
fn exec_errors_read_as_go() {
    // `or` stops at its first true argument: Go's error points at that argument.
    err(
        "{{ range $i, $v := or 3 0 }}{{ end }}",
        "template: t:1:22: executing \"t\" at <3>: can't use 3 to iterate over more than one variable",
    );
    err(
        "{{ range and 1 false 3 }}{{ end }}",
        "template: t:1:15: executing \"t\" at <false>: range can't iterate over false",
    );
    // ... also when the and/or stopped inside a parenthesized argument of another.
    err(
        "{{ upper (or 0 (or 3 \"\")) }}",
        "template: t:1:19: executing \"t\" at <3>: wrong type for value; expected string; got int",
    );
    err(
        "{{ .Values.nested.nope.x }}",
        "template: t:1:10: executing \"t\" at <.Values.nested.nope.x>: nil pointer evaluating interface {}.x",
    );
    err(
        "{{ .Values.name.x }}",
        "template: t:1:10: executing \"t\" at <.Values.name.x>: can't evaluate field x in type interface {}",
    );
    err(
        "\n\n  {{ index .Values.list 5 }}",
        "template: t:3:5: executing \"t\" at <index .Values.list 5>: error calling index: index out of range: 5",
    );
    err(
        "{{ .Values.nonExistentKey | b64enc }}",
        "template: t:1:28: executing \"t\" at <b64enc>: invalid value; expected string",
    );
    err(
        "{{ upper .Values.count }}",
        "template: t:1:16: executing \"t\" at <.Values.count>: wrong type for value; expected string; got float64",
    );
    err(
        "{{ trunc \"a\" \"b\" }}",
        "template: t:1:9: executing \"t\" at <\"a\">: expected integer; found \"a\"",
    );
    err(
        "{{ upper }}",
        "template: t:1:3: executing \"t\" at <upper>: wrong number of args for upper: want 1 got 0",
    );
    err(
        "{{ fails }}",
        "template: t:1:3: executing \"t\" at <fails>: error calling fails: boom",
    );
}

#[test]
fn parse_errors_read_as_go() {
    err(
        "{{ nosuchfunc }}",
        "template: t:1: function \"nosuchfunc\" not defined",
    );
    err("{{ if true }}", "template: t:1: unexpected EOF");
    err("{{ end }}", "template: t:1: unexpected {{end}}");
    err("a\n{{ .x", "template: t:2: unclosed action");
    // A bad literal is the parser's error (no "in action started at"); a lexer error in a
    // multi-line action names where the action started.
    err("{{ print\n\"\\ud83d\" }}", "template: t:2: invalid syntax");
    err(
        "{{ print\n1 ) }}",
        "template: t:2: unexpected right paren in action started at t:1",
    );
    err("{{ break }}", "template: t:1: {{break}} outside {{range}}");
    err(
        "{{ env \"HOME\" }}",
        "template: t:1: function \"env\" not defined",
    );
    err(
        "{{ 3 | 4 }}",
        "template: t:1: non executable command in pipeline stage 2",
    );
    err("{{ ) }}", "template: t:1: unexpected right paren");
    err(
        "{{ /* x */ }}",
        "template: t:1: unrecognized character in action: U+002F '/'",
    );
    err("{{ .a\n\n", "template: t:3: unclosed action started at t:1");
}

#[test]
fn bounded_time_and_memory() {
    let e = render("{{ range 1000000000000 }}{{ end }}").unwrap_err();
    assert!(e.contains("exceeds vendor's limit"), "{e}");
    let mut t = Templates::default();
    t.add("t", "{{ range 100000 }}0123456789{{ end }}").unwrap();
    let opts = ExecOptions {
        max_output_bytes: 1000,
        ..ExecOptions::default()
    };
    let e = t
        .execute("t", &GoValue::Nil, &opts)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("template: t:1:18: executing \"t\" at <text>: output: ")
            && e.ends_with("bytes exceeds vendor's limit of 1000 bytes"),
        "{e}"
    );
    assert!(crate::is_resource_limit(&e));
    let e = render("{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}")
        .unwrap_err();
    assert!(
        e.contains("exceeded maximum template depth (10000)"),
        "{}",
        &e[..200.min(e.len())]
    );
}

#[test]
fn number_literals_follow_go() {
    ok(
        "{{ 0x1E }} {{ 1.0 }} {{ 1e3 }} {{ -7 }} {{ printf \"%T\" 0x1E }} {{ printf \"%T\" 1e3 }}",
        "30 1 1000 -7 int float64",
    );
    // Every literal form of Go's grammar, and the type Go gives each constant.
    let cases = [
        ("0x1p10", "1024 float64"),
        ("0x1p-2", "0.25 float64"),
        ("0X1.8P1", "3 float64"),
        ("0o17", "15 int"),
        ("0O17", "15 int"),
        ("017", "15 int"),
        ("0b101", "5 int"),
        ("1_000", "1000 int"),
        ("0x_1F", "31 int"),
        (".5", "0.5 float64"),
        ("1.", "1 float64"),
        ("1e3", "1000 float64"),
        ("1E+3", "1000 float64"),
        ("-0x1E", "-30 float64"),
        ("'a'", "97 int"),
        ("'\\n'", "10 int"),
        ("1i", "(0+1i) complex128"),
        ("1+2i", "(1+2i) complex128"),
        ("1.5e2-0.5i", "(150-0.5i) complex128"),
        ("0i", "(0+0i) complex128"),
        ("9223372036854775807", "9223372036854775807 int"),
        ("-9223372036854775808", "-9223372036854775808 int"),
    ];
    for (lit, want) in cases {
        ok(
            &format!("{{{{ {lit} }}}} {{{{ printf \"%T\" {lit} }}}}"),
            want,
        );
    }
    // Literals as typed arguments: an int parameter takes any exact integer reading.
    ok(
        "{{ trunc 1e1 \"x\" }} {{ trunc 0x1p1 \"y\" }} {{ trunc 2.0 \"z\" }}",
        "x y z",
    );
    err(
        "{{ trunc 1.5 \"x\" }}",
        "template: t:1:9: executing \"t\" at <1.5>: expected integer; found 1.5",
    );
    err(
        "{{ trunc 1i \"x\" }}",
        "template: t:1:9: executing \"t\" at <1i>: expected integer; found 1i",
    );
    // Go's errors.
    // Go: not an octal int, but a valid float without a fraction: "integer overflow".
    err("{{ 08 }}", "template: t:1: integer overflow: \"08\"");
    err(
        "{{ 1__0 }}",
        "template: t:1: illegal number syntax: \"1__0\"",
    );
    err(
        "{{ 1e400 }}",
        "template: t:1: illegal number syntax: \"1e400\"",
    );
    err(
        "{{ 0x1.8 }}",
        "template: t:1: illegal number syntax: \"0x1.8\"",
    );
    err(
        "{{ 99999999999999999999 }}",
        "template: t:1: integer overflow: \"99999999999999999999\"",
    );
    err("{{ 12ab }}", "template: t:1: bad number syntax: \"12a\"");
    err("{{ 1+2 }}", "template: t:1: bad number syntax: \"1+2\"");
    err(
        "{{ 9223372036854775808 }}",
        "template: t:1:3: executing \"t\" at <9223372036854775808>: 9223372036854775808 overflows int",
    );
}

#[test]
fn int64_is_not_int() {
    let mut m = FuncMap::new();
    m.insert("i64", &[], None, |_, _| Ok(GoValue::Int64(2)));
    m.insert("trunc", &[Param::Int, Param::Str], None, |_, a| {
        Ok(a[1].clone())
    });
    let mut t = Templates::new(Arc::new(m));
    t.add(
        "t",
        "{{ i64 }} {{ printf \"%T %d\" i64 i64 }} {{ eq i64 2 }} {{ lt i64 3 }} {{ range i64 }}{{ . }}{{ end }}",
    )
    .unwrap();
    let out = t.execute("t", &GoValue::Nil, &ExecOptions::default());
    assert_eq!(out.unwrap(), "2 int64 2 true true 01");
    t.add("u", "{{ trunc i64 \"x\" }}").unwrap();
    let e = t
        .execute("u", &GoValue::Nil, &ExecOptions::default())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "template: u:1:9: executing \"u\" at <i64>: wrong type for value; expected int; got int64"
    );
}

#[test]
fn typed_nil_from_a_map_is_refused_by_typed_parameters() {
    err(
        "{{ upper .Values.missing }}",
        "template: t:1:16: executing \"t\" at <.Values.missing>: wrong type for value; expected string; got interface {}",
    );
    err(
        "{{ upper .Values.nul }}",
        "template: t:1:16: executing \"t\" at <.Values.nul>: wrong type for value; expected string; got interface {}",
    );
    // A pipeline's nil is untyped: `invalid value`.
    err(
        "{{ .Values.missing | upper }}",
        "template: t:1:21: executing \"t\" at <upper>: invalid value; expected string",
    );
}

#[test]
fn map_and_slice_like_objects() {
    struct Files(Vec<(String, GoValue)>);
    impl GoObject for Files {
        fn type_name(&self) -> &str {
            "engine.files"
        }
        fn kind(&self) -> &str {
            "map"
        }
        fn entries(&self) -> Option<Vec<(String, GoValue)>> {
            Some(self.0.clone())
        }
        fn has_method(&self, name: &str) -> bool {
            name == "Count"
        }
        fn method(&self, name: &str, _: &[GoValue]) -> Option<Result<GoValue, FuncError>> {
            (name == "Count").then(|| Ok(GoValue::Int(self.0.len() as i64)))
        }
    }
    let files = GoValue::object(Files(vec![
        ("a.txt".into(), GoValue::Bytes(b"A".to_vec().into())),
        ("b.txt".into(), GoValue::Bytes(b"B".to_vec().into())),
    ]));
    let mut t = Templates::new(test_funcs());
    t.add(
        "t",
        "{{ len . }} {{ .Count }}{{ range $k, $v := . }} {{ $k }}={{ printf \"%s\" $v }}{{ end }}{{ range . }} {{ len . }}{{ end }} {{ index . \"b.txt\" }} {{ if . }}full{{ end }} {{ printf \"%T\" . }}",
    )
    .unwrap();
    let out = t.execute("t", &files, &ExecOptions::default()).unwrap();
    assert_eq!(out, "2 2 a.txt=A b.txt=B 1 1 [66] full engine.files");

    let empty = GoValue::object(Files(Vec::new()));
    t.add(
        "e",
        "{{ if . }}full{{ else }}empty{{ end }}{{ range . }}x{{ else }} none{{ end }}",
    )
    .unwrap();
    let out = t.execute("e", &empty, &ExecOptions::default()).unwrap();
    assert_eq!(out, "empty none");

    let list = GoValue::string_list(vec!["x".into(), "y".into()]);
    t.add("l", "{{ len . }} {{ index . 1 }}{{ range $i, $v := . }} {{ $i }}{{ $v }}{{ end }} {{ . }} {{ printf \"%T\" . }}")
        .unwrap();
    let out = t.execute("l", &list, &ExecOptions::default()).unwrap();
    assert_eq!(out, "2 y 0x 1y [x y] []string");
    t.add("cmp", "{{ eq . . }}").unwrap();
    let e = t
        .execute("cmp", &list, &ExecOptions::default())
        .unwrap_err();
    assert!(
        e.to_string()
            .ends_with("error calling eq: non-comparable type [x y]: []string"),
        "{e}"
    );
    // []string against []interface {}: one kind, so Go reports the second argument alone.
    let both = GoValue::from(std::collections::BTreeMap::from([
        ("s".to_string(), list.clone()),
        ("l".to_string(), GoValue::from(vec![GoValue::from("z")])),
    ]));
    for (src, want) in [
        ("{{ eq .s .l }}", "non-comparable type [z]: []interface {}"),
        ("{{ eq .l .s }}", "non-comparable type [x y]: []string"),
    ] {
        t.add("cmp2", src).unwrap();
        let e = t
            .execute("cmp2", &both, &ExecOptions::default())
            .unwrap_err();
        assert!(e.to_string().ends_with(want), "{src}: {e}");
    }
}

#[test]
fn objects_expose_fields_and_methods() {
    struct Caps;
    impl GoObject for Caps {
        fn type_name(&self) -> &str {
            "*chartutil.Capabilities"
        }
        fn field(&self, name: &str) -> Option<GoValue> {
            (name == "KubeVersion").then(|| GoValue::from("v1.20.0"))
        }
        fn has_method(&self, name: &str) -> bool {
            name == "Has"
        }
        fn method(&self, name: &str, args: &[GoValue]) -> Option<Result<GoValue, FuncError>> {
            (name == "Has").then(|| {
                Ok(GoValue::Bool(
                    args.first().and_then(GoValue::as_str) == Some("apps/v1"),
                ))
            })
        }
    }
    let mut m = std::collections::BTreeMap::new();
    m.insert("Capabilities".to_string(), GoValue::object(Caps));
    let data = GoValue::from(m);
    let mut t = Templates::default();
    t.add("t", "{{ .Capabilities.KubeVersion }} {{ .Capabilities.Has \"apps/v1\" }} {{ .Capabilities.Nope }}").unwrap();
    let e = t
        .execute("t", &data, &ExecOptions::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "template: t:1:82: executing \"t\" at <.Capabilities.Nope>: can't evaluate field Nope in type interface {}"
    );
    t.add(
        "u",
        "{{ .Capabilities.KubeVersion }} {{ .Capabilities.Has \"apps/v1\" }}",
    )
    .unwrap();
    assert_eq!(
        t.execute("u", &data, &ExecOptions::default()).unwrap(),
        "v1.20.0 true"
    );
}

#[test]
fn pipelines_chains_and_parens() {
    ok(
        "{{ with $x := .Values.name }}{{ $x }}-{{ . }}{{ end }}",
        "web-web",
    );
    ok("{{ $m := .Values.nested }}{{ $m.x.y }}", "deep");
    ok("{{ .Values.name | upper | printf \"<%s>\" }}", "<WEB>");
    ok("{{ printf \"%s\" (index .Values.list 0) }}", "a");
    ok(
        "{{ if and (eq .Values.name \"web\") (gt (len .Values.list) 2) }}yes{{ end }}",
        "yes",
    );
    ok(
        "{{- range $k, $v := .Values.map }}\n{{ $k }}: {{ $v }}\n{{- end }}",
        "\na: 1\nb: 2",
    );
    err(
        "{{ .Values.name 1 }}",
        "template: t:1:10: executing \"t\" at <.Values.name>: name is not a method but has arguments",
    );
    err(
        "{{ 1 2 }}",
        "template: t:1:3: executing \"t\" at <1>: can't give argument to non-function 1",
    );
    err(
        "{{ nil }}",
        "template: t:1:3: executing \"t\" at <nil>: nil is not a command",
    );
    err(
        "{{ range .Values.name }}{{ end }}",
        "template: t:1:16: executing \"t\" at <.Values.name>: range can't iterate over web",
    );
}

#[test]
fn go_float_formatting() {
    use crate::gofmt::format_float as f;
    let cases: &[(f64, char, i32, &str)] = &[
        (1e6, 'g', -1, "1e+06"),
        (123456.0, 'g', -1, "123456"),
        (1234567.0, 'g', -1, "1.234567e+06"),
        (0.0001, 'g', -1, "0.0001"),
        (0.00001, 'g', -1, "1e-05"),
        (-2.5, 'g', -1, "-2.5"),
        (0.0, 'g', -1, "0"),
        (100.0, 'g', 2, "1e+02"),
        (1.23456, 'g', 3, "1.23"),
        (0.5, 'f', 0, "0"),
        (1.5, 'f', 0, "2"),
        (2.5, 'f', 0, "2"),
        (1.005, 'f', 2, "1.00"),
        (0.0, 'e', 6, "0.000000e+00"),
        (123.456, 'e', 2, "1.23e+02"),
        (1e100, 'e', -1, "1e+100"),
        (f64::INFINITY, 'g', -1, "+Inf"),
    ];
    for (x, verb, prec, want) in cases {
        assert_eq!(f(*x, *verb, *prec), *want, "{x} {verb} {prec}");
    }
    ok(
        "{{ printf \"%8.3f|%-8.2e|%+d|% d|%#x|%#o|%b|%c|%U|%5t|%.2s|%q\" 3.14159 1234.5 5 7 255 8 5 65 65 true \"abc\" 65 }}",
        "   3.142|1.23e+03|+5| 7|0xff|010|101|A|U+0041| true|ab|'A'",
    );
}

/// The function API: a function executing a named template (like Helm's `include`), one
/// running a text in a layer above the set (like `tpl`), nesting bounds and notices.
#[test]
fn context_executes_templates_and_texts() {
    let mut m = FuncMap::new();
    m.insert("inc", &[Param::Str, Param::Any], None, |ctx, a| {
        let name = a[0].as_str().unwrap_or("").to_string();
        if ctx.depth("inc", &name) >= 3 {
            return Err(FuncError::new(format!("{name} nested too deep")));
        }
        ctx.nested("inc", &name, |ctx| ctx.execute_template(&name, &a[1]))
            .map(GoValue::from)
            .map_err(FuncError::from)
    });
    m.insert("run", &[Param::Str, Param::Any], None, |ctx, a| {
        match ctx.execute_text("txt", a[0].as_str().unwrap_or(""), &a[1]) {
            Ok(s) => Ok(GoValue::from(s)),
            Err(e @ TemplateError::Parse { .. }) => Err(FuncError::new(format!("parse: {e}"))),
            Err(e) => Err(e.into()),
        }
    });
    m.insert("where", &[], None, |ctx, _| {
        ctx.notice("where");
        let max = ctx.options().max_nesting;
        Ok(GoValue::from(format!(
            "{}:{} max {max}",
            ctx.template_name(),
            ctx.line()
        )))
    });
    let funcs = Arc::new(m);
    let run = |src: &str| {
        let mut t = Templates::named("set", funcs.clone());
        t.add("t", src).unwrap();
        let out = t
            .execute("t", &GoValue::Nil, &ExecOptions::default())
            .map_err(|e| e.to_string());
        (out, t.take_notices())
    };
    let (out, notices) = run(
        "{{ define \"x\" }}[{{ . }}]{{ end }}{{ inc \"x\" 1 }}\n{{ run \"{{ define \\\"y\\\" }}Y{{ end }}{{ template \\\"y\\\" }}{{ inc \\\"x\\\" . }}\" 2 }}\n{{ where }}",
    );
    assert_eq!(out.unwrap(), "[1]\nY[2]\nt:3 max 1000");
    assert_eq!(
        notices,
        vec![Notice {
            function: "where".into(),
            template: "t".into(),
            line: 3
        }]
    );
    // Templates defined by a text are gone once it has run.
    let (out, _) = run("{{ run \"{{ define \\\"y\\\" }}Y{{ end }}\" 0 }}{{ inc \"y\" 0 }}");
    assert_eq!(
        out.unwrap_err(),
        "template: t:1:45: executing \"t\" at <inc \"y\" 0>: error calling inc: template: no template \"y\" associated with template \"set\""
    );
    let (out, _) = run("{{ define \"r\" }}{{ inc \"r\" . }}{{ end }}{{ inc \"r\" 0 }}");
    assert!(
        out.unwrap_err()
            .ends_with("error calling inc: r nested too deep")
    );
    let (out, _) = run("{{ run \"{{ if\" 0 }}");
    assert_eq!(
        out.unwrap_err(),
        "template: t:1:3: executing \"t\" at <run \"{{ if\" 0>: error calling run: parse: template: txt:1: unclosed action"
    );
}

#[test]
fn fmt_verbs_as_go() {
    let cases = [
        (
            "{{ printf \"%x|%X|%.3x|%x\" 1.5 -2.25 1.0 0.0 }}",
            "0x1.8p+00|-0X1.2P+01|0x1.000p+00|0x0p+00",
        ),
        ("{{ printf \"%+v|%+d\" 5 5 }}", "5|+5"),
        (
            "{{ printf \"%+q\" \"héllo\" }} {{ printf \"%+q\" 233 }}",
            "\"h\\u00e9llo\" '\\u00e9'",
        ),
        (
            "{{ printf \"%#v\" .Values.map }}",
            "map[string]interface {}{\"a\":1, \"b\":2}",
        ),
        (
            "{{ printf \"%#v|%#v|%#v\" .Values.list .Values.nul \"x\" }}",
            "[]interface {}{\"a\", \"b\", \"c\"}|<nil>|\"x\"",
        ),
        (
            "{{ printf \"%05.2f|%5d|%06s|%-06s|%06v\" \"abc\" \"x\" \"ab\" \"ab\" true }}",
            "%!f(string=000ab)|%!d(string=    x)|0000ab|ab    |00true",
        ),
        (
            "{{ html nil }} {{ js nil }} {{ urlquery nil }}",
            "&lt;no value&gt; \\u003Cno value\\u003E %3Cno+value%3E",
        ),
        (
            "{{ js \"\\n\\t'\\\"<=\" }}",
            "\\u000A\\u0009\\'\\\"\\u003C\\u003D",
        ),
    ];
    for (src, want) in cases {
        ok(src, want);
    }
    err(
        "{{ lt 1 \"a\" }}",
        "template: t:1:3: executing \"t\" at <lt 1 \"a\">: error calling lt: incompatible types for comparison: int and string",
    );
}
