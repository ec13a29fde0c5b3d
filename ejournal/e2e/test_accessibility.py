"""axe-core in a real Chromium: no serious or critical violations on the start page of
every role, the journal, the diary and the report pages."""

import pytest

from ejournal.e2e.conftest import assert_accessible, login_as, shot
from ejournal.testing.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = [
    "admin",
    "director",
    "deputy",
    "teacher",
    "homeroom",
    "operator",
    "hr",
    "student",
    "parent",
    "inspector",
]


def test_start_pages_of_every_role_pass_axe(e2e_page, axe_script):
    world = build_world()
    page = e2e_page
    for role in ROLES:
        login_as(page, world.users[role])
        page.goto("/")
        page.wait_for_load_state("networkidle")
        shot(page, f"start-{role}")
        assert_accessible(page, axe_script, f"start page of {role}")
