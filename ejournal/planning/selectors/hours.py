"""How many hours a group should have (the calendar and the curriculum), the lessons it
has, and a plan's validation against both."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q

from ejournal.planning.models import PlanItem, ThematicPlan
from ejournal.planning.selectors.plans import (
    DOCUMENTED,
    LIVE_STATUSES,
    NO_TOPIC,
    _extra_lesson,
    _grade_of,
    documented_lessons,
)
from ejournal.schedule.models import Lesson, LessonStatus
from ejournal.school import selectors as school_selectors
from ejournal.school.models import (
    AcademicYear,
    DayOff,
    GradeBand,
    StudyGroup,
    TeachingLoad,
)


@dataclass
class Calendar:
    """The study calendar of a year: periods and days off per grade band (two queries)."""

    bands: list[GradeBand]
    days_off: list[DayOff]

    @classmethod
    def of(cls, year: AcademicYear) -> Calendar:
        bands = list(GradeBand.objects.filter(year=year).prefetch_related("periods"))
        return cls(bands=bands, days_off=list(DayOff.objects.filter(year=year)))

    def band_for(self, grade: int | None) -> GradeBand | None:
        for band in self.bands:
            if grade is None or band.covers(grade):
                return band
        return None

    def study_days(self, grade: int | None) -> tuple[int, int, dt.date | None]:
        """(study days, days per week, last study day) for a grade."""
        band = self.band_for(grade)
        if band is None:
            return 0, 5, None
        off: set[dt.date] = set()
        for d in self.days_off:
            if grade is None or d.grade_from <= grade <= d.grade_to:
                day = d.start
                while day <= d.end:
                    off.add(day)
                    day += dt.timedelta(days=1)
        count, last = 0, None
        for period in band.periods.all():
            day = period.start
            while day <= period.end:
                if day.weekday() < band.days_per_week and day not in off:
                    count += 1
                    last = day
                day += dt.timedelta(days=1)
        return count, band.days_per_week, last

    def study_weeks(self, grade: int | None) -> int:
        days, per_week, _ = self.study_days(grade)
        return int((Decimal(days) / per_week).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class Expected:
    """How many hours a group's plan must have, and where the figure comes from."""

    hours: Decimal | None
    source: str  # "timetable", "curriculum" or "" when unknown
    note: str

    @property
    def display(self) -> str:
        return "—" if self.hours is None else _fmt_hours(self.hours)


def _fmt_hours(value: Decimal | int) -> str:
    value = Decimal(value)
    return str(value.quantize(Decimal(1))) if value == value.to_integral() else str(value)


@dataclass
class LessonCounts:
    timetable: int = 0  # lessons the timetable gave the year (cancelled included)
    scheduled_to_date: int = 0
    held: int = 0
    documented: int = 0
    without_topic: int = 0
    cancelled: int = 0
    made_up: int = 0
    last_timetable_date: dt.date | None = None

    @property
    def cancelled_not_made_up(self) -> int:
        return max(self.cancelled - self.made_up, 0)


def lesson_counts(
    *, group_ids: Iterable[int], today: dt.date, subject_id: int | None = None
) -> dict[tuple[int, int], LessonCounts]:
    """Per (group id, subject id): what the lessons of the year amount to (one query)."""
    timetable = Q(is_extra=False) & ~Q(status=LessonStatus.MOVED)
    past_or_held = Q(status=LessonStatus.HELD, date__lte=today) | Q(date__lt=today)
    qs = Lesson.objects.filter(group_id__in=list(group_ids))
    if subject_id is not None:
        qs = qs.filter(subject_id=subject_id)
    rows = (
        qs.annotate(is_extra=_extra_lesson())
        .values("group_id", "subject_id")
        .annotate(
            timetable=Count("id", filter=timetable),
            scheduled_to_date=Count("id", filter=timetable & Q(date__lte=today)),
            held=Count("id", filter=Q(status=LessonStatus.HELD, date__lte=today)),
            documented=Count("id", filter=DOCUMENTED & Q(date__lte=today)),
            without_topic=Count("id", filter=Q(status__in=LIVE_STATUSES) & past_or_held & NO_TOPIC),
            cancelled=Count("id", filter=Q(status=LessonStatus.CANCELLED)),
            made_up=Count("id", filter=Q(is_extra=True, status__in=LIVE_STATUSES)),
            last_timetable_date=Max("date", filter=timetable),
        )
        .order_by()
    )
    result = {}
    for row in rows:
        data: dict[str, Any] = dict(row)
        key = (data.pop("group_id"), data.pop("subject_id"))
        result[key] = LessonCounts(**data)
    return result


@dataclass
class HourNorms:
    """Everything needed to compute the expected hours of many groups (five queries)."""

    calendar: Calendar
    curriculum: dict[tuple[int, int], Decimal]
    load_hours: dict[tuple[int, int], Decimal]
    counts: dict[tuple[int, int], LessonCounts]

    @classmethod
    def of(
        cls,
        *,
        year: AcademicYear,
        group_ids: Iterable[int],
        today: dt.date,
        loads: Iterable[TeachingLoad] | None = None,
    ) -> HourNorms:
        group_ids = list(group_ids)
        if loads is None:
            loads = TeachingLoad.objects.filter(group_id__in=group_ids)
        load_hours: dict[tuple[int, int], Decimal] = {}
        for load in loads:
            key = (load.group_id, load.subject_id)
            load_hours[key] = max(load_hours.get(key, Decimal(0)), load.hours_per_week)
        return cls(
            calendar=Calendar.of(year),
            curriculum=school_selectors.curriculum_hours(year=year),
            load_hours=load_hours,
            counts=lesson_counts(group_ids=group_ids, today=today),
        )

    def expected(self, group: StudyGroup, subject_id: int) -> Expected:
        """Plan hours a group needs for a subject.

        The exact figure is the number of lessons the timetable created for the year (it
        already skips holidays and non-working days) — used once the timetable reaches the
        last study week. Before that: weekly hours of the curriculum (or of the teaching
        load, for groups outside a class) × study weeks of the grade's periods without
        holidays.
        """
        grade = _grade_of(group)
        counts = self.counts.get((group.id, subject_id))
        _, _, last_day = self.calendar.study_days(grade)
        if (
            counts
            and counts.timetable
            and last_day
            and counts.last_timetable_date
            and counts.last_timetable_date >= last_day - dt.timedelta(days=6)
        ):
            return Expected(
                Decimal(counts.timetable),
                "timetable",
                f"по расписанию на учебный год создано уроков: {counts.timetable}",
            )
        weekly = None
        if group.school_class_id:
            weekly = self.curriculum.get((group.school_class_id, subject_id))
        if weekly is None:
            weekly = self.load_hours.get((group.id, subject_id))
        weeks = self.calendar.study_weeks(grade)
        if weekly is None or not weeks:
            return Expected(None, "", "нет данных учебного плана или календаря учебного года")
        hours = weekly * weeks
        return Expected(
            hours,
            "curriculum",
            f"по учебному плану: {_fmt_hours(weekly)} ч в неделю × {weeks} учебных недель; "
            "расписание на весь год ещё не создано",
        )


@dataclass
class GroupCheck:
    group: StudyGroup
    expected: Expected
    plan_hours: int

    @property
    def ok(self) -> bool:
        return self.expected.hours is not None and self.expected.hours == self.plan_hours

    @property
    def difference(self) -> Decimal | None:
        if self.expected.hours is None:
            return None
        return Decimal(self.plan_hours) - self.expected.hours

    @property
    def message(self) -> str:
        if self.expected.hours is None:
            return f"{self.group}: не удалось определить часы ({self.expected.note})."
        if self.ok:
            return f"{self.group}: {self.plan_hours} ч — совпадает ({self.expected.note})."
        diff = Decimal(self.plan_hours) - self.expected.hours
        word = "больше" if diff > 0 else "меньше"
        return (
            f"{self.group}: в плане {self.plan_hours} ч, нужно {self.expected.display} ч — "
            f"на {_fmt_hours(abs(diff))} ч {word} ({self.expected.note})."
        )


@dataclass
class PlanValidation:
    total_hours: int
    checks: list[GroupCheck]
    missing_topics: list[PlanItem]

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks) and not self.missing_topics


def groups_following(plan: ThematicPlan) -> list[StudyGroup]:
    """The groups that follow the plan: its group, or the grade's groups taught the subject
    that have no own plan (one query)."""
    if plan.group is not None:
        return [plan.group]
    assert plan.grade is not None
    own = ThematicPlan.objects.filter(
        year_id=plan.year_id, subject_id=plan.subject_id, group_id=OuterRef("pk")
    )
    return list(
        StudyGroup.objects.filter(year_id=plan.year_id, school_class__grade=plan.grade)
        .filter(
            Q(loads__subject_id=plan.subject_id) | Q(lessons__subject_id=plan.subject_id),
        )
        .exclude(Exists(own))
        .select_related("school_class")
        .distinct()
        .order_by("school_class__letter", "name")
    )


def plan_validation(*, plan: ThematicPlan, items: list[PlanItem], today: dt.date) -> PlanValidation:
    groups = groups_following(plan)
    norms = HourNorms.of(year=plan.year, group_ids=[g.id for g in groups], today=today)
    total = sum(i.hours for i in items)
    return PlanValidation(
        total_hours=total,
        checks=[GroupCheck(g, norms.expected(g, plan.subject_id), total) for g in groups],
        missing_topics=[i for i in items if i.needs_topic and not i.topic.strip()],
    )


def coverage(*, plan: ThematicPlan, items: list[PlanItem]) -> dict[int, list[Lesson]]:
    """For a group plan: item id → the documented lessons covering it, in order."""
    if not plan.group_id:
        return {}
    lessons = list(
        documented_lessons(group_id=plan.group_id, subject_id=plan.subject_id)
        .select_related("record")
        .order_by("date", "number", "pk")
    )
    result: dict[int, list[Lesson]] = defaultdict(list)
    position = 0
    for item in items:
        for _ in range(item.hours):
            if position >= len(lessons):
                return result
            result[item.id].append(lessons[position])
            position += 1
    return result
