"""Programme fulfilment (выполнение программы): exact figures for hand-built cases, the
class and school scopes, and a query count that does not grow with the school."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ejournal.journal.models import LessonRecord
from ejournal.planning import selectors
from ejournal.planning.tests.conftest import item, weekdays
from ejournal.schedule.models import LessonStatus, ScheduleChange, ScheduleChangeKind
from ejournal.testing import factories as f

TODAY = dt.date(2026, 9, 15)
D = lambda day: dt.date(2026, 9, day)  # noqa: E731


@pytest.fixture
def hand_built(pw):
    """Plan without dates: А1 Б2 В1 Г1 Д3 Е4 = 12 h. Lessons up to 15.09 (today):

    01 held+topic, 02 held+topic, 03 held without topic, 04 cancelled, 07 cancelled,
    08 planned (past, no topic), 09 held+topic, 10 extra make-up held+topic,
    11 moved → 14 (planned, past, no topic), 15 planned (today), 16 planned (future).
    """
    pw.plan(items=[item("А"), item("Б", 2), item("В"), item("Г"), item("Д", 3), item("Е", 4)])
    for day in (1, 2, 9):
        pw.document(pw.lesson(D(day)))
    pw.lesson(D(3), status=LessonStatus.HELD)
    pw.lesson(D(4), status=LessonStatus.CANCELLED)
    pw.lesson(D(7), status=LessonStatus.CANCELLED)
    pw.lesson(D(8))
    extra = pw.document(pw.lesson(D(10), number=6))
    ScheduleChange.objects.create(
        school=pw.w.school, kind=ScheduleChangeKind.EXTRA, lesson=extra, new_lesson=extra
    )
    moved = pw.lesson(D(11), status=LessonStatus.MOVED)
    pw.lesson(D(14), number=7, moved_from=moved)
    pw.lesson(D(15))
    pw.lesson(D(16))
    return pw


def the_row(pw, today=TODAY):
    rows = selectors.fulfilment_rows(year=pw.year, today=today)
    assert len(rows) == 1
    return rows[0]


def figures(row):
    return {
        "plan_hours": row.plan_hours,
        "planned_by": row.planned_by,
        "planned_to_date": row.planned_to_date,
        "held": row.held,
        "documented": row.documented,
        "covered": row.covered,
        "lag": row.lag,
        "overdue_items": row.overdue_items,
        "remaining_items": row.remaining_items,
        "without_topic": row.without_topic,
        "cancelled": row.cancelled,
        "cancelled_not_made_up": row.cancelled_not_made_up,
    }


HAND_BUILT = {
    "plan_hours": 12,
    "planned_by": "lessons",
    # Timetable lessons to date: 01 02 03 04 07 08 09 14 15 (the extra and the moved
    # original do not count; cancelled ones were due).
    "planned_to_date": 9,
    "held": 5,  # 01 02 03 09 10
    "documented": 4,  # 01 02 09 10
    "covered": 4,  # А, Б (2 h), В
    "lag": 5,
    "overdue_items": 3,  # Г (hour 5), Д (6–8), Е (9–12) start by hour 9
    "remaining_items": 3,
    "without_topic": 3,  # 03 held, 08 and 14 past
    "cancelled": 2,
    "cancelled_not_made_up": 1,  # one make-up for two cancellations
}


def test_hand_built_fulfilment_figures_are_exact(hand_built):
    row = the_row(hand_built)
    assert figures(row) == HAND_BUILT
    assert [number for number, *_ in row.overdue] == [4, 5, 6]


def test_course_detail_agrees_with_the_school_report(hand_built):
    pw = hand_built
    detail = selectors.fulfilment_detail(
        group=pw.group, subject=pw.subject, teachers=["x"], today=TODAY
    )
    assert figures(detail.fulfilment) == HAND_BUILT
    assert [lesson.date.day for lesson in detail.lessons_without_topic] == [3, 8, 14]
    assert [lesson.date.day for lesson in detail.cancelled_lessons] == [4, 7]
    covered = {i.topic: [x.date.day for x in detail.coverage.get(i.id, [])] for i in detail.items}
    assert covered == {"А": [1], "Б": [2, 9], "В": [10], "Г": [], "Д": [], "Е": []}


def test_a_newly_documented_lesson_reduces_the_lag(hand_built):
    pw = hand_built
    lesson = pw.group.lessons.get(date=D(8))
    pw.document(lesson)
    row = the_row(pw)
    assert (row.covered, row.lag, row.without_topic) == (5, 4, 2)


def test_planned_dates_decide_what_is_due_when_every_item_has_one(pw):
    pw.plan(
        items=[
            item("А", planned_date=D(1)),
            item("Б", 2, planned_date=D(2)),
            item("В", planned_date=D(8)),
            item("Г", planned_date=D(20)),
        ]
    )
    for day in (1, 2):
        pw.document(pw.lesson(D(day)))
    row = the_row(pw)
    assert (row.planned_by, row.planned_to_date, row.covered, row.lag) == ("dates", 4, 2, 2)
    assert (row.overdue_items, row.remaining_items) == (2, 3)  # Б (half done) and В are due
    assert [topic for _, topic, _, _ in row.overdue] == ["Б", "В"]


def test_course_without_plan_shows_lessons_but_no_lag(pw):
    pw.document(pw.lesson(D(1)))
    pw.lesson(D(2))
    row = the_row(pw, today=D(3))
    assert row.plan is None
    assert (row.held, row.lag, row.planned_to_date, row.without_topic) == (1, 0, 0, 1)


def test_grade_plan_counts_for_a_class_without_own_plan(pw):
    pw.plan(items=[item("А"), item("Б")], grade=5)
    pw.document(pw.lesson(D(1)))
    row = the_row(pw, today=D(1))
    assert row.plan.grade == 5
    assert (row.plan_hours, row.planned_to_date, row.covered, row.lag) == (2, 1, 1, 0)


def test_totals_sum_lag_of_courses_behind_only(hand_built):
    pw = hand_built
    groups = []
    for letter in "ВГ":
        cls = f.ClassFactory(school=pw.w.school, year=pw.year, grade=6, letter=letter)
        group = f.GroupFactory(school_class=cls, name=f"6{letter}")
        f.load(group, pw.subject, pw.teacher)
        groups.append(group)
    ahead, behind = groups
    # 6В: topics dated 10.09 and 11.09, one taught early → 1 h ahead.
    pw.plan(items=[item("А", planned_date=D(10)), item("Б", planned_date=D(11))], group=ahead)
    pw.document(pw.lesson(D(1), group=ahead))
    # 6Г: lessons 01 (no topic) and 02 (topic) → 2 due, 1 covered → 1 h behind.
    pw.plan(items=[item("А"), item("Б")], group=behind)
    pw.lesson(D(1), group=behind, number=2)
    pw.document(pw.lesson(D(2), group=behind, number=2))
    rows = selectors.fulfilment_rows(year=pw.year, today=D(2))
    # 5А on 02.09: lessons 01 and 02 due and documented → on plan.
    assert [(str(r.group), r.lag) for r in rows] == [("5А", 0), ("6В", -1), ("6Г", 1)]
    totals = selectors.fulfilment_totals(rows)
    assert (totals.courses, totals.behind, totals.lag, totals.without_topic) == (3, 1, 1, 1)
    class_rows = selectors.fulfilment_rows(
        year=pw.year, today=D(2), school_class=behind.school_class
    )
    assert [str(r.group) for r in class_rows] == ["6Г"]


def test_fulfilment_as_of_an_earlier_date_ignores_later_lessons(hand_built):
    row = the_row(hand_built, today=D(2))
    assert (row.planned_to_date, row.held, row.covered, row.lag) == (2, 2, 2, 0)


def build_school(pw, n_groups: int):
    """n classes of grade 6 with a load, a plan (every other one shares the grade plan)
    and documented lessons."""
    pw.plan(items=[item("Общая", 30)], grade=6)
    for i in range(n_groups):
        cls = f.ClassFactory(school=pw.w.school, year=pw.year, grade=6 + (i % 2), letter=f"К{i}")
        group = f.GroupFactory(school_class=cls, name=f"Группа {i}")
        f.load(group, pw.subject, pw.teacher, Decimal("3"))
        if i % 2:
            pw.plan(items=[item("Своя", 10), item("Ещё", 20)], group=group)
        for day in weekdays(D(1), 4):
            lesson = pw.lesson(day, group=group, number=i % 7 + 1)
            if day.day % 2:
                LessonRecord.objects.create(lesson=lesson, topic="т")
                lesson.status = LessonStatus.HELD
                lesson.save()


def count_queries(pw):
    with CaptureQueriesContext(connection) as ctx:
        rows = selectors.fulfilment_rows(year=pw.year, today=TODAY)
        selectors.fulfilment_totals(rows)
    return len(ctx.captured_queries), len(rows)


def test_whole_school_fulfilment_runs_a_constant_number_of_queries(pw, world):
    build_school(pw, 2)
    small, n_small = count_queries(pw)
    build_school_more = 18
    for i in range(build_school_more):
        cls = f.ClassFactory(school=pw.w.school, year=pw.year, grade=6, letter=f"Д{i}")
        group = f.GroupFactory(school_class=cls, name=f"Доп {i}")
        f.load(group, pw.subject, pw.teacher, Decimal("3"))
        for day in weekdays(D(1), 4):
            pw.document(pw.lesson(day, group=group, number=i % 7 + 1))
    large, n_large = count_queries(pw)
    assert (n_small, n_large) == (3, 21)  # world's 5А plus the built groups
    assert small == large == 4
