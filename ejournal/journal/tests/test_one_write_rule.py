"""One rule decides who writes a lesson's journal, and every path obeys it: the grid's
save, the lesson page's forms, the REST API and the services themselves. A lesson moved
to another date or cancelled takes no entry on any of them (a Russian message, nothing
written); a teacher whose teacher role was taken away writes nothing; the lesson the
moved one became takes its entries."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from ejournal.accounts.models import Role, RoleAssignment
from ejournal.api import services as api_services
from ejournal.journal import services
from ejournal.journal.models import Attendance, Homework, LessonRecord, Mark, Work, WorkType
from ejournal.journal.tests.page_helpers import at
from ejournal.schedule import services as schedule_services
from ejournal.schedule.models import Lesson, LessonStatus
from ejournal.schedule.tests.helpers import bells
from ejournal.testing import factories as f

MONDAY = dt.date(2026, 11, 16)


@pytest.fixture
def lessons(world):
    services.work_types_ensure_defaults(school=world.school)
    teacher = world.staff["teacher"]
    moved = f.make_lesson(world.group, world.subject, teacher, MONDAY, number=1)
    cancelled = f.make_lesson(world.group, world.subject, teacher, MONDAY, number=2)
    normal = f.make_lesson(world.group, world.subject, teacher, MONDAY, number=4)
    bells(world.school)  # the deputy keyed in the bell schedule
    with at("2026-11-16 07:30"):
        change = schedule_services.schedule_change_move(
            school=world.school,
            lesson=moved,
            actor=world.users["deputy"],
            day=dt.date(2026, 11, 17),
            number=3,
            room="12",
            reason="Учитель на курсах",
        )
        schedule_services.schedule_change_cancel(
            school=world.school, lesson=cancelled, actor=world.users["deputy"], reason="Карантин"
        )
    moved.refresh_from_db()
    cancelled.refresh_from_db()
    assert moved.status == LessonStatus.MOVED and cancelled.status == LessonStatus.CANCELLED
    return {"moved": moved, "cancelled": cancelled, "normal": normal, "new": change.new_lesson}


def _nothing_written(lesson: Lesson) -> None:
    assert not Mark.objects.filter(work__lesson=lesson).exists()
    assert not Work.objects.filter(lesson=lesson).exists()
    assert not Attendance.objects.filter(lesson=lesson).exists()
    assert not Homework.objects.filter(lesson=lesson).exists()
    assert not LessonRecord.objects.filter(lesson=lesson).exclude(topic="").exists()


def _signed_in(world, role="teacher") -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _cells(client, lesson, student, value="5", kind="m"):
    cell = {"k": kind, "l": lesson.pk, "s": student.pk, "v": value, "ver": None}
    if kind == "m":
        cell["w"] = None
    response = client.post(
        reverse("journal:cells_save"), data={"cells": [cell]}, content_type="application/json"
    )
    return response, json.loads(response.content)


@pytest.mark.parametrize("which", ["moved", "cancelled"])
def test_the_grid_save_takes_no_entry_on_a_lesson_that_does_not_take_place(world, lessons, which):
    lesson = lessons[which]
    client = _signed_in(world)
    with at("2026-11-16 10:00"):
        for kind, value in (("m", "5"), ("a", "н")):
            _, data = _cells(client, lesson, world.students[0], value, kind)
            text = json.dumps(data, ensure_ascii=False)
            assert "перенесён" in text or "отменён" in text, text
    _nothing_written(lesson)


@pytest.mark.parametrize("which", ["moved", "cancelled"])
def test_the_lesson_page_forms_take_no_entry(world, lessons, which):
    lesson = lessons[which]
    client = _signed_in(world)
    with at("2026-11-16 10:00"):
        page = client.get(reverse("journal:lesson", args=[lesson.pk])).content.decode()
        assert "Сохранить тему" not in page and "Задать" not in page
        client.post(reverse("journal:lesson_record", args=[lesson.pk]), {"topic": "Дроби"})
        client.post(reverse("journal:homework_create", args=[lesson.pk]), {"text": "№ 1"})
        client.post(
            reverse("journal:work_create", args=[lesson.pk]),
            {"work_type": WorkType.objects.filter(school=world.school).first().pk},
        )
    _nothing_written(lesson)


@pytest.mark.parametrize("which", ["moved", "cancelled"])
def test_the_api_takes_no_entry(world, lessons, which):
    lesson = lessons[which]
    user = world.users["teacher"]
    _, raw = api_services.token_issue(user=user, actor=user, name="тест", scope="write", days=30)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    with at("2026-11-16 10:00"):
        response = client.put(
            f"/api/v1/lessons/{lesson.pk}/marks",
            json.dumps({"items": [{"student_id": world.students[0].pk, "value": "5"}]}),
            content_type="application/json",
        )
        read = client.get(f"/api/v1/lessons/{lesson.pk}")
    assert response.status_code in (404, 422), response.content
    if response.status_code == 422:
        assert response.json()["error"]["code"] == "rule_refused"
    if read.status_code == 200:
        assert read.json()["writable"] is False
    _nothing_written(lesson)


@pytest.mark.parametrize("which", ["moved", "cancelled"])
def test_the_services_themselves_refuse(world, lessons, which):
    lesson = lessons[which]
    teacher, user = world.staff["teacher"], world.users["teacher"]
    with at("2026-11-16 10:00"):
        with pytest.raises((ValidationError, services.CellError), match="перенесён|отменён"):
            services.journal_cells_save(
                actor=user,
                staff=teacher,
                changes=[
                    services.CellChange(
                        kind="mark",
                        lesson=lesson,
                        student=world.students[0],
                        work=None,
                        value="5",
                        expected_version=None,
                        comment="",
                    )
                ],
            )
        with pytest.raises(ValidationError, match="перенесён|отменён"):
            services.homework_save(
                actor=user, staff=teacher, lesson=lesson, homework=None, text="№ 1"
            )
    _nothing_written(lesson)


def test_the_moved_message_names_the_new_date(world, lessons):
    with at("2026-11-16 10:00"), pytest.raises(ValidationError, match="17.11.2026"):
        services.homework_save(
            actor=world.users["teacher"],
            staff=world.staff["teacher"],
            lesson=lessons["moved"],
            homework=None,
            text="№ 1",
        )


def test_the_lesson_it_was_moved_to_takes_the_entries(world, lessons):
    new = lessons["new"]
    client = _signed_in(world)
    with at("2026-11-17 10:00"):
        response, data = _cells(client, new, world.students[0], "5")
    assert response.status_code == 200, data
    assert Mark.objects.filter(work__lesson=new).count() == 1


def test_a_teacher_without_the_teacher_role_writes_nothing(world, lessons):
    normal = lessons["normal"]
    RoleAssignment.objects.filter(
        user=world.users["teacher"], school=world.school, role=Role.TEACHER
    ).update(active=False)
    with at("2026-11-16 10:00"):
        with pytest.raises(ValidationError, match="только учитель"):
            services.homework_save(
                actor=world.users["teacher"],
                staff=world.staff["teacher"],
                lesson=normal,
                homework=None,
                text="№ 1",
            )
    _nothing_written(normal)


def test_the_normal_lesson_still_takes_entries_through_every_path(world, lessons):
    normal = lessons["normal"]
    client = _signed_in(world)
    with at("2026-11-16 12:00"):
        response, data = _cells(client, normal, world.students[0], "5")
        assert response.status_code == 200, data
        client.post(reverse("journal:lesson_record", args=[normal.pk]), {"topic": "Дроби"})
    assert Mark.objects.filter(work__lesson=normal).count() == 1
    assert LessonRecord.objects.get(lesson=normal).topic == "Дроби"
