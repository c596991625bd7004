//! The served OpenAPI document read as a client would read it, and schema-valid request bodies
//! built from it alone: the conformance test (`tests/openapi_conformance.rs`) sends them and
//! expects no validation answer; the permission matrix (`tests/permissions.rs`) sends them so
//! that a write that must be refused could have succeeded.
//!
//! A body is built from the schema by these rules, and by nothing the server's code knows:
//!
//! - an object gets its `required` properties (minimal) or all of them (maximal);
//! - a string with `enum` takes the first value; with `format: date` or `date-time` a day or a
//!   time 30 days ahead; with `pattern`, the schema's `example` (the test fails when a pattern
//!   has none: a client could not guess a value either) — except the two text patterns
//!   ([`TEXT`], [`OPTIONAL_TEXT`]), which are filled with CJK characters;
//! - any other string is exactly `minLength` (minimal) or `maxLength` (maximal) long, starting
//!   with a control character: so a field whose lengths or pattern the schema leaves out, while
//!   the server checks them, gets a value the server refuses (an empty string, 4096 characters,
//!   a bell character);
//! - an integer is `minimum` (minimal) or `maximum` (maximal), 0 and 10⁹ when unstated;
//! - an array has `minItems` (minimal) or `maxItems` items (maximal), 64 when unstated;
//! - a property that names something that must exist (an id, a receipt code, a criterion code)
//!   takes a real value from the fixture ([`Known`]), as a client would take it from an earlier
//!   answer.

use chrono::{Duration, Utc};
use serde_json::{Map, Value, json};

use crate::TestApp;

/// The pattern of a required short text (`inputs::text`): something not blank, no control
/// characters. Must match the schema attributes character for character.
pub const TEXT: &str = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$";
/// The pattern of an optional short text (`inputs::optional_text`): no control characters.
pub const OPTIONAL_TEXT: &str = r"^[^\u0000-\u001f\u007f-\u009f]*$";

/// Length of a string, and items of an array, whose schema states no maximum.
pub const UNBOUNDED_LEN: u64 = 4096;
/// Items of an array whose schema states no `maxItems`.
pub const UNBOUNDED_ITEMS: u64 = 64;

/// Which sample body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// Required fields only, each at its lower bound.
    Minimal,
    /// Every field, each at its upper bound.
    Maximal,
}

/// One operation of the document.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Upper-case method.
    pub method: String,
    /// Path template, e.g. `/api/v1/hazards/{id}/plan`.
    pub path: String,
    /// The `application/json` request body schema, if the operation takes one.
    pub json_body: Option<Value>,
    /// Whether a body is required.
    pub body_required: bool,
    /// Other request body types (`multipart/form-data`, `text/csv`).
    pub other_bodies: Vec<String>,
}

/// The served `/openapi.json`.
#[derive(Debug, Clone)]
pub struct Doc(pub Value);

impl Doc {
    /// Fetches the document from the running app.
    pub async fn fetch(app: &TestApp) -> Self {
        let a = app
            .call(reqwest::Method::GET, "/openapi.json", None, None)
            .await;
        assert!(a.status.is_success(), "GET /openapi.json: {}", a.status);
        Self(a.json)
    }

    /// Every operation, sorted by path then method.
    pub fn operations(&self) -> Vec<Operation> {
        let mut out = Vec::new();
        let paths = self.0["paths"].as_object().cloned().unwrap_or_default();
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (method, op) in item {
                if !matches!(
                    method.as_str(),
                    "get" | "post" | "put" | "patch" | "delete" | "head" | "options"
                ) {
                    continue;
                }
                let content = op["requestBody"]["content"]
                    .as_object()
                    .cloned()
                    .unwrap_or_default();
                let json_body = content.get("application/json").map(|c| c["schema"].clone());
                let other_bodies = content
                    .keys()
                    .filter(|k| *k != "application/json")
                    .cloned()
                    .collect();
                out.push(Operation {
                    method: method.to_uppercase(),
                    path: path.clone(),
                    json_body,
                    body_required: op["requestBody"]["required"].as_bool().unwrap_or(false),
                    other_bodies,
                });
            }
        }
        out.sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
        out
    }

    /// Follows `$ref`s (and a single `allOf`) to the schema itself.
    pub fn resolve<'a>(&'a self, mut s: &'a Value) -> &'a Value {
        loop {
            if let Some(r) = s["$ref"].as_str() {
                let name = r.trim_start_matches("#/components/schemas/");
                s = &self.0["components"]["schemas"][name];
            } else if let Some([one]) = s["allOf"].as_array().map(Vec::as_slice) {
                s = one;
            } else {
                return s;
            }
        }
    }

    /// The non-null branch of a `oneOf`/`anyOf` (utoipa's `Option<T>`), resolved.
    fn concrete<'a>(&'a self, s: &'a Value) -> &'a Value {
        let s = self.resolve(s);
        for key in ["oneOf", "anyOf"] {
            if let Some(branches) = s[key].as_array()
                && let Some(b) = branches.iter().find(|b| b["type"] != "null")
            {
                return self.concrete(b);
            }
        }
        s
    }

    /// A schema-valid value of `schema` (see the module's rules); `name` is the property name,
    /// for [`Known`].
    pub fn sample(&self, schema: &Value, size: Size, name: &str, known: &Known) -> Value {
        let s = self.concrete(schema);
        if let Some(v) = known.get(name) {
            return v;
        }
        let ty = match &s["type"] {
            Value::String(t) => t.clone(),
            Value::Array(ts) => ts
                .iter()
                .filter_map(Value::as_str)
                .find(|t| *t != "null")
                .unwrap_or("null")
                .to_owned(),
            _ if s["properties"].is_object() => "object".into(),
            _ if s["enum"].is_array() => "string".into(),
            _ => "object".into(),
        };
        match ty.as_str() {
            "object" => {
                let required: Vec<&str> = s["required"]
                    .as_array()
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let mut m = Map::new();
                if let Some(props) = s["properties"].as_object() {
                    for (k, p) in props {
                        if size == Size::Maximal || required.contains(&k.as_str()) {
                            m.insert(k.clone(), self.sample(p, size, k, known));
                        }
                    }
                }
                Value::Object(m)
            }
            "array" => {
                let n = match size {
                    Size::Minimal => s["minItems"].as_u64().unwrap_or(0),
                    Size::Maximal => s["maxItems"].as_u64().unwrap_or(UNBOUNDED_ITEMS),
                };
                let item_name = format!("{name}[]");
                Value::Array(
                    (0..n)
                        .map(|_| self.sample(&s["items"], size, &item_name, known))
                        .collect(),
                )
            }
            "integer" | "number" => {
                let v = match size {
                    Size::Minimal => s["minimum"].as_i64().unwrap_or(0),
                    Size::Maximal => s["maximum"].as_i64().unwrap_or(1_000_000_000),
                };
                json!(v)
            }
            "boolean" => json!(size == Size::Maximal),
            "null" => Value::Null,
            _ => self.string(s, size, name),
        }
    }

    fn string(&self, s: &Value, size: Size, name: &str) -> Value {
        if let Some(first) = s["enum"].as_array().and_then(|e| e.first()) {
            return first.clone();
        }
        match s["format"].as_str() {
            Some("date") => {
                return json!(
                    (Utc::now() + Duration::days(30))
                        .format("%Y-%m-%d")
                        .to_string()
                );
            }
            Some("date-time") => {
                return json!((Utc::now() + Duration::days(30)).to_rfc3339());
            }
            _ => {}
        }
        let min = s["minLength"].as_u64().unwrap_or(0);
        let max = s["maxLength"].as_u64().unwrap_or(UNBOUNDED_LEN);
        let len = match size {
            Size::Minimal => min,
            Size::Maximal => max,
        } as usize;
        match s["pattern"].as_str() {
            Some(p) if p == TEXT || p == OPTIONAL_TEXT => json!("隐".repeat(len)),
            Some(p) => {
                let ex = s["example"].clone();
                assert!(
                    ex.is_string(),
                    "property `{name}` has the pattern {p} but no example to send"
                );
                ex
            }
            None if len == 0 => json!(""),
            None => json!(format!("\u{7}{}", "x".repeat(len - 1))),
        }
    }
}

/// Real values for properties that must name something that exists, by property name
/// (`criterion_codes[]` for an item of that list).
#[derive(Debug, Clone, Default)]
pub struct Known(pub Map<String, Value>);

impl Known {
    /// The value for a property, if the fixture has one.
    pub fn get(&self, name: &str) -> Option<Value> {
        self.0.get(name).cloned()
    }

    /// Sets a value.
    pub fn set(&mut self, name: &str, v: impl Into<Value>) {
        self.0.insert(name.to_owned(), v.into());
    }
}

/// A path template with its parameters filled by `fill(param, template)`.
pub fn fill_path(template: &str, mut fill: impl FnMut(&str, &str) -> String) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        let name = &rest[start + 1..start + end];
        out.push_str(&fill(name, template));
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

/// A logged-in user of the fixture.
#[derive(Debug, Clone)]
pub struct Person {
    /// User id.
    pub id: String,
    /// Login name.
    pub username: String,
    /// Access token.
    pub token: String,
}

/// One enterprise of the fixture with one user of every enterprise role and one object of
/// every kind a path parameter names.
#[derive(Debug, Clone)]
pub struct Tenant {
    /// Enterprise id.
    pub enterprise_id: String,
    /// Its intake code.
    pub intake_code: String,
    /// Its jurisdiction.
    pub jurisdiction: String,
    /// An area.
    pub area_id: String,
    /// Safety manager.
    pub manager: Person,
    /// Principal.
    pub principal: Person,
    /// Custodian (asks for the disclosure).
    pub custodian: Person,
    /// Worker (sent `report_id`).
    pub worker: Person,
    /// A worker whom the user routes act on (deactivate, reset): not one whose token is used.
    pub victim_id: String,
    /// The worker's untriaged confidential report.
    pub report_id: String,
    /// Its receipt code.
    pub receipt_code: String,
    /// Its photo.
    pub photo_id: String,
    /// A second report, accepted: its hazard and reward.
    pub hazard_id: String,
    /// The proposed reward of the accepted report.
    pub reward_id: String,
    /// An anonymous report appealed to the bureau: its escalation.
    pub escalation_id: String,
    /// The appealed report's receipt code.
    pub appealed_receipt: String,
    /// A disclosure request on `report_id`.
    pub disclosure_id: String,
    /// A quarterly sweep.
    pub sweep_id: String,
}

fn ok(a: &crate::Answer, what: &str) -> Value {
    assert!(a.status.is_success(), "{what}: {} {:?}", a.status, a.json);
    a.json.clone()
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

impl TestApp {
    async fn person(&self, role: &str, ent: &str) -> Person {
        let (u, token) = self.user(role, Some(ent), None).await;
        Person {
            id: id_of(&u),
            username: u["username"].as_str().unwrap_or_default().to_owned(),
            token,
        }
    }

    /// An enterprise of the permission and conformance fixture, with everything in it; the
    /// bureau officer of `jurisdiction` (`officer`) finds its escalation.
    pub async fn tenant(&self, jurisdiction: &str, officer: &str) -> Tenant {
        let e = self.create_enterprise("steel", jurisdiction).await;
        let ent = id_of(&e);
        let area = self
            .post(
                &format!("/api/v1/enterprises/{ent}/areas"),
                &self.admin_token,
                json!({"name": "炼钢车间"}),
            )
            .await;
        let area_id = id_of(&ok(&area, "area"));
        let manager = self.person("safety_manager", &ent).await;
        let principal = self.person("principal", &ent).await;
        let custodian = self.person("custodian", &ent).await;
        let worker = self.person("worker", &ent).await;
        let victim_id = self.person("worker", &ent).await.id;
        let report = |title: &str| json!({"title": title, "description": "钢包吊运路线下方设有操作室", "area_id": area_id});
        let photo = [crate::photos::jpeg(64, 48)];
        let r1 = self
            .submit_report(&worker.token, report("吊运区下方有人值守"), &photo)
            .await;
        let r1 = ok(&r1, "report");
        let report_id = r1["report_id"].as_str().unwrap_or_default().to_owned();
        let detail = self
            .get(&format!("/api/v1/reports/{report_id}"), &manager.token)
            .await;
        let photo_id = id_of(&ok(&detail, "report detail")["photos"][0]);
        let r2 = self
            .submit_report(&worker.token, report("出铁场主沟盖板缺失"), &photo)
            .await;
        let r2_id = ok(&r2, "second report")["report_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let t = self
            .triage(
                &manager.token,
                &r2_id,
                json!({"decision": "accept", "level": "general"}),
            )
            .await;
        let hazard_id = ok(&t, "triage")["hazard_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let rewards = self.get("/api/v1/rewards", &manager.token).await;
        let reward_id = ok(&rewards, "rewards")["items"]
            .as_array()
            .and_then(|i| i.iter().find(|r| r["report_id"] == r2_id.as_str()))
            .map(id_of)
            .unwrap_or_default();
        let mut anon = report("煤气柜区无报警仪");
        anon["intake_code"] = e["intake_code"].clone();
        let r3 = self.submit_anonymous(anon, &photo).await;
        let r3 = ok(&r3, "anonymous report");
        let appealed_receipt = r3["receipt_code"].as_str().unwrap_or_default().to_owned();
        let r3_id = r3["report_id"].as_str().unwrap_or_default().to_owned();
        let appeal = self
            .post_anon(
                "/m/v1/receipt/appeal",
                json!({"receipt_code": appealed_receipt, "reason": "一直没有人处理"}),
            )
            .await;
        ok(&appeal, "appeal");
        let list = self.get("/api/v1/bureau/escalations", officer).await;
        let escalation_id = ok(&list, "escalations")["items"]
            .as_array()
            .and_then(|i| i.iter().find(|x| x["subject_id"] == r3_id.as_str()))
            .map(id_of)
            .unwrap_or_default();
        let d = self
            .post(
                &format!("/api/v1/reports/{report_id}/disclosures"),
                &custodian.token,
                json!({"reason": "涉嫌诬告，需核实举报人身份"}),
            )
            .await;
        let disclosure_id = id_of(&ok(&d, "disclosure"));
        let today = Utc::now().date_naive();
        let s = self
            .post(
                "/api/v1/sweeps",
                &manager.token,
                json!({"quarter": qingling_api::domain::quarter::Quarter::of(today).to_string(),
                       "leader": "张厂长", "scope": "全厂", "date": today.format("%Y-%m-%d").to_string()}),
            )
            .await;
        let sweep_id = id_of(&ok(&s, "sweep"));
        assert!(
            !(reward_id.is_empty() || escalation_id.is_empty() || photo_id.is_empty()),
            "fixture incomplete"
        );
        Tenant {
            enterprise_id: ent,
            intake_code: e["intake_code"].as_str().unwrap_or_default().to_owned(),
            jurisdiction: jurisdiction.to_owned(),
            area_id,
            manager,
            principal,
            custodian,
            worker,
            victim_id,
            report_id,
            receipt_code: r1["receipt_code"].as_str().unwrap_or_default().to_owned(),
            photo_id,
            hazard_id,
            reward_id,
            escalation_id,
            appealed_receipt,
            disclosure_id,
            sweep_id,
        }
    }
}

impl Tenant {
    /// The id a path parameter names in this enterprise: `{id}` by the segment before it.
    pub fn path_value(&self, param: &str, template: &str) -> String {
        let before = template
            .split('{')
            .next()
            .unwrap_or_default()
            .trim_end_matches('/');
        let seg = before.rsplit('/').next().unwrap_or_default();
        match (param, seg) {
            ("photo_id", _) => self.photo_id.clone(),
            ("path", _) => self.jurisdiction.clone(),
            (_, "enterprises") => self.enterprise_id.clone(),
            (_, "users") => self.victim_id.clone(),
            (_, "sweeps") => self.sweep_id.clone(),
            (_, "reports") => self.report_id.clone(),
            (_, "hazards") => self.hazard_id.clone(),
            (_, "rewards") => self.reward_id.clone(),
            (_, "disclosures") => self.disclosure_id.clone(),
            // The fixture's escalation is an appeal: the bureau's appeal page shows it too.
            (_, "escalations" | "appeals") => self.escalation_id.clone(),
            (_, "areas") => self.area_id.clone(),
            // Dead letters and anything new: an id that exists nowhere (404 for everyone).
            _ => uuid::Uuid::new_v4().to_string(),
        }
    }

    /// Real values for body properties that name something of this enterprise.
    pub fn known(&self) -> Known {
        let mut k = Known::default();
        k.set("enterprise_id", self.enterprise_id.clone());
        k.set("area_id", self.area_id.clone());
        k.set("sweep_id", self.sweep_id.clone());
        k.set("duplicate_of", self.hazard_id.clone());
        k.set("responsible_user_id", self.manager.id.clone());
        k.set("receipt_code", self.receipt_code.clone());
        k.set("intake_code", self.intake_code.clone());
        k.set("criterion_codes[]", "MEM10-4-2");
        k
    }
}
