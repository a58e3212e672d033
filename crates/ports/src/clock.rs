//! The one clock of the product. The binary reads the time once at its edge (`SUPPORTOPS_NOW`,
//! else the system clock) and hands a [`Clock`] to whatever stamps or waits; pure code
//! (`domain`, `formula`) never sees a clock, only the `now` it is given.

use std::sync::Arc;

use jiff::Timestamp;

/// Where "now" comes from: the system clock, a moment fixed by `SUPPORTOPS_NOW` or a test, or
/// a clock that starts at a moment and runs on (the demo's). Cheap to clone.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> Timestamp + Send + Sync>);

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock(Arc::new(Timestamp::now))
    }

    /// A clock stopped at `at`.
    pub fn fixed(at: Timestamp) -> Clock {
        Clock(Arc::new(move || at))
    }

    /// A clock that reads `at` now and runs on from there in real time: the demo's, which
    /// lives just after its data whatever the date on this machine.
    pub fn running_from(at: Timestamp) -> Clock {
        let started = std::time::Instant::now();
        Clock(Arc::new(move || {
            let elapsed = jiff::SignedDuration::try_from(started.elapsed())
                .unwrap_or(jiff::SignedDuration::ZERO);
            at.checked_add(elapsed).unwrap_or(at)
        }))
    }

    /// A clock that asks `now` each time (tests that move time on).
    pub fn from_fn(now: impl Fn() -> Timestamp + Send + Sync + 'static) -> Clock {
        Clock(Arc::new(now))
    }

    /// The current time.
    pub fn now(&self) -> Timestamp {
        (self.0)()
    }
}

impl<F: Fn() -> Timestamp + Send + Sync + 'static> From<Arc<F>> for Clock {
    fn from(now: Arc<F>) -> Clock {
        Clock(now)
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now())
    }
}
