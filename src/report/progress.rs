//! Progress on stderr while a command works. On a terminal (`indicatif`): a status line with the
//! phase and the entries done, and one live line per entry at work, showing its download (file,
//! bytes, total, rate) while the bytes arrive. In CI logs and pipes: one plain line per finished
//! entry. Under `--quiet`: nothing. Flows call [`Progress`]; they never print themselves.
//! Entry names, versions and file names come from upstream and vendor.toml and are escaped
//! ([`super::text`]).

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget};

use super::text::{inline, neutralise_commands};
use crate::sources::transfer;

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressStyle {
    /// Live status lines (a terminal).
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

/// How often live lines are redrawn while nothing else happens (a stalled download still shows
/// its rate falling).
const TICK: Duration = Duration::from_millis(120);

/// Progress of one run. Cheap to clone; clones show on the same lines. Shared between worker
/// threads. The default shows nothing.
#[derive(Clone)]
pub struct Progress(Arc<Inner>);

struct Inner {
    style: ProgressStyle,
    total: AtomicUsize,
    done: AtomicUsize,
    /// The terminal's lines (`Bar` only): the status line first, entries below it.
    bars: Option<(MultiProgress, ProgressBar)>,
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Progress").field(&self.0.style).finish()
    }
}

impl Default for Progress {
    fn default() -> Self {
        Progress::quiet()
    }
}

impl Progress {
    pub fn new(style: ProgressStyle) -> Self {
        Progress::with_target(style, ProgressDrawTarget::stderr())
    }

    /// `style`, drawing live lines on `target` (tests draw into memory).
    fn with_target(style: ProgressStyle, target: ProgressDrawTarget) -> Self {
        let bars = (style == ProgressStyle::Bar).then(|| {
            let multi = MultiProgress::with_draw_target(target);
            let status = multi.add(ProgressBar::hidden());
            (multi, status)
        });
        Progress(Arc::new(Inner {
            style,
            total: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            bars,
        }))
    }

    /// No output at all.
    pub fn quiet() -> Self {
        Progress::new(ProgressStyle::Quiet)
    }

    pub fn style(&self) -> ProgressStyle {
        self.0.style
    }

    /// Starts counting `total` entries being fetched.
    pub fn start(&self, total: usize) {
        self.start_phase("fetching", total);
    }

    /// Starts a phase over `total` entries (`what`: "fetching", "checking", ...).
    pub fn start_phase(&self, what: &str, total: usize) {
        self.0.total.store(total, Ordering::Relaxed);
        self.0.done.store(0, Ordering::Relaxed);
        if let Some((_, status)) = &self.0.bars {
            status.set_style(style("{spinner} [{pos}/{len}] {wide_msg}"));
            status.set_length(total as u64);
            status.set_position(0);
            status.set_message(what.to_string());
            status.enable_steady_tick(TICK);
        }
    }

    /// A phase without entries to count (rendering, building overlays, comparing).
    pub fn phase(&self, what: &str) {
        if let Some((_, status)) = &self.0.bars {
            status.set_style(style("{spinner} {wide_msg} ({elapsed})"));
            status.set_message(inline(what).into_owned());
            status.enable_steady_tick(TICK);
        }
    }

    /// Runs the work of one entry with a live line for it; the downloads it makes on this
    /// thread show there while they run.
    pub fn entry<R>(&self, name: &str, version: &str, work: impl FnOnce() -> R) -> R {
        let Some((multi, _)) = &self.0.bars else {
            return work();
        };
        let bar = multi.add(ProgressBar::new_spinner());
        bar.set_style(style("  {spinner} {prefix} {wide_msg}"));
        bar.set_prefix(format!("{} {}", inline(name), inline(version)));
        bar.set_message("starting");
        bar.enable_steady_tick(TICK);
        let line = Arc::new(EntryLine { bar: bar.clone() });
        let out = transfer::observed(line, work);
        bar.finish_and_clear();
        multi.remove(&bar);
        out
    }

    /// One entry was fetched (`downloaded`: from the network, else from the cache).
    pub fn fetched(&self, name: &str, version: &str, downloaded: bool) {
        self.entry_done(|| {
            format!(
                "fetched {} {} ({})",
                inline(name),
                inline(version),
                if downloaded { "downloaded" } else { "cache" }
            )
        });
    }

    /// One entry failed (the error is reported at the end).
    pub fn failed(&self, name: &str, version: &str) {
        self.entry_done(|| format!("failed  {} {}", inline(name), inline(version)));
    }

    fn entry_done(&self, text: impl FnOnce() -> String) {
        self.0.done.fetch_add(1, Ordering::Relaxed);
        match (&self.0.bars, self.0.style) {
            (Some((_, status)), _) => status.inc(1),
            (None, ProgressStyle::Lines) => line(&text()),
            (None, _) => {}
        }
    }

    /// Entries done and the total of the current phase.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.0.done.load(Ordering::Relaxed),
            self.0.total.load(Ordering::Relaxed),
        )
    }

    /// Clears the live lines.
    pub fn finish(&self) {
        if let Some((multi, status)) = &self.0.bars {
            status.disable_steady_tick();
            status.set_style(style(""));
            status.finish_and_clear();
            let _ = multi.clear();
        }
    }
}

/// The live line of one entry: a spinner while it works, the transfer while bytes arrive.
struct EntryLine {
    bar: ProgressBar,
}

impl transfer::Observer for EntryLine {
    fn started(&self, url: &str, length: Option<u64>) {
        let file = url
            .split(['?', '#'])
            .next()
            .unwrap_or(url)
            .rsplit('/')
            .find(|s| !s.is_empty())
            .unwrap_or(url);
        self.bar.reset();
        self.bar.set_style(style(match length {
            Some(_) => {
                "  {spinner} {prefix} {wide_msg} {bytes}/{total_bytes} ({binary_bytes_per_sec})"
            }
            None => "  {spinner} {prefix} {wide_msg} {bytes} ({binary_bytes_per_sec})",
        }));
        self.bar.set_length(length.unwrap_or(0));
        self.bar
            .set_message(format!("downloading {}", inline(file)));
    }

    fn received(&self, received: u64) {
        self.bar.set_position(received);
    }

    fn ended(&self) {
        self.bar.set_style(style("  {spinner} {prefix} {wide_msg}"));
        self.bar.set_message("processing");
    }
}

fn style(template: &str) -> indicatif::ProgressStyle {
    indicatif::ProgressStyle::with_template(template)
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner())
}

fn line(text: &str) {
    let text = neutralise_commands(text.to_string());
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::transfer::Observer as _;

    #[test]
    fn quiet_and_lines_styles_have_no_live_lines() {
        for style in [ProgressStyle::Quiet, ProgressStyle::Lines] {
            let p = Progress::new(style);
            p.start(2);
            assert_eq!(p.entry("a", "1", || 7), 7);
            p.fetched("a", "1", true);
            p.failed("b", "2");
            assert_eq!(p.counts(), (2, 2));
            p.finish();
        }
    }

    #[test]
    fn an_entry_line_follows_its_transfer() {
        let line = EntryLine {
            bar: ProgressBar::hidden(),
        };
        line.started("https://example.com/dl/install.yaml?x=1", Some(4 << 20));
        line.received(1 << 20);
        assert_eq!(line.bar.message(), "downloading install.yaml");
        assert_eq!(
            (line.bar.position(), line.bar.length()),
            (1 << 20, Some(4 << 20))
        );
        line.ended();
        assert_eq!(line.bar.message(), "processing");
        line.started("https://example.com/evil\x1b[2J.yaml", None);
        assert_eq!(line.bar.message(), "downloading evil\\u{1b}[2J.yaml");
    }

    #[test]
    fn live_lines_count_entries_and_clear() {
        let p = Progress::with_target(ProgressStyle::Bar, ProgressDrawTarget::hidden());
        p.start(2);
        assert_eq!(p.entry("a\x1b[2J", "1", || 7), 7);
        p.fetched("a", "1", true);
        p.phase("rendering");
        let (_, status) = p.0.bars.as_ref().unwrap();
        assert_eq!(status.position(), 1);
        assert_eq!(status.message(), "rendering");
        p.finish();
        assert!(status.is_finished());
    }
}
