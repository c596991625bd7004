"""The harness itself: the real binary starts, Chromium opens a page it serves."""


def test_chromium_opens_the_api_docs_page_without_the_network(server, desk, screenshots):
    page = desk.new_page()
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(server.base + "/docs/")
    page.wait_for_selector("text=Qingling", timeout=20000)
    page.screenshot(path=str(screenshots / "docs.png"))
    assert not [u for u in failed if not u.startswith(server.base)], failed
