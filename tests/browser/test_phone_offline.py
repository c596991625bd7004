"""One bar of signal: a report written offline waits on the phone (待发送 1 条) and is sent
once when the network returns; a connection that drops after the server took the report
creates nothing twice."""

from __future__ import annotations

import pytest

import qingling
from phone_helpers import PHONE_ENV, Site, fill_report, open_phone, plain_jpeg, receipt_code, shot


@pytest.fixture(scope="module")
def server():
    s = qingling.start_server(PHONE_ENV)
    yield s
    qingling.destroy_server(s)


@pytest.fixture(scope="module")
def site(server):
    return Site(server)


def titled(site, title):
    return [r for r in site.reports() if r["title"] == title]


def test_offline_report_waits_then_is_sent_exactly_once_when_back_online(
        server, site, phone, tmp_path, screenshots):
    page = open_phone(phone, server, f"i={site.intake_code}")
    page.click("#mode-anonymous")
    title = "离线：煤气柜水封液位低"
    fill_report(page, tmp_path, title, [plain_jpeg()])
    phone.set_offline(True)
    page.click("#submit")
    page.wait_for_selector("#queued")
    page.wait_for_selector("#pending")
    assert page.inner_text("#pending") == "待发送 1 条"
    shot(page, screenshots, "queued")
    assert titled(site, title) == []
    page.click("#pending")
    page.wait_for_selector("#pending-list")
    assert title in page.inner_text("#pending-list")
    shot(page, screenshots, "pending")
    phone.set_offline(False)  # fires `online`: the outbox is sent
    code = receipt_code(page)
    assert len(titled(site, title)) == 1
    assert page.locator("#pending").count() == 0
    assert server.ok("POST", "/m/v1/receipt", {"receipt_code": code})["title"] == title
    page.click("#receipt-done")
    assert len(titled(site, title)) == 1
    assert not page.errors, page.errors


def test_a_report_left_waiting_is_sent_when_the_page_is_opened_again(
        server, site, phone, tmp_path):
    page = open_phone(phone, server, f"i={site.intake_code}")
    page.click("#mode-anonymous")
    title = "离线后关页：铁水罐耳轴裂纹"
    fill_report(page, tmp_path, title, [plain_jpeg()])
    phone.set_offline(True)
    page.click("#submit")
    page.wait_for_selector("#queued")
    page.close()  # the worker puts the phone away
    phone.set_offline(False)
    again = open_phone(phone, server)
    receipt_code(again)
    assert len(titled(site, title)) == 1


def test_a_retry_after_a_dropped_connection_creates_nothing_twice(
        server, site, phone, tmp_path):
    page = open_phone(phone, server, f"i={site.intake_code}")
    page.click("#mode-anonymous")
    title = "断线重试：除尘管道积灰"
    fill_report(page, tmp_path, title, [plain_jpeg(), plain_jpeg(500, 500, (200, 200, 200))])
    keys = []

    def drop_after_delivery(route):
        # The server receives the whole report and answers; the phone never hears back.
        keys.append(route.request.headers.get("idempotency-key"))
        if len(keys) == 1:
            route.fetch()
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/m/v1/anonymous-reports", drop_after_delivery)
    page.click("#submit")
    page.wait_for_selector("#queued")
    assert len(titled(site, title)) == 1, "the server already has it"
    page.click("#pending")
    page.click("#pending-retry")
    code = receipt_code(page)
    assert len(keys) == 2 and keys[0] == keys[1], keys
    assert len(titled(site, title)) == 1, "the retry answered with the first answer"
    assert server.ok("POST", "/m/v1/receipt", {"receipt_code": code})["title"] == title
