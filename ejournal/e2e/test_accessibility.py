"""axe-core in a real Chromium: no serious or critical violations on the start page of
every role, the journal, the diary and the report pages."""

import pytest
from django.urls import reverse

from ejournal.e2e.conftest import assert_accessible, login_as, shot
from ejournal.school.tests.structure_helpers import ALL_ROLES
from ejournal.testing.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Every role with a start page of its own (not the outsider school, not signed out).
ROLES = [r for r in ALL_ROLES if r not in {"other_parent", "outsider", "anonymous"}]


def test_start_pages_of_every_role_pass_axe(e2e_page, axe_script):
    world = build_world()
    page = e2e_page
    for role in ROLES:
        login_as(page, world.users[role])
        page.goto("/")
        page.wait_for_load_state("networkidle")
        shot(page, f"start-{role}")
        assert_accessible(page, axe_script, f"start page of {role}")


def test_journal_diary_structure_and_report_pages_pass_axe(e2e_page, axe_script):
    world = build_world()
    page = e2e_page
    login_as(page, world.users["deputy"])
    pages = [
        reverse("journal:index"),
        reverse("journal:grid", args=[world.group.pk, world.subject.pk]),
        reverse("journal:corrections"),
        reverse("school:overview"),
        reverse("school:setup"),
        reverse("attestation:closures"),
        reverse("messaging:inbox"),
        reverse("reports:index"),
    ]
    for url in pages:
        page.goto(url)
        assert_accessible(page, axe_script, url)
    # Every report the deputy may open, as listed on the reports page.
    page.goto(reverse("reports:index"))
    links = page.locator("main a[href^='/reports/']").evaluate_all(
        "(links) => [...new Set(links.map((a) => a.getAttribute('href')))]"
    )
    reports = [h for h in links if not h.startswith("/reports/runs/") and h != "/reports/"]
    assert reports, "the reports page lists no report"
    for url in reports:
        page.goto(url)
        assert_accessible(page, axe_script, url)

    login_as(page, world.users["parent"])
    for url in (
        reverse("diary:week", args=[world.child.pk]),
        reverse("diary:marks", args=[world.child.pk]),
        reverse("diary:homework", args=[world.child.pk]),
        reverse("diary:summary", args=[world.child.pk]),
        reverse("diary:calendar"),
    ):
        page.goto(url)
        assert_accessible(page, axe_script, url)
