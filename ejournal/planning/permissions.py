"""Who may read and edit КТП and see programme fulfilment. Missing and forbidden: 404.

- The deputy director reads and edits every plan of the school.
- The director and the administrator read every plan and every fulfilment report.
- A subject teacher reads and edits the plans of their own teaching load: the plan of a
  group they teach the subject to, the grade plan of a grade where they teach it, and any
  plan they own. Other teachers get 404. Students and parents never see plans.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from ejournal.accounts.models import Role
from ejournal.accounts.permissions import deny
from ejournal.planning.models import PlanItem, ThematicPlan
from ejournal.school.models import StudyGroup, Subject, TeachingLoad

PLAN_READERS_ALL = frozenset({Role.ADMIN, Role.DIRECTOR, Role.DEPUTY})
PLAN_EDITORS_ALL = frozenset({Role.DEPUTY})
PLANNING_ROLES = PLAN_READERS_ALL | {Role.TEACHER}


def reads_all(ctx) -> bool:
    return bool(ctx.roles & PLAN_READERS_ALL)


def edits_all(ctx) -> bool:
    return bool(ctx.roles & PLAN_EDITORS_ALL)


def _teacher(ctx):
    return ctx.staff if Role.TEACHER in ctx.roles else None


def _own_plans(staff) -> Q:
    own_group = TeachingLoad.objects.filter(
        teacher=staff, group_id=OuterRef("group_id"), subject_id=OuterRef("subject_id")
    )
    own_grade = TeachingLoad.objects.filter(
        teacher=staff,
        subject_id=OuterRef("subject_id"),
        group__year_id=OuterRef("year_id"),
        group__school_class__grade=OuterRef("grade"),
    )
    return Q(owner=staff) | Exists(own_group) | Exists(own_grade)


def plans_editable_by(ctx) -> QuerySet[ThematicPlan]:
    if ctx.school is None:
        return ThematicPlan.objects.none()
    plans = ThematicPlan.objects.filter(school=ctx.school)
    if edits_all(ctx):
        return plans
    staff = _teacher(ctx)
    if staff is None:
        return ThematicPlan.objects.none()
    return plans.filter(_own_plans(staff))


def plans_readable_by(ctx) -> QuerySet[ThematicPlan]:
    if ctx.school is None:
        return ThematicPlan.objects.none()
    if reads_all(ctx):
        return ThematicPlan.objects.filter(school=ctx.school)
    return plans_editable_by(ctx)


def _fetch(qs: QuerySet[ThematicPlan], plan_id: int) -> ThematicPlan:
    plan = (
        qs.filter(pk=plan_id)
        .select_related("school", "year", "subject", "group__school_class", "owner")
        .first()
    )
    if plan is None:
        raise deny()
    return plan


def plan_for_read(ctx, plan_id: int) -> ThematicPlan:
    return _fetch(plans_readable_by(ctx), plan_id)


def plan_for_edit(ctx, plan_id: int) -> ThematicPlan:
    return _fetch(plans_editable_by(ctx), plan_id)


def can_edit_plan(ctx, plan: ThematicPlan) -> bool:
    return plans_editable_by(ctx).filter(pk=plan.pk).exists()


def item_for_edit(ctx, item_id: int) -> PlanItem:
    item = (
        PlanItem.objects.filter(pk=item_id, plan__in=plans_editable_by(ctx))
        .select_related("plan__school", "plan__year", "plan__subject", "plan__group")
        .first()
    )
    if item is None:
        raise deny()
    return item


def creatable_targets(
    ctx, year
) -> tuple[list[tuple[StudyGroup, Subject]], list[tuple[int, Subject]]]:
    """What the user may create plans for in ``year``: (group, subject) pairs of the load
    and (grade, subject) pairs — the deputy any of the year's load, a teacher their own."""
    loads = TeachingLoad.objects.filter(group__year=year, group__school=ctx.school).select_related(
        "group__school_class", "subject"
    )
    if not edits_all(ctx):
        staff = _teacher(ctx)
        if staff is None:
            return [], []
        loads = loads.filter(teacher=staff)
    groups: dict[tuple[int, int], tuple] = {}
    grades: dict[tuple[int, int], tuple] = {}
    for load in loads.order_by("group__school_class__grade", "group__name", "subject__name"):
        groups.setdefault((load.group_id, load.subject_id), (load.group, load.subject))
        if load.group.school_class is not None:
            grade = load.group.school_class.grade
            grades.setdefault((grade, load.subject_id), (grade, load.subject))
    return list(groups.values()), sorted(grades.values(), key=lambda g: (g[0], g[1].name))


def course_for_read(ctx, group_id: int, subject_id: int):
    """(group, subject, teacher names) of a course the user may see fulfilment of."""
    loads = TeachingLoad.objects.filter(
        group_id=group_id, subject_id=subject_id, group__school=ctx.school
    ).select_related("group__school_class", "group__year", "subject", "teacher")
    if not reads_all(ctx):
        staff = _teacher(ctx)
        if staff is None or not loads.filter(teacher=staff).exists():
            raise deny()
    found = list(loads)
    if ctx.school is None or not found:
        raise deny()
    return found[0].group, found[0].subject, [load.teacher.short_name for load in found]
