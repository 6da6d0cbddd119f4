//! Quirks of how kustomize (kyaml) carries values between reading and writing, which the
//! [`Dialect::Kube`](super::Dialect::Kube) parser reproduces so that our output matches
//! `kustomize build` byte for byte.
//!
//! kustomize writes each node back with go-yaml v3's emitter and reads the text again. For
//! folded (`>`) scalars that emitter adds a line break after every line that does not start
//! with a blank (go-yaml's port of libyaml checks the blank at the start of the value instead of
//! after the current break), so a line followed by a more-indented line, or trailing kept
//! breaks (`>+`), come back with one extra `\n`. Other styles survive the trip unchanged.

use saphyr_parser::{Event, Parser};

/// The value a folded scalar has after kyaml's write-and-read-again.
pub(crate) fn folded_round_trip(value: &str) -> Option<String> {
    let doc = folded_block(value);
    let mut parser = Parser::new_from_str(&doc);
    let mut scalars = 0;
    while let Some(next) = parser.next_event() {
        match next.ok()?.0 {
            Event::Scalar(text, ..) => {
                scalars += 1;
                if scalars == 2 {
                    return Some(text.into_owned());
                }
            }
            Event::StreamEnd => break,
            _ => {}
        }
    }
    None
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// `k: >` plus the text go-yaml v3's folded-scalar writer produces for `value`.
fn folded_block(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 2 + 16);
    out.push_str("k: >");
    let mut chars = value.chars();
    if let Some(first) = value.chars().next()
        && (first == ' ' || is_break(first))
    {
        out.push('2');
    }
    out.push_str(match (chars.next_back(), chars.next_back()) {
        (None, _) => "-",
        (Some(last), _) if !is_break(last) => "-",
        (Some(_), None) => "+",
        (Some(_), Some(prev)) if is_break(prev) => "+",
        _ => "",
    });
    out.push('\n');
    // The bug: this is decided once, from the start of the value.
    let extra_breaks = !value
        .trim_start_matches(is_break)
        .starts_with([' ', '\t', '\0'])
        && !value.trim_start_matches(is_break).is_empty();
    let mut breaks = true;
    let mut leading_spaces = true;
    for c in value.chars() {
        if is_break(c) {
            if !breaks && !leading_spaces && c == '\n' && extra_breaks {
                out.push('\n');
            }
            out.push(c);
            breaks = true;
        } else {
            if breaks {
                out.push_str("  ");
                leading_spaces = c == ' ' || c == '\t';
            }
            out.push(c);
            breaks = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_indented_lines_and_kept_breaks_gain_a_break() {
        assert_eq!(folded_round_trip("x\n y\nz").as_deref(), Some("x\n\n y\nz"));
        assert_eq!(folded_round_trip("keep\n\n").as_deref(), Some("keep\n\n\n"));
        assert_eq!(
            folded_round_trip("x y\n\nz\n w\nv\n").as_deref(),
            Some("x y\n\nz\n\n w\nv\n")
        );
    }

    #[test]
    fn plain_folded_text_is_unchanged() {
        for v in [
            "folded text\npara\n",
            "a b c",
            "\nleading more",
            "x\ny\n",
            "",
        ] {
            assert_eq!(folded_round_trip(v).as_deref(), Some(v), "{v:?}");
        }
    }
}
