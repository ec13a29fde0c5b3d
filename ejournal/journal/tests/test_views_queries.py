"""The list pages run a fixed number of queries whatever the amount of data."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ejournal.journal.models import Attendance, CorrectionRequest
from ejournal.journal.tests.page_helpers import Pages, at
from ejournal.testing import factories as f


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more_classes(world, n):
    """``n`` more classes, each with a group, a load and a pending correction request."""
    for i in range(n):
        school_class = f.ClassFactory(school=world.school, year=world.year, grade=7, letter=str(i))
        group = f.GroupFactory(school_class=school_class, name=f"7{i}")
        teacher = world.staff["teacher"]
        f.load(group, world.subject, teacher)
        lesson = f.make_lesson(group, world.subject, teacher, dt.date(2026, 11, 16), number=i + 2)
        student = f.StudentFactory(school=world.school)
        f.enroll(student, school_class)
        CorrectionRequest.objects.create(
            school=world.school,
            lesson=lesson,
            kind="attendance",
            student=student,
            new_value={"code": "b", "late_minutes": None},
            reason="Справка от врача",
            requested_by=world.users["teacher"],
        )


def test_journal_list_and_corrections_do_not_grow(world, client_for, django_assert_num_queries):
    Pages(world)
    urls = [reverse("journal:index"), reverse("journal:corrections")]
    with at("2026-11-16 10:00"):
        clients = {role: client_for(role) for role in ("deputy", "teacher")}
        for client in clients.values():
            for url in urls:
                _count(client, url)  # warm-up
        small = {(role, url): _count(c, url) for role, c in clients.items() for url in urls}
        _more_classes(world, 8)
        for (role, url), expected in small.items():
            with django_assert_num_queries(expected):
                response = clients[role].get(url)
            assert response.status_code == 200
        pending = clients["deputy"].get(reverse("journal:corrections")).content.decode()
    assert pending.count("Справка от врача") == 8


def test_attendance_week_does_not_grow(world, client_for, django_assert_num_queries):
    pages = Pages(world)
    url = reverse("journal:attendance_week", args=[world.school_class.pk]) + "?week=2026-11-16"
    with at("2026-11-18 10:00"):
        client = client_for("homeroom")
        _count(client, url)
        expected = _count(client, url)
        for number in range(2, 7):
            lesson = pages.lesson_on(dt.date(2026, 11, 17), number=number)
            Attendance.objects.bulk_create(
                Attendance(lesson=lesson, student=s, code="n") for s in world.students
            )
        with django_assert_num_queries(expected):
            response = client.get(url)
    assert response.content.decode().count('name="attendance"') == 16
