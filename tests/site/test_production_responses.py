"""What every response looks like on the wire: compressed pages, no server banner, a favicon."""

from __future__ import annotations

import gzip
import http.client

from django.contrib.staticfiles import finders
from django.templatetags.static import static

from tests.gunicorn_process import gunicorn, production_environment


def test_a_public_page_is_sent_compressed_to_a_browser_that_accepts_gzip(client, briefing):
    plain = client.get("/c/chicago/results/")
    compressed = client.get("/c/chicago/results/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    page = gzip.decompress(compressed.content).decode()
    assert "<html" in page and "</html>" in page
    assert len(compressed.content) < len(plain.content) / 3


def test_compressed_pages_vary_in_length_so_their_size_does_not_betray_a_secret(client, briefing):
    """Django's gzip (4.2+) pads each response's gzip header with 0-99 random bytes (BREACH mitigation)."""
    lengths = {len(client.get("/privacy/", HTTP_ACCEPT_ENCODING="gzip").content) for _ in range(6)}
    assert len(lengths) > 1


def test_favicon_ico_is_the_icon_shipped_in_static(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == static("favicon.ico")
    with open(finders.find("favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file


def test_under_gunicorn_pages_are_compressed_with_no_server_banner_and_the_favicon_is_served(static_root, tmp_path):
    with gunicorn(production_environment(STATIC_ROOT=str(static_root)), tmp_path) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)

        def get(path: str, **headers: str) -> http.client.HTTPResponse:
            connection.request("GET", path, headers={"X-Forwarded-Proto": "https", **headers})
            response = connection.getresponse()
            response.body = response.read()
            return response

        page = get("/privacy/", **{"Accept-Encoding": "gzip"})
        assert page.status == 200
        assert page.getheader("Server") is None
        assert page.getheader("Content-Encoding") == "gzip"
        assert b"</html>" in gzip.decompress(page.body)

        icon = get("/favicon.ico")
        assert icon.status == 301 and icon.getheader("Server") is None
        location = icon.getheader("Location")
        assert location.startswith("/static/favicon.") and location.endswith(".ico")  # the hashed, cacheable name
        served = get(location)
        assert served.status == 200
        assert served.body[:4] == b"\x00\x00\x01\x00"
        connection.close()
