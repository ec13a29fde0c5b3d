import datetime as dt

import pytest
import time_machine
from django.test import Client

from ejournal.journal import services as journal
from ejournal.journal.models import Work, WorkType
from ejournal.testing import factories as f

# A Wednesday in the 2nd quarter of the world's school year.
TODAY = dt.date(2026, 11, 18)
MONDAY = dt.date(2026, 11, 16)


TYPE_NAMES = {
    "oral": "Ответ на уроке",  # weight 1
    "control": "Контрольная работа",  # weight 2
    "written": "Самостоятельная работа",  # weight 1.5
}


class DiaryWorld:
    """The role world with 5А mathematics lessons and helpers that write like a teacher."""

    def __init__(self, world):
        self.w = world
        self.teacher = world.staff["teacher"]
        self.teacher_user = world.users["teacher"]
        journal.work_types_ensure_defaults(school=world.school)
        by_name = {wt.name: wt for wt in WorkType.objects.filter(school=world.school)}
        self.types = {name: by_name[full] for name, full in TYPE_NAMES.items()}

    def lesson(self, day=MONDAY, number=1, subject=None, group=None, **extra):
        start = (8 + number, 0)
        end = (8 + number, 45)
        return f.make_lesson(
            group or self.w.group,
            subject or self.w.subject,
            self.teacher,
            day,
            number,
            start=start,
            end=end,
            **extra,
        )

    def work(self, lesson, category="oral", title=""):
        return Work.objects.create(lesson=lesson, work_type=self.types[category], title=title)

    def put(self, lesson, student, value, category="oral", comment=""):
        """A mark row written directly (fast; for building data, not for journal rules)."""
        from ejournal.journal.models import NUMERIC_MARKS, Mark

        return Mark.objects.create(
            work=self.work(lesson, category),
            student=student,
            value=value,
            numeric=NUMERIC_MARKS.get(value),
            comment=comment,
        )

    def mark(self, lesson, student, value, category="oral", comment="", work=None):
        """Put a mark through the journal service, on the lesson's day (inside its window)."""
        from ejournal.journal.models import Mark

        work = work or self.work(lesson, category)
        existing = Mark.objects.filter(work=work, student=student).first()
        with time_machine.travel(dt.datetime.combine(lesson.date, dt.time(15, 0)), tick=False):
            return journal.mark_set(
                actor=self.teacher_user,
                staff=self.teacher,
                work=work,
                student=student,
                value=value,
                comment=comment,
                expected_version=existing.version if existing else None,
            )


@pytest.fixture
def dw(world):
    return DiaryWorld(world)


@pytest.fixture
def today():
    with time_machine.travel(dt.datetime(2026, 11, 18, 12, 0), tick=False):
        yield TODAY


@pytest.fixture
def signed_in(world):
    def make(role):
        client = Client()
        if role != "anonymous":
            client.force_login(world.users[role])
        return client

    return make
