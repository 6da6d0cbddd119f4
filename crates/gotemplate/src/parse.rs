//! Parser: tokens to trees, following Go's text/template/parse grammar. One source text gives
//! one tree for its own name plus one per `{{define}}` / `{{block}}`. Nodes keep their byte
//! offset in the source so errors can say `NAME:LINE:COL` as Go does, and print themselves as
//! Go's `Node.String()` does for the `at <...>` context of execution errors.

use std::fmt::{self, Write as _};
use std::rc::Rc;

use crate::error::TemplateError;
use crate::lex::{self, Kind, Token};

/// A parsed template.
#[derive(Debug)]
pub struct Tree {
    /// The template's name (file name or `define`d name).
    pub name: String,
    /// The name of the source text it was parsed from (used in error locations).
    pub parse_name: Rc<str>,
    pub text: Rc<str>,
    pub root: Vec<Node>,
}

impl Tree {
    /// True when the body is only whitespace text (Go's IsEmptyTree).
    pub fn is_empty_body(&self) -> bool {
        self.root
            .iter()
            .all(|n| matches!(n, Node::Text(r) if self.text[r.clone()].trim().is_empty()))
    }

    /// `NAME:LINE:COL` of a byte offset, as Go's ErrorContext computes it.
    pub fn location(&self, pos: usize) -> (usize, usize) {
        let pos = pos.min(self.text.len());
        let before = &self.text.as_bytes()[..pos];
        let line = 1 + before.iter().filter(|&&c| c == b'\n').count();
        let col = match before.iter().rposition(|&c| c == b'\n') {
            Some(i) => pos - (i + 1),
            None => pos,
        };
        (line, col)
    }
}

#[derive(Debug)]
pub enum Node {
    /// A byte range of the tree's source text.
    Text(std::ops::Range<usize>),
    Action(Pipe),
    If(Box<Branch>),
    Range(Box<Branch>),
    With(Box<Branch>),
    Template {
        pos: usize,
        name: String,
        pipe: Option<Pipe>,
    },
    Break,
    Continue,
}

#[derive(Debug)]
pub struct Branch {
    pub pipe: Pipe,
    pub list: Vec<Node>,
    pub else_list: Option<Vec<Node>>,
}

#[derive(Debug)]
pub struct Pipe {
    pub pos: usize,
    pub is_assign: bool,
    pub decl: Vec<String>,
    pub cmds: Vec<Cmd>,
}

#[derive(Debug)]
pub struct Cmd {
    pub pos: usize,
    pub args: Vec<Arg>,
}

#[derive(Debug)]
pub enum Arg {
    /// `.A.B`
    Field {
        pos: usize,
        names: Vec<Rc<str>>,
    },
    /// `(pipe).A.B`
    Chain {
        pos: usize,
        node: Box<Arg>,
        names: Vec<Rc<str>>,
    },
    /// `$x.A.B` (`name` includes the `$`)
    Var {
        pos: usize,
        name: Rc<str>,
        names: Vec<Rc<str>>,
    },
    Dot(usize),
    Nil(usize),
    Bool(usize, bool),
    Number(usize, Number),
    Str {
        pos: usize,
        quoted: Rc<str>,
        value: Rc<str>,
    },
    Ident {
        pos: usize,
        name: Rc<str>,
    },
    Pipe(Box<Pipe>),
}

/// A number literal with the interpretations Go allows for it (Go's `parse.NumberNode`:
/// the `int64`, `uint64`, `float64` and `complex128` readings that are exact).
#[derive(Debug, Clone)]
pub struct Number {
    pub text: String,
    pub int: Option<i64>,
    pub uint: Option<u64>,
    pub float: Option<f64>,
    /// Real and imaginary parts of a complex constant (`1i`, `1+2i`).
    pub complex: Option<(f64, f64)>,
}

impl Arg {
    pub fn pos(&self) -> usize {
        match self {
            Arg::Field { pos, .. }
            | Arg::Chain { pos, .. }
            | Arg::Var { pos, .. }
            | Arg::Dot(pos)
            | Arg::Nil(pos)
            | Arg::Bool(pos, _)
            | Arg::Number(pos, _)
            | Arg::Str { pos, .. }
            | Arg::Ident { pos, .. } => *pos,
            Arg::Pipe(p) => p.pos,
        }
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Field { names, .. } => {
                for n in names {
                    write!(f, ".{n}")?;
                }
                Ok(())
            }
            Arg::Chain { node, names, .. } => {
                if let Arg::Pipe(_) = **node {
                    write!(f, "({node})")?;
                } else {
                    write!(f, "{node}")?;
                }
                for n in names {
                    write!(f, ".{n}")?;
                }
                Ok(())
            }
            Arg::Var { name, names, .. } => {
                f.write_str(name)?;
                for n in names {
                    write!(f, ".{n}")?;
                }
                Ok(())
            }
            Arg::Dot(_) => f.write_str("."),
            Arg::Nil(_) => f.write_str("nil"),
            Arg::Bool(_, b) => write!(f, "{b}"),
            Arg::Number(_, n) => f.write_str(&n.text),
            Arg::Str { quoted, .. } => f.write_str(quoted),
            Arg::Ident { name, .. } => f.write_str(name),
            Arg::Pipe(p) => write!(f, "{p}"),
        }
    }
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_char(' ')?;
            }
            if let Arg::Pipe(_) = a {
                write!(f, "({a})")?;
            } else {
                write!(f, "{a}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            f.write_str(&self.decl.join(", "))?;
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

/// Parses `text` named `name`. Returns the trees: the main one first, then the definitions.
pub fn parse(
    name: &str,
    text: &str,
    known_func: &dyn Fn(&str) -> bool,
) -> Result<Vec<(String, Tree)>, TemplateError> {
    let tokens = lex::lex(text);
    let parse_name: Rc<str> = Rc::from(name);
    let src: Rc<str> = Rc::from(text);
    let mut p = Parser {
        toks: tokens,
        i: 0,
        name: parse_name.clone(),
        known_func,
        vars: vec!["$".into()],
        range_depth: 0,
        line: 1,
        action_line: 0,
        defs: Vec::new(),
    };
    let root = p.top()?;
    let mut out = vec![(
        name.to_string(),
        Tree {
            name: name.to_string(),
            parse_name: parse_name.clone(),
            text: src.clone(),
            root,
        },
    )];
    out.extend(p.defs.drain(..).map(|(n, root)| {
        (
            n.clone(),
            Tree {
                name: n,
                parse_name: parse_name.clone(),
                text: src.clone(),
                root,
            },
        )
    }));
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<Token>,
    i: usize,
    name: Rc<str>,
    known_func: &'a dyn Fn(&str) -> bool,
    vars: Vec<String>,
    range_depth: usize,
    /// Line of the last token read (Go reports parse errors there).
    line: usize,
    action_line: usize,
    defs: Vec<(String, Vec<Node>)>,
}

/// What ended an item list.
enum End {
    End,
    Else,
}

type PResult<T> = Result<T, TemplateError>;

fn tok_string(t: &Token) -> String {
    match &t.kind {
        Kind::Eof => "EOF".into(),
        Kind::Error(e) => e.clone(),
        Kind::Keyword(k) => format!("<{k}>"),
        other => {
            let val = match other {
                Kind::Text(..) => "text".into(),
                Kind::LeftDelim => "{{".into(),
                Kind::RightDelim => "}}".into(),
                Kind::Field(s) => format!(".{s}"),
                Kind::Variable(s) | Kind::Identifier(s) | Kind::Number(s) | Kind::Complex(s, _) => {
                    s.to_string()
                }
                Kind::Bool(b) => b.to_string(),
                Kind::Nil => "nil".into(),
                Kind::Dot => ".".into(),
                Kind::Str(q, _) | Kind::Char(q, _) => q.to_string(),
                Kind::Pipe => "|".into(),
                Kind::LeftParen => "(".into(),
                Kind::RightParen => ")".into(),
                Kind::Declare => ":=".into(),
                Kind::Assign => "=".into(),
                Kind::Comma => ",".into(),
                Kind::Space => " ".into(),
                _ => String::new(),
            };
            if val.chars().count() > 10 {
                let short: String = val.chars().take(10).collect();
                format!("{}...", crate::gofmt::quote_go(&short))
            } else {
                crate::gofmt::quote_go(&val)
            }
        }
    }
}

impl Parser<'_> {
    fn err<T>(&self, msg: impl Into<String>) -> PResult<T> {
        Err(TemplateError::Parse {
            name: self.name.to_string(),
            line: self.line,
            message: msg.into(),
        })
    }

    fn next(&mut self) -> Token {
        let t = self.toks.get(self.i).cloned().unwrap_or(Token {
            kind: Kind::Eof,
            pos: 0,
            line: self.line,
        });
        if self.i < self.toks.len() {
            self.i += 1;
        }
        self.line = t.line;
        t
    }

    fn peek(&self) -> &Token {
        // The lexer always ends the stream with Eof or an error token.
        let last = self.toks.len() - 1;
        &self.toks[self.i.min(last)]
    }

    fn next_non_space(&mut self) -> Token {
        loop {
            let t = self.next();
            if t.kind != Kind::Space {
                return t;
            }
        }
    }

    fn peek_non_space(&mut self) -> Token {
        while self.peek().kind == Kind::Space {
            self.i += 1;
        }
        self.peek().clone()
    }

    fn backup(&mut self) {
        self.i -= 1;
    }

    fn unexpected<T>(&self, t: &Token, context: &str) -> PResult<T> {
        if let Kind::Error(e) = &t.kind {
            let mut extra = String::new();
            // Go's parser (not its lexer) unquotes literals: those errors carry no context.
            let from_parser =
                e == "invalid syntax" || e.starts_with("malformed character constant");
            if self.action_line != 0 && self.action_line != t.line && !from_parser {
                extra = format!(" in action started at {}:{}", self.name, self.action_line);
                if e.ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return Err(TemplateError::Parse {
                name: self.name.to_string(),
                line: t.line,
                message: format!("{e}{extra}"),
            });
        }
        self.err(format!("unexpected {} in {context}", tok_string(t)))
    }

    fn top(&mut self) -> PResult<Vec<Node>> {
        let mut root = Vec::new();
        loop {
            if self.peek().kind == Kind::Eof {
                return Ok(root);
            }
            if self.peek().kind == Kind::LeftDelim {
                let save = self.i;
                let delim = self.next();
                let t = self.next_non_space();
                if t.kind == Kind::Keyword("define") {
                    self.action_line = delim.line;
                    self.definition()?;
                    continue;
                }
                self.i = save;
            }
            match self.text_or_action()? {
                Item::Node(n) => root.push(n),
                Item::End => return self.err("unexpected {{end}}"),
                Item::Else => return self.err("unexpected {{else}}"),
            }
        }
    }

    fn definition(&mut self) -> PResult<()> {
        let context = "define clause";
        let t = self.next_non_space();
        let name = match &t.kind {
            Kind::Str(_, v) => v.to_string(),
            _ => return self.unexpected(&t, context),
        };
        let t = self.next_non_space();
        if t.kind != Kind::RightDelim {
            return self.unexpected(&t, context);
        }
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        if let End::Else = end {
            return self.err(format!("unexpected {{{{else}}}} in {context}"));
        }
        self.defs.push((name, list));
        Ok(())
    }

    fn item_list(&mut self) -> PResult<(Vec<Node>, End)> {
        let mut list = Vec::new();
        loop {
            if self.peek_non_space().kind == Kind::Eof {
                return self.err("unexpected EOF");
            }
            match self.text_or_action()? {
                Item::Node(n) => list.push(n),
                Item::End => return Ok((list, End::End)),
                Item::Else => return Ok((list, End::Else)),
            }
        }
    }

    fn text_or_action(&mut self) -> PResult<Item> {
        let t = self.next_non_space();
        match t.kind {
            Kind::Text(a, b) => Ok(Item::Node(Node::Text(a..b))),
            Kind::LeftDelim => {
                self.action_line = t.line;
                let r = self.action();
                self.action_line = 0;
                r
            }
            _ => self.unexpected(&t, "input"),
        }
    }

    fn action(&mut self) -> PResult<Item> {
        let t = self.next_non_space();
        match t.kind {
            Kind::Keyword("block") => return self.block(),
            Kind::Keyword("break") | Kind::Keyword("continue") => {
                let word = if t.kind == Kind::Keyword("break") {
                    "break"
                } else {
                    "continue"
                };
                if self.range_depth == 0 {
                    return self.err(format!("{{{{{word}}}}} outside {{{{range}}}}"));
                }
                let t2 = self.next_non_space();
                if t2.kind != Kind::RightDelim {
                    return self.unexpected(&t2, &format!("{{{{{word}}}}}"));
                }
                return Ok(Item::Node(if word == "break" {
                    Node::Break
                } else {
                    Node::Continue
                }));
            }
            Kind::Keyword("else") => {
                let p = self.peek_non_space();
                if matches!(p.kind, Kind::Keyword("if") | Kind::Keyword("with")) {
                    return Ok(Item::Else);
                }
                let t2 = self.next_non_space();
                if t2.kind != Kind::RightDelim {
                    return self.unexpected(&t2, "else");
                }
                return Ok(Item::Else);
            }
            Kind::Keyword("end") => {
                let t2 = self.next_non_space();
                if t2.kind != Kind::RightDelim {
                    return self.unexpected(&t2, "end");
                }
                return Ok(Item::End);
            }
            Kind::Keyword("if") => return Ok(Item::Node(Node::If(Box::new(self.control("if")?)))),
            Kind::Keyword("range") => {
                return Ok(Item::Node(Node::Range(Box::new(self.control("range")?))));
            }
            Kind::Keyword("with") => {
                return Ok(Item::Node(Node::With(Box::new(self.control("with")?))));
            }
            Kind::Keyword("template") => return self.template_control(),
            Kind::Keyword("define") => return self.unexpected(&t, "command"),
            _ => {}
        }
        self.backup();
        let pipe = self.pipeline("command", true)?;
        Ok(Item::Node(Node::Action(pipe)))
    }

    fn control(&mut self, context: &str) -> PResult<Branch> {
        let nvars = self.vars.len();
        let pipe = self.pipeline(context, true)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let (list, end) = self.item_list()?;
        if context == "range" {
            self.range_depth -= 1;
        }
        let mut else_list = None;
        if let End::Else = end {
            let p = self.peek().kind.clone();
            if context == "if" && p == Kind::Keyword("if") {
                self.next();
                else_list = Some(vec![Node::If(Box::new(self.control("if")?))]);
            } else if context == "with" && p == Kind::Keyword("with") {
                self.next();
                else_list = Some(vec![Node::With(Box::new(self.control("with")?))]);
            } else {
                let (l, end2) = self.item_list()?;
                if let End::Else = end2 {
                    return self.err("expected end; found {{else}}");
                }
                else_list = Some(l);
            }
        }
        self.vars.truncate(nvars);
        Ok(Branch {
            pipe,
            list,
            else_list,
        })
    }

    fn template_name(&self, t: &Token, context: &str) -> PResult<String> {
        match &t.kind {
            Kind::Str(_, v) => Ok(v.to_string()),
            _ => self.unexpected(t, context),
        }
    }

    fn template_control(&mut self) -> PResult<Item> {
        let context = "template clause";
        let t = self.next_non_space();
        let name = self.template_name(&t, context)?;
        let pipe = if self.next_non_space().kind != Kind::RightDelim {
            self.backup();
            Some(self.pipeline(context, true)?)
        } else {
            None
        };
        Ok(Item::Node(Node::Template {
            pos: t.pos,
            name,
            pipe,
        }))
    }

    fn block(&mut self) -> PResult<Item> {
        let context = "block clause";
        let t = self.next_non_space();
        let name = self.template_name(&t, context)?;
        let pipe = self.pipeline(context, true)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let saved_depth = std::mem::replace(&mut self.range_depth, 0);
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        self.range_depth = saved_depth;
        if let End::Else = end {
            return self.err(format!("unexpected {{{{else}}}} in {context}"));
        }
        self.defs.push((name.clone(), list));
        Ok(Item::Node(Node::Template {
            pos: t.pos,
            name,
            pipe: Some(pipe),
        }))
    }

    /// Parses a pipeline up to `}}` (`delim_end`) or `)`.
    fn pipeline(&mut self, context: &str, delim_end: bool) -> PResult<Pipe> {
        let start = self.peek_non_space();
        let mut pipe = Pipe {
            pos: start.pos,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        // Declarations.
        loop {
            let v = self.peek_non_space();
            let Kind::Variable(name) = &v.kind else { break };
            let save = self.i;
            self.next();
            let next = self.peek_non_space();
            match next.kind {
                Kind::Assign | Kind::Declare => {
                    pipe.is_assign = next.kind == Kind::Assign;
                    self.next_non_space();
                    pipe.decl.push(name.to_string());
                    self.vars.push(name.to_string());
                    break;
                }
                Kind::Comma => {
                    self.next_non_space();
                    pipe.decl.push(name.to_string());
                    self.vars.push(name.to_string());
                    if context == "range" && pipe.decl.len() < 2 {
                        match self.peek_non_space().kind {
                            Kind::Variable(_) | Kind::RightDelim | Kind::RightParen => continue,
                            _ => return self.err("range can only initialize variables"),
                        }
                    }
                    return self.err(format!("too many declarations in {context}"));
                }
                _ => {
                    self.i = save;
                    break;
                }
            }
        }
        loop {
            let t = self.next_non_space();
            match &t.kind {
                Kind::RightDelim if delim_end => break,
                Kind::RightParen if !delim_end => break,
                Kind::Bool(_)
                | Kind::Char(..)
                | Kind::Dot
                | Kind::Field(_)
                | Kind::Identifier(_)
                | Kind::Number(_)
                | Kind::Complex(..)
                | Kind::Nil
                | Kind::Str(..)
                | Kind::Variable(_)
                | Kind::LeftParen => {
                    self.backup();
                    let c = self.command()?;
                    pipe.cmds.push(c);
                }
                _ => return self.unexpected(&t, context),
            }
        }
        if pipe.cmds.is_empty() {
            return self.err(format!("missing value for {context}"));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args[0],
                Arg::Bool(..) | Arg::Dot(_) | Arg::Nil(_) | Arg::Number(..) | Arg::Str { .. }
            ) {
                return self.err(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                ));
            }
        }
        Ok(pipe)
    }

    fn command(&mut self) -> PResult<Cmd> {
        let pos = self.peek_non_space().pos;
        let mut cmd = Cmd {
            pos,
            args: Vec::new(),
        };
        loop {
            self.peek_non_space();
            if let Some(op) = self.operand()? {
                cmd.args.push(op);
            }
            let t = self.next();
            match t.kind {
                Kind::Space => continue,
                Kind::RightDelim | Kind::RightParen => self.backup(),
                Kind::Pipe => {}
                _ => return self.unexpected(&t, "operand"),
            }
            break;
        }
        if cmd.args.is_empty() {
            return self.err("empty command");
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if let Kind::Field(_) = self.peek().kind {
            let chain_pos = self.peek().pos;
            let mut names = Vec::new();
            while let Kind::Field(f) = &self.peek().kind {
                names.push(f.clone());
                self.next();
            }
            let node = match node {
                Arg::Field {
                    names: mut first, ..
                } => {
                    first.extend(names);
                    Arg::Field {
                        pos: chain_pos,
                        names: first,
                    }
                }
                Arg::Var {
                    name,
                    names: mut first,
                    ..
                } => {
                    first.extend(names);
                    Arg::Var {
                        pos: chain_pos,
                        name,
                        names: first,
                    }
                }
                Arg::Bool(..) | Arg::Str { .. } | Arg::Number(..) | Arg::Nil(_) | Arg::Dot(_) => {
                    return self.err(format!(
                        "unexpected . after term {}",
                        crate::gofmt::quote_go(&node.to_string())
                    ));
                }
                other => Arg::Chain {
                    pos: chain_pos,
                    node: Box::new(other),
                    names,
                },
            };
            return Ok(Some(node));
        }
        Ok(Some(node))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let t = self.next_non_space();
        Ok(Some(match t.kind {
            Kind::Identifier(name) => {
                if !(self.known_func)(&name) {
                    return self.err(format!(
                        "function {} not defined",
                        crate::gofmt::quote_go(&name)
                    ));
                }
                Arg::Ident { pos: t.pos, name }
            }
            Kind::Dot => Arg::Dot(t.pos),
            Kind::Nil => Arg::Nil(t.pos),
            Kind::Variable(name) => {
                if !self.vars.iter().any(|v| **v == *name) {
                    return self.err(format!(
                        "undefined variable {}",
                        crate::gofmt::quote_go(&name)
                    ));
                }
                Arg::Var {
                    pos: t.pos,
                    name,
                    names: Vec::new(),
                }
            }
            Kind::Field(f) => Arg::Field {
                pos: t.pos,
                names: vec![f],
            },
            Kind::Bool(b) => Arg::Bool(t.pos, b),
            Kind::Number(text) => match parse_number(&text) {
                Ok(n) => Arg::Number(t.pos, n),
                Err(e) => return self.err(e),
            },
            Kind::Complex(text, split) => match parse_complex(&text, split) {
                Some(n) => Arg::Number(t.pos, n),
                None => {
                    return self.err(format!(
                        "expected complex number; found {}",
                        crate::gofmt::quote_go(&text)
                    ));
                }
            },
            Kind::Char(text, c) => Arg::Number(
                t.pos,
                Number {
                    text: text.to_string(),
                    int: Some(c as i64),
                    uint: Some(u64::from(c)),
                    float: Some(c as f64),
                    complex: None,
                },
            ),
            Kind::LeftParen => Arg::Pipe(Box::new(self.pipeline("parenthesized pipeline", false)?)),
            Kind::Str(q, v) => Arg::Str {
                pos: t.pos,
                quoted: q,
                value: v,
            },
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }
}

enum Item {
    Node(Node),
    End,
    Else,
}

/// Interprets a number literal as Go's `parse.newNumber` does: every exact reading among
/// int64, uint64 and float64 (a float with an integral value is also an int), an imaginary
/// literal as a complex constant, and Go's errors (`integer overflow`, `illegal number syntax`).
fn parse_number(text: &str) -> Result<Number, String> {
    use crate::strconv::{parse_float, parse_int, parse_uint};
    let mut n = Number {
        text: text.to_string(),
        int: None,
        uint: None,
        float: None,
        complex: None,
    };
    if let Some(im) = text.strip_suffix('i')
        && let Ok(f) = parse_float(im)
    {
        simplify_complex(&mut n, 0.0, f);
        return Ok(n);
    }
    let u = parse_uint(text, true).ok();
    n.uint = u;
    if let Ok(i) = parse_int(text, true) {
        n.int = Some(i);
        if i == 0 {
            n.uint = Some(u.unwrap_or(0)); // "-0"
        }
    }
    if let Some(i) = n.int {
        n.float = Some(i as f64);
    } else if let Some(u) = n.uint {
        n.float = Some(u as f64);
    } else if let Ok(f) = parse_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!(
                "integer overflow: {}",
                crate::gofmt::quote_go(text)
            ));
        }
        n.float = Some(f);
        n.int = float_as_int(f);
        n.uint = float_as_uint(f);
    }
    if n.int.is_none() && n.uint.is_none() && n.float.is_none() {
        return Err(format!(
            "illegal number syntax: {}",
            crate::gofmt::quote_go(text)
        ));
    }
    Ok(n)
}

/// `float64(int64(f)) == f`: an integral float in int64's range.
fn float_as_int(f: f64) -> Option<i64> {
    (f.fract() == 0.0 && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f))
        .then_some(f as i64)
}

/// `float64(uint64(f)) == f`: an integral float in uint64's range.
fn float_as_uint(f: f64) -> Option<u64> {
    (f.fract() == 0.0 && (0.0..1.844_674_407_370_955_2e19).contains(&f)).then_some(f as u64)
}

/// Go's `simplifyComplex`: a complex constant with no imaginary part is also a float (and an
/// int when integral).
fn simplify_complex(n: &mut Number, re: f64, im: f64) {
    n.complex = Some((re, im));
    if im == 0.0 {
        n.float = Some(re);
        n.int = float_as_int(re);
        n.uint = float_as_uint(re);
    }
}

/// A complex constant `REAL±IMAGi` (`split` is the length of the real part).
fn parse_complex(text: &str, split: usize) -> Option<Number> {
    let re = crate::strconv::parse_float(&text[..split]).ok()?;
    let im = crate::strconv::parse_float(text[split..].strip_suffix('i')?).ok()?;
    let mut n = Number {
        text: text.to_string(),
        int: None,
        uint: None,
        float: None,
        complex: None,
    };
    simplify_complex(&mut n, re, im);
    Some(n)
}
