//! Throttling by key within a fixed window: failed attempts (client authentication, sign-in) and
//! sign-ups. Each call names the keys it counts against and each key's limit; once a key has
//! reached its limit within the window, it is refused until the window ends, right answers
//! included, so guessing costs time. In memory, per node.

use std::{collections::HashMap, sync::Mutex, time::Duration};

use chrono::{DateTime, Utc};

pub struct Throttle {
    window: chrono::Duration,
    counts: Mutex<HashMap<String, Window>>,
}

struct Window {
    started: DateTime<Utc>,
    count: u32,
}

/// A key and how many events it may have within the window.
pub type Bound = (String, u32);

/// Entries kept before expired windows are swept out.
const SWEEP_AT: usize = 10_000;

impl Throttle {
    pub fn new(window: Duration) -> Self {
        Self { window: chrono::Duration::from_std(window).expect("a sane window"), counts: Mutex::new(HashMap::new()) }
    }

    /// `Err(retry_after)` while any of `bounds` is reached; the longest wait.
    pub fn check(&self, bounds: &[Bound], now: DateTime<Utc>) -> Result<(), Duration> {
        let counts = self.counts.lock().expect("throttle lock");
        let wait = bounds
            .iter()
            .filter_map(|(key, limit)| match counts.get(key) {
                Some(w) if w.count >= *limit && now < w.started + self.window => Some(w.started + self.window - now),
                _ => None,
            })
            .max();
        match wait {
            Some(wait) => Err(wait.to_std().unwrap_or_default().max(Duration::from_secs(1))),
            None => Ok(()),
        }
    }

    /// Counts one event against every key of `bounds`.
    pub fn count(&self, bounds: &[Bound], now: DateTime<Utc>) {
        let mut counts = self.counts.lock().expect("throttle lock");
        if counts.len() >= SWEEP_AT {
            counts.retain(|_, w| now < w.started + self.window);
        }
        for (key, _) in bounds {
            let window = counts.entry(key.clone()).or_insert(Window { started: now, count: 0 });
            if now >= window.started + self.window {
                *window = Window { started: now, count: 0 };
            }
            window.count += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bound(key: &str, limit: u32) -> Bound {
        (key.to_owned(), limit)
    }

    #[test]
    fn locks_out_after_the_limit_until_the_window_ends() {
        let throttle = Throttle::new(Duration::from_secs(60));
        let t0 = DateTime::from_timestamp(1_000, 0).unwrap();
        let ip1 = [bound("ip:1", 3)];
        for i in 0..3 {
            assert!(throttle.check(&ip1, t0).is_ok(), "attempt {i}");
            throttle.count(&ip1, t0);
        }
        let retry = throttle.check(&ip1, t0 + chrono::Duration::seconds(20)).unwrap_err();
        assert_eq!(retry, Duration::from_secs(40));
        assert!(throttle.check(&[bound("ip:2", 3)], t0).is_ok(), "other keys are not affected");
        assert!(throttle.check(&ip1, t0 + chrono::Duration::seconds(60)).is_ok());
        throttle.count(&ip1, t0 + chrono::Duration::seconds(61));
        assert!(throttle.check(&ip1, t0 + chrono::Duration::seconds(61)).is_ok(), "a new window starts afresh");
    }

    #[test]
    fn each_key_has_its_own_limit() {
        let throttle = Throttle::new(Duration::from_secs(60));
        let t0 = DateTime::from_timestamp(1_000, 0).unwrap();
        let pair = |ip: &str| [bound(&format!("client:c|ip:{ip}"), 2), bound("client:c", 5)];
        throttle.count(&pair("a"), t0);
        throttle.count(&pair("a"), t0);
        assert!(throttle.check(&pair("a"), t0).is_err(), "the pair is at its limit");
        assert!(throttle.check(&pair("b"), t0).is_ok(), "another address is not");
        for ip in ["b", "c", "d"] {
            throttle.count(&pair(ip), t0);
        }
        assert!(throttle.check(&pair("e"), t0).is_err(), "the wider bound is reached from anywhere");
    }
}
