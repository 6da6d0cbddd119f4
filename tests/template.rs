//! Integration tests of the template engine on real chart templates (copied from the corpus
//! into tests/fixtures/template/): every template must parse, and ingress-nginx's templates
//! rendered with its default values must give the documents `helm template` v3.16.4 printed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kyaml::Dialect;
use vendor::template::{ExecOptions, GoObject, GoValue, Templates};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/template")
}

/// Every template file under `dir`, as (name relative to `dir`, text), sorted.
fn template_files(dir: &Path) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| e.path().components().any(|c| c.as_os_str() == "templates"))
        .map(|e| {
            let name = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read_to_string(e.path()).unwrap())
        })
        .collect();
    v.sort();
    v
}

#[test]
fn every_corpus_template_parses() {
    let mut count = 0;
    for chart in [
        "ingress-nginx-4.15.1",
        "metallb-0.16.1",
        "metallb-0.15.3",
        "helm-golden",
    ] {
        let dir = fixtures().join(chart);
        let mut set = Templates::new();
        for (name, text) in template_files(&dir) {
            if let Err(e) = set.add(&name, &text) {
                panic!("{chart}/{name}: {e}");
            }
            count += 1;
        }
    }
    assert!(count > 90, "only {count} templates found");
}

struct Chart(BTreeMap<String, GoValue>);
impl GoObject for Chart {
    fn type_name(&self) -> &str {
        "*chart.Metadata"
    }
    fn field(&self, name: &str) -> Option<GoValue> {
        let key = name[..1].to_lowercase() + &name[1..];
        Some(
            self.0
                .get(&key)
                .cloned()
                .unwrap_or_else(|| GoValue::from("")),
        )
    }
}

struct KubeVersion;
impl GoObject for KubeVersion {
    fn type_name(&self) -> &str {
        "chartutil.KubeVersion"
    }
    fn field(&self, name: &str) -> Option<GoValue> {
        Some(GoValue::from(match name {
            "Version" | "GitVersion" => "v1.31.0",
            "Major" => "1",
            "Minor" => "31",
            _ => return None,
        }))
    }
    fn string(&self) -> Option<String> {
        Some("v1.31.0".into())
    }
}

struct ApiVersions;
impl GoObject for ApiVersions {
    fn type_name(&self) -> &str {
        "chartutil.VersionSet"
    }
    fn has_method(&self, name: &str) -> bool {
        name == "Has"
    }
    fn method(&self, name: &str, args: &[GoValue]) -> Option<Result<GoValue, String>> {
        (name == "Has").then(|| {
            let known = [
                "v1",
                "apps/v1",
                "policy/v1",
                "networking.k8s.io/v1",
                "autoscaling/v2",
                "batch/v1",
            ];
            Ok(GoValue::Bool(
                args.first()
                    .and_then(GoValue::as_str)
                    .is_some_and(|a| known.contains(&a)),
            ))
        })
    }
}

struct Capabilities;
impl GoObject for Capabilities {
    fn type_name(&self) -> &str {
        "*chartutil.Capabilities"
    }
    fn field(&self, name: &str) -> Option<GoValue> {
        match name {
            "KubeVersion" => Some(GoValue::object(KubeVersion)),
            "APIVersions" => Some(GoValue::object(ApiVersions)),
            _ => None,
        }
    }
}

fn map(entries: &[(&str, GoValue)]) -> GoValue {
    GoValue::from(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect::<BTreeMap<_, _>>(),
    )
}

/// Helm's releaseutil.SplitManifests + `# Source:` printing, per file.
fn documents(rendered: &str) -> Vec<String> {
    let sep = regex::Regex::new(r"(?:^|\s*\n)---\s*").unwrap();
    sep.split(rendered.trim())
        .filter(|d| !d.is_empty())
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
        .collect()
}

#[test]
fn ingress_nginx_templates_render_as_helm_does() {
    check_chart(
        "ingress-nginx-4.15.1",
        "ingress-nginx",
        "ingress-nginx",
        "expected-default.yaml",
        None,
    );
}

/// The chart's CI values files, rendered by helm template v3.16.4 (corpus helm-real).
#[test]
fn ingress_nginx_ci_values_render_as_helm_does() {
    for name in [
        "admission-webhooks-cert-manager-values",
        "controller-configmap-proxyheaders-values",
        "controller-daemonset-metrics-values",
        "controller-daemonset-values",
        "controller-deployment-podannotations-values",
        "controller-hpa-values",
        "controller-service-internal-values",
    ] {
        check_chart(
            "ingress-nginx-4.15.1",
            "ingress-nginx",
            "ingress-nginx",
            &format!("expected/{name}.yaml"),
            Some(&format!("ci/{name}.yaml")),
        );
    }
}

/// `fail` inside an `if`: Go's raw error, which Helm shortens to
/// `execution error at (metallb/templates/speaker.yaml:3:4): ...`.
#[test]
fn metallb_fail_reports_go_location() {
    let dir = fixtures().join("metallb-0.15.3");
    let mut values = read_yaml(&dir.join("values.yaml"));
    coalesce(
        &mut values,
        &kyaml::parse_one("frrk8s:\n  enabled: true\n", Dialect::Helm).unwrap(),
    );
    let mut set = Templates::new();
    for (name, text) in template_files(&dir) {
        set.add(&format!("metallb/{name}"), &text).unwrap();
    }
    let data = map(&[("Values", GoValue::from_yaml_as_json(&values))]);
    let err = set
        .execute(
            "metallb/templates/speaker.yaml",
            &data,
            &ExecOptions::default(),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "template: metallb/templates/speaker.yaml:3:4: executing \"metallb/templates/speaker.yaml\" at <fail \"speaker.frr.enabled and frrk8s.enabled / external are mutually exclusive!\">: error calling fail: HELM_ERR_STARTspeaker.frr.enabled and frrk8s.enabled / external are mutually exclusive!HELM_ERR_END"
    );
}

fn read_yaml(path: &Path) -> kyaml::Value {
    kyaml::parse_one(&std::fs::read_to_string(path).unwrap(), Dialect::Helm).unwrap()
}

/// Helm's coalescing of user values over chart defaults (maps merge, user wins, null deletes).
fn coalesce(base: &mut kyaml::Value, user: &kyaml::Value) {
    match (base, user) {
        (kyaml::Value::Map(b), kyaml::Value::Map(u)) => {
            for (k, v) in u {
                if v.is_null() {
                    b.shift_remove(k);
                } else if let Some(existing) = b.get_mut(k)
                    && existing.as_map().is_some()
                    && v.as_map().is_some()
                {
                    coalesce(existing, v);
                } else {
                    b.insert(k.clone(), v.clone());
                }
            }
        }
        (b, u) => *b = u.clone(),
    }
}

/// metallb's own templates (its subcharts need Helm's value scoping, tested by `helm`).
#[test]
fn metallb_templates_render_as_helm_does() {
    check_chart(
        "metallb-0.16.1",
        "metallb",
        "metallb-system",
        "expected-default-own-templates.yaml",
        None,
    );
}

fn check_chart(
    fixture: &str,
    chart_name: &str,
    namespace: &str,
    expected_file: &str,
    user_values: Option<&str>,
) {
    let dir = fixtures().join(fixture);
    let mut values = read_yaml(&dir.join("values.yaml"));
    if let Some(u) = user_values {
        coalesce(&mut values, &read_yaml(&dir.join(u)));
    }
    let chart_yaml = kyaml::parse_one(
        &std::fs::read_to_string(dir.join("Chart.yaml")).unwrap(),
        Dialect::Helm,
    )
    .unwrap();
    let GoValue::Map(meta) = GoValue::from_yaml(&chart_yaml) else {
        panic!("Chart.yaml is not a map")
    };
    let chart = GoValue::object(Chart(meta.borrow().clone()));
    let release = map(&[
        ("Name", GoValue::from(chart_name)),
        ("Namespace", GoValue::from(namespace)),
        ("Service", GoValue::from("Helm")),
        ("IsInstall", GoValue::Bool(true)),
        ("IsUpgrade", GoValue::Bool(false)),
        ("Revision", GoValue::Int(1)),
    ]);
    let values = GoValue::from_yaml_as_json(&values);

    let mut set = Templates::new();
    let files = template_files(&dir);
    for (name, text) in &files {
        set.add(&format!("{chart_name}/{name}"), text).unwrap();
    }

    // Expected documents per source file, from helm template's output.
    let expected = std::fs::read_to_string(dir.join(expected_file)).unwrap();
    let mut want: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for block in expected.split("---\n# Source: ").skip(1) {
        let (src, body) = block.split_once('\n').unwrap();
        want.entry(src.to_string())
            .or_default()
            .push(body.trim_end().to_string());
    }

    let mut got: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, _) in &files {
        let full = format!("{chart_name}/{name}");
        if Path::new(name)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with('_')
            || !name.ends_with(".yaml")
            || name.starts_with("charts/")
        {
            continue;
        }
        let data = map(&[
            ("Values", values.clone()),
            ("Chart", chart.clone()),
            ("Release", release.clone()),
            ("Capabilities", GoValue::object(Capabilities)),
            (
                "Template",
                map(&[
                    ("Name", GoValue::from(full.as_str())),
                    ("BasePath", GoValue::from(format!("{chart_name}/templates"))),
                ]),
            ),
        ]);
        let out = set
            .execute(&full, &data, &ExecOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let out = out.replace("<no value>", "");
        for d in documents(&out) {
            got.entry(full.clone()).or_default().push(d);
        }
    }
    // Helm reorders documents by kind (install order); compare each file's documents sorted.
    for docs in want.values_mut().chain(got.values_mut()) {
        docs.sort();
    }
    for (src, docs) in &want {
        let mine = got.get(src).cloned().unwrap_or_default();
        assert_eq!(mine.len(), docs.len(), "{src}: number of documents");
        for (i, d) in docs.iter().enumerate() {
            let m = mine.get(i).map(String::as_str).unwrap_or("<missing>");
            if m != d {
                let line = d
                    .lines()
                    .zip(m.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                panic!(
                    "{expected_file}: {src} document {i} differs at line {line}:\n--- helm\n{}\n--- ours\n{}",
                    d.lines()
                        .skip(line.saturating_sub(2))
                        .take(6)
                        .collect::<Vec<_>>()
                        .join("\n"),
                    m.lines()
                        .skip(line.saturating_sub(2))
                        .take(6)
                        .collect::<Vec<_>>()
                        .join("\n")
                );
            }
        }
    }
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
}

/// Bad input never panics: every prefix (cut every 61 bytes) of every corpus template either
/// fails to parse with an error or executes (with empty data) to output or an error.
#[test]
fn truncated_templates_fail_cleanly() {
    let mut tried = 0;
    for chart in ["ingress-nginx-4.15.1", "metallb-0.16.1"] {
        for (name, text) in template_files(&fixtures().join(chart)) {
            let mut cut = 0;
            while cut < text.len() {
                cut = (cut + 61).min(text.len());
                while !text.is_char_boundary(cut) {
                    cut += 1;
                }
                let mut set = Templates::new();
                if set.add(&name, &text[..cut]).is_ok() {
                    let _ = set.execute(&name, &GoValue::new_map(), &ExecOptions::default());
                }
                tried += 1;
            }
        }
    }
    assert!(tried > 1000);
}

// ---- Sprig crypto, date and URL functions ----

/// Renders `text` as one template with empty data; returns the output and the notice names.
fn render_one(text: &str) -> Result<(String, Vec<String>), String> {
    let mut set = Templates::new();
    set.add("t.yaml", text).map_err(|e| e.to_string())?;
    let out = set
        .execute("t.yaml", &GoValue::new_map(), &ExecOptions::default())
        .map_err(|e| e.to_string())?;
    let notices = set.take_notices().into_iter().map(|n| n.function).collect();
    Ok((out, notices))
}

fn pem_der(text: &str, label: &str) -> Vec<u8> {
    let (rest, block) = x509_parser::pem::parse_x509_pem(text.as_bytes()).expect("PEM block");
    assert!(rest.is_empty() || rest.iter().all(|b| b.is_ascii_whitespace()));
    assert_eq!(block.label, label);
    block.contents
}

fn sans(cert: &x509_parser::certificate::X509Certificate<'_>) -> (Vec<String>, Vec<Vec<u8>>) {
    use x509_parser::extensions::GeneralName;
    let mut dns = Vec::new();
    let mut ips = Vec::new();
    if let Ok(Some(ext)) = cert.subject_alternative_name() {
        for n in &ext.value.general_names {
            match n {
                GeneralName::DNSName(d) => dns.push(d.to_string()),
                GeneralName::IPAddress(ip) => ips.push(ip.to_vec()),
                _ => {}
            }
        }
    }
    (dns, ips)
}

#[test]
fn gen_ca_and_signed_cert_are_valid_x509() {
    use x509_parser::prelude::*;
    let text = r#"{{- $ca := genCA "my-ca" 365 -}}
{{- $cert := genSignedCert "svc.example" (list "10.0.0.1" "::1") (list "svc.example" "svc.ns.svc") 30 $ca -}}
{{ $ca.Cert }}%%%
{{ $ca.Key }}%%%
{{ $cert.Cert }}%%%
{{ $cert.Key }}"#;
    let (out, notices) = render_one(text).unwrap();
    assert_eq!(notices, ["genCA", "genSignedCert"]);
    let parts: Vec<&str> = out.split("%%%\n").collect();
    assert_eq!(parts.len(), 4, "{out}");

    let ca_der = pem_der(parts[0], "CERTIFICATE");
    let (_, ca) = X509Certificate::from_der(&ca_der).unwrap();
    assert_eq!(
        ca.subject()
            .iter_common_name()
            .next()
            .unwrap()
            .as_str()
            .unwrap(),
        "my-ca"
    );
    assert!(ca.is_ca());
    let ku = ca.key_usage().unwrap().unwrap().value;
    assert!(ku.key_cert_sign() && ku.digital_signature() && ku.key_encipherment());
    let validity = ca.validity();
    let days = (validity.not_after.timestamp() - validity.not_before.timestamp()) / 86400;
    assert_eq!(days, 365);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((validity.not_before.timestamp() - now).abs() < 120);
    assert!(ca.serial.bits() <= 128);
    ca.verify_signature(None).expect("CA is self-signed");

    // The CA key is a 2048-bit RSA key in PKCS#1 form, matching the certificate.
    let ca_key = pem_der(parts[1], "RSA PRIVATE KEY");
    let rsa_key =
        <rsa::RsaPrivateKey as rsa::pkcs1::DecodeRsaPrivateKey>::from_pkcs1_der(&ca_key).unwrap();
    assert_eq!(rsa::traits::PublicKeyParts::size(&rsa_key) * 8, 2048);

    let leaf_der = pem_der(parts[2], "CERTIFICATE");
    let (_, leaf) = X509Certificate::from_der(&leaf_der).unwrap();
    assert_eq!(
        leaf.subject()
            .iter_common_name()
            .next()
            .unwrap()
            .as_str()
            .unwrap(),
        "svc.example"
    );
    assert_eq!(leaf.issuer(), ca.subject());
    assert!(!leaf.is_ca());
    let (dns, ips) = sans(&leaf);
    assert_eq!(dns, ["svc.example", "svc.ns.svc"]);
    let mut v6 = vec![0u8; 16];
    v6[15] = 1;
    assert_eq!(ips, [vec![10, 0, 0, 1], v6]);
    let eku = leaf.extended_key_usage().unwrap().unwrap().value;
    assert!(eku.server_auth && eku.client_auth);
    let days =
        (leaf.validity().not_after.timestamp() - leaf.validity().not_before.timestamp()) / 86400;
    assert_eq!(days, 30);
    leaf.verify_signature(Some(ca.public_key()))
        .expect("leaf is signed by the CA");
    let ski = ca
        .extensions()
        .iter()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(k) => Some(k.0.to_vec()),
            _ => None,
        })
        .expect("CA has a subject key identifier");
    let aki = leaf
        .extensions()
        .iter()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::AuthorityKeyIdentifier(a) => {
                a.key_identifier.as_ref().map(|k| k.0.to_vec())
            }
            _ => None,
        })
        .expect("leaf has an authority key identifier");
    assert_eq!(ski, aki);
    assert!(leaf.verify_signature(None).is_err());
    pem_der(parts[3], "RSA PRIVATE KEY");
}

#[test]
fn certs_with_given_keys_use_those_keys() {
    use x509_parser::prelude::*;
    let text = r#"{{- $k := genPrivateKey "ecdsa" -}}
{{- $ca := genCAWithKey "ec-ca" 10 $k -}}
{{- $ek := genPrivateKey "ed25519" -}}
{{- $s := genSelfSignedCertWithKey "self" nil (list "a.example") 5 $ek -}}
{{- $l := genSignedCertWithKey "leaf" nil nil 1 $ca $ek -}}
{{ $k }}%%%
{{ $ca.Cert }}%%%
{{ $ca.Key }}%%%
{{ $ek }}%%%
{{ $s.Cert }}%%%
{{ $s.Key }}%%%
{{ $l.Cert }}"#;
    let (out, notices) = render_one(text).unwrap();
    assert!(notices.contains(&"genCAWithKey".to_string()));
    let p: Vec<&str> = out.split("%%%\n").collect();
    // The CA key comes back exactly as given (Go re-marshals the same SEC1 form).
    assert_eq!(p[0], p[2]);
    pem_der(p[0], "EC PRIVATE KEY");
    let ca_der = pem_der(p[1], "CERTIFICATE");
    let (_, ca) = X509Certificate::from_der(&ca_der).unwrap();
    assert!(ca.is_ca());
    ca.verify_signature(None).unwrap();
    assert_eq!(
        ca.public_key().algorithm.algorithm.to_id_string(),
        "1.2.840.10045.2.1"
    );
    // Ed25519 keys are PKCS#8 v1, 48 bytes, as Go writes them.
    assert_eq!(pem_der(p[3], "PRIVATE KEY").len(), 48);
    assert_eq!(p[3], p[5]);
    let s_der = pem_der(p[4], "CERTIFICATE");
    let (_, s) = X509Certificate::from_der(&s_der).unwrap();
    assert_eq!(sans(&s).0, ["a.example"]);
    s.verify_signature(None).unwrap();
    let l_der = pem_der(p[6], "CERTIFICATE");
    let (_, l) = X509Certificate::from_der(&l_der).unwrap();
    l.verify_signature(Some(ca.public_key())).unwrap();
    assert_eq!(l.public_key().raw, s.public_key().raw);
}

#[test]
fn gen_private_key_rsa_is_4096_bit_pkcs1() {
    let (out, notices) = render_one(r#"{{ genPrivateKey "rsa" }}"#).unwrap();
    assert_eq!(notices, ["genPrivateKey"]);
    let der = pem_der(&out, "RSA PRIVATE KEY");
    let key =
        <rsa::RsaPrivateKey as rsa::pkcs1::DecodeRsaPrivateKey>::from_pkcs1_der(&der).unwrap();
    assert_eq!(rsa::traits::PublicKeyParts::size(&key) * 8, 4096);
    // Go's pem.Encode: 64-column lines.
    assert!(out.lines().all(|l| l.len() <= 64));
}

#[test]
fn build_custom_cert_round_trips_and_rejects_junk() {
    let (out, _) = render_one(
        r#"{{- $ca := genCA "x" 1 -}}{{- $c := buildCustomCert ($ca.Cert | b64enc) ($ca.Key | b64enc) -}}{{ eq $c.Cert $ca.Cert }} {{ eq $c.Key $ca.Key }}"#,
    )
    .unwrap();
    assert_eq!(out, "true true");
    let err = render_one(r#"{{ buildCustomCert "!!" "" }}"#).unwrap_err();
    assert!(err.contains("unable to decode base64 certificate"), "{err}");
    let err = render_one(r#"{{ buildCustomCert ("hello" | b64enc) "" }}"#).unwrap_err();
    assert!(err.contains("unable to decode certificate"), "{err}");
}

#[test]
fn derive_password_matches_sprig_test_vectors() {
    let (out, notices) = render_one(
        r#"{{derivePassword 1 "long" "password" "user" "example.com"}} {{derivePassword 1 "maximum" "password" "user" "example.com"}}"#,
    )
    .unwrap();
    assert_eq!(out, "ZedaFaxcZaso9* pf4zS1LjCg&LjhsZ7T2~");
    assert!(notices.is_empty());
}

#[test]
fn aes_decrypts_an_independent_ciphertext_and_round_trips() {
    // Made with `openssl enc -aes-256-cbc` with the key "secretkey" zero-padded to 32 bytes
    // and IV 000102..0f prepended: the form Sprig's decryptAES reads.
    let (out, notices) = render_one(
        r#"{{ decryptAES "secretkey" "AAECAwQFBgcICQoLDA0OD9IzSj1E3svSbzRPt8xxRUJ3SDgx9wXv4IQDjDXekVP2fJ8FiTRAG7iJgMSqoT1MoA==" }}"#,
    )
    .unwrap();
    assert_eq!(out, "Hello, Sprig! This spans blocks.");
    assert!(notices.is_empty());
    let (out, notices) =
        render_one(r#"{{ "plaintext" | encryptAES "secretkey" | decryptAES "secretkey" }}"#)
            .unwrap();
    assert_eq!(out, "plaintext");
    assert_eq!(notices, ["encryptAES"]);
}

#[test]
fn dates_parse_modify_and_round() {
    let (out, _) = render_one(
        r#"{{ toDate "2006-01-02" "2017-12-31" | date "02/01/2006" }} {{ toDate "2006-01-02" "2017-12-31" | dateModify "-1.5h" | date "2006-01-02 15:04" }} {{ toDate "2006-01-02" "bad" | date "2006-01-02" }} {{ durationRound "2h10m5s" }} {{ durationRound "1d" }} {{ htmlDateInZone 0 "UTC" }}"#,
    )
    .unwrap();
    assert_eq!(
        out,
        "31/12/2017 2017-12-30 22:30 0001-01-01 2h 0s 1970-01-01"
    );
    let err = render_one(r#"{{ mustToDate "2006-01-02" "2017-13-01" }}"#).unwrap_err();
    assert!(
        err.contains("parsing time \"2017-13-01\": month out of range"),
        "{err}"
    );
    let err = render_one(r#"{{ toDate "2006" "2017" | mustDateModify "1y" }}"#).unwrap_err();
    assert!(
        err.contains("time: unknown unit \"y\" in duration \"1y\""),
        "{err}"
    );
    let (out, _) = render_one(r#"{{ htmlDateInZone 0 "no/such-zone" }}"#).unwrap();
    assert_eq!(out, "1970-01-01");
    let (out, _) =
        render_one(r#"{{ toDate "2006" "2017" | dateModify "bad" | date "2006" }}"#).unwrap();
    assert_eq!(out, "2017");
}

#[test]
fn url_join_matches_sprig_doc_example() {
    let (out, _) = render_one(
        r#"{{ urlJoin (dict "fragment" "fragment" "host" "host:80" "path" "/path" "query" "query" "scheme" "http") }} {{ urlParse "https://u:p@h.example:8443/a/b?x=1#f" | urlJoin }}"#,
    )
    .unwrap();
    assert_eq!(
        out,
        "http://host:80/path?query#fragment https://u:p@h.example:8443/a/b?x=1#f"
    );
}

#[test]
fn parsed_dates_print_as_go_time_strings() {
    let (out, _) = render_one(
        r#"{{ toDate "2006-01-02" "2017-12-31" }}|{{ toDate "2006-01-02 15:04:05.000" "2017-12-31 01:02:03.250" }}"#,
    )
    .unwrap();
    assert_eq!(
        out,
        "2017-12-31 00:00:00 +0000 UTC|2017-12-31 01:02:03.25 +0000 UTC"
    );
}

#[test]
fn sprig_test_vectors_for_durations_zones_and_urls() {
    // From Sprig's date_test.go and url_test.go.
    let (out, _) = render_one(
        r#"{{ durationRound "2h5s" }} {{ durationRound "24h5s" }} {{ durationRound "2400h5s" }} {{ dateInZone "02 Jan 06 15:04 -0700" 1560458379 "foobar" }}"#,
    )
    .unwrap();
    assert_eq!(out, "2h 1d 3mo 13 Jun 19 20:39 +0000");
    let (out, _) = render_one(
        r#"{{ urlJoin (dict "fragment" "fragment" "host" "host:80" "path" "/path" "scheme" "proto" "userinfo" "ASDJKJSD") }}"#,
    )
    .unwrap();
    assert_eq!(out, "proto://ASDJKJSD@host:80/path#fragment");
    let err = render_one(r#"{{ toDate "2006" "2019" | mustDateModify "1f" }}"#).unwrap_err();
    assert!(err.contains("unknown unit"), "{err}");
}

#[test]
fn cert_argument_errors_are_clear() {
    let err = render_one(r#"{{ genSelfSignedCert "x" (list "not-an-ip") nil 1 }}"#).unwrap_err();
    assert!(
        err.contains("error calling genSelfSignedCert: error parsing ip: not-an-ip"),
        "{err}"
    );
    let err = render_one(r#"{{ genSelfSignedCert "x" (list 1) nil 1 }}"#).unwrap_err();
    assert!(err.contains("error parsing ip: 1 is not a string"), "{err}");
    let err = render_one(r#"{{ genSignedCert "x" nil nil 1 (dict "Cert" "c") }}"#).unwrap_err();
    assert!(err.contains("expected sprig.certificate; got map"), "{err}");
    let err = render_one(r#"{{ genCAWithKey "x" 1 "not pem" }}"#).unwrap_err();
    assert!(
        err.contains("error calling genCAWithKey: parsing private key: no PEM data in input"),
        "{err}"
    );
    let err = render_one(r#"{{ genPrivateKey "dsa" }}"#).unwrap_err();
    assert!(err.contains("not supported"), "{err}");
    let (out, _) = render_one(r#"{{ genPrivateKey "foo" }}"#).unwrap();
    assert_eq!(out, "Unknown type foo");
}
