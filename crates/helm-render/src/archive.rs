//! Chart archives (`.tgz`) read with the workspace's one archive reader, [`safe_archive`]:
//! regular files only, UTF-8 names without `..`, absolute paths, backslashes or control
//! characters, PAX path headers honoured (and refused when they disagree with the plain name),
//! no duplicates, caps on entries and sizes (a gzip bomb stops at the cap instead of filling
//! memory). Helm's loader rules sit on top: Helm's caps (5 MiB per file, 100 MiB per chart), the
//! first path component (the chart directory) stripped from each name, and Helm's error texts
//! where Helm refuses too. Stricter than Helm: a `..` component is refused even where it stays
//! inside the chart, and so are backslash-separated names.

use crate::error::HelmError;
use safe_archive::{ArchiveError, PathProblem};

/// Helm's limit for a whole decompressed chart (100 MiB).
pub const MAX_DECOMPRESSED_CHART_SIZE: u64 = 100 * 1024 * 1024;
/// Helm's limit for one decompressed file (5 MiB).
pub const MAX_DECOMPRESSED_FILE_SIZE: u64 = 5 * 1024 * 1024;
/// Our own cap on the number of entries in one archive.
pub const MAX_ENTRIES: usize = 20_000;

/// The caps of one chart archive. Decompressed bytes also count tar headers and padding
/// (at most 1 KiB an entry) besides the files themselves.
fn limits() -> safe_archive::Limits {
    safe_archive::Limits {
        max_entries: MAX_ENTRIES,
        max_file_bytes: MAX_DECOMPRESSED_FILE_SIZE,
        max_total_bytes: MAX_DECOMPRESSED_CHART_SIZE,
        max_expanded_bytes: MAX_DECOMPRESSED_CHART_SIZE + MAX_ENTRIES as u64 * 1024,
    }
}

/// A file of a chart, path relative to the chart root with `/` separators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BufferedFile {
    pub name: String,
    pub data: Vec<u8>,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

pub(crate) fn strip_bom(mut data: Vec<u8>) -> Vec<u8> {
    if data.starts_with(UTF8_BOM) {
        data.drain(..3);
    }
    data
}

/// Reads the files of a gzip-compressed chart archive held in memory.
pub fn load_archive_files(bytes: &[u8], origin: &str) -> Result<Vec<BufferedFile>, HelmError> {
    let bad = |message: String| HelmError::Archive {
        path: origin.to_string(),
        message,
    };
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Err(bad("gzip: invalid header".into()));
    }
    let read = safe_archive::read_format(bytes, safe_archive::Format::TarGz, &limits(), |_| {
        safe_archive::Select::Keep
    })
    .map_err(|e| bad(helm_message(e)))?;
    let mut files = Vec::with_capacity(read.files.len());
    for f in read.files {
        // Helm strips the first component of every name, whatever it is.
        let Some((top, rest)) = f.path.split_once('/') else {
            return Err(bad(if f.path == "Chart.yaml" {
                "chart yaml not in base directory".into()
            } else {
                format!(
                    "chart illegally contains content outside the base directory: {:?}",
                    f.path
                )
            }));
        };
        debug_assert!(!top.is_empty() && !rest.is_empty());
        files.push(BufferedFile {
            name: rest.to_string(),
            data: strip_bom(f.data),
        });
    }
    if files.is_empty() {
        return Err(bad("no files in chart archive".into()));
    }
    Ok(files)
}

/// Helm's text for the refusals Helm shares; the reader's own text for the rest.
fn helm_message(e: ArchiveError) -> String {
    match e {
        ArchiveError::UnsafePath {
            problem: PathProblem::ParentDir,
            ..
        } => "chart illegally references parent directory".into(),
        ArchiveError::UnsafePath {
            problem: PathProblem::Absolute,
            ..
        } => "chart illegally contains absolute paths".into(),
        ArchiveError::UnsafePath {
            problem: PathProblem::DriveLetter,
            ..
        } => "chart contains illegally named files".into(),
        ArchiveError::FileTooLarge { path, .. } => format!(
            "decompressed chart file {path:?} is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}"
        ),
        ArchiveError::TooLarge { .. } | ArchiveError::Bomb { .. } => format!(
            "decompressed chart is larger than the maximum size {MAX_DECOMPRESSED_CHART_SIZE}"
        ),
        ArchiveError::TooManyEntries { .. } => {
            format!("archive has more than {MAX_ENTRIES} entries")
        }
        ArchiveError::Empty => "no files in chart archive".into(),
        e => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    //! Chart archives written byte by byte (ustar headers, PAX records, gzip), so that hostile
    //! forms no tar writer produces can be made.
    use super::*;

    /// One ustar header block: `name` as raw bytes, `kind` the typeflag.
    fn header(name: &[u8], kind: u8, size: usize) -> [u8; 512] {
        let mut h = [0u8; 512];
        h[..name.len()].copy_from_slice(name);
        h[100..108].copy_from_slice(b"0000644\0");
        h[108..116].copy_from_slice(b"0000000\0");
        h[116..124].copy_from_slice(b"0000000\0");
        h[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
        h[136..148].copy_from_slice(b"00000000000\0");
        h[156] = kind;
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        h
    }

    /// A tar stream of `(name, typeflag, data)` entries, gzip-compressed.
    fn tgz(entries: &[(&[u8], u8, &[u8])]) -> Vec<u8> {
        let mut tar = Vec::new();
        for (name, kind, data) in entries {
            tar.extend_from_slice(&header(name, *kind, data.len()));
            tar.extend_from_slice(data);
            tar.resize(tar.len().div_ceil(512) * 512, 0);
        }
        tar.extend_from_slice(&[0u8; 1024]);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &tar).unwrap();
        gz.finish().unwrap()
    }

    /// The body of a PAX extended header (`x`) setting `path`: `"<len> path=<value>\n"`, the
    /// length counting itself.
    fn pax_path(value: &[u8]) -> Vec<u8> {
        let rest = " path=".len() + value.len() + 1;
        let mut len = rest + 1;
        while len.to_string().len() + rest != len {
            len += 1;
        }
        let mut body = format!("{len} path=").into_bytes();
        body.extend_from_slice(value);
        body.push(b'\n');
        body
    }

    const REG: u8 = b'0';
    const SYMLINK: u8 = b'2';
    const PAX: u8 = b'x';
    const CHART_YAML: &[u8] = b"apiVersion: v2\nname: c\nversion: 1.0.0\n";

    fn error(entries: &[(&[u8], u8, &[u8])]) -> String {
        load_archive_files(&tgz(entries), "c.tgz")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn strips_top_dir_and_bom() {
        let a = tgz(&[
            (b"c/Chart.yaml", REG, b"\xEF\xBB\xBFname: c"),
            (b"c/templates/x.yaml", REG, b"a: 1"),
        ]);
        let files = load_archive_files(&a, "c.tgz").unwrap();
        assert_eq!(files[0].name, "Chart.yaml");
        assert_eq!(files[0].data, b"name: c");
        assert_eq!(files[1].name, "templates/x.yaml");
    }

    #[test]
    fn helm_texts_for_what_helm_refuses() {
        let e = error(&[(b"c/../../etc/passwd", REG, b"x")]);
        assert_eq!(e, "chart illegally references parent directory");
        let e = error(&[(b"/c/Chart.yaml", REG, b"x")]);
        assert_eq!(e, "chart illegally contains absolute paths");
        let e = error(&[(b"Chart.yaml", REG, b"")]);
        assert_eq!(e, "chart yaml not in base directory");
        let e = error(&[(b"README.md", REG, b"")]);
        assert_eq!(
            e,
            "chart illegally contains content outside the base directory: \"README.md\""
        );
    }

    #[test]
    fn links_are_refused() {
        let e = error(&[(b"c/link", SYMLINK, b"")]);
        assert_eq!(
            e,
            "entry `c/link` is a symbolic link; only regular files are allowed"
        );
    }

    #[test]
    fn rejects_non_gzip_and_empty() {
        let e = load_archive_files(b"hello", "x.tgz")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "gzip: invalid header");
        assert_eq!(error(&[]), "no files in chart archive");
        assert_eq!(error(&[(b"c/", b'5', b"")]), "no files in chart archive");
    }

    #[test]
    fn gzip_bomb_stops_at_file_cap() {
        let big = vec![0u8; (MAX_DECOMPRESSED_FILE_SIZE + 1) as usize];
        let a = tgz(&[(b"c/big", REG, &big)]);
        assert!(a.len() < 100_000);
        let e = load_archive_files(&a, "x.tgz").unwrap_err().to_string();
        assert_eq!(
            e,
            format!(
                "decompressed chart file \"c/big\" is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}"
            )
        );
    }

    /// Issue 11, item 11: a non-UTF-8 entry name is refused, in the plain header and in a PAX
    /// path.
    #[test]
    fn non_utf8_names_are_refused() {
        let e = error(&[
            (b"c/Chart.yaml", REG, CHART_YAML),
            (b"c/templates/caf\xe9.yaml", REG, b"a: 1"),
        ]);
        assert_eq!(
            e,
            "entry name \"c/templates/caf\u{fffd}.yaml\" is not UTF-8"
        );
        let e = error(&[
            (b"c/Chart.yaml", REG, CHART_YAML),
            (b"PaxHeaders/x", PAX, &pax_path(b"c/templates/\xff.yaml")),
            (b"c/templates/_.yaml", REG, b"a: 1"),
        ]);
        assert_eq!(e, "entry name \"c/templates/\u{fffd}.yaml\" is not UTF-8");
    }

    /// Issue 11, item 11: a PAX path is honoured, through chart loading: the long template
    /// name (truncated in the plain header, as tar writers do) and the non-ASCII one are the
    /// chart's files; a PAX path that disagrees with the plain name is refused.
    #[test]
    fn pax_paths_are_honoured_or_refused_through_chart_loading() {
        let long = format!("c/templates/{}.yaml", "d".repeat(120));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c-1.0.0.tgz");
        let pax_long = pax_path(long.as_bytes());
        let pax_cafe = pax_path("c/templates/café.yaml".as_bytes());
        std::fs::write(
            &path,
            tgz(&[
                (b"c/Chart.yaml", REG, CHART_YAML),
                (b"PaxHeaders/long", PAX, &pax_long),
                (&long.as_bytes()[..100], REG, b"kind: A\n"),
                (b"PaxHeaders/cafe", PAX, &pax_cafe),
                (b"c/templates/caf_.yaml", REG, b"kind: B\n"),
            ]),
        )
        .unwrap();
        let chart = crate::chart::load(&path).unwrap();
        let names: Vec<&str> = chart.templates.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            [&long["c/".len()..], "templates/café.yaml"],
            "the PAX names, not the plain ones"
        );

        // A reader that ignores PAX sees `values.yaml`; tar(1) would write `templates/evil.yaml`.
        std::fs::write(
            &path,
            tgz(&[
                (b"c/Chart.yaml", REG, CHART_YAML),
                (b"PaxHeaders/x", PAX, &pax_path(b"c/templates/evil.yaml")),
                (b"c/values.yaml", REG, b"a: 1\n"),
            ]),
        )
        .unwrap();
        let e = crate::chart::load(&path).unwrap_err().to_string();
        assert_eq!(
            e,
            "entry `c/values.yaml` carries the extended name `c/templates/evil.yaml`, which disagrees with it (a reader that ignores the extension would see another file)"
        );
    }
}
