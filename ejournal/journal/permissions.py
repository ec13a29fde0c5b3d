"""Who may read and write the class journal. Missing and forbidden both answer 404.

Writing: only the teacher who actually teaches the lesson — the planned teacher, or the
substitute assigned to that one lesson (the planned teacher then keeps read access).
Reading: the group's teachers, the homeroom teacher of the group's class, and the
school's deputy, director and administrator. Students and parents never see the journal.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ejournal.accounts.models import Role, RoleAssignment
from ejournal.accounts.permissions import deny
from ejournal.core import rawsql
from ejournal.schedule.models import Lesson
from ejournal.schedule.permissions import can_write_lesson, keeps_journal_of, lesson_writer_id
from ejournal.school.models import StudyGroup, Subject

SCHOOL_WIDE_READERS = frozenset({Role.ADMIN, Role.DIRECTOR, Role.DEPUTY})
# The deputy decides every correction request (journal records and period marks alike); the
# director reads them and changes nothing (SPEC R3.7, the director's read-only role).
CORRECTION_DECIDERS = frozenset({Role.DEPUTY})
CORRECTION_READERS = CORRECTION_DECIDERS | {Role.DIRECTOR}


# Who writes a lesson: the one rule lives with the lesson (ejournal.schedule.permissions).
__all__ = ["can_write_lesson", "keeps_journal_of", "lesson_writer_id"]


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
        | Q(lessons__planned_teacher=staff)
    ).distinct()


def group_for_read(ctx, group_id: int) -> StudyGroup:
    group = groups_readable_by(ctx).filter(pk=group_id).select_related("school_class").first()
    if group is None:
        raise deny()
    return group


def lesson_for_write(ctx, lesson_id: int) -> Lesson:
    """The lesson, if the acting teacher keeps its journal; else 404. (Whether the lesson
    takes entries — not cancelled, not moved away — the services say, in words.)"""
    lesson = (
        Lesson.objects.filter(pk=lesson_id, school=ctx.school)
        .select_related("group__school_class", "subject", "school")
        .first()
    )
    if lesson is None or not keeps_journal_of(ctx.staff, lesson, roles=ctx.roles):
        raise deny()
    return lesson


def may_decide_corrections(user, school_id: int) -> bool:
    """Service-level check: the user decides correction requests in the school (one query)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return RoleAssignment.objects.filter(
        user=user, school_id=school_id, role__in=CORRECTION_DECIDERS, active=True
    ).exists()


def can_set_absence_reason(staff, school_class) -> bool:
    """The homeroom teacher verifies their class's absences and sets reasons (000 §4.3)."""
    return (
        staff is not None
        and school_class is not None
        and (school_class.homeroom_teacher_id == staff.pk)
    )


SUBJECT_COLUMNS = tuple(f.attname for f in Subject._meta.concrete_fields)
# The subject of the school, and whether the staff member teaches it to the group (load) or
# gave or substituted a lesson of it there — one statement.
SUBJECT_SQL = f"""
SELECT {rawsql.columns("s", SUBJECT_COLUMNS)},
       EXISTS (SELECT 1 FROM school_teachingload t
               WHERE t.group_id = %(group)s AND t.subject_id = s.id AND t.teacher_id = %(staff)s)
       OR EXISTS (SELECT 1 FROM schedule_lesson l
                  WHERE l.group_id = %(group)s AND l.subject_id = s.id
                    AND (l.actual_teacher_id = %(staff)s OR l.planned_teacher_id = %(staff)s))
FROM school_subject s WHERE s.id = %(subject)s AND s.school_id = %(school)s
"""  # noqa: S608 - the models' column names only


def subject_readable(ctx, group: StudyGroup, subject_id: int) -> Subject:
    """The subject of a group's journal, if the acting user may read it; else 404.

    The group is already readable (``group_for_read``); a plain teacher additionally
    reads only the subjects they teach the group (or substituted in it). The homeroom
    teacher reads every subject of their class, the deputy, director and admin all.
    """
    staff_id = ctx.staff.pk if ctx.staff else None
    rows = rawsql.fetch(SUBJECT_SQL, {"subject": subject_id, "school": group.school_id,
                                      "group": group.pk, "staff": staff_id})  # fmt: skip
    if not rows:
        raise deny()
    subject = rawsql.instance(Subject, SUBJECT_COLUMNS, rows[0][:-1])
    if ctx.roles & SCHOOL_WIDE_READERS:
        return subject
    if staff_id is None:
        raise deny()
    school_class = group.school_class
    if school_class is not None and school_class.homeroom_teacher_id == staff_id:
        return subject
    if rows[0][-1]:  # teaches it to the group, or taught a lesson of it there
        return subject
    raise deny()


def lesson_readable(ctx, lesson_id: int) -> Lesson:
    """The lesson, if the acting user may read its journal; else 404.

    Whoever may write the lesson (its teacher or the substitute) reads it; everyone
    else needs the group's journal of the lesson's subject.
    """
    lesson = (
        Lesson.objects.filter(pk=lesson_id, school=ctx.school)
        .select_related(
            "group__school_class",
            "group__school",
            "subject",
            "school",
            "planned_teacher",
            "actual_teacher",
            "record",
        )
        .first()
    )
    if lesson is None or ctx.school is None or not ctx.is_staff_member:
        raise deny()
    if can_write_lesson(ctx.staff, lesson, roles=ctx.roles):
        return lesson
    if not groups_readable_by(ctx).filter(pk=lesson.group_id).exists():
        raise deny()
    subject_readable(ctx, lesson.group, lesson.subject_id)
    return lesson
