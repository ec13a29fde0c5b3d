import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse

from ejournal.accounts import services
from ejournal.audit.models import AuditEvent
from ejournal.testing.factories import TEST_PASSWORD


def _login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_sign_in_lands_on_start_page_and_is_audited(world):
    client = Client()
    response = _login(client, "teacher", TEST_PASSWORD)
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert "Уроки на сегодня" in page.content.decode()
    assert AuditEvent.objects.filter(action="auth.sign_in", actor=world.users["teacher"]).exists()


def test_wrong_password_is_refused_in_russian_and_audited(world):
    response = _login(Client(), "teacher", "wrong-password")
    assert response.status_code == 200
    assert "Неверный логин или пароль" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.sign_in_failed", object_id="teacher").exists()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_account_out_even_with_the_right_password(world):
    client = Client()
    for _ in range(3):
        _login(client, "teacher", "wrong-password")
    response = _login(client, "teacher", TEST_PASSWORD)
    assert response.status_code in (403, 429)
    assert "заблокирован" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_issued_password_forces_a_change_before_anything_else(world):
    user = world.users["parent"]
    password = services.user_issue_password(
        user=user, actor=world.users["admin"], school=world.school
    )
    client = Client()
    _login(client, "parent", password)
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_change")
    # A weak password is refused with a Russian message.
    weak = client.post(
        reverse("accounts:password_change"),
        {"new_password1": "12345678", "new_password2": "12345678"},
    )
    assert weak.status_code == 200
    assert "пароль" in weak.content.decode().lower()
    ok = client.post(
        reverse("accounts:password_change"),
        {"new_password1": "Kukuruza-Vesna-77", "new_password2": "Kukuruza-Vesna-77"},
    )
    assert ok.status_code == 302
    assert client.get("/").status_code == 200
    # The one-time password no longer works.
    assert "_auth_user_id" not in (lambda c: (_login(c, "parent", password), c.session)[1])(
        Client()
    )


def test_the_forced_change_page_signs_out_everywhere(world):
    # Someone else signed in with the letter's password first: the button on the
    # «Смена пароля» page ends that session too, before any change.
    password = services.user_issue_password(
        user=world.users["parent"], actor=world.users["homeroom"], school=world.school
    )
    mine, theirs = Client(), Client()
    _login(mine, "parent", password)
    _login(theirs, "parent", password)
    assert theirs.get("/").url == reverse("accounts:password_change")
    response = mine.post(reverse("accounts:logout_everywhere"))
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert "_auth_user_id" not in mine.session
    elsewhere = theirs.get(reverse("accounts:password_change"))
    assert elsewhere.status_code == 302 and reverse("accounts:login") in elsewhere.url
    assert AuditEvent.objects.filter(action="auth.sign_out_everywhere").count() == 1


def test_sign_out_everywhere_ends_other_sessions(world):
    first, second = Client(), Client()
    _login(first, "teacher", TEST_PASSWORD)
    _login(second, "teacher", TEST_PASSWORD)
    assert second.get("/").status_code == 200
    first.post(reverse("accounts:logout_everywhere"))
    response = second.get("/")
    assert response.status_code == 302 and reverse("accounts:login") in response.url


@override_settings(SESSION_IDLE_TIMEOUT=60)
def test_session_expires_after_inactivity(world):
    client = Client()
    with time_machine.travel("2026-11-23 09:00 +0300", tick=False) as traveller:
        _login(client, "teacher", TEST_PASSWORD)
        assert client.get("/").status_code == 200
        traveller.shift(120)
        response = client.get("/")
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


@pytest.mark.parametrize("bad_next", ["https://evil.example/", "//evil.example/x"])
def test_sign_in_never_redirects_off_site(world, bad_next):
    client = Client()
    response = client.post(
        reverse("accounts:login") + f"?next={bad_next}",
        {"username": "teacher", "password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == "/"


def test_passwords_use_argon2():
    from config import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
