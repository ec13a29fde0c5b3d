"""A student's lessons over a span of days (only those of the groups the student was in on
each day)."""

from __future__ import annotations

import datetime as dt

from ejournal.accounts.models import StaffMember, Student
from ejournal.core import rawsql
from ejournal.journal.models import (
    LessonRecord,
)
from ejournal.schedule.models import Lesson, ScheduleChangeKind
from ejournal.school.models import (
    GroupKind,
    StudyGroup,
    Subject,
)

# The student's lessons in a date range: the spans of their class enrollments (as the
# class's whole-class group) and of their other groups come first, and each reaches its
# group's lessons of those days through the (group, date) index. With each lesson come
# its subject, teachers, topic, the student's own attendance, the dates it was moved to
# or from and its changes.
LESSONS_SQL = """
SELECT l.id, l.date, l.number, l.start_time, l.end_time, l.group_id, l.subject_id,
       l.planned_teacher_id, l.actual_teacher_id, l.room, l.status, l.moved_from_id,
       l.moved_to_id, l.school_id,
       g.kind, g.school_class_id, g.name, sub.name, sub.short_name,
       pt.last_name, pt.first_name, pt.patronymic,
       st.last_name, st.first_name, st.patronymic,
       r.id, r.topic, a.code, a.late_minutes, mt.date, mf.date,
       (SELECT COUNT(*) FROM schedule_schedulechange c
        WHERE c.new_lesson_id = l.id AND c.kind = %(extra)s),
       (SELECT c.before FROM schedule_schedulechange c
        WHERE c.lesson_id = l.id AND c.kind = %(room)s ORDER BY c.created_at, c.id LIMIT 1)
FROM (
    SELECT w.id AS group_id, e.date_from, e.date_to
    FROM school_classenrollment e
    JOIN school_studygroup w ON w.school_class_id = e.school_class_id AND w.kind = %(whole)s
    WHERE e.student_id = %(student)s AND e.date_from <= %(end)s
      AND (e.date_to IS NULL OR e.date_to >= %(start)s)
    UNION ALL
    SELECT m.group_id, m.date_from, m.date_to
    FROM school_groupmembership m
    JOIN school_studygroup mg ON mg.id = m.group_id AND mg.kind <> %(whole)s
    WHERE m.student_id = %(student)s AND m.date_from <= %(end)s
      AND (m.date_to IS NULL OR m.date_to >= %(start)s)
) span
JOIN schedule_lesson l ON l.group_id = span.group_id
     AND l.date BETWEEN %(start)s AND %(end)s
     AND l.date >= span.date_from AND (span.date_to IS NULL OR l.date <= span.date_to)
JOIN school_studygroup g ON g.id = l.group_id
JOIN school_subject sub ON sub.id = l.subject_id
LEFT JOIN accounts_staffmember pt ON pt.id = l.planned_teacher_id
LEFT JOIN accounts_staffmember st ON st.id = l.actual_teacher_id
LEFT JOIN journal_lessonrecord r ON r.lesson_id = l.id
LEFT JOIN journal_attendance a ON a.lesson_id = l.id AND a.student_id = %(student)s
LEFT JOIN schedule_lesson mt ON mt.id = l.moved_to_id
LEFT JOIN schedule_lesson mf ON mf.id = l.moved_from_id
WHERE l.school_id = %(school)s
ORDER BY l.date, l.number, l.start_time, l.id
"""


LESSON_COLUMNS = (
    "id", "date", "number", "start_time", "end_time", "group_id", "subject_id",
    "planned_teacher_id", "actual_teacher_id", "room", "status", "moved_from_id",
    "moved_to_id", "school_id",
)  # fmt: skip


STAFF_NAMES = ("id", "last_name", "first_name", "patronymic")


def lessons_of_student(student: Student, start: dt.date, end: dt.date) -> list[Lesson]:
    """The student's lessons in [start, end] in timetable order (one query), each with its
    group, subject, teachers and record, and as attributes the student's attendance code
    and late minutes, the dates it was moved to or from, whether it was added as an extra
    lesson (``is_extra``) and the room before its first room change (``room_before``)."""
    rows = rawsql.fetch(
        LESSONS_SQL,
        {
            "student": student.pk,
            "school": student.school_id,
            "start": start,
            "end": end,
            "whole": GroupKind.WHOLE_CLASS,
            "extra": ScheduleChangeKind.EXTRA,
            "room": ScheduleChangeKind.ROOM,
        },
    )
    subjects: dict[int, Subject] = {}
    staff: dict[int, StaffMember] = {}

    def teacher(pk, names):
        if pk is None:
            return None
        if pk not in staff:
            staff[pk] = rawsql.instance(StaffMember, STAFF_NAMES, (pk, *names))
        return staff[pk]

    lessons = []
    seen: set[int] = set()
    for row in rows:
        if row[0] in seen:  # two spans of one group covering the day (overlapping data)
            continue
        seen.add(row[0])
        lesson = rawsql.instance(Lesson, LESSON_COLUMNS, row[:14])
        kind, class_id, group_name, subject_name, subject_short = row[14:19]
        cache = lesson._state.fields_cache
        cache["group"] = rawsql.instance(
            StudyGroup, ("id", "name", "kind", "school_class_id"),
            (lesson.group_id, group_name, kind, class_id),
        )  # fmt: skip
        if lesson.subject_id not in subjects:
            subjects[lesson.subject_id] = rawsql.instance(
                Subject, ("id", "name", "short_name"),
                (lesson.subject_id, subject_name, subject_short),
            )  # fmt: skip
        cache["subject"] = subjects[lesson.subject_id]
        cache["planned_teacher"] = teacher(lesson.planned_teacher_id, row[19:22])
        cache["actual_teacher"] = teacher(lesson.actual_teacher_id, row[22:25])
        record_id, topic = row[25:27]
        cache["record"] = (
            rawsql.instance(
                LessonRecord, ("id", "lesson_id", "topic"), (record_id, lesson.pk, topic)
            )
            if record_id is not None
            else None
        )
        lesson.attendance_code, lesson.attendance_late = row[27], row[28]  # type: ignore[attr-defined]
        lesson.moved_to_date = rawsql.to_date(row[29])  # type: ignore[attr-defined]
        lesson.moved_from_date = rawsql.to_date(row[30])  # type: ignore[attr-defined]
        lesson.is_extra = bool(row[31])  # type: ignore[attr-defined]
        lesson.room_before = (rawsql.to_json(row[32]) or {}).get("room", "")  # type: ignore[attr-defined]
        lessons.append(lesson)
    return lessons
