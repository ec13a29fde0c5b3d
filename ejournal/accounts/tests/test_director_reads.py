"""The director reads every page about pupils the deputy reads — class lists, student
cards, the health sheet, extracurricular activities — and changes nothing there."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from ejournal.accounts.models import Activity, Guardian, HealthSheet

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 11, 10, 10, 0)


@pytest.fixture
def kept(world, client_for):
    """What the school keeps about the child, entered through the forms: consent recorded
    by the deputy, the health sheet and an activity by the homeroom teacher."""
    guardian = world.child.guardians.get()
    prefix = f"g{guardian.pk}"
    client_for("deputy").post(
        reverse("people:consent_record", args=[world.child.pk, guardian.pk]),
        {f"{prefix}-status": "given", f"{prefix}-date": "2026-09-01", f"{prefix}-document": "№ 5"},
    )
    homeroom = client_for("homeroom")
    homeroom.post(
        reverse("people:health_sheet", args=[world.child.pk]),
        {"health_group": "2", "pe_group": "preparatory", "notes": "Не бегать кросс"},
    )
    homeroom.post(
        reverse("people:activities", args=[world.child.pk]),
        {
            "name": "Шахматы",
            "kind": "club",
            "place": "Дом творчества",
            "hours_per_week": "2",
            "date_from": "2026-09-15",
        },
    )
    assert Guardian.objects.get(pk=guardian.pk).consent.document == "№ 5"
    assert HealthSheet.objects.exists() and Activity.objects.exists()
    return guardian


@time_machine.travel(TODAY, tick=False)
def test_director_reads_class_lists_from_the_people_page_without_issuing_credentials(
    world, client_for
):
    director = client_for("director")
    index = director.get(reverse("people:index")).content.decode()
    roster_url = reverse("people:class_roster", args=[world.school_class.pk])
    assert roster_url in index
    roster = director.get(roster_url).content.decode()
    assert all(s.short_name.split()[0] in roster for s in world.students)
    assert reverse("people:student_card", args=[world.child.pk]) in roster
    assert reverse("people:class_credentials", args=[world.school_class.pk]) not in roster
    assert "выдать реквизиты" not in roster
    issued = director.post(reverse("people:class_credentials", args=[world.school_class.pk]))
    assert issued.status_code == 404
    world.child.user.refresh_from_db()
    assert not world.child.user.must_change_password


@time_machine.travel(TODAY, tick=False)
def test_director_reads_the_student_card_without_its_forms(world, client_for, kept):
    director = client_for("director")
    card = director.get(reverse("people:student_card", args=[world.child.pk])).content.decode()
    assert world.child.full_name in card
    assert "№ 5" in card  # the consent and its document
    assert "Записать согласие" not in card and "Добавить родителя" not in card
    assert reverse("people:guardian_edit", args=[world.child.pk, kept.pk]) not in card
    assert "Оформить перевод" not in card and "Издать приказ" not in card
    prefix = f"g{kept.pk}"
    refused = director.post(
        reverse("people:consent_record", args=[world.child.pk, kept.pk]),
        {f"{prefix}-status": "revoked", f"{prefix}-date": "2026-11-10", f"{prefix}-document": "x"},
    )
    assert refused.status_code == 404
    assert Guardian.objects.get(pk=kept.pk).consent.status == "given"
    edit = reverse("people:guardian_edit", args=[world.child.pk, kept.pk])
    assert director.get(edit).status_code == 404
    assert director.post(edit, {"last_name": "Другая", "first_name": "А"}).status_code == 404
    assert Guardian.objects.get(pk=kept.pk).last_name != "Другая"


@time_machine.travel(TODAY, tick=False)
def test_director_reads_the_health_sheet_and_activities_without_changing_them(
    world, client_for, kept
):
    director = client_for("director")
    health_url = reverse("people:health_sheet", args=[world.child.pk])
    health = director.get(health_url).content.decode()
    assert "Не бегать кросс" in health and "Сохранить" not in health
    refused = director.post(health_url, {"health_group": "1", "pe_group": "main"})
    assert refused.status_code == 404
    assert HealthSheet.objects.get().health_group == "2"

    activities_url = reverse("people:activities", args=[world.child.pk])
    activities = director.get(activities_url).content.decode()
    assert "Шахматы" in activities
    assert "Добавить занятие" not in activities and "удалить" not in activities
    activity = Activity.objects.get()
    assert director.post(activities_url, {"name": "Футбол"}).status_code == 404
    delete = reverse("people:activity_delete", args=[world.child.pk, activity.pk])
    assert director.post(delete).status_code == 404
    assert list(Activity.objects.values_list("name", flat=True)) == ["Шахматы"]


def test_director_reads_work_types_without_editing_them(world, client_for):
    from ejournal.journal.models import WorkType

    client_for("deputy").get(reverse("journal:work_types"))  # the defaults, as on first use
    director = client_for("director")
    journals = director.get(reverse("journal:index")).content.decode()
    assert reverse("journal:work_types") in journals
    page = director.get(reverse("journal:work_types")).content.decode()
    control = WorkType.objects.get(school=world.school, name="Контрольная работа")
    assert "Контрольная работа" in page
    assert "Новый вид работы" not in page
    assert reverse("journal:work_type_edit", args=[control.pk]) not in page
    edit = reverse("journal:work_type_edit", args=[control.pk])
    assert director.get(edit).status_code == 404
    changed = director.post(
        edit, {"name": "Контрольная работа", "short_name": "КР", "category": "control",
               "weight": "5", "is_active": "on"}
    )  # fmt: skip
    assert changed.status_code == 404
    control.refresh_from_db()
    assert control.weight == 2


def test_directors_first_look_at_work_types_writes_nothing(world, client_for):
    from ejournal.journal.models import WorkType

    assert client_for("director").get(reverse("journal:work_types")).status_code == 200
    assert not WorkType.objects.filter(school=world.school).exists()


@pytest.mark.parametrize("role", ["deputy", "director"])
def test_people_pages_queries_do_not_grow_for_the_readers(
    world, client_for, role, django_assert_max_num_queries
):
    from ejournal.testing import factories as f

    client = client_for(role)
    roster = reverse("people:class_roster", args=[world.school_class.pk])
    with django_assert_max_num_queries(30) as small:
        assert client.get(roster, {"date": "2026-11-10"}).status_code == 200
    for _ in range(10):
        f.enroll(f.StudentFactory(school=world.school), world.school_class)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(roster, {"date": "2026-11-10"})
