"""Helpers for the proof page tests: a real report submitted over HTTP as a phone does."""

from __future__ import annotations

import io
import json
import uuid

from PIL import Image


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


def credit_code() -> str:
    """A valid unified social credit code: 17 characters and the check character. (The shared
    harness's `qingling.credit_code()` draws ten random characters, making 19-character codes
    the server refuses; this one draws nine.)"""
    import os
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    body = "91" + "320100" + "".join(alphabet[b % 31] for b in os.urandom(9))
    total = sum(alphabet.index(c) * w for c, w in zip(body, weights))
    return body + alphabet[(31 - total % 31) % 31]


def create_enterprise(server, name: str = "江北测试钢铁有限公司") -> dict:
    return server.ok("POST", "/api/v1/enterprises", {
        "name": name, "credit_code": credit_code(), "sector": "steel",
        "jurisdiction": "jiangbei/town1"}, token=server.admin_token)
