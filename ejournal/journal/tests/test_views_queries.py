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


def test_the_rows_totals_of_a_save_cost_two_queries_whatever_the_rows(world, client_for):
    import json

    from ejournal.journal.models import Work

    pages = Pages(world)
    for _ in range(15):
        f.enroll(f.StudentFactory(school=world.school), world.school_class)
    students = list(world.school_class.enrollments.values_list("student_id", flat=True))
    work = Work.objects.get(lesson=pages.lesson)
    client = client_for("teacher")

    def save(student_ids, value, totals):
        cells = [
            {"k": "m", "l": pages.lesson.pk, "w": work.pk, "s": s, "v": value, "ver": None}
            for s in student_ids
        ]
        body = {"cells": cells, **({"totals": totals} if totals else {})}
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(
                reverse("journal:cells_save"), json.dumps(body), content_type="application/json"
            )
        assert response.status_code == 200, response.content
        return len(ctx.captured_queries), response.json()

    totals = {"from": "2026-11-01", "to": "2026-12-28"}
    with at("2026-11-16 10:00"):
        save(students[1:2], "5", totals)  # warm-up: the settings rows on first use
        two_plain, _ = save(students[2:4], "5", None)
        two_totals, two = save(students[4:6], "4", totals)
        six_plain, _ = save(students[6:12], "5", None)
        six_totals, six = save(students[12:18], "3", totals)
    assert two_totals - two_plain == six_totals - six_plain == 2
    assert two["rows"][str(students[4])] == {"avg": "4,00", "hint": 4, "debts": 0}
    assert set(six["rows"]) == {str(s) for s in students[12:18]}
