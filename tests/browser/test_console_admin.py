"""The admin's console (issue 17, items 2–5): an admin registers an enterprise, adds an area and
a worker through the console's forms, prints the area's poster, and the QR code decoded from a
picture of the printed poster opens the phone page with that area pre-selected; a deactivated
manager's open console and API token are both refused at their next request. Every page is
scanned for the worker's identity and by axe-core. In Chromium against the real binary."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

import qingling
from console_helpers import assert_no_identity, axe_violations, sign_in
from phone_helpers import open_phone

PUBLIC = "https://qingling.example.cn"
WORKER = {"name": "吴小工", "phone": "13700137000", "employee_no": "GH-7788"}


@pytest.fixture(scope="module")
def server():
    s = qingling.start_server({"QINGLING_PUBLIC_URL": PUBLIC})
    yield s
    qingling.destroy_server(s)


def qr_decoder() -> Path:
    """`qr-decode` of qingling-tests (rqrr), built on first use when `cargo test` has not."""
    explicit = os.environ.get("QINGLING_QR_DECODE")
    if explicit:
        return Path(explicit)
    path = qingling.binary().parent / "qr-decode"
    if not path.exists():
        subprocess.run(["cargo", "build", "-q", "-p", "qingling-tests", "--bin", "qr-decode"],
                       cwd=qingling.REPO, check=True)
    return path


def decode(png: Path) -> list[str]:
    out = subprocess.run([str(qr_decoder()), str(png)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def shot(page, folder: Path, name: str, full: bool = True):
    page.screenshot(path=str(folder / f"console-admin-{name}.png"), full_page=full)


def check_page(page, where: str):
    """The worker's identity is nowhere in the page, and axe finds nothing serious."""
    assert_no_identity(page.content(), list(WORKER.values()), where)
    bad = axe_violations(page)
    assert bad == [], f"{where}: {bad}"


@pytest.fixture
def admin_page(browser, server):
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN",
                              bypass_csp=True)
    page = ctx.new_page()
    page.on("dialog", lambda d: d.accept())
    sign_in(page, server, server.admin_username)
    yield page
    ctx.close()


def test_an_admin_creates_an_enterprise_an_area_and_a_worker_and_the_printed_poster_opens_that_area(
        server, admin_page, browser, screenshots, tmp_path):
    page = admin_page
    assert page.url.endswith("/console/admin/enterprises")
    check_page(page, "enterprises")
    page.fill("#ent-name", "江北特钢有限公司")
    page.fill("#ent-code", qingling.credit_code())
    page.select_option("#ent-sector", "steel")
    page.fill("#ent-jur", "jiangbei/gongyeyuan")
    page.click("form[action='/console/admin/enterprises'] button[type=submit]")
    page.wait_for_selector("#intake-code")
    enterprise_id = page.url.rsplit("/", 1)[1].split("#")[0]
    page.fill("#area-name", "炼钢车间 3号转炉")
    page.fill("#area-desc", "转炉平台及铁水罐通道")
    page.click("form[action$='/areas'] button[type=submit]")
    page.wait_for_selector("table.list td:has-text('炼钢车间 3号转炉')")
    check_page(page, "enterprise")
    shot(page, screenshots, "enterprise")

    page.goto(f"{server.base}/console/admin/users?enterprise_id={enterprise_id}")
    page.select_option("#u-role", "worker")
    page.fill("#u-name", "wu.xiaogong")
    page.fill("#u-pass", "first pass 2026")
    page.fill("#u-display", WORKER["name"])
    page.select_option("#u-ent", enterprise_id)
    page.fill("#u-phone", WORKER["phone"])
    page.fill("#u-no", WORKER["employee_no"])
    page.click("#user-create button[type=submit]")
    page.wait_for_selector(".notice, .error")
    assert page.locator(".error").count() == 0, page.inner_text(".error")
    assert "用户已创建" in page.inner_text(".notice")
    assert page.locator("#user-wu\\.xiaogong").count() == 1
    check_page(page, "users")
    shot(page, screenshots, "users")
    assert server.login("wu.xiaogong", "first pass 2026")

    for name, path in [("criteria", "/console/admin/criteria"), ("system", "/console/admin/system"),
                       ("password", "/console/account/password"),
                       ("import", f"/console/enterprises/{enterprise_id}/workers/import")]:
        page.goto(server.base + path)
        check_page(page, path)
        shot(page, screenshots, name)

    # 打印海报 from the enterprise's page; the poster is an A4 sheet.
    page.goto(f"{server.base}/console/enterprises/{enterprise_id}")
    page.click("a:has-text('打印海报')")
    page.wait_for_selector("#poster-qr")
    page.wait_for_function("document.querySelector('#poster-qr').naturalWidth > 0")
    text = page.inner_text("#poster")
    for needle in ["扫码报告隐患", "可匿名", "有奖励", "江北特钢有限公司", "炼钢车间 3号转炉",
                   "第五十四条", "扫码", "拍照", "保存回执码", "一般隐患", "重大隐患"]:
        assert needle in text, needle
    check_page(page, "poster")
    shot(page, screenshots, "poster-screen")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})
    poster = tmp_path / "poster.png"
    page.locator("#poster").screenshot(path=str(poster))
    page.screenshot(path=str(screenshots / "console-admin-poster-print.png"), full_page=True)
    pdf = page.pdf(format="A4", print_background=True)
    (screenshots / "console-admin-poster.pdf").write_bytes(pdf)
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + pdf.count(b"/Type/Page") <= 2

    [url] = decode(poster)
    areas = server.ok("GET", f"/api/v1/enterprises/{enterprise_id}/areas",
                      token=server.admin_token)
    area = areas[0]
    assert url == f"{PUBLIC}/m/#a={area['qr_token']}"

    # That URL on the phone (this server stands in for the public address).
    phone_ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                    is_mobile=True, has_touch=True)
    try:
        phone = open_phone(phone_ctx, server, url.split("#", 1)[1])
        phone.wait_for_selector("#mode-anonymous")
        assert "江北特钢有限公司" in phone.inner_text("#app")
        phone.click("#mode-anonymous")
        phone.wait_for_selector("#report-form")
        assert phone.input_value("#area") == area["id"], "the poster's area is pre-selected"
        shot(phone, screenshots, "poster-phone", full=False)
    finally:
        phone_ctx.close()


def test_a_deactivated_managers_open_console_and_api_token_are_refused_at_the_next_request(
        server, admin_page, browser, screenshots):
    e = server.create_enterprise("江北铝业有限公司")
    manager = server.create_user("safety_manager", e["id"], display_name="郑安全")
    token = server.login(manager["username"])
    mctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    try:
        mpage = mctx.new_page()
        sign_in(mpage, server, manager["username"])
        assert "/console/overview" in mpage.url
        # A manager is refused the admin's pages.
        assert mpage.goto(server.base + "/console/admin/users").status == 403
        assert server.request("GET", "/api/v1/me", token=token).status == 200

        page = admin_page
        page.goto(f"{server.base}/console/admin/users?enterprise_id={e['id']}")
        row = page.locator(f"#user-{manager['username']}")
        row.locator("button:has-text('停用')").click()
        page.wait_for_selector(".notice")
        assert "已停用" in page.inner_text(f"#user-{manager['username']}")
        shot(page, screenshots, "users-deactivated")

        mpage.goto(server.base + "/console/reports")
        assert "/console/login" in mpage.url
        assert server.request("GET", "/api/v1/me", token=token).status == 401
        assert server.request("POST", "/api/v1/auth/login",
                              {"username": manager["username"],
                               "password": qingling.PASSWORD}).status == 401
    finally:
        mctx.close()


def test_a_reset_password_is_replaced_first_on_the_phone_and_in_the_console(
        server, admin_page, browser, screenshots):
    e = server.create_enterprise("江北铜业有限公司")
    worker = server.create_user("worker", e["id"], display_name="冯小工", employee_no="GH-9911")
    page = admin_page
    page.goto(f"{server.base}/console/admin/users?enterprise_id={e['id']}")
    row = page.locator(f"#user-{worker['username']}")
    row.locator("summary").click()
    row.locator("input[name=password]").fill("temporary 2026")
    row.locator("details button[type=submit]").click()
    page.wait_for_selector(".notice")
    assert "下次登录时必须先设置新密码" in page.inner_text(".notice")
    assert "冯小工" not in page.content() and "GH-9911" not in page.content()

    phone_ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                    is_mobile=True, has_touch=True)
    try:
        phone = open_phone(phone_ctx, server, "login")
        phone.fill("#username", worker["username"])
        phone.fill("#password", "temporary 2026")
        phone.click("#login-go")
        phone.wait_for_selector("#password-form")
        assert "管理员已重置您的密码" in phone.inner_text("#app")
        shot(phone, screenshots, "phone-password", full=False)
        # Nothing else opens until the password is changed.
        phone.evaluate("() => { location.hash = 'mine'; }")
        phone.wait_for_selector("#password-form")
        phone.fill("#current-password", "temporary 2026")
        phone.fill("#new-password", "my own phone pass")
        phone.fill("#new-password-again", "my own phone pass")
        phone.click("#password-go")
        phone.wait_for_selector("#password-form", state="detached")
        assert phone.errors == []
    finally:
        phone_ctx.close()
    fresh = server.ok("POST", "/api/v1/auth/login",
                      {"username": worker["username"], "password": "my own phone pass"})
    assert fresh["password_change_required"] is False
