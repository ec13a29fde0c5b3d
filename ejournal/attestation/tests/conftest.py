import datetime as dt
from decimal import Decimal

import pytest

from ejournal.attestation import selectors
from ejournal.journal import services as journal_services
from ejournal.journal.models import NUMERIC_MARKS, Mark, Work, WorkType
from ejournal.school.models import StudyPeriod, TeachingLoad
from ejournal.testing import factories as f

# The second quarter of the world's year: 05.11.2026 – 28.12.2026. With the default
# settings period marks are entered from 22.12 to 02.01, and it may close from 03.01.
IN_WINDOW = "2026-12-23 12:00 +0300"
BEFORE_WINDOW = "2026-12-10 12:00 +0300"
AFTER_GRACE = "2027-01-03 12:00 +0300"


class AttestationWorld:
    """The role world, its second quarter, and helpers that put journal marks in it."""

    def __init__(self, world):
        self.w = world
        self.teacher = world.staff["teacher"]
        self.q2 = StudyPeriod.objects.get(band__year=world.year, number=2)
        self.q1 = StudyPeriod.objects.get(band__year=world.year, number=1)
        journal_services.work_types_ensure_defaults(school=world.school)
        self.types = {wt.name: wt for wt in WorkType.objects.filter(school=world.school)}
        # 1 hour a week: a period mark needs at least 3 marks.
        TeachingLoad.objects.filter(group=world.group, subject=world.subject).update(
            hours_per_week=Decimal("1")
        )
        self._lessons = {}

    def lesson(self, day, subject=None, group=None, number=1):
        subject = subject or self.w.subject
        group = group or self.w.group
        key = (day, subject.pk, group.pk, number)
        if key not in self._lessons:
            self._lessons[key] = f.make_lesson(group, subject, self.teacher, day, number)
        return self._lessons[key]

    def mark(self, student, day, value, type_name="Ответ на уроке", subject=None, number=1):
        lesson = self.lesson(day, subject, number=number)
        work = Work.objects.create(lesson=lesson, work_type=self.types[type_name])
        return Mark.objects.create(
            work=work, student=student, value=value, numeric=NUMERIC_MARKS.get(value)
        )

    def target(self, period=None, kind="period"):
        slug = f"p{(period or self.q2).pk}" if kind == "period" else kind
        return selectors.target_for(year=self.w.year, grade=5, slug=slug)


@pytest.fixture
def aw(world):
    return AttestationWorld(world)


def day(d):
    return dt.date(2026, 11, d) if d > 4 else dt.date(2026, 12, d)
