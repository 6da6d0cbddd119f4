//! Sprig's date and URL functions through the template engine (moved from the app's template
//! tests), with vectors from Sprig's own tests.

// Test code: a panic is the failure report, and printing explains a skipped comparison.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

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
