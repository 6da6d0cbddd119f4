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
    let parsed = pieces.par_iter().map(|&(start, end, line)| {
        let (documents, aliased) = parse_piece(&src[start..end], line, dialect)?;
        let range = start..end;
        Some((Piece { range, documents }, aliased))
    });
    match all_within_budget(parsed) {
        Some(out) => Ok(out),
        None => whole(src),
    }
}

/// The documents of one piece, lines counted from the start of the stream, and the nodes its
/// aliases added; `None` when it fails to parse.
fn parse_piece(text: &str, lines_before: u32, dialect: Dialect) -> Option<(Vec<Document>, usize)> {
    let (mut documents, aliased) = parse_stream_counted(text, dialect, usize::MAX).ok()?;
    for d in &mut documents {
        d.start.line += lines_before;
    }
    Some((documents, aliased))
}

/// The parsed pieces in order; `None` (parse the stream whole, for its errors and limits) when
/// one failed or their aliases together went over the smallest alias budget.
fn all_within_budget<T: Send>(
    parsed: impl IndexedParallelIterator<Item = Option<(T, usize)>>,
) -> Option<Vec<T>> {
    let parsed: Vec<Option<(T, usize)>> = parsed.collect();
    let mut out = Vec::with_capacity(parsed.len());
    let mut aliased = 0usize;
    for p in parsed {
        let (piece, n) = p?;
        aliased += n;
        out.push(piece);
    }
    (aliased <= ALIAS_BUDGET_MIN).then_some(out)
}

/// Byte ranges to parse separately, each with the number of lines before it; one range when
/// the stream is small or cannot be cut safely.
fn pieces(src: &str, threads: usize) -> Vec<(usize, usize, u32)> {
    let whole = vec![(0, src.len(), 0)];
    let Some(mut cutter) = Cutter::new(src.len(), threads) else {
        return whole;
    };
    let mut out = Vec::new();
    let (mut start, mut start_line) = (0usize, 0u32);
    for text in src.split_inclusive('\n') {
        let (offset, line) = (cutter.offset, cutter.line);
        if cutter.cut_before(text.as_bytes()) {
            out.push((start, offset, start_line));
            (start, start_line) = (offset, line);
        }
        if cutter.uncuttable {
            return whole;
        }
    }
    out.push((start, src.len(), start_line));
    out
}

/// Where a stream is cut, decided line by line: before a document marker once the piece has
/// reached its target size; never in a stream with directives or document end markers.
struct Cutter {
    target: usize,
    /// Where the current piece starts, and how far the lines seen so far reach.
    start: usize,
    offset: usize,
    /// Lines seen so far.
    line: u32,
    uncuttable: bool,
}

impl Cutter {
    /// `None` when a stream of `len` bytes is parsed in one piece.
    fn new(len: usize, threads: usize) -> Option<Cutter> {
        (len >= PARALLEL_BYTES).then(|| Cutter {
            target: (len / (threads.max(1) * 4)).max(MIN_PIECE_BYTES),
            start: 0,
            offset: 0,
            line: 0,
            uncuttable: false,
        })
    }

    /// Takes the next line (with its line break); whether a piece ends before it.
    fn cut_before(&mut self, text: &[u8]) -> bool {
        if text.starts_with(b"%") || is_marker(text, b"...") {
            self.uncuttable = true;
        }
        let cut = !self.uncuttable
            && self.offset > 0
            && self.offset - self.start >= self.target
            && is_marker(text, b"---");
        if cut {
            self.start = self.offset;
        }
        self.offset += text.len();
        self.line += 1;
        cut
    }
}

/// Whether a line is the document marker `marker` (followed by a blank or the line's end).
fn is_marker(line: &[u8], marker: &[u8]) -> bool {
    line.strip_prefix(marker)
        .is_some_and(|rest| rest.is_empty() || matches!(rest[0], b' ' | b'\t' | b'\r' | b'\n'))
}

/// Reads a stream piece by piece, cut where [`parse_pieces`] cuts a stream of `len` bytes
/// (`len` is the expected size, such as the file's: it sets the piece size), each piece with
/// the number of lines before it. A small stream, or one that cannot be cut, is one piece. The
/// pieces can then be parsed and freed one by one ([`parse_read_pieces`]), so a large file's
/// whole text and its whole decoded tree are not held at the same time.
pub fn read_pieces(
    mut reader: impl std::io::BufRead,
    len: usize,
) -> std::io::Result<Vec<(Vec<u8>, u32)>> {
    // Small streams never touch rayon (asking for its thread count starts its pool).
    let cutter = (len >= PARALLEL_BYTES)
        .then(|| Cutter::new(len, rayon::current_num_threads()))
        .flatten();
    let Some(mut cutter) = cutter else {
        let mut all = Vec::with_capacity(len);
        reader.read_to_end(&mut all)?;
        return Ok(vec![(all, 0)]);
    };
    let mut out = Vec::new();
    let mut current = Vec::with_capacity(cutter.target);
    let mut current_line = 0;
    loop {
        // Each line is read straight into the current piece; only a line that starts a new
        // piece (a short `---` line) moves.
        let at = current.len();
        if reader.read_until(b'\n', &mut current)? == 0 {
            break;
        }
        let line = cutter.line;
        if cutter.cut_before(&current[at..]) {
            let mut next = Vec::with_capacity(cutter.target);
            next.extend_from_slice(&current[at..]);
            current.truncate(at);
            current.shrink_to_fit();
            out.push((std::mem::replace(&mut current, next), current_line));
            current_line = line;
        }
    }
    current.shrink_to_fit();
    out.push((current, current_line));
    if cutter.uncuttable && out.len() > 1 {
        let mut all = Vec::with_capacity(out.iter().map(|(p, _)| p.len()).sum());
        for (piece, _) in out {
            all.extend_from_slice(&piece);
        }
        return Ok(vec![(all, 0)]);
    }
    Ok(out)
}

/// One piece of [`parse_read_pieces`]: its documents (lines counted from the start of the
/// stream), and its text when the caller asked to keep it.
#[derive(Debug)]
pub struct ReadPiece {
    pub documents: Vec<Document>,
    pub text: Option<std::sync::Arc<str>>,
}

/// Parses the pieces [`read_pieces`] read (as text), on rayon's pool. Each piece's text is freed
/// as soon as it is parsed, unless `keep` asks for it given the piece's documents. `None` when
/// the stream must be parsed whole, for its errors and limits: a piece failed, or aliases went
/// over the smallest alias budget (as [`parse_pieces`] does).
pub fn parse_read_pieces(
    pieces: Vec<(String, u32)>,
    dialect: Dialect,
    keep: impl Fn(&[Document]) -> bool + Sync,
) -> Option<Vec<ReadPiece>> {
    all_within_budget(pieces.into_par_iter().map(|(text, line)| {
        let (documents, aliased) = parse_piece(&text, line, dialect)?;
        let text = keep(&documents).then(|| std::sync::Arc::from(text));
        Some((ReadPiece { documents, text }, aliased))
    }))
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
        read_in_pieces_is_the_same(src);
        assert_eq!(
            parse_documents_parallel(src, Dialect::Kube),
            parse_documents(src, Dialect::Kube)
        );
        assert_eq!(
            parse_documents_parallel(src, Dialect::Helm),
            parse_documents(src, Dialect::Helm)
        );
    }

    /// Reading in pieces cuts where [`pieces`] cuts, and parsing what was read gives the
    /// documents of the whole stream (or asks for the whole stream where it must).
    fn read_in_pieces_is_the_same(src: &str) {
        let read = read_pieces(src.as_bytes(), src.len()).unwrap();
        let cut = pieces(src, rayon::current_num_threads());
        let ranges: Vec<(usize, usize, u32)> = read
            .iter()
            .scan(0, |at, (text, line)| {
                let range = (*at, *at + text.len(), *line);
                *at += text.len();
                Some(range)
            })
            .collect();
        assert_eq!(ranges, cut);
        let texts: Vec<(String, u32)> = read
            .into_iter()
            .map(|(t, l)| (String::from_utf8(t).unwrap(), l))
            .collect();
        for dialect in [Dialect::Kube, Dialect::Helm] {
            let whole = parse_documents(src, dialect);
            match parse_read_pieces(texts.clone(), dialect, |_| true) {
                Some(parsed) => {
                    let kept: String = parsed.iter().map(|p| &**p.text.as_ref().unwrap()).collect();
                    assert_eq!(kept, src);
                    let docs: Vec<Document> =
                        parsed.into_iter().flat_map(|p| p.documents).collect();
                    assert_eq!(Ok(docs), whole);
                }
                None => assert!(texts.len() > 1, "one piece is parsed whole by the caller"),
            }
            if whole.is_err() && texts.len() > 1 {
                assert!(parse_read_pieces(texts.clone(), dialect, |_| false).is_none());
            }
        }
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
        // Read in pieces: the failing streams are handed back to be parsed whole.
        for src in [&bad, &dup, &cross] {
            read_in_pieces_is_the_same(src);
        }
    }

    #[test]
    fn directives_and_end_markers_keep_the_stream_whole() {
        let with_end = format!("{}...\n", big(DOC, 3000));
        assert_eq!(pieces(&with_end, 2).len(), 1);
        let read = read_pieces(with_end.as_bytes(), with_end.len()).unwrap();
        assert_eq!(read, vec![(with_end.clone().into_bytes(), 0)]);
        let with_directive = format!("%YAML 1.2\n{}", big(DOC, 3000));
        assert_eq!(pieces(&with_directive, 2).len(), 1);
        assert_eq!(pieces("a: 1\n---\nb: 2\n", 2).len(), 1);
    }
}
