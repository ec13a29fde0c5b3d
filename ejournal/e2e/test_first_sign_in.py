"""The first day of a real school in a real Chromium: the credentials letters the product
prints are the only source of the login and the one-time password; the person signs in,
is made to choose a password, and lands on the start page of the role — on a 360-px phone
and on a laptop. On the way the page must stay one page: the menu's unread counter (an
htmx poll) once swapped the whole password page into itself, again and again."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from ejournal.e2e.conftest import shot
from ejournal.testing.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Ясень-Клён-2026!"  # noqa: S105 - typed by the person in the journey


def _letters(pdf: bytes) -> list[tuple[str, str]]:
    """(login, password) of every letter of a printed PDF, read as a person reads it."""
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    logins = re.findall(r"Логин\s*\n?\s*(\S+)", text)
    passwords = re.findall(r"Пароль\s*\n?\s*(\S+)", text)
    return list(zip(logins, passwords, strict=False))


def _issued(world, role: str) -> tuple[str, str]:
    """Credentials issued through the product's own pages, as the school would."""
    if role == "teacher":
        admin = Client()
        admin.force_login(world.users["admin"])
        staff = world.staff["teacher"]
        response = admin.post(reverse("school:staff_password", args=[staff.pk]), {"letter": "1"})
        assert response["Content-Type"] == "application/pdf", response.content[:300]
        (credentials,) = _letters(response.content)
        return credentials
    # The homeroom teacher prints the family's letters from the class list.
    homeroom = Client()
    homeroom.force_login(world.users["homeroom"])
    who = "student" if role == "student" else f"guardian-{world.child.guardians.first().pk}"
    response = homeroom.post(
        reverse("people:student_credentials", args=[world.school_class.pk, world.child.pk]),
        {"who": who},
    )
    assert response["Content-Type"] == "application/pdf", response.content[:300]
    (credentials,) = _letters(response.content)
    return credentials


START_PAGE = {
    # What each role's start page says, whatever it shows around it.
    "parent": re.compile("Мои дети|Дневник"),
    "student": re.compile("Дневник|Расписание|Домашн"),
    "teacher": re.compile("Уроки|Сегодня|Мои классы|Журнал"),
}


@pytest.mark.parametrize("device", ["phone", "laptop"])
@pytest.mark.parametrize("role", ["parent", "student", "teacher"])
def test_first_sign_in_from_the_letter_to_the_start_page(request, role, device):
    page = request.getfixturevalue("e2e_phone" if device == "phone" else "e2e_page")
    world = build_world()
    login, password = _issued(world, role)
    assert login and password and password != "demo"

    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto("/login/")
    page.get_by_label("Логин").fill(login)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name=re.compile("Войти")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Смена пароля"))
    shot(page, f"first-sign-in-{role}-{device}-1-forced-change")

    # The page stays one page while the menu's timers run (they once nested it).
    page.wait_for_timeout(2500)
    assert page.locator("main").count() == 1
    assert page.locator("h1").count() == 1
    assert len(requests) < 15, requests

    page.get_by_label("Новый пароль").fill(NEW_PASSWORD)
    page.get_by_label("Повторите пароль").fill(NEW_PASSWORD)
    page.get_by_role("button", name=re.compile("Сохранить|Сменить")).click()
    expect(page.get_by_role("main")).to_contain_text(START_PAGE[role])
    assert "/password" not in page.url
    page.wait_for_timeout(1500)
    assert page.locator("main").count() == 1
    shot(page, f"first-sign-in-{role}-{device}-2-start-page")

    # The new password is the one that works from now on; the letter's no longer does.
    user = world.users[role] if role != "teacher" else world.staff["teacher"].user
    user.refresh_from_db()
    assert not user.must_change_password
    assert user.check_password(NEW_PASSWORD) and not user.check_password(password)
