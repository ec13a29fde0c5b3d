"""A family's contacts: the card's e-mail is the account's from the letter on; the parent
changes the phone at once and the e-mail by a link sent to the new address; the school's
edit of the card reaches the account. Walked from an account issued through the product."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from ejournal.accounts.models import Guardian, User
from ejournal.audit.models import AuditEvent
from ejournal.people import services as people_services
from ejournal.people.credentials import credentials_issue
from ejournal.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued_parent(world):
    """A new guardian of the child, entered with an e-mail on the card; the homeroom
    teacher issues the family's letters; the parent signs in and changes the password."""
    guardian = f.GuardianFactory(
        school=world.school, last_name="Кузнецова", email="kuznetsova@mail.ru"
    )
    f.link_guardian(world.child, guardian)
    letters = credentials_issue(
        students=[world.child], class_name="5А", actor=world.users["homeroom"], student_too=False
    )
    guardian.refresh_from_db()
    letter = next(x for x in letters if x.login == guardian.user.username)
    client = Client()
    client.post(reverse("accounts:login"), {"username": letter.login, "password": letter.password})
    new = "Новый-пароль-2026!"
    client.post(
        reverse("accounts:password_change"),
        {"old_password": letter.password, "new_password1": new, "new_password2": new},
    )
    return guardian, client


def test_the_cards_email_is_the_issued_accounts(issued_parent):
    guardian, client = issued_parent
    assert guardian.user.email == "kuznetsova@mail.ru"
    page = client.get(reverse("notifications:contacts")).content.decode()
    assert "kuznetsova@mail.ru" in page


def test_the_schools_edit_of_the_card_reaches_the_account(world, issued_parent):
    guardian, _ = issued_parent
    people_services.guardian_update_contacts(
        guardian=guardian, actor=world.users["homeroom"], email="k2@mail.ru"
    )
    assert User.objects.get(pk=guardian.user_id).email == "k2@mail.ru"


def test_the_parent_changes_the_phone_and_a_bad_one_changes_nothing(issued_parent):
    guardian, client = issued_parent
    url = reverse("notifications:contacts")
    response = client.post(url, {"email": "kuznetsova@mail.ru", "phone": "12"})
    assert "Укажите номер мобильного телефона" in response.content.decode()
    guardian.refresh_from_db()
    assert guardian.phone == ""
    client.post(url, {"email": "kuznetsova@mail.ru", "phone": "8 (912) 345-67-89"})
    guardian.refresh_from_db()
    assert guardian.phone == "+7 912 345-67-89"
    assert AuditEvent.objects.filter(action="guardian.updated", actor=guardian.user).exists()
    # Posted back unchanged: nothing written.
    events = AuditEvent.objects.count()
    client.post(url, {"email": "kuznetsova@mail.ru", "phone": "+7 912 345-67-89"})
    assert AuditEvent.objects.count() == events


def test_a_new_email_works_once_its_link_is_opened(world, issued_parent, client_for):
    guardian, client = issued_parent
    mail.outbox.clear()
    client.post(reverse("notifications:contacts"), {"email": "new@mail.ru", "phone": ""})
    [letter] = mail.outbox
    assert letter.to == ["new@mail.ru"]
    link = re.search(r"https?://\S+", letter.body).group(0)
    path = link.split("testserver", 1)[-1]
    assert User.objects.get(pk=guardian.user_id).email == "kuznetsova@mail.ru"  # not yet
    # Another account cannot use the link; opening it (GET) changes nothing.
    client_for("parent").post(path)
    assert client.get(path).status_code == 200
    assert User.objects.get(pk=guardian.user_id).email == "kuznetsova@mail.ru"
    client.post(path)
    guardian.refresh_from_db()
    assert guardian.user.email == "new@mail.ru" and guardian.email == "new@mail.ru"
    assert AuditEvent.objects.filter(action="contacts.email_confirmed").count() == 1
    # The link works once.
    response = client.post(path, follow=True)
    assert "Адрес уже изменён" in response.content.decode()


def test_without_school_mail_the_address_cannot_be_confirmed(issued_parent, settings):
    guardian, client = issued_parent
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    mail.outbox.clear()
    response = client.post(reverse("notifications:contacts"), {"email": "x@mail.ru", "phone": ""})
    assert "Отправка писем в школе не настроена" in response.content.decode()
    assert mail.outbox == [] and Guardian.objects.get(pk=guardian.pk).email == "kuznetsova@mail.ru"
