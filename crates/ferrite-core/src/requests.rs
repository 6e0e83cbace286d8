//! What became of an app's requests, as its usage counts them: answered, or refused for a reason.
//! The reasons are named here once; the store keeps each outcome under its [`RequestOutcome::key`]
//! and the portal lists them in [`RefusalReason::ALL`]'s order.

use std::collections::BTreeMap;

/// Why a request of a known app was refused. Each variant is the word of one check that refuses;
/// a new check adds its variant, key and words with it, and the counting, the store and the
/// portal take it from there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RefusalReason {
    /// The API refused a query whose parts would have crossed the app's part limit.
    PartLimit,
    /// The token endpoint refused the app's credentials (a wrong secret for its client id), or the
    /// API refused a token it had issued to the app that has since expired or been revoked.
    Auth,
    /// The token endpoint or the API refused a request over the app's plan's request-rate limit.
    RateLimit,
}

impl RefusalReason {
    pub const ALL: [RefusalReason; 3] = [RefusalReason::PartLimit, RefusalReason::Auth, RefusalReason::RateLimit];

    /// How the store names it.
    pub fn key(self) -> &'static str {
        match self {
            RefusalReason::PartLimit => "part_limit",
            RefusalReason::Auth => "auth",
            RefusalReason::RateLimit => "rate_limit",
        }
    }

    /// As a person reads it, after "refused for".
    pub fn words(self) -> &'static str {
        match self {
            RefusalReason::PartLimit => "the part limit",
            RefusalReason::Auth => "authentication",
            RefusalReason::RateLimit => "the rate limit",
        }
    }
}

/// What became of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RequestOutcome {
    /// The API answered it: with data, or with the errors of a query it could not run.
    Answered,
    Refused(RefusalReason),
}

impl RequestOutcome {
    /// How the store names it: `answered`, or the refusal's key.
    pub fn key(self) -> &'static str {
        match self {
            RequestOutcome::Answered => "answered",
            RequestOutcome::Refused(reason) => reason.key(),
        }
    }

    /// The outcome a stored key names; `None` for a key this version does not know (a newer
    /// node's reason), which readers skip rather than fail on.
    pub fn from_key(key: &str) -> Option<RequestOutcome> {
        if key == RequestOutcome::Answered.key() {
            return Some(RequestOutcome::Answered);
        }
        RefusalReason::ALL.into_iter().find(|reason| reason.key() == key).map(RequestOutcome::Refused)
    }
}

/// Requests counted by outcome, for an app or for several together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestCounts(BTreeMap<RequestOutcome, i64>);

impl RequestCounts {
    pub fn add(&mut self, outcome: RequestOutcome, requests: i64) {
        *self.0.entry(outcome).or_default() += requests;
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &RequestCounts) {
        for (outcome, requests) in &other.0 {
            self.add(*outcome, *requests);
        }
    }

    pub fn get(&self, outcome: RequestOutcome) -> i64 {
        self.0.get(&outcome).copied().unwrap_or(0)
    }

    pub fn answered(&self) -> i64 {
        self.get(RequestOutcome::Answered)
    }

    /// Refused for any reason.
    pub fn refused(&self) -> i64 {
        RefusalReason::ALL.into_iter().map(|reason| self.get(RequestOutcome::Refused(reason))).sum()
    }

    /// Every request, answered or refused.
    pub fn total(&self) -> i64 {
        self.answered() + self.refused()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_reads_back_from_its_key_and_no_two_share_one() {
        let outcomes: Vec<_> =
            std::iter::once(RequestOutcome::Answered).chain(RefusalReason::ALL.map(RequestOutcome::Refused)).collect();
        for outcome in &outcomes {
            assert_eq!(RequestOutcome::from_key(outcome.key()), Some(*outcome));
        }
        let keys: std::collections::HashSet<_> = outcomes.iter().map(|o| o.key()).collect();
        assert_eq!(keys.len(), outcomes.len());
        assert_eq!(RequestOutcome::from_key("ip_limit"), None, "a reason this version does not know");
    }

    #[test]
    fn counts_add_up_by_outcome() {
        let mut counts = RequestCounts::default();
        counts.add(RequestOutcome::Answered, 5);
        counts.add(RequestOutcome::Refused(RefusalReason::Auth), 2);
        let mut more = RequestCounts::default();
        more.add(RequestOutcome::Refused(RefusalReason::PartLimit), 3);
        more.add(RequestOutcome::Answered, 1);
        counts.merge(&more);
        assert_eq!((counts.answered(), counts.refused(), counts.total()), (6, 5, 11));
        assert_eq!(counts.get(RequestOutcome::Refused(RefusalReason::PartLimit)), 3);
        assert_eq!(RequestCounts::default().total(), 0);
    }
}
