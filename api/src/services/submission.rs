//! Submitting a hazard report from a phone, confidentially (logged-in worker) or anonymously
//! (intake code). The receipt is returned only after the report row and every photo are durably
//! stored; either all of it is stored or none of it.

use qingling_crypto::ReceiptCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::context::AppContext;
use crate::domain::{Actor, Role, inputs};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::services::idempotency::{self, Claim, Fingerprint, IdempotencyKey};
use crate::services::identity::{self, ReporterIdentity};
use crate::services::{audit, intake, notifications, personal, photos, proofs};
use crate::store::reports::{self, ReportEventRow, ReportRow};
use crate::store::{enterprises, time, users, write_tx};

/// Most photos a report may carry.
pub const MAX_PHOTOS: usize = 5;

/// Suspected or decided level of a hazard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 一般隐患.
    General,
    /// 重大隐患.
    Major,
}

impl Level {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::General => "general",
            Level::Major => "major",
        }
    }
}

/// The `report` part of the multipart form.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// One line (1–100 characters).
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub title: String,
    /// What was seen (up to 2000 characters).
    #[serde(default)]
    #[schema(max_length = 2000, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub description: String,
    /// The area, if known (an area's QR code fills it in).
    #[serde(default)]
    pub area_id: Option<String>,
    /// The reporter's guess of the level.
    #[serde(default)]
    pub suspected_level: Option<Level>,
    /// Major-hazard criteria the reporter thinks apply (e.g. `MEM10-4-2`).
    #[serde(default)]
    #[schema(max_items = 20, inline, value_type = Option<Vec<crate::http::openapi::CriterionCode>>)]
    pub criterion_codes: Option<Vec<String>>,
    /// Anonymous reports only: the enterprise's intake code or an area's QR token.
    #[serde(default)]
    pub intake_code: Option<String>,
}

/// The answer to a submission: the receipt code is shown this once.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Receipt {
    /// The new report.
    pub report_id: String,
    /// Keep it: it is the only way to follow an anonymous report, and it is not shown again.
    pub receipt_code: String,
    /// `submitted`.
    pub status: String,
    /// The signed proof of report (see the README, "Proof of report"): save it as a file as it
    /// is; it names the enterprise, the time the server stored the report and hashes of what was
    /// sent, and nothing about the reporter.
    #[schema(value_type = Object)]
    pub proof: serde_json::Value,
}

/// Who is submitting.
#[derive(Debug, Clone, Copy)]
pub enum Reporter<'a> {
    /// A logged-in worker; identity sealed on the report.
    Confidential(&'a Actor),
    /// Anyone with an intake code; nothing about them is stored.
    Anonymous,
}

/// A validated report.
struct Validated {
    title: String,
    description: String,
    /// The title and description exactly as submitted, for the proof's hashes.
    raw_title: String,
    raw_description: String,
    suspected_level: Option<Level>,
    criterion_codes: Vec<String>,
}

/// Checks a report's fields and photo count as a submission does, storing nothing: the same
/// rule, exposed for the fuzzer (`fuzz/`), which feeds it every JSON part it can make.
pub fn check_input(input: &ReportInput, photo_count: usize) -> AppResult<()> {
    validate(input, photo_count).map(|_| ())
}

fn validate(input: &ReportInput, photo_count: usize) -> AppResult<Validated> {
    if photo_count == 0 || photo_count > MAX_PHOTOS {
        return Err(AppError::new(ErrorCode::PhotoCount).detail(
            format!("收到 {photo_count} 张照片，需要 1 至 {MAX_PHOTOS} 张"),
            format!("got {photo_count} photos, need 1 to {MAX_PHOTOS}"),
        ));
    }
    let title = inputs::text("title", &input.title, 100)?;
    let description =
        inputs::optional_text("description", Some(&input.description), 2000)?.unwrap_or_default();
    let codes = input.criterion_codes.clone().unwrap_or_default();
    if codes.len() > 20
        || codes.iter().any(|c| {
            c.is_empty()
                || c.len() > 32
                || !c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
        })
    {
        return Err(AppError::invalid(
            "criterion_codes",
            "判定标准编号格式不正确",
            "criterion_codes must be up to 20 codes such as MEM10-4-2",
        ));
    }
    Ok(Validated {
        title,
        description,
        raw_title: input.title.clone(),
        raw_description: input.description.clone(),
        suspected_level: input.suspected_level,
        criterion_codes: codes,
    })
}

/// A pseudonym staff use for this report's reporter: random, different on every report.
fn pseudonym() -> String {
    let code = ReceiptCode::generate();
    let tail: String = code
        .as_str()
        .chars()
        .filter(|c| *c != '-')
        .take(6)
        .collect();
    format!("报告人-{tail}")
}

/// The enterprise and area an anonymous report's intake code names; 400 `validation_failed`
/// when the code is missing or names nothing. The phone route calls it on the `report` part
/// before it reads (or reserves room for) a single photo byte.
pub async fn admit_anonymous(
    ctx: &AppContext,
    input: &ReportInput,
) -> AppResult<intake::IntakeTarget> {
    let code = input.intake_code.clone().ok_or_else(|| {
        AppError::invalid("intake_code", "需要企业报告码", "intake_code is required")
    })?;
    intake::resolve(ctx, code).await.map_err(|e| {
        if e.code == ErrorCode::NotFound {
            AppError::invalid("intake_code", "报告码无效", "intake_code is not valid")
        } else {
            e
        }
    })
}

/// Where the report goes: the enterprise, and the area the code or form names.
struct Target {
    enterprise_id: String,
    area_id: Option<String>,
}

async fn target(
    ctx: &AppContext,
    reporter: Reporter<'_>,
    input: &ReportInput,
) -> AppResult<Target> {
    let (enterprise_id, qr_area) = match reporter {
        Reporter::Confidential(actor) => {
            if actor.role != Role::Worker {
                return Err(AppError::forbidden().detail(
                    "只有职工账号可以实名保密报告",
                    "only worker accounts submit confidential reports",
                ));
            }
            if input.intake_code.is_some() {
                return Err(AppError::invalid(
                    "intake_code",
                    "登录报告不需要 intake_code",
                    "intake_code is for anonymous reports only",
                ));
            }
            let e = actor
                .enterprise_id
                .clone()
                .ok_or_else(AppError::forbidden)?;
            (e, None)
        }
        Reporter::Anonymous => {
            let t = admit_anonymous(ctx, input).await?;
            (t.enterprise.id, t.area_id)
        }
    };
    let area_id = match (&input.area_id, qr_area) {
        (Some(a), Some(q)) if *a != q => {
            return Err(AppError::invalid(
                "area_id",
                "区域与二维码不一致",
                "area_id differs from the area of the QR code",
            ));
        }
        (Some(a), _) => Some(a.clone()),
        (None, q) => q,
    };
    if let Some(a) = &area_id {
        let (ent, area) = (enterprise_id.clone(), a.clone());
        let belongs = ctx
            .db(move |conn| {
                Ok(enterprises::list_areas(conn, &ent)?
                    .iter()
                    .any(|x| x.id == area))
            })
            .await?;
        if !belongs {
            return Err(AppError::invalid(
                "area_id",
                "该区域不属于此企业",
                "area_id is not an area of this enterprise",
            ));
        }
    }
    Ok(Target {
        enterprise_id,
        area_id,
    })
}

/// Submits a report with its photos. With an idempotency key, a retry returns the first answer
/// (status and body) and stores nothing new.
pub async fn submit(
    ctx: &AppContext,
    reporter: Reporter<'_>,
    input: ReportInput,
    uploads: Vec<Vec<u8>>,
    idempotency_key: Option<&str>,
) -> AppResult<(u16, Vec<u8>)> {
    let valid = validate(&input, uploads.len())?;
    let target = target(ctx, reporter, &input).await?;
    let reporter_index = match reporter {
        Reporter::Confidential(a) => Some(identity::reporter_index(
            &ctx.keys,
            &target.enterprise_id,
            &a.user_id,
        )),
        Reporter::Anonymous => None,
    };
    let (key, uploads) = match idempotency_key {
        None => (None, uploads),
        Some(k) => {
            let scope = match &reporter_index {
                Some(idx) => format!("report:{idx}"),
                None => format!("anonymous:{}", target.enterprise_id),
            };
            let (request, uploads) = fingerprint(ctx, &input, uploads).await?;
            (
                Some(IdempotencyKey::parse(&ctx.keys, k, scope, &request)?),
                uploads,
            )
        }
    };
    if let Some(key) = &key {
        let (keys, ent, k) = (ctx.keys.clone(), target.enterprise_id.clone(), key.clone());
        if let Claim::Replay { status, body } = ctx
            .db(move |conn| idempotency::claim(conn, &keys, &ent, &k))
            .await?
        {
            return Ok((status, body));
        }
    }
    let outcome = store_report(
        ctx,
        reporter,
        valid,
        target,
        reporter_index,
        key.as_ref(),
        uploads,
    )
    .await;
    if outcome.is_err()
        && let Some(key) = key
    {
        let _ = ctx.db(move |conn| idempotency::release(conn, &key)).await;
    }
    outcome
}

/// What makes a retry the same submission: the report as parsed (so key order and spacing do
/// not matter) and each photo's SHA-256, in order. Hashing runs on the CPU pool.
async fn fingerprint(
    ctx: &AppContext,
    input: &ReportInput,
    uploads: Vec<Vec<u8>>,
) -> AppResult<(Fingerprint, Vec<Vec<u8>>)> {
    use sha2::{Digest as _, Sha256};
    let json = serde_json::to_vec(input).map_err(AppError::internal)?;
    ctx.cpu(move || {
        let request = uploads
            .iter()
            .fold(Fingerprint::default().part(json), |f, photo| {
                f.part(Sha256::digest(photo).to_vec())
            });
        Ok((request, uploads))
    })
    .await
}

async fn store_report(
    ctx: &AppContext,
    reporter: Reporter<'_>,
    valid: Validated,
    target: Target,
    reporter_index: Option<String>,
    key: Option<&IdempotencyKey>,
    uploads: Vec<Vec<u8>>,
) -> AppResult<(u16, Vec<u8>)> {
    let prepared = photos::prepare(ctx, uploads).await?;
    let photo_hashes = prepared.hashes();
    let report_id = uuid::Uuid::new_v4().to_string();
    let identity_sealed = match reporter {
        Reporter::Confidential(actor) => {
            let uid = actor.user_id.clone();
            let user = ctx
                .db(move |conn| users::find(conn, &uid)?.ok_or_else(AppError::forbidden))
                .await?;
            let p = personal::open(
                &ctx.keys,
                user.enterprise_id.as_deref(),
                &user.id,
                &user.personal_sealed,
            )?;
            let who = ReporterIdentity {
                user_id: user.id,
                display_name: p.display_name,
                employee_no: p.employee_no,
                phone: p.phone,
            };
            Some(identity::seal(
                &ctx.keys,
                &target.enterprise_id,
                &report_id,
                &who,
            )?)
        }
        Reporter::Anonymous => None,
    };
    let code = ReceiptCode::generate();
    let receipt_code = code.as_str().to_owned();
    let now = time::now();
    let facts = proofs::SubmissionFacts {
        report_id: report_id.clone(),
        enterprise_id: target.enterprise_id.clone(),
        at: now,
        title: valid.raw_title.clone(),
        description: valid.raw_description.clone(),
        photos: photo_hashes,
        suspected_level: valid.suspected_level.map(|l| l.as_str().to_owned()),
    };
    let row = ReportRow {
        id: report_id.clone(),
        enterprise_id: target.enterprise_id.clone(),
        area_id: target.area_id,
        title: valid.title,
        description: valid.description,
        suspected_level: valid.suspected_level.map(|l| l.as_str().to_owned()),
        criterion_codes: serde_json::to_string(&valid.criterion_codes)
            .map_err(AppError::internal)?,
        mode: match reporter {
            Reporter::Confidential(_) => "confidential",
            Reporter::Anonymous => "anonymous",
        }
        .to_owned(),
        pseudonym: pseudonym(),
        reporter_index,
        identity_sealed,
        receipt_hash: hex::encode(ctx.keys.receipt_hash(&code)),
        status: "submitted".into(),
        hazard_id: None,
        status_note: None,
        created_at: now,
        triaged_at: None,
        updated_at: now,
    };
    let photo_rows =
        photos::store(ctx, &target.enterprise_id, "report", &report_id, prepared).await?;
    let (keys, key, rows) = (ctx.keys.clone(), key.cloned(), photo_rows.clone());
    let committed = ctx
        .db(move |conn| {
            write_tx(conn, |conn| {
                reports::insert(conn, &row)?;
                reports::insert_photos(conn, &rows)?;
                reports::insert_event(
                    conn,
                    &ReportEventRow {
                        id: uuid::Uuid::new_v4().to_string(),
                        report_id: row.id.clone(),
                        at: now,
                        actor_id: None,
                        actor_role: Some("reporter".into()),
                        kind: "submitted".into(),
                        from_status: None,
                        to_status: Some("submitted".into()),
                        note: None,
                    },
                )?;
                // Recorded without an actor: linking a worker's account to a report here would
                // undo the sealing.
                audit::record(
                    conn,
                    None,
                    "report.submit",
                    "report",
                    Some(&row.id),
                    serde_json::json!({ "mode": row.mode, "photos": rows.len() }),
                )?;
                notifications::events::report_submitted(conn, &row)?;
                let proof = proofs::issue_submitted(conn, &keys, &facts)?;
                let body = serde_json::to_vec(&Receipt {
                    report_id: row.id.clone(),
                    receipt_code,
                    status: "submitted".into(),
                    proof,
                })
                .map_err(AppError::internal)?;
                if let Some(key) = &key {
                    idempotency::complete(conn, &keys, &row.enterprise_id, key, 201, &body)?;
                }
                Ok::<_, AppError>(body)
            })
        })
        .await;
    match committed {
        Ok(body) => Ok((201, body)),
        Err(e) => {
            photos::discard(ctx, &photo_rows).await;
            Err(e)
        }
    }
}
