"""Helpers of the console's browser tests: reports submitted over /m/v1 as a worker's phone
would, signing in through the console's own form, the identity scan of a page's HTML, and
axe-core over a page."""

from __future__ import annotations

import io
import json
import random
import uuid

import qingling
from qingling import credit_code

AXE = qingling.REPO / "target" / "axe" / "node_modules" / "axe-core" / "axe.min.js"




def create_enterprise(server, name: str, sector: str = "steel",
                      jurisdiction: str = "jiangbei/town1") -> dict:
    """An enterprise, created by the admin over the API."""
    return server.ok("POST", "/api/v1/enterprises", {
        "name": name, "credit_code": credit_code(), "sector": sector,
        "jurisdiction": jurisdiction}, token=server.admin_token)


def photo(seed: int = 1, size=(1024, 768)) -> bytes:
    """A real JPEG of a made-up scene (noise over bands of colour), so the server's photo
    pipeline decodes, sanitises and re-encodes something real."""
    from PIL import Image, ImageDraw

    rnd = random.Random(seed)
    img = Image.new("RGB", size, (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    d = ImageDraw.Draw(img)
    for _ in range(40):
        x, y = rnd.randrange(size[0]), rnd.randrange(size[1])
        d.rectangle([x, y, x + rnd.randrange(40, 300), y + rnd.randrange(20, 200)],
                    fill=(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=88)
    return out.getvalue()


def multipart(parts: list[tuple[str, str | None, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body from (name, filename, content type, bytes) parts."""
    boundary = "----qingling" + uuid.uuid4().hex
    out = io.BytesIO()
    for name, filename, ctype, data in parts:
        out.write(f"--{boundary}\r\n".encode())
        disp = f'form-data; name="{name}"'
        if filename:
            disp += f'; filename="{filename}"'
        out.write(f"Content-Disposition: {disp}\r\nContent-Type: {ctype}\r\n\r\n".encode())
        out.write(data)
        out.write(b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def submit_report(server, worker_token: str, title: str, description: str = "现场发现隐患",
                  area_id: str | None = None, suspected_level: str | None = None,
                  photos: int = 1) -> dict:
    """A worker's report over POST /m/v1/reports, with real photos."""
    report = {"title": title, "description": description}
    if area_id:
        report["area_id"] = area_id
    if suspected_level:
        report["suspected_level"] = suspected_level
    parts = [("report", None, "application/json", json.dumps(report).encode())]
    parts += [("photo", f"p{i}.jpg", "image/jpeg", photo(i + len(title))) for i in range(photos)]
    body, ctype = multipart(parts)
    a = server.request("POST", "/m/v1/reports", raw=body, content_type=ctype, token=worker_token,
                       headers={"idempotency-key": str(uuid.uuid4())})
    assert a.status == 201, a
    return a.json


def sign_in(page, server, username: str, password: str = qingling.PASSWORD):
    """Signs in through /console/login as a person would."""
    page.goto(server.base + "/console/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("domcontentloaded")


def assert_no_identity(html: str, identities: list[str], where: str = ""):
    """None of the reporter's identity strings appear anywhere in the HTML."""
    for s in identities:
        if s:
            assert s not in html, f"identity string {s!r} found in {where}"


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page (the context must bypass the
    CSP so the script can be injected)."""
    assert AXE.exists(), f"axe-core is missing at {AXE}: npm install --prefix target/axe axe-core@4.14.1"
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate(
        """async () => {
        const r = await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'] });
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
          .map(v => ({id: v.id, impact: v.impact, help: v.help,
                      nodes: v.nodes.slice(0, 3).map(n => n.html)}));
    }""")
    return result
