//! zip: names and kinds from the central directory; only kept entries are decompressed, each
//! through the per-file cap, all through the expanded-size cap.

use std::io::{Cursor, Read};

use crate::{ArchiveError, Collector, EntryInfo, EntryKind, Next, Select};

fn kind_of(is_dir: bool, unix_mode: Option<u32>) -> EntryKind {
    if is_dir {
        return EntryKind::Directory;
    }
    match unix_mode.map(|m| m & 0o170_000) {
        None | Some(0) | Some(0o100_000) => EntryKind::File,
        Some(0o040_000) => EntryKind::Directory,
        Some(0o120_000) => EntryKind::Symlink,
        Some(0o020_000) => EntryKind::CharDevice,
        Some(0o060_000) => EntryKind::BlockDevice,
        Some(0o010_000) => EntryKind::Fifo,
        Some(_) => EntryKind::Other,
    }
}

pub(crate) fn read<F: FnMut(&EntryInfo<'_>) -> Select>(
    bytes: &[u8],
    c: &mut Collector<F>,
) -> Result<(), ArchiveError> {
    let format = c.format;
    let corrupt = move |e: zip::result::ZipError| ArchiveError::Corrupt {
        format,
        reason: e.to_string(),
    };
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
    if z.len() > c.limits.max_entries {
        return Err(ArchiveError::TooManyEntries {
            max: c.limits.max_entries,
        });
    }
    if z.is_empty() {
        return Err(ArchiveError::Empty);
    }
    let mut expanded = 0u64;
    for i in 0..z.len() {
        let (name, kind, size) = {
            let f = z.by_index_raw(i).map_err(corrupt)?;
            (
                f.name_raw().to_vec(),
                kind_of(f.is_dir(), f.unix_mode()),
                f.size(),
            )
        };
        let Next::Read(path) = c.entry(&name, kind, size)? else {
            continue;
        };
        let f = z.by_index(i).map_err(corrupt)?;
        let cap = c.limits.max_file_bytes + 1;
        let mut data = Vec::with_capacity(size.min(cap) as usize);
        f.take(cap)
            .read_to_end(&mut data)
            .map_err(|e| ArchiveError::Corrupt {
                format,
                reason: format!("entry `{path}`: {e}"),
            })?;
        expanded += data.len() as u64;
        if expanded > c.limits.max_expanded_bytes {
            return Err(ArchiveError::Bomb {
                max: c.limits.max_expanded_bytes,
            });
        }
        if data.len() as u64 != size && data.len() as u64 <= c.limits.max_file_bytes {
            return Err(c.corrupt(format!(
                "entry `{path}` holds {} bytes, not the {size} its header says",
                data.len()
            )));
        }
        c.file(path, data)?;
    }
    Ok(())
}
