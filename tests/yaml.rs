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
