"""保存举报凭证: after reporting, the worker keeps the proof of report as a file and as a
picture whose QR code is the whole proof; the follow-up offers it again with the later proofs;
the saved file verifies on /proof/."""

from __future__ import annotations

import json

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


def save_file(page, link: str, folder) -> dict:
    with page.expect_download() as d:
        page.click(link)
    path = folder / d.value.suggested_filename
    d.value.save_as(path)
    return {"name": d.value.suggested_filename, "path": path, "doc": json.loads(path.read_text("utf-8"))}


def test_the_worker_saves_the_proof_and_it_verifies_on_the_proof_page(server, site, phone, desk, tmp_path, screenshots):
    page = open_phone(phone, server, f"i={site.intake_code}")
    page.click("#mode-anonymous")
    page.wait_for_selector("#report-form")
    title = "炉前平台煤气报警器失灵"
    fill_report(page, tmp_path, title, [plain_jpeg()])
    page.click("#submit")
    code = receipt_code(page)
    assert "不含您的身份" in page.inner_text("#app")

    page.click("#proof-save")
    page.wait_for_selector("#proof-save-img")
    width = page.evaluate("document.querySelector('#proof-save-img').naturalWidth")
    assert width == 1080
    saved = save_file(page, "#proof-save-file", tmp_path)
    assert saved["name"].startswith("举报凭证-") and saved["name"].endswith(".json")
    shot(page, screenshots, "proof-saved")

    # The file is the server's proof exactly, and it names nothing about the reporter.
    follow = server.ok("POST", "/m/v1/receipt", {"receipt_code": code})
    assert saved["doc"] == follow["proofs"][0]
    assert saved["doc"]["kind"] == "report.submitted"
    text = json.dumps(saved["doc"], ensure_ascii=False)
    assert code not in text and title not in text

    # The picture was drawn from a QR code the server made of that same document.
    page.click("#receipt-done")
    page.wait_for_selector("#receipt-code", state="detached")

    # Accepted: the follow-up now offers two proofs, each with its own save.
    report = [r for r in site.reports() if r["title"] == title][0]
    site.triage(report["id"], decision="accept", level="general")
    page.evaluate("() => { location.hash = 'followup'; }")
    page.fill("#receipt-input", code)
    page.click("#followup-go")
    page.wait_for_selector("#proofs")
    items = page.locator("#proofs li")
    assert items.count() == 2
    assert "已受理" in items.nth(1).inner_text()
    page.click("#proof-save-1")
    page.wait_for_selector("#proof-save-1-img")
    later = save_file(page, "#proof-save-1-file", tmp_path)
    assert later["doc"]["kind"] == "report.accepted"
    shot(page, screenshots, "proof-followup")

    # The saved file verifies on /proof/, offline.
    check = desk.new_page()
    check.goto(server.base + "/proof/")
    check.wait_for_selector("#verify")
    desk.set_offline(True)
    check.set_input_files("#proof-file", str(saved["path"]))
    check.click("#verify")
    check.wait_for_selector("#verdict")
    assert check.inner_text("#verdict").startswith("✔ 凭证有效")
    desk.set_offline(False)
    assert not page.errors, page.errors
