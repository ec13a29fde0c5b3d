"""No htmx request ever gets a whole page swapped into it, whoever asks and whatever
happens on the way: a user who must change an issued password, a signed-out visitor, a
session that idled out. Every fragment endpoint of the product is found in the templates
(and the menu), so a new one is covered without being listed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from ejournal.security.tests import sweep_support as sweep
from ejournal.testing.factories import TEST_PASSWORD

ROOT = Path(settings.BASE_DIR) / "ejournal"
HX = re.compile(r"""hx-(get|post)=["']\{%\s*url\s+'([\w:]+)'""")
HX_PY = re.compile(r"""hx-(get|post)=\\?"\{escape\(reverse\("([\w:]+)"\)\)\}""")


def fragment_endpoints() -> list[tuple[str, str]]:
    found = set()
    for path in list(ROOT.rglob("*.html")) + list(ROOT.rglob("*.py")):
        if "tests" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        found |= {(m.group(1), m.group(2)) for m in HX.finditer(text)}
        found |= {(m.group(1), m.group(2)) for m in HX_PY.finditer(text)}
    return sorted(found)


def _url(name: str) -> str:
    routes = {r.key: r for r in sweep.all_routes()}
    route = routes[name]
    path = re.sub(
        r"<(?:\w+:)?(\w+)>", str(sweep.MISSING), route.prefix + str(route.pattern.pattern)
    )
    return "/" + path


def _ask(client: Client, method: str, url: str, current: str = "/"):
    headers = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{current}"}
    return getattr(client, method)(url, headers=headers)


def _assert_no_whole_page(response, where: str) -> None:
    body = response.content[:512].lstrip().lower()
    assert not body.startswith((b"<!doctype", b"<html")), f"{where}: a whole page came back"
    assert not (300 <= response.status_code < 400), f"{where}: a bare redirect"


def test_the_product_has_fragment_endpoints_and_all_are_found():
    names = {name for _, name in fragment_endpoints()}
    assert {"messaging:unread", "reports:run", "archive:job"} <= names


def _must_change_password_client(world) -> Client:
    user = world.users["parent"]
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": "parent", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    return client


@pytest.mark.parametrize(("method", "name"), fragment_endpoints())
def test_a_user_who_must_change_the_password_gets_no_page_in_a_fragment(world, method, name):
    client = _must_change_password_client(world)
    url = _url(name)
    response = _ask(client, method, url, current=reverse("accounts:password_change"))
    _assert_no_whole_page(response, f"{method} {url}")
    # On the password page itself: nothing to do, no navigation (no reload loop).
    assert "HX-Redirect" not in response, response["HX-Redirect"]
    # Elsewhere: the browser is sent to the password page as a whole page.
    elsewhere = _ask(client, method, url, current="/")
    _assert_no_whole_page(elsewhere, f"{method} {url}")
    assert elsewhere.get("HX-Redirect", "").startswith(reverse("accounts:password_change"))


@pytest.mark.parametrize(("method", "name"), fragment_endpoints())
def test_a_signed_out_visitor_is_sent_to_sign_in_as_a_whole_page(world, method, name):
    url = _url(name)
    response = _ask(Client(), method, url)
    _assert_no_whole_page(response, f"{method} {url}")
    if response.status_code == 204 and "HX-Redirect" in response:
        assert response["HX-Redirect"].startswith(reverse("accounts:login"))


def test_a_session_that_idled_out_is_sent_to_sign_in(world, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    with time_machine.travel("2026-11-16 18:00 +0300", tick=False) as clock:
        client = Client()
        client.post(reverse("accounts:login"), {"username": "parent", "password": TEST_PASSWORD})
        client.get("/", follow=True)
        clock.shift(31 * 60)
        response = _ask(client, "get", reverse("messaging:unread"), current="/diary/")
    _assert_no_whole_page(response, "unread after idling out")
    assert response["HX-Redirect"].startswith(reverse("accounts:login"))


def test_the_counter_itself_still_answers_a_fragment(world):
    client = Client()
    client.post(reverse("accounts:login"), {"username": "parent", "password": TEST_PASSWORD})
    response = _ask(client, "get", reverse("messaging:unread"))
    assert response.status_code == 200
    assert response.content.lstrip().startswith(b"<span")
