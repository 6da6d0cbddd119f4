//! Where each image sits: the `image:` field in the vendored file, found by parsing only the
//! document it is in. `check` asks only for the images that break the policy, so a file's text
//! is needed only when one of its images does (a loaded file keeps its text only where it
//! must, and reads it again otherwise: [`LoadedFile::text`]); `images` asks for every image. Each file's document
//! starts are indexed once ([`DocIndex`]), so locating one image costs the size of its
//! document, not of its file. Objects are looked at on all cores; the sites come in the order
//! of the objects.

use std::sync::OnceLock;

use rayon::prelude::*;

use crate::config::Config;
use crate::diag::Pos;
use crate::policy;
use crate::report::model::ImageSite;
use kyaml::PathSeg;
use kyaml::manifest::{self as resources, LoadedFile, Resource};

/// The byte offset of every document start line of one loaded file.
#[derive(Debug, Default)]
pub struct DocIndex {
    /// Distinct start lines of the file's resources, ascending, with the byte offset of each
    /// line (`None`: the line is past the end of the text).
    lines: Vec<(u32, Option<usize>)>,
    /// Whether the resources are in ascending line order (always, for files read in order).
    sorted: bool,
}

impl DocIndex {
    /// Indexes the documents of `file` in one pass over its text.
    pub fn new(file: &LoadedFile, text: &str) -> DocIndex {
        let mut wanted: Vec<u32> = file.resources.iter().map(|r| r.start.line).collect();
        let sorted = wanted.is_sorted();
        wanted.sort_unstable();
        wanted.dedup();
        let mut lines = Vec::with_capacity(wanted.len());
        let mut newlines = text.match_indices('\n').map(|(i, _)| i + 1);
        // The line the iterator has reached, and its offset.
        let (mut line, mut offset) = (1u32, Some(0usize));
        for want in wanted {
            while line < want && offset.is_some() {
                offset = newlines.next();
                line += 1;
            }
            lines.push((want, if line == want { offset } else { None }));
        }
        DocIndex { lines, sorted }
    }

    /// Byte offset of the start of 1-based `line`, which must be a document start line.
    fn offset(&self, line: u32) -> Option<usize> {
        let i = self.lines.binary_search_by_key(&line, |(l, _)| *l).ok()?;
        self.lines[i].1
    }

    /// The first document start line after `line`.
    fn next_start(&self, line: u32) -> Option<u32> {
        let i = self.lines.partition_point(|(l, _)| *l <= line);
        self.lines.get(i).map(|(l, _)| *l)
    }

    /// The document of `file` an object that starts at `line` came from: the last one that
    /// starts at or before it.
    fn document_at<'f>(&self, file: &'f LoadedFile, line: u32) -> Option<&'f Resource> {
        if self.sorted {
            let i = file.resources.partition_point(|d| d.start.line <= line);
            return i.checked_sub(1).map(|i| &file.resources[i]);
        }
        file.resources
            .iter()
            .filter(|d| d.start.line <= line)
            .max_by_key(|d| d.start.line)
    }
}

/// Which images to locate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    Every,
    BreakingPolicy,
}

/// A file's text with its documents indexed, made when the first image of the file is located
/// (`None`: the text cannot be read again, and images are placed at their object's start).
type Located<'f> = OnceLock<Option<(&'f str, DocIndex)>>;

fn text_of<'c, 'f>(file: &'f LoadedFile, cell: &'c Located<'f>) -> Option<(&'f str, &'c DocIndex)> {
    cell.get_or_init(|| file.text().map(|text| (text, DocIndex::new(file, text))))
        .as_ref()
        .map(|(text, index)| (*text, index))
}

/// Sites of the images in the vendored files as they are (no overlay).
pub fn of_files(config: &Config, file: &LoadedFile, wanted: Wanted) -> Vec<ImageSite> {
    let located = Located::new();
    let per_resource: Vec<Vec<ImageSite>> = file
        .resources
        .par_iter()
        .map(|r| {
            let locate = |path: &[PathSeg]| {
                let (text, index) = text_of(file, &located)?;
                locate_in_doc(text, index, r, path)
            };
            sites_of(config, &r.value, &r.file, wanted, locate, r.start)
        })
        .collect();
    per_resource.into_iter().flatten().collect()
}

/// Sites of the images in an overlay's output. Each points at the `image:` field of the
/// upstream document the object came from (found by the origin's file and line), or at the
/// object's origin when that document is not one of the vendored files.
pub fn of_build(
    config: &Config,
    files: &[LoadedFile],
    built: &[kustomize::Resource],
    wanted: Wanted,
) -> Vec<ImageSite> {
    // Each file is read and indexed once, by whichever object first needs it.
    let located: Vec<Located> = files.iter().map(|_| Located::new()).collect();
    let per_object: Vec<Vec<ImageSite>> = built
        .par_iter()
        .map(|r| {
            let origin = files.iter().position(|f| f.file == r.file);
            let locate = |path: &[PathSeg]| {
                let i = origin?;
                let (text, index) = text_of(&files[i], &located[i])?;
                let doc = index.document_at(&files[i], r.start.line)?;
                locate_in_doc(text, index, doc, path)
            };
            let start = Pos {
                line: r.start.line.max(1),
                column: 1,
            };
            sites_of(config, &r.value, &r.file, wanted, locate, start)
        })
        .collect();
    per_object.into_iter().flatten().collect()
}

/// The wanted image sites of one object of `file`: each at the position `locate` finds for
/// its field's path, else at `start`.
fn sites_of(
    config: &Config,
    object: &kyaml::Value,
    file: &str,
    wanted: Wanted,
    locate: impl Fn(&[PathSeg]) -> Option<Pos>,
    start: Pos,
) -> Vec<ImageSite> {
    policy::image::images_of(object)
        .into_iter()
        .filter_map(|u| {
            let violations = policy::image::judge(&u.image, &config.policy);
            if violations.is_empty() && wanted == Wanted::BreakingPolicy {
                return None;
            }
            Some(ImageSite {
                violations,
                pos: locate(&path_segs(&u.path)).or(Some(start)),
                image: u.image,
                file: file.to_string(),
                resource: resources::display_id(object),
                container: u.container,
            })
        })
        .collect()
}

/// Locates `path` inside one document of a file's `text`, parsing only that document: from the
/// line its content starts on to the start of the next document.
fn locate_in_doc(text: &str, index: &DocIndex, doc: &Resource, path: &[PathSeg]) -> Option<Pos> {
    if doc.start.column != 1 {
        return kyaml::locate(text, doc.doc_index, path);
    }
    let from = index.offset(doc.start.line)?;
    let to = index
        .next_start(doc.start.line)
        .and_then(|l| index.offset(l))
        .unwrap_or(text.len());
    let mut pos = kyaml::locate(&text[from..to], 0, path)?;
    pos.line += doc.start.line - 1;
    Some(pos)
}

fn path_segs(path: &[policy::image::PathPart]) -> Vec<PathSeg<'_>> {
    path.iter()
        .map(|p| match p {
            policy::image::PathPart::Key(k) => PathSeg::Key(k),
            policy::image::PathPart::Index(i) => PathSeg::Index(*i),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The old way: the offset of a line by counting newlines from the start of the text.
    fn line_offset(text: &str, line: u32) -> Option<usize> {
        if line <= 1 {
            return Some(0);
        }
        text.match_indices('\n')
            .nth(line as usize - 2)
            .map(|(i, _)| i + 1)
    }

    #[test]
    fn index_agrees_with_counting_lines() {
        let text = "# c\n---\napiVersion: v1\nkind: A\n---\n\n---\napiVersion: v1\nkind: B\nspec:\n  x: 1\n---\napiVersion: v1\nkind: C";
        let file = resources::LoadedFile::from_text(
            "f.yaml".into(),
            text.into(),
            resources::parse(text, "f.yaml", policy::VENDORED_FILES).unwrap(),
        );
        assert_eq!(file.resources.len(), 3);
        let index = DocIndex::new(&file, text);
        for r in &file.resources {
            assert_eq!(
                index.offset(r.start.line),
                line_offset(text, r.start.line),
                "{r:?}"
            );
            let next = file
                .resources
                .iter()
                .filter(|x| x.start.line > r.start.line)
                .map(|x| x.start.line)
                .min();
            assert_eq!(index.next_start(r.start.line), next);
        }
        for line in 0..20 {
            let old = file
                .resources
                .iter()
                .filter(|d| d.start.line <= line)
                .max_by_key(|d| d.start.line);
            assert_eq!(index.document_at(&file, line), old, "line {line}");
        }
        // A start line past the end of the text (cannot happen for parsed text) has no offset.
        let mut short = file.clone();
        short.resources[2].start.line = 99;
        assert_eq!(DocIndex::new(&short, text).offset(99), None);
    }
}
