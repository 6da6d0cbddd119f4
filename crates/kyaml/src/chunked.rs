//! Parsing one large multi-document stream on several cores, with exactly the result of
//! [`parse_documents`](crate::parse_documents).
//!
//! The stream is cut before document markers: a line that starts with `---` followed by a
//! blank or the end of the line. At column 0 such a line ends whatever came before it (YAML
//! forbids it inside any scalar or collection), and anchors, tags and scanner state do not
//! cross documents, so each piece parses to the documents the whole stream has there. Streams
//! with directives (`%` at the start of a line) or document end markers (`...`) are parsed
//! whole, as are small ones. Whenever a piece fails to parse, or aliases add more nodes than
//! the smallest alias budget (a budget counted over the whole stream), the whole stream is
//! parsed again in one piece, so errors and limits are those of the sequential parse.

use rayon::prelude::*;

use crate::parse::{ALIAS_BUDGET_MIN, parse_stream_counted};
use crate::{Dialect, Document, YamlError};

/// Streams smaller than this are parsed in one piece.
pub const PARALLEL_BYTES: usize = 256 * 1024;

/// Pieces are at least this large (a few per core is plenty).
const MIN_PIECE_BYTES: usize = 64 * 1024;

/// Every document of a stream, as [`parse_documents`](crate::parse_documents) returns them, parsed
/// in pieces on rayon's pool when the stream is large.
pub fn parse_documents_parallel(src: &str, dialect: Dialect) -> Result<Vec<Document>, YamlError> {
    Ok(parse_pieces(src, dialect)?
        .into_iter()
        .flat_map(|p| p.documents)
        .collect())
}

/// A piece of a stream that was parsed on its own.
#[derive(Debug)]
pub struct Piece {
    /// Where the piece is in the stream (its text is `&src[range]`).
    pub range: std::ops::Range<usize>,
    /// The piece's documents, with lines counted from the start of the whole stream.
    pub documents: Vec<Document>,
}

/// The documents of a stream, grouped by the piece each was parsed in: one piece when the
/// stream is small or cannot be cut, and always the documents and errors of the whole stream.
pub fn parse_pieces(src: &str, dialect: Dialect) -> Result<Vec<Piece>, YamlError> {
    let whole = |src: &str| {
        Ok(vec![Piece {
            range: 0..src.len(),
            documents: crate::parse_documents(src, dialect)?,
        }])
    };
    // Small streams never touch rayon (asking for its thread count starts its pool).
    if src.len() < PARALLEL_BYTES {
        return whole(src);
    }
    let pieces = pieces(src, rayon::current_num_threads());
    if pieces.len() < 2 {
        return whole(src);
    }
    let parsed: Vec<Result<(Piece, usize), YamlError>> = pieces
        .par_iter()
        .map(|&(start, end, line)| {
            let (mut documents, aliased) =
                parse_stream_counted(&src[start..end], dialect, usize::MAX)?;
            for d in &mut documents {
                d.start.line += line;
            }
            Ok((
                Piece {
                    range: start..end,
                    documents,
                },
                aliased,
            ))
        })
        .collect();
    let mut out = Vec::with_capacity(parsed.len());
    let mut aliased = 0usize;
    for p in parsed {
        let Ok((piece, n)) = p else {
            return whole(src);
        };
        aliased += n;
        out.push(piece);
    }
    if aliased > ALIAS_BUDGET_MIN {
        return whole(src);
    }
    Ok(out)
}

/// Byte ranges to parse separately, each with the number of lines before it; one range when
/// the stream is small or cannot be cut safely.
fn pieces(src: &str, threads: usize) -> Vec<(usize, usize, u32)> {
    let whole = vec![(0, src.len(), 0)];
    if src.len() < PARALLEL_BYTES {
        return whole;
    }
    let target = (src.len() / (threads.max(1) * 4)).max(MIN_PIECE_BYTES);
    let mut out = Vec::new();
    let (mut start, mut start_line) = (0usize, 0u32);
    let mut offset = 0usize;
    for (line, text) in src.split_inclusive('\n').enumerate() {
        if text.starts_with('%') || is_marker(text, "...") {
            return whole;
        }
        if offset > 0 && offset - start >= target && is_marker(text, "---") {
            out.push((start, offset, start_line));
            (start, start_line) = (offset, line as u32);
        }
        offset += text.len();
    }
    out.push((start, src.len(), start_line));
    out
}

/// Whether a line is the document marker `marker` (followed by a blank or the line's end).
fn is_marker(line: &str, marker: &str) -> bool {
    line.strip_prefix(marker)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_documents;

    fn big(doc: &str, n: usize) -> String {
        (0..n)
            .map(|i| doc.replace("NAME", &i.to_string()))
            .collect()
    }

    fn same(src: &str) {
        let pieces = pieces(src, 2);
        assert!(pieces.len() > 1, "the test stream must be cut");
        assert_eq!(
            parse_documents_parallel(src, Dialect::Kube),
            parse_documents(src, Dialect::Kube)
        );
        assert_eq!(
            parse_documents_parallel(src, Dialect::Helm),
            parse_documents(src, Dialect::Helm)
        );
    }

    const DOC: &str = "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: NAME\n  a: &x {k: v}\n  b: *x\ndata:\n  keep: |+\n    text\n\n  fold: >\n    a\n    b\n  plain: one\n    two\n  # comment\n  q: \"multi\n    line\"\n";

    #[test]
    fn pieces_give_the_documents_of_the_whole_stream() {
        same(&big(DOC, 3000));
        // Empty documents, comments between documents, a document without a marker first,
        // markers with trailing text, CRLF line ends, block scalars that end at a marker.
        let mixed = format!(
            "a: 1\n{}---\n---\n# c\n--- # marker comment\nb: 2\n--- |\n  top level\n---\r\nc: 3\r\n{}",
            big(DOC, 1500),
            big("---\nk: |-\n  NAME\n\n\n---\nx: NAME\n", 3000)
        );
        same(&mixed);
    }

    #[test]
    fn errors_and_limits_are_those_of_the_whole_stream() {
        // A syntax error in a later piece: the same error, at the same line.
        let bad = format!("{}---\na: [1, 2\n{}", big(DOC, 2000), big(DOC, 2000));
        assert!(pieces(&bad, 2).len() > 1);
        let err = parse_documents_parallel(&bad, Dialect::Kube).unwrap_err();
        assert_eq!(Err(err), parse_documents(&bad, Dialect::Kube));
        // A duplicate key (a builder error) far into the stream.
        let dup = format!("{}---\na: 1\na: 2\n", big(DOC, 3000));
        assert_eq!(
            parse_documents_parallel(&dup, Dialect::Kube),
            parse_documents(&dup, Dialect::Kube)
        );
        // An alias to an anchor of another document is unknown, in pieces as in the whole.
        let cross = format!("{}---\nb: *x\n", big(DOC, 3000));
        assert_eq!(
            parse_documents_parallel(&cross, Dialect::Kube),
            parse_documents(&cross, Dialect::Kube)
        );
    }

    #[test]
    fn directives_and_end_markers_keep_the_stream_whole() {
        let with_end = format!("{}...\n", big(DOC, 3000));
        assert_eq!(pieces(&with_end, 2).len(), 1);
        let with_directive = format!("%YAML 1.2\n{}", big(DOC, 3000));
        assert_eq!(pieces(&with_directive, 2).len(), 1);
        assert_eq!(pieces("a: 1\n---\nb: 2\n", 2).len(), 1);
    }
}
