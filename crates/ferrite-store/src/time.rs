//! Times are stored as i64 milliseconds since the epoch: one representation for both backends.

use chrono::{DateTime, Utc};

pub(crate) fn to_db(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_db(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}
