//! The pages: one askama template (checked at compile time; HTML-escaped by default) per struct,
//! plus the small formatting helpers they share. Handlers fill these with plain strings and numbers.

use askama::Template;
use axum::{
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use ferrite_core::{
    metering::{LimitWarning, limit_warning},
    plan::thousands,
    requests::{RefusalReason, RequestCounts, RequestOutcome},
};

use crate::field_errors::FieldErrors;

pub fn render(page: &impl Template, status: StatusCode) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(err) => {
            tracing::error!(request_id = %crate::middleware::request_id(), error = %err, "a page failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "The page could not be shown.").into_response()
        }
    }
}

/// `2026-11-29 14:03 UTC`
pub fn datetime(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `1 December 2026`
pub fn date(t: DateTime<Utc>) -> String {
    t.format("%-d %B %Y").to_string()
}

/// `24 hours`, `90 minutes`: a duration as the overlap of a regenerated secret is stated.
pub fn duration(d: std::time::Duration) -> String {
    let secs = d.as_secs();
    let (n, unit) = match secs {
        s if s >= 86_400 && s % 86_400 == 0 && s / 86_400 > 1 => (s / 86_400, "day"),
        s if s >= 3600 && s % 3600 == 0 => (s / 3600, "hour"),
        s if s >= 60 && s % 60 == 0 => (s / 60, "minute"),
        s => (s, "second"),
    };
    if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") }
}

/// Percentage of `limit` used, for bars: 0–100.
pub fn percent(used: i64, limit: i64) -> u32 {
    if limit <= 0 {
        return if used > 0 { 100 } else { 0 };
    }
    ((used.max(0) as f64 / limit as f64) * 100.0).clamp(0.0, 100.0).round() as u32
}

// ---- the frame ----

/// The frame around every portal page: the left panel and who is signed in where.
pub struct Shell {
    pub email: String,
    pub org_name: String,
    pub role: &'static str,
    pub orgs: Vec<OrgChoice>,
    pub csrf: String,
    /// Which entry of the left panel is this page's.
    pub active: &'static str,
}

pub struct OrgChoice {
    pub id: String,
    pub name: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub title: String,
    pub message: String,
    pub reference: Option<String>,
}

impl MessagePage {
    pub fn render_with(&self, status: StatusCode) -> Response {
        render(self, status)
    }
}

// ---- accounts and organizations ----

#[derive(Template)]
#[template(path = "ide.html")]
pub struct IdePage;

#[derive(Template)]
#[template(path = "welcome.html")]
pub struct WelcomePage {
    pub shell: Shell,
    /// The evaluation app's id and name (an organization always has one; `None` if it is gone).
    pub evaluation: Option<(String, String)>,
    pub client_id: String,
    /// The secret made on request, for this one showing.
    pub secret: Option<String>,
    pub token_url: String,
    pub api_url: String,
    /// Commands that get a token and ask the API, with the credentials filled in.
    pub curl: String,
}

#[derive(Template)]
#[template(path = "signup.html")]
pub struct SignUpPage {
    pub csrf: String,
    /// The evaluation allowance, as the catalogue sets it.
    pub evaluation_parts: String,
    /// The organization an invitation on the way joins, instead of one of the person's own.
    pub joining: Option<String>,
    pub next: String,
    pub email: String,
    pub org_name: String,
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "new_org.html")]
pub struct NewOrgPage {
    pub csrf: String,
    pub email: String,
    pub name: String,
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "members.html")]
pub struct MembersPage {
    pub shell: Shell,
    pub is_owner: bool,
    pub members: Vec<MemberRow>,
    pub invitations: Vec<InvitationRow>,
    /// The link of an invitation just made: shown once.
    pub link: Option<String>,
    pub email: String,
    pub errors: FieldErrors,
    pub notice: Option<String>,
}

pub struct MemberRow {
    pub user_id: String,
    pub email: String,
    pub role: &'static str,
    pub is_self: bool,
}

pub struct InvitationRow {
    pub id: String,
    pub email: String,
    pub role: &'static str,
    pub expires: String,
}

#[derive(Template)]
#[template(path = "invitation.html")]
pub struct InvitationPage {
    pub csrf: String,
    pub token: String,
    pub org_name: String,
    pub role: &'static str,
    pub email: String,
    pub signed_in_as: Option<String>,
    pub matches: bool,
}

// ---- apps ----

#[derive(Template)]
#[template(path = "apps.html")]
pub struct AppsPage {
    pub shell: Shell,
    pub apps: Vec<AppRow>,
    pub notice: Option<String>,
}

pub struct AppRow {
    pub id: String,
    pub name: String,
    pub scopes: String,
    pub client_id: String,
    pub supply: bool,
    pub is_evaluation: bool,
    pub used: String,
    pub limit: String,
    pub percent: u32,
}

#[derive(Template)]
#[template(path = "app_new.html")]
pub struct NewAppPage {
    pub shell: Shell,
    pub name: String,
    pub description: String,
    pub supply: bool,
    pub design: bool,
    pub redirect_uris: String,
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "app.html")]
pub struct AppPage {
    pub shell: Shell,
    pub app: AppView,
    /// The secret in full: only right after creation or regeneration.
    pub secret: Option<String>,
    pub secret_note: Option<String>,
    /// How long a replaced secret keeps working.
    pub overlap: String,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub form: EditForm,
    pub errors: FieldErrors,
}

pub struct AppView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub scopes: String,
    pub client_id: String,
    pub created: String,
    pub supply: bool,
    pub design: bool,
    pub is_evaluation: bool,
    pub limit: String,
    /// A Supply app whose limit is 0 parts: every part it asks for is refused until it gets some.
    pub no_parts: bool,
    pub used: String,
    pub percent: u32,
    pub period: String,
    /// Near or at the part limit, what to tell.
    pub warning: Option<LimitBanner>,
}

pub struct EditForm {
    pub name: String,
    pub description: String,
    pub redirect_uris: String,
}

#[derive(Template)]
#[template(path = "app_delete.html")]
pub struct DeletePage {
    pub shell: Shell,
    pub id: String,
    pub name: String,
}

// ---- plans and usage ----

#[derive(Template)]
#[template(path = "plans.html")]
pub struct PlansPage {
    pub shell: Shell,
    pub is_owner: bool,
    pub plan_name: String,
    pub period: String,
    pub pending: Option<String>,
    pub catalogue: Vec<PlanCard>,
    pub total: String,
    pub unallocated: String,
    pub over: bool,
    pub allocations: Vec<AllocationRow>,
    pub evaluation: Option<EvaluationRow>,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub errors: FieldErrors,
}

pub struct PlanCard {
    pub name: String,
    pub parts: String,
    pub per: &'static str,
    pub features: Vec<String>,
    pub current: bool,
    pub pending: bool,
    /// The button's words: Upgrade, Downgrade, Switch, or Keep (cancels a scheduled change).
    pub action: &'static str,
}

pub struct AllocationRow {
    pub name: String,
    pub field: String,
    pub value: String,
    pub used: String,
}

pub struct EvaluationRow {
    pub name: String,
    pub limit: String,
    pub used: String,
}

#[derive(Template)]
#[template(path = "usage.html")]
pub struct UsagePage {
    pub shell: Shell,
    pub summary: UsageSummary,
    pub apps: Vec<UsageCard>,
}

/// The organization's supply usage: its apps' parts against the plan's total, and their requests.
pub struct UsageSummary {
    pub plan: String,
    pub period: String,
    pub used: String,
    pub total: String,
    pub percent: u32,
    /// Whose parts `used` adds up: "across 3 apps" (a monthly plan), or "by the evaluation app".
    pub across: String,
    pub warning: Option<LimitBanner>,
    pub requests: RequestsView,
}

pub struct UsageCard {
    pub id: String,
    pub name: String,
    pub used: String,
    pub limit: String,
    pub percent: u32,
    pub period: String,
    pub resets: String,
    pub warning: Option<LimitBanner>,
    pub requests: RequestsView,
    pub chart: crate::pages::chart::Chart,
}

/// Requests in a stretch of days: answered, refused, and refused by each reason.
pub struct RequestsView {
    pub total: String,
    pub answered: String,
    pub refused: String,
    pub reasons: Vec<RefusedView>,
}

pub struct RefusedView {
    /// The reason's key, for the page's classes.
    pub key: &'static str,
    pub words: &'static str,
    pub count: String,
}

impl RequestsView {
    pub fn of(counts: &RequestCounts) -> RequestsView {
        RequestsView {
            total: thousands(counts.total()),
            answered: thousands(counts.answered()),
            refused: thousands(counts.refused()),
            reasons: RefusalReason::ALL
                .into_iter()
                .map(|reason| RefusedView {
                    key: reason.key(),
                    words: reason.words(),
                    count: thousands(counts.get(RequestOutcome::Refused(reason))),
                })
                .collect(),
        }
    }
}

/// A warning that an allowance is running out (`reached` false) or gone.
pub struct LimitBanner {
    pub reached: bool,
    pub message: String,
}

impl LimitBanner {
    /// Its classes: a warning when running out, an error when gone; `limit-warning` either way.
    pub fn class(&self) -> &'static str {
        if self.reached { "error limit-warning reached" } else { "warning limit-warning near" }
    }

    /// Gone is urgent (`alert`); running out is news (`status`).
    pub fn role(&self) -> &'static str {
        if self.reached { "alert" } else { "status" }
    }
}

/// What an app is told near and at its part limit (`ferrite_core::metering::limit_warning`), with
/// the date its period resets (`None`: a lifetime allowance, which never does).
pub fn limit_banner(used: i64, limit: i64, resets: Option<DateTime<Utc>>) -> Option<LimitBanner> {
    let until = match resets {
        Some(at) => format!("until {}", date(at)),
        None => "for good: the evaluation allowance never resets".to_owned(),
    };
    Some(match limit_warning(used, limit)? {
        LimitWarning::Near => LimitBanner {
            reached: false,
            message: format!(
                "{} % of the part limit used ({} of {} parts). At the limit, requests for parts are refused {until}.",
                share(used, limit),
                thousands(used),
                thousands(limit)
            ),
        },
        LimitWarning::Reached => LimitBanner {
            reached: true,
            message: format!("Part limit reached: requests for parts are refused {until}."),
        },
    })
}

/// Whole percent of `limit` used, rounded down: 99.9 % is not yet "100 %". `limit` is positive.
pub fn share(used: i64, limit: i64) -> i64 {
    (i128::from(used.max(0)) * 100 / i128::from(limit.max(1))).min(i128::from(i64::MAX)) as i64
}

#[derive(Template)]
#[template(path = "playground.html")]
pub struct PlaygroundPage {
    pub shell: Shell,
    pub apps: Vec<PlaygroundApp>,
    pub app_name: String,
    pub token: String,
    pub expires: String,
    pub supply: bool,
}

pub struct PlaygroundApp {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "part.html")]
pub struct PartPage {
    pub shell: Shell,
    pub mpn: String,
    pub manufacturer: String,
    pub description: String,
    /// `Parent › Child`, and its `/electronic-parts/…` path.
    pub category: String,
    pub category_path: String,
    /// Links only when they are web addresses.
    pub datasheet: Option<String>,
    pub image: Option<String>,
    pub currency: String,
    pub specs: Vec<SpecView>,
    pub offers: Vec<OfferView>,
    /// In stock, of the same category, with the same key specs (named in `similar_by`).
    pub similar: Vec<PartHit>,
    pub similar_by: String,
}

pub struct SpecView {
    pub name: String,
    pub value: String,
}

pub struct OfferView {
    pub seller: String,
    pub sku: String,
    pub stock: String,
    pub moq: String,
    pub packaging: String,
    pub updated: String,
    pub prices: Vec<PriceView>,
    /// Stock and unit price over time, each with its title.
    pub charts: Vec<(&'static str, crate::pages::chart::Line)>,
}

pub struct PriceView {
    pub quantity: String,
    pub price: String,
}

#[derive(Template)]
#[template(path = "parts.html")]
pub struct SearchPage {
    pub shell: Shell,
    pub q: String,
    /// Whether there is a query or a filter: else the page is the form alone.
    pub asked: bool,
    pub in_stock: bool,
    /// This search with "in stock only" turned the other way.
    pub in_stock_href: String,
    pub hits: String,
    /// The results shown, counted from 1 (0 when there are none).
    pub from: usize,
    pub to: usize,
    pub results: Vec<PartHit>,
    pub facets: Vec<FacetView>,
    pub warnings: Vec<String>,
    pub previous: Option<String>,
    pub next: Option<String>,
}

pub struct PartHit {
    pub page: String,
    pub mpn: String,
    pub manufacturer: String,
    pub description: String,
    pub category: String,
    pub stock: String,
    pub sellers: usize,
}

pub struct FacetView {
    pub title: String,
    pub values: Vec<FacetLink>,
}

/// A facet's value: a link that narrows the search to it, or, when it is `on`, widens it again.
pub struct FacetLink {
    pub label: String,
    pub count: String,
    pub href: String,
    pub on: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_reason_is_listed_with_its_count_the_rate_limit_too() {
        let mut counts = RequestCounts::default();
        counts.add(RequestOutcome::Refused(RefusalReason::RateLimit), 1234);
        counts.add(RequestOutcome::Answered, 1);
        let view = RequestsView::of(&counts);
        let listed: Vec<_> = view.reasons.iter().map(|r| (r.key, r.words, r.count.as_str())).collect();
        assert_eq!(
            listed,
            [
                ("part_limit", "the part limit", "0"),
                ("auth", "authentication", "0"),
                ("rate_limit", "the rate limit", "1,234")
            ]
        );
        assert_eq!((view.refused.as_str(), view.total.as_str()), ("1,234", "1,235"));
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(std::time::Duration::from_secs(24 * 3600)), "24 hours");
        assert_eq!(duration(std::time::Duration::from_secs(3600)), "1 hour");
        assert_eq!(duration(std::time::Duration::from_secs(2 * 86_400)), "2 days");
        assert_eq!(duration(std::time::Duration::from_secs(90)), "90 seconds");
        assert_eq!(duration(std::time::Duration::from_secs(1800)), "30 minutes");
    }

    #[test]
    fn an_app_is_warned_from_eighty_percent_and_told_when_its_limit_is_reached() {
        let resets = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 12, 1, 0, 0, 0).unwrap();
        assert!(limit_banner(799, 1000, Some(resets)).is_none());
        let near = limit_banner(999, 1000, Some(resets)).unwrap();
        assert!(!near.reached);
        assert_eq!(
            near.message,
            "99 % of the part limit used (999 of 1,000 parts). At the limit, requests for parts are refused until 1 December 2026."
        );
        let reached = limit_banner(1000, 1000, Some(resets)).unwrap();
        assert!(reached.reached);
        assert_eq!(reached.message, "Part limit reached: requests for parts are refused until 1 December 2026.");
        let lifetime = limit_banner(1000, 1000, None).unwrap();
        assert!(lifetime.message.ends_with("refused for good: the evaluation allowance never resets."));
        assert!(limit_banner(0, 0, Some(resets)).is_none());
    }

    #[test]
    fn percentages_are_bounded() {
        assert_eq!(percent(0, 0), 0);
        assert_eq!(percent(5, 0), 100);
        assert_eq!(percent(250, 1000), 25);
        assert_eq!(percent(2000, 1000), 100);
    }
}
