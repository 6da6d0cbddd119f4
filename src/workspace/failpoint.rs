//! Test-only failpoints in the write path (cargo feature `failpoints`, which the test suite
//! enables and release builds never have). `FAILPOINTS="swap-install=return(crash)"` makes the
//! process abort at that step, as `kill -9` would; `return` makes the step fail with an I/O
//! error; `sleep(MS)` slows it down; `1*off->return(crash)` fires on the second hit. See the
//! `fail` crate for the syntax.

/// Passes the failpoint `name`: `Ok` unless the test configuration says otherwise.
#[cfg(feature = "failpoints")]
pub fn hit(name: &'static str) -> std::io::Result<()> {
    fail::fail_point!(name, |arg: Option<String>| {
        if arg.as_deref() == Some("crash") {
            std::process::abort();
        }
        Err(std::io::Error::other(format!("failpoint `{name}`")))
    });
    Ok(())
}

/// Passes the failpoint `name` (a no-op: failpoints are compiled in for tests only).
#[cfg(not(feature = "failpoints"))]
#[inline(always)]
#[allow(clippy::unnecessary_wraps)]
pub fn hit(_name: &'static str) -> std::io::Result<()> {
    Ok(())
}

/// Reads `FAILPOINTS` (test builds only); call once at start-up.
pub fn setup() {
    #[cfg(feature = "failpoints")]
    if let Ok(spec) = std::env::var("FAILPOINTS") {
        for item in spec.split(';') {
            if let Some((name, actions)) = item.split_once('=') {
                let _ = fail::cfg(name.trim(), actions.trim());
            }
        }
    }
}
