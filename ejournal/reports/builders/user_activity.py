"""Report 14, «Активность пользователей» (000 §4.5, 004 §4.3.6): teachers' work in the
journal (audit events of marks, attendance, topics, homework and works) and the visits of
students and parents to the diary, per student and per class. Seven queries."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max
from django.db.models.functions import TruncDate

from ejournal.accounts.models import (
    HOMEROOM,
    Role,
    RoleAssignment,
    StaffMember,
    Student,
    StudentGuardian,
)
from ejournal.audit.models import AuditEvent
from ejournal.diary.models import DiaryVisit
from ejournal.reports import academic
from ejournal.reports.permissions import SCHOOL_WIDE
from ejournal.reports.registry import Column, Figure, Report, ReportResult, Table, pseudonym_notes
from ejournal.school.models import SchoolClass

# What a teacher does in the journal, by the prefix of the audit action.
JOURNAL_ACTIONS = {
    "mark.": "Отметки",
    "attendance.": "Посещаемость",
    "lesson_record.": "Темы уроков",
    "homework.": "Домашние задания",
    "work.": "Работы",
}


@dataclass
class TeacherActivity:
    staff: StaffMember
    by_kind: dict[str, int]
    days: int = 0
    last: dt.datetime | None = None

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


def _bounds(school, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = zoneinfo.ZoneInfo(school.time_zone)
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def teacher_activity(*, school, start: dt.date, end: dt.date) -> list[TeacherActivity]:
    """Every teacher of the school, with their journal events in [start, end] (3 queries)."""
    since, until = _bounds(school, start, end)
    teacher_users = RoleAssignment.objects.filter(
        school=school, role=Role.TEACHER, active=True
    ).values("user_id")
    staff = list(
        StaffMember.objects.filter(school=school, is_active=True, user_id__in=teacher_users)
    )
    events = AuditEvent.objects.filter(
        school=school, created_at__gte=since, created_at__lt=until, actor__isnull=False
    )
    # Looked up by StaffMember.user_id, which may be None.
    by_actor: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for actor_id, action, n in (
        events.values("actor_id", "action")
        .annotate(n=Count("id"))
        .values_list("actor_id", "action", "n")
    ):
        for prefix, label in JOURNAL_ACTIONS.items():
            if action.startswith(prefix):
                by_actor[actor_id][label] += n
    days: dict[int | None, Mapping[str, Any]] = {
        row["actor_id"]: row
        for row in events.filter(action__regex=r"^(mark|attendance|lesson_record|homework|work)\.")
        .values("actor_id")
        .annotate(days=Count(TruncDate("created_at"), distinct=True), last=Max("created_at"))
    }
    result = [
        TeacherActivity(
            s,
            dict(by_actor.get(s.user_id, {})),
            days.get(s.user_id, {}).get("days", 0),
            days.get(s.user_id, {}).get("last"),
        )
        for s in staff
    ]
    return sorted(result, key=lambda t: (-t.total, t.staff.last_name, t.staff.first_name))


@dataclass
class StudentVisits:
    student: Student
    school_class: SchoolClass
    own: int = 0
    own_last: dt.datetime | None = None
    parents: int = 0  # guardians with an account
    parent_visits: int = 0
    parents_visiting: int = 0
    parent_last: dt.datetime | None = None


def diary_visits(*, school, year, start: dt.date, end: dt.date, classes=None, school_class=None):
    """Per student of the classes in scope: their own and their parents' diary visits."""
    since, until = _bounds(school, start, end)
    students = academic.roster(
        year=year, start=start, end=end, classes=classes, school_class=school_class
    )
    ids = list(students.students)
    parents: dict[int, set[int]] = defaultdict(set)
    for sid, user_id in StudentGuardian.objects.filter(
        student_id__in=ids, guardian__user__isnull=False
    ).values_list("student_id", "guardian__user_id"):
        parents[sid].add(user_id)
    visits: dict[tuple[int, int], tuple[int, dt.datetime]] = {
        (r["student_id"], r["user_id"]): (r["n"], r["last"])
        for r in DiaryVisit.objects.filter(
            school=school, student_id__in=ids, visited_at__gte=since, visited_at__lt=until
        )
        .values("student_id", "user_id")
        .annotate(n=Count("id"), last=Max("visited_at"))
    }
    rows = []
    for sid, student in students.students.items():
        row = StudentVisits(student, students.class_of[sid], parents=len(parents[sid]))
        if student.user_id and (sid, student.user_id) in visits:
            row.own, row.own_last = visits[(sid, student.user_id)]
        for user_id in parents[sid]:
            if (sid, user_id) in visits:
                n, last = visits[(sid, user_id)]
                row.parent_visits += n
                row.parents_visiting += 1
                row.parent_last = max(filter(None, (row.parent_last, last)))
        rows.append(row)
    rows.sort(key=lambda r: (r.school_class.grade, r.school_class.letter))
    return rows


def _when(value: dt.datetime | None, tz) -> str:
    return value.astimezone(tz).strftime("%d.%m.%Y %H:%M") if value else ""


def build(*, scope, params) -> ReportResult:
    school = params["school"]
    tz = zoneinfo.ZoneInfo(school.time_zone)
    start, end = params["start"], params["end"]
    tables = []
    headline = []
    if scope.is_school_wide:
        teachers = teacher_activity(school=school, start=start, end=end)
        kinds = list(JOURNAL_ACTIONS.values())
        tables.append(
            Table(
                title="Учителя: работа с журналом",
                columns=[
                    Column("Учитель"),
                    *[Column(k, "int") for k in kinds],
                    Column("Всего действий", "int"),
                    Column("Дней работы", "int"),
                    Column("Последнее действие"),
                ],
                rows=[
                    [
                        t.staff.short_name,
                        *[t.by_kind.get(k, 0) for k in kinds],
                        t.total,
                        t.days,
                        _when(t.last, tz),
                    ]
                    for t in teachers
                ],
            )
        )
        headline += [
            Figure("Учителей", len(teachers)),
            Figure("Работали с журналом", sum(1 for t in teachers if t.total)),
        ]
    rows = diary_visits(
        school=school,
        year=params["year"],
        start=start,
        end=end,
        classes=scope.classes,
        school_class=params.get("school_class"),
    )
    per_class: dict[str, list[int]] = {}
    for r in rows:
        c = per_class.setdefault(str(r.school_class), [0, 0, 0, 0, 0])
        c[0] += 1
        c[1] += bool(r.own)
        c[2] += r.parents
        c[3] += r.parents_visiting
        c[4] += r.own + r.parent_visits
    tables.append(
        Table(
            title="Дневник: по классам",
            columns=[
                Column("Класс"),
                Column("Учеников", "int"),
                Column("Заходили в дневник", "int"),
                Column("Заходили, %", "percent"),
                Column("Родителей с доступом", "int"),
                Column("Заходили", "int"),
                Column("Заходили, % ", "percent"),
                Column("Просмотров", "int"),
            ],
            rows=[
                [
                    name,
                    c[0],
                    c[1],
                    academic.percent(c[1], c[0]),
                    c[2],
                    c[3],
                    academic.percent(c[3], c[2]),
                    c[4],
                ]
                for name, c in per_class.items()
            ],
        )
    )
    tables.append(
        Table(
            title="Дневник: по ученикам",
            columns=[
                Column("Класс"),
                Column("Ученик"),
                Column("Входов ученика", "int"),
                Column("Последний вход"),
                Column("Родителей с доступом", "int"),
                Column("Входов родителей", "int"),
                Column("Последний вход родителей"),
            ],
            rows=[
                [
                    str(r.school_class),
                    r.student.short_name,
                    r.own,
                    _when(r.own_last, tz),
                    r.parents,
                    r.parent_visits,
                    _when(r.parent_last, tz),
                ]
                for r in rows
            ],
        )
    )
    students = len(rows)
    parents = sum(r.parents for r in rows)
    headline += [
        Figure(
            "Ученики, заходившие в дневник, %",
            academic.percent(sum(1 for r in rows if r.own), students),
            "percent",
        ),
        Figure(
            "Родители, заходившие в дневник, %",
            academic.percent(sum(r.parents_visiting for r in rows), parents),
            "percent",
        ),
        Figure("Просмотров дневника", sum(r.own + r.parent_visits for r in rows)),
    ]
    return ReportResult(
        subtitle=params.get("period_label", ""),
        tables=tables,
        headline=headline,
        notes=[
            "Работа учителей — записи журнала аудита об отметках, посещаемости, темах, "
            "домашних заданиях и работах. Дневник — просмотры страниц дневника учениками "
            "и их родителями.",
            *pseudonym_notes(r.student for r in rows),
        ],
    )


REPORT = Report(
    slug="user-activity",
    number=14,
    title="Активность пользователей",
    roles=SCHOOL_WIDE | {HOMEROOM},
    filters=("date_range", "school_class"),
    build=build,
    description="Работа учителей с журналом, посещение дневника учениками и родителями.",
    landscape=True,
)
