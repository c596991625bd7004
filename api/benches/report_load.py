"""End-to-end load on the running server: anonymous reports with three 12-megapixel photos each,
sent by wrk, with the server's CPU time per photo measured beside the Pillow peer in the same run,
then the peak memory of the server under 32 concurrent uploads.

    cargo build --release --bin qingling
    python3 api/benches/report_load.py [--seconds 60] [--connections 4]

Needs wrk (Debian package) and Pillow (for the peer and to make the photos). Everything lives in
a temporary folder: a fresh SQLite database, the blob store and the generated photos (phone-like
4000 x 3000 JPEGs with EXIF, each different, so nothing is deduplicated by content).
"""

import argparse
import io
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from PIL import Image, ImageFilter

ROOT = Path(__file__).resolve().parents[2]
BINARY = ROOT / "target" / "release" / "qingling"
PEER = ROOT / "api" / "benches" / "pillow_peer.py"
BOUNDARY = "qinglingloadboundary7MA4YWxkTrZu0gW"
PHOTOS_PER_REPORT = 3
TICKS = os.sysconf("SC_CLK_TCK")


def phone_photo(seed, path, orientation, quality):
    """A 12 MP photo-like JPEG: gradients, blocks and sensor noise, with EXIF."""
    rng = random.Random(seed)
    w, h = 4000, 3000
    small = Image.new("RGB", (80, 60))
    small.putdata(
        [
            (
                int(110 + 60 * (x / 80) + rng.randint(-30, 30)),
                int(100 + 50 * (y / 60) + rng.randint(-30, 30)),
                int(90 + rng.randint(-40, 40)),
            )
            for y in range(60)
            for x in range(80)
        ]
    )
    base = small.resize((w, h), Image.BICUBIC)
    noise = Image.effect_noise((w, h), 24 + seed % 5).convert("RGB")
    img = Image.blend(base, noise, 0.22).filter(ImageFilter.DETAIL)
    exif = Image.Exif()
    exif[0x010F] = "Qingling Phone"  # Make
    exif[0x0110] = f"Load Model {seed}"  # Model
    exif[0x0112] = orientation  # 6: stored sideways, as phones held upright do
    img.save(path, "JPEG", quality=quality, subsampling=2, exif=exif.tobytes())


def multipart_body(intake_code, photos, n):
    report = {
        "intake_code": intake_code,
        "title": f"煤气柜区压力表读数异常 {n}",
        "description": "煤气柜区二号压力表读数持续偏高，现场无人处理",
        "suspected_level": "general",
    }
    out = io.BytesIO()
    out.write(f"--{BOUNDARY}\r\n".encode())
    out.write(b'Content-Disposition: form-data; name="report"\r\n')
    out.write(b"Content-Type: application/json\r\n\r\n")
    out.write(json.dumps(report, ensure_ascii=False).encode())
    out.write(b"\r\n")
    for i, p in enumerate(photos):
        out.write(f"--{BOUNDARY}\r\n".encode())
        out.write(
            f'Content-Disposition: form-data; name="photo"; filename="IMG_{n}_{i}.jpg"\r\n'.encode()
        )
        out.write(b"Content-Type: image/jpeg\r\n\r\n")
        out.write(Path(p).read_bytes())
        out.write(b"\r\n")
    out.write(f"--{BOUNDARY}--\r\n".encode())
    return out.getvalue()


WRK_SCRIPT = """
local bodies = {}
local n = tonumber(os.getenv("QL_BODIES"))
for i = 1, n do
  local f = assert(io.open(os.getenv("QL_DIR") .. "/body" .. i .. ".bin", "rb"))
  bodies[i] = f:read("*all")
  f:close()
end
local next = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "multipart/form-data; boundary=%s"
request = function()
  next = next %% n + 1
  return wrk.format(nil, "/m/v1/anonymous-reports", nil, bodies[next])
end
local statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
done = function(summary, latency, requests)
  io.write(string.format("requests=%%d errors_connect=%%d errors_read=%%d errors_write=%%d errors_status=%%d errors_timeout=%%d\\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
  io.write(string.format("latency_p50_ms=%%.0f latency_p99_ms=%%.0f\\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
""" % BOUNDARY


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_ms(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICKS


def peak_rss_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def reports_stored(db):
    import sqlite3

    with sqlite3.connect(db) as c:
        reports = c.execute("select count(*) from reports").fetchone()[0]
        incomplete = c.execute(
            "select count(*) from reports r where (select count(*) from photos p"
            " where p.owner_type = 'report' and p.owner_id = r.id) != ?",
            (PHOTOS_PER_REPORT,),
        ).fetchone()[0]
    return reports, incomplete


def wrk(base, work, seconds, connections, bodies):
    env = dict(os.environ, QL_DIR=str(work), QL_BODIES=str(bodies))
    out = subprocess.run(
        ["wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{seconds}s",
         "--timeout", "120s", "-s", str(work / "load.lua"), base],
        env=env, capture_output=True, text=True, check=True,
    ).stdout
    return out


def pillow_ms(photos, iterations, upright=False):
    """The peer's CPU per photo over the same photos the server was sent."""
    out = subprocess.run(
        [sys.executable, str(PEER), *map(str, photos), str(iterations)]
        + (["--upright"] if upright else []),
        capture_output=True, text=True, check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])["cpu_ms_per_photo"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--photos", type=int, default=12, help="distinct photos to rotate through")
    ap.add_argument("--orientation", type=int, default=6, help="EXIF orientation of the photos")
    ap.add_argument(
        "--quality", type=int, default=92,
        help="JPEG quality of the photos: 92 gives ~5 MB, 97 ~7 MB (a full-detail phone photo)",
    )
    args = ap.parse_args()
    if not BINARY.exists():
        sys.exit(f"build it first: cargo build --release --bin qingling ({BINARY})")

    work = Path(tempfile.mkdtemp(prefix="qingling-load-"))
    print(f"work folder {work}")
    photos = []
    for i in range(args.photos):
        p = work / f"photo{i}.jpg"
        phone_photo(i, p, args.orientation, args.quality)
        photos.append(p)
    sizes = [p.stat().st_size for p in photos]
    print(f"{len(photos)} photos 4000x3000, {min(sizes)/1e6:.1f}-{max(sizes)/1e6:.1f} MB")

    port = free_port()
    data = work / "data"
    env = dict(
        os.environ,
        QINGLING_DATA_DIR=str(data),
        QINGLING_BIND=f"127.0.0.1:{port}",
        QINGLING_ANONYMOUS_LIMIT_PER_CLIENT="1000000",
        QINGLING_LOG="warn",
    )
    demo = subprocess.run([str(BINARY), "demo"], env=env, capture_output=True, text=True, check=True)
    admin_pw = next(
        line.split()[2] for line in demo.stdout.splitlines() if line.startswith("admin ")
    )
    server = subprocess.Popen([str(BINARY), "serve"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/readyz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)

        def call(path, body=None, token=None):
            req = urllib.request.Request(base + path, method="POST" if body else "GET")
            req.add_header("Content-Type", "application/json")
            if token:
                req.add_header("Authorization", f"Bearer {token}")
            data = json.dumps(body).encode() if body else None
            with urllib.request.urlopen(req, data) as r:
                return json.load(r)

        token = call("/api/v1/auth/login", {"username": "admin", "password": admin_pw})["access_token"]
        enterprises = call("/api/v1/enterprises", token=token)
        intake = enterprises["items"][0]["intake_code"]

        bodies = 0
        for n in range(0, len(photos), PHOTOS_PER_REPORT):
            group = photos[n : n + PHOTOS_PER_REPORT]
            if len(group) < PHOTOS_PER_REPORT:
                break
            bodies += 1
            (work / f"body{bodies}.bin").write_bytes(multipart_body(intake, group, bodies))
        (work / "load.lua").write_text(WRK_SCRIPT)

        # Warm up (first connections, caches), then the measured run beside the peer.
        wrk(base, work, 5, 2, bodies)
        # The peer runs just before and just after the load, and the two are averaged, so a
        # change in what else the machine is doing weighs on both sides alike.
        peer_before = pillow_ms(photos, 2)
        upright_before = pillow_ms(photos, 2, upright=True) if args.orientation != 1 else 0
        db = data / "qingling.db"
        before_reports, _ = reports_stored(db)
        cpu0 = cpu_ms(server.pid)
        t0 = time.monotonic()
        out = wrk(base, work, args.seconds, args.connections, bodies)
        elapsed = time.monotonic() - t0
        cpu1 = cpu_ms(server.pid)
        after_reports, _ = reports_stored(db)
        done = after_reports - before_reports
        print(out.strip())
        print(f"reports stored in the run: {done} in {elapsed:.1f} s = {done/elapsed:.2f} reports/s")
        per_photo = (cpu1 - cpu0) / (done * PHOTOS_PER_REPORT)
        print(f"server CPU per photo (HTTP, multipart, sanitise, encrypt, store): {per_photo:.1f} ms")
        peer = (peer_before + pillow_ms(photos, 2)) / 2
        print(f"Pillow peer CPU per photo (the same photos, before and after the load): {peer:.1f} ms")
        print(f"ratio qingling/pillow = {per_photo/peer:.2f}")
        if args.orientation != 1:
            upright = (upright_before + pillow_ms(photos, 2, upright=True)) / 2
            print(f"Pillow peer turning the photo upright too (ImageOps.exif_transpose): {upright:.1f} ms")
            print(f"ratio qingling/pillow doing the same job = {per_photo/upright:.2f}")

        out = wrk(base, work, 30, 32, bodies)
        print("32 concurrent uploads, 30 s:")
        print(out.strip())
        print(f"server peak RSS (VmHWM): {peak_rss_mib(server.pid):.0f} MiB")
        total_reports, incomplete = reports_stored(db)
        print(f"database: {total_reports} reports, {incomplete} without all {PHOTOS_PER_REPORT} photos")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
