"""Reads of the class journal: the grid of a group × subject × period, the journal lists,
correction requests and the homeroom teacher's week of absences.

The grid is built in Python from a handful of flat queries (lessons with their records,
works, marks, attendance, membership spans, students) so its cost does not grow with
the number of students or lessons. Its cells are rendered here into one string per row:
a full period is ~2,500 cells and the template engine would spend most of the page's
time on them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.urls import reverse

from ejournal.accounts.http import AuthedRequest
from ejournal.accounts.models import Role, StaffMember, Student, shown_name_ordering, shown_name_sql
from ejournal.accounts.permissions import deny
from ejournal.core import rawsql
from ejournal.journal import averages, rules
from ejournal.journal.averages import RoundingPolicy
from ejournal.journal.models import (
    Attendance,
    AttendanceCode,
    AttestationSettings,
    CorrectionRequest,
    CorrectionStatus,
    Homework,
    JournalSettings,
    LessonRecord,
    Mark,
    MarkValue,
    Work,
    WorkCategory,
    WorkType,
)
from ejournal.journal.permissions import (  # noqa: F401 - re-exported for views
    SCHOOL_WIDE_READERS,
    can_write_lesson,
    groups_readable_by,
    lesson_readable,
    subject_readable,
)
from ejournal.journal.services import DEFAULT_WORK_TYPE_NAME
from ejournal.schedule.models import Lesson, LessonStatus
from ejournal.schedule.permissions import teacher_role_in
from ejournal.school import selectors as school_selectors
from ejournal.school.models import (
    AcademicYear,
    GroupKind,
    SchoolClass,
    StudyGroup,
    StudyPeriod,
    Subject,
    TeachingLoad,
)

# Lessons that carry journal data; cancelled and moved-away lessons have none.
SHOWN_STATUSES = (LessonStatus.PLANNED, LessonStatus.HELD)
DEFAULT_WORK_SHORT = "Отв"

MARK_TEXT = dict(MarkValue.choices)
ATTENDANCE_TEXT = dict(AttendanceCode.choices)


def attendance_text(code: str | None, late_minutes: int | None) -> str:
    """What the attendance cell shows and accepts back: «Н», «Б», «УП», «ОП10»."""
    if not code:
        return ""
    return f"{ATTENDANCE_TEXT[code]}{late_minutes or ''}"


# --- Periods -------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodChoice:
    id: int | None
    name: str
    start: dt.date
    end: dt.date


def periods_of_group(group: StudyGroup) -> list[PeriodChoice]:
    """The study periods of the group's grade; the whole year when none are set."""
    # By the year's id: the year row itself is read only when it has no periods.
    if group.school_class_id:
        periods = school_selectors.periods_for_grade(
            year=group.year_id,  # type: ignore[arg-type]
            grade=group.school_class.grade,  # type: ignore[union-attr]
        )
    else:
        periods = list(StudyPeriod.objects.filter(band__year_id=group.year_id).order_by("start"))
    choices = [PeriodChoice(p.pk, p.name, p.start, p.end) for p in periods]
    if not choices:
        year: AcademicYear = group.year
        choices = [PeriodChoice(None, f"{year.name} учебный год", year.start, year.end)]
    return choices


def period_pick(periods: list[PeriodChoice], period_id: int | None, today: dt.date):
    """The asked-for period, else the one containing today, else the last begun one."""
    if period_id is not None:
        for p in periods:
            if p.id == period_id:
                return p
        raise deny()
    for p in periods:
        if p.start <= today <= p.end:
            return p
    begun = [p for p in periods if p.start <= today]
    return begun[-1] if begun else periods[0]


# --- The grid --------------------------------------------------------------------------


@dataclass
class Column:
    """One sub-column: a work of a lesson (marks) or the lesson's attendance."""

    kind: str  # "m" mark, "a" attendance
    lesson: Lesson
    work: Work | None = None  # None for attendance, or the default work not yet created
    label: str = ""
    title: str = ""
    weight: Decimal = Decimal(1)
    writable: bool = False
    lock: str = ""  # why the column is closed for this writer
    correctable: bool = False


@dataclass
class LessonHead:
    lesson: Lesson
    columns: list[Column]
    topic: str
    writable: bool
    is_current: bool = False


# One cell of a row: (text, version, classes, title, state); state None where the student
# was not in the group that day, True where the viewer may write, False where not.
Cell = tuple[str, object, str, str, bool | None]


@dataclass
class Row:
    student: Student
    number: int
    cells: list[Cell]
    average: str
    debts: int
    # The period mark the average rounds to under the school's policy (R5.2).
    suggested: int | None = None
    joined: dt.date | None = None
    left: dt.date | None = None
    # Marks from the class the student came from that count in the average.
    carried: int = 0


@dataclass
class Grid:
    group: StudyGroup
    subject: Subject
    start: dt.date
    end: dt.date
    heads: list[LessonHead]
    rows: list[Row]
    no_marks_reason: str | None
    writable: bool
    current_lesson_id: int | None = None
    columns: list[Column] = field(default_factory=list)
    # What the grid already read, for the lesson page to reuse instead of reading again.
    works: list[Work] = field(default_factory=list)
    settings: JournalSettings = field(kw_only=True)
    now: dt.datetime = field(kw_only=True)
    grade: int = field(kw_only=True)
    closed: list[rules.ClosedRange] = field(default_factory=list)


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


def journal_grid(
    *,
    group: StudyGroup,
    subject: Subject,
    start: dt.date,
    end: dt.date,
    staff: StaffMember | None,
    lesson_id: int | None = None,
    lesson: Lesson | None = None,
    roles=None,
) -> Grid:
    """Students × lessons × works of one journal, with weighted averages.

    ``lesson_id`` narrows the grid to one lesson (the lesson page and the phone view);
    ``lesson``, already read with its record, narrows it without reading it again.
    A fixed number of queries whatever the number of students and lessons.
    """
    school = group.school
    if lesson is not None:
        shown = lesson.status in SHOWN_STATUSES and start <= lesson.date <= end
        lessons = [lesson] if shown else []
    else:
        lessons = _grid_lessons(group, subject, start, end, lesson_id)
    lesson_by_id = {lesson.pk: lesson for lesson in lessons}
    for lesson in lessons:
        # Shared instances: rules read lesson.subject / lesson.group without a query.
        lesson.subject = subject
        lesson.group = group
        lesson.school = school
    ids_sql, ids = rawsql.in_list(lesson_by_id)
    works_by_lesson: dict[int, list[Work]] = defaultdict(list)
    all_works = _grid_works(ids_sql, ids)
    for work in all_works:
        work.lesson = lesson_by_id[work.lesson_id]
        works_by_lesson[work.lesson_id].append(work)
    marks = {
        (row[0], row[1]): row[2:] for row in rawsql.fetch(GRID_MARKS_SQL.format(ids=ids_sql), ids)
    }
    attendance = {
        (row[0], row[1]): row[2:]
        for row in rawsql.fetch(GRID_ATTENDANCE_SQL.format(ids=ids_sql), ids)
    }
    spans, students = _members(group, start, end)
    default_type = None
    for short_name, weight in rawsql.fetch(DEFAULT_TYPE_SQL, [school.pk, DEFAULT_WORK_TYPE_NAME]):
        default_type = (short_name, rawsql.field_value(WorkType, "weight", weight))

    settings = rules.settings_for(school)
    now = rules.school_now(school)
    grade = group.school_class.grade if group.school_class_id else _stream_grade(group, start)  # type: ignore[union-attr]
    closed = rules.closed_ranges(school_id=school.pk, grade=grade)
    policy = policy_of(settings_of(school))
    no_marks = rules.no_marks_reason(grade=grade, subject=subject)

    heads: list[LessonHead] = []
    columns: list[Column] = []
    today = now.date()
    current_id = None
    if roles is None and staff is not None and staff.user_id is not None:
        roles = {Role.TEACHER} if teacher_role_in(staff, school.pk) else set()
    for lesson in lessons:
        writable = can_write_lesson(staff, lesson, roles=roles or set())
        record = getattr(lesson, "record", None)
        lesson_columns: list[Column] = []
        if not no_marks:
            # No works yet: one column for the default work its first mark creates.
            works: list[Work | None] = list(works_by_lesson.get(lesson.pk, [])) or [None]
            for lesson_work in works:
                lesson_columns.append(
                    _mark_column(
                        lesson, lesson_work, writable, grade, settings, now, closed, default_type
                    )
                )
        refusal = _refusal(rules.attendance_refusal, writable, lesson, settings, now, closed)
        lesson_columns.append(
            Column(
                kind="a",
                lesson=lesson,
                label="п",
                title="Посещаемость: Н, Б, УП, ОП с минутами",
                writable=writable and refusal is None,
                lock=refusal.message if refusal else "",
                correctable=bool(refusal and refusal.correctable),
            )
        )
        if lesson.date <= today:
            current_id = lesson.pk
        heads.append(
            LessonHead(
                lesson=lesson,
                columns=lesson_columns,
                topic=record.topic if record else "",
                writable=writable,
            )
        )
        columns.extend(lesson_columns)
    if current_id is None and lessons:
        current_id = lessons[0].pk
    for head in heads:
        head.is_current = head.lesson.pk == current_id

    # What each cell of a column needs, read once per column instead of once per cell.
    plan = [
        (
            col.kind == "m",
            (col.work.pk if col.work is not None else None) if col.kind == "m" else col.lesson.pk,
            col.lesson.date,
            col.weight,
            col.writable,
        )
        for col in columns
    ]
    # A student who came from another class during the range brings that class's marks
    # of the subject into the average (not into the cells): the average follows them.
    joined = {
        student.pk: first
        for student in students
        if (first := min(s.date_from for s in spans[student.pk])) > start
    }
    carried = marks_carried_in(group_id=group.pk, subject_id=subject.pk, joined=joined, start=start)
    rows = []
    for number, student in enumerate(students, start=1):
        member_spans = spans[student.pk]
        brought = carried.get(student.pk, [])
        cells, exact, debts = _row(student.pk, member_spans, plan, marks, attendance, brought)
        first = min(s.date_from for s in member_spans)
        last = (
            None
            if any(s.date_to is None for s in member_spans)
            else max(s.date_to for s in member_spans if s.date_to)
        )
        average, suggested = _shown_average(exact, policy)
        rows.append(
            Row(
                student=student,
                number=number,
                cells=cells,
                average=average,
                suggested=suggested,
                debts=debts,
                carried=sum(1 for m in brought if m.value in averages.NUMERIC),
                joined=first if first > start else None,
                left=last if last is not None and last < end else None,
            )
        )
    return Grid(
        group=group,
        subject=subject,
        start=start,
        end=end,
        heads=heads,
        rows=rows,
        no_marks_reason=no_marks,
        writable=any(h.writable for h in heads),
        current_lesson_id=current_id,
        columns=columns,
        works=all_works,
        settings=settings,
        now=now,
        grade=grade,
        closed=closed,
    )


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


def _stream_grade(group: StudyGroup, day: dt.date) -> int:
    # Cross-class streams follow the strictest window: the lowest grade of their members.
    grades = SchoolClass.objects.filter(
        school_selectors.active_on(day, "enrollments__"),
        enrollments__student__group_memberships__group=group,
    ).values_list("grade", flat=True)
    return min(grades, default=5)


def _refusal(check, writable, lesson, settings, now, closed, **extra):
    """Why a writer may not change this column now (None: open); readers see no locks."""
    if not writable:
        return None
    return check(lesson=lesson, settings=settings, now=now, closed=closed, **extra)


def _mark_column(lesson, work, writable, grade, settings, now, closed, default_type) -> Column:
    if work is None:
        short, weight = default_type or (DEFAULT_WORK_SHORT, Decimal(1))
        label, work_type = short, None
        title = f"{DEFAULT_WORK_TYPE_NAME} (создаётся с первой отметкой)"
    else:
        work_type = work.work_type
        label, weight = work_type.short_name, work_type.weight
        title = work_type.name + (f": {work.title}" if work.title else "")
    refusal = None
    if writable:
        if work_type is None:
            # The default work does not exist yet; its window is the ordinary one.
            work_type = WorkType(name=DEFAULT_WORK_TYPE_NAME, category=WorkCategory.ORAL)
        refusal = _refusal(
            rules.mark_refusal,
            True,
            lesson,
            settings,
            now,
            closed,
            grade=grade,
            work_type=work_type,
        )
    return Column(
        kind="m",
        lesson=lesson,
        work=work,
        label=label,
        title=f"{title}, вес {weight:g}",
        weight=weight,
        writable=writable and refusal is None,
        lock=refusal.message if refusal else "",
        correctable=bool(refusal and refusal.correctable),
    )


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


# --- Journal lists ---------------------------------------------------------------------


@dataclass
class JournalLink:
    group: StudyGroup
    subject: Subject
    teacher: StaffMember | None = None


def journals_of(ctx, *, year: AcademicYear | None) -> dict[str, list]:
    """The journals the acting user reaches: their own (teaching load), their homeroom
    class's, and for the school-wide readers every journal grouped by class."""
    result: dict[str, list] = {"own": [], "homeroom": [], "school": [], "substitutions": []}
    if year is None:
        return result
    loads = TeachingLoad.objects.filter(group__year=year).select_related(
        "group__school_class", "subject", "teacher"
    )
    order = ("group__school_class__grade", "group__school_class__letter", "group__name")
    staff = ctx.staff
    if ctx.roles & SCHOOL_WIDE_READERS:
        by_class: dict[str, list[JournalLink]] = defaultdict(list)
        for load in loads.order_by(*order, "subject__name"):
            label = str(load.group.school_class or "Потоки и группы без класса")
            by_class[label].append(JournalLink(load.group, load.subject, load.teacher))
        result["school"] = list(by_class.items())
    if staff is None:
        return result
    result["own"] = [
        JournalLink(load.group, load.subject, load.teacher)
        for load in loads.filter(teacher=staff).order_by(*order, "subject__name")
    ]
    result["homeroom"] = [
        JournalLink(load.group, load.subject, load.teacher)
        for load in loads.filter(group__school_class__homeroom_teacher=staff).order_by(
            *order, "subject__name"
        )
    ]
    result["substitutions"] = list(
        Lesson.objects.filter(actual_teacher=staff, date__range=(year.start, year.end))
        .exclude(planned_teacher=staff)
        .select_related("group", "subject")
        .order_by("-date", "number")[:30]
    )
    return result


# --- Lesson page -----------------------------------------------------------------------


def homework_of_lesson(lesson: Lesson) -> list[Homework]:
    return list(
        Homework.objects.filter(lesson=lesson)
        .prefetch_related("students", "attachments")
        .order_by("is_individual", "id")
    )


def members_on(group: StudyGroup, day: dt.date) -> list[Student]:
    return list(school_selectors.students_of_group_on(group=group, day=day))


def work_types_of(school, *, active_only: bool = True) -> QuerySet[WorkType]:
    types = WorkType.objects.filter(school=school)
    if active_only:
        types = types.filter(is_active=True)
    return types.order_by("order", "name")


# --- Correction requests ---------------------------------------------------------------


def corrections_requested_by(user, school) -> QuerySet[CorrectionRequest]:
    return _corrections(CorrectionRequest.objects.filter(school=school, requested_by=user))


def corrections_of_school(school, *, pending_only: bool) -> QuerySet[CorrectionRequest]:
    rows = CorrectionRequest.objects.filter(school=school)
    if pending_only:
        rows = rows.filter(status=CorrectionStatus.PENDING)
    return _corrections(rows)


def _corrections(rows: QuerySet[CorrectionRequest]) -> QuerySet[CorrectionRequest]:
    return rows.select_related(
        "lesson__group",
        "lesson__subject",
        "work__work_type",
        "student",
        "requested_by",
        "decided_by",
    ).order_by("-requested_at")


def correction_value_text(kind: str, value) -> str:
    """A request's old or new value in words."""
    if not value:
        return "пусто"
    if "display" in value:
        return value["display"]
    if kind == "mark":
        return MARK_TEXT.get(value.get("value") or "", "пусто")
    if kind == "attendance":
        return attendance_text(value.get("code"), value.get("late_minutes")) or "присутствовал"
    return value.get("topic") or value.get("text") or "пусто"


# --- Homeroom attendance week ----------------------------------------------------------


def homeroom_classes(staff: StaffMember | None, year: AcademicYear | None) -> list[SchoolClass]:
    if staff is None or year is None:
        return []
    return list(SchoolClass.objects.filter(homeroom_teacher=staff, year=year))


def absences_of_class_week(
    *, school_class: SchoolClass, week_start: dt.date
) -> tuple[list[Attendance], list[Student]]:
    """The week's attendance rows of the class's students (any group and subject)."""
    week_end = week_start + dt.timedelta(days=6)
    members = list(
        Student.objects.filter(
            school_selectors.overlapping(week_start, week_end, "enrollments__"),
            enrollments__school_class=school_class,
        ).distinct()
    )
    rows = list(
        Attendance.objects.filter(
            lesson__date__range=(week_start, week_end), student__in=[s.pk for s in members]
        )
        .select_related("lesson__subject", "student", "verified_by")
        .order_by(*shown_name_ordering("student"), "lesson__date", "lesson__number")
    )
    return rows, members


def distinct_ids(values: Iterable[int]) -> list[int]:
    return sorted(set(values))


# --- The control block of the administration's start page ---------------------------------


def control_block(request: AuthedRequest, role: str) -> dict:
    """For the deputy, director and administrator: what needs attention in the journal."""
    from ejournal.accounts.models import Role
    from ejournal.journal.models import CorrectionRequest, CorrectionStatus, LessonRecord

    if role not in (Role.DEPUTY, Role.DIRECTOR, Role.ADMIN) or request.ctx.school is None:
        return {}
    school = request.ctx.school
    today = school_selectors.school_today(school)
    week_ago = today - dt.timedelta(days=7)
    pending = CorrectionRequest.objects.filter(
        school=school, status=CorrectionStatus.PENDING
    ).count()
    documented = LessonRecord.objects.filter(
        lesson__school=school, lesson__date__range=(week_ago, today - dt.timedelta(days=1))
    ).exclude(topic="")
    undocumented = (
        Lesson.objects.filter(school=school, date__range=(week_ago, today - dt.timedelta(days=1)))
        .exclude(status=LessonStatus.CANCELLED)
        .exclude(pk__in=documented.values("lesson_id"))
        .count()
    )
    lines = []
    if pending:
        lines.append((f"Запросы на исправление журнала: {pending}", reverse("journal:corrections")))
    if undocumented:
        lines.append((f"Уроки за неделю без темы: {undocumented}", reverse("journal:index")))
    return {
        "blocks": [
            {"title": "Ведение журнала", "lines": lines, "empty": "Замечаний по журналу нет."}
        ]
    }


WRITTEN_CATEGORIES = (
    WorkCategory.WRITTEN,
    WorkCategory.CONTROL,
    WorkCategory.ESSAY,
    WorkCategory.PRACTICAL,
)


def settings_of(school) -> AttestationSettings:
    """The school's settings (``school`` or its id), created with defaults on first use."""
    school_id = getattr(school, "pk", school)
    settings = rawsql.first(AttestationSettings, "t.school_id = %s", [school_id])
    if settings is None:
        settings, _ = AttestationSettings.objects.get_or_create(school_id=school_id)
    return settings


def policy_of(settings: AttestationSettings) -> RoundingPolicy:
    return RoundingPolicy(
        five=settings.threshold_5, four=settings.threshold_4, three=settings.threshold_3
    )


def mark_rows(marks):
    """(student, value, date, weight, work type short name, category) of the marks of
    lessons that took place, in journal order."""
    return (
        marks.exclude(work__lesson__status=LessonStatus.CANCELLED)
        .values_list(
            "student_id",
            "value",
            "work__lesson__date",
            "work__work_type__weight",
            "work__work_type__short_name",
            "work__work_type__category",
        )
        .order_by("work__lesson__date", "work__lesson__number", "work__position", "work_id")
    )


@dataclass(frozen=True)
class CarriedMark:
    student_id: int
    date: dt.date
    value: str
    weight: Decimal
    work_short: str
    written: bool


def marks_carried_in(
    *, group_id: int, subject_id: int, joined: dict[int, dt.date], start: dt.date
) -> dict[int, list[CarriedMark]]:
    """The marks a student brings into a group joined after ``start`` (a transfer from
    another class): the same subject's marks of the other groups, dated from ``start`` to
    the day before joining, so that the period's average follows the student.
    ``joined``: student -> first day in the group. One query, none when nobody joined late."""
    if not joined:
        return {}
    rows = mark_rows(
        Mark.objects.filter(
            student_id__in=list(joined),
            work__lesson__subject_id=subject_id,
            work__lesson__date__gte=start,
            work__lesson__date__lt=max(joined.values()),
        ).exclude(work__lesson__group_id=group_id)
    )
    carried: dict[int, list[CarriedMark]] = defaultdict(list)
    for student_id, value, day, weight, short, category in rows:
        if day < joined[student_id]:
            carried[student_id].append(
                CarriedMark(student_id, day, value, weight, short, category in WRITTEN_CATEGORIES)
            )
    return dict(carried)
