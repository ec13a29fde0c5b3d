"""No htmx request ever gets a whole page swapped into it, whoever asks and whatever
happens on the way: a user who must change an issued password, a signed-out visitor, a
session that idled out. Every fragment endpoint of the product is found in the templates
(and the menu), so a new one is covered without being listed."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.test import Client
from django.urls import reverse

from ejournal.accounts import services as account_services
from ejournal.security.tests import sweep_support as sweep
from ejournal.testing.factories import TEST_PASSWORD

# Slow (the sweep of every htmx fragment endpoint): `make test` runs it, `make test-fast` does not.
pytestmark = pytest.mark.slow

ROOT = Path(settings.BASE_DIR) / "ejournal"
HX = re.compile(r"""hx-(get|post)=["']\{%\s*url\s+'([\w:]+)'""")
HX_PY = re.compile(r"""hx-(get|post)=\\?"\{escape\(reverse\("([\w:]+)"\)\)\}""")
# A URL named in a variable and polled through a shared partial (partials/progress.html).
HX_VARIABLE = re.compile(r"""hx-(get|post)=["']\{\{\s*(\w+)\s*\}\}""")
URL_AS = re.compile(r"""\{%\s*url\s+'([\w:]+)'[^%]*?\bas\s+(\w+)\s*%\}""")
# Views that answer htmx requests with a fragment of their own.
ANSWERS_HTMX = re.compile(r"request\.htmx\b|HX-Request")


def _sources() -> list[str]:
    return [
        path.read_text(encoding="utf-8")
        for path in list(ROOT.rglob("*.html")) + list(ROOT.rglob("*.py"))
        if "tests" not in path.parts
    ]


def _view_source(callback) -> str:
    view = inspect.unwrap(callback)
    view = getattr(view, "func", view)  # functools.partial
    view = getattr(view, "view_class", view)  # class-based views
    try:
        return inspect.getsource(view)
    except TypeError:  # built without Python source
        return ""


def fragment_endpoints() -> list[tuple[str, str]]:
    found, variables = set(), {}
    texts = _sources()
    for text in texts:
        found |= {(m.group(1), m.group(2)) for m in HX.finditer(text)}
        found |= {(m.group(1), m.group(2)) for m in HX_PY.finditer(text)}
        variables.update({m.group(2): m.group(1) for m in HX_VARIABLE.finditer(text)})
    for text in texts:
        found |= {
            (variables[m.group(2)], m.group(1))
            for m in URL_AS.finditer(text)
            if m.group(2) in variables
        }
    return sorted(found)


def _url(name: str) -> str:
    routes = {r.key: r for r in sweep.all_routes()}
    route = routes[name]
    path = re.sub(
        r"<(?:\w+:)?(\w+)>", str(sweep.MISSING), route.prefix + str(route.pattern.pattern)
    )
    return "/" + path


# The page the person has open when a fragment of it asks the server.
PAGE = "/diary/?week=2026-11-16"


def _ask(client: Client, method: str, url: str, current: str = "/"):
    headers = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{current}"}
    return getattr(client, method)(url, headers=headers)


def _assert_no_whole_page(response, where: str) -> None:
    body = response.content[:512].lstrip().lower()
    assert not body.startswith((b"<!doctype", b"<html")), f"{where}: a whole page came back"
    assert not (300 <= response.status_code < 400), f"{where}: a bare redirect"


def test_the_product_has_fragment_endpoints_and_all_are_found():
    names = {name for _, name in fragment_endpoints()}
    assert {"messaging:unread", "reports:run", "archive:job", "people:letters_job"} <= names
    # Every view that answers htmx with a fragment of its own is among them.
    answering = {
        route.key
        for route in sweep.all_routes()
        if ANSWERS_HTMX.search(_view_source(route.pattern.callback))
    }
    assert answering, "no view answers htmx: the search above is broken"
    assert answering <= names, sorted(answering - names)


def _must_change_password_client(world) -> Client:
    """The parent signed in with a password just issued to them: the forced change is due."""
    password = account_services.user_issue_password(
        user=world.users["parent"], actor=world.users["homeroom"], school=world.school
    )
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "parent", "password": password})
    assert response.status_code == 302
    assert client.get("/")["Location"] == reverse("accounts:password_change")
    return client


def _comes_back_to(redirect: str) -> str:
    """The page a sign-in page sends the person back to (its ``next``)."""
    target = urlsplit(redirect)
    assert target.path == reverse("accounts:login"), redirect
    return parse_qs(target.query).get(REDIRECT_FIELD_NAME, [""])[0]


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
def test_a_signed_out_visitor_is_sent_to_sign_in_and_back_to_the_page(world, method, name):
    url = _url(name)
    response = _ask(Client(), method, url, current=PAGE)
    _assert_no_whole_page(response, f"{method} {url}")
    # Sent to sign in and back to the page afterwards, never to the bare fragment (the
    # unread counter answers a visitor with an empty counter instead).
    if "HX-Redirect" in response:
        assert response.status_code == 204
        assert _comes_back_to(response["HX-Redirect"]) == PAGE
    else:
        assert response.status_code == 200 and response.content.strip(), response


def test_a_redirect_names_no_page_from_another_site(world):
    response = Client().get(
        _url("reports:run"),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver//evil.example/x"},
    )
    assert _comes_back_to(response["HX-Redirect"]) == ""


@pytest.mark.parametrize(("method", "name"), fragment_endpoints())
def test_a_session_that_idled_out_signs_in_again_on_the_same_page(world, settings, method, name):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    with time_machine.travel("2026-11-16 18:00 +0300", tick=False) as clock:
        client = Client()
        client.post(reverse("accounts:login"), {"username": "parent", "password": TEST_PASSWORD})
        client.get(PAGE)
        clock.shift(31 * 60)
        response = _ask(client, method, _url(name), current=PAGE)
        _assert_no_whole_page(response, f"{method} {name} after idling out")
        assert _comes_back_to(response["HX-Redirect"]) == PAGE
        # The sign-in page says why (the message's cookie came with the empty answer).
        sign_in_page = client.get(response["HX-Redirect"]).content.decode()
        assert "Сеанс завершён из-за бездействия." in sign_in_page
        again = client.post(
            response["HX-Redirect"], {"username": "parent", "password": TEST_PASSWORD}
        )
    assert again.status_code == 302 and again["Location"] == PAGE


def test_the_counter_itself_still_answers_a_fragment(world):
    client = Client()
    client.post(reverse("accounts:login"), {"username": "parent", "password": TEST_PASSWORD})
    response = _ask(client, "get", reverse("messaging:unread"))
    assert response.status_code == 200
    assert response.content.lstrip().startswith(b"<span")
