"""The grid: who shows on which dates, averages, locks, and a constant number of queries."""

import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ejournal.core.jinja2 import render_fragment
from ejournal.journal import selectors
from ejournal.journal.models import (
    Attendance,
    Homework,
    HomeworkAttachment,
    Mark,
    Work,
    WorkType,
)
from ejournal.journal.tests.page_helpers import Pages, at
from ejournal.schedule.models import Lesson
from ejournal.testing import factories as f
from ejournal.testing.queries import exact_queries

NOV = dt.date(2026, 11, 1)


def grid_for(world, staff, start=dt.date(2026, 11, 5), end=dt.date(2026, 12, 28)):
    return selectors.journal_grid(
        group=world.group, subject=world.subject, start=start, end=end, staff=staff
    )


def cells(row):
    """The row's cells as the grid's table writes them."""
    grid = SimpleNamespace(start=NOV, end=NOV, columns=[], heads=[], rows=[row])
    html = render_fragment("journal/table.html", grid=grid, cells_url="")
    body = html.split("<tbody>")[1]
    return re.findall(r"<td[^>]*>.*?</td>", body)[:-2]  # without the average and debts


def test_a_student_who_joined_mid_period_shows_only_from_their_date(world):
    pages = Pages(world)
    later = pages.lesson_on(dt.date(2026, 11, 23))
    newcomer = f.StudentFactory(school=world.school, last_name="Яковлев")
    f.enroll(newcomer, world.school_class, date_from=dt.date(2026, 11, 20))
    Work.objects.create(lesson=later, work_type=pages.types["Тест"])
    with at("2026-11-23 10:00"):
        grid = grid_for(world, pages.teacher)
    row = next(r for r in grid.rows if r.student == newcomer)
    assert row.joined == dt.date(2026, 11, 20)
    # 16.11: one work + attendance, blank and disabled; 23.11: one work + attendance, inputs.
    assert cells(row) == [
        '<td class="x"></td>',
        '<td class="x"></td>',
        '<td><input value="" data-v=""></td>',
        '<td><input value="" data-v=""></td>',
    ]


def test_a_student_who_left_shows_only_until_their_date(world):
    pages = Pages(world)
    pages.lesson_on(dt.date(2026, 11, 23))
    leaver = world.students[2]
    enrollment = leaver.enrollments.get()
    enrollment.date_to = dt.date(2026, 11, 18)
    enrollment.save()
    with at("2026-11-23 10:00"):
        grid = grid_for(world, pages.teacher)
    row = next(r for r in grid.rows if r.student == leaver)
    assert row.left == dt.date(2026, 11, 18)
    assert [c == '<td class="x"></td>' for c in cells(row)] == [False, False, True, True]


def test_weighted_average_counts_numeric_marks_and_debts_separately(world):
    pages = Pages(world)  # a «4» for «Ответ на уроке» (weight 1)
    control = Work.objects.create(lesson=pages.lesson, work_type=pages.types["Контрольная работа"])
    Mark.objects.create(work=control, student=pages.student, value="5", numeric=5)  # weight 2
    essay = Work.objects.create(lesson=pages.lesson, work_type=pages.types["Тест"])
    Mark.objects.create(work=essay, student=pages.student, value="dot")
    other = pages.lesson_on(dt.date(2026, 11, 17))
    extra = Work.objects.create(lesson=other, work_type=pages.types["Ответ на уроке"])
    Mark.objects.create(work=extra, student=pages.student, value="osv")
    with at("2026-11-17 10:00"):
        grid = grid_for(world, pages.teacher)
    row = next(r for r in grid.rows if r.student == pages.student)
    assert row.average == "4,67"  # (4·1 + 5·2) / 3
    assert row.suggested == 5  # x.5 rounds up by default
    assert row.debts == 1
    assert [c.label for c in grid.heads[0].columns] == ["Отв", "КР", "Тест", "п"]


def test_weights_follow_the_school_settings(world):
    pages = Pages(world)
    control = Work.objects.create(lesson=pages.lesson, work_type=pages.types["Контрольная работа"])
    Mark.objects.create(work=control, student=pages.student, value="2", numeric=2)
    WorkType.objects.filter(pk=pages.types["Контрольная работа"].pk).update(weight=Decimal("3"))
    grid = grid_for(world, pages.teacher)
    row = next(r for r in grid.rows if r.student == pages.student)
    assert row.average == "2,50"  # (4·1 + 2·3) / 4


def test_closed_columns_are_locked_for_the_teacher_before_typing(world):
    pages = Pages(world)
    pages.lesson_on(dt.date(2026, 11, 27))
    with at("2026-11-27 10:00"):
        grid = grid_for(world, pages.teacher)
    old, today = grid.heads
    mark_column, attendance_column = old.columns
    assert not mark_column.writable and mark_column.correctable
    assert "Срок выставления отметок" in mark_column.lock
    assert "Посещаемость отмечается только в день урока" in attendance_column.lock
    assert all(c.writable for c in today.columns)
    assert today.is_current and grid.current_lesson_id == today.lesson.pk
    row = grid.rows[0]
    assert cells(row)[0] == "<td>4</td>"


def test_readers_get_no_inputs_and_no_locks(world):
    Pages(world)
    with at("2026-11-16 10:00"):
        grid = grid_for(world, world.staff["deputy"])
    assert not grid.writable
    assert all(not c.writable and not c.lock for h in grid.heads for c in h.columns)
    assert not any(state for r in grid.rows for *_, state in r.cells)


def test_grade_one_grid_has_attendance_only(world):
    first = f.ClassFactory(school=world.school, year=world.year, grade=1, letter="В")
    group = f.GroupFactory(school_class=first, name="1В")
    kid = f.StudentFactory(school=world.school)
    f.enroll(kid, first)
    f.make_lesson(group, world.subject, world.staff["teacher"], dt.date(2026, 11, 16))
    with at("2026-11-16 10:00"):
        grid = selectors.journal_grid(
            group=group,
            subject=world.subject,
            start=dt.date(2026, 11, 5),
            end=dt.date(2026, 12, 28),
            staff=world.staff["teacher"],
        )
    assert "В 1 классе отметки не выставляются" in grid.no_marks_reason
    assert [c.kind for c in grid.heads[0].columns] == ["a"]


def test_cancelled_lessons_are_not_columns(world):
    pages = Pages(world)
    pages.lesson_on(dt.date(2026, 11, 18), status="cancelled")
    grid = grid_for(world, pages.teacher)
    assert [h.lesson.pk for h in grid.heads] == [pages.lesson.pk]


def test_the_grid_opens_on_the_period_containing_today(world, client_for):
    Pages(world)
    url = reverse("journal:grid", args=[world.group.pk, world.subject.pk])
    with at("2026-11-16 10:00"):
        response = client_for("teacher").get(url)
    assert response.context["period"].name == "2 четверть"
    assert 'id="current"' in response.content.decode()


# --- Query counts ------------------------------------------------------------------------


class Big:
    """5Б: 30 students taught mathematics by «teacher»; shaped like the role world."""

    def __init__(self, world, n_students=30):
        self.school_class = f.ClassFactory(school=world.school, year=world.year, letter="Б")
        self.group = f.GroupFactory(school_class=self.school_class, name="5Б")
        self.subject = world.subject
        f.load(self.group, self.subject, world.staff["teacher"])
        self.students = []
        for i in range(n_students):
            student = f.StudentFactory(school=world.school, last_name=f"Большой{i:02d}")
            f.enroll(student, self.school_class)
            self.students.append(student)


def _full_period(big, teacher, types, start=dt.date(2026, 11, 5), end=dt.date(2026, 12, 28)):
    """Four lessons a week through the period, two works each, marks and some absences."""
    day = start
    marks, absences, first = [], [], None
    while day <= end:
        if day.weekday() < 4:
            lesson = f.make_lesson(big.group, big.subject, teacher, day)
            first = first or lesson
            for type_name in ("Ответ на уроке", "Самостоятельная работа"):
                work = Work.objects.create(lesson=lesson, work_type=types[type_name])
                marks += [
                    Mark(work=work, student=s, value=str(3 + i % 3), numeric=3 + i % 3)
                    for i, s in enumerate(big.students)
                ]
            absences += [Attendance(lesson=lesson, student=s, code="n") for s in big.students[::9]]
        day += dt.timedelta(days=1)
    Mark.objects.bulk_create(marks)
    Attendance.objects.bulk_create(absences)
    return first


# Queries of one open of the grid and of the lesson page by their teacher (session, roles,
# school context, the page's selectors). A change here is a change in cost: say why.
GRID_QUERIES = 16
LESSON_PAGE_QUERIES = 20


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_grid_page_queries_do_not_grow_with_students_or_lessons(world, client_for):
    pages = Pages(world)
    pages.lesson_on(dt.date(2026, 11, 17))
    small_url = reverse("journal:grid", args=[world.group.pk, world.subject.pk])
    big = Big(world)
    _full_period(big, pages.teacher, pages.types)
    big_url = reverse("journal:grid", args=[big.group.pk, big.subject.pk])
    with at("2026-12-28 10:00"):
        client = client_for("teacher")  # signed in at the frozen time: the session is fresh
        _count(client, small_url)  # the first open creates the school's journal settings
        # The exact cost (the SQL is printed on failure), the same for 30 × 30 cells.
        with exact_queries(GRID_QUERIES):
            assert client.get(small_url).status_code == 200
        with exact_queries(GRID_QUERIES):
            response = client.get(big_url)
    body = response.content.decode()
    assert body.count("<tr data-s=") == 30
    lessons = Lesson.objects.filter(group=big.group).count()
    assert lessons >= 30
    assert body.count('<th scope="col" data-k="a"') == lessons  # every lesson of the period


def test_lesson_page_queries_do_not_grow_with_students(world, client_for):
    pages = Pages(world)
    big = Big(world)
    first = _full_period(big, pages.teacher, pages.types, end=dt.date(2026, 11, 16))
    # The same shape as the small lesson: individual homework with an attachment.
    homework = Homework.objects.create(lesson=first, text="№ 5", is_individual=True)
    homework.students.set(big.students[:3])
    HomeworkAttachment.objects.create(
        homework=homework, file="x.txt", original_name="x.txt", content_type="text/plain", size=1
    )
    pages.homework.students.set(world.students[:1])
    with at("2026-11-05 10:00"):
        client = client_for("teacher")
        small_url = reverse("journal:lesson", args=[pages.lesson.pk])
        _count(client, small_url)
        # The exact cost (the SQL is printed on failure), the same for 30 students.
        with exact_queries(LESSON_PAGE_QUERIES):
            assert client.get(small_url).status_code == 200
        with exact_queries(LESSON_PAGE_QUERIES):
            response = client.get(reverse("journal:lesson", args=[first.pk]))
    assert response.content.decode().count("<tr data-s=") == 30


def test_a_closed_column_links_to_the_correction_form(world, client_for):
    pages = Pages(world)
    url = reverse("journal:grid", args=[world.group.pk, world.subject.pk])
    with at("2026-11-30 10:00"):
        body = client_for("teacher").get(url).content.decode()
        deputy_body = client_for("deputy").get(url).content.decode()
    fix = reverse("journal:correction_create", args=[pages.lesson.pk])
    assert f'data-fix="{fix}?kind=mark&amp;work={pages.work.pk}"' in body
    assert f'data-fix="{fix}?kind=attendance"' in body
    assert "Срок выставления отметок за работу «Ответ на уроке» истёк 23.11.2026" in body
    assert "data-fix" not in deputy_body and "lock-icon" not in deputy_body
