"""The browser tests' harness: starts the real `qingling` binary on a free port with a fresh
database (a SQLite file in a temporary folder, or a new PostgreSQL database when
QINGLING_TEST_DATABASE_URL is set, dropped afterwards), and talks to it over real HTTP as a
client would. Pages are driven through Debian's Chromium; Playwright's own browser download is
never used."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
CHROMIUM = os.environ.get("QINGLING_CHROMIUM", "/usr/bin/chromium")
# Flags for a sandboxed, offline machine: without the background-networking ones Chromium keeps
# trying to reach Google's hosts and the closed network refuses it, many times at once.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def binary() -> Path:
    """The `qingling` binary under test (the Rust test that runs pytest passes its path)."""
    path = os.environ.get("QINGLING_BIN")
    if path:
        return Path(path)
    return REPO / "target" / "debug" / "qingling"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Answer:
    """An HTTP answer read whole."""

    def __init__(self, status: int, headers, body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def code(self) -> str:
        j = self.json
        return j.get("code", "") if isinstance(j, dict) else ""

    def __repr__(self) -> str:
        return f"Answer({self.status}, {self.body[:300]!r})"


class Database:
    """A database that exists for one server."""

    def __init__(self, folder: Path):
        self.admin_url = os.environ.get("QINGLING_TEST_DATABASE_URL", "")
        self.name = None
        if self.admin_url:
            self.name = f"qb_{os.getpid()}_{uuid.uuid4().hex[:12]}"
            self._psql(f'CREATE DATABASE "{self.name}"')
            base, _, _ = self.admin_url.partition("?")
            self.url = base.rsplit("/", 1)[0] + "/" + self.name + "?sslmode=disable"
        else:
            self.url = f"sqlite://{folder / 'qingling.db'}"

    def _psql(self, sql: str) -> None:
        subprocess.run(
            ["psql", self.admin_url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def drop(self) -> None:
        if self.name:
            self._psql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@dataclass
class Server:
    """A running `qingling serve` and the admin it was started with."""

    base: str
    env: dict
    folder: Path
    process: subprocess.Popen
    database: Database
    admin_username: str = "admin"
    admin_token: str = ""
    log: Path = field(default=None)

    # ---- HTTP -------------------------------------------------------------------------------
    def request(self, method: str, path: str, body=None, token: str | None = None,
                headers: dict | None = None, raw: bytes | None = None,
                content_type: str | None = None) -> Answer:
        hdrs = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            hdrs.setdefault("content-type", "application/json")
        if content_type:
            hdrs["content-type"] = content_type
        if token:
            hdrs["authorization"] = f"Bearer {token}"
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return Answer(r.status, r.headers, r.read())
        except urllib.error.HTTPError as e:
            return Answer(e.code, e.headers, e.read())

    def ok(self, method: str, path: str, body=None, token: str | None = None, **kw):
        a = self.request(method, path, body, token=token, **kw)
        assert 200 <= a.status < 300, f"{method} {path} -> {a!r}"
        return a.json

    def login(self, username: str, password: str = PASSWORD) -> str:
        return self.ok("POST", "/api/v1/auth/login",
                       {"username": username, "password": password})["access_token"]

    # ---- set-up through the public API, as an admin would ----------------------------------
    def create_enterprise(self, name: str | None = None, sector: str = "steel",
                          jurisdiction: str = "jiangbei/town1") -> dict:
        code = credit_code()
        return self.ok("POST", "/api/v1/enterprises", {
            "name": name or f"测试钢铁{code[-4:]}有限公司",
            "credit_code": code,
            "sector": sector,
            "jurisdiction": jurisdiction,
        }, token=self.admin_token)

    def create_user(self, role: str, enterprise_id: str | None = None,
                    jurisdiction: str | None = None, display_name: str | None = None,
                    **extra) -> dict:
        username = f"{role}-{uuid.uuid4().hex[:8]}"
        body = {"username": username, "password": PASSWORD, "role": role,
                "display_name": display_name or username, **extra}
        if enterprise_id:
            body["enterprise_id"] = enterprise_id
        if jurisdiction:
            body["jurisdiction"] = jurisdiction
        user = self.ok("POST", "/api/v1/users", body, token=self.admin_token)
        user.setdefault("username", username)
        user["password"] = PASSWORD
        return user

    def create_area(self, enterprise_id: str, name: str = "炼钢车间 2号转炉") -> dict:
        return self.ok("POST", f"/api/v1/enterprises/{enterprise_id}/areas",
                       {"name": name}, token=self.admin_token)

    # ---- life cycle -------------------------------------------------------------------------
    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log and self.log.exists() else ""


def credit_code() -> str:
    """A unified social credit code (GB 32100-2015) with a valid check character."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    body = "91" + "320100" + "".join(alphabet[b % 31] for b in os.urandom(9))
    total = sum(alphabet.index(c) * w for c, w in zip(body, weights))
    return body + alphabet[(31 - total % 31) % 31]


def run_cli(env: dict, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Runs a `qingling` subcommand with the server's settings."""
    return subprocess.run([str(binary()), *args], env=env, input=stdin, text=True,
                          capture_output=True, timeout=120)


def start_server(extra_env: dict | None = None, only: str = "all") -> Server:
    """Starts `qingling serve` with a fresh database and a first admin, and waits until it is
    ready. `extra_env` adds or overrides `QINGLING_*` settings."""
    folder = Path(tempfile.mkdtemp(prefix="qingling-browser-"))
    database = Database(folder)
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(folder)),
        "QINGLING_BIND": f"127.0.0.1:{port}",
        "QINGLING_DATA_DIR": str(folder),
        "QINGLING_DATABASE_URL": database.url,
        "QINGLING_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
        "QINGLING_LOG": "warn",
        "QINGLING_HTTP_WORKERS": "2",
        **(extra_env or {}),
    }
    admin = f"admin-{uuid.uuid4().hex[:6]}"
    created = run_cli(env, "admin", "create-user", "--username", admin, "--password-stdin",
                      "--role", "admin", "--display-name", "平台管理员", stdin=PASSWORD + "\n")
    assert created.returncode == 0, created.stdout + created.stderr
    log = folder / "server.log"
    process = subprocess.Popen([str(binary()), "serve", "--only", only], env=env,
                               stdout=log.open("wb"), stderr=subprocess.STDOUT)
    server = Server(base=f"http://127.0.0.1:{port}", env=env, folder=folder, process=process,
                    database=database, admin_username=admin, log=log)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError("qingling exited at start-up:\n" + server.log_text())
        try:
            if server.request("GET", "/readyz").status == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError("qingling did not become ready:\n" + server.log_text())
        time.sleep(0.1)
    if only != "mobile":
        server.admin_token = server.login(admin)
    return server


def destroy_server(server: Server) -> None:
    server.stop()
    server.database.drop()
    shutil.rmtree(server.folder, ignore_errors=True)
