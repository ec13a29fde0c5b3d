"""Who may read and write the class journal. Missing and forbidden both answer 404.

Writing: only the teacher who actually teaches the lesson — the planned teacher, or the
substitute assigned to that one lesson (the planned teacher then keeps read access).
Reading: the group's teachers, the homeroom teacher of the group's class, and the
school's deputy, director and administrator. Students and parents never see the journal.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ejournal.accounts.models import Role
from ejournal.accounts.permissions import deny
from ejournal.schedule.models import Lesson
from ejournal.school.models import StudyGroup

SCHOOL_WIDE_READERS = frozenset({Role.ADMIN, Role.DIRECTOR, Role.DEPUTY})


def lesson_writer_id(lesson: Lesson) -> int:
    return lesson.actual_teacher_id or lesson.planned_teacher_id


def can_write_lesson(staff, lesson: Lesson) -> bool:
    return (
        staff is not None
        and staff.school_id == lesson.school_id
        and (staff.pk == lesson_writer_id(lesson))
    )


def groups_readable_by(ctx) -> QuerySet[StudyGroup]:
    """Groups whose journal the acting user may read in the current school."""
    school = ctx.school
    if school is None or not ctx.is_staff_member:
        return StudyGroup.objects.none()
    groups = StudyGroup.objects.filter(school=school)
    if ctx.roles & SCHOOL_WIDE_READERS:
        return groups
    staff = ctx.staff
    if staff is None:
        return StudyGroup.objects.none()
    return groups.filter(
        Q(loads__teacher=staff)
        | Q(school_class__homeroom_teacher=staff)
        | Q(lessons__actual_teacher=staff)
    ).distinct()


def group_for_read(ctx, group_id: int) -> StudyGroup:
    group = groups_readable_by(ctx).filter(pk=group_id).select_related("school_class").first()
    if group is None:
        raise deny()
    return group


def lesson_for_read(ctx, lesson_id: int) -> Lesson:
    lesson = (
        Lesson.objects.filter(pk=lesson_id, group__in=groups_readable_by(ctx))
        .select_related("group__school_class", "subject", "planned_teacher", "actual_teacher")
        .first()
    )
    if lesson is None:
        raise deny()
    return lesson


def lesson_for_write(ctx, lesson_id: int) -> Lesson:
    """The lesson, if the acting teacher may write it; else 404."""
    lesson = (
        Lesson.objects.filter(pk=lesson_id, school=ctx.school)
        .select_related("group__school_class", "subject", "school")
        .first()
    )
    if lesson is None or not can_write_lesson(ctx.staff, lesson):
        raise deny()
    return lesson


def can_set_absence_reason(staff, school_class) -> bool:
    """The homeroom teacher verifies their class's absences and sets reasons (000 §4.3)."""
    return (
        staff is not None
        and school_class is not None
        and (school_class.homeroom_teacher_id == staff.pk)
    )
