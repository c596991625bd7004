"""Helpers for the proof page tests: a real report submitted over HTTP as a phone does."""

from __future__ import annotations

import io
import json
import uuid

from PIL import Image

from qingling import credit_code


def jpeg(width: int = 320, height: int = 240) -> bytes:
    img = Image.new("RGB", (width, height))
    for x in range(width):
        for y in range(0, height, 8):
            img.putpixel((x, y), (x % 256, (y * 3) % 256, 90))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def multipart(report: dict, photos: list[bytes]) -> tuple[bytes, str]:
    boundary = "----qingling" + uuid.uuid4().hex
    parts = [
        (f'--{boundary}\r\nContent-Disposition: form-data; name="report"\r\n'
         'Content-Type: application/json\r\n\r\n').encode() + json.dumps(report).encode() + b"\r\n"
    ]
    for i, p in enumerate(photos):
        parts.append((f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; '
                      f'filename="IMG_{i:04}.jpg"\r\nContent-Type: image/jpeg\r\n\r\n').encode()
                     + p + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def anonymous_report(server, intake_code: str, title: str, photo: bytes) -> dict:
    """Submits an anonymous report; returns the 201 answer (with `proof`)."""
    body, ctype = multipart({"title": title, "description": "现场发现", "intake_code": intake_code},
                            [photo])
    a = server.request("POST", "/m/v1/anonymous-reports", raw=body, content_type=ctype)
    assert a.status == 201, a
    return a.json




def create_enterprise(server, name: str = "江北测试钢铁有限公司") -> dict:
    return server.ok("POST", "/api/v1/enterprises", {
        "name": name, "credit_code": credit_code(), "sector": "steel",
        "jurisdiction": "jiangbei/town1"}, token=server.admin_token)
