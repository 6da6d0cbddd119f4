//! The README's two commands, `cargo run --locked -- check` and `cargo test --workspace --locked`,
//! share every compiled dependency (issue 15, item 16): both use the `dev` profile, and no
//! dev-dependency turns on a feature of a crate the app uses (cargo would build that crate and
//! everything that depends on it a second time, with the other features). Only the app itself
//! is compiled twice (its test build has the `failpoints` feature).

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// `name version` of each package cargo resolves for `edges`, with its enabled features.
fn resolved(edges: &str, workspace: bool) -> BTreeMap<String, BTreeSet<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).args([
        "tree",
        "--locked",
        "--offline",
        "--prefix",
        "none",
        "-e",
        edges,
        "-f",
        "{p}|{f}",
    ]);
    if workspace {
        cmd.arg("--workspace");
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut packages: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let line = line.trim_end_matches(" (*)");
        let Some((package, features)) = line.split_once('|') else {
            continue;
        };
        // `name vX.Y.Z (path)` for workspace crates: the path is the same in both.
        let features: BTreeSet<String> = features
            .split(',')
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect();
        let seen = packages.entry(package.trim().to_string()).or_default();
        seen.extend(features);
    }
    packages
}

#[test]
fn the_test_build_reuses_every_dependency_of_the_app_build() {
    // What `cargo run` builds: the app's normal and build dependencies.
    let run = resolved("normal,build", false);
    // What `cargo test --workspace` builds: every member with its dev-dependencies.
    let test = resolved("normal,build,dev", true);
    assert!(run.len() > 50, "cargo tree found the dependencies: {run:?}");
    let mut differ = Vec::new();
    for (package, features) in &run {
        let Some(in_test) = test.get(package) else {
            differ.push(format!("{package}: missing from the test build"));
            continue;
        };
        if features == in_test {
            continue;
        }
        // The app itself: its tests run it with failpoints compiled in, and only it.
        if package.starts_with("vendor v")
            && in_test
                .difference(features)
                .eq(["failpoints"].iter().copied())
        {
            continue;
        }
        differ.push(format!(
            "{package}: {:?} for cargo run, {:?} for cargo test",
            features, in_test
        ));
    }
    assert!(
        differ.is_empty(),
        "dev-dependencies change features of crates the app uses, so cargo test would build \
         them (and all that depends on them) again:\n{}",
        differ.join("\n")
    );
}
