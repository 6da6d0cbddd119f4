//! [`GoValue`]: the dynamic value the engine works on, with Go's semantics (maps are shared
//! references that `set`/`unset`/`merge` mutate in place; lists are immutable shared slices),
//! and [`GoObject`], the hook through which callers expose Go structs, named types and typed
//! collections (`[]string`, `map[string]string`, Helm's `.Files.Glob` results) to templates.

use std::borrow::Cow;
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
    /// Go `int` (template literals, `len`, `atoi`, `int`).
    Int(i64),
    /// Go `int64` (Sprig's integer math: `add`, `sub`, `max`, `int64`, ...). It prints and
    /// compares as `Int` does, but is a different type: `typeOf` says `int64`, and a function
    /// parameter of type `int` refuses it (`wrong type for value; expected int; got int64`).
    Int64(i64),
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
///
/// An object can also behave as a Go map or slice: implement [`entries`](Self::entries) (a
/// map-like type such as Helm's `files`, a `map[string][]byte`) or [`items`](Self::items) (a
/// slice-like type such as Helm's `VersionSet`, a `[]string`). Then `range` (with one or two
/// variables), `len`, `index`, truth (non-empty), `empty`-style checks and the list/dict
/// functions of Sprig that take any slice or map (`has`, `first`, `join`, `keys`...) see its
/// elements, while [`type_name`](Self::type_name) and [`kind`](Self::kind) keep Go's type
/// (`typeOf`, `%T`, and parameters of type `[]interface {}` / `map[string]interface {}` refuse
/// it, as Go does). Methods and fields still work on such an object (`.AsConfig`).
pub trait GoObject {
    /// Go type name used in error messages and `typeOf`, e.g. `*chart.Metadata`.
    fn type_name(&self) -> &str;
    /// Go's reflect kind name (`kindOf`): `ptr` by default (a pointer to a struct); `struct`,
    /// `map`, `slice`, `complex128`... for other types.
    fn kind(&self) -> &str {
        "ptr"
    }
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
    /// Map-like objects: the entries in Go's iteration order for templates (sorted keys).
    /// `range $k, $v := OBJ`, `len OBJ` and `index OBJ "k"` use them. `None`: not a map.
    fn entries(&self) -> Option<Vec<(String, GoValue)>> {
        None
    }
    /// Slice-like objects: the elements. `range $i, $v := OBJ`, `len OBJ` and `index OBJ 0`
    /// use them. `None`: not a slice.
    fn items(&self) -> Option<Vec<GoValue>> {
        None
    }
    /// What Sprig's `deepCopy` (mitchellh/copystructure, which copies exported fields only)
    /// makes of the object. `None`: the object itself.
    fn deep_copy(&self) -> Option<GoValue> {
        None
    }
}

/// A Go slice of a named element type (`[]string`, `[]int`): what Sprig's `keys`,
/// `splitList`, `regexFindAll`, `until` return. Built by [`GoValue::typed_list`].
struct TypedList {
    type_name: String,
    items: Vec<GoValue>,
    /// A nil slice: no items, printed as `[]`, but `null` to the JSON and YAML encoders.
    nil: bool,
}

impl GoObject for TypedList {
    fn type_name(&self) -> &str {
        &self.type_name
    }
    fn kind(&self) -> &str {
        "slice"
    }
    fn to_value(&self) -> GoValue {
        if self.nil {
            return GoValue::Nil;
        }
        GoValue::from(self.items.clone())
    }
    fn items(&self) -> Option<Vec<GoValue>> {
        Some(self.items.clone())
    }
}

/// A Go `complex128` (a complex constant in a template, `1i`).
struct Complex(f64, f64);

impl GoObject for Complex {
    fn type_name(&self) -> &str {
        "complex128"
    }
    fn kind(&self) -> &str {
        "complex128"
    }
    fn string(&self) -> Option<String> {
        let re = crate::strconv::format_float(self.0, 'g', -1);
        let mut im = crate::strconv::format_float(self.1, 'g', -1);
        if !im.starts_with(['-', '+']) {
            im.insert(0, '+');
        }
        Some(format!("({re}{im}i)"))
    }
}

/// A Go map of a named element type (`map[string]string`): what Sprig's `split` returns.
/// Built by [`GoValue::typed_map`].
struct TypedMap {
    type_name: String,
    entries: BTreeMap<String, GoValue>,
}

impl GoObject for TypedMap {
    fn type_name(&self) -> &str {
        &self.type_name
    }
    fn kind(&self) -> &str {
        "map"
    }
    fn field(&self, name: &str) -> Option<GoValue> {
        // A map's "field" is its key (a missing key gives the element type's zero value).
        Some(
            self.entries
                .get(name)
                .cloned()
                .unwrap_or_else(|| GoValue::from("")),
        )
    }
    fn to_value(&self) -> GoValue {
        GoValue::from(self.entries.clone())
    }
    fn entries(&self) -> Option<Vec<(String, GoValue)>> {
        Some(
            self.entries
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    }
}

impl dyn GoObject {
    /// The length of a map- or slice-like object.
    pub fn len(&self) -> Option<usize> {
        if let Some(i) = self.items() {
            return Some(i.len());
        }
        self.entries().map(|e| e.len())
    }
}

impl fmt::Debug for GoValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GoValue::Nil => write!(f, "Nil"),
            GoValue::Bool(b) => write!(f, "Bool({b})"),
            GoValue::Int(i) => write!(f, "Int({i})"),
            GoValue::Int64(i) => write!(f, "Int64({i})"),
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
            (GoValue::Int(a), GoValue::Int(b)) | (GoValue::Int64(a), GoValue::Int64(b)) => a == b,
            (GoValue::Float(a), GoValue::Float(b)) => a == b,
            (GoValue::String(a), GoValue::String(b)) => a == b,
            (GoValue::Bytes(a), GoValue::Bytes(b)) => a == b,
            (GoValue::List(a), GoValue::List(b)) => a == b,
            (GoValue::Map(a), GoValue::Map(b)) => Rc::ptr_eq(a, b) || *a.borrow() == *b.borrow(),
            (GoValue::Object(a), GoValue::Object(b)) => {
                Rc::ptr_eq(a, b)
                    || (a.type_name() == b.type_name()
                        && match (a.items(), b.items()) {
                            (Some(x), Some(y)) => x == y,
                            _ => match (a.entries(), b.entries()) {
                                (Some(x), Some(y)) => x == y,
                                _ => false,
                            },
                        })
            }
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
            GoValue::Int(i) | GoValue::Int64(i) => *i != 0,
            GoValue::Float(f) => *f != 0.0,
            GoValue::String(s) => !s.is_empty(),
            GoValue::Bytes(b) => !b.is_empty(),
            GoValue::List(l) => !l.is_empty(),
            GoValue::Map(m) => !m.borrow().is_empty(),
            GoValue::Object(o) => o.len().is_none_or(|n| n > 0),
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
            GoValue::Int64(_) => "int64".into(),
            GoValue::Float(_) => "float64".into(),
            GoValue::String(_) => "string".into(),
            GoValue::Bytes(_) => "[]uint8".into(),
            GoValue::List(_) => "[]interface {}".into(),
            GoValue::Map(_) => "map[string]interface {}".into(),
            GoValue::Object(o) => o.type_name().to_string(),
        }
    }

    /// Go's reflect kind name (Sprig's `kindOf`).
    pub fn kind_name(&self) -> &str {
        match self {
            GoValue::Nil => "invalid",
            GoValue::Bool(_) => "bool",
            GoValue::Int(_) => "int",
            GoValue::Int64(_) => "int64",
            GoValue::Float(_) => "float64",
            GoValue::String(_) => "string",
            GoValue::Bytes(_) | GoValue::List(_) => "slice",
            GoValue::Map(_) => "map",
            GoValue::Object(o) => o.kind(),
        }
    }

    /// The integer of an `int` or `int64`.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            GoValue::Int(i) | GoValue::Int64(i) => Some(*i),
            _ => None,
        }
    }

    /// A Go slice of a named type, e.g. `typed_list("[]string", items)`: ranges, indexes and
    /// prints as a list, but `typeOf` gives `type_name` and `[]interface {}` parameters refuse it.
    pub fn typed_list(type_name: &str, items: Vec<GoValue>) -> GoValue {
        GoValue::object(TypedList {
            type_name: type_name.to_string(),
            items,
            nil: false,
        })
    }

    /// A nil slice of a named type (Go's `regexp` finds nothing as `[]string(nil)`): empty
    /// like `typed_list`, but the JSON and YAML encoders see nil (`null`).
    pub fn nil_typed_list(type_name: &str) -> GoValue {
        GoValue::object(TypedList {
            type_name: type_name.to_string(),
            items: Vec::new(),
            nil: true,
        })
    }

    /// A Go `complex128`.
    pub fn complex(re: f64, im: f64) -> GoValue {
        GoValue::object(Complex(re, im))
    }

    /// A Go `[]string`.
    pub fn string_list(items: Vec<String>) -> GoValue {
        GoValue::typed_list("[]string", items.into_iter().map(GoValue::from).collect())
    }

    /// A Go map of a named type, e.g. `typed_map("map[string]string", entries)`.
    pub fn typed_map(type_name: &str, entries: BTreeMap<String, GoValue>) -> GoValue {
        GoValue::object(TypedMap {
            type_name: type_name.to_string(),
            entries,
        })
    }

    /// The elements of any Go slice: a `[]interface {}` or a slice-like object
    /// ([`GoObject::items`]). `None` for other values.
    pub fn list_items(&self) -> Option<Cow<'_, [GoValue]>> {
        match self {
            GoValue::List(l) => Some(Cow::Borrowed(&l[..])),
            GoValue::Object(o) => o.items().map(Cow::Owned),
            _ => None,
        }
    }

    /// The entries of any Go map with string keys, in sorted key order: a
    /// `map[string]interface {}` or a map-like object ([`GoObject::entries`]).
    pub fn map_entries(&self) -> Option<Vec<(String, GoValue)>> {
        match self {
            GoValue::Map(m) => Some(
                m.borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ),
            GoValue::Object(o) => o.entries(),
            _ => None,
        }
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
            GoValue::Object(o) => o.deep_copy().unwrap_or_else(|| self.clone()),
            other => other.clone(),
        }
    }
}
