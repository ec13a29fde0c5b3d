"""«Забыли пароль?» for families: a parent issued an account through the product
confirms the card's address, forgets the password and sets a new one from the letter;
the answer never tells whether an account exists; staff and unconfirmed addresses get
no letter; the link works once."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from ejournal.accounts.models import User
from ejournal.audit.models import AuditEvent
from ejournal.people.credentials import credentials_issue
from ejournal.testing import factories as f

ANSWER = "Если такая учётная запись есть"
NEW = "Новый-пароль-2026!"


@pytest.fixture
def parent(world):
    """Issued from a card with an e-mail; the parent signs in, changes the password and
    confirms the address by its link."""
    guardian = f.GuardianFactory(school=world.school, last_name="Сидорова", email="sid@mail.ru")
    f.link_guardian(world.child, guardian)
    letters = credentials_issue(
        students=[world.child], class_name="5А", actor=world.users["homeroom"], student_too=False
    )
    guardian.refresh_from_db()
    letter = next(x for x in letters if x.login == guardian.user.username)
    client = Client()
    client.post(reverse("accounts:login"), {"username": letter.login, "password": letter.password})
    client.post(reverse("accounts:password_change"), {"new_password1": NEW, "new_password2": NEW})
    assert not User.objects.get(pk=guardian.user_id).email_confirmed
    mail.outbox.clear()
    client.post(reverse("notifications:email_confirm_send"))
    path = re.search(r"https?://\S+", mail.outbox[0].body).group(0).split("testserver", 1)[-1]
    client.post(path)
    user = User.objects.get(pk=guardian.user_id)
    assert user.email_confirmed
    mail.outbox.clear()
    return user


def _ask(identifier: str):
    return Client().post(
        reverse("accounts:password_reset"), {"identifier": identifier}, follow=True
    )


def test_a_parent_resets_the_password_from_the_letter(parent):
    other_browser = Client()
    other_browser.post(reverse("accounts:login"), {"username": parent.username, "password": NEW})
    response = _ask("SID@mail.ru")
    assert ANSWER in response.content.decode()
    [letter] = mail.outbox
    assert letter.to == ["sid@mail.ru"] and parent.username in letter.body
    path = re.search(r"https?://\S+", letter.body).group(0).split("testserver", 1)[-1]
    client = Client()
    assert client.get(path).status_code == 200
    short = client.post(path, {"new_password1": "123", "new_password2": "123"})
    assert short.status_code == 200 and User.objects.get(pk=parent.pk).check_password(NEW)
    client.post(path, {"new_password1": "Другой-пароль-77", "new_password2": "Другой-пароль-77"})
    assert User.objects.get(pk=parent.pk).check_password("Другой-пароль-77")
    assert AuditEvent.objects.filter(action="auth.password_reset", actor=parent).exists()
    # The link works once, and the other browser's session has ended.
    assert client.get(path).status_code == 302
    assert other_browser.get("/").status_code == 302


def test_the_answer_is_the_same_for_nobody_staff_and_unconfirmed(world, parent):
    world.users["teacher"].email = "teacher@mail.ru"
    world.users["teacher"].email_confirmed = True
    world.users["teacher"].save()
    for identifier in ("nobody@mail.ru", "teacher", "teacher@mail.ru"):
        assert ANSWER in _ask(identifier).content.decode()
    assert mail.outbox == []
    User.objects.filter(pk=parent.pk).update(email_confirmed=False)
    assert ANSWER in _ask(parent.username).content.decode()
    assert mail.outbox == []


def test_a_bad_link_sends_back_to_the_request(parent):
    response = Client().get(
        reverse("accounts:password_reset_confirm", args=["MQ", "bad-token"]), follow=True
    )
    assert "Ссылка недействительна" in response.content.decode()


def test_without_school_mail_the_page_says_so_and_sends_nothing(parent, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    page = Client().get(reverse("accounts:password_reset")).content.decode()
    assert "Отправка писем в школе не настроена" in page
    _ask(parent.username)
    assert mail.outbox == []


def test_requests_are_rate_limited_per_address(parent, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": "2/3600"}
    client = Client()
    codes = [
        client.post(reverse("accounts:password_reset"), {"identifier": "x"}).status_code
        for _ in range(3)
    ]
    assert codes == [302, 302, 429]
