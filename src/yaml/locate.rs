//! Finds where a node sits in the source text, for diagnostics that point at a line (e.g. the
//! `image:` value of a container). It re-reads the events of one document and follows the path;
//! keys brought in by merge keys (`<<`) are not followed.

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
