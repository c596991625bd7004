"""The console's foundation: signing in and out, the session cookie's flags, the security
headers, the CSRF and origin checks, and enterprise scoping, in Chromium against the real
binary."""

from __future__ import annotations

import http.server
import threading

import pytest

import qingling
from console_helpers import assert_no_identity, create_enterprise, sign_in, submit_report


@pytest.fixture(scope="module")
def world(server):
    """Two enterprises, each with a manager; a worker of A has reported."""
    a = create_enterprise(server, "甲钢铁有限公司")
    b = create_enterprise(server, "乙铝业有限公司", sector="nonferrous")
    area = server.create_area(a["id"])
    manager_a = server.create_user("safety_manager", a["id"], display_name="王安全")
    manager_b = server.create_user("safety_manager", b["id"], display_name="李安全")
    worker = server.create_user("worker", a["id"], display_name="张三", phone="13800138000",
                                employee_no="GH-7788")
    token = server.login(worker["username"])
    report = submit_report(server, token, "2号转炉平台积水", area_id=area["id"],
                           suspected_level="major")
    return dict(a=a, b=b, area=area, manager_a=manager_a, manager_b=manager_b, worker=worker,
                report=report)


def identities(world):
    w = world["worker"]
    return ["张三", "13800138000", "GH-7788", w["id"], w["username"]]


def test_sign_in_sets_a_strict_session_cookie_and_sign_out_revokes_it(server, world, desk):
    page = desk.new_page()
    sign_in(page, server, world["manager_a"]["username"])
    assert page.url.endswith("/console/overview"), page.url  # 概览 is the landing page
    cookies = {c["name"]: c for c in desk.cookies()}
    c = cookies["qingling_session"]
    assert c["httpOnly"] is True
    assert c["sameSite"] == "Strict"
    assert c["path"] == "/console"
    assert c["secure"] is False  # plain http here; QINGLING_CONSOLE_SECURE_COOKIE=true sets it
    assert c["expires"] == -1  # a browser-session cookie; the server ends it earlier
    stolen = c["value"]

    page.click("text=退出")
    page.wait_for_url("**/console/login?out=1")
    assert page.locator("text=您已退出").is_visible()
    # The old cookie, replayed, is refused: the session is gone on the server, and the
    # request lands on the sign-in page (urllib follows the 303) saying so.
    a = server.request("GET", "/console/reports",
                       headers={"cookie": f"qingling_session={stolen}"})
    assert a.status == 200 and "会话已结束" in a.body.decode(), a
    assert "2号转炉平台积水" not in a.body.decode()


def test_wrong_password_is_refused_in_words(server, world, desk):
    page = desk.new_page()
    sign_in(page, server, world["manager_a"]["username"], "not the password")
    assert page.url.endswith("/console/login")
    assert page.locator("[role=alert]").inner_text().startswith("用户名或密码错误")


def test_pages_carry_the_strict_policy_and_are_not_cached(server, world, desk):
    page = desk.new_page()
    sign_in(page, server, world["manager_a"]["username"])
    resp = page.goto(server.base + f"/console/reports/{world['report']['report_id']}")
    h = resp.headers
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert "script-src 'self'" in h["content-security-policy"]
    assert "unsafe-inline" not in h["content-security-policy"]
    assert h["cache-control"] == "no-store"
    assert h["x-frame-options"] == "DENY"
    assert_no_identity(page.content(), identities(world), "the report page")


class _Evil(http.server.BaseHTTPRequestHandler):
    target = ""

    def do_GET(self):  # noqa: N802
        body = f"""<!doctype html><html><body>
        <form id="f" method="post" action="{self.target}">
          <input name="decision" value="reject"><input name="reason" value="伪造">
          <input name="csrf" value="guessed">
        </form><script>document.getElementById('f').submit()</script></body></html>"""
        self.send_response(200)
        self.send_header("content-type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


def test_a_post_from_another_port_of_the_same_host_changes_nothing(server, world, desk):
    page = desk.new_page()
    sign_in(page, server, world["manager_a"]["username"])
    rid = world["report"]["report_id"]
    handler = type("Evil", (_Evil,), {"target": f"{server.base}/console/reports/{rid}/triage"})
    evil = http.server.HTTPServer(("127.0.0.1", qingling.free_port()), handler)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    try:
        answers = []
        page.on("response", lambda r: answers.append(r) if "/triage" in r.url else None)
        page.goto(f"http://127.0.0.1:{evil.server_port}/")
        page.wait_for_url("**/triage")
        page.wait_for_load_state("domcontentloaded")
        assert answers and answers[0].status == 403
        assert "请求被拒绝" in page.content()
    finally:
        evil.shutdown()
    token = server.login(world["manager_a"]["username"])
    assert server.ok("GET", f"/api/v1/reports/{rid}", token=token)["status"] == "submitted"


def test_a_post_without_the_sessions_token_is_refused(server, world, desk):
    page = desk.new_page()
    sign_in(page, server, world["manager_a"]["username"])
    rid = world["report"]["report_id"]
    # Same origin, real session cookie, but no token: 403 and nothing changes.
    status = page.evaluate(
        """async (url) => (await fetch(url, {method: 'POST', body: new URLSearchParams(
               {decision: 'reject', reason: 'x', csrf: 'AAAA'})})).status""",
        f"{server.base}/console/reports/{rid}/triage")
    assert status == 403
    token = server.login(world["manager_a"]["username"])
    assert server.ok("GET", f"/api/v1/reports/{rid}", token=token)["status"] == "submitted"


def test_another_enterprises_report_page_is_not_found(server, world, desk):
    page = desk.new_page()
    sign_in(page, server, world["manager_b"]["username"])
    rid = world["report"]["report_id"]
    resp = page.goto(server.base + f"/console/reports/{rid}")
    assert resp.status == 404
    assert "2号转炉平台积水" not in page.content()
    photo_id = "x"
    resp = page.goto(server.base + f"/console/reports/{rid}/photos/{photo_id}?size=thumb")
    assert resp.status == 404


def test_an_inbox_row_shows_status_level_area_deadline_and_thumbnail(server, world, desk,
                                                                    screenshots):
    page = desk.new_page()
    sign_in(page, server, world["manager_a"]["username"])
    page.goto(server.base + "/console/reports")
    row = page.locator("table.list tbody tr", has_text="2号转炉平台积水")
    assert row.count() == 1
    text = row.inner_text()
    assert "待受理" in text and "重大隐患" in text and "炼钢车间 2号转炉" in text
    assert "剩余" in text
    thumb = row.locator("td.thumb img")
    assert thumb.evaluate("img => img.complete && img.naturalWidth > 0")
    page.screenshot(path=str(screenshots / "console-inbox.png"), full_page=True)
    assert_no_identity(page.content(), identities(world), "the inbox")
