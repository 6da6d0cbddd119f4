//! Progress of downloads while they run, for whoever shows it. A flow runs the work of one entry
//! inside [`observed`]; every HTTP body read on that thread meanwhile reports to the entry's
//! [`Observer`] (URL, announced length, bytes so far). Sources fetch on the calling thread, so
//! the observer of the thread is the observer of the entry. Nothing here prints.

use std::cell::RefCell;
use std::io::Read;
use std::sync::Arc;

/// Told about each download of the work it observes.
pub trait Observer: Send + Sync {
    /// A response body starts: its URL (credentials redacted) and `Content-Length`, if any.
    fn started(&self, url: &str, length: Option<u64>);
    /// `received` bytes of the current body have arrived so far.
    fn received(&self, received: u64);
    /// The body was read to its end, or reading it stopped.
    fn ended(&self);
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<dyn Observer>>> = const { RefCell::new(None) };
}

/// Runs `work` with `observer` told about the downloads it makes on this thread.
pub fn observed<R>(observer: Arc<dyn Observer>, work: impl FnOnce() -> R) -> R {
    struct Restore(Option<Arc<dyn Observer>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = previous);
        }
    }
    let previous = CURRENT.with(|c| c.borrow_mut().replace(observer));
    let _restore = Restore(previous);
    work()
}

/// `inner`, reporting what is read from it to the thread's observer (if any). `url` is shown:
/// the caller redacts it first (credentials, signed query strings).
pub(crate) fn reader<R: Read>(inner: R, url: &str, length: Option<u64>) -> Observed<R> {
    let observer = CURRENT.with(|c| c.borrow().clone());
    if let Some(o) = &observer {
        o.started(url, length);
    }
    Observed {
        inner,
        observer,
        received: 0,
    }
}

/// A body reader that reports its progress (see [`reader`]).
pub(crate) struct Observed<R> {
    inner: R,
    observer: Option<Arc<dyn Observer>>,
    received: u64,
}

impl<R: Read> Read for Observed<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.received += n as u64;
        if let Some(o) = &self.observer
            && n > 0
        {
            o.received(self.received);
        }
        Ok(n)
    }
}

impl<R> Drop for Observed<R> {
    fn drop(&mut self) {
        if let Some(o) = &self.observer {
            o.ended();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Log(Mutex<Vec<String>>);

    impl Observer for Log {
        fn started(&self, url: &str, length: Option<u64>) {
            self.0
                .lock()
                .unwrap()
                .push(format!("start {url} {length:?}"));
        }
        fn received(&self, received: u64) {
            self.0.lock().unwrap().push(format!("got {received}"));
        }
        fn ended(&self) {
            self.0.lock().unwrap().push("end".into());
        }
    }

    #[test]
    fn reads_report_to_the_observer_of_the_thread_only_inside_observed() {
        let log = Arc::new(Log::default());
        let body: &[u8] = &[7u8; 10];
        let read_all = || {
            let mut out = Vec::new();
            let mut r = reader(body, "https://***@example.com/a.yaml", Some(10));
            let mut buf = [0u8; 4];
            loop {
                let n = r.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&buf[..n]);
            }
            out
        };
        assert_eq!(observed(log.clone(), read_all), body);
        // Outside `observed`, nobody is told.
        assert_eq!(read_all(), body);
        let got = log.0.lock().unwrap().clone();
        assert_eq!(got[0], "start https://***@example.com/a.yaml Some(10)");
        assert_eq!(&got[1..], ["got 4", "got 8", "got 10", "end"]);
    }
}
