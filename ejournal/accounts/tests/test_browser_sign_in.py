import pytest

from ejournal.testing.browser import sign_in
from ejournal.testing.factories import TEST_PASSWORD
from ejournal.testing.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_teacher_signs_in_in_a_real_browser_and_sees_todays_lessons(browser_page):
    build_world()
    sign_in(browser_page, "teacher", TEST_PASSWORD)
    assert browser_page.get_by_role("heading", name="Уроки на сегодня").is_visible()


def test_wrong_password_shows_a_russian_message(browser_page):
    build_world()
    sign_in(browser_page, "teacher", "not-the-password")
    assert browser_page.get_by_text("Неверный логин или пароль").is_visible()
