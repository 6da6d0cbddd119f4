//! Times reading a Helm index.yaml: `cargo run --release --example index_parse -- FILE`.
//! Prints the best of five for the line scanner (Helm's layout) and the YAML event parser.

// A developer tool run by hand: it prints, and it may stop on bad input with a panic.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use std::time::Instant;

use vendor::sources::helm_repo::{parse_index, parse_index_events, parse_index_fast};

fn main() {
    let path = std::env::args().nth(1).expect("usage: index_parse FILE");
    let text = std::fs::read_to_string(&path).expect("readable UTF-8 file");
    let best = |f: &dyn Fn() -> usize| {
        let mut best = f64::MAX;
        let mut n = 0;
        for _ in 0..5 {
            let t = Instant::now();
            n = f();
            best = best.min(t.elapsed().as_secs_f64() * 1000.0);
        }
        (best, n)
    };
    let count =
        |i: &vendor::sources::helm_repo::Index| i.entries.values().map(Vec::len).sum::<usize>();
    let mb = text.len() as f64 / 1_048_576.0;
    let fast_used = parse_index_fast(&text).is_some();
    let (ms, n) = best(&|| count(&parse_index(&text).unwrap()));
    println!(
        "parse_index ({mb:.1} MB, {n} chart versions, line scanner used: {fast_used}): {ms:.1} ms"
    );
    let (ms, _) = best(&|| count(&parse_index_events(&text).unwrap()));
    println!("parse_index_events (YAML event parser, same file): {ms:.1} ms");
}
