//! The result of `vendor images`: every image reference with where it is and its verdict.

use crate::diag::Pos;
use crate::policy::image::Violation;

/// One image found in an entry, where it is, and what the policy says of it.
#[derive(Debug, Clone)]
pub struct ImageSite {
    pub image: String,
    pub file: String,
    pub pos: Option<Pos>,
    /// `Kind/namespace/name` of the object.
    pub resource: String,
    pub container: String,
    pub violations: Vec<Violation>,
}

/// Every image of the selected entries, by entry, in vendor.toml order.
#[derive(Debug, Clone, Default)]
pub struct ImagesReport {
    pub rows: Vec<(String, ImageSite)>,
}
