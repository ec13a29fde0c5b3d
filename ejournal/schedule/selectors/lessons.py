"""Dated lessons: of a teacher, a day, groups, a student; dated changes; today's lessons;
the substitution log."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from ejournal.accounts.models import Role, StaffMember
from ejournal.schedule import hooks
from ejournal.schedule.models import (
    Lesson,
    LessonStatus,
    ScheduleChange,
    Substitution,
)
from ejournal.schedule.selectors.timetable import ACTIVE_STATUSES
from ejournal.school import selectors as school_selectors
from ejournal.school.http import AuthedRequest
from ejournal.school.models import (
    ClassEnrollment,
    GroupKind,
    GroupMembership,
    School,
    StudyGroup,
)


def lesson_queryset() -> QuerySet[Lesson]:
    return Lesson.objects.select_related(
        "group",
        "group__school_class",
        "subject",
        "planned_teacher",
        "actual_teacher",
        "substitution",
    )


def teaching_q(staff: StaffMember) -> Q:
    """Lessons a staff member actually teaches: their own unless substituted, and the
    ones they substitute."""
    return Q(actual_teacher=staff) | Q(actual_teacher__isnull=True, planned_teacher=staff)


def lessons_of_teacher(
    *, staff: StaffMember, start: dt.date, end: dt.date, active_only: bool = True
) -> QuerySet[Lesson]:
    qs = lesson_queryset().filter(teaching_q(staff), date__range=(start, end))
    if active_only:
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    return qs.order_by("date", "start_time", "number")


def lessons_of_day(*, school: School, day: dt.date) -> QuerySet[Lesson]:
    return lesson_queryset().filter(school=school, date=day).order_by("start_time", "group__name")


@dataclass
class DayGrid:
    """One day of the school: a row per class (or stream), a column per lesson number."""

    numbers: list[int]
    rows: list[tuple[str, list[list[Lesson]]]]
    changed: list[Lesson]


def day_grid(*, school: School, day: dt.date) -> DayGrid:
    lessons = list(lessons_of_day(school=school, day=day))
    numbers = list(range(1, max([lsn.number for lsn in lessons] + [6]) + 1))
    by_row: dict[tuple, dict[int, list[Lesson]]] = defaultdict(lambda: defaultdict(list))
    for lesson in lessons:
        cls = lesson.group.school_class
        key = (
            (cls.grade, cls.letter, str(cls)) if cls else (99, lesson.group.name, lesson.group.name)
        )
        by_row[key][lesson.number].append(lesson)
    rows = [
        (key[2], [cells.get(n, []) for n in numbers])
        for key, cells in sorted(by_row.items(), key=lambda kv: kv[0][:2])
    ]
    changed = [
        lsn
        for lsn in lessons
        if lsn.is_substituted
        or lsn.status in (LessonStatus.CANCELLED, LessonStatus.MOVED)
        or lsn.moved_from_id
        or lsn.timetable_entry_id is None
    ]
    return DayGrid(numbers=numbers, rows=rows, changed=changed)


def lessons_of_groups(
    *, group_ids: Iterable[int], start: dt.date, end: dt.date
) -> QuerySet[Lesson]:
    return (
        lesson_queryset()
        .filter(group_id__in=list(group_ids), date__range=(start, end))
        .order_by("date", "start_time")
    )


def group_ids_of_student(*, student_id: int, start: dt.date, end: dt.date) -> set[int]:
    """Groups a student belongs to at some time in [start, end]: the whole-class groups of
    their classes and their subgroups, streams and individual groups (two queries)."""
    class_ids = ClassEnrollment.objects.filter(
        school_selectors.overlapping(start, end), student_id=student_id
    ).values("school_class_id")
    whole = StudyGroup.objects.filter(
        kind=GroupKind.WHOLE_CLASS, school_class_id__in=class_ids
    ).values_list("id", flat=True)
    others = GroupMembership.objects.filter(
        school_selectors.overlapping(start, end), student_id=student_id
    ).values_list("group_id", flat=True)
    return set(whole) | set(others)


def lessons_of_student(*, student_id: int, start: dt.date, end: dt.date) -> list[Lesson]:
    """A student's lessons in a date range, only on dates they were in each group — the
    diary's week view reads this (with cancelled and moved lessons, to show the change)."""
    spans: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    enrollments = ClassEnrollment.objects.filter(
        school_selectors.overlapping(start, end), student_id=student_id
    ).values_list("school_class_id", "date_from", "date_to")
    class_spans = defaultdict(list)
    for class_id, date_from, date_to in enrollments:
        class_spans[class_id].append((date_from, date_to))
    for group_id, class_id in StudyGroup.objects.filter(
        kind=GroupKind.WHOLE_CLASS, school_class_id__in=list(class_spans)
    ).values_list("id", "school_class_id"):
        spans[group_id].extend(class_spans[class_id])
    for group_id, date_from, date_to in GroupMembership.objects.filter(
        school_selectors.overlapping(start, end), student_id=student_id
    ).values_list("group_id", "date_from", "date_to"):
        spans[group_id].append((date_from, date_to))
    lessons = lessons_of_groups(group_ids=list(spans), start=start, end=end)
    return [
        lesson
        for lesson in lessons
        if any(
            a <= lesson.date and (b is None or lesson.date <= b) for a, b in spans[lesson.group_id]
        )
    ]


def changes_of_groups(
    *, group_ids: Iterable[int], start: dt.date, end: dt.date
) -> QuerySet[ScheduleChange]:
    """Schedule changes that touch the groups' lessons in a date range (for the diary)."""
    ids = list(group_ids)
    return (
        ScheduleChange.objects.filter(
            Q(lesson__group_id__in=ids, lesson__date__range=(start, end))
            | Q(new_lesson__group_id__in=ids, new_lesson__date__range=(start, end))
        )
        .select_related("lesson", "lesson__subject", "new_lesson", "created_by")
        .order_by("lesson__date", "lesson__number")
    )


def recent_changes(*, school: School, limit: int = 50) -> QuerySet[ScheduleChange]:
    return (
        ScheduleChange.objects.filter(school=school)
        .select_related("lesson", "lesson__group", "lesson__subject", "new_lesson", "created_by")
        .order_by("-created_at")[:limit]
    )


@dataclass
class TodayLesson:
    number: int
    start_time: dt.time
    end_time: dt.time
    group: str
    subject: str
    room: str
    is_substitution: bool
    lesson_id: int


def today_lessons(*, staff: StaffMember, day: dt.date) -> list[TodayLesson]:
    lessons = lessons_of_teacher(staff=staff, start=day, end=day)
    return [
        TodayLesson(
            number=lesson.number,
            start_time=lesson.start_time,
            end_time=lesson.end_time,
            group=str(lesson.group),
            subject=str(lesson.subject),
            room=lesson.room,
            is_substitution=lesson.actual_teacher_id == staff.id and lesson.is_substituted,
            lesson_id=lesson.id,
        )
        for lesson in lessons
    ]


def start_page_block(request: AuthedRequest, role: str) -> dict:
    """For the teacher's start page (``registry.START_PAGE_BLOCKS``): today's lessons."""
    ctx = request.ctx
    if role != Role.TEACHER or not ctx.staff or not ctx.school:
        return {}
    day = school_selectors.school_today(ctx.school)
    return {"today_lessons": today_lessons(staff=ctx.staff, day=day)}


@dataclass
class SubstitutionRow:
    substitution: Substitution
    documented: bool


def substitution_log(*, school: School, start: dt.date, end: dt.date) -> list[SubstitutionRow]:
    """Журнал замещения уроков for a date range."""
    rows = list(
        Substitution.objects.filter(school=school, lesson__date__range=(start, end))
        .select_related(
            "lesson",
            "lesson__group",
            "lesson__subject",
            "absent_teacher",
            "substitute",
            "created_by",
        )
        .order_by("lesson__date", "lesson__start_time", "lesson__group__name")
    )
    documented = hooks.lesson_ids_documented([r.lesson_id for r in rows])
    return [SubstitutionRow(r, r.lesson_id in documented) for r in rows]
