"""How the phone page is served: from the binary, on `serve --only mobile` too, with a strict
CSP, no referrer, nosniff, versioned assets cached for a year and a first load under 60 KB
compressed."""

from __future__ import annotations

import re
import urllib.request

import pytest

import qingling

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
       "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'; object-src 'none'")


@pytest.fixture(scope="module")
def edge():
    """The phone edge alone, as it is deployed facing the internet."""
    s = qingling.start_server(only="mobile")
    yield s
    qingling.destroy_server(s)


def gz_get(server, path):
    req = urllib.request.Request(server.base + path, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, r.headers, r.read()


def test_the_phone_page_is_served_by_the_phone_edge_with_strict_headers(edge):
    page = edge.request("GET", "/m/")
    assert page.status == 200
    assert page.headers["Content-Security-Policy"] == CSP
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Cache-Control"] == "no-cache"
    html = page.body.decode()
    assert "<script>" not in html and "unsafe" not in page.headers["Content-Security-Policy"]
    js = re.search(r'src="(/m/assets/([0-9a-f]{12})/app\.js)"', html)
    assert js, html
    asset = edge.request("GET", js.group(1))
    assert asset.status == 200
    assert asset.headers["Content-Type"].startswith("text/javascript")
    assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert asset.headers["X-Content-Type-Options"] == "nosniff"
    assert edge.request("GET", "/m/assets/000000000000/app.js").status == 404, "no stale version"
    assert edge.request("GET", f"/m/assets/{js.group(2)}/index.html").status == 404
    assert edge.request("GET", f"/m/assets/{js.group(2)}/../../Cargo.toml").status == 404
    # A worker logs in on the edge itself; the staff API is not there.
    login = edge.request("POST", "/m/v1/auth/login", {"username": "nobody", "password": "x" * 12})
    assert login.status == 401 and login.code == "invalid_credentials"
    assert edge.request("GET", "/api/v1/reports").status == 404


def test_the_landing_page_links_to_the_phone_page_and_the_console(edge):
    a = edge.request("GET", "/")
    assert a.status == 200 and a.headers["Content-Security-Policy"] == CSP
    html = a.body.decode()
    assert re.search(r'href="/m/"[^>]*>我要报告隐患<', html)
    assert re.search(r'href="/console/"[^>]*>管理人员登录<', html)
    en = edge.request("GET", "/m/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert 'lang="en"' in en.body.decode()
    assert 'lang="zh-CN"' in edge.request("GET", "/m/").body.decode()


def test_the_first_load_is_at_most_60_kb_compressed(edge):
    status, headers, html = gz_get(edge, "/m/")
    assert headers["Content-Encoding"] == "gzip"
    total = len(html)
    import gzip
    text = gzip.decompress(html).decode()
    base = re.search(r'/m/assets/[0-9a-f]{12}/', text).group(0)
    seen, todo = set(), ["app.css", "app.js"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        _, h, body = gz_get(edge, base + name)
        assert h["Content-Encoding"] == "gzip"
        total += len(body)
        todo += re.findall(r"from '\./([\w-]+\.js)'", gzip.decompress(body).decode())
    print(f"\nfirst load of /m/: {len(seen) + 1} files, {total} bytes gzipped")
    assert {"queue.js", "shrink.js", "markup.js", "api.js", "views.js"} <= seen
    assert total <= 60 * 1024, total
