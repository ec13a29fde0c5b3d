"""Query counts do not grow with the data: a diary week is a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ejournal.journal.models import Attendance, Homework
from ejournal.messaging import services as messaging
from ejournal.messaging.models import AnnouncementAudience
from ejournal.testing import factories as f
from ejournal.webapi.tests.conftest import MONDAY

WEEK = {"weekStart": "2026-11-16", "weekEnd": "2026-11-21"}


def _fill(dw, world, n):
    """n lessons across the week, each with marks for everyone, homework and a dot."""
    for i in range(n):
        subject = f.SubjectFactory(school=world.school)
        lesson = dw.lesson(MONDAY + dt.timedelta(days=i % 6), i // 6 + 1, subject=subject)
        for student in world.students:
            dw.put(lesson, student, "4", comment="хорошо")
        dw.put(lesson, world.child, "dot")
        Homework.objects.create(lesson=lesson, text=f"Задание {i}", due_date=MONDAY)
        dw.work(lesson, "control")
        Attendance.objects.create(lesson=lesson, student=world.child, code="n")
        messaging.announcement_create(
            actor=world.users["director"],
            school=world.school,
            audience=AnnouncementAudience.SCHOOL,
            title=f"Объявление {i}",
            body="<p>Текст</p>",
            publish_from=dt.date(2026, 11, 1),
        )


def _count(api, path, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path, **params)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "path",
    ["student/diary", "student/diary/pastMandatory", "announcements", "grade/assignment/types"],
)
def test_query_count_is_the_same_for_3_and_30_lessons(world, dw, api_for, today, path):
    params = {"studentId": world.child.pk, **WEEK}
    _fill(dw, world, 3)
    api = api_for("parent")
    api.get(path, **params)  # warm up: nothing cached, but the same path was taken once
    small = _count(api, path, **params)
    _fill(dw, world, 27)
    assert _count(api, path, **params) == small


def test_diary_week_query_budget(world, dw, api_for, today, django_assert_max_num_queries):
    _fill(dw, world, 10)
    api = api_for("parent")
    # Session (1), family (1), visit row (1), and the diary selector's week (9).
    with django_assert_max_num_queries(13):
        response = api.get("student/diary", studentId=world.child.pk, **WEEK)
    lessons = sum(len(d["lessons"]) for d in response.json()["weekDays"])
    assert lessons == 10
