//! The admin's console pages, posters and accounts over real HTTP: a manager cannot reach the
//! admin pages and gets 404 for another enterprise's poster; the admin registers an enterprise
//! (credit code checked), an area and users; the bare QR code decodes back to the phone page's
//! exact URL; deactivation ends an open console session and an API token at their next request;
//! a reset password must be replaced before anything else; the last admin cannot deactivate
//! themself; workers are imported all or nothing, with their activation slips.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use qingling_tests::{PASSWORD, TestApp, credit_code, short_id, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PUBLIC: &str = "https://qingling.example.cn";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A signed-in browser: its session cookie and the session's CSRF token.
struct Desk {
    base: String,
    cookie: String,
    csrf: String,
}

fn form_body(fields: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

fn cookie_of(r: &reqwest::Response) -> String {
    let set = r.headers()["set-cookie"].to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

fn csrf_in(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a form with the CSRF token")
        .to_owned()
}

impl Desk {
    async fn sign_in(app: &TestApp, username: &str, password: &str) -> Self {
        let r = client()
            .post(format!("{}/console/login", app.base))
            .header("origin", &app.base)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_body(&[("username", username), ("password", password)]))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let mut desk = Desk {
            base: app.base.clone(),
            cookie: cookie_of(&r),
            csrf: String::new(),
        };
        desk.refresh_csrf("/console/account/password").await;
        desk
    }

    async fn refresh_csrf(&mut self, path: &str) {
        let (status, html) = self.get(path).await;
        assert_eq!(status, StatusCode::OK, "{html:.300}");
        self.csrf = csrf_in(&html);
    }

    async fn get_raw(&self, path: &str) -> reqwest::Response {
        client()
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap()
    }

    async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self.get_raw(path).await;
        (r.status(), r.text().await.unwrap())
    }

    async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        client()
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .header("origin", &self.base)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_body(&all))
            .send()
            .await
            .unwrap()
    }

    /// Posts a form; returns the status and the redirect's target or the page.
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
        let r = self.post_raw(path, fields).await;
        let status = r.status();
        if status == StatusCode::SEE_OTHER {
            return (status, r.headers()["location"].to_str().unwrap().to_owned());
        }
        (status, r.text().await.unwrap())
    }
}

fn signed_out(r: &reqwest::Response) -> bool {
    r.status() == StatusCode::SEE_OTHER
        && r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/console/login")
}

async fn admin_desk(app: &TestApp) -> (Desk, Value) {
    let (admin, _) = app.user("admin", None, None).await;
    let desk = Desk::sign_in(app, admin["username"].as_str().unwrap(), PASSWORD).await;
    (desk, admin)
}

async fn area(app: &TestApp, ent: &str, name: &str) -> Value {
    let a = app
        .post(
            &format!("/api/v1/enterprises/{ent}/areas"),
            &app.admin_token,
            json!({ "name": name }),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    a.json
}

fn decode_png(png: &[u8]) -> Vec<String> {
    let img = image::load_from_memory(png).unwrap().to_luma8();
    let (w, h) = img.dimensions();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
            img.get_pixel(x as u32, y as u32).0[0]
        });
    prepared
        .detect_grids()
        .into_iter()
        .map(|g| g.decode().unwrap().1)
        .collect()
}

#[tokio::test]
async fn a_manager_cannot_reach_admin_pages_and_gets_404_for_another_enterprises_poster() {
    let app = spawn_app_with(|s| s.public_url = PUBLIC.into()).await;
    let a = app.create_enterprise("steel", "jb/park").await;
    let b = app.create_enterprise("steel", "jb/park").await;
    let (a_id, b_id) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    let b_area = area(&app, b_id, "炼钢车间").await;
    let a_area = area(&app, a_id, "煤气柜区").await;
    let (m, _) = app.user("safety_manager", Some(a_id), None).await;
    let desk = Desk::sign_in(&app, m["username"].as_str().unwrap(), PASSWORD).await;

    for path in [
        "/console/admin/enterprises",
        "/console/admin/users",
        "/console/admin/criteria",
        "/console/admin/system",
    ] {
        let (status, html) = desk.get(path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(!html.contains("name=\"credit_code\""), "{path}");
    }
    let (status, _) = desk
        .post("/console/admin/enterprises", &[("name", "x")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let b_area_id = b_area["id"].as_str().unwrap();
    for path in [
        format!("/console/posters/enterprises/{b_id}"),
        format!("/console/posters/enterprises/{b_id}.png"),
        format!("/console/posters/enterprises/{b_id}.svg"),
        format!("/console/posters/areas/{b_area_id}"),
        format!("/console/posters/areas/{b_area_id}.png"),
        format!("/console/enterprises/{b_id}"),
        format!("/console/enterprises/{b_id}/workers/import"),
    ] {
        assert_eq!(desk.get(&path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    // Their own enterprise's posters and page are theirs.
    let (status, html) = desk
        .get(&format!(
            "/console/posters/areas/{}",
            a_area["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("煤气柜区") && html.contains(a["name"].as_str().unwrap()));
    let site = desk.get_raw("/console/site").await;
    assert_eq!(
        site.headers()["location"].to_str().unwrap(),
        format!("/console/enterprises/{a_id}")
    );
    let (status, html) = desk.get(&format!("/console/enterprises/{a_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(a["intake_code"].as_str().unwrap()));
}

#[tokio::test]
async fn an_admin_registers_an_enterprise_and_an_area_and_the_bare_qr_is_the_exact_url() {
    let app = spawn_app_with(|s| s.public_url = PUBLIC.into()).await;
    let (mut desk, _) = admin_desk(&app).await;
    desk.refresh_csrf("/console/admin/enterprises").await;
    let name = format!("江北冶炼 {}", short_id());

    // A credit code with a wrong check character is refused in words, the form kept.
    let mut bad = credit_code();
    let last = if bad.ends_with('1') { "2" } else { "1" };
    bad.replace_range(17.., last);
    let fields = |code: &str| {
        vec![
            ("name", name.clone()),
            ("credit_code", code.to_owned()),
            ("sector", "nonferrous".to_owned()),
            ("jurisdiction", "jiangbei/gongyeyuan".to_owned()),
        ]
    };
    let owned = fields(&bad);
    let borrowed: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, html) = desk.post("/console/admin/enterprises", &borrowed).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("统一社会信用代码无效"), "{html:.2000}");
    assert!(html.contains(&name), "the form keeps what was typed");

    let owned = fields(&credit_code());
    let borrowed: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, to) = desk.post("/console/admin/enterprises", &borrowed).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let ent_id = to.strip_prefix("/console/enterprises/").unwrap().to_owned();
    let ent = app
        .get(&format!("/api/v1/enterprises/{ent_id}"), &app.admin_token)
        .await
        .json;
    assert_eq!(ent["jurisdiction"], "jiangbei/gongyeyuan");
    assert_eq!(ent["sector"], "nonferrous");
    let (_, page) = desk.get(&to).await;
    assert!(page.contains(ent["intake_code"].as_str().unwrap()));
    assert!(page.contains(&format!("/console/posters/enterprises/{ent_id}")));

    let (status, back) = desk
        .post(
            &format!("/console/enterprises/{ent_id}/areas"),
            &[("name", "铝熔铸车间"), ("description", "2 号线")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{back}");
    let areas = app
        .get(
            &format!("/api/v1/enterprises/{ent_id}/areas"),
            &app.admin_token,
        )
        .await
        .json;
    let area_id = areas[0]["id"].as_str().unwrap();
    let token = areas[0]["qr_token"].as_str().unwrap();
    let (_, page) = desk.get(&format!("/console/enterprises/{ent_id}")).await;
    assert!(page.contains(&format!("/console/posters/areas/{area_id}")));
    // The same name twice is refused in the service's words.
    let (status, html) = desk
        .post(
            &format!("/console/enterprises/{ent_id}/areas"),
            &[("name", "铝熔铸车间")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("该企业已有同名区域"));

    // The poster says what a wall needs, with the default policy's amounts.
    let (status, poster) = desk.get(&format!("/console/posters/areas/{area_id}")).await;
    assert_eq!(status, StatusCode::OK);
    for needle in [
        "扫码报告隐患",
        "可匿名",
        "有奖励",
        "铝熔铸车间",
        name.as_str(),
        "第五十四条",
        "保存回执码",
        &format!("/console/posters/areas/{area_id}.svg"),
    ] {
        assert!(poster.contains(needle), "{needle}");
    }
    let url = format!("{PUBLIC}/m/#a={token}");
    assert!(poster.contains(&url));

    // The bare codes decode back to exactly that URL.
    let png = desk
        .get_raw(&format!("/console/posters/areas/{area_id}.png"))
        .await;
    assert_eq!(png.headers()["content-type"], "image/png");
    assert_eq!(png.headers()["cache-control"], "no-store");
    assert_eq!(decode_png(&png.bytes().await.unwrap()), [url]);
    let svg = desk
        .get_raw(&format!("/console/posters/areas/{area_id}.svg"))
        .await;
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert!(svg.text().await.unwrap().contains("<svg"));
    let whole = desk
        .get_raw(&format!("/console/posters/enterprises/{ent_id}.png"))
        .await;
    assert_eq!(
        decode_png(&whole.bytes().await.unwrap()),
        [format!(
            "{PUBLIC}/m/#i={}",
            ent["intake_code"].as_str().unwrap()
        )]
    );
}

#[tokio::test]
async fn deactivation_ends_an_open_console_session_and_an_api_token_at_the_next_request() {
    let app = spawn_app_with(|_| {}).await;
    let ent = app.create_enterprise("steel", "jb/park").await;
    let ent_id = ent["id"].as_str().unwrap();
    let (m, m_token) = app.user("safety_manager", Some(ent_id), None).await;
    let m_name = m["username"].as_str().unwrap();
    let m_id = m["id"].as_str().unwrap();
    let manager = Desk::sign_in(&app, m_name, PASSWORD).await;
    assert_eq!(manager.get("/console/reports").await.0, StatusCode::OK);
    assert_eq!(app.get("/api/v1/me", &m_token).await.status, StatusCode::OK);

    let (mut admin, _) = admin_desk(&app).await;
    admin
        .refresh_csrf(&format!("/console/admin/users?enterprise_id={ent_id}"))
        .await;
    let (_, list) = admin
        .get(&format!("/console/admin/users?enterprise_id={ent_id}"))
        .await;
    assert!(list.contains(m_name));
    let (status, to) = admin
        .post(
            &format!("/console/admin/users/{m_id}/deactivate"),
            &[("back_enterprise", ent_id)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to.contains("done=deactivated"));

    assert!(signed_out(&manager.get_raw("/console/reports").await));
    assert_eq!(
        app.get("/api/v1/me", &m_token).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(m_name, PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );

    let (status, _) = admin
        .post(&format!("/console/admin/users/{m_id}/reactivate"), &[])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // The old token stays dead; a new login works.
    assert_eq!(
        app.get("/api/v1/me", &m_token).await.status,
        StatusCode::UNAUTHORIZED
    );
    app.login_ok(m_name, PASSWORD).await;
}

#[tokio::test]
async fn the_last_admin_cannot_deactivate_themself() {
    let app = spawn_app_with(|_| {}).await;
    let (admin, admin_json) = admin_desk(&app).await;
    // The other admin (the one the test app made) goes first.
    let users = app
        .get("/api/v1/users?limit=200", &app.admin_token)
        .await
        .json;
    let other = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["role"] == "admin" && u["id"] != admin_json["id"])
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = admin
        .post(&format!("/console/admin/users/{other}/deactivate"), &[])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let me = admin_json["id"].as_str().unwrap();
    let (status, html) = admin
        .post(&format!("/console/admin/users/{me}/deactivate"), &[])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        html.contains("平台至少要有一个可用的管理员"),
        "{html:.2000}"
    );
    assert_eq!(admin.get("/console/admin/users").await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_reset_password_must_be_replaced_before_anything_else_and_a_change_ends_other_sessions() {
    let app = spawn_app_with(|_| {}).await;
    let ent = app.create_enterprise("steel", "jb/park").await;
    let ent_id = ent["id"].as_str().unwrap();
    let (m, _) = app.user("principal", Some(ent_id), None).await;
    let (m_name, m_id) = (m["username"].as_str().unwrap(), m["id"].as_str().unwrap());
    let (admin, _) = admin_desk(&app).await;
    let temp = "temporary pass 1";
    let (status, _) = admin
        .post(
            &format!("/console/admin/users/{m_id}/password-reset"),
            &[("password", temp)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, list) = admin.get("/console/admin/users").await;
    assert!(list.contains("下次登录须修改密码"));

    // Every page but 修改密码 sends them there first.
    let mut desk = Desk::sign_in(&app, m_name, temp).await;
    let r = desk.get_raw("/console/reports").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/console/account/password");
    let (_, page) = desk.get("/console/account/password").await;
    assert!(page.contains("管理员已重置您的密码"));
    // The API says the same to a token.
    let token = app.login_ok(m_name, temp).await;
    assert_eq!(
        app.get("/api/v1/reports", &token).await.status,
        StatusCode::FORBIDDEN
    );
    let other = Desk::sign_in(&app, m_name, temp).await;

    // The two new ones must match; the current one must be right.
    let (status, html) = desk
        .post(
            "/console/account/password",
            &[
                ("current_password", temp),
                ("new_password", "my own new passphrase"),
                ("repeat_password", "my own new passphrase!"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("两次输入的新密码不一致"));
    let (status, _) = desk
        .post(
            "/console/account/password",
            &[
                ("current_password", "not the password"),
                ("new_password", "my own new passphrase"),
                ("repeat_password", "my own new passphrase"),
            ],
        )
        .await;
    assert!(status.is_client_error());
    let r = desk
        .post_raw(
            "/console/account/password",
            &[
                ("current_password", temp),
                ("new_password", "my own new passphrase"),
                ("repeat_password", "my own new passphrase"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let old_cookie = std::mem::replace(&mut desk.cookie, cookie_of(&r));
    assert_eq!(desk.get("/console/reports").await.0, StatusCode::OK);
    // Every other session and token has ended, this browser's old cookie too.
    assert!(signed_out(&other.get_raw("/console/reports").await));
    assert_eq!(
        app.get("/api/v1/me", &token).await.status,
        StatusCode::UNAUTHORIZED
    );
    let stale = Desk {
        base: app.base.clone(),
        cookie: old_cookie,
        csrf: String::new(),
    };
    assert!(signed_out(&stale.get_raw("/console/reports").await));
    let fresh = app.login(m_name, "my own new passphrase").await;
    assert_eq!(fresh.status, StatusCode::OK);
    assert_eq!(fresh.json["password_change_required"], false);
}

#[tokio::test]
async fn an_admin_adds_users_criteria_and_sees_dead_letters_and_key_status() {
    let app = spawn_app_with(|_| {}).await;
    let ent = app.create_enterprise("steel", "jb/park").await;
    let ent_id = ent["id"].as_str().unwrap();
    let (mut admin, _) = admin_desk(&app).await;
    admin.refresh_csrf("/console/admin/users").await;

    let officer = format!("officer-{}", short_id());
    let (status, to) = admin
        .post(
            "/console/admin/users",
            &[
                ("role", "bureau_officer"),
                ("username", &officer),
                ("password", "initial pass 123"),
                ("display_name", "王科长"),
                ("jurisdiction", "jiangbei/gongyeyuan"),
                ("enterprise_id", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{to:.2000}");
    let login = app.login(&officer, "initial pass 123").await;
    assert_eq!(login.status, StatusCode::OK);

    // An enterprise role without an enterprise is refused in words.
    let (status, html) = admin
        .post(
            "/console/admin/users",
            &[
                ("role", "worker"),
                ("username", "worker-x1"),
                ("password", "initial pass 123"),
                ("display_name", "张三"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("该角色需要指定所属企业"));
    assert!(
        !html.contains("initial pass 123"),
        "a password is never sent back"
    );

    let (status, to) = admin
        .post(
            "/console/admin/criteria",
            &[
                ("enterprise_id", ent_id),
                ("code", "JB-GAS-01"),
                ("sector", "steel"),
                ("article", "企业煤气安全规程第 3 条"),
                ("summary_zh", "煤气柜区域无固定式一氧化碳报警仪"),
                ("summary_en", "No fixed CO alarm at the gas holder"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, list) = admin.get(&to).await;
    assert!(list.contains("JB-GAS-01") && list.contains("煤气柜区域无固定式一氧化碳报警仪"));
    let (status, html) = admin
        .post(
            "/console/admin/criteria",
            &[
                ("enterprise_id", ent_id),
                ("code", "MEM10-9-9"),
                ("sector", "steel"),
                ("article", "x"),
                ("summary_zh", "x"),
                ("summary_en", "x"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("MEM10-"));

    let (status, system) = admin.get("/console/admin/system").await;
    assert_eq!(status, StatusCode::OK);
    assert!(system.contains("当前用于加密的版本") && system.contains("没有死信"));
    let (status, _) = admin
        .post("/console/admin/system/outbox/no-such-entry/retry", &[])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

fn multipart_sheet(csrf: &str, csv: &str) -> (String, Vec<u8>) {
    let boundary = "----qingling-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"sheet\"; filename=\"workers.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(csv.as_bytes());
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn a_manager_imports_workers_all_or_nothing_and_gets_their_slips_eight_to_a_sheet() {
    let app = spawn_app_with(|s| s.public_url = PUBLIC.into()).await;
    let ent = app.create_enterprise("steel", "jb/park").await;
    let ent_id = ent["id"].as_str().unwrap();
    area(&app, ent_id, "炼钢车间").await;
    let (m, _) = app.user("safety_manager", Some(ent_id), None).await;
    let mut desk = Desk::sign_in(&app, m["username"].as_str().unwrap(), PASSWORD).await;
    let path = format!("/console/enterprises/{ent_id}/workers/import");
    desk.refresh_csrf(&path).await;
    let send = |csv: String| {
        let (ct, body) = multipart_sheet(&desk.csrf, &csv);
        client()
            .post(format!("{}{path}", desk.base))
            .header("cookie", &desk.cookie)
            .header("origin", &desk.base)
            .header("content-type", ct)
            .body(body)
            .send()
    };

    let bad = "工号,姓名,手机号,区域\nA001,张三,13800000000,炼钢车间\nA002,,13800000001,炼钢车间\nA003,王五,123,没有这个区域\n";
    let r = send(bad.to_owned()).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("第 3 行") && html.contains("第 4 行"),
        "{html:.3000}"
    );
    assert!(!html.contains("第 2 行"));
    let users = app
        .get(
            &format!("/api/v1/users?enterprise_id={ent_id}&limit=200"),
            &app.admin_token,
        )
        .await
        .json;
    assert_eq!(
        users["items"].as_array().unwrap().len(),
        1,
        "nobody imported"
    );

    let mut good = String::from("工号,姓名,手机号,区域\n");
    for i in 0..10 {
        good.push_str(&format!("B{i:03},职工{i},1390000{i:04},炼钢车间\n"));
    }
    let r = send(good).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    assert_eq!(
        html.matches("class=\"slips\"").count(),
        2,
        "10 slips: 8 + 2"
    );
    assert_eq!(html.matches("class=\"slip\"").count(), 10);
    assert!(html.contains(&format!("{PUBLIC}/m/#activate")));
    let code = html
        .split("<p class=\"code\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    let ok = app
        .post_anon(
            "/m/v1/activate",
            json!({ "activation_code": code, "password": "my own passphrase" }),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.json);
}
