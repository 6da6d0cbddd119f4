//! Integration tests of `vendor::yaml` on real data: `kustomize build` outputs re-parsed and
//! re-emitted must come back byte for byte.

use vendor::yaml::{self, Dialect};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/yaml/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Parses a multi-document stream and writes it back as kustomize joins resources.
fn round_trip(src: &str) -> String {
    let docs = yaml::parse_documents(src, Dialect::Kube).expect("fixture parses");
    docs.iter()
        .filter(|d| !d.value.is_null())
        .map(|d| yaml::to_string(&d.value))
        .collect::<Vec<_>>()
        .join("---\n")
}

fn first_difference(a: &str, b: &str) -> String {
    let line = a
        .lines()
        .zip(b.lines())
        .position(|(x, y)| x != y)
        .unwrap_or(a.lines().count().min(b.lines().count()));
    format!(
        "first difference at line {}:\n  ours:     {:?}\n  expected: {:?}",
        line + 1,
        a.lines().nth(line),
        b.lines().nth(line)
    )
}

macro_rules! kustomize_real {
    ($($test:ident => $file:literal),* $(,)?) => {$(
        #[test]
        fn $test() {
            let expected = fixture(concat!("kustomize-real/", $file));
            let ours = round_trip(&expected);
            assert!(ours == expected, "{}", first_difference(&ours, &expected));
        }
    )*};
}

kustomize_real! {
    round_trip_neco_admission => "neco-admission.yaml",
    round_trip_neco_argocd => "neco-argocd.yaml",
    round_trip_neco_cert_manager => "neco-cert-manager.yaml",
    round_trip_neco_elastic => "neco-elastic.yaml",
    round_trip_neco_kube_metrics_adapter => "neco-kube-metrics-adapter.yaml",
    round_trip_neco_logging => "neco-logging.yaml",
    round_trip_neco_metallb => "neco-metallb.yaml",
    round_trip_neco_moco => "neco-moco.yaml",
    round_trip_neco_rook_overlay_gcp => "neco-rook-overlay-gcp.yaml",
    round_trip_neco_topolvm => "neco-topolvm.yaml",
}

/// Values that stress quoting, escaping, block scalars and folding. Each becomes a ConfigMap
/// `data` entry (double-quoted in the input so that it reaches kustomize as exactly this text).
const TRICKY_STRINGS: &[&str] = &[
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "Y",
    "true",
    "True",
    "1.0",
    "0644",
    "0o644",
    "0x1F",
    "1_000",
    "1:30",
    "2001-12-14",
    "2001-12-14T21:59:43.10Z",
    "~",
    "null",
    "",
    "=",
    "<<",
    ".inf",
    "-.inf",
    ".nan",
    "1e3",
    "+1",
    "-",
    "--",
    "---",
    "...",
    "a: b",
    "a #b",
    "#a",
    "@a",
    "`a",
    "%a",
    "it's",
    "'q'",
    "\"dq\"",
    "tab\there",
    " lead",
    "trail ",
    "é",
    "日本",
    "emoji 😀",
    "\u{a0}nbsp",
    "a\u{2028}b",
    "ctrl\u{7}",
    "\u{feff}bom",
    "bom\u{feff}",
    "line1\nline2",
    "line1\nline2\n",
    "line1\n\n",
    " indented\nx\n",
    "\nleading",
    "trailing space \nx",
    "x\n y\n",
    "a\r\nb",
    "08",
    "09.5",
    "0b101",
    "-0b101",
    "1e400",
    "0x",
    "+.inf",
    "1.",
    "-.5",
    ".5",
    "2001-1-2",
    "12:30:45",
    "1:2:3.5",
    "1_2:30",
    "- a",
    "? a",
    "?a",
    ":a",
    "a:",
    "a:b",
    "[a]",
    "{a}",
    "a,b",
    "*a",
    "&a",
    "!a",
    "|a",
    ">a",
    "a|b",
    "a\u{2029}",
    "\u{2028}",
    "x\n\ty\n",
    "\n",
    "\n\n",
    "a\n \n",
    "# x\ny",
    "\u{e9}\u{301}",
    "\u{fffd}",
    "\u{e000}",
];

/// The kustomization input: a ConfigMap carrying every tricky string, plus a custom resource
/// with numbers, nested lists and keys that exercise the sort order.
fn tricky_input() -> String {
    let long = vec!["word"; 40].join(" ");
    let mut values: Vec<String> = TRICKY_STRINGS.iter().map(|s| s.to_string()).collect();
    values.extend([
        long.clone(),
        "x".repeat(100),
        format!("{} y", "x".repeat(100)),
        format!("{long} yes"),
        format!("a   {} c d", "b".repeat(90)),
        format!("q'{long}"),
        format!("tab\t{long}"),
        format!("  {long}"),
        format!("ab  {long}"),
        format!("{} {long}", "é".repeat(70)),
        format!("a\n{long}\n"),
        format!("{} y z", "x".repeat(79)),
        format!("{} y z", "x".repeat(80)),
        format!("{} y z", "x".repeat(81)),
        format!("{}  y", "x".repeat(78)),
        format!("{}  y  z", "x".repeat(85)),
        format!("{long}\u{7}"),
        format!("\"{long}\""),
        format!("{}   {}", "a".repeat(85), "b".repeat(10)),
        format!("\u{a0}{long}"),
        format!("k:{long}"),
    ]);
    let mut out =
        String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tricky\ndata:\n");
    for (i, v) in values.iter().enumerate() {
        out.push_str(&format!("  k{i:03}: {}\n", yaml_double_quote(v)));
    }
    out.push_str("---\n");
    out.push_str(CUSTOM_RESOURCE);
    out
}

const CUSTOM_RESOURCE: &str = r#"apiVersion: example.com/v1
kind: Tricky
metadata:
  name: tricky
spec:
  numbers: [1, -3, 1.0, 0.5, 1e21, 1e20, 1234567.5, 0.00001, 0644, 0o17, 0x1F, 1_000, 08, .5, -0.0, 9223372036854775807, 12e3]
  bools: [true, false, True, FALSE, yes, no, on, off]
  nulls: [~, null, Null, ]
  keys: {a10: 1, a2: 2, a1: 3, B: 4, b: 5, _x: 6, "1": 7, "01": 8, "x.y": 9, x-y: 10, x_y: 11, xy: 12, "": 13, "yes": 14, a01: 15, a001: 16, a1b: 17, a1a: 18, "a 1": 19, é: 20, Z9: 21, z09: 22}
  nested:
  - - a
    - b
  - []
  - {}
  - - {x: 1, y: [2]}
  - name: n
    list:
    - 1
  multi: "first\nsecond"
  ? "a very long key that is longer than one hundred and twenty eight bytes so that go-yaml writes it as a complex key with a question mark indicator"
  : value
  ? "multi\nline key"
  : v
  emptyString: ""
  anchors:
    base: &b {p: 1, q: 2}
    merged:
      <<: *b
      q: 3
"#;

/// Double-quotes `s` for a YAML input, escaping what YAML requires (and what Go's JSON-then-YAML
/// path can carry).
fn yaml_double_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || ('\u{7f}'..='\u{9f}').contains(&c) => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{ffff}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Differential test against the real thing: `kubectl kustomize` on the tricky input must give
/// what our parse + emit gives. Skipped (with a message) when kubectl is not installed.
#[test]
fn emitter_matches_kubectl_kustomize() {
    let Ok(version) = std::process::Command::new("kubectl")
        .args(["version", "--client"])
        .output()
    else {
        eprintln!("SKIPPED emitter_matches_kubectl_kustomize: kubectl is not installed");
        return;
    };
    if !version.status.success() {
        eprintln!("SKIPPED emitter_matches_kubectl_kustomize: kubectl does not run");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = tricky_input();
    std::fs::write(dir.path().join("r.yaml"), &input).unwrap();
    std::fs::write(
        dir.path().join("kustomization.yaml"),
        "resources:\n- r.yaml\n",
    )
    .unwrap();
    let out = std::process::Command::new("kubectl")
        .arg("kustomize")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kubectl kustomize failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = String::from_utf8(out.stdout).unwrap();
    let ours = round_trip(&input);
    assert!(ours == expected, "{}", first_difference(&ours, &expected));
}
