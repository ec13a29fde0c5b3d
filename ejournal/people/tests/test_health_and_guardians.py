import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from ejournal.accounts.models import ConsentStatus, Guardian, HealthSheet, StudentGuardian
from ejournal.audit.models import AuditEvent
from ejournal.people import health
from ejournal.people import services as people_services
from ejournal.testing import factories as f

pytestmark = pytest.mark.django_db

ROLES = [
    "admin",
    "director",
    "deputy",
    "teacher",
    "operator",
    "hr",
    "homeroom",
    "student",
    "parent",
    "other_parent",
    "outsider",
    "inspector",
]
TODAY = dt.datetime(2026, 11, 10, 10, 0)


@pytest.fixture
def pe_teacher(world):
    user = f.UserFactory(username="pe")
    staff = f.StaffFactory(school=world.school, user=user)
    f.grant(user, "teacher", world.school)
    pe = f.SubjectFactory(
        school=world.school, name="Физическая культура", is_physical_education=True
    )
    f.load(world.group, pe, staff, Decimal("3"))
    return user


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("role", ROLES + ["pe"])
def test_health_sheet_roles_and_every_view_audited(world, client_for, pe_teacher, role):
    health.health_sheet_save(
        student=world.child,
        health_group="2",
        pe_group="preparatory",
        notes="Не бегать кросс",
        actor=world.users["homeroom"],
    )
    if role == "pe":
        from django.test import Client

        client = Client()
        client.force_login(pe_teacher)
    else:
        client = client_for(role)
    response = client.get(reverse("people:health_sheet", args=[world.child.pk]))
    allowed = {"admin", "deputy", "director", "homeroom", "pe"}
    assert response.status_code == (200 if role in allowed else 404)
    views = AuditEvent.objects.filter(action="health_sheet.viewed")
    if role in allowed:
        assert "Не бегать кросс" in response.content.decode()
        assert views.get().actor_id == (pe_teacher if role == "pe" else world.users[role]).pk
    else:
        assert not views.exists()


@time_machine.travel(TODAY, tick=False)
def test_pe_teacher_reads_but_cannot_edit(world, pe_teacher):
    from django.test import Client

    client = Client()
    client.force_login(pe_teacher)
    url = reverse("people:health_sheet", args=[world.child.pk])
    html = client.get(url).content.decode()
    assert "Сохранить" not in html
    assert client.post(url, {"health_group": "1", "pe_group": "main"}).status_code == 404
    assert not HealthSheet.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_homeroom_saves_and_bad_input_changes_nothing(world, client_for):
    client = client_for("homeroom")
    url = reverse("people:health_sheet", args=[world.child.pk])
    bad = client.post(url, {"health_group": "9", "pe_group": "main"})
    assert "Выберите корректный вариант" in bad.content.decode()
    assert not HealthSheet.objects.exists()
    client.post(url, {"health_group": "3", "pe_group": "special", "notes": "очки"})
    sheet = HealthSheet.objects.get()
    assert (sheet.health_group, sheet.pe_group) == ("3", "special")
    assert AuditEvent.objects.filter(action="health_sheet.saved").count() == 1


@time_machine.travel(TODAY, tick=False)
def test_health_page_query_count(world, client_for, django_assert_max_num_queries):
    client = client_for("homeroom")
    url = reverse("people:health_sheet", args=[world.child.pk])
    with django_assert_max_num_queries(25):
        assert client.get(url).status_code == 200


@time_machine.travel(TODAY, tick=False)
def test_guardian_data_edit_and_monthly_check(world, client_for):
    guardian = world.child.guardians.get()
    client = client_for("homeroom")
    card = reverse("people:student_card", args=[world.child.pk])
    assert "пора сверить" in client.get(card).content.decode()
    url = reverse("people:guardian_edit", args=[world.child.pk, guardian.pk])
    names = {"last_name": guardian.last_name, "first_name": guardian.first_name}
    client.post(
        url,
        {
            **names,
            "relation": "mother",
            "phone": "+7 900 000-00-00",
            "address": "ул. Мира, 5",
            "checked": "on",
        },
    )
    guardian = Guardian.objects.get(pk=guardian.pk)
    assert guardian.phone == "+7 900 000-00-00" and guardian.checked_on == dt.date(2026, 11, 10)
    assert "пора сверить" not in client.get(card).content.decode()
    with time_machine.travel(dt.datetime(2026, 12, 11, 10, 0), tick=False):
        assert health.guardian_check_due(guardian, dt.date(2026, 12, 11))


def test_guardian_data_refused_without_consent(world, client_for):
    guardian = world.child.guardians.get()
    people_services.consent_record(
        guardian=guardian,
        status=ConsentStatus.REFUSED,
        date=dt.date(2026, 11, 10),
        document="отказ",
        actor=world.users["homeroom"],
    )
    url = reverse("people:guardian_edit", args=[world.child.pk, guardian.pk])
    response = client_for("homeroom").post(url, {"phone": "+7 900"})
    assert "хранятся только ФИО" in response.content.decode()
    assert Guardian.objects.get(pk=guardian.pk).phone == ""


@pytest.mark.parametrize("role", ROLES)
def test_guardian_edit_roles(world, client_for, role):
    guardian = world.child.guardians.get()
    url = reverse("people:guardian_edit", args=[world.child.pk, guardian.pk])
    allowed = {"admin", "operator", "deputy", "homeroom"}
    assert client_for(role).get(url).status_code == (200 if role in allowed else 404)


@time_machine.travel(TODAY, tick=False)
def test_roster_prompts_the_monthly_guardian_check(world, client_for):
    url = reverse("people:class_roster", args=[world.school_class.pk])
    client = client_for("homeroom")
    assert client.get(url).content.decode().count("пора сверить данные родителей") == 1
    guardian = world.child.guardians.get()
    health.guardian_confirm_checked(
        guardian=guardian, today=dt.date(2026, 11, 1), actor=world.users["homeroom"]
    )
    assert "пора сверить данные родителей" not in client.get(url).content.decode()


@time_machine.travel(TODAY, tick=False)
def test_homeroom_edits_name_relation_and_contacts_audited(world, client_for):
    guardian = world.child.guardians.get()
    url = reverse("people:guardian_edit", args=[world.child.pk, guardian.pk])
    data = {
        "last_name": "Новикова",
        "first_name": "Ольга",
        "patronymic": "Петровна",
        "relation": "guardian",
        "phone": "+7 901",
        "email": "olga@example.ru",
        "address": "ул. Мира, 5",
        "workplace": "Поликлиника № 2",
    }
    response = client_for("homeroom").post(url, data)
    assert response.status_code == 302
    guardian = Guardian.objects.get(pk=guardian.pk)
    link = StudentGuardian.objects.get(guardian=guardian, student=world.child)
    assert (guardian.last_name, guardian.workplace, guardian.email) == (
        "Новикова",
        "Поликлиника № 2",
        "olga@example.ru",
    )
    assert link.relation == "guardian"
    event = AuditEvent.objects.filter(action="guardian.updated").first()
    assert event.after["relation"] == "guardian" and event.before["relation"] != "guardian"


@time_machine.travel(TODAY, tick=False)
def test_bad_guardian_input_changes_nothing(world, client_for):
    guardian = world.child.guardians.get()
    url = reverse("people:guardian_edit", args=[world.child.pk, guardian.pk])
    before = (guardian.last_name, guardian.phone)
    response = client_for("homeroom").post(
        url, {"last_name": "", "first_name": "Ольга", "relation": "сестра", "email": "нет"}
    )
    html = response.content.decode()
    assert "Обязательное поле" in html and "Выберите корректный вариант" in html
    guardian = Guardian.objects.get(pk=guardian.pk)
    assert (guardian.last_name, guardian.phone) == before
    assert not AuditEvent.objects.filter(action="guardian.updated").exists()


@time_machine.travel(TODAY, tick=False)
def test_refused_consent_keeps_name_and_relation_only(world, client_for):
    guardian = world.child.guardians.get()
    people_services.consent_record(
        guardian=guardian,
        status=ConsentStatus.REFUSED,
        date=dt.date(2026, 11, 10),
        document="отказ",
        actor=world.users["homeroom"],
    )
    url = reverse("people:guardian_edit", args=[world.child.pk, guardian.pk])
    client = client_for("homeroom")
    assert "согласие не дано" in client.get(url).content.decode().lower()
    client.post(
        url,
        {
            "last_name": "Иванова",
            "first_name": "Анна",
            "relation": "guardian",
            "phone": "+7 900",
            "address": "ул. Мира, 5",
        },
    )
    guardian = Guardian.objects.get(pk=guardian.pk)
    assert guardian.last_name == "Иванова"
    assert StudentGuardian.objects.get(guardian=guardian).relation == "guardian"
    assert (guardian.phone, guardian.address) == ("", "")
    with pytest.raises(ValidationError, match="хранятся только ФИО"):
        people_services.guardian_update(
            link=StudentGuardian.objects.get(guardian=guardian),
            actor=world.users["homeroom"],
            last_name="Иванова",
            first_name="Анна",
            patronymic="",
            relation="mother",
            phone="+7 900",
        )
    assert StudentGuardian.objects.get(guardian=guardian).relation == "guardian"


def test_revoked_guardian_is_not_edited(world):
    guardian = world.child.guardians.get()
    people_services.consent_record(
        guardian=guardian,
        status=ConsentStatus.REVOKED,
        date=dt.date(2026, 11, 10),
        document="отзыв № 3",
        actor=world.users["operator"],
    )
    with pytest.raises(ValidationError, match="исключены из системы"):
        people_services.guardian_update(
            link=StudentGuardian.objects.get(guardian=guardian),
            actor=world.users["homeroom"],
            last_name="Другая",
            first_name="Анна",
            patronymic="",
            relation="mother",
        )
    assert Guardian.objects.get(pk=guardian.pk).last_name != "Другая"


@time_machine.travel(TODAY, tick=False)
def test_homeroom_adds_a_guardian(world, client_for):
    url = reverse("people:guardian_add", args=[world.child.pk])
    client = client_for("homeroom")
    data = {"last_name": "Петров", "first_name": "Сергей", "relation": "father", "checked": "on"}
    assert client.post(url, {**data, "relation": ""}).status_code == 200
    assert world.child.guardians.count() == 1
    assert client.post(url, {**data, "phone": "+7 902"}).status_code == 302
    father = Guardian.objects.get(last_name="Петров")
    assert father.phone == "+7 902" and father.checked_on == dt.date(2026, 11, 10)
    assert StudentGuardian.objects.get(guardian=father, student=world.child).relation == "father"
    assert AuditEvent.objects.filter(action="guardian.created").count() == 1
    again = client.post(url, data)
    assert "уже указан" in again.content.decode()
    assert world.child.guardians.count() == 2


@pytest.mark.parametrize("role", ROLES)
def test_guardian_add_roles(world, client_for, role):
    url = reverse("people:guardian_add", args=[world.child.pk])
    allowed = {"admin", "operator", "deputy", "homeroom"}
    assert client_for(role).get(url).status_code == (200 if role in allowed else 404)
    response = client_for(role).post(
        url, {"last_name": "Петров", "first_name": "Сергей", "relation": "father"}
    )
    assert response.status_code == (302 if role in allowed else 404)
    assert Guardian.objects.filter(last_name="Петров").exists() == (role in allowed)


def test_guardian_pages_query_count_does_not_grow(world, client_for, django_assert_max_num_queries):
    guardian = world.child.guardians.get()
    client = client_for("homeroom")
    edit = reverse("people:guardian_edit", args=[world.child.pk, guardian.pk])
    add = reverse("people:guardian_add", args=[world.child.pk])
    with django_assert_max_num_queries(20) as small_edit:
        assert client.get(edit).status_code == 200
    with django_assert_max_num_queries(20) as small_add:
        assert client.get(add).status_code == 200
    for _ in range(5):
        f.link_guardian(world.child, f.GuardianFactory(school=world.school), relation="other")
    with django_assert_max_num_queries(len(small_edit.captured_queries)):
        client.get(edit)
    with django_assert_max_num_queries(len(small_add.captured_queries)):
        client.get(add)


def test_the_student_card_shows_the_class_with_its_roster(world, client_for):
    with time_machine.travel(dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC), tick=False):
        page = client_for("homeroom").get(reverse("people:student_card", args=[world.child.pk]))
    body = page.content.decode()
    assert f"<h1>{world.child.full_name}, 5А</h1>" in body
    assert f'href="{reverse("people:class_roster", args=[world.school_class.pk])}">5А</a>' in body
