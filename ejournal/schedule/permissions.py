"""Who may see and change timetables and lessons. Forbidden looks exactly like missing."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from ejournal.accounts.models import Role
from ejournal.accounts.permissions import STAFF_ANY, deny
from ejournal.schedule import selectors
from ejournal.schedule.models import Lesson, LessonStatus
from ejournal.school.models import TeachingLoad

# The deputy and the administrator keep the timetable (SPEC §2).
TIMETABLE_EDITORS = frozenset({Role.ADMIN, Role.DEPUTY})
# Every staff member may read the school's timetables, bell schedule and changes.
TIMETABLE_READERS = STAFF_ANY
# Those who read every lesson of the school.
LESSON_OVERSEERS = frozenset({Role.ADMIN, Role.DIRECTOR, Role.DEPUTY})


def can_edit_timetable(ctx) -> bool:
    return bool(ctx.roles & TIMETABLE_EDITORS)


def lessons_editable_by(ctx) -> QuerySet[Lesson]:
    """Lessons whose journal the user may keep: those they actually teach — their own
    unless someone substitutes them, and the single lessons they substitute."""
    staff = ctx.staff
    if ctx.school is None or staff is None or Role.TEACHER not in ctx.roles:
        return Lesson.objects.none()
    return Lesson.objects.filter(selectors.teaching_q(staff), school=ctx.school).exclude(
        status__in=[LessonStatus.CANCELLED, LessonStatus.MOVED]
    )


def lessons_visible_to(ctx) -> QuerySet[Lesson]:
    """Lessons the user may read: the overseers see the school; a teacher sees lessons
    they plan or teach, lessons of groups and subjects of their load, and every lesson of
    the classes they lead."""
    school = ctx.school
    if school is None:
        return Lesson.objects.none()
    lessons = Lesson.objects.filter(school=school)
    if ctx.roles & LESSON_OVERSEERS:
        return lessons
    staff = ctx.staff
    if staff is None or Role.TEACHER not in ctx.roles:
        return Lesson.objects.none()
    teaches_it = TeachingLoad.objects.filter(
        teacher=staff, group_id=OuterRef("group_id"), subject_id=OuterRef("subject_id")
    )
    return lessons.filter(
        Q(planned_teacher=staff)
        | Q(actual_teacher=staff)
        | Q(group__school_class__homeroom_teacher=staff)
        | Exists(teaches_it)
    )


def lesson_for_edit(user_ctx, lesson_id: int) -> Lesson:
    """The lesson whose journal the user may write, else 404.

    The planned teacher keeps their lesson unless a substitute is assigned; a substitute
    gets exactly the substituted lesson and nothing else of that group; the original
    teacher then keeps read access through ``lesson_for_view``.
    """
    lesson = (
        lessons_editable_by(user_ctx)
        .select_related("group", "group__school_class", "subject", "planned_teacher")
        .filter(pk=lesson_id)
        .first()
    )
    if lesson is None:
        raise deny()
    return lesson


def lesson_for_view(user_ctx, lesson_id: int) -> Lesson:
    lesson = (
        selectors.lesson_queryset()
        .filter(pk__in=lessons_visible_to(user_ctx).values("pk"))
        .filter(pk=lesson_id)
        .first()
    )
    if lesson is None:
        raise deny()
    return lesson


def can_edit_lesson(user_ctx, lesson: Lesson) -> bool:
    return lessons_editable_by(user_ctx).filter(pk=lesson.pk).exists()
