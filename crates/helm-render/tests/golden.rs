//! [`helm_render::template`] against Helm's own golden tests (helm v3.21.4 `TestTemplateCmd` in
//! Helm 3 mode, helm v4.2.4's in Helm 4 mode)
//! and real charts rendered by helm v3.16.4 (ingress-nginx, metallb with subcharts): each case
//! compares stdout+stderr byte for byte (CRLF -> LF only), as Helm's harness does. The app's
//! tests run the same cases through the `vendor template` command line.
//!
//! Helm's test build reports Kubernetes v1.20.0 by default while the release binary reports
//! v1.31.0, so golden cases without `--kube-version` get `--kube-version 1.20.0`.

// Test code: a panic is the failure report, and printing explains a skipped comparison.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};

mod common;

use common::{first_difference, run};
use helm_render::HelmVersion;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/helm")
}

fn load_cases(file: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(file).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["cases"].as_array().unwrap().clone()
}

/// Runs Helm 4 golden case `index` of `golden-v4/cases.json` (helm v4.2.4 `TestTemplateCmd`)
/// in Helm 4 mode.
fn golden_v4_case(index: usize) {
    golden_dir_case("golden-v4", index, HelmVersion::V4);
}

/// Runs Helm golden case `index` of `golden/cases.json`.
fn golden_case(index: usize) {
    golden_dir_case("golden", index, HelmVersion::V3);
}

fn golden_dir_case(dirname: &str, index: usize, helm: HelmVersion) {
    let dir = fixtures().join(dirname);
    let case = &load_cases(&dir.join("cases.json"))[index];
    let mut argv: Vec<String> = case["argv"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    if !argv.iter().any(|a| a.starts_with("--kube-version")) {
        argv.insert(1, "--kube-version".into());
        argv.insert(2, "1.20.0".into());
    }
    let want = std::fs::read_to_string(dir.join(case["golden"].as_str().unwrap()))
        .unwrap()
        .replace("\r\n", "\n");
    let repeat = case["repeat"].as_u64().unwrap_or(0) + 1;
    for _ in 0..repeat {
        let out = run(&dir, &argv, helm);
        let got = format!("{}{}", out.stdout, out.stderr);
        assert_eq!(
            out.exit_code != 0,
            case["want_error"].as_bool().unwrap(),
            "exit code {}: {got}",
            out.exit_code
        );
        assert!(
            got == want,
            "case {:?} differs from {}: {}\n--- got ---\n{got}",
            case["name"],
            case["golden"],
            first_difference(&want, &got)
        );
    }
}

/// Runs real-chart case `index` of `real/cases.json`.
fn real_case(index: usize) {
    let case = &load_cases(&fixtures().join("real/cases.json"))[index];
    let mut argv = vec!["template".to_string()];
    argv.extend(
        case["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string()),
    );
    argv.push(case["chart"].as_str().unwrap().to_string());
    let want = std::fs::read_to_string(
        fixtures()
            .join("real")
            .join(case["expected"].as_str().unwrap()),
    )
    .unwrap();
    let out = run(&fixtures().join("charts"), &argv, HelmVersion::V3);
    let want_code = case["exit_code"].as_i64().unwrap() as u8;
    assert_eq!(
        out.exit_code, want_code,
        "exit code; stderr: {}",
        out.stderr
    );
    let got = if want_code == 0 {
        out.stdout
    } else {
        out.stderr
    };
    assert!(
        got == want,
        "case {:?}: {}\n--- got (first 3000 bytes) ---\n{}",
        case["name"],
        first_difference(&want, &got),
        &got[..got.len().min(3000)]
    );
}

macro_rules! cases {
    ($runner:ident: $($name:ident = $index:expr;)*) => {
        $( #[test] fn $name() { $runner($index) } )*
    };
}

cases! { golden_case:
    golden_00_check_name = 0;
    golden_01_set_name = 1;
    golden_02_values_files = 2;
    golden_03_name_template = 3;
    golden_04_no_args = 4;
    golden_05_library_chart = 5;
    golden_06_chart_bad_type = 6;
    golden_07_app_chart_as_library_dep = 7;
    golden_08_app_chart_archive_as_library_dep = 8;
    golden_09_kube_version = 9;
    golden_10_api_versions = 10;
    golden_11_include_crds = 11;
    golden_12_show_only_one = 12;
    golden_13_show_only_multiple = 13;
    golden_14_show_only_glob = 14;
    golden_15_object_order = 15;
    golden_16_invalid_yaml = 16;
    golden_17_invalid_yaml_debug = 17;
    golden_18_skip_tests = 18;
    golden_19_issue_9027_null_deletes = 19;
    golden_20_import_values = 20;
    golden_21_import_values_set = 21;
    golden_22_import_values_file = 22;
}

cases! { golden_v4_case:
    golden_v4_00_check_name = 0;
    golden_v4_01_check_set_name = 1;
    golden_v4_02_check_values_files = 2;
    golden_v4_03_check_name_template = 3;
    golden_v4_04_check_no_args = 4;
    golden_v4_05_check_library_chart = 5;
    golden_v4_06_check_chart_bad_type = 6;
    golden_v4_07_check_chart_with_dependency_which_is_an_app_chart_ = 7;
    golden_v4_08_check_chart_with_dependency_which_is_an_app_chart_ = 8;
    golden_v4_09_check_kube_version = 9;
    golden_v4_10_check_kube_api_versions = 10;
    golden_v4_11_check_kube_api_versions = 11;
    golden_v4_12_template_with_crds = 12;
    golden_v4_13_template_with_show_only_one = 13;
    golden_v4_14_template_with_show_only_multiple = 14;
    golden_v4_15_template_with_show_only_glob = 15;
    golden_v4_16_sorted_output_of_manifests_order_of_filenames_then = 16;
    golden_v4_17_chart_with_template_with_invalid_yaml = 17;
    golden_v4_18_chart_with_template_with_invalid_yaml_debug = 18;
    golden_v4_19_chart_with_template_with_invalid_template_expressi = 19;
    golden_v4_20_template_skip_tests = 20;
    golden_v4_21_ensure_nil_null_values_pass_to_subcharts_delete_va = 21;
    golden_v4_22_template_with_imported_subchart_values_ensuring_im = 22;
    golden_v4_23_template_with_imported_subchart_values_set_with_se = 23;
    golden_v4_24_template_with_imported_subchart_values_set_with_se = 24;
}

cases! { real_case:
    real_00_ingress_nginx_4_14_5_default = 0;
    real_01_ingress_nginx_4_15_1_default = 1;
    real_02_ingress_nginx_cert_manager = 2;
    real_03_ingress_nginx_configmap_proxyheaders = 3;
    real_04_ingress_nginx_daemonset_metrics = 4;
    real_05_ingress_nginx_daemonset = 5;
    real_06_ingress_nginx_podannotations = 6;
    real_07_ingress_nginx_hpa = 7;
    real_08_ingress_nginx_service_internal = 8;
    real_09_metallb_0_15_3_default = 9;
    real_10_metallb_0_15_3_frr_expected_error = 10;
    real_11_metallb_0_16_1_default = 11;
    real_12_metallb_0_16_1_frr = 12;
    real_13_metallb_0_16_1_nocrds = 13;
}
