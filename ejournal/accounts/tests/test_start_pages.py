import pytest
from django.test import Client
from django.urls import reverse

from ejournal.accounts.models import Role
from ejournal.testing import factories as f

START_MARKERS = {
    "admin": "Администрирование школы",
    "director": "Обзор школы",
    "deputy": "Контроль учебного процесса",
    "teacher": "Уроки на сегодня",
    "homeroom": "Классное руководство",
    "operator": "Контингент",
    "hr": "Персонал",
    "student": "Здравствуйте",
    "parent": "Мои дети",
    "inspector": "Городской округ",
}


@pytest.mark.parametrize("role", sorted(START_MARKERS))
def test_each_role_lands_on_its_start_page(client_for, role):
    response = client_for(role).get("/")
    assert response.status_code == 200
    assert START_MARKERS[role] in response.content.decode()


def test_parent_start_page_lists_only_own_children(world, client_for):
    body = client_for("parent").get("/").content.decode()
    assert world.child.full_name in body
    assert world.other_child.full_name not in body


def test_deputy_overview_reports_structure_problems(world, client_for):
    f.ClassFactory(school=world.school, year=world.year, grade=7, letter="В")
    body = client_for("deputy").get("/").content.decode()
    assert "У класса 7В не назначен классный руководитель" in body


def test_user_of_two_schools_picks_one(world):
    user = world.users["teacher"]
    f.StaffFactory(school=world.other_school, user=user)
    f.grant(user, Role.TEACHER, world.other_school)
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302 and response.url == reverse("accounts:choose_school")
    page = client.get(reverse("accounts:choose_school")).content.decode()
    assert "СОШ №1" in page and "СОШ №2" in page
    client.post(reverse("accounts:choose_school"), {"membership": f"s{world.other_school.pk}"})
    assert client.get("/").status_code == 200
    # A key of a school the user has no role in is refused.
    stranger = f.SchoolFactory()
    resp = client.post(reverse("accounts:choose_school"), {"membership": f"s{stranger.pk}"})
    assert "Выберите школу из списка" in resp.content.decode()


def test_anonymous_is_sent_to_sign_in(world):
    response = Client().get("/")
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_family_start_pages_lead_to_the_diary(world, client_for):
    from django.urls import reverse

    parent_page = client_for("parent").get("/").content.decode()
    assert reverse("diary:week", args=[world.child.pk]) in parent_page
    assert reverse("diary:week", args=[world.other_child.pk]) not in parent_page
    student_page = client_for("student").get("/").content.decode()
    assert reverse("diary:week", args=[world.child.pk]) in student_page
