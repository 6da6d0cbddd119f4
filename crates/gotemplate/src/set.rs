//! [`Templates`]: a set of named templates sharing one namespace of `define`d names and one
//! [`FuncMap`].

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use crate::error::TemplateError;
use crate::exec::{self, Set};
use crate::funcmap::FuncMap;
use crate::options::{ExecOptions, Notice};
use crate::parse;
use crate::value::GoValue;

/// A set of named templates sharing one namespace of `define`d names (Go's template with its
/// associated templates). Later definitions of a name replace earlier ones, as in Go.
#[derive(Default)]
pub struct Templates {
    name: Option<String>,
    funcs: Arc<FuncMap>,
    trees: HashMap<String, Rc<parse::Tree>>,
    notices: RefCell<Vec<Notice>>,
}

impl Templates {
    /// An empty set whose templates may call `funcs` (and Go's builtins).
    pub fn new(funcs: Arc<FuncMap>) -> Self {
        Templates {
            funcs,
            ..Self::default()
        }
    }

    /// An empty set with a name (Go's `template.New(name)`): the name Go reports when a
    /// function asks for a template the set does not have
    /// (`no template "x" associated with template "NAME"`).
    pub fn named(name: &str, funcs: Arc<FuncMap>) -> Self {
        Templates {
            name: Some(name.to_string()),
            ..Self::new(funcs)
        }
    }

    /// The set's functions.
    pub fn funcs(&self) -> &FuncMap {
        &self.funcs
    }

    /// Whether templates of this set may call `name` (a function of the map or a builtin).
    pub fn is_known(&self, name: &str) -> bool {
        self.set().is_known(name)
    }

    /// Parses `text` as the template `name`, registering the templates it `define`s. A later
    /// definition of a name replaces an earlier one unless its body is empty (Go's rule), so
    /// add files in the order Go would parse them for the same winner.
    /// Functions are resolved at parse time as in Go: an unknown function is a parse error
    /// (`template: NAME:LINE: function "x" not defined`).
    pub fn add(&mut self, name: &str, text: &str) -> Result<(), TemplateError> {
        let funcs = &self.funcs;
        let parsed = parse::parse(name, text, &|f| {
            funcs.contains(f) || crate::builtins::get(f).is_some()
        })?;
        for (def_name, tree) in parsed {
            // Go: an empty (whitespace-only) body does not replace an existing definition.
            if tree.is_empty_body() && self.trees.contains_key(&def_name) {
                continue;
            }
            self.trees.insert(def_name, Rc::new(tree));
        }
        Ok(())
    }

    /// True when a template of that name exists (a file or a `define`).
    pub fn contains(&self, name: &str) -> bool {
        self.trees.contains_key(name)
    }

    /// Names of all templates, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.trees.keys().cloned().collect();
        v.sort();
        v
    }

    /// Executes the template `name` with `data` as dot (and `$`). The output is Go's raw
    /// output (missing values print `<no value>`).
    pub fn execute(
        &self,
        name: &str,
        data: &GoValue,
        opts: &ExecOptions,
    ) -> Result<String, TemplateError> {
        exec::execute(self.set(), name, data, opts)
    }

    /// Takes the notices recorded by functions (see
    /// [`Context::notice`](crate::Context::notice)) since the last call.
    pub fn take_notices(&self) -> Vec<Notice> {
        std::mem::take(&mut self.notices.borrow_mut())
    }

    fn set(&self) -> Set<'_> {
        Set {
            name: self.name.as_deref(),
            funcs: &self.funcs,
            trees: &self.trees,
            notices: &self.notices,
        }
    }
}
