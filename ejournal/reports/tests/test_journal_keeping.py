import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from ejournal.attestation.models import PeriodMark
from ejournal.journal.models import (
    Attendance,
    CorrectionRequest,
    CorrectionStatus,
    Homework,
    LessonRecord,
    Mark,
)
from ejournal.reports.builders.journal_keeping import journal_keeping
from ejournal.reports.tests.conftest import assert_page_roles, d, page_roles
from ejournal.reports.tests.helpers import pdf_text, report_url, xlsx_text
from ejournal.schedule.models import LessonStatus
from ejournal.testing import factories as f

NOW = dt.datetime(2026, 10, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _at(day, hour=12):
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def keeping(rw):
    """Week 12–18.10.2026, 5А Математика (1 h/week: 3 marks needed), teacher "teacher":
    - 12.10 held, topic, homework, an absence; marks: 5 on time, 4 entered 20.10 (late,
      7-day window ended 19.10), 3 late but approved by the deputy;
    - 14.10 held with a topic, no homework;
    - 16.10 never confirmed: no topic, no attendance, no homework;
    - a cancelled lesson on 15.10 does not count; a pending correction request;
    - a period mark entered 13.10 that departs from the average."""
    from decimal import Decimal

    from ejournal.school.models import TeachingLoad

    w = rw.w
    TeachingLoad.objects.filter(group=w.group).update(hours_per_week=Decimal("1"))
    s0, s1, s2 = w.students
    first = rw.lesson(d(10, 12), status=LessonStatus.HELD)
    LessonRecord.objects.create(lesson=first, topic="Дроби")
    Homework.objects.create(lesson=first, text="№ 1")
    Attendance.objects.create(lesson=first, student=s2, code="n")
    m0 = rw.mark(s0, d(10, 12), "5")
    m1 = rw.mark(s1, d(10, 12), "4")
    m2 = rw.mark(s2, d(10, 12), "3")
    Mark.objects.filter(pk=m0.pk).update(created_at=_at(d(10, 12)))
    Mark.objects.filter(pk__in=[m1.pk, m2.pk]).update(created_at=_at(d(10, 20), 8))
    second = rw.lesson(d(10, 14), status=LessonStatus.HELD)
    LessonRecord.objects.create(lesson=second, topic="Дроби 2")
    rw.lesson(d(10, 16))
    rw.lesson(d(10, 15), status=LessonStatus.CANCELLED, number=2)
    requester = w.users["teacher"]
    CorrectionRequest.objects.create(
        school=w.school,
        lesson=first,
        kind="mark",
        work=m2.work,
        student=s2,
        new_value={"value": "3"},
        reason="проверка",
        status=CorrectionStatus.APPROVED,
        requested_by=requester,
    )
    CorrectionRequest.objects.create(
        school=w.school,
        lesson=second,
        kind="topic",
        new_value={"topic": "x"},
        reason="опечатка",
        requested_by=requester,
    )
    pm = rw.period_mark(s0, w.subject, "2")
    PeriodMark.objects.filter(pk=pm.pk).update(
        needs_review=True, entered_by=requester, entered_at=_at(d(10, 13))
    )
    return rw


def test_journal_keeping_figures(keeping):
    w = keeping.w
    report = journal_keeping(
        school=w.school, year=w.year, start=d(10, 12), end=d(10, 18), today=d(10, 20)
    )
    k = report.total
    assert k.lessons == 3
    assert k.without_topic == 1
    assert k.without_homework == 2
    assert k.attendance_unmarked == 1
    assert k.marks == 3
    assert k.late_marks == 1
    # 3 marks / (3 lessons × 3 students)
    assert str(k.density) == "0.33"
    # 1 h a week needs 3 marks in the quarter: every student has one.
    assert k.too_few_marks == 3
    assert k.period_marks == 1 and k.deviating == 1
    assert k.open_corrections == 1
    [(teacher, by_teacher)] = report.by_teacher()
    assert teacher == keeping.teacher and by_teacher.lessons == 3
    assert [name for name, _ in report.by_class()] == ["5А"]
    assert list(report.weeks) == [d(10, 12)]


def test_journal_keeping_constant_queries(keeping, django_assert_num_queries):
    w = keeping.w
    args = dict(school=w.school, year=w.year, start=d(10, 1), end=d(10, 18), today=d(10, 20))
    journal_keeping(**args)
    with django_assert_num_queries(16) as small:
        journal_keeping(**args)
    other = f.GroupFactory(school_class=w.other_class, name="6Б")
    for i in range(6):
        student = f.StudentFactory(school=w.school)
        f.enroll(student, w.other_class)
        keeping.mark(student, d(10, 1 + i), "4", group=other)
        keeping.mark(w.students[i % 3], d(10, 1 + i), "5")
    with django_assert_num_queries(len(small.captured_queries)):
        journal_keeping(**args)


PAGE_ROLES = page_roles(teacher=200, homeroom=200)


@pytest.mark.parametrize("role,status", PAGE_ROLES.items())
def test_journal_keeping_page_roles(client_for, keeping, role, status):
    assert_page_roles(client_for, "journal-keeping", role, status)


def test_teacher_sees_own_lessons_homeroom_sees_the_class(client_for, keeping):
    w = keeping.w
    f.make_lesson(w.group, w.subject, w.staff["homeroom"], d(10, 13), number=3)
    # "teacher" is also the homeroom teacher of 6Б: «все классы» gives their own lessons.
    params = {"year": "2026/2027", "start": "2026-10-12", "end": "2026-10-18", "school_class": ""}
    page = client_for("teacher").get(report_url("journal-keeping", **params)).content.decode()
    assert keeping.teacher.short_name in page
    assert w.staff["homeroom"].short_name not in page
    params["school_class"] = w.school_class.pk
    page = client_for("homeroom").get(report_url("journal-keeping", **params)).content.decode()
    assert keeping.teacher.short_name in page and w.staff["homeroom"].short_name in page


def test_journal_keeping_downloads_and_start_page(client_for, keeping):
    params = {"year": "2026/2027", "start": "2026-10-12", "end": "2026-10-18"}
    client = client_for("deputy")
    xlsx = xlsx_text(client.get(report_url("journal-keeping", format="xlsx", **params)).content)
    assert "Отметок позже срока\t1" in xlsx
    assert "0,33" in xlsx or "0.33" in xlsx
    pdf = pdf_text(client.get(report_url("journal-keeping", format="pdf", **params)).content)
    assert "Заполнение журнала" in pdf and "0,33" in pdf
    start = client_for("teacher").get("/").content.decode()
    assert "Ведение журнала за неделю" in start
    assert "Уроки без темы: 1" in start
    assert "Посещаемость не отмечена: 1" in start
