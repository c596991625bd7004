//! `qingling demo`: a believable district to try every part at once — a bureau with two
//! jurisdictions, a steel and a non-ferrous smelter with their areas, and one user of every role.

use std::fmt::Write as _;

use anyhow::{Context as _, bail};
use qingling_api::AppContext;
use qingling_api::domain::{Role, Sector, credit_code};
use qingling_api::services::admin::{self, CreateAreaRequest, CreateEnterpriseRequest};
use qingling_api::services::users::{self, CreateUserRequest};
use qingling_api::store::enterprises;
use rand::Rng;

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

/// Fills an empty database and returns the text to print (credentials included).
pub async fn fill(ctx: &AppContext) -> anyhow::Result<String> {
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
        for name in areas {
            admin::create_area(
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
        }
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
    for (username, role, ent, jur, name) in people {
        let pw = password();
        users::create_user(
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
        writeln!(out, "{username:<18} {:<15} {pw:<16} {name}", role.as_str())?;
    }
    writeln!(
        out,
        "\nLog in: curl -s -XPOST localhost:8080/api/v1/auth/login -H 'content-type: application/json' -d '{{\"username\":\"admin\",\"password\":\"…\"}}'"
    )?;
    Ok(out)
}
