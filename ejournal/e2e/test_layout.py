"""Layout in a real Chromium: the journal grid keeps names and dates in view while it
scrolls, pages fit a 360-px phone and use a 1920-px screen, print drops the chrome."""

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ejournal.e2e.conftest import login_as, shot
from ejournal.school.models import StudyPeriod
from ejournal.testing import factories as f
from ejournal.testing.factories import make_lesson
from ejournal.testing.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _big_journal():
    world = build_world(3)
    for i in range(27):
        f.enroll(f.StudentFactory(school=world.school, last_name=f"Ещё{i:02d}"), world.school_class)
    period = StudyPeriod.objects.get(band__year=world.year, number=1)
    day, lessons = period.start, 0
    while day <= period.end and lessons < 40:
        if day.weekday() < 5:
            make_lesson(world.group, world.subject, world.staff["teacher"], day, number=1)
            lessons += 1
        day += dt.timedelta(days=1)
    return world, period


def test_journal_grid_keeps_names_and_dates_visible_while_scrolling(e2e_page):
    world, period = _big_journal()
    page = e2e_page
    page.set_viewport_size({"width": 1920, "height": 1000})
    login_as(page, world.users["teacher"])
    page.goto(reverse("journal:grid_period", args=[world.group.pk, world.subject.pk, period.pk]))
    wrap = page.locator(".jwrap")
    expect(wrap).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1920
    page.evaluate(
        "() => { const w = document.querySelector('.jwrap');"
        " w.scrollLeft = w.scrollWidth; w.scrollTop = w.scrollHeight; }"
    )
    frame = wrap.bounding_box()
    assert page.evaluate("document.querySelector('.jwrap').scrollLeft") > 100
    assert page.evaluate("document.querySelector('.jwrap').scrollTop") > 100
    last_row_name = page.locator("tbody tr").last.locator("th.jname")
    date_head = page.locator("thead tr:first-child th.jl").last
    column_head = page.locator("thead tr.jcols th").last
    name_box, date_box, column_box = (
        last_row_name.bounding_box(),
        date_head.bounding_box(),
        column_head.bounding_box(),
    )
    # The name column sticks to the frame's left edge, the two header rows to its top.
    assert abs(name_box["x"] - frame["x"]) <= 2
    assert abs(date_box["y"] - frame["y"]) <= 2
    assert date_box["y"] + date_box["height"] - 2 <= column_box["y"] <= date_box["y"] + 60
    shot(page, "layout-1-grid-scrolled-1920")


def test_pages_fit_a_phone_and_print_without_the_menu(e2e_phone):
    world = build_world(3)
    page = e2e_phone
    for role, url in (
        ("teacher", "/"),
        ("teacher", reverse("journal:index")),
        ("admin", reverse("school:setup")),
        ("parent", "/"),
    ):
        login_as(page, world.users[role])
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, (role, url)
    shot(page, "layout-2-phone-parent-start")
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
