//! Identity disclosure over real HTTP: two custodians, shown once, audited, seen by the reporter;
//! and no other staff answer ever carries the worker's name, employee number or phone.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel::prelude::*;
use qingling_api::store::schema::audit_events;
use qingling_tests::rewards::{
    WORKER_EMPLOYEE_NO, WORKER_NAME, WORKER_PHONE, anonymous, confidential, follow_up,
    my_follow_up, site,
};
use qingling_tests::{Answer, TestApp, spawn_app};
use reqwest::StatusCode;
use serde_json::json;

async fn request(app: &TestApp, token: &str, report_id: &str) -> Answer {
    app.post(
        &format!("/api/v1/reports/{report_id}/disclosures"),
        token,
        json!({"reason": "工伤认定需要核实举报人身份"}),
    )
    .await
}

fn assert_no_identity(what: &str, text: &str) {
    for secret in [WORKER_NAME, WORKER_EMPLOYEE_NO, WORKER_PHONE] {
        assert!(
            !text.contains(secret),
            "{what} contains the worker's identity: {text}"
        );
    }
}

#[tokio::test]
async fn disclosure_needs_a_second_custodian_and_opens_once_for_the_requester() {
    let app = spawn_app().await;
    let s = site(&app).await;
    let r = confidential(&app, &s, &s.worker).await;
    let d = request(&app, &s.custodian1.token, &r.id).await;
    assert_eq!(d.status, StatusCode::CREATED, "{:?}", d.json);
    assert_eq!(d.json["status"], "requested");
    let id = d.json["id"].as_str().unwrap().to_owned();
    let path = |a: &str| format!("/api/v1/disclosures/{id}{a}");

    let early = app
        .post(&path("/open"), &s.custodian1.token, json!({}))
        .await;
    assert_eq!(
        (early.status, early.code()),
        (StatusCode::CONFLICT, "transition_not_allowed")
    );
    let own = app
        .post(&path("/approve"), &s.custodian1.token, json!({}))
        .await;
    assert_eq!(
        (own.status, own.code()),
        (StatusCode::FORBIDDEN, "separation_of_duties")
    );

    let ok = app
        .post(&path("/approve"), &s.custodian2.token, json!({}))
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.json);
    assert_eq!(ok.json["status"], "approved");
    assert_no_identity("the approval", &String::from_utf8_lossy(&ok.bytes));
    let again = app
        .post(&path("/refuse"), &s.custodian2.token, json!({}))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    let not_requester = app
        .post(&path("/open"), &s.custodian2.token, json!({}))
        .await;
    assert_eq!(not_requester.status, StatusCode::FORBIDDEN);

    let opened = app
        .post(&path("/open"), &s.custodian1.token, json!({}))
        .await;
    assert_eq!(opened.status, StatusCode::OK, "{:?}", opened.json);
    assert_eq!(opened.json["identity"]["display_name"], WORKER_NAME);
    assert_eq!(opened.json["identity"]["employee_no"], WORKER_EMPLOYEE_NO);
    assert_eq!(opened.json["identity"]["phone"], WORKER_PHONE);
    assert_eq!(opened.json["identity"]["user_id"], s.worker.id.as_str());
    assert_eq!(opened.json["disclosure"]["status"], "opened");

    let twice = app
        .post(&path("/open"), &s.custodian1.token, json!({}))
        .await;
    assert_eq!(
        (twice.status, twice.code()),
        (StatusCode::GONE, "disclosure_already_opened")
    );
    assert_no_identity("the second read", &String::from_utf8_lossy(&twice.bytes));

    // Every step is audited, and no audit detail holds the identity.
    let events: Vec<(String, String)> = app
        .ctx
        .db(|c| {
            Ok(audit_events::table
                .filter(audit_events::action.like("disclosure.%"))
                .order(audit_events::seq.asc())
                .select((audit_events::action, audit_events::details))
                .load(c)?)
        })
        .await
        .unwrap();
    let actions: Vec<&str> = events.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "disclosure.request",
            "disclosure.approve",
            "disclosure.open"
        ]
    );
    for (_, details) in &events {
        assert_no_identity("an audit detail", details);
    }
}

#[tokio::test]
async fn a_refused_disclosure_never_opens_and_the_reporter_sees_every_request() {
    let app = spawn_app().await;
    let s = site(&app).await;
    let r = confidential(&app, &s, &s.worker).await;
    let a = request(&app, &s.custodian1.token, &r.id).await;
    let a_id = a.json["id"].as_str().unwrap().to_owned();
    let refused = app
        .post(
            &format!("/api/v1/disclosures/{a_id}/refuse"),
            &s.custodian2.token,
            json!({}),
        )
        .await;
    assert_eq!(refused.json["status"], "refused");
    let read = app
        .post(
            &format!("/api/v1/disclosures/{a_id}/open"),
            &s.custodian1.token,
            json!({}),
        )
        .await;
    assert_eq!(read.status, StatusCode::CONFLICT);

    let b = request(&app, &s.custodian2.token, &r.id).await;
    let b_id = b.json["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/disclosures/{b_id}/approve"),
        &s.custodian1.token,
        json!({}),
    )
    .await;
    let opened = app
        .post(
            &format!("/api/v1/disclosures/{b_id}/open"),
            &s.custodian2.token,
            json!({}),
        )
        .await;
    assert_eq!(opened.status, StatusCode::OK);

    // The reporter sees both, logged in and with the receipt code alike.
    let mine = my_follow_up(&app, &s.worker, &r.id).await;
    assert_eq!(
        mine["disclosures"],
        follow_up(&app, &r).await["disclosures"]
    );
    let seen = mine["disclosures"].as_array().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0]["status"], "refused");
    assert_eq!(seen[0]["to_name"], "保管员甲");
    assert_eq!(seen[0]["reason"], "工伤认定需要核实举报人身份");
    assert!(seen[0]["opened_at"].is_null());
    assert_eq!(seen[1]["status"], "opened");
    assert_eq!(seen[1]["to_name"], "保管员乙");
    assert_eq!(seen[1]["to_role"], "custodian");
    assert!(seen[1]["opened_at"].is_string());
}

#[tokio::test]
async fn a_second_custodian_finds_the_requests_waiting_for_them() {
    let app = spawn_app().await;
    let s = site(&app).await;
    let other = site(&app).await;
    let r1 = confidential(&app, &s, &s.worker).await;
    let r2 = confidential(&app, &s, &s.worker).await;
    let a = request(&app, &s.custodian1.token, &r1.id).await;
    let b = request(&app, &s.custodian1.token, &r2.id).await;
    let (a_id, b_id) = (
        a.json["id"].as_str().unwrap(),
        b.json["id"].as_str().unwrap(),
    );
    // Another enterprise's request never shows.
    let o = confidential(&app, &other, &other.worker).await;
    request(&app, &other.custodian1.token, &o.id).await;

    let waiting = app
        .get("/api/v1/disclosures?status=requested", &s.custodian2.token)
        .await;
    assert_eq!(waiting.status, StatusCode::OK, "{:?}", waiting.json);
    let items = waiting.json["items"].as_array().unwrap();
    let ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [b_id, a_id], "newest first");
    assert!(
        items
            .iter()
            .all(|i| i["may_decide"] == true && i["may_open"] == false)
    );
    assert_eq!(items[1]["report_id"], r1.id.as_str());
    assert_eq!(items[1]["reason"], "工伤认定需要核实举报人身份");
    assert_no_identity("the list", &String::from_utf8_lossy(&waiting.bytes));

    // The requester sees them too, but may not decide their own.
    let own = app
        .get("/api/v1/disclosures?status=requested", &s.custodian1.token)
        .await;
    assert!(
        own.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["may_decide"] == false)
    );

    app.post(
        &format!("/api/v1/disclosures/{a_id}/approve"),
        &s.custodian2.token,
        json!({}),
    )
    .await;
    let still = app
        .get("/api/v1/disclosures?status=requested", &s.custodian2.token)
        .await;
    assert_eq!(still.json["items"].as_array().unwrap().len(), 1);
    assert_eq!(still.json["items"][0]["id"], b_id);
    let approved = app
        .get("/api/v1/disclosures?status=approved", &s.custodian1.token)
        .await;
    assert_eq!(approved.json["items"][0]["id"], a_id);
    assert_eq!(approved.json["items"][0]["may_open"], true);

    // Paging and bad input.
    let page1 = app
        .get("/api/v1/disclosures?limit=1", &s.custodian2.token)
        .await;
    assert_eq!(page1.json["items"].as_array().unwrap().len(), 1);
    let cursor = page1.json["next_cursor"].as_str().unwrap();
    let page2 = app
        .get(
            &format!("/api/v1/disclosures?limit=1&cursor={cursor}"),
            &s.custodian2.token,
        )
        .await;
    assert_eq!(page2.json["items"][0]["id"], a_id);
    assert!(page2.json["next_cursor"].is_null());
    let bad = app
        .get("/api/v1/disclosures?status=pending", &s.custodian2.token)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // Nobody but custodians lists them.
    let (_, bureau) = app.user("bureau_officer", None, Some("jiangbei")).await;
    for token in [
        &s.manager.token,
        &s.principal.token,
        &s.worker.token,
        &app.admin_token,
        &bureau,
    ] {
        let a = app.get("/api/v1/disclosures", token).await;
        assert_eq!((a.status, a.code()), (StatusCode::FORBIDDEN, "forbidden"));
    }
}

#[tokio::test]
async fn nobody_but_the_enterprises_custodians_has_a_route_to_an_identity() {
    let app = spawn_app().await;
    let s = site(&app).await;
    let other = site(&app).await;
    let (_, bureau) = app.user("bureau_officer", None, Some("jiangbei")).await;
    let r = confidential(&app, &s, &s.worker).await;
    for (token, status) in [
        (&s.manager.token, StatusCode::FORBIDDEN),
        (&s.principal.token, StatusCode::FORBIDDEN),
        (&s.worker.token, StatusCode::FORBIDDEN),
        (&app.admin_token, StatusCode::NOT_FOUND),
        (&bureau, StatusCode::NOT_FOUND),
        (&other.custodian1.token, StatusCode::NOT_FOUND),
    ] {
        let a = request(&app, token, &r.id).await;
        assert_eq!(a.status, status, "{:?}", a.json);
    }
    let d = request(&app, &s.custodian1.token, &r.id).await;
    let id = d.json["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/disclosures/{id}/approve"),
        &s.custodian2.token,
        json!({}),
    )
    .await;
    for token in [
        &s.manager.token,
        &s.principal.token,
        &app.admin_token,
        &bureau,
        &other.custodian1.token,
    ] {
        let a = app
            .post(&format!("/api/v1/disclosures/{id}/open"), token, json!({}))
            .await;
        assert!(matches!(a.status.as_u16(), 403 | 404), "{:?}", a.json);
        assert_no_identity("a refused read", &String::from_utf8_lossy(&a.bytes));
    }
    // Still unopened: the requester reads it.
    let a = app
        .post(
            &format!("/api/v1/disclosures/{id}/open"),
            &s.custodian1.token,
            json!({}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
}

#[tokio::test]
async fn a_disclosure_needs_a_written_reason_and_an_identity() {
    let app = spawn_app().await;
    let s = site(&app).await;
    let r = confidential(&app, &s, &s.worker).await;
    let short = app
        .post(
            &format!("/api/v1/reports/{}/disclosures", r.id),
            &s.custodian1.token,
            json!({"reason": "查"}),
        )
        .await;
    assert_eq!(
        (short.status, short.code()),
        (StatusCode::BAD_REQUEST, "validation_failed")
    );
    let anon = anonymous(&app, &s).await;
    let a = request(&app, &s.custodian1.token, &anon.id).await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::CONFLICT, "transition_not_allowed")
    );
    let missing = request(&app, &s.custodian1.token, "no-such-report").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

/// Every staff, bureau and admin route, walked with every staff role, after the worker's
/// confidential reports went the whole way (submitted with a photo, triaged, rewarded, approved,
/// paid, messaged, disclosure requested and approved, rejected and appealed to the bureau): no
/// answer carries the worker's name, employee number or phone. The GET routes come from
/// `/openapi.json`, so a route added later is walked too (or the test says it cannot fill its
/// path). The one route that may answer with the identity — `POST /api/v1/disclosures/{id}/open`
/// by its requester after approval — is a POST, so the walk of GETs never opens it.
#[tokio::test]
async fn no_staff_route_answers_with_the_workers_name_employee_number_or_phone() {
    let app = spawn_app().await;
    let s = site(&app).await;
    let (_, bureau) = app.user("bureau_officer", None, Some("jiangbei")).await;
    let mut answers: Vec<(String, Answer)> = Vec::new();
    let mut keep = |what: &str, a: Answer| {
        assert!(a.status.as_u16() < 500, "{what}: {:?}", a.json);
        answers.push((what.to_owned(), a));
    };

    // A confidential report that is accepted, rewarded, approved and paid, with messages.
    let r = confidential(&app, &s, &s.worker).await;
    let triage = app
        .triage(
            &s.manager.token,
            &r.id,
            json!({"decision": "accept", "level": "general"}),
        )
        .await;
    assert_eq!(triage.status, StatusCode::OK, "{:?}", triage.json);
    let hazard = triage.json["hazard_id"].as_str().unwrap().to_owned();
    keep("triage", triage);
    let reward = qingling_tests::rewards::reward_of(&app, &s.manager, &r.id)
        .await
        .unwrap();
    let reward_id = reward["id"].as_str().unwrap().to_owned();
    let rp = |a: &str| format!("/api/v1/rewards/{reward_id}/{a}");
    keep(
        "adjust",
        app.post(
            &rp("adjust"),
            &s.manager2.token,
            json!({"amount_fen": 15000, "reason": "部分重复"}),
        )
        .await,
    );
    keep(
        "approve",
        app.post(&rp("approve"), &s.manager.token, json!({})).await,
    );
    keep(
        "paid",
        app.post(
            &rp("paid"),
            &s.principal.token,
            json!({"reference": "工资单 R1"}),
        )
        .await,
    );
    let msg = app
        .post(
            &format!("/m/v1/reports/{}/messages", r.id),
            &s.worker.token,
            json!({"body": "隐患还在，请尽快处理"}),
        )
        .await;
    assert_eq!(msg.status, StatusCode::CREATED, "{:?}", msg.json);
    keep(
        "message reporter",
        app.post(
            &format!("/api/v1/reports/{}/messages", r.id),
            &s.manager.token,
            json!({"body": "已安排整改"}),
        )
        .await,
    );
    keep(
        "plan",
        app.put(
            &format!("/api/v1/hazards/{hazard}/plan"),
            &s.manager.token,
            qingling_tests::ledger::full_plan("安全科 李工", "2027-01-31"),
        )
        .await,
    );

    // Evidence with a photo, so the hazard's photo route has something to show.
    let evidence = reqwest::multipart::Form::new()
        .text("evidence", json!({"note": "护栏已恢复"}).to_string())
        .part(
            "photo",
            reqwest::multipart::Part::bytes(qingling_tests::photos::jpeg(64, 48)),
        );
    let evidence = app
        .post_form(
            &format!("/api/v1/hazards/{hazard}/evidence"),
            Some(&s.manager.token),
            evidence,
            None,
        )
        .await;
    assert_eq!(evidence.status, StatusCode::OK, "{:?}", evidence.json);
    let hazard_photo = evidence.json["evidence"][0]["photos"][0]["id"]
        .as_str()
        .expect("the evidence photo")
        .to_owned();
    keep("evidence", evidence);

    // A second report of the worker, rejected and appealed to the bureau.
    let r2 = confidential(&app, &s, &s.worker).await;
    keep(
        "reject",
        app.triage(
            &s.manager.token,
            &r2.id,
            json!({"decision": "reject", "reason": "不属于隐患"}),
        )
        .await,
    );
    let appeal = app
        .post(
            &format!("/m/v1/reports/{}/appeal", r2.id),
            &s.worker.token,
            json!({"reason": "驳回理由不成立，现场仍有风险"}),
        )
        .await;
    assert_eq!(appeal.status, StatusCode::CREATED, "{:?}", appeal.json);
    let escalations = app.get("/api/v1/bureau/escalations", &bureau).await;
    assert_eq!(escalations.status, StatusCode::OK, "{:?}", escalations.json);
    let escalation = escalations.json["items"][0]["id"]
        .as_str()
        .expect("the appeal opened an escalation")
        .to_owned();
    let ep = |a: &str| format!("/api/v1/bureau/escalations/{escalation}/{a}");
    keep(
        "acknowledge",
        app.post(&ep("acknowledge"), &bureau, json!({})).await,
    );
    keep(
        "bureau message",
        app.post(&ep("messages"), &bureau, json!({"body": "请说明整改情况"}))
            .await,
    );

    // Disclosures: one still waiting (walked below), one approved (listed, never opened here).
    let pending = request(&app, &s.custodian1.token, &r.id).await;
    let disclosure = pending.json["id"].as_str().unwrap().to_owned();
    keep("disclosure request", pending);
    let other = request(&app, &s.custodian2.token, &r2.id).await;
    let other_id = other.json["id"].as_str().unwrap().to_owned();
    keep(
        "disclosure approve",
        app.post(
            &format!("/api/v1/disclosures/{other_id}/approve"),
            &s.custodian1.token,
            json!({}),
        )
        .await,
    );

    let detail = app
        .get(&format!("/api/v1/reports/{}", r.id), &s.manager.token)
        .await;
    let photo = detail.json["photos"][0]["id"].as_str().unwrap().to_owned();
    let appealed_photo = app
        .get(&format!("/api/v1/reports/{}", r2.id), &s.manager.token)
        .await
        .json["photos"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(detail.json["timeline"].as_array().unwrap().len() >= 2);
    assert!(!detail.json["messages"].as_array().unwrap().is_empty());

    // Walk every GET route outside the phone's /m/v1 with every staff role.
    let spec = app
        .call(reqwest::Method::GET, "/openapi.json", None, None)
        .await;
    let mut gets: Vec<String> = spec.json["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(p, ops)| !p.starts_with("/m/") && ops.get("get").is_some())
        .map(|(p, _)| p.clone())
        .collect();
    gets.sort();
    assert!(gets.len() >= 25, "{gets:?}");
    let fill = |template: &str| -> String {
        // Each photo route shows the photos of its own subject.
        let photo = if template.starts_with("/api/v1/hazards/") {
            &hazard_photo
        } else if template.starts_with("/api/v1/bureau/escalations/") {
            &appealed_photo
        } else {
            &photo
        };
        let with_photo = template
            .replace("{photo_id}", photo)
            .replace("{enterprise_id}", &s.enterprise_id)
            .replace("{path}", "jiangbei");
        let id = [
            ("/enterprises/{id}", &s.enterprise_id),
            ("/reports/{id}", &r.id),
            ("/hazards/{id}", &hazard),
            ("/rewards/{id}", &reward_id),
            ("/disclosures/{id}", &disclosure),
            ("/bureau/escalations/{id}", &escalation),
        ]
        .into_iter()
        .find(|(prefix, _)| with_photo.contains(prefix))
        .map(|(_, id)| id.as_str());
        let path = match (with_photo.contains("{id}"), id) {
            (false, _) => with_photo,
            (true, Some(id)) => with_photo.replace("{id}", id),
            (true, None) => panic!("teach this test an id for {template}"),
        };
        // The hazard ledger's exports need a range.
        if path.starts_with("/api/v1/ledger.") {
            format!("{path}?from=2020-01-01&to=2029-12-31")
        } else {
            path
        }
    };
    let staff = [
        ("manager", &s.manager.token),
        ("manager2", &s.manager2.token),
        ("principal", &s.principal.token),
        ("custodian1", &s.custodian1.token),
        ("custodian2", &s.custodian2.token),
        ("admin", &app.admin_token),
        ("bureau", &bureau),
    ];
    let mut unanswered = Vec::new();
    for template in &gets {
        let path = fill(template);
        let mut someone_got_it = false;
        for (who, token) in staff {
            let a = app.get(&path, token).await;
            someone_got_it |= a.status == StatusCode::OK;
            if template == "/api/v1/users" {
                // The admin's account directory names every account holder (that is what it is
                // for) but never their phone or employee number, nor a report.
                let text = String::from_utf8_lossy(&a.bytes);
                for secret in [
                    WORKER_EMPLOYEE_NO,
                    WORKER_PHONE,
                    r.id.as_str(),
                    &r.pseudonym,
                ] {
                    assert!(!text.contains(secret), "{path} as {who}: {text}");
                }
                continue;
            }
            keep(&format!("GET {path} as {who}"), a);
        }
        // Not staff content: `/metrics` answers only the metrics token (no staff role), and
        // `/proof` (a redirect) and `/proof/{name}` (the verifier's static files) carry no data.
        let not_staff_content = ["/metrics", "/proof", "/proof/{name}"];
        if !someone_got_it && !not_staff_content.contains(&template.as_str()) {
            unanswered.push(template.clone());
        }
    }
    assert!(
        unanswered.is_empty(),
        "no staff role got a 200 from {unanswered:?}: the walk did not see their content"
    );
    assert!(
        answers
            .iter()
            .any(|(_, a)| String::from_utf8_lossy(&a.bytes).contains(&r.pseudonym)),
        "the walk saw the report"
    );
    let mut sheets_read = 0;
    for (what, a) in &answers {
        let is_xlsx = a
            .headers
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap().contains("spreadsheetml"));
        let text = if is_xlsx {
            // Compressed: read it back cell by cell, every sheet.
            use calamine::Reader;
            let mut book: calamine::Xlsx<_> =
                calamine::open_workbook_from_rs(std::io::Cursor::new(a.bytes.clone())).unwrap();
            let mut cells = Vec::new();
            for name in book.sheet_names() {
                let range = book.worksheet_range(&name).unwrap();
                cells.extend(range.cells().map(|c| c.2.to_string()));
                sheets_read += 1;
            }
            cells.join("\n")
        } else {
            String::from_utf8_lossy(&a.bytes).into_owned()
        };
        assert_no_identity(what, &text);
    }
    assert!(
        sheets_read >= 3,
        "the reward and hazard ledgers were read back"
    );

    // Nor does anything written for later: audit details and webhook payloads.
    let stored: Vec<String> = app
        .ctx
        .db(|c| {
            let mut v: Vec<String> = audit_events::table.select(audit_events::details).load(c)?;
            v.extend(
                qingling_api::store::schema::outbox::table
                    .select(qingling_api::store::schema::outbox::payload)
                    .load::<String>(c)?,
            );
            Ok(v)
        })
        .await
        .unwrap();
    assert!(stored.len() > 10);
    for text in &stored {
        assert_no_identity("an audit detail or webhook payload", text);
    }
}

/// Issue 16 item 8: the reveal changed state on a GET and could be cached. Now reading a request
/// changes nothing and carries no identity; the identity comes only from a POST answered with
/// `Cache-Control: no-store`.
#[tokio::test]
async fn reading_a_disclosure_changes_nothing_and_the_reveal_is_an_uncached_post() {
    let app = spawn_app().await;
    let s = site(&app).await;
    let r = confidential(&app, &s, &s.worker).await;
    let d = request(&app, &s.custodian1.token, &r.id).await;
    let id = d.json["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/disclosures/{id}");
    let approved = app
        .post(&format!("{path}/approve"), &s.custodian2.token, json!({}))
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{:?}", approved.json);

    for _ in 0..3 {
        let read = app.get(&path, &s.custodian1.token).await;
        assert_eq!(read.status, StatusCode::OK, "{:?}", read.json);
        assert_eq!(read.json["status"], "approved", "a GET opens nothing");
        assert_eq!(read.json["may_open"], true);
        assert_no_identity("GET of the request", &String::from_utf8_lossy(&read.bytes));
    }
    let opened = app
        .post(&format!("{path}/open"), &s.custodian1.token, json!({}))
        .await;
    assert_eq!(opened.status, StatusCode::OK, "{:?}", opened.json);
    assert_eq!(opened.json["identity"]["display_name"], WORKER_NAME);
    assert_eq!(
        opened
            .headers
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let after = app.get(&path, &s.custodian1.token).await;
    assert_eq!(after.json["status"], "opened");
    assert_eq!(after.json["may_open"], false);
    assert_no_identity("GET after opening", &String::from_utf8_lossy(&after.bytes));
}
