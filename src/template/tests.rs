//! Table tests of Go text/template behaviour (re-expressed from what Go's exec tests check) and
//! of Sprig / Helm functions.

use super::*;

fn data() -> GoValue {
    let v: serde_json::Value = serde_json::json!({
        "Values": {
            "name": "web", "count": 3, "big": 1000000, "pi": 3.5, "on": true, "off": false,
            "empty": "", "nul": null, "list": ["a", "b", "c"], "nums": [1, 2, 3],
            "map": {"b": 2, "a": 1}, "nested": {"x": {"y": "deep"}}, "dash-key": "dk",
            "emptyList": [], "emptyMap": {}
        },
        "Release": {"Name": "rel", "Namespace": "ns"}
    });
    GoValue::from_yaml_as_json(&kyaml::Value::from(v))
}

fn render(src: &str) -> Result<String, String> {
    let mut t = Templates::new();
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
        "template: t:1:3: executing \"t\" at <eq .Values.count 3>: error calling eq: incompatible types for comparison",
    );
    err(
        "{{ lt .Values.list 1 }}",
        "template: t:1:3: executing \"t\" at <lt .Values.list 1>: error calling lt: invalid type for comparison",
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
}

#[test]
fn exec_errors_read_as_go() {
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
        "{{ required \"need x\" .Values.x }}",
        "template: t:1:3: executing \"t\" at <required \"need x\" .Values.x>: error calling required: HELM_ERR_STARTneed xHELM_ERR_END",
    );
    err(
        "{{ fail \"boom\" }}",
        "template: t:1:3: executing \"t\" at <fail \"boom\">: error calling fail: HELM_ERR_STARTboomHELM_ERR_END",
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
fn include_and_tpl() {
    ok(
        "{{ define \"x\" }}[{{ .a }}]{{ end }}{{ include \"x\" (dict \"a\" 1) | upper }}",
        "[1]",
    );
    ok(
        "{{ tpl \"{{ .Values.name }}-{{ .Values.missing }}\" . }}",
        "web-",
    );
    ok(
        "{{ tpl \"{{ define \\\"q\\\" }}Q{{ end }}{{ include \\\"q\\\" . }}\" . }}",
        "Q",
    );
    err(
        "{{ include \"nope\" . }}",
        "template: t:1:3: executing \"t\" at <include \"nope\" .>: error calling include: template: no template \"nope\" associated with template \"gotpl\"",
    );
    err(
        "{{ tpl \"{{ .Values.nested.nope.x }}\" . }}",
        "template: t:1:3: executing \"t\" at <tpl \"{{ .Values.nested.nope.x }}\" .>: error calling tpl: error during tpl function execution for \"{{ .Values.nested.nope.x }}\": template: gotpl:1:10: executing \"gotpl\" at <.Values.nested.nope.x>: nil pointer evaluating interface {}.x",
    );
    let e = render("{{ define \"r\" }}{{ include \"r\" . }}{{ end }}{{ include \"r\" . }}")
        .unwrap_err();
    assert!(
        e.ends_with(
            "rendering template has a nested reference name: r: unable to execute template"
        ),
        "{}",
        &e[e.len() - 200..]
    );
}

#[test]
fn sprig_strings() {
    ok(
        "{{ \"Hello World\" | upper }} {{ lower \"AB\" }} {{ title \"hello wor-ld\" }} {{ untitle \"Hello World\" }}",
        "HELLO WORLD ab Hello Wor-Ld hello world",
    );
    ok(
        "{{ trim \"  a  \" }}|{{ trimAll \"$\" \"$5.00$\" }}|{{ trimPrefix \"-\" \"-x\" }}|{{ trimSuffix \"-\" \"x-\" }}",
        "a|5.00|x|x",
    );
    ok(
        "{{ repeat 3 \"ab\" }} {{ substr 1 3 \"hello\" }} {{ nospace \"a b  c\" }} {{ trunc 3 \"hello\" }} {{ trunc -2 \"hello\" }}",
        "ababab el abc hel lo",
    );
    ok(
        "{{ abbrev 5 \"hello world\" }} {{ initials \"First Try\" }}",
        "he... FT",
    );
    ok(
        "{{ contains \"ll\" \"hello\" }} {{ hasPrefix \"he\" \"hello\" }} {{ hasSuffix \"lo\" \"hello\" }}",
        "true true true",
    );
    ok(
        "{{ quote \"a\" 1 .Values.nul }} {{ squote \"b\" }} {{ cat \"a\" 1 .Values.nul \"b\" }}",
        "\"a\" \"1\" 'b' a 1 b",
    );
    ok(
        "{{ \"a\\nb\" | indent 2 }}|{{ \"a\\nb\" | nindent 2 }}",
        "  a\n  b|\n  a\n  b",
    );
    ok(
        "{{ replace \"a\" \"b\" \"aaa\" }} {{ plural \"one\" \"many\" 2 }}",
        "bbb many",
    );
    ok(
        "{{ snakecase \"FirstName\" }} {{ kebabcase \"HTTPServer\" }} {{ camelcase \"foo_bar\" }} {{ camelcase \"__a__b_\" }} {{ camelcase \"http server\" }} {{ swapcase \"aB\" }}",
        "first_name http-server FooBar __A_B_ HttpServer Ab",
    );
    ok(
        "{{ splitList \",\" \"a,b\" }} {{ (split \",\" \"a,b\")._1 }} {{ join \"-\" .Values.list }} {{ sortAlpha (list \"b\" \"a\") }}",
        "[a b] b a-b-c [a b]",
    );
    ok(
        "{{ regexMatch \"^a.c$\" \"abc\" }} {{ regexFindAll \"[0-9]\" \"a1b2\" -1 }} {{ regexReplaceAll \"a(x*)b\" \"-ab-axxb-\" \"${1}W\" }} {{ regexSplit \",\" \"a,b\" -1 }}",
        "true [1 2] -W-xxW- [a b]",
    );
    ok(
        "{{ toString 1.5 }} {{ toString .Values.list }} {{ atoi \"42\" }} {{ int \"12\" }} {{ int64 3.9 }} {{ float64 \"1.5\" }}",
        "1.5 [a b c] 42 12 3 1.5",
    );
    ok(
        "{{ base \"a/b.txt\" }} {{ dir \"a/b.txt\" }} {{ ext \"a/b.txt\" }} {{ clean \"a//b/../c\" }} {{ isAbs \"/a\" }}",
        "b.txt a .txt a/c true",
    );
    ok("{{ wrap 5 \"aaa bbb ccc\" }}", "aaa\nbbb\nccc");
}

#[test]
fn case_conversions_follow_xstrings() {
    let cases = [
        ("FirstName", "first_name"),
        ("HTTPServer", "http_server"),
        ("NoHTTPS", "no_https"),
        ("GO_PATH", "go_path"),
        ("GO PATH", "go_path"),
        ("GO-PATH", "go_path"),
        ("http2xx", "http_2xx"),
        ("HTTP20xOK", "http_20x_ok"),
        ("Duration2m3s", "duration_2m3s"),
        ("Bld4Floor3rd", "bld4_floor_3rd"),
        ("a__b", "a__b"),
        ("abc", "abc"),
    ];
    for (input, want) in cases {
        ok(&format!("{{{{ snakecase {input:?} }}}}"), want);
        ok(
            &format!("{{{{ kebabcase {input:?} }}}}"),
            &want.replace('_', "-"),
        );
    }
}

#[test]
fn regexes_use_go_ascii_classes() {
    ok(
        "{{ regexMatch \"^\\\\d+$\" \"١٢\" }} {{ regexMatch \"^\\\\d+$\" \"12\" }} {{ regexFindAll \"[\\\\w.]+\" \"a.b é c\" -1 }} {{ regexReplaceAll \"\\\\s\" \"a b\\u00a0c\" \"_\" }}",
        "false true [a.b c] a_b\u{a0}c",
    );
    ok(
        "{{ regexMatch \"[[:alpha:]]+\" \"abc\" }} {{ regexMatch \"[^\\\\d]\" \"1\" }} {{ regexReplaceAll \"\\\\bx\\\\b\" \"x éx x\" \"y\" }}",
        "true false y éy y",
    );
}

#[test]
fn sprig_lists_and_dicts() {
    ok(
        "{{ list 1 \"a\" }} {{ first .Values.list }} {{ last .Values.list }} {{ rest .Values.list }} {{ initial .Values.list }}",
        "[1 a] a c [b c] [a b]",
    );
    ok(
        "{{ append .Values.list \"d\" }} {{ prepend .Values.list \"z\" }} {{ concat .Values.list (list 1) }} {{ reverse .Values.list }}",
        "[a b c d] [z a b c] [a b c 1] [c b a]",
    );
    ok(
        "{{ uniq (list 1 1 2) }} {{ without .Values.list \"b\" }} {{ has \"b\" .Values.list }} {{ compact (list 1 \"\" 0 2) }}",
        "[1 2] [a c] true [1 2]",
    );
    ok(
        "{{ slice .Values.list 1 }} {{ slice .Values.list 1 2 }} {{ chunk 2 .Values.list }}",
        "[b c] [b] [[a b] [c]]",
    );
    ok(
        "{{ $d := dict \"a\" 1 \"b\" }}{{ $d }} {{ get $d \"a\" }} {{ get $d \"zz\" }}|{{ hasKey $d \"b\" }}",
        "map[a:1 b:] 1 |true",
    );
    ok(
        "{{ $d := dict }}{{ $_ := set $d \"k\" \"v\" }}{{ $d.k }}{{ $_ := unset $d \"k\" }}{{ $d }}",
        "vmap[]",
    );
    ok(
        "{{ keys .Values.map | sortAlpha }} {{ values .Values.map }} {{ pick .Values.map \"a\" }} {{ omit .Values.map \"a\" }}",
        "[a b] [1 2] map[a:1] map[b:2]",
    );
    ok(
        "{{ pluck \"a\" (dict \"a\" 1) (dict \"b\" 2) (dict \"a\" 3) }}",
        "[1 3]",
    );
    ok(
        "{{ dig \"nested\" \"x\" \"y\" \"def\" .Values }} {{ dig \"nested\" \"q\" \"def\" .Values }}",
        "deep def",
    );
    ok(
        "{{ $a := dict \"x\" 1 \"n\" (dict \"p\" 1) \"e\" \"\" }}{{ $b := dict \"x\" 2 \"y\" 3 \"n\" (dict \"p\" 2 \"q\" 2) \"e\" \"f\" }}{{ merge $a $b }}",
        "map[e:f n:map[p:1 q:2] x:1 y:3]",
    );
    ok(
        "{{ $a := dict \"x\" 1 \"n\" (dict \"p\" 1) }}{{ $b := dict \"x\" 2 \"n\" (dict \"q\" 2) }}{{ mergeOverwrite $a $b }}",
        "map[n:map[p:1 q:2] x:2]",
    );
    ok(
        "{{ $a := dict \"x\" (dict \"y\" 1) }}{{ $c := deepCopy $a }}{{ $_ := set $c.x \"y\" 2 }}{{ $a.x.y }}{{ $c.x.y }}",
        "12",
    );
    ok(
        "{{ default \"d\" .Values.empty }} {{ default \"d\" .Values.name }} {{ .Values.missing | default 5 }} {{ empty .Values.emptyList }}",
        "d web 5 true",
    );
    ok(
        "{{ coalesce .Values.nul \"\" \"x\" }} {{ ternary \"y\" \"n\" true }} {{ all 1 \"\" }} {{ any 0 \"a\" }}",
        "x y false true",
    );
    ok(
        "{{ typeOf 1 }} {{ typeOf .Values.count }} {{ kindOf .Values.list }} {{ kindIs \"map\" .Values.map }} {{ deepEqual (list 1) (list 1) }}",
        "int float64 slice true true",
    );
}

#[test]
fn sprig_math_and_encodings() {
    ok(
        "{{ add 1 2 3 }} {{ add1 .Values.count }} {{ sub 5 2 }} {{ mul 2 3 4 }} {{ div 7 2 }} {{ mod 7 2 }} {{ max 1 5 3 }} {{ min 4 2 }}",
        "6 4 3 24 3 1 5 2",
    );
    ok(
        "{{ floor 1.7 }} {{ ceil 1.2 }} {{ round 1.2345 2 }} {{ addf 0.1 0.2 }} {{ mulf 1.1 3 }} {{ until 3 }} {{ untilStep 0 10 4 }} {{ seq 3 }}",
        "1 2 1.23 0.3 3.3 [0 1 2] [0 4 8] 1 2 3",
    );
    ok(
        "{{ b64enc \"hello\" }} {{ b64dec \"aGVsbG8=\" }} {{ b32enc \"hi\" }} {{ b32dec \"NBUQ====\" }}",
        "aGVsbG8= hello NBUQ==== hi",
    );
    ok(
        "{{ sha256sum \"abc\" }}",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    ok(
        "{{ sha1sum \"abc\" }} {{ adler32sum \"abc\" }}",
        "a9993e364706816aba3e25717850c26c9cd0d89d 38600999",
    );
    ok(
        "{{ toJson .Values.map }} {{ toJson \"<&>\" }} {{ toRawJson \"<&>\" }} {{ toJson .Values.big }} {{ toJson 1.5 }}",
        "{\"a\":1,\"b\":2} \"\\u003c\\u0026\\u003e\" \"<&>\" 1000000 1.5",
    );
    ok(
        "{{ toPrettyJson .Values.nested }}",
        "{\n  \"x\": {\n    \"y\": \"deep\"\n  }\n}",
    );
    ok(
        "{{ (fromJson \"{\\\"a\\\": [1, 2]}\").a }} {{ fromJsonArray \"[1,\\\"x\\\"]\" }}",
        "[1 2] [1 x]",
    );
    ok(
        "{{ semverCompare \">=1.20-0\" \"v1.21.3\" }} {{ semverCompare \"<1.19\" \"1.21.0\" }}",
        "true false",
    );
}

#[test]
fn yaml_functions() {
    ok("{{ toYaml .Values.nested }}", "x:\n  \"y\": deep");
    ok(
        "{{ toYaml .Values.list | nindent 2 }}",
        "\n  - a\n  - b\n  - c",
    );
    ok("{{ toYaml .Values.big }}", "1000000");
    ok(
        "{{ (fromYaml \"a: 1\\nb: [x]\").b }} {{ (fromYaml \"a: 1\").a }}",
        "[x] 1",
    );
    ok("{{ fromYamlArray \"- 1\\n- two\" }}", "[1 two]");
}

#[test]
fn notices_record_non_reproducible_functions() {
    let mut t = Templates::new();
    t.add(
        "f.yaml",
        "{{ lookup \"v1\" \"Secret\" \"ns\" \"x\" }}\n{{ randAlphaNum 5 | len }}",
    )
    .unwrap();
    let out = t
        .execute("f.yaml", &data(), &ExecOptions::default())
        .unwrap();
    assert_eq!(out, "map[]\n5");
    let n = t.take_notices();
    assert_eq!(
        n.iter()
            .map(|n| (n.function.as_str(), n.line))
            .collect::<Vec<_>>(),
        vec![("lookup", 1), ("randAlphaNum", 2)]
    );
}

#[test]
fn bounded_time_and_memory() {
    let e = render("{{ range 1000000000000 }}{{ end }}").unwrap_err();
    assert!(e.contains("exceeds vendor's limit"), "{e}");
    let e = render("{{ until 1000000000 }}").unwrap_err();
    assert!(e.contains("too large"), "{e}");
    let mut t = Templates::new();
    t.add("t", "{{ range 100000 }}0123456789{{ end }}").unwrap();
    let opts = ExecOptions {
        max_output_bytes: 1000,
        ..ExecOptions::default()
    };
    let e = t
        .execute("t", &GoValue::Nil, &opts)
        .unwrap_err()
        .to_string();
    assert!(e.contains("output exceeds 1000 bytes"), "{e}");
    let e = render("{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}")
        .unwrap_err();
    assert!(
        e.contains("exceeded maximum template depth (10000)"),
        "{}",
        &e[..200.min(e.len())]
    );
    let e = render("{{ tpl \"{{ tpl .Values.t . }}\" (dict \"Values\" (dict \"t\" \"{{ tpl .Values.t . }}\")) }}").unwrap_err();
    assert!(
        e.contains("tpl calls nested more than 1000 deep"),
        "{}",
        &e[e.len().saturating_sub(300)..]
    );
}

#[test]
fn htpasswd_gives_a_verifiable_bcrypt_entry() {
    let out = render("{{ htpasswd \"user\" \"secret\" }}").unwrap();
    let (user, hash) = out.split_once(':').unwrap();
    assert_eq!(user, "user");
    assert!(hash.starts_with("$2a$10$"), "{hash}");
    assert!(bcrypt::verify("secret", hash).unwrap());
    ok("{{ htpasswd \"a:b\" \"x\" }}", "invalid username: a:b");
}

#[test]
fn dates_format_with_go_layouts() {
    ok(
        "{{ date \"2006-01-02T15:04:05Z07:00 Mon Jan _2 3PM .000\" 1700000000 }}",
        "2023-11-14T22:13:20Z Tue Nov 14 10PM .000",
    );
    ok(
        "{{ htmlDate 0 }} {{ unixEpoch 86400 }} {{ duration 3725 }} {{ duration 0 }}",
        "1970-01-01 86400 1h2m5s 0s",
    );
    ok("{{ dateInZone \"2006\" 0 \"UTC\" }}", "1970");
    // Go cannot load this zone, so Sprig formats in UTC.
    ok("{{ dateInZone \"2006 MST\" 0 \"Not/AZone\" }}", "1970 UTC");
    let mut t = Templates::new();
    t.add("d", "{{ now | date \"2006\" | len }}").unwrap();
    assert_eq!(
        t.execute("d", &GoValue::Nil, &ExecOptions::default())
            .unwrap(),
        "4"
    );
    assert_eq!(t.take_notices()[0].function, "now");
}

#[test]
fn number_literals_follow_go() {
    ok(
        "{{ 0x1E }} {{ 1.0 }} {{ 1e3 }} {{ -7 }} {{ typeOf 0x1E }} {{ typeOf 1e3 }}",
        "30 1 1000 -7 int float64",
    );
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
        fn method(&self, name: &str, args: &[GoValue]) -> Option<Result<GoValue, String>> {
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
    let mut t = Templates::new();
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
fn to_yaml_numbers_follow_json_round_trip() {
    ok(
        "{{ toYaml (list 0.1 1e-7 1e21 123456789.0 -0.5 \"1e3\" true) }}",
        "- 0.1\n- 1e-07\n- 1e+21\n- 123456789\n- -0.5\n- \"1e3\"\n- true",
    );
    ok(
        "{{ dict \"a\" (dict) \"b\" (list) \"c\" .Values.nul | toYaml }}",
        "a: {}\nb: []\nc: null",
    );
}

#[test]
fn pipelines_chains_and_parens() {
    ok("{{ (dict \"a\" (dict \"b\" 2)).a.b }}", "2");
    ok(
        "{{ with $x := .Values.name }}{{ $x }}-{{ . }}{{ end }}",
        "web-web",
    );
    ok("{{ $m := .Values.nested }}{{ $m.x.y }}", "deep");
    ok(
        "{{ .Values.list | join \",\" | upper | printf \"<%s>\" }}",
        "<A,B,C>",
    );
    ok("{{ printf \"%s\" (index .Values.list 0) }}", "a");
    ok(
        "{{ if and (eq .Values.name \"web\") (gt (len .Values.list) 2) }}yes{{ end }}",
        "yes",
    );
    ok(
        "{{- range $k, $v := .Values.map }}\n{{ $k }}: {{ $v }}\n{{- end }}",
        "\na: 1\nb: 2",
    );
    ok(
        "{{ $x := list }}{{ range .Values.list }}{{ $x = append $x . }}{{ end }}{{ $x }}",
        "[a b c]",
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
    use super::gofmt::format_float as f;
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
