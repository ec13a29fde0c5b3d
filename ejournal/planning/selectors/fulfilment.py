"""Programme fulfilment: planned against given hours and topics, per course and in total."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ejournal.planning.models import PlanItem, ThematicPlan
from ejournal.planning.selectors.courses import _courses, loads_in_scope
from ejournal.planning.selectors.hours import LessonCounts, lesson_counts
from ejournal.planning.selectors.plans import (
    LIVE_STATUSES,
    _extra_lesson,
    items_of,
    plan_for_course,
    plans_by_course,
)
from ejournal.schedule.models import Lesson, LessonStatus
from ejournal.school.models import (
    AcademicYear,
    StudyGroup,
    Subject,
)


@dataclass
class Fulfilment:
    """Выполнение программы of one group and subject as of ``today``."""

    group: StudyGroup
    subject: Subject
    teachers: list[str]
    plan: ThematicPlan | None
    plan_hours: int = 0
    planned_by: str = ""  # "dates" (items' planned dates) or "lessons" (lessons scheduled)
    planned_to_date: int = 0
    held: int = 0
    documented: int = 0
    covered: int = 0
    overdue_items: int = 0
    remaining_items: int = 0
    without_topic: int = 0
    cancelled: int = 0
    cancelled_not_made_up: int = 0
    overdue: list = field(default_factory=list)

    @property
    def lag(self) -> int:
        """Hours behind the plan (negative: ahead)."""
        return self.planned_to_date - self.covered if self.plan else 0

    @property
    def planned_by_label(self) -> str:
        return {
            "dates": "по датам тем КТП",
            "lessons": "по числу уроков в расписании",
        }.get(self.planned_by, "")


def _fulfil(row: Fulfilment, items: list[tuple], counts: LessonCounts, today: dt.date) -> None:
    """Fill the plan figures from items (number, hours, planned_date, topic) in order."""
    row.held = counts.held
    row.documented = counts.documented
    row.without_topic = counts.without_topic
    row.cancelled = counts.cancelled
    row.cancelled_not_made_up = counts.cancelled_not_made_up
    if row.plan is None:
        return
    total = sum(hours for _, hours, _, _ in items)
    row.plan_hours = total
    row.covered = min(counts.documented, total)
    dated = bool(items) and all(day is not None for _, _, day, _ in items)
    if dated:
        row.planned_by = "dates"
        row.planned_to_date = sum(hours for _, hours, day, _ in items if day <= today)
    else:
        row.planned_by = "lessons"
        row.planned_to_date = min(counts.scheduled_to_date, total)
    start = 0
    for number, hours, day, topic in items:
        end = start + hours
        if end > row.covered:
            row.remaining_items += 1
            due = day <= today if dated else start < row.planned_to_date
            if due:
                row.overdue_items += 1
                row.overdue.append((number, topic, hours, day))
        start = end


def fulfilment_rows(
    *, year: AcademicYear, today: dt.date, staff=None, school_class=None
) -> list[Fulfilment]:
    """Fulfilment of every course (group × subject of the teaching load) in scope: the
    whole school, one class, or one teacher's courses. Four queries."""
    loads = loads_in_scope(year=year, staff=staff, school_class=school_class)
    courses = _courses(loads)
    groups = {g.id: g for g, _, _ in courses.values()}
    plans = list(ThematicPlan.objects.filter(year=year))
    by_course = plans_by_course(plans, groups.values(), {s for _, s in courses})
    used_plan_ids = {p.id for p in by_course.values()}
    items: dict[int, list[tuple]] = defaultdict(list)
    for plan_id, *values in (
        PlanItem.objects.filter(plan_id__in=used_plan_ids)
        .order_by("plan_id", "number")
        .values_list("plan_id", "number", "hours", "planned_date", "topic")
    ):
        items[plan_id].append(tuple(values))
    counts = lesson_counts(group_ids=list(groups), today=today)
    rows = []
    for key, (group, subject, teachers) in courses.items():
        plan = by_course.get(key)
        row = Fulfilment(group=group, subject=subject, teachers=teachers, plan=plan)
        _fulfil(row, items.get(plan.id, []) if plan else [], counts.get(key, LessonCounts()), today)
        rows.append(row)
    return rows


@dataclass
class FulfilmentTotals:
    courses: int = 0
    without_plan: int = 0
    behind: int = 0
    planned_to_date: int = 0
    held: int = 0
    covered: int = 0
    lag: int = 0
    overdue_items: int = 0
    without_topic: int = 0
    cancelled_not_made_up: int = 0


def fulfilment_totals(rows: list[Fulfilment]) -> FulfilmentTotals:
    totals = FulfilmentTotals(courses=len(rows))
    for row in rows:
        totals.without_plan += row.plan is None
        totals.behind += row.lag > 0
        totals.planned_to_date += row.planned_to_date
        totals.held += row.held
        totals.covered += row.covered
        totals.lag += max(row.lag, 0)
        totals.overdue_items += row.overdue_items
        totals.without_topic += row.without_topic
        totals.cancelled_not_made_up += row.cancelled_not_made_up
    return totals


@dataclass
class CourseDetail:
    fulfilment: Fulfilment
    items: list[PlanItem]
    coverage: dict[int, list[Any]]
    lessons_without_topic: Sequence[Lesson]
    cancelled_lessons: Sequence[Lesson]


def fulfilment_detail(
    *, group: StudyGroup, subject, teachers: list[str], today: dt.date
) -> CourseDetail:
    """One course in full: figures, items with the lessons covering them, lessons without
    a topic and cancelled lessons (four queries)."""
    plan = plan_for_course(group=group, subject_id=subject.id)
    items = items_of(plan) if plan else []
    lessons = list(
        Lesson.objects.filter(group=group, subject=subject)
        .annotate(is_extra=_extra_lesson())
        .select_related("record")
        .order_by("date", "number", "pk")
    )
    counts = LessonCounts()
    timetable_days = []
    for lesson in lessons:
        record = getattr(lesson, "record", None)
        topic = record.topic if record else ""
        timetable = not lesson.is_extra and lesson.status != LessonStatus.MOVED
        if timetable:
            counts.timetable += 1
            timetable_days.append(lesson.date)
            counts.scheduled_to_date += lesson.date <= today
        counts.held += lesson.status == LessonStatus.HELD and lesson.date <= today
        counts.documented += (
            lesson.status == LessonStatus.HELD and bool(topic) and lesson.date <= today
        )
        counts.cancelled += lesson.status == LessonStatus.CANCELLED
        counts.made_up += lesson.is_extra and lesson.status in LIVE_STATUSES
    without_topic = [
        lesson
        for lesson in lessons
        if lesson.status in LIVE_STATUSES
        and (lesson.date < today or (lesson.status == LessonStatus.HELD and lesson.date <= today))
        and not (getattr(lesson, "record", None) and lesson.record.topic)
    ]
    counts.without_topic = len(without_topic)
    row = Fulfilment(group=group, subject=subject, teachers=teachers, plan=plan)
    _fulfil(row, [(i.number, i.hours, i.planned_date, i.topic) for i in items], counts, today)
    documented = [
        lesson
        for lesson in lessons
        if lesson.status == LessonStatus.HELD
        and lesson.date <= today
        and getattr(lesson, "record", None)
        and lesson.record.topic
    ]
    covering: dict[int, list[Lesson]] = defaultdict(list)
    position = 0
    for item in items:
        for _ in range(item.hours):
            if position < len(documented):
                covering[item.id].append(documented[position])
                position += 1
    return CourseDetail(
        fulfilment=row,
        items=items,
        coverage=covering,
        lessons_without_topic=without_topic,
        cancelled_lessons=[x for x in lessons if x.status == LessonStatus.CANCELLED],
    )
