import datetime as dt

import pytest

from ejournal.journal import services
from ejournal.journal.models import WorkType
from ejournal.testing import factories as f


class JournalWorld:
    """The role world plus a few lessons of 5А mathematics taught by «teacher»."""

    def __init__(self, world):
        self.w = world
        self.teacher = world.staff["teacher"]
        self.lesson = f.make_lesson(world.group, world.subject, self.teacher, dt.date(2026, 11, 16))
        services.work_types_ensure_defaults(school=world.school)
        self.types = {wt.name: wt for wt in WorkType.objects.filter(school=world.school)}

    def lesson_on(self, day, number=1, **extra):
        return f.make_lesson(self.w.group, self.w.subject, self.teacher, day, number, **extra)

    def work(self, lesson=None, type_name="Ответ на уроке"):
        from ejournal.journal.models import Work

        return Work.objects.create(lesson=lesson or self.lesson, work_type=self.types[type_name])


@pytest.fixture
def jw(world):
    return JournalWorld(world)
