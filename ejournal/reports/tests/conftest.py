"""Fixtures of the reports' tests: the framework's (tests/helpers.py) and ``rw``, helpers
that put hand-built journal data into the role world for reports 10–16 and 18."""

import datetime as dt

import pytest

from ejournal.attestation.models import PeriodMark, PeriodMarkKind
from ejournal.journal import services as journal_services
from ejournal.journal.models import NUMERIC_MARKS, Mark, Work, WorkType
from ejournal.reports.tests.helpers import immediate_tasks  # noqa: F401 - fixture
from ejournal.school.models import StudyPeriod
from ejournal.testing import factories as f


class ReportWorld:
    """The role world (5А: three students, Математика by "teacher"), its quarters, and
    helpers for lessons, marks and period marks."""

    def __init__(self, world):
        self.w = world
        self.teacher = world.staff["teacher"]
        self.q1 = StudyPeriod.objects.get(band__year=world.year, number=1)
        self.q2 = StudyPeriod.objects.get(band__year=world.year, number=2)
        journal_services.work_types_ensure_defaults(school=world.school)
        self.types = {wt.name: wt for wt in WorkType.objects.filter(school=world.school)}
        self._lessons = {}

    def lesson(self, day, subject=None, group=None, number=1, **extra):
        subject = subject or self.w.subject
        group = group or self.w.group
        key = (day, subject.pk, group.pk, number)
        if key not in self._lessons:
            self._lessons[key] = f.make_lesson(group, subject, self.teacher, day, number, **extra)
        return self._lessons[key]

    def mark(self, student, day, value, type_name="Ответ на уроке", subject=None, group=None):
        lesson = self.lesson(day, subject, group)
        work = Work.objects.create(lesson=lesson, work_type=self.types[type_name])
        return Mark.objects.create(
            work=work, student=student, value=value, numeric=NUMERIC_MARKS.get(value)
        )

    def period_mark(self, student, subject, value, period=None):
        return PeriodMark.objects.create(
            school=self.w.school,
            year=self.w.year,
            student=student,
            subject=subject,
            kind=PeriodMarkKind.PERIOD,
            period=period or self.q1,
            value=value,
        )


@pytest.fixture
def rw(world):
    return ReportWorld(world)


def d(month, day):
    return dt.date(2026 if month >= 9 else 2027, month, day)


def assert_page_roles(client_for, slug, role, status, params=None):
    """The role gets ``status``; a forbidden page is 404, anonymous goes to the login page,
    and the administrator of another school never sees the world's classes."""
    from ejournal.reports.tests.helpers import report_url

    response = client_for(role).get(report_url(slug, **(params or {})))
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/login/")
    if role == "outsider" and status == 200:
        assert "5А" not in response.content.decode()


def page_roles(*, teacher: int, homeroom: int, school_wide: int = 200, inspector: int = 404):
    """Expected status of a report page per role (for ``assert_page_roles``). "teacher" is
    also the homeroom teacher of 6Б; "outsider" administers another school and gets the
    page of their own school (200) when the administration may open the report."""
    return {
        "admin": school_wide,
        "director": school_wide,
        "deputy": school_wide,
        "teacher": teacher,
        "homeroom": homeroom,
        "operator": 404,
        "hr": 404,
        "student": 404,
        "parent": 404,
        "outsider": school_wide,
        "inspector": inspector,
        "anonymous": 302,
    }
