//! tar and tar.gz, streamed through a decompressed-size cap.

use std::io::Read;

use crate::{ArchiveError, Collector, EntryInfo, EntryKind, Next, Select, names_agree};

/// A reader that fails once more than `left` bytes were read from it.
struct Capped<R> {
    inner: R,
    left: u64,
}

const BOMB: &str = "safe-archive: decompressed size limit exceeded";

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(std::io::Error::other(BOMB));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

fn kind_of(t: tar::EntryType) -> EntryKind {
    match t {
        tar::EntryType::Regular | tar::EntryType::Continuous => EntryKind::File,
        tar::EntryType::Directory => EntryKind::Directory,
        tar::EntryType::Symlink => EntryKind::Symlink,
        tar::EntryType::Link => EntryKind::HardLink,
        tar::EntryType::Char => EntryKind::CharDevice,
        tar::EntryType::Block => EntryKind::BlockDevice,
        tar::EntryType::Fifo => EntryKind::Fifo,
        _ => EntryKind::Other,
    }
}

pub(crate) fn read<F: FnMut(&EntryInfo<'_>) -> Select>(
    bytes: &[u8],
    c: &mut Collector<F>,
    gzip: bool,
) -> Result<(), ArchiveError> {
    let max = c.limits.max_expanded_bytes;
    let inner: Box<dyn Read + '_> = if gzip {
        Box::new(flate2::read::MultiGzDecoder::new(bytes))
    } else {
        Box::new(bytes)
    };
    let mut archive = tar::Archive::new(Capped { inner, left: max });
    let format = c.format;
    let io = move |e: std::io::Error| {
        if e.to_string().contains(BOMB) {
            ArchiveError::Bomb { max }
        } else {
            ArchiveError::Corrupt {
                format,
                reason: e.to_string(),
            }
        }
    };
    let mut any = false;
    for entry in archive.entries().map_err(io)? {
        let mut entry = entry.map_err(io)?;
        any = true;
        let t = entry.header().entry_type();
        if t.is_pax_global_extensions() {
            c.count()?;
            let mut path = None;
            if let Some(exts) = entry.pax_extensions().map_err(io)? {
                for e in exts {
                    let e = e.map_err(io)?;
                    if e.key_bytes() == b"path" {
                        path = Some(String::from_utf8_lossy(e.value_bytes()).into_owned());
                    }
                }
            }
            if let Some(extended) = path {
                return Err(ArchiveError::PaxMismatch {
                    plain: "(global header)".into(),
                    extended,
                });
            }
            continue;
        }
        let plain = entry.header().path_bytes().into_owned();
        let effective = entry.path_bytes().into_owned();
        let mut pax_path = None;
        if let Some(exts) = entry.pax_extensions().map_err(io)? {
            for e in exts {
                let e = e.map_err(io)?;
                if e.key_bytes() == b"path" {
                    pax_path = Some(e.value_bytes().to_vec());
                }
            }
        }
        // PAX values are UTF-8 by the standard; say so before comparing names.
        if std::str::from_utf8(&effective).is_err() {
            return Err(ArchiveError::NonUtf8Name {
                lossy: String::from_utf8_lossy(&effective).into_owned(),
            });
        }
        // A GNU long name and a PAX path that differ: two readers would see two names.
        if let Some(pax) = &pax_path
            && *pax != effective
        {
            return Err(ArchiveError::PaxMismatch {
                plain: String::from_utf8_lossy(&effective).into_owned(),
                extended: String::from_utf8_lossy(pax).into_owned(),
            });
        }
        if effective != plain && !names_agree(&plain, &effective) {
            return Err(ArchiveError::PaxMismatch {
                plain: String::from_utf8_lossy(&plain).into_owned(),
                extended: String::from_utf8_lossy(&effective).into_owned(),
            });
        }
        let size = entry.size();
        let kind = kind_of(t);
        match c.entry(&effective, kind, size)? {
            Next::Skip => {}
            Next::Read(path) => {
                let cap = c.limits.max_file_bytes + 1;
                let mut data = Vec::with_capacity(size.min(cap) as usize);
                (&mut entry).take(cap).read_to_end(&mut data).map_err(io)?;
                if (data.len() as u64) < size {
                    return Err(c.corrupt(format!("entry `{path}` is truncated")));
                }
                c.file(path, data)?;
            }
        }
    }
    // Read the rest of the stream, so that a truncated or corrupt gzip trailer is noticed.
    let mut rest = archive.into_inner();
    std::io::copy(&mut rest, &mut std::io::sink()).map_err(io)?;
    if !any {
        return Err(ArchiveError::Empty);
    }
    Ok(())
}
