"""pytest fixtures for the browser tests. Every test file can use:

- `server`: a fresh `qingling serve` (module scope) with an admin (`server.admin_token`);
- `browser`: Debian's Chromium through Playwright (session scope);
- `phone`: a new phone-sized, touch, zh-CN browser context (function scope);
- `desk`: a new desktop-sized zh-CN browser context (function scope).

Where Chromium or Playwright is missing the whole run fails with a message saying so: these
tests never pass by not running."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import qingling


def pytest_sessionstart(session):
    problems = []
    if not Path(qingling.CHROMIUM).exists():
        problems.append(f"Chromium is missing at {qingling.CHROMIUM} "
                        "(apt-get install chromium chromium-driver)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        problems.append("Playwright for Python is missing "
                        "(pip install -r tests/browser/requirements.txt)")
    if not qingling.binary().exists():
        problems.append(f"the qingling binary is missing at {qingling.binary()} "
                        "(cargo build --bin qingling)")
    if problems:
        banner = "\n".join(["", "=" * 78, "BROWSER TESTS DID NOT RUN:", *problems, "=" * 78])
        raise pytest.UsageError(banner)


@pytest.fixture(scope="module")
def server():
    s = qingling.start_server()
    yield s
    qingling.destroy_server(s)


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    b = playwright_instance.chromium.launch(
        executable_path=qingling.CHROMIUM, headless=True, args=qingling.CHROMIUM_ARGS)
    yield b
    b.close()


PHONE = dict(
    viewport={"width": 390, "height": 844},
    device_scale_factor=2,
    is_mobile=True,
    has_touch=True,
    locale="zh-CN",
    user_agent=("Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/156.0 Mobile Safari/537.36 MicroMessenger/8.0.50"),
)


@pytest.fixture
def phone(browser):
    ctx = browser.new_context(**PHONE)
    yield ctx
    ctx.close()


@pytest.fixture
def desk(browser):
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def screenshots():
    """Folder for screenshots a person looks at (target/browser-screenshots)."""
    folder = Path(os.environ.get("QINGLING_SCREENSHOTS",
                                 qingling.REPO / "target" / "browser-screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
