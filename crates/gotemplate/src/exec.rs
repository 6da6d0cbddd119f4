//! Executor: walks parsed trees with Go's text/template semantics (variables and scopes,
//! if/with/range/break/continue, template calls, field chains, function calls with Go's
//! argument checks) and produces Go's error texts.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::builtins;
use crate::error::TemplateError;
use crate::funcmap::{Context, Exec, Func, FuncMap, Param};
use crate::gofmt;
use crate::options::{ExecOptions, MissingKey, Notice};
use crate::parse::{self, Arg, Branch, Cmd, Node, Pipe, Tree};
use crate::value::GoValue;

/// Control flow out of a list: normal, `{{break}}` or `{{continue}}`, or an error.
pub(crate) enum Flow {
    Break,
    Continue,
    Err(TemplateError),
}

impl From<TemplateError> for Flow {
    fn from(e: TemplateError) -> Self {
        Flow::Err(e)
    }
}

type R<T> = Result<T, TemplateError>;

/// Bound on `{{range N}}` so a runaway integer cannot spin forever.
const MAX_RANGE_INT: i64 = 100_000_000;

/// What an execution reads from its template set.
pub(crate) struct Set<'a> {
    /// The set's name (Go's name of the template `ExecuteTemplate` is called on).
    pub name: Option<&'a str>,
    pub funcs: &'a FuncMap,
    pub trees: &'a HashMap<String, Rc<Tree>>,
    pub notices: &'a RefCell<Vec<Notice>>,
}

impl Set<'_> {
    /// The function `name`: the set's, else Go's builtin.
    pub fn func(&self, name: &str) -> Option<&Func> {
        self.funcs.get(name).or_else(|| builtins::get(name))
    }

    pub fn is_known(&self, name: &str) -> bool {
        self.func(name).is_some()
    }
}

/// Per-render state shared by nested executions started by functions.
pub(crate) struct Shared<'a> {
    pub set: Set<'a>,
    pub opts: &'a ExecOptions,
    /// Templates defined by texts run through `Context::execute_text`, one layer per open call
    /// (visible to that text and to the templates it executes).
    pub overlay: RefCell<Vec<HashMap<String, Rc<Tree>>>>,
    /// Nesting counts per kind and name for `Context::nested`.
    pub nesting: RefCell<HashMap<&'static str, HashMap<String, usize>>>,
    /// Bytes written so far by this execution and the executions it started.
    pub written: std::cell::Cell<usize>,
}

impl Shared<'_> {
    pub fn lookup(&self, name: &str) -> Option<Rc<Tree>> {
        for layer in self.overlay.borrow().iter().rev() {
            if let Some(t) = layer.get(name) {
                return Some(t.clone());
            }
        }
        self.set.trees.get(name).cloned()
    }
}

/// The state of one Go `Execute` call.
pub(crate) struct State<'s, 'a> {
    pub shared: &'s Shared<'a>,
    pub tree: Rc<Tree>,
    vars: Vec<(Rc<str>, GoValue)>,
    depth: usize,
    pub out: String,
    /// Position of the node being evaluated (for function errors and notices).
    pub cur_pos: usize,
    /// Whether the last field chain's value came out of a map or an interface (Go's static
    /// type `interface {}`): a nil there is a typed nil, which typed parameters refuse.
    last_iface: bool,
    /// Go's "current node" for errors in a field chain on a parenthesized receiver
    /// (`(lookup ...).a.b` fails at the receiver's last evaluated node).
    chain_at: Option<(usize, String)>,
    /// The last argument an `and`/`or` evaluated (where Go's error context is after one).
    andor_at: Option<(usize, String)>,
    /// Whether the last typed argument evaluated was a nil of static type interface{}.
    last_typed_nil: bool,
}

pub(crate) fn execute(set: Set<'_>, name: &str, data: &GoValue, opts: &ExecOptions) -> R<String> {
    let shared = Shared {
        set,
        opts,
        overlay: RefCell::new(Vec::new()),
        nesting: RefCell::new(HashMap::new()),
        written: std::cell::Cell::new(0),
    };
    execute_named(&shared, name, data, None)
}

/// Go's `ExecuteTemplate(name, data)`. `owner` is the name Go reports for a missing template
/// (the template set's name).
pub(crate) fn execute_named(
    shared: &Shared,
    name: &str,
    data: &GoValue,
    owner: Option<&str>,
) -> R<String> {
    let Some(tree) = shared.lookup(name) else {
        return Err(TemplateError::Other(match owner {
            Some(o) => format!(
                "template: no template {} associated with template {}",
                gofmt::quote_go(name),
                gofmt::quote_go(o)
            ),
            None => format!("template: no template {}", gofmt::quote_go(name)),
        }));
    };
    run_tree(shared, tree, data)
}

pub(crate) fn run_tree(shared: &Shared, tree: Rc<Tree>, data: &GoValue) -> R<String> {
    let mut st = State {
        shared,
        tree: tree.clone(),
        vars: vec![(Rc::from("$"), data.clone())],
        depth: 0,
        out: String::new(),
        cur_pos: 0,
        last_iface: false,
        chain_at: None,
        andor_at: None,
        last_typed_nil: false,
    };
    match st.walk_list(data, false, &tree.root) {
        Ok(()) => Ok(st.out),
        Err(Flow::Err(e)) => Err(e),
        Err(_) => Ok(st.out),
    }
}

/// Parses `text` as the template `name` into a new overlay layer and runs it (what
/// `Context::execute_text` does).
fn run_text(shared: &Shared, name: &str, text: &str, data: &GoValue) -> R<String> {
    let trees = parse::parse(name, text, &|f| shared.set.is_known(f))?;
    let mut layer = HashMap::new();
    let mut main = None;
    for (def, tree) in trees {
        let tree = Rc::new(tree);
        if def == name && main.is_none() {
            main = Some(tree.clone());
        }
        if tree.is_empty_body() && shared.lookup(&def).is_some() && def != name {
            continue;
        }
        layer.insert(def, tree);
    }
    let main = main.expect("the parser always returns the main tree first");
    shared.overlay.borrow_mut().push(layer);
    let r = stacker::maybe_grow(256 * 1024, 8 * 1024 * 1024, || run_tree(shared, main, data));
    shared.overlay.borrow_mut().pop();
    r
}

/// Where Go reports an error in a field chain on `node` (its receiver): the last node
/// evaluated inside a parenthesized pipeline, else the chain itself (`None`).
fn chain_context(node: &Arg) -> Option<(usize, String)> {
    match node {
        Arg::Pipe(p) => Some(last_node(p)),
        _ => None,
    }
}

/// Whether the set's function map (not Go's builtins) defines `name`.
fn shared_has(st: &State<'_, '_>, name: &str) -> bool {
    st.shared.set.funcs.contains(name)
}

/// An integer of the same Go type as `like` (`range` over an `int64` yields `int64`s).
fn int_like(like: &GoValue, i: i64) -> GoValue {
    match like {
        GoValue::Int64(_) => GoValue::Int64(i),
        _ => GoValue::Int(i),
    }
}

/// The node Go's executor last visited after evaluating `pipe` (its error context).
fn last_node(pipe: &Pipe) -> (usize, String) {
    let Some(cmd) = pipe.cmds.last() else {
        return (pipe.pos, pipe.to_string());
    };
    match cmd.args.last() {
        Some(Arg::Pipe(p)) => last_node(p),
        Some(a) => (a.pos(), a.to_string()),
        None => (cmd.pos, cmd.to_string()),
    }
}

/// Go's type name of a value as seen through a receiver of static type `interface {}`.
fn iface_type(v: &GoValue, iface: bool) -> String {
    if iface {
        "interface {}".into()
    } else {
        v.type_name()
    }
}

impl State<'_, '_> {
    pub fn error(&self, pos: usize, context: &str, message: impl Into<String>) -> TemplateError {
        let (line, col) = self.tree.location(pos);
        TemplateError::Exec {
            file: self.tree.parse_name.to_string(),
            line,
            col,
            name: self.tree.name.clone(),
            context: context.to_string(),
            message: message.into(),
        }
    }

    pub fn line(&self) -> usize {
        self.tree.location(self.cur_pos).0
    }

    /// [`last_node`] of a pipeline just evaluated, where an `and`/`or` ending it stopped at
    /// the argument it last evaluated.
    fn last_node_dyn(&self, pipe: &Pipe) -> (usize, String) {
        if let Some(cmd) = pipe.cmds.last()
            && let Some(Arg::Ident { name, .. }) = cmd.args.first()
            && matches!(&**name, "and" | "or")
            && let Some(at) = &self.andor_at
        {
            return at.clone();
        }
        if let Some(cmd) = pipe.cmds.last()
            && let Some(Arg::Pipe(p)) = cmd.args.last()
        {
            return self.last_node_dyn(p);
        }
        last_node(pipe)
    }

    /// Go's `idealConstant`: a number literal used where any type is accepted is a complex128
    /// if it is one, a float64 if it is written as a float (`1.0`, `1e3`, `0x1p4`, but not
    /// `0x1E` or `'a'`), else an int (`9223372036854775808` overflows int).
    fn ideal_constant(&self, pos: usize, n: &parse::Number) -> R<GoValue> {
        if let Some((re, im)) = n.complex {
            return Ok(GoValue::complex(re, im));
        }
        let t = n.text.as_str();
        let hex_int = t.len() > 2
            && t.starts_with('0')
            && matches!(t.as_bytes()[1], b'x' | b'X')
            && !t.contains(['p', 'P']);
        let rune = t.starts_with('\'');
        if let Some(f) = n.float
            && !hex_int
            && !rune
            && t.contains(['.', 'e', 'E', 'p', 'P'])
        {
            return Ok(GoValue::Float(f));
        }
        if let Some(i) = n.int {
            return Ok(GoValue::Int(i));
        }
        Err(self.error(pos, t, format!("{t} overflows int")))
    }

    fn walk_list(&mut self, dot: &GoValue, dot_iface: bool, list: &[Node]) -> Result<(), Flow> {
        for n in list {
            self.walk(dot, dot_iface, n)?;
        }
        Ok(())
    }

    fn walk(&mut self, dot: &GoValue, dot_iface: bool, node: &Node) -> Result<(), Flow> {
        match node {
            Node::Text(r) => {
                let text = &self.tree.text[r.clone()];
                self.check_output_size(r.start, "text", text.len())?;
                self.out.push_str(text);
                Ok(())
            }
            Node::Action(pipe) => {
                let v = self.eval_pipeline(dot, dot_iface, pipe)?;
                if pipe.decl.is_empty() {
                    let before = self.out.len();
                    self.print_value(&v);
                    let n = self.out.len() - before;
                    if let Err(e) = self.check_output_size(pipe.pos, &pipe.to_string(), n) {
                        self.out.truncate(before);
                        return Err(e);
                    }
                }
                Ok(())
            }
            Node::If(b) => self.walk_if_with(dot, dot_iface, b, false),
            Node::With(b) => self.walk_if_with(dot, dot_iface, b, true),
            Node::Range(b) => self.walk_range(dot, dot_iface, b),
            Node::Break => Err(Flow::Break),
            Node::Continue => Err(Flow::Continue),
            Node::Template { pos, name, pipe } => {
                let context = match pipe {
                    Some(p) => format!("{{{{template {} {p}}}}}", gofmt::quote_go(name)),
                    None => format!("{{{{template {}}}}}", gofmt::quote_go(name)),
                };
                let data = match pipe {
                    Some(p) => self.eval_pipeline(dot, dot_iface, p)?,
                    None => GoValue::Nil,
                };
                let Some(tree) = self.shared.lookup(name) else {
                    return Err(self
                        .error(
                            *pos,
                            &context,
                            format!("template {} not defined", gofmt::quote_go(name)),
                        )
                        .into());
                };
                if self.depth >= self.shared.opts.max_exec_depth {
                    return Err(self
                        .error(
                            *pos,
                            &context,
                            format!(
                                "exceeded maximum template depth ({})",
                                self.shared.opts.max_exec_depth
                            ),
                        )
                        .into());
                }
                let mut sub = State {
                    shared: self.shared,
                    tree: tree.clone(),
                    vars: vec![(Rc::from("$"), data.clone())],
                    depth: self.depth + 1,
                    out: std::mem::take(&mut self.out),
                    cur_pos: 0,
                    last_iface: false,
                    chain_at: None,
                    andor_at: None,
                    last_typed_nil: false,
                };
                let r = stacker::maybe_grow(256 * 1024, 4 * 1024 * 1024, || {
                    sub.walk_list(&data, false, &tree.root)
                });
                self.out = std::mem::take(&mut sub.out);
                match r {
                    Ok(()) | Err(Flow::Break) | Err(Flow::Continue) => Ok(()),
                    Err(e) => Err(e),
                }
            }
        }
    }

    /// Bounds memory: adds `n` bytes to the execution's total and stops it, naming the
    /// template and line, once the total exceeds `max_output_bytes`.
    fn check_output_size(&self, pos: usize, context: &str, n: usize) -> Result<(), Flow> {
        let total = self.shared.written.get().saturating_add(n);
        self.shared.written.set(total);
        let limit = self.shared.opts.max_output_bytes;
        if total > limit {
            return Err(Flow::Err(self.error(
                pos,
                context,
                crate::options::limit_message("output", total as u128, "bytes", limit),
            )));
        }
        Ok(())
    }

    fn walk_if_with(
        &mut self,
        dot: &GoValue,
        dot_iface: bool,
        b: &Branch,
        is_with: bool,
    ) -> Result<(), Flow> {
        let mark = self.vars.len();
        let val = self.eval_pipeline(dot, dot_iface, &b.pipe)?;
        let truth = self.is_true(&val, b.pipe.pos, if is_with { "with" } else { "if" })?;
        let r = if truth {
            if is_with {
                self.walk_list(&val, false, &b.list)
            } else {
                self.walk_list(dot, dot_iface, &b.list)
            }
        } else if let Some(e) = &b.else_list {
            self.walk_list(dot, dot_iface, e)
        } else {
            Ok(())
        };
        self.vars.truncate(mark);
        r
    }

    fn is_true(&self, v: &GoValue, _pos: usize, _what: &str) -> R<bool> {
        Ok(v.truthy())
    }

    fn walk_range(&mut self, dot: &GoValue, dot_iface: bool, b: &Branch) -> Result<(), Flow> {
        let outer = self.vars.len();
        let val = self.eval_pipeline(dot, dot_iface, &b.pipe)?;
        let mark = self.vars.len();
        let decl = &b.pipe.decl;
        let mut ran = false;
        // `iface`: the element's static type is interface{} (a []interface{} or a
        // map[string]interface{}), not a concrete type (a []string, an int range).
        let iterate =
            |st: &mut Self, index: GoValue, elem: GoValue, iface: bool| -> Result<bool, Flow> {
                if !decl.is_empty() {
                    if b.pipe.is_assign {
                        if decl.len() > 1 {
                            st.set_var(&decl[0], index.clone(), b.pipe.pos)?;
                        } else {
                            st.set_var(&decl[0], elem.clone(), b.pipe.pos)?;
                        }
                    } else {
                        let n = st.vars.len();
                        st.vars[n - 1].1 = elem.clone();
                    }
                }
                if decl.len() > 1 {
                    if b.pipe.is_assign {
                        st.set_var(&decl[1], elem.clone(), b.pipe.pos)?;
                    } else {
                        let n = st.vars.len();
                        st.vars[n - 2].1 = index;
                    }
                }
                let r = st.walk_list(&elem, iface, &b.list);
                st.vars.truncate(mark);
                match r {
                    Ok(()) | Err(Flow::Continue) => Ok(true),
                    Err(Flow::Break) => Ok(false),
                    Err(e) => Err(e),
                }
            };
        match &val {
            GoValue::List(l) => {
                for (i, e) in l.iter().enumerate() {
                    ran = true;
                    if !iterate(self, GoValue::Int(i as i64), e.clone(), true)? {
                        break;
                    }
                }
            }
            GoValue::Bytes(bs) => {
                for (i, e) in bs.iter().enumerate() {
                    ran = true;
                    if !iterate(self, GoValue::Int(i as i64), GoValue::Int(*e as i64), false)? {
                        break;
                    }
                }
            }
            GoValue::Map(m) => {
                let entries: Vec<(String, GoValue)> = m
                    .borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                for (k, e) in entries {
                    ran = true;
                    if !iterate(self, GoValue::from(k), e, true)? {
                        break;
                    }
                }
            }
            GoValue::Int(n) | GoValue::Int64(n) => {
                if decl.len() > 1 {
                    let (lpos, lctx) = self.last_node_dyn(&b.pipe);
                    return Err(self
                        .error(
                            lpos,
                            &lctx,
                            format!("can't use {n} to iterate over more than one variable"),
                        )
                        .into());
                }
                if *n > MAX_RANGE_INT {
                    let (pos, ctx) = self.last_node_dyn(&b.pipe);
                    return Err(self
                        .error(pos, &ctx, format!("range over {n} iterations exceeds vendor's limit of {MAX_RANGE_INT}"))
                        .into());
                }
                for i in 0..*n {
                    ran = true;
                    if !iterate(self, int_like(&val, i), int_like(&val, i), false)? {
                        break;
                    }
                }
            }
            GoValue::Object(o) if o.items().is_some() || o.entries().is_some() => {
                if let Some(items) = o.items() {
                    for (i, e) in items.into_iter().enumerate() {
                        ran = true;
                        if !iterate(self, GoValue::Int(i as i64), e, false)? {
                            break;
                        }
                    }
                } else if let Some(entries) = o.entries() {
                    for (k, e) in entries {
                        ran = true;
                        if !iterate(self, GoValue::from(k), e, false)? {
                            break;
                        }
                    }
                }
            }
            GoValue::Nil => {}
            other => {
                let (lpos, lctx) = self.last_node_dyn(&b.pipe);
                return Err(self
                    .error(
                        lpos,
                        &lctx,
                        format!("range can't iterate over {}", gofmt::sprint_value(other)),
                    )
                    .into());
            }
        }
        let r = if !ran && let Some(e) = &b.else_list {
            self.walk_list(dot, dot_iface, e)
        } else {
            Ok(())
        };
        self.vars.truncate(outer);
        r
    }

    fn print_value(&mut self, v: &GoValue) {
        match v {
            GoValue::Nil => self.out.push_str("<no value>"),
            GoValue::String(s) => self.out.push_str(s),
            other => {
                let s = gofmt::sprint_value(other);
                self.out.push_str(&s);
            }
        }
    }

    fn var_value(&self, name: &str, pos: usize) -> R<GoValue> {
        for (n, v) in self.vars.iter().rev() {
            if &**n == name {
                return Ok(v.clone());
            }
        }
        Err(self.error(pos, name, format!("undefined variable: {name}")))
    }

    fn set_var(&mut self, name: &str, value: GoValue, pos: usize) -> R<()> {
        for (n, v) in self.vars.iter_mut().rev() {
            if &**n == name {
                *v = value;
                return Ok(());
            }
        }
        Err(self.error(pos, name, format!("undefined variable: {name}")))
    }

    pub(crate) fn eval_pipeline(
        &mut self,
        dot: &GoValue,
        dot_iface: bool,
        pipe: &Pipe,
    ) -> R<GoValue> {
        let mut value: Option<GoValue> = None;
        for (i, cmd) in pipe.cmds.iter().enumerate() {
            if i == 0
                && matches!(cmd.args.first(), Some(Arg::Pipe(_)))
                && (cmd.args.len() > 1 || value.is_some())
            {
                // Go reports a parenthesized first word given arguments at the pipeline.
                return Err(self.error(
                    pipe.pos,
                    &pipe.to_string(),
                    format!("can't give argument to non-function {}", cmd.args[0]),
                ));
            }
            value = Some(self.eval_command(dot, dot_iface, cmd, value)?);
        }
        let value = value.unwrap_or_default();
        for name in &pipe.decl {
            if pipe.is_assign {
                self.set_var(name, value.clone(), pipe.pos)?;
            } else {
                self.vars.push((Rc::from(name.as_str()), value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, cmd: &Cmd, final_: &Option<GoValue>) -> R<()> {
        if cmd.args.len() > 1 || final_.is_some() {
            return Err(self.error(
                cmd.args[0].pos(),
                &cmd.args[0].to_string(),
                format!("can't give argument to non-function {}", cmd.args[0]),
            ));
        }
        Ok(())
    }

    fn eval_command(
        &mut self,
        dot: &GoValue,
        dot_iface: bool,
        cmd: &Cmd,
        final_: Option<GoValue>,
    ) -> R<GoValue> {
        let first = &cmd.args[0];
        match first {
            Arg::Field { pos, names } => {
                return self
                    .eval_field_chain(dot, dot, dot_iface, first, *pos, names, &cmd.args, final_);
            }
            Arg::Chain { pos, node, names } => {
                let recv = self.eval_arg_any(dot, dot_iface, node)?;
                self.chain_at = chain_context(node);
                let r =
                    self.eval_field_chain(dot, &recv, false, first, *pos, names, &cmd.args, final_);
                self.chain_at = None;
                return r;
            }
            Arg::Ident { pos, name } => {
                return self.eval_function(dot, dot_iface, *pos, name, cmd, final_);
            }
            Arg::Pipe(p) => {
                self.not_a_function(cmd, &final_)?;
                return self.eval_pipeline(dot, dot_iface, p);
            }
            Arg::Var { pos, name, names } => {
                let v = self.var_value(name, *pos)?;
                if names.is_empty() {
                    self.not_a_function(cmd, &final_)?;
                    return Ok(v);
                }
                return self
                    .eval_field_chain(dot, &v, false, first, *pos, names, &cmd.args, final_);
            }
            _ => {}
        }
        self.not_a_function(cmd, &final_)?;
        Ok(match first {
            Arg::Bool(_, b) => GoValue::Bool(*b),
            Arg::Dot(_) => dot.clone(),
            Arg::Nil(p) => return Err(self.error(*p, "nil", "nil is not a command")),
            Arg::Number(pos, n) => self.ideal_constant(*pos, n)?,
            Arg::Str { value, .. } => GoValue::String(value.clone()),
            _ => unreachable!(),
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field_chain(
        &mut self,
        dot: &GoValue,
        receiver: &GoValue,
        recv_iface: bool,
        node: &Arg,
        pos: usize,
        names: &[Rc<str>],
        args: &[Arg],
        final_: Option<GoValue>,
    ) -> R<GoValue> {
        let mut recv = receiver.clone();
        let mut iface = recv_iface;
        let n = names.len();
        for (i, name) in names.iter().enumerate() {
            let last = i + 1 == n;
            let (a, f): (&[Arg], Option<GoValue>) = if last {
                (args, final_.clone())
            } else {
                (&[], None)
            };
            let (v, vi) = self.eval_field(dot, name, node, pos, a, f, &recv, iface)?;
            recv = v;
            iface = vi;
        }
        self.last_iface = iface;
        Ok(recv)
    }

    /// One step of a field chain. Returns the value and whether its static type is interface{}.
    #[allow(clippy::too_many_arguments)]
    fn eval_field(
        &mut self,
        dot: &GoValue,
        name: &str,
        node: &Arg,
        pos: usize,
        args: &[Arg],
        final_: Option<GoValue>,
        receiver: &GoValue,
        iface: bool,
    ) -> R<(GoValue, bool)> {
        let (pos, ctx) = match &self.chain_at {
            Some((p, c)) => (*p, c.clone()),
            None => (pos, node.to_string()),
        };
        let has_args = args.len() > 1 || final_.is_some();
        match receiver {
            GoValue::Nil => {
                if !iface
                    && matches!(receiver, GoValue::Nil)
                    && self.shared.opts.missing_key != MissingKey::Error
                {
                    // An invalid (untyped nil) receiver: Go returns the zero value silently
                    // unless it came through an interface{} (Helm's missingkey=zero case).
                    return Ok((GoValue::Nil, false));
                }
                if self.shared.opts.missing_key == MissingKey::Error && !iface {
                    return Err(self.error(
                        pos,
                        &ctx,
                        format!("nil data; no entry for key {}", gofmt::quote_go(name)),
                    ));
                }
                Err(self.error(
                    pos,
                    &ctx,
                    format!("nil pointer evaluating interface {{}}.{name}"),
                ))
            }
            GoValue::Map(m) => {
                if has_args {
                    return Err(self.error(
                        pos,
                        &ctx,
                        format!("{name} is not a method but has arguments"),
                    ));
                }
                match m.borrow().get(name) {
                    Some(v) => Ok((v.clone(), true)),
                    None => match self.shared.opts.missing_key {
                        MissingKey::Zero => Ok((GoValue::Nil, true)),
                        MissingKey::Error => Err(self.error(
                            pos,
                            &ctx,
                            format!("map has no entry for key {}", gofmt::quote_go(name)),
                        )),
                    },
                }
            }
            GoValue::Object(o) => {
                if o.has_method(name) {
                    let mut argv = Vec::new();
                    for a in args.iter().skip(1) {
                        argv.push(self.eval_arg_any(dot, false, a)?);
                    }
                    if let Some(f) = final_ {
                        argv.push(f);
                    }
                    return match o.method(name, &argv) {
                        Some(Ok(v)) => Ok((v, false)),
                        Some(Err(e)) => Err(self.error(
                            pos,
                            &ctx,
                            if e.message().starts_with("wrong number of args") {
                                e.to_string()
                            } else {
                                format!("error calling {name}: {e}")
                            },
                        )),
                        None => Err(self.error(
                            pos,
                            &ctx,
                            format!(
                                "can't evaluate field {name} in type {}",
                                iface_type(receiver, iface)
                            ),
                        )),
                    };
                }
                match o.field(name) {
                    Some(v) => {
                        if has_args {
                            return Err(self.error(
                                pos,
                                &ctx,
                                format!("{name} has arguments but cannot be invoked as function"),
                            ));
                        }
                        Ok((v, false))
                    }
                    None => Err(self.error(
                        pos,
                        &ctx,
                        format!(
                            "can't evaluate field {name} in type {}",
                            iface_type(receiver, iface)
                        ),
                    )),
                }
            }
            other => Err(self.error(
                pos,
                &ctx,
                format!(
                    "can't evaluate field {name} in type {}",
                    iface_type(other, iface)
                ),
            )),
        }
    }

    /// Evaluates an argument with no type constraint (interface{} / reflect.Value parameter).
    pub(crate) fn eval_arg_any(&mut self, dot: &GoValue, dot_iface: bool, arg: &Arg) -> R<GoValue> {
        self.cur_pos = arg.pos();
        match arg {
            Arg::Dot(_) => Ok(dot.clone()),
            Arg::Nil(_) => Ok(GoValue::Nil),
            Arg::Field { pos, names } => {
                self.eval_field_chain(dot, dot, dot_iface, arg, *pos, names, &[], None)
            }
            Arg::Var { pos, name, names } => {
                let v = self.var_value(name, *pos)?;
                if names.is_empty() {
                    return Ok(v);
                }
                self.eval_field_chain(dot, &v, false, arg, *pos, names, &[], None)
            }
            Arg::Pipe(p) => self.eval_pipeline(dot, dot_iface, p),
            Arg::Ident { pos, name } => {
                let cmd = Cmd {
                    pos: *pos,
                    args: vec![Arg::Ident {
                        pos: *pos,
                        name: name.clone(),
                    }],
                };
                self.eval_function(dot, dot_iface, *pos, name, &cmd, None)
            }
            Arg::Chain { pos, node, names } => {
                let recv = self.eval_arg_any(dot, dot_iface, node)?;
                self.chain_at = chain_context(node);
                let r = self.eval_field_chain(dot, &recv, false, arg, *pos, names, &[], None);
                self.chain_at = None;
                r
            }
            Arg::Bool(_, b) => Ok(GoValue::Bool(*b)),
            Arg::Str { value, .. } => Ok(GoValue::String(value.clone())),
            Arg::Number(pos, n) => self.ideal_constant(*pos, n),
        }
    }

    /// Evaluates an argument for a typed parameter, with Go's conversions and errors.
    fn eval_arg_typed(
        &mut self,
        dot: &GoValue,
        dot_iface: bool,
        arg: &Arg,
        p: Param,
    ) -> R<GoValue> {
        let ctx = arg.to_string();
        let pos = arg.pos();
        // Constants convert to the parameter type at parse-literal level.
        match (arg, p) {
            (Arg::Nil(_), Param::Str | Param::Int | Param::Float | Param::Bool) => {
                return Err(self.error(pos, &ctx, format!("cannot assign nil to {}", p.go_name())));
            }
            (Arg::Number(_, n), Param::Int) => {
                return match n.int {
                    Some(i) => Ok(GoValue::Int(i)),
                    _ => Err(self.error(pos, &ctx, format!("expected integer; found {}", n.text))),
                };
            }
            (Arg::Number(_, n), Param::Float) => {
                return match n.float {
                    Some(f) => Ok(GoValue::Float(f)),
                    None => Err(self.error(pos, &ctx, format!("expected float; found {}", n.text))),
                };
            }
            (Arg::Number(..) | Arg::Bool(..), Param::Str)
            | (Arg::Number(..) | Arg::Str { .. }, Param::Bool) => {
                return Err(self.error(
                    pos,
                    &ctx,
                    format!("expected {}; found {}", p.go_name_short(), ctx),
                ));
            }
            (Arg::Str { .. } | Arg::Bool(..), Param::Int) => {
                return Err(self.error(pos, &ctx, format!("expected integer; found {ctx}")));
            }
            (Arg::Str { .. } | Arg::Bool(..), Param::Float) => {
                return Err(self.error(pos, &ctx, format!("expected float; found {ctx}")));
            }
            _ => {}
        }
        self.last_iface = false;
        let v = self.eval_arg_any(dot, dot_iface, arg)?;
        // A nil of static type interface{} (a missing or null map value, a nil element of a
        // ranged list as dot) is not assignable to a typed parameter (Go's validateType).
        let typed_nil = match arg {
            Arg::Field { .. } | Arg::Chain { .. } => self.last_iface,
            Arg::Var { names, .. } => !names.is_empty() && self.last_iface,
            Arg::Dot(_) => dot_iface,
            _ => false,
        };
        let (pos, ctx) = match arg {
            Arg::Pipe(pipe) => self.last_node_dyn(pipe),
            _ => (pos, ctx),
        };
        self.last_typed_nil = typed_nil && v.is_nil();
        if typed_nil && v.is_nil() && p != Param::Any {
            return Err(self.error(
                pos,
                &ctx,
                format!(
                    "wrong type for value; expected {}; got interface {{}}",
                    p.go_name()
                ),
            ));
        }
        self.validate(v, p, pos, &ctx)
    }

    /// Go's validateType: is the value assignable to the parameter type?
    pub(crate) fn validate(&self, v: GoValue, p: Param, pos: usize, ctx: &str) -> R<GoValue> {
        let ok = match (&v, p) {
            (_, Param::Any) => true,
            (GoValue::Nil, Param::List | Param::Map) => true,
            (GoValue::Nil, _) => {
                return Err(self.error(
                    pos,
                    ctx,
                    format!("invalid value; expected {}", p.go_name()),
                ));
            }
            (GoValue::String(_), Param::Str) => true,
            (GoValue::Object(o), Param::Str) if o.as_str().is_some() => true,
            (GoValue::Int(_), Param::Int) => true,
            (GoValue::Float(_), Param::Float) => true,
            (GoValue::Bool(_), Param::Bool) => true,
            (GoValue::List(_), Param::List) => true,
            (GoValue::Map(_), Param::Map) => true,
            _ => false,
        };
        if ok {
            Ok(v)
        } else {
            Err(self.error(
                pos,
                ctx,
                format!(
                    "wrong type for value; expected {}; got {}",
                    p.go_name(),
                    v.type_name()
                ),
            ))
        }
    }

    fn eval_function(
        &mut self,
        dot: &GoValue,
        dot_iface: bool,
        pos: usize,
        name: &str,
        cmd: &Cmd,
        final_: Option<GoValue>,
    ) -> R<GoValue> {
        self.cur_pos = pos;
        let shared = self.shared;
        let Some(def) = shared.set.func(name) else {
            return Err(self.error(
                pos,
                name,
                format!("{} is not a defined function", gofmt::quote_go(name)),
            ));
        };
        self.eval_call(dot, dot_iface, def, pos, name, cmd, final_)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_call(
        &mut self,
        dot: &GoValue,
        dot_iface: bool,
        def: &Func,
        pos: usize,
        name: &str,
        cmd: &Cmd,
        final_: Option<GoValue>,
    ) -> R<GoValue> {
        let args = &cmd.args[1..];
        let num_in = args.len() + usize::from(final_.is_some());
        let fixed = def.params.len();
        if def.variadic.is_some() {
            if num_in < fixed {
                return Err(self.error(
                    pos,
                    name,
                    format!("wrong number of args for {name}: want at least {fixed} got {num_in}"),
                ));
            }
        } else if num_in != fixed {
            return Err(self.error(
                pos,
                name,
                format!("wrong number of args for {name}: want {fixed} got {num_in}"),
            ));
        }
        let param_at = |i: usize| -> Param {
            if i < fixed {
                def.params[i]
            } else {
                def.variadic.unwrap_or(Param::Any)
            }
        };
        // and/or short-circuit.
        if matches!(name, "and" | "or") && def.special {
            let want = name == "or";
            let mut v = GoValue::Nil;
            for a in args {
                v = self.eval_arg_any(dot, dot_iface, a)?;
                // Go's current node is the last argument evaluated (short-circuit).
                // (In a parenthesized pipeline, that is where it stopped: an inner and/or
                // may have stopped early.)
                self.andor_at = Some(match a {
                    Arg::Pipe(p) => self.last_node_dyn(p),
                    other => (other.pos(), other.to_string()),
                });
                if v.truthy() == want {
                    return Ok(v);
                }
            }
            if let Some(f) = final_ {
                v = f;
            }
            return Ok(v);
        }
        let mut argv = Vec::with_capacity(num_in);
        for (i, a) in args.iter().enumerate() {
            argv.push(self.eval_arg_typed(dot, dot_iface, a, param_at(i))?);
        }
        // Go's len: a nil interface value is "len of nil pointer" (an untyped nil is a
        // reflect panic, which the builtin reports).
        if name == "len"
            && !shared_has(self, name)
            && args.len() == 1
            && final_.is_none()
            && self.last_typed_nil
        {
            return Err(self.error(
                cmd.pos,
                &cmd.to_string(),
                "error calling len: len of nil pointer",
            ));
        }
        if let Some(f) = final_ {
            let p = param_at(args.len());
            // Go reports a bad piped value at the node it visited last: the last argument's
            // last node, or the function's name when it has no arguments.
            let (at, ctx) = match args.last() {
                Some(Arg::Pipe(pipe)) => self.last_node_dyn(pipe),
                Some(a) => (a.pos(), a.to_string()),
                None => (pos, name.to_string()),
            };
            argv.push(self.validate(f, p, at, &ctx)?);
        }
        self.cur_pos = pos;
        match (def.call)(&mut Context::new(self), argv) {
            Ok(v) => {
                let limit = self.shared.opts.max_value_bytes;
                let size = match &v {
                    GoValue::String(x) => x.len(),
                    GoValue::Bytes(b) => b.len(),
                    GoValue::List(l) => l.len(),
                    _ => 0,
                };
                if size > limit {
                    return Err(self.error(
                        cmd.pos,
                        &cmd.to_string(),
                        format!(
                            "error calling {name}: {}",
                            crate::options::limit_message("result", size as u128, "bytes", limit)
                        ),
                    ));
                }
                Ok(v)
            }
            Err(e) => Err(self.error(
                cmd.pos,
                &cmd.to_string(),
                format!("error calling {name}: {e}"),
            )),
        }
    }
}

impl Exec for State<'_, '_> {
    fn notice(&mut self, function: &str) {
        self.shared.set.notices.borrow_mut().push(Notice {
            function: function.to_string(),
            template: self.tree.parse_name.to_string(),
            line: self.line(),
        });
    }

    fn template_name(&self) -> &str {
        &self.tree.parse_name
    }

    fn line(&self) -> usize {
        State::line(self)
    }

    fn options(&self) -> &ExecOptions {
        self.shared.opts
    }

    fn execute_template(&mut self, name: &str, data: &GoValue) -> R<String> {
        let shared = self.shared;
        stacker::maybe_grow(256 * 1024, 8 * 1024 * 1024, || {
            execute_named(shared, name, data, shared.set.name)
        })
    }

    fn execute_text(&mut self, name: &str, text: &str, data: &GoValue) -> R<String> {
        run_text(self.shared, name, text, data)
    }

    fn depth(&self, kind: &'static str, name: &str) -> usize {
        let nesting = self.shared.nesting.borrow();
        nesting
            .get(kind)
            .and_then(|m| m.get(name))
            .copied()
            .unwrap_or(0)
    }

    fn enter(&mut self, kind: &'static str, name: &str) {
        let mut nesting = self.shared.nesting.borrow_mut();
        let counts = nesting.entry(kind).or_default();
        match counts.get_mut(name) {
            Some(c) => *c += 1,
            None => {
                counts.insert(name.to_string(), 1);
            }
        }
    }

    fn leave(&mut self, kind: &'static str, name: &str) {
        if let Some(c) = self
            .shared
            .nesting
            .borrow_mut()
            .get_mut(kind)
            .and_then(|m| m.get_mut(name))
        {
            *c -= 1;
        }
    }
}
