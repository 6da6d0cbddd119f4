//! Hostile and malformed archives, built byte by byte where the writers refuse to: each is
//! refused with its own error, and well-formed archives (tar, tar.gz, zip; PAX and GNU long
//! names) are read.
#![allow(clippy::unwrap_used)]

use std::io::Write;

use safe_archive::{ArchiveError, EntryKind, Format, Limits, PathProblem, Select, read};

/// Appends an entry with a raw name (no checks by the tar crate).
fn raw_entry(b: &mut tar::Builder<Vec<u8>>, name: &[u8], kind: tar::EntryType, data: &[u8]) {
    let mut h = tar::Header::new_gnu();
    {
        let gnu = h.as_gnu_mut().unwrap();
        gnu.name[..name.len()].copy_from_slice(name);
    }
    h.set_entry_type(kind);
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    if kind == tar::EntryType::Symlink {
        h.set_link_name("/etc/passwd").unwrap();
    }
    h.set_cksum();
    b.append(&h, data).unwrap();
}

/// A PAX extended header for the next entry.
fn pax(b: &mut tar::Builder<Vec<u8>>, records: &[(&str, &[u8])], global: bool) {
    let mut body = Vec::new();
    for (k, v) in records {
        let rest = format!(" {k}=").len() + v.len() + 1;
        let mut len = rest + 1;
        while len.to_string().len() + rest != len {
            len += 1;
        }
        body.extend_from_slice(format!("{len} {k}=").as_bytes());
        body.extend_from_slice(v);
        body.push(b'\n');
    }
    let mut h = tar::Header::new_ustar();
    h.set_entry_type(if global {
        tar::EntryType::XGlobalHeader
    } else {
        tar::EntryType::XHeader
    });
    h.set_path("PaxHeaders/x").unwrap();
    h.set_size(body.len() as u64);
    h.set_cksum();
    b.append(&h, body.as_slice()).unwrap();
}

fn tar_of(f: impl FnOnce(&mut tar::Builder<Vec<u8>>)) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    f(&mut b);
    b.into_inner().unwrap()
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn tgz_of(f: impl FnOnce(&mut tar::Builder<Vec<u8>>)) -> Vec<u8> {
    gz(&tar_of(f))
}

fn zip_of(entries: &[(&str, &[u8], Option<u32>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data, mode) in entries {
        let mut o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        if let Some(m) = mode {
            o = o.unix_permissions(*m);
        }
        if let Some(target) = name.strip_prefix("LINK:") {
            w.add_symlink(target, "/etc/passwd", o).unwrap();
            continue;
        }
        w.start_file(*name, o).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

use tar::EntryType::{Block, Char, Directory, Fifo, Link, Regular, Symlink};

#[test]
fn reads_tar_tgz_and_zip() {
    let t = tar_of(|b| {
        raw_entry(b, b"c/", Directory, b"");
        raw_entry(b, b"c/Chart.yaml", Regular, b"name: c\n");
        raw_entry(b, b"./c//templates/a.yaml", Regular, b"a");
    });
    for bytes in [t.clone(), gz(&t)] {
        let files = read(&bytes, &Limits::default()).unwrap();
        let paths: Vec<&str> = files.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["c/Chart.yaml", "c/templates/a.yaml"]);
        let rooted = files.strip_root().unwrap();
        assert_eq!(rooted.root, "c");
        assert_eq!(rooted.files[1].path, "templates/a.yaml");
    }
    assert_eq!(Format::detect(&t), Some(Format::Tar));
    let z = zip_of(&[
        ("c/a.yaml", b"a: 1\n", None),
        ("c/d/b.yaml", b"b", Some(0o755)),
    ]);
    let m = read(&z, &Limits::default()).unwrap().into_map();
    assert_eq!(m["c/a.yaml"], b"a: 1\n");
    assert_eq!(m["c/d/b.yaml"], b"b");
}

#[test]
fn honours_pax_and_gnu_long_names() {
    let long = format!("c/{}/file.yaml", "d".repeat(120));
    // The tar crate writes a GNU long-name entry for a long path.
    let bytes = tgz_of(|b| {
        let mut h = tar::Header::new_gnu();
        h.set_size(1);
        h.set_mode(0o644);
        b.append_data(&mut h, &long, &b"x"[..]).unwrap();
    });
    assert_eq!(
        read(&bytes, &Limits::default()).unwrap().files[0].path,
        long
    );
    // A PAX path with the plain name truncated, as tar writers do.
    let bytes = tgz_of(|b| {
        pax(b, &[("path", long.as_bytes())], false);
        raw_entry(b, &long.as_bytes()[..100], Regular, b"x");
    });
    assert_eq!(
        read(&bytes, &Limits::default()).unwrap().files[0].path,
        long
    );
    // A PAX path that equals the plain name, and one for a non-ASCII name.
    let bytes = tgz_of(|b| {
        pax(b, &[("path", "c/café.yaml".as_bytes())], false);
        raw_entry(b, b"c/caf_.yaml", Regular, b"x");
        pax(b, &[("path", b"c/b.yaml")], false);
        raw_entry(b, b"c/b.yaml", Regular, b"y");
    });
    let files = read(&bytes, &Limits::default()).unwrap();
    assert_eq!(files.files[0].path, "c/café.yaml");
    assert_eq!(files.files[1].path, "c/b.yaml");
}

#[test]
fn pax_paths_that_disagree_are_refused() {
    // A reader that ignores PAX sees `c/innocent.yaml`; tar(1) writes `c/evil.yaml`.
    let bytes = tgz_of(|b| {
        pax(b, &[("path", b"c/evil.yaml")], false);
        raw_entry(b, b"c/innocent.yaml", Regular, b"x");
    });
    assert_eq!(
        read(&bytes, &Limits::default()),
        Err(ArchiveError::PaxMismatch {
            plain: "c/innocent.yaml".into(),
            extended: "c/evil.yaml".into()
        })
    );
    // A PAX path that climbs out is refused as a path, whatever the plain name.
    let bytes = tgz_of(|b| {
        pax(b, &[("path", b"../../evil")], false);
        raw_entry(b, b"../../evil", Regular, b"x");
    });
    assert!(matches!(
        read(&bytes, &Limits::default()),
        Err(ArchiveError::UnsafePath {
            problem: PathProblem::ParentDir,
            ..
        })
    ));
    // A global header that renames every entry.
    let bytes = tgz_of(|b| {
        pax(b, &[("path", b"c/evil.yaml")], true);
        raw_entry(b, b"c/a.yaml", Regular, b"x");
    });
    assert!(matches!(
        read(&bytes, &Limits::default()),
        Err(ArchiveError::PaxMismatch { .. })
    ));
    // A global header without a path is fine.
    let bytes = tgz_of(|b| {
        pax(b, &[("comment", b"made by git archive")], true);
        raw_entry(b, b"c/a.yaml", Regular, b"x");
    });
    assert!(read(&bytes, &Limits::default()).is_ok());
}

#[test]
fn non_utf8_names_are_refused() {
    let bytes = tgz_of(|b| raw_entry(b, b"c/caf\xe9.yaml", Regular, b"x"));
    assert_eq!(
        read(&bytes, &Limits::default()),
        Err(ArchiveError::NonUtf8Name {
            lossy: "c/caf\u{fffd}.yaml".into()
        })
    );
    let bytes = tgz_of(|b| {
        pax(b, &[("path", b"c/\xff.yaml")], false);
        raw_entry(b, b"c/_.yaml", Regular, b"x");
    });
    assert_eq!(
        read(&bytes, &Limits::default()),
        Err(ArchiveError::NonUtf8Name {
            lossy: "c/\u{fffd}.yaml".into()
        })
    );
    // A UTF-8 PAX path does not excuse a non-UTF-8 plain name it disagrees with.
    let bytes = tgz_of(|b| {
        pax(b, &[("path", b"c/a.yaml")], false);
        raw_entry(b, b"c/\xff.yaml", Regular, b"x");
    });
    assert!(matches!(
        read(&bytes, &Limits::default()),
        Err(ArchiveError::PaxMismatch { .. })
    ));
    // Zip names are checked the same way.
    let mut z = zip_of(&[("c/cafX.yaml", b"x", None)]);
    for i in 0..z.len() - 4 {
        if &z[i..i + 4] == b"cafX" {
            z[i + 3] = 0xe9;
        }
    }
    assert_eq!(
        read(&z, &Limits::default()),
        Err(ArchiveError::NonUtf8Name {
            lossy: "c/caf\u{fffd}.yaml".into()
        })
    );
}

#[test]
fn links_devices_and_unsafe_paths_are_refused() {
    for (kind, expect) in [
        (Symlink, EntryKind::Symlink),
        (Link, EntryKind::HardLink),
        (Char, EntryKind::CharDevice),
        (Block, EntryKind::BlockDevice),
        (Fifo, EntryKind::Fifo),
    ] {
        let bytes = tgz_of(|b| raw_entry(b, b"c/x", kind, b""));
        assert_eq!(
            read(&bytes, &Limits::default()),
            Err(ArchiveError::NotRegularFile {
                path: "c/x".into(),
                kind: expect
            })
        );
    }
    for (name, problem) in [
        (&b"c/../../evil"[..], PathProblem::ParentDir),
        (b"/etc/passwd", PathProblem::Absolute),
        (b"c\\..\\evil", PathProblem::Backslash),
        (b"C:/evil", PathProblem::DriveLetter),
        (b"c/\x1b[31m", PathProblem::ControlChar),
    ] {
        let bytes = tgz_of(|b| raw_entry(b, name, Regular, b"x"));
        assert!(
            matches!(read(&bytes, &Limits::default()), Err(ArchiveError::UnsafePath { problem: p, .. }) if p == problem),
            "{}",
            String::from_utf8_lossy(name)
        );
    }
    // A zip symlink, and a zip name that climbs out.
    let z = zip_of(&[("LINK:c/link", b"", None)]);
    assert!(matches!(
        read(&z, &Limits::default()),
        Err(ArchiveError::NotRegularFile {
            kind: EntryKind::Symlink,
            ..
        })
    ));
    let z = zip_of(&[("c/../../evil", b"x", None)]);
    assert!(matches!(
        read(&z, &Limits::default()),
        Err(ArchiveError::UnsafePath { .. })
    ));
}

#[test]
fn skipped_entries_are_still_checked_but_not_their_kind() {
    let bytes = tgz_of(|b| {
        raw_entry(b, b"c/link", Symlink, b"");
        raw_entry(b, b"c/a.yaml", Regular, b"a");
    });
    let keep_yaml = |e: &safe_archive::EntryInfo<'_>| {
        if e.path.ends_with(".yaml") {
            Select::Keep
        } else {
            Select::Skip
        }
    };
    let files = safe_archive::read_selected(&bytes, &Limits::default(), keep_yaml).unwrap();
    assert_eq!(files.files.len(), 1);
    let bytes = tgz_of(|b| {
        raw_entry(b, b"c/../x.txt", Regular, b"");
        raw_entry(b, b"c/a.yaml", Regular, b"a");
    });
    assert!(safe_archive::read_selected(&bytes, &Limits::default(), keep_yaml).is_err());
}

#[test]
fn duplicates_and_conflicts_are_refused() {
    for (a, b_) in [
        (&b"c/a.yaml"[..], &b"c/a.yaml"[..]),
        (b"c/a.yaml", b"c/A.yaml"),
        (b"c/a.yaml", b"./c/a.yaml"),
    ] {
        let bytes = tgz_of(|b| {
            raw_entry(b, a, Regular, b"1");
            raw_entry(b, b_, Regular, b"2");
        });
        assert!(matches!(
            read(&bytes, &Limits::default()),
            Err(ArchiveError::Duplicate { .. })
        ));
    }
    let bytes = tgz_of(|b| {
        raw_entry(b, b"c/a", Regular, b"1");
        raw_entry(b, b"c/a/b", Regular, b"2");
    });
    assert_eq!(
        read(&bytes, &Limits::default()),
        Err(ArchiveError::FileDirConflict { path: "c/a".into() })
    );
    let bytes = tgz_of(|b| {
        raw_entry(b, b"c/a/", Directory, b"");
        raw_entry(b, b"c/a", Regular, b"1");
    });
    assert!(matches!(
        read(&bytes, &Limits::default()),
        Err(ArchiveError::FileDirConflict { .. })
    ));
}

#[test]
fn caps_hold() {
    let small = Limits {
        max_entries: 3,
        max_file_bytes: 10,
        max_total_bytes: 15,
        max_expanded_bytes: 64 * 1024,
    };
    let bytes = tgz_of(|b| {
        for i in 0..4 {
            raw_entry(b, format!("c/{i}").as_bytes(), Regular, b"");
        }
    });
    assert_eq!(
        read(&bytes, &small),
        Err(ArchiveError::TooManyEntries { max: 3 })
    );
    let bytes = tgz_of(|b| raw_entry(b, b"c/big", Regular, &[0; 11]));
    assert!(matches!(
        read(&bytes, &small),
        Err(ArchiveError::FileTooLarge { .. })
    ));
    let bytes = tgz_of(|b| {
        raw_entry(b, b"c/a", Regular, &[0; 8]);
        raw_entry(b, b"c/b", Regular, &[0; 8]);
    });
    assert_eq!(
        read(&bytes, &small),
        Err(ArchiveError::TooLarge { max: 15 })
    );
    // A gzip bomb: 100 MiB of zeros in well under a megabyte, refused at the expanded cap
    // without holding it in memory.
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let mut header = tar::Header::new_gnu();
    header.set_path("c/zeros").unwrap();
    header.set_size(100 * 1024 * 1024);
    header.set_cksum();
    e.write_all(header.as_bytes()).unwrap();
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..100 {
        e.write_all(&zeros).unwrap();
    }
    let bomb = e.finish().unwrap();
    assert!(bomb.len() < 1024 * 1024);
    let limits = Limits {
        max_expanded_bytes: 8 * 1024 * 1024,
        ..Limits::default()
    };
    assert_eq!(
        safe_archive::read_selected(&bomb, &limits, |_| Select::Skip),
        Err(ArchiveError::Bomb {
            max: 8 * 1024 * 1024
        })
    );
    // The same in a zip: the entry is decompressed through the per-file cap only.
    let z = zip_of(&[("c/zeros", &zeros, None)]);
    let limits = Limits {
        max_file_bytes: 1000,
        ..Limits::default()
    };
    assert!(matches!(
        read(&z, &limits),
        Err(ArchiveError::FileTooLarge { .. })
    ));
}

#[test]
fn corrupt_and_unknown_input() {
    assert_eq!(
        read(b"just text", &Limits::default()),
        Err(ArchiveError::UnknownFormat)
    );
    let good = tgz_of(|b| raw_entry(b, b"c/a", Regular, &[7; 4096]));
    let cut = &good[..good.len() * 2 / 3];
    assert!(matches!(
        read(cut, &Limits::default()),
        Err(ArchiveError::Corrupt { .. })
    ));
    let two_roots = tgz_of(|b| {
        raw_entry(b, b"c/a", Regular, b"");
        raw_entry(b, b"d/a", Regular, b"");
    });
    assert!(matches!(
        read(&two_roots, &Limits::default()).unwrap().strip_root(),
        Err(ArchiveError::SeveralRoots { .. })
    ));
    let at_top = tgz_of(|b| raw_entry(b, b"Chart.yaml", Regular, b""));
    assert!(matches!(
        read(&at_top, &Limits::default()).unwrap().strip_root(),
        Err(ArchiveError::FileAtRoot { .. })
    ));
}
