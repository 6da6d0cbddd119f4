//! Semantic versions and Helm's (Masterminds semver v3) constraint syntax.
//!
//! Owns: [`Version`] (loose parsing as Helm does it: `v` prefix, missing minor/patch, prerelease
//! and build metadata), precedence ordering, and [`Constraint`] (`^`, `~`, `~>`, x-ranges, hyphen
//! ranges, comma- or space-separated AND, `||`, comparison operators, `!=`). Prereleases only
//! match a range that itself names a prerelease, as in Masterminds.
//!
//! Leaves to others: where version lists come from and which range an entry tracks (the app).
//! Behaviour was learnt from Masterminds' documentation and test
//! tables, which are re-expressed in the tests below.
//!
//! ```
//! use semver_ranges::{Constraint, Version};
//!
//! let c = Constraint::parse("~2.14").unwrap();
//! assert!(c.matches(&Version::parse("v2.14.21").unwrap()));
//! assert!(!c.matches(&Version::parse("3.0.0").unwrap()));
//! ```

mod constraint;
mod version;

pub use constraint::{Constraint, ConstraintError};
pub use version::{Version, VersionError};
