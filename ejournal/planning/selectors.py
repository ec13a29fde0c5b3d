"""Reads of КТП: which plan a group follows, how many hours it should have, which plan
item a lesson covers, and programme fulfilment (выполнение программы).

Linking rule: the k-th documented lesson (held, with a topic) of a group and subject, in
date order, covers plan hour k; an item of ``hours`` h spans h consecutive lessons.

Every function runs a fixed number of queries whatever the size of the school.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery, Sum

from ejournal.planning.models import PlanItem, ThematicPlan
from ejournal.schedule.models import Lesson, LessonStatus, ScheduleChange, ScheduleChangeKind
from ejournal.school import selectors as school_selectors
from ejournal.school.models import (
    AcademicYear,
    DayOff,
    GradeBand,
    SchoolClass,
    StudyGroup,
    Subject,
    TeachingLoad,
)

# A lesson replaced by a moved copy is counted once, at its new date.
LIVE_STATUSES = (LessonStatus.PLANNED, LessonStatus.HELD)
DOCUMENTED = Q(status=LessonStatus.HELD, record__topic__gt="")
NO_TOPIC = Q(record__isnull=True) | Q(record__topic="")


def _extra_lesson():
    """Lessons added by hand outside the timetable (make-ups for cancelled ones)."""
    return Exists(
        ScheduleChange.objects.filter(kind=ScheduleChangeKind.EXTRA, new_lesson=OuterRef("pk"))
    )


# --- Which plan applies ------------------------------------------------------------


def plan_with_items(*, plan_id: int) -> ThematicPlan | None:
    return (
        ThematicPlan.objects.filter(pk=plan_id)
        .select_related("school", "year", "subject", "group__school_class", "owner")
        .first()
    )


def items_of(plan: ThematicPlan) -> list[PlanItem]:
    return list(PlanItem.objects.filter(plan=plan).order_by("number"))


def plans_by_course(
    plans: Iterable[ThematicPlan], groups: Iterable[StudyGroup], subject_ids: Iterable[int]
) -> dict[tuple[int, int], ThematicPlan]:
    """(group id, subject id) → the plan that group follows: its own, else its grade's."""
    own: dict[tuple, ThematicPlan] = {(p.group_id, p.subject_id): p for p in plans if p.group_id}
    by_grade: dict[tuple, ThematicPlan] = {
        (p.year_id, p.grade, p.subject_id): p for p in plans if p.grade
    }
    subject_ids = set(subject_ids)
    result = {}
    for group in groups:
        grade = _grade_of(group)
        for subject_id in subject_ids:
            plan = own.get((group.id, subject_id)) or by_grade.get(
                (group.year_id, grade, subject_id)
            )
            if plan is not None:
                result[(group.id, subject_id)] = plan
    return result


def _grade_of(group: StudyGroup) -> int | None:
    """The grade of a group's class (None for streams); needs ``school_class`` joined."""
    school_class = group.school_class if group.school_class_id else None
    return school_class.grade if school_class is not None else None


def _plan_q(*, group_id: int, subject_id: int) -> Q:
    group = StudyGroup.objects.filter(pk=group_id)
    return Q(subject_id=subject_id) & (
        Q(group_id=group_id)
        | Q(
            group__isnull=True,
            year_id=Subquery(group.values("year_id")[:1]),
            grade=Subquery(group.values("school_class__grade")[:1]),
        )
    )


def plan_for_course(*, group: StudyGroup, subject_id: int) -> ThematicPlan | None:
    """The group's own plan for the subject, else the grade plan it shares (one query)."""
    return (
        ThematicPlan.objects.filter(_plan_q(group_id=group.id, subject_id=subject_id))
        .select_related("owner")
        .order_by(F("group_id").asc(nulls_last=True))
        .first()
    )


# --- Linking lessons to plan items -------------------------------------------------


def item_for_hour(items: Sequence[PlanItem], hour: int) -> PlanItem | None:
    """The item covering plan hour ``hour`` (1-based) of items in order."""
    if hour < 1:
        return None
    end = 0
    for item in items:
        end += item.hours
        if hour <= end:
            return item
    return None


def documented_lessons(*, group_id: int, subject_id: int):
    return Lesson.objects.filter(DOCUMENTED, group_id=group_id, subject_id=subject_id)


def suggested_topic(lesson: Lesson) -> PlanItem | None:
    """The plan item a lesson should take its topic from, for pre-filling the journal.

    It is the item covering hour k+1, where k is the number of documented lessons of the
    same group and subject before this one (date, number, id order) — so documenting the
    lesson makes it the (k+1)-th and it covers exactly that hour. Items of several hours
    are suggested for that many lessons in a row. None for a cancelled or moved lesson,
    when no plan applies, or when the plan is exhausted. Two queries.
    """
    if lesson.status in (LessonStatus.CANCELLED, LessonStatus.MOVED):
        return None
    before = (
        documented_lessons(group_id=lesson.group_id, subject_id=lesson.subject_id)
        .filter(
            Q(date__lt=lesson.date)
            | Q(date=lesson.date, number__lt=lesson.number)
            | Q(date=lesson.date, number=lesson.number, pk__lt=lesson.pk)
        )
        .count()
    )
    items = list(
        PlanItem.objects.filter(
            plan__in=ThematicPlan.objects.filter(
                _plan_q(group_id=lesson.group_id, subject_id=lesson.subject_id)
            )
        )
        .annotate(own=Q(plan__group_id=lesson.group_id))
        .order_by("number")
    )
    if any(i.own for i in items):
        items = [i for i in items if i.own]
    return item_for_hour(items, before + 1)


def suggested_topics(lessons: Iterable[Lesson]) -> dict[int, PlanItem | None]:
    """``suggested_topic`` for many lessons at once (a week of a journal, a teacher's
    day): lesson id → plan item. Four queries whatever the number of lessons."""
    import bisect

    lessons = list(lessons)
    if not lessons:
        return {}
    group_ids = {lesson.group_id for lesson in lessons}
    subject_ids = {lesson.subject_id for lesson in lessons}
    groups = list(StudyGroup.objects.filter(pk__in=group_ids).select_related("school_class"))
    grades = {g for g in (_grade_of(group) for group in groups) if g is not None}
    plans = list(
        ThematicPlan.objects.filter(
            Q(group_id__in=group_ids) | Q(group__isnull=True, grade__in=grades),
            year_id__in={group.year_id for group in groups},
            subject_id__in=subject_ids,
        )
    )
    by_course = plans_by_course(plans, groups, subject_ids)
    items: dict[int, list[PlanItem]] = defaultdict(list)
    for plan_item in PlanItem.objects.filter(
        plan_id__in={p.id for p in by_course.values()}
    ).order_by("plan_id", "number"):
        items[plan_item.plan_id].append(plan_item)
    documented: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    for group_id, subject_id, day, number, pk in (
        Lesson.objects.filter(DOCUMENTED, group_id__in=group_ids, subject_id__in=subject_ids)
        .order_by("date", "number", "pk")
        .values_list("group_id", "subject_id", "date", "number", "pk")
    ):
        documented[(group_id, subject_id)].append((day, number, pk))
    result: dict[int, PlanItem | None] = {}
    for lesson in lessons:
        key = (lesson.group_id, lesson.subject_id)
        plan = by_course.get(key)
        if plan is None or lesson.status in (LessonStatus.CANCELLED, LessonStatus.MOVED):
            result[lesson.pk] = None
            continue
        before = bisect.bisect_left(documented[key], (lesson.date, lesson.number, lesson.pk))
        result[lesson.pk] = item_for_hour(items[plan.id], before + 1)
    return result


# --- Expected hours: curriculum or timetable ---------------------------------------


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


# --- Plan validation ---------------------------------------------------------------


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


# --- Plan lists ---------------------------------------------------------------------


@dataclass
class CourseRow:
    """One group × subject of the teaching load with its plan status."""

    group: StudyGroup
    subject: Subject
    teachers: list[str]
    plan: ThematicPlan | None
    plan_hours: int
    expected: Expected

    @property
    def plan_is_shared(self) -> bool:
        return self.plan is not None and self.plan.group_id is None

    @property
    def hours_ok(self) -> bool:
        return self.plan is not None and self.expected.hours == self.plan_hours


def loads_in_scope(*, year: AcademicYear, staff=None, school_class: SchoolClass | None = None):
    qs = TeachingLoad.objects.filter(group__year=year).select_related(
        "group__school_class", "subject", "teacher"
    )
    if staff is not None:
        qs = qs.filter(teacher=staff)
    if school_class is not None:
        qs = qs.filter(group__school_class=school_class)
    return list(
        qs.order_by("group__school_class__grade", "group__school_class__letter", "group__name")
    )


def _courses(loads: list[TeachingLoad]):
    """Distinct (group, subject) pairs of loads, in load order, with teacher names."""
    courses: dict[tuple[int, int], tuple] = {}
    for load in loads:
        key = (load.group_id, load.subject_id)
        if key not in courses:
            courses[key] = (load.group, load.subject, [])
        courses[key][2].append(load.teacher.short_name)
    return courses


def course_rows(
    *, year: AcademicYear, today: dt.date, staff=None, school_class=None
) -> list[CourseRow]:
    """The plan list: every course in scope with its plan and hour check (8 queries)."""
    loads = loads_in_scope(year=year, staff=staff, school_class=school_class)
    courses = _courses(loads)
    groups = {g.id: g for g, _, _ in courses.values()}
    plans = list(
        ThematicPlan.objects.filter(year=year)
        .select_related("owner")
        .annotate(total_hours=Sum("items__hours"))
    )
    by_course = plans_by_course(plans, groups.values(), {s for _, s in courses})
    norms = HourNorms.of(year=year, group_ids=list(groups), today=today, loads=loads)
    rows = []
    for key, (group, subject, teachers) in courses.items():
        plan = by_course.get(key)
        rows.append(
            CourseRow(
                group=group,
                subject=subject,
                teachers=teachers,
                plan=plan,
                plan_hours=(getattr(plan, "total_hours", 0) or 0) if plan else 0,
                expected=norms.expected(group, subject.id),
            )
        )
    return rows


def grade_plans(*, year: AcademicYear, staff=None) -> list[ThematicPlan]:
    qs = (
        ThematicPlan.objects.filter(year=year, group__isnull=True)
        .select_related("subject", "owner")
        .annotate(total_hours=Sum("items__hours"), item_count=Count("items"))
        .order_by("grade", "subject__name")
    )
    if staff is not None:
        taught = TeachingLoad.objects.filter(
            teacher=staff,
            subject_id=OuterRef("subject_id"),
            group__year_id=OuterRef("year_id"),
            group__school_class__grade=OuterRef("grade"),
        )
        qs = qs.filter(Q(owner=staff) | Exists(taught))
    return list(qs)


def copy_sources(*, plan: ThematicPlan) -> list[ThematicPlan]:
    """Plans of the same subject to copy from: other plans of the same grade this year,
    and the same grade's plans of earlier years (one query)."""
    grade = plan.grade if plan.grade else (_grade_of(plan.group) if plan.group else None)
    same_grade = Q(grade=grade) | Q(group__school_class__grade=grade)
    return list(
        ThematicPlan.objects.filter(school_id=plan.school_id, subject__name=plan.subject.name)
        .filter(same_grade, year__start__lte=plan.year.start)
        .exclude(pk=plan.pk)
        .select_related("year", "subject", "group", "owner")
        .annotate(total_hours=Sum("items__hours"), item_count=Count("items"))
        .filter(item_count__gt=0)
        .order_by("-year__start", "grade", "group__name")
    )


# --- Programme fulfilment ----------------------------------------------------------


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
