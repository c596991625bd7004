"""The phone page's speed, measured in Debian's Chromium against the real server (issue #12,
item 10). Run once by hand; its figures go in the note, never in the test suite.

    cargo build --bin qingling            # or --release, then pass --bin target/release/qingling
    python3 mobile-bff/benches/phone_upload.py [--runs 3] [--bin PATH]

1. First load of /m/: bytes on the wire (HTML, CSS, every JS module; gzip) from the browser's
   own resource timing.
2. With the browser throttled by Chrome DevTools network emulation (CDP
   `Network.emulateNetworkConditions`: 1.5 Mbit/s up, 1.5 Mbit/s down, 300 ms latency), three
   12-megapixel phone photos (~7 MB each, EXIF orientation 6) go from tapping 提交 to the receipt
   — the page shrinks them on the phone first — side by side with the same three photos sent
   unshrunk by a plain multipart form (what a page without shrinking would do).
3. The server's CPU time per shrunk photo (utime+stime of the server process from /proc, around
   each shrunk submission), as api/benches/report_load.py measures it.

Needs Pillow and Playwright (tests/browser/requirements.txt). Everything lives in a temporary
folder: a fresh SQLite database, the blob store and the generated photos."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

import qingling  # noqa: E402
from phone_helpers import PHONE_ENV, Site  # noqa: E402

UPLINK = 1_500_000 / 8  # bytes per second
LATENCY_MS = 300
TICKS = os.sysconf("SC_CLK_TCK")


def load_photo_maker():
    spec = importlib.util.spec_from_file_location("report_load", ROOT / "api" / "benches" / "report_load.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.phone_photo


def cpu_ms(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICKS


def throttle(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": LATENCY_MS,
        "uploadThroughput": UPLINK, "downloadThroughput": UPLINK,
    })
    return cdp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--bin", default=str(ROOT / "target" / "debug" / "qingling"))
    ap.add_argument("--skip-plain", action="store_true", help="leave out the unshrunk upload (~2 min)")
    args = ap.parse_args()
    os.environ["QINGLING_BIN"] = args.bin

    from playwright.sync_api import sync_playwright
    from conftest import PHONE

    tmp = Path(tempfile.mkdtemp(prefix="phone-bench-"))
    phone_photo = load_photo_maker()
    photos = []
    for i in range(3):
        path = tmp / f"phone-{i}.jpg"
        phone_photo(100 + i, path, 6, 97)
        photos.append(str(path))
    sizes = [Path(p).stat().st_size for p in photos]
    print(f"photos: 3 x 4000x3000, {', '.join(f'{s / 1e6:.1f} MB' for s in sizes)}")

    server = qingling.start_server(PHONE_ENV)
    try:
        site = Site(server)
        pid = server.process.pid
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=qingling.CHROMIUM, headless=True,
                                        args=qingling.CHROMIUM_ARGS)
            ctx = browser.new_context(**PHONE)

            # 1. First load, throttled, cold cache.
            page = ctx.new_page()
            throttle(page)
            t0 = time.monotonic()
            page.goto(f"{server.base}/m/#i={site.intake_code}")
            page.wait_for_selector("#mode-anonymous")
            first_load_s = time.monotonic() - t0
            wire = page.evaluate("""() => {
                const nav = performance.getEntriesByType('navigation')[0];
                // The page itself (HTML, CSS, modules), not the API answers it then asks for.
                const res = performance.getEntriesByType('resource').filter((r) => r.name.includes('/m/assets/'));
                return { bytes: nav.transferSize + res.reduce((s, r) => s + r.transferSize, 0),
                         body: nav.encodedBodySize + res.reduce((s, r) => s + r.encodedBodySize, 0),
                         files: 1 + res.length };
            }""")
            print(f"first load of /m/ (HTML+CSS+JS): {wire['files']} files, {wire['body']} bytes "
                  f"compressed ({wire['bytes']} with headers); first screen after "
                  f"{first_load_s:.1f} s at 1.5 Mbit/s + 300 ms (with the intake and catalog calls)")

            # 2a. Shrunk on the phone, through the page.
            shrunk, cpu, shrink_s, uploaded, kb = [], [], [], [], []
            for run in range(args.runs):
                page.goto("about:blank")
                page.goto(f"{server.base}/m/#i={site.intake_code}")
                page.click("#mode-anonymous")
                page.fill("#title", f"基准：三张照片 {run}")
                page.fill("#description", "转炉平台东侧栏杆松动")
                s0 = time.monotonic()
                for i, ph in enumerate(photos):
                    page.set_input_files("#photo-camera", ph)
                    page.wait_for_function(
                        f"() => document.querySelectorAll('#thumbs img').length === {i + 1}", timeout=120000)
                shrink_s.append(time.monotonic() - s0)
                page.wait_for_timeout(500)  # the draft (with the shrunk photos) is saved after 300 ms
                kb.append(page.evaluate("""() => new Promise((ok) => {
                    const r = indexedDB.open('qingling'); r.onsuccess = () => {
                      const g = r.result.transaction('outbox').objectStore('outbox').get('draft');
                      g.onsuccess = () => ok(g.result.photos.map((b) => Math.round(b.size / 1024))); }; })"""))
                c0 = cpu_ms(pid)
                t0 = time.monotonic()
                page.click("#submit")
                page.wait_for_function("() => document.getElementById('progress') === null"
                                       " || document.getElementById('progress').value >= 100",
                                       timeout=180000, polling=50)
                uploaded.append(time.monotonic() - t0)
                page.wait_for_selector("#receipt-code", timeout=180000)
                shrunk.append(time.monotonic() - t0)
                time.sleep(0.5)
                cpu.append((cpu_ms(pid) - c0) / 3)
                page.click("#receipt-done")

            # 2b. The same photos unshrunk, by a plain multipart form from the same throttled page.
            plain_s, plain_cpu, status = float("nan"), float("nan"), None
            if not args.skip_plain:
                page.goto(f"{server.base}/m/")
                page.evaluate("""() => { const i = document.createElement('input'); i.type = 'file';
                    i.multiple = true; i.id = 'plain'; document.body.append(i); }""")
                page.set_input_files("#plain", photos)
                c0 = cpu_ms(pid)
                t0 = time.monotonic()
                status = page.evaluate("""(code) => new Promise((ok) => {
                    const f = new FormData();
                    f.append('report', new Blob([JSON.stringify({ title: '基准：未压缩', description: '同三张照片',
                        intake_code: code })], { type: 'application/json' }));
                    for (const file of document.getElementById('plain').files) f.append('photo', file);
                    const x = new XMLHttpRequest(); x.open('POST', '/m/v1/anonymous-reports');
                    x.setRequestHeader('Idempotency-Key', crypto.randomUUID());
                    x.onload = () => ok(x.status); x.onerror = () => ok(0); x.send(f); })""", site.intake_code)
                plain_s = time.monotonic() - t0
                plain_cpu = (cpu_ms(pid) - c0) / 3
            browser.close()
    finally:
        qingling.destroy_server(server)

    print(f"shrinking 3 photos on the phone (at add time, before 提交): "
          f"{', '.join(f'{s:.1f}' for s in shrink_s)} s")
    print(f"shrunk photo sizes (KB): {kb}")
    print(f"提交 -> upload done: {', '.join(f'{s:.1f}' for s in uploaded)} s")
    print(f"提交 -> receipt, shrunk (1.5 Mbit/s up, 300 ms): {', '.join(f'{s:.1f}' for s in shrunk)} s "
          f"(median {sorted(shrunk)[len(shrunk) // 2]:.1f} s)")
    print(f"提交 -> answer, unshrunk plain form: {plain_s:.1f} s (status {status})")
    print(f"server CPU per shrunk photo: {', '.join(f'{c:.0f}' for c in cpu)} ms "
          f"(mean {sum(cpu) / len(cpu):.0f} ms); per unshrunk 12 MP photo: {plain_cpu:.0f} ms "
          f"[binary: {args.bin}]")


if __name__ == "__main__":
    main()
