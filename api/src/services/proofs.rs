//! Proof of report: signing a report's proofs inside the transaction of the event they state,
//! handing them back in the follow-up, and publishing the keys.
//!
//! The document format and its canonical bytes are in [`crate::domain::proof`] and the README
//! ("Proof of report"). Proofs carry nothing about the reporter: no user, pseudonym, receipt
//! code, mode (confidential or anonymous) or text, only hashes of what they sent.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use qingling_crypto::KeyRing;
use serde_json::Value;

use crate::context::AppContext;
use crate::domain::proof::{
    self, ProofEnterprise, ProofKind, ProofPhoto, PublishedKey, PublishedKeys, SubmittedFacts,
};
use crate::error::{AppError, AppResult};
use crate::store::proofs::{self, ProofKeyRow, ReportProofRow};
use crate::store::{DbConn, enterprises, time};

/// Records the current proof key with its start of validity (once, whichever instance starts
/// first) and ends the validity of older keys. Runs at start-up, before any proof is signed.
pub fn register_current_key(conn: &mut DbConn, keys: &KeyRing) -> anyhow::Result<()> {
    let key = keys
        .current_proof_key()
        .map_err(|e| anyhow::anyhow!("proof key: {e}"))?;
    let version = i32::try_from(key.version())?;
    let now = time::now();
    proofs::insert_key(
        conn,
        &ProofKeyRow {
            key_id: key.key_id(),
            version,
            public_key: BASE64.encode(key.public_key()),
            valid_from: now,
            valid_until: None,
        },
    )?;
    proofs::retire_older(conn, version, now)?;
    Ok(())
}

/// The published key set (`GET /.well-known/qingling-proof-keys`).
pub async fn published_keys(ctx: &AppContext) -> AppResult<PublishedKeys> {
    let rows = ctx.db(|conn| Ok(proofs::keys(conn)?)).await?;
    Ok(PublishedKeys {
        format: "qingling-proof-keys/1".into(),
        keys: rows
            .into_iter()
            .map(|r| PublishedKey {
                key_id: r.key_id,
                algorithm: "Ed25519".into(),
                public_key: r.public_key,
                valid_from: time::to_rfc3339(r.valid_from),
                valid_until: r.valid_until.map(time::to_rfc3339),
            })
            .collect(),
    })
}

fn utc(t: chrono::NaiveDateTime) -> DateTime<Utc> {
    DateTime::<Utc>::from_naive_utc_and_offset(t, Utc)
}

fn enterprise(conn: &mut DbConn, id: &str) -> AppResult<ProofEnterprise> {
    let e = enterprises::find(conn, id)?.ok_or_else(AppError::not_found)?;
    Ok(ProofEnterprise {
        name: e.name,
        credit_code: e.credit_code,
    })
}

/// Signs `body` with the current key, stores it for `report_id` and returns the document.
fn sign_and_store(
    conn: &mut DbConn,
    keys: &KeyRing,
    report_id: &str,
    kind: ProofKind,
    mut body: Value,
) -> AppResult<Value> {
    let key = keys.current_proof_key().map_err(AppError::internal)?;
    let message = proof::signing_input(&body).map_err(AppError::internal)?;
    let signature = BASE64.encode(key.sign(&message));
    if let Value::Object(m) = &mut body {
        m.insert("signature".into(), Value::String(signature));
    }
    proofs::insert(
        conn,
        &ReportProofRow {
            id: uuid::Uuid::new_v4().to_string(),
            report_id: report_id.to_owned(),
            kind: kind.as_str().to_owned(),
            document: body.to_string(),
            created_at: time::now(),
        },
    )?;
    Ok(body)
}

/// What a submission knows for its proof, gathered before the transaction.
#[derive(Debug, Clone)]
pub struct SubmissionFacts {
    /// Report id.
    pub report_id: String,
    /// Enterprise id.
    pub enterprise_id: String,
    /// When stored.
    pub at: chrono::NaiveDateTime,
    /// Title as submitted (before trimming).
    pub title: String,
    /// Description as submitted.
    pub description: String,
    /// Photo hashes, in order.
    pub photos: Vec<ProofPhoto>,
    /// The suggested level.
    pub suspected_level: Option<String>,
}

/// Signs and stores a report's first proof, inside the submission's transaction.
pub fn issue_submitted(conn: &mut DbConn, keys: &KeyRing, f: &SubmissionFacts) -> AppResult<Value> {
    let ent = enterprise(conn, &f.enterprise_id)?;
    let key_id = keys
        .current_proof_key()
        .map_err(AppError::internal)?
        .key_id();
    let body = proof::submitted_body(
        &SubmittedFacts {
            report_id: &f.report_id,
            enterprise: &ent,
            at: utc(f.at),
            title: &f.title,
            description: &f.description,
            photos: &f.photos,
            suspected_level: f.suspected_level.as_deref(),
        },
        &key_id,
    );
    sign_and_store(conn, keys, &f.report_id, ProofKind::Submitted, body)
}

/// Signs and stores a later proof for one report, chained to its first proof, inside the
/// transaction of the event. A report without a first proof (stored before proofs existed)
/// gets none.
pub fn issue_event(
    conn: &mut DbConn,
    keys: &KeyRing,
    report_id: &str,
    enterprise_id: &str,
    kind: ProofKind,
    details: &[(&str, String)],
) -> AppResult<()> {
    let Some(first) = proofs::first(conn, report_id)? else {
        return Ok(());
    };
    let first_doc: Value = serde_json::from_str(&first.document).map_err(AppError::internal)?;
    let sig: [u8; 64] = first_doc
        .get("signature")
        .and_then(Value::as_str)
        .and_then(|s| BASE64.decode(s).ok())
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("stored proof without signature")))?;
    let ent = enterprise(conn, enterprise_id)?;
    let key_id = keys
        .current_proof_key()
        .map_err(AppError::internal)?
        .key_id();
    let body = proof::event_body(
        kind,
        report_id,
        &ent,
        utc(time::now()),
        &sig,
        details,
        &key_id,
    );
    sign_and_store(conn, keys, report_id, kind, body).map(drop)
}

/// A later proof for every report of a hazard (the accepted report and its duplicates).
pub fn issue_for_hazard(
    conn: &mut DbConn,
    keys: &KeyRing,
    hazard_id: &str,
    enterprise_id: &str,
    kind: ProofKind,
    details: &[(&str, String)],
) -> AppResult<()> {
    for report_id in proofs::reports_of_hazard(conn, hazard_id)? {
        issue_event(conn, keys, &report_id, enterprise_id, kind, details)?;
    }
    Ok(())
}

/// A report's proofs for its follow-up, the first proof first.
pub fn list(conn: &mut DbConn, report_id: &str) -> AppResult<Vec<Value>> {
    proofs::for_report(conn, report_id)?
        .into_iter()
        .map(|r| serde_json::from_str(&r.document).map_err(AppError::internal))
        .collect()
}

/// The QR picture of a proof the phone holds (for 保存举报凭证), only for a document that
/// verifies under the published keys, so the server never draws a code that looks like a proof
/// and is not one. Carries the document as compact JSON, exactly what a verifier reads.
pub async fn qr_png(ctx: &AppContext, document: &Value) -> AppResult<Vec<u8>> {
    let keys = published_keys(ctx).await?;
    proof::verify(document, &keys.keys).map_err(|e| {
        AppError::new(crate::error::ErrorCode::ProofInvalid).detail(
            "这不是本平台签发的有效举报凭证，可能已被改动",
            e.to_string(),
        )
    })?;
    let text = serde_json::to_string(document).map_err(AppError::internal)?;
    ctx.cpu(move || crate::posters::document_qr_png(&text, 4))
        .await
}
