//! The permission matrix (issue 16, item 10): every operation of the served `/openapi.json`
//! (method + path template: the staff routes in section `api`, the phone routes `/m/v1/*` in
//! section `phone`) and every console page (`GET`, section `console`), × every role (admin,
//! bureau_officer, safety_manager, principal, custodian, worker, anonymous: no token, no session)
//! × scope (`own` enterprise, `other_enterprise` in the same jurisdiction, `other_jurisdiction`,
//! or `-` where the path names nothing scoped), against the committed table
//! `tests/permissions.csv` of answer classes (`2xx`, `3xx`, `401`, `403`, `404`, `4xx`).
//!
//! It fails on any answer that differs from the table (an unexpected 2xx among them), on an
//! operation or page missing from the table and on a row the server no longer has. Writes send a
//! schema-valid body (`qingling_tests::openapi`, the maximal sample with the scope's real ids),
//! so a 2xx is possible and a refusal is a refusal of the caller, not of the body. The rows run
//! in the table's order (roles least privileged first), so a write that succeeds changes the
//! state the next role finds: a later 409 or 404 in the same row group is that, not a check.
//!
//! `QINGLING_PERMISSIONS_RECORD=1` writes the observed table over `tests/permissions.csv` for a
//! reviewer to diff.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use qingling_tests::openapi::{Doc, Operation, Size, Tenant, fill_path};
use qingling_tests::{PASSWORD, TestApp, photos, reports, spawn_app_with};
use reqwest::Method;
use serde_json::json;

const JURISDICTION: &str = "jiangbei/gongyeyuan";
const OTHER_JURISDICTION: &str = "haibei/chengguan";
const ROLES: [&str; 7] = [
    "anonymous",
    "worker",
    "custodian",
    "bureau_officer",
    "admin",
    "principal",
    "safety_manager",
];

/// The console's `GET` pages (not in `/openapi.json`): a new page is added here, and its row
/// in the table recorded and reviewed.
const CONSOLE_PAGES: &[&str] = &[
    "/console/",
    "/console/overview",
    "/console/reports",
    "/console/reports/{id}",
    "/console/reports/{id}/photos/{photo_id}",
    "/console/hazards",
    "/console/hazards/{id}",
    "/console/sweeps",
    "/console/sweeps/{id}",
    "/console/rewards",
    "/console/rewards/policy",
    "/console/disclosures",
    "/console/exports",
    "/console/exports/congress",
    "/console/exports/ledger.csv",
    "/console/exports/ledger.xlsx",
    "/console/exports/rewards.csv",
    "/console/exports/rewards.xlsx",
    "/console/bureau",
    "/console/bureau/board.xlsx",
    "/console/bureau/enterprises/{id}",
    "/console/bureau/escalations",
    "/console/bureau/escalations.xlsx",
    "/console/bureau/escalations/{id}",
    "/console/bureau/appeals",
    "/console/bureau/appeals/{id}",
    "/console/admin/enterprises",
    "/console/admin/users",
    "/console/admin/criteria",
    "/console/admin/system",
    "/console/site",
    "/console/enterprises/{id}",
    "/console/enterprises/{id}/workers/import",
    "/console/posters/enterprises/{id}",
    "/console/posters/enterprises/{id}.svg",
    "/console/posters/enterprises/{id}.png",
    "/console/posters/areas/{id}",
    "/console/posters/areas/{id}.svg",
    "/console/posters/areas/{id}.png",
    "/console/account/password",
];

struct World {
    app: TestApp,
    doc: Doc,
    own: Tenant,
    other: Tenant,
    far: Tenant,
    officer: String,
    officer_name: String,
    /// A second admin, with a known name, for the console (the first one's is not kept).
    admin_name: String,
}

impl World {
    fn tenant(&self, scope: &str) -> &Tenant {
        match scope {
            "other_enterprise" => &self.other,
            "other_jurisdiction" => &self.far,
            _ => &self.own,
        }
    }

    fn token(&self, role: &str) -> Option<String> {
        let t = &self.own;
        Some(match role {
            "admin" => self.app.admin_token.clone(),
            "bureau_officer" => self.officer.clone(),
            "safety_manager" => t.manager.token.clone(),
            "principal" => t.principal.token.clone(),
            "custodian" => t.custodian.token.clone(),
            "worker" => t.worker.token.clone(),
            _ => return None,
        })
    }

    fn username(&self, role: &str) -> Option<String> {
        let t = &self.own;
        Some(match role {
            "bureau_officer" => self.officer_name.clone(),
            "admin" => self.admin_name.clone(),
            "safety_manager" => t.manager.username.clone(),
            "principal" => t.principal.username.clone(),
            "custodian" => t.custodian.username.clone(),
            "worker" => t.worker.username.clone(),
            _ => return None,
        })
    }
}

fn class(status: u16) -> &'static str {
    match status {
        200..=299 => "2xx",
        300..=399 => "3xx",
        401 => "401",
        403 => "403",
        404 => "404",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// Whether a path names something of one enterprise (so it has three scopes).
fn scoped(path: &str) -> bool {
    path.contains('{') && !path.contains("/outbox/")
}

/// Sends one cell's request; returns its status.
async fn send(w: &World, op: &Operation, role: &str, scope: &str) -> u16 {
    let t = w.tenant(scope);
    let path = fill_path(&op.path, |p, tpl| t.path_value(p, tpl));
    let mut token = w.token(role);
    let mut known = t.known();
    // The caller's own credentials where a body carries them.
    match op.path.as_str() {
        "/api/v1/auth/refresh"
        | "/api/v1/auth/logout"
        | "/m/v1/auth/refresh"
        | "/m/v1/auth/logout" => {
            let (u, _) = w.app.user("worker", Some(&t.enterprise_id), None).await;
            let a = w
                .app
                .login(u["username"].as_str().unwrap_or_default(), PASSWORD)
                .await;
            known.set("refresh_token", a.json["refresh_token"].clone());
        }
        "/api/v1/auth/login" | "/m/v1/auth/login" => {
            known.set(
                "username",
                w.username(role).unwrap_or_else(|| "nobody".into()),
            );
            known.set("password", PASSWORD);
        }
        // A password change ends every token of the caller, the one it came with included, so
        // each such cell signs the role in afresh; the password it sets is the same one, so the
        // next cell's login still works.
        "/api/v1/auth/password" | "/m/v1/auth/password" => {
            if let Some(u) = w.username(role) {
                token = Some(w.app.login_ok(&u, PASSWORD).await);
            }
            known.set("current_password", PASSWORD);
            known.set("new_password", PASSWORD);
        }
        "/m/v1/intake" => known.set("code", t.intake_code.clone()),
        _ => {}
    }
    let method = Method::from_bytes(op.method.as_bytes()).unwrap_or(Method::GET);
    if let Some(schema) = &op.json_body {
        let mut body = w.doc.sample(schema, Size::Maximal, "", &known);
        if op.path == "/api/v1/users" {
            body["role"] = json!("worker");
            body["enterprise_id"] = json!(t.enterprise_id);
            body["username"] = json!(format!("u-{}", qingling_tests::short_id()));
            if let Some(m) = body.as_object_mut() {
                m.remove("jurisdiction");
            }
        }
        if op.path == "/api/v1/enterprises/{id}/reward-policy" {
            for f in ["general_fen", "major_fen", "principal_threshold_fen"] {
                body[f] = json!(100);
            }
        }
        if op.path == "/api/v1/sweeps"
            && let Some(d) = body["date"]
                .as_str()
                .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        {
            body["quarter"] = json!(qingling_api::domain::quarter::Quarter::of(d).to_string());
        }
        return w
            .app
            .call(method, &path, token.as_deref(), Some(&body))
            .await
            .status
            .as_u16();
    }
    if op.other_bodies.iter().any(|b| b == "multipart/form-data") {
        let mut report = json!({"title": "钢包吊运区下方有人值守", "area_id": t.area_id});
        if op.path.contains("anonymous") {
            report["intake_code"] = json!(t.intake_code);
        }
        let form = reports::form(&report, &[photos::jpeg(64, 48)]);
        return w
            .app
            .post_form(&path, token.as_deref(), form, None)
            .await
            .status
            .as_u16();
    }
    if op.other_bodies.iter().any(|b| b == "text/csv") {
        let mut req = w
            .app
            .client
            .request(method, format!("{}{}", w.app.base, path))
            .header("content-type", "text/csv")
            .body("工号,姓名,手机号\nGT-1,王五,13800001234\n");
        if let Some(t) = &token {
            req = req.bearer_auth(t);
        }
        return req.send().await.map(|r| r.status().as_u16()).unwrap_or(0);
    }
    w.app
        .call(method, &path, token.as_deref(), None)
        .await
        .status
        .as_u16()
}

/// Signs a role in to the console; `None` when it may not (or is anonymous).
async fn console_cookie(w: &World, role: &str) -> Option<String> {
    let username = w.username(role)?;
    let r = w.app.console_login(&username).await;
    if r.status().as_u16() != 303 {
        return None;
    }
    qingling_tests::session_cookie(&r)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_role_as_the_table_says() {
    // Thousands of requests from one address: the per-client limits would answer 429 to cells
    // that are about permissions (they have tests of their own).
    let app = spawn_app_with(|s| {
        s.login_limit_per_client = 100_000;
        s.login_limit_per_account = 100_000;
        s.receipt_limit_per_client = 100_000;
        s.anonymous_limit_per_client = 100_000;
        s.intake_limit_per_client = 100_000;
    })
    .await;
    let (o, officer) = app.user("bureau_officer", None, Some(JURISDICTION)).await;
    let (_, far_officer) = app
        .user("bureau_officer", None, Some(OTHER_JURISDICTION))
        .await;
    let own = app.tenant(JURISDICTION, &officer).await;
    let other = app.tenant(JURISDICTION, &officer).await;
    let far = app.tenant(OTHER_JURISDICTION, &far_officer).await;
    let doc = Doc::fetch(&app).await;
    let (admin, _) = app.user("admin", None, None).await;
    let w = World {
        admin_name: admin["username"].as_str().unwrap_or_default().to_owned(),
        officer_name: o["username"].as_str().unwrap_or_default().to_owned(),
        app,
        doc,
        own,
        other,
        far,
        officer,
    };
    // The console first: the API walk ends with every role changing its password.
    let mut console_rows: Vec<[String; 6]> = Vec::new();
    let mut cookies = BTreeMap::new();
    for role in ROLES {
        cookies.insert(role, console_cookie(&w, role).await);
    }
    for page in CONSOLE_PAGES {
        let scopes: &[&str] = if page.contains('{') {
            &["own", "other_enterprise", "other_jurisdiction"]
        } else {
            &["-"]
        };
        for scope in scopes {
            let t = w.tenant(scope);
            let path = fill_path(page, |p, tpl| t.path_value(p, tpl));
            for role in ROLES {
                let mut req = w.app.client.get(format!("{}{}", w.app.base, path));
                if let Some(Some(c)) = cookies.get(role) {
                    req = req.header("cookie", c);
                }
                let status = req.send().await.map(|r| r.status().as_u16()).unwrap_or(0);
                console_rows.push([
                    "console".into(),
                    "GET".into(),
                    (*page).into(),
                    role.into(),
                    (*scope).into(),
                    class(status).into(),
                ]);
            }
        }
    }
    let mut ops = w.doc.operations();
    // A password change ends the caller's tokens: last.
    ops.sort_by_key(|o| o.path.ends_with("/auth/password"));
    let mut observed: Vec<[String; 6]> = Vec::new();
    for op in &ops {
        let section = if op.path.starts_with("/m/") {
            "phone"
        } else {
            "api"
        };
        let scopes: &[&str] = if scoped(&op.path) {
            &["own", "other_enterprise", "other_jurisdiction"]
        } else {
            &["-"]
        };
        for scope in scopes {
            for role in ROLES {
                let status = send(&w, op, role, scope).await;
                observed.push([
                    section.into(),
                    op.method.clone(),
                    op.path.clone(),
                    role.into(),
                    (*scope).into(),
                    class(status).into(),
                ]);
            }
        }
    }
    observed.extend(console_rows);
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("permissions.csv");
    if std::env::var("QINGLING_PERMISSIONS_RECORD").as_deref() == Ok("1") {
        let mut out = String::from("section,method,path,role,scope,expected\n");
        for r in &observed {
            let _ = writeln!(out, "{}", r.join(","));
        }
        std::fs::write(&file, out).expect("write tests/permissions.csv");
        println!("recorded {} cells into {}", observed.len(), file.display());
        return;
    }
    let table = std::fs::read_to_string(&file).expect("tests/permissions.csv");
    let mut expected: BTreeMap<(String, String, String, String, String), String> = BTreeMap::new();
    for line in table.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 6, "bad row in permissions.csv: {line}");
        expected.insert(
            (
                f[0].into(),
                f[1].into(),
                f[2].into(),
                f[3].into(),
                f[4].into(),
            ),
            f[5].into(),
        );
    }
    let mut failures = Vec::new();
    for r in &observed {
        let key = (
            r[0].clone(),
            r[1].clone(),
            r[2].clone(),
            r[3].clone(),
            r[4].clone(),
        );
        match expected.remove(&key) {
            None => failures.push(format!("not in the table: {}", r.join(","))),
            Some(e) if e != r[5] => {
                let why = if r[5] == "2xx" {
                    "UNEXPECTED 2xx"
                } else {
                    "differs"
                };
                failures.push(format!("{why}: {} expected {e}", r.join(",")));
            }
            Some(_) => {}
        }
    }
    for (k, v) in expected {
        failures.push(format!(
            "in the table but not served: {},{},{},{},{},{v}",
            k.0, k.1, k.2, k.3, k.4
        ));
    }
    println!("{} cells checked", observed.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
