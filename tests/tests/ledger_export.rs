//! The 台账 exports, read back with a CSV reader and an XLSX reader cell by cell.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use calamine::{Data, Reader, Xlsx};
use qingling_tests::ledger::{Site, full_plan};
use qingling_tests::{TestApp, spawn_app};
use reqwest::StatusCode;
use serde_json::json;

const HEADERS: [&str; 13] = [
    "序号",
    "隐患名称",
    "隐患等级",
    "所在区域",
    "发现时间",
    "来源",
    "整改措施",
    "责任人",
    "整改资金（元）",
    "整改期限",
    "应急预案",
    "状态",
    "销号时间",
];

/// A general hazard from a report with a hostile plan, and a closed major one from a sweep.
async fn fill(app: &TestApp, site: &Site) -> (String, String) {
    let general = app
        .accepted_hazard(site, json!({"decision": "accept", "level": "general"}))
        .await;
    let mut plan = json!({"measures": "=HYPERLINK(\"http://x\")", "responsible_person": "@王工",
                          "funds_fen": 5, "deadline": "2099-01-31"});
    plan["contingency_plan"] = json!("-1+2");
    let a = app
        .put(
            &format!("/api/v1/hazards/{general}/plan"),
            &site.manager,
            plan,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    let major = app
        .post(
            "/api/v1/hazards",
            &site.manager,
            json!({"title": "+除尘器未泄爆", "description": "d", "criterion_codes": ["MEM10-11-3"]}),
        )
        .await
        .json["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.put(
        &format!("/api/v1/hazards/{major}/plan"),
        &site.manager,
        full_plan("王工", "2099-02-01"),
    )
    .await;
    app.post(
        &format!("/api/v1/hazards/{major}/evidence"),
        &site.manager,
        json!({"note": "已加装泄爆片"}),
    )
    .await;
    let v = app
        .post(
            &format!("/api/v1/hazards/{major}/verify"),
            &site.principal,
            json!({"passed": true}),
        )
        .await;
    assert_eq!(v.json["status"], "closed");
    (general, major)
}

fn quarter(app_json: &serde_json::Value) -> String {
    app_json["quarter"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_csv_ledger_has_chinese_headers_escaped_cells_and_every_hazard() {
    let app = spawn_app().await;
    let site = app.ledger_site("steel").await;
    let (general, _major) = fill(&app, &site).await;
    let q = quarter(
        &app.get(&format!("/api/v1/hazards/{general}"), &site.manager)
            .await
            .json,
    );
    let a = app
        .get(&format!("/api/v1/ledger.csv?quarter={q}"), &site.manager)
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(
        a.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let body = a
        .bytes
        .strip_prefix("\u{feff}".as_bytes())
        .expect("UTF-8 BOM");
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body);
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].iter().collect::<Vec<_>>(), HEADERS);
    let g = &rows[1];
    assert_eq!(&g[0], "1");
    assert_eq!(&g[1], "钢包吊运跨下设有休息室");
    assert_eq!(&g[2], "一般");
    assert_eq!(&g[3], "炼钢车间");
    assert_eq!(g[4].len(), "2026-11-30 21:05".len());
    assert_eq!(&g[5], "职工举报");
    assert_eq!(&g[6], "'=HYPERLINK(\"http://x\")");
    assert_eq!(&g[7], "'@王工");
    assert_eq!(&g[8], "0.05");
    assert_eq!(&g[9], "2099-01-31");
    assert_eq!(&g[10], "'-1+2");
    assert_eq!(&g[11], "整改中");
    assert_eq!(&g[12], "");
    let m = &rows[2];
    assert_eq!(&m[0], "2");
    assert_eq!(&m[1], "'+除尘器未泄爆");
    assert_eq!(&m[2], "重大");
    assert_eq!(&m[3], "");
    assert_eq!(&m[5], "季度排查");
    assert_eq!(&m[8], "12500.00");
    assert_eq!(&m[11], "已销号");
    assert_eq!(m[12].len(), "2026-11-30 21:05".len());

    // a date range that ends before today holds nothing but the header
    let a = app
        .get(
            "/api/v1/ledger.csv?from=2020-01-01&to=2020-12-31",
            &site.manager,
        )
        .await;
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&a.bytes[3..]);
    assert_eq!(r.records().count(), 1);
}

#[tokio::test]
async fn the_xlsx_ledger_puts_general_and_major_hazards_on_separate_sheets() {
    let app = spawn_app().await;
    let site = app.ledger_site("nonferrous").await;
    let (general, _) = fill(&app, &site).await;
    let q = quarter(
        &app.get(&format!("/api/v1/hazards/{general}"), &site.manager)
            .await
            .json,
    );
    let a = app
        .get(&format!("/api/v1/ledger.xlsx?quarter={q}"), &site.manager)
        .await;
    assert_eq!(a.status, StatusCode::OK);
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(a.bytes)).unwrap();
    assert_eq!(wb.sheet_names(), ["一般隐患", "重大隐患"]);
    let text = |d: &Data| d.to_string();
    let g = wb.worksheet_range("一般隐患").unwrap();
    assert_eq!(g.height(), 2);
    let header: Vec<String> = g.rows().next().unwrap().iter().map(text).collect();
    assert_eq!(header, HEADERS);
    let row: Vec<String> = g.rows().nth(1).unwrap().iter().map(text).collect();
    assert_eq!(row[0], "1");
    assert_eq!(row[1], "钢包吊运跨下设有休息室");
    assert_eq!(row[2], "一般");
    assert_eq!(row[6], "'=HYPERLINK(\"http://x\")");
    assert_eq!(row[7], "'@王工");
    assert_eq!(row[8], "0.05");
    assert_eq!(row[10], "'-1+2");
    assert_eq!(row[11], "整改中");
    let m = wb.worksheet_range("重大隐患").unwrap();
    assert_eq!(m.height(), 2);
    let row: Vec<String> = m.rows().nth(1).unwrap().iter().map(text).collect();
    assert_eq!(row[0], "1");
    assert_eq!(row[1], "'+除尘器未泄爆");
    assert_eq!(row[2], "重大");
    assert_eq!(row[7], "王工");
    assert_eq!(row[8], "12500.00");
    assert_eq!(row[9], "2099-02-01");
    assert_eq!(row[11], "已销号");
}

#[tokio::test]
async fn exports_need_a_range_a_staff_role_and_show_only_the_own_enterprise() {
    let app = spawn_app().await;
    let site = app.ledger_site("steel").await;
    let other = app.ledger_site("steel").await;
    let (general, _) = fill(&app, &site).await;
    let q = quarter(
        &app.get(&format!("/api/v1/hazards/{general}"), &site.manager)
            .await
            .json,
    );
    for path in ["/api/v1/ledger.csv", "/api/v1/ledger.xlsx"] {
        let a = app.get(path, &site.manager).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST);
        assert_eq!(a.code(), "validation_failed");
        let a = app
            .get(
                &format!("{path}?from=2026-02-01&to=2026-01-01"),
                &site.manager,
            )
            .await;
        assert_eq!(a.code(), "validation_failed");
        let a = app.get(&format!("{path}?quarter={q}"), &site.worker).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN);
    }
    let a = app
        .get(&format!("/api/v1/ledger.csv?quarter={q}"), &other.manager)
        .await;
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&a.bytes[3..]);
    assert_eq!(r.records().count(), 1, "only the header");
    let a = app
        .get(&format!("/api/v1/ledger.xlsx?quarter={q}"), &other.manager)
        .await;
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(a.bytes)).unwrap();
    assert_eq!(wb.worksheet_range("一般隐患").unwrap().height(), 1);
    assert_eq!(wb.worksheet_range("重大隐患").unwrap().height(), 1);
}
