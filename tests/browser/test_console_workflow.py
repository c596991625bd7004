"""The manager's core workflow in the console, in Chromium: a report submitted over /m/v1 is
triaged into a major hazard with a criterion, a full 五落实 plan is saved (funds in 元), evidence
goes up with a photo, another manager's 验收不通过 sends it back, the second round passes and the
hazard is 销号. Then a sweep is recorded with a finding. Every page's HTML is scanned for the
reporter's identity, axe-core finds no serious or critical violation, and each page is
screenshotted."""

from __future__ import annotations

import pytest

import qingling
from console_helpers import (assert_no_identity, axe_violations, create_enterprise, photo,
                             sign_in, submit_report)


@pytest.fixture(scope="module")
def world(server):
    ent = create_enterprise(server, "丙钢铁集团有限公司")
    area = server.create_area(ent["id"], "炼钢车间 3号转炉")
    first = server.create_user("safety_manager", ent["id"], display_name="赵安全")
    second = server.create_user("safety_manager", ent["id"], display_name="钱安全")
    worker = server.create_user("worker", ent["id"], display_name="孙工人", phone="13912345678",
                                employee_no="GH-2468")
    token = server.login(worker["username"])
    report = submit_report(server, token, "转炉炉下渣道积水", description="炉下渣道有大片积水，靠近喷溅区",
                           area_id=area["id"], suspected_level="major", photos=2)
    return dict(ent=ent, area=area, first=first, second=second, worker=worker, report=report)


def identity(world):
    w = world["worker"]
    return ["孙工人", "13912345678", "GH-2468", w["id"], w["username"]]


def check_page(page, world, name, screenshots, visited):
    html = page.content()
    assert_no_identity(html, identity(world), name)
    page.screenshot(path=str(screenshots / f"console-{name}.png"), full_page=True)
    visited.append(name)


def test_triage_to_close_out_with_a_failed_verification_between(server, world, browser, tmp_path,
                                                                 screenshots):
    visited = []
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN",
                              bypass_csp=True)
    page = ctx.new_page()
    sign_in(page, server, world["first"]["username"])
    check_page(page, world, "overview", screenshots, visited)
    assert axe_violations(page) == []
    page.click("nav >> text=收件箱")
    check_page(page, world, "inbox", screenshots, visited)
    assert axe_violations(page) == []

    # 受理 as a major hazard with a criterion of the steel sector (standing water in a splash
    # zone is MEM10 art. 4).
    page.click("text=转炉炉下渣道积水")
    check_page(page, world, "report", screenshots, visited)
    assert axe_violations(page) == []
    criterion = page.locator("label.criterion", has_text="积水").first
    code = criterion.locator("code").inner_text()
    criterion.locator("input").check()
    page.locator("form:has(input[name=decision][value=accept]) button[type=submit]").click()
    page.wait_for_url("**/console/hazards/*")
    hazard_url = page.url
    assert "重大隐患" in page.locator("dl.facts").first.inner_text()
    assert code in page.content()

    # A plan without funds is refused in words for a major hazard.
    page.fill("#measures", "清理积水，修复渣道排水沟，设置挡水围堰")
    page.fill("#responsible_person", "赵安全")
    page.fill("#deadline", "2026-12-31")
    page.fill("#contingency_plan", "喷溅区禁止人员进入，备好应急渣罐")
    page.evaluate("document.querySelector('#funds_yuan').removeAttribute('required')")
    page.click("button:has-text('保存整改方案')")
    assert "funds_fen" in page.locator("[role=alert]").inner_text() or \
        "资金" in page.locator("[role=alert]").inner_text()
    # The full 五落实, funds in 元.
    page.fill("#funds_yuan", "12,800.50")
    page.click("button:has-text('保存整改方案')")
    page.wait_for_url("**#plan")
    plan = page.locator("#plan dl.facts").inner_text()
    assert "12800.50 元" in plan and "赵安全" in plan and "2026-12-31" in plan
    token = server.login(world["first"]["username"])
    hid = hazard_url.rsplit("/", 1)[1].split("#")[0]
    detail = server.ok("GET", f"/api/v1/hazards/{hid}", token=token)
    assert detail["plan"]["funds_fen"] == 1280050

    # 上传整改证据 with a photo.
    evidence = tmp_path / "after.jpg"
    evidence.write_bytes(photo(77))
    page.fill("#note", "积水已清理，排水沟已疏通")
    page.set_input_files("#photo", str(evidence))
    page.click("button:has-text('上传整改证据')")
    page.wait_for_url("**#evidence")
    assert "待验收" in page.locator("dl.facts").first.inner_text()
    assert page.locator(".compare figure").nth(1).locator("img").count() == 1
    check_page(page, world, "hazard-awaiting", screenshots, visited)

    # The responsible person may not verify it: refused in words, nothing changes.
    page.click("button:has-text('验收通过')")
    assert "整改责任人不能验收自己的整改" in page.locator("[role=alert]").inner_text()

    # Another manager: 验收不通过 with a reason sends it back to rectification.
    other = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN",
                                bypass_csp=True)
    p2 = other.new_page()
    sign_in(p2, server, world["second"]["username"])
    p2.goto(hazard_url.split("#")[0])
    p2.fill("#vnote", "围堰高度不足")
    with p2.expect_navigation():
        p2.click("button:has-text('验收不通过')")
    assert "整改中" in p2.locator("dl.facts").first.inner_text()
    assert "围堰高度不足" in p2.locator("ol.timeline").inner_text()

    # Second round: new evidence, then the other manager passes it: 销号.
    page.goto(hazard_url.split("#")[0])
    page.fill("#note", "围堰加高至 30 cm")
    page.set_input_files("#photo", str(evidence))
    page.click("button:has-text('上传整改证据')")
    page.wait_for_url("**#evidence")
    p2.goto(hazard_url.split("#")[0])
    with p2.expect_navigation():
        p2.click("button:has-text('验收通过')")
    facts = p2.locator("dl.facts").first.inner_text()
    assert "已销号" in facts and "销号时间" in facts
    assert "验收不通过" in p2.locator("ol.timeline").inner_text()
    check_page(p2, world, "hazard-closed", screenshots, visited)
    assert axe_violations(p2) == []
    assert server.ok("GET", f"/api/v1/hazards/{hid}", token=token)["status"] == "closed"

    # The ledger shows it, filtered by level and status.
    p2.goto(server.base + "/console/hazards?level=major&status=closed")
    assert p2.locator("table.list tbody tr", has_text="转炉炉下渣道积水").count() == 1
    check_page(p2, world, "ledger", screenshots, visited)
    assert axe_violations(p2) == []
    p2.goto(server.base + "/console/hazards?overdue=1")
    assert p2.locator("table.list tbody tr", has_text="转炉炉下渣道积水").count() == 0

    # 排查: record a sweep, then a finding with a photo.
    p2.goto(server.base + "/console/sweeps")
    p2.fill("#leader", "钱安全")
    p2.fill("#scope", "炼钢车间全部转炉平台")
    p2.click("button:has-text('记录排查')")
    p2.wait_for_url("**/console/sweeps/*")
    assert "排查已记录" in p2.content()
    p2.fill("#title", "3号转炉氧枪冷却水无流量监测")
    p2.fill("#description", "冷却水回水管流量计损坏")
    p2.check("input[name=level][value=major]")
    p2.set_input_files("#photo", str(evidence))
    p2.click("button:has-text('登记排查发现的隐患')")
    p2.wait_for_url("**/console/hazards/*")
    assert "季度排查" in p2.locator("dl.facts").first.inner_text()
    assert p2.locator(".compare figure").first.locator("img").count() == 1
    p2.goto(server.base + "/console/sweeps")
    check_page(p2, world, "sweeps", screenshots, visited)
    assert axe_violations(p2) == []
    other.close()
    ctx.close()
    assert len(visited) == 7
