//! What the commands produce, as data: the one model every printer reads. Flows build these;
//! `report`'s printers turn them into text in each format.

pub(crate) mod check;
mod images;
mod outdated;
mod sync;
pub(crate) mod update;

pub use check::CheckReport;
pub use images::{ImageSite, ImagesReport};
pub use outdated::OutdatedRow;
pub use sync::{Change, EntryOutcome, SyncReport};
pub use update::{
    DiffMarkdown, DiffSection, EntryReport, FileChanges, HighlightMarkdown, PatchRef, PatchState,
    PatchStatus, ReleaseNotes, UpdateReport, VersionNotes,
};

#[cfg(test)]
pub(crate) use check::tests;
