"""Lists around the journal: a person's journals, a lesson's homework and members, work
types, corrections, the homeroom teacher's classes and week of absences, the deputy's
start-page block."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse

from ejournal.accounts.models import StaffMember, Student, shown_name_ordering
from ejournal.journal.models import (
    Attendance,
    CorrectionRequest,
    CorrectionStatus,
    Homework,
    WorkType,
)
from ejournal.journal.permissions import (
    SCHOOL_WIDE_READERS,
)
from ejournal.journal.selectors.marks import MARK_TEXT, attendance_text
from ejournal.schedule.models import Lesson, LessonStatus
from ejournal.school import selectors as school_selectors
from ejournal.school.http import AuthedRequest
from ejournal.school.models import (
    AcademicYear,
    SchoolClass,
    StudyGroup,
    Subject,
    TeachingLoad,
)


@dataclass
class JournalLink:
    group: StudyGroup
    subject: Subject
    teacher: StaffMember | None = None


def journals_of(ctx, *, year: AcademicYear | None) -> dict[str, list]:
    """The journals the acting user reaches: their own (teaching load), their homeroom
    class's, and for the school-wide readers every journal grouped by class."""
    result: dict[str, list] = {"own": [], "homeroom": [], "school": [], "substitutions": []}
    if year is None:
        return result
    loads = TeachingLoad.objects.filter(group__year=year).select_related(
        "group__school_class", "subject", "teacher"
    )
    order = ("group__school_class__grade", "group__school_class__letter", "group__name")
    staff = ctx.staff
    if ctx.roles & SCHOOL_WIDE_READERS:
        by_class: dict[str, list[JournalLink]] = defaultdict(list)
        for load in loads.order_by(*order, "subject__name"):
            label = str(load.group.school_class or "Потоки и группы без класса")
            by_class[label].append(JournalLink(load.group, load.subject, load.teacher))
        result["school"] = list(by_class.items())
    if staff is None:
        return result
    result["own"] = [
        JournalLink(load.group, load.subject, load.teacher)
        for load in loads.filter(teacher=staff).order_by(*order, "subject__name")
    ]
    result["homeroom"] = [
        JournalLink(load.group, load.subject, load.teacher)
        for load in loads.filter(group__school_class__homeroom_teacher=staff).order_by(
            *order, "subject__name"
        )
    ]
    result["substitutions"] = list(
        Lesson.objects.filter(actual_teacher=staff, date__range=(year.start, year.end))
        .exclude(planned_teacher=staff)
        .select_related("group", "subject")
        .order_by("-date", "number")[:30]
    )
    return result


def homework_of_lesson(lesson: Lesson) -> list[Homework]:
    return list(
        Homework.objects.filter(lesson=lesson)
        .prefetch_related("students", "attachments")
        .order_by("is_individual", "id")
    )


def members_on(group: StudyGroup, day: dt.date) -> list[Student]:
    return list(school_selectors.students_of_group_on(group=group, day=day))


def work_types_of(school, *, active_only: bool = True) -> QuerySet[WorkType]:
    types = WorkType.objects.filter(school=school)
    if active_only:
        types = types.filter(is_active=True)
    return types.order_by("order", "name")


def corrections_requested_by(user, school) -> QuerySet[CorrectionRequest]:
    return _corrections(CorrectionRequest.objects.filter(school=school, requested_by=user))


def corrections_of_school(school, *, pending_only: bool) -> QuerySet[CorrectionRequest]:
    rows = CorrectionRequest.objects.filter(school=school)
    if pending_only:
        rows = rows.filter(status=CorrectionStatus.PENDING)
    return _corrections(rows)


def _corrections(rows: QuerySet[CorrectionRequest]) -> QuerySet[CorrectionRequest]:
    return rows.select_related(
        "lesson__group",
        "lesson__subject",
        "work__work_type",
        "student",
        "requested_by",
        "decided_by",
    ).order_by("-requested_at")


def correction_value_text(kind: str, value) -> str:
    """A request's old or new value in words."""
    if not value:
        return "пусто"
    if "display" in value:
        return value["display"]
    if kind == "mark":
        return MARK_TEXT.get(value.get("value") or "", "пусто")
    if kind == "attendance":
        return attendance_text(value.get("code"), value.get("late_minutes")) or "присутствовал"
    return value.get("topic") or value.get("text") or "пусто"


def homeroom_classes(staff: StaffMember | None, year: AcademicYear | None) -> list[SchoolClass]:
    if staff is None or year is None:
        return []
    return list(SchoolClass.objects.filter(homeroom_teacher=staff, year=year))


def absences_of_class_week(
    *, school_class: SchoolClass, week_start: dt.date
) -> tuple[list[Attendance], list[Student]]:
    """The week's attendance rows of the class's students (any group and subject)."""
    week_end = week_start + dt.timedelta(days=6)
    members = list(
        Student.objects.filter(
            school_selectors.overlapping(week_start, week_end, "enrollments__"),
            enrollments__school_class=school_class,
        ).distinct()
    )
    rows = list(
        Attendance.objects.filter(
            lesson__date__range=(week_start, week_end), student__in=[s.pk for s in members]
        )
        .select_related("lesson__subject", "student", "verified_by")
        .order_by(*shown_name_ordering("student"), "lesson__date", "lesson__number")
    )
    return rows, members


def distinct_ids(values: Iterable[int]) -> list[int]:
    return sorted(set(values))


def control_block(request: AuthedRequest, role: str) -> dict:
    """For the deputy, director and administrator: what needs attention in the journal."""
    from ejournal.accounts.models import Role
    from ejournal.journal.models import CorrectionRequest, CorrectionStatus, LessonRecord

    if role not in (Role.DEPUTY, Role.DIRECTOR, Role.ADMIN) or request.ctx.school is None:
        return {}
    school = request.ctx.school
    today = school_selectors.school_today(school)
    week_ago = today - dt.timedelta(days=7)
    pending = CorrectionRequest.objects.filter(
        school=school, status=CorrectionStatus.PENDING
    ).count()
    documented = LessonRecord.objects.filter(
        lesson__school=school, lesson__date__range=(week_ago, today - dt.timedelta(days=1))
    ).exclude(topic="")
    undocumented = (
        Lesson.objects.filter(school=school, date__range=(week_ago, today - dt.timedelta(days=1)))
        .exclude(status=LessonStatus.CANCELLED)
        .exclude(pk__in=documented.values("lesson_id"))
        .count()
    )
    lines = []
    if pending:
        lines.append((f"Запросы на исправление журнала: {pending}", reverse("journal:corrections")))
    if undocumented:
        lines.append((f"Уроки за неделю без темы: {undocumented}", reverse("journal:index")))
    return {
        "blocks": [
            {"title": "Ведение журнала", "lines": lines, "empty": "Замечаний по журналу нет."}
        ]
    }
