//! Part-limit arithmetic: deciding a batch of charges against the apps' allowances. A charge is
//! taken whole or refused whole; within a batch, charges are decided in arrival order, exactly as
//! if each had been its own transaction.

use std::collections::HashMap;

use crate::AppId;

/// An app's allowance for the current period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account {
    pub used: i64,
    pub limit: i64,
}

/// What became of one charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Taken: `used` includes it.
    Charged { used: i64, limit: i64 },
    /// Refused whole: it would have crossed the limit (or the app no longer exists).
    Refused { used: i64, limit: i64 },
}

impl Outcome {
    pub fn remaining(&self) -> i64 {
        match self {
            Outcome::Charged { used, limit } | Outcome::Refused { used, limit } => (limit - used).max(0),
        }
    }
}

/// Share of the part limit, in percent, from which an app is warned that it is running out.
pub const WARN_AT_PERCENT: i64 = 80;

/// How close an app is to its part limit, when close enough to say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitWarning {
    /// [`WARN_AT_PERCENT`] or more of the limit used.
    Near,
    /// All of it used: queries that return parts are refused until the period resets.
    Reached,
}

/// The warning `used` of `limit` parts calls for. An app whose limit is 0 gets none: it has
/// nothing to run out of, and is told instead that it has no parts.
pub fn limit_warning(used: i64, limit: i64) -> Option<LimitWarning> {
    if limit <= 0 {
        None
    } else if used >= limit {
        Some(LimitWarning::Reached)
    } else if used.saturating_mul(100) >= limit.saturating_mul(WARN_AT_PERCENT) {
        Some(LimitWarning::Near)
    } else {
        None
    }
}

/// Decides `charges` (app, parts) in order against `accounts`, updating them. An app without an
/// account is refused.
pub fn settle(charges: &[(AppId, i64)], accounts: &mut HashMap<AppId, Account>) -> Vec<Outcome> {
    charges
        .iter()
        .map(|(app, parts)| match accounts.get_mut(app) {
            Some(account) if *parts >= 0 && account.used + parts <= account.limit => {
                account.used += parts;
                Outcome::Charged { used: account.used, limit: account.limit }
            }
            Some(account) => Outcome::Refused { used: account.used, limit: account.limit },
            None => Outcome::Refused { used: 0, limit: 0 },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_charge_that_would_cross_the_limit_is_refused_whole() {
        let app = AppId::new();
        let mut accounts = HashMap::from([(app, Account { used: 90, limit: 100 })]);
        let outcomes = settle(&[(app, 5), (app, 10), (app, 5), (AppId::new(), 1)], &mut accounts);
        assert_eq!(
            outcomes,
            [
                Outcome::Charged { used: 95, limit: 100 },
                Outcome::Refused { used: 95, limit: 100 },
                Outcome::Charged { used: 100, limit: 100 },
                Outcome::Refused { used: 0, limit: 0 },
            ]
        );
        assert_eq!(accounts[&app].used, 100);
    }

    #[test]
    fn warnings_start_at_eighty_percent_and_at_the_limit() {
        assert_eq!(limit_warning(799, 1000), None);
        assert_eq!(limit_warning(800, 1000), Some(LimitWarning::Near));
        assert_eq!(limit_warning(999, 1000), Some(LimitWarning::Near));
        assert_eq!(limit_warning(1000, 1000), Some(LimitWarning::Reached));
        assert_eq!(limit_warning(1200, 1000), Some(LimitWarning::Reached), "the limit was lowered");
        assert_eq!(limit_warning(0, 0), None, "no parts is not running out");
        assert_eq!(limit_warning(i64::MAX, i64::MAX - 1), Some(LimitWarning::Reached));
    }

    proptest! {
        #[test]
        fn usage_never_exceeds_the_limit_and_counts_exactly_what_was_charged(
            limit in 0i64..500,
            start in 0i64..600,
            parts in proptest::collection::vec(0i64..60, 0..80),
        ) {
            let app = AppId::new();
            let mut accounts = HashMap::from([(app, Account { used: start, limit })]);
            let charges: Vec<_> = parts.iter().map(|p| (app, *p)).collect();
            let outcomes = settle(&charges, &mut accounts);
            let charged: i64 = outcomes.iter().zip(&parts).filter(|(o, _)| matches!(o, Outcome::Charged { .. })).map(|(_, p)| p).sum();
            prop_assert_eq!(accounts[&app].used, start + charged);
            if start <= limit {
                prop_assert!(accounts[&app].used <= limit);
            } else {
                // Already over (the limit was lowered): only empty charges pass.
                prop_assert_eq!(charged, 0);
            }
        }
    }
}
