"""axe-core over every screen of the phone page at phone size: no serious or critical
violation. axe-core comes from the npm registry into target/axe (`.ci/run` installs it); the
test fails loudly when it is missing rather than passing without a scan."""

from __future__ import annotations

import pytest

import qingling
from conftest import PHONE
from phone_helpers import PHONE_ENV, Site, fill_report, open_phone, plain_jpeg, receipt_code, shot

AXE = qingling.REPO / "target" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def server():
    s = qingling.start_server(PHONE_ENV)
    yield s
    qingling.destroy_server(s)


@pytest.fixture(scope="module")
def site(server):
    return Site(server)


@pytest.fixture
def axe_phone(browser):
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: npm install --prefix target/axe axe-core@4.14.1")
    # The page's CSP forbids injected scripts, as it should; the scanner is let in by the test.
    ctx = browser.new_context(**PHONE, bypass_csp=True)
    yield ctx
    ctx.close()


def scan(page, name, screenshots):
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("""async () => {
        const r = await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'] });
        // Text contrast 7:1 (WCAG AAA), for a screen read in glare with safety glasses on.
        const aaa = await axe.run(document, { runOnly: ['color-contrast-enhanced'] });
        return [...r.violations, ...aaa.violations.map((v) => ({ ...v, impact: 'serious' }))]
          .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
    }""")
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    shot(page, screenshots, f"a11y-{name}")
    assert not bad, f"{name}: {bad}"
    # Gloved thumbs: every control at least 44 px tall, every text at least 16 px.
    small = page.evaluate("""() => {
        const out = [];
        for (const el of document.querySelectorAll('button, a, input, select, textarea, summary, label.check')) {
          if (el.classList.contains('offscreen') || el.type === 'checkbox' || el.closest('.offscreen')) continue;
          const r = el.getBoundingClientRect();
          if (r.width === 0 && r.height === 0) continue;
          if (r.height < 44 || r.width < 44) out.push(`${el.tagName}#${el.id} ${Math.round(r.width)}x${Math.round(r.height)}`);
        }
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
          const n = walker.currentNode;
          if (!n.textContent.trim() || !n.parentElement || n.parentElement.closest('.offscreen')) continue;
          const size = parseFloat(getComputedStyle(n.parentElement).fontSize);
          if (size < 16) out.push(`text ${size}px: ${n.textContent.trim().slice(0, 20)}`);
        }
        return out;
    }""")
    assert not small, f"{name}: {small}"


def test_no_serious_or_critical_accessibility_violation_on_any_screen(
        server, site, axe_phone, tmp_path, screenshots):
    page = open_phone(axe_phone, server)
    scan(page, "home", screenshots)
    for screen in ("mode", "login", "activate", "followup"):
        page.evaluate(f"() => {{ location.hash = '{screen}'; }}")
        page.wait_for_timeout(300)
        scan(page, screen, screenshots)
    page.goto(f"{server.base}/m/#i={site.intake_code}")
    page.click("#mode-anonymous")
    fill_report(page, tmp_path, "a11y 报告", [plain_jpeg()])
    scan(page, "form", screenshots)
    page.click("#submit")
    receipt_code(page)
    scan(page, "receipt", screenshots)
    code = page.inner_text("#receipt-code")
    page.click("#receipt-done")
    page.wait_for_selector("text=用回执码查进度")
    page.evaluate("() => { location.hash = 'followup'; }")
    page.fill("#receipt-input", code)
    page.click("#followup-go")
    page.wait_for_selector("#followup")
    scan(page, "followup-detail", screenshots)
    landing = axe_phone.new_page()
    landing.goto(server.base + "/")
    scan(landing, "landing", screenshots)
