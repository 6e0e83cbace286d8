//! Counting each app's requests per day: answered, and refused by reason
//! (`ferrite_core::requests`). A request costs a map update under a lock, never a write: the
//! counts go to the store in batches ([`Identity::flush_request_counts`]), which the periodic job
//! and the usage page call.
//!
//! Counts are keyed by client id, and only client ids of apps that exist get here: the token
//! endpoint counts after it found the client, the API only for tokens it signed. The store adds
//! nothing for a client id no app has any more, so a stranger's guesses never become rows, and
//! the tally's memory is bounded by the apps (times the days between flushes).

use std::{collections::HashMap, mem, sync::Mutex};

use chrono::NaiveDate;
use ferrite_core::requests::{RefusalReason, RequestOutcome};
use ferrite_store::{RequestCount, StoreError};

use crate::Identity;

/// Counts not yet written, by client id.
#[derive(Default)]
pub(crate) struct RequestTally(Mutex<HashMap<String, ClientCounts>>);

/// One client's counts: (day, outcome) → requests.
type ClientCounts = HashMap<(NaiveDate, RequestOutcome), i64>;

impl RequestTally {
    fn count(&self, client_id: &str, day: NaiveDate, outcome: RequestOutcome, requests: i64) {
        let mut pending = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Looked up by `&str` first, so a client's every request after its first allocates nothing.
        let by_day = match pending.get_mut(client_id) {
            Some(by_day) => by_day,
            None => pending.entry(client_id.to_owned()).or_default(),
        };
        *by_day.entry((day, outcome)).or_default() += requests;
    }

    /// Everything counted so far, leaving the tally empty.
    fn take(&self) -> Vec<RequestCount> {
        let pending = mem::take(&mut *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
        pending
            .into_iter()
            .flat_map(|(client_id, by_day)| {
                by_day.into_iter().map(move |((day, outcome), requests)| RequestCount {
                    client_id: client_id.clone(),
                    day,
                    outcome,
                    requests,
                })
            })
            .collect()
    }
}

impl Identity {
    /// Counts one request of the app with `client_id` on today's (UTC) date. Cheap: it runs on
    /// every API request.
    pub fn count_request(&self, client_id: &str, outcome: RequestOutcome) {
        self.requests.count(client_id, self.clock.now().date_naive(), outcome, 1);
    }

    pub(crate) fn count_auth_refusal(&self, client_id: &str) {
        self.count_request(client_id, RequestOutcome::Refused(RefusalReason::Auth));
    }

    /// Writes the counts this node holds to the store, in one transaction. When the store fails
    /// they are kept for the next flush, so an outage delays counts rather than losing them.
    pub async fn flush_request_counts(&self) -> Result<(), StoreError> {
        let counts = self.requests.take();
        let written = self.store.add_request_counts(&counts).await;
        if written.is_err() {
            for count in &counts {
                self.requests.count(&count.client_id, count.day, count.outcome, count.requests);
            }
        }
        written
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tally_adds_up_per_client_day_and_outcome_and_empties_when_taken() {
        let tally = RequestTally::default();
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let refused = RequestOutcome::Refused(RefusalReason::PartLimit);
        for (client, d, outcome) in [
            ("a", 1, RequestOutcome::Answered),
            ("a", 1, RequestOutcome::Answered),
            ("a", 2, RequestOutcome::Answered),
            ("a", 2, refused),
            ("b", 2, refused),
        ] {
            tally.count(client, day(d), outcome, 1);
        }
        let mut counts: Vec<_> =
            tally.take().into_iter().map(|c| (c.client_id, c.day, c.outcome, c.requests)).collect();
        counts.sort();
        assert_eq!(
            counts,
            [
                ("a".to_owned(), day(1), RequestOutcome::Answered, 2),
                ("a".to_owned(), day(2), RequestOutcome::Answered, 1),
                ("a".to_owned(), day(2), refused, 1),
                ("b".to_owned(), day(2), refused, 1),
            ]
        );
        assert!(tally.take().is_empty());
    }
}
