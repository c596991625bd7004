"""Scale-out throughput: three-photo anonymous reports per second end to end on the real server,

  1. one instance, photos in the local folder;
  2. one instance, photos in an S3 server (moto_server);
  3. two instances on one PostgreSQL and the same S3 server, the load split between them;

with the server's CPU per report in each (user + system time of every instance over the run, from
/proc), so that on a machine where the second instance shares the cores one can still see whether
anything serialises across instances: if nothing does, two instances give the same reports/s per
core and the same CPU per report as one.

    cargo build --release --bin qingling
    python3 api/benches/scale_load.py --postgres postgres://postgres@127.0.0.1:5432/postgres \
        [--seconds 30] [--clients 4] [--binary target/release/qingling]

Python's standard library plus Pillow (to make the photos) and moto_server on PATH. Runs 1 and 2
use a fresh SQLite database unless --postgres is given, when all three use a new PostgreSQL
database created beside the one given (dropped at the end). The photos are 1600 x 1200 JPEGs with
EXIF, each different, the size the phone page sends after shrinking (a 12-megapixel photo
sent whole costs ~75 ms of CPU to sanitise and is measured by report_load.py). Each client
thread posts reports back to back over its own connection; the count is of 201 answers.
"""

import argparse
import http.client
import io
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report_load import cpu_ms, free_port  # noqa: E402  (the same measures as the load run)

ROOT = Path(__file__).resolve().parents[2]
BOUNDARY = "qinglingscaleboundary7MA4YWxkTrZu0gW"
PHOTOS_PER_REPORT = 3
MASTER_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="


def photo(seed):
    """A 1600 x 1200 photo-like JPEG with EXIF (orientation 6), different for every seed."""
    rng = random.Random(seed)
    small = Image.new("RGB", (64, 48))
    small.putdata([(rng.randint(40, 220), rng.randint(40, 220), rng.randint(40, 220))
                   for _ in range(64 * 48)])
    img = small.resize((1600, 1200), Image.BICUBIC)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "QinglingBenchCam"
    out = io.BytesIO()
    img.save(out, "JPEG", quality=88, exif=exif.tobytes())
    return out.getvalue()


def body(intake, photos, n):
    report = {"intake_code": intake, "title": f"煤气柜区压力异常 {n}",
              "description": "二号压力表读数持续偏高", "suspected_level": "general"}
    out = io.BytesIO()
    out.write(f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"report\"\r\n"
              "Content-Type: application/json\r\n\r\n".encode())
    out.write(json.dumps(report, ensure_ascii=False).encode() + b"\r\n")
    for i, p in enumerate(photos):
        out.write(f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"photo\"; "
                  f"filename=\"IMG_{n}_{i}.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n".encode())
        out.write(p + b"\r\n")
    out.write(f"--{BOUNDARY}--\r\n".encode())
    return out.getvalue()


class Moto:
    def __init__(self, work):
        self.port = free_port()
        self.proc = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/bench", method="PUT")
        urllib.request.urlopen(req)

    def env(self):
        return {"QINGLING_BLOB_URL": "s3://bench/photos",
                "AWS_ENDPOINT": f"http://127.0.0.1:{self.port}", "AWS_REGION": "us-east-1",
                "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                "AWS_ALLOW_HTTP": "true"}

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def start(binary, env, port):
    e = dict(env, QINGLING_BIND=f"127.0.0.1:{port}")
    p = subprocess.Popen([str(binary), "serve"], env=e)
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1)
            return p
        except OSError:
            if p.poll() is not None:
                sys.exit("the server did not start")
            time.sleep(0.1)
    sys.exit("the server did not become ready")


def load(ports, bodies, seconds, clients):
    """`clients` threads spread over `ports`, each posting bodies back to back."""
    stop = time.monotonic() + seconds
    counts = {"ok": 0, "other": 0}
    lock = threading.Lock()

    def client(i):
        port = ports[i % len(ports)]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        n = i
        while time.monotonic() < stop:
            b = bodies[n % len(bodies)]
            n += clients
            conn.request("POST", "/m/v1/anonymous-reports", body=b,
                         headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
            r = conn.getresponse()
            r.read()
            with lock:
                counts["ok" if r.status == 201 else "other"] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counts, time.monotonic() - t0


def run(name, binary, env, instances, bodies, seconds, clients):
    ports = [free_port() for _ in range(instances)]
    procs = [start(binary, env, p) for p in ports]
    try:
        load(ports, bodies, 3, clients)  # warm up
        cpu0 = sum(cpu_ms(p.pid) for p in procs)
        counts, elapsed = load(ports, bodies, seconds, clients)
        cpu = sum(cpu_ms(p.pid) for p in procs) - cpu0
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=30)
    ok = counts["ok"]
    print(f"{name}: {ok} reports in {elapsed:.1f} s = {ok / elapsed:.2f} reports/s, "
          f"server CPU {cpu / max(ok, 1):.0f} ms per report, other answers {counts['other']}",
          flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--postgres", help="a PostgreSQL URL; a bench database is created beside it")
    ap.add_argument("--binary", default=str(ROOT / "target" / "release" / "qingling"))
    args = ap.parse_args()
    binary = Path(args.binary)
    if not binary.exists():
        sys.exit(f"build it first: cargo build --release --bin qingling ({binary})")

    work = Path(tempfile.mkdtemp(prefix="qingling-scale-"))
    pg_db = None
    if args.postgres:
        base_url, _ = args.postgres.rsplit("/", 1)
        pg_db = f"qingling_scale_{os.getpid()}"
        subprocess.run(["psql", args.postgres, "-qc", f'CREATE DATABASE "{pg_db}"'], check=True)
        db_url = f"{base_url}/{pg_db}?sslmode=disable"
    else:
        db_url = f"sqlite://{work / 'qingling.db'}"
    env = dict(os.environ, QINGLING_DATA_DIR=str(work / "data"), QINGLING_DATABASE_URL=db_url,
               QINGLING_MASTER_KEY=MASTER_KEY, QINGLING_ANONYMOUS_LIMIT_PER_CLIENT="1000000",
               QINGLING_LOG="warn", QINGLING_SWEEP_INTERVAL="1h")
    moto = Moto(work)
    try:
        demo = subprocess.run([str(binary), "demo"], env=env, capture_output=True, text=True,
                              check=True)
        admin_pw = next(l.split()[2] for l in demo.stdout.splitlines() if l.startswith("admin "))
        port = free_port()
        p = start(binary, env, port)
        try:
            def call(path, payload=None, token=None):
                req = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                             method="POST" if payload else "GET")
                req.add_header("Content-Type", "application/json")
                if token:
                    req.add_header("Authorization", f"Bearer {token}")
                data = json.dumps(payload).encode() if payload else None
                with urllib.request.urlopen(req, data) as r:
                    return json.load(r)
            token = call("/api/v1/auth/login", {"username": "admin", "password": admin_pw})
            intake = call("/api/v1/enterprises", token=token["access_token"])["items"][0]["intake_code"]
        finally:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=30)
        photos = [photo(i) for i in range(12)]
        bodies = [body(intake, photos[i:i + 3], i) for i in range(0, 12, 3)]
        print(f"{len(bodies)} distinct reports of 3 photos, {sum(map(len, photos)) / 12e3:.0f} kB a photo; "
              f"database {db_url.split('?')[0].split('@')[-1]}; {os.cpu_count()} cores", flush=True)
        run("1 instance, local folder", binary, env, 1, bodies, args.seconds, args.clients)
        s3 = dict(env, **moto.env())
        run("1 instance, S3", binary, s3, 1, bodies, args.seconds, args.clients)
        if pg_db:
            run("2 instances, one PostgreSQL, S3", binary, s3, 2, bodies, args.seconds,
                args.clients)
        else:
            print("2 instances: needs --postgres")
    finally:
        moto.stop()
        if pg_db:
            subprocess.run(["psql", args.postgres, "-qc",
                            f'DROP DATABASE IF EXISTS "{pg_db}" WITH (FORCE)'], check=False)


if __name__ == "__main__":
    main()
