"""Who may do what with attestation. Missing and forbidden both answer 404.

- Period marks: the teacher of the group's teaching load for the subject.
- Summary sheets: the school's deputy, director and administrator; a homeroom teacher
  for their own class.
- Closing and reopening periods, the objectivity list and council decisions: the deputy;
  the director reads the closing page, the objectivity list and the correction requests
  without acting on them.
- Settings: the administrator and the deputy.
Students, parents and inspectors see none of these pages (the diary shows families
their own marks through ``selectors.student_period_summary``).
"""

from __future__ import annotations

from django.db.models import QuerySet

from ejournal.accounts.models import HOMEROOM, Role, RoleAssignment
from ejournal.accounts.permissions import deny
from ejournal.school.models import SchoolClass, StudyGroup, Subject, TeachingLoad

SHEET_READERS = frozenset({Role.ADMIN, Role.DIRECTOR, Role.DEPUTY, HOMEROOM})
SCHOOL_WIDE_SHEET_READERS = frozenset({Role.ADMIN, Role.DIRECTOR, Role.DEPUTY})
DEPUTY = frozenset({Role.DEPUTY})
# What the deputy reads, the director reads too (and changes nothing there).
OVERSEERS = frozenset({Role.DEPUTY, Role.DIRECTOR})
SETTINGS_EDITORS = frozenset({Role.ADMIN, Role.DEPUTY})
TEACHERS = frozenset({Role.TEACHER})
ATTESTATION_USERS = SHEET_READERS | TEACHERS


def teaches(staff, group: StudyGroup, subject: Subject) -> bool:
    return (
        staff is not None
        and staff.school_id == group.school_id
        and TeachingLoad.objects.filter(group=group, subject=subject, teacher=staff).exists()
    )


def loads_of_teacher(ctx) -> QuerySet[TeachingLoad]:
    if ctx.school is None or ctx.staff is None or Role.TEACHER not in ctx.roles:
        return TeachingLoad.objects.none()
    return TeachingLoad.objects.filter(teacher=ctx.staff, group__school=ctx.school)


def load_for_entry(ctx, group_id: int, subject_id: int) -> TeachingLoad:
    """The acting teacher's load for a group and subject, else 404."""
    load = (
        loads_of_teacher(ctx)
        .filter(group_id=group_id, subject_id=subject_id)
        .select_related("group__school_class", "group__year", "subject")
        .first()
    )
    if load is None:
        raise deny()
    return load


def classes_with_sheet(ctx) -> QuerySet[SchoolClass]:
    """Classes whose summary sheet the acting user may read."""
    if ctx.school is None or not ctx.is_staff_member:
        return SchoolClass.objects.none()
    classes = SchoolClass.objects.filter(school=ctx.school)
    if ctx.roles & SCHOOL_WIDE_SHEET_READERS:
        return classes
    if HOMEROOM in ctx.roles and ctx.staff is not None:
        return classes.filter(homeroom_teacher=ctx.staff)
    return SchoolClass.objects.none()


def class_for_sheet(ctx, class_id: int) -> SchoolClass:
    school_class = (
        classes_with_sheet(ctx).filter(pk=class_id).select_related("year", "homeroom_teacher")
    ).first()
    if school_class is None:
        raise deny()
    return school_class


def is_deputy(ctx) -> bool:
    return Role.DEPUTY in ctx.roles


def is_overseer(ctx) -> bool:
    return bool(ctx.roles & OVERSEERS)


def user_holds(user, school, roles) -> bool:
    """Service-level check: the user holds one of ``roles`` in ``school`` (one query)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return RoleAssignment.objects.filter(
        user=user, school=school, role__in=list(roles), active=True
    ).exists()
