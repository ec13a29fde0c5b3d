"""The journal grid of a group × subject over a range: lessons and their works as columns,
students as rows, with weighted averages; the markup is the Jinja2 fragment
journal/table.html."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from ejournal.accounts.models import Role, StaffMember, Student
from ejournal.core import rawsql
from ejournal.journal import averages, rules
from ejournal.journal.models import (
    JournalSettings,
    Work,
    WorkCategory,
    WorkType,
)
from ejournal.journal.permissions import (
    can_write_lesson,
)
from ejournal.journal.selectors.marks import (
    DEFAULT_WORK_SHORT,
    SHOWN_STATUSES,
    marks_carried_in,
    policy_of,
    settings_of,
)
from ejournal.journal.selectors.reads import (
    DEFAULT_TYPE_SQL,
    GRID_ATTENDANCE_SQL,
    GRID_MARKS_SQL,
    Cell,
    _grid_lessons,
    _grid_works,
    _members,
    _row,
    _shown_average,
)
from ejournal.journal.services import DEFAULT_WORK_TYPE_NAME
from ejournal.schedule.models import Lesson
from ejournal.schedule.permissions import teacher_role_in
from ejournal.school import selectors as school_selectors
from ejournal.school.models import (
    SchoolClass,
    StudyGroup,
    Subject,
)


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
