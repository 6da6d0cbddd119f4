//! What a build noticed about the overlay's own patches and image overrides while building it:
//! a patch with no target, a patch that changes nothing, a list item added where an existing
//! one was probably meant, a failed JSON6902 operation, an `images:` entry that matches nothing.
//! kustomize builds anyway (or fails, for the last two); the caller decides how serious each is.

use kyaml::Pos;

/// What kind of thing was noticed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FindingKind {
    /// A patch finds no resource to apply to.
    PatchTargetMissing,
    /// A patch changes nothing in the resources it targets.
    PatchNoOp,
    /// A strategic merge list item matched nothing by its merge key and was added.
    /// `likely_renamed`: the added item is a container without an image, which almost always
    /// means upstream renamed the container the patch was written for.
    PatchAddsListItem { likely_renamed: bool },
    /// A JSON6902 operation failed.
    Json6902OpFailed,
    /// An `images:` override matches no image.
    ImageOverrideUnused,
}

/// One thing noticed, with where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub kind: FindingKind,
    /// The patch file or kustomization, as the build displays paths.
    pub file: String,
    pub pos: Option<Pos>,
    /// `kind/namespace/name` of the object concerned.
    pub resource: Option<String>,
    pub message: String,
    pub help: Option<String>,
    /// kustomize itself fails the build for this (a strategic merge patch without a target,
    /// a failing JSON patch operation); vendor reports it and builds on.
    pub fatal: bool,
}

impl Finding {
    pub(crate) fn new(kind: FindingKind, message: impl Into<String>) -> Self {
        Finding {
            kind,
            file: String::new(),
            pos: None,
            resource: None,
            message: message.into(),
            help: None,
            fatal: false,
        }
    }

    pub(crate) fn file(mut self, file: impl Into<String>) -> Self {
        self.file = file.into();
        self
    }

    pub(crate) fn at(mut self, pos: Option<Pos>) -> Self {
        self.pos = pos;
        self
    }

    pub(crate) fn resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub(crate) fn fatal(mut self) -> Self {
        self.fatal = true;
        self
    }
}
