"""The bureau officer's console in Chromium against the real binary (issue 17, items 1 and 5):
the officer lands on the 清零看板, sees only the jurisdiction's enterprises (one of another
jurisdiction is absent and its escalation page answers 404), 签收, 督办 with a deadline date, is
refused 销号 in words before the enterprise's verification and allowed after, and answers an
appeal. Every page's HTML is scanned for the reporter's identity and by axe-core (no serious or
critical violation); screenshots of each page."""

from __future__ import annotations

import datetime
import time

import pytest

import qingling
from console_helpers import (assert_no_identity, axe_violations, create_enterprise, multipart,
                             photo, sign_in, submit_report)


@pytest.fixture(scope="module")
def server():
    # Unplanned major hazards escalate two seconds after registration; the sweeper runs each second.
    s = qingling.start_server({"QINGLING_PLAN_DEADLINE": "2s", "QINGLING_SWEEP_INTERVAL": "1s"})
    yield s
    qingling.destroy_server(s)


def wait_for(what, f, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = f()
        if v:
            return v
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def world(server):
    """江北: a steel works with a major hazard found in a sweep (escalated, no plan) and a
    worker's rejected report taken to the bureau; 南山: another jurisdiction's works with its own
    escalated hazard; an officer over 江北 and one over 南山."""
    e = create_enterprise(server, "江北特钢有限公司", jurisdiction="jiangbei/town1")
    other = create_enterprise(server, "南山冶炼有限公司", jurisdiction="nanshan/zone1")
    area = server.create_area(e["id"], "炼钢车间 2号转炉")
    manager = server.create_user("safety_manager", e["id"], display_name="吴安全")
    principal = server.create_user("principal", e["id"], display_name="周厂长")
    other_manager = server.create_user("safety_manager", other["id"], display_name="钱安全")
    worker = server.create_user("worker", e["id"], display_name="褚五", phone="13700137011",
                                employee_no="GH-5511")
    officer = server.create_user("bureau_officer", jurisdiction="jiangbei", display_name="江北监管")
    other_officer = server.create_user("bureau_officer", jurisdiction="nanshan",
                                       display_name="南山监管")
    mt, pt, ot, wt = (server.login(u["username"]) for u in (manager, principal, other_manager,
                                                            worker))
    hazard = server.ok("POST", "/api/v1/hazards", {
        "title": "转炉煤气回收区未设固定式报警仪", "description": "煤气回收风机房无一氧化碳报警",
        "level": "major", "area_id": area["id"]}, token=mt)
    other_hazard = server.ok("POST", "/api/v1/hazards", {
        "title": "熔炼炉冷却水无断水报警", "description": "无流量监测", "level": "major"}, token=ot)
    report = submit_report(server, wt, "钢包吊运区下方有人员值守室", area_id=area["id"])
    server.ok("POST", f"/api/v1/reports/{report['report_id']}/triage",
              {"decision": "reject", "reason": "现场未发现"}, token=mt)
    server.ok("POST", f"/m/v1/reports/{report['report_id']}/appeal",
              {"reason": "值守室仍在吊运线下方，企业说现场未发现"}, token=wt)
    officer_token = server.login(officer["username"])
    other_token = server.login(other_officer["username"])

    def escalation_of(token, subject_id):
        items = server.ok("GET", "/api/v1/bureau/escalations", token=token)["items"]
        return next((i for i in items if i["subject_id"] == subject_id), None)

    esc = wait_for("the hazard escalates", lambda: escalation_of(officer_token, hazard["id"]))
    other_esc = wait_for("the other hazard escalates",
                         lambda: escalation_of(other_token, other_hazard["id"]))
    appeal = escalation_of(officer_token, report["report_id"])
    assert appeal, "the appeal is an escalation"
    return dict(e=e, other=other, hazard=hazard, esc=esc, other_esc=other_esc, appeal=appeal,
                officer=officer, worker=worker, mt=mt, pt=pt)


def identities(world):
    w = world["worker"]
    return ["褚五", "13700137011", "GH-5511", w["id"], w["username"]]


def scan(page, world, where, screenshots, name):
    assert_no_identity(page.content(), identities(world), where)
    page.screenshot(path=str(screenshots / name), full_page=True)
    assert axe_violations(page) == [], where


def officer_page(browser, server, world):
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN",
                              bypass_csp=True, accept_downloads=True)
    page = ctx.new_page()
    sign_in(page, server, world["officer"]["username"])
    return ctx, page


def test_the_officer_sees_the_board_of_the_jurisdiction_only(server, world, browser,
                                                            screenshots):
    ctx, page = officer_page(browser, server, world)
    try:
        assert page.url.endswith("/console/bureau"), page.url
        html = page.content()
        assert "江北特钢有限公司" in html
        assert "南山冶炼有限公司" not in html, "another jurisdiction's enterprise is absent"
        assert page.locator("#open-major .big").inner_text() == "1"
        assert page.locator("#months-chart rect").count() == 24
        scan(page, world, "board", screenshots, "bureau_board.png")
        page.click("#board tbody a.count >> nth=0")
        page.wait_for_load_state("domcontentloaded")
        assert "/console/bureau/enterprises/" in page.url
        assert "转炉煤气回收区未设固定式报警仪" in page.content()
        scan(page, world, "enterprise", screenshots, "bureau_enterprise.png")
        r = page.goto(server.base + f"/console/bureau/escalations/{world['other_esc']['id']}")
        assert r.status == 404, "another jurisdiction's escalation"
        r = page.goto(server.base + f"/console/bureau/enterprises/{world['other']['id']}")
        assert r.status == 404
        page.goto(server.base + "/console/bureau/escalations")
        assert "南山" not in page.content()
        scan(page, world, "escalations", screenshots, "bureau_escalations.png")
    finally:
        ctx.close()


def test_acknowledge_supervise_refused_close_then_close_after_verification(
        server, world, browser, screenshots):
    ctx, page = officer_page(browser, server, world)
    esc = world["esc"]["id"]
    hid = world["hazard"]["id"]
    try:
        page.goto(server.base + f"/console/bureau/escalations/{esc}")
        scan(page, world, "escalation (open)", screenshots, "bureau_escalation_open.png")
        page.click("#acknowledge-form button")
        page.wait_for_load_state("domcontentloaded")
        assert page.locator("#escalation-status").inner_text() == "已签收"
        day = (datetime.date.today() + datetime.timedelta(days=7)).isoformat()
        page.fill("#sup-deadline", day)
        page.fill("#sup-instructions", "七日内安装固定式一氧化碳报警仪并联锁")
        page.click("#supervise-form button")
        page.wait_for_load_state("domcontentloaded")
        assert page.locator("#escalation-status").inner_text() == "督办中"
        assert day in page.locator("#bureau-deadline").inner_text()
        page.click("#close-form button")
        page.wait_for_load_state("domcontentloaded")
        alert = page.locator("[role=alert]").inner_text()
        assert "企业验收通过后，督办部门方可销号" in alert, alert
        assert page.locator("#escalation-status").inner_text() == "督办中"
        scan(page, world, "close refused", screenshots, "bureau_close_refused.png")

        server.ok("PUT", f"/api/v1/hazards/{hid}/plan", {
            "measures": "安装固定式一氧化碳报警仪并与风机联锁", "responsible_person": "李工",
            "funds_fen": 3_500_000, "deadline": "2099-12-31",
            "contingency_plan": "报警时撤离并切断煤气"}, token=world["mt"])
        body, ctype = multipart([
            ("evidence", "e.json", "application/json", '{"note": "报警仪已安装调试"}'.encode()),
            ("photo", "after.jpg", "image/jpeg", photo(11))])
        server.ok("POST", f"/api/v1/hazards/{hid}/evidence", raw=body, content_type=ctype,
                  token=world["mt"])
        server.ok("POST", f"/api/v1/hazards/{hid}/verify", {"passed": True, "note": "验收合格"},
                  token=world["pt"])

        # A plain visit (a reload would post the refused 销号 again).
        page.goto(server.base + f"/console/bureau/escalations/{esc}")
        assert "报警仪已安装调试" in page.content()
        assert page.locator("#subject ul.photos img").count() >= 1
        scan(page, world, "escalation (verified)", screenshots, "bureau_escalation_verified.png")
        page.click("#close-form button")
        page.wait_for_load_state("domcontentloaded")
        assert page.locator("#escalation-status").inner_text() == "已销号"
        page.goto(server.base + "/console/bureau")
        assert page.locator("#open-major .big").inner_text() == "0"
        scan(page, world, "board after", screenshots, "bureau_board_cleared.png")
    finally:
        ctx.close()


def test_the_officer_answers_an_appeal_without_seeing_who_wrote_it(server, world, browser,
                                                                   screenshots):
    ctx, page = officer_page(browser, server, world)
    try:
        page.goto(server.base + "/console/bureau/appeals")
        scan(page, world, "appeals", screenshots, "bureau_appeals.png")
        page.click("#appeals tbody a >> nth=0")
        page.wait_for_load_state("domcontentloaded")
        assert "值守室仍在吊运线下方" in page.content()
        page.fill("#appeal-reply", "已收到，将派员现场核查")
        page.click("#conversation button[type=submit]")
        page.wait_for_load_state("domcontentloaded")
        assert "已收到，将派员现场核查" in page.content()
        scan(page, world, "appeal", screenshots, "bureau_appeal.png")
        page.goto(server.base + f"/console/bureau/escalations/{world['appeal']['id']}")
        scan(page, world, "appeal escalation", screenshots, "bureau_appeal_escalation.png")
    finally:
        ctx.close()
