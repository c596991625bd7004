"""奖励 in the console: a reward approved by a second manager after the proposer is refused in
words, paid by someone other than its approver; a reward above the threshold that only a
principal may approve; the reward policy entered in 元; axe-core and an identity scan of each
page. In Chromium against the real binary."""

from __future__ import annotations

import pytest

from console_helpers import assert_no_identity, axe_violations, create_enterprise, sign_in, submit_report


@pytest.fixture(scope="module")
def world(server):
    """An enterprise with two managers and a principal; a worker's general and major reports,
    both accepted by the first manager (who thereby proposes their rewards)."""
    e = create_enterprise(server, "丙钢铁有限公司")
    area = server.create_area(e["id"])
    m1 = server.create_user("safety_manager", e["id"], display_name="赵安全")
    m2 = server.create_user("safety_manager", e["id"], display_name="钱安全")
    boss = server.create_user("principal", e["id"], display_name="孙厂长")
    worker = server.create_user("worker", e["id"], display_name="周四", phone="13900139000",
                                employee_no="GH-4455")
    wt = server.login(worker["username"])
    t1 = server.login(m1["username"])
    general = submit_report(server, wt, "3号行车钢丝绳断股", area_id=area["id"])
    major = submit_report(server, wt, "煤气柜区域一氧化碳报警器失效", area_id=area["id"],
                          suspected_level="major")
    server.ok("POST", f"/api/v1/reports/{general['report_id']}/triage",
              {"decision": "accept", "level": "general"}, token=t1)
    server.ok("POST", f"/api/v1/reports/{major['report_id']}/triage",
              {"decision": "accept", "level": "major"}, token=t1)
    rewards = server.ok("GET", "/api/v1/rewards", token=t1)["items"]
    by_report = {r["report_id"]: r for r in rewards}
    return dict(e=e, m1=m1, m2=m2, boss=boss, worker=worker,
                general=by_report[general["report_id"]], major=by_report[major["report_id"]])


def identities(world):
    w = world["worker"]
    return ["周四", "13900139000", "GH-4455", w["id"], w["username"]]


def person(browser, server, user):
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN",
                              bypass_csp=True)
    page = ctx.new_page()
    sign_in(page, server, user["username"])
    return ctx, page


def row(page, reward):
    return page.locator(f"#reward-{reward['id']}")


def test_proposer_is_refused_in_words_a_second_manager_approves_and_a_third_person_pays(
        server, world, browser, screenshots):
    g = world["general"]
    ctx1, p1 = person(browser, server, world["m1"])
    ctx2, p2 = person(browser, server, world["m2"])
    try:
        p1.goto(server.base + "/console/rewards")
        r = row(p1, g)
        assert "200.00 元" in r.inner_text()
        assert "待批准" in r.inner_text()
        p1.screenshot(path=str(screenshots / "console_rewards_list.png"), full_page=True)
        assert axe_violations(p1) == []
        assert_no_identity(p1.content(), identities(world), "rewards list")

        # The proposer may not approve their own proposal: refused in words, nothing changed.
        r.locator("button", has_text="批准").click()
        p1.wait_for_load_state("domcontentloaded")
        alert = p1.locator("[role=alert]").inner_text()
        assert "提议人不能批准自己提议的奖励" in alert, alert
        assert "待批准" in row(p1, g).inner_text()
        p1.screenshot(path=str(screenshots / "console_rewards_refused.png"), full_page=True)

        # A second manager approves.
        p2.goto(server.base + "/console/rewards")
        row(p2, g).locator("button", has_text="批准").click()
        p2.wait_for_load_state("domcontentloaded")
        assert "已批准待发放" in row(p2, g).inner_text()

        # The approver may not record the payment; the proposer can.
        r2 = row(p2, g)
        r2.locator("input[name=reference]").fill("PAY-2026-12-001")
        r2.locator("button", has_text="标记已发放").click()
        p2.wait_for_load_state("domcontentloaded")
        assert "批准人不能记录发放" in p2.locator("[role=alert]").inner_text()

        p1.goto(server.base + "/console/rewards?status=approved")
        r1 = row(p1, g)
        r1.locator("input[name=reference]").fill("PAY-2026-12-001")
        r1.locator("button", has_text="标记已发放").click()
        p1.wait_for_load_state("domcontentloaded")
        assert "已记录发放" in p1.locator("h1").inner_text()
        assert "PAY-2026-12-001" in p1.content()
        assert axe_violations(p1) == []
        assert_no_identity(p1.content(), identities(world), "paid page")

        p1.goto(server.base + "/console/rewards?status=paid")
        assert "已发放" in row(p1, g).inner_text()
        assert "PAY-2026-12-001" in row(p1, g).inner_text()
        a = server.ok("GET", f"/api/v1/rewards/{g['id']}", token=server.login(world["m1"]["username"]))
        assert a["status"] == "paid" and a["paid_reference"] == "PAY-2026-12-001"
    finally:
        ctx1.close()
        ctx2.close()


def test_above_the_threshold_a_manager_is_refused_and_the_principal_approves(
        server, world, browser):
    mj = world["major"]
    ctx2, p2 = person(browser, server, world["m2"])
    ctxb, pb = person(browser, server, world["boss"])
    try:
        p2.goto(server.base + "/console/rewards")
        assert "2000.00 元" in row(p2, mj).inner_text()
        row(p2, mj).locator("button", has_text="批准").click()
        p2.wait_for_load_state("domcontentloaded")
        alert = p2.locator("[role=alert]").inner_text()
        assert "主要负责人" in alert, alert
        assert "待批准" in row(p2, mj).inner_text()

        pb.goto(server.base + "/console/rewards")
        row(pb, mj).locator("button", has_text="批准").click()
        pb.wait_for_load_state("domcontentloaded")
        assert "已批准待发放" in row(pb, mj).inner_text()
    finally:
        ctx2.close()
        ctxb.close()


def test_adjusting_needs_an_amount_in_yuan_within_the_policy(server, world, browser):
    e = world["e"]
    wt = server.login(world["worker"]["username"])
    t1 = server.login(world["m1"]["username"])
    rep = submit_report(server, wt, "高炉出铁场除尘罩脱落")
    server.ok("POST", f"/api/v1/reports/{rep['report_id']}/triage",
              {"decision": "accept", "level": "general"}, token=t1)
    reward = next(r for r in server.ok("GET", "/api/v1/rewards", token=t1)["items"]
                  if r["report_id"] == rep["report_id"])
    ctx, p = person(browser, server, world["m2"])
    try:
        p.goto(server.base + "/console/rewards")
        r = row(p, reward)
        # 调整 opens its form only when chosen.
        assert not r.locator("input[name=amount_yuan]").is_visible()
        r.locator("summary", has_text="调整").click()
        r.locator("input[name=amount_yuan]").fill("999")
        r.locator("form[action$=adjust] input[name=reason]").fill("多人同时发现")
        r.locator("button", has_text="调整").click()
        p.wait_for_load_state("domcontentloaded")
        assert p.locator("[role=alert]").is_visible()
        assert "200.00 元" in row(p, reward).inner_text()

        r = row(p, reward)
        r.locator("summary", has_text="调整").click()
        r.locator("input[name=amount_yuan]").fill("150.5")
        r.locator("form[action$=adjust] input[name=reason]").fill("隐患已被部分处理")
        r.locator("button", has_text="调整").click()
        p.wait_for_load_state("domcontentloaded")
        text = row(p, reward).inner_text()
        assert "150.50 元" in text and "隐患已被部分处理" in text, text
        a = server.ok("GET", f"/api/v1/rewards/{reward['id']}", token=t1)
        assert a["amount_fen"] == 15050
        assert e["id"]
    finally:
        ctx.close()


def test_the_principal_sets_the_policy_in_yuan_and_a_manager_may_not(server, world, browser,
                                                                      screenshots):
    ctxb, pb = person(browser, server, world["boss"])
    ctx1, p1 = person(browser, server, world["m1"])
    try:
        pb.goto(server.base + "/console/rewards/policy")
        assert pb.locator("input[name=general_yuan]").input_value() == "200.00"
        pb.fill("input[name=general_yuan]", "300")
        pb.fill("input[name=major_yuan]", "2500")
        pb.fill("input[name=threshold_yuan]", "1000")
        pb.fill("input[name=cap_yuan]", "8000")
        pb.click("button[type=submit]:has-text('保存奖励标准')")
        pb.wait_for_load_state("domcontentloaded")
        assert pb.locator("input[name=general_yuan]").input_value() == "300.00"
        assert "现行版本" in pb.content()
        pb.screenshot(path=str(screenshots / "console_reward_policy.png"), full_page=True)
        assert axe_violations(pb) == []
        ent = world["e"]["id"]
        pol = server.ok("GET", f"/api/v1/enterprises/{ent}/reward-policy",
                        token=server.login(world["boss"]["username"]))
        assert pol["general_fen"] == 30000 and pol["major_fen"] == 250000

        # A cap below three major rewards is refused in words, and what was typed stays.
        pb.fill("input[name=cap_yuan]", "100")
        pb.click("button[type=submit]:has-text('保存奖励标准')")
        pb.wait_for_load_state("domcontentloaded")
        assert pb.locator("[role=alert]").is_visible()
        assert pb.locator("input[name=cap_yuan]").input_value() == "100"

        p1.goto(server.base + "/console/rewards/policy")
        p1.fill("input[name=general_yuan]", "1")
        p1.click("button[type=submit]:has-text('保存奖励标准')")
        p1.wait_for_load_state("domcontentloaded")
        assert p1.locator("[role=alert]").is_visible()
        pol = server.ok("GET", f"/api/v1/enterprises/{ent}/reward-policy",
                        token=server.login(world["boss"]["username"]))
        assert pol["general_fen"] == 30000
    finally:
        ctxb.close()
        ctx1.close()
