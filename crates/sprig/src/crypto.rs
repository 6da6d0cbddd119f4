//! Sprig's key, certificate and cipher functions: `genPrivateKey`, `genCA`, `genSelfSignedCert`,
//! `genSignedCert` (and their `...WithKey` forms), `buildCustomCert`, `derivePassword`,
//! `encryptAES`, `decryptAES`, `bcrypt` and `htpasswd`.
//!
//! Behaviour follows Sprig v3 (`crypto.go`): RSA keys from `genPrivateKey` are 4096-bit, the
//! certificate functions make 2048-bit RSA keys; keys are written as Go's `pemBlockForKey` does
//! (`RSA PRIVATE KEY` PKCS#1, `EC PRIVATE KEY` SEC1 with the curve OID, `PRIVATE KEY` PKCS#8 v1
//! for ed25519). Certificates carry a random 128-bit serial, `NotBefore` = now, `NotAfter` =
//! now + days*24h, key usages DigitalSignature+KeyEncipherment (+CertSign for CAs), extended key
//! usages ServerAuth+ClientAuth and basic constraints (CA:TRUE for CAs, else CA:FALSE).
//! Byte-identical output is impossible (keys and serials are random): every use of a function
//! that generates randomness is recorded as a notice by the caller (see `register`).
//! DSA keys are refused (no maintained pure-Rust DSA parameter generator is used here).
//! Known differences from Go's x509 (structure only, not validity): certificates are built by
//! `rcgen`, which also writes a Subject Key Identifier on leaf certificates (Go only on CAs)
//! and derives key identifiers from a truncated SHA-256 (Go: SHA-1); extension order differs.

use std::collections::BTreeMap;
use std::net::IpAddr;

use base64::Engine;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};

use crate::util::{arg_int, arg_str, table};
use gotemplate::{GoObject, GoValue};

/// Go type name of Sprig's certificate struct, as `typeOf` and argument errors print it.
const CERT_TYPE: &str = "sprig.certificate";

pub(crate) fn register(m: &mut gotemplate::FuncMap) {
    table! { m;
        "derivePassword" [Int, Str, Str, Str, Str] => |_, a| Ok(GoValue::from(derive_password(
            arg_int(&a[0]) as u32, arg_str(&a[1]), arg_str(&a[2]), arg_str(&a[3]), arg_str(&a[4]),
        )));
        "genPrivateKey" [Str] => |st, a| { st.notice("genPrivateKey"); gen_private_key(arg_str(&a[0])).map(GoValue::from) };
        "buildCustomCert" [Str, Str] => |_, a| build_custom_cert(arg_str(&a[0]), arg_str(&a[1]));
        "genCA" [Str, Int] => |st, a| {
            st.notice("genCA");
            gen_ca(arg_str(&a[0]), arg_int(&a[1]), PrivKey::new_rsa(2048)?)
        };
        "genCAWithKey" [Str, Int, Str] => |st, a| {
            st.notice("genCAWithKey");
            gen_ca(arg_str(&a[0]), arg_int(&a[1]), parse_key_arg(arg_str(&a[2]))?)
        };
        "genSelfSignedCert" [Str, List, List, Int] => |st, a| {
            st.notice("genSelfSignedCert");
            let base = base_params(arg_str(&a[0]), &a[1], &a[2], arg_int(&a[3]))?;
            self_signed(base, PrivKey::new_rsa(2048)?)
        };
        "genSelfSignedCertWithKey" [Str, List, List, Int, Str] => |st, a| {
            st.notice("genSelfSignedCertWithKey");
            let base = base_params(arg_str(&a[0]), &a[1], &a[2], arg_int(&a[3]))?;
            self_signed(base, parse_key_arg(arg_str(&a[4]))?)
        };
        "genSignedCert" [Str, List, List, Int, Any] => |st, a| {
            st.notice("genSignedCert");
            let ca = cert_arg(&a[4])?;
            let base = base_params(arg_str(&a[0]), &a[1], &a[2], arg_int(&a[3]))?;
            signed(base, PrivKey::new_rsa(2048)?, &ca)
        };
        "genSignedCertWithKey" [Str, List, List, Int, Any, Str] => |st, a| {
            st.notice("genSignedCertWithKey");
            let ca = cert_arg(&a[4])?;
            let base = base_params(arg_str(&a[0]), &a[1], &a[2], arg_int(&a[3]))?;
            signed(base, parse_key_arg(arg_str(&a[5]))?, &ca)
        };
        "encryptAES" [Str, Str] => |st, a| { st.notice("encryptAES"); Ok(GoValue::from(encrypt_aes(arg_str(&a[0]), arg_str(&a[1])))) };
        "decryptAES" [Str, Str] => |_, a| decrypt_aes(arg_str(&a[0]), arg_str(&a[1])).map(GoValue::from);
        "bcrypt" [Str] => |st, a| { st.notice("bcrypt"); bcrypt_hash(arg_str(&a[0])).map(GoValue::from) };
        "htpasswd" [Str, Str] => |st, a| {
            st.notice("htpasswd");
            let user = arg_str(&a[0]);
            if user.contains(':') {
                return Ok(GoValue::from(format!("invalid username: {user}")));
            }
            Ok(GoValue::from(format!("{user}:{}", bcrypt_hash(arg_str(&a[1]))?)))
        };
    }
}

/// Go's bcrypt.GenerateFromPassword with the default cost 10 (`$2a$10$...`, random salt).
fn bcrypt_hash(password: &str) -> Result<String, String> {
    bcrypt::hash_with_result(password, 10)
        .map(|h| h.format_for_version(bcrypt::Version::TwoA))
        .map_err(|e| e.to_string())
}

// ---- the certificate object ----

/// Sprig's `certificate{Cert, Key}`: PEM texts, reachable as `.Cert` and `.Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Certificate {
    pub cert: String,
    pub key: String,
}

impl GoObject for Certificate {
    fn type_name(&self) -> &str {
        CERT_TYPE
    }
    fn field(&self, name: &str) -> Option<GoValue> {
        match name {
            "Cert" => Some(GoValue::from(self.cert.as_str())),
            "Key" => Some(GoValue::from(self.key.as_str())),
            _ => None,
        }
    }
    /// Go prints a struct without a String method as `{field field}`.
    fn string(&self) -> Option<String> {
        Some(format!("{{{} {}}}", self.cert, self.key))
    }
    fn to_value(&self) -> GoValue {
        let mut m = BTreeMap::new();
        m.insert("Cert".to_string(), GoValue::from(self.cert.as_str()));
        m.insert("Key".to_string(), GoValue::from(self.key.as_str()));
        GoValue::from(m)
    }
}

fn cert_arg(v: &GoValue) -> Result<Certificate, String> {
    if let GoValue::Object(o) = v
        && o.type_name() == CERT_TYPE
    {
        let text = |f: &str| o.field(f).and_then(|x| x.as_str().map(str::to_string));
        return Ok(Certificate {
            cert: text("Cert").unwrap_or_default(),
            key: text("Key").unwrap_or_default(),
        });
    }
    Err(format!(
        "wrong type for value; expected {CERT_TYPE}; got {}",
        crate::util::kind(v)
    ))
}

// ---- private keys ----

/// A private key of a kind Sprig can produce or read back.
pub(crate) enum PrivKey {
    Rsa(Box<rsa::PrivateKey>),
    EcP256(p256::SecretKey),
    Ed25519([u8; 32]),
}

/// PKCS#8 v1 prefix of an Ed25519 private key (Go's MarshalPKCS8PrivateKey output).
const ED25519_PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];
/// DER OID of prime256v1 (1.2.840.10045.3.1.7).
const P256_OID_DER: [u8; 10] = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

impl PrivKey {
    fn new_rsa(bits: usize) -> Result<PrivKey, String> {
        Ok(PrivKey::Rsa(Box::new(rsa_key(bits)?)))
    }

    /// Go's pemBlockForKey: the PEM type and DER bytes.
    fn pem_block(&self) -> Result<(&'static str, Vec<u8>), String> {
        match self {
            PrivKey::Rsa(k) => Ok((
                "RSA PRIVATE KEY",
                k.to_pkcs1_der()
                    .map_err(|e| e.to_string())?
                    .as_bytes()
                    .to_vec(),
            )),
            PrivKey::EcP256(k) => {
                // Go's MarshalECPrivateKey: version 1, the key, [0] curve OID, [1] public point.
                let point = k.public_key().to_sec1_bytes();
                let mut der = vec![0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20];
                der.extend_from_slice(&k.to_bytes());
                der.extend_from_slice(&[0xa0, 0x0a]);
                der.extend_from_slice(&P256_OID_DER);
                der.extend_from_slice(&[0xa1, 0x44, 0x03, 0x42, 0x00]);
                der.extend_from_slice(&point);
                Ok(("EC PRIVATE KEY", der))
            }
            PrivKey::Ed25519(seed) => Ok(("PRIVATE KEY", ed25519_pkcs8(seed))),
        }
    }

    fn pem(&self) -> Result<String, String> {
        let (label, der) = self.pem_block()?;
        Ok(pem_encode(label, &der))
    }

    /// The key as rcgen signs with it (RSA keys sign with SHA-256, as Go's x509 does).
    fn signing_key(&self) -> Result<rcgen::KeyPair, String> {
        let (der, alg) = match self {
            PrivKey::Rsa(k) => (
                k.to_pkcs8_der()
                    .map_err(|e| e.to_string())?
                    .as_bytes()
                    .to_vec(),
                &rcgen::PKCS_RSA_SHA256,
            ),
            PrivKey::EcP256(k) => (
                p256::pkcs8::EncodePrivateKey::to_pkcs8_der(k)
                    .map_err(|e| e.to_string())?
                    .as_bytes()
                    .to_vec(),
                &rcgen::PKCS_ECDSA_P256_SHA256,
            ),
            PrivKey::Ed25519(seed) => (ed25519_pkcs8(seed), &rcgen::PKCS_ED25519),
        };
        rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&der.into(), alg)
            .map_err(|e| format!("error creating certificate: {e}"))
    }
}

/// An RSA key of `bits` bits with e = 65537, its two primes searched in parallel (the
/// search is most of the time: crypto-primes' sieve and Baillie-PSW test on crypto-bigint),
/// as rsa's own generation does it otherwise: random odd candidates with the two top bits
/// set, so that the modulus has exactly `bits` bits.
fn rsa_key(bits: usize) -> Result<rsa::PrivateKey, String> {
    let half = (bits / 2) as u32;
    let other = bits as u32 - half;
    for _ in 0..64 {
        let (p, q) = std::thread::scope(|s| {
            let h = s.spawn(move || random_prime(half));
            let q = random_prime(other);
            (h.join().ok(), q)
        });
        let Some(p) = p else {
            continue;
        };
        if p == q {
            continue;
        }
        if let Ok(key) = rsa::PrivateKey::from_p_q(p, q, crypto_bigint::BoxedUint::from(65537u64))
            && rsa::traits::PublicKeyParts::size(&key) * 8 == bits
        {
            return Ok(key);
        }
    }
    Err("error generating rsa key: no suitable primes found".into())
}

/// A random prime of exactly `bits` bits whose two top bits are set.
fn random_prime(bits: u32) -> crypto_bigint::BoxedUint {
    use crypto_bigint::{BitOps, RandomBits};
    let Some(len) = std::num::NonZeroU32::new(bits) else {
        return crypto_bigint::BoxedUint::one();
    };
    let mut rng = rand::rng();
    loop {
        let mut start = crypto_bigint::BoxedUint::random_bits(&mut rng, bits);
        start.set_bit_vartime(0, true);
        start.set_bit_vartime(bits - 1, true);
        start.set_bit_vartime(bits - 2, true);
        let Ok(mut sieve) = crypto_primes::hazmat::SmallFactorsSieve::new(start, len, false) else {
            continue;
        };
        if let Some(p) = sieve.find(|c| crypto_primes::is_prime(crypto_primes::Flavor::Any, c)) {
            return p;
        }
    }
}

fn ed25519_pkcs8(seed: &[u8; 32]) -> Vec<u8> {
    let mut der = ED25519_PKCS8_PREFIX.to_vec();
    der.extend_from_slice(seed);
    der
}

/// Go's pem.Encode: base64 in 64-column lines, LF line ends.
fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn gen_private_key(kind: &str) -> Result<String, String> {
    let key = match kind {
        "" | "rsa" => PrivKey::new_rsa(4096)?,
        "ecdsa" => PrivKey::EcP256(random_p256()),
        "ed25519" => PrivKey::Ed25519(rand::random::<[u8; 32]>()),
        "dsa" => {
            return Err(
                "genPrivateKey \"dsa\" is not supported by vendor's template engine (DSA keys are deprecated); use \"rsa\", \"ecdsa\" or \"ed25519\"".into(),
            );
        }
        other => return Ok(format!("Unknown type {other}")),
    };
    key.pem()
}

/// A random P-256 scalar (a random 32-byte string below the group order: retried in the
/// rare case it is not).
fn random_p256() -> p256::SecretKey {
    loop {
        if let Ok(k) = p256::SecretKey::from_slice(&rand::random::<[u8; 32]>()) {
            return k;
        }
    }
}

/// Sprig's parsePrivateKeyPEM.
fn parse_private_key_pem(text: &str) -> Result<PrivKey, String> {
    let block = pem::parse(text).map_err(|_| "no PEM data in input".to_string())?;
    let der = block.contents();
    let tag = block.tag();
    if tag == "PRIVATE KEY" {
        return parse_pkcs8(der).map_err(|e| format!("decoding PEM as PKCS#8: {e}"));
    }
    let Some(kind) = tag.strip_suffix(" PRIVATE KEY") else {
        return Err(format!("no private key data in PEM block of type {tag}"));
    };
    match kind {
        "RSA" => rsa::PrivateKey::from_pkcs1_der(der)
            .map(|k| PrivKey::Rsa(Box::new(k)))
            .map_err(|e| format!("parsing RSA private key from PEM: {e}")),
        "EC" => p256::SecretKey::from_sec1_der(der)
            .map(PrivKey::EcP256)
            .map_err(|_| {
                "parsing EC private key from PEM: not a valid P-256 key (vendor supports EC keys on the P-256 curve only)".to_string()
            }),
        "DSA" => Err("DSA private keys are not supported by vendor's template engine".into()),
        _ => Err(format!("invalid private key type {tag}")),
    }
}

fn parse_pkcs8(der: &[u8]) -> Result<PrivKey, String> {
    if let Ok(k) = rsa::PrivateKey::from_pkcs8_der(der) {
        return Ok(PrivKey::Rsa(Box::new(k)));
    }
    if let Ok(k) = <p256::SecretKey as p256::pkcs8::DecodePrivateKey>::from_pkcs8_der(der) {
        return Ok(PrivKey::EcP256(k));
    }
    let info = p256::pkcs8::PrivateKeyInfo::try_from(der).map_err(|e| e.to_string())?;
    if info.algorithm.oid.to_string() == "1.3.101.112" {
        // CurvePrivateKey ::= OCTET STRING (the 32-byte seed).
        let inner = info.private_key;
        if inner.len() == 34 && inner[0] == 0x04 && inner[1] == 0x20 {
            let mut seed = [0u8; 32];
            seed.copy_from_slice(&inner[2..]);
            return Ok(PrivKey::Ed25519(seed));
        }
        return Err("invalid Ed25519 private key".into());
    }
    Err(format!(
        "PKCS#8 wrapping contained private key with unknown algorithm: {}",
        info.algorithm.oid
    ))
}

fn parse_key_arg(text: &str) -> Result<PrivKey, String> {
    parse_private_key_pem(text).map_err(|e| format!("parsing private key: {e}"))
}

// ---- certificates ----

/// Sprig's getBaseCertTemplate.
fn base_params(
    cn: &str,
    ips: &GoValue,
    alt_names: &GoValue,
    days: i64,
) -> Result<rcgen::CertificateParams, String> {
    let list = |v: &GoValue| match v {
        GoValue::List(l) => l.to_vec(),
        _ => Vec::new(),
    };
    let mut sans = Vec::new();
    for ip in list(ips) {
        let GoValue::String(s) = &ip else {
            return Err(format!(
                "error parsing ip: {} is not a string",
                crate::util::strval(&ip)
            ));
        };
        let addr: IpAddr = parse_go_ip(s).ok_or_else(|| format!("error parsing ip: {s}"))?;
        sans.push(rcgen::SanType::IpAddress(addr));
    }
    let mut dns = Vec::new();
    for name in list(alt_names) {
        let GoValue::String(s) = &name else {
            return Err(format!(
                "error processing alternate dns name: {} is not a string",
                crate::util::strval(&name)
            ));
        };
        let ia5 = rcgen::string::Ia5String::try_from(s.to_string())
            .map_err(|e| format!("error processing alternate dns name {s}: {e}"))?;
        dns.push(rcgen::SanType::DnsName(ia5));
    }
    // Go writes DNS names before IP addresses in the SAN extension.
    dns.extend(sans);

    let mut params = rcgen::CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    // Go writes the CN as a PrintableString when it can, else as a UTF8String.
    let cn_value = match rcgen::string::PrintableString::try_from(cn) {
        Ok(p) => rcgen::DnValue::PrintableString(p),
        Err(_) => rcgen::DnValue::Utf8String(cn.to_string()),
    };
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, cn_value);
    params.subject_alt_names = dns;
    let mut serial = rand::random::<[u8; 16]>().to_vec();
    while serial.len() > 1 && serial[0] == 0 {
        serial.remove(0);
    }
    params.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now;
    params.not_after = days
        .checked_mul(86_400)
        .and_then(|secs| now.checked_add(time::Duration::seconds(secs)))
        .ok_or_else(|| format!("validity of {days} days is out of range"))?;
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
    ];
    params.is_ca = rcgen::IsCa::ExplicitNoCa;
    Ok(params)
}

/// Go's net.ParseIP: dotted IPv4 or IPv6 text (no zones, no leading zeros in IPv4).
/// IPv4-mapped IPv6 addresses become IPv4, as Go's x509 writes them (4 bytes).
fn parse_go_ip(s: &str) -> Option<IpAddr> {
    match s.parse::<IpAddr>().ok()? {
        IpAddr::V6(v6) => Some(v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)),
        v4 => Some(v4),
    }
}

fn finish(cert: rcgen::Certificate, key: &PrivKey) -> Result<GoValue, String> {
    Ok(GoValue::object(Certificate {
        cert: pem_encode("CERTIFICATE", cert.der()),
        key: key
            .pem()
            .map_err(|e| format!("error pem-encoding key: {e}"))?,
    }))
}

fn gen_ca(cn: &str, days: i64, key: PrivKey) -> Result<GoValue, String> {
    let mut params = base_params(cn, &GoValue::Nil, &GoValue::Nil, days)?;
    params.key_usages.push(rcgen::KeyUsagePurpose::KeyCertSign);
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    self_signed(params, key)
}

fn self_signed(params: rcgen::CertificateParams, key: PrivKey) -> Result<GoValue, String> {
    let kp = key.signing_key()?;
    let cert = params
        .self_signed(&kp)
        .map_err(|e| format!("error creating certificate: {e}"))?;
    finish(cert, &key)
}

fn signed(
    mut params: rcgen::CertificateParams,
    key: PrivKey,
    ca: &Certificate,
) -> Result<GoValue, String> {
    // Go sets the Authority Key Identifier from the CA's Subject Key Identifier.
    params.use_authority_key_identifier_extension = true;
    let block = pem::parse(&ca.cert).map_err(|_| "unable to decode certificate".to_string())?;
    x509_parser::parse_x509_certificate(block.contents())
        .map_err(|e| format!("error parsing certificate: decodedSignerCert.Bytes: {e}"))?;
    let ca_key =
        parse_private_key_pem(&ca.key).map_err(|e| format!("error parsing private key: {e}"))?;
    let issuer =
        rcgen::Issuer::from_ca_cert_der(&block.contents().to_vec().into(), ca_key.signing_key()?)
            .map_err(|e| format!("error parsing certificate: decodedSignerCert.Bytes: {e}"))?;
    let kp = key.signing_key()?;
    let cert = params
        .signed_by(&kp, &issuer)
        .map_err(|e| format!("error creating certificate: {e}"))?;
    finish(cert, &key)
}

/// Go's base64.StdEncoding.DecodeString, which skips CR and LF.
fn decode_std_base64(s: &str) -> Option<Vec<u8>> {
    let clean: String = s.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    base64::engine::general_purpose::STANDARD.decode(clean).ok()
}

fn build_custom_cert(b64cert: &str, b64key: &str) -> Result<GoValue, String> {
    let cert = decode_std_base64(b64cert).ok_or("unable to decode base64 certificate")?;
    let key = decode_std_base64(b64key).ok_or("unable to decode base64 private key")?;
    let block = pem::parse(&cert).map_err(|_| "unable to decode certificate".to_string())?;
    x509_parser::parse_x509_certificate(block.contents())
        .map_err(|e| format!("error parsing certificate: decodedCert.Bytes: {e}"))?;
    let key_text = String::from_utf8_lossy(&key).into_owned();
    parse_private_key_pem(&key_text).map_err(|e| format!("error parsing private key: {e}"))?;
    Ok(GoValue::object(Certificate {
        cert: String::from_utf8_lossy(&cert).into_owned(),
        key: key_text,
    }))
}

// ---- Master Password and AES ----

const MASTER_PASSWORD_SEED: &[u8] = b"com.lyndir.masterpassword";

fn password_templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

fn template_chars(class: u8) -> &'static [u8] {
    match class {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

/// The Master Password algorithm (v3) as Sprig implements it.
pub(crate) fn derive_password(
    counter: u32,
    kind: &str,
    password: &str,
    user: &str,
    site: &str,
) -> String {
    use hmac::{KeyInit, Mac};
    let Some(templates) = password_templates(kind) else {
        return format!("cannot find password template {kind}");
    };
    let mut salt = MASTER_PASSWORD_SEED.to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let mut key = [0u8; 64];
    let params = scrypt::Params::new(15, 8, 2, 64).expect("valid scrypt parameters");
    if let Err(e) = scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key) {
        return format!("failed to derive password: {e}");
    }
    let mut msg = MASTER_PASSWORD_SEED.to_vec();
    msg.extend_from_slice(&(site.len() as u32).to_be_bytes());
    msg.extend_from_slice(site.as_bytes());
    msg.extend_from_slice(&counter.to_be_bytes());
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).expect("HMAC takes any key");
    mac.update(&msg);
    let seed = mac.finalize().into_bytes();
    let template = templates[seed[0] as usize % templates.len()];
    template
        .bytes()
        .enumerate()
        .map(|(i, class)| {
            let chars = template_chars(class);
            chars[seed[i + 1] as usize % chars.len()] as char
        })
        .collect()
}

/// Sprig's AES key: the password's bytes, zero-padded or cut to 32 bytes (AES-256).
fn aes_key(password: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    let b = password.as_bytes();
    let n = b.len().min(32);
    key[..n].copy_from_slice(&b[..n]);
    key
}

/// AES-256-CBC with PKCS#7 padding and a random IV prepended, base64 (std) encoded.
fn encrypt_aes(password: &str, plaintext: &str) -> String {
    use cbc::cipher::{BlockEncryptMut, KeyIvInit, block_padding::Pkcs7};
    if plaintext.is_empty() {
        return String::new();
    }
    let iv = rand::random::<[u8; 16]>();
    let enc = cbc::Encryptor::<aes::Aes256>::new(&aes_key(password).into(), &iv.into());
    let body = enc.encrypt_padded_vec_mut::<Pkcs7>(plaintext.as_bytes());
    let mut out = iv.to_vec();
    out.extend_from_slice(&body);
    base64::engine::general_purpose::STANDARD.encode(out)
}

/// Sprig's decryptAES: no padding check (the last byte says how much to cut), as in Sprig.
fn decrypt_aes(password: &str, crypt64: &str) -> Result<String, String> {
    use cbc::cipher::{BlockDecryptMut, KeyIvInit, block_padding::NoPadding};
    if crypt64.is_empty() {
        return Ok(String::new());
    }
    let crypt = decode_std_base64(crypt64).ok_or("illegal base64 data in decryptAES input")?;
    if crypt.len() < 16 || !(crypt.len() - 16).is_multiple_of(16) || crypt.len() == 16 {
        return Err(format!(
            "decryptAES: ciphertext of {} bytes is not an IV plus whole 16-byte blocks",
            crypt.len()
        ));
    }
    let (iv, body) = crypt.split_at(16);
    let iv: [u8; 16] = iv.try_into().expect("16 bytes");
    let dec = cbc::Decryptor::<aes::Aes256>::new(&aes_key(password).into(), &iv.into());
    let plain = dec
        .decrypt_padded_vec_mut::<NoPadding>(body)
        .map_err(|e| format!("decryptAES: {e}"))?;
    let pad = *plain.last().unwrap_or(&0) as usize;
    if pad > plain.len() {
        return Err(format!(
            "decryptAES: invalid padding length {pad} (wrong key?)"
        ));
    }
    Ok(String::from_utf8_lossy(&plain[..plain.len() - pad]).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derive_password_matches_sprig_vectors() {
        let cases = [
            (1, "long", "ZedaFaxcZaso9*"),
            (2, "long", "Fovi2@JifpTupx"),
            (1, "maximum", "pf4zS1LjCg&LjhsZ7T2~"),
            (1, "medium", "ZedJuz8$"),
            (1, "basic", "pIS54PLs"),
            (1, "short", "Zed5"),
            (1, "pin", "6685"),
        ];
        for (counter, kind, want) in cases {
            assert_eq!(
                derive_password(counter, kind, "password", "user", "example.com"),
                want,
                "{kind} {counter}"
            );
        }
        assert_eq!(
            derive_password(1, "nope", "p", "u", "s"),
            "cannot find password template nope"
        );
    }

    #[test]
    fn aes_round_trip_and_empty() {
        for text in ["plaintext", "", "exactly16bytes!!", "ünïcode ✓"] {
            let c = encrypt_aes("secretkey", text);
            assert_eq!(decrypt_aes("secretkey", &c).unwrap(), text);
        }
        assert_eq!(encrypt_aes("k", ""), "");
        // A 40-byte password is cut to 32 bytes, as Go's copy() does.
        let long = "0123456789012345678901234567890123456789";
        let c = encrypt_aes(long, "x");
        assert_eq!(decrypt_aes(&long[..32], &c).unwrap(), "x");
    }

    #[test]
    fn ed25519_and_ec_keys_round_trip_through_pem() {
        for kind in ["ecdsa", "ed25519"] {
            let pem_text = gen_private_key(kind).unwrap();
            let key = parse_private_key_pem(&pem_text).unwrap();
            assert_eq!(key.pem().unwrap(), pem_text, "{kind}");
        }
        assert_eq!(gen_private_key("x").unwrap(), "Unknown type x");
        assert!(
            gen_private_key("dsa")
                .unwrap_err()
                .contains("not supported")
        );
    }

    #[test]
    fn key_parse_errors_read_as_sprig() {
        assert_eq!(
            parse_private_key_pem("junk").err().unwrap(),
            "no PEM data in input"
        );
        let cert_block = pem_encode("CERTIFICATE", b"x");
        assert_eq!(
            parse_private_key_pem(&cert_block).err().unwrap(),
            "no private key data in PEM block of type CERTIFICATE"
        );
        let odd = pem_encode("FOO PRIVATE KEY", b"x");
        assert_eq!(
            parse_private_key_pem(&odd).err().unwrap(),
            "invalid private key type FOO PRIVATE KEY"
        );
    }
}
