"""The first sign-in with issued credentials, in a real Chromium on a phone and a laptop.

The school issues the account through the product — the operator enrols a pupil and adds
the mother, the homeroom teacher prints their credentials letters, the administrator takes
on a teacher and prints the letter — and the login and one-time password are read from the
letter itself. Then in the browser: sign in, the forced «Смена пароля», a new password,
the role's start page. The menu's unread counter polls all along: the page must stay one
page (one header, one main) and the requests few, however many poll cycles pass."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from ejournal.accounts.models import Guardian, StaffMember, Student
from ejournal.e2e.conftest import shot
from ejournal.testing.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DEVICES = ["e2e_phone", "e2e_page"]
NEW_PASSWORD = "Osennij-List-2026"
# The counter asks on load and every 120 s; the page's clock is moved on for three cycles.
POLL_CYCLES = 3
POLL_STEP_MS = 10_000
POLL_STEPS = 30


def _letter(pdf: bytes) -> tuple[str, str]:
    """The login and the one-time password printed in a (single) credentials letter."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    login = re.search(r"Логин\s+(\S+)", text)
    password = re.search(r"Пароль\s+(\S+)", text)
    assert login and password, text
    return login.group(1), password.group(1)


def _post(user, url: str, data: dict, *, status: int = 302):
    """A form sent by the staff member who issues the letter (not the journey's subject,
    so signed in directly)."""
    client = Client()
    client.force_login(user)
    response = client.post(url, data)
    assert response.status_code == status, response.content.decode()[:2000]
    return response


def _pdf_letter(user, url: str, data: dict) -> tuple[str, str]:
    response = _post(user, url, data, status=200)
    assert response["Content-Type"] == "application/pdf"
    return _letter(response.content)


PUPIL = {"last_name": "Новиков", "first_name": "Илья", "birth_date": "2015-03-01", "sex": "m"}
ENROLMENT_ORDER = {
    "effective_date": "2026-11-16",
    "order_number": "50-з",
    "order_date": "2026-11-13",
}
MOTHER = {"last_name": "Новикова", "first_name": "Анна", "relation": "mother", "checked": "on"}
TEACHER = {
    "last_name": "Смирнова",
    "first_name": "Ольга",
    "patronymic": "Петровна",
    "position": "учитель русского языка",
    "username": "smirnova",
    "roles": ["teacher"],
}


def _family_letter(world, who: str) -> tuple[str, str]:
    """The operator enrols a pupil and adds the mother through the forms; the homeroom
    teacher prints the letter of the pupil ("student") or of the mother ("parent")."""
    operator = world.users["operator"]
    enrolment = {**PUPIL, **ENROLMENT_ORDER, "school_class": world.school_class.pk}
    _post(operator, reverse("people:enroll"), enrolment)
    pupil = Student.objects.get(last_name=PUPIL["last_name"])
    _post(operator, reverse("people:guardian_add", args=[pupil.pk]), MOTHER)
    mother = Guardian.objects.get(last_name=MOTHER["last_name"])
    return _pdf_letter(
        world.users["homeroom"],
        reverse("people:student_credentials", args=[world.school_class.pk, pupil.pk]),
        {"who": "student" if who == "student" else f"guardian-{mother.pk}"},
    )


def _teacher_letter(world) -> tuple[str, str]:
    """The administrator takes on a teacher (a new account) and prints the letter."""
    admin = world.users["admin"]
    created = _post(admin, reverse("school:staff_create"), TEACHER, status=200)
    assert "Одноразовый пароль" in created.content.decode()
    staff = StaffMember.objects.get(user__username=TEACHER["username"])
    return _pdf_letter(admin, reverse("school:staff_password", args=[staff.pk]), {"letter": "1"})


# What each role lands on after the change: the start page's heading.
START = {
    "parent": "Мои дети",
    "student": "Здравствуйте, Илья!",
    "teacher": re.compile(r"^Сегодня [а-я]+, \d+ [а-я]+$"),
}


def _watch(page) -> list[str]:
    """Every request the page makes from now on."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def _next_poll(page, seen: list[str]) -> None:
    """Move the browser's clock on until the page asks the server again (the counter's
    timer is armed anew after each answer, so a little at a time)."""
    before = len(seen)
    for _ in range(POLL_STEPS):
        page.clock.run_for(POLL_STEP_MS)
        page.wait_for_timeout(100)
        if len(seen) > before:
            return
    pytest.fail(f"no request in {POLL_STEPS * POLL_STEP_MS // 1000} s of the page's clock")


def _stays_one_page(page, seen: list[str], where: str) -> None:
    """Let the counter poll for a few cycles: the page is still one page, and it asked
    the server once per cycle (the reported loop made about nine requests a second)."""
    page.wait_for_load_state("networkidle")
    before = len(seen)
    for _ in range(POLL_CYCLES):
        _next_poll(page, seen)
    page.wait_for_timeout(300)
    expect(page.locator("header")).to_have_count(1)
    expect(page.locator("main")).to_have_count(1)
    asked = seen[before:]
    assert len(asked) <= POLL_CYCLES, f"{where}: {asked}"
    assert all(reverse("messaging:unread") in url for url in asked), f"{where}: {asked}"


def _sign_in(page, login: str, password: str) -> None:
    page.get_by_label("Логин").fill(login)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()


def _first_sign_in(page, login: str, password: str, role: str, device: str) -> list[str]:
    seen = _watch(page)
    page.clock.install()
    page.goto(reverse("accounts:login"))
    _sign_in(page, login, password)
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:password_change")) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Смена пароля")
    expect(page.get_by_text("Вы вошли с выданным паролем.")).to_be_visible()
    _stays_one_page(page, seen, "Смена пароля")
    shot(page, f"first-sign-in-{role}-{device}-1-change")

    page.get_by_label("Новый пароль").fill(NEW_PASSWORD)
    page.get_by_label("Повторите пароль").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Сохранить пароль").click()
    expect(page.get_by_text("Пароль изменён.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(START[role])
    _stays_one_page(page, seen, f"start page of {role}")
    assert page.evaluate("document.documentElement.scrollWidth") <= (
        360 if device == "e2e_phone" else 1366
    )
    shot(page, f"first-sign-in-{role}-{device}-2-start")
    return seen


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("role", ["parent", "student", "teacher"])
def test_issued_credentials_lead_through_the_forced_change_to_the_start_page(request, role, device):
    world = build_world()
    login, password = _teacher_letter(world) if role == "teacher" else _family_letter(world, role)
    page = request.getfixturevalue(device)
    _first_sign_in(page, login, password, role, device)
    # The one-time password is spent; the new one is the password now.
    page.context.clear_cookies()
    page.goto(reverse("accounts:login"))
    _sign_in(page, login, password)
    expect(page.get_by_text("Неверный логин или пароль")).to_be_visible()
    _sign_in(page, login, NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(START[role])


@pytest.mark.parametrize("device", DEVICES)
def test_a_parent_whose_session_idled_out_signs_in_again_on_the_same_page(
    request, device, school_clock
):
    world = build_world()
    login, password = _family_letter(world, "parent")
    page = request.getfixturevalue(device)
    seen = _first_sign_in(page, login, password, "parent", device)
    page.get_by_role("main").get_by_role("link", name="Дневник").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Дневник")
    diary = page.url

    # Half an hour away from the phone; the counter's next poll finds the session ended
    # and takes the whole page to the sign-in, which brings the parent back to the diary.
    page.wait_for_load_state("networkidle")
    school_clock.shift(31 * 60)
    _next_poll(page, seen)
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:login")) + r"\?"))
    expect(page.get_by_text("Сеанс завершён из-за бездействия.")).to_be_visible()
    _sign_in(page, login, NEW_PASSWORD)
    expect(page).to_have_url(diary)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Дневник")
    _stays_one_page(page, seen, "the diary after signing in again")
    shot(page, f"first-sign-in-parent-{device}-3-back-on-the-diary")
