"""A changed lesson of today or the next days reaches the families of the group's pupils
(after commit); later changes and rolled-back ones reach nobody."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from ejournal.notifications.models import Delivery, Event, Notification
from ejournal.schedule import services as schedule
from ejournal.schedule.tests import helpers

MONDAY = dt.datetime(2026, 10, 5, 6, 0, tzinfo=dt.UTC)  # 09:00 in Moscow


@pytest.fixture
def lessons(dw, world):
    helpers.bells(world.school)
    with time_machine.travel(MONDAY, tick=False):
        helpers.entry(world, weekday=2, number=2, room="12")
        schedule.lessons_materialise(
            school=world.school, start=dt.date(2026, 10, 5), end=dt.date(2026, 10, 31)
        )
        yield world


def _lesson(world, day):
    from ejournal.schedule.models import Lesson

    return Lesson.objects.get(group=world.group, date=day)


def test_tomorrows_cancelled_lesson_reaches_the_family(
    lessons, world, django_capture_on_commit_callbacks
):
    tomorrow = _lesson(world, dt.date(2026, 10, 6))
    with time_machine.travel(MONDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        schedule.schedule_change_cancel(
            school=world.school, lesson=tomorrow, actor=world.users["deputy"], reason="болезнь"
        )
    recipients = sorted(address for m in mail.outbox for address in m.to)
    assert recipients == ["parent@example.ru", "student@example.ru"]  # not the other class
    letter = next(m for m in mail.outbox if "parent@example.ru" in m.to)
    assert letter.subject == "Изменение расписания: Математика"
    assert "завтра, 06.10, 2 урок, Математика — урок отменён." in letter.body
    note = Notification.objects.filter(event=Event.TIMETABLE, user=world.users["parent"]).get()
    assert note.url == f"/diary/{world.child.pk}/week/?date=2026-10-06"


def test_a_room_change_and_a_substitution_say_what_changed(
    lessons, world, django_capture_on_commit_callbacks
):
    tomorrow = _lesson(world, dt.date(2026, 10, 6))
    with time_machine.travel(MONDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        schedule.schedule_change_room(
            school=world.school, lesson=tomorrow, actor=world.users["deputy"], room="14",
            reason="ремонт",
        )  # fmt: skip
        schedule.substitution_assign(
            school=world.school, lesson=tomorrow, substitute=world.staff["homeroom"],
            reason="курсы", actor=world.users["deputy"],
        )  # fmt: skip
    bodies = [m.body for m in mail.outbox if "parent@example.ru" in m.to]
    assert any("кабинет 14 вместо 12" in b for b in bodies)
    assert any(f"замена: ведёт {world.staff['homeroom'].short_name}" in b for b in bodies)


def test_a_change_weeks_ahead_or_rolled_back_tells_nobody(
    lessons, world, django_capture_on_commit_callbacks
):
    later = _lesson(world, dt.date(2026, 10, 20))
    soon = _lesson(world, dt.date(2026, 10, 6))
    with time_machine.travel(MONDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        schedule.schedule_change_cancel(
            school=world.school, lesson=later, actor=world.users["deputy"], reason="каникулы"
        )
        with pytest.raises(RuntimeError), transaction.atomic():
            schedule.schedule_change_cancel(
                school=world.school, lesson=soon, actor=world.users["deputy"], reason="x"
            )
            raise RuntimeError("the deputy's request failed later")
    assert mail.outbox == []
    assert not Delivery.objects.exists()
