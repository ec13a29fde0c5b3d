"""«Запомнить это устройство»: a parent issued an account through the product stays
signed in across browser restarts for 30 days from the last visit; staff keep the idle
and daily limits; the device is listed in «Мои сеансы» and ended by signing out
everywhere."""

import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from ejournal.accounts.models import User
from ejournal.people.credentials import credentials_issue
from ejournal.testing.factories import TEST_PASSWORD

NEW_PASSWORD = "Новый-пароль-2026!"


def _restart(client: Client) -> Client:
    """The browser closed and opened again: only cookies with a lifetime survive."""
    again = Client()
    for name, morsel in client.cookies.items():
        if morsel["max-age"] or morsel["expires"]:
            again.cookies[name] = morsel.value
    return again


def _issued_parent_signs_in(world, *, remember: bool) -> Client:
    letters = credentials_issue(
        students=[world.child], class_name="5А", actor=world.users["homeroom"], student_too=False
    )
    parent = User.objects.get(username=world.users["parent"].username)
    letter = next(x for x in letters if x.login == parent.username)
    client = Client()
    data = {"username": letter.login, "password": letter.password}
    if remember:
        data["remember"] = "on"
    assert client.post(reverse("accounts:login"), data).status_code == 302
    client.post(
        reverse("accounts:password_change"),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    return client


def test_a_remembered_parent_stays_in_for_30_days_from_the_last_visit(world):
    with time_machine.travel("2026-11-16 20:00 +0300", tick=False) as clock:
        client = _issued_parent_signs_in(world, remember=True)
        morsel = client.cookies[settings.SESSION_COOKIE_NAME]
        assert int(morsel["max-age"]) >= 29 * 24 * 3600
        clock.shift(29 * 24 * 3600)
        client = _restart(client)
        assert client.get("/").status_code == 200  # still in, and the visit slides it
        clock.shift(29 * 24 * 3600)
        client = _restart(client)
        assert client.get("/").status_code == 200
        clock.shift(31 * 24 * 3600)
        response = _restart(client).get("/")
        assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_without_the_tick_the_browser_session_ends_with_the_browser(world):
    with time_machine.travel("2026-11-16 20:00 +0300", tick=False):
        client = _issued_parent_signs_in(world, remember=False)
        assert not client.cookies[settings.SESSION_COOKIE_NAME]["max-age"]
        assert settings.SESSION_COOKIE_NAME not in _restart(client).cookies


def test_staff_who_tick_it_keep_the_idle_limit(world):
    with time_machine.travel("2026-11-16 10:00 +0300", tick=False) as clock:
        client = Client()
        client.post(
            reverse("accounts:login"),
            {"username": "teacher", "password": TEST_PASSWORD, "remember": "on"},
        )
        assert client.get("/").status_code == 200
        assert not client.cookies[settings.SESSION_COOKIE_NAME]["max-age"]
        clock.shift(31 * 60)
        assert client.get("/").status_code == 302


def test_the_device_is_listed_and_signing_out_everywhere_ends_it(world):
    with time_machine.travel("2026-11-16 20:00 +0300", tick=False) as clock:
        client = _issued_parent_signs_in(world, remember=True)
        clock.shift(13 * 3600)  # past the staff's 12 hours
        page = client.get(reverse("security:sessions")).content.decode()
        assert "(этот сеанс)" in page and "запомненное устройство" in page
        laptop = Client()
        laptop.post(
            reverse("accounts:login"),
            {"username": world.users["parent"].username, "password": NEW_PASSWORD},
        )
        laptop.post(reverse("accounts:logout_everywhere"))
        response = _restart(client).get("/")
        assert response.status_code == 302
