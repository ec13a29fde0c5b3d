"""A family prints the week from the diary: a full school week — six lessons a day with
topics, homework and marks — comes out on one A4 page with the pupil's name and every
day's date (the browser's print made it six pages without dates)."""

import datetime as dt
import io

import pytest
import time_machine
from pypdf import PdfReader

from ejournal.diary.tests.conftest import MONDAY, DiaryWorld
from ejournal.e2e.conftest import artifacts_dir, login_as, shot
from ejournal.journal.models import Homework, LessonRecord
from ejournal.testing.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_parent_prints_a_full_week_on_one_page_with_dates(e2e_page):
    world = build_world(3)
    dw = DiaryWorld(world)
    for offset in range(6):
        day = MONDAY + dt.timedelta(days=offset)
        for number in range(1, 7):
            lesson = dw.lesson(day, number)
            LessonRecord.objects.create(
                lesson=lesson, topic=f"Тема урока {number}: дроби и проценты"
            )
            Homework.objects.create(
                lesson=lesson, text=f"Учебник, с. {40 + number}, № {number}–{number + 4}"
            )
            dw.put(lesson, world.child, "5" if number % 2 else "4")
    page = e2e_page
    login_as(page, world.users["parent"])
    with time_machine.travel(dt.datetime(2026, 11, 16, 17, 0, tzinfo=dt.UTC), tick=True):
        page.goto(f"/diary/{world.child.pk}/week/?date={MONDAY.isoformat()}")
    assert page.get_by_role("button", name="Распечатать неделю").is_visible()
    page.emulate_media(media="print")
    shot(page, "family-print-week")
    pdf = page.pdf(format="A4", print_background=False)
    (artifacts_dir() / "family-print-week.pdf").write_bytes(pdf)
    pages = PdfReader(io.BytesIO(pdf)).pages
    text = " ".join(pages[0].extract_text().split())
    assert len(pages) == 1, len(pages)
    assert world.child.full_name in text
    for offset in range(6):
        day = MONDAY + dt.timedelta(days=offset)
        assert f"{day.day} ноября" in text, day
