import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from ejournal.accounts import health, people_services
from ejournal.accounts.models import ConsentStatus, Guardian, HealthSheet
from ejournal.audit.models import AuditEvent
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
    allowed = {"admin", "deputy", "homeroom", "pe"}
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
    client.post(url, {"phone": "+7 900 000-00-00", "address": "ул. Мира, 5", "checked": "on"})
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
