//! Finds where a node sits in the source text, for diagnostics that point at a line (e.g. the
//! `image:` value of a container). It re-reads the events of one document and follows the path;
//! keys brought in by merge keys (`<<`) are not followed. To stay cheap when called once per
//! finding on multi-megabyte files, it finds the document's `---` line textually and parses
//! from there only.

use saphyr_parser::{Event, Parser};

use super::Pos;
use super::parse::{MAX_DEPTH, pos_of};

/// One step of a path into a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathSeg<'a> {
    /// A mapping key (compared with the key's text).
    Key(&'a str),
    /// A sequence index (0-based).
    Index(usize),
}

/// Position of the node at `path` in document `doc_index` (0-based, counting empty documents)
/// of `src`. For a mapping entry this is the position of the value. `None` when the path does
/// not exist or the text does not parse up to there.
pub fn locate(src: &str, doc_index: usize, path: &[PathSeg]) -> Option<Pos> {
    match document_offsets(src) {
        Some(starts) => {
            let &(offset, line) = starts.get(doc_index)?;
            let mut pos = locate_in(&src[offset..], 0, path)?;
            pos.line += line - 1;
            Some(pos)
        }
        None => locate_in(src, doc_index, path),
    }
}

/// Byte offset and line of each document's start, found from `---` lines; `None` when the
/// text has directives or `...` end markers (then the parser decides).
fn document_offsets(src: &str) -> Option<Vec<(usize, u32)>> {
    let mut starts = Vec::new();
    let mut content_before_marker = false;
    let mut offset = 0;
    for (index, line) in src.split_inclusive('\n').enumerate() {
        let line_number = index as u32 + 1;
        if is_marker(line, "---") {
            starts.push((offset, line_number));
        } else if is_marker(line, "...") || line.starts_with('%') {
            return None;
        } else if starts.is_empty() && !content_before_marker {
            let trimmed = line.trim_start_matches([' ', '\t', '\u{feff}']).trim_end();
            content_before_marker = !trimmed.is_empty() && !trimmed.starts_with('#');
        }
        offset += line.len();
    }
    if content_before_marker || starts.is_empty() {
        starts.insert(0, (0, 1));
    }
    Some(starts)
}

fn is_marker(line: &str, marker: &str) -> bool {
    line.strip_prefix(marker)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']))
}

fn locate_in(src: &str, doc_index: usize, path: &[PathSeg]) -> Option<Pos> {
    let mut parser = Parser::new_from_str(src);
    let mut doc = 0usize;
    // Skip to the document.
    loop {
        let (event, _) = parser.next_event()?.ok()?;
        match event {
            Event::DocumentStart(_) if doc == doc_index => break,
            Event::DocumentEnd => doc += 1,
            Event::StreamEnd => return None,
            _ => {}
        }
    }
    let mut remaining = path;
    loop {
        // The next event starts the node the path has reached.
        let (event, span) = parser.next_event()?.ok()?;
        let pos = pos_of(span.start);
        let Some((seg, rest)) = remaining.split_first() else {
            return match event {
                Event::DocumentEnd | Event::StreamEnd => None,
                _ => Some(pos),
            };
        };
        remaining = rest;
        match (event, seg) {
            (Event::MappingStart(..), PathSeg::Key(want)) => loop {
                let (key, _) = parser.next_event()?.ok()?;
                match key {
                    Event::MappingEnd => return None,
                    Event::Scalar(text, ..) if text == *want => break,
                    other => {
                        skip_node(&mut parser, &other)?;
                        let (value, _) = parser.next_event()?.ok()?;
                        skip_node(&mut parser, &value)?;
                    }
                }
            },
            (Event::SequenceStart(..), PathSeg::Index(want)) => {
                for _ in 0..*want {
                    let (item, _) = parser.next_event()?.ok()?;
                    if matches!(item, Event::SequenceEnd) {
                        return None;
                    }
                    skip_node(&mut parser, &item)?;
                }
            }
            _ => return None,
        }
    }
}

/// Consumes the rest of the node that `first` started.
fn skip_node<'a>(
    parser: &mut Parser<'a, saphyr_parser::StrInput<'a>>,
    first: &Event<'_>,
) -> Option<()> {
    let mut depth = match first {
        Event::SequenceStart(..) | Event::MappingStart(..) => 1usize,
        Event::SequenceEnd | Event::MappingEnd | Event::DocumentEnd | Event::StreamEnd => {
            return None;
        }
        _ => return Some(()),
    };
    while depth > 0 {
        let (event, _) = parser.next_event()?.ok()?;
        match event {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return None;
                }
            }
            Event::SequenceEnd | Event::MappingEnd => depth -= 1,
            Event::DocumentEnd | Event::StreamEnd => return None,
            _ => {}
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "a: 1\n---\nkind: Deployment\nspec:\n  containers:\n  - name: x\n    image: nginx:1.25\n  - name: y\n    image:   redis\n";

    #[test]
    fn fast_path_agrees_with_the_parser() {
        let sources = [
            SRC,
            "# c\n---\na: 1\n---\n---\nb: [x, {c: 2}]\n",
            "a: 1\n---\nb: 2\n---\n",
            "--- |\n  text\n--- \nb: 1\n",
            "",
            "# only a comment\n",
        ];
        let paths: [&[PathSeg]; 4] = [
            &[],
            &[PathSeg::Key("b")],
            &[PathSeg::Key("b"), PathSeg::Index(1), PathSeg::Key("c")],
            &[PathSeg::Key("a")],
        ];
        for src in sources {
            for doc in 0..5 {
                for path in paths {
                    assert_eq!(
                        locate(src, doc, path),
                        locate_in(src, doc, path),
                        "{src:?} doc {doc} {path:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn finds_values_by_path() {
        let p = |doc, path: &[PathSeg]| locate(SRC, doc, path).map(|p| (p.line, p.column));
        assert_eq!(p(0, &[PathSeg::Key("a")]), Some((1, 4)));
        assert_eq!(p(1, &[]), Some((3, 1)));
        let image1 = [
            PathSeg::Key("spec"),
            PathSeg::Key("containers"),
            PathSeg::Index(1),
            PathSeg::Key("image"),
        ];
        assert_eq!(p(1, &image1), Some((9, 14)));
        let image0 = [
            PathSeg::Key("spec"),
            PathSeg::Key("containers"),
            PathSeg::Index(0),
            PathSeg::Key("image"),
        ];
        assert_eq!(p(1, &image0), Some((7, 12)));
        assert_eq!(p(1, &[PathSeg::Key("nope")]), None);
        assert_eq!(
            p(
                1,
                &[
                    PathSeg::Key("spec"),
                    PathSeg::Key("containers"),
                    PathSeg::Index(5)
                ]
            ),
            None
        );
        assert_eq!(p(2, &[]), None);
    }
}
