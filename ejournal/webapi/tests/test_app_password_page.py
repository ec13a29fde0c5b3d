"""The owner's page for app passwords, the profile section, and issue_app_password."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from ejournal.audit.models import AuditEvent
from ejournal.webapi.models import AppPassword
from ejournal.webapi.tests.conftest import ApiClient

URL = "/webapi/app-password/"


def test_url_name():
    assert reverse("webapi:app_password") == URL


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("parent", 200),
        ("student", 200),
        ("other_parent", 200),
        ("teacher", 404),
        ("homeroom", 404),
        ("admin", 404),
        ("director", 404),
        ("deputy", 404),
        ("operator", 404),
        ("hr", 404),
        ("outsider", 404),
        ("inspector", 404),
        ("anonymous", 302),
    ],
)
def test_who_may_open_the_page(client_for, role, status):
    response = client_for(role).get(URL)
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/login/")


def test_staff_cannot_create_one_by_posting(client_for):
    assert client_for("teacher").post(URL, {"action": "create"}).status_code == 404
    assert not AppPassword.objects.exists()


def test_password_is_shown_once_and_works(world, client_for):
    client = client_for("parent")
    page = client.get(URL).content.decode()
    assert "Включить доступ" in page and "выключен" in page
    response = client.post(URL, {"action": "create"})
    password = response.context["password"]
    assert password and password in response.content.decode()
    assert AuditEvent.objects.filter(action="webapi.app_password_created").count() == 1
    again = client.get(URL).content.decode()
    assert password not in again
    assert "ещё не использовался" in again
    api = ApiClient()
    assert api.login("parent", password, world.school.pk).status_code == 200
    shown = client.get(URL).content.decode()
    assert "Последние входы приложений" in shown
    assert "127.0.0.1" in shown
    assert "открытых сеансов: 1" in shown


def test_revoking_from_the_page(world, client_for):
    client = client_for("student")
    password = client.post(URL, {"action": "create"}).context["password"]
    api = ApiClient()
    api.login("student", password, world.school.pk)
    response = client.post(URL, {"action": "revoke"}, follow=True)
    assert "Доступ для сторонних приложений отключён" in response.content.decode()
    assert api.get("student/diary/init").status_code == 401
    assert AuditEvent.objects.filter(action="webapi.app_password_revoked").count() == 1


def test_unknown_action_changes_nothing(client_for):
    response = client_for("parent").post(URL, {"action": "drop"}, follow=True)
    assert "Неизвестное действие" in response.content.decode()
    assert not AppPassword.objects.exists()


def test_profile_section_for_families_only(client_for):
    parent_page = client_for("parent").get(reverse("accounts:profile")).content.decode()
    assert "Доступ для сторонних приложений" in parent_page
    assert URL in parent_page
    teacher_page = client_for("teacher").get(reverse("accounts:profile")).content.decode()
    assert "Доступ для сторонних приложений" not in teacher_page


def test_issue_app_password_command(world):
    out = io.StringIO()
    call_command("issue_app_password", "parent", stdout=out)
    password = out.getvalue().strip()
    assert ApiClient().login("parent", password, world.school.pk).status_code == 200


@pytest.mark.parametrize("login", ["nobody", "teacher"])
def test_issue_app_password_refuses_unknown_users_and_staff(world, login):
    with pytest.raises(CommandError):
        call_command("issue_app_password", login, stdout=io.StringIO())
    assert not AppPassword.objects.exists()
