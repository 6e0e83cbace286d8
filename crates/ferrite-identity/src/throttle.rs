//! Throttling of failed attempts (client authentication, sign-in), per key: a client id, an email,
//! an IP address. After `limit` failures within `window` the key is refused until the window ends,
//! right answers included, so guessing costs time. In memory, per node.

use std::{collections::HashMap, sync::Mutex, time::Duration};

use chrono::{DateTime, Utc};

pub struct Throttle {
    limit: u32,
    window: chrono::Duration,
    failures: Mutex<HashMap<String, Window>>,
}

struct Window {
    started: DateTime<Utc>,
    count: u32,
}

/// Entries kept before expired windows are swept out.
const SWEEP_AT: usize = 10_000;

impl Throttle {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window: chrono::Duration::from_std(window).expect("a sane window"),
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(retry_after)` while `key` is locked out.
    pub fn check(&self, key: &str, now: DateTime<Utc>) -> Result<(), Duration> {
        let failures = self.failures.lock().expect("throttle lock");
        match failures.get(key) {
            Some(w) if w.count >= self.limit && now < w.started + self.window => {
                Err((w.started + self.window - now).to_std().unwrap_or_default().max(Duration::from_secs(1)))
            }
            _ => Ok(()),
        }
    }

    pub fn fail(&self, key: &str, now: DateTime<Utc>) {
        let mut failures = self.failures.lock().expect("throttle lock");
        if failures.len() >= SWEEP_AT {
            failures.retain(|_, w| now < w.started + self.window);
        }
        let window = failures.entry(key.to_owned()).or_insert(Window { started: now, count: 0 });
        if now >= window.started + self.window {
            *window = Window { started: now, count: 0 };
        }
        window.count += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_out_after_the_limit_until_the_window_ends() {
        let throttle = Throttle::new(3, Duration::from_secs(60));
        let t0 = DateTime::from_timestamp(1_000, 0).unwrap();
        for i in 0..3 {
            assert!(throttle.check("ip:1", t0).is_ok(), "attempt {i}");
            throttle.fail("ip:1", t0);
        }
        let retry = throttle.check("ip:1", t0 + chrono::Duration::seconds(20)).unwrap_err();
        assert_eq!(retry, Duration::from_secs(40));
        assert!(throttle.check("ip:2", t0).is_ok(), "other keys are not affected");
        assert!(throttle.check("ip:1", t0 + chrono::Duration::seconds(60)).is_ok());
        throttle.fail("ip:1", t0 + chrono::Duration::seconds(61));
        assert!(throttle.check("ip:1", t0 + chrono::Duration::seconds(61)).is_ok(), "a new window starts afresh");
    }
}
