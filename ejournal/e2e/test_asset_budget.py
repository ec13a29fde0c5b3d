"""Every page stays light: the CSS and JavaScript a page references total under 150 KB
(uncompressed), so the journal opens quickly on old school computers and phones."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

BUDGET = 150 * 1024
ASSET = re.compile(
    r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"|<script[^>]+src="([^"]+)"', re.IGNORECASE
)


def page_assets(html: str) -> dict[str, int]:
    """Sizes in bytes of the static CSS/JS files a page references."""
    sizes = {}
    for match in ASSET.finditer(html):
        url = (match.group(1) or match.group(2)).split("?")[0]
        assert url.startswith(settings.STATIC_URL), f"not a local static file: {url}"
        path = finders.find(url.removeprefix(settings.STATIC_URL))
        assert path, f"missing static file {url}"
        with open(path, "rb") as fh:
            sizes[url] = len(fh.read())
    return sizes


PAGES = [
    ("admin", lambda w: "/"),
    ("deputy", lambda w: "/"),
    ("teacher", lambda w: "/"),
    ("teacher", lambda w: reverse("journal:grid", args=[w.group.pk, w.subject.pk])),
    ("deputy", lambda w: reverse("reports:index")),
    ("deputy", lambda w: reverse("school:setup")),
    ("parent", lambda w: "/"),
    ("parent", lambda w: reverse("diary:week", args=[w.child.pk])),
    ("parent", lambda w: reverse("diary:marks", args=[w.child.pk])),
    ("parent", lambda w: reverse("messaging:inbox")),
    ("student", lambda w: "/"),
]


@pytest.mark.parametrize(("role", "url_of"), PAGES)
def test_css_and_js_of_a_page_stay_under_150_kb(world, client_for, role, url_of):
    response = client_for(role).get(url_of(world))
    assert response.status_code == 200
    sizes = page_assets(response.content.decode())
    assert any(url.endswith("app.css") for url in sizes)
    assert sum(sizes.values()) < BUDGET, sizes
