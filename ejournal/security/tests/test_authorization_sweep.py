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

# Slow (the sweep: every URL × every role): `make test` runs it, `make test-fast` does not.
pytestmark = pytest.mark.slow

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


def test_authorization_sweep(world, foreign, record_property, settings):  # noqa: C901 - walks the whole (URL, role) table
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


# --- Account actions across schools (issue #22) -------------------------------------------


def _account_state(user, *, ignore_school=None) -> tuple:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from ejournal.accounts.models import CompromiseReport, RoleAssignment

    user.refresh_from_db()
    roles = RoleAssignment.objects.filter(user=user).exclude(school=ignore_school)
    return (
        user.password,
        user.is_active,
        user.session_epoch,
        user.must_change_password,
        user.last_name,
        sorted(roles.values_list("school_id", "role", "active")),
        TOTPDevice.objects.filter(user=user).count(),
        CompromiseReport.objects.filter(user=user, reverted_at=None).count(),
    )


def _account_cases(world, scene):
    """(actor, account, the acting school's rows for the person) for every attack."""
    import datetime as dt

    from ejournal.accounts.models import CompromiseReport, StaffMember

    def rows(user, school, family=None):
        staff = StaffMember.objects.filter(school=school, user=user).first()
        report = CompromiseReport.objects.create(
            school=school, user=user, reported_by=world.users["admin"], since=dt_since
        )
        klass, student, guardian = family or (None, None, None)
        return {
            "school": school,
            "login": user.username,
            "staff": staff.pk if staff else sweep.MISSING,
            "report": report.pk,
            "class": klass.pk if klass else sweep.MISSING,
            "student": student.pk if student else sweep.MISSING,
            "guardian": guardian.pk if guardian else sweep.MISSING,
        }

    from django.utils import timezone

    dt_since = timezone.now() - dt.timedelta(hours=1)
    one, two = world.school, world.other_school
    yield "outsider", scene.lone, rows(scene.lone, two)
    yield "outsider", scene.shared, rows(scene.shared, two)
    yield "admin", scene.shared, rows(scene.shared, one)
    yield "outsider", scene.parent, rows(scene.parent, two, scene.families[two.pk])
    yield "admin", scene.parent, rows(scene.parent, one, scene.families[one.pk])


def test_account_actions_across_schools_change_nothing(world, foreign, settings):
    from django.urls import reverse
    from django.utils import timezone

    from ejournal.accounts.models import RoleAssignment
    from ejournal.security.tests.conftest import enrol
    from ejournal.security.tests.sweep_expectations import (
        ACCOUNT_ACTIONS,
        WITHDRAWS_OWN_ROLES,
    )
    from ejournal.testing.cross_school import build_cross_school

    scene = build_cross_school(world)
    for user in (scene.lone, scene.shared):
        enrol(user)
    since = (timezone.localtime() - timezone.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    failures: list[str] = []
    pairs = 0
    for actor, account, ids in _account_cases(world, scene):
        client = Client(raise_request_exception=False)
        client.force_login(world.users[actor])
        fill = {**ids, "since": since, "today": timezone.localdate().isoformat()}
        for name, (names, data) in ACCOUNT_ACTIONS.items():
            ignore = ids["school"] if name in WITHDRAWS_OWN_ROLES else None
            before = _account_state(account, ignore_school=ignore)
            active_roles = list(
                account.role_assignments.filter(active=True).values_list("pk", flat=True)
            )
            url = reverse(name, args=[ids[n] for n in names])
            body = {k.format(**fill): v.format(**fill) for k, v in data.items()}
            response = client.post(url, body)
            pairs += 1
            where = f"{name} as {actor} on {account.username}: {response.status_code}"
            if response.status_code >= 500:
                failures.append(f"{where} (server error)")
            if response.get("Content-Type") == "application/pdf" and account.username in _pdf(
                response
            ):
                failures.append(f"{where} (a letter with the account's new password)")
            if _account_state(account, ignore_school=ignore) != before:
                failures.append(f"{where} (the account changed)")
            # The next attack meets the account as it was (a withdrawn role comes back).
            RoleAssignment.objects.filter(pk__in=active_roles).update(active=True)
    print(f"account actions across schools: {pairs} (action, attack) pairs posted")
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)


def _pdf(response) -> str:
    import io

    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
