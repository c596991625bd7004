"""/proof/: a worker (or an investigator) checks a saved proof of report in the browser, with no
network, by WebCrypto where the browser has Ed25519 and by the vendored verifier otherwise."""

import json

import pytest

from proof_helpers import anonymous_report, create_enterprise, jpeg


@pytest.fixture(scope="module")
def saved(server, tmp_path_factory):
    ent = create_enterprise(server)
    photo = jpeg()
    answer = anonymous_report(server, ent["intake_code"], "出铁场积水", photo)
    folder = tmp_path_factory.mktemp("proof")
    good = folder / "举报凭证.json"
    good.write_text(json.dumps(answer["proof"], ensure_ascii=False), encoding="utf-8")
    changed = dict(answer["proof"])
    changed["enterprise"] = dict(answer["proof"]["enterprise"], name="另一家公司")
    bad = folder / "changed.json"
    bad.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    photo_path = folder / "IMG_0001.jpg"
    photo_path.write_bytes(photo)
    other = folder / "other.jpg"
    other.write_bytes(jpeg(64, 64))
    return {"ent": ent, "good": good, "bad": bad, "photo": photo_path, "other": other}


def open_page(server, desk, engine: str | None = None):
    page = desk.new_page()
    outside = []
    page.on("request", lambda r: None if r.url.startswith(server.base) else outside.append(r.url))
    page.goto(server.base + "/proof/" + (f"#engine={engine}" if engine else ""))
    page.wait_for_selector("#verify")
    return page, outside


@pytest.mark.parametrize("engine", [None, "noble"])
def test_a_saved_proof_verifies_offline_and_a_changed_one_does_not(server, desk, saved, screenshots, engine):
    page, outside = open_page(server, desk, engine)
    desk.set_offline(True)  # everything happens in the page from here on
    page.set_input_files("#proof-file", str(saved["good"]))
    page.set_input_files("#photos", [str(saved["photo"]), str(saved["other"])])
    page.click("#verify")
    page.wait_for_selector("#verdict")
    assert page.inner_text("#verdict").startswith("✔ 凭证有效")
    text = page.inner_text("#result")
    assert saved["ent"]["name"] in text and saved["ent"]["credit_code"] in text
    assert "北京时间" in text
    assert "✔ 照片 IMG_0001.jpg 与凭证中的照片一致" in text
    assert "✘ 照片 other.jpg" in text
    used = page.get_attribute("#engine", "data-engine")
    assert used == (engine or used) and used in ("webcrypto", "noble")
    if engine is None:
        # Chromium has Ed25519 in WebCrypto, and localhost is a secure context.
        assert used == "webcrypto"
    page.screenshot(path=str(screenshots / f"proof-page-valid-{used}.png"), full_page=True)

    page.set_input_files("#proof-file", str(saved["bad"]))
    page.set_input_files("#photos", [])
    page.click("#verify")
    page.wait_for_function("() => document.querySelector('#verdict') && document.querySelector('#verdict').textContent.startsWith('✘')")
    assert "签名不符" in page.inner_text("#result")
    page.screenshot(path=str(screenshots / f"proof-page-changed-{used}.png"), full_page=True)
    desk.set_offline(False)
    assert outside == []


def test_the_page_is_served_under_a_strict_policy(server):
    a = server.request("GET", "/proof/")
    csp = a.headers["content-security-policy"]
    for d in ("default-src 'none'", "script-src 'self'", "connect-src 'none'", "frame-ancestors 'none'"):
        assert d in csp
    assert "'unsafe-inline'" not in csp
