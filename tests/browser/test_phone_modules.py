"""The phone page's modules, each tested where it has logic, inside Chromium: the page's own
module files are imported by the page itself (same origin, under its CSP)."""

from __future__ import annotations

import base64
import re

import pytest

import qingling
from phone_helpers import PHONE_ENV, exif_jpeg, open_phone


@pytest.fixture(scope="module")
def server():
    s = qingling.start_server(PHONE_ENV)
    yield s
    qingling.destroy_server(s)


@pytest.fixture
def page(server, phone):
    p = open_phone(phone, server)
    p.base = p.evaluate("document.querySelector('script[type=module]').src.replace(/app\\.js$/, '')")
    return p


def run(page, module: str, body: str, arg=None):
    """Imports `module` as `m` and runs the async function body `body` with `arg`."""
    return page.evaluate(
        f"async (arg) => {{ const m = await import('{page.base}{module}'); {body} }}", arg)


def test_shrink_target_size_keeps_the_aspect_and_both_limits(page):
    got = run(page, "shrink.js", """return [
        m.targetSize(4000, 3000), m.targetSize(3000, 4000), m.targetSize(1000, 800),
        m.targetSize(20000, 1000), m.targetSize(8000, 6000, 100000),
        m.targetSize(8000, 6000, 100000, 16 * 1024 * 1024)];""")
    assert got[0] == {"width": 2048, "height": 1536}
    assert got[1] == {"width": 1536, "height": 2048}
    assert got[2] == {"width": 1000, "height": 800}, "small photos are not enlarged"
    assert got[3] == {"width": 2048, "height": 102}
    for g in got[4:]:
        assert g["width"] * g["height"] <= 16 * 1024 * 1024, "never a canvas over 16 MP"
        assert abs(g["width"] / g["height"] - 4 / 3) < 0.01


def test_shrink_makes_a_2048_px_jpeg_without_exif_and_upright(page):
    big = run(page, "shrink.js", """
        const c = document.createElement('canvas'); c.width = 4000; c.height = 3000;
        const x = c.getContext('2d'); x.fillStyle = '#c00'; x.fillRect(0, 0, 4000, 3000);
        const blob = await m.toJpeg(c, 0.9);
        const out = await m.shrink(new File([blob], 'p.jpg', { type: 'image/jpeg' }));
        const bytes = new Uint8Array(await out.blob.arrayBuffer());
        return { w: out.width, h: out.height, type: out.blob.type, head: [bytes[0], bytes[1]] };""")
    assert big == {"w": 2048, "h": 1536, "type": "image/jpeg", "head": [0xFF, 0xD8]}
    sideways = base64.b64encode(exif_jpeg(600, 400)).decode()
    got = run(page, "shrink.js", """
        const raw = Uint8Array.from(atob(arg), (ch) => ch.charCodeAt(0));
        const out = await m.shrink(new File([raw], 'p.jpg', { type: 'image/jpeg' }));
        const bytes = new Uint8Array(await out.blob.arrayBuffer());
        const text = Array.from(bytes.slice(0, 4096), (b) => String.fromCharCode(b)).join('');
        const bmp = await createImageBitmap(out.blob);
        const c = document.createElement('canvas'); c.width = bmp.width; c.height = bmp.height;
        const x = c.getContext('2d'); x.drawImage(bmp, 0, 0);
        return { w: out.width, h: out.height, exif: text.includes('Exif'), gps: text.includes('Huawei'),
                 top: Array.from(x.getImageData(bmp.width / 2, 10, 1, 1).data) };""", sideways)
    assert got["w"] == 600 and got["h"] == 400, "turned upright by its EXIF orientation"
    assert not got["exif"] and not got["gps"], "the canvas drops EXIF"
    assert got["top"][0] > 150 and got["top"][2] < 90, got["top"]


def test_queue_keeps_entries_with_blobs_and_backs_off(page):
    got = run(page, "queue.js", """
        await m.put({ key: 'k1', state: 'pending', created_at: 2, report: { title: 'a' }, photos: [new Blob(['xyz'])] });
        await m.put({ key: 'k0', state: 'failed', created_at: 1, report: { title: 'b' }, photos: [] });
        await m.put({ key: 'draft', state: 'draft', created_at: 0, report: {}, photos: [] });
        const w = await m.waiting();
        const one = await m.get('k1');
        const text = await one.photos[0].text();
        await m.remove('k1'); await m.remove('k0'); await m.remove('draft');
        return { order: w.map((e) => e.key), text, left: (await m.all()).length, avail: m.available(),
                 backoff: [1, 2, 3, 10, 20].map(m.backoff) };""")
    assert got["order"] == ["k0", "k1"], "oldest first; the draft is not waiting"
    assert got["text"] == "xyz"
    assert got["left"] == 0 and got["avail"] is True
    assert got["backoff"] == [5000, 10000, 20000, 300000, 300000]


def test_markup_burns_black_strokes_into_the_pixels_and_leaves_the_rest(page):
    got = run(page, "markup.js", """
        const c = document.createElement('canvas'); c.width = 400; c.height = 300;
        const x = c.getContext('2d'); x.fillStyle = '#fff'; x.fillRect(0, 0, 400, 300);
        const blob = await new Promise((ok) => c.toBlob(ok, 'image/jpeg', 0.95));
        const out = await m.burn(blob, [
          { tool: 'black', points: [[0.2, 0.5], [0.8, 0.5]] },
          { tool: 'circle', points: [[0.05, 0.05], [0.3, 0.3]] },
          { tool: 'arrow', points: [[0.9, 0.9], [0.6, 0.7]] }]);
        const bmp = await createImageBitmap(out);
        const d = document.createElement('canvas'); d.width = bmp.width; d.height = bmp.height;
        const y = d.getContext('2d'); y.drawImage(bmp, 0, 0);
        const at = (px, py) => Array.from(y.getImageData(px, py, 1, 1).data.slice(0, 3));
        return { size: [bmp.width, bmp.height], black: [at(100, 150), at(200, 150), at(300, 150)],
                 clear: at(200, 40), ring: at(70, 5), width: m.strokeWidth('black', 400, 300) };""")
    assert got["size"] == [400, 300]
    assert all(max(p) < 40 for p in got["black"]), got["black"]
    assert min(got["clear"]) > 220, got["clear"]
    assert got["width"] >= 12


def test_receipt_groups_the_code_and_draws_a_png(page):
    got = run(page, "receipt.js", """
        const b = await m.picture('abcd2345efgh6789jk', 'T', 'N');
        return { g: m.grouped('abcd-2345 efgh6789jk'), type: b.type, size: b.size };""")
    assert got["g"] == "ABCD 2345 EFGH 6789 JK"
    assert got["type"] == "image/png" and got["size"] > 1000


def test_every_server_problem_code_has_a_sentence_in_both_languages(page):
    source = (qingling.REPO / "api" / "src" / "error.rs").read_text()
    codes = set(re.findall(r'Self::\w+ => "([a-z_]+)"', source))
    assert len(codes) > 20
    got = run(page, "i18n.js", "return { zh: Object.keys(m.PROBLEMS.zh), en: Object.keys(m.PROBLEMS.en),"
              " zhKeys: Object.keys(m.MESSAGES.zh), enKeys: Object.keys(m.MESSAGES.en),"
              " sentence: m.problem('photo_unreadable') };")
    assert codes <= set(got["zh"]), codes - set(got["zh"])
    assert codes <= set(got["en"]), codes - set(got["en"])
    assert set(got["zhKeys"]) == set(got["enKeys"]), set(got["zhKeys"]) ^ set(got["enKeys"])
    assert got["sentence"] == "有一张照片无法读取，请删除后重拍。"


def test_api_errors_say_whether_to_retry_and_keys_are_uuids(page):
    got = run(page, "api.js", """
        const r = (s, c) => new m.ApiError(s, c, null).retryable;
        return { network: r(0, 'network'), server: r(503, 'service_unavailable'), limited: r(429, 'rate_limited'),
                 busy: r(409, 'idempotency_in_progress'), bad: r(422, 'photo_unreadable'), invalid: r(400, 'validation_failed'),
                 key: m.newKey() };""")
    assert got["network"] and got["server"] and got["limited"] and got["busy"]
    assert not got["bad"] and not got["invalid"]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", got["key"])


def test_the_activation_form_checks_the_two_passwords(page):
    got = run(page, "views.js", """return [m.activationProblem('', 'longenough', 'longenough'),
        m.activationProblem('C0DE', 'short', 'short'), m.activationProblem('C0DE', 'longenough', 'different1'),
        m.activationProblem('C0DE', 'longenough', 'longenough'),
        m.activationProblem('C0DE', 'ninechars', 'ninechars')];""")
    # The server takes 10 characters at least: the page says so before sending, not after.
    assert got[0] != "" and got[1] == "新密码至少 10 位。" and got[4] == got[1]
    assert got[2] == "两次输入的新密码不一样。" and got[3] == ""


def test_without_indexeddb_the_page_says_so_plainly(server, browser, screenshots):
    from conftest import PHONE
    ctx = browser.new_context(**PHONE)
    ctx.add_init_script("Object.defineProperty(window, 'indexedDB', { value: undefined });")
    try:
        p = open_phone(ctx, server)
        assert "缺少 IndexedDB" in p.inner_text("#no-idb")
        p.screenshot(path=str(screenshots / "phone-no-indexeddb.png"))
        assert not p.errors, p.errors
    finally:
        ctx.close()


def test_english_by_accept_language_or_by_the_switch(server, browser, phone):
    from conftest import PHONE
    ctx = browser.new_context(**{**PHONE, "locale": "en-US"})
    try:
        p = open_phone(ctx, server)
        assert p.evaluate("document.documentElement.lang") == "en"
        assert "Report a hazard" in p.inner_text("#app")
    finally:
        ctx.close()
    p = open_phone(phone, server)
    assert "我要报告隐患" in p.inner_text("#app")
    p.click("#lang")
    assert "Report a hazard" in p.inner_text("#app")
    p.click("#lang")
    assert "我要报告隐患" in p.inner_text("#app")
