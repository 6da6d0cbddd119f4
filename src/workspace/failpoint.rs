//! Test-only failpoints in the write path (cargo feature `failpoints`, which the test suite
//! enables and release builds never have). `FAILPOINTS="swap-install=return(crash)"` makes the
//! process abort at that step, as `kill -9` would; `return` makes the step fail with an I/O
//! error; `sleep(MS)` slows it down; `off` does nothing. Actions chain with `->`, each one
//! optionally limited to a number of hits with `N*`: `1*off->return(crash)` fires on the second
//! hit. Points are separated by `;`.
//!
//! Written here rather than taken from a crate: a failpoint crate would bring its own
//! dependencies and features into the test build only, and cargo would then compile the shared
//! ones (`log`, `rustls`, `ureq`...) a second time for `cargo test` after `cargo build`.

/// Passes the failpoint `name`: `Ok` unless the test configuration says otherwise.
#[cfg(feature = "failpoints")]
pub fn hit(name: &'static str) -> std::io::Result<()> {
    match imp::next_action(name) {
        None | Some(imp::Action::Off) => Ok(()),
        Some(imp::Action::Sleep(ms)) => {
            std::thread::sleep(std::time::Duration::from_millis(ms));
            Ok(())
        }
        Some(imp::Action::Return(arg)) => {
            if arg.as_deref() == Some("crash") {
                std::process::abort();
            }
            Err(std::io::Error::other(format!("failpoint `{name}`")))
        }
    }
}

/// Passes the failpoint `name` (a no-op: failpoints are compiled in for tests only).
#[cfg(not(feature = "failpoints"))]
#[inline(always)]
#[allow(clippy::unnecessary_wraps)]
pub fn hit(_name: &'static str) -> std::io::Result<()> {
    Ok(())
}

/// Reads `FAILPOINTS` (test builds only); call once at start-up. A malformed point is ignored.
pub fn setup() {
    #[cfg(feature = "failpoints")]
    if let Ok(spec) = std::env::var("FAILPOINTS") {
        imp::configure(&spec);
    }
}

#[cfg(feature = "failpoints")]
mod imp {
    use std::collections::HashMap;
    use std::sync::{Mutex, PoisonError};

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Action {
        Off,
        /// Fail the step; `return(crash)` aborts the process.
        Return(Option<String>),
        /// Sleep this many milliseconds, then go on.
        Sleep(u64),
    }

    /// One action of a chain, with the hits it has left (`None`: every hit).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Step {
        pub left: Option<u64>,
        pub action: Action,
    }

    static POINTS: Mutex<Option<HashMap<String, Vec<Step>>>> = Mutex::new(None);

    pub fn configure(spec: &str) {
        let mut points = POINTS.lock().unwrap_or_else(PoisonError::into_inner);
        let points = points.get_or_insert_with(HashMap::new);
        for item in spec.split(';') {
            if let Some((name, actions)) = item.split_once('=')
                && let Some(steps) = parse(actions)
            {
                points.insert(name.trim().to_string(), steps);
            }
        }
    }

    /// The action for this hit of `name`, using up one hit of a limited step.
    pub fn next_action(name: &str) -> Option<Action> {
        let mut points = POINTS.lock().unwrap_or_else(PoisonError::into_inner);
        let steps = points.as_mut()?.get_mut(name)?;
        next(steps)
    }

    pub fn next(steps: &mut [Step]) -> Option<Action> {
        let step = steps.iter_mut().find(|s| s.left != Some(0))?;
        if let Some(left) = &mut step.left {
            *left -= 1;
        }
        Some(step.action.clone())
    }

    /// `[N*]action(->[N*]action)*`; `None` when any part is malformed.
    pub fn parse(actions: &str) -> Option<Vec<Step>> {
        actions
            .split("->")
            .map(|part| {
                let part = part.trim();
                let (left, action) = match part.split_once('*') {
                    Some((n, rest)) => (Some(n.trim().parse().ok()?), rest.trim()),
                    None => (None, part),
                };
                let (verb, arg) = match action.split_once('(') {
                    Some((verb, rest)) => (verb, Some(rest.strip_suffix(')')?)),
                    None => (action, None),
                };
                let action = match (verb, arg) {
                    ("off", None) => Action::Off,
                    ("return", arg) => Action::Return(arg.map(str::to_string)),
                    ("sleep", Some(ms)) => Action::Sleep(ms.trim().parse().ok()?),
                    _ => return None,
                };
                Some(Step { left, action })
            })
            .collect()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn chains_use_up_limited_steps_in_order() {
            let mut steps = parse("1*off->return(crash)").unwrap();
            assert_eq!(next(&mut steps), Some(Action::Off));
            for _ in 0..3 {
                assert_eq!(next(&mut steps), Some(Action::Return(Some("crash".into()))));
            }
            let mut steps = parse("2*sleep(15)").unwrap();
            assert_eq!(next(&mut steps), Some(Action::Sleep(15)));
            assert_eq!(next(&mut steps), Some(Action::Sleep(15)));
            assert_eq!(next(&mut steps), None, "a chain that is used up is off");
            assert_eq!(
                parse("return").unwrap(),
                [Step {
                    left: None,
                    action: Action::Return(None)
                }]
            );
        }

        #[test]
        fn malformed_actions_are_refused() {
            for bad in [
                "",
                "crash",
                "sleep",
                "sleep(x)",
                "x*off",
                "return(crash",
                "off(1)",
            ] {
                assert_eq!(parse(bad), None, "{bad:?}");
            }
        }

        #[test]
        fn configured_points_fire_by_name() {
            configure("unit-test-a=return ; unit-test-b=1*off->return(x);bad");
            assert_eq!(next_action("unit-test-a"), Some(Action::Return(None)));
            assert_eq!(next_action("unit-test-b"), Some(Action::Off));
            assert_eq!(
                next_action("unit-test-b"),
                Some(Action::Return(Some("x".into())))
            );
            assert_eq!(next_action("unit-test-unset"), None);
        }
    }
}
