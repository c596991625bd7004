"""Helpers of the phone page's browser tests: a site to report on (enterprise, area, worker,
manager), real JPEGs with real EXIF, the manager's side through the public API, and the page
driven the way a worker's thumb would."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path

import piexif
from PIL import Image

import qingling
from qingling import credit_code

# Receipt lookups and anonymous sends all come from 127.0.0.1 here: lift the per-client limits
# so one module's tests do not spend each other's allowance.
PHONE_ENV = {
    "QINGLING_RECEIPT_LIMIT_PER_CLIENT": "100000",
    "QINGLING_ANONYMOUS_LIMIT_PER_CLIENT": "100000",
    "QINGLING_INTAKE_LIMIT_PER_CLIENT": "100000",
}

RED = (220, 0, 0)
BLUE = (0, 0, 220)


def upright_picture(width: int = 600, height: int = 400) -> Image.Image:
    """Top half red, bottom half blue: upright exactly when red is on top and it is wide."""
    img = Image.new("RGB", (width, height), BLUE)
    img.paste(Image.new("RGB", (width, height // 2), RED), (0, 0))
    return img


def exif_jpeg(width: int = 600, height: int = 400) -> bytes:
    """A phone photo as a camera writes it: the pixels stored sideways with EXIF orientation 6
    ("rotate 90° clockwise to view"), GPS coordinates, make, model and a body serial number."""
    stored = upright_picture(width, height).rotate(90, expand=True)  # 90° counter-clockwise
    exif = piexif.dump({
        "0th": {piexif.ImageIFD.Make: b"Huawei", piexif.ImageIFD.Model: b"Mate 60",
                piexif.ImageIFD.Orientation: 6},
        "Exif": {piexif.ExifIFD.BodySerialNumber: b"SN-WORKER-0042"},
        "GPS": {piexif.GPSIFD.GPSLatitudeRef: b"N",
                piexif.GPSIFD.GPSLatitude: ((29, 1), (33, 1), (1234, 100)),
                piexif.GPSIFD.GPSLongitudeRef: b"E",
                piexif.GPSIFD.GPSLongitude: ((106, 1), (33, 1), (5678, 100))},
    })
    out = io.BytesIO()
    stored.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def plain_jpeg(width: int = 640, height: int = 480, color=(240, 240, 240)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "JPEG", quality=90)
    return out.getvalue()


def write(tmp: Path, name: str, data: bytes) -> str:
    path = tmp / name
    path.write_bytes(data)
    return str(path)


class Site:
    """An enterprise with an area, a worker, a manager and a second manager (the verifier)."""

    def __init__(self, server: qingling.Server):
        self.server = server
        self.enterprise = server.ok("POST", "/api/v1/enterprises", {
            "name": f"江北钢铁{uuid.uuid4().hex[:4]}有限公司", "credit_code": credit_code(),
            "sector": "steel", "jurisdiction": "jiangbei/town1"}, token=server.admin_token)
        self.area = server.create_area(self.enterprise["id"])
        self.worker = server.create_user("worker", self.enterprise["id"],
                                         display_name="张三", employee_no="GH-0042")
        self.manager = server.create_user("safety_manager", self.enterprise["id"])
        self.verifier = server.create_user("safety_manager", self.enterprise["id"])
        self.manager_token = server.login(self.manager["username"])
        self.verifier_token = server.login(self.verifier["username"])

    @property
    def intake_code(self) -> str:
        return self.enterprise["intake_code"]

    @property
    def area_token(self) -> str:
        return self.area["qr_token"]

    # ---- the manager's side ----------------------------------------------------------------
    def reports(self) -> list[dict]:
        return self.server.ok("GET", "/api/v1/reports?limit=200", token=self.manager_token)["items"]

    def report(self, report_id: str) -> dict:
        return self.server.ok("GET", f"/api/v1/reports/{report_id}", token=self.manager_token)

    def photo(self, report_id: str, photo_id: str) -> bytes:
        a = self.server.request("GET", f"/api/v1/reports/{report_id}/photos/{photo_id}",
                                token=self.manager_token)
        assert a.status == 200, a
        return a.body

    def triage(self, report_id: str, **body) -> dict:
        return self.server.ok("POST", f"/api/v1/reports/{report_id}/triage", body,
                              token=self.manager_token)

    def plan(self, hazard_id: str, deadline: str) -> dict:
        return self.server.ok("PUT", f"/api/v1/hazards/{hazard_id}/plan", {
            "measures": "更换煤气阀门密封圈并加装 CO 报警仪",
            "responsible_person": "李四（设备科）",
            "funds_fen": 120000,
            "deadline": deadline,
            "contingency_plan": "整改期间设置警戒区",
        }, token=self.manager_token)

    def evidence(self, hazard_id: str, note: str, photo: bytes) -> dict:
        body, ctype = multipart([("evidence", "evidence.json", "application/json",
                                  json.dumps({"note": note}).encode()),
                                 ("photo", "after.jpg", "image/jpeg", photo)])
        return self.server.ok("POST", f"/api/v1/hazards/{hazard_id}/evidence", raw=body,
                              content_type=ctype, token=self.manager_token)

    def verify(self, hazard_id: str) -> dict:
        return self.server.ok("POST", f"/api/v1/hazards/{hazard_id}/verify",
                              {"passed": True, "note": "现场复查合格"}, token=self.verifier_token)

    # ---- a report sent straight to the API (for follow-up tests) ----------------------------
    def anonymous_report(self, title: str = "煤气柜区阀门泄漏") -> dict:
        report = {"title": title, "description": "2号煤气柜东侧阀门有嘶嘶声，有煤气味",
                  "intake_code": self.intake_code, "area_id": self.area["id"]}
        body, ctype = multipart([("report", "report.json", "application/json",
                                  json.dumps(report).encode()),
                                 ("photo", "p.jpg", "image/jpeg", plain_jpeg())])
        a = self.server.request("POST", "/m/v1/anonymous-reports", raw=body, content_type=ctype,
                                headers={"Idempotency-Key": str(uuid.uuid4())})
        assert a.status == 201, a
        return a.json




def multipart(parts) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, filename, ctype, data in parts:
        out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                  f"filename=\"{filename}\"\r\nContent-Type: {ctype}\r\n\r\n".encode())
        out.write(data)
        out.write(b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def open_phone(ctx, server, fragment: str = ""):
    """Opens the phone page (fragment after `#`) and waits for the first screen."""
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    page.goto(f"{server.base}/m/" + (f"#{fragment}" if fragment else ""))
    page.wait_for_selector("#app section, #app form", timeout=20000)
    return page


def fill_report(page, tmp: Path, title: str, photos: list[bytes]):
    page.fill("#title", title)
    page.fill("#description", "转炉平台东侧栏杆松动，下方是铁水罐通道，有人员坠落风险")
    for i, data in enumerate(photos):
        target = "#photo-camera" if i % 2 == 0 else "#photo-album"
        page.set_input_files(target, write(tmp, f"photo-{uuid.uuid4().hex[:6]}.jpg", data))
        page.wait_for_function(f"() => document.querySelectorAll('#thumbs img').length === {i + 1}",
                               timeout=20000)


def receipt_code(page) -> str:
    page.wait_for_selector("#receipt-code", timeout=60000)
    return page.inner_text("#receipt-code").replace(" ", "")


def shot(page, screenshots: Path, name: str) -> None:
    page.screenshot(path=str(screenshots / f"phone-{name}.png"), full_page=True)
