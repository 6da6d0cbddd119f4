//! Function registration: a [`FuncMap`] maps names to functions with Go parameter types
//! ([`Param`]), and functions receive a [`Context`] with what they may need from the running
//! execution (notices, executing templates of the set, nesting bounds, the options).
//!
//! Go's builtins (`and`, `eq`, `index`, `printf`, ...) are always available and need not be
//! registered; a function of the map with a builtin's name replaces the builtin, as in Go.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::error::{FuncError, TemplateError};
use crate::options::ExecOptions;
use crate::value::GoValue;

/// A Go parameter type. Arguments are checked against it before the call, with Go's errors
/// (`wrong type for value; expected string; got float64`, `expected integer; found "x"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// `interface {}`: anything.
    Any,
    Str,
    Int,
    Float,
    Bool,
    /// `[]interface {}` (nil accepted).
    List,
    /// `map[string]interface {}` (nil accepted).
    Map,
}

impl Param {
    /// Go's name of the type (`string`, `[]interface {}`, ...).
    pub fn go_name(self) -> &'static str {
        match self {
            Param::Any => "interface {}",
            Param::Str => "string",
            Param::Int => "int",
            Param::Float => "float64",
            Param::Bool => "bool",
            Param::List => "[]interface {}",
            Param::Map => "map[string]interface {}",
        }
    }

    /// The word Go's evalArg uses for literals of this type (`expected integer; found "x"`).
    pub fn go_name_short(self) -> &'static str {
        match self {
            Param::Int => "integer",
            Param::Float => "float",
            Param::Bool => "bool",
            Param::Str => "string",
            other => other.go_name(),
        }
    }
}

/// The signature of a template function: the execution context and the checked arguments.
pub type FuncImpl =
    dyn Fn(&mut Context<'_>, Vec<GoValue>) -> Result<GoValue, FuncError> + Send + Sync;

/// One registered function.
#[derive(Clone)]
pub struct Func {
    pub(crate) params: Box<[Param]>,
    pub(crate) variadic: Option<Param>,
    /// Evaluated lazily by the executor (the builtins `and`, `or`).
    pub(crate) special: bool,
    pub(crate) call: Arc<FuncImpl>,
}

impl Func {
    /// The fixed parameters.
    pub fn params(&self) -> &[Param] {
        &self.params
    }

    /// The type of the variadic tail, if the function is variadic.
    pub fn variadic(&self) -> Option<Param> {
        self.variadic
    }
}

impl fmt::Debug for Func {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Func")
            .field("params", &self.params)
            .field("variadic", &self.variadic)
            .finish_non_exhaustive()
    }
}

/// Named functions for a template set (Go's `template.FuncMap`). Names are resolved when a
/// template is parsed: a name neither here nor a builtin is a parse error
/// (`function "x" not defined`).
#[derive(Clone, Default, Debug)]
pub struct FuncMap {
    funcs: HashMap<String, Func>,
}

impl FuncMap {
    /// An empty map (templates still have Go's builtins).
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `name` (replacing an earlier function of that name) with its fixed parameter
    /// types and, for a variadic function, the type of the tail.
    pub fn insert<F>(&mut self, name: &str, params: &[Param], variadic: Option<Param>, f: F)
    where
        F: Fn(&mut Context<'_>, Vec<GoValue>) -> Result<GoValue, FuncError> + Send + Sync + 'static,
    {
        self.funcs.insert(
            name.to_string(),
            Func {
                params: params.into(),
                variadic,
                special: false,
                call: Arc::new(f),
            },
        );
    }

    /// Registers `alias` as another name of the registered function `name` (Sprig's
    /// `date_in_zone` for `dateInZone`); false when `name` is not registered.
    pub fn alias(&mut self, alias: &str, name: &str) -> bool {
        match self.funcs.get(name).cloned() {
            Some(f) => {
                self.funcs.insert(alias.to_string(), f);
                true
            }
            None => false,
        }
    }

    /// Removes `name`; true when it was registered.
    pub fn remove(&mut self, name: &str) -> bool {
        self.funcs.remove(name).is_some()
    }

    /// True when `name` is registered here (builtins not included).
    pub fn contains(&self, name: &str) -> bool {
        self.funcs.contains_key(name)
    }

    /// The function registered as `name`.
    pub fn get(&self, name: &str) -> Option<&Func> {
        self.funcs.get(name)
    }

    /// Registered names, sorted (builtins not included).
    pub fn names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.funcs.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }

    pub fn len(&self) -> usize {
        self.funcs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.funcs.is_empty()
    }

    pub(crate) fn insert_special(&mut self, name: &str, func: Func) {
        self.funcs.insert(name.to_string(), func);
    }
}

/// What the executor offers a running function (implemented by the executor's state).
pub(crate) trait Exec {
    fn notice(&mut self, function: &str);
    fn template_name(&self) -> &str;
    fn line(&self) -> usize;
    fn options(&self) -> &ExecOptions;
    fn execute_template(&mut self, name: &str, data: &GoValue) -> Result<String, TemplateError>;
    fn execute_text(
        &mut self,
        name: &str,
        text: &str,
        data: &GoValue,
    ) -> Result<String, TemplateError>;
    fn depth(&self, kind: &'static str, name: &str) -> usize;
    fn enter(&mut self, kind: &'static str, name: &str);
    fn leave(&mut self, kind: &'static str, name: &str);
}

/// The running execution, as a function sees it.
pub struct Context<'a> {
    exec: &'a mut dyn Exec,
}

impl<'a> Context<'a> {
    pub(crate) fn new(exec: &'a mut dyn Exec) -> Self {
        Context { exec }
    }

    /// Records a [`Notice`](crate::Notice) that `function` was called here (the current
    /// template file and line); the set's owner reads them with
    /// [`Templates::take_notices`](crate::Templates::take_notices).
    pub fn notice(&mut self, function: &str) {
        self.exec.notice(function);
    }

    /// The name of the source text the calling node was parsed from.
    pub fn template_name(&self) -> &str {
        self.exec.template_name()
    }

    /// The line of the call.
    pub fn line(&self) -> usize {
        self.exec.line()
    }

    /// The options of this execution.
    pub fn options(&self) -> &ExecOptions {
        self.exec.options()
    }

    /// Executes the template `name` of the set (and of open [`execute_text`](Self::execute_text)
    /// layers) with `data` as dot, into a new string: Go's `ExecuteTemplate` on the set. A
    /// missing name reads `template: no template "x" associated with template "SET"` where SET
    /// is the set's name ([`Templates::named`](crate::Templates::named)).
    pub fn execute_template(
        &mut self,
        name: &str,
        data: &GoValue,
    ) -> Result<String, TemplateError> {
        self.exec.execute_template(name, data)
    }

    /// Parses `text` as a template called `name` (with the set's functions) in a layer above
    /// the set, so it sees every template of the set and its own `define`s shadow theirs while
    /// it runs, then executes it with `data` as dot. A syntax error is a
    /// [`TemplateError::Parse`]; execution errors are the other variants.
    pub fn execute_text(
        &mut self,
        name: &str,
        text: &str,
        data: &GoValue,
    ) -> Result<String, TemplateError> {
        self.exec.execute_text(name, text, data)
    }

    /// How many [`nested`](Self::nested) calls for `(kind, name)` are open in this execution
    /// (including executions started by functions), for bounding recursion.
    pub fn depth(&self, kind: &'static str, name: &str) -> usize {
        self.exec.depth(kind, name)
    }

    /// Runs `f` with the nesting count of `(kind, name)` raised by one.
    pub fn nested<T>(
        &mut self,
        kind: &'static str,
        name: &str,
        f: impl FnOnce(&mut Context<'_>) -> T,
    ) -> T {
        self.exec.enter(kind, name);
        let r = f(&mut Context { exec: self.exec });
        self.exec.leave(kind, name);
        r
    }
}
