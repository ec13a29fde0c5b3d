"""The journal grid's flat reads (lessons with records, works, marks, attendance,
membership spans, students), one student's cells, and the students' totals."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from ejournal.accounts.models import Student, shown_name_sql
from ejournal.core import rawsql
from ejournal.journal import averages
from ejournal.journal.models import (
    AttendanceCode,
    LessonRecord,
    MarkValue,
    Work,
    WorkType,
)
from ejournal.journal.selectors.lists import distinct_ids
from ejournal.journal.selectors.marks import (
    MARK_TEXT,
    SHOWN_STATUSES,
    attendance_text,
    policy_of,
    settings_of,
)
from ejournal.schedule.models import Lesson
from ejournal.school import selectors as school_selectors
from ejournal.school.models import (
    GroupKind,
    StudyGroup,
    Subject,
)

# One cell of a row: (text, version, classes, title, state); state None where the student
# was not in the group that day, True where the viewer may write, False where not.
Cell = tuple[str, object, str, str, bool | None]


# The grid's four large reads, by hand (ejournal.core.rawsql): the lessons with their
# records, their works with types, and the marks and attendance of those lessons.
GRID_LESSON_COLUMNS = (
    "id", "school_id", "date", "number", "start_time", "end_time", "group_id", "subject_id",
    "planned_teacher_id", "actual_teacher_id", "room", "status", "timetable_entry_id",
    "moved_from_id", "moved_to_id",
)  # fmt: skip


GRID_RECORD_COLUMNS = ("id", "lesson_id", "topic", "comment", "version")


GRID_LESSONS_SQL = f"""
SELECT {rawsql.columns("l", GRID_LESSON_COLUMNS)}, {rawsql.columns("r", GRID_RECORD_COLUMNS)}
FROM schedule_lesson l LEFT JOIN journal_lessonrecord r ON r.lesson_id = l.id
WHERE l.group_id = %s AND l.subject_id = %s AND l.date BETWEEN %s AND %s
  AND l.status IN (%s, %s){{one}}
ORDER BY l.date, l.number, l.start_time, l.id
"""  # noqa: S608 - the models' column names only


GRID_WORK_COLUMNS = ("id", "lesson_id", "work_type_id", "title", "position")


GRID_TYPE_COLUMNS = tuple(f.attname for f in WorkType._meta.concrete_fields)


GRID_WORKS_SQL = f"""
SELECT {rawsql.columns("w", GRID_WORK_COLUMNS)}, {rawsql.columns("t", GRID_TYPE_COLUMNS)}
FROM journal_work w JOIN journal_worktype t ON t.id = w.work_type_id
WHERE w.lesson_id {{ids}}
ORDER BY w.position, w.id
"""  # noqa: S608 - the models' column names only


GRID_MARKS_SQL = """
SELECT m.work_id, m.student_id, m.value, m.numeric, m.version, m.comment, m.is_makeup
FROM journal_mark m JOIN journal_work w ON w.id = m.work_id
WHERE w.lesson_id {ids}
"""


GRID_ATTENDANCE_SQL = """
SELECT lesson_id, student_id, code, late_minutes, version, note
FROM journal_attendance WHERE lesson_id {ids}
"""


# The school's default work type (the column a lesson's first mark creates).
DEFAULT_TYPE_SQL = """
SELECT t.short_name, t.weight FROM journal_worktype t
WHERE t.school_id = %s AND t.name = %s ORDER BY t."order", t.name, t.id LIMIT 1
"""


def _grid_lessons(
    group: StudyGroup, subject: Subject, start: dt.date, end: dt.date, lesson_id: int | None
) -> list[Lesson]:
    params = [group.pk, subject.pk, start, end, *SHOWN_STATUSES]
    sql = GRID_LESSONS_SQL.format(one="")
    if lesson_id is not None:
        sql = GRID_LESSONS_SQL.format(one=" AND l.id = %s")
        params.append(lesson_id)
    size = len(GRID_LESSON_COLUMNS)
    lessons = []
    for row in rawsql.fetch(sql, params):
        lesson = rawsql.instance(Lesson, GRID_LESSON_COLUMNS, row[:size])
        record = row[size:]
        lesson._state.fields_cache["record"] = (
            rawsql.instance(LessonRecord, GRID_RECORD_COLUMNS, record)
            if record[0] is not None
            else None
        )
        lessons.append(lesson)
    return lessons


def _grid_works(ids_sql: str, ids: list[int]) -> list[Work]:
    size = len(GRID_WORK_COLUMNS)
    types: dict[int, WorkType] = {}
    works = []
    for row in rawsql.fetch(GRID_WORKS_SQL.format(ids=ids_sql), ids):
        work = rawsql.instance(Work, GRID_WORK_COLUMNS, row[:size])
        if work.work_type_id not in types:
            types[work.work_type_id] = rawsql.instance(WorkType, GRID_TYPE_COLUMNS, row[size:])
        work._state.fields_cache["work_type"] = types[work.work_type_id]
        works.append(work)
    return works


def _shown_average(exact: Decimal | None, policy) -> tuple[str, int | None]:
    """What the «Ср.» column shows: the weighted average and the period mark it rounds to."""
    if exact is None:
        return "", None
    return averages.display_average(exact), policy.mark_for(exact)


@dataclass(frozen=True)
class RowTotals:
    """A row's «Ср.» and «Долг» cells, sent back after a save so the page need not reload."""

    average: str
    suggested: int | None
    debts: int


ROW_MARKS_SQL = """
SELECT m.student_id, m.value, m.numeric, t.weight
FROM journal_mark m JOIN journal_work w ON w.id = m.work_id
JOIN journal_worktype t ON t.id = w.work_type_id
JOIN schedule_lesson l ON l.id = w.lesson_id
WHERE l.group_id = %s AND l.subject_id = %s AND l.date BETWEEN %s AND %s
  AND l.status IN (%s, %s) AND m.student_id {ids}
"""


def row_totals(
    *, school, group_id: int, subject_id: int, start: dt.date, end: dt.date, student_ids
) -> dict[int, RowTotals]:
    """The totals of the grid rows of ``student_ids`` over [start, end], as journal_grid
    computes them (two queries)."""
    students = distinct_ids(student_ids)
    ids_sql, ids = rawsql.in_list(students)
    weighted: dict[int, Decimal] = defaultdict(Decimal)
    weights: dict[int, Decimal] = defaultdict(Decimal)
    debts: dict[int, int] = defaultdict(int)
    rows = rawsql.fetch(
        ROW_MARKS_SQL.format(ids=ids_sql),
        [group_id, subject_id, start, end, *SHOWN_STATUSES, *ids],
    )
    for student_id, value, numeric, weight in rows:
        if numeric:
            weight = rawsql.field_value(WorkType, "weight", weight)
            weighted[student_id] += numeric * weight
            weights[student_id] += weight
        elif value == MarkValue.DEBT:
            debts[student_id] += 1
    policy = policy_of(settings_of(school))
    totals = {}
    for student_id in students:
        exact = weighted[student_id] / weights[student_id] if weights[student_id] else None
        average, suggested = _shown_average(exact, policy)
        totals[student_id] = RowTotals(average, suggested, debts[student_id])
    return totals


STUDENT_COLUMNS = tuple(f.attname for f in Student._meta.concrete_fields)


# The spans of school_selectors.group_member_spans with their students: of the class for
# a whole-class group, else of the group.
MEMBERS_SQL = f"""
SELECT m.date_from, m.date_to, {rawsql.columns("s", STUDENT_COLUMNS)}
FROM {{table}} m JOIN accounts_student s ON s.id = m.student_id
WHERE m.{{key}} = %s AND (m.date_to IS NULL OR m.date_to >= %s) AND m.date_from <= %s
ORDER BY {shown_name_sql("s")}
"""  # noqa: S608 - the models' column names only


def _members(
    group: StudyGroup, start: dt.date, end: dt.date
) -> tuple[dict[int, list[school_selectors.MemberSpan]], list[Student]]:
    """The group's membership spans within [start, end] by student, and the students in
    name order, from one query."""
    if group.kind == GroupKind.WHOLE_CLASS:
        sql = MEMBERS_SQL.format(table="school_classenrollment", key="school_class_id")
        key = group.school_class_id
    else:
        sql = MEMBERS_SQL.format(table="school_groupmembership", key="group_id")
        key = group.pk
    spans: dict[int, list[school_selectors.MemberSpan]] = defaultdict(list)
    students: dict[int, Student] = {}
    for date_from, date_to, *row in rawsql.fetch(sql, [key, start, end]):
        student_id = row[0]
        spans[student_id].append(school_selectors.MemberSpan(student_id, date_from, date_to))
        if student_id not in students:
            students[student_id] = rawsql.instance(Student, STUDENT_COLUMNS, row)
    return dict(spans), list(students.values())


def _row(
    student_id, spans, plan, marks, attendance, carried=()
) -> tuple[list[Cell], Decimal | None, int]:
    """One student's cells along ``plan`` (is a mark column, work or lesson id, day,
    weight, writable), the weighted average (with the ``carried`` marks of an earlier
    class) and the debts."""
    cells: list[Cell] = []
    weighted = Decimal(0)
    weights = Decimal(0)
    for brought in carried:
        if brought.value in averages.NUMERIC:
            weighted += averages.NUMERIC[brought.value] * brought.weight
            weights += brought.weight
    debts = 0
    member_on: dict[dt.date, bool] = {}
    for is_mark, key, day, weight, writable in plan:
        member = member_on.get(day)
        if member is None:
            member = member_on[day] = any(s.covers(day) for s in spans)
        if not member:
            cells.append(NOT_MEMBER)
            continue
        text, version, title, classes = "", "", "", ""
        if is_mark:
            found = marks.get((key, student_id)) if key is not None else None
            if found:
                value, numeric, version, comment, makeup = found
                text = MARK_TEXT[value]
                if numeric:
                    weighted += numeric * weight
                    weights += weight
                elif value == MarkValue.DEBT:
                    debts += 1
                if comment:
                    title = comment
                    classes = "cm mu" if makeup else "cm"
                elif makeup:
                    classes = "mu"
        else:
            found = attendance.get((key, student_id))
            if found:
                code, minutes, version, note = found
                text = attendance_text(code, minutes)
                classes = "ab" if code != AttendanceCode.LATE else "lt"
                title = note or ""
        cells.append((text, version, classes, title, writable))
    average = weighted / weights if weights else None
    return cells, average, debts


NOT_MEMBER: Cell = ("", "", "", "", None)
