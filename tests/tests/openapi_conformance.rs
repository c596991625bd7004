//! The OpenAPI document says what the server checks (issue 16, item 11): for every operation of
//! the served `/openapi.json` that takes a JSON body, bodies built from the schema alone
//! (`qingling_tests::openapi`: the required fields at their lower bounds, and every field at its
//! upper bound) are sent as a role that may call the operation, with real ids from a seeded
//! enterprise where the path names one, and none may get a validation answer (400 or 422). An
//! answer from state is fine and expected for some: 404 (a fixture id this role does not reach),
//! 409 (the second of two calls finds the report already triaged, the user already there), 401
//! and 403 from the login and password routes whose sample credentials are wrong.
//!
//! Then each string bound the schema states is probed from the other side: one character past
//! `maxLength`, and one short of a `minLength` of at least 1, must be refused with 400/422. So a
//! bound is in one place in effect: the schema attribute and the server's check may not differ
//! without this test failing. (utoipa 5.5 reads `max_length = …` as a literal only, so the
//! attribute cannot name the service's constant; this probe ties the two instead.)
//!
//! What the schema cannot say, the test says here, each with its reason (`adjust`): fields that
//! depend on each other (a worker has an enterprise and no jurisdiction; a sweep's date falls in
//! its quarter; the monthly cap is at least three major rewards).

use qingling_tests::openapi::{
    Doc, Known, OPTIONAL_TEXT, Operation, Size, TEXT, Tenant, fill_path,
};
use qingling_tests::{PASSWORD, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

const JURISDICTION: &str = "jiangbei/gongyeyuan";

/// 400s that name state, not the shape of the body: an activation code of the right shape that
/// was never issued.
const STATE_CODES: &[&str] = &["invalid_activation_code"];

struct World {
    app: TestApp,
    doc: Doc,
    own: Tenant,
    officer: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let (_, officer) = app.user("bureau_officer", None, Some(JURISDICTION)).await;
    let own = app.tenant(JURISDICTION, &officer).await;
    let doc = Doc::fetch(&app).await;
    World {
        app,
        doc,
        own,
        officer,
    }
}

impl World {
    /// The token of a role that may call the operation (`None`: no token).
    async fn caller(&self, op: &Operation) -> Option<String> {
        let p = op.path.as_str();
        let t = &self.own;
        if p == "/api/v1/auth/password" || p == "/m/v1/auth/password" {
            // A user of its own: a successful change ends that user's tokens. The phone's is a
            // worker's.
            let role = if p.starts_with("/m/") {
                "worker"
            } else {
                "safety_manager"
            };
            let (_, token) = self.app.user(role, Some(&t.enterprise_id), None).await;
            return Some(token);
        }
        if p.starts_with("/api/v1/auth/")
            || p.starts_with("/m/v1/auth/")
            || p.starts_with("/m/v1/receipt")
            || p.starts_with("/m/v1/intake")
            || p.starts_with("/m/v1/activate")
            || p.starts_with("/m/v1/proof")
        {
            return None;
        }
        let token = if p.starts_with("/api/v1/bureau/")
            || p.starts_with("/api/v1/notifications/jurisdictions/")
        {
            &self.officer
        } else if p.contains("disclosures") {
            &t.custodian.token
        } else if p.ends_with("/approve") || p.ends_with("/reward-policy") {
            &t.principal.token
        } else if (p == "/api/v1/enterprises" && op.method == "POST")
            || p.starts_with("/api/v1/users")
            || p == "/api/v1/criteria"
            || p.starts_with("/api/v1/outbox")
        {
            &self.app.admin_token
        } else if p.starts_with("/m/v1/") {
            &t.worker.token
        } else {
            &t.manager.token
        };
        Some(token.clone())
    }

    /// Values that must be real for this operation.
    async fn known(&self, op: &Operation) -> Known {
        let mut k = self.own.known();
        match op.path.as_str() {
            "/api/v1/auth/refresh"
            | "/api/v1/auth/logout"
            | "/m/v1/auth/refresh"
            | "/m/v1/auth/logout" => {
                let (u, _) = self
                    .app
                    .user("worker", Some(&self.own.enterprise_id), None)
                    .await;
                let a = self
                    .app
                    .login(u["username"].as_str().unwrap_or_default(), PASSWORD)
                    .await;
                k.set("refresh_token", a.json["refresh_token"].clone());
            }
            "/api/v1/auth/password" | "/m/v1/auth/password" => k.set("current_password", PASSWORD),
            "/m/v1/intake" => k.set("code", self.own.intake_code.clone()),
            _ => {}
        }
        k
    }
}

/// What the schema cannot say: rules between fields.
fn adjust(op: &Operation, size: Size, body: &mut Value, own: &Tenant) {
    match op.path.as_str() {
        // A worker belongs to an enterprise and has no jurisdiction.
        "/api/v1/users" => {
            body["role"] = json!("worker");
            body["enterprise_id"] = json!(own.enterprise_id);
            if let Some(m) = body.as_object_mut() {
                m.remove("jurisdiction");
            }
        }
        // The cap is at least three major rewards, and a major reward at least a general one.
        "/api/v1/enterprises/{id}/reward-policy" if size == Size::Maximal => {
            let cap = body["monthly_cap_fen"].as_i64().unwrap_or(0);
            for f in ["general_fen", "major_fen", "principal_threshold_fen"] {
                body[f] = json!(cap / 3);
            }
        }
        // An adjusted reward is at most the policy's standard for its level (the default policy's
        // general reward, 200 yuan; the enterprise's own policy is set later in the walk).
        "/api/v1/rewards/{id}/adjust" => {
            let a = body["amount_fen"].as_i64().unwrap_or(1);
            body["amount_fen"] = json!(a.min(100));
        }
        // A sweep's date falls within its quarter.
        "/api/v1/sweeps" => {
            if let Some(d) = body["date"]
                .as_str()
                .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            {
                body["quarter"] = json!(qingling_api::domain::quarter::Quarter::of(d).to_string());
            }
        }
        _ => {}
    }
}

fn is_validation(status: u16, code: &str) -> bool {
    (status == 400 && !STATE_CODES.contains(&code)) || status == 422
}

async fn send(w: &World, op: &Operation, token: Option<&str>, body: &Value) -> (u16, String) {
    let path = fill_path(&op.path, |p, t| w.own.path_value(p, t));
    let method = Method::from_bytes(op.method.as_bytes()).unwrap_or(Method::POST);
    let a = w.app.call(method, &path, token, Some(body)).await;
    let code = a.code().to_owned();
    (a.status.as_u16(), format!("{code} {}", a.json["detail"]))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_valid_bodies_are_accepted_and_schema_bounds_are_the_servers() {
    let w = world().await;
    let mut failures = Vec::new();
    let mut sent = 0;
    let mut probes = 0;
    let ops: Vec<Operation> = w
        .doc
        .operations()
        .into_iter()
        // The proof check's body is a signed proof of report: its signature, not its shape,
        // decides (422 `proof_invalid` for anything the platform did not sign).
        .filter(|o| o.json_body.is_some() && o.path != "/m/v1/proof/qr")
        .collect();
    assert!(ops.len() > 30, "only {} JSON operations", ops.len());
    for op in &ops {
        let Some(schema) = &op.json_body else {
            continue;
        };
        let mut maximal = Value::Null;
        for size in [Size::Minimal, Size::Maximal] {
            let known = w.known(op).await;
            let mut body = w.doc.sample(schema, size, "", &known);
            adjust(op, size, &mut body, &w.own);
            let token = w.caller(op).await;
            let (status, why) = send(&w, op, token.as_deref(), &body).await;
            sent += 1;
            println!("{} {} {size:?}: {status} {why}", op.method, op.path);
            if is_validation(status, why.split(' ').next().unwrap_or_default()) || status >= 500 {
                failures.push(format!(
                    "{} {} {size:?}: {status} {why}\n    body: {body}",
                    op.method, op.path
                ));
            }
            maximal = body;
        }
        // The bounds from the other side, on the maximal body.
        let s = w.doc.resolve(schema).clone();
        let known = w.known(op).await;
        let Some(props) = s["properties"].as_object() else {
            continue;
        };
        for (name, p) in props {
            let p = w.doc.resolve(p);
            let p = p["oneOf"]
                .as_array()
                .and_then(|b| b.iter().find(|b| b["type"] != "null"))
                .map(|b| w.doc.resolve(b))
                .unwrap_or(p);
            let textual = matches!(p["pattern"].as_str(), Some(x) if x == TEXT || x == OPTIONAL_TEXT)
                || (p["pattern"].is_null() && p["format"].is_null() && p["enum"].is_null());
            if known.get(name).is_some() || !textual || !p["type"].to_string().contains("string") {
                continue;
            }
            let mut bad = Vec::new();
            if let Some(max) = p["maxLength"].as_u64() {
                bad.push(("maxLength + 1", max + 1));
            }
            if let Some(min) = p["minLength"].as_u64().filter(|m| *m >= 1) {
                bad.push(("minLength - 1", min - 1));
            }
            for (what, len) in bad {
                let mut body = maximal.clone();
                body[name] = json!("隐".repeat(len as usize));
                let token = w.caller(op).await;
                let (status, why) = send(&w, op, token.as_deref(), &body).await;
                probes += 1;
                println!(
                    "{} {} probe `{name}` {what}: {status} {why}",
                    op.method, op.path
                );
                if !(status == 400 || status == 422) {
                    failures.push(format!(
                        "{} {} `{name}` at {what} ({len}): {status} {why} — the schema's bound is not the server's",
                        op.method, op.path
                    ));
                }
            }
        }
    }
    println!(
        "{} JSON operations, {sent} schema-valid bodies, {probes} bound probes",
        ops.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Errors are documented as the server sends them: every response of every operation that
/// carries the `Problem` schema is `application/problem+json` (never `application/json`), and
/// the answers the shared extractors give are listed: 401 and 403 where a token is needed, 400
/// where there are parameters or a body, 415 where there is a body. Schemathesis counted 77
/// undocumented content types and 92 undocumented status codes before.
#[tokio::test]
async fn errors_are_documented_as_problem_json_with_the_shared_answers() {
    let app = spawn_app().await;
    let doc = app
        .call(Method::GET, "/openapi.json", None, None)
        .await
        .json;
    let mut ops = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            ops += 1;
            let at = format!("{} {path}", method.to_uppercase());
            let responses = op["responses"].as_object().unwrap();
            for (code, r) in responses {
                if let Some(content) = r["content"].as_object() {
                    for (ct, c) in content {
                        let problem = c["schema"]["$ref"]
                            .as_str()
                            .is_some_and(|s| s.ends_with("/Problem"));
                        assert!(
                            !problem || ct == "application/problem+json",
                            "{at} {code}: a Problem documented as {ct}"
                        );
                    }
                }
            }
            let has = |code: &str| responses.contains_key(code);
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            if secured {
                assert!(
                    has("401") && has("403"),
                    "{at}: a token is needed, 401/403 missing"
                );
            }
            if op.get("requestBody").is_some() {
                assert!(
                    has("400") && has("415"),
                    "{at}: takes a body, 400/415 missing"
                );
            }
        }
    }
    assert!(ops > 90, "every operation was looked at ({ops})");
}
