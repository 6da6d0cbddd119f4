//! [`GoValue`]: the dynamic value the engine works on, with Go's semantics (maps are shared
//! references that `set`/`unset`/`merge` mutate in place; lists are immutable shared slices).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

use crate::error::FuncError;

/// A Go map (`map[string]interface{}`): shared and mutable, iterated in sorted key order.
pub type MapRef = Rc<RefCell<BTreeMap<String, GoValue>>>;

/// A Go value as templates see it.
#[derive(Clone, Default)]
pub enum GoValue {
    /// A nil interface (missing map key, YAML null). Prints `<no value>` at top level, `<nil>`
    /// inside containers and in `printf`.
    #[default]
    Nil,
    Bool(bool),
    /// Go `int`/`int64` (template literals are `int`, Sprig math returns `int64`).
    Int(i64),
    /// Go `float64` (every number of a YAML or JSON document decoded by Helm).
    Float(f64),
    String(Rc<str>),
    /// Go `[]byte` (`.Files.GetBytes`).
    Bytes(Rc<[u8]>),
    /// Go `[]interface{}`.
    List(Rc<Vec<GoValue>>),
    /// Go `map[string]interface{}`.
    Map(MapRef),
    /// A Go struct or named type with fields and methods, provided by the caller.
    Object(Rc<dyn GoObject>),
}

/// A Go object exposed to templates: `.Chart.Name` (field), `.Files.Get "x"` (method),
/// `.Capabilities.KubeVersion` (Stringer when printed).
pub trait GoObject {
    /// Go type name used in error messages, e.g. `*chart.Metadata`.
    fn type_name(&self) -> &str;
    /// The exported field `name`, if it exists.
    fn field(&self, _name: &str) -> Option<GoValue> {
        None
    }
    /// Calls method `name` with `args`; `None` if there is no such method. An `Err` is
    /// reported as Go reports a method's error: `error calling NAME: MESSAGE` (a message
    /// starting `wrong number of args` is reported as is, as Go reports an arity error).
    fn method(&self, _name: &str, _args: &[GoValue]) -> Option<Result<GoValue, FuncError>> {
        None
    }
    /// True when `name` is a method (so `.X` without arguments calls it).
    fn has_method(&self, _name: &str) -> bool {
        false
    }
    /// The `String()` method, if any, used when printing.
    fn string(&self) -> Option<String> {
        None
    }
    /// The data form (as `json.Marshal` sees it), for data encoders and `%v`.
    fn to_value(&self) -> GoValue {
        GoValue::Nil
    }
    /// Go's reflect kind (Sprig's `kindOf`): `ptr` for a pointer to a struct (the default),
    /// `struct`, `map`, `slice`.
    fn kind(&self) -> &'static str {
        "ptr"
    }
    /// The elements, when the object is a Go slice (a named `[]T`): `range`, `len`, `index`
    /// and Sprig's list functions then treat it as a list.
    fn items(&self) -> Option<Vec<GoValue>> {
        None
    }
    /// The text, when the object is a Go `string` whose bytes are not valid UTF-8 (the
    /// lossy text, with U+FFFD for invalid bytes): string parameters accept it, and
    /// [`GoValue::as_str`] returns it.
    fn as_str(&self) -> Option<&str> {
        None
    }
    /// The exact bytes of such a string ([`GoValue::as_bytes`]), for functions that work
    /// on bytes (`b64enc`, the checksums).
    fn raw_bytes(&self) -> Option<&[u8]> {
        None
    }
    /// The entries in key order, when the object is a Go map (a named `map[string]T`):
    /// `range`, `len` and `index` then treat it as a map.
    fn entries(&self) -> Option<Vec<(String, GoValue)>> {
        None
    }
}

impl fmt::Debug for GoValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GoValue::Nil => write!(f, "Nil"),
            GoValue::Bool(b) => write!(f, "Bool({b})"),
            GoValue::Int(i) => write!(f, "Int({i})"),
            GoValue::Float(x) => write!(f, "Float({x})"),
            GoValue::String(s) => write!(f, "String({s:?})"),
            GoValue::Bytes(b) => write!(f, "Bytes({b:?})"),
            GoValue::List(l) => f.debug_list().entries(l.iter()).finish(),
            GoValue::Map(m) => f.debug_map().entries(m.borrow().iter()).finish(),
            GoValue::Object(o) => write!(f, "Object({})", o.type_name()),
        }
    }
}

impl PartialEq for GoValue {
    /// Deep equality (Sprig's `deepEqual`, reflect.DeepEqual on decoded data).
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (GoValue::Nil, GoValue::Nil) => true,
            (GoValue::Bool(a), GoValue::Bool(b)) => a == b,
            (GoValue::Int(a), GoValue::Int(b)) => a == b,
            (GoValue::Float(a), GoValue::Float(b)) => a == b,
            (GoValue::String(a), GoValue::String(b)) => a == b,
            (GoValue::Bytes(a), GoValue::Bytes(b)) => a == b,
            (GoValue::List(a), GoValue::List(b)) => a == b,
            (GoValue::Map(a), GoValue::Map(b)) => Rc::ptr_eq(a, b) || *a.borrow() == *b.borrow(),
            (GoValue::Object(a), GoValue::Object(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl From<&str> for GoValue {
    fn from(s: &str) -> Self {
        GoValue::String(Rc::from(s))
    }
}
impl From<String> for GoValue {
    fn from(s: String) -> Self {
        GoValue::String(Rc::from(s))
    }
}
impl From<bool> for GoValue {
    fn from(b: bool) -> Self {
        GoValue::Bool(b)
    }
}
impl From<i64> for GoValue {
    fn from(i: i64) -> Self {
        GoValue::Int(i)
    }
}
impl From<f64> for GoValue {
    fn from(x: f64) -> Self {
        GoValue::Float(x)
    }
}
impl From<Vec<GoValue>> for GoValue {
    fn from(v: Vec<GoValue>) -> Self {
        GoValue::List(Rc::new(v))
    }
}
impl From<BTreeMap<String, GoValue>> for GoValue {
    fn from(m: BTreeMap<String, GoValue>) -> Self {
        GoValue::Map(Rc::new(RefCell::new(m)))
    }
}

impl GoValue {
    /// A new empty map.
    pub fn new_map() -> GoValue {
        GoValue::Map(Rc::new(RefCell::new(BTreeMap::new())))
    }

    /// Wraps a caller object.
    pub fn object(o: impl GoObject + 'static) -> GoValue {
        GoValue::Object(Rc::new(o))
    }

    /// Go's truth: false, 0, nil, and empty strings, lists and maps are false.
    pub fn truthy(&self) -> bool {
        match self {
            GoValue::Nil => false,
            GoValue::Bool(b) => *b,
            GoValue::Int(i) => *i != 0,
            GoValue::Float(f) => *f != 0.0,
            GoValue::String(s) => !s.is_empty(),
            GoValue::Bytes(b) => !b.is_empty(),
            GoValue::List(l) => !l.is_empty(),
            GoValue::Map(m) => !m.borrow().is_empty(),
            GoValue::Object(_) => true,
        }
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, GoValue::Nil)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            GoValue::String(s) => Some(s),
            GoValue::Object(o) => o.as_str(),
            _ => None,
        }
    }

    /// The bytes of a string: its UTF-8 bytes, or an object string's exact bytes
    /// ([`GoObject::raw_bytes`]).
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            GoValue::String(s) => Some(s.as_bytes()),
            GoValue::Object(o) => o.raw_bytes().or_else(|| o.as_str().map(str::as_bytes)),
            _ => None,
        }
    }

    /// The Go type name, as `printf "%T"` and error messages print it.
    pub fn type_name(&self) -> String {
        match self {
            GoValue::Nil => "<nil>".into(),
            GoValue::Bool(_) => "bool".into(),
            GoValue::Int(_) => "int".into(),
            GoValue::Float(_) => "float64".into(),
            GoValue::String(_) => "string".into(),
            GoValue::Bytes(_) => "[]uint8".into(),
            GoValue::List(_) => "[]interface {}".into(),
            GoValue::Map(_) => "map[string]interface {}".into(),
            GoValue::Object(o) => o.type_name().to_string(),
        }
    }

    /// Go's reflect kind name (Sprig's `kindOf`).
    pub fn kind_name(&self) -> &'static str {
        match self {
            GoValue::Nil => "invalid",
            GoValue::Bool(_) => "bool",
            GoValue::Int(_) => "int",
            GoValue::Float(_) => "float64",
            GoValue::String(_) => "string",
            GoValue::Bytes(_) | GoValue::List(_) => "slice",
            GoValue::Map(_) => "map",
            GoValue::Object(o) => o.kind(),
        }
    }

    /// The value as a plain list or map when it is an object that is a Go slice or map
    /// ([`GoObject::items`], [`GoObject::entries`]); otherwise the value itself.
    pub fn container(&self) -> std::borrow::Cow<'_, GoValue> {
        if let GoValue::Object(o) = self {
            if let Some(items) = o.items() {
                return std::borrow::Cow::Owned(GoValue::from(items));
            }
            if let Some(entries) = o.entries() {
                return std::borrow::Cow::Owned(GoValue::from(
                    entries.into_iter().collect::<BTreeMap<_, _>>(),
                ));
            }
        }
        std::borrow::Cow::Borrowed(self)
    }

    /// A deep copy (maps are copied, so mutations of the copy do not show in the original).
    pub fn deep_copy(&self) -> GoValue {
        match self {
            GoValue::List(l) => GoValue::from(l.iter().map(GoValue::deep_copy).collect::<Vec<_>>()),
            GoValue::Map(m) => GoValue::from(
                m.borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.deep_copy()))
                    .collect::<BTreeMap<_, _>>(),
            ),
            other => other.clone(),
        }
    }
}
