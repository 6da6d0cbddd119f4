//! Sprig's crypto functions through the template engine (moved from the app's template tests):
//! keys and certificates are checked as real X.509/PKCS data, ciphers and `derivePassword`
//! against Sprig's test vectors.

// Test code: a panic is the failure report, and printing explains a skipped comparison.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]
#![cfg(feature = "crypto")]

use std::sync::Arc;

use gotemplate::{ExecOptions, FuncMap, GoValue, Templates};

fn render_one(text: &str) -> Result<(String, Vec<String>), String> {
    let mut funcs = FuncMap::new();
    sprig::register(&mut funcs);
    let mut set = Templates::new(Arc::new(funcs));
    set.add("t.yaml", text).map_err(|e| e.to_string())?;
    let out = set
        .execute("t.yaml", &GoValue::new_map(), &ExecOptions::default())
        .map_err(|e| e.to_string())?;
    let notices = set.take_notices().into_iter().map(|n| n.function).collect();
    Ok((out, notices))
}

fn pem_der(text: &str, label: &str) -> Vec<u8> {
    let (rest, block) = x509_parser::pem::parse_x509_pem(text.as_bytes()).expect("PEM block");
    assert!(rest.is_empty() || rest.iter().all(u8::is_ascii_whitespace));
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
        <rsa::PrivateKey as rsa::pkcs1::DecodeRsaPrivateKey>::from_pkcs1_der(&ca_key).unwrap();
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
    let key = <rsa::PrivateKey as rsa::pkcs1::DecodeRsaPrivateKey>::from_pkcs1_der(&der).unwrap();
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
