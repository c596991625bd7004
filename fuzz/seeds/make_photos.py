#!/usr/bin/env python3
"""Writes the fuzzer's photo seeds into fuzz/seeds/sanitize/: small phone-like photos.

Run it again to regenerate (`python3 fuzz/seeds/make_photos.py`, needs Pillow and piexif, as in
tests/browser/requirements.txt). The files are committed so a fuzz run needs no Python.

Each is what a phone sends, kept small so the fuzzer mutates quickly: JPEGs (baseline and
progressive, 4:2:0 and 4:4:4, every EXIF orientation) carrying the metadata the sanitiser must
drop — make, model, body serial, GPS, a maker note, a user comment, an EXIF thumbnail — plus a
PNG and a WebP screenshot. The decoder bombs live in api/tests/bombs/ and are passed to the
fuzzer as a second seed folder.
"""

import io
import os

import piexif
from PIL import Image, ImageDraw

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sanitize")


def scene(width: int, height: int) -> Image.Image:
    """A picture with edges and gradients, so every DCT coefficient band is used."""
    img = Image.new("RGB", (width, height), (90, 100, 110))
    draw = ImageDraw.Draw(img)
    for x in range(0, width, 7):
        draw.line([(x, 0), (width - x, height)], fill=(x % 256, 180, 255 - x % 256))
    draw.rectangle([width // 4, height // 4, width // 2, height // 2], fill=(220, 0, 0))
    draw.text((4, 4), "G3 ladle 3#", fill=(255, 255, 255))
    return img


def exif(orientation: int, thumb: bool) -> bytes:
    data = {
        "0th": {
            piexif.ImageIFD.Make: b"Huawei",
            piexif.ImageIFD.Model: b"Mate 60",
            piexif.ImageIFD.Orientation: orientation,
            piexif.ImageIFD.Software: b"HarmonyOS 4.2",
        },
        "Exif": {
            piexif.ExifIFD.BodySerialNumber: b"SN-WORKER-0042",
            piexif.ExifIFD.DateTimeOriginal: b"2026:11:30 14:02:11",
            piexif.ExifIFD.MakerNote: b"HUAWEI\x00\x00" + bytes(range(64)),
            piexif.ExifIFD.UserComment: b"ASCII\x00\x00\x00worker 0042",
        },
        "GPS": {
            piexif.GPSIFD.GPSLatitudeRef: b"N",
            piexif.GPSIFD.GPSLatitude: ((29, 1), (33, 1), (1234, 100)),
            piexif.GPSIFD.GPSLongitudeRef: b"E",
            piexif.GPSIFD.GPSLongitude: ((106, 1), (33, 1), (5678, 100)),
        },
    }
    if thumb:
        out = io.BytesIO()
        scene(80, 60).save(out, "JPEG", quality=70)
        data["1st"] = {piexif.ImageIFD.JPEGInterchangeFormat: 0}
        data["thumbnail"] = out.getvalue()
    return piexif.dump(data)


def main() -> None:
    os.makedirs(HERE, exist_ok=True)
    written = {}
    for orientation in range(1, 9):
        w, h = (160, 120) if orientation % 2 else (120, 160)
        out = io.BytesIO()
        scene(w, h).save(out, "JPEG", quality=85, exif=exif(orientation, orientation == 1))
        written[f"phone_orient{orientation}.jpg"] = out.getvalue()
    for name, opts in {
        "phone_progressive.jpg": {"progressive": True, "quality": 80},
        "phone_444.jpg": {"subsampling": 0, "quality": 92},
        "phone_optimized.jpg": {"optimize": True, "quality": 75},
    }.items():
        out = io.BytesIO()
        scene(400, 300).save(out, "JPEG", exif=exif(6, True), **opts)
        written[name] = out.getvalue()
    out = io.BytesIO()
    scene(400, 300).convert("L").save(out, "JPEG", quality=80)
    written["grey.jpg"] = out.getvalue()
    out = io.BytesIO()
    scene(2600, 60).save(out, "JPEG", quality=60, exif=exif(1, False))
    written["strip_2600x60.jpg"] = out.getvalue()
    out = io.BytesIO()
    scene(200, 150).save(out, "PNG")
    written["screenshot.png"] = out.getvalue()
    out = io.BytesIO()
    scene(200, 150).convert("RGBA").save(out, "PNG")
    written["screenshot_rgba.png"] = out.getvalue()
    out = io.BytesIO()
    scene(200, 150).save(out, "WEBP", quality=80)
    written["screenshot.webp"] = out.getvalue()
    out = io.BytesIO()
    scene(200, 150).save(out, "WEBP", lossless=True)
    written["screenshot_lossless.webp"] = out.getvalue()
    for name, data in written.items():
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
