"""The report pages in a real browser: the background run's progress page turns into the
report with its files, and a wide table scrolls inside its frame on a phone."""

import pytest

from ejournal.reports.tests.class_data import build_class_data
from ejournal.testing.browser import sign_in
from ejournal.testing.factories import TEST_PASSWORD
from ejournal.testing.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _immediate(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_homeroom_forms_a_background_report_and_gets_its_files(browser_page):
    world = build_world()
    data = build_class_data(world)
    sign_in(browser_page, "homeroom", TEST_PASSWORD)
    browser_page.goto("/reports/student-totals/")
    browser_page.get_by_label("Период").select_option(f"p{data.quarter.pk}")
    browser_page.get_by_role("button", name="Сформировать").click()
    browser_page.wait_for_load_state("networkidle")
    assert browser_page.get_by_text("Отчёт готов").is_visible()
    assert browser_page.get_by_role("link", name="PDF").is_visible()
    assert browser_page.get_by_role("cell", name=world.students[0].short_name).is_visible()


def test_homeroom_reads_class_results_on_a_phone(phone_page):
    world = build_world()
    data = build_class_data(world)
    sign_in(phone_page, "homeroom", TEST_PASSWORD)
    phone_page.goto(f"/reports/class-results/?period=p{data.quarter.pk}")
    assert phone_page.get_by_role("heading", name="5А класс, 1 четверть").is_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360  # the table scrolls inside .table-wrap, the page does not
