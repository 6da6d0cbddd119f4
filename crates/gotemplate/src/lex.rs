//! Lexer: template text to tokens, as Go's text/template/parse lexer splits it (delimiters `{{`
//! `}}`, trim markers `{{- ` and ` -}}`, comments, and the tokens inside actions).

use std::rc::Rc;

/// A token. `pos` is the byte offset in the source text, `line` its 1-based line.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub kind: Kind,
    pub pos: usize,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// Plain text outside actions (already trimmed by trim markers).
    /// Byte range in the source (text is not copied).
    Text(usize, usize),
    LeftDelim,
    RightDelim,
    /// A field: `.Name` (without the dot).
    Field(Rc<str>),
    /// A variable: `$` or `$name` (with the `$`).
    Variable(Rc<str>),
    Identifier(Rc<str>),
    Keyword(&'static str),
    Bool(bool),
    Nil,
    Dot,
    /// A number literal's text.
    Number(Rc<str>),
    /// A complex constant's text (`1+2i`: two numbers joined by a sign, ending in `i`) and
    /// the length of its real part.
    Complex(Rc<str>, usize),
    /// A quoted string: original text and decoded value.
    Str(Rc<str>, Rc<str>),
    /// A character constant: original text and its code point.
    Char(Rc<str>, u32),
    Pipe,
    LeftParen,
    RightParen,
    Declare,
    Assign,
    Comma,
    Space,
    Eof,
    /// A lexing error message (Go's wording).
    Error(String),
}

const KEYWORDS: &[&str] = &[
    "block", "break", "continue", "define", "else", "end", "if", "range", "template", "with",
];

/// Splits `text` into tokens. Stops after the first error token.
pub fn lex(text: &str) -> Vec<Token> {
    let mut lx = Lexer {
        src: text,
        b: text.as_bytes(),
        pos: 0,
        line: 1,
        out: Vec::new(),
    };
    lx.run();
    lx.out
}

struct Lexer<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    line: usize,
    out: Vec<Token>,
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

impl Lexer<'_> {
    fn emit(&mut self, kind: Kind, pos: usize, line: usize) {
        self.out.push(Token { kind, pos, line });
    }

    fn count_lines(&mut self, from: usize, to: usize) {
        self.line += self.b[from..to].iter().filter(|&&c| c == b'\n').count();
    }

    fn run(&mut self) {
        let mut trim_next_text = false;
        loop {
            // Text up to the next left delimiter.
            let rest = &self.src[self.pos..];
            let (text_end, found) = match rest.find("{{") {
                Some(i) => (self.pos + i, true),
                None => (self.b.len(), false),
            };
            let mut text_start = self.pos;
            if trim_next_text {
                while text_start < text_end && is_space(self.b[text_start]) {
                    text_start += 1;
                }
            }
            // Left trim marker: "{{- " (the dash followed by a space).
            let left_trim = found
                && self.b.get(text_end + 2) == Some(&b'-')
                && self.b.get(text_end + 3).is_some_and(|&c| is_space(c));
            let mut text_stop = text_end;
            if left_trim {
                while text_stop > text_start && is_space(self.b[text_stop - 1]) {
                    text_stop -= 1;
                }
            }
            let line = self.line
                + self.b[self.pos..text_start]
                    .iter()
                    .filter(|&&c| c == b'\n')
                    .count();
            if text_stop > text_start {
                self.emit(Kind::Text(text_start, text_stop), text_start, line);
            }
            self.count_lines(self.pos, text_end);
            self.pos = text_end;
            if !found {
                let (p, l) = (self.pos, self.line);
                self.emit(Kind::Eof, p, l);
                return;
            }
            // The action.
            let delim_pos = self.pos;
            let delim_line = self.line;
            self.pos += 2;
            if left_trim {
                self.pos += 2; // "-" and the space
            }
            // Comment?
            if self.src[self.pos..].starts_with("/*") {
                let start = self.pos;
                match self.src[start + 2..].find("*/") {
                    None => {
                        self.emit(
                            Kind::Error("unclosed comment".into()),
                            delim_pos,
                            delim_line,
                        );
                        return;
                    }
                    Some(i) => {
                        let end = start + 2 + i + 2;
                        self.count_lines(self.pos, end);
                        self.pos = end;
                        // Optional " -" right trim then "}}".
                        let rest = &self.src[self.pos..];
                        let (trim, adv) = if rest.len() >= 4
                            && is_space(rest.as_bytes()[0])
                            && rest[1..].starts_with("-}}")
                        {
                            (true, 4)
                        } else if rest.starts_with("}}") {
                            (false, 2)
                        } else {
                            self.emit(
                                Kind::Error("comment ends before closing delimiter".into()),
                                delim_pos,
                                delim_line,
                            );
                            return;
                        };
                        self.pos += adv;
                        trim_next_text = trim;
                        continue;
                    }
                }
            }
            self.emit(Kind::LeftDelim, delim_pos, delim_line);
            match self.inside_action() {
                Ok(trim) => trim_next_text = trim,
                Err(()) => return,
            }
        }
    }

    /// Lexes inside an action up to and including the right delimiter. Returns whether it had a
    /// right trim marker.
    fn inside_action(&mut self) -> Result<bool, ()> {
        let mut paren_depth = 0usize;
        loop {
            let rest = &self.src[self.pos..];
            // Right delimiter, with optional trim marker " -}}".
            if rest.len() >= 4 && is_space(self.b[self.pos]) && rest[1..].starts_with("-}}") {
                let (p, l) = (self.pos, self.line);
                self.count_lines(self.pos, self.pos + 1);
                self.emit(Kind::Space, p, l);
                let (p, l) = (self.pos + 1, self.line);
                self.emit(Kind::RightDelim, p, l);
                self.pos += 4;
                if paren_depth > 0 {
                    self.err("unclosed left paren");
                    return Err(());
                }
                return Ok(true);
            }
            if rest.starts_with("}}") {
                if paren_depth > 0 {
                    self.err("unclosed left paren");
                    return Err(());
                }
                let (p, l) = (self.pos, self.line);
                self.emit(Kind::RightDelim, p, l);
                self.pos += 2;
                return Ok(false);
            }
            let Some(c) = rest.chars().next() else {
                self.err("unclosed action");
                return Err(());
            };
            let start = self.pos;
            let line = self.line;
            match c {
                ' ' | '\t' | '\r' | '\n' => {
                    let mut p = self.pos;
                    while p < self.b.len() && is_space(self.b[p]) {
                        // Stop before " -}}" so the trim marker is seen.
                        if self.src[p..].len() >= 4 && self.src[p + 1..].starts_with("-}}") {
                            break;
                        }
                        p += 1;
                    }
                    if p == self.pos {
                        // Exactly " -}}" ahead: handled at the top of the loop.
                        continue;
                    }
                    self.count_lines(self.pos, p);
                    self.pos = p;
                    self.emit(Kind::Space, start, line);
                }
                '=' => {
                    self.pos += 1;
                    self.emit(Kind::Assign, start, line);
                }
                ':' => {
                    if rest.starts_with(":=") {
                        self.pos += 2;
                        self.emit(Kind::Declare, start, line);
                    } else {
                        self.err("expected :=");
                        return Err(());
                    }
                }
                '|' => {
                    self.pos += 1;
                    self.emit(Kind::Pipe, start, line);
                }
                ',' => {
                    self.pos += 1;
                    self.emit(Kind::Comma, start, line);
                }
                '(' => {
                    self.pos += 1;
                    paren_depth += 1;
                    self.emit(Kind::LeftParen, start, line);
                }
                ')' => {
                    self.pos += 1;
                    if paren_depth == 0 {
                        self.err("unexpected right paren");
                        return Err(());
                    }
                    paren_depth -= 1;
                    self.emit(Kind::RightParen, start, line);
                }
                '"' => {
                    let mut p = self.pos + 1;
                    loop {
                        match self.b.get(p) {
                            None | Some(b'\n') => {
                                self.err("unterminated quoted string");
                                return Err(());
                            }
                            Some(b'\\') => p += 2,
                            Some(b'"') => break,
                            _ => p += 1,
                        }
                    }
                    let quoted = &self.src[self.pos..=p];
                    match unquote(quoted) {
                        Ok(v) => {
                            self.pos = p + 1;
                            self.emit(Kind::Str(Rc::from(quoted), Rc::from(v)), start, line);
                        }
                        Err(e) => {
                            self.err(&e);
                            return Err(());
                        }
                    }
                }
                '`' => match self.src[self.pos + 1..].find('`') {
                    None => {
                        self.err("unterminated raw quoted string");
                        return Err(());
                    }
                    Some(i) => {
                        let end = self.pos + 1 + i + 1;
                        let quoted: Rc<str> = Rc::from(&self.src[self.pos..end]);
                        let value: Rc<str> =
                            Rc::from(self.src[self.pos + 1..end - 1].replace('\r', ""));
                        self.count_lines(self.pos, end);
                        self.pos = end;
                        self.emit(Kind::Str(quoted, value), start, line);
                    }
                },
                '\'' => {
                    let mut p = self.pos + 1;
                    loop {
                        match self.b.get(p) {
                            None | Some(b'\n') => {
                                self.err("unterminated character constant");
                                return Err(());
                            }
                            Some(b'\\') => p += 2,
                            Some(b'\'') => break,
                            _ => p += 1,
                        }
                    }
                    let quoted = &self.src[self.pos..=p];
                    let inner = format!("\"{}\"", &quoted[1..quoted.len() - 1]);
                    match unquote(&inner) {
                        Ok(v) if v.chars().count() == 1 => {
                            self.pos = p + 1;
                            let ch = v.chars().next().map_or(0, u32::from);
                            self.emit(Kind::Char(Rc::from(quoted), ch), start, line);
                        }
                        _ => {
                            self.err(&format!("malformed character constant: {quoted}"));
                            return Err(());
                        }
                    }
                }
                '$' => {
                    let end = self.scan_alnum(self.pos + 1);
                    let name: Rc<str> = Rc::from(&self.src[self.pos..end]);
                    self.pos = end;
                    self.emit(Kind::Variable(name), start, line);
                }
                '.' => {
                    // A number like .5?
                    if self.b.get(self.pos + 1).is_some_and(u8::is_ascii_digit) {
                        self.number(start, line)?;
                    } else {
                        let end = self.scan_alnum(self.pos + 1);
                        if end == self.pos + 1 {
                            self.pos += 1;
                            self.emit(Kind::Dot, start, line);
                        } else {
                            let name: Rc<str> = Rc::from(&self.src[self.pos + 1..end]);
                            self.pos = end;
                            self.emit(Kind::Field(name), start, line);
                        }
                    }
                }
                '+' | '-' | '0'..='9' => self.number(start, line)?,
                c if is_alnum(c) => {
                    let end = self.scan_alnum(self.pos);
                    let word = &self.src[self.pos..end];
                    let kind = if let Some(k) = KEYWORDS.iter().find(|k| **k == word) {
                        Kind::Keyword(k)
                    } else if word == "true" || word == "false" {
                        Kind::Bool(word == "true")
                    } else if word == "nil" {
                        Kind::Nil
                    } else {
                        Kind::Identifier(Rc::from(word))
                    };
                    self.pos = end;
                    self.emit(kind, start, line);
                }
                c => {
                    self.err(&format!(
                        "unrecognized character in action: {}",
                        go_sharp_u(c)
                    ));
                    return Err(());
                }
            }
            // After an operand, a following ".x" is a chained field; checked by the lexer in
            // Go too: it requires a space or delimiter after a term otherwise.
        }
    }

    fn scan_alnum(&self, mut p: usize) -> usize {
        while let Some(c) = self.src[p..].chars().next() {
            if !is_alnum(c) {
                break;
            }
            p += c.len_utf8();
        }
        p
    }

    /// Go's `scanNumber` from byte `p`: an optional sign, digits of the base its prefix names,
    /// a fraction, an exponent (`e` for decimal, `p` for hex), an `i` suffix. Returns the end
    /// and whether the number is well-formed (not followed by an alphanumeric character; on
    /// failure the end includes that one character, as Go's error quotes it).
    fn scan_number(&self, mut p: usize) -> (usize, bool) {
        let b = self.b;
        if matches!(b.get(p), Some(b'+' | b'-')) {
            p += 1;
        }
        let mut digits: &[u8] = b"0123456789_";
        if b.get(p) == Some(&b'0') {
            p += 1;
            match b.get(p) {
                Some(b'x' | b'X') => {
                    p += 1;
                    digits = b"0123456789abcdefABCDEF_";
                }
                Some(b'o' | b'O') => {
                    p += 1;
                    digits = b"01234567_";
                }
                Some(b'b' | b'B') => {
                    p += 1;
                    digits = b"01_";
                }
                _ => {}
            }
        }
        let accept_run = |p: &mut usize, set: &[u8]| {
            while *p < b.len() && set.contains(&b[*p]) {
                *p += 1;
            }
        };
        accept_run(&mut p, digits);
        if b.get(p) == Some(&b'.') {
            p += 1;
            accept_run(&mut p, digits);
        }
        if digits.len() == 11 && matches!(b.get(p), Some(b'e' | b'E')) {
            p += 1;
            if matches!(b.get(p), Some(b'+' | b'-')) {
                p += 1;
            }
            accept_run(&mut p, b"0123456789_");
        }
        if digits.len() == 23 && matches!(b.get(p), Some(b'p' | b'P')) {
            p += 1;
            if matches!(b.get(p), Some(b'+' | b'-')) {
                p += 1;
            }
            accept_run(&mut p, b"0123456789_");
        }
        if b.get(p) == Some(&b'i') {
            p += 1;
        }
        if let Some(c) = self.src[p..].chars().next()
            && is_alnum(c)
        {
            return (p + c.len_utf8(), false);
        }
        (p, true)
    }

    /// Go's `lexNumber`: a number, or a complex constant `1+2i`.
    fn number(&mut self, start: usize, line: usize) -> Result<(), ()> {
        let (p, ok) = self.scan_number(self.pos);
        if !ok {
            let text = self.src[self.pos..p].to_string();
            self.err(&format!(
                "bad number syntax: {}",
                crate::gofmt::quote_go(&text)
            ));
            return Err(());
        }
        if matches!(self.b.get(p), Some(b'+' | b'-')) {
            let (q, ok) = self.scan_number(p);
            let text = &self.src[self.pos..q];
            if !ok || !text.ends_with('i') {
                let text = text.to_string();
                self.err(&format!(
                    "bad number syntax: {}",
                    crate::gofmt::quote_go(&text)
                ));
                return Err(());
            }
            let text: Rc<str> = Rc::from(text);
            let split = p - self.pos;
            self.pos = q;
            self.emit(Kind::Complex(text, split), start, line);
            return Ok(());
        }
        let text: Rc<str> = Rc::from(&self.src[self.pos..p]);
        self.pos = p;
        self.emit(Kind::Number(text), start, line);
        Ok(())
    }

    fn err(&mut self, msg: &str) {
        let (p, l) = (self.pos, self.line);
        self.emit(Kind::Error(msg.to_string()), p, l);
    }
}

/// Go's `%#U` of a rune: `U+002F '/'` (no quoted form for non-printable runes).
fn go_sharp_u(c: char) -> String {
    if c.is_control() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("U+{:04X} '{c}'", c as u32)
    }
}

/// Decodes a Go double-quoted string literal (strconv.Unquote).
pub fn unquote(q: &str) -> Result<String, String> {
    let inner = &q[1..q.len() - 1];
    let mut out = String::with_capacity(inner.len());
    let mut bytes: Vec<u8> = Vec::new();
    let mut it = inner.chars().peekable();
    let bad = || "invalid syntax".to_string();
    while let Some(c) = it.next() {
        if c != '\\' {
            flush(&mut bytes, &mut out);
            out.push(c);
            continue;
        }
        let e = it.next().ok_or_else(bad)?;
        let mut take_hex = |n: usize| -> Result<u32, String> {
            let mut v = 0u32;
            for _ in 0..n {
                let d = it.next().and_then(|c| c.to_digit(16)).ok_or_else(bad)?;
                v = v * 16 + d;
            }
            Ok(v)
        };
        let ch = match e {
            'a' => '\x07',
            'b' => '\x08',
            'f' => '\x0c',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\x0b',
            '\\' => '\\',
            '"' => '"',
            'x' => {
                let v = take_hex(2)?;
                bytes.push(v as u8);
                continue;
            }
            'u' => char::from_u32(take_hex(4)?).ok_or_else(bad)?,
            'U' => char::from_u32(take_hex(8)?).ok_or_else(bad)?,
            '0'..='7' => {
                let mut v = e.to_digit(8).ok_or_else(bad)?;
                for _ in 0..2 {
                    v = v * 8 + it.next().and_then(|c| c.to_digit(8)).ok_or_else(bad)?;
                }
                if v > 255 {
                    return Err(bad());
                }
                bytes.push(v as u8);
                continue;
            }
            _ => return Err(bad()),
        };
        flush(&mut bytes, &mut out);
        out.push(ch);
    }
    flush(&mut bytes, &mut out);
    Ok(out)
}

fn flush(bytes: &mut Vec<u8>, out: &mut String) {
    if !bytes.is_empty() {
        // Go strings may hold invalid UTF-8; we keep valid text and replace the rest.
        out.push_str(&String::from_utf8_lossy(bytes));
        bytes.clear();
    }
}
