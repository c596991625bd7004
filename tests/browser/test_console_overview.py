"""概览, 身份披露 and 导出 in the console, in Chromium against the real binary: the landing page's
numbers match the hazards and reports created here and its chart is an SVG with two bars per
month; two custodians disclose a confidential reporter and the requester sees the identity
once (a POST answered `no-store`, gone on the way back); the exports download and parse with
the rows expected. Every visited page is scanned for the reporter's identity (except the
reveal, whose job it is) and by axe-core."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest

import qingling
from console_helpers import (assert_no_identity, axe_violations, create_enterprise, photo,
                             multipart, sign_in, submit_report)


@pytest.fixture(scope="module")
def server():
    # A two-second triage deadline: the report left untriaged is late at once.
    s = qingling.start_server({"QINGLING_TRIAGE_DEADLINE": "2s",
                               "QINGLING_TRIAGE_MAJOR_DEADLINE": "2s"})
    yield s
    qingling.destroy_server(s)


@pytest.fixture(scope="module")
def world(server):
    """One major hazard open, one general open, one general closed (plan, evidence, 验收通过 by
    a second manager), one report untriaged; two custodians; a second enterprise."""
    e = create_enterprise(server, "丁冶炼有限公司")
    other = create_enterprise(server, "戊有色金属有限公司", sector="nonferrous")
    area = server.create_area(e["id"], "炼铁厂 1号高炉")
    m1 = server.create_user("safety_manager", e["id"], display_name="吴安全")
    m2 = server.create_user("safety_manager", e["id"], display_name="郑安全")
    c1 = server.create_user("custodian", e["id"], display_name="王保管")
    c2 = server.create_user("custodian", e["id"], display_name="冯保管")
    c_other = server.create_user("custodian", other["id"], display_name="陈保管")
    worker = server.create_user("worker", e["id"], display_name="褚五", phone="13700137000",
                                employee_no="GH-9911")
    wt, t1, t2 = (server.login(u["username"]) for u in (worker, m1, m2))
    reports = [submit_report(server, wt, title, area_id=area["id"]) for title in
               ("高炉风口平台积水", "出铁场行车限位失灵", "皮带机防护罩缺失", "煤粉仓温度计损坏")]
    triage = lambda r, level: server.ok(  # noqa: E731
        "POST", f"/api/v1/reports/{r['report_id']}/triage",
        {"decision": "accept", "level": level}, token=t1)
    major = triage(reports[0], "major")
    triage(reports[1], "general")
    closed = triage(reports[2], "general")["hazard_id"]
    server.ok("PUT", f"/api/v1/hazards/{closed}/plan", {
        "measures": "加装防护罩", "responsible_person": "李四", "funds_fen": 50000,
        "deadline": "2099-12-31", "contingency_plan": "停机挂牌"}, token=t1)
    body, ctype = multipart([("evidence", "e.json", "application/json", '{"note": "已加装"}'.encode()),
                             ("photo", "after.jpg", "image/jpeg", photo(7))])
    server.ok("POST", f"/api/v1/hazards/{closed}/evidence", raw=body, content_type=ctype,
              token=t1)
    server.ok("POST", f"/api/v1/hazards/{closed}/verify", {"passed": True, "note": "合格"},
              token=t2)
    return dict(e=e, area=area, m1=m1, c1=c1, c2=c2, c_other=c_other, worker=worker,
                major=major, report=reports[0], untriaged=reports[3])


def identities(world):
    w = world["worker"]
    return ["褚五", "13700137000", "GH-9911", w["id"], w["username"]]


def person(browser, server, user):
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN",
                              bypass_csp=True, accept_downloads=True)
    page = ctx.new_page()
    sign_in(page, server, user["username"])
    return ctx, page


def scan(page, world, where):
    assert_no_identity(page.content(), identities(world), where)
    assert axe_violations(page) == [], where


def test_the_overview_shows_the_counts_of_what_was_done_and_a_chart_of_two_bars_a_month(
        server, world, browser, screenshots):
    ctx, page = person(browser, server, world["m1"])
    try:
        assert page.url.endswith("/console/overview"), page.url
        assert page.locator("#open-major .big").inner_text() == "1"
        assert page.locator("#overdue-hazards .num").inner_text() == "0"
        assert page.locator("#late-reports .num").inner_text() == "1"
        assert page.locator("[data-level=general]").inner_text() == "2"
        assert page.locator("[data-level=major]").inner_text() == "1"
        assert page.locator("#quarter-areas tbody tr").count() == 1
        assert "炼铁厂 1号高炉" in page.locator("#quarter-areas").inner_text()
        svg = page.locator("svg#months-chart")
        assert svg.count() == 1
        assert page.locator("svg#months-chart rect.bar.registered").count() == 12
        assert page.locator("svg#months-chart rect.bar.closed").count() == 12
        # This month: three registered, one closed, in the bar's title and the table.
        last = page.locator("#months-table tbody tr").last
        assert last.locator("td").all_inner_texts() == ["3", "1"]
        titles = page.locator("svg#months-chart rect title").evaluate_all(
            "els => els.map(e => e.textContent)")
        assert titles[-2].endswith(" 3") and titles[-1].endswith(" 1"), titles[-2:]
        heights = [float(h) for h in
                   page.locator("svg#months-chart rect").evaluate_all(
                       "els => els.map(e => e.getAttribute('height'))")]
        assert heights[-2] > heights[-1] > 0 and all(h == 0 for h in heights[:-2])
        assert page.locator("script:not([src])").count() == 0
        page.screenshot(path=str(screenshots / "console_overview.png"), full_page=True)
        scan(page, world, "overview")
    finally:
        ctx.close()


def test_two_custodians_disclose_and_the_requester_sees_the_identity_once(
        server, world, browser, screenshots):
    report_id = world["report"]["report_id"]
    ctx1, p1 = person(browser, server, world["c1"])
    ctx2, p2 = person(browser, server, world["c2"])
    try:
        assert p1.url.endswith("/console/disclosures"), p1.url
        p1.goto(f"{server.base}/console/disclosures?report={report_id}")
        assert p1.locator("#report").input_value() == report_id
        p1.fill("#reason", "短")
        p1.locator("#reason").evaluate("e => e.removeAttribute('minlength')")
        p1.click("#request button[type=submit]")
        assert "至少 5 个字" in p1.locator(".error").inner_text()
        p1.fill("#reason", "举报人反映遭受打击报复，需核实身份以便依法保护")
        p1.click("#request button[type=submit]")
        assert "申请已提交" in p1.locator(".notice").inner_text()
        # The requester cannot decide their own request.
        assert p1.locator("#mine ~ table button").count() == 0
        scan(p1, world, "disclosures (requester)")

        p2.goto(server.base + "/console/disclosures")
        waiting = p2.locator("tr[data-disclosure]")
        assert waiting.count() == 1
        p2.screenshot(path=str(screenshots / "console_disclosures_waiting.png"), full_page=True)
        scan(p2, world, "disclosures (approver)")
        p2.click("button.pass")
        assert "已批准" in p2.locator(".notice").inner_text()
        assert p2.locator("button:has-text('查看身份')").count() == 0

        p1.goto(server.base + "/console/disclosures")
        with p1.expect_response(lambda r: r.url.endswith("/open")) as opened:
            p1.click("button:has-text('查看身份')")
        res = opened.value
        assert res.status == 200
        assert "no-store" in res.headers["cache-control"]
        assert "褚五" in p1.locator("#identity").inner_text()
        assert "13700137000" in p1.locator("#identity").inner_text()
        assert "审计" in p1.locator("#reveal-warning").inner_text()
        p1.screenshot(path=str(screenshots / "console_disclosure_reveal.png"), full_page=True)
        assert axe_violations(p1) == []
        # Back: the list again (the reveal was a POST, not a page in the history), no identity.
        p1.go_back()
        p1.wait_for_load_state("domcontentloaded")
        assert p1.url.endswith("/console/disclosures"), p1.url
        p1.reload()
        assert_no_identity(p1.content(), identities(world), "disclosures after the reveal")
        assert p1.locator("button:has-text('查看身份')").count() == 0
        assert "已查看" in p1.locator("#mine ~ table").first.inner_text()
        # A second opening, forged as a post of the old form, is refused.
        token = p1.locator("input[name=csrf]").first.input_value()
        d_id = p1.locator("tr[data-disclosure]").first.get_attribute("data-disclosure")
        again = p1.request.post(f"{server.base}/console/disclosures/{d_id}/open",
                                form={"csrf": token}, headers={"origin": server.base})
        assert again.status == 410
        assert "褚五" not in again.text()
    finally:
        ctx1.close()
        ctx2.close()


def test_a_custodian_of_another_enterprise_cannot_request_or_see_a_request(
        server, world, browser):
    ctx, page = person(browser, server, world["c_other"])
    try:
        page.goto(f"{server.base}/console/disclosures?report={world['report']['report_id']}")
        assert page.locator("tr[data-disclosure]").count() == 0
        page.fill("#reason", "试图跨企业申请披露身份")
        page.click("#request button[type=submit]")
        assert "褚五" not in page.content()
        assert page.locator(".notice").count() == 0
        assert page.locator(".error").count() == 1
    finally:
        ctx.close()


def sheet_rows(data: bytes) -> dict[str, int]:
    """Rows per worksheet of an XLSX, read with zipfile (the header row included)."""
    z = zipfile.ZipFile(io.BytesIO(data))
    names = [n for n in z.namelist() if re.match(r"xl/worksheets/sheet\d+\.xml$", n)]
    return {n: len(re.findall(rb"<row[ >]", z.read(n))) for n in sorted(names)}


def test_exports_download_the_quarters_ledger_rewards_and_the_congress_report(
        server, world, browser, screenshots):
    ctx, page = person(browser, server, world["m1"])
    try:
        page.goto(server.base + "/console/exports")
        scan(page, world, "exports")
        page.screenshot(path=str(screenshots / "console_exports.png"), full_page=True)
        with page.expect_download() as d:
            page.click("#by-quarter button:has-text('台账 CSV')")
        text = open(d.value.path(), encoding="utf-8-sig").read()
        rows = list(csv.reader(io.StringIO(text)))
        assert len(rows) == 1 + 3, rows
        titles = {r[i] for r in rows[1:] for i in range(len(r))}
        assert {"高炉风口平台积水", "出铁场行车限位失灵", "皮带机防护罩缺失"} <= titles
        assert_no_identity(text, identities(world), "ledger.csv")
        with page.expect_download() as d:
            page.click("#by-quarter button:has-text('台账 XLSX')")
        data = open(d.value.path(), "rb").read()
        counts = sheet_rows(data)
        assert sum(counts.values()) == 3 + len(counts), counts  # a header row per sheet
        with page.expect_download() as d:
            page.click("text=下载奖励台账 CSV")
        rewards = list(csv.reader(io.StringIO(open(d.value.path(), encoding="utf-8-sig").read())))
        assert len(rewards) == 1 + 3, rewards
        with page.expect_download() as d:
            page.click("text=下载奖励台账 XLSX")
        assert sum(sheet_rows(open(d.value.path(), "rb").read()).values()) == 1 + 3
        # A range with nothing in it: the header only.
        page.fill("#from", "2001-01-01")
        page.fill("#to", "2001-01-31")
        with page.expect_download() as d:
            page.click("#by-range button:has-text('台账 CSV')")
        assert len(list(csv.reader(open(d.value.path(), encoding="utf-8-sig")))) == 1

        page.goto(server.base + "/console/exports")
        page.click("#by-quarter button:has-text('职代会')")
        page.wait_for_load_state("domcontentloaded")
        assert page.locator("#congress-hazards tbody tr").count() == 1
        assert "高炉风口平台积水" in page.locator("#congress-hazards").inner_text()
        assert page.locator("#congress-totals .num").all_inner_texts() == ["1", "0", "1"]
        scan(page, world, "congress")
        page.emulate_media(media="print")
        assert page.locator("header.top").is_hidden()
        page.screenshot(path=str(screenshots / "console_congress_print.png"), full_page=True)
    finally:
        ctx.close()
