import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from ejournal.accounts.models import Activity, StaffRecord
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
ACTIVITY = {
    "name": "Шахматы",
    "kind": "club",
    "place": "Дом творчества",
    "hours_per_week": "2",
    "date_from": "2026-09-15",
}


@time_machine.travel(TODAY, tick=False)
def test_homeroom_records_an_activity(world, client_for):
    client = client_for("homeroom")
    url = reverse("people:activities", args=[world.child.pk])
    client.post(url, ACTIVITY)
    activity = Activity.objects.get()
    assert (activity.name, activity.hours_per_week) == ("Шахматы", Decimal("2"))
    assert "Шахматы" in client.get(url).content.decode()
    assert AuditEvent.objects.filter(action="activity.created").exists()
    client.post(reverse("people:activity_delete", args=[world.child.pk, activity.pk]))
    assert not Activity.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_bad_activity_is_refused_in_russian(world, client_for):
    url = reverse("people:activities", args=[world.child.pk])
    response = client_for("homeroom").post(url, {**ACTIVITY, "hours_per_week": "0"})
    assert "Часов в неделю" in response.content.decode()
    response = client_for("homeroom").post(url, {**ACTIVITY, "date_to": "2026-09-01"})
    assert "раньше даты начала" in response.content.decode()
    assert not Activity.objects.exists()


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("role", ROLES)
def test_activity_page_roles(world, client_for, role):
    url = reverse("people:activities", args=[world.child.pk])
    allowed = {"admin", "operator", "deputy", "director", "homeroom"}
    assert client_for(role).get(url).status_code == (200 if role in allowed else 404)
    client_for(role).post(url, ACTIVITY)
    assert Activity.objects.exists() == (role in {"admin", "homeroom"})


@pytest.mark.parametrize("role", ROLES)
def test_staff_records_roles(world, client_for, role):
    listing = client_for(role).get(reverse("people:staff_records")).status_code
    assert listing == (200 if role in {"hr", "admin", "director", "outsider"} else 404)
    edit = reverse("people:staff_record_edit", args=[world.staff["teacher"].pk])
    assert client_for(role).get(edit).status_code == (200 if role == "hr" else 404)


def test_hr_saves_a_record_and_category_needs_a_date(world, client_for):
    client = client_for("hr")
    url = reverse("people:staff_record_edit", args=[world.staff["teacher"].pk])
    bad = client.post(url, {"qualification": "highest", "education": "высшее"})
    assert "дату присвоения" in bad.content.decode()
    assert not StaffRecord.objects.exists()
    client.post(
        url,
        {
            "qualification": "highest",
            "qualification_date": "2024-03-01",
            "education": "высшее педагогическое",
            "hired_on": "2010-08-25",
        },
    )
    record = StaffRecord.objects.get()
    assert record.qualification == "highest" and record.hired_on == dt.date(2010, 8, 25)
    assert "высшее педагогическое" in client.get(reverse("people:staff_records")).content.decode()


def test_a_reopened_hr_card_shows_its_dates_and_saving_it_again_keeps_them(world, client_for):
    """«Принят(а)» and «Стаж с» came back as «28.08.2015», which <input type="date"> shows
    as empty and posts back empty: saving the card again erased them."""
    client = client_for("hr")
    url = reverse("people:staff_record_edit", args=[world.staff["teacher"].pk])
    card = {
        "education": "высшее, ЯГПУ",
        "qualification": "first",
        "qualification_date": "2024-03-01",
        "hired_on": "2015-08-28",
        "teaching_since": "2010-09-01",
        "courses": "ФГОС 2023, 72 ч.",
    }
    client.post(url, card)
    page = client.get(url).content.decode()
    for name in ("qualification_date", "hired_on", "teaching_since"):
        assert f'type="date" name="{name}" value="{card[name]}"' in page
    audited = AuditEvent.objects.count()
    assert client.post(url, card).status_code == 302
    record = StaffRecord.objects.get()
    assert (record.hired_on, record.teaching_since) == (dt.date(2015, 8, 28), dt.date(2010, 9, 1))
    assert AuditEvent.objects.count() == audited  # nothing changed, nothing recorded


def test_staff_records_query_count(world, client_for, django_assert_max_num_queries):
    client = client_for("hr")
    url = reverse("people:staff_records")
    with django_assert_max_num_queries(25) as small:
        client.get(url)
    for _ in range(5):
        f.StaffFactory(school=world.school)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_staff_of_another_school_unreachable(world, client_for):
    url = reverse("people:staff_record_edit", args=[world.staff["teacher"].pk])
    assert client_for("outsider").get(url).status_code == 404
