"""The first-steps guide: who may open it, what it says is missing, and that its query
count does not grow with the school."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ejournal.accounts.models import Role
from ejournal.schedule.models import BellSchedule, TimetableEntry
from ejournal.schedule.setup import setup_guide
from ejournal.school.models import CurriculumEntry
from ejournal.school.tests.structure_helpers import (
    ALL_ROLES,
    READERS,
    expected_status,
    query_count,
)
from ejournal.testing import factories as f

TODAY = dt.datetime(2026, 10, 12, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _state(guide) -> dict[str, bool]:
    return {step.key: step.done for step in guide.steps}


def _complete(world) -> None:
    for grade in (5, 6):
        CurriculumEntry.objects.create(
            year=world.year, subject=world.subject, grade=grade, hours_per_week=Decimal("5")
        )
    BellSchedule.objects.create(school=world.school, name="Основное", is_default=True)
    TimetableEntry.objects.create(
        school=world.school,
        weekday=1,
        number=1,
        group=world.group,
        subject=world.subject,
        teacher=world.staff["teacher"],
        valid_from=dt.date(2026, 9, 1),
    )


@pytest.mark.parametrize("role", ALL_ROLES)
def test_who_may_open_the_setup_guide(world, client_for, role):
    # The outsider administers another school: the guide shows that school, never this one.
    response = client_for(role).get(reverse("school:setup"))
    assert response.status_code == expected_status(role, READERS | {"outsider"})
    if role == "anonymous":
        assert response["Location"].startswith("/login/")
    if role == "outsider":
        body = response.content.decode()
        assert "Учебный год не создан." in body
        assert reverse("school:class_list", args=[world.year.pk]) not in body


def test_a_new_school_starts_with_the_year_and_nothing_else_is_done(db):
    school = f.SchoolFactory()
    admin = f.UserFactory(username="newadmin")
    f.StaffFactory(school=school, user=admin)
    f.grant(admin, Role.ADMIN, school)
    client = Client()
    client.force_login(admin)

    guide = setup_guide(school=school, is_admin=True)
    assert guide.year is None and guide.done_count == 0
    assert guide.next_step.key == "year"
    body = client.get(reverse("school:setup")).content.decode()
    assert "Готово 0 из 7 шагов" in body
    assert f'<a href="{reverse("school:year_create")}">Создать учебный год</a>' in body
    assert "Нет учителей: добавьте сотрудников" in body
    start = client.get("/").content.decode()
    assert "Первые шаги настройки школы" in start
    assert "Учебный год: Учебный год не создан." in start


def test_the_world_school_misses_curriculum_and_timetable(world, client_for):
    guide = setup_guide(school=world.school, is_admin=True)
    assert _state(guide) == {
        "year": True,
        "periods": True,
        "classes": True,
        "subjects": True,
        "curriculum": False,
        "staff": True,
        "timetable": False,
    }
    assert guide.next_step.key == "curriculum"
    body = client_for("admin").get(reverse("school:setup")).content.decode()
    assert "Готово 5 из 7 шагов" in body
    assert "Учебный план не заполнен." in body
    assert "Не заданы звонки; в расписании нет уроков." in body
    assert reverse("school:curriculum", args=[world.year.pk]) in body


def test_what_is_missing_names_the_classes(world):
    f.ClassFactory(school=world.school, year=world.year, grade=10, letter="А")
    CurriculumEntry.objects.create(
        year=world.year, subject=world.subject, grade=5, hours_per_week=Decimal("5")
    )
    steps = {s.key: s for s in setup_guide(school=world.school, is_admin=True).steps}
    assert steps["periods"].state == "Нет периодов для параллелей 10."
    assert steps["classes"].state == "3 класса; без классного руководителя: 10А."
    assert steps["curriculum"].state == "Нет часов в учебном плане для: 6Б, 10А."


def test_a_deputy_sees_no_link_to_the_administrators_staff_page(world):
    world.staff["teacher"].user.role_assignments.filter(role=Role.TEACHER).update(active=False)
    world.staff["homeroom"].user.role_assignments.filter(role=Role.TEACHER).update(active=False)
    staff = {s.key: s for s in setup_guide(school=world.school, is_admin=False).steps}["staff"]
    assert not staff.done and staff.url == ""


def test_a_complete_setup_leaves_the_start_page_quiet(world, client_for):
    _complete(world)
    guide = setup_guide(school=world.school, is_admin=True)
    assert guide.complete and guide.percent == 100
    client = client_for("admin")
    assert "Настройка завершена" in client.get(reverse("school:setup")).content.decode()
    assert "Первые шаги настройки школы" not in client.get("/").content.decode()


def test_teachers_start_page_has_no_setup_block(client_for):
    assert "Первые шаги настройки школы" not in client_for("teacher").get("/").content.decode()


def test_setup_guide_query_count_does_not_grow_with_the_school(world, client_for):
    client = client_for("admin")
    url = reverse("school:setup")
    query_count(client, url)  # the first request of a session also saves the session
    small = query_count(client, url)
    for n in range(8):
        f.ClassFactory(school=world.school, year=world.year, grade=7 + n % 4, letter="АБВГДЕЖЗ"[n])
        f.SubjectFactory(school=world.school, name=f"Предмет {n}")
    _complete(world)
    assert query_count(client, url) == small
