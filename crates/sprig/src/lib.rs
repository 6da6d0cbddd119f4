//! The Sprig v3 function library for the `gotemplate` engine: strings, regexes, paths, lists
//! and dicts, math, encodings and hashes, JSON output, random values, UUIDs, dates, URLs,
//! semantic versions (through `semver-ranges`) and, with the `crypto` feature (on by
//! default), keys, certificates, ciphers and password hashes. [`register`] adds them all to a
//! [`FuncMap`](gotemplate::FuncMap).
//!
//! What it deliberately does not know: Helm. Helm's own functions (`include`, `tpl`,
//! `required`, `toYaml`, `fromJson`, `lookup`, ...) are registered by `helm-render`. Sprig's
//! `env` and `expandenv` are not provided at all: they read the process environment, which
//! makes renders depend on the machine (Helm removes them from its function map too), so a
//! template calling them fails to parse with `function "env" not defined`.
//!
//! Functions whose output changes on every call (`randAlphaNum`, `uuidv4`, `now`, `genCA`,
//! `bcrypt`, ...) record a [`Notice`](gotemplate::Notice) through
//! [`Context::notice`](gotemplate::Context::notice), so the owner of the template set can warn
//! that a render is not reproducible.
//!
//! Fidelity notes: regex functions take Go's RE2 syntax, parsed with Go's rules and errors
//! and re-emitted for Rust's `regex` (module `goregex`: ASCII `\d \w \s \b`, `[\w-\.]`,
//! `\Q...\E`, POSIX and Unicode classes, repetition limit 1000); results have Go's types
//! (`add` gives `int64`, `keys`/`splitList`/`regexFindAll` `[]string`, `split` a
//! `map[string]string`, `until` `[]int`, see [`GoValue::typed_list`](gotemplate::GoValue));
//! conversions follow spf13/cast and Go's strconv at the edges; Go's random map order in
//! `keys`/`values` is replaced by sorted order; `dateInZone` reads the system zone database as
//! Go does (unknown names fall back to UTC, as in Sprig); crypto functions make real keys and
//! certificates (RSA primes searched in parallel; DSA keys fail with an error naming them).
//!
//! Resource limits: functions that allocate from an argument (`randBytes`, `randAlphaNum`
//! and friends, `repeat`, `indent`/`nindent`, `replace`, `regexReplaceAll`, `join`,
//! `wrapWith`, `until`/`untilStep`/`seq`) refuse, before allocating, a result beyond the
//! execution's [`max_value_bytes`](gotemplate::ExecOptions::max_value_bytes), with an error
//! [`gotemplate::is_resource_limit`] recognises.
//!
//! ```
//! use std::sync::Arc;
//! use gotemplate::{ExecOptions, FuncMap, GoValue, Templates};
//!
//! let mut funcs = FuncMap::new();
//! sprig::register(&mut funcs);
//! let mut set = Templates::new(Arc::new(funcs));
//! set.add("t", r#"{{ list "b" "a" | sortAlpha | join "," | upper }} {{ "web" | sha256sum | trunc 8 }} {{ semverCompare "^1.2" "1.4.0" }}"#)
//!     .unwrap();
//! let out = set.execute("t", &GoValue::Nil, &ExecOptions::default()).unwrap();
//! assert_eq!(out, "A,B 4b5e57f6 true");
//! ```
//!
//! Layout (no module cycles): `util` (conversions, the registration macro) and `time` (Go's
//! `time.Time`) are leaves; `strings`, `collections`, `math`, `encoding`, `url`, `dates` and
//! `crypto` each register one family.

mod collections;
#[cfg(feature = "crypto")]
mod crypto;
mod dates;
mod encoding;
mod goregex;
mod math;
mod strings;
mod time;
mod url;
mod util;

use gotemplate::FuncMap;

/// Adds every Sprig function to `funcs` (crypto ones only with the `crypto` feature),
/// replacing functions of the same names.
pub fn register(funcs: &mut FuncMap) {
    strings::register(funcs);
    collections::register(funcs);
    math::register(funcs);
    encoding::register(funcs);
    url::register(funcs);
    #[cfg(feature = "crypto")]
    crypto::register(funcs);
    dates::register(funcs);
    // Sprig's older snake_case names.
    for (alias, name) in [
        ("date_in_zone", "dateInZone"),
        ("date_modify", "dateModify"),
        ("must_date_modify", "mustDateModify"),
        ("trimall", "trimAll"),
    ] {
        funcs.alias(alias, name);
    }
}

/// A new map holding every Sprig function (Go's builtins need not be added).
pub fn funcs() -> FuncMap {
    let mut m = FuncMap::new();
    register(&mut m);
    m
}
