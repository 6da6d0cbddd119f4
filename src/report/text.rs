//! Untrusted text on a terminal or in a CI log. Image names, resource names, file names, values
//! and messages that quote them come from upstream; printed raw, an ESC sequence drives the
//! terminal and a line starting with `::` (or holding `##[`) is a GitHub Actions workflow
//! command. Every printer of a human-read format passes such text through here:
//!
//! - [`inline`] for a value printed within a line: every control character (`\n` and `\t`
//!   included) and every invisible formatting character (bidirectional overrides, zero-width
//!   spaces, line separators, ...) becomes a visible escape: `\n`, `\r`, `\t`, else `\u{1b}`.
//! - [`line`] for one line of multi-line text (a diff line, a YAML line): the same, except that
//!   a tab stays a tab.
//! - [`neutralise_commands`] over the whole output, last: a line whose first non-blank
//!   characters are `::` gets its first `:` written `\u{3a}`, and `##[` anywhere becomes
//!   `#\u{23}[`, so no line is read as a workflow command.
//!
//! `--format github` has its own escaping ([`super::github`]); JSON and SARIF are escaped by
//! serde, plus [`json_safe`].

use std::borrow::Cow;

/// Whether `c` must not reach a terminal raw: C0 and C1 controls, DEL, and the invisible
/// formatting characters that reorder or hide text (Trojan Source).
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'                   // arabic letter mark
            | '\u{180e}'                 // mongolian vowel separator
            | '\u{200b}'                 // zero width space
            | '\u{200e}'..='\u{200f}'    // left-to-right / right-to-left marks
            | '\u{2028}'..='\u{2029}'    // line and paragraph separators
            | '\u{202a}'..='\u{202e}'    // bidirectional embeddings and overrides
            | '\u{2060}'..='\u{2064}'    // word joiner, invisible operators
            | '\u{2066}'..='\u{206f}'    // bidirectional isolates, deprecated format characters
            | '\u{feff}'                 // zero width no-break space (BOM)
            | '\u{fff9}'..='\u{fffb}'    // interlinear annotations
            | '\u{e0000}'..='\u{e007f}' // tag characters
        )
}

/// A value printed within a line: controls and invisible characters escaped, newlines and tabs
/// included.
pub fn inline(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// One line of multi-line text: as [`inline`], but a tab stays a tab.
pub fn line(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

/// Each line of `s` through [`line`], the newlines kept (text whose line structure is the
/// printer's own, such as a rendered error).
pub fn lines(s: &str) -> Cow<'_, str> {
    if !needs_escape(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for (i, l) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&line(l));
    }
    Cow::Owned(out)
}

/// Multi-line text printed as a whole (a warning, an error): [`lines`], then
/// [`neutralise_commands`].
pub fn terminal(s: &str) -> String {
    neutralise_commands(lines(s).into_owned())
}

/// As [`lines`], but ANSI colour sequences (`ESC [ digits ; m`) pass: for output that the
/// tool coloured itself on a terminal.
pub fn lines_keep_colour(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s;
    while let Some(i) = rest.find('\x1b') {
        out.push_str(&lines(&rest[..i]));
        let tail = &rest[i..];
        let sgr = tail.strip_prefix("\x1b[").and_then(|t| {
            let params = t
                .bytes()
                .take_while(|b| b.is_ascii_digit() || *b == b';')
                .count();
            (t.as_bytes().get(params) == Some(&b'm')).then_some(2 + params + 1)
        });
        match sgr {
            Some(n) => {
                out.push_str(&tail[..n]);
                rest = &tail[n..];
            }
            None => {
                out.push_str("\\u{1b}");
                rest = &tail[1..];
            }
        }
    }
    out.push_str(&lines(rest));
    out
}

fn needs_escape(s: &str) -> bool {
    // Fast path: printable ASCII (and newlines, for `lines`) needs nothing.
    s.bytes().any(|b| !(0x20..0x7f).contains(&b)) && s.chars().any(is_hidden)
}

fn escape(s: &str, keep_tab: bool) -> Cow<'_, str> {
    if !needs_escape(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\t' if keep_tab => out.push('\t'),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if is_hidden(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Makes sure no line of `out` is a GitHub Actions workflow command: the runner reads a line
/// whose first non-blank characters are `::` as a command, and `##[command]` anywhere in a line
/// as a legacy one. Text the tool writes itself never does either, so only upstream text is
/// changed.
pub fn neutralise_commands(out: String) -> String {
    if !out.contains("::") && !out.contains("##[") {
        return out;
    }
    let mut fixed = String::with_capacity(out.len() + 16);
    for (i, l) in out.split('\n').enumerate() {
        if i > 0 {
            fixed.push('\n');
        }
        let body = l.trim_start();
        let l = if body.starts_with("::") {
            fixed.push_str(&l[..l.len() - body.len()]);
            fixed.push_str("\\u{3a}");
            &body[1..]
        } else {
            l
        };
        if l.contains("##[") {
            fixed.push_str(&l.replace("##[", "#\\u{23}["));
        } else {
            fixed.push_str(l);
        }
    }
    fixed
}

/// JSON text made as inert as the other formats without changing its value: serde escapes the
/// C0 controls; this writes DEL, the C1 controls and the invisible formatting characters as
/// `\uXXXX` too, and `##[` as `#\u0023[` (all only ever inside strings), so the document can
/// be printed to a terminal or a GitHub Actions log.
pub fn json_safe(out: String) -> String {
    let hidden = |c: char| c != '\n' && is_hidden(c);
    let has_hidden = out.bytes().any(|b| b >= 0x7f) && out.contains(hidden);
    if !has_hidden && !out.contains("##[") {
        return out;
    }
    let mut fixed = String::with_capacity(out.len() + 16);
    for c in out.replace("##[", "#\\u0023[").chars() {
        if hidden(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                fixed.push_str(&format!("\\u{u:04x}"));
            }
        } else {
            fixed.push(c);
        }
    }
    fixed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_invisible_characters_visibly() {
        assert_eq!(inline("plain text: ok"), "plain text: ok");
        assert!(matches!(inline("héllo ✓"), Cow::Borrowed(_)));
        assert_eq!(inline("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(inline("a\r\nb\tc"), "a\\r\\nb\\tc");
        assert_eq!(inline("x\u{7f}\u{9b}y"), "x\\u{7f}\\u{9b}y");
        assert_eq!(inline("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(inline("zero\u{200b}width"), "zero\\u{200b}width");
        assert_eq!(line("a\tb\x07"), "a\tb\\u{7}");
        assert_eq!(lines("one\ntwo\x1b]0;t\x07"), "one\ntwo\\u{1b}]0;t\\u{7}");
    }

    #[test]
    fn colour_sequences_pass_only_when_asked() {
        let s = "\x1b[31merror\x1b[0m: bad \x1b]8;;x\x1b\\ \x1b[2J";
        assert_eq!(
            lines_keep_colour(s),
            "\x1b[31merror\x1b[0m: bad \\u{1b}]8;;x\\u{1b}\\ \\u{1b}[2J"
        );
    }

    #[test]
    fn workflow_commands_are_neutralised() {
        let out =
            "ok line\n  ::set-env name=X::y\n::error::boom\nimage a::b\nx ##[stop-commands]t\n";
        assert_eq!(
            neutralise_commands(out.to_string()),
            "ok line\n  \\u{3a}:set-env name=X::y\n\\u{3a}:error::boom\nimage a::b\nx #\\u{23}[stop-commands]t\n"
        );
        let raw = "##[error]x \u{202e}\u{7f}\u{9b}\u{e0041} é";
        let json = json_safe(serde_json::json!({ "m": raw }).to_string());
        assert_eq!(
            json,
            r###"{"m":"#\u0023[error]x \u202e\u007f\u009b\udb40\udc41 é"}"###
        );
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["m"], raw);
    }
}
