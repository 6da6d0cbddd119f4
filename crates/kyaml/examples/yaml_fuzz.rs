//! Feeds mutated YAML to the parser and emitter; any panic is a bug.
//! `cargo run --release -p kyaml --example yaml_fuzz -- FILE ITERATIONS`.

// A developer tool run by hand: it prints, and it may stop on bad input with a panic.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]
use kyaml::{Dialect, PathSeg};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("FILE");
    let iterations: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let seed_text = std::fs::read_to_string(&path).expect("readable");
    let seed: Vec<char> = seed_text.chars().collect();
    let alphabet: Vec<char> = " \n\t-:?[]{},#&*!|>'\"%@`.0123456789abcxyz~<=\\\u{85}\u{feff}é😀\r"
        .chars()
        .collect();
    let mut state = 0x9E3779B97F4A7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for i in 0..iterations {
        let start = (next() as usize) % seed.len().max(1);
        let len = 1 + (next() as usize) % 400;
        let mut doc: Vec<char> = seed[start..(start + len).min(seed.len())].to_vec();
        for _ in 0..(next() % 6) {
            if doc.is_empty() {
                break;
            }
            let at = (next() as usize) % doc.len();
            match next() % 3 {
                0 => doc[at] = alphabet[(next() as usize) % alphabet.len()],
                1 => doc.insert(at, alphabet[(next() as usize) % alphabet.len()]),
                _ => {
                    doc.remove(at);
                }
            }
        }
        let text: String = doc.into_iter().collect();
        for dialect in [Dialect::Kube, Dialect::Helm] {
            if let Ok(docs) = kyaml::parse_documents(&text, dialect) {
                for d in &docs {
                    let out = kyaml::to_string(&d.value);
                    // What we write must read back to the same value.
                    let back = kyaml::parse_one(&out, Dialect::Helm);
                    if dialect == Dialect::Helm
                        && back.as_ref().ok() != Some(&d.value)
                        && !has_nan(&d.value)
                    {
                        println!(
                            "iteration {i}: round trip differs for {text:?}\n  out: {out:?}\n  back: {back:?}\n  value: {:?}",
                            d.value
                        );
                    }
                }
            }
            let _ = kyaml::locate(&text, 0, &[PathSeg::Key("a"), PathSeg::Index(0)]);
        }
    }
    println!("done {iterations}");
}

fn has_nan(v: &kyaml::Value) -> bool {
    match v {
        kyaml::Value::Float(f) => f.is_nan(),
        // NEL is folded on purpose (see `json_reread` in emit.rs).
        kyaml::Value::String(s) => s.contains('\u{85}'),
        kyaml::Value::Seq(s) => s.iter().any(has_nan),
        kyaml::Value::Map(m) => m.iter().any(|(k, v)| k.contains('\u{85}') || has_nan(v)),
        _ => false,
    }
}
