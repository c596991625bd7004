"""Follow-up by receipt code: every report gets feedback — a rejection's reason, then for an
accepted report the 五落实 plan's deadline and finally 销号 with the rectification photos; roles,
never staff names."""

from __future__ import annotations

import datetime

import pytest

import qingling
from phone_helpers import PHONE_ENV, Site, open_phone, plain_jpeg, shot


@pytest.fixture(scope="module")
def server():
    s = qingling.start_server(PHONE_ENV)
    yield s
    qingling.destroy_server(s)


@pytest.fixture(scope="module")
def site(server):
    return Site(server)


def look_up(phone, server, code):
    page = open_phone(phone, server, "followup")
    page.fill("#receipt-input", code)
    page.click("#followup-go")
    page.wait_for_selector("#followup")
    return page


def test_follow_up_shows_why_a_report_was_rejected(server, site, phone, screenshots):
    r = site.anonymous_report("更衣室灯不亮")
    site.triage(r["report_id"], decision="reject", reason="不属于安全隐患，已转后勤维修")
    page = look_up(phone, server, r["receipt_code"])
    assert page.inner_text("#followup-status") == "不予受理"
    assert "不属于安全隐患，已转后勤维修" in page.inner_text("#followup-reason")
    shot(page, screenshots, "followup-rejected")
    # The reporter can answer and take it to the bureau.
    page.fill("#message-enterprise", "灯下是行车检修通道，晚上看不见")
    page.click("#message-enterprise ~ button")
    page.wait_for_selector("#messages li")
    assert "行车检修通道" in page.inner_text("#messages")
    assert not page.errors, page.errors


def test_follow_up_shows_the_plan_deadline_then_closure_with_evidence_photos(
        server, site, phone, screenshots):
    r = site.anonymous_report("煤气柜区阀门泄漏")
    triaged = site.triage(r["report_id"], decision="accept", level="major")
    hazard = triaged["hazard_id"]
    deadline = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()
    site.plan(hazard, deadline)

    page = look_up(phone, server, r["receipt_code"])
    assert page.inner_text("#followup-status") == "已受理"
    assert deadline in page.inner_text("#plan-deadline")
    assert "更换煤气阀门密封圈" in page.inner_text("#progress-panel")
    text = page.inner_text("#followup")
    for name in ("李四", site.manager["username"], site.manager.get("display_name", "-")):
        assert name not in text, f"staff name {name} shown to the reporter"
    shot(page, screenshots, "followup-plan")
    page.close()

    site.evidence(hazard, "密封圈已更换，CO 报警仪已安装并联网", plain_jpeg(640, 480, (30, 160, 30)))
    site.verify(hazard)
    page = look_up(phone, server, r["receipt_code"])
    assert page.inner_text("#hazard-status") == "已销号"
    page.wait_for_selector("#closed-at")
    page.wait_for_function("() => { const i = document.querySelector('#evidence-photos img');"
                           " return i && i.complete && i.naturalWidth > 0; }", timeout=20000)
    assert "CO 报警仪已安装" in page.inner_text("#progress-panel")
    shot(page, screenshots, "followup-closed")
    # The same evidence photo over the API: the code in the body or a header, never the URL.
    follow = server.ok("POST", "/m/v1/receipt", {"receipt_code": r["receipt_code"]})
    photo_id = follow["progress"]["evidence"][0]["photo_ids"][0]
    body = server.request("POST", f"/m/v1/receipt/photos/{photo_id}",
                          {"receipt_code": r["receipt_code"]})
    assert body.status == 200 and body.body[:2] == b"\xff\xd8"
    header = server.request("GET", f"/m/v1/receipt/photos/{photo_id}",
                            headers={"X-Receipt-Code": r["receipt_code"]})
    assert header.status == 200 and header.body == body.body
    other = site.anonymous_report("另一份报告")
    assert server.request("POST", f"/m/v1/receipt/photos/{photo_id}",
                          {"receipt_code": other["receipt_code"]}).status == 404
    assert server.request("GET", f"/m/v1/receipt/photos/{photo_id}").status == 404
    assert all("by" in s and "actor_id" not in s for s in follow["progress"]["steps"])
    assert not page.errors, page.errors
