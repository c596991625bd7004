//! The bureau officer's console pages over real HTTP: the 清零看板 lists only the jurisdiction's
//! enterprises, another jurisdiction's escalation, enterprise and appeal answer 404, staff are
//! refused; 签收, 督办 (a date and instructions), 销号 refused in words before the enterprise's
//! passed verification and allowed after, 不予立案; an appeal's conversation carries the
//! reporter's words and never their identity, and the reply reaches the report's channel; the
//! board and the escalations download as XLSX with Chinese headers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use calamine::{Data, Reader, Xlsx};
use qingling_tests::escalation::NewReport;
use qingling_tests::ledger::full_plan;
use qingling_tests::{PASSWORD, TestApp, spawn_app_with};
use reqwest::StatusCode;
use serde_json::json;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Unplanned major hazards escalate after one second; the sweeper runs every 100 ms.
async fn fast_app() -> TestApp {
    spawn_app_with(|s| {
        s.deadlines.plan = Duration::from_secs(1);
        s.deadlines.sweep_interval = Duration::from_millis(100);
    })
    .await
}

/// A signed-in console user: the session cookie and the page's CSRF token.
struct Desk<'a> {
    app: &'a TestApp,
    cookie: String,
}

impl<'a> Desk<'a> {
    async fn sign_in(app: &'a TestApp, username: &str) -> Desk<'a> {
        let r = app.console_login(username).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let cookie = qingling_tests::session_cookie(&r).unwrap();
        Desk { app, cookie }
    }

    async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = client()
            .get(format!("{}{path}", self.app.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        let status = r.status();
        if status == StatusCode::OK {
            assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
        }
        (status, r.text().await.unwrap())
    }

    async fn bytes(&self, path: &str) -> (StatusCode, Vec<u8>) {
        let r = client()
            .get(format!("{}{path}", self.app.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        (r.status(), r.bytes().await.unwrap().to_vec())
    }

    /// Posts a form from `page` (whose HTML carries the token) to `path`.
    async fn post(&self, page: &str, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
        let (_, html) = self.get(page).await;
        let token = csrf_of(&html);
        let mut form: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
        form.extend_from_slice(fields);
        let r = client()
            .post(format!("{}{path}", self.app.base))
            .header("cookie", &self.cookie)
            .header("origin", &self.app.base)
            .form(&form)
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }
}

fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("a form with a token")
        + 19;
    html[at..].split('"').next().unwrap().to_owned()
}

async fn username_of(app: &TestApp, role: &str, jurisdiction: &str) -> String {
    let username = format!("{role}-{}", qingling_tests::short_id());
    let a = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"username": username, "password": PASSWORD, "role": role,
                   "display_name": "监管人员", "jurisdiction": jurisdiction}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    username
}

async fn escalated_hazard(app: &TestApp, site: &qingling_tests::ledger::Site) -> (String, String) {
    let hid = app.swept_hazard(site, "major").await;
    for _ in 0..200 {
        if let Some(e) = app.escalations_of_subject("hazard", &hid).await.first() {
            return (hid, e.id.clone());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the unplanned major hazard did not escalate");
}

async fn enterprise_name(app: &TestApp, id: &str) -> String {
    let a = app
        .get(&format!("/api/v1/enterprises/{id}"), &app.admin_token)
        .await;
    a.json["name"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_officer_sees_only_the_jurisdiction_and_another_jurisdictions_pages_are_404() {
    let app = fast_app().await;
    let site = app.ledger_site("steel").await;
    let (_, esc) = escalated_hazard(&app, &site).await;
    let other = app.create_enterprise("steel", "hn/zone").await;
    let other_id = other["id"].as_str().unwrap().to_owned();
    let (_, other_manager) = app.user("safety_manager", Some(&other_id), None).await;
    let hid = app
        .post(
            "/api/v1/hazards",
            &other_manager,
            json!({"title": "煤气柜区无报警", "description": "无固定式报警仪", "level": "major"}),
        )
        .await
        .json["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut other_esc = None;
    for _ in 0..200 {
        if let Some(e) = app.escalations_of_subject("hazard", &hid).await.first() {
            other_esc = Some(e.id.clone());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let other_esc = other_esc.expect("the other hazard escalates");

    let officer = username_of(&app, "bureau_officer", "jb").await;
    let desk = Desk::sign_in(&app, &officer).await;
    let r = client()
        .get(format!("{}/console/", app.base))
        .header("cookie", &desk.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["location"],
        "/console/bureau",
        "the landing page"
    );
    let (status, board) = desk.get("/console/bureau").await;
    assert_eq!(status, StatusCode::OK);
    let name = enterprise_name(&app, &site.id).await;
    assert!(
        board.contains(&name),
        "the jurisdiction's enterprise is a row"
    );
    assert!(
        !board.contains(other["name"].as_str().unwrap()),
        "another jurisdiction's enterprise is absent"
    );
    assert!(board.contains("data-count=\"1\""), "one open major hazard");
    assert!(board.contains("<svg id=\"months-chart\""));
    for sort in ["name", "open", "overdue", "closed", "escalations", "days"] {
        let (s, _) = desk.get(&format!("/console/bureau?sort={sort}")).await;
        assert_eq!(s, StatusCode::OK, "{sort}");
    }
    let (s, list) = desk.get("/console/bureau/escalations").await;
    assert_eq!(s, StatusCode::OK);
    assert!(list.contains(&esc) && !list.contains(&other_esc));
    assert_eq!(
        desk.get(&format!("/console/bureau/escalations/{esc}"))
            .await
            .0,
        StatusCode::OK
    );
    for path in [
        format!("/console/bureau/escalations/{other_esc}"),
        format!("/console/bureau/enterprises/{other_id}"),
        format!("/console/bureau/enterprises/{other_id}?closed=1"),
        format!("/console/bureau/appeals/{other_esc}"),
        format!("/console/bureau/appeals/{esc}"),
    ] {
        assert_eq!(desk.get(&path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    let (s, _) = desk
        .post(
            &format!("/console/bureau/escalations/{esc}"),
            &format!("/console/bureau/escalations/{other_esc}/acknowledge"),
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "acting across jurisdictions");
    let row = app.escalations_of_subject("hazard", &hid).await;
    assert_eq!(row[0].status, "open", "nothing changed");

    // Enterprise staff: refused, as by the API.
    let manager = format!("safety_manager-{}", qingling_tests::short_id());
    let a = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"username": manager, "password": PASSWORD, "role": "safety_manager",
                   "display_name": "安全员", "enterprise_id": site.id}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    let staff = Desk::sign_in(&app, &manager).await;
    assert_eq!(staff.get("/console/bureau").await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        staff
            .get(&format!("/console/bureau/escalations/{esc}"))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_officer_acknowledges_supervises_and_closes_only_after_verification() {
    let app = fast_app().await;
    let site = app.ledger_site("steel").await;
    let (hid, esc) = escalated_hazard(&app, &site).await;
    let officer = username_of(&app, "bureau_officer", "jb").await;
    let desk = Desk::sign_in(&app, &officer).await;
    let page = format!("/console/bureau/escalations/{esc}");
    let act = |a: &'static str| format!("/console/bureau/escalations/{esc}/{a}");
    let status = || async { app.escalations_of_subject("hazard", &hid).await[0].clone() };

    let (s, _) = desk.post(&page, &act("acknowledge"), &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(status().await.status, "acknowledged");

    let (s, html) = desk
        .post(
            &page,
            &act("supervise"),
            &[("deadline", "2020-01-01"), ("instructions", "立即整改")],
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a past date is refused");
    assert!(html.contains("期限应为将来"), "in the service's words");
    let day = (chrono::Utc::now() + chrono::Duration::days(7))
        .format("%Y-%m-%d")
        .to_string();
    let (s, _) = desk
        .post(
            &page,
            &act("supervise"),
            &[("deadline", &day), ("instructions", "七日内完成泄爆改造")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let row = status().await;
    assert_eq!(row.status, "supervising");
    assert_eq!(row.instructions.as_deref(), Some("七日内完成泄爆改造"));
    // The end of that day in Beijing: 15:59:59 UTC.
    assert_eq!(
        row.bureau_deadline.unwrap().format("%H:%M:%S").to_string(),
        "15:59:59"
    );
    let (_, html) = desk.get(&page).await;
    assert!(html.contains(&format!("{day} 23:59")), "the deadline shown");

    let (s, html) = desk.post(&page, &act("close"), &[]).await;
    assert_eq!(s, StatusCode::CONFLICT, "销号 before verification");
    assert!(
        html.contains("企业验收通过后，督办部门方可销号"),
        "refused in words"
    );
    assert_eq!(status().await.status, "supervising");

    let hazard = format!("/api/v1/hazards/{hid}");
    let plan = app
        .put(
            &format!("{hazard}/plan"),
            &site.manager,
            full_plan("王工", "2099-12-31"),
        )
        .await;
    assert_eq!(plan.status, StatusCode::OK, "{:?}", plan.json);
    let ev = app
        .post(
            &format!("{hazard}/evidence"),
            &site.manager,
            json!({"note": "泄爆片已安装"}),
        )
        .await;
    assert_eq!(ev.status, StatusCode::OK, "{:?}", ev.json);
    let (_, html) = desk.get(&page).await;
    assert!(html.contains("泄爆片已安装") && html.contains("拆除吊运跨下休息室"));
    let passed = app
        .post(
            &format!("{hazard}/verify"),
            &site.principal,
            json!({"passed": true, "note": "验收合格"}),
        )
        .await;
    assert_eq!(passed.status, StatusCode::OK, "{:?}", passed.json);

    let (s, _) = desk
        .post(&page, &act("messages"), &[("body", "请上传验收记录")])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _) = desk.post(&page, &act("close"), &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "销号 after verification");
    assert_eq!(status().await.status, "closed");
    let h = app.get(&hazard, &site.manager).await;
    assert_eq!(h.json["status"], "closed");
    let (_, html) = desk.get(&page).await;
    assert!(html.contains("本事项已办结") && html.contains("请上传验收记录"));
    let (_, board) = desk.get("/console/bureau").await;
    assert!(board.contains("data-count=\"0\""), "cleared to zero");

    // The board's closed count links to the list behind it: the closed majors, not the open.
    let title = h.json["title"].as_str().unwrap().to_owned();
    let closed = format!("/console/bureau/enterprises/{}?closed=1", site.id);
    assert!(board.contains(&format!("href=\"{closed}\"")), "{board}");
    let (s, html) = desk.get(&closed).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("已销号重大隐患清单") && html.contains(&title),
        "{html}"
    );
    let (_, open) = desk
        .get(&format!("/console/bureau/enterprises/{}", site.id))
        .await;
    assert!(open.contains("没有未销号的重大隐患") && !open.contains(&title));
}

#[tokio::test]
async fn a_dismissal_needs_a_reason_and_is_shown() {
    let app = fast_app().await;
    let site = app.ledger_site("steel").await;
    let (hid, esc) = escalated_hazard(&app, &site).await;
    let officer = username_of(&app, "bureau_officer", "jb/park").await;
    let desk = Desk::sign_in(&app, &officer).await;
    let page = format!("/console/bureau/escalations/{esc}");
    let path = format!("{page}/dismiss");
    let (s, _) = desk.post(&page, &path, &[("reason", " ")]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = desk
        .post(&page, &path, &[("reason", "属于企业内部管理事项")])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(
        app.escalations_of_subject("hazard", &hid).await[0].status,
        "dismissed"
    );
    let (_, html) = desk.get(&page).await;
    assert!(html.contains("属于企业内部管理事项"));
    let (_, list) = desk
        .get("/console/bureau/escalations?status=dismissed")
        .await;
    assert!(list.contains(&esc));
    let (_, list) = desk.get("/console/bureau/escalations?status=active").await;
    assert!(!list.contains(&esc));
}

#[tokio::test]
async fn an_appeal_shows_the_reporters_words_never_their_identity_and_the_reply_reaches_them() {
    let app = fast_app().await;
    let site = app.ledger_site("steel").await;
    let (worker, _) = app
        .user_with(
            "worker",
            Some(&site.id),
            None,
            json!({"display_name": "韩梅梅", "phone": "13912345678", "employee_no": "GH-7788"}),
        )
        .await;
    let worker_id = worker["id"].as_str().unwrap().to_owned();
    let report = app
        .stored_report(
            &site.id,
            NewReport {
                status: Some("rejected"),
                worker_id: Some(worker_id.clone()),
                ..Default::default()
            },
        )
        .await;
    let a = app
        .post_anon(
            "/m/v1/receipt/appeal",
            json!({"receipt_code": report.receipt_code, "reason": "隐患仍在，企业未处理"}),
        )
        .await;
    assert!(a.status.is_success(), "{:?}", a.json);
    let esc = app.escalations_of(&report.id).await[0].id.clone();

    let officer = username_of(&app, "bureau_officer", "jb").await;
    let desk = Desk::sign_in(&app, &officer).await;
    let (s, list) = desk.get("/console/bureau/appeals").await;
    assert_eq!(s, StatusCode::OK);
    assert!(list.contains(&esc));
    let page = format!("/console/bureau/appeals/{esc}");
    let (s, html) = desk.get(&page).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("隐患仍在，企业未处理"),
        "the reporter's words"
    );
    let (s, _) = desk
        .post(
            &page,
            &format!("{page}/reply"),
            &[("body", "已收到，将派员核查")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let msgs = app
        .post_anon(
            "/m/v1/receipt",
            json!({"receipt_code": report.receipt_code}),
        )
        .await;
    assert!(msgs.status.is_success(), "{:?}", msgs.json);
    assert!(
        msgs.json.to_string().contains("已收到，将派员核查"),
        "the reporter reads the reply: {:?}",
        msgs.json
    );
    let (_, html) = desk.get(&page).await;
    assert!(html.contains("已收到，将派员核查"));
    let pseudonym = format!("举报人-{}", &report.id[..4]);
    let username = worker["username"].as_str().unwrap_or("worker-");
    for p in [
        page.clone(),
        format!("/console/bureau/escalations/{esc}"),
        "/console/bureau/appeals".to_owned(),
        "/console/bureau/escalations".to_owned(),
        "/console/bureau".to_owned(),
    ] {
        let (_, html) = desk.get(&p).await;
        for id in [
            "韩梅梅",
            "13912345678",
            "GH-7788",
            worker_id.as_str(),
            username,
            pseudonym.as_str(),
            report.receipt_code.as_str(),
        ] {
            assert!(!html.contains(id), "{id} on {p}");
        }
    }
}

#[tokio::test]
async fn the_board_and_the_escalations_download_as_xlsx_with_chinese_headers() {
    use qingling_api::services::bureau_board::{BOARD_HEADERS, ESCALATION_HEADERS};
    let app = fast_app().await;
    let site = app.ledger_site("steel").await;
    let (_, esc) = escalated_hazard(&app, &site).await;
    let officer = username_of(&app, "bureau_officer", "jb").await;
    let desk = Desk::sign_in(&app, &officer).await;
    let name = enterprise_name(&app, &site.id).await;
    let text = |d: &Data| d.to_string();

    let (s, bytes) = desk.bytes("/console/bureau/board.xlsx?sort=name").await;
    assert_eq!(s, StatusCode::OK);
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(wb.sheet_names(), ["清零看板"]);
    let sheet = wb.worksheet_range("清零看板").unwrap();
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(text).collect()).collect();
    assert_eq!(rows[0], BOARD_HEADERS);
    assert_eq!(rows.len(), 3, "one enterprise and the totals");
    assert_eq!(rows[1][0], name);
    assert_eq!(rows[1][2], "1", "one open major hazard");
    assert_eq!(rows[1][6], "1", "one open escalation");
    assert_eq!(rows[1][9], "未清零（2）");
    assert_eq!(rows[2][0], "合计");

    let (s, bytes) = desk
        .bytes("/console/bureau/escalations.xlsx?status=active")
        .await;
    assert_eq!(s, StatusCode::OK);
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = wb.worksheet_range("督办事项").unwrap();
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(text).collect()).collect();
    assert_eq!(rows[0], ESCALATION_HEADERS);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][0], name);
    assert_eq!(rows[1][1], "隐患");
    assert_eq!(rows[1][2], "除尘器未设泄爆装置");
    assert_eq!(rows[1][3], "待签收");
    assert_eq!(rows[1][4], "重大隐患未按期制定整改方案");
    let (_, bytes) = desk
        .bytes("/console/bureau/escalations.xlsx?status=closed")
        .await;
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(wb.worksheet_range("督办事项").unwrap().height(), 1);
    let _ = esc;
}
