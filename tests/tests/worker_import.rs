//! Bulk import of workers from XLSX/CSV, and activation of their accounts on the phone route,
//! over real HTTP against the running app.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel::RunQueryDsl;
use qingling_tests::{Answer, TestApp, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::json;

const CSV: &str = "text/csv";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn upload(
    app: &TestApp,
    token: &str,
    ent: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Answer {
    let resp = app
        .client
        .post(format!(
            "{}/api/v1/enterprises/{ent}/workers/import",
            app.base
        ))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    TestApp::read(resp).await
}

async fn enterprise_with_area(app: &TestApp, area: &str) -> String {
    let ent = app.create_enterprise("steel", "jb/park").await;
    let id = ent["id"].as_str().unwrap().to_owned();
    let a = app
        .post(
            &format!("/api/v1/enterprises/{id}/areas"),
            &app.admin_token,
            json!({ "name": area }),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED);
    id
}

async fn activate(app: &TestApp, code: &str, password: &str) -> Answer {
    app.post_anon(
        "/m/v1/activate",
        json!({ "activation_code": code, "password": password }),
    )
    .await
}

async fn user_count(app: &TestApp, ent: &str) -> usize {
    app.get(
        &format!("/api/v1/users?enterprise_id={ent}&limit=200"),
        &app.admin_token,
    )
    .await
    .json["items"]
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_manager_imports_a_csv_and_each_worker_activates_with_their_code() {
    let app = spawn_app().await;
    let ent = enterprise_with_area(&app, "炼钢车间").await;
    let (_, manager) = app.user("safety_manager", Some(&ent), None).await;
    let csv = "工号,姓名,手机号,区域\nA001,张三,13800138001,炼钢车间\nA002,李四,,\nA003,王五,13800138003,\n";
    let a = upload(&app, &manager, &ent, CSV, csv.into()).await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    assert_eq!(a.json["imported"], 3);
    let workers = a.json["workers"].as_array().unwrap().clone();
    assert_eq!(workers[0]["display_name"], "张三");
    assert_eq!(workers[0]["area"], "炼钢车间");
    assert_eq!(workers[1]["employee_no"], "A002");

    // Before activation nobody can log in, whatever they try.
    let username = workers[0]["username"].as_str().unwrap();
    assert_eq!(
        app.login(username, "!not-activated").await.status,
        StatusCode::UNAUTHORIZED
    );

    let code = workers[0]["activation_code"].as_str().unwrap();
    assert_eq!(code.len(), 24, "20 symbols in groups of four: {code}");
    // Codes are typed on phones: lower case and no dashes work too.
    let typed = code.replace('-', "").to_lowercase();
    let ok = activate(&app, &typed, "my own passphrase").await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.json);
    assert_eq!(ok.json["username"], username);
    let token = app.login_ok(username, "my own passphrase").await;
    let me = app.get("/api/v1/me", &token).await;
    assert_eq!(me.json["role"], "worker");
    assert_eq!(me.json["enterprise_id"], ent.as_str());
    assert_eq!(me.json["display_name"], "张三");
    assert_eq!(
        app.get("/m/v1/reports", &token).await.status,
        StatusCode::OK
    );

    // A code works once.
    let again = activate(&app, code, "another passphrase").await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(again.code(), "invalid_activation_code");
    app.login_ok(username, "my own passphrase").await;

    // The second worker's code still works; a short password is refused without spending it.
    let code2 = workers[1]["activation_code"].as_str().unwrap();
    let short = activate(&app, code2, "short").await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert_eq!(short.code(), "validation_failed");
    assert_eq!(
        activate(&app, code2, "second passphrase").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn unknown_malformed_and_expired_codes_answer_alike() {
    let app = spawn_app_with(|s| s.activation_code_ttl = std::time::Duration::from_secs(1)).await;
    let ent = enterprise_with_area(&app, "高炉区").await;
    let a = upload(
        &app,
        &app.admin_token,
        &ent,
        CSV,
        "工号,姓名\nB001,赵六\n".into(),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    let code = a.json["workers"][0]["activation_code"]
        .as_str()
        .unwrap()
        .to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let expired = activate(&app, &code, "my own passphrase").await;
    let unknown = activate(&app, "2345-6789-ABCD-EFGH-JKMN", "my own passphrase").await;
    let malformed = activate(&app, "not a code", "my own passphrase").await;
    for (label, x) in [
        ("expired", &expired),
        ("unknown", &unknown),
        ("malformed", &malformed),
    ] {
        assert_eq!(x.status, StatusCode::BAD_REQUEST, "{label}");
        assert_eq!(x.code(), "invalid_activation_code", "{label}");
    }
}

#[tokio::test]
async fn activation_attempts_are_limited_per_client() {
    let app = spawn_app_with(|s| s.login_limit_per_client = 5).await;
    // The harness's admin login spent one of the five.
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(
            activate(&app, "2345-6789-ABCD-EFGH-JKMN", "my own passphrase")
                .await
                .status,
        );
    }
    assert_eq!(
        &statuses[..4],
        &[StatusCode::BAD_REQUEST; 4],
        "{statuses:?}"
    );
    assert_eq!(statuses[4], StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_file_with_bad_rows_imports_nobody_and_names_every_bad_line() {
    let app = spawn_app().await;
    let ent = enterprise_with_area(&app, "炼钢车间").await;
    let before = user_count(&app, &ent).await;
    let csv = "工号,姓名,手机号,区域\nA001,张三,13800138001,炼钢车间\nA002,,12x,\nA003,王五,,不存在的区域\nA001,赵六,,\n";
    let a = upload(&app, &app.admin_token, &ent, CSV, csv.into()).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", a.json);
    assert_eq!(a.code(), "import_rejected");
    let fields: Vec<&str> = a.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "line 3: 姓名",
            "line 3: 手机号",
            "line 4: 区域",
            "line 5: 工号"
        ]
    );
    assert!(a.json["detail"].as_str().unwrap().contains("3、4、5"));
    assert_eq!(
        user_count(&app, &ent).await,
        before,
        "nothing half-imported"
    );

    // Importing the good part twice: the second time every employee number is taken.
    let good = "工号,姓名\nA001,张三\n";
    assert_eq!(
        upload(&app, &app.admin_token, &ent, CSV, good.into())
            .await
            .status,
        StatusCode::CREATED
    );
    let twice = upload(&app, &app.admin_token, &ent, CSV, good.into()).await;
    assert_eq!(twice.code(), "import_rejected");
    assert_eq!(twice.json["errors"][0]["field"], "line 2: 工号");
}

fn xlsx(rows: &[[&str; 4]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            // Employee numbers and phones typed as numbers, the way HR's sheets hold them.
            match cell.parse::<f64>() {
                Ok(n) if r > 0 => sheet.write_number(r as u32, c as u16, n).unwrap(),
                _ => sheet.write_string(r as u32, c as u16, *cell).unwrap(),
            };
        }
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn an_xlsx_with_numeric_cells_imports_and_identity_stays_sealed() {
    let app = spawn_app().await;
    let ent = enterprise_with_area(&app, "电解车间").await;
    let file = xlsx(&[
        ["工号", "姓名", "手机号", "区域"],
        ["20230417", "钱七", "13912345678", "电解车间"],
        ["20230418", "孙八", "", ""],
    ]);
    let a = upload(&app, &app.admin_token, &ent, XLSX, file).await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    assert_eq!(a.json["workers"][0]["employee_no"], "20230417");
    assert_eq!(a.json["workers"][1]["display_name"], "孙八");

    // Nothing the sheet said is stored in clear: not the phone, not the employee number, not
    // the name, and the login name is random.
    let username = a.json["workers"][0]["username"].as_str().unwrap();
    assert!(!username.contains("20230417"));
    let mut conn = app.ctx.pool.get().unwrap();
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Binary)]
        personal_sealed: Vec<u8>,
        #[diesel(sql_type = diesel::sql_types::Text)]
        username: String,
    }
    let rows: Vec<Row> = diesel::sql_query("SELECT personal_sealed, username FROM users")
        .load(&mut *conn)
        .unwrap();
    for r in rows {
        for needle in ["13912345678", "20230417", "钱七"] {
            let hay = String::from_utf8_lossy(&r.personal_sealed);
            assert!(!hay.contains(needle), "{needle} in clear");
            assert!(!r.username.contains(needle));
        }
    }
}

#[tokio::test]
async fn only_the_enterprises_managers_and_admins_import() {
    let app = spawn_app().await;
    let ent = enterprise_with_area(&app, "炼钢车间").await;
    let other = app.create_enterprise("steel", "jb/park").await;
    let (_, worker) = app.user("worker", Some(&ent), None).await;
    let (_, stranger) = app.user("safety_manager", other["id"].as_str(), None).await;
    let (_, officer) = app.user("bureau_officer", None, Some("jb")).await;
    let csv = "工号,姓名\nC001,周九\n";
    let cases: [(&str, &str, StatusCode); 3] = [
        ("worker", &worker, StatusCode::FORBIDDEN),
        (
            "other enterprise's manager",
            &stranger,
            StatusCode::NOT_FOUND,
        ),
        ("bureau officer", &officer, StatusCode::FORBIDDEN),
    ];
    for (label, token, expected) in cases {
        let a = upload(&app, token, &ent, CSV, csv.into()).await;
        assert_eq!(a.status, expected, "{label}: {:?}", a.json);
    }
    let before = user_count(&app, &ent).await;
    assert_eq!(before, 1, "only the worker the test created");
    let (_, principal) = app.user("principal", Some(&ent), None).await;
    let ok = upload(&app, &principal, &ent, CSV, csv.into()).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{:?}", ok.json);
    assert_eq!(ok.json["imported"], 1);
}
