"""A hand-built class for the printed copy: two subjects, lessons with topics, works,
marks, absences, homework, a substitution, period marks and a pseudonymised student."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from ejournal.accounts.models import Order, OrderKind
from ejournal.attestation.models import PeriodClosure, PeriodMark, PeriodMarkKind
from ejournal.journal import services as journal_services
from ejournal.journal.models import (
    NUMERIC_MARKS,
    Attendance,
    Homework,
    LessonRecord,
    Mark,
    Work,
    WorkType,
)
from ejournal.school.models import StudyPeriod
from ejournal.testing import factories as f


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


class ArchiveWorld:
    """The role world's 5А in its second quarter, filled by hand."""

    def __init__(self, world, extra_students: int = 0):
        self.w = world
        self.school_class = world.school_class
        self.q2 = StudyPeriod.objects.get(band__year=world.year, number=2)
        journal_services.work_types_ensure_defaults(school=world.school)
        self.types = {wt.name: wt for wt in WorkType.objects.filter(school=world.school)}
        self.teacher = world.staff["teacher"]
        self.substitute = world.staff["homeroom"]
        self.russian = f.SubjectFactory(school=world.school, name="Русский язык")
        f.load(world.group, self.russian, self.teacher, Decimal("4"))
        self.students = list(world.students)
        for i in range(extra_students):
            student = f.StudentFactory(school=world.school, last_name=f"Добавленный{i:02d}")
            f.enroll(student, self.school_class)
            self.students.append(student)
        # The last student is known by a code only (consent revoked, order attached).
        order = Order.objects.create(
            school=world.school, number="17-у", date=dt.date(2026, 10, 1), kind=OrderKind.PSEUDONYM
        )
        coded = self.students[-1]
        coded.pseudonym = "Ученик-К7"
        coded.pseudonym_order = order
        coded.save()
        self.real_name_of_coded = f"{coded.last_name} {coded.first_name}"
        self.marks: list[tuple] = []  # (student, subject, value)
        self.topics: list[str] = []
        self.period_marks: list[tuple] = []
        self._fill()

    def _lesson(self, subject, day, number, topic, homework="", substitute=False):
        lesson = f.make_lesson(
            self.w.group,
            subject,
            self.teacher,
            day,
            number,
            actual_teacher=self.substitute if substitute else None,
        )
        LessonRecord.objects.create(lesson=lesson, topic=topic)
        self.topics.append(topic)
        if homework:
            Homework.objects.create(lesson=lesson, text=homework)
        return lesson

    def _mark(self, lesson, student, value, type_name="Ответ на уроке"):
        work, _ = Work.objects.get_or_create(lesson=lesson, work_type=self.types[type_name])
        Mark.objects.create(
            work=work, student=student, value=value, numeric=NUMERIC_MARKS.get(value)
        )
        self.marks.append((student, lesson.subject, value))

    def _fill(self):
        values = ["5", "4", "3", "2", "5", "4"]
        for index, day in enumerate([dt.date(2026, 11, 9), dt.date(2026, 11, 16)]):
            math = self._lesson(
                self.w.subject,
                day,
                1,
                f"Дроби урок {index + 1}",
                homework=f"Задачи стр. {40 + index}",
                substitute=index == 1,
            )
            russian = self._lesson(self.russian, day, 2, f"Орфограммы урок {index + 1}")
            for s_index, student in enumerate(self.students):
                self._mark(math, student, values[(s_index + index) % len(values)])
                self._mark(russian, student, values[(s_index + index + 2) % len(values)])
        control = self._lesson(self.w.subject, dt.date(2026, 11, 20), 1, "Контрольная по дробям")
        self._mark(control, self.students[0], "na", "Контрольная работа")
        Attendance.objects.create(lesson=control, student=self.students[1], code="b")
        for s_index, student in enumerate(self.students):
            for subject, value in ((self.w.subject, "4"), (self.russian, "5" if s_index else "3")):
                PeriodMark.objects.create(
                    school=self.w.school,
                    year=self.w.year,
                    student=student,
                    subject=subject,
                    kind=PeriodMarkKind.PERIOD,
                    period=self.q2,
                    value=value,
                )
                self.period_marks.append((student, subject, value))

    def close_q2(self):
        return PeriodClosure.objects.create(
            period=self.q2,
            is_closed=True,
            closed_by=self.w.users["deputy"],
            closed_at=timezone.now(),
        )


@pytest.fixture
def arw(world):
    return ArchiveWorld(world)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.EJOURNAL_BACKUP_DIR = str(tmp_path / "backups")
    return settings.MEDIA_ROOT
