//! `qingling demo`: a believable district to try every part at once — a bureau with two
//! jurisdictions, a steel and a non-ferrous smelter with their areas, one user of every role,
//! and the last quarter of their history ([`history`]) made through the same services the API
//! calls, so every console page has something to show on first start.

mod history;
mod photos;

use std::fmt::Write as _;

use anyhow::{Context as _, bail};
use qingling_api::AppContext;
use qingling_api::domain::Actor;
use qingling_api::domain::{Role, Sector, credit_code};
use qingling_api::services::admin::{self, CreateAreaRequest, CreateEnterpriseRequest};
use qingling_api::services::users::{self, CreateUserRequest};
use qingling_api::store::enterprises;
use qingling_api::store::time::{self, Clock};
use rand::Rng;

use self::history::{Firm, Users};

const DISTRICT: &str = "jiangbei";
const PARK: &str = "jiangbei/gongyeyuan";
const TOWN: &str = "jiangbei/chengguan";

/// `(username, role, enterprise, jurisdiction, display name)`.
type DemoUser<'a> = (&'a str, Role, Option<&'a str>, Option<&'a str>, &'a str);

fn password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..14)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

fn code(first17: &str) -> anyhow::Result<String> {
    let c = credit_code::check_char(first17).context("demo credit code")?;
    Ok(format!("{first17}{c}"))
}

fn err(e: qingling_api::AppError) -> anyhow::Error {
    anyhow::anyhow!("{e:?}")
}

/// The actor a demo user acts as.
fn actor(made: &Users, username: &str) -> anyhow::Result<Actor> {
    let u = made
        .get(username)
        .with_context(|| format!("demo user {username}"))?;
    Ok(Actor {
        user_id: u.id.clone(),
        role: u.role,
        enterprise_id: u.enterprise_id.clone(),
        jurisdiction: u.jurisdiction.clone(),
    })
}

/// One smelter's cast, from the users made above (`PREFIX.worker`, `PREFIX.manager`, …).
fn firm(
    made: &Users,
    prefix: &str,
    officer: &str,
    id: String,
    intake_code: String,
    areas: Option<Vec<String>>,
    leader: &'static str,
) -> anyhow::Result<Firm> {
    let a = |role: &str| actor(made, &format!("{prefix}.{role}"));
    Ok(Firm {
        id,
        intake_code,
        areas: areas.context("demo areas")?,
        worker: a("worker")?,
        manager: a("manager")?,
        principal: a("principal")?,
        custodian1: a("custodian1")?,
        custodian2: a("custodian2")?,
        officer: actor(made, officer)?,
        leader,
    })
}

/// Resolves an enterprise given by id or unified social credit code (for the CLI).
pub async fn resolve_enterprise(ctx: &AppContext, given: String) -> anyhow::Result<String> {
    let found = ctx
        .db(move |conn| {
            let by_id = enterprises::find(conn, &given)?;
            let row = match by_id {
                Some(r) => Some(r),
                None => enterprises::find_by_credit_code(conn, &given.to_ascii_uppercase())?,
            };
            Ok(row.map(|r| r.id))
        })
        .await
        .map_err(err)?;
    found.context("no enterprise with that id or credit code")
}

/// How long before now the demo district was set up (its history starts a little later).
const HISTORY_DAYS: i64 = 92;

/// Fills an empty database and returns the text to print (credentials included). Everything
/// runs under a [`Clock`] scoped to this call, moved back through the quarter step by step.
pub async fn fill(ctx: &AppContext) -> anyhow::Result<String> {
    let clock = Clock::new();
    clock.clone().scope(fill_at(ctx, clock)).await
}

async fn fill_at(ctx: &AppContext, clock: Clock) -> anyhow::Result<String> {
    let now = time::now();
    clock.set(now - chrono::TimeDelta::days(HISTORY_DAYS));
    let existing = ctx
        .db(|conn| Ok(enterprises::count(conn)?))
        .await
        .map_err(err)?;
    if existing > 0 {
        bail!("the database already has enterprises; the demo fills only an empty one");
    }
    let steel = admin::create_enterprise(
        ctx,
        None,
        CreateEnterpriseRequest {
            name: "江北钢铁有限公司".into(),
            credit_code: code("91500105MA5UQ0001")?,
            sector: Sector::Steel,
            jurisdiction: PARK.into(),
        },
    )
    .await
    .map_err(err)?;
    let alu = admin::create_enterprise(
        ctx,
        None,
        CreateEnterpriseRequest {
            name: "江北铝业有限公司".into(),
            credit_code: code("91500105MA5UQ0002")?,
            sector: Sector::Nonferrous,
            jurisdiction: TOWN.into(),
        },
    )
    .await
    .map_err(err)?;

    let admin_actor = qingling_api::domain::Actor {
        user_id: "demo".into(),
        role: Role::Admin,
        enterprise_id: None,
        jurisdiction: None,
    };
    let mut area_ids: Vec<Vec<String>> = Vec::new();
    for (ent, areas) in [
        (
            &steel.id,
            &["炼钢车间", "煤气柜区", "高炉区", "轧钢车间", "铁水运输线"][..],
        ),
        (
            &alu.id,
            &["铝熔铸车间", "电解车间", "深井铸造区", "液氨制冷站"][..],
        ),
    ] {
        let mut ids = Vec::new();
        for name in areas {
            let area = admin::create_area(
                ctx,
                &admin_actor,
                ent.clone(),
                CreateAreaRequest {
                    name: (*name).into(),
                    description: None,
                },
            )
            .await
            .map_err(err)?;
            ids.push(area.id);
        }
        area_ids.push(ids);
    }

    let people: Vec<DemoUser<'_>> = vec![
        ("admin", Role::Admin, None, None, "平台管理员"),
        (
            "bureau.district",
            Role::BureauOfficer,
            None,
            Some(DISTRICT),
            "区应急管理局 王科长",
        ),
        (
            "bureau.park",
            Role::BureauOfficer,
            None,
            Some(PARK),
            "工业园执法大队 李队长",
        ),
        (
            "bureau.town",
            Role::BureauOfficer,
            None,
            Some(TOWN),
            "城关街道 安监员 赵敏",
        ),
        (
            "steel.worker",
            Role::Worker,
            Some(&steel.id),
            None,
            "炼钢工 陈刚",
        ),
        (
            "steel.manager",
            Role::SafetyManager,
            Some(&steel.id),
            None,
            "安全科 刘伟",
        ),
        (
            "steel.principal",
            Role::Principal,
            Some(&steel.id),
            None,
            "总经理 周建国",
        ),
        (
            "steel.custodian1",
            Role::Custodian,
            Some(&steel.id),
            None,
            "工会 孙丽",
        ),
        (
            "steel.custodian2",
            Role::Custodian,
            Some(&steel.id),
            None,
            "纪检 吴强",
        ),
        (
            "alu.worker",
            Role::Worker,
            Some(&alu.id),
            None,
            "铸造工 黄磊",
        ),
        (
            "alu.manager",
            Role::SafetyManager,
            Some(&alu.id),
            None,
            "安环部 郑洁",
        ),
        (
            "alu.principal",
            Role::Principal,
            Some(&alu.id),
            None,
            "厂长 何志明",
        ),
        (
            "alu.custodian1",
            Role::Custodian,
            Some(&alu.id),
            None,
            "工会 马芳",
        ),
        (
            "alu.custodian2",
            Role::Custodian,
            Some(&alu.id),
            None,
            "纪检 高峰",
        ),
    ];
    let mut out = String::new();
    writeln!(out, "Demo district filled.\n")?;
    writeln!(
        out,
        "{} ({}, {}) intake code {}",
        steel.name,
        steel.sector.as_str(),
        steel.jurisdiction,
        steel.intake_code
    )?;
    writeln!(
        out,
        "{} ({}, {}) intake code {}\n",
        alu.name,
        alu.sector.as_str(),
        alu.jurisdiction,
        alu.intake_code
    )?;
    writeln!(
        out,
        "{:<18} {:<15} {:<16} who",
        "username", "role", "password"
    )?;
    let mut made = Users::new();
    for (username, role, ent, jur, name) in people {
        let pw = password();
        let user = users::create_user(
            ctx,
            None,
            CreateUserRequest {
                username: username.into(),
                password: pw.clone(),
                role,
                enterprise_id: ent.map(Into::into),
                jurisdiction: jur.map(Into::into),
                display_name: name.into(),
                phone: None,
                employee_no: None,
            },
        )
        .await
        .map_err(err)?;
        made.insert(username.to_owned(), user);
        writeln!(out, "{username:<18} {:<15} {pw:<16} {name}", role.as_str())?;
    }

    let mut area_ids = area_ids.into_iter();
    let steel = firm(
        &made,
        "steel",
        "bureau.park",
        steel.id,
        steel.intake_code,
        area_ids.next(),
        "总经理 周建国",
    )?;
    let alu = firm(
        &made,
        "alu",
        "bureau.town",
        alu.id,
        alu.intake_code,
        area_ids.next(),
        "厂长 何志明",
    )?;
    for f in [&steel, &alu] {
        history::adopt_policy(ctx, f).await?;
    }
    let played = history::play(ctx, &clock, now, &steel, &alu).await?;
    writeln!(
        out,
        "\nHistory of the last {HISTORY_DAYS} days: {} reports, {} hazards, {} photos, {} escalations opened by the sweeper.",
        played.reports, played.hazards, played.photos, played.escalations
    )?;
    writeln!(
        out,
        "\nLog in: curl -s -XPOST localhost:8080/api/v1/auth/login -H 'content-type: application/json' -d '{{\"username\":\"admin\",\"password\":\"…\"}}'"
    )?;
    Ok(out)
}
