//! Workers arrive by the thousand: an admin or the enterprise's manager imports them from the
//! HR department's sheet (XLSX or CSV, Chinese headers 工号, 姓名, 手机号, 区域), and each gets a
//! one-time activation code with which they set their own password on the phone page.
//!
//! The whole file is checked before anything is written: every bad row is reported by its line
//! and column, and one bad row imports nobody. The good file is written in one transaction.
//! Names, employee numbers, phones and home areas go straight into the sealed personal details,
//! exactly as for a worker created one by one; the login name is random, so it says nothing
//! about the person. Activation codes (≈99 bits) are shown once in the answer, for the slips,
//! and stored only as a keyed hash.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use chrono::NaiveDateTime;
use qingling_crypto::{KeyRing, ReceiptCode};
use rand::Rng;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::context::AppContext;
use crate::domain::access::EnterpriseAccess;
use crate::domain::{Actor, Role, inputs};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::services::admin::enterprise_for;
use crate::services::personal::{self, Personal};
use crate::services::{audit, passwords};
use crate::store::activation::{self, ActivationRow};
use crate::store::users::{self, UserRow};
use crate::store::{DbConn, enterprises, time, write_tx};

/// Most rows one import may hold (a big smelter's whole workforce fits; a runaway file does not).
pub const MAX_ROWS: usize = 20_000;
/// Largest import file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;

/// The columns of an import sheet, by their Chinese header (English aliases accepted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    EmployeeNo,
    Name,
    Phone,
    Area,
}

impl Column {
    const ALL: [Column; 4] = [Self::EmployeeNo, Self::Name, Self::Phone, Self::Area];

    fn header(self) -> &'static str {
        match self {
            Self::EmployeeNo => "工号",
            Self::Name => "姓名",
            Self::Phone => "手机号",
            Self::Area => "区域",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        let h = raw.trim().trim_start_matches('\u{feff}').trim();
        Self::ALL.into_iter().find(|c| {
            c.header() == h
                || match c {
                    Self::EmployeeNo => h.eq_ignore_ascii_case("employee_no"),
                    Self::Name => h.eq_ignore_ascii_case("name"),
                    Self::Phone => h.eq_ignore_ascii_case("phone"),
                    Self::Area => h.eq_ignore_ascii_case("area"),
                }
        })
    }
}

/// One problem with the file, at a line (1 = the header row) and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RowProblem {
    /// Line in the file or row in the sheet, counting the header as 1.
    pub line: usize,
    /// The column's header (`工号`, `姓名`, `手机号`, `区域`), or empty for the whole row.
    pub column: String,
    /// What is wrong, in Chinese.
    pub message_zh: String,
    /// What is wrong, in English.
    pub message_en: String,
}

impl RowProblem {
    fn new(
        line: usize,
        column: Option<Column>,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self {
            line,
            column: column.map(|c| c.header().to_owned()).unwrap_or_default(),
            message_zh: zh.into(),
            message_en: en.into(),
        }
    }
}

/// A row as read from the sheet, before it is checked.
#[derive(Debug, Clone, Default)]
struct RawRow {
    line: usize,
    cells: HashMap<Column, String>,
}

/// A row that passed every check.
#[derive(Clone)]
pub struct SheetRow {
    /// Line in the file.
    pub line: usize,
    /// Employee number.
    pub employee_no: String,
    /// Name.
    pub name: String,
    /// Phone, if given.
    pub phone: Option<String>,
    /// Home area's name, if given.
    pub area: Option<String>,
}

impl std::fmt::Debug for SheetRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SheetRow(line {})", self.line)
    }
}

/// Reads the cells of an XLSX (first sheet) or a UTF-8 CSV; the format is told by its first
/// bytes (an XLSX is a zip), not by a name a browser guessed.
fn read_cells(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, RowProblem> {
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)
    } else {
        read_csv(bytes)
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, RowProblem> {
    use calamine::Reader;
    let unreadable = || {
        RowProblem::new(
            0,
            None,
            "无法读取该 XLSX 文件",
            "the XLSX file cannot be read",
        )
    };
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).map_err(|_| unreadable())?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(unreadable)?
        .map_err(|_| unreadable())?;
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, row)| {
            let cells = row.iter().map(cell_text).collect();
            (first_row + i + 1, cells)
        })
        .collect())
}

/// A cell as text: employee numbers and phones typed as numbers come back as digits, not as
/// `13800138000.0`.
fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

fn read_csv(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, RowProblem> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        RowProblem::new(
            0,
            None,
            "CSV 文件须为 UTF-8 编码（在 Excel 中另存为“CSV UTF-8”）",
            "the CSV file must be UTF-8 (in Excel: save as \"CSV UTF-8\")",
        )
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            RowProblem::new(line, None, "CSV 格式有误", "malformed CSV")
        })?;
        let line = record
            .position()
            .map_or(rows.len() + 1, |p| p.line() as usize);
        rows.push((line, record.iter().map(str::to_owned).collect()));
    }
    Ok(rows)
}

/// Maps the header row to columns; unknown and missing headers are problems.
fn header_columns(line: usize, header: &[String]) -> Result<Vec<Option<Column>>, Vec<RowProblem>> {
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    let mut columns = Vec::with_capacity(header.len());
    for h in header {
        if h.trim().is_empty() {
            columns.push(None);
            continue;
        }
        match Column::parse(h) {
            Some(c) if seen.insert(c) => columns.push(Some(c)),
            Some(c) => problems.push(RowProblem::new(
                line,
                Some(c),
                format!("表头“{}”出现了两次", c.header()),
                format!("the header {} appears twice", c.header()),
            )),
            None => problems.push(RowProblem::new(
                line,
                None,
                format!("未知的表头“{}”（应为 工号、姓名、手机号、区域）", h.trim()),
                format!(
                    "unknown header \"{}\" (expected 工号, 姓名, 手机号, 区域)",
                    h.trim()
                ),
            )),
        }
    }
    for required in [Column::EmployeeNo, Column::Name] {
        if !seen.contains(&required) {
            problems.push(RowProblem::new(
                line,
                Some(required),
                format!("缺少“{}”列", required.header()),
                format!("the {} column is missing", required.header()),
            ));
        }
    }
    if problems.is_empty() {
        Ok(columns)
    } else {
        Err(problems)
    }
}

/// Reads and checks a whole import file (pure: no database). `areas` are the enterprise's area
/// names; `existing_employee_nos` the employee numbers its users already have. Returns every
/// problem of every row, or the rows when there are none.
pub fn parse_sheet(
    bytes: &[u8],
    areas: &HashSet<String>,
    existing_employee_nos: &HashSet<String>,
) -> Result<Vec<SheetRow>, Vec<RowProblem>> {
    let cells = read_cells(bytes).map_err(|p| vec![p])?;
    let mut lines = cells
        .into_iter()
        .filter(|(_, row)| row.iter().any(|c| !c.trim().is_empty()));
    let Some((header_line, header)) = lines.next() else {
        return Err(vec![RowProblem::new(
            1,
            None,
            "文件是空的",
            "the file is empty",
        )]);
    };
    let columns = header_columns(header_line, &header)?;
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    let mut in_file: HashMap<String, usize> = HashMap::new();
    for (line, cells) in lines {
        if rows.len() + problems.len() >= MAX_ROWS {
            return Err(vec![RowProblem::new(
                line,
                None,
                format!("一次最多导入 {MAX_ROWS} 人"),
                format!("at most {MAX_ROWS} people per import"),
            )]);
        }
        let mut raw = RawRow {
            line,
            ..RawRow::default()
        };
        for (i, value) in cells.into_iter().enumerate() {
            match columns.get(i).copied().flatten() {
                Some(c) => {
                    raw.cells.insert(c, value.trim().to_owned());
                }
                None if !value.trim().is_empty() => problems.push(RowProblem::new(
                    line,
                    None,
                    format!("第 {} 列没有表头", i + 1),
                    format!("column {} has no header", i + 1),
                )),
                None => {}
            }
        }
        match check_row(&raw, areas, existing_employee_nos, &mut in_file) {
            Ok(row) => rows.push(row),
            Err(mut p) => problems.append(&mut p),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if rows.is_empty() {
        return Err(vec![RowProblem::new(
            header_line,
            None,
            "表头下面没有人员",
            "there is nobody below the header",
        )]);
    }
    Ok(rows)
}

fn check_row(
    raw: &RawRow,
    areas: &HashSet<String>,
    existing: &HashSet<String>,
    in_file: &mut HashMap<String, usize>,
) -> Result<SheetRow, Vec<RowProblem>> {
    let line = raw.line;
    let get = |c: Column| raw.cells.get(&c).map(String::as_str).unwrap_or("");
    let mut problems = Vec::new();
    let mut field = |c: Column, r: Result<String, AppError>| match r {
        Ok(v) => Some(v),
        Err(e) => {
            let d = e.detail.unwrap_or(crate::error::Detail {
                zh: "格式不正确".into(),
                en: "not valid".into(),
            });
            problems.push(RowProblem::new(line, Some(c), d.zh, d.en));
            None
        }
    };
    let employee_no = field(
        Column::EmployeeNo,
        inputs::text(Column::EmployeeNo.header(), get(Column::EmployeeNo), 32),
    );
    let name = field(
        Column::Name,
        inputs::text(Column::Name.header(), get(Column::Name), 64),
    );
    let phone = match get(Column::Phone) {
        "" => Some(None),
        p => field(Column::Phone, inputs::phone(p)).map(Some),
    };
    let area = match get(Column::Area) {
        "" => Some(None),
        a if areas.contains(a) => Some(Some(a.to_owned())),
        a => {
            problems.push(RowProblem::new(
                line,
                Some(Column::Area),
                format!("本企业没有名为“{a}”的区域"),
                format!("the enterprise has no area named \"{a}\""),
            ));
            None
        }
    };
    if let Some(no) = &employee_no {
        if existing.contains(no) {
            problems.push(RowProblem::new(
                line,
                Some(Column::EmployeeNo),
                format!("工号 {no} 已有账号"),
                format!("employee number {no} already has an account"),
            ));
        } else if let Some(first) = in_file.insert(no.clone(), line) {
            problems.push(RowProblem::new(
                line,
                Some(Column::EmployeeNo),
                format!("工号 {no} 与第 {first} 行重复"),
                format!("employee number {no} repeats line {first}"),
            ));
        }
    }
    match (employee_no, name, phone, area) {
        (Some(employee_no), Some(name), Some(phone), Some(area)) if problems.is_empty() => {
            Ok(SheetRow {
                line,
                employee_no,
                name,
                phone,
                area,
            })
        }
        _ => Err(problems),
    }
}

/// One imported worker, for the activation slips. Shown once: the code is not stored in a form
/// that can be shown again (a lost slip is replaced by issuing a new code).
#[derive(Serialize, ToSchema)]
pub struct ImportedWorker {
    /// The new user's id.
    pub user_id: String,
    /// Login name (random; the worker may use it with the password they set).
    pub username: String,
    /// Name, as imported.
    pub display_name: String,
    /// Employee number, as imported.
    pub employee_no: String,
    /// Home area's name, if imported.
    pub area: Option<String>,
    /// The one-time activation code, e.g. `7KQX-M3PA-9TRD-XW4H-C2NB`.
    pub activation_code: String,
}

impl std::fmt::Debug for ImportedWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ImportedWorker(..)")
    }
}

/// The answer to an import.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    /// Id of this import (its audit event and its codes).
    pub batch_id: String,
    /// How many workers were created.
    pub imported: usize,
    /// When the activation codes stop working (RFC 3339).
    pub expires_at: String,
    /// The workers and their codes, in file order.
    pub workers: Vec<ImportedWorker>,
}

/// A random login name such as `w7kqxm3pa`: says nothing about the person.
fn random_username() -> String {
    let mut rng = rand::rngs::OsRng;
    let alphabet = b"23456789abcdefghjkmnpqrstuvwxyz";
    let tail: String = (0..8)
        .map(|_| char::from(alphabet[rng.gen_range(0..alphabet.len())]))
        .collect();
    format!("w{tail}")
}

/// The keyed hash stored for an activation code, under a platform key of the pinned index
/// version (a code arrives with nothing else to find it by, and must survive a key rotation
/// within its lifetime).
pub fn activation_hash(keys: &KeyRing, code: &ReceiptCode) -> AppResult<String> {
    use hmac::{Hmac, Mac};
    let key = keys
        .derive_platform_key(keys.index_key_version(), "activation-code")
        .map_err(|e| AppError::internal(anyhow::anyhow!("activation key: {e}")))?;
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.expose_secret())
        .map_err(|e| AppError::internal(anyhow::anyhow!("activation key: {e}")))?;
    mac.update(code.as_str().as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// The rows an import writes for one worker, prepared (sealed, hashed) outside the transaction.
struct Prepared {
    user: UserRow,
    code: ActivationRow,
    shown: ImportedWorker,
}

/// The employee numbers an enterprise's users already have (opened from their sealed details:
/// they are stored nowhere in clear).
fn existing_employee_nos(
    ctx: &AppContext,
    conn: &mut DbConn,
    enterprise_id: &str,
) -> AppResult<HashSet<String>> {
    let mut nos = HashSet::new();
    for (id, sealed) in users::sealed_of_enterprise(conn, enterprise_id)? {
        if let Some(no) = personal::open(&ctx.keys, Some(enterprise_id), &id, &sealed)?.employee_no
        {
            nos.insert(no);
        }
    }
    Ok(nos)
}

/// Imports workers into an enterprise from an XLSX or CSV file (admin, or the enterprise's
/// safety manager or principal). All or nothing: a file with any bad row answers 422
/// `import_rejected` with every problem, and creates nobody.
pub async fn import_workers(
    ctx: &AppContext,
    actor: &Actor,
    enterprise_id: String,
    file: Vec<u8>,
) -> AppResult<ImportResult> {
    if file.len() > MAX_FILE_BYTES {
        return Err(AppError::new(ErrorCode::PayloadTooLarge));
    }
    let ttl =
        chrono::Duration::from_std(ctx.settings.activation_code_ttl).map_err(AppError::internal)?;
    let ctx2 = ctx.clone();
    let actor = actor.clone();
    ctx.db(move |conn| {
        let ctx = ctx2;
        // Read-only checks first (outside the write lock): the enterprise, its areas, who exists.
        let ent = enterprise_for(conn, &actor, &enterprise_id, EnterpriseAccess::Manage)?;
        let areas: HashMap<String, String> = enterprises::list_areas(conn, &ent.id)?
            .into_iter()
            .map(|a| (a.name, a.id))
            .collect();
        let area_names = areas.keys().cloned().collect();
        let existing = existing_employee_nos(&ctx, conn, &ent.id)?;
        let rows = parse_sheet(&file, &area_names, &existing).map_err(rejected)?;
        let now = time::now();
        let expires_at = now + ttl;
        let batch_id = uuid::Uuid::new_v4().to_string();
        let prepared = rows
            .into_iter()
            .map(|r| prepare(&ctx, &ent.id, &areas, &batch_id, now, expires_at, r))
            .collect::<AppResult<Vec<_>>>()?;
        write_tx(conn, |conn| {
            // The same check again under the write lock: an import running at the same time
            // may have taken the same employee numbers.
            let existing = existing_employee_nos(&ctx, conn, &ent.id)?;
            if let Some(p) = prepared
                .iter()
                .find(|p| existing.contains(&p.shown.employee_no))
            {
                return Err(AppError::new(ErrorCode::AlreadyExists).detail(
                    format!("工号 {} 已有账号", p.shown.employee_no),
                    format!(
                        "employee number {} already has an account",
                        p.shown.employee_no
                    ),
                ));
            }
            for p in &prepared {
                users::insert(conn, &p.user)?;
                activation::insert(conn, &p.code)?;
            }
            audit::record(
                conn,
                Some(&actor),
                "worker.import",
                "enterprise",
                Some(&ent.id),
                serde_json::json!({ "batch_id": batch_id, "count": prepared.len() }),
            )
        })?;
        Ok(ImportResult {
            batch_id,
            imported: prepared.len(),
            expires_at: time::to_rfc3339(expires_at),
            workers: prepared.into_iter().map(|p| p.shown).collect(),
        })
    })
    .await
}

fn prepare(
    ctx: &AppContext,
    enterprise_id: &str,
    areas: &HashMap<String, String>,
    batch_id: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
    row: SheetRow,
) -> AppResult<Prepared> {
    let id = uuid::Uuid::new_v4().to_string();
    let details = Personal {
        display_name: row.name.clone(),
        employee_no: Some(row.employee_no.clone()),
        phone: row.phone.clone(),
        area_id: row.area.as_ref().and_then(|a| areas.get(a)).cloned(),
    };
    let sealed = personal::seal(&ctx.keys, Some(enterprise_id), &id, &details)?;
    let code = ReceiptCode::generate();
    let username = random_username();
    Ok(Prepared {
        user: UserRow {
            id: id.clone(),
            username: username.clone(),
            password_hash: passwords::NOT_SET.to_owned(),
            role: Role::Worker.as_str().to_owned(),
            enterprise_id: Some(enterprise_id.to_owned()),
            jurisdiction: None,
            personal_sealed: sealed,
            active: true,
            created_at: now,
            token_epoch: 0,
            must_change_password: false,
        },
        code: ActivationRow {
            user_id: id.clone(),
            code_hash: activation_hash(&ctx.keys, &code)?,
            batch_id: batch_id.to_owned(),
            expires_at,
            used_at: None,
            created_at: now,
        },
        shown: ImportedWorker {
            user_id: id,
            username,
            display_name: row.name,
            employee_no: row.employee_no,
            area: row.area,
            activation_code: code.as_str().to_owned(),
        },
    })
}

/// The problems of a rejected file as a 422 `import_rejected`: one entry per problem, the
/// field naming line and column (`line 3: 手机号`).
fn rejected(problems: Vec<RowProblem>) -> AppError {
    let lines: Vec<String> = {
        let mut l: Vec<usize> = problems.iter().map(|p| p.line).collect();
        l.dedup();
        l.iter().take(10).map(ToString::to_string).collect()
    };
    let mut e = AppError::new(ErrorCode::ImportRejected).detail(
        format!("第 {} 行有误，未导入任何人员", lines.join("、")),
        format!(
            "lines {} have errors; nobody was imported",
            lines.join(", ")
        ),
    );
    e.fields = problems
        .into_iter()
        .map(|p| {
            let at = if p.column.is_empty() {
                format!("line {}", p.line)
            } else {
                format!("line {}: {}", p.line, p.column)
            };
            (at, format!("{} / {}", p.message_zh, p.message_en))
        })
        .collect();
    e
}

/// `POST /m/v1/activate`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivateRequest {
    /// The code on the worker's slip (case, spaces and dashes do not matter).
    #[schema(min_length = 1, max_length = 64)]
    pub activation_code: String,
    /// The password the worker chooses (10–128 characters).
    #[schema(min_length = 10, max_length = 128)]
    pub password: String,
}

impl std::fmt::Debug for ActivateRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ActivateRequest(..)")
    }
}

/// The answer to an activation: the login name to sign in with.
#[derive(Debug, Serialize, ToSchema)]
pub struct Activated {
    /// Login name.
    pub username: String,
}

/// A worker sets their first password with the one-time code from their slip. Unknown, used,
/// expired and malformed codes answer alike (400 `invalid_activation_code`); attempts are
/// limited per client like logins, so codes cannot be guessed.
pub async fn activate(
    ctx: &AppContext,
    req: ActivateRequest,
    client: Option<IpAddr>,
) -> AppResult<Activated> {
    let invalid = || AppError::new(ErrorCode::InvalidActivationCode);
    let code = ReceiptCode::parse(&req.activation_code);
    let hash = match &code {
        Ok(c) => Some(activation_hash(&ctx.keys, c)?),
        Err(_) => None,
    };
    // Spends the client's login budget (a code guessed is a password guessed); the per-account
    // budget is keyed by the code itself, so a plant's workers behind one address are held
    // back only by the per-client limit.
    let account_key = format!("\u{0}activate:{}", hash.as_deref().unwrap_or(""));
    crate::services::auth::spend_login_budget(ctx, &account_key, client).await?;
    let Some(hash) = hash else {
        return Err(invalid());
    };
    let password = inputs::NewPassword::parse(&req.password)?;
    let found = ctx
        .db(move |conn| Ok(activation::find_unused(conn, &hash)?))
        .await?;
    let Some(found) = found else {
        return Err(invalid());
    };
    if found.expires_at <= time::now() {
        return Err(invalid());
    }
    let password_hash = ctx.cpu(move || passwords::hash(password.expose())).await?;
    ctx.db(move |conn| {
        write_tx(conn, |conn| {
            let user = users::find(conn, &found.user_id)?.filter(|u| u.active);
            let Some(user) = user else {
                return Err(invalid());
            };
            if !activation::spend(conn, &user.id, time::now())? {
                return Err(invalid());
            }
            users::set_password(conn, &user.id, &password_hash, false)?;
            audit::record(
                conn,
                None,
                "user.activate",
                "user",
                Some(&user.id),
                serde_json::json!({}),
            )?;
            Ok(Activated {
                username: user.username,
            })
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn areas() -> HashSet<String> {
        ["炼钢车间", "高炉区"]
            .into_iter()
            .map(String::from)
            .collect()
    }

    #[test]
    fn a_good_csv_with_a_bom_and_any_column_order_is_read() {
        let csv =
            "\u{feff}姓名,工号,区域,手机号\n张三,A001,炼钢车间,138 0013 8000\n李四,A002,,\n\n";
        let rows = parse_sheet(csv.as_bytes(), &areas(), &HashSet::new()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].name, "张三");
        assert_eq!(rows[0].phone.as_deref(), Some("13800138000"));
        assert_eq!(rows[0].area.as_deref(), Some("炼钢车间"));
        assert_eq!(rows[1].line, 3);
        assert_eq!(rows[1].phone, None);
    }

    #[test]
    fn every_bad_row_is_reported_by_line_and_column() {
        let csv = "工号,姓名,手机号,区域\nA001,张三,12ab,炼钢车间\n,李四,,\nA001,王五,,仓库\nA003,赵六,,\n";
        let existing: HashSet<String> = ["A003".to_owned()].into();
        let problems = parse_sheet(csv.as_bytes(), &areas(), &existing).unwrap_err();
        let at: Vec<(usize, &str)> = problems
            .iter()
            .map(|p| (p.line, p.column.as_str()))
            .collect();
        assert_eq!(
            at,
            [
                (2, "手机号"),
                (3, "工号"),
                (4, "区域"),
                (4, "工号"),
                (5, "工号")
            ]
        );
        assert!(problems[3].message_zh.contains("第 2 行"));
    }

    #[test]
    fn unknown_and_missing_headers_are_problems() {
        let problems =
            parse_sheet("名字,电话\nx,y\n".as_bytes(), &areas(), &HashSet::new()).unwrap_err();
        assert!(
            problems
                .iter()
                .any(|p| p.message_en.contains("unknown header"))
        );
        assert!(problems.iter().any(|p| p.column == "工号"));
        assert!(problems.iter().any(|p| p.column == "姓名"));
    }

    #[test]
    fn non_utf8_and_empty_files_are_refused_in_words() {
        let gbk = b"\xb9\xa4\xba\xc5,\xd0\xd5\xc3\xfb\n";
        let p = parse_sheet(gbk, &areas(), &HashSet::new()).unwrap_err();
        assert!(p[0].message_zh.contains("UTF-8"));
        let p = parse_sheet(b"", &areas(), &HashSet::new()).unwrap_err();
        assert_eq!(p[0].message_en, "the file is empty");
        let p = parse_sheet("工号,姓名\n".as_bytes(), &areas(), &HashSet::new()).unwrap_err();
        assert!(p[0].message_en.contains("nobody"));
    }

    #[test]
    fn random_usernames_are_valid_login_names() {
        let u = random_username();
        assert_eq!(inputs::Username::parse(&u).unwrap().as_str(), u);
        assert_ne!(random_username(), u);
    }
}
