"""The courses (group × subject × teacher) of a scope, and the plans a new one may copy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, Sum

from ejournal.planning.models import ThematicPlan
from ejournal.planning.selectors.hours import Expected, HourNorms
from ejournal.planning.selectors.plans import _grade_of, plans_by_course
from ejournal.school.models import (
    AcademicYear,
    SchoolClass,
    StudyGroup,
    Subject,
    TeachingLoad,
)


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
