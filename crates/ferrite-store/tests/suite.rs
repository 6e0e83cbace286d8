//! The storage suite: every case runs against SQLite, and against PostgreSQL when
//! `FERRITE_TEST_POSTGRES_URL` is set (each case in a schema of its own).

use chrono::{DateTime, Utc};
use ferrite_core::{OrgId, UserId, org::Role};
use ferrite_store::{
    StoreError,
    testing::{self, TestDb},
};

async fn sqlite_db() -> Option<TestDb> {
    Some(TestDb::sqlite().await)
}

async fn postgres_db() -> Option<TestDb> {
    TestDb::postgres().await
}

fn t(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap()
}

fn new_app(name: &str, scopes: &str, part_limit: i64) -> ferrite_store::NewApp {
    ferrite_store::NewApp {
        name: name.into(),
        description: String::new(),
        scopes: scopes.parse().unwrap(),
        client_id: uuid::Uuid::new_v4().to_string(),
        secret_hash: vec![1, 2, 3],
        redirect_uris: vec![],
        is_evaluation: false,
        part_limit,
    }
}

macro_rules! store_suite {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $case() {
                if let Some(db) = super::sqlite_db().await { super::$case(db).await }
            })*
        }
        mod postgres {
            $(#[tokio::test] async fn $case() {
                if let Some(db) = super::postgres_db().await { super::$case(db).await }
            })*
        }
    };
}

store_suite!(
    migrations_are_idempotent_and_leave_the_schema_current,
    a_database_migrated_by_a_newer_ferrite_is_refused,
    emails_are_unique_regardless_of_case,
    an_organization_starts_with_its_owner,
    memberships_are_per_organization,
    operators_are_promoted_and_demoted,
);

async fn operators_are_promoted_and_demoted(db: TestDb) {
    let ada = db.store.create_user("ada@example.com", "ada@example.com", "h", t(1)).await.unwrap();
    let bob = db.store.create_user("bob@example.com", "bob@example.com", "h", t(1)).await.unwrap();
    assert!(!ada.is_operator, "nobody is an operator until promoted");
    db.store.set_operator(ada.id, true).await.unwrap();
    assert!(db.store.user_by_id(ada.id).await.unwrap().is_operator);
    let everyone: Vec<_> = db.store.all_users().await.unwrap().into_iter().map(|u| (u.email, u.is_operator)).collect();
    assert_eq!(everyone, [("ada@example.com".to_owned(), true), ("bob@example.com".to_owned(), false)]);
    db.store.set_operator(ada.id, false).await.unwrap();
    assert!(!db.store.user_by_email("ada@example.com").await.unwrap().0.is_operator);
    assert!(!db.store.user_by_id(bob.id).await.unwrap().is_operator);
    assert!(matches!(db.store.set_operator(UserId::new(), true).await, Err(StoreError::NotFound)));
}

async fn migrations_are_idempotent_and_leave_the_schema_current(db: TestDb) {
    let status = db.store.schema_status().await.unwrap();
    assert!(status.is_current(), "{status:?}");
    db.store.migrate().await.unwrap();
    assert_eq!(db.store.schema_status().await.unwrap(), status);
    db.store.ping().await.unwrap();
}

async fn a_database_migrated_by_a_newer_ferrite_is_refused(db: TestDb) {
    let future = 99_991_231_000_001_i64;
    testing::execute_raw(
        &db.url,
        &format!(
            "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time)
             SELECT {future}, 'from the future', installed_on, success, checksum, execution_time
             FROM _sqlx_migrations LIMIT 1"
        ),
    )
    .await
    .unwrap();
    match db.store.migrate().await {
        Err(StoreError::SchemaTooNew { found, known }) => {
            assert_eq!(found, future);
            assert!(known < future);
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    assert!(!db.store.schema_status().await.unwrap().is_current());
}

async fn emails_are_unique_regardless_of_case(db: TestDb) {
    let ada = db.store.create_user("Ada@Example.com", "ada@example.com", "hash", t(1)).await.unwrap();
    let again = db.store.create_user("ADA@example.com", "ada@example.com", "other", t(2)).await;
    assert!(matches!(again, Err(StoreError::Conflict)), "{again:?}");
    let (found, hash) = db.store.user_by_email("ada@example.com").await.unwrap();
    assert_eq!(found, ada);
    assert_eq!(found.email, "Ada@Example.com");
    assert_eq!(hash, "hash");
    assert_eq!(db.store.user_by_id(ada.id).await.unwrap(), ada);
    assert!(matches!(db.store.user_by_email("bob@example.com").await, Err(StoreError::NotFound)));
    assert!(matches!(db.store.user_by_id(UserId::new()).await, Err(StoreError::NotFound)));
}

async fn an_organization_starts_with_its_owner(db: TestDb) {
    let ada = db.store.create_user("ada@example.com", "ada@example.com", "h", t(1)).await.unwrap();
    let acme = db.store.create_org("Acme", ada.id, &[], 0, t(5)).await.unwrap();
    assert_eq!(db.store.org_by_id(acme.id).await.unwrap(), acme);
    assert_eq!(db.store.role_in(acme.id, ada.id).await.unwrap(), Role::Owner);
    assert_eq!(db.store.orgs_named("Acme").await.unwrap(), vec![acme.clone()]);
    assert!(db.store.orgs_named("acme").await.unwrap().is_empty());
    assert!(matches!(db.store.org_by_id(OrgId::new()).await, Err(StoreError::NotFound)));
    // An owner who does not exist cannot found an organization, and nothing is left behind.
    let orphan = db.store.create_org("Ghost", UserId::new(), &[], 0, t(6)).await;
    assert!(orphan.is_err());
    assert!(db.store.orgs_named("Ghost").await.unwrap().is_empty());
}

async fn memberships_are_per_organization(db: TestDb) {
    let ada = db.store.create_user("ada@example.com", "ada@example.com", "h", t(1)).await.unwrap();
    let bob = db.store.create_user("bob@example.com", "bob@example.com", "h", t(1)).await.unwrap();
    let acme = db.store.create_org("Acme", ada.id, &[], 0, t(2)).await.unwrap();
    let bolt = db.store.create_org("Bolt", bob.id, &[], 0, t(3)).await.unwrap();
    assert!(matches!(db.store.role_in(acme.id, bob.id).await, Err(StoreError::NotFound)));
    db.store.set_membership(acme.id, bob.id, Role::Member, t(4)).await.unwrap();
    assert_eq!(db.store.role_in(acme.id, bob.id).await.unwrap(), Role::Member);
    let bobs: Vec<_> = db.store.memberships_of(bob.id).await.unwrap();
    assert_eq!(bobs, vec![(acme.clone(), Role::Member), (bolt, Role::Owner)]);
    db.store.set_membership(acme.id, bob.id, Role::Owner, t(5)).await.unwrap();
    assert_eq!(db.store.role_in(acme.id, bob.id).await.unwrap(), Role::Owner);
    assert_eq!(db.store.memberships_of(ada.id).await.unwrap(), vec![(acme, Role::Owner)]);
}

/// Plans, allocations, usage, invitations and members: a module of its own so that it has its own
/// `sqlite`/`postgres` case modules.
mod plans {
    use super::*;
    use chrono::{NaiveDate, TimeZone};
    use ferrite_core::requests::{RefusalReason, RequestOutcome};
    use ferrite_core::{
        AppId,
        app::App,
        plan::{AllocationError, PlanCatalogue, PlanChange},
    };
    use ferrite_store::{NewInvitation, PlanError, RequestCount};

    store_suite!(
        plans_start_on_evaluation_upgrade_at_once_and_downgrade_next_period,
        allocations_never_exceed_the_plan_and_say_by_how_much,
        a_downgrade_that_comes_due_scales_allocations_to_fit,
        an_operator_sets_a_plan_at_once_and_allocations_are_scaled_to_fit,
        an_app_is_created_within_the_plan_or_not_at_all,
        concurrent_allocation_changes_never_exceed_the_total,
        usage_is_read_per_period_and_per_day_through_the_organization,
        request_counts_add_up_per_app_and_outcome_and_unknown_clients_add_nothing,
        invitations_are_for_one_email_used_once_and_expire,
        members_can_be_removed_but_not_the_last_owner,
        roles_change_but_never_leave_an_organization_without_an_owner,
        another_organizations_app_is_not_found,
        an_organization_is_created_with_its_evaluation_allowance,
    );

    fn utc(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    /// An organization like the one sign-up makes: an owner and the evaluation app.
    async fn org_with_evaluation(db: &TestDb, email: &str) -> (OrgId, UserId, App) {
        let owner = db.store.create_user(email, email, "h", t(1)).await.unwrap();
        let mut evaluation = new_app("Evaluation", "supply", 0);
        evaluation.is_evaluation = true;
        let org = db.store.create_org("Acme", owner.id, &[evaluation], 1_000, t(2)).await.unwrap();
        let apps = db.store.apps_of_org(org.id).await.unwrap();
        (org.id, owner.id, apps[0].clone())
    }

    async fn limit(db: &TestDb, app: AppId) -> i64 {
        db.store.app_by_id(app).await.unwrap().part_limit
    }

    /// The allowance is written with the organization, not corrected by a second write after it.
    async fn an_organization_is_created_with_its_evaluation_allowance(db: TestDb) {
        let owner = db.store.create_user("ada@example.com", "ada@example.com", "h", t(1)).await.unwrap();
        let mut evaluation = new_app("Evaluation", "supply", 0);
        evaluation.is_evaluation = true;
        let tool = new_app("tool", "supply", 7);
        let org = db.store.create_org("Acme", owner.id, &[evaluation, tool], 500, t(2)).await.unwrap();
        let mut limits: Vec<_> =
            db.store.apps_of_org(org.id).await.unwrap().into_iter().map(|a| (a.is_evaluation, a.part_limit)).collect();
        limits.sort();
        assert_eq!(limits, [(false, 7), (true, 500)]);
    }

    async fn plans_start_on_evaluation_upgrade_at_once_and_downgrade_next_period(db: TestDb) {
        let plans = PlanCatalogue::default();
        let (org, _, _) = org_with_evaluation(&db, "ada@example.com").await;
        let now = utc(2026, 11, 15);
        assert_eq!(db.store.org_plan(org).await.unwrap().plan, None, "the evaluation plan");

        let (change, state) = db.store.choose_plan(org, "pro", &plans, now).await.unwrap();
        assert_eq!(change, PlanChange::Now);
        assert_eq!(state.plan.as_deref(), Some("Pro"));
        let (change, state) = db.store.choose_plan(org, "Standard", &plans, now).await.unwrap();
        let december = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
        assert_eq!(change, PlanChange::At(december));
        assert_eq!(state.plan.as_deref(), Some("Pro"), "a downgrade waits for the next period");
        assert_eq!(db.store.org_plan(org).await.unwrap(), state);

        let unknown = db.store.choose_plan(org, "Platinum", &plans, now).await;
        assert!(matches!(unknown, Err(PlanError::UnknownPlan(_))), "{unknown:?}");

        // Nothing changes before the period ends; at its start the downgrade applies.
        assert_eq!(db.store.settle_due_plans(&plans, december - chrono::Duration::milliseconds(1)).await.unwrap(), 0);
        assert_eq!(db.store.settle_due_plans(&plans, december).await.unwrap(), 1);
        let settled = db.store.org_plan(org).await.unwrap();
        assert_eq!((settled.plan.as_deref(), settled.pending), (Some("Standard"), None));

        // Choosing the current plan cancels a scheduled downgrade.
        db.store.choose_plan(org, "Evaluation", &plans, december).await.unwrap();
        assert!(db.store.org_plan(org).await.unwrap().pending.is_some());
        let (change, state) = db.store.choose_plan(org, "Standard", &plans, december).await.unwrap();
        assert_eq!((change, state.pending), (PlanChange::Unchanged, None));
    }

    async fn allocations_never_exceed_the_plan_and_say_by_how_much(db: TestDb) {
        let plans = PlanCatalogue::default();
        let now = utc(2026, 11, 15);
        let (org, _, evaluation) = org_with_evaluation(&db, "ada@example.com").await;
        let a = db.store.create_app(org, &new_app("a", "supply", 0), t(3)).await.unwrap();
        let b = db.store.create_app(org, &new_app("b", "supply,design", 0), t(3)).await.unwrap();
        let cad = db.store.create_app(org, &new_app("cad", "design", 0), t(3)).await.unwrap();

        // On the evaluation plan there is nothing to distribute.
        let refused = db.store.set_allocations(org, &[(a.id, 1)], &plans, now).await;
        assert!(matches!(refused, Err(PlanError::Allocation(AllocationError::ExceedsPlan { by: 1 }))), "{refused:?}");

        db.store.choose_plan(org, "Standard", &plans, now).await.unwrap();
        db.store.set_allocations(org, &[(a.id, 1_500)], &plans, now).await.unwrap();
        let refused = db.store.set_allocations(org, &[(b.id, 800)], &plans, now).await.unwrap_err();
        assert!(refused.to_string().contains("exceeds the plan by 300 parts"), "{refused}");
        assert_eq!(limit(&db, b.id).await, 0, "a refused change changes nothing");
        // Moving parts from one app to another in one change.
        db.store.set_allocations(org, &[(a.id, 1_000), (b.id, 1_000)], &plans, now).await.unwrap();
        assert_eq!((limit(&db, a.id).await, limit(&db, b.id).await), (1_000, 1_000));

        for (app, expected) in [(evaluation.id, AllocationError::EvaluationFixed), (cad.id, AllocationError::NotSupply)]
        {
            let result = db.store.set_allocations(org, &[(app, 0)], &plans, now).await;
            assert!(matches!(&result, Err(PlanError::Allocation(e)) if *e == expected), "{result:?}");
        }
        let negative = db.store.set_allocations(org, &[(a.id, -5)], &plans, now).await;
        assert!(matches!(negative, Err(PlanError::Allocation(AllocationError::Negative))), "{negative:?}");
        assert_eq!(limit(&db, evaluation.id).await, 1_000);

        // Deleting an app frees its parts.
        db.store.delete_app(b.id, t(4)).await.unwrap();
        db.store.set_allocations(org, &[(a.id, 2_000)], &plans, now).await.unwrap();
    }

    async fn a_downgrade_that_comes_due_scales_allocations_to_fit(db: TestDb) {
        let plans = PlanCatalogue::default();
        let now = utc(2026, 11, 15);
        let (org, _, evaluation) = org_with_evaluation(&db, "ada@example.com").await;
        let a = db.store.create_app(org, &new_app("a", "supply", 0), t(3)).await.unwrap();
        let b = db.store.create_app(org, &new_app("b", "supply", 0), t(3)).await.unwrap();
        db.store.choose_plan(org, "Pro", &plans, now).await.unwrap();
        db.store.set_allocations(org, &[(a.id, 15_000), (b.id, 5_000)], &plans, now).await.unwrap();
        db.store.choose_plan(org, "Standard", &plans, now).await.unwrap();
        // Still Pro for the rest of November: the allocations stand.
        db.store.set_allocations(org, &[(a.id, 15_000)], &plans, utc(2026, 11, 30)).await.unwrap();
        // In December any change first applies the downgrade.
        let settled = db.store.settle_plan(org, &plans, utc(2026, 12, 1)).await.unwrap();
        assert_eq!(settled.plan.as_deref(), Some("Standard"));
        assert_eq!((limit(&db, a.id).await, limit(&db, b.id).await), (1_500, 500));
        assert_eq!(limit(&db, evaluation.id).await, 1_000, "the evaluation app is untouched");
    }

    async fn an_operator_sets_a_plan_at_once_and_allocations_are_scaled_to_fit(db: TestDb) {
        let plans = PlanCatalogue::default();
        let now = utc(2026, 11, 15);
        let (org, _, evaluation) = org_with_evaluation(&db, "ada@example.com").await;
        let a = db.store.create_app(org, &new_app("a", "supply", 0), t(3)).await.unwrap();
        let b = db.store.create_app(org, &new_app("b", "supply", 0), t(3)).await.unwrap();
        db.store.set_plan_now(org, "pro", &plans, now).await.unwrap();
        db.store.set_allocations(org, &[(a.id, 15_000), (b.id, 5_000)], &plans, now).await.unwrap();
        // A downgrade the owner chose waits for December; the operator's applies now and drops it.
        db.store.choose_plan(org, "Standard", &plans, now).await.unwrap();
        let state = db.store.set_plan_now(org, "standard", &plans, now).await.unwrap();
        assert_eq!((state.plan.as_deref(), state.pending), (Some("Standard"), None));
        assert_eq!(db.store.org_plan(org).await.unwrap().plan.as_deref(), Some("Standard"));
        assert_eq!((limit(&db, a.id).await, limit(&db, b.id).await), (1_500, 500));
        assert_eq!(limit(&db, evaluation.id).await, 1_000, "the evaluation app is untouched");
        // A bigger plan leaves the allocations as they are.
        db.store.set_plan_now(org, "Pro", &plans, now).await.unwrap();
        assert_eq!((limit(&db, a.id).await, limit(&db, b.id).await), (1_500, 500));
        let unknown = db.store.set_plan_now(org, "Platinum", &plans, now).await;
        assert!(matches!(unknown, Err(PlanError::UnknownPlan(_))), "{unknown:?}");
    }

    async fn an_app_is_created_within_the_plan_or_not_at_all(db: TestDb) {
        let plans = PlanCatalogue::default();
        let now = utc(2026, 11, 15);
        let (org, _, _) = org_with_evaluation(&db, "ada@example.com").await;
        db.store.choose_plan(org, "Standard", &plans, now).await.unwrap();
        let first =
            db.store.create_app_within_plan(org, &new_app("first", "supply", 1_200), &plans, now).await.unwrap();
        assert_eq!(first.part_limit, 1_200);
        let refused = db.store.create_app_within_plan(org, &new_app("second", "supply", 1_000), &plans, now).await;
        assert!(refused.unwrap_err().to_string().contains("exceeds the plan by 200 parts"));
        let design = db.store.create_app_within_plan(org, &new_app("cad", "design", 10), &plans, now).await;
        assert!(matches!(design, Err(PlanError::Allocation(AllocationError::NotSupply))), "{design:?}");
        let names: Vec<_> = db.store.apps_of_org(org).await.unwrap().into_iter().map(|a| a.name).collect();
        assert_eq!(names, ["Evaluation", "first"], "nothing was created when refused");
        db.store.create_app_within_plan(org, &new_app("zero", "design", 0), &plans, now).await.unwrap();
    }

    async fn concurrent_allocation_changes_never_exceed_the_total(db: TestDb) {
        let plans = PlanCatalogue::default();
        let now = utc(2026, 11, 15);
        let (org, _, _) = org_with_evaluation(&db, "ada@example.com").await;
        db.store.choose_plan(org, "Standard", &plans, now).await.unwrap();
        let mut apps = Vec::new();
        for i in 0..8 {
            apps.push(db.store.create_app(org, &new_app(&format!("app{i}"), "supply", 0), t(3)).await.unwrap().id);
        }
        // 64 writers each try to give 600 parts to one app (and sometimes take them back); a sum
        // above 2,000 would be a lost update.
        let mut tasks = Vec::new();
        for i in 0..64usize {
            let store = db.store.clone();
            let plans = plans.clone();
            let app = apps[i % apps.len()];
            tasks.push(tokio::spawn(async move {
                let parts = if i % 5 == 4 { 0 } else { 600 };
                match store.set_allocations(org, &[(app, parts)], &plans, now).await {
                    Ok(()) => true,
                    Err(PlanError::Allocation(AllocationError::ExceedsPlan { .. })) => false,
                    Err(other) => panic!("unexpected {other:?}"),
                }
            }));
        }
        let mut granted = 0;
        for task in tasks {
            granted += usize::from(task.await.unwrap());
        }
        assert!(granted >= 3, "some allocations went through ({granted})");
        let apps_now = db.store.apps_of_org(org).await.unwrap();
        let sum: i64 = apps_now.iter().filter(|a| !a.is_evaluation).map(|a| a.part_limit).sum();
        assert!(sum <= 2_000, "allocations sum to {sum}");
    }

    async fn usage_is_read_per_period_and_per_day_through_the_organization(db: TestDb) {
        let (org, _, evaluation) = org_with_evaluation(&db, "ada@example.com").await;
        let (other_org, _, _) = org_with_evaluation(&db, "bob@example.com").await;
        let app = db.store.create_app(org, &new_app("a", "supply", 0), t(3)).await.unwrap();
        assert_eq!(db.store.part_usage(app.id, "2026-11").await.unwrap(), 0);
        db.store.record_usage_for_tests(app.id, "2026-11", 40).await.unwrap();
        db.store.record_usage_for_tests(app.id, "2026-11", 2).await.unwrap();
        db.store.record_usage_for_tests(app.id, "2026-10", 7).await.unwrap();
        db.store.record_usage_for_tests(evaluation.id, "lifetime", 9).await.unwrap();
        assert_eq!(db.store.part_usage(app.id, "2026-11").await.unwrap(), 42);
        let usage = db.store.org_usage(org, "2026-11").await.unwrap();
        assert_eq!((usage[&app.id], usage[&evaluation.id]), (42, 9));
        assert!(db.store.org_usage(other_org, "2026-11").await.unwrap().is_empty());

        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        for (d, parts) in [(1, 5), (3, 10), (3, 2), (30, 1)] {
            db.store.record_daily_usage_for_tests(app.id, day(d), parts).await.unwrap();
        }
        let days = db.store.daily_usage(org, app.id, day(1), day(29)).await.unwrap();
        assert_eq!(days, vec![(day(1), 5), (day(3), 12)]);
        assert!(db.store.daily_usage(other_org, app.id, day(1), day(30)).await.unwrap().is_empty());
    }

    async fn request_counts_add_up_per_app_and_outcome_and_unknown_clients_add_nothing(db: TestDb) {
        let (org, _, evaluation) = org_with_evaluation(&db, "ada@example.com").await;
        let (other_org, _, stranger) = org_with_evaluation(&db, "bob@example.com").await;
        let app = db.store.create_app(org, &new_app("a", "supply", 0), t(3)).await.unwrap();
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let (answered, part_limit, auth) = (
            RequestOutcome::Answered,
            RequestOutcome::Refused(RefusalReason::PartLimit),
            RequestOutcome::Refused(RefusalReason::Auth),
        );
        let count = |app: &App, d, outcome, requests| RequestCount {
            client_id: app.client_id.clone(),
            day: day(d),
            outcome,
            requests,
        };
        let batch = [
            count(&app, 1, answered, 5),
            count(&app, 1, part_limit, 2),
            count(&app, 2, auth, 1),
            count(&evaluation, 2, answered, 7),
            count(&stranger, 2, answered, 4),
            RequestCount { client_id: "no-app-has-this".into(), day: day(2), outcome: auth, requests: 9 },
        ];
        db.store.add_request_counts(&batch).await.unwrap();
        // A second flush adds to the first; days outside the range are not read.
        db.store
            .add_request_counts(&[count(&app, 1, answered, 1), count(&app, 2, auth, 2), count(&app, 30, answered, 100)])
            .await
            .unwrap();
        db.store.add_request_counts(&[]).await.unwrap();

        let counts = db.store.request_counts(org, day(1), day(29)).await.unwrap();
        assert_eq!(counts.len(), 2, "{counts:?}");
        let a = &counts[&app.id];
        assert_eq!((a.get(answered), a.get(part_limit), a.get(auth)), (6, 2, 3));
        assert_eq!((a.answered(), a.refused(), a.total()), (6, 5, 11));
        assert_eq!(counts[&evaluation.id].total(), 7);
        let others = db.store.request_counts(other_org, day(1), day(29)).await.unwrap();
        assert_eq!(others[&stranger.id].total(), 4, "each organization reads its own");
        assert_eq!(db.store.request_counts(org, day(30), day(30)).await.unwrap()[&app.id].answered(), 100);

        // A deleted app's counts go with it, and later ones for its client id add nothing.
        db.store.delete_app(app.id, t(4)).await.unwrap();
        db.store.add_request_counts(&[count(&app, 3, answered, 1)]).await.unwrap();
        assert!(!db.store.request_counts(org, day(1), day(30)).await.unwrap().contains_key(&app.id));
    }

    async fn invitations_are_for_one_email_used_once_and_expire(db: TestDb) {
        let (org, ada, _) = org_with_evaluation(&db, "ada@example.com").await;
        let bob = db.store.create_user("Bob@example.com", "bob@example.com", "h", t(1)).await.unwrap();
        let eve = db.store.create_user("eve@example.com", "eve@example.com", "h", t(1)).await.unwrap();
        let invite = |hash: &'static [u8], expires| NewInvitation {
            org,
            email: "Bob@example.com",
            email_key: "bob@example.com",
            role: Role::Member,
            invited_by: ada,
            token_hash: hash,
            expires_at: expires,
        };
        let invitation = db.store.create_invitation(&invite(b"token-1", t(1000)), t(10)).await.unwrap();
        assert_eq!(db.store.pending_invitations(org, t(20)).await.unwrap(), vec![invitation.clone()]);
        let (found, found_org) = db.store.invitation_by_token(b"token-1", t(20)).await.unwrap();
        assert_eq!((found, found_org.id), (invitation, org));

        let wrong_person = db.store.accept_invitation(b"token-1", eve.id, "eve@example.com", t(30)).await;
        assert!(matches!(wrong_person, Err(StoreError::NotFound)));
        assert_eq!(db.store.accept_invitation(b"token-1", bob.id, "bob@example.com", t(30)).await.unwrap(), org);
        assert_eq!(db.store.role_in(org, bob.id).await.unwrap(), Role::Member);
        let again = db.store.accept_invitation(b"token-1", bob.id, "bob@example.com", t(31)).await;
        assert!(matches!(again, Err(StoreError::NotFound)), "used once");
        assert!(db.store.pending_invitations(org, t(40)).await.unwrap().is_empty());

        db.store.create_invitation(&invite(b"token-2", t(100)), t(50)).await.unwrap();
        let late = db.store.accept_invitation(b"token-2", bob.id, "bob@example.com", t(100)).await;
        assert!(matches!(late, Err(StoreError::NotFound)), "expired");

        let revocable = db.store.create_invitation(&invite(b"token-3", t(1000)), t(50)).await.unwrap();
        let (other_org, _, _) = org_with_evaluation(&db, "carol@example.com").await;
        assert!(matches!(db.store.revoke_invitation(other_org, &revocable.id).await, Err(StoreError::NotFound)));
        db.store.revoke_invitation(org, &revocable.id).await.unwrap();
        assert!(db.store.invitation_by_token(b"token-3", t(60)).await.is_err());
    }

    async fn members_can_be_removed_but_not_the_last_owner(db: TestDb) {
        let (org, ada, _) = org_with_evaluation(&db, "ada@example.com").await;
        let bob = db.store.create_user("bob@example.com", "bob@example.com", "h", t(1)).await.unwrap();
        db.store.set_membership(org, bob.id, Role::Member, t(3)).await.unwrap();
        let members = db.store.members_of(org).await.unwrap();
        let roles: Vec<_> = members.iter().map(|(u, r)| (u.email.as_str(), *r)).collect();
        assert_eq!(roles, [("ada@example.com", Role::Owner), ("bob@example.com", Role::Member)]);
        assert!(matches!(db.store.remove_member(org, ada).await, Err(StoreError::Conflict)), "the last owner stays");
        db.store.remove_member(org, bob.id).await.unwrap();
        assert!(matches!(db.store.remove_member(org, bob.id).await, Err(StoreError::NotFound)));
        db.store.set_membership(org, bob.id, Role::Owner, t(4)).await.unwrap();
        db.store.remove_member(org, ada).await.unwrap();
        assert_eq!(db.store.members_of(org).await.unwrap().len(), 1);
    }

    async fn roles_change_but_never_leave_an_organization_without_an_owner(db: TestDb) {
        let (org, ada, _) = org_with_evaluation(&db, "ada@example.com").await;
        let bob = db.store.create_user("bob@example.com", "bob@example.com", "h", t(1)).await.unwrap();
        db.store.set_membership(org, bob.id, Role::Member, t(3)).await.unwrap();
        let demoted = db.store.change_role(org, ada, Role::Member).await;
        assert!(matches!(demoted, Err(StoreError::Conflict)), "the last owner stays one");
        db.store.change_role(org, ada, Role::Owner).await.unwrap();
        db.store.change_role(org, bob.id, Role::Owner).await.unwrap();
        assert_eq!(db.store.role_in(org, bob.id).await.unwrap(), Role::Owner);
        db.store.change_role(org, ada, Role::Member).await.unwrap();
        assert_eq!(db.store.role_in(org, ada).await.unwrap(), Role::Member);
        assert!(matches!(db.store.change_role(org, bob.id, Role::Member).await, Err(StoreError::Conflict)));
        let stranger = db.store.create_user("eve@example.com", "eve@example.com", "h", t(1)).await.unwrap();
        assert!(matches!(db.store.change_role(org, stranger.id, Role::Owner).await, Err(StoreError::NotFound)));
        // Two owners demoting each other at once: one of them stays an owner.
        db.store.change_role(org, ada, Role::Owner).await.unwrap();
        let (a, b) =
            tokio::join!(db.store.change_role(org, ada, Role::Member), db.store.change_role(org, bob.id, Role::Member));
        assert_eq!(a.is_ok() as u8 + b.is_ok() as u8, 1, "{a:?} {b:?}");
        let owners = db.store.members_of(org).await.unwrap().into_iter().filter(|(_, r)| *r == Role::Owner).count();
        assert_eq!(owners, 1);
    }

    async fn another_organizations_app_is_not_found(db: TestDb) {
        let (acme, _, acme_eval) = org_with_evaluation(&db, "ada@example.com").await;
        let (bolt, _, _) = org_with_evaluation(&db, "bob@example.com").await;
        assert_eq!(db.store.app_of_org(acme, acme_eval.id).await.unwrap(), acme_eval);
        assert!(matches!(db.store.app_of_org(bolt, acme_eval.id).await, Err(StoreError::NotFound)));
        assert!(matches!(db.store.app_of_org(acme, AppId::new()).await, Err(StoreError::NotFound)));
        let plans = PlanCatalogue::default();
        let now = utc(2026, 11, 15);
        db.store.choose_plan(bolt, "Pro", &plans, now).await.unwrap();
        let foreign = db.store.set_allocations(bolt, &[(acme_eval.id, 10)], &plans, now).await;
        assert!(matches!(foreign, Err(PlanError::Store(StoreError::NotFound))), "{foreign:?}");
    }
}

/// Design data: workspaces, uploaded files and projects with their BOMs.
mod design {
    use super::*;
    use ferrite_core::{DesignFileId, ProjectId, WorkspaceId};
    use ferrite_store::{
        ManufacturerPartRecord, NewBomItem, NewDesignFile, NewProject, NewRevision, NewVariant, ProjectPage,
        QuotaHolder, SaveFileError, UploadQuota,
    };

    /// Far above what the cases upload, except those about quotas.
    const QUOTA: UploadQuota = UploadQuota { per_uploader: 1 << 30, per_org: 1 << 30 };

    store_suite!(
        uploads_are_bounded_per_uploader_and_per_organization,
        concurrent_uploads_never_pass_a_quota,
        expired_uploads_are_removed,
        upload_bytes_live_apart_from_the_main_database,
        a_claim_left_unsettled_makes_no_second_project,
        every_organization_has_a_default_workspace_with_a_unique_slug,
        a_project_is_stored_whole_with_its_bom_and_read_back,
        a_new_revision_keeps_the_earlier_ones_and_a_project_can_be_renamed_and_deleted,
        projects_are_paged_oldest_first_with_counts,
        a_project_is_created_whole_or_not_at_all,
        a_file_makes_one_project_even_when_two_race_for_it,
        catalogue_parts_are_found_by_mpn_key_with_their_manufacturer,
    );

    async fn org(db: &TestDb, email: &str, name: &str) -> OrgId {
        let owner = db.store.create_user(email, email, "h", t(1)).await.unwrap();
        db.store.create_org(name, owner.id, &[], 0, t(2)).await.unwrap().id
    }

    fn item(name: &str, quantity: i64, designators: &[&str], mpn: Option<(&str, &str, Option<i64>)>) -> NewBomItem {
        NewBomItem {
            name: name.into(),
            description: format!("{name} description"),
            value: name.into(),
            footprint: "0603".into(),
            quantity,
            instances: designators.iter().map(|d| ((*d).to_owned(), true)).collect(),
            supplier_parts: vec![("Digi-Key".into(), format!("{name}-ND"))],
            manufacturer_parts: mpn
                .into_iter()
                .map(|(company, mpn, id)| ManufacturerPartRecord {
                    company_name: company.into(),
                    part_number: mpn.into(),
                    supply_part_id: id,
                })
                .collect(),
        }
    }

    fn project(workspace: WorkspaceId, name: &str, items: Vec<NewBomItem>) -> NewProject {
        NewProject {
            workspace_id: workspace,
            name: name.into(),
            description: "a board".into(),
            design: NewRevision {
                created_by: "someone".into(),
                source_file: "board.xml".into(),
                parameters: vec![("Title".into(), name.into())],
                variants: vec![NewVariant { name: "[No Variations]".into(), items }],
            },
            from_file: None,
        }
    }

    async fn upload(db: &TestDb, org: OrgId, expires: DateTime<Utc>) -> DesignFileId {
        let file = NewDesignFile {
            org,
            uploader: "ada",
            client_id: "client",
            name: "board.xml",
            content: b"<export/>",
            expires_at: expires,
        };
        db.store.save_design_file(&file, QUOTA, t(10)).await.unwrap().id
    }

    async fn every_organization_has_a_default_workspace_with_a_unique_slug(db: TestDb) {
        let acme = org(&db, "ada@example.com", "Acme").await;
        let acme_too = org(&db, "bob@example.com", "ACME").await;
        let symbols = org(&db, "eve@example.com", "¿¡!").await;
        let slugs: Vec<String> = db
            .store
            .workspaces_of_orgs(&[acme, acme_too, symbols])
            .await
            .unwrap()
            .into_iter()
            .map(|w| w.slug)
            .collect();
        assert_eq!(slugs, ["acme", "acme-2", "workspace"]);
        let default = db.store.default_workspace(acme_too).await.unwrap();
        assert!(default.is_default);
        assert_eq!((default.org_id, default.name.as_str()), (acme_too, "ACME"));
        assert_eq!(db.store.workspace_by_slug("acme-2").await.unwrap(), default);
        assert_eq!(db.store.workspace_by_id(default.id).await.unwrap(), default);
        assert!(matches!(db.store.workspace_by_slug("nobody").await, Err(StoreError::NotFound)));
        // A second default for one organization is refused by the schema.
        let second = testing::execute_raw(
            &db.url,
            &format!(
                "INSERT INTO workspaces (id, org_id, slug, name, is_default, created_at) VALUES ('x', '{acme}', 'x', 'x', TRUE, 0)"
            ),
        )
        .await;
        assert!(second.is_err());
    }

    async fn a_project_is_stored_whole_with_its_bom_and_read_back(db: TestDb) {
        let acme = org(&db, "ada@example.com", "Acme").await;
        let workspace = db.store.default_workspace(acme).await.unwrap().id;
        let items = vec![
            item("10k", 3, &["R1", "R2", "R3"], Some(("Yageo", "RC0603FR-0710KL", Some(42)))),
            item("LM358", 1, &["U1"], Some(("TI", "LM358DR", None))),
            item("TP", 2, &["TP1", "TP2"], None),
        ];
        let mut new = project(workspace, "Board", items.clone());
        new.design.variants[0].items[1].instances[0].1 = false;
        let stored = db.store.create_project(&new, t(20)).await.unwrap();
        assert_eq!((stored.name.as_str(), stored.workspace_id), ("Board", workspace));
        assert_eq!((stored.created_at, stored.updated_at), (t(20), t(20)));
        assert_eq!(db.store.project_by_id(stored.id).await.unwrap(), stored);
        assert_eq!(db.store.project_parameters(stored.id).await.unwrap(), [("Title".to_owned(), "Board".to_owned())]);
        let variants = db.store.design_variants(stored.id).await.unwrap();
        assert_eq!(variants.len(), 1);
        assert_eq!(variants[0].name, "[No Variations]");
        let read = db.store.bom_items(&variants[0].id).await.unwrap();
        assert_eq!(read.len(), 3);
        for (read, written) in read.iter().zip(&new.design.variants[0].items) {
            assert_eq!(
                (&read.name, read.quantity, &read.instances),
                (&written.name, written.quantity, &written.instances)
            );
            assert_eq!(read.manufacturer_parts, written.manufacturer_parts);
            assert_eq!(read.supplier_parts, written.supplier_parts);
        }
        assert_eq!(read[0].manufacturer_parts[0].supply_part_id, Some(42));
        assert!(!read[1].instances[0].1, "not fitted");
        assert!(matches!(db.store.project_by_id(ProjectId::new()).await, Err(StoreError::NotFound)));
    }

    async fn a_new_revision_keeps_the_earlier_ones_and_a_project_can_be_renamed_and_deleted(db: TestDb) {
        let acme = org(&db, "ada@example.com", "Acme").await;
        let workspace = db.store.default_workspace(acme).await.unwrap().id;
        let first = project(workspace, "Board", vec![item("10k", 3, &["R1", "R2", "R3"], None)]);
        let stored = db.store.create_project(&first, t(20)).await.unwrap();
        let first_variant = db.store.design_variants(stored.id).await.unwrap();
        let second = NewRevision {
            created_by: "bob".into(),
            source_file: "board-b.csv".into(),
            parameters: vec![("Title".into(), "Board rev B".into())],
            variants: vec![
                NewVariant { name: "[No Variations]".into(), items: vec![item("22k", 2, &["R1", "R2"], None)] },
                NewVariant { name: "Lite".into(), items: vec![] },
            ],
        };
        assert_eq!(db.store.add_revision(stored.id, &second, t(30)).await.unwrap(), 2);
        let variants = db.store.design_variants(stored.id).await.unwrap();
        assert_eq!(variants.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), ["[No Variations]", "Lite"]);
        assert_eq!(db.store.bom_items(&variants[0].id).await.unwrap()[0].name, "22k", "the current design is the last");
        assert_eq!(db.store.revision_variants(stored.id, Some(1)).await.unwrap(), first_variant, "the first is kept");
        assert_eq!(db.store.bom_items(&first_variant[0].id).await.unwrap()[0].name, "10k");
        let revisions = db.store.revisions(stored.id).await.unwrap();
        assert_eq!(
            revisions.iter().map(|r| (r.number, r.source_file.as_str(), r.created_by.as_str())).collect::<Vec<_>>(),
            [(2, "board-b.csv", "bob"), (1, "board.xml", "someone")]
        );
        assert_eq!(db.store.project_parameters(stored.id).await.unwrap(), [("Title".into(), "Board rev B".into())]);
        assert_eq!(db.store.project_by_id(stored.id).await.unwrap().updated_at, t(30));
        assert!(matches!(db.store.add_revision(ProjectId::new(), &second, t(31)).await, Err(StoreError::NotFound)));

        db.store.update_project(stored.id, "Board 2", "the second board", t(40)).await.unwrap();
        let renamed = db.store.project_by_id(stored.id).await.unwrap();
        assert_eq!((renamed.name.as_str(), renamed.description.as_str()), ("Board 2", "the second board"));
        db.store.delete_project(stored.id).await.unwrap();
        assert!(matches!(db.store.project_by_id(stored.id).await, Err(StoreError::NotFound)));
        assert!(db.store.bom_items(&variants[0].id).await.unwrap().is_empty(), "its BOMs went with it");
        assert!(matches!(db.store.delete_project(stored.id).await, Err(StoreError::NotFound)));
        assert!(matches!(db.store.update_project(stored.id, "x", "", t(41)).await, Err(StoreError::NotFound)));
    }

    async fn projects_are_paged_oldest_first_with_counts(db: TestDb) {
        let acme = org(&db, "ada@example.com", "Acme").await;
        let bolt = org(&db, "bob@example.com", "Bolt").await;
        let workspace = db.store.default_workspace(acme).await.unwrap().id;
        let theirs = db.store.default_workspace(bolt).await.unwrap().id;
        let mut ids = Vec::new();
        for n in 0..5 {
            ids.push(
                db.store.create_project(&project(workspace, &format!("p{n}"), vec![]), t(30 + n)).await.unwrap().id,
            );
        }
        db.store.create_project(&project(theirs, "other", vec![]), t(40)).await.unwrap();
        let names = |page: Vec<ferrite_store::ProjectRecord>| page.into_iter().map(|p| p.name).collect::<Vec<_>>();
        let first = db.store.projects_of_workspace(workspace, ProjectPage { limit: 2, ..Default::default() }).await;
        assert_eq!(names(first.unwrap()), ["p0", "p1"]);
        let next = ProjectPage { after: Some(ids[1]), limit: 2, ..Default::default() };
        assert_eq!(names(db.store.projects_of_workspace(workspace, next).await.unwrap()), ["p2", "p3"]);
        let last = ProjectPage { limit: 2, from_end: true, ..Default::default() };
        assert_eq!(names(db.store.projects_of_workspace(workspace, last).await.unwrap()), ["p3", "p4"]);
        let before = ProjectPage { before: Some(ids[3]), limit: 2, from_end: true, ..Default::default() };
        assert_eq!(names(db.store.projects_of_workspace(workspace, before).await.unwrap()), ["p1", "p2"]);
        assert_eq!(db.store.count_projects(workspace, None, None).await.unwrap(), 5);
        assert_eq!(db.store.count_projects(workspace, Some(ids[3]), None).await.unwrap(), 1);
        assert_eq!(db.store.count_projects(workspace, None, Some(ids[1])).await.unwrap(), 1);
        assert_eq!(db.store.count_projects(theirs, None, None).await.unwrap(), 1);
    }

    async fn a_project_is_created_whole_or_not_at_all(db: TestDb) {
        let acme = org(&db, "ada@example.com", "Acme").await;
        let workspace = db.store.default_workspace(acme).await.unwrap().id;
        let file = upload(&db, acme, t(1000)).await;
        // The last item breaks a rule of the schema: nothing of the project stays, and the file
        // it was made from is still there to try again.
        let mut broken =
            project(workspace, "Broken", vec![item("ok", 1, &["R1"], None), item("bad", -1, &["R2"], None)]);
        broken.from_file = Some(file);
        assert!(db.store.create_project(&broken, t(20)).await.is_err());
        assert_eq!(db.store.count_projects(workspace, None, None).await.unwrap(), 0);
        let (kept, bytes) = db.store.design_file(file, t(20)).await.unwrap();
        assert_eq!((kept.name.as_str(), kept.size, bytes.as_slice()), ("board.xml", 9, b"<export/>".as_slice()));

        let mut fine = project(workspace, "Fine", vec![item("ok", 1, &["R1"], None)]);
        fine.from_file = Some(file);
        db.store.create_project(&fine, t(21)).await.unwrap();
        assert!(matches!(db.store.design_file(file, t(22)).await, Err(StoreError::NotFound)), "used up");
        assert!(matches!(db.store.create_project(&fine, t(22)).await, Err(StoreError::NotFound)), "used once");

        // An expired file makes nothing, and the next upload clears it away.
        let stale = upload(&db, acme, t(30)).await;
        fine.from_file = Some(stale);
        assert!(matches!(db.store.create_project(&fine, t(31)).await, Err(StoreError::NotFound)));
        assert!(matches!(db.store.design_file(stale, t(31)).await, Err(StoreError::NotFound)));
        assert_eq!(db.store.count_projects(workspace, None, None).await.unwrap(), 1);
        // A project in a workspace that does not exist is refused too.
        let nowhere = project(WorkspaceId::new(), "Nowhere", vec![]);
        assert!(db.store.create_project(&nowhere, t(32)).await.is_err());
    }

    async fn a_file_makes_one_project_even_when_two_race_for_it(db: TestDb) {
        let acme = org(&db, "ada@example.com", "Acme").await;
        let workspace = db.store.default_workspace(acme).await.unwrap().id;
        let file = upload(&db, acme, t(1000)).await;
        let mut tasks = Vec::new();
        for n in 0..8 {
            let store = db.store.clone();
            let mut new = project(workspace, &format!("race {n}"), vec![item("x", 1, &["R1"], None)]);
            new.from_file = Some(file);
            tasks.push(tokio::spawn(async move { store.create_project(&new, t(20)).await.is_ok() }));
        }
        let mut made = 0;
        for task in tasks {
            made += usize::from(task.await.unwrap());
        }
        assert_eq!(made, 1);
        assert_eq!(db.store.count_projects(workspace, None, None).await.unwrap(), 1);
    }

    fn file<'a>(org: OrgId, uploader: &'a str, content: &'a [u8], expires: i64) -> NewDesignFile<'a> {
        NewDesignFile { org, uploader, client_id: "client", name: "b.csv", content, expires_at: t(expires) }
    }

    async fn uploads_are_bounded_per_uploader_and_per_organization(db: TestDb) {
        let acme = org(&db, "ada@example.com", "Acme").await;
        let bolt = org(&db, "bob@example.com", "Bolt").await;
        let quota = UploadQuota { per_uploader: 300, per_org: 500 };
        let kb = [b'x'; 100];
        for expires in [100, 200, 300] {
            db.store.save_design_file(&file(acme, "ada", &kb, expires), quota, t(10)).await.unwrap();
        }
        // Ada's 300 bytes are waiting, in Acme: her fourth file passes her quota, in any organization.
        for org in [acme, bolt] {
            match db.store.save_design_file(&file(org, "ada", &kb, 400), quota, t(10)).await {
                Err(SaveFileError::OverQuota { holder: QuotaHolder::Uploader, limit: 300, pending: 300, frees_at }) => {
                    assert_eq!(frees_at, Some(t(100)), "when the first of hers expires");
                }
                other => panic!("{other:?}"),
            }
        }
        db.store.save_design_file(&file(acme, "eve", &kb, 400), quota, t(10)).await.unwrap();
        db.store.save_design_file(&file(acme, "eve", &kb, 400), quota, t(10)).await.unwrap();
        // Acme holds 500 bytes: nobody else of it may upload, in Bolt Bob may.
        let refused = db.store.save_design_file(&file(acme, "bob", &[b'y'; 1], 400), quota, t(10)).await;
        assert!(
            matches!(refused, Err(SaveFileError::OverQuota { holder: QuotaHolder::Organization, pending: 500, .. })),
            "{refused:?}"
        );
        db.store.save_design_file(&file(bolt, "bob", &kb, 400), quota, t(10)).await.unwrap();
        // Once Ada's first file expires, her room is back.
        db.store.save_design_file(&file(bolt, "ada", &kb, 400), quota, t(100)).await.unwrap();
    }

    async fn concurrent_uploads_never_pass_a_quota(db: TestDb) {
        let acme = org(&db, "ada@example.com", "Acme").await;
        let quota = UploadQuota { per_uploader: 1 << 20, per_org: 500 };
        let mut tasks = Vec::new();
        for n in 0..16 {
            let store = db.store.clone();
            tasks.push(tokio::spawn(async move {
                let uploader = format!("person-{n}");
                store.save_design_file(&file(acme, &uploader, &[b'x'; 100], 1000), quota, t(10)).await
            }));
        }
        let mut stored = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => stored += 1,
                Err(SaveFileError::OverQuota { .. }) => {}
                Err(err) => panic!("{err}"),
            }
        }
        assert_eq!(stored, 5, "500 bytes of 100-byte files");
    }

    async fn expired_uploads_are_removed(db: TestDb) {
        let acme = org(&db, "ada@example.com", "Acme").await;
        let old = db.store.save_design_file(&file(acme, "ada", b"old", 50), QUOTA, t(10)).await.unwrap().id;
        let new = db.store.save_design_file(&file(acme, "ada", b"new", 500), QUOTA, t(10)).await.unwrap().id;
        assert_eq!(db.store.remove_expired_design_files(t(49)).await.unwrap(), 0);
        assert_eq!(db.store.remove_expired_design_files(t(50)).await.unwrap(), 1);
        assert!(matches!(db.store.design_file(old, t(10)).await, Err(StoreError::NotFound)), "gone, not only hidden");
        assert_eq!(db.store.design_file(new, t(10)).await.unwrap().1, b"new");
    }

    async fn upload_bytes_live_apart_from_the_main_database(db: TestDb) {
        let acme = org(&db, "ada@example.com", "Acme").await;
        db.store.save_design_file(&file(acme, "ada", &[b'x'; 4096], 500), QUOTA, t(10)).await.unwrap();
        let in_main = testing::execute_raw(&db.url, "SELECT COUNT(*) FROM design_files").await;
        match db.store.backend() {
            // A database file of their own beside the main one.
            ferrite_store::Backend::Sqlite => {
                assert!(in_main.is_err(), "the main SQLite file has no design_files table");
                let main = db.url.trim_start_matches("sqlite://");
                let uploads = main.replace("ferrite.db", "ferrite-uploads.db");
                assert!(std::path::Path::new(&uploads).exists(), "{uploads}");
            }
            // A table of their own.
            ferrite_store::Backend::Postgres => in_main.unwrap(),
        }
    }

    /// SQLite: a file is claimed, its project stored, then it is deleted. A process killed in
    /// between leaves the claim: the file makes no second project (and goes when it expires).
    async fn a_claim_left_unsettled_makes_no_second_project(db: TestDb) {
        if db.store.backend() != ferrite_store::Backend::Sqlite {
            return; // On PostgreSQL the project's transaction deletes the file.
        }
        let acme = org(&db, "ada@example.com", "Acme").await;
        let workspace = db.store.default_workspace(acme).await.unwrap().id;
        let file = upload(&db, acme, t(1000)).await;
        let uploads = db.url.replace("ferrite.db", "ferrite-uploads.db");
        testing::execute_raw(&uploads, &format!("UPDATE design_files SET claimed = TRUE WHERE id = '{file}'"))
            .await
            .unwrap();
        let mut second = project(workspace, "Second", vec![]);
        second.from_file = Some(file);
        assert!(matches!(db.store.create_project(&second, t(20)).await, Err(StoreError::NotFound)));
        assert_eq!(db.store.count_projects(workspace, None, None).await.unwrap(), 0);
        assert_eq!(db.store.remove_expired_design_files(t(1000)).await.unwrap(), 1, "it expires like any other");
    }

    async fn catalogue_parts_are_found_by_mpn_key_with_their_manufacturer(db: TestDb) {
        testing::write_synthetic_parts(&db.store, 3).await.unwrap();
        let found = db
            .store
            .catalogue()
            .parts_by_mpn_keys(&["TEST00002".into(), "NOPE".into(), "TEST00003".into()])
            .await
            .unwrap();
        let keys: Vec<(&str, &str)> = found.iter().map(|(k, _, m)| (k.as_str(), m.as_str())).collect();
        assert_eq!(keys, [("TEST00002", "Testco"), ("TEST00003", "Testco")]);
        let ids = db.store.catalogue().part_ids_by_mpn_key("TEST00002").await.unwrap();
        assert_eq!(found[0].1, ids[0]);
        assert!(db.store.catalogue().parts_by_mpn_keys(&[]).await.unwrap().is_empty());
    }
}

mod charges {
    use super::*;
    use chrono::NaiveDate;
    use ferrite_core::{AppId, ChargeBatchId, metering::Outcome};
    use ferrite_store::metering::ChargeRequest;

    store_suite!(a_batch_is_decided_in_order_and_written_once_per_account_and_day);

    /// An organization with one supply app of `limit` parts.
    async fn app_with_limit(db: &TestDb, limit: i64) -> (OrgId, AppId) {
        let owner = db.store.create_user("meter@example.com", "Meter", "h", t(1)).await.unwrap();
        let app = new_app("Metered", "supply", limit);
        let org = db.store.create_org("Metered", owner.id, &[app], 0, t(2)).await.unwrap();
        (org.id, db.store.apps_of_org(org.id).await.unwrap()[0].id)
    }

    fn charge(app: AppId, day: &str, parts: i64) -> ChargeRequest {
        ChargeRequest { app, period: day[..7].to_owned(), day: day.to_owned(), parts }
    }

    async fn a_batch_is_decided_in_order_and_written_once_per_account_and_day(db: TestDb) {
        let (org, app) = app_with_limit(&db, 100).await;
        let gone = AppId::new();
        let batch = [
            charge(app, "2026-12-01", 60),
            charge(app, "2026-12-01", 50),
            charge(gone, "2026-12-01", 1),
            charge(app, "2026-12-02", 40),
            charge(app, "2026-12-02", 0),
        ];
        let outcomes = db.store.charge_batch(ChargeBatchId::new(), &batch).await.unwrap();
        assert_eq!(
            outcomes,
            [
                Outcome::Charged { used: 60, limit: 100 },
                Outcome::Refused { used: 60, limit: 100 },
                Outcome::Refused { used: 0, limit: 0 },
                Outcome::Charged { used: 100, limit: 100 },
                Outcome::Charged { used: 100, limit: 100 },
            ]
        );
        assert_eq!(db.store.part_usage(app, "2026-12").await.unwrap(), 100);
        assert_eq!(db.store.part_usage(gone, "2026-12").await.unwrap(), 0, "no account for an unknown app");
        let (first, second) =
            (NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 12, 2).unwrap());
        assert_eq!(db.store.daily_usage(org, app, first, second).await.unwrap(), [(first, 60), (second, 40)]);

        // The next batch starts from the committed total.
        let outcomes = db.store.charge_batch(ChargeBatchId::new(), &[charge(app, "2026-12-02", 1)]).await.unwrap();
        assert_eq!(outcomes, [Outcome::Refused { used: 100, limit: 100 }]);
        assert!(db.store.charge_batch(ChargeBatchId::new(), &[]).await.unwrap().is_empty());
    }

    /// SQLite charges on a connection that does not wait on the runtime's thread: while another
    /// connection holds the write lock, a charge waits elsewhere and the runtime keeps running;
    /// once the lock is released the charge is taken.
    #[tokio::test(flavor = "current_thread")]
    async fn a_sqlite_charge_waits_for_another_writer_off_the_runtime() {
        let db = sqlite_db().await.unwrap();
        let (_, app) = app_with_limit(&db, 100).await;
        let file = db.url.trim_start_matches("sqlite://").to_owned();
        let other = rusqlite::Connection::open(&file).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();

        let store = db.store.clone();
        let charging =
            tokio::spawn(
                async move { store.charge_batch(ChargeBatchId::new(), &[charge(app, "2026-12-01", 7)]).await },
            );
        // On a single-threaded runtime this sleep ends on time only if the charge is not
        // blocking the thread while it waits for the lock.
        let started = std::time::Instant::now();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "the runtime was blocked");
        assert!(!charging.is_finished(), "the charge waits for the write lock");

        other.execute_batch("COMMIT").unwrap();
        let outcomes = charging.await.unwrap().unwrap();
        assert_eq!(outcomes, [Outcome::Charged { used: 7, limit: 100 }]);
        assert_eq!(db.store.part_usage(app, "2026-12").await.unwrap(), 7);
    }

    /// On PostgreSQL a commit's reply can be lost with the connection, and the meter then sends
    /// the batch again under the same id: it is answered as first decided, not charged twice.
    #[tokio::test]
    async fn a_postgres_batch_sent_again_under_its_id_is_charged_once() {
        let Some(db) = postgres_db().await else { return };
        let (_, app) = app_with_limit(&db, 100).await;
        let batch = ChargeBatchId::new();
        let charges = [charge(app, "2026-12-01", 60), charge(app, "2026-12-01", 50)];
        let first = db.store.charge_batch(batch, &charges).await.unwrap();
        assert_eq!(first, [Outcome::Charged { used: 60, limit: 100 }, Outcome::Refused { used: 60, limit: 100 }]);
        assert_eq!(db.store.charge_batch(batch, &charges).await.unwrap(), first);
        assert_eq!(db.store.part_usage(app, "2026-12").await.unwrap(), 60);
        // Another batch is another charge.
        let next = db.store.charge_batch(ChargeBatchId::new(), &charges[..1]).await.unwrap();
        assert_eq!(next, [Outcome::Refused { used: 60, limit: 100 }]);

        // Records past any resend are forgotten; the recent one stays.
        let aged =
            format!("UPDATE charge_batches SET committed_at = now() - interval '11 minutes' WHERE id = '{batch}'");
        testing::execute_raw(&db.url, &aged).await.unwrap();
        assert_eq!(db.store.forget_old_charge_batches().await.unwrap(), 1);
        assert_eq!(db.store.forget_old_charge_batches().await.unwrap(), 0);
    }
}

mod grants {
    use ferrite_store::{AuthorizationCode, CodeUse, RefreshToken, RefreshUse};

    use super::*;

    store_suite!(a_replayed_code_names_its_grant_and_a_revoked_grant_takes_its_refresh_tokens);

    async fn a_replayed_code_names_its_grant_and_a_revoked_grant_takes_its_refresh_tokens(db: TestDb) {
        let owner = db.store.create_user("ada@example.com", "ada@example.com", "h", t(1)).await.unwrap();
        let org = db.store.create_org("Acme", owner.id, &[new_app("tool", "design", 0)], 0, t(2)).await.unwrap();
        let app = db.store.apps_of_org(org.id).await.unwrap()[0].clone();
        let code = AuthorizationCode {
            app_id: app.id,
            user_id: owner.id,
            redirect_uri: "http://127.0.0.1:9/cb".into(),
            scope: "design.domain".into(),
            code_challenge: "c".into(),
            nonce: None,
            auth_time: t(10),
            expires_at: t(310),
        };
        db.store.insert_authorization_code(b"code", &code).await.unwrap();
        assert_eq!(db.store.take_authorization_code(b"code", "g1", t(20)).await.unwrap(), CodeUse::Fresh(code));
        let replay = db.store.take_authorization_code(b"code", "g2", t(30)).await.unwrap();
        assert_eq!(replay, CodeUse::Replayed { grant_id: "g1".into() }, "the first grant is named");
        assert_eq!(db.store.take_authorization_code(b"other", "g3", t(30)).await.unwrap(), CodeUse::Unknown);

        let refresh = |family: &str| RefreshToken {
            family_id: family.into(),
            app_id: app.id,
            user_id: owner.id,
            scope: "design.domain offline_access".into(),
            auth_time: t(10),
            expires_at: t(10_000),
        };
        db.store.insert_refresh_token(b"r1", &refresh("g1"), t(20)).await.unwrap();
        db.store.revoke_grant("g1", t(5_000), t(40)).await.unwrap();
        // Inserted by a request that raced the revocation: refused all the same.
        db.store.insert_refresh_token(b"r2", &refresh("g1"), t(41)).await.unwrap();
        for token in [b"r1", b"r2"] {
            assert_eq!(db.store.use_refresh_token(token, app.id, t(50)).await.unwrap(), RefreshUse::Invalid);
            assert!(matches!(db.store.live_refresh_token(token, t(50)).await, Err(StoreError::NotFound)));
        }
        assert_eq!(db.store.revoked_grants(t(4_999)).await.unwrap(), vec!["g1".to_owned()]);
        assert!(db.store.revoked_grants(t(5_000)).await.unwrap().is_empty(), "until its access tokens expire");
        // Reuse of a rotated token is reported with its family.
        db.store.insert_refresh_token(b"r3", &refresh("g4"), t(20)).await.unwrap();
        assert!(matches!(db.store.use_refresh_token(b"r3", app.id, t(50)).await.unwrap(), RefreshUse::Rotated(_)));
        let reuse = db.store.use_refresh_token(b"r3", app.id, t(60)).await.unwrap();
        assert_eq!(reuse, RefreshUse::ReuseDetected { family_id: "g4".into() });

        // A used code stays until the cutoff, so that a late replay still finds its grant.
        db.store.purge_expired_grants(t(1_000), t(19)).await.unwrap();
        assert!(matches!(
            db.store.take_authorization_code(b"code", "g5", t(1_000)).await.unwrap(),
            CodeUse::Replayed { .. }
        ));
        db.store.purge_expired_grants(t(1_000), t(20)).await.unwrap();
        assert_eq!(db.store.take_authorization_code(b"code", "g5", t(1_000)).await.unwrap(), CodeUse::Unknown);
    }
}
