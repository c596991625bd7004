"""The ledger exports of a million hazards from the real server: rows per second of
`ledger.csv` and `ledger.xlsx`, and the server's peak memory while it sends each.

    cargo build --release --bin qingling
    python3 api/benches/ledger_load.py                      # SQLite in a temporary folder
    python3 api/benches/ledger_load.py --postgres postgres://postgres@127.0.0.1:5432/postgres

Python's standard library only (PostgreSQL is filled through `psql`). Steps: `qingling demo` on a
fresh database (SQLite file in a temporary folder, or a new PostgreSQL database created beside the
one given and dropped at the end), then 1,000,000 hazards of the demo steel works filled by SQL the
way tests/tests/ledger_bench.rs fills them (over two years and the demo works' areas, 10 % major,
20 % from sweeps, the oldest 90 % closed but for a few left rectifying, the newest 100,000 in every
state, a 五落实 plan for each planned one), then `qingling serve` started afresh, the safety manager
logs in and downloads both exports of the whole range. The server's peak resident memory is read
from VmHWM in /proc/PID/status, reset through /proc/PID/clear_refs before each export (needs the
same user as the server, or root). The CSV's lines and the XLSX's rows are counted.

    python3 api/benches/ledger_load.py --load none,50,wrk4 [--postgres ...]

`--load` runs both exports once per load named, with another request load against the same
server while each export downloads: `none`; a number, the safety manager's ledger, inbox and
rewards pages (`/api/v1/hazards`, `/api/v1/reports`, `/api/v1/rewards`) at that many requests a
second, spread over eight threads, open-loop (a request is sent on schedule whether or not the
previous one has come back); `wrkN`, `wrk` with N connections on the ledger page as fast as the
server answers (closed-loop: it takes every cycle the export leaves). The load's achieved rate
and latencies are printed beside the export's figures.
"""

import argparse
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BINARY = ROOT / "target" / "release" / "qingling"
ROWS = 1_000_000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_kib(pid, field):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def fill_sql(pg, ent, areas, author):
    """The bench's fill, for one backend: hazards, then their current plans."""
    anchor = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() - 730 * 86400))
    if pg:
        series = f"generate_series(1, {ROWS}) AS s(g)"
        created = f"TIMESTAMP '{anchor}' + g * INTERVAL '1 minute'"
        quarter = "to_char(c, 'YYYY\"Q\"Q')"
        deadline = "to_char(c + INTERVAL '30 days', 'YYYY-MM-DD')"
        closed = "c + INTERVAL '20 days'"
    else:
        series = (
            f"(WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {ROWS}) "
            "SELECT g FROM s) AS s"
        )
        created = f"datetime('{anchor}', '+' || g || ' minutes')"
        quarter = "strftime('%Y', c) || 'Q' || ((CAST(strftime('%m', c) AS INTEGER) + 2) / 3)"
        deadline = "date(c, '+30 days')"
        closed = "datetime(c, '+20 days')"
    arms = "".join(f" WHEN {i} THEN '{a}'" for i, a in enumerate(areas))
    area = f"CASE g % {len(areas)}{arms} END"
    newest = ROWS - 100_000
    status = (
        f"CASE WHEN g <= {newest} THEN (CASE WHEN g % 500 = 0 THEN 'rectifying' ELSE 'closed' END) "
        "ELSE (CASE g % 20 WHEN 0 THEN 'registered' WHEN 1 THEN 'rectifying' "
        "WHEN 2 THEN 'rectifying' WHEN 3 THEN 'awaiting_verification' ELSE 'closed' END) END"
    )
    hazards = (
        "INSERT INTO hazards (id, enterprise_id, area_id, title, description, level, "
        "criterion_codes, source, report_id, sweep_id, status, quarter, deadline, plan_version, "
        "created_by, created_at, closed_at, updated_at) "
        f"SELECT 'h' || (1000000 + g), '{ent}', {area}, '隐患 ' || g, '现场检查发现的隐患', "
        "CASE WHEN g % 10 = 0 THEN 'major' ELSE 'general' END, '[]', "
        "CASE WHEN g % 5 = 0 THEN 'sweep' ELSE 'report' END, NULL, NULL, st, "
        f"{quarter}, CASE WHEN st = 'registered' THEN NULL ELSE {deadline} END, "
        f"CASE WHEN st = 'registered' THEN 0 ELSE 1 END, '{author}', c, "
        f"CASE WHEN st = 'closed' THEN {closed} ELSE NULL END, c "
        f"FROM (SELECT g, {created} AS c, {status} AS st FROM {series}) AS x"
    )
    plans = (
        "INSERT INTO hazard_plans (id, hazard_id, version, measures, responsible_person, "
        "responsible_user_id, funds_fen, deadline, contingency_plan, author_id, created_at) "
        "SELECT 'p' || id, id, 1, '更换水冷元件并加装联锁', '王工', NULL, 125000, deadline, "
        f"'停炉并撤离', '{author}', created_at FROM hazards WHERE plan_version = 1 AND id LIKE 'h%'"
    )
    return [hazards, plans, "ANALYZE"]


class Db:
    """Just enough of either database for the fill."""

    def __init__(self, sqlite_path=None, pg_url=None):
        self.sqlite_path, self.pg_url = sqlite_path, pg_url

    def rows(self, sql):
        if self.pg_url:
            out = subprocess.run(
                ["psql", "-X", "-q", "-A", "-t", "-F", "\t", self.pg_url, "-c", sql],
                capture_output=True, text=True, check=True,
            ).stdout
            return [line.split("\t") for line in out.splitlines() if line]
        with sqlite3.connect(self.sqlite_path) as c:
            return [list(r) for r in c.execute(sql).fetchall()]

    def run(self, statements):
        if self.pg_url:
            script = ";\n".join(statements) + ";\n"
            subprocess.run(
                ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.pg_url],
                input=script, text=True, check=True,
            )
            return
        with sqlite3.connect(self.sqlite_path) as c:
            for s in statements:
                c.execute(s)


def cpu_s(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


LOAD_PATHS = ("/api/v1/hazards?limit=50", "/api/v1/reports?limit=50", "/api/v1/rewards?limit=50")


class Load:
    """Another request load while an export runs: open-loop at `rps`, or `wrk` closed-loop."""

    def __init__(self, base, token, rps=0, wrk_connections=0):
        self.base, self.token, self.rps, self.wrk_connections = base, token, rps, wrk_connections
        self.stop = threading.Event()
        self.latencies, self.errors, self.threads, self.wrk = [], 0, [], None
        self.lock = threading.Lock()

    def _one(self, path):
        req = urllib.request.Request(self.base + path)
        req.add_header("Authorization", f"Bearer {self.token}")
        t = time.monotonic()
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                r.read()
                ok = r.status == 200
        except OSError:
            ok = False
        with self.lock:
            if ok:
                self.latencies.append(time.monotonic() - t)
            else:
                self.errors += 1

    def _worker(self, k, n):
        interval = n / self.rps
        due = time.monotonic() + k / self.rps
        i = k
        while not self.stop.is_set():
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._one(LOAD_PATHS[i % len(LOAD_PATHS)])
            due += interval
            i += n

    def __enter__(self):
        self.t0 = time.monotonic()
        if self.wrk_connections:
            self.wrk = subprocess.Popen(
                ["wrk", "-t", "1", "-c", str(self.wrk_connections), "-d", "3600s",
                 "-H", f"Authorization: Bearer {self.token}", self.base + LOAD_PATHS[0]],
                stdout=subprocess.PIPE, text=True,
            )
        elif self.rps:
            n = 8
            self.threads = [threading.Thread(target=self._worker, args=(k, n), daemon=True)
                            for k in range(n)]
            for t in self.threads:
                t.start()
        return self

    def __exit__(self, *exc):
        secs = time.monotonic() - self.t0
        if self.wrk:
            self.wrk.send_signal(signal.SIGINT)
            out = self.wrk.communicate(timeout=30)[0]
            summary = " ".join(
                line.strip() for line in out.splitlines()
                if line.strip().startswith(("Latency", "Requests/sec", "Non-2xx"))
            )
            print(f"   alongside: wrk -c {self.wrk_connections} on {LOAD_PATHS[0]}: {summary}")
        elif self.threads:
            self.stop.set()
            for t in self.threads:
                t.join(timeout=30)
            lat = sorted(self.latencies)
            if lat:
                print(
                    f"   alongside: {len(lat) / secs:.1f} requests/s answered of {self.rps} "
                    f"asked ({self.errors} failed), latency median {lat[len(lat) // 2] * 1000:.1f} "
                    f"ms, p99 {lat[int(len(lat) * 0.99)] * 1000:.1f} ms"
                )
        return False


def download(base, token, ext, server_pid, work, rows):
    path = "/api/v1/ledger.%s?from=2020-01-01&to=2029-12-31" % ext
    req = urllib.request.Request(base + path)
    req.add_header("Authorization", f"Bearer {token}")
    Path(f"/proc/{server_pid}/clear_refs").write_text("5")
    before = status_kib(server_pid, "VmRSS")
    cpu0, own0 = cpu_s(server_pid), time.process_time()
    t0 = time.monotonic()
    first = None
    size = lines = 0
    out = open(work / f"ledger.{ext}", "wb") if ext == "xlsx" else None
    with urllib.request.urlopen(req, timeout=600) as r:
        while True:
            chunk = r.read(1 << 20)
            if not chunk:
                break
            if first is None:
                first = time.monotonic() - t0
            size += len(chunk)
            lines += chunk.count(b"\n")
            if out:
                out.write(chunk)
    secs = time.monotonic() - t0
    cpu, own = cpu_s(server_pid) - cpu0, time.process_time() - own0
    if out:
        out.close()
    peak = status_kib(server_pid, "VmHWM")
    print(
        f"ledger.{ext}: {size} bytes in {secs:.2f} s = {rows / secs:,.0f} rows/s "
        f"(first byte after {first or 0:.2f} s); server RSS {before / 1024:.0f} MiB before, "
        f"peak {peak / 1024:.0f} MiB during (VmHWM); CPU: server {cpu:.1f} s, this client {own:.1f} s"
    )
    if ext == "csv":
        assert lines == rows + 1, f"{lines} CSV lines, expected a header and {rows}"
    else:
        counts = []
        with zipfile.ZipFile(work / "ledger.xlsx") as z:
            for name in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"):
                n, tail = 0, b""
                with z.open(name) as f:
                    while True:
                        block = f.read(1 << 22)
                        if not block:
                            break
                        n += (tail + block).count(b"<row ")
                        tail = block[-4:]
                counts.append(n - 1)  # the header row
        assert sum(counts) == rows, f"sheets hold {counts} rows"
        print(f"   sheets: {counts[0]} general + {counts[1]} major rows")
        (work / "ledger.xlsx").unlink()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--postgres", help="a PostgreSQL URL; a fresh database is made beside it")
    ap.add_argument("--load", default="none",
                    help="loads to run beside the exports, comma-separated: none, RPS, wrkN")
    args = ap.parse_args()
    if not BINARY.exists():
        sys.exit(f"build it first: cargo build --release --bin qingling ({BINARY})")
    work = Path(tempfile.mkdtemp(prefix="qingling-ledger-"))
    port = free_port()
    env = dict(
        os.environ,
        QINGLING_DATA_DIR=str(work / "data"),
        QINGLING_BIND=f"127.0.0.1:{port}",
        QINGLING_LOG="warn",
    )
    admin_url = scratch = None
    if args.postgres:
        admin_url = args.postgres
        scratch = f"qingling_ledger_load_{os.getpid()}"
        Db(pg_url=admin_url).run([f"CREATE DATABASE {scratch}"])
        u = urllib.parse.urlsplit(admin_url)
        env["QINGLING_DATABASE_URL"] = urllib.parse.urlunsplit(u._replace(path="/" + scratch))
        db = Db(pg_url=env["QINGLING_DATABASE_URL"])
    else:
        db = Db(sqlite_path=work / "data" / "qingling.db")
    server = None
    try:
        demo = subprocess.run(
            [str(BINARY), "demo"], env=env, capture_output=True, text=True, check=True
        )
        password = next(
            line.split()[2]
            for line in demo.stdout.splitlines()
            if line.startswith("steel.manager ")
        )
        (manager_id, ent), = db.rows(
            "SELECT id, enterprise_id FROM users WHERE username = 'steel.manager'"
        )
        areas = [r[0] for r in db.rows(f"SELECT id FROM areas WHERE enterprise_id = '{ent}'")]
        t0 = time.monotonic()
        db.run(fill_sql(bool(args.postgres), ent, areas, manager_id))
        n = int(db.rows(f"SELECT COUNT(*) FROM hazards WHERE enterprise_id = '{ent}'")[0][0])
        print(f"{'postgres' if args.postgres else 'sqlite'}: filled {n} hazards and their plans "
              f"in {time.monotonic() - t0:.0f} s ({len(areas)} areas)")

        server = subprocess.Popen([str(BINARY), "serve"], env=env)
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/readyz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        req = urllib.request.Request(base + "/api/v1/auth/login", method="POST")
        req.add_header("Content-Type", "application/json")
        body = json.dumps({"username": "steel.manager", "password": password}).encode()
        with urllib.request.urlopen(req, body) as r:
            token = json.load(r)["access_token"]
        for spec in args.load.split(","):
            rps = float(spec) if spec.replace(".", "").isdigit() else 0
            wrk = int(spec[3:]) if spec.startswith("wrk") else 0
            print(f"== beside: {spec}")
            for ext in ("csv", "xlsx"):
                with Load(base, token, rps, wrk):
                    download(base, token, ext, server.pid, work, n)
    finally:
        if server:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        if scratch:
            Db(pg_url=admin_url).run([f"DROP DATABASE IF EXISTS {scratch}"])
        subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    main()
