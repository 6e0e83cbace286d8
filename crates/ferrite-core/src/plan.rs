//! Supply plans, their periods, plan changes and the allocation of a plan's parts to apps.
//!
//! Everything here is a pure function of its arguments (time included), so the rules can be
//! tested exhaustively; the store calls these inside its transactions.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::{AppId, DomainError, org::validate_name};

/// Parts per month of the default Enterprise plan. "Custom" in Nexar's words; operators set the
/// real number per installation in `[[plans]]`.
pub const ENTERPRISE_PARTS: i64 = 1_000_000;

/// One entry of the operator's plan catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub name: String,
    /// Parts per period: per month, or for ever when `lifetime`.
    pub parts_per_month: i64,
    /// A lifetime allowance that never resets: the evaluation plan, and only it.
    #[serde(default)]
    pub lifetime: bool,
    #[serde(default)]
    pub features: Vec<String>,
    /// How fast each of the plan's apps may send requests; `None` (the default catalogue's
    /// choice, so that benchmarks and single-app installations are not slowed): unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
}

/// A request-rate limit per app: a steady rate, and a burst that may arrive at once after a
/// quiet spell (GCRA, as `ferrite-identity`'s `rate` module applies it). Each node applies it on
/// its own, so behind a balancer of N nodes an app gets at most N times it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    pub requests_per_second: u32,
    pub burst: u32,
}

impl Plan {
    fn new(name: &str, parts: i64, lifetime: bool, features: &[&str]) -> Self {
        Plan {
            name: name.to_owned(),
            parts_per_month: parts,
            lifetime,
            features: features.iter().map(|f| (*f).to_owned()).collect(),
            rate_limit: None,
        }
    }

    /// The parts the owner may distribute across the organization's Supply apps. The evaluation
    /// plan distributes nothing: its allowance belongs to the evaluation app and stays there.
    pub fn distributable(&self) -> i64 {
        if self.lifetime { 0 } else { self.parts_per_month }
    }
}

/// The plans an operator offers. Always valid: unique names (ignoring case) and exactly one
/// lifetime plan, the evaluation plan every organization starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanCatalogue {
    plans: Vec<Plan>,
}

impl Default for PlanCatalogue {
    /// PRODUCT.md §3: Evaluation 1,000 lifetime; Standard 2,000 and Pro 20,000 a month;
    /// Enterprise "custom", here [`ENTERPRISE_PARTS`].
    fn default() -> Self {
        Self::new(vec![
            Plan::new("Evaluation", 1_000, true, &["1,000 parts in total, never reset", "Supply and Design APIs"]),
            Plan::new("Standard", 2_000, false, &["2,000 parts a month", "Supply and Design APIs"]),
            Plan::new("Pro", 20_000, false, &["20,000 parts a month", "Supply and Design APIs"]),
            Plan::new("Enterprise", ENTERPRISE_PARTS, false, &["1,000,000 parts a month", "Supply and Design APIs"]),
        ])
        .expect("the default catalogue is valid")
    }
}

impl PlanCatalogue {
    pub fn new(plans: Vec<Plan>) -> Result<Self, DomainError> {
        let mut seen = std::collections::BTreeSet::new();
        for plan in &plans {
            validate_name("plan name", &plan.name)?;
            if plan.name.trim() != plan.name {
                return Err(DomainError::invalid("plan name", format!("`{}` has surrounding spaces", plan.name)));
            }
            if plan.parts_per_month < 0 {
                return Err(DomainError::invalid("plan", format!("`{}` has a negative number of parts", plan.name)));
            }
            if let Some(limit) = plan.rate_limit
                && (limit.requests_per_second < 1 || limit.burst < 1)
            {
                let message =
                    format!("`{}` needs a rate_limit of at least 1 request per second and a burst of 1", plan.name);
                return Err(DomainError::invalid("plan", message));
            }
            if !seen.insert(plan.name.to_lowercase()) {
                return Err(DomainError::invalid("plans", format!("the name `{}` is used twice", plan.name)));
            }
        }
        match plans.iter().filter(|p| p.lifetime).count() {
            1 => Ok(Self { plans }),
            n => Err(DomainError::invalid(
                "plans",
                format!("must include exactly one lifetime (evaluation) plan, not {n}"),
            )),
        }
    }

    pub fn plans(&self) -> &[Plan] {
        &self.plans
    }

    /// The plan with this name, ignoring case.
    pub fn get(&self, name: &str) -> Option<&Plan> {
        self.plans.iter().find(|p| p.name.eq_ignore_ascii_case(name.trim()))
    }

    /// Whether any plan limits its apps' request rate (when none does, nothing need be looked up).
    pub fn limits_rates(&self) -> bool {
        self.plans.iter().any(|plan| plan.rate_limit.is_some())
    }

    /// The lifetime plan organizations start on.
    pub fn evaluation(&self) -> &Plan {
        self.plans.iter().find(|p| p.lifetime).expect("a catalogue has exactly one lifetime plan")
    }

    /// The plan a stored name stands for: `None` is the evaluation plan, and so is a name the
    /// operator has since removed from the catalogue (the safe reading: it distributes nothing).
    pub fn resolve(&self, stored: Option<&str>) -> &Plan {
        stored.and_then(|name| self.get(name)).unwrap_or_else(|| self.evaluation())
    }
}

/// A usage period: a calendar month (UTC), or the whole lifetime of an evaluation allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    Lifetime,
    Month { year: i32, month: u32 },
}

impl Period {
    /// The month `now` falls in.
    pub fn month_of(now: DateTime<Utc>) -> Self {
        Period::Month { year: now.year(), month: now.month() }
    }

    /// The period an app's usage counts in at `now`: the evaluation app's allowance is lifetime,
    /// every other app's resets on the 1st of each month. (No rollover: a new period starts at 0.)
    pub fn for_app(is_evaluation: bool, now: DateTime<Utc>) -> Self {
        if is_evaluation { Period::Lifetime } else { Period::month_of(now) }
    }

    /// How the store names it: `YYYY-MM`, or `lifetime`.
    pub fn key(&self) -> String {
        match self {
            Period::Lifetime => "lifetime".to_owned(),
            Period::Month { year, month } => format!("{year:04}-{month:02}"),
        }
    }

    /// 00:00 UTC on the 1st of the month; `None` for a lifetime.
    pub fn starts_at(&self) -> Option<DateTime<Utc>> {
        match *self {
            Period::Lifetime => None,
            Period::Month { year, month } => Some(first_of_month(year, month)),
        }
    }

    /// When usage resets: the start of the next month; `None` for a lifetime.
    pub fn resets_at(&self) -> Option<DateTime<Utc>> {
        match *self {
            Period::Lifetime => None,
            Period::Month { year, month: 12 } => Some(first_of_month(year + 1, 1)),
            Period::Month { year, month } => Some(first_of_month(year, month + 1)),
        }
    }

    /// Every day of the period as a chart shows it: a month whole (the days to come as well), a
    /// lifetime's last 30 up to `now`'s day.
    pub fn chart_days(&self, now: DateTime<Utc>) -> Vec<NaiveDate> {
        match self.resets_at() {
            Some(end) => {
                let last = end.date_naive() - chrono::Duration::days(1);
                self.days_until(now)
                    .first()
                    .map_or(now.date_naive(), |d| *d)
                    .iter_days()
                    .take_while(|d| *d <= last)
                    .collect()
            }
            None => self.days_until(now),
        }
    }

    /// The days of the period up to and including `now`'s day (a lifetime shows the last 30).
    pub fn days_until(&self, now: DateTime<Utc>) -> Vec<NaiveDate> {
        let today = now.date_naive();
        let first = match self.starts_at() {
            Some(start) => start.date_naive(),
            None => today - chrono::Duration::days(29),
        };
        first.iter_days().take_while(|day| *day <= today).collect()
    }
}

fn first_of_month(year: i32, month: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, 1, 0, 0, 0).single().expect("the 1st of a month at midnight UTC exists")
}

/// When the period after `now` starts: 00:00 UTC on the 1st of next month.
pub fn next_period_start(now: DateTime<Utc>) -> DateTime<Utc> {
    Period::month_of(now).resets_at().expect("a month ends")
}

/// A plan change waiting for the next period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingChange {
    pub plan: String,
    pub effective_at: DateTime<Utc>,
}

/// An organization's plan as stored: the plan's name (`None`: the evaluation plan) and a
/// downgrade that takes effect later.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrgPlan {
    pub plan: Option<String>,
    pub pending: Option<PendingChange>,
}

impl OrgPlan {
    /// True when a scheduled change should have happened by `now`.
    pub fn change_is_due(&self, now: DateTime<Utc>) -> bool {
        self.pending.as_ref().is_some_and(|p| p.effective_at <= now)
    }

    /// The state once a due change has happened.
    pub fn settled(&self, now: DateTime<Utc>) -> OrgPlan {
        match &self.pending {
            Some(pending) if pending.effective_at <= now => OrgPlan { plan: Some(pending.plan.clone()), pending: None },
            _ => self.clone(),
        }
    }
}

/// What choosing a plan does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanChange {
    /// Already on it; any scheduled change is cancelled.
    Unchanged,
    /// An upgrade (or a move to a plan of the same size): it applies at once, and usage so far
    /// in the period is kept.
    Now,
    /// A downgrade: it applies when the next period starts.
    At(DateTime<Utc>),
}

/// Decides how a switch from `current` to `target` happens at `now`. Plans compare by the parts
/// they make distributable, so leaving the evaluation plan is always an upgrade.
pub fn decide_change(current: &Plan, target: &Plan, now: DateTime<Utc>) -> PlanChange {
    if current.name == target.name {
        PlanChange::Unchanged
    } else if target.distributable() >= current.distributable() {
        PlanChange::Now
    } else {
        PlanChange::At(next_period_start(now))
    }
}

/// The new stored state after choosing `target`, given the (settled) state and the decision.
pub fn apply_change(state: &OrgPlan, target: &Plan, change: &PlanChange) -> OrgPlan {
    match change {
        PlanChange::Unchanged => OrgPlan { plan: state.plan.clone(), pending: None },
        PlanChange::Now => OrgPlan { plan: Some(target.name.clone()), pending: None },
        PlanChange::At(at) => OrgPlan {
            plan: state.plan.clone(),
            pending: Some(PendingChange { plan: target.name.clone(), effective_at: *at }),
        },
    }
}

/// An allocation that cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    #[error("this allocation exceeds the plan by {} parts", thousands(*.by))]
    ExceedsPlan { by: i64 },
    #[error("an allocation must not be negative")]
    Negative,
    #[error("the evaluation app's allowance is fixed and cannot be redistributed")]
    EvaluationFixed,
    #[error("only Supply apps have a part limit")]
    NotSupply,
}

/// Parts not given to any app: the plan's distributable total less every allocation.
pub fn unallocated(total: i64, allocations: impl IntoIterator<Item = i64>) -> i64 {
    total - allocations.into_iter().sum::<i64>()
}

/// Checks a complete set of allocations against a total: every one non-negative, the sum within it.
pub fn check_allocations(total: i64, allocations: impl IntoIterator<Item = i64>) -> Result<(), AllocationError> {
    let mut sum: i64 = 0;
    for parts in allocations {
        if parts < 0 {
            return Err(AllocationError::Negative);
        }
        sum = sum.saturating_add(parts);
    }
    if sum > total { Err(AllocationError::ExceedsPlan { by: sum - total }) } else { Ok(()) }
}

/// The allocations of an organization's (non-evaluation) Supply apps, with the invariant that
/// their sum never exceeds the plan's distributable total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocations {
    total: i64,
    parts: BTreeMap<AppId, i64>,
}

impl Allocations {
    /// Current allocations under `total`. They may exceed it (after a downgrade); [`fit`] fixes that.
    pub fn new(total: i64, parts: impl IntoIterator<Item = (AppId, i64)>) -> Self {
        Self { total, parts: parts.into_iter().collect() }
    }

    pub fn total(&self) -> i64 {
        self.total
    }

    pub fn get(&self, app: AppId) -> Option<i64> {
        self.parts.get(&app).copied()
    }

    pub fn unallocated(&self) -> i64 {
        unallocated(self.total, self.parts.values().copied())
    }

    /// Sets several allocations at once, all or nothing. Only apps already present may be set.
    pub fn set_many(&mut self, changes: &[(AppId, i64)]) -> Result<(), AllocationError> {
        let mut next = self.parts.clone();
        for (app, parts) in changes {
            match next.get_mut(app) {
                Some(slot) => *slot = *parts,
                None => return Err(AllocationError::NotSupply),
            }
        }
        check_allocations(self.total, next.values().copied())?;
        self.parts = next;
        Ok(())
    }

    pub fn set(&mut self, app: AppId, parts: i64) -> Result<(), AllocationError> {
        self.set_many(&[(app, parts)])
    }

    /// Scales allocations down proportionally (rounding down) so that they fit the total: what a
    /// downgrade does when it takes effect. Returns only the allocations that changed.
    pub fn fit(&mut self) -> Vec<(AppId, i64)> {
        let sum: i64 = self.parts.values().sum();
        if sum <= self.total {
            return Vec::new();
        }
        let mut changed = Vec::new();
        for (app, parts) in &mut self.parts {
            let scaled = (i128::from(*parts) * i128::from(self.total.max(0)) / i128::from(sum)) as i64;
            if scaled != *parts {
                *parts = scaled;
                changed.push((*app, scaled));
            }
        }
        changed
    }

    pub fn iter(&self) -> impl Iterator<Item = (AppId, i64)> + '_ {
        self.parts.iter().map(|(app, parts)| (*app, *parts))
    }
}

/// `1234567` as `1,234,567`: numbers of parts as people read them.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    #[test]
    fn the_default_catalogue_follows_the_product() {
        let catalogue = PlanCatalogue::default();
        let names: Vec<_> = catalogue.plans().iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Evaluation", "Standard", "Pro", "Enterprise"]);
        assert_eq!(catalogue.evaluation().parts_per_month, 1_000);
        assert_eq!(catalogue.evaluation().distributable(), 0, "evaluation parts are not redistributable");
        assert_eq!(catalogue.get("standard").unwrap().distributable(), 2_000);
        assert_eq!(catalogue.get("PRO").unwrap().parts_per_month, 20_000);
        assert_eq!(catalogue.resolve(None).name, "Evaluation");
        assert_eq!(catalogue.resolve(Some("Gone")).name, "Evaluation");
        assert_eq!(catalogue.resolve(Some("Pro")).name, "Pro");
    }

    #[test]
    fn catalogues_need_unique_names_and_one_lifetime_plan() {
        let eval = Plan::new("Eval", 10, true, &[]);
        let small = Plan::new("Small", 10, false, &[]);
        assert!(PlanCatalogue::new(vec![eval.clone(), small.clone()]).is_ok());
        let twice = PlanCatalogue::new(vec![eval.clone(), small.clone(), Plan::new("small", 5, false, &[])]);
        assert!(twice.unwrap_err().to_string().contains("used twice"));
        assert!(PlanCatalogue::new(vec![small.clone()]).unwrap_err().to_string().contains("exactly one lifetime"));
        let two_lifetimes = PlanCatalogue::new(vec![eval.clone(), Plan::new("Trial", 5, true, &[])]);
        assert!(two_lifetimes.is_err());
        assert!(PlanCatalogue::new(vec![eval, Plan::new("Neg", -1, false, &[])]).is_err());
    }

    #[test]
    fn months_start_at_midnight_utc_on_the_first() {
        let now = at(2026, 12, 31, 23);
        let period = Period::month_of(now);
        assert_eq!(period.key(), "2026-12");
        assert_eq!(period.starts_at(), Some(at(2026, 12, 1, 0)));
        assert_eq!(period.resets_at(), Some(at(2027, 1, 1, 0)));
        assert_eq!(next_period_start(at(2026, 2, 1, 0)), at(2026, 3, 1, 0));
        assert_eq!(Period::for_app(true, now), Period::Lifetime);
        assert_eq!(Period::Lifetime.key(), "lifetime");
        assert_eq!(Period::Lifetime.resets_at(), None);
        assert_eq!(Period::month_of(at(2026, 3, 5, 12)).days_until(at(2026, 3, 5, 12)).len(), 5);
        assert_eq!(Period::Lifetime.days_until(now).len(), 30);
        // A chart shows the whole month, the days to come too; a lifetime its last 30 days.
        let march = Period::month_of(at(2026, 3, 5, 12)).chart_days(at(2026, 3, 5, 12));
        assert_eq!((march.len(), march.last().map(|d| d.to_string())), (31, Some("2026-03-31".to_owned())));
        assert_eq!(Period::Lifetime.chart_days(now), Period::Lifetime.days_until(now));
    }

    #[test]
    fn upgrades_apply_now_and_downgrades_next_period() {
        let catalogue = PlanCatalogue::default();
        let [eval, standard, pro] = ["Evaluation", "Standard", "Pro"].map(|n| catalogue.get(n).unwrap());
        let now = at(2026, 11, 15, 10);
        assert_eq!(decide_change(eval, standard, now), PlanChange::Now);
        assert_eq!(decide_change(standard, pro, now), PlanChange::Now);
        assert_eq!(decide_change(pro, standard, now), PlanChange::At(at(2026, 12, 1, 0)));
        assert_eq!(decide_change(standard, eval, now), PlanChange::At(at(2026, 12, 1, 0)));
        assert_eq!(decide_change(pro, pro, now), PlanChange::Unchanged);

        let on_pro = OrgPlan { plan: Some("Pro".into()), pending: None };
        let change = decide_change(pro, standard, now);
        let scheduled = apply_change(&on_pro, standard, &change);
        assert_eq!(scheduled.plan.as_deref(), Some("Pro"));
        assert!(!scheduled.change_is_due(at(2026, 11, 30, 23)));
        assert!(scheduled.change_is_due(at(2026, 12, 1, 0)));
        assert_eq!(scheduled.settled(at(2026, 12, 1, 0)).plan.as_deref(), Some("Standard"));
        // Choosing the current plan again cancels the scheduled downgrade.
        assert_eq!(apply_change(&scheduled, pro, &PlanChange::Unchanged).pending, None);
    }

    #[test]
    fn an_allocation_beyond_the_total_says_by_how_much() {
        let (a, b, eval) = (AppId::new(), AppId::new(), AppId::new());
        let mut allocations = Allocations::new(2_000, [(a, 0), (b, 0)]);
        allocations.set(a, 1_500).unwrap();
        let err = allocations.set(b, 800).unwrap_err();
        assert_eq!(err, AllocationError::ExceedsPlan { by: 300 });
        assert!(err.to_string().contains("exceeds the plan by 300 parts"), "{err}");
        assert_eq!(allocations.unallocated(), 500);
        // Taking from one app before giving to another works in one change.
        allocations.set_many(&[(a, 1_000), (b, 1_000)]).unwrap();
        assert_eq!(allocations.unallocated(), 0);
        assert_eq!(allocations.set(a, -1), Err(AllocationError::Negative));
        assert_eq!(allocations.set(eval, 1), Err(AllocationError::NotSupply));
        assert_eq!(
            AllocationError::ExceedsPlan { by: 18_000 }.to_string(),
            "this allocation exceeds the plan by 18,000 parts"
        );
    }

    #[test]
    fn a_downgrade_scales_allocations_to_fit() {
        let (a, b) = (AppId::new(), AppId::new());
        let mut allocations = Allocations::new(2_000, [(a, 15_000), (b, 5_000)]);
        let changed = allocations.fit();
        assert_eq!(changed.len(), 2);
        assert_eq!(allocations.get(a), Some(1_500));
        assert_eq!(allocations.get(b), Some(500));
        assert!(allocations.fit().is_empty(), "fitting twice changes nothing");
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(-1_234_567), "-1,234,567");
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, Clone)]
    enum Step {
        Set(usize, i64),
        Move(usize, usize, i64),
        Fit(i64),
    }

    fn step(apps: usize) -> impl Strategy<Value = Step> {
        prop_oneof![
            4 => (0..apps, -10i64..30_000).prop_map(|(i, n)| Step::Set(i, n)),
            3 => (0..apps, 0..apps, 0i64..25_000).prop_map(|(i, j, n)| Step::Move(i, j, n)),
            1 => (0i64..25_000).prop_map(Step::Fit),
        ]
    }

    proptest! {
        #[test]
        fn allocations_never_exceed_the_total_whatever_the_changes(
            total in 0i64..25_000,
            steps in (1usize..6).prop_flat_map(|apps| (Just(apps), proptest::collection::vec(step(apps), 0..40))),
        ) {
            let (apps, steps) = steps;
            let ids: Vec<AppId> = (0..apps).map(|_| AppId::new()).collect();
            let mut allocations = Allocations::new(total, ids.iter().map(|id| (*id, 0)));
            for step in steps {
                let before = allocations.clone();
                let result = match step {
                    Step::Set(i, n) => allocations.set(ids[i], n),
                    Step::Move(i, j, n) => {
                        let from = allocations.get(ids[i]).unwrap();
                        let to = allocations.get(ids[j]).unwrap();
                        if i == j { Ok(()) } else { allocations.set_many(&[(ids[i], from - n), (ids[j], to + n)]) }
                    }
                    Step::Fit(new_total) => {
                        allocations = Allocations::new(new_total, allocations.iter());
                        allocations.fit();
                        Ok(())
                    }
                };
                if result.is_err() {
                    prop_assert_eq!(&allocations, &before, "a refused change changes nothing");
                }
                let sum: i64 = allocations.iter().map(|(_, n)| n).sum();
                prop_assert!(sum <= allocations.total(), "{} > {}", sum, allocations.total());
                prop_assert!(allocations.iter().all(|(_, n)| n >= 0));
                prop_assert_eq!(allocations.unallocated(), allocations.total() - sum);
            }
        }

        #[test]
        fn a_refusal_states_exactly_the_excess(total in 0i64..100_000, others in 0i64..100_000, asked in 0i64..100_000) {
            match check_allocations(total, [others, asked]) {
                Ok(()) => prop_assert!(others + asked <= total),
                Err(AllocationError::ExceedsPlan { by }) => prop_assert_eq!(by, others + asked - total),
                Err(other) => prop_assert!(false, "unexpected {:?}", other),
            }
        }

        #[test]
        fn periods_contain_now_and_reset_on_the_first(secs in 0i64..4_102_444_800) {
            let now = DateTime::from_timestamp(secs, 0).unwrap();
            let period = Period::month_of(now);
            let (start, end) = (period.starts_at().unwrap(), period.resets_at().unwrap());
            prop_assert!(start <= now && now < end);
            prop_assert_eq!(end.day(), 1);
            prop_assert_eq!(end, next_period_start(now));
            prop_assert_eq!(Period::month_of(end - chrono::Duration::milliseconds(1)), period);
            prop_assert_ne!(Period::month_of(end), period);
        }
    }
}
