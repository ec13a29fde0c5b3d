"""Reads shared by the class reports (1–9, 17): who was in which class over a range of
days, their period marks and their attendance. One query each, whatever the school's size."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from ejournal.accounts.models import Student, shown_name_ordering
from ejournal.attestation.models import PeriodMark, PeriodMarkKind
from ejournal.journal.models import Attendance, AttendanceCode
from ejournal.schedule.models import LessonStatus
from ejournal.school import selectors as school_selectors
from ejournal.school.models import ClassEnrollment, SchoolClass, StudyPeriod

MONTHS = [
    "Январь",
    "Февраль",
    "Март",
    "Апрель",
    "Май",
    "Июнь",
    "Июль",
    "Август",
    "Сентябрь",
    "Октябрь",
    "Ноябрь",
    "Декабрь",
]


def fmt(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


# --- Who was where ------------------------------------------------------------------


@dataclass
class Member:
    student: Student
    date_from: dt.date
    date_to: dt.date | None

    def covers(self, day: dt.date) -> bool:
        return self.date_from <= day and (self.date_to is None or day <= self.date_to)


@dataclass
class ClassRoster:
    school_class: SchoolClass
    members: list[Member] = field(default_factory=list)

    @property
    def students(self) -> list[Student]:
        seen: dict[int, Student] = {}
        for member in self.members:
            seen.setdefault(member.student.pk, member.student)
        return list(seen.values())

    def on(self, day: dt.date) -> list[Student]:
        seen: dict[int, Student] = {}
        for member in self.members:
            if member.covers(day):
                seen.setdefault(member.student.pk, member.student)
        return list(seen.values())

    def spans_of(self, student_id: int) -> list[Member]:
        return [m for m in self.members if m.student.pk == student_id]


def rosters(*, classes: QuerySet[SchoolClass], start: dt.date, end: dt.date) -> list[ClassRoster]:
    """Classes (by grade and letter) with everyone enrolled in them at some day of
    [start, end], students by name. One query: classes come with the enrollments."""
    rows = (
        ClassEnrollment.objects.filter(
            school_selectors.overlapping(start, end), school_class__in=classes
        )
        .select_related("student__pseudonym_order", "school_class__homeroom_teacher")
        .order_by(
            "school_class__grade",
            "school_class__letter",
            *shown_name_ordering("student"),
            "date_from",
        )
    )
    by_class: dict[int, ClassRoster] = {}
    for row in rows:
        roster = by_class.setdefault(row.school_class_id, ClassRoster(row.school_class))
        roster.members.append(Member(row.student, row.date_from, row.date_to))
    return list(by_class.values())


# --- Period marks -------------------------------------------------------------------


def by_student(values: dict[tuple[int, int], str]) -> dict[int, list[tuple[int, str]]]:
    """student -> [(subject, value)], subjects in id order, from ``period_mark_values``."""
    result: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for (student_id, subject_id), value in sorted(values.items()):
        result[student_id].append((subject_id, value))
    return result


def period_mark_values(
    *, student_ids: list[int], period: StudyPeriod | None, years
) -> dict[tuple[int, int], str]:
    """(student, subject) -> value of the period mark, or of the year mark when ``period``
    is None. One query."""
    marks = PeriodMark.objects.filter(student_id__in=student_ids)
    if period is not None:
        marks = marks.filter(period=period)
    else:
        marks = marks.filter(year__in=years, kind=PeriodMarkKind.YEAR)
    return {(s, subj): v for s, subj, v in marks.values_list("student_id", "subject_id", "value")}


# --- Attendance ---------------------------------------------------------------------

MISSED = (AttendanceCode.ABSENT, AttendanceCode.ILL, AttendanceCode.EXCUSED)


@dataclass
class AttendanceCounts:
    """Lessons missed, of them ill / excused / unexcused, and latenesses."""

    ill: int = 0
    excused: int = 0
    unexcused: int = 0
    late: int = 0

    @property
    def missed(self) -> int:
        return self.ill + self.excused + self.unexcused

    def add(self, code: str) -> None:
        if code == AttendanceCode.ILL:
            self.ill += 1
        elif code == AttendanceCode.EXCUSED:
            self.excused += 1
        elif code == AttendanceCode.ABSENT:
            self.unexcused += 1
        elif code == AttendanceCode.LATE:
            self.late += 1

    def merge(self, other: AttendanceCounts) -> None:
        self.ill += other.ill
        self.excused += other.excused
        self.unexcused += other.unexcused
        self.late += other.late

    def row(self) -> list[int]:
        return [self.missed, self.ill, self.excused, self.unexcused, self.late]


ATTENDANCE_COLUMNS = (
    "Пропущено уроков",
    "по болезни",
    "по уважительной причине",
    "без уважительной причины",
    "опозданий",
)


def attendance_marks(
    *, student_ids: list[int], start: dt.date, end: dt.date
) -> list[tuple[int, dt.date, str]]:
    """(student, lesson day, code) of absences and latenesses in [start, end], cancelled
    lessons left out. One query."""
    return list(
        Attendance.objects.filter(student_id__in=student_ids, lesson__date__range=(start, end))
        .exclude(lesson__status=LessonStatus.CANCELLED)
        .values_list("student_id", "lesson__date", "code")
    )


def class_attendance(
    roster: ClassRoster, marks: list[tuple[int, dt.date, str]]
) -> dict[int, list[tuple[dt.date, str]]]:
    """The marks of a class's students on the days they belonged to the class (a student
    transferred in keeps their earlier absences with the earlier class)."""
    spans: dict[int, list[Member]] = defaultdict(list)
    for member in roster.members:
        spans[member.student.pk].append(member)
    result: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for student_id, day, code in marks:
        if any(m.covers(day) for m in spans.get(student_id, ())):
            result[student_id].append((day, code))
    return result


def months_between(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_title(year: int, month: int) -> str:
    return f"{MONTHS[month - 1]} {year}"


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def class_attendance_over(
    *, classes: QuerySet[SchoolClass], school_class: SchoolClass, start: dt.date, end: dt.date
) -> tuple[ClassRoster, dict[int, list[tuple[dt.date, str]]]]:
    """A class's roster over [start, end] and its students' absences and latenesses on
    the days they were in it (two queries). ``classes``: the scope's classes."""
    found = rosters(classes=classes.filter(pk=school_class.pk), start=start, end=end)
    roster = found[0] if found else ClassRoster(school_class)
    marks = attendance_marks(student_ids=[s.pk for s in roster.students], start=start, end=end)
    return roster, class_attendance(roster, marks)
