import pytest
import time_machine

from ejournal.reports.tests.conftest import assert_page_roles, d, page_roles
from ejournal.reports.tests.helpers import pdf_text, report_url, xlsx_text
from ejournal.schedule.models import Lesson, LessonStatus


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-11-10 10:00 +0300", tick=False):
        yield


@pytest.fixture
def hours_world(rw):
    """Q1 (01.09–25.10: 39 study days = 7.8 weeks), 5А Математика 5 h/week by "teacher":
    three lessons; two held by the teacher, one by the homeroom teacher as a substitute.
    Period marks: «5», «4», «2»."""
    w = rw.w
    for day in (d(9, 1), d(9, 2), d(9, 3)):
        rw.lesson(day, status=LessonStatus.HELD)
    Lesson.objects.filter(date=d(9, 3)).update(actual_teacher=w.staff["homeroom"])
    rw.lesson(d(9, 4), status=LessonStatus.CANCELLED)
    for student, value in zip(w.students, ("5", "4", "2"), strict=True):
        rw.period_mark(student, w.subject, value)
    return rw


def test_teacher_hours_figures(hours_world):
    from ejournal.reports.builders.teacher_hours import teacher_hours

    w = hours_world.w
    q1 = hours_world.q1
    [row] = teacher_hours(
        school=w.school, year=w.year, start=q1.start, end=q1.end, today=d(11, 10), period=q1
    )
    assert str(row.load_hours) == "39.00"
    assert row.scheduled == 3 and row.held == 2 and row.taken_by_others == 1
    assert (row.marks.five, row.marks.four, row.marks.two) == (1, 1, 1)
    assert str(row.marks.quality) == "66.7" and str(row.marks.success) == "66.7"


PAGE_ROLES = page_roles(teacher=200, homeroom=200)


@pytest.mark.parametrize("role,status", PAGE_ROLES.items())
def test_teacher_hours_page_roles(client_for, hours_world, role, status):
    assert_page_roles(client_for, "teacher-hours", role, status)


def test_teacher_hours_downloads(client_for, hours_world):
    params = {"year": "2026/2027", "period": f"p{hours_world.q1.pk}"}
    client = client_for("teacher")
    xlsx = xlsx_text(client.get(report_url("teacher-hours", format="xlsx", **params)).content)
    assert "Качество знаний, %\t66.7" in xlsx
    assert "Проведено уроков\t2" in xlsx
    pdf = pdf_text(client.get(report_url("teacher-hours", format="pdf", **params)).content)
    assert "Учёт учебных часов" in pdf and "66,7" in pdf
    # The homeroom teacher has no load: their page lists nothing of the teacher's.
    other = client_for("homeroom").get(report_url("teacher-hours", **params)).content.decode()
    assert hours_world.teacher.short_name not in other
