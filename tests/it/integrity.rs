//! Issue 11, "silent wrong content": each way `vendor` could be fooled into vendoring, passing or
//! printing the wrong thing, reproduced with the real binary, a real loopback server (a Helm
//! repository and raw manifests), real files and, where it applies, real `sed`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::{IndexItem, Reply, Server, gzip, index_yaml, sha256_hex, snapshot};

/// A loopback upstream whose files can be changed while a test runs (a re-tag is a change of
/// the bytes behind a path).
struct Upstream {
    server: Server,
    files: Arc<Mutex<HashMap<String, Vec<u8>>>>,
}

impl Upstream {
    fn start() -> Upstream {
        let files: Arc<Mutex<HashMap<String, Vec<u8>>>> = Arc::default();
        let served = files.clone();
        let server = Server::start(Duration::ZERO, move |req, _| {
            match served.lock().unwrap().get(req.path()) {
                Some(b) => Reply::Ok(b.clone()),
                None => Reply::status(404),
            }
        });
        Upstream { server, files }
    }

    fn put(&self, path: &str, bytes: impl Into<Vec<u8>>) {
        self.files
            .lock()
            .unwrap()
            .insert(path.to_string(), bytes.into());
    }

    /// A chart repository under /charts: the index lists each (name, version) with the digest
    /// of its archive, served at /charts/NAME-VERSION.tgz.
    fn charts(&self, items: &[(&str, &str, &[u8])]) {
        let index: Vec<IndexItem> = items
            .iter()
            .map(|(name, version, bytes)| IndexItem {
                name: name.to_string(),
                version: version.to_string(),
                url: format!("{name}-{version}.tgz"),
                digest: Some(sha256_hex(bytes)),
            })
            .collect();
        for (name, version, bytes) in items {
            self.put(&format!("/charts/{name}-{version}.tgz"), bytes.to_vec());
        }
        self.put("/charts/index.yaml", index_yaml(&index));
    }

    fn count(&self, path: &str) -> usize {
        self.server.count(path)
    }
}

/// A chart archive as `helm package` writes it: `NAME/Chart.yaml` says `name` and `version`;
/// one Deployment labelled with the chart's name and version, replicas and image from values.
/// `marker` changes the bytes (a re-tag) without changing what the chart says it is.
fn chart(name: &str, version: &str, marker: &str) -> Vec<u8> {
    let files = [
        (
            "Chart.yaml",
            format!("apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: \"1.0\"\n"),
        ),
        (
            "values.yaml",
            "replicaCount: 1\nimage: quay.io/example/demo:v1.0.0\n".to_string(),
        ),
        (
            "templates/deploy.yaml",
            format!(
                "# {marker}\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{{{ .Release.Name }}}}\n  namespace: {{{{ .Release.Namespace }}}}\n  labels:\n    chart: {{{{ .Chart.Name }}}}-{{{{ .Chart.Version }}}}\nspec:\n  replicas: {{{{ .Values.replicaCount }}}}\n  template:\n    spec:\n      containers:\n      - name: app\n        image: {{{{ .Values.image }}}}\n"
            ),
        ),
    ];
    let mut b = tar::Builder::new(Vec::new());
    for (path, text) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(text.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(1_700_000_000);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, format!("{name}/{path}"), text.as_bytes())
            .unwrap();
    }
    gzip(&b.into_inner().unwrap())
}

/// A repository with vendor.toml (`BASE` replaced by the server) and its own download cache.
struct Project {
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
}

impl Project {
    fn new(up: &Upstream, text: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("vendor.toml"),
            text.replace("BASE", &up.server.base),
        )
        .unwrap();
        Project {
            dir,
            cache: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap()
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(
            text.contains(from),
            "{rel} does not contain {from:?}:\n{text}"
        );
        self.write(rel, &text.replacen(from, to, 1));
    }

    /// `sed -i EXPR vendor.toml`, the way a script bumps a version.
    fn sed(&self, expr: &str) {
        let st = Command::new("sed")
            .args(["-i", expr, "vendor.toml"])
            .current_dir(self.dir.path())
            .status()
            .unwrap();
        assert!(st.success());
    }

    /// Runs the binary with this project's cache; returns (exit code, stdout, stderr), with
    /// stderr's wrapped diagnostic lines joined (see [`flat`]).
    fn vendor(&self, args: &[&str]) -> (i32, String, String) {
        self.vendor_with_cache(args, self.cache.path())
    }

    fn vendor_with_cache(&self, args: &[&str], cache: &Path) -> (i32, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_vendor"))
            .args(args)
            .current_dir(self.dir.path())
            .env("VENDOR_CACHE_DIR", cache)
            .env("CI", "true")
            .env("NO_COLOR", "1")
            .env_remove("CLICOLOR_FORCE")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8(out.stdout).unwrap(),
            flat(&String::from_utf8(out.stderr).unwrap()),
        )
    }

    /// Runs the binary and requires exit code `want`.
    fn expect(&self, want: i32, args: &[&str]) -> (String, String) {
        let (code, out, err) = self.vendor(args);
        assert_eq!(
            code, want,
            "vendor {args:?}: exit {code}\nstdout:\n{out}\nstderr:\n{err}"
        );
        (out, err)
    }

    /// The repository's files, without `.vendor/` (the run lock: local state any writing command
    /// creates, never part of what sync writes).
    fn snapshot(&self) -> std::collections::BTreeMap<String, Vec<u8>> {
        let mut files = snapshot(self.dir.path());
        files.retain(|k, _| !k.starts_with(".vendor/"));
        files
    }
}

/// Diagnostics wrap long lines (`  | ` continuation gutters): words joined by single spaces,
/// gutters dropped, so assertions do not depend on where a line was wrapped.
fn flat(text: &str) -> String {
    text.split_whitespace()
        .filter(|w| *w != "|")
        .collect::<Vec<_>>()
        .join(" ")
}

fn digest(bytes: &[u8]) -> String {
    format!("sha256:{}", sha256_hex(bytes))
}

const CHART_TOML: &str = r#"[chart.demo]
repo = "BASE/charts"
chart = "demo"
version = "4.14.5"
release = "demo"
namespace = "demo-ns"
"#;

const DEPLOY: &str = "upstream/demo/demo/templates/deploy.yaml";

// ---- 1. the cache never serves the wrong chart ------------------------------------------------

/// The issue's reproduction: `sed -i 's/4.14.5/4.15.1/' vendor.toml` also rewrites the lock
/// table's version; with a warm cache, sync must still vendor 4.15.1 (resolved from the index)
/// and say that the lock's digest was 4.14.5's.
#[test]
fn sync_after_a_sed_bump_with_a_warm_cache_vendors_the_requested_chart() {
    let up = Upstream::start();
    let (old, new) = (chart("demo", "4.14.5", ""), chart("demo", "4.15.1", ""));
    up.charts(&[("demo", "4.14.5", &old), ("demo", "4.15.1", &new)]);
    let p = Project::new(&up, CHART_TOML);
    p.expect(0, &["sync"]);
    assert!(p.read(DEPLOY).contains("chart: demo-4.14.5"));

    p.sed("s/4.14.5/4.15.1/");
    let text = p.read("vendor.toml");
    assert!(!text.contains("4.14.5"), "{text}");
    assert_eq!(text.matches("version = \"4.15.1\"").count(), 2, "{text}");
    let (out, err) = p.expect(0, &["sync", "demo"]);
    assert_eq!(
        up.count("/charts/demo-4.15.1.tgz"),
        1,
        "4.15.1 was downloaded"
    );
    assert!(err.contains("fetched demo 4.15.1 (downloaded)"), "{err}");
    assert!(
        p.read(DEPLOY).contains("chart: demo-4.15.1"),
        "{}",
        p.read(DEPLOY)
    );
    // Which side was wrong: the lock's digest is 4.14.5's, per the index.
    assert!(
        out.contains(&digest(&old)) && out.contains("demo 4.14.5"),
        "{out}"
    );
    assert!(
        p.read("vendor.toml")
            .contains(&format!("digest = \"{}\"", digest(&new)))
    );
    p.expect(0, &["check"]);
    // Nothing left to change.
    p.expect(0, &["sync", "--locked"]);
}

/// A version the repository does not have and a misspelt chart name are errors (exit 2, nothing
/// written), even when the lock's digest is in the cache.
#[test]
fn sync_refuses_a_version_or_chart_the_repository_does_not_have_with_a_warm_cache() {
    let up = Upstream::start();
    let old = chart("demo", "4.14.5", "");
    up.charts(&[("demo", "4.14.5", &old)]);
    let p = Project::new(&up, CHART_TOML);
    p.expect(0, &["sync"]);
    let synced = p.read("vendor.toml");

    p.sed("s/4.14.5/4.99.0/");
    let before = p.snapshot();
    let (_, err) = p.expect(2, &["sync"]);
    assert!(err.contains("has no version 4.99.0"), "{err}");
    assert!(
        err.contains("newest versions in the index: 4.14.5"),
        "{err}"
    );
    assert_eq!(p.snapshot(), before, "nothing written");

    p.write(
        "vendor.toml",
        &synced.replace("chart = \"demo\"", "chart = \"dmeo\""),
    );
    let before = p.snapshot();
    let (_, err) = p.expect(2, &["sync"]);
    assert!(err.contains("the index has no chart named `dmeo`"), "{err}");
    assert_eq!(p.snapshot(), before, "nothing written");

    // Offline, the archive in the cache under the lock's digest is 4.14.5: not taken for 4.15.1.
    p.write("vendor.toml", &synced.replace("4.14.5", "4.15.1"));
    let before = p.snapshot();
    let (_, err) = p.expect(2, &["sync", "--offline"]);
    assert!(err.contains("4.15.1"), "{err}");
    assert_eq!(p.snapshot(), before, "nothing written");
}

/// The same for a chart in an OCI registry: the tag is resolved (manifest and layer digest)
/// before the cache is trusted.
#[test]
fn oci_sync_resolves_the_tag_before_trusting_the_cache() {
    let Some(reg) = crate::sources::start_registry() else {
        return;
    };
    let host = reg.base.strip_prefix("http://").unwrap().to_string();
    let (old, new) = (chart("demo", "4.14.5", ""), chart("demo", "4.15.1", ""));
    crate::sources::push_chart(&reg.base, "charts/demo", "4.14.5", &old);
    crate::sources::push_chart(&reg.base, "charts/demo", "4.15.1", &new);
    let up = Upstream::start();
    let p = Project::new(
        &up,
        &CHART_TOML.replace("BASE/charts", &format!("oci://{host}/charts")),
    );
    p.expect(0, &["sync"]);
    p.sed("s/4.14.5/4.15.1/");
    let (out, _) = p.expect(0, &["sync"]);
    assert!(
        p.read(DEPLOY).contains("chart: demo-4.15.1"),
        "{}",
        p.read(DEPLOY)
    );
    assert!(out.contains(&digest(&old)), "{out}");
    p.sed("s/4.15.1/4.99.0/");
    let before = p.snapshot();
    let (_, err) = p.expect(2, &["sync"]);
    assert!(err.contains("has no version 4.99.0"), "{err}");
    assert_eq!(p.snapshot(), before);
}

// ---- 2. render inputs are locked ---------------------------------------------------------------

const CHART_WITH_VALUES: &str = r#"[chart.demo]
repo = "BASE/charts"
chart = "demo"
version = "4.14.5"
release = "demo"
namespace = "demo-ns"
values = ["values/demo.yaml"]
"#;

#[test]
fn changed_render_inputs_are_reported_offline_and_sync_records_them() {
    let up = Upstream::start();
    up.charts(&[("demo", "4.14.5", &chart("demo", "4.14.5", ""))]);
    let p = Project::new(&up, CHART_WITH_VALUES);
    p.write("values/demo.yaml", "replicaCount: 2\n");
    p.expect(0, &["sync"]);
    p.expect(0, &["check"]);

    // The values file changes: check, offline, names it and says what to run.
    p.write("values/demo.yaml", "replicaCount: 5\n");
    let (out, _) = p.expect(1, &["check"]);
    assert!(out.contains("error[render-input-changed]"), "{out}");
    assert!(out.contains("values/demo.yaml"), "{out}");
    assert!(out.contains("vendor sync demo"), "{out}");

    // The lock records every input.
    p.write("values/demo.yaml", "replicaCount: 2\n");
    let lock = p.read("vendor.toml");
    for want in [
        "[chart.demo.lock.render]\n",
        "release = \"demo\"\n",
        "namespace = \"demo-ns\"\n",
        "kube-version = \"1.31.0\"\n",
        "include-crds = true\n",
        "helm = \"3\"\n",
        &format!(
            "{{ file = \"values/demo.yaml\", digest = \"{}\" }}",
            digest(b"replicaCount: 2\n")
        ),
    ] {
        assert!(lock.contains(want), "{want:?} missing from\n{lock}");
    }

    // So does any other input.
    p.expect(0, &["check"]);
    p.edit(
        "vendor.toml",
        "namespace = \"demo-ns\"\nvalues",
        "namespace = \"other\"\nvalues",
    );
    let (out, _) = p.expect(1, &["check"]);
    assert!(out.contains("error[render-input-changed]"), "{out}");
    assert!(out.contains("namespace"), "{out}");
    p.edit(
        "vendor.toml",
        "namespace = \"other\"\nvalues",
        "namespace = \"demo-ns\"\nvalues",
    );
    let text = p.read("vendor.toml");
    p.write(
        "vendor.toml",
        &format!("[settings]\nkube-version = \"1.30.0\"\n\n{text}"),
    );
    let (out, _) = p.expect(1, &["check"]);
    assert!(out.contains("kube-version"), "{out}");
    p.write("vendor.toml", &text);

    // Sync records the new input (the chart comes from the cache) and check passes again.
    p.write("values/demo.yaml", "replicaCount: 5\n");
    p.expect(0, &["sync", "--offline"]);
    assert!(p.read(DEPLOY).contains("replicas: 5"), "{}", p.read(DEPLOY));
    p.expect(0, &["check"]);
}

#[test]
fn the_lock_records_the_helm_mode_and_switching_it_is_a_resync() {
    let up = Upstream::start();
    up.charts(&[("demo", "4.14.5", &chart("demo", "4.14.5", ""))]);
    let p = Project::new(&up, CHART_WITH_VALUES);
    p.write("values/demo.yaml", "replicaCount: 2\n");
    let text = p.read("vendor.toml");
    p.write(
        "vendor.toml",
        &format!("[settings]\nhelm = \"4\"\n\n{text}"),
    );
    p.expect(0, &["sync"]);
    let lock = p.read("vendor.toml");
    let render = &lock[lock.find("[chart.demo.lock.render]").unwrap()..];
    assert!(render.contains("helm = \"4\"\n"), "{lock}");
    p.expect(0, &["check"]);

    // Back to Helm 3: check names the mode change and the fix; sync records the new mode.
    p.edit("vendor.toml", "helm = \"4\"\n\n", "helm = \"3\"\n\n");
    let (out, _) = p.expect(1, &["check"]);
    assert!(out.contains("error[render-input-changed]"), "{out}");
    assert!(out.contains("the Helm mode"), "{out}");
    assert!(out.contains("vendor sync demo"), "{out}");
    p.expect(0, &["sync", "--offline"]);
    let lock = p.read("vendor.toml");
    let render = &lock[lock.find("[chart.demo.lock.render]").unwrap()..];
    assert!(render.contains("helm = \"3\"\n"), "{lock}");
    p.expect(0, &["check"]);
}

#[test]
fn check_render_rerenders_from_the_cache_and_compares_byte_for_byte() {
    let up = Upstream::start();
    up.charts(&[("demo", "4.14.5", &chart("demo", "4.14.5", ""))]);
    let p = Project::new(&up, CHART_WITH_VALUES);
    p.write("values/demo.yaml", "replicaCount: 2\n");
    p.expect(0, &["sync"]);
    let (out, _) = p.expect(0, &["check", "--render"]);
    assert_eq!(out, "1 entry checked: 0 errors, 0 warnings\n");

    // A rendered file edited together with its lock digest passes the drift check ...
    let rendered = p.read(DEPLOY);
    let edited = rendered.replace("replicas: 2", "replicas: 9");
    p.write(DEPLOY, &edited);
    p.edit(
        "vendor.toml",
        &digest(rendered.as_bytes()),
        &digest(edited.as_bytes()),
    );
    p.expect(0, &["check"]);
    // ... but not a re-render.
    let (out, _) = p.expect(1, &["check", "--render"]);
    assert!(out.contains("error[render-mismatch]"), "{out}");
    assert!(out.contains(DEPLOY), "{out}");

    // Without the archive in the cache, --render says it could not verify.
    let empty = tempfile::tempdir().unwrap();
    let (code, out, err) = p.vendor_with_cache(&["check", "--render"], empty.path());
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("warning[render-unverified]"), "{out}");
}

/// `vendor update` records the render inputs of the new version too, and its check of the new
/// state sees the values files.
#[test]
fn update_of_a_chart_with_values_records_its_render_inputs() {
    let up = Upstream::start();
    up.charts(&[
        ("demo", "4.14.5", &chart("demo", "4.14.5", "")),
        ("demo", "4.15.1", &chart("demo", "4.15.1", "")),
    ]);
    let p = Project::new(&up, CHART_WITH_VALUES);
    p.write("values/demo.yaml", "replicaCount: 2\n");
    p.expect(0, &["sync"]);
    p.expect(0, &["update", "demo", "--to", "4.15.1"]);
    let text = p.read("vendor.toml");
    assert_eq!(text.matches("version = \"4.15.1\"").count(), 2, "{text}");
    assert!(text.contains(&digest(b"replicaCount: 2\n")), "{text}");
    assert!(p.read(DEPLOY).contains("replicas: 2"), "{}", p.read(DEPLOY));
    p.expect(0, &["check"]);
}

/// Lock data written before render inputs were recorded does not pass silently.
#[test]
fn chart_lock_without_render_inputs_asks_for_a_sync() {
    let up = Upstream::start();
    up.charts(&[("demo", "4.14.5", &chart("demo", "4.14.5", ""))]);
    let p = Project::new(&up, CHART_TOML);
    p.expect(0, &["sync"]);
    let text = p.read("vendor.toml");
    let start = text
        .find("[chart.demo.lock.render]")
        .expect("render table written");
    let end = start + text[start..].find("\n\n").unwrap() + 2;
    p.write(
        "vendor.toml",
        &format!("{}{}", &text[..start], &text[end..]),
    );
    let (out, _) = p.expect(1, &["check"]);
    assert!(out.contains("error[not-synced]"), "{out}");
    assert!(out.contains("render inputs"), "{out}");
    assert!(out.contains("vendor sync demo"), "{out}");
    p.expect(1, &["sync", "--locked", "--offline"]);
    p.expect(0, &["sync", "--offline"]);
    assert_eq!(p.read("vendor.toml"), text);
    p.expect(0, &["check"]);
}

// ---- 3. a re-tagged upstream is not adopted ----------------------------------------------------

const APP_V1: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: quay.io/example/web:v1.0.0\n";

const MANIFEST_TOML: &str = r#"[manifest.app]
url = "BASE/raw/{version}/app.yaml"
version = "v1.0.0"
"#;

#[test]
fn retagged_manifest_stops_sync_unless_accepted() {
    let up = Upstream::start();
    up.put("/raw/v1.0.0/app.yaml", APP_V1);
    let p = Project::new(&up, MANIFEST_TOML);
    p.expect(0, &["sync"]);

    let retagged = APP_V1.replace("web:v1.0.0", "web:v1.0.0-evil");
    up.put("/raw/v1.0.0/app.yaml", retagged.clone());
    let before = p.snapshot();
    // A cold cache (a CI runner) fetches, and the re-tag stops the run: nothing written.
    let cold = tempfile::tempdir().unwrap();
    let (code, _, err) = p.vendor_with_cache(&["sync"], cold.path());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("upstream-retagged"), "{err}");
    assert_eq!(p.snapshot(), before, "nothing written");
    // A warm cache answers for the locked digest without asking upstream ...
    let (out, _) = p.expect(0, &["sync"]);
    assert!(out.contains("app v1.0.0: unchanged"), "{out}");
    // ... --refresh asks, and the re-tag stops the run (exit 1), naming the URL and both digests.
    for args in [
        &["sync", "--locked", "--refresh"][..],
        &["sync", "--refresh"],
    ] {
        let (_, err) = p.expect(1, args);
        assert!(err.contains("upstream-retagged"), "{err}");
        assert!(
            err.contains(&format!("{}/raw/v1.0.0/app.yaml", up.server.base)),
            "{err}"
        );
        assert!(err.contains(&digest(APP_V1.as_bytes())), "{err}");
        assert!(err.contains(&digest(retagged.as_bytes())), "{err}");
        assert!(err.contains("--accept-retag app"), "{err}");
        assert_eq!(p.snapshot(), before, "nothing written");
    }

    // Adopted only when the user says so.
    let (out, _) = p.expect(0, &["sync", "--refresh", "--accept-retag", "app"]);
    assert!(out.contains("re-tag"), "{out}");
    assert_eq!(p.read("upstream/app/app.yaml"), retagged);
    assert!(p.read("vendor.toml").contains(&digest(retagged.as_bytes())));
    p.expect(0, &["check"]);
    p.expect(0, &["sync", "--locked", "--refresh"]);
}

/// A chart re-tagged in its repository (new archive, new index digest, same version) is caught
/// by a plain sync even with the old archive in the cache: the index is always consulted.
#[test]
fn retagged_chart_stops_sync_even_with_a_warm_cache() {
    let up = Upstream::start();
    let old = chart("demo", "4.14.5", "");
    up.charts(&[("demo", "4.14.5", &old)]);
    let p = Project::new(&up, CHART_TOML);
    p.expect(0, &["sync"]);
    let retagged = chart("demo", "4.14.5", "re-tagged");
    up.charts(&[("demo", "4.14.5", &retagged)]);
    let before = p.snapshot();
    let (_, err) = p.expect(1, &["sync"]);
    assert!(err.contains("upstream-retagged"), "{err}");
    assert!(
        err.contains(&format!("{}/charts/demo-4.14.5.tgz", up.server.base)),
        "{err}"
    );
    assert!(
        err.contains(&digest(&old)) && err.contains(&digest(&retagged)),
        "{err}"
    );
    assert_eq!(p.snapshot(), before, "nothing written");
    p.expect(1, &["sync", "--locked"]);
    p.expect(0, &["sync", "--accept-retag", "demo"]);
    assert!(
        p.read(DEPLOY).contains("# re-tagged\n"),
        "{}",
        p.read(DEPLOY)
    );
    assert!(p.read("vendor.toml").contains(&digest(&retagged)));
    // An --accept-retag that names no entry is a usage error.
    p.expect(2, &["sync", "--accept-retag", "nope"]);
}

// ---- 4. Chart.yaml must be what was requested --------------------------------------------------

#[test]
fn chart_yaml_disagreeing_with_the_request_is_refused() {
    let up = Upstream::start();
    // The index lists demo 4.14.5, and the archive's digest matches, but Chart.yaml says `other`.
    up.charts(&[("demo", "4.14.5", &chart("other", "4.14.5", ""))]);
    let p = Project::new(&up, CHART_TOML);
    let before = p.snapshot();
    let (_, err) = p.expect(2, &["sync"]);
    assert!(err.contains("Chart.yaml"), "{err}");
    assert!(err.contains("`other`") && err.contains("`demo`"), "{err}");
    assert_eq!(p.snapshot(), before, "nothing written");
    assert!(!p.path("upstream/demo/other").exists());

    up.charts(&[("demo", "4.14.5", &chart("demo", "4.14.6", ""))]);
    let (_, err) = p.expect(2, &["sync"]);
    assert!(err.contains("Chart.yaml"), "{err}");
    assert!(err.contains("4.14.6") && err.contains("4.14.5"), "{err}");
    assert_eq!(p.snapshot(), before, "nothing written");
}

// ---- 5. empty and non-manifest bodies ----------------------------------------------------------

#[test]
fn empty_and_html_manifest_bodies_are_refused() {
    let up = Upstream::start();
    let p = Project::new(&up, MANIFEST_TOML);
    let url = format!("{}/raw/v1.0.0/app.yaml", up.server.base);

    up.put("/raw/v1.0.0/app.yaml", "");
    let before = p.snapshot();
    let (_, err) = p.expect(2, &["sync"]);
    assert!(err.contains(&url), "{err}");
    assert!(err.contains("no Kubernetes object"), "{err}");
    assert!(err.contains("allow-empty = true"), "{err}");
    assert_eq!(p.snapshot(), before, "nothing written");

    up.put(
        "/raw/v1.0.0/app.yaml",
        "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Sign in to continue</body></html>\n",
    );
    let (_, err) = p.expect(2, &["sync"]);
    assert!(err.contains(&url), "{err}");
    assert!(err.contains("HTML"), "{err}");
    assert_eq!(p.snapshot(), before, "nothing written");

    // After a good sync, an upstream that now serves nothing changes nothing either.
    up.put("/raw/v1.0.0/app.yaml", APP_V1);
    p.expect(0, &["sync"]);
    up.put("/raw/v1.0.0/app.yaml", "# nothing here\n");
    let before = p.snapshot();
    let (_, err) = p.expect(2, &["sync", "--refresh"]);
    assert!(err.contains("no Kubernetes object"), "{err}");
    assert_eq!(p.snapshot(), before, "nothing written");

    // An entry that is empty on purpose says so.
    let q = Project::new(
        &up,
        &MANIFEST_TOML.replace("version = ", "allow-empty = true\nversion = "),
    );
    q.expect(0, &["sync"]);
    assert_eq!(q.read("upstream/app/app.yaml"), "# nothing here\n");
    q.expect(0, &["check"]);
    // ... with a boolean.
    let r = Project::new(
        &up,
        &MANIFEST_TOML.replace("version = ", "allow-empty = \"yes\"\nversion = "),
    );
    let (code, _, err) = r.vendor(&["check"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("vendor.toml:3:15"), "{err}");
    assert!(err.contains("`allow-empty` must be true or false"), "{err}");
}

// ---- 6. fail closed ----------------------------------------------------------------------------

fn check_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/base")
}

#[test]
fn build_with_an_error_level_finding_prints_nothing_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    crate::common::copy_dir(&check_fixture(), dir.path());
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_vendor"))
            .args(["build", "patches/metallb"])
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let out = run();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.len() > 10_000);
    let patch = dir.path().join("patches/metallb/controller.yaml");
    let text = std::fs::read_to_string(&patch).unwrap();
    std::fs::write(
        &patch,
        text.replacen("  name: controller\n", "  name: controler\n", 1),
    )
    .unwrap();
    let out = run();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "{} bytes on stdout",
        out.stdout.len()
    );
    assert!(stderr.contains("patch-target-missing"), "{stderr}");
    assert!(
        stderr.contains("patches/metallb/controller.yaml"),
        "{stderr}"
    );
}

#[test]
fn diff_patched_with_a_broken_patch_exits_1_and_names_the_patch() {
    let up = Upstream::start();
    up.put("/raw/v1.0.0/app.yaml", APP_V1);
    // v2.0.0 renames the Deployment our patch targets.
    up.put(
        "/raw/v2.0.0/app.yaml",
        APP_V1.replace("name: web\nspec", "name: web-server\nspec"),
    );
    let p = Project::new(&up, MANIFEST_TOML);
    p.expect(0, &["sync"]);
    p.write(
        "patches/app/kustomization.yaml",
        "resources:\n- ../../upstream/app\npatches:\n- path: replicas.yaml\n",
    );
    p.write(
        "patches/app/replicas.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n",
    );
    p.expect(0, &["check"]);
    let (out, err) = p.expect(1, &["diff", "app", "--to", "v2.0.0", "--patched"]);
    assert!(err.contains("patches/app/replicas.yaml"), "{err}");
    assert!(err.contains("patch-target-missing"), "{err}");
    assert!(err.contains("app@v2.0.0"), "{err}");
    assert!(out.is_empty(), "no misleading diff:\n{out}");
    // Without --patched the upstream change itself is shown.
    let (out, _) = p.expect(0, &["diff", "app", "--to", "v2.0.0"]);
    assert!(out.contains("web-server"), "{out}");
}
