"""A hand-built class for reports 1–9 and 17: period marks, attendance and movement in
5А of the role world, first quarter (01.09–25.10.2026)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ejournal.accounts.models import Sex
from ejournal.attestation.models import PeriodMark, PeriodMarkKind
from ejournal.journal.models import Attendance, AttendanceCode
from ejournal.schedule.models import LessonStatus
from ejournal.school.models import StudyPeriod
from ejournal.testing import factories as f

MARKS = {  # student index -> (Математика, Русский язык)
    0: ("5", "5"),
    1: ("4", "3"),
    2: ("2", "4"),
}


@dataclass
class ClassData:
    world: object
    russian: object
    quarter: object

    @property
    def students(self):
        return self.world.students


def period_mark(world, student, subject, period, value):
    return PeriodMark.objects.create(
        school=world.school,
        year=world.year,
        student=student,
        subject=subject,
        kind=PeriodMarkKind.PERIOD,
        period=period,
        value=value,
    )


def absence(lesson, student, code, late_minutes=None):
    return Attendance.objects.create(
        lesson=lesson, student=student, code=code, late_minutes=late_minutes
    )


def build_class_data(world, *, extra_students: int = 0) -> ClassData:
    """Period marks of 5А for the first quarter:
    Ученик00 «5» «5» (отличник), Ученик01 «4» «3» (с одной «3»), Ученик02 «2» «4».
    Attendance: Ученик00 two lessons ill (10.09), one unexcused (05.10);
    Ученик01 one excused (15.09) and late 5 minutes (06.10); an absence on a cancelled
    lesson does not count. ``extra_students`` adds students with «4» «4» and one
    unexcused absence each (for query-count tests)."""
    russian = f.SubjectFactory(school=world.school, name="Русский язык")
    f.load(world.group, russian, world.staff["deputy"])
    quarter = StudyPeriod.objects.get(band__year=world.year, number=1)
    students = list(world.students)
    for _ in range(extra_students):
        student = f.StudentFactory(school=world.school, sex=Sex.FEMALE)
        f.enroll(student, world.school_class)
        students.append(student)
    teacher = world.staff["teacher"]

    def lesson(day, number=1, subject=None, **extra):
        return f.make_lesson(
            world.group, subject or world.subject, teacher, day, number=number, **extra
        )

    for index, student in enumerate(students):
        math, rus = MARKS.get(index, ("4", "4"))
        period_mark(world, student, world.subject, quarter, math)
        period_mark(world, student, russian, quarter, rus)
    s0, s1, _ = world.students
    sept10a, sept10b = lesson(dt.date(2026, 9, 10), 1), lesson(dt.date(2026, 9, 10), 2)
    absence(sept10a, s0, AttendanceCode.ILL)
    absence(sept10b, s0, AttendanceCode.ILL)
    oct5 = lesson(dt.date(2026, 10, 5))
    absence(oct5, s0, AttendanceCode.ABSENT)
    absence(lesson(dt.date(2026, 9, 15), subject=russian), s1, AttendanceCode.EXCUSED)
    absence(lesson(dt.date(2026, 10, 6)), s1, AttendanceCode.LATE, late_minutes=5)
    cancelled = lesson(dt.date(2026, 9, 20), status=LessonStatus.CANCELLED)
    absence(cancelled, s0, AttendanceCode.ABSENT)
    for student in students[3:]:
        absence(oct5, student, AttendanceCode.ABSENT)
    return ClassData(world, russian, quarter)
