//! Rows of `reward_policies` and `rewards`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::pagination::{Cursor, PageRequest};
use super::schema::{reports, reward_policies, rewards};

/// One version of an enterprise's reward policy.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = reward_policies)]
pub struct PolicyRow {
    /// Enterprise.
    pub enterprise_id: String,
    /// 1, 2, … (0 is never stored: it names the built-in defaults).
    pub version: i64,
    /// Reward for a general hazard.
    pub general_fen: i64,
    /// Reward for a major hazard.
    pub major_fen: i64,
    /// Above this, only a principal approves.
    pub principal_threshold_fen: i64,
    /// Per reporter per month.
    pub monthly_cap_fen: i64,
    /// Whether duplicates are rewarded too.
    pub duplicates_share: bool,
    /// Who set it.
    pub created_by: String,
    /// When.
    pub created_at: NaiveDateTime,
}

/// A reward as stored. `payout_sealed` and `reporter_index` never leave the services.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rewards)]
pub struct RewardRow {
    /// Id.
    pub id: String,
    /// Enterprise.
    pub enterprise_id: String,
    /// The rewarded report (one reward per report).
    pub report_id: String,
    /// The hazard the report became or joined.
    pub hazard_id: String,
    /// `first` or `duplicate`.
    pub kind: String,
    /// `general` or `major`.
    pub level: String,
    /// Policy version it was computed under (0 = defaults).
    pub policy_version: i64,
    /// Amount.
    pub amount_fen: i64,
    /// `proposed`, `approved`, `rejected` or `paid`.
    pub status: String,
    /// Who last set the amount (the triage actor, or whoever adjusted it).
    pub proposed_by: String,
    /// When proposed.
    pub proposed_at: NaiveDateTime,
    /// Why the amount was adjusted.
    pub adjust_reason: Option<String>,
    /// Approver.
    pub approved_by: Option<String>,
    /// When approved.
    pub approved_at: Option<NaiveDateTime>,
    /// Why rejected.
    pub rejected_reason: Option<String>,
    /// Payout reference (bank or payroll slip number).
    pub paid_reference: Option<String>,
    /// When paid.
    pub paid_at: Option<NaiveDateTime>,
    /// An anonymous reporter's sealed payout details.
    pub payout_sealed: Option<Vec<u8>>,
    /// The reporter's blind index (confidential reports), for the cap.
    pub reporter_index: Option<String>,
    /// Month proposed, `YYYY-MM` in China Standard Time.
    pub month: String,
    /// Last change.
    pub updated_at: NaiveDateTime,
    /// The monthly cap holds the payment until this month (`YYYY-MM`, China Standard Time).
    pub held_until: Option<String>,
    /// When the sealed payout details were opened.
    pub payout_opened_at: Option<NaiveDateTime>,
    /// The role of whoever opened them (`safety_manager` or `principal`).
    pub payout_opened_role: Option<String>,
}

impl RewardRow {
    /// Position for keyset pagination.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            created_at: self.proposed_at,
            id: self.id.clone(),
        }
    }
}

/// Stores a new policy version.
pub fn insert_policy(conn: &mut DbConn, row: &PolicyRow) -> QueryResult<()> {
    diesel::insert_into(reward_policies::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// The newest policy version of an enterprise, if it set one.
pub fn current_policy(conn: &mut DbConn, enterprise_id: &str) -> QueryResult<Option<PolicyRow>> {
    reward_policies::table
        .filter(reward_policies::enterprise_id.eq(enterprise_id))
        .order(reward_policies::version.desc())
        .select(PolicyRow::as_select())
        .first(conn)
        .optional()
}

/// One policy version.
pub fn policy_version(
    conn: &mut DbConn,
    enterprise_id: &str,
    version: i64,
) -> QueryResult<Option<PolicyRow>> {
    reward_policies::table
        .find((enterprise_id, version))
        .select(PolicyRow::as_select())
        .first(conn)
        .optional()
}

/// Inserts a reward.
pub fn insert(conn: &mut DbConn, row: &RewardRow) -> QueryResult<()> {
    diesel::insert_into(rewards::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Finds a reward.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<RewardRow>> {
    rewards::table
        .find(id)
        .select(RewardRow::as_select())
        .first(conn)
        .optional()
}

/// The reward of a report.
pub fn find_by_report(conn: &mut DbConn, report_id: &str) -> QueryResult<Option<RewardRow>> {
    rewards::table
        .filter(rewards::report_id.eq(report_id))
        .select(RewardRow::as_select())
        .first(conn)
        .optional()
}

/// The rewards of several reports at once (one query for a page of "my reports").
pub fn of_reports(conn: &mut DbConn, report_ids: &[String]) -> QueryResult<Vec<RewardRow>> {
    rewards::table
        .filter(rewards::report_id.eq_any(report_ids))
        .select(RewardRow::as_select())
        .load(conn)
}

/// Whether a hazard already has a live (not rejected) reward.
pub fn hazard_has_live_reward(conn: &mut DbConn, hazard_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        rewards::table
            .filter(rewards::hazard_id.eq(hazard_id))
            .filter(rewards::status.ne("rejected")),
    ))
    .get_result(conn)
}

/// What was paid to one reporter (by blind index) between two instants, for the monthly cap.
pub fn paid_total(
    conn: &mut DbConn,
    reporter_index: &str,
    from: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<i64> {
    let amounts: Vec<i64> = rewards::table
        .filter(rewards::reporter_index.eq(reporter_index))
        .filter(rewards::status.eq("paid"))
        .filter(rewards::paid_at.ge(from))
        .filter(rewards::paid_at.lt(until))
        .select(rewards::amount_fen)
        .load(conn)?;
    Ok(amounts.into_iter().fold(0i64, i64::saturating_add))
}

/// Records that the monthly cap holds a reward until `month`, if it is still approved.
pub fn hold(conn: &mut DbConn, id: &str, month: &str, at: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        rewards::table
            .filter(rewards::id.eq(id))
            .filter(rewards::status.eq("approved")),
    )
    .set((rewards::held_until.eq(month), rewards::updated_at.eq(at)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Serialises cap checks for one reporter on PostgreSQL (SQLite's `BEGIN IMMEDIATE` already
/// serialises every writer): two rewards of the same worker paid at once must not both fit
/// under the cap.
pub fn lock_reporter(conn: &mut DbConn, reporter_index: &str) -> QueryResult<()> {
    if super::conn::is_postgres(conn) {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))::text")
            .bind::<diesel::sql_types::Text, _>(reporter_index)
            .execute(conn)?;
    }
    Ok(())
}

/// One page of an enterprise's rewards with each report's pseudonym, newest first.
pub fn list(
    conn: &mut DbConn,
    enterprise_id: &str,
    status: Option<&str>,
    page: &PageRequest,
) -> QueryResult<Vec<(RewardRow, String)>> {
    let mut q = rewards::table
        .inner_join(reports::table)
        .filter(rewards::enterprise_id.eq(enterprise_id.to_owned()))
        .select((RewardRow::as_select(), reports::pseudonym))
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(rewards::status.eq(s.to_owned()));
    }
    if let Some(c) = &page.after {
        q = q.filter(
            rewards::proposed_at
                .lt(c.created_at)
                .or(rewards::proposed_at
                    .eq(c.created_at)
                    .and(rewards::id.lt(c.id.clone()))),
        );
    }
    q.order((rewards::proposed_at.desc(), rewards::id.desc()))
        .limit(page.limit + 1)
        .load(conn)
}

/// The fields a transition writes.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = rewards)]
pub struct RewardChange {
    /// New status.
    pub status: Option<String>,
    /// New amount.
    pub amount_fen: Option<i64>,
    /// New proposer (adjustments).
    pub proposed_by: Option<String>,
    /// Adjustment reason.
    pub adjust_reason: Option<String>,
    /// Approver.
    pub approved_by: Option<String>,
    /// Approval time.
    pub approved_at: Option<NaiveDateTime>,
    /// Rejection reason.
    pub rejected_reason: Option<String>,
    /// Payout reference.
    pub paid_reference: Option<String>,
    /// Payment time.
    pub paid_at: Option<NaiveDateTime>,
    /// Sealed payout details.
    pub payout_sealed: Option<Vec<u8>>,
    /// Clears a hold (`Some(None)`).
    pub held_until: Option<Option<String>>,
    /// When the payout details were opened.
    pub payout_opened_at: Option<NaiveDateTime>,
    /// Who (by role) opened them.
    pub payout_opened_role: Option<String>,
    /// Always set.
    pub updated_at: Option<NaiveDateTime>,
}

/// Applies a change only if the reward is still in `from` (and, when given, still has the
/// amount and proposer the caller checked): the guarded update that lets exactly one of two racing
/// approvers win. Returns whether it applied.
pub fn transition(
    conn: &mut DbConn,
    id: &str,
    from: &str,
    amount_fen: i64,
    proposed_by: &str,
    change: &RewardChange,
) -> QueryResult<bool> {
    let n = diesel::update(
        rewards::table
            .filter(rewards::id.eq(id))
            .filter(rewards::status.eq(from))
            .filter(rewards::amount_fen.eq(amount_fen))
            .filter(rewards::proposed_by.eq(proposed_by)),
    )
    .set(change)
    .execute(conn)?;
    Ok(n == 1)
}

/// Stores an anonymous reporter's sealed payout details, once, while the reward is unpaid.
pub fn set_payout(
    conn: &mut DbConn,
    id: &str,
    sealed: &[u8],
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        rewards::table
            .filter(rewards::id.eq(id))
            .filter(rewards::status.eq_any(["proposed", "approved"]))
            .filter(rewards::payout_sealed.is_null()),
    )
    .set((
        rewards::payout_sealed.eq(sealed),
        rewards::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
