//! Helm's template functions through the engine (moved from the template module's unit
//! tests): `include`, `tpl`, `required`, `fail`, `lookup`, the YAML and JSON functions, and
//! their bounds and notices.

// Test code: a panic is the failure report, and printing explains a skipped comparison.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use gotemplate::{ExecOptions, GoValue, Templates};
use helm_render::govalue;

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
    govalue::from_yaml_as_json(&kyaml::Value::from(v))
}

/// A template set as Helm's engine makes one: named `gotpl`, with Sprig's and Helm's functions.
fn helm_set() -> Templates {
    Templates::named("gotpl", helm_render::funcs::function_map())
}

fn render(src: &str) -> Result<String, String> {
    let mut t = helm_set();
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
fn required_and_fail_wrap_their_messages() {
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
fn env_is_removed_as_in_helm() {
    err(
        "{{ env \"HOME\" }}",
        "template: t:1: function \"env\" not defined",
    );
}

#[test]
fn json_decoding_functions() {
    ok(
        "{{ (fromJson \"{\\\"a\\\": [1, 2]}\").a }} {{ fromJsonArray \"[1,\\\"x\\\"]\" }}",
        "[1 2] [1 x]",
    );
    // Go's encoding/json: syntax errors worded by its scanner; an object decodes as far as it
    // can, a number out of float64's range is nil and the error is added.
    ok(
        "{{ fromJson \"abc\" }} {{ fromJsonArray \"[1 2]\" }} {{ fromJson \"{\\\"a\\\":1e400,\\\"b\\\":2}\" }}",
        "map[Error:invalid character 'a' looking for beginning of value] [invalid character '2' after array element] map[Error:json: cannot unmarshal number 1e400 into Go value of type float64 a:<nil> b:2]",
    );
    err(
        "{{ mustFromJson \"[1,]\" }}",
        "template: t:1:3: executing \"t\" at <mustFromJson \"[1,]\">: error calling mustFromJson: invalid character ']' looking for beginning of value",
    );
}

/// BurntSushi's encoder panics on nil; the engine reports the panic as the call's error.
#[test]
fn to_toml_of_nil_is_an_error() {
    err(
        "{{ toToml .Values.nul }}",
        "template: t:1:3: executing \"t\" at <toToml .Values.nul>: error calling toToml: reflect: call of reflect.Value.Type on zero Value",
    );
    ok("{{ toToml .Values.map }}", "a = 1.0\nb = 2.0\n");
}

/// BurntSushi writes a time.Time as a bare TOML datetime.
#[test]
fn to_toml_writes_times_as_datetimes() {
    ok(
        "{{ toToml (toDate \"2006-01-02\" \"2024-02-29\") }}|{{ toToml (dict \"t\" (toDate \"2006-01-02\" \"2024-02-29\") \"l\" (list (toDate \"2006\" \"2020\"))) }}",
        "2024-02-29T00:00:00Z|l = [2020-01-01T00:00:00Z]\nt = 2024-02-29T00:00:00Z\n",
    );
}

#[test]
fn notices_record_lookup() {
    let mut t = helm_set();
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
fn tpl_nesting_is_bounded() {
    let e = render("{{ tpl \"{{ tpl .Values.t . }}\" (dict \"Values\" (dict \"t\" \"{{ tpl .Values.t . }}\")) }}").unwrap_err();
    assert!(
        e.contains("tpl calls nested more than 1001 deep"),
        "{}",
        &e[e.len().saturating_sub(300)..]
    );
    // A template that includes itself through tpl stops at include's bound, as in Helm.
    let e = render(
        "{{ define \"h\" }}{{ tpl \"{{ include \\\"h\\\" . }}\" . }}{{ end }}{{ include \"h\" . }}",
    )
    .unwrap_err();
    assert!(
        e.ends_with("error calling include: rendering template has a nested reference name: h: unable to execute template"),
        "{}",
        &e[e.len().saturating_sub(300)..]
    );
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

/// Helm 3 formats `required`'s message (a `%d` in it is a verb), Helm 4 keeps it as written.
#[test]
fn required_message_is_formatted_by_helm_3_only() {
    for (helm, want) in [
        (helm_render::HelmVersion::V3, "%!d(MISSING)%"),
        (helm_render::HelmVersion::V4, "%d%%"),
    ] {
        let mut t = Templates::named("gotpl", helm_render::funcs::function_map_for(helm));
        t.add("t", "{{ required \"%d%%\" nil }}").unwrap();
        let e = t
            .execute("t", &data(), &ExecOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with(&format!(
                "error calling required: HELM_ERR_START{want}HELM_ERR_END"
            )),
            "{helm:?}: {e}"
        );
    }
}
