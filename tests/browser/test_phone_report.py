"""The phone page end to end: a worker scans a poster, reports with photos, gets a receipt,
and the manager sees the report — upright, with no EXIF, with what the worker blacked out black."""

from __future__ import annotations

import io

import pytest
from PIL import Image

import qingling
from phone_helpers import (PHONE_ENV, Site, exif_jpeg, fill_report, open_phone, plain_jpeg,
                           receipt_code, shot)


@pytest.fixture(scope="module")
def server():
    s = qingling.start_server(PHONE_ENV)
    yield s
    qingling.destroy_server(s)


@pytest.fixture(scope="module")
def site(server):
    return Site(server)


def only_report(site, title):
    found = [r for r in site.reports() if r["title"] == title]
    assert len(found) == 1, found
    return site.report(found[0]["id"])


def test_area_qr_to_anonymous_report_with_two_photos_gives_receipt_and_upright_photo_without_exif(
        server, site, phone, tmp_path, screenshots):
    page = open_phone(phone, server, f"a={site.area_token}")
    # The poster's code is resolved and dropped from the address bar.
    page.wait_for_selector("#mode-anonymous")
    assert site.area_token not in page.url
    assert site.enterprise["name"] in page.inner_text("#app")
    assert "只有两名保管人共同同意才能打开" in page.inner_text("#mode-confidential")
    assert "不保存任何关于您的信息" in page.inner_text("#mode-anonymous")
    shot(page, screenshots, "mode")
    page.click("#mode-anonymous")
    page.wait_for_selector("#report-form")
    assert page.input_value("#area") == site.area["id"], "the QR code's area is pre-selected"
    title = "转炉平台栏杆松动"
    fill_report(page, tmp_path, title, [exif_jpeg(), plain_jpeg()])
    shot(page, screenshots, "form")
    page.click("#submit")
    code = receipt_code(page)
    shot(page, screenshots, "receipt")
    assert len(code) >= 16
    assert "不能再次显示" in page.inner_text("#receipt-warning") or "只显示这一次" in page.inner_text("#receipt-warning")
    assert code not in page.url and code not in page.title()
    assert code not in page.evaluate("JSON.stringify(Object.assign({}, localStorage))")
    assert code not in page.evaluate("JSON.stringify(Object.assign({}, sessionStorage))")

    # Save as picture: a PNG drawn on a canvas.
    page.click("#receipt-save")
    page.wait_for_selector("#receipt-picture img")
    assert page.evaluate("document.querySelector('#receipt-picture img').naturalWidth") == 1080
    page.click("#receipt-done")
    # Dismissing deletes the outbox entry first, then leaves the screen: wait for the code to go.
    page.wait_for_selector("#receipt-code", state="detached")
    stored = page.evaluate("""() => new Promise((ok) => {
        const r = indexedDB.open('qingling'); r.onsuccess = () => {
          const t = r.result.transaction('outbox').objectStore('outbox').getAll();
          t.onsuccess = () => ok(JSON.stringify(t.result)); }; })""")
    assert code not in stored, "the receipt is gone from the phone once dismissed"

    # The receipt works.
    follow = server.ok("POST", "/m/v1/receipt", {"receipt_code": code})
    assert follow["title"] == title

    # The manager's copy: two photos, the EXIF one turned upright, no metadata left.
    report = only_report(site, title)
    assert report["mode"] == "anonymous"
    assert len(report["photos"]) == 2
    first = site.photo(report["id"], report["photos"][0]["id"])
    img = Image.open(io.BytesIO(first))
    assert img.width > img.height, "upright: the sideways-stored photo was turned"
    top = img.getpixel((img.width // 2, img.height // 6))
    bottom = img.getpixel((img.width // 2, img.height * 5 // 6))
    assert top[0] > 150 and top[2] < 90, f"red on top, got {top}"
    assert bottom[2] > 150 and bottom[0] < 90, f"blue below, got {bottom}"
    assert not img.getexif(), "no EXIF"
    for secret in (b"GPS", b"Huawei", b"SN-WORKER-0042", b"Exif"):
        assert secret not in first
    assert not page.errors, page.errors


def test_blacking_out_part_of_a_photo_makes_those_pixels_black_on_the_server(
        server, site, phone, tmp_path, screenshots):
    page = open_phone(phone, server, f"i={site.intake_code}")
    page.click("#mode-anonymous")
    title = "行车下方有人值守室"
    fill_report(page, tmp_path, title, [plain_jpeg(800, 600, (235, 235, 235))])
    page.click("#thumbs button >> nth=0")
    page.wait_for_selector("#markup-canvas")
    page.wait_for_function("() => document.getElementById('markup-canvas').width > 0")
    page.click("#tool-black")
    box = page.locator("#markup-canvas").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.3, y)
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(box["x"] + box["width"] * (0.3 + 0.04 * i), y, steps=2)
    page.mouse.up()
    # A circle, to show the hazard, elsewhere.
    page.click("#tool-circle")
    page.mouse.move(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.1)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.25, steps=4)
    page.mouse.up()
    shot(page, screenshots, "markup")
    page.click("#markup-done")
    page.wait_for_selector("#report-form")
    page.wait_for_function("() => document.querySelectorAll('#thumbs img').length === 1")
    page.click("#submit")
    receipt_code(page)
    report = only_report(site, title)
    img = Image.open(io.BytesIO(site.photo(report["id"], report["photos"][0]["id"]))).convert("RGB")
    w, h = img.size
    for fx in (0.4, 0.5, 0.6):
        px = img.getpixel((int(w * fx), h // 2))
        assert max(px) < 40, f"blacked-out pixel at {fx} is {px}"
    corner = img.getpixel((w - 5, h - 5))
    assert min(corner) > 200, f"untouched pixels stay light, got {corner}"
    assert not page.errors, page.errors


def test_a_logged_in_worker_reports_confidentially(server, site, phone, tmp_path, screenshots):
    page = open_phone(phone, server)
    shot(page, screenshots, "home")
    page.click("text=我要报告隐患")
    page.click("#mode-confidential")
    page.wait_for_selector("#username")
    shot(page, screenshots, "login")
    page.fill("#username", site.worker["username"])
    page.fill("#password", qingling.PASSWORD)
    page.click("#login-go")
    page.wait_for_selector("#report-form")
    assert "实名保密" in page.inner_text("#report-form")
    title = "铸造车间地面积水"
    fill_report(page, tmp_path, title, [plain_jpeg()])
    page.click("#submit")
    code = receipt_code(page)
    token = page.evaluate("JSON.parse(sessionStorage.getItem('qingling.session')).token")
    assert token and token not in page.url
    assert page.evaluate("Object.keys(localStorage).every(k => !localStorage.getItem(k).includes('ey'))")
    page.click("#receipt-done")
    report = only_report(site, title)
    assert report["mode"] == "confidential"
    text = str(report)
    for secret in ("张三", site.worker["username"], "GH-0042"):
        assert secret not in text
    # 我的举报 lists it.
    page.click("text=我的举报")
    page.wait_for_selector("#mine-list")
    assert title in page.inner_text("#mine-list")
    shot(page, screenshots, "mine")
    page.click("text=返回", timeout=2000) if page.locator("text=返回").count() else None
    page.goto(server.base + "/m/#board")
    page.wait_for_selector("#app section h2")
    shot(page, screenshots, "board")
    # Log out: the tokens leave the tab.
    page.click("#logout")
    assert page.evaluate("sessionStorage.getItem('qingling.session')") is None
    assert server.ok("POST", "/m/v1/receipt", {"receipt_code": code})["title"] == title
    assert not page.errors, page.errors
