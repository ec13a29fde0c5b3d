"""The authorization sweep: every URL pattern × every role, aimed at objects of another
family, another class and another school.

For each (URL, role) it asserts: no server error; roles outside the URL's audience
(EXPECTATIONS) are refused (302 to sign-in, 401, 403, 404 or 405, never 200); and no
response of any role contains a name the role may not see (sweep_support.NEVER_SEES).

A URL pattern without an entry in EXPECTATIONS fails the test: add one line for it.
The number of (URL, role) pairs is printed in pytest's terminal summary.
"""

from __future__ import annotations

import os
import re

import pytest
from django.test import Client

from ejournal.security.tests import sweep_support as sweep
from ejournal.security.tests.sweep_expectations import EXPECTATIONS
from ejournal.security.tests.sweep_support import ANON, SIGNED_IN

DENIED = {302, 401, 403, 404, 405}
# The student and the parent of 5А: the other family's child and class are not theirs.
FIRST_FAMILY = frozenset({"student", "parent"})
# Every role of the first school: none of them may open an object of the other school.
FIRST_SCHOOL = frozenset(
    {"student", "parent", "other_parent", "teacher", "homeroom", "deputy", "admin", "director"}
)


def expectation_for(route: sweep.Route):
    if route.key in EXPECTATIONS:
        return EXPECTATIONS[route.key]
    # The generated Django admin: one entry for all of it.
    if route.key.startswith("admin:") or route.route.startswith("django-admin/"):
        return EXPECTATIONS.get("admin:*")
    if os.environ.get("SWEEP_DISCOVER"):
        return SIGNED_IN
    return None


def _url(route: sweep.Route, ids: dict) -> str:
    def value(match) -> str:
        return str(ids.get(match.group(1), sweep.MISSING))

    path = route.prefix + str(route.pattern.pattern)
    # Regex patterns (re_path): fill the named groups, drop the anchors.
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", value, path).replace("^", "").replace("$", "")
    path = re.sub(r"<(?:\w+:)?(\w+)>", value, path)
    return "/" + path


def _has_ids(route: sweep.Route) -> bool:
    return "<" in route.route


def _aims_at_other_school(route: sweep.Route, ids: dict) -> bool:
    """Whether the URL names a real object of the other school by its id."""
    names = re.findall(r"<(?:\w+:)?(\w+)>", route.route)
    return any(
        (name.endswith("_id") or name == "pk") and ids.get(name, sweep.MISSING) != sweep.MISSING
        for name in names
    )


def _aims_at_other_family(route: sweep.Route) -> bool:
    """Whether the URL names the other family's child, guardian or class."""
    return any(k in route.route for k in ("student_id", "class_id", "guardian_id"))


def _requests(routes, foreign):
    for route in routes:
        variants = [foreign.school]
        if any(k in route.route for k in ("student_id", "class_id", "guardian_id", "lesson_id")):
            variants.append(foreign.family)
        seen = set()
        for ids in variants:
            url = _url(route, ids)
            if url not in seen:
                seen.add(url)
                if ids is foreign.school:
                    yield route, url, _aims_at_other_school(route, ids), False
                else:
                    yield route, url, False, _aims_at_other_family(route)


@pytest.fixture
def foreign(world):
    return sweep.build_foreign(world)


def test_every_url_pattern_has_an_expectation():
    missing = sorted({r.key for r in sweep.all_routes() if expectation_for(r) is None})
    assert not missing, (
        "URL patterns without an entry in ejournal/security/tests/sweep_expectations.py "
        "(add '<name>': <who may see it>, e.g. SIGNED_IN, STAFF, FAMILY | SCHOOL_STAFF, "
        "PUBLIC or NOBODY): " + ", ".join(missing)
    )


def test_authorization_sweep(world, foreign, record_property, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_in_ip": "100000/60"}
    routes = [r for r in sweep.all_routes() if expectation_for(r) is not None]
    clients = {}
    for role in sweep.ROLES:
        client = Client(raise_request_exception=False)
        if role != ANON:
            client.force_login(world.users[role])
        clients[role] = client
    failures: list[str] = []
    observed: dict[str, dict[str, int]] = {}
    pairs = 0
    lost: set[str] = set()
    for route, url, other_school_object, other_family_object in _requests(routes, foreign):
        audience = expectation_for(route)
        for role in sweep.ROLES:
            pairs += 1
            response = clients[role].get(url)
            status = response.status_code
            # Write endpoints: an empty POST aimed at a foreign object, by every role that
            # must be refused. (Roles allowed there could change things: only GET for them.)
            if status == 405 and _has_ids(route) and role not in audience:
                response = clients[role].post(url, {})
                status = response.status_code
            observed.setdefault(route.key, {})[role] = max(
                observed.get(route.key, {}).get(role, 0), status
            )
            where = f"{route.key} {url} as {role}: {status}"
            if (
                os.environ.get("SWEEP_DISCOVER")
                and role != ANON
                and "_auth_user_id" not in clients[role].session
                and role not in lost
            ):
                lost.add(role)
                print(f"SESSION LOST: {where}")
            if status >= 500:
                failures.append(f"{where} (server error)")
                continue
            if role not in audience and status not in DENIED:
                failures.append(f"{where} (not in its audience, must be refused)")
            elif other_school_object and role in FIRST_SCHOOL and status not in DENIED:
                failures.append(f"{where} (an object of another school, must be refused)")
            elif other_family_object and role in FIRST_FAMILY and status not in DENIED:
                failures.append(f"{where} (another family's child or class, must be refused)")
            if (
                role == ANON
                and ANON not in audience
                and status == 302
                and route.prefix != "django-admin/"
                and "/login/" not in response.get("Location", "")
            ):
                failures.append(f"{where} (anonymous must go to /login/)")
            body = _text(response)
            for marker in sweep.NEVER_SEES[role]:
                if marker in body:
                    failures.append(f"{where} shows «{marker}…» (not theirs)")
    record_property("authorization_sweep_pairs", pairs)
    print(f"authorization sweep: {pairs} (URL, role) pairs requested")
    if os.environ.get("SWEEP_DISCOVER"):
        for key, by_role in sorted(observed.items()):
            ok = sorted(r for r, s in by_role.items() if s < 300)
            print(f"{key!r}: {ok}")
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures[:200])


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")
