//! Progress on stderr while a command fetches: a single updating status line on a terminal,
//! one plain line per finished entry in CI logs and pipes, nothing under `--quiet`. Flows call
//! [`Progress`]; they never print themselves.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::text::{inline, neutralise_commands};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressStyle {
    /// A single updating status line (a terminal).
    Bar,
    /// One plain line per entry (CI logs, pipes).
    Lines,
    Quiet,
}

impl ProgressStyle {
    /// `Bar` on a terminal unless `CI` is set, `Lines` otherwise.
    pub fn detect(quiet: bool) -> Self {
        if quiet {
            ProgressStyle::Quiet
        } else if std::io::stderr().is_terminal() && std::env::var_os("CI").is_none() {
            ProgressStyle::Bar
        } else {
            ProgressStyle::Lines
        }
    }
}

/// Progress of one run over `total` entries. Shared between worker threads.
#[derive(Debug)]
pub struct Progress {
    style: ProgressStyle,
    total: AtomicUsize,
    done: AtomicUsize,
}

impl Progress {
    pub const fn new(style: ProgressStyle) -> Self {
        Progress {
            style,
            total: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
        }
    }

    /// No output at all.
    pub const fn quiet() -> Self {
        Progress::new(ProgressStyle::Quiet)
    }

    /// Starts counting `total` entries.
    pub fn start(&self, total: usize) {
        self.total.store(total, Ordering::Relaxed);
        self.done.store(0, Ordering::Relaxed);
    }

    /// One entry was fetched (`downloaded`: from the network, else from the cache).
    pub fn fetched(&self, name: &str, version: &str, downloaded: bool) {
        let n = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        match self.style {
            ProgressStyle::Bar => self.bar(n, name, version),
            ProgressStyle::Lines => line(&format!(
                "fetched {} {} ({})",
                inline(name),
                inline(version),
                if downloaded { "downloaded" } else { "cache" }
            )),
            ProgressStyle::Quiet => {}
        }
    }

    /// One entry failed (the error is reported at the end).
    pub fn failed(&self, name: &str, version: &str) {
        let n = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        match self.style {
            ProgressStyle::Bar => self.bar(n, name, version),
            ProgressStyle::Lines => line(&format!("failed  {} {}", inline(name), inline(version))),
            ProgressStyle::Quiet => {}
        }
    }

    /// Clears the status line.
    pub fn finish(&self) {
        if self.style == ProgressStyle::Bar {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
        }
    }

    fn bar(&self, n: usize, name: &str, version: &str) {
        let total = self.total.load(Ordering::Relaxed);
        let _ = write!(
            std::io::stderr().lock(),
            "\r\x1b[2K[{n}/{total}] {} {}",
            inline(name),
            inline(version)
        );
    }
}

fn line(text: &str) {
    let text = neutralise_commands(text.to_string());
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}
