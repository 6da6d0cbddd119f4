//! Times `kyaml` on a file: `cargo run --release -p kyaml --example yaml_bench -- FILE [ROUNDS]`.
//! Prints the best parse and emit times over the rounds (see `bench/yaml.sh`).

// A developer tool run by hand: it prints, and it may stop on bad input with a panic.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use std::time::{Duration, Instant};

use kyaml::Dialect;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: yaml_bench FILE [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(10);
    let src = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2);
    });
    // The floor: reading the events alone with saphyr-parser, no values built.
    let mut best_events = Duration::MAX;
    for _ in 0..rounds {
        let t = Instant::now();
        let mut parser = saphyr_parser::Parser::new_from_str(&src);
        while let Some(Ok(_)) = parser.next_event() {}
        best_events = best_events.min(t.elapsed());
    }
    let mut best_parse = Duration::MAX;
    let mut best_emit = Duration::MAX;
    let mut docs = Vec::new();
    let mut out_len = 0;
    for _ in 0..rounds {
        drop(std::mem::take(&mut docs));
        let t = Instant::now();
        docs = kyaml::parse_documents(&src, Dialect::Kube).unwrap_or_else(|e| {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        });
        best_parse = best_parse.min(t.elapsed());
        let t = Instant::now();
        out_len = docs.iter().map(|d| kyaml::to_string(&d.value).len()).sum();
        best_emit = best_emit.min(t.elapsed());
    }
    println!(
        "{path}: {:.1} MB, {} documents; parse {:.1} ms (saphyr events alone {:.1} ms), emit {:.1} ms ({} bytes out), best of {rounds}",
        src.len() as f64 / 1e6,
        docs.len(),
        best_parse.as_secs_f64() * 1e3,
        best_events.as_secs_f64() * 1e3,
        best_emit.as_secs_f64() * 1e3,
        out_len
    );
}
