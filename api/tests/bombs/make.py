#!/usr/bin/env python3
"""Writes the decoder-bomb corpus of issue 16, item 3, into this folder.

Run it again to regenerate (`python3 api/tests/bombs/make.py`); the outputs are small and
committed, so the tests need neither Python nor Pillow. "At the limit" means the PNG/WebP pixel
limit, 8 megapixels (2828 x 2828). Each file is either refused from its
headers or must be handled within 64 MB above the server's idle peak and 2 s of CPU
(tests/tests/bombs.rs measures both against the real server).
"""

import io
import os
import struct
import zlib

from PIL import Image, ImageDraw

HERE = os.path.dirname(os.path.abspath(__file__))


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int, height: int, depth: int, color: int, row: bytes, plte: bytes = b"") -> bytes:
    """A PNG whose every row is `row` (filter byte included), deflated as a stream."""
    z = zlib.compressobj(9)
    parts = [z.compress(row) for _ in range(height)]
    parts.append(z.flush())
    ihdr = struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, 0)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
    if plte:
        out += chunk(b"PLTE", plte)
    return out + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b"")


def rgba16(width: int, height: int) -> bytes:
    # Filter 0, then a mid-grey, half-transparent pixel repeated: 8 bytes a pixel.
    return png(width, height, 16, 6, b"\x00" + b"\x80\x00\x40\x00\x20\x00\x80\x00" * width)


def palette(width: int, height: int) -> bytes:
    plte = b"".join(bytes((i, 255 - i, (i * 7) % 256)) for i in range(256))
    row = b"\x00" + bytes(i % 256 for i in range(width))
    return png(width, height, 8, 3, row, plte)


def progressive_jpeg(side: int, scans: int) -> bytes:
    """A progressive JPEG whose last scan is repeated until it has `scans` scans."""
    img = Image.new("RGB", (side, side), (90, 120, 150))
    ImageDraw.Draw(img).rectangle((side // 4, side // 4, side // 2, side // 2), fill=(200, 40, 40))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=60, progressive=True)
    data = buf.getvalue()
    last_sos = data.rfind(b"\xff\xda")
    eoi = data.rfind(b"\xff\xd9")
    have = data.count(b"\xff\xda")
    last_scan = data[last_sos:eoi]
    return data[:eoi] + last_scan * (scans - have) + data[eoi:]


def webp(side: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (side, side), (200, 60, 30)).save(buf, "WEBP", lossless=True)
    return buf.getvalue()


def webp_claiming(width: int, height: int) -> bytes:
    """A small lossless WebP whose VP8L header claims another size."""
    data = bytearray(webp(16))
    at = data.find(b"VP8L") + 8  # chunk header, then the 0x2F signature
    assert data[at] == 0x2F
    bits = (width - 1) | ((height - 1) << 14) | (int.from_bytes(data[at + 1:at + 5], "little") & ~((1 << 28) - 1))
    data[at + 1:at + 5] = bits.to_bytes(4, "little")
    return bytes(data)


def write(name: str, data: bytes) -> None:
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
    print(f"{name}: {len(data)} bytes")


def main() -> None:
    write("png16_rgba_8000x6000.png", rgba16(8000, 6000))
    write("png16_rgba_2828x2828.png", rgba16(2828, 2828))
    write("png_palette_8000x6000.png", palette(8000, 6000))
    write("png_palette_2828x2828.png", palette(2828, 2828))
    write("jpeg_progressive_3000_scans.jpg", progressive_jpeg(2000, 3000))
    write("jpeg_progressive_100_scans.jpg", progressive_jpeg(2000, 100))
    write("webp_2828x2828.webp", webp(2828))
    write("webp_claims_16383x16383.webp", webp_claiming(16383, 16383))
    good_png = palette(640, 480)
    write("png_truncated.png", good_png[: len(good_png) // 2])
    corrupt = bytearray(good_png)
    idat = corrupt.find(b"IDAT") + 4
    corrupt[idat + 2:idat + 40] = b"\x55" * 38
    write("png_corrupt_idat.png", bytes(corrupt))
    jpeg = progressive_jpeg(640, 10)
    write("jpeg_truncated.jpg", jpeg[: len(jpeg) // 2])
    corrupt = bytearray(jpeg)
    mid = len(corrupt) // 2
    corrupt[mid:mid + 64] = b"\xff" * 64
    write("jpeg_corrupt.jpg", bytes(corrupt))
    w = webp(640)
    write("webp_truncated.webp", w[: len(w) // 2])


if __name__ == "__main__":
    main()
