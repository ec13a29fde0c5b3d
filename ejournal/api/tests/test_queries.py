"""List endpoints run a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ejournal.api.tests.conftest import at
from ejournal.journal.models import Attendance, Homework, Mark, Work
from ejournal.messaging.models import Announcement, Conversation, Message, Participant
from ejournal.schedule.models import TimetableEntry
from ejournal.testing import factories as f
from ejournal.testing.queries import exact_queries


def grow(world, journal, n: int) -> None:
    """``n`` more of everything: students, lessons with marks, classes, conversations."""
    teacher_user, parent = world.users["teacher"], world.users["parent"]
    for i in range(n):
        student = f.StudentFactory(school=world.school, last_name=f"Новый{n}_{i:03d}")
        f.enroll(student, world.school_class)
        f.ClassFactory(school=world.school, year=world.year, grade=7 + i % 4, letter=f"Л{n}{i}")
        lesson = f.make_lesson(
            world.group, world.subject, journal.teacher, dt.date(2026, 11, 17 + n % 2), number=i + 2
        )
        work = Work.objects.create(lesson=lesson, work_type=journal.types["Тест"])
        Mark.objects.create(work=work, student=world.child, value="4", numeric=4)
        Mark.objects.create(work=work, student=student, value="3", numeric=3)
        Attendance.objects.create(lesson=lesson, student=student, code="n")
        Homework.objects.create(lesson=lesson, text=f"№ {i}", due_date=dt.date(2026, 11, 20))
        conversation = Conversation.objects.create(
            school=world.school, subject=f"Тема {i}", last_message_at=timezone.now()
        )
        Participant.objects.create(conversation=conversation, user=teacher_user)
        Participant.objects.create(conversation=conversation, user=parent)
        Message.objects.create(conversation=conversation, sender=teacher_user, body="<p>…</p>")
        TimetableEntry.objects.create(
            school=world.school, weekday=1 + i % 5, number=2 + i, group=world.group,
            subject=world.subject, teacher=journal.teacher, valid_from=dt.date(2026, 9, 1),
        )  # fmt: skip
        Announcement.objects.create(
            school=world.school, audience="school", title=f"О{i}", body="…",
            publish_from=dt.date(2026, 11, 1),
        )  # fmt: skip


CASES = [
    ("deputy", "/api/v1/classes"),
    ("deputy", "/api/v1/classes/{class}/students"),
    ("teacher", "/api/v1/timetable?class_id={class}"),
    ("deputy", "/api/v1/lessons?date_from=2026-11-16&date_to=2026-11-22"),
    ("teacher", "/api/v1/lessons?date_from=2026-11-16&date_to=2026-11-22&mine=true"),
    ("teacher", "/api/v1/journals"),
    ("teacher", "/api/v1/lessons/{lesson}"),
    ("parent", "/api/v1/me"),
    ("parent", "/api/v1/students/{child}/diary?date=2026-11-16"),
    ("parent", "/api/v1/students/{child}/marks"),
    ("parent", "/api/v1/students/{child}/homework"),
    ("parent", "/api/v1/students/{child}/attendance"),
    ("parent", "/api/v1/students/{child}/lessons"),
    ("parent", "/api/v1/conversations"),
    ("parent", "/api/v1/announcements"),
]


@pytest.mark.parametrize(("role", "path"), CASES)
def test_query_count_does_not_grow_with_data(
    api, world, journal, role, path, django_assert_num_queries
):
    url = path.format(
        child=world.child.pk, lesson=journal.lesson.pk, **{"class": world.school_class.pk}
    )
    client = api.client(role)
    grow(world, journal, 1)  # one of everything: prefetches of empty lists cost nothing
    with at("2026-11-16 18:00"):
        client.get(url)  # warm-up: the token's "last used" is written once a minute
        with CaptureQueriesContext(connection) as small:
            assert client.get(url).status_code == 200
        grow(world, journal, 12)
        with django_assert_num_queries(len(small.captured_queries)):
            response = client.get(url)
    assert response.status_code == 200


# Queries of one REST diary week (token, school context, the week's selectors). A change is
# a change in cost: say why.
DIARY_WEEK_QUERIES = 6


def test_the_diary_week_runs_exactly_its_queries_whatever_the_rows(api, world, journal):
    url = f"/api/v1/students/{world.child.pk}/diary?date=2026-11-16"
    client = api.client("parent")
    grow(world, journal, 1)
    with at("2026-11-16 18:00"):
        client.get(url)  # warm-up: the token's "last used" is written once a minute
        # The exact cost (the SQL is printed on failure), the same with 12 more lessons.
        with exact_queries(DIARY_WEEK_QUERIES):
            assert client.get(url).status_code == 200
        grow(world, journal, 12)
        with exact_queries(DIARY_WEEK_QUERIES):
            response = client.get(url)
    assert response.status_code == 200
    lessons = [lesson for day in response.json()["days"] for lesson in day["lessons"]]
    assert len(lessons) >= 13
