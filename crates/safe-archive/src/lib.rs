//! Reading archives from untrusted sources (`.tar`, `.tar.gz`/`.tgz`, `.zip`), entirely in
//! memory, with one set of rules for every caller.
//!
//! - **Regular files only.** Directory entries are noted (for conflict checks) and otherwise
//!   ignored; a symbolic link, hard link, device, FIFO or any other entry that a caller keeps is
//!   refused ([`ArchiveError::NotRegularFile`]). Entries a caller skips ([`Select::Skip`]) are
//!   still checked for unsafe names, so a hostile archive is refused whatever is selected.
//! - **Safe names.** Every name must be UTF-8 ([`ArchiveError::NonUtf8Name`]) and relative,
//!   without `..`, backslashes, drive letters or control characters
//!   ([`ArchiveError::UnsafePath`]). `.` and empty components are dropped, so `./a//b` is `a/b`.
//! - **PAX and GNU long names are honoured**, and checked: an entry whose PAX `path` (or GNU
//!   long name) disagrees with its plain header name, other than by the truncation or ASCII
//!   folding that tar writers do for long or non-ASCII names, is refused
//!   ([`ArchiveError::PaxMismatch`]): a reader that ignores the extension header would see
//!   another file. A global PAX header that sets a `path` is refused the same way.
//! - **No ambiguity.** A path that appears twice, also when the two differ only in case
//!   ([`ArchiveError::Duplicate`]), and a path that is both a file and a directory
//!   ([`ArchiveError::FileDirConflict`]), are refused.
//! - **Caps** ([`Limits`]): number of entries, size of one kept file, total size of the kept
//!   files, and total bytes decompressed (a gzip or zip bomb stops at the cap instead of filling
//!   memory).
//!
//! Nothing touches the filesystem: callers get the files' bytes and write them where they
//! choose.
//!
//! ```
//! use safe_archive::{read, Limits, Select};
//!
//! // A .tar.gz made in memory: one directory with two files.
//! let mut tar = tar::Builder::new(Vec::new());
//! for (path, data) in [("chart/Chart.yaml", "name: chart\n"), ("chart/values.yaml", "a: 1\n")] {
//!     let mut h = tar::Header::new_ustar();
//!     h.set_size(data.len() as u64);
//!     h.set_mode(0o644);
//!     tar.append_data(&mut h, path, data.as_bytes()).unwrap();
//! }
//! let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
//! std::io::Write::write_all(&mut gz, &tar.into_inner().unwrap()).unwrap();
//! let bytes = gz.finish().unwrap();
//!
//! // Every file, then the single top-level directory stripped.
//! let chart = read(&bytes, &Limits::default()).unwrap().strip_root().unwrap();
//! assert_eq!(chart.root, "chart");
//! assert_eq!(chart.files[0].path, "Chart.yaml");
//!
//! // Only what is selected is kept (and read into memory).
//! let some = safe_archive::read_selected(&bytes, &Limits::default(), |e| {
//!     if e.path.ends_with("values.yaml") { Select::Keep } else { Select::Skip }
//! })
//! .unwrap();
//! assert_eq!(some.files.len(), 1);
//! ```

mod path;
mod tarball;
mod zipfile;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

pub use path::PathProblem;

/// Caps for one archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Entries of any kind (files, directories, links, skipped or kept).
    pub max_entries: usize,
    /// Bytes of one kept file.
    pub max_file_bytes: u64,
    /// Bytes of all kept files together.
    pub max_total_bytes: u64,
    /// Bytes decompressed in all (tar headers and skipped entries included): the bomb cap.
    pub max_expanded_bytes: u64,
}

impl Default for Limits {
    /// 10,000 entries, 32 MiB per file, 256 MiB kept, 1 GiB decompressed.
    fn default() -> Self {
        Limits {
            max_entries: 10_000,
            max_file_bytes: 32 * 1024 * 1024,
            max_total_bytes: 256 * 1024 * 1024,
            max_expanded_bytes: 1024 * 1024 * 1024,
        }
    }
}

/// An archive format, detected from the bytes ([`Format::detect`]) or a file name
/// ([`Format::from_name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Tar,
    TarGz,
    Zip,
}

impl Format {
    /// The format of an archive by its first bytes: gzip magic (taken as a gzip-compressed
    /// tar), a zip local or end-of-directory header, or a POSIX/GNU tar header.
    pub fn detect(bytes: &[u8]) -> Option<Format> {
        if bytes.starts_with(&[0x1f, 0x8b]) {
            Some(Format::TarGz)
        } else if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
            Some(Format::Zip)
        } else if bytes.len() >= 262 && &bytes[257..262] == b"ustar" {
            Some(Format::Tar)
        } else {
            None
        }
    }

    /// The format a file name (or URL) announces: `.tar.gz`, `.tgz`, `.zip`, `.tar`.
    pub fn from_name(name: &str) -> Option<Format> {
        let name = name.split(['?', '#']).next().unwrap_or(name);
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
            Some(Format::TarGz)
        } else if lower.ends_with(".zip") {
            Some(Format::Zip)
        } else if lower.ends_with(".tar") {
            Some(Format::Tar)
        } else {
            None
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Tar => "tar",
            Format::TarGz => "tar.gz",
            Format::Zip => "zip",
        })
    }
}

/// What an archive entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Directory,
    Symlink,
    HardLink,
    CharDevice,
    BlockDevice,
    Fifo,
    /// Sparse files, sockets, vendor extensions.
    Other,
}

impl fmt::Display for EntryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EntryKind::File => "regular file",
            EntryKind::Directory => "directory",
            EntryKind::Symlink => "symbolic link",
            EntryKind::HardLink => "hard link",
            EntryKind::CharDevice => "character device",
            EntryKind::BlockDevice => "block device",
            EntryKind::Fifo => "FIFO",
            EntryKind::Other => "special entry",
        })
    }
}

/// An entry as the selection callback of [`read_selected`] sees it: its checked, normalized
/// path, its kind and its declared size. Directories are not offered.
#[derive(Debug, Clone, Copy)]
pub struct EntryInfo<'a> {
    pub path: &'a str,
    pub kind: EntryKind,
    pub size: u64,
}

/// Whether [`read_selected`] keeps an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Select {
    /// Read it (it must be a regular file within the caps).
    Keep,
    /// Leave it out (its name is still checked).
    Skip,
}

/// A kept file: its normalized `/`-separated path and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub data: Vec<u8>,
}

/// The kept files of an archive, in archive order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Files {
    pub files: Vec<File>,
}

/// Files below a single top-level directory ([`Files::strip_root`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rooted {
    /// The top-level directory's name.
    pub root: String,
    /// The files, paths relative to `root`, in archive order.
    pub files: Vec<File>,
}

impl Files {
    /// The files by path.
    pub fn into_map(self) -> BTreeMap<String, Vec<u8>> {
        self.files.into_iter().map(|f| (f.path, f.data)).collect()
    }

    /// Strips the single top-level directory every file must be under (as chart archives and
    /// source tarballs are laid out). Files directly at the top level, files under two
    /// different top-level directories, and an archive without files are refused.
    pub fn strip_root(self) -> Result<Rooted, ArchiveError> {
        let mut root: Option<String> = None;
        let mut files = Vec::with_capacity(self.files.len());
        for f in self.files {
            let Some((top, rest)) = f.path.split_once('/') else {
                return Err(ArchiveError::FileAtRoot { path: f.path });
            };
            match &root {
                None => root = Some(top.to_string()),
                Some(r) if r != top => {
                    return Err(ArchiveError::SeveralRoots {
                        first: r.clone(),
                        other: f.path.clone(),
                    });
                }
                Some(_) => {}
            }
            files.push(File {
                path: rest.to_string(),
                data: f.data,
            });
        }
        let root = root.ok_or(ArchiveError::Empty)?;
        Ok(Rooted { root, files })
    }
}

impl Rooted {
    /// The files by path (relative to the root).
    pub fn into_map(self) -> BTreeMap<String, Vec<u8>> {
        self.files.into_iter().map(|f| (f.path, f.data)).collect()
    }
}

/// Why an archive was refused. Paths are shown as written in the archive (lossily decoded
/// where they are not UTF-8).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ArchiveError {
    #[error("not a tar, tar.gz or zip archive")]
    UnknownFormat,
    #[error("malformed {format} archive: {reason}")]
    Corrupt { format: Format, reason: String },
    #[error("entry `{path}` is a {kind}; only regular files are allowed")]
    NotRegularFile { path: String, kind: EntryKind },
    #[error("entry `{path}` has an unsafe path ({problem})")]
    UnsafePath { path: String, problem: PathProblem },
    #[error("entry name {lossy:?} is not UTF-8")]
    NonUtf8Name { lossy: String },
    #[error(
        "entry `{plain}` carries the extended name `{extended}`, which disagrees with it (a reader that ignores the extension would see another file)"
    )]
    PaxMismatch { plain: String, extended: String },
    #[error("entry `{path}` appears twice (also as `{first}`)")]
    Duplicate { path: String, first: String },
    #[error("`{path}` is both a file and a directory")]
    FileDirConflict { path: String },
    #[error("more than {max} entries")]
    TooManyEntries { max: usize },
    #[error("entry `{path}` is larger than {max} bytes")]
    FileTooLarge { path: String, max: u64 },
    #[error("the selected files are larger than {max} bytes in all")]
    TooLarge { max: u64 },
    #[error("the archive expands to more than {max} bytes (a decompression bomb?)")]
    Bomb { max: u64 },
    #[error("entries are not all under one top-level directory (`{first}` and `{other}`)")]
    SeveralRoots { first: String, other: String },
    #[error("entry `{path}` is at the top level, outside the archive's directory")]
    FileAtRoot { path: String },
    #[error("the archive holds no files")]
    Empty,
}

/// Reads every file of an archive (format detected from its bytes).
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Files, ArchiveError> {
    read_selected(bytes, limits, |_| Select::Keep)
}

/// Reads the files of an archive that `select` keeps (format detected from its bytes). Every
/// entry's name is checked, kept or not; only kept entries must be regular files and count
/// towards the per-file and total caps.
pub fn read_selected(
    bytes: &[u8],
    limits: &Limits,
    select: impl FnMut(&EntryInfo<'_>) -> Select,
) -> Result<Files, ArchiveError> {
    let format = Format::detect(bytes).ok_or(ArchiveError::UnknownFormat)?;
    read_format(bytes, format, limits, select)
}

/// [`read_selected`] for a known format.
pub fn read_format(
    bytes: &[u8],
    format: Format,
    limits: &Limits,
    select: impl FnMut(&EntryInfo<'_>) -> Select,
) -> Result<Files, ArchiveError> {
    let mut c = Collector::new(*limits, format, select);
    match format {
        Format::Tar => tarball::read(bytes, &mut c, false)?,
        Format::TarGz => tarball::read(bytes, &mut c, true)?,
        Format::Zip => zipfile::read(bytes, &mut c)?,
    }
    Ok(Files { files: c.files })
}

/// The checks every entry goes through, whatever the format.
struct Collector<F> {
    limits: Limits,
    format: Format,
    select: F,
    entries: usize,
    total: u64,
    /// Lowercased path of every file seen -> the path as written.
    files_lower: HashMap<String, String>,
    /// Every directory seen (explicit entries and parents of files), lowercased.
    dirs_lower: HashSet<String>,
    files: Vec<File>,
}

/// What a format reader does next with an entry.
enum Next {
    Skip,
    /// Read the file's bytes and hand them to [`Collector::file`] under this path.
    Read(String),
}

impl<F: FnMut(&EntryInfo<'_>) -> Select> Collector<F> {
    fn new(limits: Limits, format: Format, select: F) -> Self {
        Collector {
            limits,
            format,
            select,
            entries: 0,
            total: 0,
            files_lower: HashMap::new(),
            dirs_lower: HashSet::new(),
            files: Vec::new(),
        }
    }

    fn corrupt(&self, reason: impl Into<String>) -> ArchiveError {
        ArchiveError::Corrupt {
            format: self.format,
            reason: reason.into(),
        }
    }

    /// Counts an entry that is not a member (a global header).
    fn count(&mut self) -> Result<(), ArchiveError> {
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            return Err(ArchiveError::TooManyEntries {
                max: self.limits.max_entries,
            });
        }
        Ok(())
    }

    /// One member: `name` is its effective name (bytes), checked here.
    fn entry(&mut self, name: &[u8], kind: EntryKind, size: u64) -> Result<Next, ArchiveError> {
        self.count()?;
        let name = std::str::from_utf8(name).map_err(|_| ArchiveError::NonUtf8Name {
            lossy: String::from_utf8_lossy(name).into_owned(),
        })?;
        let path = path::normalize(name).map_err(|problem| ArchiveError::UnsafePath {
            path: name.to_string(),
            problem,
        })?;
        if kind == EntryKind::Directory {
            let lower = path.to_lowercase();
            if let Some(file) = self.files_lower.get(&lower) {
                return Err(ArchiveError::FileDirConflict { path: file.clone() });
            }
            self.parents(&path)?;
            self.dirs_lower.insert(lower);
            return Ok(Next::Skip);
        }
        let keep = (self.select)(&EntryInfo {
            path: &path,
            kind,
            size,
        });
        if keep == Select::Skip {
            return Ok(Next::Skip);
        }
        if kind != EntryKind::File {
            return Err(ArchiveError::NotRegularFile {
                path: name.to_string(),
                kind,
            });
        }
        let lower = path.to_lowercase();
        if let Some(first) = self.files_lower.get(&lower) {
            return Err(ArchiveError::Duplicate {
                path: name.to_string(),
                first: first.clone(),
            });
        }
        if self.dirs_lower.contains(&lower) {
            return Err(ArchiveError::FileDirConflict { path });
        }
        self.parents(&path)?;
        if size > self.limits.max_file_bytes {
            return Err(ArchiveError::FileTooLarge {
                path,
                max: self.limits.max_file_bytes,
            });
        }
        self.files_lower.insert(lower, path.clone());
        Ok(Next::Read(path))
    }

    /// Every parent directory of `path` must not be a file.
    fn parents(&mut self, path: &str) -> Result<(), ArchiveError> {
        let mut end = 0;
        while let Some(i) = path[end..].find('/') {
            let parent = &path[..end + i];
            let lower = parent.to_lowercase();
            if self.files_lower.contains_key(&lower) {
                return Err(ArchiveError::FileDirConflict {
                    path: parent.to_string(),
                });
            }
            self.dirs_lower.insert(lower);
            end += i + 1;
        }
        Ok(())
    }

    /// The bytes of a kept file (read with at most `max_file_bytes + 1` bytes).
    fn file(&mut self, path: String, data: Vec<u8>) -> Result<(), ArchiveError> {
        if data.len() as u64 > self.limits.max_file_bytes {
            return Err(ArchiveError::FileTooLarge {
                path,
                max: self.limits.max_file_bytes,
            });
        }
        self.total += data.len() as u64;
        if self.total > self.limits.max_total_bytes {
            return Err(ArchiveError::TooLarge {
                max: self.limits.max_total_bytes,
            });
        }
        self.files.push(File { path, data });
        Ok(())
    }
}

/// Whether a plain header name agrees with the extended name (PAX `path`, GNU long name) that
/// overrides it: equal, or what tar writers put in the plain field for a name that does not
/// fit it (a truncation) or is not ASCII (the name with non-ASCII bytes dropped or replaced).
fn names_agree(plain: &[u8], extended: &[u8]) -> bool {
    let trim = |b: &[u8]| -> Vec<u8> {
        let mut v = b.to_vec();
        while v.last() == Some(&b'/') {
            v.pop();
        }
        v
    };
    let (plain, extended) = (trim(plain), trim(extended));
    if plain.is_empty() || plain == extended {
        return true;
    }
    // Truncated to the 100-byte name field (or the 155+100 ustar prefix split).
    if extended.len() >= 100 && extended.starts_with(&plain) && plain.len() >= 90 {
        return true;
    }
    if !extended.is_ascii() {
        let dropped: Vec<u8> = extended.iter().copied().filter(u8::is_ascii).collect();
        if plain == dropped {
            return true;
        }
        // Non-ASCII characters replaced one for one by a placeholder byte.
        if let Ok(s) = std::str::from_utf8(&extended) {
            let replaced: Vec<u8> = s
                .chars()
                .map(|c| if c.is_ascii() { c as u8 } else { b'?' })
                .collect();
            let underscored: Vec<u8> = replaced
                .iter()
                .map(|&b| if b == b'?' { b'_' } else { b })
                .collect();
            if plain == replaced || plain == underscored {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(Format::from_name("x/v1.0.0.tar.gz"), Some(Format::TarGz));
        assert_eq!(Format::from_name("a.TGZ?x=1"), Some(Format::TarGz));
        assert_eq!(Format::from_name("a.zip"), Some(Format::Zip));
        assert_eq!(Format::from_name("a.tar"), Some(Format::Tar));
        assert_eq!(Format::from_name("a.yaml"), None);
        assert_eq!(Format::detect(b"PK\x03\x04rest"), Some(Format::Zip));
        assert_eq!(Format::detect(&[0x1f, 0x8b, 8]), Some(Format::TarGz));
        assert_eq!(Format::detect(b"hello"), None);
    }

    #[test]
    fn name_agreement() {
        assert!(names_agree(b"a/b.yaml", b"a/b.yaml"));
        assert!(names_agree(b"a/b/", b"a/b"));
        assert!(names_agree(b"", b"a"));
        assert!(!names_agree(b"a/b.yaml", b"a/c.yaml"));
        let long = "d/".repeat(60) + "file.yaml";
        assert!(names_agree(&long.as_bytes()[..100], long.as_bytes()));
        assert!(!names_agree(b"d/", long.as_bytes()));
        assert!(names_agree(b"caf.yaml", "café.yaml".as_bytes()));
        assert!(names_agree(b"caf_.yaml", "café.yaml".as_bytes()));
        assert!(!names_agree(b"evil.yaml", "café.yaml".as_bytes()));
    }
}
