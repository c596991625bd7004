//! Rows of `proof_keys` (the public keys that have signed proofs) and `report_proofs`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::{proof_keys, report_proofs};

/// A proof key's public half and validity.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = proof_keys)]
pub struct ProofKeyRow {
    /// The id proofs name.
    pub key_id: String,
    /// Master key version it is derived from.
    pub version: i32,
    /// Standard base64 of the 32-byte Ed25519 public key.
    pub public_key: String,
    /// First time an instance signed (or could sign) with it.
    pub valid_from: NaiveDateTime,
    /// When a newer key took over.
    pub valid_until: Option<NaiveDateTime>,
}

/// A signed proof, stored exactly as handed out.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = report_proofs)]
pub struct ReportProofRow {
    /// Id.
    pub id: String,
    /// The report it is about.
    pub report_id: String,
    /// The proof's `kind`.
    pub kind: String,
    /// The JSON document, signature included.
    pub document: String,
    /// When written.
    pub created_at: NaiveDateTime,
}

/// Every key, oldest first.
pub fn keys(conn: &mut DbConn) -> QueryResult<Vec<ProofKeyRow>> {
    proof_keys::table
        .order((proof_keys::valid_from.asc(), proof_keys::key_id.asc()))
        .select(ProofKeyRow::as_select())
        .load(conn)
}

/// Records a key unless it is there already (another instance may have recorded it first).
pub fn insert_key(conn: &mut DbConn, row: &ProofKeyRow) -> QueryResult<()> {
    match diesel::insert_into(proof_keys::table)
        .values(row)
        .execute(conn)
    {
        Ok(_)
        | Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Ends the validity of every key of a lower version that is still open.
pub fn retire_older(conn: &mut DbConn, version: i32, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        proof_keys::table
            .filter(proof_keys::version.lt(version))
            .filter(proof_keys::valid_until.is_null()),
    )
    .set(proof_keys::valid_until.eq(Some(at)))
    .execute(conn)
}

/// Stores a proof (inside the caller's transaction).
pub fn insert(conn: &mut DbConn, row: &ReportProofRow) -> QueryResult<()> {
    diesel::insert_into(report_proofs::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// A report's proofs, oldest (the first proof) first.
pub fn for_report(conn: &mut DbConn, report_id: &str) -> QueryResult<Vec<ReportProofRow>> {
    report_proofs::table
        .filter(report_proofs::report_id.eq(report_id))
        .order((report_proofs::created_at.asc(), report_proofs::id.asc()))
        .select(ReportProofRow::as_select())
        .load(conn)
}

/// The first proof of a report.
pub fn first(conn: &mut DbConn, report_id: &str) -> QueryResult<Option<ReportProofRow>> {
    report_proofs::table
        .filter(report_proofs::report_id.eq(report_id))
        .filter(report_proofs::kind.eq("report.submitted"))
        .select(ReportProofRow::as_select())
        .first(conn)
        .optional()
}

/// Ids of the reports registered as (or linked to) a hazard, oldest first.
pub fn reports_of_hazard(conn: &mut DbConn, hazard_id: &str) -> QueryResult<Vec<String>> {
    use super::schema::reports;
    reports::table
        .filter(reports::hazard_id.eq(hazard_id))
        .order((reports::created_at.asc(), reports::id.asc()))
        .select(reports::id)
        .load(conn)
}
