"""Demo КТП: a plan for every group and subject of the demo school, linked to the lessons
the journal step documented, with one class deliberately behind its plan.

Run as a step of ``seed_demo`` after the timetable and journal steps (``create_plans``),
or on an existing school with ``manage.py seed_demo_plans``. Topics follow the journal
demo's bank: every bank topic takes three lessons, so the k-th documented lesson's topic
is the topic of plan hour k. Planned dates are the dates of the timetable lessons; in the
class that is behind, the plan is dated as if a fifth more lessons had been given, so its
fulfilment shows a lag.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction

from ejournal.audit.services import record
from ejournal.demo.builder.journal import TOPICS
from ejournal.planning.models import PlanItem, PlanItemKind, ThematicPlan
from ejournal.planning.selectors import HourNorms, _extra_lesson
from ejournal.schedule.models import Lesson, LessonStatus
from ejournal.school.models import AcademicYear, School, TeachingLoad

HOURS_PER_TOPIC = 3
BEHIND_FACTOR = 0.8  # the behind class's plan expects 1 / 0.8 = 1.25 × the lessons given


def _bank(subject_name: str) -> list[str]:
    return TOPICS.get(subject_name) or [f"{subject_name}: раздел {n}" for n in range(1, 9)]


def _items_for(subject_name: str, hours: int) -> list[tuple[str, str, int, str]]:
    """(section, topic, hours, kind) rows adding up to ``hours``."""
    bank = _bank(subject_name)
    rows: list[tuple[str, str, int, str]] = []
    left, index = hours, 0
    while left > 0:
        if index < len(bank):
            topic, section = bank[index], "Основной курс"
        else:
            topic, section = f"Повторение: {bank[index % len(bank)]}", "Повторение"
        size = min(HOURS_PER_TOPIC, left)
        kind = PlanItemKind.REVISION if section == "Повторение" else PlanItemKind.LESSON
        rows.append((section, topic, size, str(kind)))
        left -= size
        index += 1
    # The year ends with a control work on the whole course.
    if rows and rows[-1][2] > 1:
        last = rows[-1]
        rows[-1] = (last[0], last[1], last[2] - 1, last[3])
        rows.append(
            ("Итоговый контроль", "Итоговая контрольная работа", 1, str(PlanItemKind.CONTROL))
        )
    return rows


def _planned_day(
    lesson_days: list[dt.date], position: int, hours: int, year: AcademicYear
) -> dt.date | None:
    """The date of timetable lesson ``position`` (0-based); past the lessons created so
    far, extrapolated week by week at the course's weekly rate."""
    if not lesson_days:
        return None
    if position < len(lesson_days):
        return lesson_days[position]
    per_week = max(1, round(hours / 34))
    weeks = (position - len(lesson_days)) // per_week + 1
    return min(year.end, lesson_days[-1] + dt.timedelta(weeks=weeks))


def seed_plans(
    *, school: School, year: AcademicYear, today: dt.date, behind_class: str = ""
) -> dict:
    """Create a plan for every course of the year's teaching load that has none.

    Returns facts for the summary: plans created and the class made to lag behind.
    """
    loads = list(
        TeachingLoad.objects.filter(group__year=year, group__school=school).select_related(
            "group__school_class", "subject", "teacher"
        )
    )
    existing = set(
        ThematicPlan.objects.filter(year=year, group__isnull=False).values_list(
            "group_id", "subject_id"
        )
    )
    courses: dict[tuple[int, int], TeachingLoad] = {}
    for load in loads:
        key = (load.group_id, load.subject_id)
        if key not in existing:
            courses.setdefault(key, load)
    if not courses:
        return {"plans": 0, "behind_class": ""}
    group_ids = {g for g, _ in courses}
    norms = HourNorms.of(year=year, group_ids=group_ids, today=today, loads=loads)
    dates: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
    timetable_lessons = (
        Lesson.objects.filter(group_id__in=group_ids)
        .annotate(is_extra=_extra_lesson())
        .filter(is_extra=False)
        .exclude(status=LessonStatus.MOVED)
        .order_by("date", "number", "pk")
        .values_list("group_id", "subject_id", "date")
    )
    for group_id, subject_id, day in timetable_lessons:
        dates[(group_id, subject_id)].append(day)
    if not behind_class:
        names = sorted({str(load.group.school_class) for load in loads if load.group.school_class})
        behind_class = "6А" if "6А" in names else (names[len(names) // 2] if names else "")

    with transaction.atomic():
        plans = ThematicPlan.objects.bulk_create(
            ThematicPlan(
                school=school,
                year=year,
                subject=load.subject,
                group=load.group,
                owner=load.teacher,
            )
            for load in courses.values()
        )
        items = []
        for plan, load in zip(plans, courses.values(), strict=True):
            key = (load.group_id, load.subject_id)
            expected = norms.expected(load.group, load.subject_id).hours
            hours = int(expected) if expected else max(len(dates[key]), 34)
            lesson_days = dates[key]
            behind = str(load.group.school_class or "") == behind_class
            hour = 0
            for number, (section, topic, size, kind) in enumerate(
                _items_for(load.subject.name, hours), start=1
            ):
                position = int(hour * BEHIND_FACTOR) if behind else hour
                planned = _planned_day(lesson_days, position, hours, year)
                items.append(
                    PlanItem(
                        plan=plan,
                        number=number,
                        section=section,
                        topic=topic,
                        hours=size,
                        kind=kind,
                        planned_date=planned,
                    )
                )
                hour += size
        PlanItem.objects.bulk_create(items, batch_size=1000)
        facts = {"plans": len(plans), "items": len(items), "behind_class": behind_class}
        record(action="planning.demo_seeded", school=school, obj=year, after=facts)
    return facts


def create_plans(build) -> None:
    """``seed_demo`` step: КТП for the demo school (after the journal step)."""
    assert build.school is not None and build.year is not None
    build.facts["planning"] = seed_plans(school=build.school, year=build.year, today=build.today)
