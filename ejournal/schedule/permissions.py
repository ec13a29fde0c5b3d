"""Who may see and change timetables and lessons. Forbidden looks exactly like missing."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from ejournal.accounts.models import Role, RoleAssignment
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


# --- Who writes a lesson's journal: the one rule --------------------------------------
# Used by the grid, the lesson page, the API and the journal's services alike: the
# teacher who actually gives the lesson (the planned one unless a substitute is assigned,
# or that substitute), holding the teacher role in the lesson's school, on a lesson that
# takes place — a cancelled lesson takes no entry, and a moved one takes its entries at
# its new date, on the lesson it was moved to.
CLOSED_STATUSES = (LessonStatus.CANCELLED, LessonStatus.MOVED)


def lesson_writer_id(lesson: Lesson) -> int | None:
    return lesson.actual_teacher_id or lesson.planned_teacher_id


def teacher_role_in(staff, school_id: int, roles=None) -> bool:
    """Whether the staff member's account holds an active teacher role in the school;
    ``roles`` are the request's own roles there when the caller has them."""
    if roles is not None:
        return Role.TEACHER in roles
    return RoleAssignment.objects.filter(
        user_id=staff.user_id, school_id=school_id, role=Role.TEACHER, active=True
    ).exists()


def lesson_closed_refusal(lesson: Lesson) -> str | None:
    """Why a lesson takes no entries at all (cancelled, moved away), else None."""
    if lesson.status == LessonStatus.CANCELLED:
        return "Урок отменён: записи в журнал по нему не вносятся."
    if lesson.status == LessonStatus.MOVED:
        moved_to = (
            Lesson.objects.filter(pk=lesson.moved_to_id).values_list("date", flat=True).first()
            if lesson.moved_to_id is not None
            else None
        )
        where = f" на {moved_to:%d.%m.%Y}" if moved_to else ""
        return f"Урок перенесён{where}: записи вносятся в урок новой даты."
    return None


def keeps_journal_of(staff, lesson: Lesson, *, roles=None) -> bool:
    """Who: the teacher who gives the lesson, with the teacher role in its school."""
    return (
        staff is not None
        and staff.school_id == lesson.school_id
        and staff.pk == lesson_writer_id(lesson)
        and staff.user_id is not None
        and teacher_role_in(staff, lesson.school_id, roles)
    )


def can_write_lesson(staff, lesson: Lesson, *, roles=None) -> bool:
    """Who and what: that teacher, on a lesson that takes entries."""
    return lesson.status not in CLOSED_STATUSES and keeps_journal_of(staff, lesson, roles=roles)


def lessons_editable_by(ctx) -> QuerySet[Lesson]:
    """The same rule as a queryset: the lessons whose journal the user may keep."""
    staff = ctx.staff
    if ctx.school is None or staff is None or Role.TEACHER not in ctx.roles:
        return Lesson.objects.none()
    return Lesson.objects.filter(selectors.teaching_q(staff), school=ctx.school).exclude(
        status__in=CLOSED_STATUSES
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
