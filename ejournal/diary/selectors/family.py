"""A family's students, and which class and groups a student belongs to on which dates; the
diary's day and month names."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, FilteredRelation, Q, Value

from ejournal.accounts.models import Role, Student, shown_name_sql
from ejournal.core import rawsql
from ejournal.journal.models import (
    WorkCategory,
)
from ejournal.schedule.models import Lesson
from ejournal.school import selectors as school_selectors
from ejournal.school.models import (
    ClassEnrollment,
    GroupKind,
    GroupMembership,
    School,
)

WEEKDAYS = ["понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"]


MONTHS = [
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
]  # fmt: skip


ABSENT_CODES = ("n", "b", "up")


WRITTEN = (WorkCategory.WRITTEN, WorkCategory.CONTROL, WorkCategory.ESSAY, WorkCategory.PRACTICAL)


def day_title(day: dt.date) -> str:
    return f"{WEEKDAYS[day.weekday()].capitalize()}, {day.day} {MONTHS[day.month - 1]}"


def short_day(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]}"


STUDENT_COLUMNS = tuple(f.attname for f in Student._meta.concrete_fields)


SCHOOL_COLUMNS = tuple(f.attname for f in School._meta.concrete_fields)


# One id list (a UNION) instead of an OR of two subqueries: the OR made PostgreSQL read
# every student of the municipality; this reaches them by primary key.
FAMILY_STUDENTS_SQL = f"""
SELECT {rawsql.columns("s", STUDENT_COLUMNS)}, {rawsql.columns("sc", SCHOOL_COLUMNS)}
FROM accounts_student s JOIN school_school sc ON sc.id = s.school_id
WHERE s.id IN (
    SELECT o.id FROM accounts_student o
    WHERE o.user_id = %(user)s AND o.school_id IN (
        SELECT r.school_id FROM accounts_roleassignment r
        WHERE r.user_id = %(user)s AND r.active = %(true)s AND r.role = %(student)s)
    UNION
    SELECT sg.student_id FROM accounts_studentguardian sg
    JOIN accounts_guardian g ON g.id = sg.guardian_id
    JOIN accounts_student c ON c.id = sg.student_id
    WHERE g.user_id = %(user)s AND g.school_id = c.school_id AND c.school_id IN (
        SELECT r.school_id FROM accounts_roleassignment r
        WHERE r.user_id = %(user)s AND r.active = %(true)s AND r.role = %(parent)s))
ORDER BY s.birth_date, {shown_name_sql("s")}
"""  # noqa: S608 - the models' column names only


def family_students(user) -> list[Student]:
    """The students whose diary ``user`` may read, in any school (one query): their own
    student record where they hold an active student role, and the children they are a
    guardian of where they hold an active parent role in the child's school."""
    if not user.is_authenticated:
        return []
    params = {"user": user.pk, "true": True, "student": Role.STUDENT, "parent": Role.PARENT}
    students = []
    size = len(STUDENT_COLUMNS)
    for row in rawsql.fetch(FAMILY_STUDENTS_SQL, params):
        student = rawsql.instance(Student, STUDENT_COLUMNS, row[:size])
        student._state.fields_cache["school"] = rawsql.instance(School, SCHOOL_COLUMNS, row[size:])
        students.append(student)
    return students


@dataclass(frozen=True)
class Span:
    key: int
    date_from: dt.date
    date_to: dt.date | None

    def covers(self, day: dt.date) -> bool:
        return self.date_from <= day and (self.date_to is None or day <= self.date_to)


@dataclass
class Belonging:
    """Which classes and groups the student was in, and when, within a date range."""

    classes: list[Span]
    groups: list[Span]
    # The whole-class groups of those classes (their lessons are the class's lessons).
    class_groups: set[int] = field(default_factory=set)

    def attends(self, lesson: Lesson) -> bool:
        group = lesson.group
        if group.kind == GroupKind.WHOLE_CLASS:
            return any(
                s.key == group.school_class_id and s.covers(lesson.date) for s in self.classes
            )
        return any(s.key == group.pk and s.covers(lesson.date) for s in self.groups)

    def group_ids(self) -> list[int]:
        """The groups whose lessons the student may attend. A plain ``group_id IN (…)``
        reaches the lessons through the (group, date) index; the OR across the joined
        group's kind and class it replaces made PostgreSQL read the school's whole week.
        """
        # -1 matches nothing but keeps the query (a constant query count).
        return sorted(self.class_groups | {s.key for s in self.groups}) or [-1]


def belonging(student: Student, start: dt.date, end: dt.date) -> Belonging:
    """One query: the class enrollments (with their whole-class groups) and the group
    memberships overlapping [start, end], as one UNION ALL."""
    enrollments = (
        ClassEnrollment.objects.filter(school_selectors.overlapping(start, end), student=student)
        .annotate(
            whole=FilteredRelation(
                "school_class__groups",
                condition=Q(school_class__groups__kind=GroupKind.WHOLE_CLASS),
            ),
            row_kind=Value("c"),
            group_id=F("whole__id"),
        )
        .values_list("row_kind", "school_class_id", "date_from", "date_to", "group_id")
        .order_by()
    )
    memberships = (
        GroupMembership.objects.filter(school_selectors.overlapping(start, end), student=student)
        .annotate(row_kind=Value("g"), whole_id=F("group_id"))
        .values_list("row_kind", "group_id", "date_from", "date_to", "whole_id")
        .order_by()
    )
    classes: list[Span] = []
    groups: list[Span] = []
    class_groups: set[int] = set()
    for kind, key, date_from, date_to, group_id in enrollments.union(memberships, all=True):
        span = Span(key, date_from, date_to)
        if kind == "g":
            groups.append(span)
            continue
        if span not in classes:
            classes.append(span)
        if group_id is not None:
            class_groups.add(group_id)
    return Belonging(classes, groups, class_groups)


def _person(staff) -> str:
    return staff.short_name if staff else ""
