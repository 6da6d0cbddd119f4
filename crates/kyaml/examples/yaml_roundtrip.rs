//! Reads a YAML stream (Kube dialect) and writes each non-empty document as
//! `sigs.k8s.io/yaml.Marshal` would, joined by `---`, as `kustomize build` joins resources.
//! `cargo run -p kyaml --example yaml_roundtrip -- FILE`: handy to compare with `kubectl kustomize`.

// A developer tool run by hand: it prints, and it may stop on bad input with a panic.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use kyaml::Dialect;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: yaml_roundtrip FILE");
        std::process::exit(2);
    };
    let src = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2);
    });
    match kyaml::parse_documents(&src, Dialect::Kube) {
        Ok(docs) => {
            let out: Vec<String> = docs
                .iter()
                .filter(|d| !d.value.is_null())
                .map(|d| kyaml::to_string(&d.value))
                .collect();
            print!("{}", out.join("---\n"));
        }
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    }
}
