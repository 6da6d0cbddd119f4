//! Table tests of the Sprig functions through the template engine (moved from the template
//! module's unit tests): strings, lists and dicts, math, encodings, dates, Go's argument rules
//! applied to Sprig's signatures, and notices of non-reproducible functions.

// Test code: a panic is the failure report, and printing explains a skipped comparison.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use std::sync::Arc;

use gotemplate::{ExecOptions, FuncMap, GoValue, Templates};

/// JSON data as Helm decodes values (every number a float64).
fn from_json(v: &serde_json::Value) -> GoValue {
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
            "emptyList": [], "emptyMap": {}
        },
        "Release": {"Name": "rel", "Namespace": "ns"}
    });
    from_json(&v)
}

fn sprig_set() -> Templates {
    let mut funcs = FuncMap::new();
    sprig::register(&mut funcs);
    Templates::new(Arc::new(funcs))
}

fn render(src: &str) -> Result<String, String> {
    let mut t = sprig_set();
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
    // Go's regexp finds nothing as a nil []string: printed [], but null to toJson.
    ok(
        "{{ regexFindAll \"x\" \"abc\" -1 }} {{ regexFindAll \"x\" \"abc\" -1 | toJson }} {{ regexSplit \",\" \"a,b\" 0 | toJson }} {{ regexFindAll \"x\" \"abc\" -1 | len }} {{ regexFindAll \"b\" \"abc\" -1 | toJson }}",
        "[] null null 0 [\"b\"]",
    );
    // ... and eq compares it as nil before checking comparability.
    ok(
        "{{ ne (list 1) (regexFindAll \"x\" \"y\" -1) }} {{ eq (regexFindAll \"x\" \"y\" -1) nil }} {{ eq (regexFindAll \"y\" \"y\" -1) nil }}",
        "true true false",
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
    // A source that holds the destination, under a key the destination keeps: no cycle is
    // made, and Helm merges the rest (as Helm's engine does).
    ok(
        "{{ $d := dict \"k\" \"mine\" }}{{ $s := dict \"k\" $d \"x\" 1 }}{{ mustMerge $d $s }} {{ mergeOverwrite (dict) (dict \"k\" $d) }}",
        "map[k:mine x:1] map[k:map[k:mine x:1]]",
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
        "{{ semverCompare \">=1.20-0\" \"v1.21.3\" }} {{ semverCompare \"<1.19\" \"1.21.0\" }}",
        "true false",
    );
}

#[test]
fn dates_format_with_go_layouts() {
    ok(
        "{{ date \"2006-01-02T15:04:05Z07:00 Mon Jan _2 3PM .000\" 1700000000 }}",
        "2023-11-14T22:13:20Z Tue Nov 14 10PM .000",
    );
    ok(
        "{{ htmlDate 0 }} {{ unixEpoch 86400 }} {{ duration \"3725\" }} {{ duration (int64 3725) }} {{ duration 3725 }} {{ duration 1.5 }}",
        "1970-01-01 86400 1h2m5s 1h2m5s 0s 0s",
    );
    ok("{{ dateInZone \"2006\" 0 \"UTC\" }}", "1970");
    // Go cannot load this zone, so Sprig formats in UTC.
    ok("{{ dateInZone \"2006 MST\" 0 \"Not/AZone\" }}", "1970 UTC");
    let mut t = sprig_set();
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

#[cfg(feature = "crypto")]
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
fn argument_errors_read_as_go() {
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
}

#[test]
fn pipelines_chains_and_parens() {
    ok("{{ (dict \"a\" (dict \"b\" 2)).a.b }}", "2");
    ok(
        "{{ .Values.list | join \",\" | upper | printf \"<%s>\" }}",
        "<A,B,C>",
    );
    ok(
        "{{ $x := list }}{{ range .Values.list }}{{ $x = append $x . }}{{ end }}{{ $x }}",
        "[a b c]",
    );
}

#[test]
fn notices_record_non_reproducible_functions() {
    let mut t = sprig_set();
    t.add("f.yaml", "{{ upper \"x\" }}\n{{ randAlphaNum 5 | len }}")
        .unwrap();
    let out = t
        .execute("f.yaml", &data(), &ExecOptions::default())
        .unwrap();
    assert_eq!(out, "X\n5");
    let n = t.take_notices();
    assert_eq!(
        n.iter()
            .map(|n| (n.function.as_str(), n.line))
            .collect::<Vec<_>>(),
        vec![("randAlphaNum", 2)]
    );
}

/// Every function that allocates from an argument refuses a hostile size before allocating:
/// an error naming the template and line, reported as a resource limit, within a second.
#[test]
fn resource_caps_refuse_fast() {
    let cases = [
        "{{ randBytes 1000000000 }}",
        "{{ randAlphaNum 1000000000 }}",
        "{{ randAlpha 1000000000 }}",
        "{{ randNumeric 1000000000 }}",
        "{{ randAscii 1000000000 }}",
        "{{ indent 1000000000 \"x\" }}",
        "{{ nindent 1000000000 \"x\" }}",
        "{{ repeat 1000000000 \"x\" }}",
        "{{ until 1000000000 }}",
        "{{ untilStep 0 1000000000 1 }}",
        "{{ seq 1000000000 }}",
        "{{ $s := repeat 60000000 \"x\" }}{{ replace \"x\" \"yy\" $s }}",
        "{{ $s := repeat 60000000 \"x\" }}{{ regexReplaceAll \"x\" $s \"yy\" }}",
        "{{ $s := repeat 40000000 \"x\" }}{{ list $s $s | join \"\" }}",
        "{{ $s := \"x\" }}{{ range until 40 }}{{ $s = printf \"%s%s\" $s $s }}{{ end }}",
        "{{ printf (repeat 100 \"%1000000d\") 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 }}",
        // A map made to contain itself (Go overflows its stack printing it).
        "{{ $m := dict }}{{ $_ := set $m \"a\" (list (dict \"b\" $m)) }}",
        "{{ $m := dict }}{{ $_ := mergeOverwrite $m (dict \"a\" $m) }}",
        "{{ $m := dict \"n\" (dict) }}{{ $_ := mergeOverwrite $m (dict \"n\" (dict \"back\" $m)) }}",
        // The execution's total output (64 MiB by default).
        "{{ range until 300 }}{{ randAlphaNum 1000000 }}{{ end }}",
    ];
    for tpl in cases {
        let text = format!("line one\n{tpl}");
        let start = std::time::Instant::now();
        let e = render(&text).unwrap_err();
        let took = start.elapsed();
        assert!(gotemplate::is_resource_limit(&e), "{tpl}: {e}");
        assert!(e.starts_with("template: t:2:"), "{tpl}: {e}");
        // The error kind proves the cap fired; the time is a loose backstop (a shared CI
        // machine is slow), not a benchmark: uncapped, these allocate GiBs for many seconds.
        assert!(took.as_secs_f64() < 30.0, "{tpl}: took {took:?}");
    }
    // Negative counts are Go's panics, not limits.
    let e = render("{{ indent -1 \"x\" }}").unwrap_err();
    assert!(
        e.ends_with("error calling indent: strings: negative Repeat count"),
        "{e}"
    );
    let e = render("{{ repeat 9223372036854775807 \"ab\" }}").unwrap_err();
    assert!(
        e.ends_with("error calling repeat: strings: Repeat output length overflow"),
        "{e}"
    );
    // Decimal arithmetic past 128 bits (1e21 x 1e21), as shopspring/decimal computes it.
    assert_eq!(render("{{ mulf 1e21 1e21 }}").unwrap(), "1e+42");
    assert_eq!(render("{{ addf 1e30 0.1 }}").unwrap(), "1e+30");
    assert_eq!(
        render("{{ divf 1e40 3 }}").unwrap(),
        "3.333333333333333e+39"
    );
    let e = render("{{ randBytes -1 }}").unwrap_err();
    assert!(
        e.ends_with("runtime error: makeslice: len out of range"),
        "{e}"
    );
}

#[test]
fn env_and_expandenv_are_not_provided() {
    err(
        "{{ env \"HOME\" }}",
        "template: t:1: function \"env\" not defined",
    );
    err(
        "{{ expandenv \"$HOME\" }}",
        "template: t:1: function \"expandenv\" not defined",
    );
}

/// Behaviours checked against Helm's engine (the differential fuzzer's findings), one line
/// each: template, Helm's output.
#[test]
fn go_and_sprig_details_as_helm_renders_them() {
    let cases = [
        // Go types of Sprig results.
        (
            "{{ typeOf (add 1 1) }} {{ typeOf (keys (dict \"a\" 1)) }} {{ typeOf (until 2) }} {{ typeOf (split \",\" \"a\") }} {{ typeOf (toDecimal 7) }}",
            "int64 []string []int map[string]string int64",
        ),
        (
            "{{ list | rest }} {{ list | rest | toJson }} {{ concat (list) | toJson }}",
            "[] null null",
        ),
        (
            "{{ split \",\" \"a,b\" }} {{ list (split \",\" \"a,b\") }}",
            "map[_0:a _1:b] [map[_0:a _1:b]]",
        ),
        // cast at the edges.
        (
            "{{ int 1e21 }} {{ atoi \"99999999999999999999\" }} {{ float64 \"1e400\" }} {{ float64 \"0x1p-2\" }}",
            "-9223372036854775808 9223372036854775807 0 0.25",
        ),
        // shopspring decimal division (16 places).
        (
            "{{ divf 1 3 }} {{ divf -2.25 42 }} {{ divf 10 4 }}",
            "0.3333333333333333 -0.0535714285714286 2.5",
        ),
        // Sprig's float arithmetic in chunk.
        (
            "{{ chunk 2 (list 1 2 3) }} {{ chunk -1 (list 1 2) }}",
            "[[1 2] [3]] []",
        ),
        // goutils: byte-wise initials, WrapCustom.
        ("{{ initials \"ÄÖü hi\" }}", "Ãh"),
        (
            "{{ wrapWith 5 \"\\t\" \"Hello World\" }}|{{ wrap 3 \"abcdefg hi jk\" }}",
            "Hello\tWorld|abcdefg\nhi\njk",
        ),
        // duration takes int64 or a string only.
        (
            "{{ duration 90 }} {{ duration \"90\" }} {{ duration (int64 90) }}",
            "0s 1m30s 1m30s",
        ),
        ("{{ toDate \"é\" \"é\" }}", "0000-01-01 00:00:00 +0000 UTC"),
        ("{{ kindOf (toDate \"2006\" \"2020\") }}", "struct"),
        (
            "{{ (semver \"1.2.3\").Compare (semver \"1.3.0\") }} {{ (semver \"1.2.3\").LessThan (semver \"1.3.0\") }} {{ (semver \"1.2.3\").IncMinor }}",
            "-1 true 1.3.0",
        ),
        // copystructure copies exported fields only: a Version's copy is the zero Version.
        (
            "{{ deepCopy (semver \"1.2.3\") }} {{ (deepCopy (semver \"1.2.3\")).Original }}| {{ deepCopy (semver \"1.2.3\") | typeOf }}",
            "0.0.0 | *semver.Version",
        ),
        (
            "{{ urlParse \"http://u:p%40s@Example.com:8080/a%20b?x=1#f%21\" }}",
            "map[fragment:f! host:Example.com:8080 hostname:Example.com opaque: path:/a b query:x=1 scheme:http userinfo:u:p%40s]",
        ),
        (
            "{{ regexFindAll \"a*\" \"baaac\" -1 }} {{ regexReplaceAll \"a*\" \"baaac\" \"X\" }} {{ regexSplit \"a*\" \"baaac\" -1 }}",
            "[ aaa ] XbXcX [b c]",
        ),
        (
            "{{ regexQuoteMeta \"-4.5\" }} {{ regexMatch \"^[\\\\w-\\\\.]+$\" \"my-master.1\" }}",
            "-4\\.5 true",
        ),
    ];
    for (tpl, want) in cases {
        ok(tpl, want);
    }
    let errors = [
        (
            "{{ urlParse \"map[b:c]\" }}",
            "error calling urlParse: unable to parse url: parse \"map[b:c]\": first path segment in URL cannot contain colon",
        ),
        (
            "{{ urlParse \"http://h o/\" }}",
            "error calling urlParse: unable to parse url: parse \"http://h o/\": invalid character \" \" in host name",
        ),
        (
            "{{ urlParse \"%zz\" }}",
            "error calling urlParse: unable to parse url: parse \"%zz\": invalid URL escape \"%zz\"",
        ),
        (
            "{{ chunk 0 (list 1) }}",
            "error calling chunk: runtime error: makeslice: len out of range",
        ),
        (
            "{{ slice (list 1 2) 3 }}",
            "error calling slice: reflect.Value.Slice: slice index out of bounds",
        ),
        (
            "{{ dig 1 \"x\" (dict) | toString }}",
            "error calling dig: interface conversion: interface {} is int, not string",
        ),
        (
            "{{ dig \"x\" 1 \"y\" }}",
            "error calling dig: interface conversion: interface {} is string, not map[string]interface {}",
        ),
        (
            "{{ mustRegexMatch \"[z-a]\" \"x\" }}",
            "error calling mustRegexMatch: error parsing regexp: invalid character class range: `z-a`",
        ),
        (
            "{{ regexFind \"[\" \"x\" }}",
            "error calling regexFind: regexp: Compile(`[`): error parsing regexp: missing closing ]: `[`",
        ),
        (
            "{{ semver \"x\" }}",
            "error calling semver: invalid semantic version",
        ),
        // Masterminds' own errors: too long, a number beyond uint64.
        (
            "{{ semver (repeat 257 \"1\") }}",
            "error calling semver: version string is too long (max 256 bytes)",
        ),
        (
            "{{ semver \"1.99999999999999999999.2\" }}",
            "error calling semver: error parsing version segment: strconv.ParseUint: parsing \"99999999999999999999\": value out of range",
        ),
        (
            "{{ semverCompare \"99999999999999999999\" \"1.0.0\" }}",
            "error calling semverCompare: constraint parser error",
        ),
        (
            "{{ semverCompare \":\" \"1.0.0\" }}",
            "error calling semverCompare: improper constraint: \":\"",
        ),
        (
            "{{ trunc (add 1 2) \"x\" }}",
            "wrong type for value; expected int; got int64",
        ),
    ];
    for (tpl, want) in errors {
        let e = render(tpl).unwrap_err();
        assert!(e.ends_with(want), "{tpl}:\n got {e}\nwant …{want}");
    }
}
