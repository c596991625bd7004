"""The Python peer of Qingling's photo pipeline, for the side-by-side benchmark in photo.rs.

What a team would write with Pillow at its fastest settings: draft-mode decode (libjpeg-turbo's
DCT scaling to half size), Lanczos resize to the display copy (long edge at most 2048) and the
thumbnail (long edge 320), both saved as JPEG quality 85. Prints one JSON line with the CPU time
(time.process_time) per photo, after one warm-up run.

With `--upright` it also turns the picture upright by its EXIF orientation (ImageOps.exif_transpose),
as Qingling must: the same job, for a photo taken with the phone held upright (orientation 6).
Without it, the peer is exactly as issue 4 describes it.

    python3 pillow_peer.py PHOTO.jpg [MORE.jpg ...] [ITERATIONS] [--upright]

Each iteration processes every photo given; the figure is per photo.
"""

import io
import json
import sys
import time

from PIL import Image, ImageOps

DISPLAY_EDGE = 2048
THUMB_EDGE = 320


def fit(size, edge):
    w, h = size
    scale = edge / max(w, h)
    if scale >= 1:
        return size
    return (max(1, round(w * scale)), max(1, round(h * scale)))


def process(data, upright):
    im = Image.open(io.BytesIO(data))
    w, h = im.size
    im.draft("RGB", (w // 2, h // 2))
    if upright:
        im = ImageOps.exif_transpose(im)
    im = im.convert("RGB")
    size = fit(im.size, DISPLAY_EDGE)
    display = im if size == im.size else im.resize(size, Image.LANCZOS)
    thumb = display.resize(fit(display.size, THUMB_EDGE), Image.LANCZOS)
    out_display = io.BytesIO()
    display.save(out_display, "JPEG", quality=85)
    out_thumb = io.BytesIO()
    thumb.save(out_thumb, "JPEG", quality=85)
    return display.size, thumb.size, len(out_display.getvalue())


def main():
    args = [a for a in sys.argv[1:] if a != "--upright"]
    upright = "--upright" in sys.argv
    iterations = int(args.pop()) if args and args[-1].isdigit() else 10
    photos = []
    for path in args:
        with open(path, "rb") as f:
            photos.append(f.read())
    for data in photos:
        process(data, upright)  # warm-up
    start = time.process_time()
    for _ in range(iterations):
        for data in photos:
            display, thumb, display_bytes = process(data, upright)
    cpu = time.process_time() - start
    print(
        json.dumps(
            {
                "pillow": Image.__version__,
                "iterations": iterations,
                "photos": len(photos),
                "upright": upright,
                "cpu_ms_per_photo": cpu * 1000 / (iterations * len(photos)),
                "display": display,
                "thumb": thumb,
                "display_bytes": display_bytes,
            }
        )
    )


if __name__ == "__main__":
    main()
